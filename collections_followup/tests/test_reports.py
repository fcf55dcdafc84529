import base64
import io
from datetime import date, datetime

import openpyxl
from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import format_amount
from odoo.tools.pdf import PdfReader
from odoo.tools.translate import code_translations

from ..lib.reports import aging_bucket
from .followup_common import FollowupCommon

AS_OF = date(2025, 6, 11)  # a Wednesday


class ReportsCommon(FollowupCommon):
    """Seven open instalments of two customers, one in each bucket."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.regua.tolerance_amount = 50.0
        cls.customer.collections_responsible_id = cls.collector
        cls.invoices = {
            "not_due": cls._invoice(cls.customer, date(2025, 6, 20), 100.0),
            "one_day": cls._invoice(cls.customer, date(2025, 6, 10), 200.0),
            "thirty": cls._invoice(cls.customer, date(2025, 5, 12), 300.0),
            "saturday": cls._invoice(cls.customer_b, date(2025, 5, 10), 400.0),
            "ninety_one": cls._invoice(cls.customer_b, date(2025, 3, 12), 500.0),
            "old": cls._invoice(cls.customer_b, date(2024, 12, 2), 600.0),
            "tolerated": cls._invoice(cls.customer_b, date(2025, 4, 1), 30.0),
        }
        cls.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=cls.invoices["old"].ids
        ).create({"amount": 150.0, "payment_date": date(2025, 1, 5)})._create_payments()


@tagged("post_install", "-at_install")
class TestAgingReport(ReportsCommon):
    """Aging analysis: the snapshot's rows and days late, in buckets, per company."""

    def _lines(self, user=None, company_ids=None):
        Line = self.env["collections.aging.line"]
        if user:
            Line = Line.with_user(user)
        return Line._on(AS_OF, company_ids or self.company.ids).search([])

    def test_rows_and_days_late_are_the_snapshots(self):
        for tolerance in (50.0, 0.0):
            self.regua.tolerance_amount = tolerance
            lines = {line.move_line_id.id: line for line in self._lines()}
            snapshot = self.env["collections.receivable"]._snapshot(self.company, AS_OF)
            self.assertEqual(set(lines), set(snapshot.items), "Same open instalments as the snapshot")
            for line_id, item in snapshot.items.items():
                line = lines[line_id]
                self.assertEqual(line.days_late, item.days_late)
                self.assertEqual(line.effective_due_date, item.effective_due_date)
                self.assertEqual(line.bucket, aging_bucket(item.days_late))
                self.assertEqual(line.overdue, snapshot.is_overdue(item), item.move_name)
                self.assertAlmostEqual(line.residual_company, float(item.residual_company), places=2)
            overdue = sum(line.overdue for line in lines.values())
            self.assertEqual(
                overdue, 5 if tolerance else 6, "The 30.00 instalment is tolerated only under 50.00"
            )

    def test_buckets(self):
        by_move = {line.move_id: line for line in self._lines()}
        expected = {
            "not_due": ("not_due", -9, 100.0),
            "one_day": ("d1_30", 1, 200.0),
            "thirty": ("d1_30", 30, 300.0),
            # due on Saturday 10 May: late from Monday 12 May
            "saturday": ("d1_30", 30, 400.0),
            "ninety_one": ("d91_180", 91, 500.0),
            "old": ("d180", 191, 450.0),
            "tolerated": ("d61_90", 71, 30.0),
        }
        for key, (bucket, days, amount) in expected.items():
            line = by_move[self.invoices[key]]
            self.assertEqual(
                (line.bucket, line.days_late, line.residual_company), (bucket, days, amount), key
            )
            self.assertEqual(line["amount_%s" % bucket], amount, key)
        self.assertFalse(by_move[self.invoices["tolerated"]].overdue, "30.00 is under the 50.00 tolerance")
        self.assertFalse(by_move[self.invoices["not_due"]].overdue)
        self.assertTrue(by_move[self.invoices["one_day"]].overdue)
        self.assertEqual(by_move[self.invoices["one_day"]].collector_id, self.collector)
        Line = self.env["collections.aging.line"]._on(AS_OF, self.company.ids)
        groups = dict(Line._read_group([], ["bucket"], ["residual_company:sum"]))
        self.assertEqual(
            groups, {"not_due": 100.0, "d1_30": 900.0, "d61_90": 30.0, "d91_180": 500.0, "d180": 450.0}
        )
        drill = by_move[self.invoices["old"]].action_open_instalments()
        self.assertEqual(self.env["account.move.line"].search(drill["domain"]).move_id, self.invoices["old"])
        # a week earlier, the one-day-late instalment was not due yet
        earlier = self.env["collections.aging.line"]._on(date(2025, 6, 4), self.company.ids)
        line = earlier.search([("move_id", "=", self.invoices["one_day"].id)])
        self.assertEqual((line.bucket, line.days_late, line.as_of), ("not_due", -6, date(2025, 6, 4)))

    def test_get_aging_api(self):
        rows = self.env["collections.aging.report"].get_aging(AS_OF, "partner_id", self.company.ids)
        by_partner = {row["partner_id"][0]: row for row in rows}
        self.assertEqual(by_partner[self.customer.id]["total"], 600.0)
        self.assertEqual(by_partner[self.customer.id]["not_due"], 100.0)
        self.assertEqual(by_partner[self.customer.id]["d1_30"], 500.0)
        self.assertEqual(by_partner[self.customer_b.id]["d180"], 450.0)
        self.assertEqual(by_partner[self.customer_b.id]["total"], 1380.0)
        rows = self.env["collections.aging.report"].get_aging(AS_OF, "collector_id", self.company.ids)
        self.assertIn([self.collector.id, self.collector.display_name], [row["collector_id"] for row in rows])
        with self.assertRaises(UserError):
            self.env["collections.aging.report"].get_aging(AS_OF, "move_name")

    def test_collector_sees_only_his_companies(self):
        other = self.setup_other_company(name="Filial Aging")["company"]
        self._invoice(self.customer, date(2025, 5, 12), 700.0, company=other)
        self.assertEqual(self._lines(company_ids=(self.company | other).ids).company_id, self.company | other)
        lines = self._lines(user=self.collector, company_ids=(self.company | other).ids)
        self.assertEqual(lines.company_id, self.company, "The other company is not the collector's")
        self.assertEqual(len(lines), 7)
        rows = (
            self.env["collections.aging.report"]
            .with_user(self.collector)
            .get_aging(AS_OF, "company_id", (self.company | other).ids)
        )
        self.assertEqual([row["company_id"][0] for row in rows], self.company.ids)
        wizard = self.env["collections.aging.report"].with_user(self.collector).create({"as_of": AS_OF})
        action = wizard.action_open()
        self.assertEqual(action["context"]["collections_aging_as_of"], "2025-06-11")
        Line = self.env["collections.aging.line"].with_user(self.collector).with_context(**action["context"])
        self.assertEqual(Line.search_count([]), 7)


@tagged("post_install", "-at_install")
class TestXlsxExports(ReportsCommon):
    """The aging and the overdue control sheet as XLSX, read back with openpyxl."""

    def _book(self, kind, lang="en_US", user=None, company_ids=None, data_only=True):
        Report = self.env["collections.aging.report"].with_context(lang=lang)
        if user:
            Report = Report.with_user(user)
        result = Report.export_xlsx(kind, AS_OF, company_ids or self.company.ids)
        self.assertTrue(result["filename"].endswith("2025-06-11.xlsx"))
        content = base64.b64decode(result["content"])
        return openpyxl.load_workbook(io.BytesIO(content), data_only=data_only).active

    def _rows(self, sheet):
        return [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]

    def test_overdue_control_sheet(self):
        self._run("2025-06-11")
        with freeze_time("2025-06-11"):
            wizard = (
                self.env["collections.contact.wizard"]
                .with_user(self.collector)
                .create(
                    {
                        "partner_id": self.customer.id,
                        "outcome": "promise",
                        "right_party_contact": True,
                        "promise_date": date(2025, 6, 20),
                        "promise_amount": 500.0,
                    }
                )
            )
            wizard.action_log()
        sheet = self._book("overdue")
        headers = [cell.value for cell in sheet[1]]
        self.assertEqual(
            headers,
            [
                "Operation Date",
                "Customer",
                "Salesperson",
                "E-mail",
                "Phone",
                "Document Number",
                "Due Date",
                "Total Due",
                "Total Paid",
                "Open Amount",
                "Days Late",
                "Level",
                "Last Contact",
                "Next Action",
                "Promised Amount",
                "Promised Date",
            ],
        )
        self.assertEqual(sheet.freeze_panes, "A2")
        self.assertEqual(sheet.auto_filter.ref, "A1:P6")
        rows = self._rows(sheet)
        by_document = {row[5]: row for row in rows[:-1]}
        self.assertEqual(len(by_document), 5, "Overdue only: not the one not due, not the tolerated one")
        old = by_document[self.invoices["old"].name]
        self.assertEqual(old[:2], [datetime(2024, 11, 2), "Construtora Horizonte"])
        self.assertEqual(old[3], "horizonte@example.com")
        self.assertEqual(old[6:11], [datetime(2024, 12, 2), 600.0, 150.0, 450.0, 191])
        pair = self.env["collections.followup.pair"].search(
            [("move_line_id.move_id", "=", self.invoices["old"].id)]
        )
        self.assertTrue(pair, "The run of 11 June contacted the customer")
        self.assertEqual(old[11], pair.level_id.sorted("days")[-1].name)
        self.assertEqual(old[12], datetime(2025, 6, 11), "Last contact: the run of 11 June")
        self.assertEqual(old[14:], [None, None], "No promise on this customer")
        one_day = by_document[self.invoices["one_day"].name]
        self.assertEqual(one_day[14:], [500.0, datetime(2025, 6, 20)], "The promise of 11 June covers it")
        self.assertEqual(one_day[12], datetime(2025, 6, 11))
        totals = rows[-1]
        self.assertEqual(totals[0], "Total")
        self.assertEqual(totals[7:10], [2000.0, 150.0, 1850.0])
        formulas = self._book("overdue", data_only=False)
        self.assertEqual(formulas["J7"].value, "=SUBTOTAL(9,J2:J6)")
        # formats: dates in the language's format, amounts with the currency symbol
        self.assertEqual(sheet["A2"].number_format, "mm/dd/yyyy")
        symbol = self.company.currency_id.symbol
        self.assertEqual(sheet["J2"].number_format, '"%s" #,##0.00' % symbol)
        self.assertEqual(sheet["K2"].number_format, "0")

    def test_aging_sheet_and_portuguese(self):
        sheet = self._book("aging")
        headers = [cell.value for cell in sheet[1]]
        self.assertEqual(
            headers,
            [
                "Company",
                "Customer",
                "Salesperson",
                "Collector",
                "Document Number",
                "Invoice Date",
                "Due Date",
                "Days Late",
                "Not Due",
                "1-30",
                "31-60",
                "61-90",
                "91-180",
                "> 180",
                "Open",
            ],
        )
        rows = self._rows(sheet)
        self.assertEqual(len(rows), 8, "Seven instalments and the totals")
        by_document = {row[4]: row for row in rows[:-1]}
        old = by_document[self.invoices["old"].name]
        self.assertEqual(old[7:], [191, 0.0, 0.0, 0.0, 0.0, 0.0, 450.0, 450.0])
        padaria = by_document[self.invoices["one_day"].name]
        self.assertEqual(
            padaria[1:4],
            ["Padaria Pão Quente", self.invoices["one_day"].invoice_user_id.name, self.collector.name],
        )
        self.assertEqual(rows[-1][8:], [100.0, 900.0, 0.0, 30.0, 500.0, 450.0, 1980.0])
        self.env["res.lang"]._activate_lang("pt_BR")
        sheet = self._book("aging", lang="pt_BR")
        translations = code_translations.get_python_translations("collections_followup", "pt_BR")
        self.assertEqual(sheet["A1"].value, translations.get("Company", "Company"))
        self.assertEqual(sheet["I1"].value, translations.get("Not Due", "Not Due"))
        self.assertEqual(sheet["F2"].number_format, "dd/mm/yyyy")
        self.assertEqual(self._rows(sheet)[-1][0], translations.get("Total", "Total"))

    def test_rows_streamed_in_batches(self):
        """Read two rows at a time, the file has every row (nothing queries
        the cursor between two batches)."""
        Report = self.env["collections.aging.report"]
        for kind, count in (("aging", 7), ("overdue", 5)):
            content = Report.with_context(allowed_company_ids=self.company.ids)._xlsx(kind, AS_OF, batch=2)
            sheet = openpyxl.load_workbook(io.BytesIO(content), data_only=True).active
            self.assertEqual(len(self._rows(sheet)), count + 1, kind)

    def test_collector_exports_only_his_companies(self):
        other = self.setup_other_company(name="Filial XLSX")["company"]
        self._invoice(self.customer, date(2025, 5, 12), 700.0, company=other)
        both = (self.company | other).ids
        self.assertEqual(
            len(self._rows(self._book("overdue", company_ids=both))), 7, "6 overdue and the totals"
        )
        for kind, count in (("aging", 8), ("overdue", 6)):
            rows = self._rows(self._book(kind, user=self.collector, company_ids=both))
            self.assertEqual(len(rows), count, kind)
            self.assertNotIn(700.0, [value for row in rows for value in row], kind)
        wizard = self.env["collections.aging.report"].with_user(self.collector).create({"as_of": AS_OF})
        action = wizard.action_export_overdue_xlsx()
        attachment_id = int(action["url"].split("/")[3].split("?")[0])
        attachment = self.env["ir.attachment"].with_user(self.collector).browse(attachment_id)
        book = openpyxl.load_workbook(io.BytesIO(attachment.raw), data_only=True).active
        self.assertEqual(len(self._rows(book)), 6)


def pdf_text(content):
    """The text of a PDF, whitespace removed (PyPDF2's own extraction)."""
    reader = PdfReader(io.BytesIO(content))
    return "".join("".join((page.extract_text() or "").split()) for page in reader.pages)


@tagged("post_install", "-at_install")
class TestCustomerStatement(FollowupCommon):
    """Statement of March 2025: opening balance, an invoice, a payment and a
    credit note with the running balance, then the open items with charges."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.regua.write({"fine_rate": 2.0, "monthly_interest_rate": 1.0})
        cls.invoice_a = cls._invoice(cls.customer, date(2025, 3, 3), 1000.0)  # invoiced 1 Feb
        cls.invoice_b = cls._invoice(cls.customer, date(2025, 4, 4), 500.0)  # invoiced 5 Mar
        cls.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=cls.invoice_a.ids
        ).create({"amount": 300.0, "payment_date": date(2025, 3, 10)})._create_payments()
        cls.refund = cls.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": cls.customer.id,
                "invoice_date": date(2025, 3, 20),
                "invoice_line_ids": [
                    (0, 0, {"name": "Discount", "quantity": 1, "price_unit": 100.0, "tax_ids": []})
                ],
            }
        )
        cls.refund.action_post()
        cls._invoice(cls.customer_b, date(2025, 3, 3), 999.0)  # another customer: not in the statement

    def setUp(self):
        super().setUp()
        self.env = self.env(context=dict(self.env.context, force_report_rendering=True))
        # wkhtmltopdf asks the test server for the CSS: point it to a closed port
        self.env["ir.config_parameter"].sudo().set_param("report.url", "http://127.0.0.1:9")

    def _statement(self, user=None, **values):
        Statement = self.env["collections.statement"]
        if user:
            Statement = Statement.with_user(user)
        return Statement.create(
            {
                "partner_ids": [(6, 0, self.customer.ids)],
                "date_from": date(2025, 3, 1),
                "date_to": date(2025, 3, 31),
                **values,
            }
        )

    def test_statement_lines_and_running_balance(self):
        [result] = self.customer.with_user(self.collector).collections_statement("2025-03-01", "2025-03-31")
        self.assertEqual(result["opening"], 1000.0, "Invoice A, dated 1 February")
        self.assertEqual(
            [
                (line["date"], line["type"], line["debit"], line["credit"], line["balance"])
                for line in result["lines"]
            ],
            [
                ("2025-03-05", "invoice", 500.0, 0.0, 1500.0),
                ("2025-03-10", "payment", 0.0, 300.0, 1200.0),
                ("2025-03-20", "credit_note", 0.0, 100.0, 1100.0),
            ],
        )
        self.assertEqual((result["debit"], result["credit"], result["closing"]), (500.0, 400.0, 1100.0))
        charges = self.invoice_a.line_ids.filtered("date_maturity")._collections_late_charges(
            date(2025, 3, 31)
        )
        [charge] = charges.values()
        self.assertGreater(charge["total"], 14.0, "2% fine on 700.00 and 28 days of interest")
        self.assertEqual(
            [
                (item["document"], item["days_late"], item["residual"], item["charges"])
                for item in result["open_items"]
            ],
            [(self.invoice_a.name, 28, 700.0, charge["total"]), (self.invoice_b.name, 0, 500.0, 0.0)],
        )
        self.assertEqual(result["open_items"][0]["updated"], round(700.0 + charge["total"], 2))

    def test_pdf_in_the_customers_language(self):
        statement = self._statement()
        text = pdf_text(statement._pdf(self.customer))
        self.assertIn("Customerstatement", text)
        self.assertIn("PadariaPãoQuente", text)
        self.assertNotIn("ConstrutoraHorizonte", text)
        for name in (self.invoice_a.name, self.invoice_b.name, self.refund.name):
            self.assertIn(name, text)
        currency = self.company.currency_id
        for amount in (1000.0, 1500.0, 1200.0, 1100.0, 700.0):
            self.assertIn("".join(format_amount(self.env, amount, currency, "en_US").split()), text)
        self.assertIn("03/31/2025", text)
        self.assertIn("Openingbalance", text)
        self.env["res.lang"]._activate_lang("pt_BR")
        self.customer.lang = "pt_BR"
        text = pdf_text(statement._pdf(self.customer))
        self.assertIn("31/03/2025", text, "Dates in the customer's language")
        self.assertIn("".join(format_amount(self.env, 1100.0, currency, "pt_BR").split()), text)
        self.assertEqual(
            format_amount(self.env, 1100.0, currency, "pt_BR").replace("\\xa0", " ")[-8:], "1.100,00"
        )

    def test_print_email_and_mass_action(self):
        both = self.customer | self.customer_b
        wizard = (
            self.env["collections.statement"]
            .with_user(self.collector)
            .with_context(active_model="res.partner", active_ids=both.ids)
            .create({"date_from": date(2025, 3, 1), "date_to": date(2025, 3, 31)})
        )
        self.assertEqual(wizard.partner_ids, both, "The mass action takes the selected customers")
        action = wizard.action_print()
        self.assertEqual(action["type"], "ir.actions.act_url")
        attachment = self.env["ir.attachment"].browse(int(action["url"].split("/")[3].split("?")[0]))
        text = pdf_text(attachment.with_user(self.collector).raw)
        self.assertIn("ConstrutoraHorizonte", text)
        self.assertIn("PadariaPãoQuente", text)
        self.assertEqual(text.count("Customerstatement"), 2, "One statement per customer, in one PDF")
        self.assertIn(self.invoice_a.name, text)
        wizard.action_send_email()
        for partner in both:
            mail = self.env["mail.mail"].search([("res_id", "=", partner.id), ("model", "=", "res.partner")])
            self.assertEqual(len(mail), 1)
            self.assertIn(partner, mail.recipient_ids)
            self.assertEqual(len(mail.attachment_ids), 1)
            self.assertTrue(mail.attachment_ids.raw.startswith(b"%PDF"))
            self.assertIn(partner.name.replace(" ", ""), pdf_text(mail.attachment_ids.raw))
        self.customer_b.email = False
        with self.assertRaises(UserError):
            wizard.action_send_email()
        button = self.customer.action_collections_statement()
        self.assertEqual(button["res_model"], "collections.statement")

    def test_xlsx(self):
        content = self._statement()._xlsx()
        book = openpyxl.load_workbook(io.BytesIO(content), data_only=True)
        ledger, items = book.worksheets
        self.assertEqual(
            [cell.value for cell in ledger[1]],
            ["Customer", "Date", "Document", "Type", "Debit", "Credit", "Balance"],
        )
        rows = [list(row) for row in ledger.iter_rows(min_row=2, values_only=True)]
        self.assertEqual(rows[0][2:], ["Opening balance", None, None, None, 1000.0])
        self.assertEqual([row[6] for row in rows[1:4]], [1500.0, 1200.0, 1100.0])
        self.assertEqual(rows[-1][4:6], [500.0, 400.0])
        self.assertEqual(ledger["B2"].number_format, "mm/dd/yyyy")
        item_rows = [list(row) for row in items.iter_rows(min_row=2, values_only=True)]
        self.assertEqual(item_rows[0][1:5], [self.invoice_a.name, datetime(2025, 3, 3), 28, 700.0])

    def test_other_company_refused(self):
        other = self.setup_other_company(name="Filial Extrato")["company"]
        with self.assertRaises(UserError):
            self._statement(user=self.collector, company_id=other.id)._check()
        with self.assertRaises(UserError):
            self.customer.with_user(self.collector).collections_statement(
                "2025-03-01", "2025-03-31", other.id
            )


@tagged("post_install", "-at_install")
class TestKpis(FollowupCommon):
    """March 2025 (31 days), hand-computed (README "KPIs" gives the formulas):

    opening 2,800.00 (A1 1,000, A2 600, C 300, D 400, E 500), credit sales
    2,000.00 (B1), payments 1,200.00 (A1 400 on 10 Mar, A2 100 on 25 Mar, C 300
    on 20 Mar, D 400 on 12 Mar), closing 3,600.00 of which 2,000.00 not due
    (B1) and 1,600.00 overdue (A1 600, A2 500, E 500).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.collections_responsible_id = cls.collector
        cls.a1 = cls._invoice(cls.customer, date(2025, 2, 3), 1000.0)
        cls.a2 = cls._invoice(cls.customer, date(2025, 3, 17), 600.0)
        cls.b1 = cls._invoice(cls.customer_b, date(2025, 4, 14), 2000.0)
        cls.customer_c = cls._customer("Oficina C", "c@example.com")
        cls.customer_d = cls._customer("Mercado D", "d@example.com")
        cls.customer_e = cls._customer("Loja E", "e@example.com")
        cls.c = cls._invoice(cls.customer_c, date(2025, 3, 3), 300.0)
        cls.d = cls._invoice(cls.customer_d, date(2025, 3, 10), 400.0)
        cls.e = cls._invoice(cls.customer_e, date(2025, 3, 28), 500.0)
        for invoice, amount, day in (
            (cls.a1, 400.0, date(2025, 3, 10)),
            (cls.a2, 100.0, date(2025, 3, 25)),
            (cls.c, 300.0, date(2025, 3, 20)),
            (cls.d, 400.0, date(2025, 3, 12)),
        ):
            cls.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids
            ).create({"amount": amount, "payment_date": day})._create_payments()
        Action = cls.env["collections.followup.action"]

        def instalment(invoice):
            line = invoice.line_ids.filtered("date_maturity")
            return {"move_line_id": line.id, "move_id": invoice.id, "currency_id": invoice.currency_id.id}

        common = {"partner_id": cls.customer.id, "company_id": cls.company.id, "state": "done"}
        # the friendly reminder of 5 March claims A1: A1's 400.00 of 10 March is recovered by it
        Action.create(
            {
                **common,
                "date": date(2025, 3, 5),
                "level_id": cls.level_friendly.id,
                "kind": "automatic",
                "line_ids": [(0, 0, instalment(cls.a1))],
            }
        )
        # two calls: the first reaches the right person and claims A2 (100.00 paid 25 March)
        Action.create(
            {
                **common,
                "date": date(2025, 3, 20),
                "kind": "contact",
                "right_party_contact": True,
                "outcome": "other",
                "line_ids": [(0, 0, instalment(cls.a2))],
            }
        )
        Action.create({**common, "date": date(2025, 3, 21), "kind": "contact", "outcome": "no_answer"})
        Promise = cls.env["collections.promise"]
        for state, day in (
            ("kept", date(2025, 3, 10)),
            ("broken", date(2025, 3, 18)),
            ("kept", date(2025, 4, 20)),
        ):
            with freeze_time("2025-03-01"):
                promise = Promise.create(
                    {"partner_id": cls.customer.id, "company_id": cls.company.id, "date": day, "amount": 10.0}
                )
            promise.state = state

    def _kpis(self, user=None, **kwargs):
        Kpi = self.env["collections.kpi"]
        if user:
            Kpi = Kpi.with_user(user)
        return Kpi.get_kpis(
            "2025-03-01", "2025-03-31", **{"company_ids": self.company.ids, "fpd_days": 10, **kwargs}
        )

    def test_company_kpis_hand_computed(self):
        [row] = self._kpis()
        self.assertEqual((row["opening"], row["credit_sales"], row["closing"]), (2800.0, 2000.0, 3600.0))
        self.assertEqual((row["open_end"], row["current_end"], row["overdue_end"]), (3600.0, 2000.0, 1600.0))
        self.assertEqual(row["dso"], 55.8, "3,600 / 2,000 x 31 days")
        self.assertEqual(row["cei"], 42.9, "(2,800 + 2,000 - 3,600) / (2,800 + 2,000 - 2,000)")
        self.assertEqual(row["iag"], 44.4, "1,600 / 3,600")
        self.assertEqual(row["recovered"], 500.0)
        self.assertEqual(row["recovered_by_level"], {str(self.level_friendly.id): 400.0, "call": 100.0})
        self.assertEqual(row["cpc_rate"], 50.0, "one call of two reached the right person")
        self.assertEqual(row["promise_kept_rate"], 50.0, "one kept, one broken in March")
        self.assertIs(row["plan_kept_rate"], False, "no plan")
        # first instalments due in March: C paid 17 days late (default), D 2 days late;
        # E due on 28 March is too recent to tell
        self.assertEqual((row["fpd_defaults"], row["fpd_customers"], row["fpd_rate"]), (1, 2, 50.0))
        self.assertEqual(row["average_days_to_pay"], 39.5, "C: 1 Feb to 20 Mar (47), D: 8 Feb to 12 Mar (32)")

    def test_collector_kpis_and_companies(self):
        [row] = self._kpis(user=self.collector, collector_id=self.collector.id)
        self.assertEqual((row["opening"], row["credit_sales"], row["closing"]), (1600.0, 0.0, 1100.0))
        self.assertIs(row["dso"], False, "no sales to this collector's customer")
        self.assertEqual(row["cei"], 31.3, "(1,600 - 1,100) / 1,600 = 31.25")
        self.assertEqual(row["iag"], 100.0)
        self.assertEqual(row["recovered"], 500.0)
        other = self.setup_other_company(name="Filial KPI")["company"]
        with self.assertRaises(UserError):
            self._kpis(user=self.collector, company_ids=other.ids)
        wizard = (
            self.env["collections.kpi"]
            .with_user(self.collector)
            .create({"date_from": date(2025, 3, 1), "date_to": date(2025, 3, 31), "fpd_days": 10})
        )
        wizard.action_compute()
        lines = wizard.line_ids
        self.assertEqual(lines.company_id, self.company, "only the collector's company")
        total = lines.filtered(lambda line: not line.collector_id)
        self.assertEqual((total.dso, total.cei, total.iag), (55.8, 42.9, 44.4))
        own = lines.filtered(lambda line: line.collector_id == self.collector)
        self.assertEqual((own.cei, own.iag, own.recovered), (31.3, 100.0, 500.0))
        self.assertIn(self.level_friendly.name, own.recovered_by_level)
