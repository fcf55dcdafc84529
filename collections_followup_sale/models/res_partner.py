from collections import defaultdict
from decimal import Decimal

from odoo import fields, models
from odoo.tools import SQL

from odoo.addons.collections_followup.lib import credit
from odoo.addons.collections_followup.models.res_partner import CREDIT_READ_GROUPS

# README, Roles: salespeople read the applied limit, the available credit, the
# overdue amount and the hold reasons (not the exposure detail nor settings).
SUMMARY_GROUPS = CREDIT_READ_GROUPS + ",sales_team.group_sale_salesman"


class ResPartner(models.Model):
    _inherit = "res.partner"

    collections_credit_limit_applied = fields.Monetary(groups=SUMMARY_GROUPS)
    collections_has_credit_limit = fields.Boolean(groups=SUMMARY_GROUPS)
    collections_available_credit = fields.Monetary(groups=SUMMARY_GROUPS)
    collections_overdue_amount = fields.Monetary(groups=SUMMARY_GROUPS)
    collections_credit_hold_text = fields.Text(groups=SUMMARY_GROUPS)
    collections_on_credit_hold = fields.Boolean(groups=SUMMARY_GROUPS)

    def _collections_credit_read_groups(self, summary=False):
        return SUMMARY_GROUPS if summary else super()._collections_credit_read_groups(summary=summary)

    def _collections_to_invoice_amounts(self, company, exclude_order_ids=()):
        """Confirmed sales not invoiced yet (taxes included), in company currency.

        Counts what is left after every invoice, draft ones included (the
        lines' ``qty_to_invoice``): a draft invoice made from an order is
        counted once, as a draft invoice. One query for all the partners.
        """
        amounts = super()._collections_to_invoice_amounts(company, exclude_order_ids)
        self.env["sale.order.line"].flush_model(
            [
                "company_id",
                "state",
                "order_partner_id",
                "display_type",
                "qty_to_invoice",
                "price_total",
                "product_uom_qty",
                "currency_id",
                "order_id",
            ]
        )
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        self.env.cr.execute(
            SQL(
                """
            SELECT partner.commercial_partner_id, line.currency_id,
                   line.qty_to_invoice, line.price_total, line.product_uom_qty
              FROM sale_order_line line
              JOIN res_partner partner ON partner.id = line.order_partner_id
             WHERE line.company_id = %(company)s
               AND line.state = 'sale'
               AND partner.commercial_partner_id = ANY(%(partners)s)
               AND line.display_type IS NULL
               AND line.qty_to_invoice > 0
               AND line.order_id != ALL(%(excluded)s)
            """,
                company=company.id,
                partners=self.ids,
                excluded=list(exclude_order_ids),
            )
        )
        by_currency = defaultdict(Decimal)
        for commercial_id, currency_id, qty_to_invoice, price_total, ordered_qty in self.env.cr.fetchall():
            by_currency[commercial_id, currency_id] += credit.order_line_to_invoice(
                qty_to_invoice, price_total or 0.0, ordered_qty or 0.0
            )
        today = fields.Date.context_today(self)
        for (commercial_id, currency_id), amount in by_currency.items():
            currency = self.env["res.currency"].browse(currency_id)
            if currency != company.currency_id:
                amount = Decimal(repr(currency._convert(float(amount), company.currency_id, company, today)))
            amounts[commercial_id] = amounts.get(commercial_id, Decimal(0)) + amount
        return amounts

    def action_collections_orders_to_invoice(self):
        """Open the customer's confirmed orders with something left to invoice."""
        self.ensure_one()
        self._collections_check_credit_access()
        tree = self._collections_contact_tree()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Orders to Invoice"),
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
