from odoo import api, fields, models
from odoo.tools import split_every

from ..lib import reports
from ..lib.money import to_decimal
from .res_partner import FOLLOWUP_STATUSES

# the buckets of the aging analysis (lib.reports): one definition for both
AGING_BUCKETS = [(key, label) for key, label, _upper in reports.BUCKETS]


class CollectionsPartnerStatus(models.Model):
    """The collector's worklist: one row per customer with open instalments
    and company, as the follow-up sees it (``collections.followup.run._overview``
    on the receivable snapshot). Stored so that the list sorts, groups, sums
    and filters on amounts; refreshed by every run of the company, by the
    collector's desk for the customers it touches, and on demand."""

    _name = "collections.partner.status"
    _description = "Customer Follow-up Status"
    _order = "amount_overdue desc, id"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one("res.company", required=True, ondelete="cascade", index=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount_overdue = fields.Monetary(readonly=True, help="In the company currency.")
    amount_open = fields.Monetary(readonly=True, help="In the company currency.")
    oldest_days_late = fields.Integer(readonly=True, aggregator="max")
    level_id = fields.Many2one("collections.level", readonly=True, ondelete="set null")
    status = fields.Selection(FOLLOWUP_STATUSES, readonly=True, index=True)
    aging_bucket = fields.Selection(AGING_BUCKETS, readonly=True)
    collector_id = fields.Many2one("res.users", readonly=True, ondelete="set null")
    next_date = fields.Date(string="Next Action", readonly=True)
    last_contact_date = fields.Date(string="Last Contact", readonly=True)
    refreshed_on = fields.Date(readonly=True)
    phone = fields.Char(related="partner_id.phone")
    mobile = fields.Char(related="partner_id.mobile")
    email = fields.Char(related="partner_id.email")

    _sql_constraints = [
        (
            "partner_company_unique",
            "UNIQUE(partner_id, company_id)",
            "One follow-up status per customer and company.",
        ),
    ]

    @api.model
    def _refresh(self, company, as_of=None, partner_ids=None):
        """Rewrite the rows of ``company`` (of ``partner_ids`` only, when
        given) from the run's own view of the ledger on ``as_of``: one
        snapshot, one upsert, one delete of the customers with nothing open
        any more. Returns the number of rows written."""
        as_of = as_of or fields.Date.context_today(self)
        engine = self.env["collections.followup.run"].sudo().with_company(company)
        data = engine._gather(company, as_of, partner_ids=partner_ids)
        overview = engine._overview(data)
        summary = data.snapshot.summary()
        collectors = {}
        partners = self.env["res.partner"].sudo().with_company(company).browse(list(overview))
        for values in partners.read(["collections_responsible_id"], load=None):
            collectors[values["id"]] = values["collections_responsible_id"] or None
        rounding = company.currency_id
        rows = []
        for partner_id, info in overview.items():
            totals = summary.get(partner_id) or {}
            overdue = to_decimal(totals.get("overdue", 0))
            oldest = totals.get("oldest_days_late", 0)
            rows.append(
                (
                    partner_id,
                    rounding.round(float(overdue)),
                    rounding.round(float(to_decimal(totals.get("open", 0)))),
                    oldest,
                    info.get("level_id") or None,
                    info["status"],
                    reports.aging_bucket(oldest),
                    collectors.get(partner_id),
                    info.get("next_date") or None,
                    info.get("last_contact") or None,
                )
            )
        self.flush_model()
        cr = self.env.cr
        for chunk in split_every(5000, rows):
            columns = [list(column) for column in zip(*chunk, strict=True)]
            cr.execute(
                """
                INSERT INTO collections_partner_status
                       (partner_id, company_id, amount_overdue, amount_open, oldest_days_late, level_id,
                        status, aging_bucket, collector_id, next_date, last_contact_date, refreshed_on,
                        create_uid, write_uid, create_date, write_date)
                SELECT partner_id, %s, amount_overdue, amount_open, oldest_days_late, level_id,
                       status, aging_bucket, collector_id, next_date, last_contact_date, %s,
                       %s, %s, now() at time zone 'UTC', now() at time zone 'UTC'
                  FROM unnest(%s::int[], %s::numeric[], %s::numeric[], %s::int[], %s::int[], %s::varchar[],
                              %s::varchar[], %s::int[], %s::date[], %s::date[])
                       AS t(partner_id, amount_overdue, amount_open, oldest_days_late, level_id, status,
                            aging_bucket, collector_id, next_date, last_contact_date)
                ON CONFLICT (partner_id, company_id) DO UPDATE SET
                       amount_overdue = EXCLUDED.amount_overdue, amount_open = EXCLUDED.amount_open,
                       oldest_days_late = EXCLUDED.oldest_days_late, level_id = EXCLUDED.level_id,
                       status = EXCLUDED.status, aging_bucket = EXCLUDED.aging_bucket,
                       collector_id = EXCLUDED.collector_id, next_date = EXCLUDED.next_date,
                       last_contact_date = EXCLUDED.last_contact_date, refreshed_on = EXCLUDED.refreshed_on,
                       write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date
                """,
                [company.id, as_of, self.env.uid, self.env.uid] + columns,
            )
        # customers of the scope with nothing open any more
        query = "DELETE FROM collections_partner_status WHERE company_id = %s AND NOT (partner_id = ANY(%s))"
        params = [company.id, list(overview)]
        if partner_ids is not None:
            query += " AND partner_id = ANY(%s)"
            params.append(list(partner_ids))
        cr.execute(query, params)
        self.invalidate_model()
        return len(rows)

    def action_refresh(self):
        """Refresh the worklist of the current company now (the list's header
        button, which passes the selected rows, if any: they are not needed)."""
        if not self.env.user.has_group("collections_followup.group_collections_user"):
            return False
        self._refresh(self.env.company)
        return {"type": "ir.actions.client", "tag": "soft_reload"}

    @api.model
    def _action_worklist(self):
        """The worklist's window action: collectors open it on their own
        customers, managers on everybody."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "collections_followup.collections_partner_status_action"
        )
        if not self.env.user.has_group("collections_followup.group_collections_manager"):
            action["context"] = {"search_default_my_customers": 1}
        return action

    def action_open_partner(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "view_mode": "form",
            "name": self.env._("Customer"),
        }
