from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import CollectionsCommon

TODAY = date(2025, 3, 20)  # a Thursday
INJECTION = "<img src=x onerror=alert(1)>"


@tagged("post_install", "-at_install")
class TestCreditTrust(CollectionsCommon):
    """Issue 12, credit part: unforgeable releases, credit data only for the
    credit readers, clean errors, partnerless and 0.00 documents, reviews per
    company, no HTML injection."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        common = {"company_id": cls.company.id, "company_ids": [cls.company.id]}
        cls.credit_manager = mail_new_test_user(
            cls.env,
            login="cf_trust_manager",
            groups="base.group_user,account.group_account_invoice,collections_followup.group_collections_manager",
            **common,
        )
        cls.customer = cls.env["res.partner"].create({"name": "Padaria Pão Quente", "is_company": True})
        cls.customer.credit_limit = 1000.0
        cls.other_customer = cls.env["res.partner"].create({"name": "Mercado Central", "is_company": True})

    def _draft(self, amount, partner=None, move_type="out_invoice"):
        return self.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": (partner or self.customer).id,
                "invoice_date": TODAY,
                "invoice_line_ids": [
                    Command.create({"name": "Service", "quantity": 1, "price_unit": amount, "tax_ids": []})
                ],
            }
        )

    # --- 1. releases and the charge-invoice mark are unforgeable -------------

    @freeze_time(TODAY)
    def test_billing_user_cannot_forge_a_release_nor_the_charge_mark(self):
        invoice = self._draft(5000.0)
        forged = {
            "collections_credit_released_by_id": self.billing_user.id,
            "collections_credit_release_amount": 1e9,
            "collections_credit_release_partner_id": self.customer.id,
            "collections_credit_release_company_id": self.company.id,
        }
        for user in (self.billing_user, self.credit_manager):
            with self.assertRaisesRegex(AccessError, "Release Credit Hold wizard"):
                invoice.with_user(user).write(forged)
            with self.assertRaisesRegex(AccessError, "late-charge invoicing"):
                invoice.with_user(user).write({"collections_is_charge_invoice": True})
        with self.assertRaises(AccessError):
            self.env["account.move"].with_user(self.billing_user).create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.customer.id,
                    "collections_is_charge_invoice": True,
                }
            )
        # a default in the context is a value too
        with self.assertRaises(AccessError):
            self.env["account.move"].with_user(self.billing_user).with_context(
                default_collections_credit_released_by_id=self.billing_user.id
            ).create({"move_type": "out_invoice", "partner_id": self.customer.id})
        self.assertFalse(invoice.collections_credit_released_by_id)
        self.assertFalse(invoice.collections_is_charge_invoice)
        with self.assertRaisesRegex(UserError, "Credit limit exceeded"):
            invoice.with_user(self.billing_user).action_post()

    @freeze_time(TODAY)
    def test_release_is_void_once_the_customer_changes(self):
        self.other_customer.write(
            {"credit_hold_manual": True, "credit_hold_manual_reason": "Cheque returned"}
        )
        invoice = self._draft(5000.0)
        invoice.with_user(self.credit_manager)._collections_release_credit("Big order agreed")
        self.assertEqual(invoice.collections_credit_release_partner_id, self.customer)
        self.assertEqual(invoice.collections_credit_release_company_id, self.company)
        invoice.partner_id = self.other_customer
        with self.assertRaisesRegex(UserError, "Cheque returned"):
            invoice.action_post()
        self.assertEqual(invoice.state, "draft")
        invoice.partner_id = self.customer  # back to the released customer and amount
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")

    def test_contact_holding_an_exemption_cannot_be_detached_by_a_non_manager(self):
        editor = mail_new_test_user(
            self.env,
            login="cf_trust_editor",
            groups="base.group_user,base.group_partner_manager",
            company_id=self.company.id,
            company_ids=[self.company.id],
        )
        contact = self.env["res.partner"].create({"name": "Filial", "parent_id": self.customer.id})
        contact.credit_hold_limit_mode = "never"  # a contact's setting is not read
        with self.assertRaisesRegex(AccessError, "Only a Collections Manager"):
            contact.with_user(editor).write({"parent_id": False})
        contact.with_user(self.collections_manager).write({"parent_id": False})
        self.assertFalse(contact.parent_id)

    # --- 2. credit data only for the credit readers ----------------------------

    def test_plain_user_reads_no_credit(self):
        partner = self.customer.with_user(self.plain_user)
        for field_name in (
            "collections_exposure",
            "collections_available_credit",
            "collections_credit_limit_applied",
            "collections_overdue_amount",
            "collections_credit_hold_text",
            "credit_release_until",
            "credit_rating",
        ):
            with self.assertRaises(AccessError, msg=field_name):
                partner.read([field_name])
        with self.assertRaises(AccessError):
            partner.collections_credit_exposure()
        with self.assertRaises(AccessError):
            partner.collections_credit_hold_reasons(100.0)
        with self.assertRaises(AccessError):
            partner.action_collections_open_receivables()
        # the collector reads them
        values = self.customer.with_user(self.collector).read(["collections_exposure", "credit_rating"])
        self.assertIn("collections_exposure", values[0])
        self.assertEqual(
            self.customer.with_user(self.collector).collections_credit_exposure()["credit_limit"], 1000.0
        )

    def test_bad_inputs_are_clean_errors(self):
        partner = self.customer.with_user(self.collector)
        for amount in (
            "NaN",
            "Infinity",
            "-inf",
            "abc",
            True,
            [1],
            {"a": 1},
            float("nan"),
            float("inf"),
            1e308,
        ):
            with self.assertRaisesRegex(UserError, "document amount", msg=repr(amount)):
                partner.collections_credit_hold_reasons(amount)
        for company_id in ("abc", True, -1, 1.5, [1], "1"):
            with self.assertRaises(ValidationError, msg=repr(company_id)):
                partner.collections_credit_hold_reasons(10.0, company_id=company_id)
            with self.assertRaises(ValidationError, msg=repr(company_id)):
                partner.collections_credit_exposure(company_id=company_id)
        other = self.setup_other_company(name="Filial Norte")["company"]
        for company_id in (999999, other.id):
            with self.assertRaisesRegex(AccessError, "not allowed to see the credit of this company"):
                partner.collections_credit_hold_reasons(10.0, company_id=company_id)
        for partners in (self.env["res.partner"], self.customer | self.other_customer):
            with self.assertRaisesRegex(UserError, "exactly one customer"):
                partners.with_user(self.collector).collections_credit_hold_reasons(10.0)
        # numbers written as text are still numbers
        self.assertEqual(partner.collections_credit_hold_reasons("1000.01")[0]["code"], "credit_limit")

    # --- 4. the credit check never raises anything but its UserError ----------

    @freeze_time(TODAY)
    def test_zero_documents_pass_a_manual_hold_and_the_limit(self):
        self.customer.write(
            {
                "credit_hold_manual": True,
                "credit_hold_manual_reason": "Protest",
                "credit_limit": 0.0,
                "use_partner_credit_limit": True,
            }
        )
        zero = self._draft(0.0)
        zero.action_post()
        self.assertEqual(zero.state, "posted")
        with self.assertRaisesRegex(UserError, "Protest"):
            self._draft(0.01).action_post()

    @freeze_time(TODAY)
    def test_auto_post_cron_posts_partnerless_and_held_moves_do_not_stop_it(self):
        self.customer.write({"credit_hold_manual": True, "credit_hold_manual_reason": "Protest"})
        held = self._draft(100.0)
        free = self._draft(100.0, partner=self.other_customer)
        journal_entry = self.env["account.move"].create(
            {
                "move_type": "entry",
                "date": TODAY,
                "line_ids": [
                    Command.create(
                        {
                            "name": "D",
                            "account_id": self.company_data["default_account_revenue"].id,
                            "debit": 10.0,
                        }
                    ),
                    Command.create(
                        {
                            "name": "C",
                            "account_id": self.company_data["default_account_expense"].id,
                            "credit": 10.0,
                        }
                    ),
                ],
            }
        )
        partnerless = self.env["account.move"].create({"move_type": "out_invoice", "invoice_date": TODAY})
        # the credit check itself never fails on a document it cannot judge
        partnerless._collections_check_credit()
        (held | free | journal_entry).write({"auto_post": "at_date", "checked": True})
        self.env["account.move"]._autopost_draft_entries()
        self.assertEqual(free.state, "posted")
        self.assertEqual(journal_entry.state, "posted")
        self.assertEqual(held.state, "draft")
        self.assertIn("Protest", held.message_ids[0].body)

    # --- 5. credit reviews per customer and company ---------------------------

    def test_review_cron_schedules_one_activity_per_company(self):
        company_b = self.setup_other_company(name="Filial Leste")["company"]
        self.customer.with_company(self.company).write(
            {"credit_review_next_date": TODAY, "collections_responsible_id": self.collector.id}
        )
        self.customer.with_company(company_b).write(
            {"credit_review_next_date": TODAY, "collections_responsible_id": self.collector.id}
        )
        review_type = self.env.ref("collections_followup.mail_activity_type_credit_review")
        Partner = self.env["res.partner"]
        Partner._cron_collections_credit_review(as_of=TODAY)
        Partner._cron_collections_credit_review(as_of=TODAY)  # idempotent
        activities = self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "=", self.customer.id),
                ("activity_type_id", "=", review_type.id),
            ]
        )
        self.assertEqual(len(activities), 2)
        self.assertEqual(activities.collections_company_id, self.company | company_b)

    # --- 3. HTML built from user data is escaped --------------------------------

    def test_process_preview_escapes_customer_and_level_names(self):
        customer = self.env["res.partner"].create({"name": INJECTION, "is_company": True})
        policy = self.env["collections.policy"].create({"name": "Régua", "company_id": self.company.id})
        level = self.env["collections.level"].create(
            {
                "name": "<script>alert(2)</script>",
                "policy_id": policy.id,
                "days": 5,
                "create_activity": True,
                "activity_type_id": self.env.ref("mail.mail_activity_data_todo").id,
            }
        )
        action = self.env["collections.followup.action"].create(
            {
                "partner_id": customer.id,
                "company_id": self.company.id,
                "level_id": level.id,
                "state": "planned",
                "claim_summary": "<b onmouseover=x>1</b>",
            }
        )
        wizard = (
            self.env["collections.process.wizard"]
            .with_user(self.collector)
            .create({"action_ids": [Command.set(action.ids)]})
        )
        html = str(wizard.preview_html)
        self.assertNotIn("<img", html)
        self.assertNotIn("<script", html)
        self.assertNotIn("<b ", html)
        self.assertIn("&lt;img src=x onerror=alert(1)&gt;", html)
        self.assertIn("<table", html)  # the table itself is still HTML

    @freeze_time(TODAY)
    def test_release_note_escapes_the_reason_and_names(self):
        customer = self.env["res.partner"].create(
            {"name": INJECTION, "is_company": True, "credit_limit": 10.0}
        )
        invoice = self._draft(5000.0, partner=customer)
        invoice.with_user(self.credit_manager)._collections_release_credit(INJECTION)
        for record in (invoice, customer):
            body = str(record.message_ids[0].body)
            self.assertNotIn("<img", body)
            self.assertIn("&lt;img", body)
