from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .followup_common import FollowupCommon


@tagged("post_install", "-at_install")
class TestCloseLoop(FollowupCommon):
    """A promise or a dispute stops what the follow-up still had pending:
    queued e-mails, contacts to process, the call to make."""

    def _open_activities(self, partner):
        return self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", partner.id)]
        )

    def test_promise_cancels_queued_email_and_closes_the_call(self):
        self.customer.collections_responsible_id = self.collector
        self._invoice(self.customer, date(2025, 3, 3), 1000.0)
        self._run("2025-03-13")  # firm level: e-mail queued and a call activity
        action = self._actions(self.customer)
        mail = action.mail_id
        self.assertEqual(mail.state, "outgoing")
        self.assertEqual(action.activity_id.user_id, self.collector)
        with freeze_time("2025-03-14"):
            self.customer.with_user(self.collector).collections_log_contact(
                "promise",
                promise_date="2025-03-20",
                promise_amount="1000.00",
                right_party_contact=True,
            )
        self.assertEqual(mail.state, "cancel", "The queued e-mail is never sent")
        self.assertIn("promise to pay", mail.failure_reason)
        self.assertIn("E-mail cancelled", action.failure_reason)
        self.assertEqual(action.state, "done", "The activity was part of it: the action stays done")
        self.assertFalse(self._open_activities(self.customer), "The call activity is marked done")
        self.assertTrue(
            self.customer.message_ids.filtered(
                lambda m: m.mail_activity_type_id and "promise" in (m.body or "")
            ),
            "Marked done with the reason as feedback",
        )

    def test_dispute_cancels_the_contact_to_process(self):
        invoice = self._invoice(self.customer, date(2025, 3, 3), 1000.0)
        self._run("2025-04-03")
        self._run("2025-04-17")  # 45 days: protest, waiting for review
        planned = self._actions(self.customer, state="planned")
        self.assertTrue(planned)
        with freeze_time("2025-04-18"):
            invoice.with_user(self.collector).collections_dispute_open("Goods returned")
        self.assertEqual(planned.state, "cancelled")
        self.assertIn("dispute", planned.failure_reason)
        self.assertIn("Pending follow-up stopped", self.customer.message_ids[0].body)

    def test_partly_covered_contact_stays(self):
        invoice = self._invoice(self.customer, date(2025, 3, 3), 1000.0)
        self._invoice(self.customer, date(2025, 3, 3), 500.0)
        self._run("2025-04-03")
        self._run("2025-04-17")
        planned = self._actions(self.customer, state="planned")
        self.assertEqual(len(planned.line_ids), 2)
        with freeze_time("2025-04-18"):
            invoice.with_user(self.collector).collections_dispute_open("Wrong quantity")
        self.assertEqual(planned.state, "planned", "The other invoice is still owed and chased")

    def test_close_loop_is_one_reusable_method(self):
        invoice = self._invoice(self.customer, date(2025, 3, 3), 1000.0)
        self._run("2025-03-05")
        mail = self._actions(self.customer).mail_id
        other = self._invoice(self.customer_b, date(2025, 3, 3), 1000.0)
        self._run("2025-03-05")
        other_mail = self._actions(self.customer_b).mail_id
        result = self.env["collections.followup.action"]._collections_close_loop(
            invoice.line_ids.filtered(lambda line: line.account_type == "asset_receivable"),
            "payment plan agreed",
        )
        self.assertEqual(result, {"actions_cancelled": 0, "emails_cancelled": 1, "activities_done": 0})
        self.assertEqual(mail.state, "cancel")
        self.assertEqual(self._actions(self.customer).state, "cancelled", "The e-mail was all it did")
        self.assertEqual(other_mail.state, "outgoing", "Another customer's e-mail is untouched")
        self.assertTrue(other)

    # -- who gets the activity ------------------------------------------------

    def test_activity_goes_to_salesperson_then_default_collector_never_odoobot(self):
        salesperson = mail_new_test_user(
            self.env,
            login="cf_sales",
            groups="base.group_user",
            company_id=self.company.id,
            company_ids=[self.company.id],
        )
        default = mail_new_test_user(
            self.env,
            login="cf_default_collector",
            groups="base.group_user",
            company_id=self.company.id,
            company_ids=[self.company.id],
        )
        self.customer.user_id = salesperson
        self.company.collections_default_collector_id = default
        self._invoice(self.customer, date(2025, 3, 3), 1000.0)
        self._invoice(self.customer_b, date(2025, 3, 3), 1000.0)
        self._run("2025-03-13")
        self.assertEqual(self._actions(self.customer).activity_id.user_id, salesperson)
        self.assertEqual(self._actions(self.customer_b).activity_id.user_id, default)
        root = self.env.ref("base.user_root")
        self.assertFalse(
            self.env["mail.activity"].search([("user_id", "=", root.id), ("res_model", "=", "res.partner")])
        )

    def test_activity_without_anyone_goes_to_a_manager_not_odoobot(self):
        self._invoice(self.customer, date(2025, 3, 3), 1000.0)
        self._run("2025-03-13")  # as the scheduled action: __system__
        user = self._actions(self.customer).activity_id.user_id
        self.assertTrue(user)
        self.assertNotEqual(user, self.env.ref("base.user_root"))
        self.assertTrue(user.has_group("collections_followup.group_collections_manager"))

    def test_default_collector_setting(self):
        settings = self.env["res.config.settings"].create(
            {"collections_default_collector_id": self.collector.id}
        )
        settings.execute()
        self.assertEqual(self.env.company.collections_default_collector_id, self.collector)

    # -- several addresses in one e-mail field ----------------------------------

    def test_comma_and_semicolon_separated_addresses(self):
        two = self._customer("Dois Endereços", "a@example.com, b@example.com")
        semi = self._customer("Ponto e Vírgula", "c@example.com;d@example.com")
        bad = self._customer("Um Ruim", "e@example.com; not-an-email")
        for partner in (two, semi, bad):
            self._invoice(partner, date(2025, 3, 3), 100.0)
        self._run("2025-03-05")
        for partner in (two, semi):
            action = self._actions(partner)
            self.assertEqual(action.email_state, "done", partner.email)
            self.assertEqual(action.mail_id.recipient_ids, partner)
        failed = self._actions(bad)
        self.assertEqual(failed.email_state, "failed")
        self.assertIn("not-an-email", failed.failure_reason)
        Action = self.env["collections.followup.action"]
        self.assertEqual(
            Action._email_address_check('"Silva, Ana" <ana@example.com>; bo@example.com'),
            (["ana@example.com", "bo@example.com"], []),
        )

    def test_one_blacklisted_address_of_two_blocks_the_partner(self):
        two = self._customer("Dois Endereços", "a@example.com, b@example.com")
        self.env["mail.blacklist"].create({"email": "b@example.com"})
        self._invoice(two, date(2025, 3, 3), 100.0)
        self._run("2025-03-05")
        action = self._actions(two)
        self.assertEqual(action.email_state, "failed")
        self.assertIn("b@example.com", action.failure_reason)
        self.assertIn("blacklisted", action.failure_reason)
