import threading
from collections import defaultdict
from datetime import date
from decimal import Decimal, InvalidOperation

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, format_date, formatLang, split_every

from ..lib import credit, money, workdays
from .rpc import in_user_language

SWITCH_MODES = [
    (credit.SWITCH_ALWAYS, "Always check"),
    (credit.SWITCH_NEVER, "Never check"),
]
SWITCH_HELP = "Empty: the company's setting applies. Always / Never: overrides it for this customer."

# lib.credit switch name -> res.partner field holding the customer's override
PARTNER_HOLD_OVERRIDES = {
    "check_limit": "credit_hold_limit_mode",
    "check_overdue": "credit_hold_overdue_mode",
    "check_manual": "credit_hold_manual_mode",
    "check_dunning": "credit_hold_dunning_mode",
    "check_suspension": "credit_hold_suspension_mode",
}

CREDIT_RATINGS = [
    ("A", "A - Excellent"),
    ("B", "B - Good"),
    ("C", "C - Fair"),
    ("D", "D - Weak"),
    ("E", "E - Poor"),
]

CREDIT_BUREAUS = [
    ("serasa", "Serasa Experian"),
    ("spc", "SPC Brasil"),
    ("boa_vista", "Boa Vista SCPC"),
    ("other", "Other"),
]

# Only a Collections Manager (accounting administrators are managers) changes these.
MANAGER_ONLY_FIELDS = frozenset(
    {
        "credit_limit",
        "use_partner_credit_limit",
        "credit_hold_manual",
        "credit_hold_manual_reason",
        "credit_release_until",
        "credit_rating",
        "credit_bureau",
        "credit_bureau_score",
        "credit_review_last_date",
        "credit_review_next_date",
        "credit_review_notes",
        *PARTNER_HOLD_OVERRIDES.values(),
    }
)

# Who reads a customer's credit: the groups Odoo gives credit_limit and credit
# (account/models/partner.py) plus the collectors. The sales bridge adds
# salespeople to CREDIT_SUMMARY_FIELDS (README, Roles).
CREDIT_READ_GROUPS = (
    "account.group_account_invoice,account.group_account_readonly,collections_followup.group_collections_user"
)
CREDIT_SUMMARY_FIELDS = (
    "collections_credit_limit_applied",
    "collections_has_credit_limit",
    "collections_available_credit",
    "collections_overdue_amount",
    "collections_credit_hold_text",
    "collections_on_credit_hold",
)
# Settings whose value lets a customer's documents through a hold: a contact
# holding one may not become a commercial partner by a non-manager's write.
EXEMPTING_FIELDS = ("credit_release_until", *PARTNER_HOLD_OVERRIDES.values())
# A document amount beyond this is a typing error, not a document.
MAX_DOCUMENT_AMOUNT = Decimal("1e15")

RECEIVABLE_DOMAIN = [
    ("account_id.account_type", "=", "asset_receivable"),
    ("parent_state", "=", "posted"),
    ("reconciled", "=", False),
]
CUSTOMER_INVOICE_TYPES = ("out_invoice", "out_receipt")


class ResPartner(models.Model):
    """Credit control of a customer: limit, hold overrides, time-boxed release,
    credit review, and the exposure computed on demand (never stored)."""

    _inherit = "res.partner"

    credit_hold_limit_mode = fields.Selection(
        SWITCH_MODES,
        groups=CREDIT_READ_GROUPS,
        string="Check Credit Limit",
        company_dependent=True,
        help=SWITCH_HELP,
    )
    credit_hold_overdue_mode = fields.Selection(
        SWITCH_MODES,
        groups=CREDIT_READ_GROUPS,
        string="Check Overdue Invoices",
        company_dependent=True,
        help=SWITCH_HELP,
    )
    credit_hold_manual_mode = fields.Selection(
        SWITCH_MODES,
        groups=CREDIT_READ_GROUPS,
        string="Check Manual Hold",
        company_dependent=True,
        help=SWITCH_HELP,
    )
    credit_hold_dunning_mode = fields.Selection(
        SWITCH_MODES,
        groups=CREDIT_READ_GROUPS,
        string="Check Dunning Hold",
        company_dependent=True,
        help=SWITCH_HELP,
    )
    credit_hold_suspension_mode = fields.Selection(
        SWITCH_MODES,
        groups=CREDIT_READ_GROUPS,
        string="Check Suspension",
        company_dependent=True,
        help=SWITCH_HELP,
    )
    credit_release_until = fields.Date(
        string="Credit Released Until",
        company_dependent=True,
        groups=CREDIT_READ_GROUPS,
        help="A Collections Manager released this customer: no credit hold blocks its "
        "invoices and orders up to this date (included).",
    )
    credit_rating = fields.Selection(CREDIT_RATINGS, company_dependent=True, groups=CREDIT_READ_GROUPS)
    credit_bureau = fields.Selection(CREDIT_BUREAUS, groups=CREDIT_READ_GROUPS)
    credit_bureau_score = fields.Float(
        string="Bureau Score",
        digits=(16, 0),
        groups=CREDIT_READ_GROUPS,
        help="Score given by the credit bureau (0-1000, higher is safer).",
    )
    credit_review_last_date = fields.Date(
        string="Last Credit Review", company_dependent=True, groups=CREDIT_READ_GROUPS
    )
    credit_review_next_date = fields.Date(
        string="Next Credit Review",
        company_dependent=True,
        groups=CREDIT_READ_GROUPS,
        help="On this date the daily run schedules a credit review activity.",
    )
    credit_review_notes = fields.Text(company_dependent=True, groups=CREDIT_READ_GROUPS)

    collections_can_edit_credit = fields.Boolean(compute="_compute_collections_can_edit_credit")
    collections_credit_currency_id = fields.Many2one(
        "res.currency", compute="_compute_collections_credit", string="Credit Currency"
    )
    collections_exposure_open = fields.Monetary(
        string="Open Receivables",
        compute="_compute_collections_credit",
        groups=CREDIT_READ_GROUPS,
        currency_field="collections_credit_currency_id",
    )
    collections_exposure_draft = fields.Monetary(
        string="Draft Invoices",
        compute="_compute_collections_credit",
        groups=CREDIT_READ_GROUPS,
        currency_field="collections_credit_currency_id",
    )
    collections_exposure_to_invoice = fields.Monetary(
        string="Orders to Invoice",
        compute="_compute_collections_credit",
        groups=CREDIT_READ_GROUPS,
        currency_field="collections_credit_currency_id",
    )
    collections_exposure_credits = fields.Monetary(
        string="Unreconciled Credits",
        compute="_compute_collections_credit",
        groups=CREDIT_READ_GROUPS,
        currency_field="collections_credit_currency_id",
    )
    collections_exposure = fields.Monetary(
        string="Credit Exposure",
        compute="_compute_collections_credit",
        groups=CREDIT_READ_GROUPS,
        currency_field="collections_credit_currency_id",
    )
    collections_credit_limit_applied = fields.Monetary(
        string="Applied Credit Limit",
        compute="_compute_collections_credit",
        groups=CREDIT_READ_GROUPS,
        currency_field="collections_credit_currency_id",
    )
    collections_has_credit_limit = fields.Boolean(
        compute="_compute_collections_credit", groups=CREDIT_READ_GROUPS
    )
    collections_available_credit = fields.Monetary(
        string="Available Credit",
        compute="_compute_collections_credit",
        groups=CREDIT_READ_GROUPS,
        currency_field="collections_credit_currency_id",
    )
    collections_overdue_amount = fields.Monetary(
        string="Overdue Amount",
        compute="_compute_collections_credit",
        groups=CREDIT_READ_GROUPS,
        currency_field="collections_credit_currency_id",
    )
    collections_credit_hold_text = fields.Text(
        string="Credit Hold Reasons", compute="_compute_collections_credit", groups=CREDIT_READ_GROUPS
    )
    collections_on_credit_hold = fields.Boolean(
        string="On Credit Hold", compute="_compute_collections_credit", groups=CREDIT_READ_GROUPS
    )

    @api.depends_context("uid")
    def _compute_collections_can_edit_credit(self):
        can_edit = self.env.su or self.env.user.has_group("collections_followup.group_collections_manager")
        self.collections_can_edit_credit = can_edit

    @api.depends_context("company")
    def _compute_collections_credit(self):
        company = self.env.company
        # records being edited in a form have a NewId: their origin is read
        partners = self.filtered(lambda partner: partner._origin.id)
        (self - partners).update(
            {
                "collections_credit_currency_id": company.currency_id,
                "collections_exposure_open": 0.0,
                "collections_exposure_draft": 0.0,
                "collections_exposure_to_invoice": 0.0,
                "collections_exposure_credits": 0.0,
                "collections_exposure": 0.0,
                "collections_credit_limit_applied": 0.0,
                "collections_has_credit_limit": False,
                "collections_available_credit": 0.0,
                "collections_overdue_amount": 0.0,
                "collections_credit_hold_text": False,
                "collections_on_credit_hold": False,
            }
        )
        if not partners:
            return
        as_of = fields.Date.context_today(self)
        data = partners._origin._collections_credit_data(company, as_of)
        for partner in partners:
            state, hold_settings = data[partner._origin.commercial_partner_id.id]
            reasons = credit.hold_reasons(state, hold_settings, as_of)
            available = credit.available_credit(state.limit, state.exposure)
            exposure = state.exposure
            partner.update(
                {
                    "collections_credit_currency_id": company.currency_id,
                    "collections_exposure_open": float(exposure.open_receivables),
                    "collections_exposure_draft": float(exposure.draft_invoices),
                    "collections_exposure_to_invoice": float(exposure.to_invoice),
                    "collections_exposure_credits": float(exposure.unreconciled_credits),
                    "collections_exposure": float(exposure.total),
                    "collections_credit_limit_applied": float(state.limit or 0),
                    "collections_has_credit_limit": state.limit is not None,
                    "collections_available_credit": float(available or 0),
                    "collections_overdue_amount": float(state.overdue_amount),
                    "collections_credit_hold_text": "\n".join(
                        partner._collections_format_reasons(reasons, company)
                    )
                    or False,
                    "collections_on_credit_hold": bool(reasons),
                }
            )

    @api.onchange("credit_bureau_score")
    def _onchange_credit_bureau_score(self):
        for partner in self:
            if partner.credit_bureau_score and not partner.credit_rating:
                partner.credit_rating = credit.credit_rating(partner.credit_bureau_score)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            is_commercial = vals.get("is_company") or not vals.get("parent_id")
            given = {name for name in MANAGER_ONLY_FIELDS if vals.get(name)}
            if is_commercial and given:
                # the form sends the defaults too (e.g. the company's default limit)
                defaults = self.default_get(list(given))
                changed = {name for name in given if vals[name] != defaults.get(name)}
                if changed:
                    self._collections_check_credit_manager(changed)
        return super().create(vals_list)

    def write(self, vals):
        protected = set(vals) & MANAGER_ONLY_FIELDS
        old_limits = {}
        if protected:
            # Contacts copy their company's credit limit (a commercial field):
            # only the commercial partner's values matter and are guarded.
            commercials = self.filtered(lambda partner: partner == partner.commercial_partner_id)
            if any(commercials._collections_value_changes(name, vals[name]) for name in protected):
                self._collections_check_credit_manager(protected)
            # unchecking "Partner Limit" writes credit_limit again: logged by that write
            if "credit_limit" in vals:
                # sudo: credit_limit is an accounting field; read only to log the change
                old_limits = {partner: partner.sudo().credit_limit for partner in commercials}
        old_releases = {}
        if "credit_release_until" in vals:
            old_releases = {partner: partner.credit_release_until for partner in self}
        # The native limit fields are reserved to accounting groups; a Collections
        # Manager outside them (checked above) still sets the limit.
        restricted = (
            {
                name
                for name in protected
                if self._fields[name].groups
                and not self.env.su
                and not self.env.user.has_groups(self._fields[name].groups)
            }
            if self.env.user.has_group("collections_followup.group_collections_manager")
            else set()
        )
        if restricted:
            # sudo: the user is a Collections Manager (checked above) whom the
            # README allows to set the limit without accounting rights
            super(ResPartner, self.sudo()).write({name: vals[name] for name in restricted})
            vals = {name: value for name, value in vals.items() if name not in restricted}
        # A contact may hold an exemption (a release, a "never check") that only
        # matters once it is a commercial partner: becoming one is a manager's call.
        was_contact = self.filtered(lambda partner: partner != partner.commercial_partner_id)
        result = super().write(vals) if vals else True
        if was_contact and ("parent_id" in vals or "is_company" in vals):
            promoted = was_contact.filtered(lambda partner: partner == partner.commercial_partner_id)
            # sudo: reading the exemption fields only to decide whether to refuse
            if promoted and any(
                partner.sudo()[name] and partner.sudo()[name] != credit.SWITCH_ALWAYS
                for partner in promoted
                for name in EXEMPTING_FIELDS
            ):
                self._collections_check_credit_manager(EXEMPTING_FIELDS)
        if old_limits:
            self._collections_log_limit_changes(old_limits)
        if old_releases:
            self._collections_log_release_changes(old_releases)
        return result

    def action_collections_open_receivables(self):
        """Open the customer's open receivable instalments (the exposure's first amount)."""
        self.ensure_one()
        return self._collections_lines_action(_("Open Receivables"), [("amount_residual", ">", 0)])

    def action_collections_overdue(self):
        """Open the customer's overdue instalments."""
        self.ensure_one()
        self._collections_check_credit_access()
        today = fields.Date.context_today(self)
        # the one definition of overdue (collections.receivable), as in the credit box
        line_ids = self._collections_overdue_line_ids(self.env.company, today, self.commercial_partner_id.ids)
        return self._collections_lines_action(_("Overdue Instalments"), [("id", "in", line_ids)])

    def action_collections_credits(self):
        """Open the customer's unreconciled credits (credit notes and payments)."""
        self.ensure_one()
        return self._collections_lines_action(_("Unreconciled Credits"), [("amount_residual", "<", 0)])

    def action_collections_draft_invoices(self):
        """Open the customer's draft invoices counted in the exposure."""
        self.ensure_one()
        self._collections_check_credit_access()
        company = self.env.company
        return {
            "type": "ir.actions.act_window",
            "name": _("Draft Invoices"),
            "res_model": "account.move",
            "view_mode": "list,form",
            "views": [(self.env.ref("account.view_out_invoice_tree").id, "list"), (False, "form")],
            "domain": [
                ("company_id", "=", company.id),
                ("state", "=", "draft"),
                ("move_type", "in", CUSTOMER_INVOICE_TYPES),
                ("commercial_partner_id", "=", self.commercial_partner_id.id),
            ],
            "context": {"default_move_type": "out_invoice", "create": False},
        }

    # --- public API (XML-RPC) -------------------------------------------------

    @in_user_language
    def collections_credit_exposure(self, company_id=None):
        """Credit exposure of the partner's commercial entity in one company.

        :param company_id: id of the company (default: the current company);
            the user must be allowed in it.
        :return: dict with, in the company currency, ``open_receivables``,
            ``draft_invoices``, ``to_invoice`` (confirmed sales not invoiced
            yet, 0 without the sales bridge), ``unreconciled_credits``,
            ``exposure`` (open + draft + to invoice - credits),
            ``credit_limit`` and ``available_credit`` (False without limit),
            ``overdue_amount``, ``oldest_overdue_due_date`` (ISO date or False),
            ``on_hold`` (bool), ``currency`` (ISO code), ``partner_id`` and
            ``company_id``.
        """
        self._collections_ensure_one()
        self._collections_check_credit_access()
        company = self._collections_company(company_id)
        as_of = fields.Date.context_today(self)
        partner = self.commercial_partner_id
        state, hold_settings = partner._collections_credit_data(company, as_of)[partner.id]
        available = credit.available_credit(state.limit, state.exposure)
        exposure = state.exposure
        return {
            "partner_id": partner.id,
            "company_id": company.id,
            "currency": company.currency_id.name,
            "open_receivables": float(exposure.open_receivables),
            "draft_invoices": float(exposure.draft_invoices),
            "to_invoice": float(exposure.to_invoice),
            "unreconciled_credits": float(exposure.unreconciled_credits),
            "exposure": float(exposure.total),
            # False, not None: XML-RPC cannot carry None
            "credit_limit": False if state.limit is None else float(state.limit),
            "available_credit": False if available is None else float(available),
            "overdue_amount": float(state.overdue_amount),
            "oldest_overdue_due_date": state.oldest_overdue_due_date.isoformat()
            if state.oldest_overdue_due_date
            else False,
            "on_hold": bool(credit.hold_reasons(state, hold_settings, as_of)),
        }

    @in_user_language
    def collections_credit_hold_reasons(self, document_amount=0.0, company_id=None):
        """Why a new document of ``document_amount`` would be blocked.

        :param document_amount: amount of the invoice or order to check, in
            the company currency, counted on top of the current exposure.
        :param company_id: id of the company (default: the current company).
        :return: list (empty when nothing blocks) of dicts with ``code``
            (credit_limit, overdue, manual, dunning, suspended), ``message``
            (in the user's language) and the figures of the reason (amounts
            as numbers, dates as ISO strings, False when empty).
        """
        self._collections_ensure_one()
        self._collections_check_credit_access(summary=True)
        amount = self._collections_parse_amount(document_amount)
        company = self._collections_company(company_id)
        as_of = fields.Date.context_today(self)
        partner = self.commercial_partner_id
        state, hold_settings = partner._collections_credit_data(company, as_of)[partner.id]
        reasons = credit.hold_reasons(state, hold_settings, as_of, document_amount=amount)
        messages = self._collections_format_reasons(reasons, company)
        result = []
        for reason, message in zip(reasons, messages, strict=False):
            values = {
                name: float(value)
                if isinstance(value, Decimal)
                else value.isoformat()
                if isinstance(value, date)
                else False
                if value is None
                else value
                for name, value in reason.values.items()
            }
            result.append({**values, "code": reason.code, "message": message})
        return result

    # --- business methods ------------------------------------------------------

    def _collections_ensure_one(self):
        if len(self) != 1:
            raise UserError(_("Call this method on exactly one customer (got %(count)s).", count=len(self)))

    @api.model
    def _collections_credit_read_groups(self, summary=False):
        """Groups allowed to read customers' credit; ``summary``: the applied
        limit, available credit, overdue amount and hold reasons only (the
        sales bridge adds salespeople)."""
        return CREDIT_READ_GROUPS

    def _collections_check_credit_access(self, summary=False):
        """AccessError unless the user may read these partners and their credit
        (the groups of the credit fields): checked before any sudo()."""
        self.check_access("read")
        if self.env.su or self.env.user.has_groups(self._collections_credit_read_groups(summary=summary)):
            return
        raise AccessError(_("You are not allowed to see the credit of customers."))

    @api.model
    def _collections_parse_amount(self, value):
        """A document amount given over RPC as a finite Decimal, else UserError."""
        if value is None or value is False:
            return Decimal(0)
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise UserError(_("The document amount must be a number, got %(value)r.", value=value))
        try:
            amount = Decimal(value.strip() if isinstance(value, str) else repr(value))
        except (InvalidOperation, ValueError) as error:
            raise UserError(_("The document amount must be a number, got %(value)r.", value=value)) from error
        if not amount.is_finite() or abs(amount) > MAX_DOCUMENT_AMOUNT:
            raise UserError(
                _(
                    "The document amount must be a finite number below %(max)s, got %(value)r.",
                    max=f"{MAX_DOCUMENT_AMOUNT:,.0f}",
                    value=value,
                )
            )
        return amount

    def _collections_company(self, company_id):
        """The company of ``company_id`` (default: the current one), which the
        user must be allowed in; ValidationError / AccessError otherwise."""
        self.check_access("read")
        if company_id is None or company_id is False:
            return self.env.company
        if isinstance(company_id, bool) or not isinstance(company_id, int) or company_id <= 0:
            raise ValidationError(
                _(
                    "The company must be given by its id (a positive whole number), got %(value)r.",
                    value=company_id,
                )
            )
        # sudo: only to tell a missing company from a forbidden one; the record
        # returned is the user's and the membership is checked right after.
        company = self.env["res.company"].sudo().browse(company_id).exists()
        if not company or (not self.env.su and company not in self.env.user.company_ids):
            raise AccessError(_("You are not allowed to see the credit of this company."))
        return self.env["res.company"].browse(company.id)

    def _collections_value_changes(self, field_name, value):
        """True when writing ``value`` in ``field_name`` changes one of the partners."""
        field = self._fields[field_name]
        # sudo: compares values only; the caller decides who may change them
        for partner in self.sudo():
            new_value = field.convert_to_record(field.convert_to_cache(value, partner), partner)
            if new_value != partner[field_name]:
                return True
        return False

    @api.model
    def _collections_check_credit_manager(self, field_names):
        if self.env.su or self.env.user.has_group("collections_followup.group_collections_manager"):
            return
        labels = sorted(self._fields[name]._description_string(self.env) for name in field_names)
        raise AccessError(
            _(
                "Only a Collections Manager can change the credit settings of a customer (%(fields)s).",
                fields=", ".join(labels),
            )
        )

    def _collections_log_limit_changes(self, old_limits):
        company = self.env.company
        for partner, old_limit in old_limits.items():
            # sudo: the limit may be written by a manager without accounting
            # rights; the chatter note is posted as the system, escaped (plain str)
            new_limit = partner.sudo().credit_limit
            if old_limit == new_limit:
                continue
            partner.sudo().message_post(
                body=_(
                    "Credit limit in %(company)s changed from %(old)s to %(new)s by %(user)s.",
                    company=company.name,
                    old=formatLang(self.env, old_limit, currency_obj=company.currency_id),
                    new=formatLang(self.env, new_limit, currency_obj=company.currency_id),
                    user=self.env.user.name,
                )
            )

    def _collections_log_release_changes(self, old_releases):
        company = self.env.company
        for partner, old_date in old_releases.items():
            new_date = partner.credit_release_until
            if old_date == new_date or partner != partner.commercial_partner_id:
                continue
            if new_date:
                body = _(
                    "Credit holds in %(company)s released until %(date)s by %(user)s.",
                    company=company.name,
                    date=format_date(self.env, new_date),
                    user=self.env.user.name,
                )
            else:
                body = _(
                    "Credit release in %(company)s withdrawn by %(user)s.",
                    company=company.name,
                    user=self.env.user.name,
                )
            # sudo: the change was allowed by write(); the note is escaped (plain str)
            partner.sudo().message_post(body=body)

    def _collections_lines_action(self, name, domain):
        self._collections_check_credit_access()
        company = self.env.company
        # sudo: archived and other users' contacts of the customer belong in
        # the domain; the action itself runs with the user's rights
        tree = (
            self.sudo()
            .with_context(active_test=False)
            .search([("id", "child_of", self.commercial_partner_id.ids)])
        )
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": "account.move.line",
            "view_mode": "list,form",
            "views": [(self.env.ref("account.view_move_line_tree").id, "list"), (False, "form")],
            "domain": [("company_id", "=", company.id), ("partner_id", "in", tree.ids)]
            + RECEIVABLE_DOMAIN
            + domain,
            "context": {"create": False, "search_default_group_by_move": 0},
        }

    def _collections_format_reasons(self, reasons, company):
        """Sentences (user's language) explaining each lib.credit HoldReason."""
        currency = company.currency_id
        return [
            credit.format_reason(
                reason,
                translate=self.env._,
                format_amount=lambda amount: formatLang(self.env, float(amount), currency_obj=currency),
                format_date=lambda day: format_date(self.env, day),
            )
            for reason in reasons
        ]

    def _collections_credit_data(self, company, as_of, exclude_move_ids=(), exclude_order_ids=()):
        """Credit state of the commercial partners of ``self`` in ``company``.

        Set-based: a fixed number of queries whatever the number of partners
        and instalments. Documents in ``exclude_move_ids`` (draft invoices
        being posted) and ``exclude_order_ids`` (orders being confirmed) are
        left out of the exposure: the caller counts them as the document.

        :return: {commercial partner id: (lib.credit.PartnerCreditState,
            lib.credit.HoldSettings)}
        """
        commercials = self.sudo().with_company(company).commercial_partner_id
        rows = defaultdict(list)
        overdue_amount = {}
        oldest_due = {}
        sums = self._collections_account_sums(company, commercials, as_of, exclude_move_ids)
        for commercial_id, open_amount, credit_amount, draft in sums:
            rows[commercial_id] += [
                ("open", open_amount or 0),
                ("credit", credit_amount or 0),
                ("draft", draft or 0),
            ]
        # overdue: the one definition of lib.receivable, read by collections.receivable
        tolerance = {
            partner.id: money.to_decimal(partner._collections_policy().sudo().tolerance_amount)
            for partner in commercials
        }
        for commercial_id, (amount, due_date) in (
            self.env["collections.receivable"]
            ._overdue_sums(company, commercials.ids, as_of, tolerance)
            .items()
        ):
            overdue_amount[commercial_id] = amount
            oldest_due[commercial_id] = due_date
        for commercial_id, amount in commercials._collections_to_invoice_amounts(
            company, exclude_order_ids
        ).items():
            rows[commercial_id].append(("to_invoice", amount))

        company_switches = company._collections_hold_switches()
        settings_by_partner = {
            partner.id: credit.hold_settings(
                company_switches,
                {name: partner[field_name] for name, field_name in PARTNER_HOLD_OVERRIDES.items()},
                company.collections_hold_overdue_days,
            )
            for partner in commercials
        }
        # the calendar is only read when an overdue instalment is checked
        checked_due_dates = [
            due_date
            for partner_id, due_date in oldest_due.items()
            if settings_by_partner[partner_id].check_overdue
        ]
        # the working-day rule shared with the dunning run and the late charges
        first_checked = min(checked_due_dates, default=None)
        holidays, weekend = (
            company._collections_working_days(first_checked, as_of)
            if first_checked
            else (frozenset(), workdays.WEEKEND)
        )
        default_limit = (
            self.env["res.partner"]._fields["credit_limit"].get_company_dependent_fallback(commercials)
        )
        rounding = str(company.currency_id.rounding)
        result = {}
        for partner in commercials:
            due_date = oldest_due.get(partner.id)
            state = credit.PartnerCreditState(
                limit=credit.effective_limit(
                    partner.use_partner_credit_limit, partner.credit_limit, default_limit
                ),
                exposure=credit.exposure_from_rows(rows[partner.id], rounding),
                oldest_overdue_due_date=due_date and workdays.effective_due_date(due_date, holidays, weekend),
                overdue_amount=money.round_money(overdue_amount.get(partner.id, 0), rounding),
                manual_hold_reason=(partner.credit_hold_manual_reason or "")
                if partner.credit_hold_manual
                else None,
                dunning_hold_level=partner.credit_hold_level_id.name or None,
                suspended_since=partner.service_suspended_date or None,
                suspension_reason=partner.service_suspension_reason or None,
                release_until=partner.credit_release_until or None,
            )
            result[partner.id] = (state, settings_by_partner[partner.id])
        return result

    def _collections_to_invoice_amounts(self, company, exclude_order_ids=()):
        """{commercial partner id: Decimal} of confirmed sales not invoiced yet
        of the commercial partners ``self``, in the company currency; the sales
        bridge fills it in."""
        return {}

    @api.model
    def _collections_account_sums(self, company, commercials, as_of, exclude_move_ids=()):
        """Rows (commercial partner id, open, credits, drafts) in the company currency, for
        ``commercials`` and their contacts in ``company``: posted unreconciled receivable lines
        (disputed invoices are never overdue) and draft customer invoices but
        ``exclude_move_ids``. A partner may come in two rows (lines, drafts).
        One query: it runs on every post and confirmation."""
        self.env["account.move.line"].flush_model(
            [
                "company_id",
                "partner_id",
                "account_id",
                "parent_state",
                "reconciled",
                "amount_residual",
                "date_maturity",
                "move_id",
            ]
        )
        self.env["account.move"].flush_model(
            ["company_id", "state", "move_type", "commercial_partner_id", "amount_total_signed"]
        )
        self.env["collections.dispute"].flush_model(["move_id", "is_open"])
        self.env["account.account"].flush_model(["account_type"])
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        self.env.cr.execute(
            SQL(
                """
            SELECT partner.commercial_partner_id,
                   SUM(line.amount_residual) FILTER (WHERE line.amount_residual > 0),
                   -SUM(line.amount_residual) FILTER (WHERE line.amount_residual < 0),
                   NULL::numeric
              FROM account_move_line line
              JOIN res_partner partner ON partner.id = line.partner_id
              JOIN account_account account ON account.id = line.account_id
             WHERE line.company_id = %(company)s
               AND partner.commercial_partner_id = ANY(%(partners)s)
               AND account.account_type = 'asset_receivable'
               AND line.parent_state = 'posted'
               AND NOT line.reconciled
          GROUP BY partner.commercial_partner_id
         UNION ALL
            SELECT move.commercial_partner_id, NULL, NULL, SUM(move.amount_total_signed)
              FROM account_move move
             WHERE move.company_id = %(company)s
               AND move.commercial_partner_id = ANY(%(partners)s)
               AND move.state = 'draft'
               AND move.move_type IN %(types)s
               AND move.id != ALL(%(excluded)s)
          GROUP BY move.commercial_partner_id
            """,
                company=company.id,
                partners=commercials.ids,
                types=CUSTOMER_INVOICE_TYPES,
                excluded=list(exclude_move_ids),
            )
        )
        return self.env.cr.fetchall()

    # --- scheduled actions -----------------------------------------------------

    @api.model
    def _cron_collections_credit_review(self, as_of=None, batch_size=500):
        """Schedule a credit review activity for every customer whose next
        review date has come, unless one is already open; ``as_of`` (a date,
        default today) lets a run be replayed for a given day."""
        as_of = fields.Date.to_date(as_of) or fields.Date.context_today(self)
        activity_type = self.env.ref("collections_followup.mail_activity_type_credit_review")
        model_id = self.env["ir.model"]._get_id("res.partner")
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        # sudo: a scheduled action over every company and customer; it only
        # creates review activities.
        for company in self.env["res.company"].sudo().search([]):
            Partner = self.sudo().with_company(company)
            due = Partner.search([("credit_review_next_date", "<=", as_of)])
            due = due.filtered(lambda partner: credit.review_due(partner.credit_review_next_date, as_of))
            done = 0
            for batch in split_every(batch_size, due.ids, Partner.browse):
                # sudo: the cron reads every user's activities to avoid duplicates
                open_reviews = (
                    self.env["mail.activity"]
                    .sudo()
                    .search_fetch(
                        [
                            ("res_model", "=", "res.partner"),
                            ("res_id", "in", batch.ids),
                            ("activity_type_id", "=", activity_type.id),
                            # one review per customer and company; older activities
                            # without a company count for every company
                            ("collections_company_id", "in", [company.id, False]),
                        ],
                        ["res_id"],
                    )
                )
                reviewed = set(open_reviews.mapped("res_id"))
                values = []
                for partner in batch:
                    user = (
                        partner.collections_responsible_id
                        or partner.user_id
                        or company.collections_credit_reviewer_id
                    )
                    if partner.id in reviewed or not user:
                        continue
                    values.append(
                        {
                            "res_model_id": model_id,
                            "res_id": partner.id,
                            "activity_type_id": activity_type.id,
                            "user_id": user.id,
                            "date_deadline": partner.credit_review_next_date,
                            "summary": _("Credit review due in %(company)s", company=company.name),
                            "collections_company_id": company.id,
                        }
                    )
                # sudo: scheduled action creating activities for other users
                self.env["mail.activity"].sudo().create(values)
                done += len(batch)
                if auto_commit:
                    self.env["ir.cron"]._notify_progress(done=done, remaining=len(due) - done)
                    # only with auto_commit (the cron): a long run commits step by step, by design
                    # pylint: disable-next=invalid-commit
                    self.env.cr.commit()  # one batch per transaction: a crash loses at most one batch
        return True
