"""Letters per second: the day's letters rendered in batches (one
wkhtmltopdf call per batch, split and attached per action), against the
former one call per letter on a sample.

N customers with two overdue invoices each and one follow-up action with
its stored lines per customer; the letters are rendered and attached as the
run's letter step does, then merged into one PDF. Everything is rolled back.
wkhtmltopdf fetches the letters' CSS over HTTP from ``web.base.url``:
``--serve`` starts Odoo's HTTP server inside this process (on the
config's port) so the letters come out styled as in production; without it
they are unstyled and Odoo logs a connection error per batch.

Usage (database with collections_followup installed):
    python bench/bench_letters.py -c odoo.conf -d DATABASE [--letters 200] [--single 5] [--serve]
"""

import argparse
import os
import sys
import time
from datetime import date, timedelta

ODOO_PATH = os.environ.get("ODOO_PATH", "/opt/odoo")
MISSING_ODOO = (
    "Odoo 18 not found at %s: get it with "
    "`git clone --depth 1 -b 18.0 https://github.com/odoo/odoo` and set ODOO_PATH."
)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--letters", type=int, default=200)
    parser.add_argument(
        "--single", type=int, default=5, help="letters rendered one call each, for comparison"
    )
    parser.add_argument("--serve", action="store_true", help="serve the CSS from this process")
    parser.add_argument("--http-port", help="port to serve on (the one of web.base.url)")
    parser.add_argument("--odoo-path", default=ODOO_PATH)
    args = parser.parse_args()
    if not os.path.isfile(os.path.join(args.odoo_path, "odoo-bin")):
        sys.exit(MISSING_ODOO % args.odoo_path)
    sys.path.insert(0, args.odoo_path)
    import odoo
    from odoo import Command, api

    options = ["-c", args.config, "-d", args.database, "--log-level=warn"]
    if args.http_port:
        options.append("--http-port=%s" % args.http_port)
    odoo.tools.config.parse_config(options)
    registry = odoo.modules.registry.Registry(args.database)
    if args.serve:
        from odoo.service import server

        server.ThreadedServer(odoo.http.root).http_spawn()
        time.sleep(1)
    with registry.cursor() as cr:
        env = api.Environment(
            cr, odoo.SUPERUSER_ID, {"tracking_disable": True, "mail_create_nolog": True, "mail_notrack": True}
        )
        try:
            run(env, Command, args.letters, args.single)
        finally:
            cr.rollback()


def build_actions(env, Command, count):
    company = env.company
    today = date.today()
    policy = env["collections.policy"].create(
        {
            "name": "Bench letters",
            "company_id": company.id,
            "level_ids": [
                Command.create({"name": "Letter", "days": 10, "tone": "firm", "send_letter": True})
            ],
        }
    )
    level = policy.level_ids
    partners = env["res.partner"].create(
        [
            {
                "name": "Bench customer %04d" % index,
                "is_company": True,
                "street": "Rua %d" % index,
                "city": "São Paulo",
                "zip": "01000-000",
                "country_id": env.ref("base.br").id,
            }
            for index in range(count)
        ]
    )
    actions = env["collections.followup.action"].create(
        [
            {
                "partner_id": partner.id,
                "company_id": company.id,
                "date": today,
                "policy_id": policy.id,
                "level_id": level.id,
                "state": "done",
                "kind": "automatic",
                "days_late": 40,
                "amount_claimed": 1500.0,
                "claim_summary": "1.500,00",
                "line_ids": [
                    Command.create(
                        {
                            "move_name": "INV/%04d/%d" % (index, number),
                            "date_maturity": today - timedelta(days=40 - number),
                            "effective_due_date": today - timedelta(days=40 - number),
                            "days_late": 40 - number,
                            "overdue": True,
                            "currency_id": company.currency_id.id,
                            "amount_residual": 500.0 * (number + 1),
                            "amount_fine": 10.0,
                            "amount_interest": 5.5,
                            "amount_charges": 15.5,
                            "amount_updated": 500.0 * (number + 1) + 15.5,
                        }
                    )
                    for number in range(2)
                ],
            }
            for index, partner in enumerate(partners)
        ]
    )
    env.flush_all()
    return actions


def run(env, Command, count, single):
    import io

    from odoo.tools.pdf import PdfFileReader

    report = env["ir.actions.report"]
    calls = {"wkhtmltopdf": 0}
    original = type(report)._run_wkhtmltopdf

    def counting(self, *args, **kwargs):
        calls["wkhtmltopdf"] += 1
        return original(self, *args, **kwargs)

    type(report)._run_wkhtmltopdf = counting
    try:
        actions = build_actions(env, Command, count + single)
        batch, sample = actions[:count], actions[count:]

        start = time.perf_counter()
        rendered = batch._collections_render_letters()
        batch._collections_attach_letters(rendered)
        batch_seconds = time.perf_counter() - start
        batch_calls = calls["wkhtmltopdf"]

        start = time.perf_counter()
        merged = batch._collections_letters_pdf()
        merge_seconds = time.perf_counter() - start
        pages = PdfFileReader(io.BytesIO(merged)).getNumPages()

        calls["wkhtmltopdf"] = 0
        start = time.perf_counter()
        letter_report = env.ref("collections_followup.collections_followup_letter_report")
        for action in sample:
            letter_report._render_qweb_pdf_prepare_streams(letter_report.report_name, {}, res_ids=action.ids)
        single_seconds = time.perf_counter() - start
    finally:
        type(report)._run_wkhtmltopdf = original

    split = sum(1 for content, kind in rendered.values() if kind == "pdf")
    print(
        "letters rendered in batches: %d in %.2f s = %.1f letters/s (%d wkhtmltopdf calls, %d split PDFs)"
        % (count, batch_seconds, count / batch_seconds, batch_calls, split)
    )
    print(
        "merged PDF of the %d letters: %d pages in %.2f s (reused the stored letters)"
        % (count, pages, merge_seconds)
    )
    if single:
        print(
            "one call per letter (former way): %d letters in %.2f s = %.2f s per letter"
            % (single, single_seconds, single_seconds / single)
        )


if __name__ == "__main__":
    main()
