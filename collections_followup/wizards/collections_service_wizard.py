from odoo import fields, models


class CollectionsServiceWizard(models.TransientModel):
    """Suspend or reactivate a customer's service by hand, with a reason
    (Collections Managers): ``res.partner.collections_suspend_service`` /
    ``collections_reactivate_service``."""

    _name = "collections.service.wizard"
    _description = "Suspend or Reactivate a Customer's Service"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, readonly=True)
    mode = fields.Selection(
        [("suspend", "Suspend the service"), ("reactivate", "Reactivate the service")],
        required=True,
        default="suspend",
    )
    date = fields.Date(
        string="Suspend On",
        default=fields.Date.context_today,
        help="Today suspends at once; a later date is announced and applied by the daily job.",
    )
    reason = fields.Text(required=True)

    def action_apply(self):
        self.ensure_one()
        if self.mode == "suspend":
            self.partner_id.collections_suspend_service(self.reason, date=self.date)
        else:
            self.partner_id.collections_reactivate_service(self.reason)
        return {"type": "ir.actions.act_window_close"}
