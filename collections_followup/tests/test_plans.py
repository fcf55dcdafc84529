import re
from contextlib import contextmanager
from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .followup_common import FollowupCommon

DUE = date(2025, 3, 3)
TODAY = "2025-04-02"  # 30 days after DUE


@tagged("post_install", "-at_install")
class TestPaymentPlans(FollowupCommon):
    """Plans renegotiate overdue instalments: a balanced renegotiation entry
    reconciled with the invoices, new receivable instalments, charges
    included or waived (never both), discount limits, breaking and completion."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()

        def account(code, name, kind):
            return cls.env["account.account"].create(
                {"code": code, "name": name, "account_type": kind, "company_ids": [cls.company.id]}
            )

        cls.fine_account = account("739101", "Multas recebidas", "income_other")
        cls.interest_account = account("739102", "Juros de mora recebidos", "income_other")
        cls.discount_account = account("639101", "Descontos concedidos", "expense")
        cls.plan_interest_account = account("739103", "Juros de parcelamento", "income_other")
        cls.regua.write(
            {
                "fine_rate": 2.0,
                "monthly_interest_rate": 1.0,
                "charge_invoicing": "on_payment",
                "fine_account_id": cls.fine_account.id,
                "interest_account_id": cls.interest_account.id,
                "plan_break_days": 30,
            }
        )
        cls.company.write(
            {
                "collections_plan_discount_account_id": cls.discount_account.id,
                "collections_plan_interest_account_id": cls.plan_interest_account.id,
                "collections_plan_discount_threshold": 10.0,
            }
        )
        cls.invoice_a = cls._invoice(cls.customer, DUE, 1000.0)
        cls.invoice_b = cls._invoice(cls.customer, DUE, 500.0)
        cls.instalments = (cls.invoice_a | cls.invoice_b).line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        )

    # --- helpers ---------------------------------------------------------------
    def _plan(self, user=None, lines=None, **values):
        """Negotiate through the wizard as ``user`` (the collector by default)."""
        user = user or self.collector
        wizard = (
            self.env["collections.plan.wizard"]
            .with_user(user)
            .with_context(active_model="res.partner", active_ids=self.customer.ids)
            .create(
                {
                    "first_due_date": "2025-05-02",
                    "instalment_count": 3,
                    **values,
                }
            )
        )
        if lines is not None:
            wizard.move_line_ids = [Command.set(lines.ids)]
        action = wizard.action_confirm()
        return self.env["collections.plan"].browse(action["res_id"])

    @contextmanager
    def _refused(self, exception, message):
        """assertRaisesRegex that rolls back what was done before the error."""
        with self.assertRaisesRegex(exception, message), self.env.cr.savepoint():
            yield

    def _receivable_balance(self, partner):
        lines = self.env["account.move.line"].search(
            [
                ("partner_id", "=", partner.id),
                ("account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
            ]
        )
        return self.company.currency_id.round(sum(lines.mapped("amount_residual")))

    def _charges_to_date(self):
        charges = self.instalments._collections_late_charges(TODAY)
        return round(sum(values["to_invoice"] for values in charges.values()), 2)

    # --- confirming ------------------------------------------------------------
    @freeze_time(TODAY)
    def test_plan_settles_the_invoices_and_opens_new_instalments(self):
        charges = self._charges_to_date()
        self.assertGreater(charges, 0, "30 days late: fine and interest accrued")
        plan = self._plan()
        self.assertEqual(plan.state, "active")
        self.assertEqual(
            plan.move_line_ids, self.instalments, "The overdue instalments are picked by default"
        )
        self.assertAlmostEqual(plan.debt_amount, 1500.0)
        self.assertAlmostEqual(plan.charges_amount, charges)
        self.assertAlmostEqual(plan.total_amount, 1500.0 + charges)
        # the invoices show as paid by the renegotiation
        self.assertEqual(set((self.invoice_a | self.invoice_b).mapped("payment_state")), {"paid"})
        self.assertTrue(all(self.instalments.mapped("reconciled")))
        move = plan.move_id
        self.assertTrue(move.collections_is_plan)
        self.assertEqual(move.state, "posted")
        self.assertAlmostEqual(sum(move.line_ids.mapped("debit")), sum(move.line_ids.mapped("credit")))
        new = move.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable" and line.balance > 0
        )
        self.assertEqual(new.mapped("date_maturity"), [date(2025, 5, 2), date(2025, 6, 2), date(2025, 7, 2)])
        self.assertEqual(plan.line_ids.move_line_id, new)
        self.assertAlmostEqual(sum(plan.line_ids.mapped("amount")), plan.total_amount, places=2)
        # customer's receivable = old debt + included charges - discount (none)
        self.assertAlmostEqual(self._receivable_balance(self.customer), 1500.0 + charges, places=2)
        income = move.line_ids.filtered(
            lambda line: line.account_id in self.fine_account | self.interest_account
        )
        self.assertAlmostEqual(-sum(income.mapped("balance")), charges, places=2)
        # the charges are recorded as charged by the plan entry: nothing left, nothing invoiced again
        recorded = self.env["collections.charge"].search([("move_line_id", "in", self.instalments.ids)])
        self.assertEqual(set(recorded.mapped("state")), {"invoiced"})
        self.assertEqual(recorded.charge_move_id, move)
        self.assertFalse(
            self.env["account.move"].search(
                [("collections_is_charge_invoice", "=", True), ("partner_id", "=", self.customer.id)]
            ),
            "Settling by plan does not invoice the late charges on payment",
        )
        self.assertIn("Payment plan", self.customer.message_ids[0].body)

    @freeze_time(TODAY)
    def test_charges_not_included_are_waived_and_discount_booked(self):
        charges = self._charges_to_date()
        plan = self._plan(
            user=self.collections_manager, include_charges=False, discount_value=100.0, down_payment=200.0
        )
        self.assertAlmostEqual(plan.waived_amount, charges)
        self.assertAlmostEqual(plan.charges_amount, 0.0)
        self.assertAlmostEqual(plan.total_amount, 1400.0)
        self.assertEqual(plan.line_ids.mapped("number"), [0, 1, 2, 3])
        self.assertEqual(plan.line_ids[0].move_line_id.date_maturity, date(2025, 4, 2))
        self.assertAlmostEqual(plan.line_ids[0].amount, 200.0)
        self.assertAlmostEqual(self._receivable_balance(self.customer), 1400.0, places=2)
        discount = plan.move_id.line_ids.filtered(lambda line: line.account_id == self.discount_account)
        self.assertAlmostEqual(discount.balance, 100.0)
        recorded = self.env["collections.charge"].search([("move_line_id", "in", self.instalments.ids)])
        self.assertEqual(set(recorded.mapped("state")), {"waived"}, "Waived, never both")
        self.assertAlmostEqual(sum(recorded.mapped("total_amount")), charges, places=2)

    @freeze_time(TODAY)
    def test_price_table_interest_is_income_of_the_plan(self):
        plan = self._plan(
            lines=self.invoice_a.line_ids.filtered(lambda line: line.account_type == "asset_receivable"),
            include_charges=False,
            instalment_count=12,
            interest_rate=2.0,
            user=self.collections_manager,
        )
        self.assertAlmostEqual(plan.total_amount, 1000.0)
        self.assertAlmostEqual(plan.plan_interest_amount, 134.72)  # 94.56 * 12 - 1000 (PMT 94.5596)
        self.assertAlmostEqual(sum(plan.line_ids.mapped("amount")), 1134.72, places=2)
        interest = plan.move_id.line_ids.filtered(lambda line: line.account_id == self.plan_interest_account)
        self.assertAlmostEqual(-interest.balance, 134.72)
        self.assertEqual(self.invoice_b.payment_state, "not_paid", "Only the chosen invoice is renegotiated")

    # --- limits and bad input ----------------------------------------------------
    @freeze_time(TODAY)
    def test_large_discount_needs_a_manager(self):
        with self._refused(AccessError, "only a Collections Manager"):
            self._plan(discount_type="percent", discount_value=20.0)
        self.assertEqual(self.invoice_a.payment_state, "not_paid", "Nothing changed")
        self.assertFalse(self.env["collections.plan"].search([("partner_id", "=", self.customer.id)]))
        with self._refused(AccessError, "only a Collections Manager"):
            # 8 % of the debt plus the waived charges (about 3 %) is above 10 %
            self._plan(include_charges=False, discount_type="percent", discount_value=8.0)
        plan = self._plan(discount_type="percent", discount_value=5.0)
        self.assertEqual(plan.state, "active", "A collector grants a discount under the threshold")

    @freeze_time(TODAY)
    def test_bad_input_is_refused_and_changes_nothing(self):
        paid = self._invoice(self.customer, DUE, 300.0)
        self._pay(paid, 300.0, date(2025, 3, 1))
        paid_line = paid.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
        other_company = self.setup_other_company(name="Filial Sul")["company"]
        foreign = self._invoice(self.customer, DUE, 100.0, company=other_company)
        foreign_line = foreign.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
        cases = [
            ({"lines": self.env["account.move.line"]}, "at least one open instalment"),
            ({"down_payment": 5000.0}, "down payment"),
            ({"first_due_date": "2025-04-01"}, "cannot be before today"),
            ({"discount_value": 99999.0, "user": self.collections_manager}, "must be below the debt"),
            ({"lines": self.instalments | paid_line}, "not an open instalment"),
            ({"lines": self.instalments | foreign_line}, "only renegotiate instalments of that company"),
        ]
        for values, message in cases:
            with self.subTest(message=message), self._refused(UserError, message):
                self._plan(**values)
        self.assertEqual(set((self.invoice_a | self.invoice_b).mapped("payment_state")), {"not_paid"})
        self.assertFalse(self.env["collections.plan"].search([("partner_id", "=", self.customer.id)]))

    # --- life of a plan ----------------------------------------------------------
    def test_late_instalment_breaks_the_plan_and_accelerates(self):
        with freeze_time(TODAY):
            plan = self._plan(include_charges=False, discount_value=0.0, user=self.collections_manager)
        Plan = self.env["collections.plan"]
        self.assertEqual(
            Plan._cron_update_plans("2025-06-01"),
            {"completed": 0, "broken": 0},
            "30 days late is still within the policy",
        )
        self.assertEqual(Plan._cron_update_plans("2025-06-02"), {"completed": 0, "broken": 1})
        self.assertEqual(plan.state, "broken")
        self.assertEqual(plan.break_date, date(2025, 6, 2))
        self.assertEqual(
            set(plan.line_ids.move_line_id.mapped("date_maturity")),
            {date(2025, 5, 2), date(2025, 6, 2)},
            "The remaining balance fell due at once",
        )
        self.assertEqual(self.customer.collections_plan_broken_count, 1)
        self.assertEqual(self.customer.collections_plan_kept_count, 0)
        told = self.customer.message_ids.filtered(lambda m: "is broken" in (m.body or ""))
        self.assertEqual(told.partner_ids, self.customer, "The customer is told")

    def test_plan_paid_to_the_end_is_completed(self):
        with freeze_time(TODAY):
            plan = self._plan(include_charges=False, user=self.collections_manager)
        lines = plan.line_ids.move_line_id
        self.env["account.payment.register"].with_context(
            active_model="account.move.line",
            active_ids=lines.ids,
        ).create({"payment_date": date(2025, 5, 2), "group_payment": True})._create_payments()
        self.assertTrue(all(lines.mapped("reconciled")))
        self.assertEqual(
            self.env["collections.plan"]._cron_update_plans("2025-07-03"), {"completed": 1, "broken": 0}
        )
        self.assertEqual(plan.state, "completed")
        self.assertEqual(self.customer.collections_plan_kept_count, 1)
        self.assertAlmostEqual(self._receivable_balance(self.customer), 0.0)

    @freeze_time(TODAY)
    def test_cancelling_an_active_plan_reopens_the_invoices(self):
        plan = self._plan(user=self.collections_manager, include_charges=False)
        with self._refused(AccessError, "Collections Manager"):
            plan.with_user(self.collector).action_cancel()
        plan.with_user(self.collections_manager).action_cancel()
        self.assertEqual(plan.state, "cancelled")
        self.assertEqual(plan.move_id.state, "cancel")
        self.assertEqual(set((self.invoice_a | self.invoice_b).mapped("payment_state")), {"not_paid"})
        self.assertFalse(
            self.env["collections.charge"].search([("move_line_id", "in", self.instalments.ids)]),
            "The waiver is undone with the plan",
        )
        self.assertAlmostEqual(self._receivable_balance(self.customer), 1500.0)

    @freeze_time(TODAY)
    def test_plan_instalments_are_in_the_receivable_snapshot(self):
        plan = self._plan(include_charges=False, user=self.collections_manager)
        snapshot = self.env["collections.receivable"]._snapshot(
            self.company, date(2025, 5, 6), self.customer.ids
        )
        self.assertEqual(set(snapshot.items), set(plan.line_ids.move_line_id.ids))
        self.assertEqual(
            [snapshot.is_overdue(snapshot.items[line.id]) for line in plan.line_ids.move_line_id],
            [True, False, False],
        )

    @freeze_time(TODAY)
    def test_agreement_prints_parties_origin_schedule_and_breach(self):
        plan = self._plan(include_charges=False, user=self.collections_manager)
        html, _format = self.env["ir.actions.report"]._render_qweb_html(
            "collections_followup.report_plan_agreement", plan.ids
        )
        text = " ".join(re.sub(r"<[^>]+>", " ", html.decode()).split())
        for expected in (
            "Acknowledgement of Debt",
            plan.name,
            "Debtor: Padaria Pão Quente",
            "Creditor: " + self.company.name,
            self.invoice_a.name + " 03/03/2025 $ 1,000.00",
            self.invoice_b.name + " 03/03/2025 $ 500.00",
            "Late charges waived",
            "1 05/02/2025 $ 500.00",
            "3 07/02/2025 $ 500.00",
            "more than 30 days after its due date breaks this agreement",
            "falls due at once",
        ):
            self.assertIn(expected, text)

    def test_confirming_stops_the_pending_follow_up(self):
        self.customer.collections_responsible_id = self.collector
        self._run("2025-03-13")  # firm level: e-mail queued and a call activity
        action = self._actions(self.customer)
        self.assertEqual(action.mail_id.state, "outgoing")
        with freeze_time("2025-03-14"):
            plan = self._plan()
        self.assertEqual(action.mail_id.state, "cancel", "The queued e-mail is never sent")
        self.assertIn(plan.name, action.mail_id.failure_reason)
        self.assertFalse(
            self.env["mail.activity"].search(
                [("res_model", "=", "res.partner"), ("res_id", "=", self.customer.id)]
            ),
            "The call is marked done",
        )

    @freeze_time(TODAY)
    def test_wizard_from_selected_invoices_previews_the_schedule(self):
        wizard = (
            self.env["collections.plan.wizard"]
            .with_user(self.collector)
            .with_context(active_model="account.move", active_ids=self.invoice_b.ids)
            .create({"first_due_date": "2025-05-02", "instalment_count": 2, "include_charges": False})
        )
        self.assertEqual(wizard.partner_id, self.customer)
        self.assertEqual(
            wizard.move_line_ids,
            self.invoice_b.line_ids.filtered(lambda line: line.account_type == "asset_receivable"),
        )
        self.assertFalse(wizard.preview_error)
        self.assertIn("$ 250.00", wizard.preview_html.replace("\xa0", " "))
        wizard.down_payment = 600.0
        self.assertIn("down payment", wizard.preview_error)
        self.assertFalse(
            self.env["collections.plan"].search([("partner_id", "=", self.customer.id)]),
            "A preview creates nothing",
        )
