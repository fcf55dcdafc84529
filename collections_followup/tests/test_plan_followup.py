from datetime import date

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .followup_common import FollowupCommon

DUE = date(2025, 3, 3)


@tagged("post_install", "-at_install")
class TestPlanFollowup(FollowupCommon):
    """A plan's instalments are chased by the plan's policy (or the company's
    plan policy); when the plan breaks, the follow-up resumes at the chosen
    level of the customer's policy."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.regua.plan_break_days = 30
        cls.plan_policy = cls.env["collections.policy"].create(
            {"name": "Plan reminders", "company_id": cls.company.id, "min_days_between_contacts": 0}
        )
        cls.plan_reminder = cls.env["collections.level"].create(
            {
                "policy_id": cls.plan_policy.id,
                "name": "Plan instalment reminder",
                "days": -5,
                "tone": "reminder",
                "send_email": True,
                "mail_template_id": cls.env.ref("collections_followup.mail_template_followup_friendly").id,
                "letter_fallback": False,
            }
        )
        cls.invoice = cls._invoice(cls.customer, DUE, 1000.0)

    def _sign_plan(self, **values):
        with freeze_time("2025-04-02"):
            wizard = (
                self.env["collections.plan.wizard"]
                .with_user(self.collections_manager)
                .with_context(active_model="res.partner", active_ids=self.customer.ids)
                .create({"first_due_date": "2025-05-02", "instalment_count": 2, "include_charges": False})
            )
            plan = self.env["collections.plan"].browse(wizard.action_confirm()["res_id"])
        plan.write(values)
        return plan

    def _plan_actions(self):
        return self._actions(self.customer).filtered(lambda action: action.date > date(2025, 4, 2))

    def test_plan_policy_chases_the_plan_instalments(self):
        plan = self._sign_plan(policy_id=self.plan_policy.id)
        self._run("2025-04-26")
        self.assertFalse(self._plan_actions(), "six days before: nothing yet")
        self._run("2025-04-27")
        action = self._plan_actions()
        self.assertEqual(action.level_id, self.plan_reminder)
        self.assertEqual(action.policy_id, self.plan_policy)
        self.assertEqual(
            set(action.line_ids.move_line_id.ids),
            set(plan.line_ids.move_line_id[:1].ids),
            "the first instalment",
        )
        # the overview (partner status) sees the same policy
        data = self.env["collections.followup.run"]._gather(
            self.company, date(2025, 4, 28), [self.customer.id]
        )
        first_line = plan.line_ids.move_line_id[:1].id
        self.assertEqual(data.policy_by_line[first_line], self.plan_policy.id)

    def test_company_plan_policy_is_the_default(self):
        self.company.collections_plan_policy_id = self.plan_policy
        self._sign_plan()
        self._run("2025-04-27")
        self.assertEqual(self._plan_actions().level_id, self.plan_reminder)

    def test_without_a_plan_policy_the_customer_policy_applies(self):
        self._sign_plan()
        self._run("2025-04-27")
        self.assertFalse(self._plan_actions(), "the régua's reminder is three days before, not five")
        self._run("2025-04-29")
        self.assertEqual(self._plan_actions().level_id, self.level_reminder)

    def test_broken_plan_resumes_at_the_chosen_level(self):
        plan = self._sign_plan(resume_level_id=self.level_firm.id)
        self.assertEqual(
            self.env["collections.plan"]._cron_update_plans("2025-06-02"), {"completed": 0, "broken": 1}
        )
        told = self.customer.message_ids.filtered(lambda m: "resumes at the level" in (m.body or ""))
        self.assertEqual(told.partner_ids, self.customer, "the customer is told")
        self._run("2025-06-02")
        action = self._plan_actions().filtered(lambda a: a.date == date(2025, 6, 2))
        self.assertEqual(action.level_id, self.level_firm, "resumed at the firm level, not the friendly one")
        self.assertEqual(set(action.line_ids.move_line_id.ids), set(plan.line_ids.move_line_id.ids))
        # the following levels count from there: the formal notice 20 days later
        self._run("2025-06-21")
        self.assertFalse(self._plan_actions().filtered(lambda a: a.date == date(2025, 6, 21)))
        self._run("2025-06-23")  # 06-22 is a Sunday
        self.assertEqual(
            self._plan_actions().filtered(lambda a: a.date == date(2025, 6, 23)).level_id, self.level_formal
        )

    def test_resume_level_must_belong_to_the_customer_policy(self):
        plan = self._sign_plan()
        with self.assertRaisesRegex(ValidationError, "not a level of the customer's policy"):
            plan.resume_level_id = self.plan_reminder
