from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.collections_followup.tests.common import CollectionsCommon
from odoo.addons.mail.tests.common import mail_new_test_user

ROLES = {
    "internal user": "base.group_user",
    "salesperson": "base.group_user,sales_team.group_sale_salesman",
    "collector": "base.group_user,collections_followup.group_collections_user",
    "collections manager": "base.group_user,collections_followup.group_collections_manager",
    "billing": "base.group_user,account.group_account_invoice",
    "accounting adviser": "base.group_user,account.group_account_manager",
}
ALL = frozenset(ROLES)
CREDIT_READERS = frozenset({"collector", "collections manager", "billing", "accounting adviser"})
SUMMARY_READERS = CREDIT_READERS | {"salesperson"}
CREDIT_MANAGERS = frozenset({"collections manager", "accounting adviser"})
NOBODY = frozenset()

# README "Roles": each credit operation and the roles allowed to do it.
MATRIX = {
    "read the exposure detail (open, drafts, orders, credits)": CREDIT_READERS,
    "read the credit settings (overrides, release date, rating)": CREDIT_READERS,
    "collections_credit_exposure()": CREDIT_READERS,
    "drill down to the open instalments": CREDIT_READERS,
    "read the applied limit, available credit, overdue amount, hold reasons": SUMMARY_READERS,
    "collections_credit_hold_reasons()": SUMMARY_READERS,
    "change a customer's credit settings (manual hold)": CREDIT_MANAGERS,
    "release a held quotation (wizard)": CREDIT_MANAGERS,
    "write the release fields of a document directly": NOBODY,
    "mark an invoice as a late-charge invoice": NOBODY,
}


@tagged("post_install", "-at_install")
class TestAccessMatrix(CollectionsCommon):
    """Every documented credit operation as every role: allowed or refused
    (AccessError) exactly as the README's roles table says."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        common = {"company_id": cls.company.id, "company_ids": [cls.company.id]}
        cls.users = {
            role: mail_new_test_user(
                cls.env, login="cf_matrix_%s" % role.replace(" ", "_"), groups=groups, **common
            )
            for role, groups in ROLES.items()
        }
        cls.customer = cls.env["res.partner"].create({"name": "Construtora Alicerce", "is_company": True})
        cls.customer.write({"credit_hold_manual": True, "credit_hold_manual_reason": "Protest"})
        cls.product = cls.env["product.product"].create(
            {"name": "Cimento", "type": "consu", "list_price": 100.0, "taxes_id": []}
        )

    def _quotation(self):
        return self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.product.id,
                            "product_uom_qty": 1,
                            "price_unit": 100.0,
                            "tax_id": [],
                        }
                    )
                ],
            }
        )

    def _operation(self, name, user):
        partner = self.customer.with_user(user)
        if name.startswith("read the exposure"):
            partner.read(
                [
                    "collections_exposure_open",
                    "collections_exposure_draft",
                    "collections_exposure_to_invoice",
                    "collections_exposure_credits",
                    "collections_exposure",
                ]
            )
        elif name.startswith("read the credit settings"):
            partner.read(
                ["credit_hold_limit_mode", "credit_release_until", "credit_rating", "credit_review_notes"]
            )
        elif name == "collections_credit_exposure()":
            partner.collections_credit_exposure()
        elif name.startswith("drill down"):
            partner.action_collections_open_receivables()
        elif name.startswith("read the applied limit"):
            values = partner.read(
                [
                    "collections_credit_limit_applied",
                    "collections_available_credit",
                    "collections_overdue_amount",
                    "collections_credit_hold_text",
                ]
            )[0]
            self.assertIn("Protest", values["collections_credit_hold_text"])
        elif name == "collections_credit_hold_reasons()":
            self.assertEqual(partner.collections_credit_hold_reasons(10.0)[0]["code"], "manual")
        elif name.startswith("change a customer"):
            partner.write({"credit_hold_manual_reason": "Changed by %s" % user.login})
        elif name.startswith("release a held quotation"):
            order = self._quotation()
            wizard = (
                self.env["collections.credit.release"]
                .with_user(user)
                .create({"res_model": "sale.order", "res_id": order.id, "reason": "Agreed"})
            )
            wizard.action_release()
            self.assertEqual(order.collections_credit_released_by_id, user)
        elif name.startswith("write the release fields"):
            order = self._quotation()
            order.with_user(user).write(
                {
                    "collections_credit_released_by_id": user.id,
                    "collections_credit_release_amount": 1e9,
                    "collections_credit_release_partner_id": self.customer.id,
                    "collections_credit_release_company_id": self.company.id,
                }
            )
        elif name.startswith("mark an invoice"):
            invoice = self.env["account.move"].create(
                {"move_type": "out_invoice", "partner_id": self.customer.id}
            )
            invoice.with_user(user).write({"collections_is_charge_invoice": True})
        else:
            raise AssertionError(name)

    def test_access_matrix(self):
        for operation, allowed in MATRIX.items():
            for role, user in self.users.items():
                with (
                    self.subTest(operation=operation, role=role),
                    self.env.cr.savepoint(flush=False) as savepoint,
                ):
                    if role in allowed:
                        self._operation(operation, user)
                    else:
                        with self.assertRaises(AccessError):
                            self._operation(operation, user)
                    savepoint.rollback()
                    self.env.invalidate_all()
