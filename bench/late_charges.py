"""Benchmark of the late-charge computation (issues 4 and 8).

Run in an Odoo shell on a THROWAWAY database with collections_followup
installed (the data is committed and reused by the next run):
    createdb -T <db> <db>_bench
    odoo-bin shell -c <conf> -d <db>_bench --no-http < bench/late_charges.py
It builds, once, BENCH_INSTALMENTS (default 100000) open instalments in the
main company: a posted invoice made through the ORM is cloned in bulk SQL
(one receivable line per clone, 1000.00 to 1999.99, due between 1 Dec 2025
and 31 Jan 2026), half of them partly paid (400.00 on 10 Jan 2026 through
partial reconciliations), over BENCH_PARTNERS (default 2000) customers whose
policy charges a 2% fine, 1% a month interest and a monthly correction index.
Then it measures ``account.move.line._collections_late_charges`` on all of
them as of 1 Mar 2026: wall time, SQL queries and the process's peak RSS.
"""

import os
import resource
import time
from datetime import date

from odoo import Command

INSTALMENTS = int(os.environ.get("BENCH_INSTALMENTS", 100000))
PARTNERS = int(os.environ.get("BENCH_PARTNERS", 2000))
AS_OF = date(2026, 3, 1)
MARK = "BENCH-LATE"

env = env(context=dict(env.context, tracking_disable=True, mail_create_nolog=True))  # noqa: F821
cr = env.cr
company = env.ref("base.main_company")
env = env(context=dict(env.context, allowed_company_ids=company.ids))


def columns(table, skip):
    cr.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s", [table])
    return [name for (name,) in cr.fetchall() if name not in skip]


def build():
    index = env["collections.correction.index"].create(
        {
            "name": "Bench IPCA",
            "rate_ids": [
                Command.create({"year": 2025, "month": month, "rate": 0.4}) for month in range(1, 13)
            ]
            + [
                Command.create({"year": 2026, "month": 1, "rate": -0.2}),  # a deflation month
                Command.create({"year": 2026, "month": 2, "rate": 0.5}),
            ],
        }
    )
    income = env["account.account"].search(
        [("account_type", "in", ("income", "income_other")), ("company_ids", "in", company.id)], limit=1
    )
    policy = env["collections.policy"].create(
        {
            "name": MARK,
            "company_id": company.id,
            "fine_rate": 2.0,
            "monthly_interest_rate": 1.0,
            "charge_invoicing": "on_demand",
            "correction_index_id": index.id,
            "fine_account_id": income.id,
            "interest_account_id": income.id,
            "correction_account_id": income.id,
        }
    )
    partners = env["res.partner"].create(
        [{"name": "%s %d" % (MARK, i), "is_company": i % 2 == 0} for i in range(PARTNERS)]
    )
    for partner in partners.with_company(company):
        partner.collections_policy_id = policy
    template = env["account.move"].create(
        {
            "move_type": "out_invoice",
            "partner_id": partners[0].id,
            "invoice_date": date(2025, 11, 1),
            "invoice_date_due": date(2025, 12, 1),
            "ref": MARK,
            "invoice_line_ids": [
                Command.create(
                    {"name": "Service", "quantity": 1, "price_unit": 1000.0, "tax_ids": [Command.clear()]}
                )
            ],
        }
    )
    template.action_post()
    receivable = template.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
    payment = env["account.move"].create(
        {
            "move_type": "entry",
            "date": date(2026, 1, 10),
            "ref": MARK,
            "line_ids": [
                Command.create(
                    {"account_id": receivable.account_id.id, "credit": 1.0, "partner_id": partners[0].id}
                ),
                Command.create({"account_id": income.id, "debit": 1.0}),
            ],
        }
    )
    payment.action_post()
    credit_line = payment.line_ids.filtered("credit")
    env.flush_all()
    # Clone the invoice and its receivable line INSTALMENTS - 1 times (moves are
    # not balanced: the bench only reads the receivable side).
    move_cols = columns(
        "account_move",
        {
            "id",
            "name",
            "partner_id",
            "commercial_partner_id",
            "invoice_date_due",
            "amount_total",
            "amount_residual",
        },
    )
    cr.execute(
        """
        INSERT INTO account_move (name, partner_id, commercial_partner_id, invoice_date_due,
                                  amount_total, amount_residual, {cols})
        SELECT %(mark)s || '/' || n, partner.id, partner.id,
               DATE '2025-12-01' + (n %% 62), 1000 + (n %% 1000), 1000 + (n %% 1000), {cols}
          FROM account_move, generate_series(1, %(count)s) AS n
          JOIN LATERAL (SELECT (%(partners)s::int[])[1 + n %% %(npartners)s] AS id) partner ON TRUE
         WHERE account_move.id = %(template)s
        RETURNING id
    """.format(cols=", ".join('"%s"' % c for c in move_cols)),
        {
            "mark": MARK,
            "count": INSTALMENTS - 1,
            "partners": partners.ids,
            "npartners": PARTNERS,
            "template": template.id,
        },
    )
    line_cols = columns(
        "account_move_line",
        {
            "id",
            "move_id",
            "move_name",
            "partner_id",
            "date_maturity",
            "balance",
            "debit",
            "amount_currency",
            "amount_residual",
            "amount_residual_currency",
        },
    )
    cr.execute(
        """
        INSERT INTO account_move_line (move_id, move_name, partner_id, date_maturity, balance, debit,
                                       amount_currency, amount_residual, amount_residual_currency, {cols})
        SELECT move.id, move.name, move.partner_id, move.invoice_date_due, move.amount_total,
               move.amount_total, move.amount_total, move.amount_total, move.amount_total, {line_cols}
          FROM account_move move, account_move_line line
         WHERE move.name LIKE %(mark)s AND line.id = %(line)s
    """.format(
            cols=", ".join('"%s"' % c for c in line_cols),
            line_cols=", ".join('line."%s"' % c for c in line_cols),
        ),
        {"mark": MARK + "/%", "line": receivable.id},
    )
    cr.execute(
        """
        INSERT INTO account_partial_reconcile (debit_move_id, credit_move_id, amount, debit_amount_currency,
                    credit_amount_currency, company_id, debit_currency_id, credit_currency_id, max_date,
                    create_uid, create_date, write_uid, write_date)
        SELECT line.id, %(credit)s, 400, 400, 400, line.company_id, line.currency_id, line.currency_id,
               DATE '2026-01-10', 1, now(), 1, now()
          FROM account_move_line line JOIN account_move move ON move.id = line.move_id
         WHERE move.name LIKE %(mark)s AND line.id %% 2 = 0
    """,
        {"credit": credit_line.id, "mark": MARK + "/%"},
    )
    cr.commit()


def instalment_ids():
    cr.execute(
        """
        SELECT line.id FROM account_move_line line JOIN account_move move ON move.id = line.move_id
         WHERE (move.name LIKE %s OR move.ref = %s) AND line.debit > 0
           AND line.account_id IN (SELECT id FROM account_account WHERE account_type = 'asset_receivable')
      ORDER BY line.id
    """,
        [MARK + "/%", MARK],
    )
    return [line_id for (line_id,) in cr.fetchall()]


ids = instalment_ids()
if len(ids) < INSTALMENTS:
    assert not ids, "partial bench data: use a fresh copy of the database"
    start = time.perf_counter()
    build()
    ids = instalment_ids()
    print("built %d instalments in %.1f s" % (len(ids), time.perf_counter() - start))
ids = ids[:INSTALMENTS]
print("load average before: %.2f" % os.getloadavg()[0])
for run in range(2):
    env.invalidate_all()
    lines = env["account.move.line"].browse(ids)
    queries = cr.sql_log_count
    start, cpu = time.perf_counter(), time.process_time()
    charges = lines._collections_late_charges(AS_OF)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(
        "run %d: _collections_late_charges on %d instalments: %.2f s (Odoo process CPU %.2f s),"
        " %d SQL queries, peak RSS %.0f MiB"
        % (
            run + 1,
            len(ids),
            elapsed,
            cpu,
            cr.sql_log_count - queries,
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        )
    )
late = [values for values in charges.values() if values["total"]]
print(
    "  late: %d, with correction: %d, partly paid: %d, total charges %.2f"
    % (
        len(late),
        sum(1 for values in late if values["correction"]),
        sum(1 for line_id in charges if line_id % 2 == 0),
        sum(values["total"] for values in charges.values()),
    )
)
cr.rollback()
