"""Browser tour (Chromium) of a Portuguese-speaking salesperson confirming the
quotation of a customer on credit hold; the data is made here."""

from odoo import Command
from odoo.tests import HttpCase, tagged

from odoo.addons.collections_followup.tests.common import CollectionsCommon
from odoo.addons.collections_followup.tests.test_tours import load_portuguese
from odoo.addons.mail.tests.common import mail_new_test_user


@tagged("post_install", "-at_install")
class TestSalespersonTour(CollectionsCommon, HttpCase):
    @classmethod
    def setup_independent_company(cls, **kwargs):
        # a company in reais (without l10n_br)
        return super().setup_independent_company(currency_id=cls._enable_currency("BRL").id, **kwargs)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        load_portuguese(
            cls.env,
            [
                "base",
                "web",
                "mail",
                "account",
                "sale",
                "sales_team",
                "collections_followup",
                "collections_followup_sale",
            ],
        )
        cls.company = cls.company_data["company"]
        cls.vendedor = mail_new_test_user(
            cls.env,
            login="cf_tour_vendedor",
            name="Vendedor Tour",
            groups="base.group_user,sales_team.group_sale_salesman",
            company_id=cls.company.id,
            company_ids=[cls.company.id],
            lang="pt_BR",
        )
        cls.customer = cls.env["res.partner"].create({"name": "Construtora Alicerce", "is_company": True})
        cls.customer.write(
            {
                "credit_limit": 10000.0,
                "credit_hold_manual": True,
                "credit_hold_manual_reason": "Cheque devolvido",
            }
        )
        product = cls.env["product.product"].create(
            {"name": "Cimento", "type": "consu", "list_price": 16000.0, "taxes_id": []}
        )
        cls.order = (
            cls.env["sale.order"]
            .with_company(cls.company)
            .create(
                {
                    "partner_id": cls.customer.id,
                    "company_id": cls.company.id,
                    "user_id": cls.vendedor.id,
                    "order_line": [
                        Command.create(
                            {"product_id": product.id, "product_uom_qty": 1, "price_unit": 16000.0}
                        )
                    ],
                }
            )
        )

    def test_salesperson_cannot_confirm_an_order_on_hold(self):
        self.assertEqual(self.company.currency_id.name, "BRL")
        self.assertTrue(self.order.collections_credit_blocked)
        self.start_tour(
            "/odoo/action-sale.action_quotations_with_onboarding",
            "collections_salesperson_hold",
            login=self.vendedor.login,
            timeout=120,
        )
        self.assertEqual(self.order.state, "draft")
        self.assertFalse(self.order.collections_credit_released_by_id)
