from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_amount

from ..lib import kpis
from ..lib.money import to_decimal
from ..lib.workdays import effective_due_date
from .collections_receivable import INSTALMENT_MOVE_TYPES, ReceivableSnapshot

KPI_FIELDS = (
    "dso",
    "cei",
    "iag",
    "recovered",
    "promise_kept_rate",
    "plan_kept_rate",
    "cpc_rate",
    "fpd_rate",
    "average_days_to_pay",
)


class CollectionsKpi(models.TransientModel):
    """KPIs of a period per company and per collector (formulas:
    ``lib.kpis``; inputs gathered here with set-based SQL)."""

    _name = "collections.kpi"
    _description = "Collection KPIs"

    date_from = fields.Date(
        string="From",
        required=True,
        default=lambda self: fields.Date.context_today(self) - timedelta(days=365),
    )
    date_to = fields.Date(string="To", required=True, default=fields.Date.context_today)
    window_days = fields.Integer(
        string="Recovery Window (days)",
        default=15,
        required=True,
        help="A payment counts as recovered by a contact when it comes at most this many days after it.",
    )
    fpd_days = fields.Integer(
        string="First Payment Default After (days)",
        default=30,
        required=True,
        help="A customer whose first instalment is paid more than this many days late is a first payment "
        "default.",
    )
    line_ids = fields.One2many("collections.kpi.line", "kpi_id", readonly=True)

    def _check(self):
        self.ensure_one()
        if self.date_from > self.date_to:
            raise UserError(self.env._("The period starts after it ends."))
        if self.window_days < 0 or self.fpd_days < 0:
            raise UserError(self.env._("The numbers of days cannot be negative."))

    def action_compute(self):
        """One line per company of the user's current companies, and one per
        collector of its customers."""
        self._check()
        self.line_ids.unlink()
        values = []
        for company in self.env.companies:
            values.append(self._line_values(company, None))
            for collector in self._collectors(company):
                values.append(self._line_values(company, collector))
        self.env["collections.kpi.line"].create(values)
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Collection KPIs"),
        }

    def _line_values(self, company, collector):
        result = self._compute_kpis(company, collector)
        currency = company.currency_id
        levels = self.env["collections.level"].browse([key for key in result["recovered_by_level"] if key])
        recovered_lines = [
            "%s: %s"
            % (level.name, format_amount(self.env, float(result["recovered_by_level"][level.id]), currency))
            for level in levels.sorted("days")
        ]
        if None in result["recovered_by_level"]:
            recovered_lines.append(
                "%s: %s"
                % (
                    self.env._("Logged calls"),
                    format_amount(self.env, float(result["recovered_by_level"][None]), currency),
                )
            )
        return {
            "kpi_id": self.id,
            "company_id": company.id,
            "collector_id": collector.id if collector else False,
            "recovered_by_level": "\n".join(recovered_lines),
            **{name: float(result[name]) if result[name] is not None else False for name in KPI_FIELDS},
            **{
                "%s_set" % name: result[name] is not None for name in KPI_FIELDS if name not in ("recovered",)
            },
        }

    # -- inputs -----------------------------------------------------------

    def _collectors(self, company):
        """The collectors of the company's customers (company-dependent field)."""
        self.env["res.partner"].flush_model(["collections_responsible_id"])
        self.env.cr.execute(
            SQL(
                """
            SELECT DISTINCT (collections_responsible_id ->> %s)::int
              FROM res_partner
             WHERE collections_responsible_id ? %s
               AND (collections_responsible_id ->> %s) IS NOT NULL
                """,
                str(company.id),
                str(company.id),
                str(company.id),
            )
        )
        return self.env["res.users"].browse([row[0] for row in self.env.cr.fetchall() if row[0]]).exists()

    def _partner_filter(self, company, collector, column):
        if not collector:
            return SQL()
        return SQL(
            "AND %s IN (SELECT id FROM res_partner WHERE (collections_responsible_id ->> %s)::int = %s)",
            column,
            str(company.id),
            collector.id,
        )

    @api.model
    def _flush_inputs(self):
        self.env["collections.receivable"]._flush_ledger()
        self.env["account.move.line"].flush_model(["balance", "date", "reconciled"])
        self.env["account.move"].flush_model(["invoice_date", "date"])
        self.env["account.partial.reconcile"].flush_model(["debit_move_id", "amount", "max_date"])
        self.env["collections.followup.action"].flush_model(
            ["partner_id", "company_id", "state", "date", "kind", "right_party_contact", "level_id"]
        )
        self.env["collections.followup.action.line"].flush_model(["action_id", "move_line_id"])
        self.env["collections.promise"].flush_model(["partner_id", "company_id", "state", "deadline"])
        self.env["collections.plan"].flush_model(["partner_id", "company_id", "state", "break_date"])

    def _compute_kpis(self, company, collector=None):
        """{KPI name: Decimal or None, 'recovered_by_level': {level id or
        None: Decimal}, plus the inputs} of ``company`` (and the customers of
        ``collector``) over the period."""
        self.ensure_one()
        self._flush_inputs()
        cr = self.env.cr
        date_from, date_to = self.date_from, self.date_to
        partners = self._partner_filter(company, collector, SQL("move.commercial_partner_id"))
        receivable = SQL("%s %s", self.env["collections.receivable"]._ledger_sql(company), partners)
        # receivables (ledger balance) at the start and the end, credit sales
        cr.execute(
            SQL(
                """
            SELECT COALESCE(SUM(aml.balance) FILTER (WHERE aml.date < %(from)s), 0),
                   COALESCE(SUM(aml.balance) FILTER (WHERE aml.date <= %(to)s), 0),
                   COALESCE(SUM(aml.balance) FILTER (
                       WHERE aml.date BETWEEN %(from)s AND %(to)s AND aml.balance > 0
                         AND move.move_type IN %(types)s AND NOT COALESCE(move.collections_is_plan, FALSE)
                   ), 0)
              %(receivable)s
                """,
                receivable=receivable,
                types=INSTALMENT_MOVE_TYPES,
                **{"from": date_from, "to": date_to},
            )
        )
        opening, closing, sales = (to_decimal(value) for value in cr.fetchone())
        # the instalments open at the end, as they were on that day: current
        # (not due), and overdue by the snapshot's rule (past the effective
        # due date, not in dispute, above the customer's tolerance)
        cutoff = self.env["collections.receivable"]._overdue_cutoff(company, date_to)
        tolerance_partners, tolerance_amounts = self._tolerances(company)
        cr.execute(
            SQL(
                """
            SELECT COALESCE(SUM(open.residual), 0),
                   COALESCE(SUM(open.residual) FILTER (WHERE open.date_maturity > %(cutoff)s), 0),
                   COALESCE(SUM(open.residual) FILTER (
                       WHERE open.date_maturity <= %(cutoff)s AND NOT open.in_dispute
                         AND open.residual > COALESCE(tolerance.amount, 0)
                   ), 0)
              FROM (
                    SELECT aml.date_maturity, move.commercial_partner_id AS partner_id,
                           COALESCE(move.collections_in_dispute, FALSE) AS in_dispute,
                           aml.balance - COALESCE(paid.amount, 0) AS residual
                      FROM account_move_line aml
                      JOIN account_move move ON move.id = aml.move_id
                      JOIN account_account account ON account.id = aml.account_id
                      LEFT JOIN (
                            SELECT partial.debit_move_id, SUM(partial.amount) AS amount
                              FROM account_partial_reconcile partial
                             WHERE partial.max_date <= %(to)s AND partial.debit_move_id IN (
                                   SELECT id FROM account_move_line WHERE company_id = %(company)s
                             )
                          GROUP BY partial.debit_move_id
                      ) paid ON paid.debit_move_id = aml.id
                     WHERE aml.company_id = %(company)s
                       AND aml.parent_state = 'posted'
                       AND account.account_type = 'asset_receivable'
                       %(partners)s
                       AND aml.date <= %(to)s AND aml.balance > 0 AND aml.date_maturity IS NOT NULL
                       AND (move.move_type IN %(types)s OR move.collections_is_plan)
                   ) open
              LEFT JOIN unnest(%(tolerance_partners)s::int[], %(tolerance_amounts)s::numeric[])
                     AS tolerance(partner_id, amount) ON tolerance.partner_id = open.partner_id
             WHERE open.residual > 0
                """,
                cutoff=cutoff,
                company=company.id,
                partners=partners,
                types=INSTALMENT_MOVE_TYPES,
                tolerance_partners=tolerance_partners,
                tolerance_amounts=tolerance_amounts,
                to=date_to,
            )
        )
        open_end, current_end, overdue_end = (to_decimal(value) for value in cr.fetchone())
        # payments of the period and the contacts that claimed the instalments
        cr.execute(
            SQL(
                """
            SELECT partial.debit_move_id, partial.max_date, partial.amount
              FROM account_partial_reconcile partial
              JOIN account_move_line aml ON aml.id = partial.debit_move_id
              JOIN account_move move ON move.id = aml.move_id
             WHERE aml.company_id = %s AND partial.max_date BETWEEN %s AND %s %s
                """,
                company.id,
                date_from,
                date_to,
                partners,
            )
        )
        payments = cr.fetchall()
        action_partners = self._partner_filter(company, collector, SQL("action.partner_id"))
        cr.execute(
            SQL(
                """
            SELECT action.date, action.level_id, ARRAY_AGG(line.move_line_id)
              FROM collections_followup_action action
              JOIN collections_followup_action_line line ON line.action_id = action.id
             WHERE action.company_id = %s AND action.state = 'done'
               AND action.date BETWEEN %s AND %s AND line.move_line_id IS NOT NULL %s
          GROUP BY action.id
                """,
                company.id,
                date_from - timedelta(days=self.window_days),
                date_to,
                action_partners,
            )
        )
        recovered, recovered_by_level = kpis.recovered_by_level(cr.fetchall(), payments, self.window_days)
        # logged calls: right-party contacts
        cr.execute(
            SQL(
                """
            SELECT COUNT(*), COUNT(*) FILTER (WHERE action.right_party_contact)
              FROM collections_followup_action action
             WHERE action.company_id = %s AND action.state = 'done' AND action.kind = 'contact'
               AND action.date BETWEEN %s AND %s %s
                """,
                company.id,
                date_from,
                date_to,
                action_partners,
            )
        )
        calls, right_party = cr.fetchone()
        # promises whose deadline is in the period, plans closed in the period
        promise_partners = self._partner_filter(company, collector, SQL("promise.partner_id"))
        cr.execute(
            SQL(
                """
            SELECT COUNT(*) FILTER (WHERE promise.state = 'kept'), COUNT(*)
              FROM collections_promise promise
             WHERE promise.company_id = %s AND promise.state IN ('kept', 'broken')
               AND promise.deadline BETWEEN %s AND %s %s
                """,
                company.id,
                date_from,
                date_to,
                promise_partners,
            )
        )
        promises_kept, promises_closed = cr.fetchone()
        plan_partners = self._partner_filter(company, collector, SQL("plan.partner_id"))
        cr.execute(
            SQL(
                """
            SELECT COUNT(*) FILTER (WHERE plan.state = 'completed'), COUNT(*)
              FROM collections_plan plan
             WHERE plan.company_id = %s AND plan.state IN ('completed', 'broken')
               AND COALESCE(plan.break_date, (plan.write_date AT TIME ZONE 'UTC')::date) BETWEEN %s AND %s %s
                """,
                company.id,
                date_from,
                date_to,
                plan_partners,
            )
        )
        plans_kept, plans_closed = cr.fetchone()
        # first instalment of each customer, and when it was paid in full
        cr.execute(
            SQL(
                """
            SELECT first.date_maturity,
                   (SELECT MAX(partial.max_date) FROM account_partial_reconcile partial
                     WHERE partial.debit_move_id = first.id AND partial.max_date <= %(to)s),
                   first.balance - COALESCE((SELECT SUM(partial.amount) FROM account_partial_reconcile partial
                     WHERE partial.debit_move_id = first.id AND partial.max_date <= %(to)s), 0)
              FROM (
                    SELECT DISTINCT ON (move.commercial_partner_id) aml.id, aml.date_maturity, aml.balance
                      %(receivable)s
                       AND aml.balance > 0 AND aml.date_maturity IS NOT NULL
                       AND move.move_type IN %(types)s AND NOT COALESCE(move.collections_is_plan, FALSE)
                  ORDER BY move.commercial_partner_id, COALESCE(move.invoice_date, move.date),
                           aml.date_maturity, aml.id
                   ) first
             WHERE first.date_maturity BETWEEN %(from_due)s AND %(to)s
                """,
                receivable=receivable,
                types=INSTALMENT_MOVE_TYPES,
                from_due=date_from - timedelta(days=7),  # effective due dates move forward a few days
                to=date_to,
            )
        )
        firsts = cr.fetchall()
        holidays, weekend = company._collections_working_days_for([row[0] for row in firsts], date_to)
        first_instalments = [
            (effective_due_date(due, holidays, weekend), last_paid if to_decimal(left) <= 0 else None)
            for due, last_paid, left in firsts
        ]
        fpd_rate, fpd_defaults, fpd_customers = kpis.first_payment_default(
            first_instalments, date_from, date_to, self.fpd_days
        )
        # instalments paid in full in the period: invoice date to last payment
        cr.execute(
            SQL(
                """
            SELECT COALESCE(move.invoice_date, move.date), paid.last_date
              FROM account_move_line aml
              JOIN account_move move ON move.id = aml.move_id
              JOIN account_account account ON account.id = aml.account_id
              JOIN LATERAL (
                    SELECT MAX(partial.max_date) AS last_date, SUM(partial.amount) AS amount
                      FROM account_partial_reconcile partial WHERE partial.debit_move_id = aml.id
                   ) paid ON paid.amount >= aml.balance
             WHERE aml.company_id = %s
               AND aml.parent_state = 'posted'
               AND account.account_type = 'asset_receivable'
               AND aml.reconciled AND aml.balance > 0 AND move.move_type IN %s
               AND paid.last_date BETWEEN %s AND %s %s
                """,
                company.id,
                INSTALMENT_MOVE_TYPES,
                date_from,
                date_to,
                partners,
            )
        )
        average_days = kpis.average_days_to_pay(cr.fetchall())
        return {
            "opening": opening,
            "closing": closing,
            "credit_sales": sales,
            "open_end": open_end,
            "current_end": current_end,
            "overdue_end": overdue_end,
            "dso": kpis.dso(closing, sales, (date_to - date_from).days + 1),
            "cei": kpis.cei(opening, sales, closing, current_end),
            "iag": kpis.iag(overdue_end, open_end),
            "recovered": recovered,
            "recovered_by_level": recovered_by_level,
            "promise_kept_rate": kpis.percent(promises_kept, promises_closed),
            "plan_kept_rate": kpis.percent(plans_kept, plans_closed),
            "cpc_rate": kpis.percent(right_party, calls),
            "calls": calls,
            "fpd_rate": fpd_rate,
            "fpd_defaults": fpd_defaults,
            "fpd_customers": fpd_customers,
            "average_days_to_pay": average_days,
        }

    def _tolerances(self, company):
        """(partner ids, tolerances) of the customers whose policy has a
        tolerance (the snapshot's settings); empty when no policy has one."""
        self.env["collections.policy"].flush_model(["tolerance_amount"])
        self.env.cr.execute("SELECT 1 FROM collections_policy WHERE tolerance_amount > 0 LIMIT 1")
        if not self.env.cr.fetchone():
            return [], []
        self.env.cr.execute(
            SQL(
                """
            SELECT DISTINCT move.commercial_partner_id
              FROM account_move move
             WHERE move.company_id = %s AND move.state = 'posted' AND move.commercial_partner_id IS NOT NULL
                """,
                company.id,
            )
        )
        snapshot = ReceivableSnapshot(company, self.date_to)
        self.env["collections.receivable"]._read_partner_settings(
            snapshot, [row[0] for row in self.env.cr.fetchall()]
        )
        tolerant = {pid: amount for pid, amount in snapshot.tolerance.items() if amount}
        return list(tolerant), [str(amount) for amount in tolerant.values()]

    # -- API --------------------------------------------------------------

    @api.model
    def get_kpis(self, date_from, date_to, company_ids=None, collector_id=None, window_days=15, fpd_days=30):
        """KPIs of the period per company (and for the customers of
        ``collector_id`` when given). See README "Python and XML-RPC API"."""
        companies = self.env.companies
        if company_ids:
            companies = self.env["res.company"].browse(
                [cid for cid in company_ids if cid in self.env.user.company_ids.ids]
            )
            if not companies:
                raise UserError(self.env._("Choose at least one of your companies."))
        wizard = self.create(
            {"date_from": date_from, "date_to": date_to, "window_days": window_days, "fpd_days": fpd_days}
        )
        wizard._check()
        collector = self.env["res.users"].browse(collector_id) if collector_id else None
        result = []
        for company in companies:
            values = wizard._compute_kpis(company, collector)
            row = {
                "company_id": company.id,
                "collector_id": collector_id or False,
                "currency": company.currency_id.name,
            }
            for name, value in values.items():
                if name == "recovered_by_level":
                    row[name] = {str(key or "call"): float(amount) for key, amount in value.items()}
                elif value is None:
                    row[name] = False  # nothing to measure (XML-RPC has no None)
                elif isinstance(value, int):
                    row[name] = value
                else:
                    row[name] = float(value)
            result.append(row)
        return result


class CollectionsKpiLine(models.TransientModel):
    _name = "collections.kpi.line"
    _description = "Collection KPIs of a Company or Collector"
    _order = "company_id, collector_id desc, id"

    kpi_id = fields.Many2one("collections.kpi", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    collector_id = fields.Many2one("res.users", readonly=True, help="Empty: every customer of the company.")
    dso = fields.Float(string="DSO (days)", digits=(16, 1), readonly=True)
    cei = fields.Float(string="CEI (%)", digits=(16, 1), readonly=True)
    iag = fields.Float(string="Overdue Rate (%)", digits=(16, 1), readonly=True)
    recovered = fields.Monetary(readonly=True)
    recovered_by_level = fields.Text(readonly=True)
    promise_kept_rate = fields.Float(string="Promises Kept (%)", digits=(16, 1), readonly=True)
    plan_kept_rate = fields.Float(string="Plans Kept (%)", digits=(16, 1), readonly=True)
    cpc_rate = fields.Float(string="Right-party Contacts (%)", digits=(16, 1), readonly=True)
    fpd_rate = fields.Float(string="First Payment Default (%)", digits=(16, 1), readonly=True)
    average_days_to_pay = fields.Float(digits=(16, 1), readonly=True)
    dso_set = fields.Boolean(readonly=True)
    cei_set = fields.Boolean(readonly=True)
    iag_set = fields.Boolean(readonly=True)
    promise_kept_rate_set = fields.Boolean(readonly=True)
    plan_kept_rate_set = fields.Boolean(readonly=True)
    cpc_rate_set = fields.Boolean(readonly=True)
    fpd_rate_set = fields.Boolean(readonly=True)
    average_days_to_pay_set = fields.Boolean(readonly=True)
