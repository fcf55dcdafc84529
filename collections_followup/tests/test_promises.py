from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .followup_common import FollowupCommon


@tagged("post_install", "-at_install")
class TestPromises(FollowupCommon):
    def _log(self, partner, when, user=None, **values):
        with freeze_time(when):
            wizard = self.env["collections.contact.wizard"].with_user(user or self.collector).create({
                "partner_id": partner.id, **values,
            })
            wizard.action_log()
        return wizard

    def test_promise_pauses_then_resumes_when_broken(self):
        invoice = self._invoice(self.customer, date(2025, 3, 3), 1000.0)
        self._run("2025-03-04")
        wizard = self._log(self.customer, "2025-03-05", outcome="promise", right_party_contact=True,
                           promise_date=date(2025, 3, 12), promise_amount=1000.0)
        promise = wizard.action_id.promise_id
        self.assertEqual(promise.state, "open")
        self.assertEqual(promise.move_line_ids.move_id, invoice)
        self.assertEqual(promise.deadline, date(2025, 3, 14), "promised date + policy tolerance")
        self.assertEqual(wizard.action_id.kind, "contact")
        self.assertEqual(wizard.action_id.outcome, "promise")
        self.assertTrue(wizard.action_id.right_party_contact)
        for day in ("2025-03-13", "2025-03-14"):
            summary = self._run(day)
            self.assertEqual(summary["partners_contacted"], 0, "Paused until date + tolerance")
        with freeze_time("2025-03-14"):
            self.assertEqual(self.customer.collections_followup_status, "in_plan")
        summary = self._run("2025-03-15")
        self.assertEqual(summary["promises_broken"], 1)
        self.assertEqual(promise.state, "broken")
        self.assertEqual(summary["partners_contacted"], 1, "Chasing resumes")
        self.assertEqual(self._actions(self.customer, kind="automatic")[-1].level_id, self.level_firm)
        self.assertEqual(self.customer.collections_promise_broken_count, 1)
        self.assertEqual(self.customer.collections_promise_kept_count, 0)

    def test_promise_kept_when_paid(self):
        invoice = self._invoice(self.customer, date(2025, 3, 3), 1000.0)
        self._invoice(self.customer, date(2025, 3, 3), 500.0)
        wizard = self._log(self.customer, "2025-03-05", outcome="promise",
                           promise_date=date(2025, 3, 12), promise_amount=600.0)
        promise = wizard.action_id.promise_id
        self.assertEqual(len(promise.move_line_ids), 2, "By default every open instalment")
        self._pay(invoice, 600.0, date(2025, 3, 10))
        summary = self._run("2025-03-11")
        self.assertEqual(promise.state, "kept")
        self.assertEqual(summary["promises_kept"], 1)
        self.assertEqual(self.customer.collections_promise_kept_count, 1)
        # Kept: the rest is chased again at the level it reached.
        self.assertEqual(summary["partners_contacted"], 1)

    def test_promise_needs_date_and_amount(self):
        self._invoice(self.customer, date(2025, 3, 3), 1000.0)
        with self.assertRaisesRegex(UserError, "date and a positive amount"):
            self._log(self.customer, "2025-03-05", outcome="promise")

    def test_dispute_raised_in_a_call_stops_the_chasing(self):
        invoice = self._invoice(self.customer, date(2025, 3, 3), 1000.0)
        wizard = self._log(self.customer, "2025-03-05", outcome="dispute", dispute_move_id=invoice.id,
                           dispute_reason="Service not delivered")
        self.assertTrue(wizard.dispute_id.is_open)
        self.assertTrue(invoice.collections_in_dispute)
        self.assertEqual(self._run("2025-03-20")["partners_contacted"], 0)
        with freeze_time("2025-03-21"):
            self.env["collections.dispute.wizard"].with_user(self.collector).create({
                "move_id": invoice.id, "mode": "close", "reason": "Delivered after all",
            }).action_confirm()
        self.assertFalse(invoice.collections_in_dispute)
        self.assertIn("Dispute closed", invoice.message_ids[0].body)
        self.assertEqual(self._run("2025-03-21")["partners_contacted"], 1)

    def test_dispute_from_invoice_needs_reason(self):
        invoice = self._invoice(self.customer, date(2025, 3, 3), 1000.0)
        wizard = self.env["collections.dispute.wizard"].with_user(self.collector).create(
            {"move_id": invoice.id, "mode": "open", "reason": "  "}
        )
        with self.assertRaisesRegex(UserError, "reason"):
            wizard.action_confirm()
        wizard.reason = "Wrong quantity"
        wizard.action_confirm()
        self.assertTrue(invoice.collections_in_dispute)
        self.assertIn("Wrong quantity", invoice.message_ids[0].body)

    def test_other_outcomes_and_last_contact(self):
        self._invoice(self.customer, date(2025, 3, 3), 1000.0)
        wizard = self._log(self.customer, "2025-03-06", outcome="wrong_number", note="Number disconnected")
        self.assertEqual(wizard.action_id.state, "done")
        self.assertEqual(wizard.action_id.user_id, self.collector)
        with freeze_time("2025-03-07"):
            self.assertEqual(self.customer.collections_last_contact_date, date(2025, 3, 6))

    def test_rpc_log_contact(self):
        self._invoice(self.customer, date(2025, 3, 3), 1000.0)
        with freeze_time("2025-03-05"):
            result = self.customer.with_user(self.collector).collections_log_contact(
                "promise", promise_date="2025-03-10", promise_amount=1000.0
            )
        self.assertTrue(result["promise_id"])
        self.assertEqual(self.env["collections.promise"].browse(result["promise_id"]).amount, 1000.0)

    def test_plain_user_cannot_log_or_read(self):
        self._invoice(self.customer, date(2025, 3, 3), 1000.0)
        with self.assertRaises(AccessError):
            self._log(self.customer, "2025-03-05", user=self.plain_user, outcome="refused")

    def test_collector_registers_a_promise_directly(self):
        self._invoice(self.customer, date(2025, 3, 3), 1000.0)
        with freeze_time("2025-03-05"):
            promise = self.env["collections.promise"].with_user(self.collector).create({
                "partner_id": self.customer.id, "date": date(2025, 3, 10), "amount": 500.0,
            })
        self.assertEqual(len(promise.move_line_ids), 1, "Every open instalment by default")
        self.assertEqual(promise.tolerance_days, 2, "From the policy")
        self.assertIn("Promise to pay", self.customer.message_ids[0].body)
        self.assertEqual(self._run("2025-03-11")["partners_contacted"], 0, "Paused")
