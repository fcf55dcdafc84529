from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.collections_followup.tests.common import CollectionsCommon
from odoo.addons.mail.tests.common import mail_new_test_user

TODAY = date(2025, 3, 20)


@tagged("post_install", "-at_install")
class TestSaleTrust(CollectionsCommon):
    """A salesperson cannot release their own quotation; a release follows
    the quotation's customer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        common = {"company_id": cls.company.id, "company_ids": [cls.company.id]}
        cls.salesperson = mail_new_test_user(
            cls.env,
            login="cf_trust_salesperson",
            groups="base.group_user,sales_team.group_sale_salesman",
            **common,
        )
        cls.customer = cls.env["res.partner"].create({"name": "Construtora Alicerce", "is_company": True})
        cls.customer.credit_limit = 1000.0
        cls.suspended = cls.env["res.partner"].create({"name": "Obra Parada", "is_company": True})
        cls.suspended.write(
            {
                "service_suspended_date": TODAY,
                "service_suspension_reason": "Protest",
                "credit_hold_manual": True,
                "credit_hold_manual_reason": "Protest",
            }
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Cimento", "type": "consu", "list_price": 100.0, "taxes_id": []}
        )

    def _order(self, amount, user):
        return (
            self.env["sale.order"]
            .with_user(user)
            .create(
                {
                    "partner_id": self.customer.id,
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
        )

    @freeze_time(TODAY)
    def test_salesperson_cannot_release_their_own_quotation(self):
        order = self._order(5000.0, self.salesperson)
        with self.assertRaises(AccessError):
            order.write(
                {
                    "collections_credit_released_by_id": self.salesperson.id,
                    "collections_credit_release_amount": 1e9,
                }
            )
        with self.assertRaises(AccessError):
            self.env["sale.order"].with_user(self.salesperson).create(
                {
                    "partner_id": self.customer.id,
                    "collections_credit_release_amount": 1e9,
                }
            )
        with self.assertRaisesRegex(UserError, "Credit limit exceeded"):
            order.action_confirm()
        self.assertEqual(order.state, "draft")

    @freeze_time(TODAY)
    def test_released_quotation_moved_to_another_customer_is_held_again(self):
        order = self._order(5000.0, self.salesperson)
        order.with_user(self.collections_manager)._collections_release_credit("Agreed with the director")
        order.partner_id = self.suspended
        with self.assertRaisesRegex(UserError, "Protest"):
            order.action_confirm()
        self.assertEqual(order.state, "draft")

    @freeze_time(TODAY)
    def test_salesperson_reads_the_summary_not_the_exposure(self):
        partner = self.customer.with_user(self.salesperson)
        values = partner.read(["collections_available_credit", "collections_credit_limit_applied"])[0]
        self.assertEqual(values["collections_credit_limit_applied"], 1000.0)
        self.assertEqual(partner.collections_credit_hold_reasons(1000.01)[0]["code"], "credit_limit")
        with self.assertRaises(AccessError):
            partner.read(["collections_exposure_open"])
        with self.assertRaises(AccessError):
            partner.collections_credit_exposure()
