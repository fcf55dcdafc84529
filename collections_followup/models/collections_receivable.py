from collections import defaultdict

from odoo import api, models
from odoo.tools import SQL

from ..lib import receivable
from ..lib.money import ZERO, to_decimal
from ..lib.workdays import effective_due_date

INSTALMENT_MOVE_TYPES = ("out_invoice", "out_receipt")


class ReceivableSnapshot:
    """The open receivable instalments of one company on one date, read once.

    ``items``: {line id: lib.receivable.OpenItem} of the open instalments
    (positive residual, customer invoice or receipt with a due date);
    ``credits``: {(partner id, currency id): unreconciled credit, positive
    Decimal} (payments and credit notes not yet matched); ``holidays`` and
    ``weekend`` of the company calendar over the dates read;
    ``partners``: {partner id: {'policy_id', 'excluded', 'next_action_date'}};
    ``tolerance``: {partner id: tolerance of its policy, company currency}.
    """

    def __init__(self, company, as_of):
        self.company = company
        self.as_of = as_of
        self.items = {}
        self.credits = {}
        self.holidays = frozenset()
        self.weekend = frozenset()
        self.partners = {}
        self.tolerance = {}

    def by_partner(self):
        """{partner id: [OpenItem, ...]} in due date order."""
        result = defaultdict(list)
        for item in sorted(self.items.values(), key=lambda item: (item.due_date, item.line_id)):
            result[item.partner_id].append(item)
        return result

    def is_overdue(self, item):
        """The one definition of overdue (lib.receivable.is_overdue)."""
        return receivable.is_overdue(item, self.tolerance.get(item.partner_id, ZERO))

    def summary(self):
        """{partner id: lib.receivable.partner_summary of its items}."""
        return {
            partner_id: receivable.partner_summary(items, self.tolerance.get(partner_id, ZERO))
            for partner_id, items in self.by_partner().items()
        }

    def credits_of(self, partner_id):
        """{currency id: unreconciled credit} of one customer."""
        return {
            currency_id: amount
            for (credit_partner_id, currency_id), amount in self.credits.items()
            if credit_partner_id == partner_id
        }


class CollectionsReceivable(models.AbstractModel):
    """The single reader of open receivable instalments.

    The follow-up run, the partner's follow-up status and totals, the credit
    check (exposure, overdue amount, overdue hold), the late-charge boxes and
    the drill-downs all read the ledger here, so "open" and "overdue" have one
    meaning (``lib.receivable``). Read with SQL, whatever the access rights of
    the user: callers decide what they show.
    """

    _name = "collections.receivable"
    _description = "Open Receivable Instalments"

    @api.model
    def _open_instalment_sql(self):
        """In SQL, what the snapshot keeps as an open instalment: an
        unreconciled receivable debit of an invoice, a receipt or a payment
        plan (aliases ``aml``, ``move``), for the aggregates that must not
        build the snapshot (credit check, aging, exports)."""
        return SQL(
            """(NOT aml.reconciled AND aml.amount_residual_currency > 0
                AND (move.move_type IN %s OR move.collections_is_plan))""",
            INSTALMENT_MOVE_TYPES,
        )

    @api.model
    def _ledger_sql(self, company, where=None):
        """``FROM ... WHERE ...`` of the posted receivable lines of ``company``
        (aliases ``aml``, ``move``, ``account``), narrowed by ``where`` (an
        ``SQL`` condition) when given: the base of the statement's and the
        KPIs' ledger queries (open instalments are ``_open_items_sql``)."""
        return SQL(
            """
              FROM account_move_line aml
              JOIN account_move move ON move.id = aml.move_id
              JOIN account_account account ON account.id = aml.account_id
             WHERE aml.company_id = %s
               AND aml.parent_state = 'posted'
               AND account.account_type = 'asset_receivable'
               AND %s
            """,
            company.id,
            where or SQL("TRUE"),
        )

    def _flush_ledger(self):
        """Flush exactly what the queries below read."""
        self.env["account.move.line"].flush_model(
            [
                "company_id",
                "account_id",
                "parent_state",
                "reconciled",
                "amount_residual",
                "amount_residual_currency",
                "currency_id",
                "date_maturity",
                "move_id",
                "partner_id",
            ]
        )
        self.env["account.move"].flush_model(
            [
                "commercial_partner_id",
                "name",
                "move_type",
                "collections_in_dispute",
                "collections_is_charge_invoice",
                "collections_is_plan",
            ]
        )
        self.env["account.account"].flush_model(["account_type"])
        self.env["collections.promise"].flush_model(["state", "company_id", "move_line_ids"])

    @api.model
    def _snapshot(self, company, as_of, partner_ids=None):
        """ReceivableSnapshot of ``company`` on ``as_of``, optionally limited to
        some commercial partners (ids). Three queries whatever the volume."""
        self._flush_ledger()
        snapshot = ReceivableSnapshot(company, as_of)
        partner_filter = SQL()
        if partner_ids is not None:
            partner_filter = SQL("AND move.commercial_partner_id = ANY(%s)", list(partner_ids))
        self.env.cr.execute(
            SQL(
                """
            SELECT aml.id, aml.move_id, move.name,
                   -- a payment plan's renegotiation entry carries receivable instalments too
                   CASE WHEN move.collections_is_plan THEN 'out_invoice' ELSE move.move_type END,
                   move.commercial_partner_id,
                   aml.currency_id, aml.amount_residual_currency, aml.amount_residual, aml.date_maturity,
                   COALESCE(move.collections_in_dispute, FALSE),
                   COALESCE(move.collections_is_charge_invoice, FALSE),
                   COALESCE(move.collections_is_plan, FALSE),
                   EXISTS(
                       SELECT 1 FROM account_move_line_collections_promise_rel rel
                         JOIN collections_promise promise ON promise.id = rel.collections_promise_id
                        WHERE rel.account_move_line_id = aml.id AND promise.state = 'open'
                   )
              FROM account_move_line aml
              JOIN account_move move ON move.id = aml.move_id
              JOIN account_account account ON account.id = aml.account_id
             WHERE aml.company_id = %s
               AND aml.parent_state = 'posted'
               AND account.account_type = 'asset_receivable'
               AND NOT aml.reconciled
               AND aml.amount_residual_currency != 0
               AND move.commercial_partner_id IS NOT NULL
               %s
            """,
                company.id,
                partner_filter,
            )
        )
        rows, credits = [], defaultdict(lambda: ZERO)
        for (
            line_id,
            move_id,
            move_name,
            move_type,
            partner_id,
            currency_id,
            residual,
            residual_company,
            due_date,
            in_dispute,
            is_charge,
            is_plan,
            promised,
        ) in self.env.cr.fetchall():
            residual = to_decimal(residual)
            if residual < 0:
                credits[(partner_id, currency_id)] -= residual
                continue
            if move_type not in INSTALMENT_MOVE_TYPES or not due_date:
                continue
            rows.append(
                {
                    "line_id": line_id,
                    "move_id": move_id,
                    "move_name": move_name or "",
                    "partner_id": partner_id,
                    "currency_id": currency_id,
                    "residual": residual,
                    "residual_company": residual_company,
                    "due_date": due_date,
                    "in_dispute": in_dispute,
                    "promised": promised,
                    "is_charge_invoice": is_charge,
                    "is_plan": is_plan,
                }
            )
        snapshot.credits = dict(credits)
        snapshot.holidays, snapshot.weekend = company._collections_working_days_for(
            [row["due_date"] for row in rows], as_of
        )
        for row in rows:
            item = receivable.make_item(row, as_of, snapshot.holidays, snapshot.weekend)
            snapshot.items[item.line_id] = item
        self._read_partner_settings(snapshot, {row["partner_id"] for row in rows})
        return snapshot

    def _read_partner_settings(self, snapshot, partner_ids):
        """Policy, exclusion, postponement and tolerance of the customers."""
        company = snapshot.company
        # sudo: the company-dependent follow-up settings are read for the
        # engine's decisions only, never returned to the caller as such.
        partners = self.env["res.partner"].sudo().with_company(company).browse(partner_ids)
        default_policy_id = company.sudo().collections_policy_id.id
        policies = {}
        for values in partners.read(
            ["collections_policy_id", "collections_excluded", "collections_next_action_date"], load=None
        ):
            policy_id = values["collections_policy_id"] or default_policy_id or False
            snapshot.partners[values["id"]] = {
                "policy_id": policy_id,
                "excluded": values["collections_excluded"],
                "next_action_date": values["collections_next_action_date"],
            }
            policies.setdefault(policy_id, None)
        tolerance_by_policy = {
            policy.id: to_decimal(policy.tolerance_amount)
            for policy in self.env["collections.policy"].sudo().browse([p for p in policies if p])
        }
        snapshot.tolerance = {
            partner_id: tolerance_by_policy.get(values["policy_id"], ZERO)
            for partner_id, values in snapshot.partners.items()
        }

    @api.model
    def _overdue_sums(self, company, partner_ids, as_of, tolerance_by_partner=None):
        """{commercial partner id: (overdue amount, oldest overdue printed due
        date)} in company currency, as one aggregate with exactly the rule of
        ``lib.receivable.is_overdue`` (for the credit check, which runs on
        every post and confirmation and must not read every instalment)."""
        if not partner_ids:
            return {}
        self._flush_ledger()
        cutoff = self._overdue_cutoff(company, as_of)
        tolerance_by_partner = tolerance_by_partner or {}
        partner_ids = list(partner_ids)
        self.env.cr.execute(
            SQL(
                """
            SELECT move.commercial_partner_id, SUM(aml.amount_residual), MIN(aml.date_maturity)
              FROM account_move_line aml
              JOIN account_move move ON move.id = aml.move_id
              JOIN account_account account ON account.id = aml.account_id
              JOIN unnest(%s::int[], %s::numeric[]) AS tolerance(partner_id, amount)
                ON tolerance.partner_id = move.commercial_partner_id
             WHERE aml.company_id = %s
               AND aml.parent_state = 'posted'
               AND account.account_type = 'asset_receivable'
               AND %s
               AND aml.date_maturity <= %s
               AND aml.amount_residual > tolerance.amount
               AND NOT COALESCE(move.collections_in_dispute, FALSE)
          GROUP BY move.commercial_partner_id
            """,
                partner_ids,
                [float(tolerance_by_partner.get(pid, 0)) for pid in partner_ids],
                company.id,
                self._open_instalment_sql(),
                cutoff,
            )
        )
        return {
            partner_id: (to_decimal(amount), due_date)
            for partner_id, amount, due_date in self.env.cr.fetchall()
        }

    @api.model
    def _open_items_sql(self, company, as_of):
        """The open instalments of ``_snapshot`` as one SQL sub-query, for the
        set-based reports (aging, XLSX exports) that must not build 100,000
        Python objects. Same rows, same rule (the tests compare them with the
        snapshot): a positive residual of a customer invoice, receipt or plan
        entry with a due date; days late counted from the effective due date
        (``lib.workdays``, computed here once per distinct due date with the
        company calendar); overdue by ``lib.receivable.is_overdue`` with the
        tolerance of each customer's policy.

        Columns: line_id, move_id, move_name, partner_id, currency_id,
        residual, residual_company, due_date, effective_due_date, days_late,
        in_dispute, promised, overdue. Returns an ``SQL`` to use in FROM."""
        self._flush_ledger()
        joins = SQL(
            """
              FROM account_move_line aml
              JOIN account_move move ON move.id = aml.move_id
              JOIN account_account account ON account.id = aml.account_id
            """
        )
        where = SQL(
            """
             WHERE aml.company_id = %s
               AND aml.parent_state = 'posted'
               AND account.account_type = 'asset_receivable'
               AND %s
               AND aml.date_maturity IS NOT NULL
               AND move.commercial_partner_id IS NOT NULL
            """,
            company.id,
            self._open_instalment_sql(),
        )
        base = SQL("%s %s", joins, where)
        self.env.cr.execute(SQL("SELECT DISTINCT aml.date_maturity %s", base))
        due_dates = [row[0] for row in self.env.cr.fetchall()]
        holidays, weekend = company._collections_working_days_for(due_dates, as_of)
        effective = [effective_due_date(day, holidays, weekend) for day in due_dates]
        snapshot = ReceivableSnapshot(company, as_of)
        # a customer's tolerance is the one of a policy (or zero): when no
        # policy has a tolerance, every customer's is zero
        self.env["collections.policy"].flush_model(["tolerance_amount"])
        self.env.cr.execute("SELECT 1 FROM collections_policy WHERE tolerance_amount > 0 LIMIT 1")
        if self.env.cr.fetchone():
            self.env.cr.execute(SQL("SELECT DISTINCT move.commercial_partner_id %s", base))
            self._read_partner_settings(snapshot, [row[0] for row in self.env.cr.fetchall()])
        tolerant = {pid: amount for pid, amount in snapshot.tolerance.items() if amount}
        return SQL(
            """(
            SELECT aml.id AS line_id, aml.move_id, move.name AS move_name,
                   move.commercial_partner_id AS partner_id, aml.currency_id,
                   aml.amount_residual_currency AS residual, aml.amount_residual AS residual_company,
                   aml.date_maturity AS due_date, eff.effective AS effective_due_date,
                   (%(as_of)s::date - eff.effective) AS days_late,
                   COALESCE(move.collections_in_dispute, FALSE) AS in_dispute,
                   EXISTS(
                       SELECT 1 FROM account_move_line_collections_promise_rel rel
                         JOIN collections_promise promise ON promise.id = rel.collections_promise_id
                        WHERE rel.account_move_line_id = aml.id AND promise.state = 'open'
                   ) AS promised,
                   (%(as_of)s::date > eff.effective
                    AND NOT COALESCE(move.collections_in_dispute, FALSE)
                    AND aml.amount_residual > COALESCE(tolerance.amount, 0)) AS overdue
              %(joins)s
              JOIN unnest(%(due)s::date[], %(effective)s::date[]) AS eff(due, effective)
                ON eff.due = aml.date_maturity
              LEFT JOIN unnest(%(tolerance_partners)s::int[], %(tolerance_amounts)s::numeric[])
                     AS tolerance(partner_id, amount)
                ON tolerance.partner_id = move.commercial_partner_id
              %(where)s
            )""",
            as_of=as_of,
            joins=joins,
            where=where,
            due=due_dates,
            effective=effective,
            tolerance_partners=list(tolerant),
            tolerance_amounts=[str(amount) for amount in tolerant.values()],
        )

    @api.model
    def _overdue_cutoff(self, company, as_of):
        """The latest printed due date overdue on ``as_of`` in ``company``
        (lib.receivable.last_overdue_due_date with the company calendar);
        cached until the calendar or its time off change."""
        return company._collections_overdue_cutoff(as_of)
