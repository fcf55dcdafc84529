import io
import re
from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged
from odoo.tools.pdf import PdfReader

from ..lib.pdf_text import shown_text
from .followup_common import FollowupCommon

TODAY = "2025-04-03"  # a Thursday


def letter_text(action):
    """The text of an action's letter PDF, read with lib.pdf_text, whitespace removed."""
    reader = PdfReader(io.BytesIO(action.letter_attachment_id.raw))
    maps = {}
    Action = action.env["collections.followup.action"]
    return "".join(
        re.sub(r"\s", "", shown_text(page.get_contents().get_data(), Action._pdf_font_maps(page, maps)))
        for page in reader.pages
    )


class DeskCommon(FollowupCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # measures and escalation off: these tests are about what is sent, and when
        cls.level_formal.write({"set_credit_hold": False, "suspend_service": False})
        cls.level_protest.write({"escalation": False})
        cls.regua.notice_days_before_measures = 0

    def _pairs(self, invoice):
        lines = invoice.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
        return self.env["collections.followup.pair"].search([("move_line_id", "in", lines.ids)]).level_id


@tagged("post_install", "-at_install")
class TestSendPrint(DeskCommon):
    """Send & Print: the preview is the e-mail sent; channels, attachments, history."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls._invoice(cls.customer, date(2025, 3, 21), 1000.0)  # 13 days late: Firm
        cls.not_due = cls._invoice(cls.customer_b, date(2025, 4, 30), 300.0)

    @freeze_time(TODAY)
    def test_preview_is_the_email_sent_with_invoices_and_letter(self):
        partner = self.customer.with_user(self.collector)
        wizard = Form(
            self.env["collections.send.wizard"]
            .with_user(self.collector)
            .with_context(active_model="res.partner", active_ids=self.customer.ids)
        )
        self.assertEqual(wizard.level_id, self.level_firm, "default: the customer's current level")
        wizard.send_letter = True
        wizard.attach_invoices = True
        preview_body = wizard.preview_body
        self.assertIn(self.invoice.name, str(preview_body))
        self.assertFalse(self._actions(self.customer), "the preview writes nothing: no action is left behind")
        self.assertEqual(partner.collections_preview()["body"], preview_body)
        result = wizard.save().action_send()

        action = self.env["collections.followup.action"].browse(result["domain"][0][2])
        self.assertEqual(len(action), 1)
        self.assertEqual((action.kind, action.state, action.level_id), ("manual", "done", self.level_firm))
        self.assertEqual(action.user_id, self.collector)
        self.assertEqual(str(action.mail_id.body_html), str(preview_body), "the preview is the e-mail sent")
        self.assertEqual(action.mail_id.subject, partner.collections_preview()["subject"])
        self.assertEqual(action.email_state, "done")
        self.assertEqual(action.letter_state, "done")
        self.assertTrue(action.letter_attachment_id)
        self.assertEqual(
            action.mail_id.attachment_ids.mapped("name"), [self.invoice._get_invoice_report_filename()]
        )
        self.assertFalse(action.activity_id, "no activity when not chosen")
        self.assertEqual(action.line_ids.move_id, self.invoice)
        self.assertEqual(self._pairs(self.invoice), self.level_firm, "Firm counts as sent")
        self.assertIn(action, self.customer.collections_action_ids, "in the customer's history")
        # the run of the same day does not send Firm again
        self._run(TODAY)
        self.assertEqual(self._actions(self.customer), action)

    @freeze_time(TODAY)
    def test_channels_as_chosen(self):
        ids = self.customer.with_user(self.collector).collections_send_now(
            ["activity"], self.level_friendly.id
        )
        action = self.env["collections.followup.action"].browse(ids)
        self.assertEqual(action.level_id, self.level_friendly)
        self.assertFalse(action.mail_id, "no e-mail unless chosen, although the level sends one")
        self.assertFalse(action.letter_attachment_id)
        self.assertTrue(action.activity_id)
        self.assertEqual(action.activity_id.res_id, self.customer.id)
        with self.assertRaisesRegex(UserError, "Unknown channel 'fax'"):
            self.customer.with_user(self.collector).collections_send_now(["fax"])
        if "sms.sms" not in self.env:
            with self.assertRaisesRegex(UserError, "SMS module"):
                self.customer.with_user(self.collector).collections_send_now(["sms"])
            self.assertFalse(Form(self.env["collections.send.wizard"]).sms_available)

    @freeze_time(TODAY)
    def test_nothing_overdue_needs_a_pre_due_level(self):
        partner = self.customer_b.with_user(self.collector)
        with self.assertRaisesRegex(UserError, "has nothing overdue"):
            partner.collections_send_now(["email"])
        with self.assertRaisesRegex(UserError, "has nothing overdue"):
            partner.collections_send_now(["email"], self.level_firm.id)
        ids = partner.collections_send_now(["email"], self.level_reminder.id)
        action = self.env["collections.followup.action"].browse(ids)
        self.assertEqual(action.line_ids.move_id, self.not_due)
        self.assertFalse(action.line_ids.overdue)
        self.assertEqual(action.amount_claimed, 0.0)
        self.assertIn(self.not_due.name, str(action.mail_id.body_html))

    @freeze_time(TODAY)
    def test_promised_instalments_are_not_claimed(self):
        partner = self.customer.with_user(self.collector)
        partner.collections_log_contact("promise", promise_date="2025-04-10", promise_amount=1000.0)
        with self.assertRaisesRegex(UserError, "a promise to pay or a payment plan covers it"):
            partner.collections_send_now(["email"], self.level_firm.id)
        self.assertFalse(self._actions(self.customer).filtered(lambda action: action.kind == "manual"))

    @freeze_time(TODAY)
    def test_many_customers_each_at_their_level(self):
        other = self._customer("Mercado Central", "mercado@example.com")
        self._invoice(other, date(2025, 4, 1), 80.0)  # 2 days late: Friendly
        ids = (self.customer | other).with_user(self.collector).collections_send_now(["email"])
        actions = self.env["collections.followup.action"].browse(ids)
        self.assertEqual(
            {action.partner_id: action.level_id for action in actions},
            {self.customer: self.level_firm, other: self.level_friendly},
        )
        self.assertEqual(len(actions.mail_id), 2)

    @freeze_time(TODAY)
    def test_rights(self):
        for user in (self.plain_user,):
            with self.assertRaises(AccessError):
                self.customer.with_user(user).collections_send_now(["email"])
            with self.assertRaises(AccessError):
                self.env["collections.send.wizard"].with_user(user).create({"partner_ids": self.customer.ids})
        other_company = self.setup_other_company(name="Filial Leste")["company"]
        foreign = self._customer("Cliente Leste", "leste@example.com", company_id=other_company.id)
        with self.assertRaisesRegex(UserError, "another company"):
            foreign.collections_send_now(["email"])
        other_level = self.env["collections.level"].create(
            {
                "policy_id": self.env["collections.policy"]
                .create({"name": "Leste", "company_id": other_company.id})
                .id,
                "name": "Other",
                "days": 1,
                "create_activity": True,
                "activity_type_id": self.env.ref("mail.mail_activity_data_todo").id,
            }
        )
        with self.assertRaisesRegex(UserError, "Choose a follow-up level of"):
            self.customer.collections_send_now(["email"], other_level.id)


@tagged("post_install", "-at_install")
class TestSendPrintLetterBrazil(DeskCommon):
    """The letter of a Send & Print, rendered by wkhtmltopdf, in Portuguese formats."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        brl = cls.setup_other_currency("BRL", rates=[("2025-01-01", 5.0)])
        if not cls.env["res.lang"]._lang_get("pt_BR").active:
            cls.env["res.lang"]._activate_lang("pt_BR")
        cls.customer.lang = "pt_BR"
        cls.invoice = cls._invoice(cls.customer, date(2025, 3, 21), 1234.56, currency=brl)

    @freeze_time(TODAY)
    def test_letter_pdf_amount_in_reais(self):
        self.env["ir.config_parameter"].sudo().set_param("report.url", "http://127.0.0.1:9")
        ids = self.customer.with_context(force_report_rendering=True).collections_send_now(["letter"])
        action = self.env["collections.followup.action"].browse(ids)
        self.assertEqual(action.letter_attachment_id.mimetype, "application/pdf")
        text = letter_text(action)
        self.assertIn("R$1.234,56", text, "R$ 1.234,56, the space removed with the others")
        self.assertIn(self.invoice.name.replace(" ", ""), text)


@tagged("post_install", "-at_install")
class TestManualLevel(DeskCommon):
    """A collector's level change: logged, and the next run continues from it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls._invoice(cls.customer, date(2025, 3, 21), 1000.0)  # 13 days late: Firm

    def test_raise_level_then_run_continues_from_it(self):
        with freeze_time(TODAY):
            wizard = Form(
                self.env["collections.level.wizard"]
                .with_user(self.collector)
                .with_context(default_partner_id=self.customer.id)
            )
            self.assertEqual(wizard.current_level_id, self.level_firm)
            wizard.level_id = self.level_formal
            wizard.reason = "Asked for the formal notice by the legal team"
            wizard.save().action_apply()
        change = self._actions(self.customer)
        self.assertEqual(
            (change.kind, change.level_id, change.state), ("level_change", self.level_formal, "done")
        )
        self.assertEqual(change.note, "Asked for the formal notice by the legal team")
        self.assertEqual(change.user_id, self.collector)
        message = self.customer.message_ids[0]
        self.assertIn("Follow-up level changed from Firm to Formal notice", str(message.body))
        self.assertIn("Asked for the formal notice by the legal team", str(message.body))
        self.assertEqual(
            self._pairs(self.invoice),
            self.level_reminder | self.level_friendly | self.level_firm | self.level_formal,
        )
        with freeze_time(TODAY):
            summary = self._run(TODAY)
        self.assertEqual(summary["partners_contacted"], 0, "Firm and Formal count as done")
        self.assertEqual(self._actions(self.customer), change, "a level change is not a contact")
        with freeze_time("2025-05-06"):  # 46 days late: Protest reached
            self._run("2025-05-06")
        self.assertEqual(self._actions(self.customer)[-1].level_id, self.level_protest)

    def test_change_needs_reason_level_of_policy_and_rights(self):
        with freeze_time(TODAY):
            partner = self.customer.with_user(self.collector)
            with self.assertRaisesRegex(UserError, "reason"):
                partner.collections_set_level(self.level_formal.id, " ")
            with self.assertRaisesRegex(UserError, "policy"):
                partner.collections_set_level(self.policy.level_ids[0].id, "x")
            with self.assertRaisesRegex(UserError, "nothing overdue"):
                self.customer_b.with_user(self.collector).collections_set_level(self.level_firm.id, "x")
            with self.assertRaises(AccessError):
                self.customer.with_user(self.plain_user).collections_set_level(self.level_firm.id, "x")


@tagged("post_install", "-at_install")
class TestSequenceMode(DeskCommon):
    """A policy that sends its levels in sequence never skips one."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.regua.send_levels_in_sequence = True
        cls.invoice = cls._invoice(cls.customer, date(2025, 2, 3), 1000.0)  # 59 days late on TODAY

    def _run_on(self, day):
        with freeze_time(day):
            self._run(day)
        return self._actions(self.customer)[-1:].level_id

    def test_sequence_never_skips_and_follows_a_level_change(self):
        sent = [self._run_on(day) for day in ("2025-04-03", "2025-04-04", "2025-04-05")]
        self.assertEqual(sent, [self.level_friendly, self.level_firm, self.level_formal])
        with freeze_time("2025-04-06"):
            self.customer.with_user(self.collector).collections_set_level(
                self.level_friendly.id, "Paid half: back to a friendly tone"
            )
        self.assertEqual(self._pairs(self.invoice), self.level_reminder | self.level_friendly)
        self.assertEqual(self._run_on("2025-04-06"), self.level_firm, "the next level after Friendly")

    def test_without_sequence_the_highest_level_is_sent(self):
        self.regua.send_levels_in_sequence = False
        self.assertEqual(self._run_on(TODAY), self.level_protest)


@tagged("post_install", "-at_install")
class TestWorklist(DeskCommon):
    """Stored per company: sortable, groupable and filterable on amounts."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls._invoice(cls.customer, date(2025, 3, 21), 1000.0)
        cls._invoice(cls.customer_b, date(2025, 3, 3), 250.0)
        cls.customer_c = cls._customer("Sítio Boa Vista", "sitio@example.com")
        cls._invoice(cls.customer_c, date(2025, 4, 30), 5000.0)  # not due

    def test_run_refreshes_and_amounts_filter(self):
        with freeze_time(TODAY):
            self._run(TODAY)
        Status = self.env["collections.partner.status"].with_user(self.collector)
        rows = Status.search([("partner_id", "in", (self.customer | self.customer_b | self.customer_c).ids)])
        by_partner = {row.partner_id: row for row in rows}
        self.assertEqual(by_partner[self.customer].amount_overdue, 1000.0)
        self.assertEqual(by_partner[self.customer].oldest_days_late, 13)
        self.assertEqual(by_partner[self.customer].aging_bucket, "d1_30")
        self.assertEqual(by_partner[self.customer].level_id, self.level_firm)
        self.assertEqual(by_partner[self.customer_b].aging_bucket, "d31_60")
        self.assertEqual(by_partner[self.customer_c].status, "no_action")
        self.assertEqual(by_partner[self.customer_c].amount_open, 5000.0)
        self.assertEqual(
            Status.search([("amount_overdue", ">", 500), ("id", "in", rows.ids)]).partner_id, self.customer
        )
        self.assertEqual(
            Status.search([("amount_overdue", ">", 100), ("id", "in", rows.ids)]).partner_id,
            self.customer | self.customer_b,
        )
        groups = Status._read_group([("id", "in", rows.ids)], ["aging_bucket"], ["amount_overdue:sum"])
        self.assertEqual(dict(groups), {"d1_30": 1000.0, "d31_60": 250.0, "not_due": 0.0})
        # sorted by amount overdue, largest first
        self.assertEqual(
            Status.search([("id", "in", rows.ids)], order="amount_overdue desc")[0].partner_id, self.customer
        )
        # paid: the on-demand refresh drops the customer's row
        with freeze_time(TODAY):
            self._pay(self.invoice, 1000.0, date(2025, 4, 3))
            self.env["collections.partner.status"].with_user(self.collector).action_refresh()
        self.assertFalse(Status.search([("partner_id", "=", self.customer.id)]))

    def test_assign_collector_in_bulk_and_my_customers(self):
        with freeze_time(TODAY):
            self.env["collections.partner.status"]._refresh(self.company)
        rows = self.env["collections.partner.status"].search(
            [("partner_id", "in", (self.customer | self.customer_b).ids)]
        )
        wizard = Form(
            self.env["collections.assign.wizard"]
            .with_user(self.collector)
            .with_context(active_model="collections.partner.status", active_ids=rows.ids)
        )
        self.assertEqual(wizard.partner_ids[:], self.customer | self.customer_b)
        wizard.user_id = self.collector
        wizard.save().action_assign()
        self.assertEqual(rows.collector_id, self.collector)
        self.assertEqual(self.customer.with_company(self.company).collections_responsible_id, self.collector)
        self.assertIn("Collector: ", str(self.customer.message_ids[0].body))
        mine = (
            self.env["collections.partner.status"]
            .with_user(self.collector)
            .search([("collector_id", "=", self.collector.id)])
        )
        self.assertEqual(mine, rows)
        action = self.env["collections.partner.status"].with_user(self.collector)._action_worklist()
        self.assertEqual(action["context"], {"search_default_my_customers": 1})
        manager_action = (
            self.env["collections.partner.status"].with_user(self.collections_manager)._action_worklist()
        )
        self.assertNotIn("search_default_my_customers", str(manager_action.get("context")))
        with self.assertRaisesRegex(UserError, "active internal user"):
            self.customer.with_user(self.collector).collections_assign_collector(
                self.env.ref("base.public_user").id
            )

    def test_rights_and_companies(self):
        other_company = self.setup_other_company(name="Filial Oeste")["company"]
        self._invoice(self.customer, date(2025, 3, 3), 700.0, company=other_company)
        with freeze_time(TODAY):
            Status = self.env["collections.partner.status"]
            Status._refresh(self.company)
            Status._refresh(other_company)
        everything = Status.search([("partner_id", "=", self.customer.id)])
        self.assertEqual(everything.company_id, self.company | other_company)
        self.assertEqual(
            everything.filtered(lambda row: row.company_id == other_company).amount_overdue, 700.0
        )
        seen = Status.with_user(self.collector).search([("partner_id", "=", self.customer.id)])
        self.assertEqual(seen.company_id, self.company, "a collector sees only their company's rows")
        self.assertEqual(seen.amount_overdue, 1000.0)
        with self.assertRaises(AccessError):
            Status.with_user(self.plain_user).search([])
        with self.assertRaises(AccessError):
            self.customer.with_user(self.plain_user).collections_assign_collector(self.collector.id)
