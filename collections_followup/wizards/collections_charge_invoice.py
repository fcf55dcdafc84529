from odoo import fields, models
from odoo.tools.misc import format_date


class CollectionsChargeInvoice(models.TransientModel):
    """ "Invoice late charges to date": invoices what accrued on the chosen
    invoices or partners up to a date and was neither invoiced nor waived."""

    _name = "collections.charge.invoice"
    _description = "Invoice Late Charges"

    as_of = fields.Date(string="Charges Accrued Up To", required=True, default=fields.Date.context_today)
    partner_ids = fields.Many2many("res.partner", string="Customers")
    move_ids = fields.Many2many("account.move", string="Invoices")

    def action_invoice(self):
        """Create the charge invoices and open them (a notice when there is nothing to invoice)."""
        self.ensure_one()
        invoice_ids = []
        if self.move_ids:
            invoice_ids += self.move_ids.collections_invoice_late_charges(self.as_of)
        if self.partner_ids:
            invoice_ids += self.partner_ids.collections_invoice_late_charges(self.as_of)
        if not invoice_ids:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "info",
                    "title": self.env._("Nothing to invoice"),
                    "message": self.env._(
                        "No late charges accrued up to %(date)s that were not invoiced or waived yet "
                        "(or the policy does not invoice late charges).",
                        date=format_date(self.env, self.as_of),
                    ),
                    "next": {"type": "ir.actions.act_window_close"},
                },
            }
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_out_invoice_type")
        action["domain"] = [("id", "in", invoice_ids)]
        action["context"] = {"create": False}
        if len(invoice_ids) == 1:
            action.update(
                {
                    "res_id": invoice_ids[0],
                    "view_mode": "form",
                    "views": [(self.env.ref("account.view_move_form").id, "form")],
                }
            )
        return action
