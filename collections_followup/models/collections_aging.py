from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_date

from ..lib.reports import BUCKETS, bucket_sql

AGING_BUCKETS = [(key, label) for key, label, _upper in BUCKETS]
AGING_GROUPBYS = ("partner_id", "salesperson_id", "collector_id", "company_id", "currency_id")
AMOUNT_FIELDS = {key: "amount_%s" % key for key, _label, _upper in BUCKETS}


class CollectionsAgingReport(models.TransientModel):
    """Asks the date of an aging analysis; the analysis itself is the live
    query of ``collections.aging.line`` on that date."""

    _name = "collections.aging.report"
    _description = "Aging Analysis"

    as_of = fields.Date(string="As of", required=True, default=fields.Date.context_today)

    def action_open(self):
        """The aging lines on the chosen date (pivot first)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "collections_followup.collections_aging_line_action"
        )
        action["name"] = self.env._("Aging on %(date)s", date=format_date(self.env, self.as_of))
        action["context"] = {"collections_aging_as_of": fields.Date.to_string(self.as_of)}
        return action

    @api.model
    def get_aging(self, as_of=None, groupby="partner_id", company_ids=None):
        """Aging totals on ``as_of`` (default today) grouped by ``groupby``
        (partner_id, salesperson_id, collector_id, company_id, currency_id),
        in the companies ``company_ids`` (default: the current ones; only
        companies of the user). See README "Python and XML-RPC API"."""
        if groupby not in AGING_GROUPBYS:
            raise UserError(
                self.env._("Aging can be grouped by %(fields)s.", fields=", ".join(AGING_GROUPBYS))
            )
        lines = self.env["collections.aging.line"]._on(as_of, company_ids)
        measure = "residual" if groupby == "currency_id" else "residual_company"
        aggregates = ["%s:sum" % measure] + ["%s:sum" % name for name in AMOUNT_FIELDS.values()]
        result = []
        for group, total, *amounts in lines._read_group([], [groupby], aggregates):
            # complete_name: a partner's display name, without its costly computation
            name = group.complete_name if "complete_name" in group._fields else group.display_name
            row = {groupby: [group.id, name] if group else False, "total": total}
            row.update(zip(AMOUNT_FIELDS, amounts, strict=True))
            result.append(row)
        return result


class CollectionsAgingLine(models.Model):
    """One open instalment in an aging analysis (see collections.aging.report)."""

    _name = "collections.aging.line"
    _description = "Aging Analysis Instalment"
    _order = "partner_id, due_date, id"
    _auto = False

    as_of = fields.Date(string="As of", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    company_currency_id = fields.Many2one("res.currency", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    salesperson_id = fields.Many2one("res.users", readonly=True)
    collector_id = fields.Many2one("res.users", readonly=True)
    move_id = fields.Many2one("account.move", string="Document", readonly=True)
    move_line_id = fields.Many2one("account.move.line", string="Instalment", readonly=True)
    move_name = fields.Char(string="Document Number", readonly=True)
    invoice_date = fields.Date(readonly=True)
    due_date = fields.Date(readonly=True)
    effective_due_date = fields.Date(readonly=True)
    days_late = fields.Integer(readonly=True, aggregator="max")
    bucket = fields.Selection(AGING_BUCKETS, string="Aging Bucket", readonly=True)
    residual = fields.Monetary(string="Open (Currency)", currency_field="currency_id", readonly=True)
    residual_company = fields.Monetary(string="Open", currency_field="company_currency_id", readonly=True)
    in_dispute = fields.Boolean(readonly=True)
    promised = fields.Boolean(readonly=True)
    overdue = fields.Boolean(readonly=True)
    amount_not_due = fields.Monetary(string="Not Due", currency_field="company_currency_id", readonly=True)
    amount_d1_30 = fields.Monetary(string="1-30", currency_field="company_currency_id", readonly=True)
    amount_d31_60 = fields.Monetary(string="31-60", currency_field="company_currency_id", readonly=True)
    amount_d61_90 = fields.Monetary(string="61-90", currency_field="company_currency_id", readonly=True)
    amount_d91_180 = fields.Monetary(string="91-180", currency_field="company_currency_id", readonly=True)
    amount_d180 = fields.Monetary(string="> 180", currency_field="company_currency_id", readonly=True)

    @api.model
    def _on(self, as_of=None, company_ids=None):
        """This model on ``as_of`` in ``company_ids`` (default: the current
        companies), never outside the user's companies."""
        context = (
            {"collections_aging_as_of": fields.Date.to_string(fields.Date.to_date(as_of))} if as_of else {}
        )
        if company_ids:
            allowed = [cid for cid in company_ids if cid in self.env.user.company_ids.ids]
            if not allowed:
                raise UserError(self.env._("Choose at least one of your companies."))
            context["allowed_company_ids"] = allowed
        # the cache holds rows by id whatever the date they were read on
        self.invalidate_model()
        return self.with_context(**context)

    @property
    def _table_query(self):
        """One row per open instalment of the current companies on the date
        of the context key ``collections_aging_as_of`` (default today): the
        rows and the rule of ``collections.receivable._open_items_sql``,
        itself the snapshot's; the bucket from ``lib.reports``."""
        as_of = fields.Date.to_date(
            self.env.context.get("collections_aging_as_of")
        ) or fields.Date.context_today(self)
        amount_values = SQL(", ").join(
            SQL(
                "CASE WHEN items.bucket = %s THEN items.residual_company ELSE 0 END AS %s",
                key,
                SQL.identifier(name),
            )
            for key, name in AMOUNT_FIELDS.items()
        )
        self.env["res.partner"].flush_model(["collections_responsible_id"])
        self.env["account.move"].flush_model(["invoice_user_id", "invoice_date"])
        selects = []
        # the companies the user works in; the snapshot reads with SQL whatever
        # the rights, so the report itself keeps to them (and the record rule)
        for company in self.env.companies:
            items = self.env["collections.receivable"]._open_items_sql(company, as_of)
            selects.append(
                SQL(
                    """
                SELECT items.line_id AS id, %(as_of)s::date AS as_of, %(company)s AS company_id,
                       %(company_currency)s AS company_currency_id, items.currency_id, items.partner_id,
                       move.invoice_user_id AS salesperson_id,
                       (partner.collections_responsible_id ->> %(company_key)s)::int AS collector_id,
                       items.move_id, items.line_id AS move_line_id, items.move_name, move.invoice_date,
                       items.due_date, items.effective_due_date, items.days_late, items.bucket,
                       items.residual, items.residual_company, items.in_dispute, items.promised,
                       items.overdue, %(amount_values)s
                  FROM (SELECT open_items.*, %(bucket)s AS bucket FROM %(items)s open_items) items
                  JOIN account_move move ON move.id = items.move_id
                  JOIN res_partner partner ON partner.id = items.partner_id
                    """,
                    as_of=as_of,
                    company=company.id,
                    company_currency=company.currency_id.id,
                    company_key=str(company.id),
                    amount_values=amount_values,
                    bucket=SQL(bucket_sql("open_items.days_late")),  # constant text of lib.reports
                    items=items,
                )
            )
        return SQL(" UNION ALL ").join(selects)

    def action_open_document(self):
        """Drill down to the invoice of the instalment."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.move_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def action_open_instalments(self):
        """Drill down to the journal items (instalments) of these lines."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Instalments"),
            "res_model": "account.move.line",
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": [("id", "in", self.move_line_id.ids)],
        }
