from collections import defaultdict
from datetime import date, datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .followup_common import FollowupCommon


@tagged("post_install", "-at_install")
class TestFollowupRun(FollowupCommon):
    def test_level_reached_per_instalment_with_weekend_and_holiday(self):
        # Saturday 2025-03-01 moves to Monday 03-03; +10 is reached on 03-13, not 03-11.
        invoice = self._invoice(self.customer, date(2025, 3, 1), 1000.0)
        line = invoice.line_ids.filtered(lambda ln: ln.account_type == "asset_receivable")
        self._run("2025-03-12")
        action = self._actions(self.customer)
        self.assertEqual(action.level_id, self.level_friendly)
        self._run("2025-03-13")
        self.assertEqual(self._actions(self.customer)[-1].level_id, self.level_firm)
        pairs = self.env["collections.followup.pair"].search([("move_line_id", "=", line.id)])
        self.assertEqual(pairs.level_id, self.level_friendly | self.level_firm)
        # A company holiday on Monday 2025-04-07 moves a Sunday due date to Tuesday.
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Holiday",
                "calendar_id": self.company.resource_calendar_id.id,
                "date_from": datetime(2025, 4, 7, 0, 0),
                "date_to": datetime(2025, 4, 7, 23, 59, 59),
            }
        )
        late = self._invoice(self.customer_b, date(2025, 4, 6), 500.0)
        self._run("2025-04-08")  # effective due date: day 0, only the pre-due reminder
        self.assertEqual(self._actions(self.customer_b).level_id, self.level_reminder)
        self._run("2025-04-09")
        self.assertEqual(self._actions(self.customer_b)[-1].level_id, self.level_friendly)
        self.assertEqual(self._actions(self.customer_b)[-1].line_ids.move_id, late)
        self.assertEqual(self._actions(self.customer_b)[-1].line_ids.days_late, 1)

    def test_one_communication_per_partner_grouped_per_currency(self):
        eur = self.setup_other_currency("EUR", rates=[("2020-01-01", 2.0)])
        self._invoice(self.customer, date(2025, 3, 3), 1000.0)
        self._invoice(self.customer, date(2025, 3, 4), 300.0)
        self._invoice(self.customer, date(2025, 3, 3), 200.0, currency=eur)
        summary = self._run("2025-03-14")
        actions = self._actions(self.customer)
        self.assertEqual(len(actions), 1, "One contact covering every instalment")
        self.assertEqual(len(actions.line_ids), 3)
        self.assertEqual(actions.level_id, self.level_firm, "Highest level among the new pairs")
        self.assertEqual(summary["emails_queued"], 1)
        mail = actions.mail_id
        self.assertTrue(mail)
        self.assertEqual(mail.recipient_ids, self.customer)
        self.assertIn(mail.mail_message_id, self.customer.message_ids, "The e-mail shows in the chatter")
        self.assertEqual(mail.state, "outgoing", "Queued, not sent")
        self.assertIn("200.00\xa0€", actions.claim_summary, "Amounts formatted with the currency")
        body = mail.body_html
        self.assertEqual(body.count("<table"), 2, "One table per currency")
        self.assertIn(actions.line_ids.move_id[0].name, body)
        self.assertEqual(actions.state, "done")
        self.assertEqual(actions.activity_id.summary, "Call the customer")

    def test_same_date_twice_creates_nothing_new(self):
        self._invoice(self.customer, date(2025, 3, 3), 1000.0)
        first = self._run("2025-03-20")
        self.assertEqual(first["partners_contacted"], 1)
        mails = self.env["mail.mail"].search_count([])
        second = self._run("2025-03-20")
        self.assertEqual(second["partners_contacted"], 0)
        self.assertEqual(len(self._actions(self.customer)), 1)
        self.assertEqual(self.env["mail.mail"].search_count([]), mails)
        # The next day nothing new either: no level was reached since.
        self._run("2025-03-21")
        self.assertEqual(len(self._actions(self.customer)), 1)

    def test_jump_gives_one_contact_at_highest_level(self):
        # Issue 8 (safe escalation): the formal notice holds credit and suspends,
        # so a jump first sends the highest notice level without measures (firm);
        # the formal notice follows once the notice period has passed.
        self.regua.notice_days_before_measures = 0
        self.level_formal.write({"set_credit_hold": False, "suspend_service": False})
        invoice = self._invoice(self.customer, date(2025, 3, 3), 1000.0)
        self._run("2025-04-03")  # 31 days late: reminder, friendly, firm and formal all reached
        action = self._actions(self.customer)
        self.assertEqual(len(action), 1)
        self.assertEqual(action.level_id, self.level_formal)
        self.assertTrue(action.letter_attachment_id, "The formal notice prints a letter")
        self.assertIn(invoice.name, action.letter_attachment_id.raw.decode())
        self.assertEqual(action.letter_attachment_id.res_id, action.id)
        # Skipped levels are never executed later.
        self._run("2025-04-04")
        self.assertEqual(len(self._actions(self.customer)), 1)

    def test_jump_to_measures_sends_the_notice_first(self):
        self._invoice(self.customer, date(2025, 3, 3), 1000.0)
        self._run("2025-04-03")
        action = self._actions(self.customer)
        self.assertEqual(action.level_id, self.level_firm, "Highest notice level without measures")
        self.assertFalse(self.customer.service_suspended_date)
        self._run("2025-04-13")  # the policy's 10 notice days have passed
        self.assertEqual(self._actions(self.customer)[-1].level_id, self.level_formal)
        self.assertEqual(self.customer.service_suspended_date, date(2025, 4, 13))

    def test_bad_email_fails_only_that_partner(self):
        bad = self._customer("No Mail Ltda", "not-an-email")
        self.env["mail.blacklist"].create({"email": "horizonte@example.com"})
        for partner in (self.customer, self.customer_b, bad):
            self._invoice(partner, date(2025, 3, 3), 100.0)
        summary = self._run("2025-03-05")
        self.assertEqual(summary["partners_contacted"], 3)
        good = self._actions(self.customer)
        self.assertEqual(good.state, "done")
        self.assertEqual(good.email_state, "done")
        invalid = self._actions(bad)
        self.assertEqual(invalid.state, "failed")
        self.assertIn("invalid", invalid.failure_reason)
        blacklisted = self._actions(self.customer_b)
        self.assertEqual(blacklisted.state, "failed")
        self.assertIn("blacklisted", blacklisted.failure_reason)
        self.assertFalse(blacklisted.mail_id)
        # The friendly level has no letter fallback; the firm one prints the letter.
        self.assertFalse(blacklisted.letter_attachment_id)
        self._run("2025-03-13")
        firm = self._actions(self.customer_b)[-1]
        self.assertEqual(firm.level_id, self.level_firm)
        self.assertEqual(firm.email_state, "failed")
        self.assertEqual(firm.letter_state, "done")

    def test_invoice_contact_is_the_addressee(self):
        contact = self.env["res.partner"].create(
            {
                "name": "Márcia (financeiro)",
                "type": "invoice",
                "parent_id": self.customer.id,
                "email": "marcia@example.com",
            }
        )
        self._invoice(self.customer, date(2025, 3, 3), 100.0)
        self._run("2025-03-05")
        action = self._actions(self.customer)
        self.assertEqual(action.mail_id.recipient_ids, contact)

    def test_manual_level_waits_for_review(self):
        self._invoice(self.customer, date(2025, 3, 3), 1000.0)
        self._run("2025-04-03")
        summary = self._run("2025-04-17")  # 45 days: protest, not automatic
        self.assertEqual(summary["actions_planned"], 1)
        planned = self._actions(self.customer, state="planned")
        self.assertEqual(planned.level_id, self.level_protest)
        self.assertFalse(planned.letter_attachment_id)
        self.assertFalse(self.customer.collections_escalation)
        self._run("2025-04-18")
        self.assertEqual(len(self._actions(self.customer, state="planned")), 1, "No second planned contact")
        with freeze_time("2025-04-18"):
            self.customer.invalidate_recordset()
            self.assertEqual(self.customer.collections_followup_status, "action", "waiting for a collector")
            wizard = (
                self.env["collections.process.wizard"]
                .with_user(self.collector)
                .create({"action_ids": [(6, 0, planned.ids)]})
            )
            self.assertIn("Protest", wizard.preview_html)
            wizard.action_execute()
        self.assertEqual(planned.state, "done")
        self.assertEqual(planned.kind, "manual")
        self.assertEqual(planned.user_id, self.collector)
        self.assertTrue(planned.letter_attachment_id)
        self.assertEqual(self.customer.collections_escalation, "protest")

    def test_suspension_set_and_lifted(self):
        invoice = self._invoice(self.customer, date(2025, 3, 3), 1000.0)
        self._run("2025-03-13")  # the firm notice first (issue 8: no measures without a notice)
        self._run("2025-04-02")
        self.assertEqual(self.customer.service_suspended_date, date(2025, 4, 2))
        self.assertEqual(self.customer.credit_hold_level_id, self.level_formal)
        self.assertTrue(self.customer.service_suspended)
        self._pay(invoice, 1000.0, date(2025, 4, 5))
        summary = self._run("2025-04-06")
        self.assertEqual(summary["suspensions_lifted"], 1)
        self.assertFalse(self.customer.service_suspended_date)
        self.assertFalse(self.customer.credit_hold_level_id)

    def test_partial_payment_and_credit_reduce_the_claim(self):
        invoice = self._invoice(self.customer, date(2025, 3, 3), 1000.0)
        self._pay(invoice, 400.0, date(2025, 3, 4))
        self._run("2025-03-05")
        action = self._actions(self.customer)
        self.assertAlmostEqual(action.line_ids.amount_residual, 600.0)
        self.assertAlmostEqual(action.amount_claimed, 600.0)

    def test_exclusions(self):
        disputed = self._invoice(self.customer, date(2025, 3, 3), 100.0)
        disputed._collections_set_dispute("Goods not delivered")
        self._invoice(self.customer_b, date(2025, 3, 3), 100.0)
        self.customer_b.collections_excluded = True
        self.customer_b.collections_excluded_reason = "Key account"
        refund = self.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": self.customer.id,
                "invoice_date": date(2025, 2, 1),
                "invoice_line_ids": [
                    (0, 0, {"name": "Refund", "quantity": 1, "price_unit": 50.0, "tax_ids": []})
                ],
            }
        )
        refund.action_post()
        summary = self._run("2025-03-10")
        self.assertEqual(summary["partners_contacted"], 0)
        self.assertFalse(self._actions())

    def test_partner_policy_override(self):
        lenient = self.env["collections.policy"].create(
            {
                "name": "Lenient",
                "company_id": self.company.id,
                "min_days_between_contacts": 0,
                "level_ids": [(0, 0, {"name": "Late call", "days": 20, "send_letter": True})],
            }
        )
        self.customer_b.collections_policy_id = lenient
        self._invoice(self.customer, date(2025, 3, 3), 100.0)
        self._invoice(self.customer_b, date(2025, 3, 3), 100.0)
        self._run("2025-03-14")
        self.assertEqual(self._actions(self.customer).level_id, self.level_firm)
        self.assertFalse(self._actions(self.customer_b))
        self._run("2025-03-24")
        self.assertEqual(self._actions(self.customer_b).level_id.name, "Late call")

    def test_instalments_are_chased_separately(self):
        self._invoice(
            self.customer,
            None,
            900.0,
            due_dates=[
                (date(2025, 3, 3), 33.33),
                (date(2025, 4, 2), 33.33),
                (date(2025, 5, 2), 33.34),
            ],
        )
        self._run("2025-03-04")
        first = self._actions(self.customer)
        self.assertEqual(first.level_id, self.level_friendly)
        self.assertEqual(len(first.line_ids), 1, "Only the first instalment is due")
        self._run("2025-03-31")  # second instalment: -3 reminder; first: +28 -> firm already? (firm at 10)
        actions = self._actions(self.customer)
        self.assertEqual(actions[-1].level_id, self.level_firm)
        self.assertEqual(len(actions[-1].line_ids), 2)

    def test_collector_runs_plain_user_refused(self):
        self._invoice(self.customer, date(2025, 3, 3), 100.0)
        summary = self._run("2025-03-05", user=self.collector)
        self.assertEqual(summary["partners_contacted"], 1)
        action = self._actions(self.customer)
        self.assertEqual(action.with_user(self.collector).level_id, self.level_friendly)
        with self.assertRaises(AccessError):
            self._run("2025-03-05", user=self.plain_user)
        with self.assertRaises(AccessError):
            action.with_user(self.plain_user).read(["state"])
        with self.assertRaises(AccessError):
            self.level_friendly.with_user(self.plain_user).write({"days": 2})
        with self.assertRaises(AccessError):
            self.env["collections.promise"].with_user(self.plain_user).search([])

    def test_multi_company(self):
        other = self.setup_other_company(name="Filial Rio")["company"]
        other.resource_calendar_id.tz = "UTC"
        policy_b = self.env["collections.policy"].create(
            {
                "name": "Rio",
                "company_id": other.id,
                "min_days_between_contacts": 0,
                "level_ids": [(0, 0, {"name": "Rio letter", "days": 5, "send_letter": True})],
            }
        )
        other.collections_policy_id = policy_b
        self._invoice(self.customer, date(2025, 3, 3), 100.0)
        self._invoice(self.customer, date(2025, 3, 3), 200.0, company=other)
        summary = self._run("2025-03-10", company_ids=[self.company.id, other.id])
        self.assertEqual(summary["partners_contacted"], 2)
        main_action = self._actions(self.customer, company_id=self.company.id)
        other_action = self._actions(self.customer, company_id=other.id)
        self.assertEqual(main_action.level_id, self.level_friendly)
        self.assertEqual(other_action.level_id.name, "Rio letter")
        self.assertIn("Filial Rio", other_action.letter_attachment_id.raw.decode())
        # The collector of the main company does not see the other company's history.
        visible = self.env["collections.followup.action"].with_user(self.collector).search([])
        self.assertIn(main_action, visible)
        self.assertNotIn(other_action, visible)

    def test_cron_runs_every_company(self):
        self._invoice(self.customer, date(2025, 3, 3), 100.0)
        with freeze_time("2025-03-05 10:00:00"):
            summary = self.env["collections.policy"]._cron_run_followup()
        self.assertEqual(summary["date"], "2025-03-05")
        self.assertEqual(self._actions(self.customer).kind, "automatic")

    def test_mail_outside_hours_is_scheduled(self):
        self._invoice(self.customer, date(2025, 3, 3), 100.0)
        with freeze_time("2025-03-08 22:00:00"):  # Saturday night
            self._run("2025-03-08")
        mail = self._actions(self.customer).mail_id
        self.assertEqual(mail.state, "outgoing")
        self.assertEqual(mail.scheduled_date, datetime(2025, 3, 10, 8, 0))

    def test_partner_status(self):
        self._invoice(self.customer, date(2025, 3, 3), 1000.0)
        with freeze_time("2025-03-14"):
            customer = self.customer.with_user(self.collector)
            self.assertEqual(customer.collections_followup_status, "action")
            self.assertEqual(customer.collections_level_id, self.level_firm)
            self.assertEqual(customer.collections_oldest_days_late, 11)
            self.assertAlmostEqual(customer.collections_total_overdue, 1000.0)
            self._run("2025-03-14")
            customer.invalidate_recordset()
            self.assertEqual(customer.collections_followup_status, "overdue")
            self.assertEqual(customer.collections_last_contact_date, date(2025, 3, 14))
            self.assertEqual(customer.collections_next_date, date(2025, 4, 2))
            self.assertEqual(len(customer.collections_open_line_ids), 1)
            self.assertEqual(customer.collections_open_line_ids.collections_days_late, 11)
            overdue = (
                self.env["res.partner"]
                .with_user(self.collector)
                .search([("collections_followup_status", "in", ("overdue", "action"))])
            )
            self.assertIn(self.customer, overdue)
            claims = self.customer._collections_claim_lines(date(2025, 3, 14))
            self.assertEqual(claims[0]["days_late"], 11)
            self.assertEqual(claims[0]["updated_total"], 1000.0)
            for key in ("fine", "interest", "correction", "charges"):
                self.assertIn(key, claims[0])

    def test_postpone(self):
        self._invoice(self.customer, date(2025, 3, 3), 100.0)
        with freeze_time("2025-03-04"):
            self.env["collections.postpone.wizard"].with_user(self.collector).create(
                {
                    "partner_ids": [(6, 0, self.customer.ids)],
                    "date": date(2025, 3, 20),
                }
            ).action_postpone()
        self._run("2025-03-15")
        self.assertFalse(self._actions(self.customer))
        self._run("2025-03-20")
        self.assertEqual(self._actions(self.customer).level_id, self.level_firm)

    def test_pair_recorded_by_a_concurrent_run_is_not_executed_twice(self):
        invoice = self._invoice(self.customer, date(2025, 3, 3), 1000.0)
        line = invoice.line_ids.filtered(lambda ln: ln.account_type == "asset_receivable")
        engine = self.env["collections.followup.run"].with_company(self.company)
        data = engine._gather(self.company, date(2025, 3, 5))
        contacts, _postponed = engine._plan(data)
        self.assertEqual(len(contacts), 1)
        # Another run records the same pair between our gathering and our insert.
        self.env["collections.followup.pair"].sudo().create(
            {
                "move_line_id": line.id,
                "level_id": self.level_friendly.id,
                "company_id": self.company.id,
            }
        )
        mails = self.env["mail.mail"].search_count([])
        counts = defaultdict(int)
        engine._execute_batch(data, contacts, counts)
        self.assertFalse(self._actions(self.customer), "The action of the losing run is dropped")
        self.assertEqual(self.env["mail.mail"].search_count([]), mails)
        # The database refuses a second execution of the pair outright.
        from psycopg2 import IntegrityError

        from odoo.tools import mute_logger

        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.env["collections.followup.pair"].sudo().create(
                {
                    "move_line_id": line.id,
                    "level_id": self.level_friendly.id,
                    "company_id": self.company.id,
                }
            )

    def test_sms_channel(self):
        self.level_friendly.write({"send_sms": True, "sms_body": "Pague por favor"})
        self.customer.mobile = "+55 11 99999-0000"
        self._invoice(self.customer, date(2025, 3, 3), 100.0)
        self._run("2025-03-05")
        action = self._actions(self.customer)
        if "sms.sms" in self.env:
            self.assertEqual(action.sms_state, "done")
            self.assertEqual(
                self.env["sms.sms"].search([("partner_id", "=", self.customer.id)]).body, "Pague por favor"
            )
        else:
            self.assertEqual(action.sms_state, "failed")
            self.assertEqual(action.state, "failed")
            self.assertIn("SMS module is not installed", action.failure_reason)
            self.assertEqual(action.email_state, "done", "The e-mail still went out")

    def test_run_now_wizard_for_managers(self):
        self._invoice(self.customer, date(2025, 3, 3), 100.0)
        wizard = (
            self.env["collections.run.wizard"]
            .with_user(self.collections_manager)
            .create({"date": date(2025, 3, 5)})
        )
        wizard.action_run()
        self.assertIn("1 customers contacted", wizard.summary)
        with self.assertRaises(AccessError):
            self.env["collections.run.wizard"].with_user(self.collector).create({"date": date(2025, 3, 5)})

    def test_mail_formats_without_language_data(self):
        # A database may have en_US inactive while a customer still speaks it:
        # the e-mail's amounts and dates then use English formats, not a crash.
        fmt, fmt_date = self.env["res.partner"]._collections_formatters("xx_XX")
        self.assertEqual(fmt_date(date(2025, 3, 3)), "03/03/2025")
        self.assertIn("1,234.50", fmt(1234.5, self.company.currency_id))

    def test_collector_workspace_views(self):
        self._invoice(self.customer, date(2025, 3, 3), 1000.0)
        self._run("2025-03-14")
        Action = self.env["collections.followup.action"].with_user(self.collector)
        views = Action.get_views([(False, "kanban"), (False, "list"), (False, "form"), (False, "search")])
        self.assertIn("kanban", views["views"])
        action = self._actions(self.customer).with_user(self.collector)
        data = action.web_read(
            {
                "partner_id": {"fields": {"display_name": {}}},
                "line_ids": {"fields": {"move_id": {"fields": {"display_name": {}}}, "amount_residual": {}}},
            }
        )
        self.assertEqual(data[0]["line_ids"][0]["amount_residual"], 1000.0)
        customer = self.customer.with_user(self.collector)
        customer.get_views([(False, "form")])
        with freeze_time("2025-03-14"):
            data = customer.web_read(
                {
                    "collections_followup_status": {},
                    "collections_open_line_ids": {
                        "fields": {
                            "move_name": {},
                            "collections_days_late": {},
                            "collections_level_id": {"fields": {"display_name": {}}},
                            "amount_residual_currency": {},
                        }
                    },
                    "collections_action_ids": {"fields": {"level_id": {"fields": {"display_name": {}}}}},
                }
            )
        self.assertEqual(data[0]["collections_open_line_ids"][0]["collections_days_late"], 11)
        self.assertEqual(
            data[0]["collections_open_line_ids"][0]["collections_level_id"]["display_name"], "Firm"
        )
        # A plain user's partner form does not show (nor compute) any of it.
        plain_form = self.customer.with_user(self.plain_user).get_views([(False, "form")])
        self.assertNotIn("collections_followup_status", plain_form["views"]["form"]["arch"])
