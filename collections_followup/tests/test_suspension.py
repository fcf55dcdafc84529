from contextlib import contextmanager
from datetime import date, datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .followup_common import FollowupCommon

DUE = date(2025, 3, 3)  # Monday
NOTICE = "2025-04-02"  # Wednesday: the formal notice (+30)
PLANNED = date(2025, 4, 14)  # 04-12 is a Saturday: moved to Monday


@tagged("post_install", "-at_install")
class TestServiceSuspension(FollowupCommon):
    """Suspension announced by the formal notice (Lei 14.015/2020): the date
    rule, the notice text, the daily job, lifting, and the manager's hand."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.level_formal.write({"announce_suspension": True})
        cls.regua.write({"suspension_notice_days": 10})
        cls.customer.with_company(cls.company).collections_responsible_id = cls.collector

    @contextmanager
    def _refused(self, exception, message):
        with self.assertRaisesRegex(exception, message), self.env.cr.savepoint():
            yield

    def _holiday(self, day):
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Holiday",
                "calendar_id": self.company.resource_calendar_id.id,
                "date_from": datetime.combine(day, datetime.min.time()),
                "date_to": datetime(day.year, day.month, day.day, 23, 59, 59),
            }
        )

    def _announce(self):
        """Invoice due DUE, firm notice, then the formal notice announcing."""
        invoice = self._invoice(self.customer, DUE, 1000.0)
        self._run("2025-03-13")
        self._run(NOTICE)
        action = self._actions(self.customer, level_id=self.level_formal.id)
        self.assertEqual(len(action), 1)
        return invoice, action

    def _suspend_messages(self):
        return self.customer.message_ids.filtered(lambda m: "Service suspended on" in (m.body or ""))

    # --- the date ------------------------------------------------------------
    def test_planned_date_avoids_weekends_fridays_and_holiday_eves(self):
        policy = self.regua
        plan = policy._collections_planned_suspension_date
        # Wednesday + 10 = Saturday: Saturday, Sunday skipped, Monday
        self.assertEqual(plan(date(2025, 3, 12)), date(2025, 3, 24))
        # Friday notice + 7 = Friday: no suspension on a Friday
        policy.suspension_notice_days = 7
        self.assertEqual(plan(date(2025, 3, 14)), date(2025, 3, 24))
        # a holiday on Tuesday 03-25: Monday is its eve, Tuesday the holiday
        self._holiday(date(2025, 3, 25))
        self.assertEqual(plan(date(2025, 3, 14)), date(2025, 3, 26))
        # the Lei 14.015 rule switched off: only non-working days are avoided
        policy.suspension_lei_14015 = False
        self.assertEqual(plan(date(2025, 3, 14)), date(2025, 3, 21), "a Friday is a working day")
        self.assertEqual(plan(date(2025, 3, 18)), date(2025, 3, 26), "the holiday itself is skipped")
        with self.assertRaises(ValidationError):
            policy.suspension_notice_days = -1

    def test_announce_needs_suspend_service_and_a_written_notice(self):
        with self.assertRaisesRegex(ValidationError, "check Suspend Service"):
            self.level_firm.announce_suspension = True
        with self.assertRaisesRegex(ValidationError, "e-mail or print a letter"):
            self.level_formal.write({"send_email": False, "send_letter": False, "letter_fallback": False})

    # --- the notice ----------------------------------------------------------
    def test_notice_states_the_date_and_does_not_suspend_yet(self):
        _invoice, action = self._announce()
        self.assertEqual(action.suspension_planned_date, PLANNED)
        self.assertEqual(action.suspension_state, "announced")
        self.assertFalse(action.service_suspended)
        self.assertFalse(self.customer.service_suspended_date, "announced, not suspended")
        self.assertEqual(self.customer.credit_hold_level_id, self.level_formal, "the hold still applies")
        body = str(action.mail_id.body_html)
        self.assertIn("the service will be suspended on", body)
        self.assertIn("04/14/2025", body)
        letter = action.letter_attachment_id.raw.decode()
        self.assertIn("the service will be suspended on", letter)
        self.assertIn("04/14/2025", letter)
        # in the customer's language: the date formatted with its format
        self.env["res.lang"]._activate_lang("pt_BR")
        self.customer.lang = "pt_BR"
        self.assertIn("14/04/2025", str(action.with_context(lang="pt_BR")._collections_mail_claim_table()))
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("collections_followup.collections_followup_letter_report", action.ids)[0]
            .decode()
        )
        self.assertIn("14/04/2025", html)

    # --- the daily job -------------------------------------------------------
    def test_suspended_on_the_date_when_unpaid(self):
        _invoice, action = self._announce()
        Action = self.env["collections.followup.action"]
        self.assertEqual(Action._cron_collections_suspensions("2025-04-13"), {"suspended": 0, "cancelled": 0})
        self.assertFalse(self.customer.service_suspended_date)
        self.assertEqual(Action._cron_collections_suspensions("2025-04-14"), {"suspended": 1, "cancelled": 0})
        self.assertEqual(self.customer.service_suspended_date, PLANNED)
        self.assertIn("still unpaid", self.customer.service_suspension_reason)
        self.assertEqual(action.suspension_state, "suspended")
        self.assertEqual(len(self._suspend_messages()), 1, "logged in the chatter")
        mail = self.env["mail.mail"].search(
            [
                ("model", "=", action._name),
                ("res_id", "=", action.id),
                ("subject", "like", "Service suspended"),
            ]
        )
        self.assertEqual(len(mail), 1, "the customer is told by e-mail")
        self.assertIn("04/14/2025", str(mail.body_html))
        self.assertEqual(mail.recipient_ids, self.customer)
        activity = self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "=", self.customer.id),
                ("summary", "=", "Suspend the service"),
            ]
        )
        self.assertEqual(activity.user_id, self.collector, "whoever cuts the service is asked to")
        self.assertEqual(Action._cron_collections_suspensions("2025-04-15"), {"suspended": 0, "cancelled": 0})

    def test_run_applies_the_suspension_too(self):
        self._announce()
        self._run("2025-04-14")
        self.assertEqual(self.customer.service_suspended_date, PLANNED)

    def test_not_suspended_when_paid_before_the_date(self):
        invoice, action = self._announce()
        self._pay(invoice, 1000.0, date(2025, 4, 10))
        result = self.env["collections.followup.action"]._cron_collections_suspensions("2025-04-14")
        self.assertEqual(result, {"suspended": 0, "cancelled": 1})
        self.assertEqual(action.suspension_state, "cancelled")
        self.assertFalse(self.customer.service_suspended_date)

    def test_not_suspended_when_promised(self):
        _invoice, action = self._announce()
        with freeze_time("2025-04-10"):
            self.customer.with_user(self.collector).collections_log_contact(
                "promise", promise_date="2025-04-20", promise_amount=1000.0
            )
        result = self.env["collections.followup.action"]._cron_collections_suspensions("2025-04-14")
        self.assertEqual(result, {"suspended": 0, "cancelled": 1})
        self.assertFalse(self.customer.service_suspended_date)

    def test_partial_payment_still_suspends(self):
        invoice, action = self._announce()
        self._pay(invoice, 400.0, date(2025, 4, 10))
        self.env["collections.followup.action"]._cron_collections_suspensions("2025-04-14")
        self.assertEqual(self.customer.service_suspended_date, PLANNED)

    # --- lifting -------------------------------------------------------------
    def test_payment_lifts_the_same_day(self):
        invoice, action = self._announce()
        self.env["collections.followup.action"]._cron_collections_suspensions("2025-04-14")
        self.assertTrue(self.customer.service_suspended)
        with freeze_time("2025-04-16"):
            self._pay(invoice, 1000.0, date(2025, 4, 16))
        self.assertFalse(self.customer.service_suspended_date, "lifted at the payment, not by the next run")
        self.customer.invalidate_recordset(["service_suspended"])  # computed, not stored
        self.assertFalse(self.customer.service_suspended)
        self.assertEqual(action.suspension_state, "lifted")
        lifted = self.customer.message_ids.filtered(lambda m: "Service suspension lifted" in (m.body or ""))
        self.assertEqual(len(lifted), 1)
        told = self.env["mail.mail"].search(
            [
                ("model", "=", action._name),
                ("res_id", "=", action.id),
                ("subject", "like", "Service reactivated"),
            ]
        )
        self.assertEqual(len(told), 1)

    def test_partial_payment_does_not_lift(self):
        invoice, action = self._announce()
        self.env["collections.followup.action"]._cron_collections_suspensions("2025-04-14")
        self._pay(invoice, 400.0, date(2025, 4, 16))
        self.assertEqual(self.customer.service_suspended_date, PLANNED)
        self.assertEqual(action.suspension_state, "suspended")

    # --- manual suspension ---------------------------------------------------
    def test_manager_suspends_and_reactivates_with_a_reason(self):
        partner = self.customer.with_user(self.collections_manager)
        with freeze_time("2025-04-02"):
            action_id = partner.collections_suspend_service("Equipment removed")
        self.assertEqual(self.customer.service_suspended_date, date(2025, 4, 2))
        self.assertEqual(self.customer.service_suspension_reason, "Equipment removed")
        self.assertTrue(self.customer.service_suspension_manual)
        action = self.env["collections.followup.action"].browse(action_id)
        self.assertEqual(
            (action.kind, action.note, action.user_id),
            ("service", "Equipment removed", self.collections_manager),
        )
        self.assertTrue(self._suspend_messages())
        # nothing overdue, yet the run does not lift a manager's suspension
        self._run("2025-04-03")
        self.assertEqual(self.customer.service_suspended_date, date(2025, 4, 2))
        with freeze_time("2025-04-05"):
            partner.collections_reactivate_service("Agreement by phone")
        self.assertFalse(self.customer.service_suspended_date)
        self.assertFalse(self.customer.service_suspension_manual)
        history = self.env["collections.followup.action"].search(
            [("partner_id", "=", self.customer.id), ("kind", "=", "service")], order="id"
        )
        self.assertEqual(history.mapped("note"), ["Equipment removed", "Agreement by phone"])
        self.assertTrue(
            self.customer.message_ids.filtered(lambda m: "Service reactivated by" in (m.body or ""))
        )

    def test_manager_schedules_a_suspension(self):
        partner = self.customer.with_user(self.collections_manager)
        with freeze_time("2025-04-02"):
            partner.collections_suspend_service("Contract ended", date="2025-04-09")
        self.assertFalse(self.customer.service_suspended_date, "scheduled, not yet")
        Action = self.env["collections.followup.action"]
        self.assertEqual(Action._cron_collections_suspensions("2025-04-08")["suspended"], 0)
        self.assertEqual(Action._cron_collections_suspensions("2025-04-09")["suspended"], 1)
        self.assertEqual(self.customer.service_suspended_date, date(2025, 4, 9))
        self.assertEqual(self.customer.service_suspension_reason, "Contract ended")

    def test_a_scheduled_suspension_is_not_scheduled_twice_and_can_be_cancelled(self):
        partner = self.customer.with_user(self.collections_manager)
        with freeze_time("2025-04-02"):
            partner.collections_suspend_service("Contract ended", date="2025-04-09")
            with self._refused(UserError, "already scheduled for"):
                partner.collections_suspend_service("Again", date="2025-04-10")
            partner.collections_reactivate_service("Renewed")
        self.assertEqual(
            self.env["collections.followup.action"]._cron_collections_suspensions("2025-04-09"),
            {"suspended": 0, "cancelled": 0},
        )
        self.assertFalse(self.customer.service_suspended_date)

    def test_collectors_cannot_suspend_or_reactivate(self):
        for user in (self.collector, self.plain_user):
            with self._refused(AccessError, "Only a Collections Manager"):
                self.customer.with_user(user).collections_suspend_service("Because")
            with self._refused(AccessError, "Only a Collections Manager"):
                self.customer.with_user(user).collections_reactivate_service("Because")
        self.assertFalse(self.customer.service_suspended_date)

    def test_bad_input_is_refused_and_changes_nothing(self):
        partner = self.customer.with_user(self.collections_manager)
        other_company = self.env["res.company"].create({"name": "Outra Empresa"})
        foreign = self.env["res.partner"].create({"name": "Elsewhere Ltda", "company_id": other_company.id})
        with freeze_time("2025-04-02"):
            with self._refused(UserError, "Give the reason"):
                partner.collections_suspend_service("  ")
            with self._refused(UserError, "Give the reason"):
                partner.collections_suspend_service(None)
            with self._refused(UserError, "cannot start in the past"):
                partner.collections_suspend_service("Late", date="2025-04-01")
            with self._refused(UserError, "is not a date"):
                partner.collections_suspend_service("Late", date="tomorrow")
            with self._refused(UserError, "belongs to the company"):
                foreign.with_user(self.env.user).collections_suspend_service("Late")
            with self._refused(UserError, "is not suspended"):
                partner.collections_reactivate_service("Paid")
            partner.collections_suspend_service("Late")
            with self._refused(UserError, "already suspended"):
                partner.collections_suspend_service("Again")
        self.assertEqual(self.customer.service_suspension_reason, "Late")
        self.assertEqual(
            self.env["collections.followup.action"].search_count(
                [("partner_id", "in", (self.customer | foreign).ids), ("kind", "=", "service")]
            ),
            1,
        )

    def test_wizard_for_managers(self):
        with freeze_time("2025-04-02"):
            action = self.customer.with_user(self.collections_manager).action_collections_service_wizard()
            wizard = (
                self.env["collections.service.wizard"]
                .with_user(self.collections_manager)
                .with_context(**action["context"])
                .create({"reason": "Fraud suspicion"})
            )
            self.assertEqual(wizard.mode, "suspend")
            wizard.action_apply()
        self.assertEqual(self.customer.service_suspension_reason, "Fraud suspicion")
        with self.assertRaises(AccessError):
            self.customer.with_user(self.collector).action_collections_service_wizard()

    def test_immediate_suspension_unchanged(self):
        self.level_formal.announce_suspension = False
        self._invoice(self.customer, DUE, 1000.0)
        self._run("2025-03-13")
        self._run(NOTICE)
        self.assertEqual(self.customer.service_suspended_date, date(2025, 4, 2))
        action = self._actions(self.customer, level_id=self.level_formal.id)
        self.assertFalse(action.suspension_planned_date)
        self.assertNotIn("will be suspended on", str(action.mail_id.body_html))


@tagged("post_install", "-at_install")
class TestSuspensionAndPlans(FollowupCommon):
    """A payment plan signed before the date avoids the suspension; signed
    after it, lifts it the same day."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.level_formal.write({"announce_suspension": True})
        cls.regua.write({"suspension_notice_days": 10, "plan_break_days": 30})
        cls.invoice = cls._invoice(cls.customer, DUE, 1000.0)

    def _announce(self):
        self._run("2025-03-13")
        self._run(NOTICE)
        return self._actions(self.customer, level_id=self.level_formal.id)

    def _sign_plan(self, when):
        with freeze_time(when):
            wizard = (
                self.env["collections.plan.wizard"]
                .with_user(self.collections_manager)
                .with_context(active_model="res.partner", active_ids=self.customer.ids)
                .create({"first_due_date": "2025-05-02", "instalment_count": 2, "include_charges": False})
            )
            action = wizard.action_confirm()
        return self.env["collections.plan"].browse(action["res_id"])

    def test_plan_before_the_date_avoids_the_suspension(self):
        action = self._announce()
        plan = self._sign_plan("2025-04-08")
        self.assertEqual(plan.state, "active")
        self.assertEqual(action.suspension_state, "cancelled")
        result = self.env["collections.followup.action"]._cron_collections_suspensions("2025-04-14")
        self.assertEqual(result, {"suspended": 0, "cancelled": 0})
        self.assertFalse(self.customer.service_suspended_date)

    def test_plan_after_the_suspension_lifts_it(self):
        action = self._announce()
        self.env["collections.followup.action"]._cron_collections_suspensions("2025-04-14")
        self.assertEqual(self.customer.service_suspended_date, PLANNED)
        plan = self._sign_plan("2025-04-15")
        self.assertEqual(plan.state, "active")
        self.assertFalse(self.customer.service_suspended_date, "lifted the day the plan is signed")
        self.assertEqual(action.suspension_state, "lifted")
        self.assertTrue(
            self.customer.message_ids.filtered(lambda m: "Service suspension lifted" in (m.body or ""))
        )

    def test_manager_suspension_survives_a_plan(self):
        with freeze_time("2025-04-02"):
            self.customer.with_user(self.collections_manager).collections_suspend_service("Fraud")
        self._sign_plan("2025-04-03")
        self.assertEqual(self.customer.service_suspension_reason, "Fraud")
