import io

import xlsxwriter

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_amount, format_date
from odoo.tools.pdf import merge_pdf

from ..lib.money import ZERO, to_decimal
from ..lib.reports import running_balances
from .collections_xlsx import CollectionsXlsxSheet
from .download import XLSX_MIMETYPE, download_file

STATEMENT_REPORT = "collections_followup.collections_customer_statement_report"


class CollectionsStatement(models.TransientModel):
    """Customer statement (extrato) for a period: opening balance, the
    period's invoices, credit notes and payments with the running balance,
    then the open instalments on the last day with days late and late
    charges. PDF, XLSX or e-mail, for one customer or many."""

    _name = "collections.statement"
    _description = "Customer Statement"

    partner_ids = fields.Many2many("res.partner", string="Customers", required=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    date_from = fields.Date(
        string="From",
        required=True,
        default=lambda self: fields.Date.context_today(self).replace(day=1),
    )
    date_to = fields.Date(string="To", required=True, default=fields.Date.context_today)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "res.partner" and "partner_ids" in fields_list:
            partners = self.env["res.partner"].browse(self.env.context.get("active_ids", []))
            values["partner_ids"] = [(6, 0, partners.commercial_partner_id.ids)]
        return values

    def _check(self):
        self.ensure_one()
        if self.date_from > self.date_to:
            raise UserError(self.env._("The statement starts after it ends."))
        if self.company_id not in self.env.user.company_ids:
            raise UserError(self.env._("Choose one of your companies."))
        if not self.partner_ids:
            raise UserError(self.env._("Choose at least one customer."))

    # -- data -------------------------------------------------------------

    def _statement_data(self, partner):
        """The statement of one commercial partner, in company currency for
        the ledger and in each instalment's currency for the open items."""
        self.ensure_one()
        company = self.company_id
        partner = partner.commercial_partner_id
        receivable = self.env["collections.receivable"]
        receivable._flush_ledger()
        self.env["account.move.line"].flush_model(["balance", "date", "payment_id", "name"])
        self.env["account.move"].flush_model(["origin_payment_id", "ref", "date"])
        cr = self.env.cr
        ledger = receivable._ledger_sql(company, SQL("move.commercial_partner_id = %s", partner.id))
        # before the queries: _() may read the language and reset the cursor's result
        kinds = {
            "invoice": self.env._("Invoice"),
            "credit_note": self.env._("Credit Note"),
            "payment": self.env._("Payment"),
            "other": self.env._("Other"),
        }
        cr.execute(SQL("SELECT COALESCE(SUM(aml.balance), 0) %s AND aml.date < %s", ledger, self.date_from))
        opening = to_decimal(cr.fetchone()[0])
        cr.execute(
            SQL(
                """
            SELECT aml.date, move.name, move.move_type,
                   (aml.payment_id IS NOT NULL OR move.origin_payment_id IS NOT NULL),
                   aml.balance, COALESCE(move.ref, '')
              %s AND aml.date BETWEEN %s AND %s
          ORDER BY aml.date, move.name, aml.id
                """,
                ledger,
                self.date_from,
                self.date_to,
            )
        )
        rows = []
        for day, name, move_type, is_payment, balance, ref in cr.fetchall():
            balance = to_decimal(balance)
            if is_payment:
                kind = "payment"
            elif move_type in ("out_invoice", "out_receipt"):
                kind = "invoice"
            elif move_type == "out_refund":
                kind = "credit_note"
            else:
                kind = "other"
            rows.append(
                {
                    "date": day,
                    "name": name,
                    "ref": ref,
                    "kind": kind,
                    "kind_label": kinds[kind],
                    "debit": balance if balance > 0 else ZERO,
                    "credit": -balance if balance < 0 else ZERO,
                }
            )
        balances, closing = running_balances(opening, [(row["debit"], row["credit"]) for row in rows])
        for row, balance in zip(rows, balances, strict=True):
            row["balance"] = balance
        # the open instalments on the last day: the snapshot's, with their charges
        snapshot = receivable._snapshot(company, self.date_to, partner_ids=[partner.id])
        items = sorted(snapshot.items.values(), key=lambda item: (item.due_date, item.line_id))
        charges = (
            self.env["account.move.line"]
            .sudo()
            .browse([item.line_id for item in items])
            ._collections_late_charges(self.date_to)
        )
        currencies = self.env["res.currency"].browse({item.currency_id for item in items})
        open_items = []
        for item in items:
            charge = charges.get(item.line_id, {})
            open_items.append(
                {
                    "line_id": item.line_id,
                    "name": item.move_name,
                    "due_date": item.due_date,
                    "days_late": max(item.days_late, 0),
                    "overdue": snapshot.is_overdue(item),
                    "currency": currencies.browse(item.currency_id),
                    "residual": item.residual,
                    "charges": to_decimal(charge.get("total", 0)),
                    "updated": item.residual + to_decimal(charge.get("total", 0)),
                }
            )
        return {
            "partner": partner,
            "company": company,
            "currency": company.currency_id,
            "date_from": self.date_from,
            "date_to": self.date_to,
            "opening": opening,
            "lines": rows,
            "debit": sum((row["debit"] for row in rows), ZERO),
            "credit": sum((row["credit"] for row in rows), ZERO),
            "closing": closing,
            "open_items": open_items,
        }

    # -- actions ----------------------------------------------------------

    def action_print(self):
        """Download one PDF with the statement of every selected customer."""
        self._check()
        return download_file(
            self.env,
            "%s.pdf" % self.env._("Statements"),
            self._pdf(self.partner_ids),
            "application/pdf",
            self,
        )

    def _report_data(self):
        return {
            # the web client sends report data without the record ids
            "partner_ids": self.partner_ids.ids,
            "company_id": self.company_id.id,
            "date_from": fields.Date.to_string(self.date_from),
            "date_to": fields.Date.to_string(self.date_to),
        }

    def _pdf(self, partners):
        """The statement PDF of ``partners`` (bytes), one wkhtmltopdf call
        per customer (Debian's wkhtmltopdf fails on several documents whose
        styles it cannot fetch), merged in order."""
        contents = [
            self.env["ir.actions.report"]._render_qweb_pdf(
                STATEMENT_REPORT, partner.ids, data=self._report_data()
            )[0]
            for partner in partners
        ]
        return contents[0] if len(contents) == 1 else merge_pdf(contents)

    def _filename(self, partner, extension):
        return "%s - %s.%s" % (self.env._("Statement"), partner.name, extension)

    def action_send_email(self):
        """E-mail each customer its statement PDF (template *Customer
        Statement*); customers without an e-mail address are refused."""
        self._check()
        missing = self.partner_ids.filtered(lambda partner: not partner.email)
        if missing:
            raise UserError(
                self.env._(
                    "These customers have no e-mail address: %(names)s",
                    names=", ".join(missing.mapped("name")),
                )
            )
        template = self.env.ref("collections_followup.mail_template_customer_statement")
        for partner in self.partner_ids:
            statement = self.with_context(lang=partner.lang)
            # sudo: a collector e-mails the statement from the customer's
            # chatter without the right to edit the customer
            attachment = (
                self.env["ir.attachment"]
                .sudo()
                .create(
                    {
                        "name": statement._filename(partner, "pdf"),
                        "raw": statement._pdf(partner),
                        "res_model": "res.partner",
                        "res_id": partner.id,
                        "mimetype": "application/pdf",
                    }
                )
            )
            # the statement is e-mailed from the customer's chatter, where it stays
            template.with_context(
                statement_from=format_date(self.env, self.date_from, lang_code=partner.lang),
                statement_to=format_date(self.env, self.date_to, lang_code=partner.lang),
            ).send_mail(
                partner.id,
                email_values={"attachment_ids": [(4, attachment.id)]},
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("%(count)s statement(s) sent.", count=len(self.partner_ids)),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_export_xlsx(self):
        self._check()
        return download_file(
            self.env, "%s.xlsx" % self.env._("Statements"), self._xlsx(), XLSX_MIMETYPE, self
        )

    def _xlsx(self):
        """Two sheets: the statement lines of every customer (opening balance
        first) and their open instalments."""
        lang_data = self.env["res.lang"]._get_data(code=self.env.lang or "en_US") or self.env[
            "res.lang"
        ]._get_data(code="en_US")
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {"constant_memory": True})
        currency = self.company_id.currency_id
        data = [self._statement_data(partner) for partner in self.partner_ids]
        ledger = CollectionsXlsxSheet(
            workbook,
            self.env._("Statement"),
            [
                (self.env._("Customer"), "text", 30),
                (self.env._("Date"), "date", 12),
                (self.env._("Document"), "text", 20),
                (self.env._("Type"), "text", 14),
                (self.env._("Debit"), "money", 14),
                (self.env._("Credit"), "money", 14),
                (self.env._("Balance"), "balance", 14),
            ],
            lang_data,
        )
        for statement in data:
            name = statement["partner"].name
            ledger.add_row(
                [
                    name,
                    statement["date_from"],
                    self.env._("Opening balance"),
                    "",
                    None,
                    None,
                    statement["opening"],
                ],
                currency,
            )
            for row in statement["lines"]:
                ledger.add_row(
                    [
                        name,
                        row["date"],
                        row["name"],
                        row["kind_label"],
                        row["debit"],
                        row["credit"],
                        row["balance"],
                    ],
                    currency,
                )
        ledger.close(self.env._("Total"))
        items = CollectionsXlsxSheet(
            workbook,
            self.env._("Open Items"),
            [
                (self.env._("Customer"), "text", 30),
                (self.env._("Document"), "text", 20),
                (self.env._("Due Date"), "date", 12),
                (self.env._("Days Late"), "int", 9),
                (self.env._("Open Amount"), "money", 14),
                (self.env._("Late Charges"), "money", 14),
                (self.env._("Updated Amount"), "money", 14),
            ],
            lang_data,
        )
        for statement in data:
            for item in statement["open_items"]:
                items.add_row(
                    [
                        statement["partner"].name,
                        item["name"],
                        item["due_date"],
                        item["days_late"],
                        item["residual"],
                        item["charges"],
                        item["updated"],
                    ],
                    item["currency"],
                )
        currencies = {item["currency"] for statement in data for item in statement["open_items"]}
        items.close(self.env._("Total"), with_money_totals=len(currencies) <= 1)
        workbook.close()
        return output.getvalue()


class ReportCustomerStatement(models.AbstractModel):
    _name = "report.collections_followup.report_customer_statement"
    _description = "Customer Statement Report"

    @api.model
    def _get_report_values(self, docids, data=None):
        data = data or {}
        if not data.get("date_from"):
            raise UserError(self.env._("Print the statement from the customer's Statement button."))
        statement = self.env["collections.statement"].new(
            {
                "company_id": data["company_id"],
                "date_from": data["date_from"],
                "date_to": data["date_to"],
            }
        )
        if statement.company_id not in self.env.user.company_ids:
            raise UserError(self.env._("Choose one of your companies."))
        partners = self.env["res.partner"].browse(docids or data.get("partner_ids") or [])
        return {
            "doc_ids": partners.ids,
            "doc_model": "res.partner",
            "docs": partners,
            "statements": {partner.id: statement._statement_data(partner) for partner in partners},
            "format_amount": lambda amount, currency, lang: format_amount(
                self.env, float(amount), currency, lang
            ),
        }
