import logging

from odoo import api, fields, models

_logger = logging.getLogger(__name__)

MANAGER_GROUP = "collections_followup.group_collections_manager"


class SaleOrder(models.Model):
    """Confirming a quotation is refused while its customer is on credit hold
    (the order's amount counted as the document); the form shows the
    customer's available credit, overdue amount and hold reasons before.

    Online, the customer never sees the reasons: the portal shows a neutral
    message, signing is refused with it, and an order paid online while held
    stays a quotation (the payment is recorded) with an activity for the
    credit manager."""

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

    # --- portal ----------------------------------------------------------------

    def _collections_portal_on_hold(self):
        """True when the customer's credit would refuse this quotation now
        (what the portal may tell the customer, without the reasons)."""
        self.ensure_one()
        # sudo: the portal user reads no credit data; only the yes/no leaves
        return bool(self.sudo()._collections_blocked_documents())

    @api.model
    def _collections_portal_hold_message(self):
        return self.env._(
            "Your order needs approval by our credit department before it can be confirmed. "
            "We will contact you shortly."
        )

    def _collections_hold_paid_order(self, transaction):
        """The customer paid online but a credit hold refuses the order: keep
        it a quotation awaiting a release and ask the credit manager."""
        self.ensure_one()
        # sudo: called from the payment post-processing (public user); writes
        # only a note and an activity
        order = self.sudo()
        user = (
            order.company_id.collections_credit_reviewer_id
            or self.env["res.users"]
            .sudo()
            .search(
                [
                    ("groups_id", "in", self.env.ref(MANAGER_GROUP).id),
                    ("company_ids", "in", order.company_id.id),
                    ("share", "=", False),
                ],
                order="id",
                limit=1,
            )
            or order.user_id
        )
        note = self.env._(
            "Paid online (%(reference)s) but the customer is on credit hold: the payment is recorded "
            "and the order awaits a credit release before it can be confirmed.",
            reference=transaction.reference,
        )
        order.message_post(body=note)
        order.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=self.env._("Paid order awaiting credit release"),
            note=note,
            user_id=user.id or self.env.uid,
        )
        _logger.info(
            "Sale order %s paid online by %s held by credit control.", order.id, transaction.reference
        )
