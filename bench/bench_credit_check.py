"""Time of the credit check added to posting an invoice / confirming an order.

A customer with 1,000 open instalments (50 posted invoices of 20 instalments,
half of them overdue) and a confirmed order; the check is run cold (ORM cache
emptied) many times and the median is printed. Everything is rolled back.

Usage (database with collections_followup installed, and _sale for orders):
    python bench/bench_credit_check.py -c odoo.conf -d DATABASE [--runs 50]
"""

import argparse
import os
import statistics
import sys
import time
from datetime import date, timedelta

ODOO_PATH = "/opt/odoo"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--odoo-path", default=ODOO_PATH)
    args = parser.parse_args()
    sys.path.insert(0, args.odoo_path)
    import odoo
    from odoo import Command, api

    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        env = api.Environment(
            cr, odoo.SUPERUSER_ID, {"tracking_disable": True, "mail_create_nolog": True, "mail_notrack": True}
        )
        try:
            run(env, Command, args.runs)
        finally:
            cr.rollback()


def run(env, Command, runs):
    company = env.company
    today = date.today()
    term = env["account.payment.term"].create(
        {
            "name": "20 monthly instalments (bench)",
            "line_ids": [
                Command.create({"value": "percent", "value_amount": 5.0, "nb_days": 30 * i})
                for i in range(20)
            ],
        }
    )
    customer = env["res.partner"].create({"name": "Bench customer", "is_company": True})
    customer.credit_limit = 10_000_000.0
    # the overdue instalments are still read and summed; only the hold is not raised
    customer.credit_hold_overdue_mode = "never"
    start = time.perf_counter()
    invoices = env["account.move"].create(
        [
            {
                "move_type": "out_invoice",
                "partner_id": customer.id,
                "invoice_date": today - timedelta(days=300 - 5 * i),
                "invoice_payment_term_id": term.id,
                "invoice_line_ids": [Command.create({"name": "Bench", "price_unit": 1000.0, "tax_ids": []})],
            }
            for i in range(50)
        ]
    )
    invoices.action_post()
    instalments = env["account.move.line"].search_count(
        [
            ("move_id", "in", invoices.ids),
            ("account_id.account_type", "=", "asset_receivable"),
        ]
    )
    # a live database has statistics (autovacuum); without them the planner
    # believes every table is empty and picks nested loops
    env.flush_all()
    env.cr.execute("ANALYZE account_move_line, account_move, account_account, res_partner")
    print(
        "setup: %d open instalments on %d invoices in %.1f s"
        % (instalments, len(invoices), time.perf_counter() - start)
    )

    draft = env["account.move"].create(
        {
            "move_type": "out_invoice",
            "partner_id": customer.id,
            "invoice_line_ids": [Command.create({"name": "New", "price_unit": 10.0, "tax_ids": []})],
        }
    )
    customer.collections_credit_hold_reasons()  # warm-up (registry, rates, views of the ORM)
    report("post a customer invoice", env, runs, lambda: draft._collections_check_credit())

    if "sale.order" in env and "collections_credit_released_by_id" in env["sale.order"]._fields:
        product = env["product.product"].create({"name": "Bench product", "invoice_policy": "order"})
        orders = env["sale.order"].create(
            [
                {
                    "partner_id": customer.id,
                    "order_line": [
                        Command.create({"product_id": product.id, "price_unit": 50.0, "tax_id": []})
                    ],
                }
                for _ in range(2)
            ]
        )
        orders[0].action_confirm()
        quotation = orders[1]
        report("confirm a sale order", env, runs, lambda: quotation._collections_check_credit())
    print(
        "company %s, currency %s; load average %s"
        % (company.name, company.currency_id.name, " ".join("%.2f" % load for load in os.getloadavg()))
    )


def report(label, env, runs, check):
    """Cold: ORM cache emptied before each run (a new request). Warm: the
    document, customer and company already loaded, as they are when posting
    or confirming (the exposure queries run every time anyway)."""
    for cache in ("cold", "warm"):
        timings = []
        queries = 0
        for _ in range(runs):
            if cache == "cold":
                env.invalidate_all()
            before = env.cr.sql_log_count
            start = time.perf_counter()
            check()
            timings.append((time.perf_counter() - start) * 1000)
            queries = env.cr.sql_log_count - before
        print(
            "credit check to %s, %s cache: median %.2f ms, min %.2f ms, max %.2f ms, %d SQL queries (%d runs)"
            % (label, cache, statistics.median(timings), min(timings), max(timings), queries, runs)
        )


if __name__ == "__main__":
    main()
