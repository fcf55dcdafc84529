import math
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.misc import format_amount, format_date

from ..lib import dunning
from ..lib.money import round_money, to_decimal

PROMISE_STATES = [
    (dunning.PROMISE_OPEN, "Open"),
    (dunning.PROMISE_KEPT, "Kept"),
    (dunning.PROMISE_BROKEN, "Broken"),
]


class CollectionsPromise(models.Model):
    """A customer's promise to pay some instalments by a date: they are not
    chased until the date plus the policy's tolerance; a promise not honoured
    by then is broken and the chasing resumes."""

    _name = "collections.promise"
    _description = "Promise to Pay"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        ondelete="cascade",
        domain="[('parent_id', '=', False)]",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(
        "res.currency", required=True, default=lambda self: self.env.company.currency_id
    )
    date = fields.Date(string="Promised Date", required=True, tracking=True)
    amount = fields.Monetary(string="Promised Amount", required=True, tracking=True)
    move_line_ids = fields.Many2many(
        "account.move.line",
        string="Instalments Covered",
        domain="[('partner_id.commercial_partner_id', '=', partner_id), "
        "('account_type', '=', 'asset_receivable'), ('reconciled', '=', False), "
        "('parent_state', '=', 'posted')]",
    )
    residual_at_promise = fields.Monetary(
        help="Open amount of the covered instalments when the promise was made "
        "(sum in their own currencies: for information only).",
    )
    residuals_at_promise = fields.Json(
        help="{instalment id: its residual in its own currency} when the promise was made: "
        "what was paid since is measured per instalment and per currency.",
    )
    amount_paid = fields.Monetary(
        string="Paid Since Promise",
        compute="_compute_amount_paid",
        help="How much of the covered instalments was paid since the promise, in the promise's currency.",
    )
    tolerance_days = fields.Integer(help="Days after the promised date before the promise is broken.")
    deadline = fields.Date(compute="_compute_deadline", store=True, index=True)
    state = fields.Selection(
        PROMISE_STATES, required=True, default=dunning.PROMISE_OPEN, tracking=True, index=True
    )
    user_id = fields.Many2one("res.users", string="Collector", default=lambda self: self.env.user)
    note = fields.Text()

    _sql_constraints = [
        ("amount_positive", "CHECK(amount > 0)", "A promise to pay needs a positive amount."),
    ]

    @api.depends("residuals_at_promise", "move_line_ids.amount_residual_currency")
    def _compute_amount_paid(self):
        today = fields.Date.context_today(self)
        for promise in self:
            if not promise.id or not promise.move_line_ids:
                promise.amount_paid = 0.0
                continue
            promise.amount_paid = float(promise._collections_progress(today)[0])

    @api.depends("date", "tolerance_days")
    def _compute_deadline(self):
        for promise in self:
            promise.deadline = promise.date and promise.date + timedelta(days=promise.tolerance_days)

    @api.constrains("partner_id", "company_id", "move_line_ids")
    def _check_instalments_of_partner(self):
        for promise in self:
            promise._collections_check_instalments(
                promise.move_line_ids, promise.partner_id, promise.company_id
            )

    @api.model
    def _collections_check_instalments(self, lines, partner, company, open_only=False):
        """Raise a ValidationError unless every item of ``lines`` is a
        receivable instalment (debit) of a posted customer invoice of
        ``partner`` (its commercial entity) in ``company``; with
        ``open_only``, still unpaid too."""
        lines = lines.sudo()
        customer = partner.commercial_partner_id
        if lines.move_id.commercial_partner_id - customer:
            raise ValidationError(
                self.env._(
                    "A promise of %(partner)s can only cover that customer's instalments.",
                    partner=customer.display_name,
                )
            )
        if lines.company_id - company:
            raise ValidationError(
                self.env._(
                    "A promise in %(company)s can only cover instalments of that company.",
                    company=company.display_name,
                )
            )
        not_instalments = lines.filtered(
            lambda line: (
                line.account_type != "asset_receivable"
                or line.parent_state != "posted"
                or line.move_id.move_type not in ("out_invoice", "out_receipt")
                or line.balance <= 0
            )
        )
        if not_instalments:
            raise ValidationError(
                self.env._(
                    "%(items)s: a promise to pay covers only receivable instalments of posted customer "
                    "invoices.",
                    items=", ".join(not_instalments.mapped("display_name")),
                )
            )
        if open_only:
            paid = lines.filtered(
                lambda line: line.reconciled or line.currency_id.is_zero(line.amount_residual_currency)
            )
            if paid:
                raise ValidationError(
                    self.env._(
                        "%(items)s: already paid, nothing left to promise.",
                        items=", ".join(paid.mapped("display_name")),
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        today = fields.Date.context_today(self)
        for vals in vals_list:
            if "amount" in vals:
                vals["amount"] = float(self._collections_parse_amount(vals["amount"]))
            if "date" in vals:
                vals["date"] = self._collections_parse_date(vals["date"], today)
        promises = super().create(vals_list)
        for promise in promises:
            if not promise.move_line_ids:
                claims = promise.partner_id.with_company(promise.company_id)._collections_claim_lines(today)
                promise.move_line_ids = [fields.Command.set([claim["line_id"] for claim in claims])]
            lines = promise.move_line_ids.sudo()
            if not lines:
                raise ValidationError(
                    self.env._(
                        "%(partner)s has no open instalment to promise.",
                        partner=promise.partner_id.display_name,
                    )
                )
            self._collections_check_instalments(lines, promise.partner_id, promise.company_id, open_only=True)
            owed = promise._collections_owed(today)
            problem = dunning.promise_amount_problem(to_decimal(promise.amount), owed)
            if problem == "above_owed":
                raise ValidationError(
                    self.env._(
                        "A promise of %(amount)s is more than what the instalments covered owe "
                        "(%(owed)s, late charges included).",
                        amount=promise._format_amount(),
                        owed=promise._format_amount(float(owed)),
                    )
                )
            policy = promise.partner_id.sudo().with_company(promise.company_id)._collections_policy()
            promise.write(
                {
                    "residual_at_promise": sum(lines.mapped("amount_residual_currency")),
                    "residuals_at_promise": {str(line.id): line.amount_residual_currency for line in lines},
                    "tolerance_days": promise.tolerance_days or policy.promise_tolerance_days,
                }
            )
            promise.partner_id.sudo().message_post(
                body=self.env._(
                    "Promise to pay %(amount)s by %(date)s registered.",
                    amount=promise._format_amount(),
                    date=format_date(self.env, promise.date),
                ),
                subtype_xmlid="mail.mt_note",
            )
            self.env["collections.followup.action"]._collections_close_loop(
                lines,
                self.env._(
                    "promise to pay %(amount)s by %(date)s registered.",
                    amount=promise._format_amount(),
                    date=format_date(self.env, promise.date),
                ),
            )
        return promises

    @api.model
    def _collections_parse_amount(self, value):
        """``value`` (a number or a numeric string, as it may come over
        XML-RPC) as a Decimal above 0 that fits a monetary column; else a
        ValidationError."""
        try:
            amount = dunning.parse_amount(value)
        except ValueError:
            if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
                raise ValidationError(
                    self.env._("The promised amount %(value)s is too large.", value=repr(value))
                ) from None
            raise ValidationError(
                self.env._(
                    "The promised amount must be a number above zero, got %(value)s.", value=repr(value)
                )
            ) from None
        if amount <= 0:
            raise ValidationError(self.env._("A promise to pay needs a positive amount."))
        return amount

    @api.model
    def _collections_parse_date(self, value, today):
        """``value`` (a date or an ISO date string) as a date between
        ``today`` and a year later; else a ValidationError."""
        try:
            promised = dunning.parse_date(value)
        except ValueError:
            raise ValidationError(
                self.env._("The promised date must be a date (YYYY-MM-DD), got %(value)s.", value=repr(value))
            ) from None
        if promised < today:
            raise ValidationError(self.env._("The promised date cannot be in the past."))
        if promised > today + timedelta(days=dunning.PROMISE_MAX_DAYS):
            raise ValidationError(
                self.env._(
                    "The promised date cannot be more than %(days)s days ahead.",
                    days=dunning.PROMISE_MAX_DAYS,
                )
            )
        return promised

    def _collections_owed(self, as_of):
        """What the covered instalments owe on ``as_of`` (residual and late
        charges), in the promise's currency, as a Decimal. An instalment in
        another currency is converted at ``as_of``; towards the company
        currency, the larger of that and its booked residual, so a customer
        may promise what either figure says."""
        self.ensure_one()
        company, currency = self.company_id, self.currency_id
        lines = self.move_line_ids.sudo()
        claims = self.partner_id.with_company(company)._collections_claim_lines(as_of, line_ids=lines.ids)
        charges = {claim["line_id"]: claim.get("charges") or 0.0 for claim in claims}
        owed = to_decimal(0)
        for line in lines:
            residual, charge = line.amount_residual_currency, charges.get(line.id, 0.0)
            if line.currency_id == currency:
                owed += to_decimal(residual + charge)
                continue
            converted = line.currency_id._convert(residual + charge, currency, company, as_of, round=False)
            if currency == company.currency_id:
                booked = line.amount_residual + line.currency_id._convert(
                    charge, currency, company, as_of, round=False
                )
                converted = max(converted, booked)
            owed += to_decimal(converted)
        return round_money(owed, currency.rounding)

    def _collections_progress(self, as_of):
        """(paid since the promise in its currency, instalments settled) on
        ``as_of``. Paid: per currency (lib.dunning.promise_paid_by_currency),
        each total converted to the promise's currency at ``as_of``. Settled:
        every covered instalment's residual, converted to the company
        currency, is at most the policy's tolerance (a company-currency amount)."""
        self.ensure_one()
        company, currency = self.company_id, self.currency_id
        lines = self.move_line_ids.sudo()
        residuals_then = self.residuals_at_promise or {}
        if residuals_then:
            rows = [
                (line.currency_id.id, residuals_then.get(str(line.id), 0.0), line.amount_residual_currency)
                for line in lines
            ]
        else:  # promises made before per-instalment residuals were kept
            rows = [(currency.id, self.residual_at_promise, sum(lines.mapped("amount_residual_currency")))]
        paid = to_decimal(0)
        currencies = self.env["res.currency"]
        for currency_id, amount in dunning.promise_paid_by_currency(rows).items():
            source = currencies.browse(currency_id)
            if source != currency:
                amount = to_decimal(source._convert(float(amount), currency, company, as_of, round=False))
            paid += amount
        company_currency = company.currency_id
        residuals_company = [
            line.amount_residual_currency
            if line.currency_id == company_currency
            else line.currency_id._convert(line.amount_residual_currency, company_currency, company, as_of)
            for line in lines
        ]
        policy = self.partner_id.sudo().with_company(company)._collections_policy()
        settled = dunning.instalments_settled(residuals_company, policy.tolerance_amount or 0.0)
        return round_money(paid, currency.rounding), settled

    def _format_amount(self, amount=None):
        self.ensure_one()
        amount = self.amount if amount is None else amount
        return format_amount(self.env, amount, self.currency_id)

    def _update_state(self, as_of):
        """Recompute the state of open promises for ``as_of`` (lib.dunning.promise_status).
        Returns the promises that became broken."""
        broken = self.browse()
        for promise in self.filtered(lambda p: p.state == dunning.PROMISE_OPEN):
            paid, settled = promise._collections_progress(as_of)
            status = dunning.promise_status(
                promise.date,
                promise.tolerance_days,
                as_of,
                to_decimal(promise.amount),
                paid,
                settled=settled,
            )
            if status != promise.state:
                promise.state = status
                if status == dunning.PROMISE_BROKEN:
                    broken |= promise
        for promise in broken:
            promise.partner_id.message_post(
                body=self.env._(
                    "Promise to pay %(amount)s by %(date)s broken: the follow-up resumes.",
                    amount=promise._format_amount(),
                    date=format_date(self.env, promise.date),
                ),
                subtype_xmlid="mail.mt_note",
            )
        return broken

    def action_mark_kept(self):
        """Close open promises as kept (the collector saw the payment)."""
        self.filtered(lambda p: p.state == dunning.PROMISE_OPEN).state = dunning.PROMISE_KEPT
        return True

    def action_mark_broken(self):
        """Close open promises as broken: the follow-up of their instalments resumes."""
        self.filtered(lambda p: p.state == dunning.PROMISE_OPEN).state = dunning.PROMISE_BROKEN
        return True
