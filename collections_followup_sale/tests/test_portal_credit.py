from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.account_payment.tests.common import AccountPaymentCommon
from odoo.addons.payment.tests.http_common import PaymentHttpCommon
from odoo.addons.sale.tests.common import SaleCommon

HOLD_REASON = "Cheque devolvido - interno"


@tagged("post_install", "-at_install")
class TestPortalCredit(AccountPaymentCommon, SaleCommon, PaymentHttpCommon):
    """A held customer online: a neutral message, never the internal reasons;
    a payment made while held is recorded and the order awaits a release."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.currency = cls.sale_order.currency_id
        cls.partner = cls.sale_order.partner_invoice_id
        cls.provider.journal_id.inbound_payment_method_line_ids.filtered(
            lambda line: line.payment_provider_id == cls.provider
        ).payment_account_id = cls.inbound_payment_method_line.payment_account_id
        cls.customer = cls.sale_order.partner_id.commercial_partner_id
        cls.customer.with_company(cls.sale_order.company_id).write(
            {"credit_hold_manual": True, "credit_hold_manual_reason": HOLD_REASON}
        )

    def test_portal_page_shows_a_neutral_message_only(self):
        self.sale_order.action_quotation_sent()
        response = self.url_open(self.sale_order.get_portal_url())
        self.assertEqual(response.status_code, 200)
        self.assertIn("needs approval by our credit department", response.text)
        self.assertNotIn(HOLD_REASON, response.text)
        self.assertNotIn("Collections Manager", response.text)

    def test_signing_is_refused_with_the_neutral_message_and_nothing_saved(self):
        self.sale_order.write({"require_signature": True, "require_payment": False})
        self.sale_order.action_quotation_sent()
        result = self.make_jsonrpc_request(
            self.sale_order.get_portal_url(suffix="/accept"),
            {
                "access_token": self.sale_order.access_token,
                "name": "Cliente",
                "signature": "R0lGODlhAQABAAAAACw=",
            },
        )
        self.assertIn("needs approval by our credit department", result["error"])
        self.assertNotIn(HOLD_REASON, result["error"])
        self.assertFalse(self.sale_order.signature)
        self.assertEqual(self.sale_order.state, "sent")

    def test_payment_while_held_is_recorded_and_the_order_awaits_a_release(self):
        self.amount = self.sale_order.amount_total
        tx = self._create_transaction(flow="redirect", sale_order_ids=[self.sale_order.id], state="done")
        with mute_logger("odoo.addons.sale.models.payment_transaction"):
            tx._post_process()
        self.assertEqual(self.sale_order.state, "draft")
        self.assertTrue(tx.payment_id, "the payment is recorded in accounting")
        self.assertEqual(tx.payment_id.amount, self.sale_order.amount_total)
        activity = self.sale_order.activity_ids.filtered(
            lambda act: act.summary == "Paid order awaiting credit release"
        )
        self.assertEqual(len(activity), 1)
        self.assertIn(tx.reference, self.sale_order.message_ids[0].body + (activity.note or ""))
        # once released, the order confirms
        self.sale_order._collections_release_credit("Paid in advance")
        self.sale_order.action_confirm()
        self.assertEqual(self.sale_order.state, "sale")

    def test_payment_without_hold_confirms_as_before(self):
        self.customer.with_company(self.sale_order.company_id).credit_hold_manual = False
        self.amount = self.sale_order.amount_total
        tx = self._create_transaction(flow="redirect", sale_order_ids=[self.sale_order.id], state="done")
        tx._post_process()
        self.assertEqual(self.sale_order.state, "sale")
        self.assertTrue(tx.payment_id)
