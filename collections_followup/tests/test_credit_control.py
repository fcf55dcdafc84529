import xmlrpc.client
from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import CollectionsCommon

TODAY = date(2025, 3, 20)  # a Thursday


@tagged("post_install", "-at_install")
class TestCreditControl(CollectionsCommon):
    """Limits, exposure, holds blocking posting, overrides, reviews."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.company.collections_hold_on_overdue = True  # the opt-in rule is exercised here
        common = {"company_id": cls.company.id, "company_ids": [cls.company.id]}
        # A Collections Manager who also bills: releases and then posts.
        cls.credit_manager = mail_new_test_user(
            cls.env,
            login="cf_credit_manager",
            groups="base.group_user,account.group_account_invoice,collections_followup.group_collections_manager",
            **common,
        )
        # Billing user who may edit contacts, but not their credit.
        cls.partner_editor = mail_new_test_user(
            cls.env,
            login="cf_partner_editor",
            groups="base.group_user,base.group_partner_manager,account.group_account_invoice",
            **common,
        )
        cls.customer = cls.env["res.partner"].create({"name": "Padaria Pão Quente", "is_company": True})
        cls.contact = cls.env["res.partner"].create({"name": "Maria", "parent_id": cls.customer.id})
        cls.customer.credit_limit = 1000.0
        with freeze_time(TODAY):
            cls.open_invoice = cls._invoice(cls.customer, 600.0, TODAY + timedelta(days=10))

    @classmethod
    def _invoice(cls, partner, amount, due_date, post=True, move_type="out_invoice", company=None):
        company = company or cls.company
        move = (
            cls.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": move_type,
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "invoice_date": due_date - timedelta(days=30),
                    "invoice_date_due": due_date,
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Service", "quantity": 1, "price_unit": amount, "tax_ids": []}
                        )
                    ],
                }
            )
        )
        if post:
            move.action_post()
        return move

    def _draft(self, amount, partner=None, move_type="out_invoice"):
        return self._invoice(
            partner or self.customer, amount, TODAY + timedelta(days=30), post=False, move_type=move_type
        )

    # --- exposure --------------------------------------------------------------

    @freeze_time(TODAY)
    def test_exposure_counts_open_draft_and_subtracts_unreconciled_credits(self):
        self._draft(150.0)
        self._invoice(self.customer, 100.0, TODAY, move_type="out_refund")
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": self.contact.id,
                "amount": 50.0,
                "journal_id": self.company_data["default_journal_bank"].id,
            }
        )
        payment.action_post()
        exposure = self.customer.with_user(self.collector).collections_credit_exposure()
        self.assertEqual(exposure["open_receivables"], 600.0)
        self.assertEqual(exposure["draft_invoices"], 150.0)
        self.assertEqual(exposure["to_invoice"], 0.0)
        self.assertEqual(exposure["unreconciled_credits"], 150.0)
        self.assertEqual(exposure["exposure"], 600.0)
        self.assertEqual(exposure["credit_limit"], 1000.0)
        self.assertEqual(exposure["available_credit"], 400.0)
        self.assertEqual(exposure["currency"], self.company.currency_id.name)
        self.assertFalse(exposure["on_hold"])
        # The contact reads its company's exposure, the form shows the same figures.
        self.assertEqual(self.contact.collections_credit_exposure()["exposure"], 600.0)
        self.assertEqual(self.customer.collections_available_credit, 400.0)

    @freeze_time(TODAY)
    def test_drill_down_opens_the_documents_behind_each_amount(self):
        draft = self._draft(150.0)
        action = self.customer.action_collections_open_receivables()
        lines = self.env[action["res_model"]].search(action["domain"])
        self.assertEqual(lines.move_id, self.open_invoice)
        action = self.customer.action_collections_draft_invoices()
        self.assertEqual(self.env["account.move"].search(action["domain"]), draft)
        action = self.customer.action_collections_credits()
        self.assertFalse(self.env["account.move.line"].search(action["domain"]))

    # --- the credit limit, the document counted once ----------------------------

    @freeze_time(TODAY)
    def test_invoice_exactly_at_the_limit_posts(self):
        invoice = self._draft(400.0)
        invoice.with_user(self.billing_user).action_post()
        self.assertEqual(invoice.state, "posted")

    @freeze_time(TODAY)
    def test_invoice_just_below_the_limit_posts(self):
        invoice = self._draft(399.99)
        invoice.with_user(self.billing_user).action_post()
        self.assertEqual(invoice.state, "posted")

    @freeze_time(TODAY)
    def test_invoice_just_above_the_limit_is_refused_with_the_figures(self):
        invoice = self._draft(400.01)
        self.assertTrue(invoice.collections_credit_blocked)
        self.assertEqual(invoice.collections_available_credit, 400.0)
        with self.assertRaises(UserError) as caught:
            invoice.with_user(self.billing_user).action_post()
        message = str(caught.exception)
        self.assertIn("Credit limit exceeded", message)
        # exposure 600 (the draft being posted is not counted twice) + 400.01
        self.assertIn("600.00", message)
        self.assertIn("400.01", message)
        self.assertIn("0.01", message)
        self.assertEqual(invoice.state, "draft")

    @freeze_time(TODAY)
    def test_rpc_hold_reasons_list_codes_messages_and_figures(self):
        reasons = self.customer.with_user(self.collector).collections_credit_hold_reasons(500.0)
        self.assertEqual([reason["code"] for reason in reasons], ["credit_limit"])
        self.assertEqual(reasons[0]["excess"], 100.0)
        self.assertEqual(reasons[0]["exposure"], 600.0)
        self.assertIn("Credit limit exceeded", reasons[0]["message"])
        self.assertEqual(self.customer.collections_credit_hold_reasons(400.0), [])
        self.customer.write({"service_suspended_date": TODAY, "credit_hold_manual": True})
        reasons = self.customer.collections_credit_hold_reasons(500.0)
        self.assertEqual([r["code"] for r in reasons], ["credit_limit", "manual", "suspended"])
        self.assertEqual(reasons[2]["date"], "2025-03-20")
        xmlrpc.client.dumps((reasons,), methodresponse=True, allow_none=False)  # RPC-safe
        with self.assertRaises(UserError):
            self.customer.collections_credit_hold_reasons("a lot")

    @freeze_time(TODAY)
    def test_partner_override_never_skips_the_limit(self):
        self.customer.credit_hold_limit_mode = "never"
        invoice = self._draft(5000.0)
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")

    # --- overdue ---------------------------------------------------------------

    def test_overdue_n_days_passes_n_plus_one_blocks(self):
        late = self.env["res.partner"].create({"name": "Atrasada Ltda", "is_company": True})
        with freeze_time(TODAY):
            self._invoice(late, 300.0, TODAY - timedelta(days=15))  # due on Wednesday 5 March
            first = self._draft(100.0, partner=late)
            first.action_post()
            self.assertEqual(first.state, "posted")
        with freeze_time(TODAY + timedelta(days=1)):
            second = self._draft(100.0, partner=late)
            with self.assertRaises(UserError) as caught:
                second.action_post()
        self.assertIn("16 days late", str(caught.exception))
        self.assertIn("03/05/2025", str(caught.exception))

    def test_overdue_days_come_from_the_company_setting(self):
        late = self.env["res.partner"].create({"name": "Atrasada Ltda", "is_company": True})
        self.company.collections_hold_overdue_days = 30
        with freeze_time(TODAY):
            self._invoice(late, 300.0, TODAY - timedelta(days=20))
            invoice = self._draft(100.0, partner=late)
            invoice.action_post()
        self.assertEqual(invoice.state, "posted")

    # --- manual, dunning and suspension holds --------------------------------------

    @freeze_time(TODAY)
    def test_manual_hold_blocks_with_its_reason(self):
        self.customer.with_user(self.collections_manager).write(
            {"credit_hold_manual": True, "credit_hold_manual_reason": "Cheque returned"}
        )
        invoice = self._draft(10.0)
        with self.assertRaisesRegex(UserError, "Cheque returned"):
            invoice.with_user(self.billing_user).action_post()

    @freeze_time(TODAY)
    def test_company_switch_and_partner_override_of_the_manual_hold(self):
        self.customer.credit_hold_manual = True
        self.company.collections_hold_on_manual = False
        invoice = self._draft(10.0)
        self.assertFalse(invoice.collections_credit_blocked)
        self.customer.credit_hold_manual_mode = "always"
        invoice.invalidate_recordset()
        with self.assertRaisesRegex(UserError, "manual hold"):
            invoice.action_post()

    @freeze_time(TODAY)
    def test_dunning_hold_blocks(self):
        self.customer.credit_hold_level_id = self.policy.level_ids[0]
        with self.assertRaisesRegex(UserError, "dunning level Call"):
            self._draft(10.0).action_post()

    @freeze_time(TODAY)
    def test_suspended_customer_is_blocked(self):
        self.customer.write(
            {"service_suspended_date": date(2025, 3, 1), "service_suspension_reason": "Protest"}
        )
        with self.assertRaisesRegex(UserError, "suspended since 03/01/2025: Protest"):
            self._draft(10.0).action_post()

    @freeze_time(TODAY)
    def test_every_reason_is_listed(self):
        self.customer.write(
            {
                "credit_hold_manual": True,
                "credit_hold_manual_reason": "Cheque returned",
                "credit_hold_level_id": self.policy.level_ids[0].id,
            }
        )
        with self.assertRaises(UserError) as caught:
            self._draft(2000.0).action_post()
        message = str(caught.exception)
        for text in ("Credit limit exceeded", "Cheque returned", "dunning level", "Padaria"):
            self.assertIn(text, message)

    # --- never blocked ------------------------------------------------------------

    @freeze_time(TODAY)
    def test_credit_notes_are_never_blocked(self):
        self.customer.write({"credit_hold_manual": True, "credit_limit": 1.0})
        refund = self._draft(50.0, move_type="out_refund")
        self.assertFalse(refund.collections_credit_blocked)
        refund.with_user(self.billing_user).action_post()
        self.assertEqual(refund.state, "posted")

    # --- overrides ------------------------------------------------------------------

    @freeze_time(TODAY)
    def test_manager_releases_one_document_logged_on_document_and_partner(self):
        self.customer.credit_hold_manual = True
        invoice = self._draft(700.0)
        other = self._draft(5.0)
        action = invoice.with_user(self.credit_manager).action_collections_release_credit()
        wizard = (
            self.env["collections.credit.release"]
            .with_user(self.credit_manager)
            .with_context(**action["context"])
            .create({"reason": "Guarantee received"})
        )
        self.assertEqual(wizard.partner_id, self.customer)
        self.assertIn("manual hold", wizard.hold_message)
        wizard.action_release()
        self.assertEqual(invoice.collections_credit_released_by_id, self.credit_manager)
        self.assertEqual(invoice.collections_credit_release_reason, "Guarantee received")
        self.assertEqual(invoice.collections_credit_release_date, fields.Datetime.now())
        for record in (invoice, self.customer):
            body = record.message_ids[0].body
            self.assertIn("Guarantee received", body)
            self.assertIn("cf_credit_manager", body)
            self.assertIn("1,000.00", body)  # the limit at that time
            self.assertIn("605.00", body)  # the exposure at that time, the other draft included
        invoice.with_user(self.billing_user).action_post()
        self.assertEqual(invoice.state, "posted")
        with self.assertRaises(UserError):
            other.action_post()

    @freeze_time(TODAY)
    def test_manager_without_accounting_rights_releases_too(self):
        self.customer.credit_hold_manual = True
        invoice = self._draft(10.0)
        action = invoice.with_user(self.collections_manager).action_collections_release_credit()
        self.env["collections.credit.release"].with_user(self.collections_manager).with_context(
            **action["context"]
        ).create({"reason": "Director approved", "release_until": TODAY}).action_release()
        self.assertEqual(invoice.collections_credit_released_by_id, self.collections_manager)
        self.assertEqual(self.customer.credit_release_until, TODAY)
        invoice.with_user(self.billing_user).action_post()
        self.assertEqual(invoice.state, "posted")

    @freeze_time(TODAY)
    def test_release_needs_a_reason(self):
        invoice = self._draft(5000.0)
        wizard = (
            self.env["collections.credit.release"]
            .with_user(self.credit_manager)
            .create({"res_model": "account.move", "res_id": invoice.id, "reason": "  "})
        )
        with self.assertRaisesRegex(UserError, "reason"):
            wizard.action_release()

    @freeze_time(TODAY)
    def test_collector_and_billing_user_cannot_release(self):
        invoice = self._draft(5000.0)
        for user in (self.collector, self.billing_user):
            with self.assertRaises(AccessError):
                invoice.with_user(user).action_collections_release_credit()
            with self.assertRaises(AccessError):
                self.env["collections.credit.release"].with_user(user).create(
                    {"res_model": "account.move", "res_id": invoice.id, "reason": "Please"}
                )
            with self.assertRaises(AccessError):
                invoice.with_user(user)._collections_release_credit("Please")
        self.assertFalse(invoice.collections_credit_released_by_id)

    @freeze_time(TODAY)
    def test_a_released_document_raised_afterwards_needs_a_new_release(self):
        invoice = self._draft(500.0)
        invoice.with_user(self.credit_manager)._collections_release_credit("Big customer")
        invoice.invoice_line_ids.price_unit = 900.0
        with self.assertRaises(UserError):
            invoice.action_post()

    def test_time_boxed_release_of_the_customer(self):
        self.customer.credit_hold_manual = True
        with freeze_time(TODAY):
            self.customer.with_user(self.collections_manager).credit_release_until = TODAY + timedelta(days=5)
            self.assertIn("released until", self.customer.message_ids[0].body)
            first = self._draft(10.0)
            first.action_post()
            self.assertEqual(first.state, "posted")
            with self.assertRaises(AccessError):
                self.customer.with_user(self.partner_editor).credit_release_until = TODAY + timedelta(days=50)
        with freeze_time(TODAY + timedelta(days=5)):
            self._draft(10.0).action_post()
        with freeze_time(TODAY + timedelta(days=6)), self.assertRaises(UserError):
            self._draft(10.0).action_post()

    @freeze_time(TODAY)
    def test_wizard_from_the_action_menu_also_releases_the_customer_until_a_date(self):
        self.customer.credit_hold_manual = True
        invoice = self._draft(10.0)
        Wizard = (
            self.env["collections.credit.release"]
            .with_user(self.credit_manager)
            .with_context(active_model="account.move", active_id=invoice.id)
        )
        with self.assertRaises(ValidationError):
            Wizard.create({"reason": "Too late", "release_until": TODAY - timedelta(days=1)})
        Wizard.create(
            {"reason": "Renegotiated", "release_until": TODAY + timedelta(days=10)}
        ).action_release()
        self.assertEqual(self.customer.credit_release_until, TODAY + timedelta(days=10))
        self.assertEqual(invoice.collections_credit_release_reason, "Renegotiated")
        self._draft(10.0).action_post()  # the whole customer is released

    # --- multi-company ---------------------------------------------------------------

    @freeze_time(TODAY)
    def test_hold_in_one_company_does_not_block_another(self):
        other = self.setup_other_company(name="Filial Sul")["company"]
        self.env.user.company_ids |= other
        self.customer.credit_hold_manual = True
        self.customer.with_company(other).credit_limit = 0.0
        self.assertFalse(self.customer.with_company(other).credit_hold_manual)
        invoice = self._invoice(self.customer, 10.0, TODAY + timedelta(days=30), post=False, company=other)
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")
        exposure_other = self.customer.collections_credit_exposure(company_id=other.id)
        self.assertEqual(exposure_other["open_receivables"], 10.0)
        self.assertIs(exposure_other["credit_limit"], False)
        xmlrpc.client.dumps((exposure_other,), methodresponse=True, allow_none=False)  # RPC-safe
        self.assertEqual(self.customer.collections_credit_exposure()["open_receivables"], 600.0)
        with self.assertRaises(UserError):
            self._draft(10.0).action_post()
        with self.assertRaises(AccessError):
            self.customer.with_user(self.collector).collections_credit_exposure(company_id=other.id)

    # --- access and tracking --------------------------------------------------------

    def test_only_managers_change_credit_fields(self):
        for values in (
            {"credit_limit": 5000.0},
            {"use_partner_credit_limit": False},
            {"credit_hold_manual": True},
            {"credit_rating": "A"},
            {"credit_hold_limit_mode": "never"},
            {"credit_review_next_date": TODAY},
        ):
            with self.assertRaisesRegex(AccessError, "Only a Collections Manager"):
                self.customer.with_user(self.partner_editor).write(values)
        self.assertEqual(self.customer.credit_limit, 1000.0)
        # unchanged values and contacts' copies of the limit are not refused
        self.customer.with_user(self.partner_editor).write({"credit_limit": 1000.0, "phone": "1"})
        contact = (
            self.env["res.partner"]
            .with_user(self.partner_editor)
            .create({"name": "Contact", "parent_id": self.customer.id})
        )
        self.assertEqual(contact.credit_limit, 1000.0)
        with self.assertRaisesRegex(AccessError, "Only a Collections Manager"):
            self.env["res.partner"].with_user(self.partner_editor).create(
                {"name": "New", "is_company": True, "credit_limit": 10.0}
            )
        # a new customer receiving the company's default limit is not a change
        self.env["ir.default"].set("res.partner", "credit_limit", 300.0, company_id=self.company.id)
        created = (
            self.env["res.partner"]
            .with_user(self.partner_editor)
            .create({"name": "Default limit", "is_company": True, "credit_limit": 300.0})
        )
        self.assertEqual(created.credit_limit, 300.0)
        self.customer.with_user(self.collections_manager).credit_limit = 1200.0
        self.assertEqual(self.customer.credit_limit, 1200.0)
        self.assertFalse(self.customer.with_user(self.billing_user).collections_can_edit_credit)
        self.assertTrue(self.customer.with_user(self.collections_manager).collections_can_edit_credit)
        self.assertEqual(self.customer.with_user(self.billing_user).credit_limit, 1200.0)

    def test_limit_change_is_tracked_in_the_chatter(self):
        self.customer.with_user(self.credit_manager).credit_limit = 2500.0
        self.assertEqual(self.customer.credit_limit, 2500.0)
        body = self.customer.message_ids[0].body
        self.assertIn("1,000.00", body)
        self.assertIn("2,500.00", body)
        messages = self.customer.message_ids
        self.customer.with_user(self.credit_manager).use_partner_credit_limit = False
        self.assertEqual(self.customer.credit_limit, 0.0)
        self.assertEqual(len(self.customer.message_ids - messages), 1)

    def test_form_fields_are_readable_by_a_collector(self):
        with freeze_time(TODAY):
            partner = self.customer.with_user(self.collector)
            self.assertEqual(partner.collections_exposure, 600.0)
            self.assertFalse(partner.collections_on_credit_hold)

    def test_partner_and_invoice_forms_load_for_every_role(self):
        self.env["res.partner"].with_user(self.plain_user).get_views([(False, "form")])
        for user in (self.collector, self.billing_user, self.partner_editor, self.collections_manager):
            arch = (
                self.env["res.partner"].with_user(user).get_views([(False, "form")])["views"]["form"]["arch"]
            )
            self.assertIn("collections_can_edit_credit", arch)
        arch = (
            self.env["account.move"]
            .with_user(self.billing_user)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertIn("collections_credit_hold_message", arch)
        self.assertNotIn("action_collections_release_credit", arch)
        arch = (
            self.env["account.move"]
            .with_user(self.credit_manager)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertIn("action_collections_release_credit", arch)

    # --- credit review ------------------------------------------------------------

    def test_review_cron_schedules_one_activity_for_the_collector(self):
        self.customer.write(
            {
                "credit_review_next_date": TODAY,
                "collections_responsible_id": self.collector.id,
            }
        )
        not_due = self.env["res.partner"].create(
            {"name": "Later", "is_company": True, "credit_review_next_date": TODAY + timedelta(days=1)}
        )
        review_type = self.env.ref("collections_followup.mail_activity_type_credit_review")
        Partner = self.env["res.partner"]
        Partner._cron_collections_credit_review(as_of=TODAY)
        Partner._cron_collections_credit_review(as_of=TODAY)
        activities = self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("activity_type_id", "=", review_type.id),
                ("res_id", "in", (self.customer | not_due).ids),
            ]
        )
        self.assertEqual(len(activities), 1)
        self.assertEqual(activities.res_id, self.customer.id)
        self.assertEqual(activities.user_id, self.collector)
        self.assertEqual(activities.date_deadline, TODAY)

    def test_bureau_score_suggests_a_rating(self):
        partner = self.env["res.partner"].new({"name": "Draft", "credit_bureau": "serasa"})
        partner.credit_bureau_score = 650
        partner._onchange_credit_bureau_score()
        self.assertEqual(partner.credit_rating, "B")
