"""One benchmark command for the follow-up at scale (issue 11).

    .work/venv/bin/python bench/run_bench.py -c <odoo.conf> -d cf_bench [--customers 10000]

It uses two throwaway databases, ``<db>`` (N customers) and ``<db>_tenth``
(N/10): each is created with collections_followup (no demo data) when
missing, then filled ONCE with seeded data built in bulk SQL and reused by
the next runs (the data is committed: never point it at a real database).

The data: N customers, each with 2 to 4 posted invoices of 1 to 5
instalments (about 9 instalments a customer: 10,000 customers make about
90,000 open instalments), amounts 100.00 to 999.99, invoice dates spread
over the year before the run date, three instalments in ten partly paid
(residual 40 %). The policy "Bench 11" has three automatic e-mail levels at
+10, +30 and +60 days, a 2 % fine and 1 % a month interest. Every value
comes from the row numbers: the same N gives the same data.

Each step runs in its own process (peak memory is the process's own) and
prints one table: wall time, SQL queries and peak RSS of

- decision: reading the receivable snapshot and planning the contacts
  (nothing written);
- run: the full daily run, e-mails queued (committed, reset before);
- floor: one SQL aggregate of the overdue amount per customer;
- late charges: ``_collections_late_charges`` of every open instalment;
- credit check: bench/bench_credit_check.py (median, warm cache).

"Odoo CPU" is the CPU time of the Odoo process during the step (PostgreSQL's
work is not in it): on a machine shared with other work it moves less than
the wall time.

- run in jobs (when OCA's queue_job is on the addons path): the bridge
  ``collections_followup_queue`` is installed on the bench databases, an
  Odoo server with 1, then 2, workers and queue_job's runner executes the
  jobs; wall time from the scheduled action's start to the run closed.

Environment: BENCH_REPEAT (runs of each step, best kept, default 1);
BENCH_STEPS (a comma-separated subset of decision, run, replay, floor,
late_charges, credit_check, oca, jobs);
BENCH_SIZES=full or tenth (only the N-customer or the N/10 database).
"""

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import time
import urllib.request
from datetime import date, timedelta

ODOO_PATH = "/opt/odoo"
MARK = "cfb"  # customers' ref prefix, invoice name prefix
POLICY = "Bench 11"
HERE = os.path.dirname(os.path.abspath(__file__))
ALL_STEPS = "decision,run,replay,floor,late_charges,credit_check,oca,jobs"


# ----------------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------------


def build(env, customers):
    """Create the seeded data when missing; returns the run date."""
    from odoo import Command

    cr = env.cr
    company = env.company
    param = env["ir.config_parameter"].sudo()
    as_of = param.get_param("collections_bench.as_of")
    if as_of:
        return date.fromisoformat(as_of)
    as_of = date.today() - timedelta(days=1)
    while as_of.weekday() >= 5:  # a working day
        as_of -= timedelta(days=1)
    account = env["account.account"].search(
        [("account_type", "=", "asset_receivable"), ("company_ids", "in", company.id)], limit=1
    )
    if not account:
        env["account.chart.template"].try_loading("generic_coa", company, install_demo=False)
        account = env["account.account"].search(
            [("account_type", "=", "asset_receivable"), ("company_ids", "in", company.id)], limit=1
        )
    # a journal of its own: the bulk invoices carry no sequence, they must not
    # disturb the numbering of invoices posted later (the credit check bench)
    journal = env["account.journal"].create(
        {"name": "Bench 11", "code": "CFB", "type": "sale", "company_id": company.id}
    )
    templates = [
        env.ref("collections_followup.mail_template_followup_%s" % tone)
        for tone in ("friendly", "firm", "formal_notice")
    ]
    policy = env["collections.policy"].create(
        {
            "name": POLICY,
            "company_id": company.id,
            "min_days_between_contacts": 5,
            "fine_rate": 2.0,
            "monthly_interest_rate": 1.0,
            "level_ids": [
                Command.create(
                    {
                        "name": name,
                        "days": days,
                        "tone": tone,
                        "send_email": True,
                        "mail_template_id": template.id,
                    }
                )
                for (name, days, tone), template in zip(
                    [
                        ("Friendly", 10, "friendly"),
                        ("Firm", 30, "firm"),
                        ("Formal notice", 60, "formal_notice"),
                    ],
                    templates,
                    strict=False,
                )
            ],
        }
    )
    company.collections_policy_id = policy
    env.flush_all()
    start = time.perf_counter()
    cr.execute(
        """
        INSERT INTO res_partner (name, complete_name, email, ref, is_company, active, type, lang,
                                 autopost_bills, create_date, write_date, create_uid, write_uid)
        SELECT 'Bench Customer ' || g, 'Bench Customer ' || g, 'customer' || g || '@example.com',
               %(mark)s || '-' || g, TRUE, TRUE, 'contact', 'en_US', 'ask', now(), now(), 1, 1
          FROM generate_series(1, %(n)s) g
        """,
        {"mark": MARK, "n": customers},
    )
    cr.execute("UPDATE res_partner SET commercial_partner_id = id WHERE ref LIKE %s", [MARK + "-%"])
    cr.execute("ANALYZE res_partner")
    # invoices: 2 to 4 per customer, dated over the year before the run date
    cr.execute(
        """
        INSERT INTO account_move (name, move_type, state, date, invoice_date, journal_id, company_id,
                                  currency_id, partner_id, commercial_partner_id, auto_post, payment_state,
                                  amount_total, amount_residual, amount_total_signed, amount_residual_signed,
                                  create_date, write_date, create_uid, write_uid)
        SELECT %(mark)s || '/' || p.id || '/' || i, 'out_invoice', 'posted', d, d, %(journal)s, %(company)s,
               %(currency)s, p.id, p.id, 'no', 'not_paid', 0, 0, 0, 0, now(), now(), 1, 1
          FROM res_partner p
          JOIN LATERAL generate_series(1, 2 + p.id %% 3) i ON TRUE
          JOIN LATERAL (SELECT %(as_of)s::date - ((p.id * 31 + i * 97) %% 365) AS d) dates ON TRUE
         WHERE p.ref LIKE %(like)s
        """,
        {
            "mark": MARK,
            "like": MARK + "-%",
            "journal": journal.id,
            "company": company.id,
            "currency": company.currency_id.id,
            "as_of": as_of,
        },
    )
    cr.execute("ANALYZE account_move")
    # instalments: 1 to 5 per invoice, one every 30 days from the invoice date;
    # three in ten partly paid (residual 40 %)
    cr.execute(
        """
        INSERT INTO account_move_line (move_id, account_id, partner_id, company_id, currency_id,
                                       company_currency_id, journal_id, date, date_maturity, name,
                                       display_type, parent_state, debit, credit, balance, amount_currency,
                                       amount_residual, amount_residual_currency, reconciled,
                                       create_date, write_date, create_uid, write_uid)
        SELECT m.id, %(account)s, m.partner_id, m.company_id, m.currency_id, m.currency_id, m.journal_id,
               m.date, m.date + 30 * k, m.name || ' ' || k, 'payment_term', 'posted',
               a.amount, 0, a.amount, a.amount, a.residual, a.residual, FALSE, now(), now(), 1, 1
          FROM account_move m
          JOIN LATERAL generate_series(1, 1 + (m.id * 13) %% 5) k ON TRUE
          JOIN LATERAL (SELECT 100 + ((m.id * 7 + k * 131) %% 90000) / 100.0 AS amount) b ON TRUE
          JOIN LATERAL (SELECT b.amount AS amount,
                               CASE WHEN (m.id + k) %% 10 < 3 THEN round(b.amount * 0.4, 2)
                                    ELSE b.amount END AS residual) a ON TRUE
         WHERE m.name LIKE %(like)s
        """,
        {"account": account.id, "like": MARK + "/%"},
    )
    cr.execute(
        """
        UPDATE account_move m SET amount_total = s.total, amount_residual = s.residual,
               amount_total_signed = s.total, amount_residual_signed = s.residual,
               invoice_date_due = s.due, payment_state = CASE WHEN s.residual < s.total THEN 'partial'
                                                               ELSE 'not_paid' END
          FROM (SELECT move_id, SUM(debit) total, SUM(amount_residual) residual, MAX(date_maturity) due
                  FROM account_move_line GROUP BY move_id) s
         WHERE s.move_id = m.id AND m.name LIKE %s
        """,
        [MARK + "/%"],
    )
    cr.execute("ANALYZE account_move_line")
    cr.execute("ANALYZE account_move")
    param.set_param("collections_bench.as_of", as_of.isoformat())
    cr.commit()
    # read every new row once after the commit: the first reader of freshly
    # inserted rows writes their hint bits, which the first step would pay
    for table in ("res_partner", "account_move", "account_move_line"):
        cr.execute("SELECT count(*) FROM %s" % table)  # constant table names
    env.invalidate_all()
    print("  data built in %.1f s" % (time.perf_counter() - start), file=sys.stderr)
    return as_of


OCA_POLICY = "Bench 11 (OCA)"


def oca_step(env, as_of):
    """OCA ``account_credit_control``'s run on the same data, with the policy
    equivalent to ours: e-mail levels at +10, +30 and +60 days from the due
    date, on the receivable account; its credit lines only (it sends nothing
    during the run)."""
    cr = env.cr
    company = env.company
    Policy = env["credit.control.policy"]
    policy = Policy.search([("name", "=", OCA_POLICY)], limit=1)
    if not policy:
        template = env.ref("account_credit_control.email_template_credit_control_base")
        receivable = env["account.account"].search(
            [("account_type", "=", "asset_receivable"), ("company_ids", "in", company.id)]
        )
        policy = Policy.create(
            {
                "name": OCA_POLICY,
                "company_id": company.id,
                "account_ids": [(6, 0, receivable.ids)],
                "level_ids": [
                    (
                        0,
                        0,
                        {
                            "name": "Level %d" % level,
                            "level": level,
                            "computation_mode": "net_days",
                            "delay_days": days,
                            "channel": "email",
                            "email_template_id": template.id,
                            "custom_text": "Reminder",
                            "custom_mail_text": "<p>Reminder</p>",
                        },
                    )
                    for level, days in ((1, 10), (2, 30), (3, 60))
                ],
            }
        )
        company.credit_policy_id = policy
        cr.commit()
    cr.execute("DELETE FROM credit_control_line")
    cr.execute("DELETE FROM credit_control_run")
    env.invalidate_all()
    run = env["credit.control.run"].create({"date": as_of, "policy_ids": [(6, 0, policy.ids)]})
    env.flush_all()
    queries, start, cpu = cr.sql_log_count, time.perf_counter(), _cpu()
    run.generate_credit_lines()
    env.flush_all()
    result = {"queries": queries, "start": start, "cpu": cpu}
    cr.execute("SELECT count(*), count(DISTINCT partner_id) FROM credit_control_line")
    result["credit lines"], result["customers"] = cr.fetchone()
    return result


def reset(env):
    """Forget the previous runs, so that every run does the same work."""
    cr = env.cr
    company = env.company
    cr.execute("DELETE FROM collections_followup_pair WHERE company_id = %s", [company.id])
    cr.execute("DELETE FROM collections_followup_action WHERE company_id = %s", [company.id])
    cr.execute("DELETE FROM collections_run WHERE company_id = %s", [company.id])
    cr.execute("SELECT to_regclass('queue_job') IS NOT NULL")
    if cr.fetchone()[0]:
        cr.execute("DELETE FROM queue_job WHERE model_name = 'collections.run'")
    cr.execute("""DELETE FROM mail_mail USING mail_message WHERE mail_message.id = mail_mail.mail_message_id
                   AND mail_message.model = 'res.partner'""")
    cr.execute(
        "DELETE FROM mail_message WHERE model = 'res.partner' AND res_id IN "
        "(SELECT id FROM res_partner WHERE ref LIKE %s)",
        [MARK + "-%"],
    )
    cr.commit()
    env.invalidate_all()


# ----------------------------------------------------------------------------
# Steps (each in its own process)
# ----------------------------------------------------------------------------


def _cpu():
    """CPU seconds of this process (user + system): Python's share of a step,
    steadier than the wall time on a busy machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def step(env, name, as_of):
    cr = env.cr
    company = env.company
    if name == "run":
        reset(env)
    if name in ("run", "replay") and "collections_run_in_jobs" in company._fields:
        company.collections_run_in_jobs = False  # this step is the run in one process
        env.flush_all()
    env.invalidate_all()
    queries = cr.sql_log_count
    start, cpu = time.perf_counter(), _cpu()
    extra = {}
    if name == "decision":
        engine = (
            env["collections.followup.run"]
            .with_company(company)
            .with_context(allowed_company_ids=[company.id])
        )
        cr.execute("DELETE FROM collections_followup_pair WHERE company_id = %s", [company.id])
        cr.execute("DELETE FROM collections_followup_action WHERE company_id = %s", [company.id])
        queries, start, cpu = cr.sql_log_count, time.perf_counter(), _cpu()
        data = engine._gather(company, as_of)
        contacts, _postponed = engine._plan(data)
        extra = {"customers": len(data.partners), "instalments": len(data.lines), "contacts": len(contacts)}
    elif name == "run":
        summary = env["collections.policy"].run_followup(as_of=as_of, company_ids=company.ids)
        extra = {
            "contacts": summary["partners_contacted"],
            "emails": summary["emails_queued"],
            "failed": summary["actions_failed"],
        }
    elif name == "replay":
        summary = env["collections.policy"].run_followup(as_of=as_of, company_ids=company.ids)
        extra = {"contacts": summary["partners_contacted"]}
    elif name == "floor":
        cr.execute(
            """
            SELECT move.commercial_partner_id, SUM(aml.amount_residual)
              FROM account_move_line aml
              JOIN account_move move ON move.id = aml.move_id
              JOIN account_account account ON account.id = aml.account_id
             WHERE aml.company_id = %s AND aml.parent_state = 'posted' AND NOT aml.reconciled
               AND account.account_type = 'asset_receivable' AND aml.amount_residual > 0
               AND aml.date_maturity < %s
          GROUP BY move.commercial_partner_id
            """,
            [company.id, as_of],
        )
        extra = {"customers": len(cr.fetchall())}
    elif name == "modules":
        from odoo.modules.module import get_module_path

        cr.execute("SELECT state FROM ir_module_module WHERE name = 'collections_followup_queue'")
        row = cr.fetchone()
        extra = {
            "queue_job": bool(get_module_path("queue_job", display_warning=False)),
            "bridge": bool(row and row[0] == "installed"),
        }
    elif name in ("jobs_on", "jobs_off"):
        if name == "jobs_on":
            reset(env)
        company.collections_run_in_jobs = name == "jobs_on"
        env.flush_all()
    elif name == "jobs":
        # the scheduled action's part (decision, jobs enqueued and committed),
        # then wait for the workers to close the run
        summary = env["collections.policy"].run_followup(as_of=as_of, company_ids=company.ids)
        enqueued = time.perf_counter() - start
        run_id = summary["run_ids"][0]
        while True:
            cr.rollback()  # a fresh snapshot: the workers commit in other transactions
            cr.execute(
                "SELECT state, partners_contacted, emails_queued FROM collections_run WHERE id = %s", [run_id]
            )
            state, contacted, emails = cr.fetchone()
            if state != "running" or time.perf_counter() - start > 1800:
                break
            time.sleep(0.05)
        cr.execute(
            "SELECT count(*), count(*) FILTER (WHERE state = 'done'), SUM(exec_time), MAX(exec_time),"
            " SUM(retry) FROM queue_job WHERE model_name = 'collections.run'"
        )
        jobs, jobs_done, exec_total, exec_max, retries = cr.fetchone()
        extra = {
            "state": state,
            "contacts": contacted,
            "emails": emails,
            "jobs": "%d/%d done" % (jobs_done, jobs),
            "job time (s)": "%.1f total, %.1f max" % (exec_total or 0, exec_max or 0),
            "attempts": retries or 0,
            "decision and enqueue (s)": "%.2f" % enqueued,
        }
    elif name == "oca":
        extra = oca_step(env, as_of)
        queries, start, cpu = extra.pop("queries"), extra.pop("start"), extra.pop("cpu")
    elif name == "late_charges":
        snapshot = env["collections.receivable"]._snapshot(company, as_of)
        queries, start, cpu = cr.sql_log_count, time.perf_counter(), _cpu()
        charges = env["account.move.line"].browse(list(snapshot.items))._collections_late_charges(as_of)
        extra = {"instalments": len(charges)}
    elapsed = time.perf_counter() - start
    result = dict(
        extra,
        step=name,
        wall=elapsed,
        cpu=_cpu() - cpu,
        queries=cr.sql_log_count - queries,
        rss=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )
    if name in ("run", "jobs", "jobs_on", "jobs_off"):
        cr.commit()
    else:
        cr.rollback()
    return result


def child(args):
    sys.path.insert(0, args.odoo_path)
    import odoo
    from odoo import api

    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        as_of = build(env, args.customers)
        if args.step == "build":
            print("RESULT " + json.dumps({"step": "build", "wall": 0, "as_of": as_of.isoformat()}))
        else:
            print("RESULT " + json.dumps(step(env, args.step, as_of), default=str))


# ----------------------------------------------------------------------------
# Driver
# ----------------------------------------------------------------------------


def run_child(args, database, customers, name):
    command = [
        sys.executable,
        os.path.abspath(__file__),
        "--child",
        name,
        "-c",
        args.config,
        "-d",
        database,
        "--customers",
        str(customers),
        "--odoo-path",
        args.odoo_path,
    ]
    best = None
    for _attempt in range(int(os.environ.get("BENCH_REPEAT", "1"))):
        output = subprocess.run(command, capture_output=True, text=True, check=False)
        lines = [line for line in output.stdout.splitlines() if line.startswith("RESULT ")]
        if output.returncode or not lines:
            sys.stderr.write(output.stdout + output.stderr)
            raise SystemExit("step %s failed on %s" % (name, database))
        result = json.loads(lines[-1][7:])
        if best is None or result["wall"] < best["wall"]:
            best = result
    return best


def credit_check(args, database):
    output = subprocess.run(
        [
            sys.executable,
            os.path.join(HERE, "bench_credit_check.py"),
            "-c",
            args.config,
            "-d",
            database,
            "--runs",
            "30",
            "--odoo-path",
            args.odoo_path,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    match = re.search(
        r"post a customer invoice, warm cache: median ([\d.]+) ms.*?(\d+) SQL queries", output.stdout
    )
    if not match:
        return None
    return {"wall": float(match.group(1)) / 1000, "queries": int(match.group(2)), "rss": None, "cpu": None}


def install(args, database, module, *options):
    """Install ``module`` on ``database`` with odoo-bin (creating the
    database when missing)."""
    subprocess.run(
        [
            sys.executable,
            os.path.join(args.odoo_path, "odoo-bin"),
            "-c",
            args.config,
            "-d",
            database,
            "-i",
            module,
            *options,
            "--stop-after-init",
            "--log-level=warn",
            "--http-port=0",
        ],
        check=True,
    )


OCA_CREDIT_CONTROL = "odoo-addon-account-credit-control==18.0.2.0.2.6"


def oca_database(args, database):
    """``<database>_oca``: a copy of the bench database with OCA's
    ``account_credit_control`` (18.0, from PyPI, unpacked next to queue_job
    in the work folder's OCA addons directory); None when it cannot be had."""
    sys.path.insert(0, args.odoo_path)
    import odoo

    odoo.tools.config.parse_config(["-c", args.config, "--log-level=warn"])
    oca_dirs = [path for path in odoo.tools.config["addons_path"].split(",") if "oca-addons" in path]
    if not oca_dirs:
        print("  no OCA addons directory on the addons path: no OCA run", file=sys.stderr)
        return None
    target = oca_dirs[0]
    if not os.path.isfile(os.path.join(target, "account_credit_control", "__manifest__.py")):
        wheels = os.path.join(os.path.dirname(target), "oca-wheels-credit-control")
        done = subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", wheels, OCA_CREDIT_CONTROL],
            check=False,
        )
        if done.returncode:
            print("  account_credit_control could not be downloaded: no OCA run", file=sys.stderr)
            return None
        import zipfile

        wheel = [name for name in os.listdir(wheels) if name.endswith(".whl")][0]
        with zipfile.ZipFile(os.path.join(wheels, wheel)) as archive:
            for member in archive.namelist():
                if member.startswith("odoo/addons/account_credit_control/"):
                    archive.extract(member, wheels)
        subprocess.run(
            ["cp", "-r", os.path.join(wheels, "odoo", "addons", "account_credit_control"), target], check=True
        )
    oca = database + "_oca"
    if oca not in odoo.service.db.list_dbs(force=True):
        print(
            "  creating %s (a copy of %s with account_credit_control)..." % (oca, database), file=sys.stderr
        )
        with odoo.sql_db.db_connect("postgres").cursor() as cr:
            cr._cnx.autocommit = True
            cr.execute('CREATE DATABASE "%s" TEMPLATE "%s"' % (oca, database))  # names from the command line
        install(args, oca, "account_credit_control")
    return oca


def jobs_workers(args, database, customers):
    """(1, 2) when queue_job is on the addons path (the bridge is then
    installed on the bench database), else () and a word on stderr."""
    modules = run_child(args, database, customers, "modules")
    if not modules["queue_job"]:
        print("  queue_job is not on the addons path: no run in jobs", file=sys.stderr)
        return ()
    if not modules["bridge"]:
        print("  installing collections_followup_queue on %s..." % database, file=sys.stderr)
        install(args, database, "collections_followup_queue")
    return (1, 2)


def jobs_run(args, database, customers, workers):
    """The daily run handed to queue_job: an Odoo server with ``workers``
    HTTP workers and the job runner (``root.collections`` gets ``workers``
    slots) executes the jobs; the step's wall time goes from the scheduled
    action's start to the run closed by its last job."""
    run_child(args, database, customers, "jobs_on")
    port = int(os.environ.get("BENCH_JOBS_PORT", "8989"))
    env = dict(
        os.environ,
        ODOO_QUEUE_JOB_CHANNELS="root:%d,root.collections:%d" % (workers, workers),
        ODOO_QUEUE_JOB_HOST="127.0.0.1",
        ODOO_QUEUE_JOB_PORT=str(port),
    )
    server = subprocess.Popen(
        [
            sys.executable,
            os.path.join(args.odoo_path, "odoo-bin"),
            "-c",
            args.config,
            "-d",
            database,
            "--db-filter=^%s$" % database,
            "--workers=%d" % workers,
            "--max-cron-threads=0",
            "--load=base,web,queue_job",
            "--http-interface=127.0.0.1",
            "--http-port=%d" % port,
            "--limit-time-real=600",
            "--limit-time-cpu=600",
            "--log-level=warn",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _attempt in range(300):
            try:
                urllib.request.urlopen("http://127.0.0.1:%d/web/health" % port, timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        return run_child(args, database, customers, "jobs")
    finally:
        server.terminate()
        server.wait(timeout=60)
        run_child(args, database, customers, "jobs_off")


def ensure_database(args, database):
    sys.path.insert(0, args.odoo_path)
    import odoo

    odoo.tools.config.parse_config(["-c", args.config, "--log-level=warn"])
    if database in odoo.service.db.list_dbs(force=True):
        return
    print("creating %s (collections_followup, no demo data)..." % database, file=sys.stderr)
    install(args, database, "collections_followup", "--without-demo=all")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--customers", type=int, default=10000)
    parser.add_argument("--odoo-path", default=ODOO_PATH)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--step", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        args.step = args.child
        return child(args)

    steps = os.environ.get("BENCH_STEPS", ALL_STEPS).split(",")
    sizes = [(args.database, args.customers), (args.database + "_tenth", max(args.customers // 10, 1))]
    if os.environ.get("BENCH_SIZES") == "full":
        sizes = sizes[:1]
    elif os.environ.get("BENCH_SIZES") == "tenth":
        sizes = sizes[1:]
    rows = []
    for database, customers in sizes:
        ensure_database(args, database)
        run_child(args, database, customers, "build")
        for name in ("decision", "run", "replay", "floor", "late_charges"):
            if name not in steps:
                continue
            print("  %s, %d customers: %s..." % (database, customers, name), file=sys.stderr)
            rows.append((customers, name, run_child(args, database, customers, name)))
        if "credit_check" in steps:
            rows.append((customers, "credit_check", credit_check(args, database)))
        if "oca" in steps:
            oca = oca_database(args, database)
            if oca:
                print("  %s, %d customers: OCA credit control run..." % (oca, customers), file=sys.stderr)
                rows.append((customers, "oca", run_child(args, oca, customers, "oca")))
        for workers in jobs_workers(args, database, customers) if "jobs" in steps else ():
            print(
                "  %s, %d customers: run in jobs, %d workers..." % (database, customers, workers),
                file=sys.stderr,
            )
            rows.append((customers, "jobs_%d" % workers, jobs_run(args, database, customers, workers)))

    labels = {
        "decision": "Decision step (snapshot + plan)",
        "run": "Daily run, e-mails queued",
        "replay": "Same date again (nothing to do)",
        "floor": "SQL floor (one aggregate)",
        "late_charges": "Late charges of all open instalments",
        "credit_check": "Credit check, median warm (s)",
        "oca": "OCA account_credit_control run (credit lines, no e-mail)",
        "jobs_1": "Daily run in queue_job jobs, 1 worker",
        "jobs_2": "Daily run in queue_job jobs, 2 workers",
    }
    print()
    print(
        "| Customers | Step | Wall (s) | Odoo CPU (s) | SQL queries | Queries / 1,000 customers "
        "| Peak RSS (MiB) | Detail |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---|")
    floor = {customers: result["wall"] for customers, name, result in rows if name == "floor"}
    oca = {customers: result["wall"] for customers, name, result in rows if name == "oca" and result}
    for customers, name, result in rows:
        if not result:
            print(f"| {customers:,} | {labels[name]} | n/a | | | | | bench_credit_check.py failed |")
            continue
        detail = ", ".join(
            "%s %s" % (key, value)
            for key, value in result.items()
            if key not in ("step", "wall", "cpu", "queries", "rss")
        )
        if name in ("decision", "run") and floor.get(customers):
            detail = (detail + ", " if detail else "") + "%.0f x the floor" % (
                result["wall"] / floor[customers]
            )
        if name in ("run", "jobs_1", "jobs_2") and oca.get(customers):
            detail = (detail + ", " if detail else "") + "%.1f x faster than OCA" % (
                oca[customers] / result["wall"]
            )
        print(
            "| {:,} | {} | {:.{}f} | {} | {} | {} | {} | {} |".format(
                customers,
                labels[name],
                result["wall"],
                4 if name == "credit_check" else 2,
                "%.2f" % result["cpu"] if result.get("cpu") is not None else "",
                result["queries"],
                "%.0f" % (result["queries"] * 1000 / customers) if name in ("run", "decision") else "",
                "%.0f" % result["rss"] if result.get("rss") else "",
                detail,
            )
        )
    print()
    print(
        "Load average at the end: %s (%d CPUs)"
        % (" ".join("%.2f" % load for load in os.getloadavg()), os.cpu_count())
    )


if __name__ == "__main__":
    main()
