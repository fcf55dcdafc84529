from odoo import api, fields, models


class SaleOrder(models.Model):
    """Confirming a quotation is refused while its customer is on credit hold
    (the order's amount counted as the document); the form shows the
    customer's available credit, overdue amount and hold reasons before."""

    _name = "sale.order"
    _inherit = ["sale.order", "collections.credit.document"]

    def _collections_credit_candidates(self, soft=False):
        return self.filtered(lambda order: order.state in ("draft", "sent"))

    def _collections_credit_amount(self):
        self.ensure_one()
        company = self.company_id
        day = self.date_order and self.date_order.date() or fields.Date.context_today(self)
        return self.currency_id._convert(self.amount_total, company.currency_id, company, day)

    def _collections_credit_exclusions(self, documents):
        return {"exclude_order_ids": documents._origin.ids}

    @api.depends("partner_id", "company_id", "state", "amount_total", "currency_id")
    def _compute_collections_credit_check(self):
        return super()._compute_collections_credit_check()

    def action_confirm(self):
        self._collections_check_credit()
        return super().action_confirm()
