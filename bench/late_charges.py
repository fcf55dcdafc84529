"""Benchmark of the late-charge computation (issue 4).

Run in an Odoo shell on a database with collections_followup installed:
    odoo-bin shell -c <conf> -d <db> --no-http < bench/late_charges.py
It creates invoices (3 instalments each, half partly paid) in the main
company, measures ``account.move.line._collections_late_charges`` and the
invoicing of the charges, prints the numbers and rolls everything back.
Sizes: BENCH_INVOICES (default 300) invoices over BENCH_PARTNERS (default 50).
"""

import os
import time
from datetime import date

from odoo import Command

INVOICES = int(os.environ.get("BENCH_INVOICES", 300))
PARTNERS = int(os.environ.get("BENCH_PARTNERS", 50))


def measure(label, function):
    queries = env.cr.sql_log_count  # noqa: F821 (env is the shell's)
    start = time.perf_counter()
    result = function()
    elapsed = time.perf_counter() - start
    print("%-58s %8.3f s %6d queries" % (label, elapsed, env.cr.sql_log_count - queries))  # noqa: F821
    return result


env = env(context=dict(env.context, tracking_disable=True, mail_create_nolog=True))  # noqa: F821
company = env.company
policy = company.collections_policy_id or env["collections.policy"].create({"name": "Bench", "company_id": company.id})
company.collections_policy_id = policy
income = env["account.account"].search(
    [("account_type", "in", ("income", "income_other")), ("company_ids", "in", company.id)], limit=1)
policy.write({
    "fine_rate": 2.0, "monthly_interest_rate": 1.0, "charge_invoicing": "on_demand",
    "fine_account_id": income.id, "interest_account_id": income.id, "correction_account_id": income.id,
})
term = env["account.payment.term"].create({
    "name": "Bench 3x",
    "line_ids": [Command.create({"value": "percent", "value_amount": pct, "nb_days": days})
                 for pct, days in ((40.0, 30), (30.0, 60), (30.0, 90))],
})
partners = env["res.partner"].create([{"name": "Bench %d" % i, "is_company": i % 2 == 0} for i in range(PARTNERS)])
bank = env["account.journal"].search([("company_id", "=", company.id), ("type", "=", "bank")], limit=1)

invoices = measure("create and post %d invoices" % INVOICES, lambda: env["account.move"].create([{
    "move_type": "out_invoice",
    "partner_id": partners[i % PARTNERS].id,
    "invoice_date": date(2025, 11, 1),
    "invoice_payment_term_id": term.id,
    "invoice_line_ids": [Command.create({"name": "Service", "quantity": 1, "price_unit": 1000.0 + i,
                                         "tax_ids": [Command.clear()]})],
} for i in range(INVOICES)]))
invoices.action_post()


def pay_half():
    for invoice in invoices[::2]:
        env["account.payment.register"].with_context(active_model="account.move", active_ids=invoice.ids).create(
            {"amount": 500.0, "payment_date": date(2026, 1, 10), "journal_id": bank.id})._create_payments()


measure("register %d partial payments" % len(invoices[::2]), pay_half)
lines = invoices.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
env.invalidate_all()
charges = measure("_collections_late_charges on %d instalments" % len(lines),
                  lambda: lines._collections_late_charges(date(2026, 3, 1)))
print("  total charges: %.2f" % sum(values["total"] for values in charges.values()))
env.invalidate_all()
measure("collections_late_charges (RPC shape) on %d invoices" % len(invoices),
        lambda: invoices.collections_late_charges("2026-03-01"))
env.invalidate_all()
created = measure("invoice the charges of %d partners" % PARTNERS,
                  lambda: partners.collections_invoice_late_charges("2026-03-01"))
print("  charge invoices created: %d" % len(created))
measure("invoice again for the same date (nothing new)",
        lambda: partners.collections_invoice_late_charges("2026-03-01"))
env.cr.rollback()
print("rolled back")
