"""Time of the reports of issue 10 on a database with many open instalments.

    .work/venv/bin/python bench/bench_reports.py -c <odoo.conf> -d <db> [--as-of YYYY-MM-DD]

Use a THROWAWAY copy of a bench database (``createdb -T cf_bench cf_x_bench``,
then ``odoo-bin -u collections_followup`` on it so the report tables exist):
everything is rolled back, nothing is written. It prints, for the main
company, the number of open instalments and the wall time, SQL queries and
peak RSS of each report:

- snapshot: ``collections.receivable._snapshot`` (for comparison);
- aging: ``collections.aging.report.get_aging`` by customer (the pivot the
  menu opens) and the count of its instalments (the list);
- kpi (year): ``collections.kpi.get_kpis`` over the year up to the date;
- xlsx aging / xlsx overdue: ``export_xlsx`` of the aging and of the overdue
  control sheet (one row per instalment).

Each step runs cold (ORM cache emptied); the best of BENCH_REPEAT (default 1)
is kept.
"""

import argparse
import os
import resource
import sys
import time
from datetime import date, timedelta

ODOO_PATH = os.environ.get("ODOO_PATH", "/opt/odoo")


def measure(env, name, function):
    best = None
    for _attempt in range(int(os.environ.get("BENCH_REPEAT", "1"))):
        env.invalidate_all()
        queries = env.cr.sql_log_count
        start = time.perf_counter()
        extra = function()
        wall = time.perf_counter() - start
        result = {"step": name, "wall": wall, "queries": env.cr.sql_log_count - queries, "extra": extra}
        env.cr.rollback()
        if best is None or wall < best["wall"]:
            best = result
    best["rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return best


def aging(env, as_of):
    """The pivot by customer and bucket (what the menu shows first)."""
    rows = env["collections.aging.report"].get_aging(as_of, "partner_id", env.company.ids)
    lines = env["collections.aging.line"]._on(as_of, env.company.ids).search_count([])
    return "%d customers, %d instalments" % (len(rows), lines)


def xlsx(env, as_of, kind):
    result = env["collections.aging.report"].export_xlsx(kind, as_of, env.company.ids)
    return "%d kB" % (len(result["content"]) * 3 // 4 // 1024)


def kpi(env, as_of):
    """A year of history up to the date."""
    [row] = env["collections.kpi"].get_kpis(
        str(as_of - timedelta(days=364)), str(as_of), company_ids=env.company.ids
    )
    return "DSO %s, IAG %s %%" % (row["dso"], row["iag"])


def steps(env, as_of):
    company = env.company
    return [
        ("kpi (year)", lambda: kpi(env, as_of)),
        ("xlsx aging", lambda: xlsx(env, as_of, "aging")),
        ("xlsx overdue", lambda: xlsx(env, as_of, "overdue")),
        (
            "snapshot",
            lambda: "%d instalments" % len(env["collections.receivable"]._snapshot(company, as_of).items),
        ),
        ("aging", lambda: aging(env, as_of)),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--as-of", help="default: 30 days after the last due date")
    parser.add_argument("--odoo-path", default=ODOO_PATH)
    args = parser.parse_args()
    if not os.path.isfile(os.path.join(args.odoo_path, "odoo-bin")):
        raise SystemExit(
            "No Odoo 18 source tree at %s: get it with: git clone --depth 1 -b 18.0 "
            "https://github.com/odoo/odoo %s" % (args.odoo_path, args.odoo_path)
        )
    sys.path.insert(0, args.odoo_path)
    import odoo
    from odoo import api

    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        if "collections.aging.report" not in env:
            raise SystemExit("update collections_followup on %s first (odoo-bin -u)" % args.database)
        if args.as_of:
            as_of = date.fromisoformat(args.as_of)
        else:
            cr.execute(
                "SELECT MAX(date_maturity) FROM account_move_line WHERE company_id = %s", [env.company.id]
            )
            as_of = (cr.fetchone()[0] or date.today()) + timedelta(days=30)
        print("%s, company %s, as of %s" % (args.database, env.company.name, as_of))
        print("%-12s %9s %8s %9s  %s" % ("report", "wall (s)", "queries", "RSS (MB)", ""))
        for name, function in steps(env, as_of):
            result = measure(env, name, function)
            print(
                "%-12s %9.2f %8d %9.0f  %s"
                % (name, result["wall"], result["queries"], result["rss"], result["extra"])
            )
        cr.rollback()


if __name__ == "__main__":
    main()
