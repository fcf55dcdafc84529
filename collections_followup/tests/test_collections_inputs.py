from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .followup_common import FollowupCommon

INPUT_ERRORS = (UserError, ValidationError)


@tagged("post_install", "-at_install")
class TestLogContactInputs(FollowupCommon):
    """collections_log_contact answers every bad argument, as XML-RPC would
    send it, with a clear UserError / ValidationError and records nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls._invoice(cls.customer, date(2025, 3, 3), 1000.0)
        cls.other_invoice = cls._invoice(cls.customer_b, date(2025, 3, 3), 1000.0)

    def _log(self, partners=None, *args, **kwargs):
        partners = self.customer if partners is None else partners
        with freeze_time("2025-03-05"):
            return partners.with_user(self.collector).collections_log_contact(*args, **kwargs)

    def assertRefused(self, message, *args, partners=None, **kwargs):
        before = self.env["collections.followup.action"].search_count([])
        promises = self.env["collections.promise"].search_count([])
        with self.assertRaisesRegex(INPUT_ERRORS, message), self.env.cr.savepoint():
            self._log(partners, *args, **kwargs)
        self.assertEqual(self.env["collections.followup.action"].search_count([]), before)
        self.assertEqual(self.env["collections.promise"].search_count([]), promises)

    def test_unknown_outcome(self):
        for outcome in ("paid", "", None, 1, True, ["promise"]):
            self.assertRefused("Unknown contact outcome", outcome)

    def test_exactly_one_customer(self):
        self.assertRefused("exactly one customer", "other", partners=self.customer | self.customer_b)
        self.assertRefused("exactly one customer", "other", partners=self.env["res.partner"])

    def test_bad_promise_dates(self):
        for value in ("x", "2025-02-30", 20250310, True, "10/03/2025", "9999-12-31"):
            self.assertRefused("promised date", "promise", promise_date=value, promise_amount=100.0)
        self.assertRefused("in the past", "promise", promise_date="2025-03-04", promise_amount=100.0)

    def test_bad_promise_amounts(self):
        for value in ("abc", "nan", float("nan"), float("inf"), "-inf", "Infinity", True, [1]):
            self.assertRefused(
                "number above zero", "promise", promise_date="2025-03-10", promise_amount=value
            )
        self.assertRefused("too large", "promise", promise_date="2025-03-10", promise_amount=1e308)
        for value in (0, -5, "-1"):
            self.assertRefused("positive amount", "promise", promise_date="2025-03-10", promise_amount=value)
        self.assertRefused("more than what", "promise", promise_date="2025-03-10", promise_amount=5000.0)
        self.assertRefused("date and a positive amount", "promise", promise_date="2025-03-10")

    def test_promise_lines_must_be_open_instalments_of_the_customer(self):
        income = self.invoice.line_ids.filtered(lambda line: line.account_type != "asset_receivable")[:1]
        self.assertRefused(
            "receivable instalments",
            "promise",
            promise_date="2025-03-10",
            promise_amount=100.0,
            promise_line_ids=income.ids,
        )
        foreign = self.other_invoice.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
        self.assertRefused(
            "that customer's instalments",
            "promise",
            promise_date="2025-03-10",
            promise_amount=100.0,
            promise_line_ids=foreign.ids,
        )
        self.assertRefused(
            "instalment ids",
            "promise",
            promise_date="2025-03-10",
            promise_amount=100.0,
            promise_line_ids="abc",
        )
        self.assertRefused(
            "do not exist",
            "promise",
            promise_date="2025-03-10",
            promise_amount=100.0,
            promise_line_ids=[10**9],
        )
        own = self.invoice.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
        result = self._log(
            None, "promise", promise_date="2025-03-10", promise_amount=100.0, promise_line_ids=own.ids
        )
        self.assertEqual(self.env["collections.promise"].browse(result["promise_id"]).move_line_ids, own)

    def test_income_line_refused_on_direct_promise(self):
        income = self.invoice.line_ids.filtered(lambda line: line.account_type == "income")
        with freeze_time("2025-03-05"), self.assertRaisesRegex(ValidationError, "receivable instalments"):
            self.env["collections.promise"].with_user(self.collector).create(
                {
                    "partner_id": self.customer.id,
                    "date": date(2025, 3, 10),
                    "amount": 100.0,
                    "move_line_ids": [(6, 0, income.ids)],
                }
            )

    def test_bad_dispute_invoice(self):
        for value in ("abc", None, True, -1, 1.5):
            self.assertRefused("disputed invoice", "dispute", dispute_move_id=value, dispute_reason="Broken")
        self.assertRefused(
            "must be an invoice of", "dispute", dispute_move_id=self.other_invoice.id, dispute_reason="Broken"
        )
        self.assertRefused("must be an invoice of", "dispute", dispute_move_id=10**9, dispute_reason="Broken")
        self.assertRefused(
            "invoice and the reason", "dispute", dispute_move_id=self.invoice.id, dispute_reason="  "
        )

    def test_dispute_invoice_of_another_company(self):
        other_company = self.setup_other_company(name="Filial Norte")["company"]
        move = self._invoice(self.customer, date(2025, 3, 3), 100.0, company=other_company)
        self.assertRefused("must be an invoice of", "dispute", dispute_move_id=move.id, dispute_reason="x")

    def test_arguments_of_other_outcomes(self):
        self.assertRefused("only given with the outcome 'promise'", "other", promise_amount=10.0)
        self.assertRefused("only given with the outcome 'dispute'", "other", dispute_move_id=self.invoice.id)
        self.assertRefused("must be a text", "other", note=12)
        self.assertRefused("true or false", "other", right_party_contact="yes")

    def test_good_calls_still_work(self):
        result = self._log(None, "dispute", dispute_move_id=self.invoice.id, dispute_reason="Not delivered")
        self.assertTrue(self.env["collections.dispute"].browse(result["dispute_id"]).is_open)
        result = self._log(None, "no_answer", note="Voicemail", right_party_contact=0)
        self.assertEqual(
            self.env["collections.followup.action"].browse(result["action_id"]).outcome, "no_answer"
        )


@tagged("post_install", "-at_install")
class TestCollectorPaths(FollowupCommon):
    """Collectors and billing users postpone, exclude (with a reason), change
    the policy and open or close disputes through narrow server-side paths;
    they still cannot write a customer directly."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_policy = cls.env["collections.policy"].create(
            {"name": "Soft", "company_id": cls.company.id}
        )

    def test_collector_and_billing_user_postpone(self):
        for user, partner in ((self.collector, self.customer), (self.billing_user, self.customer_b)):
            with freeze_time("2025-03-05"):
                self.env["collections.postpone.wizard"].with_user(user).create(
                    {
                        "partner_ids": [(6, 0, partner.ids)],
                        "date": date(2025, 3, 20),
                        "reason": "Holidays",
                    }
                ).action_postpone()
            self.assertEqual(partner.collections_next_action_date, date(2025, 3, 20))
        with freeze_time("2025-03-05"):
            self.customer.with_user(self.collector).collections_postpone("2025-04-01")
            for value in ("x", "2025-03-05", "2030-01-01", 20250401):
                with self.assertRaises(UserError):
                    self.customer.with_user(self.collector).collections_postpone(value)
        self.assertEqual(self.customer.collections_next_action_date, date(2025, 4, 1))

    def test_collector_and_billing_user_exclude_and_include(self):
        for user in (self.collector, self.billing_user):
            with self.assertRaisesRegex(UserError, "reason"):
                self.customer.with_user(user).collections_exclude("  ")
            self.customer.with_user(user).collections_exclude("Judicial recovery")
            self.assertTrue(self.customer.collections_excluded)
            self.assertEqual(self.customer.collections_excluded_reason, "Judicial recovery")
            self.customer.with_user(user).collections_include()
            self.assertFalse(self.customer.collections_excluded)

    def test_collector_and_billing_user_change_policy(self):
        for user in (self.collector, self.billing_user):
            self.customer.with_user(user).collections_set_policy(self.other_policy.id)
            self.assertEqual(self.customer.collections_policy_id, self.other_policy)
            self.customer.with_user(user).collections_set_policy(False)
            self.assertFalse(self.customer.collections_policy_id)
        other_company = self.setup_other_company(name="Filial Oeste")["company"]
        foreign = self.env["collections.policy"].create({"name": "Oeste", "company_id": other_company.id})
        for value in (foreign.id, "abc", 10**9, True):
            with self.assertRaisesRegex(UserError, "policy"):
                self.customer.with_user(self.collector).collections_set_policy(value)

    def test_plain_user_is_refused(self):
        with self.assertRaises(AccessError):
            self.customer.with_user(self.plain_user).collections_exclude("x")
        with self.assertRaises(AccessError):
            self.customer.with_user(self.plain_user).collections_set_policy(self.other_policy.id)
        with self.assertRaises(AccessError):
            self.customer.with_user(self.plain_user).collections_postpone("2099-01-01")
        with self.assertRaises(AccessError):
            self.customer.with_user(self.collector).write({"collections_excluded": True})
        self.assertFalse(self.customer.collections_excluded)

    def test_collector_and_billing_user_close_a_dispute(self):
        invoice = self._invoice(self.customer, date(2025, 3, 3), 1000.0)
        for user in (self.collector, self.billing_user):
            with freeze_time("2025-03-05"):
                invoice.with_user(user).collections_dispute_open("Wrong price")
            self.assertTrue(invoice.collections_in_dispute)
            with freeze_time("2025-03-06"):
                invoice.with_user(user).collections_dispute_close("Credit note agreed")
            self.assertFalse(invoice.collections_in_dispute)
            last = self.env["collections.dispute"].search([("move_id", "=", invoice.id)], limit=1)
            self.assertEqual(last.closed_by_id, user)
        with self.assertRaises(AccessError):
            invoice.with_user(self.plain_user).collections_dispute_open("x")
        with self.assertRaisesRegex(UserError, "not in dispute"):
            invoice.with_user(self.collector).collections_dispute_close()
