from odoo import models


class PaymentTransaction(models.Model):
    """A successful online payment is never lost to a credit hold: the order
    of a held customer is not confirmed (no error), the payment goes on to be
    recorded, and the credit manager gets an activity."""

    _inherit = "payment.transaction"

    def _check_amount_and_confirm_order(self):
        held = self.env["sale.order"]
        for tx in self:
            if len(tx.sale_order_ids) != 1:
                continue
            quotation = tx.sale_order_ids.filtered(lambda order: order.state in ("draft", "sent"))
            if (
                quotation
                and quotation._is_confirmation_amount_reached()
                and quotation._collections_portal_on_hold()
            ):
                quotation._collections_hold_paid_order(tx)
                held |= quotation
        passing = self.filtered(lambda tx: not (tx.sale_order_ids & held))
        return super(PaymentTransaction, passing)._check_amount_and_confirm_order()
