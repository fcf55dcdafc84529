from odoo import fields, models


class CollectionsPostponeWizard(models.TransientModel):
    """Leave customers alone until a date: the run skips them until then."""

    _name = "collections.postpone.wizard"
    _description = "Postpone Follow-up"

    partner_ids = fields.Many2many("res.partner", string="Customers", required=True)
    date = fields.Date(string="Postpone Until", required=True)
    reason = fields.Char()

    def action_postpone(self):
        self.ensure_one()
        self.partner_ids.collections_postpone(self.date, self.reason or None)
        return {"type": "ir.actions.act_window_close"}
