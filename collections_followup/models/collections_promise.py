from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..lib import dunning
from ..lib.money import to_decimal

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
        "res.partner", string="Customer", required=True, index=True, ondelete="cascade",
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
        "account.move.line", string="Instalments Covered",
        domain="[('partner_id.commercial_partner_id', '=', partner_id), "
        "('account_type', '=', 'asset_receivable'), ('reconciled', '=', False), "
        "('parent_state', '=', 'posted')]",
    )
    residual_at_promise = fields.Monetary(
        help="Open amount of the covered instalments when the promise was made.",
    )
    amount_paid = fields.Monetary(
        string="Paid Since Promise", compute="_compute_amount_paid",
        help="How much of the covered instalments was paid since the promise.",
    )
    tolerance_days = fields.Integer(help="Days after the promised date before the promise is broken.")
    deadline = fields.Date(compute="_compute_deadline", store=True, index=True)
    state = fields.Selection(PROMISE_STATES, required=True, default=dunning.PROMISE_OPEN, tracking=True, index=True)
    user_id = fields.Many2one("res.users", string="Collector", default=lambda self: self.env.user)
    note = fields.Text()

    _sql_constraints = [
        ("amount_positive", "CHECK(amount > 0)", "A promise to pay needs a positive amount."),
    ]

    @api.depends("residual_at_promise", "move_line_ids.amount_residual_currency")
    def _compute_amount_paid(self):
        for promise in self:
            residual = sum(promise.move_line_ids.sudo().mapped("amount_residual_currency"))
            promise.amount_paid = max(promise.residual_at_promise - residual, 0.0)

    @api.depends("date", "tolerance_days")
    def _compute_deadline(self):
        for promise in self:
            promise.deadline = promise.date and promise.date + timedelta(days=promise.tolerance_days)

    @api.constrains("partner_id", "move_line_ids")
    def _check_instalments_of_partner(self):
        for promise in self:
            partners = promise.move_line_ids.sudo().partner_id.commercial_partner_id
            if partners - promise.partner_id.commercial_partner_id:
                raise ValidationError(
                    _("A promise of %(partner)s can only cover that customer's instalments.",
                      partner=promise.partner_id.display_name)
                )

    @api.model_create_multi
    def create(self, vals_list):
        promises = super().create(vals_list)
        for promise in promises:
            if not promise.move_line_ids:
                claims = promise.partner_id.with_company(promise.company_id)._collections_claim_lines(
                    fields.Date.context_today(promise)
                )
                promise.move_line_ids = [fields.Command.set([claim["line_id"] for claim in claims])]
            policy = promise.partner_id.sudo().with_company(promise.company_id)._collections_policy()
            promise.write({
                "residual_at_promise": sum(promise.move_line_ids.sudo().mapped("amount_residual_currency")),
                "tolerance_days": promise.tolerance_days or policy.promise_tolerance_days,
            })
            promise.partner_id.sudo().message_post(
                body=_("Promise to pay %(amount)s by %(date)s registered.",
                       amount=promise._format_amount(), date=promise.date),
                subtype_xmlid="mail.mt_note",
            )
        return promises

    def _format_amount(self):
        self.ensure_one()
        return "%s %s" % (self.currency_id.symbol or "", self.currency_id.round(self.amount))

    def _update_state(self, as_of):
        """Recompute the state of open promises for ``as_of`` (lib.dunning.promise_status).
        Returns the promises that became broken."""
        broken = self.browse()
        for promise in self.filtered(lambda p: p.state == dunning.PROMISE_OPEN):
            status = dunning.promise_status(
                promise.date, promise.tolerance_days, as_of,
                to_decimal(promise.amount), to_decimal(promise.currency_id.round(promise.amount_paid)),
            )
            if status != promise.state:
                promise.state = status
                if status == dunning.PROMISE_BROKEN:
                    broken |= promise
        for promise in broken:
            promise.partner_id.message_post(
                body=_("Promise to pay %(amount)s by %(date)s broken: the follow-up resumes.",
                       amount=promise._format_amount(), date=promise.date),
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
