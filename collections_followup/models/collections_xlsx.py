import base64
import io
from decimal import Decimal

import xlsxwriter

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..lib.reports import BUCKETS, bucket_sql, excel_date_format, excel_money_format
from .collections_aging import AMOUNT_FIELDS
from .download import XLSX_MIMETYPE, download_file

FETCH_BATCH = 5000


class CollectionsXlsxSheet:
    """One worksheet written row by row (xlsxwriter constant_memory): a
    frozen, filtered header, text / date / integer / money columns formatted
    in the user's language and currency, and a totals row of the integer
    money columns (SUBTOTAL, so that it follows the filter; left out when
    the companies of the file have different currencies)."""

    def __init__(self, workbook, name, columns, lang_data):
        self.workbook = workbook
        self.sheet = workbook.add_worksheet(name[:31])
        self.columns = columns  # [(header, kind, width)]
        self.row = 1
        self.totals = [Decimal(0) if kind == "money" else None for _h, kind, _w in columns]
        self.bold = workbook.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True})
        self.date = workbook.add_format({"num_format": excel_date_format(lang_data.date_format)})
        self.int = workbook.add_format({"num_format": "0"})
        self._money = {}
        self.money_format = None
        for index, (header, _kind, width) in enumerate(columns):
            self.sheet.set_column(index, index, width)
            self.sheet.write_string(0, index, header, self.bold)
        self.sheet.freeze_panes(1, 0)

    def money(self, currency):
        key = currency.id
        if key not in self._money:
            self._money[key] = self.workbook.add_format(
                {
                    "num_format": excel_money_format(
                        currency.symbol, currency.position, currency.decimal_places
                    )
                }
            )
        return self._money[key]

    def add_row(self, values, currency):
        money = self.money(currency)
        self.money_format = self.money_format or money
        for index, ((_header, kind, _width), value) in enumerate(zip(self.columns, values, strict=True)):
            if value is None or value is False or value == "":
                continue
            if kind == "date":
                self.sheet.write_datetime(self.row, index, value, self.date)
            elif kind in ("money", "balance"):  # a balance is money without a total
                self.sheet.write_number(self.row, index, float(value), money)
                if kind == "money":
                    self.totals[index] += Decimal(str(value))
            elif kind == "int":
                self.sheet.write_number(self.row, index, value, self.int)
            else:
                self.sheet.write_string(self.row, index, str(value))
        self.row += 1

    def close(self, totals_label, with_money_totals=True):
        last = self.row
        if last > 1:
            self.sheet.autofilter(0, 0, last - 1, len(self.columns) - 1)
        self.sheet.write_string(last, 0, totals_label, self.bold)
        for index, total in enumerate(self.totals):
            if total is None or not with_money_totals:
                continue
            column = xlsxwriter.utility.xl_col_to_name(index)
            self.sheet.write_formula(
                last,
                index,
                "=SUBTOTAL(9,%s2:%s%d)" % (column, column, max(last, 2)),
                self.money_format or self.int,
                float(total),
            )


class CollectionsAgingReport(models.TransientModel):
    _inherit = "collections.aging.report"

    # -- public API ---------------------------------------------------------

    @api.model
    def export_xlsx(self, kind="aging", as_of=None, company_ids=None):
        """The XLSX export ``kind`` ('aging': every open instalment with its
        bucket; 'overdue': the overdue control sheet) on ``as_of`` (default
        today) in ``company_ids`` (default the current companies, never
        outside the user's): {'filename', 'content' (base64)}."""
        if kind not in ("aging", "overdue"):
            raise UserError(self.env._("Unknown export %(kind)s: use 'aging' or 'overdue'.", kind=kind))
        as_of = fields.Date.to_date(as_of) or fields.Date.context_today(self)
        lines = self.env["collections.aging.line"]._on(as_of, company_ids)
        content = self.with_env(lines.env)._xlsx(kind, as_of)
        return {"filename": self._xlsx_filename(kind, as_of), "content": base64.b64encode(content).decode()}

    # -- buttons ------------------------------------------------------------

    def action_export_aging_xlsx(self):
        return self._xlsx_download("aging")

    def action_export_overdue_xlsx(self):
        return self._xlsx_download("overdue")

    def _xlsx_download(self, kind):
        self.ensure_one()
        content = self._xlsx(kind, self.as_of)
        return download_file(self.env, self._xlsx_filename(kind, self.as_of), content, XLSX_MIMETYPE, self)

    # -- writing ------------------------------------------------------------

    def _xlsx_filename(self, kind, as_of):
        label = self.env._("aging") if kind == "aging" else self.env._("overdue-control")
        return "%s-%s.xlsx" % (label, fields.Date.to_string(as_of))

    def _xlsx(self, kind, as_of, batch=FETCH_BATCH):
        """The bytes of the export, rows streamed from one set-based query
        per company (the companies of the environment), ``batch`` rows at a
        time. Nothing may query the cursor while a result is being read."""
        lang = self.env.lang or "en_US"
        lang_data = self.env["res.lang"]._get_data(code=lang) or self.env["res.lang"]._get_data(code="en_US")
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {"constant_memory": True})
        if kind == "aging":
            columns = [
                (self.env._("Company"), "text", 18),
                (self.env._("Customer"), "text", 30),
                (self.env._("Salesperson"), "text", 18),
                (self.env._("Collector"), "text", 18),
                (self.env._("Document Number"), "text", 18),
                (self.env._("Invoice Date"), "date", 12),
                (self.env._("Due Date"), "date", 12),
                (self.env._("Days Late"), "int", 9),
            ]
            not_due = self.env._("Not Due")  # _() reads the language of this frame, not of a comprehension's
            for key, label, _upper in BUCKETS:
                columns.append((not_due if key == "not_due" else label, "money", 14))
            columns.append((self.env._("Open"), "money", 14))
            sheet = CollectionsXlsxSheet(workbook, self.env._("Aging"), columns, lang_data)
        else:
            columns = [
                (self.env._("Operation Date"), "date", 12),
                (self.env._("Customer"), "text", 30),
                (self.env._("Salesperson"), "text", 18),
                (self.env._("E-mail"), "text", 24),
                (self.env._("Phone"), "text", 16),
                (self.env._("Document Number"), "text", 18),
                (self.env._("Due Date"), "date", 12),
                (self.env._("Total Due"), "money", 14),
                (self.env._("Total Paid"), "money", 14),
                (self.env._("Open Amount"), "money", 14),
                (self.env._("Days Late"), "int", 9),
                (self.env._("Level"), "text", 16),
                (self.env._("Last Contact"), "date", 12),
                (self.env._("Next Action"), "date", 12),
                (self.env._("Promised Amount"), "money", 14),
                (self.env._("Promised Date"), "date", 12),
            ]
            sheet = CollectionsXlsxSheet(workbook, self.env._("Overdue Control"), columns, lang_data)
        currencies = self.env.companies.currency_id
        cr = self.env.cr
        for company in self.env.companies:
            currency = company.currency_id
            sheet.money(currency)  # reads the currency now, not between two batches
            if kind == "aging":
                cr.execute(self._xlsx_aging_query(company, as_of))
            else:
                cr.execute(self._xlsx_overdue_query(company, as_of, lang))
            while True:
                rows = cr.fetchmany(batch)
                if not rows:
                    break
                for row in rows:
                    sheet.add_row(row, currency)
        sheet.close(self.env._("Total"), with_money_totals=len(currencies) == 1)
        workbook.close()
        return output.getvalue()

    def _xlsx_aging_query(self, company, as_of):
        items = self.env["collections.receivable"]._open_items_sql(company, as_of)
        buckets = SQL(", ").join(
            SQL("CASE WHEN items.bucket = %s THEN items.residual_company ELSE 0 END", key)
            for key in AMOUNT_FIELDS
        )
        self.env["res.partner"].flush_model(["name", "collections_responsible_id"])
        self.env["account.move"].flush_model(["invoice_user_id", "invoice_date"])
        return SQL(
            """
            SELECT %(company_name)s, partner.name, salesperson.name, collector.name, items.move_name,
                   move.invoice_date, items.due_date, items.days_late, %(buckets)s, items.residual_company
              FROM (SELECT open_items.*, %(bucket)s AS bucket FROM %(items)s open_items) items
              JOIN account_move move ON move.id = items.move_id
              JOIN res_partner partner ON partner.id = items.partner_id
              LEFT JOIN res_users salesperson_user ON salesperson_user.id = move.invoice_user_id
              LEFT JOIN res_partner salesperson ON salesperson.id = salesperson_user.partner_id
              LEFT JOIN res_users collector_user
                     ON collector_user.id = (partner.collections_responsible_id ->> %(company_key)s)::int
              LEFT JOIN res_partner collector ON collector.id = collector_user.partner_id
          ORDER BY partner.name, partner.id, items.due_date, items.line_id
            """,
            company_name=company.name,
            buckets=buckets,
            bucket=SQL(bucket_sql("open_items.days_late")),  # constant text of lib.reports
            items=items,
            company_key=str(company.id),
        )

    def _xlsx_overdue_query(self, company, as_of, lang):
        """The overdue control sheet ("planilha de controle de inadimplência"):
        one row per overdue instalment (the snapshot's rule)."""
        items = self.env["collections.receivable"]._open_items_sql(company, as_of)
        self.env["res.partner"].flush_model(["name", "email", "phone", "collections_next_action_date"])
        self.env["account.move"].flush_model(["invoice_user_id", "invoice_date"])
        self.env["account.move.line"].flush_model(["balance"])
        self.env["collections.followup.action"].flush_model(["partner_id", "company_id", "state", "date"])
        self.env["collections.followup.pair"].flush_model(["move_line_id", "level_id"])
        self.env["collections.level"].flush_model(["name", "days"])
        self.env["collections.promise"].flush_model(["amount", "date", "state"])
        return SQL(
            """
            SELECT move.invoice_date, partner.name, salesperson.name, partner.email, partner.phone,
                   items.move_name, items.due_date, aml.balance, aml.balance - items.residual_company,
                   items.residual_company, items.days_late,
                   COALESCE(level.name ->> %(lang)s, level.name ->> 'en_US'),
                   contact.last_date, (partner.collections_next_action_date ->> %(company_key)s)::date,
                   promise.amount, promise.date
              FROM %(items)s items
              JOIN account_move_line aml ON aml.id = items.line_id
              JOIN account_move move ON move.id = items.move_id
              JOIN res_partner partner ON partner.id = items.partner_id
              LEFT JOIN res_users salesperson_user ON salesperson_user.id = move.invoice_user_id
              LEFT JOIN res_partner salesperson ON salesperson.id = salesperson_user.partner_id
              LEFT JOIN LATERAL (
                    SELECT level.name
                      FROM collections_followup_pair pair
                      JOIN collections_level level ON level.id = pair.level_id
                     WHERE pair.move_line_id = items.line_id
                  ORDER BY level.days DESC, pair.id DESC
                     LIMIT 1
              ) level ON TRUE
              LEFT JOIN (
                    SELECT action.partner_id, MAX(action.date) AS last_date
                      FROM collections_followup_action action
                     WHERE action.company_id = %(company)s AND action.state = 'done'
                       AND action.date <= %(as_of)s
                  GROUP BY action.partner_id
              ) contact ON contact.partner_id = items.partner_id
              LEFT JOIN LATERAL (
                    SELECT promise.amount, promise.date
                      FROM account_move_line_collections_promise_rel rel
                      JOIN collections_promise promise ON promise.id = rel.collections_promise_id
                     WHERE rel.account_move_line_id = items.line_id AND promise.state = 'open'
                  ORDER BY promise.date, promise.id
                     LIMIT 1
              ) promise ON TRUE
             WHERE items.overdue
          ORDER BY partner.name, partner.id, items.due_date, items.line_id
            """,
            lang=lang,
            company_key=str(company.id),
            company=company.id,
            as_of=as_of,
            items=items,
        )
