from odoo import api, fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    collections_dispute_ids = fields.One2many("collections.dispute", "move_id", string="Disputes")
    collections_in_dispute = fields.Boolean(
        string="In Dispute", compute="_compute_collections_in_dispute", store=True, index=True,
        help="The customer contests this invoice: it is not chased and accrues no late charges.",
    )

    @api.depends("collections_dispute_ids.is_open")
    def _compute_collections_in_dispute(self):
        for move in self:
            move.collections_in_dispute = any(move.collections_dispute_ids.mapped("is_open"))

    def _collections_dispute_periods(self):
        """{move id: [(date_start, date_end or None), ...]} for the late-fee rules."""
        periods = {move.id: [] for move in self}
        for dispute in self.env["collections.dispute"].search([("move_id", "in", self.ids)]):
            periods[dispute.move_id.id].append((dispute.date_start, dispute.date_end or None))
        return periods
