from odoo import _, fields, models
from odoo.exceptions import UserError


class CollectionsPostponeWizard(models.TransientModel):
    """Leave customers alone until a date: the run skips them until then."""

    _name = "collections.postpone.wizard"
    _description = "Postpone Follow-up"

    partner_ids = fields.Many2many("res.partner", string="Customers", required=True)
    date = fields.Date(string="Postpone Until", required=True)
    reason = fields.Char()

    def action_postpone(self):
        self.ensure_one()
        if self.date <= fields.Date.context_today(self):
            raise UserError(_("Postpone to a date in the future."))
        partners = self.partner_ids.commercial_partner_id
        partners.sudo().write({"collections_next_action_date": self.date})
        planned = self.env["collections.followup.action"].sudo().search([
            ("partner_id", "in", partners.ids), ("state", "=", "planned"),
            ("company_id", "=", self.env.company.id),
        ])
        planned.write({"state": "cancelled", "failure_reason": _("Postponed until %(date)s.", date=self.date)})
        for partner in partners:
            partner.sudo().message_post(
                body=_("Follow-up postponed until %(date)s. %(reason)s", date=self.date, reason=self.reason or ""),
                subtype_xmlid="mail.mt_note",
            )
        return {"type": "ir.actions.act_window_close"}
