from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from odoo.addons.collections_followup.tests.common import CollectionsCommon
from odoo.addons.mail.tests.common import mail_new_test_user

TODAY = date(2025, 3, 20)  # a Thursday


@tagged("post_install", "-at_install")
class TestSaleCredit(CollectionsCommon):
    """Quotations: credit shown before confirming, confirmation blocked on hold."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.company.collections_hold_on_overdue = True  # the opt-in rule is exercised here
        common = {"company_id": cls.company.id, "company_ids": [cls.company.id]}
        cls.salesperson = mail_new_test_user(
            cls.env, login="cf_salesperson", groups="base.group_user,sales_team.group_sale_salesman", **common
        )
        cls.credit_manager = mail_new_test_user(
            cls.env,
            login="cf_sale_credit_manager",
            groups="base.group_user,sales_team.group_sale_manager,account.group_account_invoice,"
            "collections_followup.group_collections_manager",
            **common,
        )
        cls.customer = cls.env["res.partner"].create({"name": "Construtora Alicerce", "is_company": True})
        cls.customer.credit_limit = 1000.0
        cls.product = cls.env["product.product"].create(
            {
                "name": "Cimento",
                "type": "consu",
                "invoice_policy": "order",
                "list_price": 100.0,
                "taxes_id": [],
            }
        )

    def _order(self, amount, partner=None, user=None, company=None):
        company = company or self.company
        Order = self.env["sale.order"].with_company(company)
        if user:
            Order = Order.with_user(user)
        return Order.create(
            {
                "partner_id": (partner or self.customer).id,
                "company_id": company.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.product.id,
                            "product_uom_qty": 1,
                            "price_unit": amount,
                            "tax_id": [],
                        }
                    )
                ],
            }
        )

    def _invoice(self, partner, amount, due_date):
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": due_date - timedelta(days=30),
                "invoice_date_due": due_date,
                "invoice_line_ids": [Command.create({"name": "Old", "price_unit": amount, "tax_ids": []})],
            }
        )
        move.action_post()
        return move

    @freeze_time(TODAY)
    def test_order_at_and_below_the_limit_confirms_above_is_refused(self):
        self._invoice(self.customer, 600.0, TODAY + timedelta(days=10))
        at_limit = self._order(400.0, user=self.salesperson)
        self.assertEqual(at_limit.collections_available_credit, 400.0)
        self.assertFalse(at_limit.collections_credit_blocked)
        at_limit.action_confirm()
        self.assertEqual(at_limit.state, "sale")
        # the confirmed order is now exposure: 600 open + 400 to invoice
        exposure = self.customer.collections_credit_exposure()
        self.assertEqual(exposure["to_invoice"], 400.0)
        self.assertEqual(exposure["available_credit"], 0.0)
        above = self._order(0.01, user=self.salesperson)
        self.assertTrue(above.collections_credit_blocked)
        self.assertIn("Credit limit exceeded", above.collections_credit_hold_message)
        with self.assertRaises(UserError) as caught:
            above.with_user(self.salesperson).action_confirm()
        self.assertIn("Credit limit exceeded", str(caught.exception))
        self.assertIn("1,000.00", str(caught.exception))
        self.assertEqual(above.state, "draft")

    @freeze_time(TODAY)
    def test_just_below_the_limit_confirms(self):
        order = self._order(999.99, user=self.salesperson)
        order.with_user(self.salesperson).action_confirm()
        self.assertEqual(order.state, "sale")

    @freeze_time(TODAY)
    def test_invoice_of_a_confirmed_order_is_counted_once(self):
        order = self._order(800.0)
        order.action_confirm()
        invoice = order._create_invoices()
        exposure = self.customer.collections_credit_exposure()
        self.assertEqual((exposure["draft_invoices"], exposure["to_invoice"]), (800.0, 0.0))
        invoice.action_post()  # 0 + 800 <= 1000: the order is not counted on top
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(self.customer.collections_credit_exposure()["exposure"], 800.0)

    def test_overdue_n_days_passes_n_plus_one_blocks(self):
        with freeze_time(TODAY):
            self._invoice(self.customer, 100.0, TODAY - timedelta(days=15))
            order = self._order(10.0)
            self.assertEqual(order.collections_overdue_amount, 100.0)
            order.action_confirm()
        with freeze_time(TODAY + timedelta(days=1)):
            order = self._order(10.0, user=self.salesperson)
            self.assertIn("16 days late", order.collections_credit_hold_message)
            with self.assertRaisesRegex(UserError, "Overdue invoices"):
                order.with_user(self.salesperson).action_confirm()

    @freeze_time(TODAY)
    def test_manual_hold_and_suspension_block_confirmation(self):
        self.customer.write({"credit_hold_manual": True, "credit_hold_manual_reason": "Protested bill"})
        with self.assertRaisesRegex(UserError, "Protested bill"):
            self._order(10.0).action_confirm()
        self.customer.write({"credit_hold_manual": False, "service_suspended_date": TODAY})
        with self.assertRaisesRegex(UserError, "suspended since"):
            self._order(10.0).action_confirm()

    @freeze_time(TODAY)
    def test_manager_suspension_blocks_until_reactivated(self):
        self.customer.with_user(self.collections_manager).collections_suspend_service("Equipment removed")
        with self.assertRaisesRegex(UserError, "suspended since.*Equipment removed"):
            self._order(10.0).action_confirm()
        self.customer.with_user(self.collections_manager).collections_reactivate_service("Paid in cash")
        order = self._order(10.0)
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    @freeze_time(TODAY)
    def test_dunning_hold_blocks_confirmation(self):
        self.customer.credit_hold_level_id = self.policy.level_ids[0]
        with self.assertRaisesRegex(UserError, "dunning level"):
            self._order(10.0).action_confirm()

    @freeze_time(TODAY)
    def test_salesperson_sees_credit_but_cannot_change_it_nor_override(self):
        self.customer.credit_hold_manual = True
        order = self._order(10.0, user=self.salesperson)
        self.assertTrue(order.collections_credit_blocked)
        self.assertIn("manual hold", order.collections_credit_hold_message)
        partner = self.customer.with_user(self.salesperson)
        self.assertEqual(partner.collections_available_credit, 1000.0)
        self.assertEqual(partner.collections_credit_hold_reasons()[0]["code"], "manual")
        with self.assertRaises(AccessError):
            partner.write({"credit_limit": 5000.0})
        with self.assertRaises(AccessError):
            order.action_collections_release_credit()
        with self.assertRaises(AccessError):
            self.env["collections.credit.release"].with_user(self.salesperson).create(
                {"res_model": "sale.order", "res_id": order.id, "reason": "Good client"}
            )
        self.assertEqual(self.customer.credit_limit, 1000.0)

    @freeze_time(TODAY)
    def test_manager_releases_one_order(self):
        self.customer.credit_hold_manual = True
        order = self._order(10.0, user=self.salesperson)
        action = order.with_user(self.credit_manager).action_collections_release_credit()
        wizard = (
            self.env["collections.credit.release"]
            .with_user(self.credit_manager)
            .with_context(**action["context"])
            .create({"reason": "Paid in cash at the counter"})
        )
        wizard.action_release()
        self.assertEqual(order.collections_credit_released_by_id, self.credit_manager)
        self.assertIn("Paid in cash at the counter", order.message_ids[0].body)
        self.assertIn("Paid in cash at the counter", self.customer.message_ids[0].body)
        order.with_user(self.salesperson).action_confirm()
        self.assertEqual(order.state, "sale")
        with self.assertRaises(UserError):
            self._order(10.0).action_confirm()

    @freeze_time(TODAY)
    def test_hold_in_one_company_does_not_block_another(self):
        other = self.setup_other_company(name="Filial Norte")["company"]
        self.env.user.company_ids |= other
        self.customer.credit_hold_manual = True
        order = self._order(5000.0, company=other)
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(self.customer.collections_credit_exposure(company_id=other.id)["to_invoice"], 5000.0)
        self.assertEqual(self.customer.collections_credit_exposure()["to_invoice"], 0.0)

    @freeze_time(TODAY)
    def test_drill_down_to_orders_to_invoice(self):
        order = self._order(300.0)
        order.action_confirm()
        self._order(50.0)  # a quotation is no exposure
        action = self.customer.action_collections_orders_to_invoice()
        self.assertEqual(self.env["sale.order"].search(action["domain"]), order)

    @freeze_time(TODAY)
    def test_banner_while_typing_a_new_quotation(self):
        self.customer.credit_hold_manual = True
        form = Form(self.env["sale.order"].with_user(self.salesperson))
        form.partner_id = self.customer
        self.assertTrue(form.collections_credit_checked)
        self.assertTrue(form.collections_credit_blocked)
        self.assertEqual(form.collections_available_credit, 1000.0)
        self.assertIn("manual hold", form.collections_credit_hold_message)

    def test_order_form_shows_the_banner_to_salespeople_without_the_release_button(self):
        arch = (
            self.env["sale.order"]
            .with_user(self.salesperson)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertIn("collections_available_credit", arch)
        self.assertIn("collections_credit_hold_message", arch)
        self.assertNotIn("action_collections_release_credit", arch)
        arch = (
            self.env["res.partner"]
            .with_user(self.salesperson)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertIn("collections_available_credit", arch)
