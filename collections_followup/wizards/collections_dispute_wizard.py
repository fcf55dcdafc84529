from odoo import _, fields, models
from odoo.exceptions import UserError


class CollectionsDisputeWizard(models.TransientModel):
    """Put an invoice in dispute, or end its dispute, with the reason."""

    _name = "collections.dispute.wizard"
    _description = "Invoice Dispute"

    move_id = fields.Many2one("account.move", string="Invoice", required=True)
    mode = fields.Selection([("open", "Open dispute"), ("close", "End dispute")], required=True, default="open")
    reason = fields.Text()

    def action_confirm(self):
        self.ensure_one()
        if not self.env.user.has_group("collections_followup.group_collections_user"):
            raise UserError(_("Only collectors can set or clear disputes."))
        move = self.move_id.sudo()
        if self.mode == "open":
            if not (self.reason or "").strip():
                raise UserError(_("Give the reason of the dispute."))
            move._collections_set_dispute(self.reason.strip())
        else:
            move._collections_clear_dispute(self.reason)
        return {"type": "ir.actions.act_window_close"}
