import io
from datetime import date, timedelta

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools.pdf import PdfReader

from .followup_common import FollowupCommon


def pdf_pages_text(content):
    """The text of each page of a PDF, whitespace removed (PyPDF2's own
    extraction, independent of the module's splitter)."""
    reader = PdfReader(io.BytesIO(content))
    return ["".join((page.extract_text() or "").split()) for page in reader.pages]


@tagged("post_install", "-at_install")
class TestBatchLetters(FollowupCommon):
    """Letters rendered by real wkhtmltopdf, many per call, split per action."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer_c = cls._customer("Oficina Roda Viva", "roda@example.com")
        cls.customer.write({"street": "Rua das Flores 10", "city": "Curitiba"})
        cls.invoice_a = cls._invoice(cls.customer, date(2025, 3, 3), 1000.0)
        # Fifty instalments: a letter of several pages.
        cls.invoice_b = cls._invoice(
            cls.customer_b,
            None,
            6000.0,
            due_dates=[(date(2025, 1, 6) + timedelta(days=day), 2) for day in range(50)],
        )
        cls.invoice_c = cls._invoice(cls.customer_c, date(2025, 3, 4), 250.0)
        cls.level_formal.write({"set_credit_hold": False, "suspend_service": False})
        cls.regua.notice_days_before_measures = 0

    def setUp(self):
        super().setUp()
        self.calls = []
        report_class = type(self.env["ir.actions.report"])
        original = report_class._run_wkhtmltopdf
        calls = self.calls

        def counting(report, bodies, *args, **kwargs):
            calls.append(len(bodies))
            return original(report, bodies, *args, **kwargs)

        report_class._run_wkhtmltopdf = counting
        self.addCleanup(setattr, report_class, "_run_wkhtmltopdf", original)
        self.env = self.env(context=dict(self.env.context, force_report_rendering=True))
        # wkhtmltopdf asks the server for the report CSS; the test server would
        # wait for the test's cursor while the test waits for wkhtmltopdf: point
        # it to a closed port (unstyled letters, same split).
        self.env["ir.config_parameter"].sudo().set_param("report.url", "http://127.0.0.1:9")

    def _letter_run(self):
        self.env["collections.policy"].with_context(force_report_rendering=True).run_followup(
            as_of="2025-04-03"
        )
        actions = self.env["collections.followup.action"].search(
            [("partner_id", "in", (self.customer | self.customer_b | self.customer_c).ids)], order="id"
        )
        self.assertEqual(
            actions.mapped("level_id"), self.level_formal, "every customer gets the formal letter"
        )
        self.assertEqual(len(actions), 3)
        return actions

    def test_run_letters_in_one_call_split_per_action(self):
        actions = self._letter_run()
        self.assertEqual(self.calls, [1], "The run's three letters come from one wkhtmltopdf call")
        pages_of = {}
        for action in actions:
            attachment = action.letter_attachment_id
            self.assertEqual(attachment.mimetype, "application/pdf")
            self.assertEqual(action.letter_state, "done")
            texts = pdf_pages_text(attachment.raw)
            pages_of[action] = len(texts)
            whole = "".join(texts)
            self.assertIn(
                action._collections_letter_reference(), texts[0], "the letter starts on its first page"
            )
            for other in actions - action:
                self.assertNotIn(other._collections_letter_reference(), whole)
                self.assertNotIn("".join(other.partner_id.name.split()), whole)
            self.assertIn("".join(action.partner_id.name.split()), whole)
        by_partner = {action.partner_id: action for action in actions}
        self.assertGreater(pages_of[by_partner[self.customer_b]], 1, "fifty instalments take several pages")
        letter_b = "".join(pdf_pages_text(by_partner[self.customer_b].letter_attachment_id.raw))
        # Every instalment of the long letter is in its own PDF, the last on a later page.
        self.assertEqual(letter_b.count(self.invoice_b.name), 50)
        self.assertIn("Totaloverdue", letter_b)
        self.assertIn(
            self.invoice_a.name, "".join(pdf_pages_text(by_partner[self.customer].letter_attachment_id.raw))
        )

        # The run's print button: one PDF, the stored letters reused (no new rendering).
        run = actions.run_id
        self.assertEqual(len(run), 1)
        self.assertEqual(run.letter_action_count, 3)
        self.calls.clear()
        result = run.with_user(self.collector).action_print_letters()
        self.assertEqual(self.calls, [], "a reprint shows the stored letters")
        attachment = self.env["ir.attachment"].browse(int(result["url"].split("/")[3].split("?")[0]))
        merged = pdf_pages_text(attachment.raw)
        self.assertEqual(len(merged), sum(pages_of.values()))
        # In customer order: Construtora, Oficina, Padaria.
        starts = [index for index, text in enumerate(merged) if "Ref.CFL" in text]
        self.assertEqual(len(starts), 3)
        self.assertIn(by_partner[self.customer_b]._collections_letter_reference(), merged[starts[0]])
        self.assertIn(by_partner[self.customer_c]._collections_letter_reference(), merged[starts[1]])
        self.assertIn(by_partner[self.customer]._collections_letter_reference(), merged[starts[2]])

    def test_selected_actions_print_renders_missing_letters_once(self):
        actions = self._letter_run()
        # Letters lost (or never printed): printing the selection renders them in one call.
        actions.letter_attachment_id.unlink()
        actions.write({"letter_state": False})
        self.calls.clear()
        result = actions.with_user(self.collector).action_print_letters()
        self.assertEqual(self.calls, [1])
        self.assertEqual(result["type"], "ir.actions.act_url")
        self.assertTrue(all(action.letter_attachment_id for action in actions))
        self.assertEqual(set(actions.mapped("letter_state")), {"done"})
        attachment_id = int(result["url"].split("/")[3].split("?")[0])
        merged = pdf_pages_text(self.env["ir.attachment"].browse(attachment_id).raw)
        self.assertEqual(merged[0].count("Ref.CFL"), 1)
        self.assertIn(actions[0]._collections_letter_reference(), merged[0])

    def test_contacts_without_letter_are_refused(self):
        contact = self.env["collections.followup.action"].create(
            {
                "partner_id": self.customer.id,
                "kind": "contact",
                "outcome": "no_answer",
                "state": "done",
            }
        )
        planned = self.env["collections.followup.action"].create(
            {
                "partner_id": self.customer_b.id,
                "level_id": self.level_protest.id,
                "state": "planned",
            }
        )
        for action in (contact, planned):
            with self.assertRaises(UserError):
                action.with_user(self.collector).action_print_letters()
        self.assertFalse(contact.letter_attachment_id)
        self.assertEqual(self.calls, [])

    def test_batch_that_cannot_be_split_is_rendered_letter_by_letter(self):
        actions = self._letter_run()
        actions.letter_attachment_id.unlink()
        actions.write({"letter_state": False})
        # The reference is what splits the PDF: without it in the letters, every
        # letter is still printed on its own, one call each.
        view = self.env.ref("collections_followup.report_followup_letter_document_reference")
        view.active = False
        self.calls.clear()
        rendered = actions._collections_render_letters()
        self.assertEqual(self.calls, [1, 1, 1, 1], "one try for the batch, then one call per letter")
        for action in actions:
            content, kind = rendered[action.id]
            self.assertEqual(kind, "pdf")
            self.assertIn("".join(action.partner_id.name.split()), "".join(pdf_pages_text(content)))


@tagged("post_install", "-at_install")
class TestPaymentSection(FollowupCommon):
    """E-mails and letters say how to pay: bank account, PIX key, boleto line."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.level_formal.write({"set_credit_hold": False, "suspend_service": False})
        cls.regua.notice_days_before_measures = 0
        cls.invoice_a = cls._invoice(cls.customer, date(2025, 3, 3), 1000.0)
        cls.invoice_a.collections_boleto_line = "34191.79001 01043.510047 91020.150008 1 10010000100000"
        cls.invoice_b = cls._invoice(cls.customer_b, date(2025, 3, 3), 700.0)

    def _formal_actions(self):
        self._run("2025-04-03")
        actions = self._actions(self.customer) | self._actions(self.customer_b)
        self.assertEqual(actions.level_id, self.level_formal)
        return {action.partner_id: action for action in actions}

    def test_payment_section_in_email_and_letter(self):
        bank = self.env["res.partner.bank"].create(
            {
                "acc_number": "00012345-6",
                "partner_id": self.company.partner_id.id,
                "bank_id": self.env["res.bank"].create({"name": "Banco do Brasil"}).id,
            }
        )
        self.company.write(
            {"collections_bank_account_id": bank.id, "collections_pix_key": "12.345.678/0001-90"}
        )
        actions = self._formal_actions()
        with_boleto, without = actions[self.customer], actions[self.customer_b]
        mail_body = str(with_boleto.mail_id.body_html)
        letter = with_boleto.letter_attachment_id.raw.decode()
        for text in (mail_body, letter):
            self.assertIn("How to pay", text)
            self.assertIn("Banco do Brasil - 00012345-6", text)
            self.assertIn("PIX key: 12.345.678/0001-90", text)
            self.assertIn("34191.79001 01043.510047 91020.150008 1 10010000100000", text)
            self.assertIn("Boleto %s" % self.invoice_a.name, text)
        other_body = str(without.mail_id.body_html)
        self.assertIn("PIX key: 12.345.678/0001-90", other_body)
        self.assertNotIn("Boleto", other_body, "no boleto line for an invoice without one")
        self.assertNotIn("Boleto", without.letter_attachment_id.raw.decode())

    def test_no_payment_section_when_nothing_is_known(self):
        actions = self._formal_actions()
        self.assertNotIn("How to pay", str(actions[self.customer_b].mail_id.body_html))
        self.assertNotIn("How to pay", actions[self.customer_b].letter_attachment_id.raw.decode())
        # The boleto alone is enough for a section.
        self.assertIn("How to pay", actions[self.customer].letter_attachment_id.raw.decode())
