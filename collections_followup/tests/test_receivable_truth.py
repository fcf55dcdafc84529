from datetime import date

from odoo.tests import tagged

from .followup_common import FollowupCommon

SATURDAY, MONDAY, TUESDAY = date(2025, 3, 1), date(2025, 3, 3), date(2025, 3, 4)


@tagged("post_install", "-at_install")
class TestReceivableTruth(FollowupCommon):
    """One reader, one definition of overdue, stored communications."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.regua.write({"fine_rate": 2.0, "monthly_interest_rate": 1.0})

    def _overdue_everywhere(self, partner, as_of):
        """(follow-up overview, credit check, late-charge boxes) overdue on ``as_of``."""
        self.company.collections_hold_on_overdue = True
        self.company.collections_hold_overdue_days = 0
        engine = self.env["collections.followup.run"]
        data = engine._gather(self.company, as_of, partner_ids=partner.ids)
        followup = engine._overview(data).get(partner.id, {}).get("overdue", 0.0)
        state, _settings = partner._collections_credit_data(self.company, as_of)[partner.id]
        late_lines = self.env["account.move.line"].search(
            [
                ("move_id.partner_id", "=", partner.id),
                ("account_id.account_type", "=", "asset_receivable"),
            ]
        )
        charges = late_lines._collections_late_charges(as_of)
        charged = sum(values["total"] for values in charges.values())
        return followup, float(state.overdue_amount), charged

    def test_saturday_due_date_same_answer_everywhere(self):
        self._invoice(self.customer, SATURDAY, 1000.0)
        followup, credit, charges = self._overdue_everywhere(self.customer, MONDAY)
        self.assertEqual((followup, credit, charges), (0.0, 0.0, 0.0), "Due Saturday: not overdue on Monday")
        reasons = self.customer._collections_credit_data(self.company, MONDAY)[self.customer.id][0]
        self.assertIsNone(reasons.oldest_overdue_due_date)
        followup, credit, charges = self._overdue_everywhere(self.customer, TUESDAY)
        self.assertEqual(followup, 1000.0)
        self.assertEqual(credit, 1000.0)
        self.assertGreater(charges, 0.0, "Overdue on Tuesday: the fine accrues")

    def test_tolerance_compared_in_company_currency(self):
        usd = self.setup_other_currency("EUR", rates=[("2020-01-01", 0.2)])  # 1 EUR = 5.00 company currency
        self.regua.tolerance_amount = 1.0
        self._invoice(self.customer, date(2025, 2, 3), 0.90, currency=usd)
        self._run("2025-03-14")
        action = self._actions(self.customer)
        self.assertEqual(
            len(action), 1, "EUR 0.90 is worth 4.50 in company currency: above the 1.00 tolerance"
        )
        self.regua.tolerance_amount = 5.0
        data = self.env["collections.followup.run"]._gather(self.company, date(2025, 3, 20))
        self.assertEqual(
            self.env["collections.followup.run"]._overview(data)[self.customer.id]["overdue"], 0.0
        )

    def test_undue_instalment_never_in_the_overdue_total(self):
        self.customer.lang = "en_US"
        self._invoice(self.customer, date(2025, 3, 3), 8000.0)
        self._invoice(self.customer, date(2025, 3, 17), 8000.0)  # due in 3 days on 03-14
        self._run("2025-03-14")
        action = self._actions(self.customer)
        self.assertEqual(action.level_id, self.level_firm)
        overdue = action.line_ids.filtered("overdue")
        self.assertEqual(overdue.mapped("amount_residual"), [8000.0])
        self.assertEqual(len(action.line_ids), 2)
        self.assertEqual(action._claim_groups()[0]["residual"], 8000.0)
        self.assertEqual(action._upcoming_groups()[0]["residual"], 8000.0)
        body = action.mail_id.body_html
        self.assertIn("To fall due", body)
        overdue_part, _sep, upcoming_part = body.partition("To fall due")
        self.assertIn(action.line_ids.filtered(lambda ln: not ln.overdue).move_id.name, upcoming_part)
        self.assertNotIn(action.line_ids.filtered(lambda ln: not ln.overdue).move_id.name, overdue_part)
        self.assertEqual(action.amount_claimed, 8000.0 + sum(overdue.mapped("amount_charges")))

    def test_charges_already_invoiced_are_not_claimed_again(self):
        self.regua.write(
            {
                "charge_invoicing": "on_demand",
                "fine_account_id": self.company_data["default_account_revenue"].id,
                "interest_account_id": self.company_data["default_account_revenue"].id,
                "correction_account_id": self.company_data["default_account_revenue"].id,
            }
        )
        invoice = self._invoice(self.customer, date(2025, 2, 3), 1000.0)
        as_of = date(2025, 3, 14)
        charge = invoice.collections_invoice_late_charges(as_of=as_of.isoformat())
        charge_move = self.env["account.move"].search(
            [("collections_is_charge_invoice", "=", True), ("partner_id", "=", self.customer.id)]
        )
        self.assertEqual(len(charge_move), 1, charge)
        charged = charge_move.amount_total
        self.assertGreater(charged, 0.0)
        self._run(as_of.isoformat())
        action = self._actions(self.customer)
        line = action.line_ids.filtered(lambda ln: ln.move_id == invoice)
        self.assertAlmostEqual(line.amount_charged, charged, places=2)
        self.assertAlmostEqual(
            line.amount_charges, 0.0, places=2, msg="Nothing accrued since the charge invoice"
        )
        self.assertAlmostEqual(line.amount_updated, 1000.0, places=2)
        charge_line = action.line_ids.filtered(lambda ln: ln.move_id == charge_move)
        self.assertEqual(len(charge_line), 1, "The open charge invoice appears once, as its own instalment")
        self.assertAlmostEqual(charge_line.amount_residual, charged, places=2)
        self.assertAlmostEqual(
            charge_line.amount_charges, 0.0, places=2, msg="A charge invoice accrues nothing"
        )
        overdue = sum(group["claimed"] for group in action._claim_groups())
        upcoming = sum(group["residual"] for group in action._upcoming_groups())
        self.assertAlmostEqual(overdue + upcoming, 1000.0 + charged, places=2, msg="Exactly what is owed")
        self.assertEqual(action.mail_id.body_html.count(charge_move.name), 1)

    def test_reprint_shows_what_was_sent(self):
        invoice = self._invoice(self.customer, date(2025, 3, 3), 1000.0)
        self._run("2025-03-14")
        action = self._actions(self.customer)
        before = action._claim_groups()
        self._pay(invoice, 400.0, date(2025, 3, 15))
        after = action._claim_groups()
        self.assertEqual(before[0]["residual"], 1000.0)
        self.assertEqual(after[0]["residual"], 1000.0, "The stored communication does not change")
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("collections_followup.report_followup_letter", action.ids)[0]
            .decode()
        )
        self.assertIn(invoice.name, html)
        letterhead = html.split('class="page"')[0]
        self.assertIn(self.company.name, letterhead, "The letterhead is in the page body")
        self.assertIn(self.customer.name, letterhead, "So is the addressee")

    def test_backlog_gets_a_notice_before_measures(self):
        self.customer.lang = "en_US"
        # 60 days late on the first run: formal notice (hold + suspension) must wait for a notice
        self._invoice(self.customer, date(2025, 1, 13), 1000.0)
        self._run("2025-03-14")
        first = self._actions(self.customer)
        self.assertEqual(first.level_id, self.level_firm, "The highest notice level without measures first")
        self.assertFalse(first.has_previous_notice)
        self.assertNotIn("previous reminders", first.mail_id.body_html)
        partner = self.customer.with_company(self.company)
        self.assertFalse(partner.service_suspended_date)
        self.assertFalse(partner.credit_hold_level_id)
        self._run("2025-03-20")  # 6 days after the notice: not yet
        self.assertEqual(len(self._actions(self.customer)), 1)
        self._run("2025-03-24")  # 10 days after the notice: the level reached (protest) now
        last = self._actions(self.customer)[-1]
        self.assertEqual(last.level_id, self.level_protest)
        self.assertEqual(last.state, "planned", "Protest waits for a collector's review")
        self.assertTrue(last.has_previous_notice)

    def test_future_date_refused_unless_simulated(self):
        from odoo.exceptions import UserError

        self._invoice(self.customer, date(2025, 3, 3), 1000.0)
        with self.assertRaises(UserError):
            self._run("2199-01-01")
        for bad in ("2026-02-30", 20261122, True, 0, 1.5, ["2025-03-14"], "0001-01-01", "9999-12-31", "x"):
            with self.assertRaises(UserError, msg=repr(bad)):
                self._run(bad)
        for bad in (True, "1", [True], ["x"], 2.0, [999999999]):
            with self.assertRaises(UserError, msg=repr(bad)):
                self._run("2025-03-14", company_ids=bad)
        with self.assertRaises(UserError):
            self._run("2025-03-14", simulate="yes")
        from datetime import timedelta

        from odoo import fields

        next_month = fields.Date.context_today(self.env.user) + timedelta(days=30)
        with self.assertRaises(UserError):
            self._run(next_month.isoformat())
        summary = self._run(next_month.isoformat(), simulate=True)
        self.assertEqual(summary["partners_contacted"], 1)
        self.assertFalse(summary["run_ids"])
        self.assertFalse(self._actions(self.customer), "A simulation writes nothing")
        self.assertFalse(
            self.env["collections.followup.pair"]
            .search([])
            .filtered(lambda pair: pair.move_line_id.partner_id == self.customer)
        )

    def test_run_is_recorded(self):
        self._invoice(self.customer, date(2025, 3, 3), 1000.0)
        summary = self._run("2025-03-14")
        run = self.env["collections.run"].browse(summary["run_ids"])
        self.assertEqual(len(run), 1)
        self.assertEqual(run.state, "done")
        self.assertEqual(run.partners_contacted, summary["partners_contacted"])
        self.assertEqual(run.action_ids, self._actions(self.customer))

    def test_poison_customer_does_not_stop_the_others(self):
        self._invoice(self.customer, date(2025, 3, 3), 1000.0)
        self._invoice(self.customer_b, date(2025, 3, 3), 500.0)
        bad = self.env.ref("collections_followup.mail_template_followup_firm").copy(
            {
                "body_html": '<p t-out="object.partner_id.name if object.partner_id.id != %d else 1/0"/>'
                % self.customer.id,
            }
        )
        self.level_firm.mail_template_id = bad
        summary = self._run("2025-03-14")
        self.assertFalse(self._actions(self.customer), "The failing contact is rolled back")
        self.assertEqual(len(self._actions(self.customer_b)), 1, "The other customer is contacted")
        run = self.env["collections.run"].browse(summary["run_ids"])
        self.assertIn(self.customer.name, run.log)
        self.assertEqual(run.state, "done")

    def test_payment_after_gathering_is_not_claimed(self):
        invoice = self._invoice(self.customer, date(2025, 3, 3), 1000.0)
        other = self._invoice(self.customer_b, date(2025, 3, 3), 500.0)
        engine = self.env["collections.followup.run"].with_company(self.company)
        as_of = date(2025, 3, 14)
        data = engine._gather(self.company, as_of)
        contacts, _postponed = engine._plan(data)
        self.assertEqual(len(contacts), 2)
        self._pay(invoice, 1000.0, date(2025, 3, 14))  # paid while the run was busy
        counts = {
            key: 0 for key in ("actions_planned", "partners_contacted", "actions_done", "actions_failed")
        }
        engine._execute_batch(data, contacts, counts)
        self.assertFalse(self._actions(self.customer), "Nothing is claimed from a customer who just paid")
        self.assertEqual(self._actions(self.customer_b).line_ids.move_id, other)
        line = invoice.line_ids.filtered(lambda ln: ln.account_type == "asset_receivable")
        self.assertFalse(self.env["collections.followup.pair"].search([("move_line_id", "=", line.id)]))

    def test_overdue_drill_down_follows_the_same_rule(self):
        from freezegun import freeze_time

        invoice = self._invoice(self.customer, SATURDAY, 1000.0)
        line = invoice.line_ids.filtered(lambda ln: ln.account_type == "asset_receivable")
        with freeze_time(MONDAY):
            domain = self.customer.action_collections_overdue()["domain"]
            self.assertNotIn(line, self.env["account.move.line"].search(domain))
        with freeze_time(TUESDAY):
            domain = self.customer.action_collections_overdue()["domain"]
            self.assertIn(line, self.env["account.move.line"].search(domain))

    def test_failing_company_does_not_stop_the_others(self):
        from unittest.mock import patch

        from odoo.tools import mute_logger

        from ..models.collections_followup_run import CollectionsFollowupRun

        other = self.env["res.company"].create(
            {"name": "Filial Quebrada", "currency_id": self.company.currency_id.id}
        )
        self._invoice(self.customer, date(2025, 3, 3), 1000.0)
        original = CollectionsFollowupRun._run_company_steps

        def broken_for_other(engine, run, as_of, auto_commit, counts, log):
            if engine.env.company == other:
                counts["partners_contacted"] += 99  # half-done work that must not count
                raise RuntimeError("database of the branch is corrupt")
            return original(engine, run, as_of, auto_commit, counts, log)

        with (
            patch.object(CollectionsFollowupRun, "_run_company_steps", broken_for_other),
            mute_logger("odoo.addons.collections_followup.models.collections_followup_run"),
        ):
            summary = self.env["collections.policy"].run_followup(
                as_of="2025-03-14", company_ids=[other.id, self.company.id]
            )
        by_company = {item["company_id"]: item for item in summary["companies"]}
        self.assertEqual(by_company[other.id]["state"], "failed")
        self.assertIn("corrupt", by_company[other.id]["log"])
        self.assertEqual(by_company[self.company.id]["state"], "done")
        self.assertEqual(len(self._actions(self.customer)), 1, "The other company's customers are contacted")
        self.assertEqual(summary["partners_contacted"], 1)
        failed_run = self.env["collections.run"].browse(by_company[other.id]["run_id"])
        self.assertTrue(failed_run.activity_ids, "An activity tells a Collections Manager")

    def test_credit_overdue_follows_a_new_holiday(self):
        from datetime import datetime

        self._invoice(self.customer, SATURDAY, 1000.0)
        state = self.customer._collections_credit_data(self.company, TUESDAY)[self.customer.id][0]
        self.assertEqual(float(state.overdue_amount), 1000.0, "Effective due date Monday: late on Tuesday")
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Carnaval",
                "calendar_id": self.company.resource_calendar_id.id,
                "date_from": datetime(2025, 3, 3, 0, 0),
                "date_to": datetime(2025, 3, 3, 23, 59, 59),
            }
        )
        state = self.customer._collections_credit_data(self.company, TUESDAY)[self.customer.id][0]
        self.assertEqual(float(state.overdue_amount), 0.0, "Monday is a holiday now: due on Tuesday")
        engine = self.env["collections.followup.run"]
        data = engine._gather(self.company, TUESDAY, partner_ids=self.customer.ids)
        self.assertEqual(engine._overview(data)[self.customer.id]["overdue"], 0.0)

    def test_a_cancelled_notice_is_not_a_notice(self):
        # the firm notice is queued, then cancelled before it went (the loop was closed):
        # the measures of the protest level may not count on it
        self.customer.lang = "en_US"
        invoice = self._invoice(self.customer, date(2025, 1, 13), 1000.0)
        self._run("2025-03-14")
        notice = self._actions(self.customer)
        self.assertEqual(notice.level_id, self.level_firm)
        lines = invoice.line_ids.filtered(lambda aml: aml.account_type == "asset_receivable")
        self.env["collections.followup.action"]._collections_close_loop(lines, "test: mail withdrawn")
        self.assertEqual(notice.mail_id.state, "cancel")
        engine = self.env["collections.followup.run"]
        self.assertFalse(engine._partners_with_notice(self.company, self.customer.ids))
        self._run("2025-03-24")
        self.assertEqual(len(self._actions(self.customer)), 1, "No protest without a notice received")
        self.assertEqual(self.customer.with_company(self.company).collections_escalation, False)
