from odoo import fields, models
from odoo.exceptions import UserError


class CollectionsDisputeWizard(models.TransientModel):
    """Put an invoice in dispute, or end its dispute, with the reason."""

    _name = "collections.dispute.wizard"
    _description = "Invoice Dispute"

    move_id = fields.Many2one("account.move", string="Invoice", required=True)
    mode = fields.Selection(
        [("open", "Open dispute"), ("close", "End dispute")], required=True, default="open"
    )
    reason = fields.Text()

    def action_confirm(self):
        self.ensure_one()
        if self.mode == "open":
            if not (self.reason or "").strip():
                raise UserError(self.env._("Give the reason of the dispute."))
            self.move_id.collections_dispute_open(self.reason)
        else:
            self.move_id.collections_dispute_close(self.reason or None)
        return {"type": "ir.actions.act_window_close"}
