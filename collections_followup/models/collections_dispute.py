from odoo import api, fields, models


class CollectionsDispute(models.Model):
    """A period during which a customer contests an invoice (litígio): its
    instalments are not chased and accrue no late charges meanwhile."""

    _name = "collections.dispute"
    _description = "Invoice Dispute"
    _order = "date_start desc, id desc"
    _check_company_auto = True

    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        required=True,
        ondelete="cascade",
        index=True,
        domain=[("move_type", "in", ("out_invoice", "out_receipt"))],
    )
    partner_id = fields.Many2one(related="move_id.commercial_partner_id", store=True, index=True)
    company_id = fields.Many2one(related="move_id.company_id", store=True, index=True)
    reason = fields.Text(required=True)
    date_start = fields.Date(required=True, default=fields.Date.context_today)
    date_end = fields.Date(help="Empty while the dispute is open.")
    user_id = fields.Many2one("res.users", string="Opened by", default=lambda self: self.env.user)
    closed_by_id = fields.Many2one("res.users", string="Closed by")
    resolution = fields.Text()
    is_open = fields.Boolean(compute="_compute_is_open", store=True)

    _sql_constraints = [
        (
            "dates_ordered",
            "CHECK(date_end IS NULL OR date_end >= date_start)",
            "A dispute cannot end before it starts.",
        ),
    ]

    @api.depends("date_end")
    def _compute_is_open(self):
        for dispute in self:
            dispute.is_open = not dispute.date_end
