from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .followup_common import FollowupCommon


@tagged("post_install", "-at_install")
class TestPromises(FollowupCommon):
    def _log(self, partner, when, user=None, **values):
        with freeze_time(when):
            wizard = (
                self.env["collections.contact.wizard"]
                .with_user(user or self.collector)
                .create(
                    {
                        "partner_id": partner.id,
                        **values,
                    }
                )
            )
            wizard.action_log()
        return wizard

    def test_promise_pauses_then_resumes_when_broken(self):
        invoice = self._invoice(self.customer, date(2025, 3, 3), 1000.0)
        self._run("2025-03-04")
        wizard = self._log(
            self.customer,
            "2025-03-05",
            outcome="promise",
            right_party_contact=True,
            promise_date=date(2025, 3, 12),
            promise_amount=1000.0,
        )
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
        wizard = self._log(
            self.customer,
            "2025-03-05",
            outcome="promise",
            promise_date=date(2025, 3, 12),
            promise_amount=600.0,
        )
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
        wizard = self._log(
            self.customer,
            "2025-03-05",
            outcome="dispute",
            dispute_move_id=invoice.id,
            dispute_reason="Service not delivered",
        )
        self.assertTrue(wizard.dispute_id.is_open)
        self.assertTrue(invoice.collections_in_dispute)
        self.assertEqual(self._run("2025-03-20")["partners_contacted"], 0)
        with freeze_time("2025-03-21"):
            self.env["collections.dispute.wizard"].with_user(self.collector).create(
                {
                    "move_id": invoice.id,
                    "mode": "close",
                    "reason": "Delivered after all",
                }
            ).action_confirm()
        self.assertFalse(invoice.collections_in_dispute)
        self.assertIn("Dispute closed", invoice.message_ids[0].body)
        self.assertEqual(self._run("2025-03-21")["partners_contacted"], 1)

    def test_dispute_from_invoice_needs_reason(self):
        invoice = self._invoice(self.customer, date(2025, 3, 3), 1000.0)
        wizard = (
            self.env["collections.dispute.wizard"]
            .with_user(self.collector)
            .create({"move_id": invoice.id, "mode": "open", "reason": "  "})
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
            promise = (
                self.env["collections.promise"]
                .with_user(self.collector)
                .create(
                    {
                        "partner_id": self.customer.id,
                        "date": date(2025, 3, 10),
                        "amount": 500.0,
                    }
                )
            )
        self.assertEqual(len(promise.move_line_ids), 1, "Every open instalment by default")
        self.assertEqual(promise.tolerance_days, 2, "From the policy")
        self.assertIn("Promise to pay", self.customer.message_ids[0].body)
        self.assertEqual(self._run("2025-03-11")["partners_contacted"], 0, "Paused")


@tagged("post_install", "-at_install")
class TestPromiseCurrency(FollowupCommon):
    """A promise is per currency: kept when its instalments are paid in full
    (residual within the policy tolerance, in the company currency) or the
    promised amount is reached in the promise's currency."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # 1 EUR = 5.00 in the company currency (as USD 1 = R$ 5 on a Brazilian company)
        cls.eur = cls.setup_other_currency("EUR", rates=[("2020-01-01", 0.2)])
        cls.regua.tolerance_amount = 1.0

    def _pay_in(self, invoice, amount, when, currency):
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"amount": amount, "payment_date": when, "currency_id": currency.id})._create_payments()

    def _promise(self, amount, when="2025-03-05", date_promised="2025-03-12"):
        with freeze_time(when):
            result = self.customer.with_user(self.collector).collections_log_contact(
                "promise",
                promise_date=date_promised,
                promise_amount=amount,
            )
        return self.env["collections.promise"].browse(result["promise_id"])

    def test_foreign_invoice_paid_in_full_keeps_a_company_currency_promise(self):
        invoice = self._invoice(self.customer, date(2025, 3, 3), 300.0, currency=self.eur)
        promise = self._promise(1500.0)
        self.assertEqual(promise.currency_id, self.company.currency_id)
        self._pay_in(invoice, 300.0, date(2025, 3, 10), self.eur)
        self._run("2025-03-20")
        self.assertEqual(promise.state, "kept", "Paid in full, whatever the promise's currency")

    def test_paid_amount_is_converted_to_the_promise_currency(self):
        invoice = self._invoice(self.customer, date(2025, 3, 3), 300.0, currency=self.eur)
        self._invoice(self.customer, date(2025, 3, 3), 500.0)
        promise = self._promise(1000.0)
        self._pay_in(invoice, 200.0, date(2025, 3, 10), self.eur)  # 1,000.00 in the company currency
        with freeze_time("2025-03-11"):
            self.assertEqual(promise.amount_paid, 1000.0)
        self._run("2025-03-11")
        self.assertEqual(promise.state, "kept", "Promised amount reached in the promise's currency")

    def test_foreign_balance_compared_with_tolerance_in_company_currency(self):
        settled = self._invoice(self.customer, date(2025, 3, 3), 300.0, currency=self.eur)
        promise = self._promise(1500.0)
        self._pay_in(settled, 299.85, date(2025, 3, 10), self.eur)  # EUR 0.15 = 0.75 left: within 1.00
        self._run("2025-03-20")
        self.assertEqual(promise.state, "kept")

    def test_foreign_balance_above_tolerance_breaks(self):
        invoice = self._invoice(self.customer, date(2025, 3, 3), 300.0, currency=self.eur)
        promise = self._promise(1500.0)
        self._pay_in(invoice, 299.10, date(2025, 3, 10), self.eur)  # EUR 0.90 = 4.50 left: above 1.00
        self._run("2025-03-20")
        self.assertEqual(promise.state, "broken", "EUR 0.90 is 4.50 in the company currency, not 0.90")

    def test_paying_the_amount_due_with_charges_keeps_the_promise(self):
        self.regua.write({"fine_rate": 2.0, "monthly_interest_rate": 1.0})
        invoice = self._invoice(self.customer, date(2025, 3, 3), 1000.0)
        with freeze_time("2025-03-05"):
            claim = self.customer._collections_claim_lines()[0]
        self.assertGreater(claim["updated_total"], 1000.0, "The e-mail's amount due includes the charges")
        promise = self._promise(claim["updated_total"])
        self._pay(invoice, claim["updated_total"], date(2025, 3, 10))
        self._run("2025-03-20")
        self.assertEqual(promise.state, "kept")

    def test_promise_above_what_is_owed_is_refused(self):
        self._invoice(self.customer, date(2025, 3, 3), 300.0, currency=self.eur)
        with (
            self.assertRaisesRegex(ValidationError, "more than what the instalments covered owe"),
            self.env.cr.savepoint(),
        ):
            self._promise(7500.0)  # 5x the debt of 1,500.00
        self.assertFalse(self.env["collections.promise"].search([("partner_id", "=", self.customer.id)]))
