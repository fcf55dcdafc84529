import datetime

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools.misc import format_date

from ..lib import late_fees, suspension
from ..lib.money import to_decimal
from .rpc import in_user_language


class CollectionsPolicy(models.Model):
    """A collection policy (régua de cobrança): the levels a company applies
    to overdue instalments and the rules shared by all of them."""

    _name = "collections.policy"
    _description = "Collection Policy"
    _order = "company_id, name"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    level_ids = fields.One2many("collections.level", "policy_id", string="Levels", copy=True)
    level_count = fields.Integer(compute="_compute_level_count")
    min_days_between_contacts = fields.Integer(
        default=5,
        help="A partner is never contacted twice within this many days, whatever its instalments do.",
    )
    send_levels_in_sequence = fields.Boolean(
        string="Send Levels in Sequence",
        help="Never skip a level: an instalment gets the level after the last one sent for it, "
        "one level per contact, even when it has reached a later one (on go-live, after a "
        "postponement or a promise). Off: the highest level reached is sent.",
    )
    notice_days_before_measures = fields.Integer(
        default=10,
        help="A level that holds credit, suspends the service or escalates (agency, protest, "
        "credit bureau) applies only when the customer received a written notice (e-mail or "
        "letter) of a lower level at least this many days before. On go-live or after a jump, "
        "the highest notice level is sent first.",
    )
    suspension_notice_days = fields.Integer(
        default=10,
        help="A level that announces a service suspension states the date: the notice date "
        "plus this many days, moved forward to a day on which a suspension may start.",
    )
    suspension_lei_14015 = fields.Boolean(
        string="Suspension Days of Lei 14.015/2020",
        default=True,
        help="An announced suspension never starts on a Friday, Saturday, Sunday, holiday or "
        "the day before a holiday (Lei 14.015/2020). Unchecked: only non-working days of the "
        "company calendar are avoided.",
    )
    tolerance_amount = fields.Monetary(
        currency_field="currency_id",
        help="Instalments whose residual is not above this amount are not chased.",
    )
    promise_tolerance_days = fields.Integer(
        default=2,
        help="Days after a promised payment date before the promise counts as broken "
        "and the follow-up resumes.",
    )
    is_company_default = fields.Boolean(compute="_compute_is_company_default", string="Company Default")
    # --- Late charges (multa, juros de mora, correção monetária) -------------
    fine_rate = fields.Float(
        string="Fine (%)",
        digits=(16, 4),
        help="Multa: percentage of the amount in arrears at the due date, charged once "
        "when the instalment is late beyond the grace days (0 to 100).",
    )
    monthly_interest_rate = fields.Float(
        string="Interest (% per month)",
        digits=(16, 4),
        help="Juros de mora: simple interest per month, applied pro rata die (rate / 30 per "
        "calendar day) on the amount open each day (0 to 10).",
    )
    grace_days = fields.Integer(
        help="A payment within the due date plus these days owes nothing; beyond it, fine "
        "and interest count from the original due date.",
    )
    apply_consumer_cap = fields.Boolean(
        string="Cap Fine for Consumers",
        default=True,
        help="Consumers (individuals, or partners flagged as consumers) pay at most a 2% fine "
        "(Código de Defesa do Consumidor, art. 52 §1º), whatever the fine rate.",
    )
    correction_index_id = fields.Many2one(
        "collections.correction.index",
        string="Monetary Correction Index",
        help="Index (e.g. IPCA) whose monthly rates correct the amount in arrears before "
        "interest. Leave empty for no monetary correction.",
    )
    charge_invoicing = fields.Selection(
        [
            ("none", "Not invoiced (shown only)"),
            ("on_payment", "Automatically when a late instalment is fully paid"),
            ("on_demand", "On demand"),
        ],
        string="Invoice Late Charges",
        default="none",
        required=True,
        help="How the late charges are invoiced to the customer.",
    )
    fine_account_id = fields.Many2one(
        "account.account",
        check_company=True,
        domain="[('account_type', 'in', ('income', 'income_other'))]",
        help="Income account of the 'Multa' line of late-charge invoices.",
    )
    interest_account_id = fields.Many2one(
        "account.account",
        check_company=True,
        domain="[('account_type', 'in', ('income', 'income_other'))]",
        help="Income account of the 'Juros de mora' line of late-charge invoices.",
    )
    correction_account_id = fields.Many2one(
        "account.account",
        check_company=True,
        domain="[('account_type', 'in', ('income', 'income_other'))]",
        help="Income account of the 'Correção monetária' line of late-charge invoices.",
    )
    fine_product_id = fields.Many2one(
        "product.product",
        check_company=True,
        help="Optional product of the 'Multa' line; its income account is used when no fine account is set.",
    )
    interest_product_id = fields.Many2one(
        "product.product",
        check_company=True,
        help="Optional product of the 'Juros de mora' line; its income account is used when no interest "
        "account is set.",
    )
    correction_product_id = fields.Many2one(
        "product.product",
        check_company=True,
        help="Optional product of the 'Correção monetária' line; its income account is used when no "
        "correction account is set.",
    )
    charge_journal_id = fields.Many2one(
        "account.journal",
        string="Late Charges Journal",
        check_company=True,
        domain="[('type', '=', 'sale')]",
        help="Sales journal of late-charge invoices; the company's first sales journal when empty.",
    )

    _sql_constraints = [
        (
            "min_days_between_contacts_positive",
            "CHECK(min_days_between_contacts >= 0)",
            "The minimum number of days between two contacts cannot be negative.",
        ),
        (
            "notice_days_before_measures_positive",
            "CHECK(notice_days_before_measures >= 0)",
            "The notice days before measures cannot be negative.",
        ),
        (
            "promise_tolerance_days_positive",
            "CHECK(promise_tolerance_days >= 0)",
            "The promise tolerance cannot be negative.",
        ),
        (
            "tolerance_amount_positive",
            "CHECK(tolerance_amount >= 0)",
            "The tolerance amount cannot be negative.",
        ),
    ]

    @api.depends("level_ids")
    def _compute_level_count(self):
        for policy in self:
            policy.level_count = len(policy.level_ids)

    @api.depends("company_id.collections_policy_id")
    def _compute_is_company_default(self):
        for policy in self:
            policy.is_company_default = policy.company_id.collections_policy_id == policy

    @api.constrains("suspension_notice_days")
    def _check_suspension_notice_days(self):
        for policy in self:
            if not 0 <= policy.suspension_notice_days <= 365:
                raise ValidationError(
                    self.env._(
                        "The suspension notice of the policy “%(policy)s” must be between 0 and 365 days.",
                        policy=policy.name,
                    )
                )

    def _collections_planned_suspension_date(self, notice_date):
        """The suspension date a notice of ``notice_date`` announces under
        this policy (``lib.suspension.planned_suspension_date`` with the
        holidays of the policy's company calendar)."""
        self.ensure_one()
        days = self.suspension_notice_days
        start = notice_date + datetime.timedelta(days=days)
        holidays, weekend = self.company_id._collections_working_days(
            start - datetime.timedelta(days=1), start + datetime.timedelta(days=60)
        )
        return suspension.planned_suspension_date(
            notice_date, days, holidays, weekend, lei_14015=self.suspension_lei_14015
        )

    # --- Late charges -------------------------------------------------------
    @api.constrains("fine_rate", "monthly_interest_rate", "grace_days")
    def _check_late_charge_terms(self):
        for policy in self:
            problems = late_fees.terms_problems(policy._collections_fee_terms(with_correction=False))
            if problems:
                raise ValidationError(
                    "\n".join(
                        [
                            self.env._(
                                "The late charges of the policy “%(policy)s” are invalid:", policy=policy.name
                            )
                        ]
                        + [self._collections_problem_message(code, values) for code, values in problems]
                    )
                )

    @api.constrains(
        "charge_invoicing",
        "fine_account_id",
        "interest_account_id",
        "correction_account_id",
        "fine_product_id",
        "interest_product_id",
        "correction_product_id",
        "correction_index_id",
    )
    def _check_charge_accounts(self):
        for policy in self.filtered(lambda p: p.charge_invoicing != "none"):
            missing = [
                label
                for label, component, needed in (
                    (self.env._("Fine"), "fine", True),
                    (self.env._("Interest"), "interest", True),
                    (self.env._("Monetary correction"), "correction", bool(policy.correction_index_id)),
                )
                if needed and not policy._collections_charge_account(component)
            ]
            if missing:
                raise ValidationError(
                    self.env._(
                        "The policy “%(policy)s” invoices late charges: choose the income account of: "
                        "%(missing)s.",
                        policy=policy.name,
                        missing=", ".join(missing),
                    )
                )

    def _collections_charge_account(self, component):
        """Income account of the ``component`` line ('fine', 'interest' or
        'correction') of a charge invoice: the policy's account, else the
        income account of the policy's product for it (empty when neither)."""
        self.ensure_one()
        product = self[f"{component}_product_id"].with_company(self.company_id)
        return (
            self[f"{component}_account_id"]
            or product.property_account_income_id
            or product.categ_id.property_account_income_categ_id
        )

    def _collections_fee_terms(self, consumer=False, with_correction=True):
        """The lib ``FeeTerms`` of this policy (zero terms when ``self`` is empty).

        ``consumer``: the partner is a consumer, so the legal fine cap applies
        when the policy applies it.
        """
        if not self:
            return late_fees.FeeTerms()
        self.ensure_one()
        return late_fees.FeeTerms(
            fine_rate=to_decimal(self.fine_rate),
            monthly_interest_rate=to_decimal(self.monthly_interest_rate),
            grace_days=self.grace_days,
            fine_cap_rate=late_fees.LEGAL_CONSUMER_FINE_CAP if consumer and self.apply_consumer_cap else None,
            correction_rates=(
                self.correction_index_id._collections_rates()
                if with_correction and self.correction_index_id
                else None
            ),
        )

    @api.model
    def _collections_problem_message(self, code, values):
        """The translated wording of a ``lib.late_fees.terms_problems`` problem."""
        messages = {
            "fine_rate": self.env._("Fine rate must be between %(low)s%% and %(high)s%%, got %(value)s%%."),
            "monthly_interest_rate": self.env._(
                "Monthly interest rate must be between %(low)s%% and %(high)s%%, got %(value)s%%."
            ),
            "fine_cap_rate": self.env._(
                "Fine cap rate must be between %(low)s%% and %(high)s%%, got %(value)s%%."
            ),
            "grace_days": self.env._("Grace days must be between %(low)s and %(high)s, got %(value)s."),
            "correction_rate": self.env._(
                "Correction rate of %(year)s-%(month)02d must be above %(low)s%% and at most %(high)s%%, "
                "got %(value)s%%."
            ),
            "correction_month": self.env._("Correction month %(year)s-%(month)s is not a calendar month."),
        }
        return messages[code] % values

    @api.model
    @in_user_language
    def run_followup(self, as_of=None, company_ids=None, simulate=False):
        """Run the follow-up (régua de cobrança) for a date.

        Every overdue customer of the companies gets the contact its policy
        prescribes for ``as_of``; running the same date again contacts nobody
        twice. Callable over XML-RPC by collectors.

        :param as_of: date of the run (ISO string or date), default today; a
            date after today is refused unless ``simulate`` is set
        :param company_ids: ids of the companies to run, default every company
            of the user (the allowed companies of the context)
        :param simulate: when true, nothing is written nor sent: the result
            says what the run would do (any date)
        :returns: dict with 'date' (ISO), 'simulate', 'run_ids' (the
            ``collections.run`` records, empty when simulating), 'companies'
            (one dict per company, with its 'run_id', 'state' and 'log') and
            the counts 'partners_contacted', 'actions_done', 'actions_failed',
            'actions_planned', 'postponed', 'emails_queued', 'letters', 'sms',
            'activities', 'suspensions_lifted', 'promises_broken', 'promises_kept'
        :raises AccessError: the user is not a collector, or a company is not theirs
        :raises UserError: a date that is not a date, out of range or in the future
        """
        if not (self.env.su or self.env.user.has_group("collections_followup.group_collections_user")):
            raise AccessError(self.env._("Only collectors can run the follow-up."))
        if not isinstance(simulate, bool):
            raise UserError(self.env._("“simulate” must be true or false."))
        as_of = self._collections_parse_date(as_of) or fields.Date.context_today(self)
        if as_of > fields.Date.context_today(self) and not simulate:
            raise UserError(
                self.env._(
                    "The follow-up cannot run for a future date (%(date)s): it would send notices, break "
                    "promises and apply measures before their time. Use simulate=True to see what it would "
                    "do.",
                    date=format_date(self.env, as_of),
                )
            )
        if company_ids:
            if isinstance(company_ids, int) and not isinstance(company_ids, bool):
                company_ids = [company_ids]
            if not isinstance(company_ids, (list, tuple)) or not all(
                isinstance(cid, int) and not isinstance(cid, bool) for cid in company_ids
            ):
                raise UserError(self.env._("“company_ids” must be a list of company ids."))
            companies = self.env["res.company"].sudo().browse(company_ids).exists()
            if len(companies) != len(set(company_ids)):
                raise UserError(
                    self.env._(
                        "Unknown company ids: %(ids)s.", ids=sorted(set(company_ids) - set(companies.ids))
                    )
                )
            allowed = self.env.user.company_ids
            if not self.env.su and companies - allowed:
                raise AccessError(
                    self.env._("You cannot run the follow-up of a company you do not belong to.")
                )
        elif company_ids is None or company_ids is False or company_ids == []:
            companies = self.env.companies
        else:
            raise UserError(self.env._("“company_ids” must be a list of company ids."))
        # sudo: the engine reads the ledger and writes follow-up records of the
        # companies checked above, whatever the collector's accounting rights.
        return self.env["collections.followup.run"].sudo()._run(as_of, companies.sudo(), simulate=simulate)

    @api.model
    def _collections_parse_date(self, value):
        """``value`` (a date or an ISO 'YYYY-MM-DD' string, or empty) as a date
        between 2000-01-01 and 2199-12-31; a clear UserError otherwise."""
        if value is None or value is False or (isinstance(value, str) and not value.strip()):
            return False
        if isinstance(value, datetime.datetime):
            value = value.date()
        if isinstance(value, datetime.date):
            day = value
        elif isinstance(value, str):
            try:
                day = datetime.date.fromisoformat(value.strip())
            except ValueError:
                raise UserError(
                    self.env._("“%(value)s” is not a date: use the format YYYY-MM-DD.", value=value)
                ) from None
        else:
            raise UserError(self.env._("A date is expected (YYYY-MM-DD), got %(value)r.", value=value))
        if not datetime.date(2000, 1, 1) <= day <= datetime.date(2199, 12, 31):
            raise UserError(
                self.env._("The date %(date)s is out of range (2000-2199).", date=day.isoformat())
            )
        return day

    @api.model
    def _cron_run_followup(self, as_of=None):
        """Daily scheduled action: the follow-up of every company for ``as_of`` (default today)."""
        companies = self.env["res.company"].sudo().search([])
        return self.sudo().run_followup(as_of=as_of, company_ids=companies.ids)
