from collections import defaultdict
from decimal import Decimal

from odoo import _, fields, models

from odoo.addons.collections_followup.lib import credit


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _collections_to_invoice_amounts(self, company, tree, owner, exclude_order_ids=()):
        """Confirmed sales not invoiced yet (taxes included), in company currency.

        Counts what is left after every invoice, draft ones included (the
        lines' ``qty_to_invoice``): a draft invoice made from an order is
        counted once, as a draft invoice. One query for all the partners.
        """
        amounts = super()._collections_to_invoice_amounts(company, tree, owner, exclude_order_ids)
        lines = self.env["sale.order.line"].sudo().search_fetch(
            [
                ("company_id", "=", company.id),
                ("state", "=", "sale"),
                ("order_partner_id", "in", tree.ids),
                ("display_type", "=", False),
                ("qty_to_invoice", ">", 0),
                ("order_id", "not in", list(exclude_order_ids)),
            ],
            ["order_partner_id", "qty_to_invoice", "price_total", "product_uom_qty", "currency_id"],
        )
        by_currency = defaultdict(Decimal)
        for line in lines:
            by_currency[owner[line.order_partner_id.id], line.currency_id] += credit.order_line_to_invoice(
                line.qty_to_invoice, line.price_total, line.product_uom_qty
            )
        today = fields.Date.context_today(self)
        for (commercial_id, currency), amount in by_currency.items():
            if currency != company.currency_id:
                amount = Decimal(repr(currency._convert(float(amount), company.currency_id, company, today)))
            amounts[commercial_id] = amounts.get(commercial_id, Decimal(0)) + amount
        return amounts

    def action_collections_orders_to_invoice(self):
        """Open the customer's confirmed orders with something left to invoice."""
        self.ensure_one()
        tree = self.sudo().with_context(active_test=False).search(
            [("id", "child_of", self.commercial_partner_id.ids)]
        )
        return {
            "type": "ir.actions.act_window",
            "name": _("Orders to Invoice"),
            "res_model": "sale.order",
            "view_mode": "list,form",
            "domain": [
                ("company_id", "=", self.env.company.id),
                ("state", "=", "sale"),
                ("partner_id", "in", tree.ids),
                ("order_line.qty_to_invoice", ">", 0),
            ],
            "context": {"create": False},
        }
