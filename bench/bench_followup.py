# Benchmark of the daily follow-up run (issue 3): 10,000 customers with
# 100,000 open instalments, one full run for one date (mails queued, not sent).
#
# It COMMITS and writes bare receivable items straight into the database:
# run it only against a throwaway database, never a real one.
#
#   CONF=.work/odoo-<hash>.conf        # written by ./dev.sh test or ./dev.sh demo
#   PY=.work/venv/bin/python
#   $PY $ODOO_PATH/odoo-bin -c $CONF -d cf_bench -i collections_followup \
#       --without-demo=all --stop-after-init
#   $PY $ODOO_PATH/odoo-bin shell -c $CONF -d cf_bench --no-http --log-level=warn \
#       < bench/bench_followup.py
#
# Environment: BENCH_CUSTOMERS (default 10000), BENCH_INSTALMENTS (per
# customer, default 10), BENCH_DATE (ISO, default today). Re-running the
# script reuses the generated data and deletes the previous run's actions.
#
# The generator inserts customers, invoices and their receivable
# instalments with set-based SQL (generate_series): a customer has 5 invoices
# of 2 instalments each, due between 5 days ahead and 55 days ago. The
# invoices carry only their receivable lines (no income/tax lines): enough for
# the follow-up, which reads open receivable items, and 100x faster to build
# than through the ORM.
import os
import time
from datetime import date

from odoo import Command, fields

CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", 10000))
PER_CUSTOMER = int(os.environ.get("BENCH_INSTALMENTS", 10))
AS_OF = fields.Date.to_date(os.environ.get("BENCH_DATE")) or date.today()
INVOICE_INSTALMENTS = 2

cr = env.cr
company = env.company
t_start = time.perf_counter()


def receivable_account():
    return env["account.account"].search(
        [("account_type", "=", "asset_receivable"), ("company_ids", "in", company.id)], limit=1
    )


if not receivable_account():
    env["account.chart.template"].try_loading("generic_coa", company, install_demo=False)
account = receivable_account()
journal = env["account.journal"].search([("type", "=", "sale"), ("company_id", "=", company.id)], limit=1)
currency = company.currency_id

cr.execute("SELECT count(*) FROM res_partner WHERE ref LIKE 'bench-%%'")
existing = cr.fetchone()[0]
if existing < CUSTOMERS:
    cr.execute(
        """
        INSERT INTO res_partner (name, complete_name, email, ref, is_company, active, type, lang,
                                 autopost_bills, create_date, write_date, create_uid, write_uid)
        SELECT 'Bench Customer ' || g, 'Bench Customer ' || g, 'bench' || g || '@example.com',
               'bench-' || g, TRUE, TRUE, 'contact', 'en_US', 'ask', now(), now(), 1, 1
          FROM generate_series(%s, %s) g
        """,
        [existing + 1, CUSTOMERS],
    )
    cr.execute(
        "UPDATE res_partner SET commercial_partner_id = id WHERE ref LIKE 'bench-%%' AND "
        "commercial_partner_id IS NULL"
    )
    cr.execute("ANALYZE res_partner")  # fresh statistics, or the planner nests loops over 100k rows
    invoices_per_customer = PER_CUSTOMER // INVOICE_INSTALMENTS
    cr.execute(
        """
        INSERT INTO account_move (name, move_type, state, date, invoice_date, journal_id, company_id,
                                  currency_id, partner_id, commercial_partner_id, auto_post, payment_state,
                                  amount_total, amount_residual, amount_total_signed, amount_residual_signed,
                                  create_date, write_date, create_uid, write_uid)
        SELECT 'BENCH/' || p.id || '/' || i, 'out_invoice', 'posted', %(as_of)s::date - 150,
               %(as_of)s::date - 150, %(journal)s, %(company)s, %(currency)s, p.id, p.id, 'no', 'not_paid',
               200, 200, 200, 200, now(), now(), 1, 1
          FROM res_partner p, generate_series(1, %(invoices)s) i
         WHERE p.ref LIKE 'bench-%%'
           AND NOT EXISTS (SELECT 1 FROM account_move m WHERE m.commercial_partner_id = p.id)
        """,
        {
            "as_of": AS_OF,
            "journal": journal.id,
            "company": company.id,
            "currency": currency.id,
            "invoices": invoices_per_customer,
        },
    )
    cr.execute("ANALYZE account_move")
    cr.execute(
        """
        INSERT INTO account_move_line (move_id, account_id, partner_id, company_id, currency_id,
                                       company_currency_id, journal_id, date, date_maturity, name,
                                       display_type, parent_state, debit, credit, balance, amount_currency,
                                       amount_residual, amount_residual_currency, reconciled,
                                       create_date, write_date, create_uid, write_uid)
        SELECT m.id, %(account)s, m.partner_id, m.company_id, m.currency_id, m.currency_id, m.journal_id,
               m.date, %(as_of)s::date - (((m.id * 7 + k * 37) %% 126) - 5), m.name || ' ' || k,
               'payment_term', 'posted', 100, 0, 100, 100, 100, 100, FALSE, now(), now(), 1, 1
          FROM account_move m, generate_series(1, %(per_invoice)s) k
         WHERE m.name LIKE 'BENCH/%%'
           AND NOT EXISTS (SELECT 1 FROM account_move_line l WHERE l.move_id = m.id)
        """,
        {"account": account.id, "as_of": AS_OF, "per_invoice": INVOICE_INSTALMENTS},
    )
    cr.execute("ANALYZE account_move_line")
    env.invalidate_all()

policy = env["collections.policy"].search([("name", "=", "Bench"), ("company_id", "=", company.id)])
if not policy:
    policy = env["collections.policy"].create(
        {
            "name": "Bench",
            "company_id": company.id,
            "min_days_between_contacts": 5,
            "level_ids": [
                Command.create(
                    {
                        "name": "Friendly",
                        "days": 1,
                        "tone": "friendly",
                        "send_email": True,
                        "mail_template_id": env.ref(
                            "collections_followup.mail_template_followup_friendly"
                        ).id,
                    }
                ),
                Command.create(
                    {
                        "name": "Firm",
                        "days": 10,
                        "tone": "firm",
                        "send_email": True,
                        "mail_template_id": env.ref("collections_followup.mail_template_followup_firm").id,
                    }
                ),
                Command.create(
                    {
                        "name": "Formal notice",
                        "days": 30,
                        "tone": "formal_notice",
                        "send_email": True,
                        "set_credit_hold": True,
                        "mail_template_id": env.ref(
                            "collections_followup.mail_template_followup_formal_notice"
                        ).id,
                    }
                ),
                Command.create({"name": "Protest", "days": 60, "automatic": False, "escalation": "protest"}),
            ],
        }
    )
company.collections_policy_id = policy

# Due dates relative to the run date, 5 days ahead to 55 days ago: every
# customer reaches an automatic level (friendly, firm or formal notice).
cr.execute(
    """
    UPDATE account_move_line l SET date_maturity = %s::date - (((l.move_id * 7 + l.id * 37) %% 61) - 5)
      FROM account_move m WHERE m.id = l.move_id AND m.name LIKE 'BENCH/%%'
    """,
    [AS_OF],
)
# Start from a clean slate so every run of the script measures the same work.
cr.execute("DELETE FROM collections_followup_pair WHERE company_id = %s", [company.id])
cr.execute("DELETE FROM collections_followup_action WHERE company_id = %s", [company.id])
cr.execute(
    "DELETE FROM mail_mail USING mail_message WHERE mail_message.id = mail_mail.mail_message_id "
    "AND mail_message.model = 'res.partner'"
)
cr.execute(
    "DELETE FROM mail_message WHERE model = 'res.partner' AND res_id IN "
    "(SELECT id FROM res_partner WHERE ref LIKE 'bench-%%')"
)
env.invalidate_all()
cr.commit()

cr.execute(
    "SELECT count(*), count(DISTINCT l.partner_id) FROM account_move_line l JOIN account_move m ON m.id = "
    "l.move_id "
    "WHERE m.name LIKE 'BENCH/%%' AND NOT l.reconciled"
)
instalments, customers = cr.fetchone()
print(
    "Data ready in %.1f s: %d customers, %d open instalments, run date %s"
    % (time.perf_counter() - t_start, customers, instalments, AS_OF)
)

t0 = time.perf_counter()
summary = env["collections.policy"].run_followup(as_of=AS_OF, company_ids=company.ids)
elapsed = time.perf_counter() - t0
print("Full run: %.1f s (target <= 60 s)" % elapsed)
print(
    "  contacted %(partners_contacted)d, planned %(actions_planned)d, postponed %(postponed)d, "
    "e-mails queued %(emails_queued)d, failed %(actions_failed)d" % summary
)
cr.execute(
    "SELECT count(*) FROM mail_mail JOIN mail_message ON mail_message.id = mail_mail.mail_message_id "
    "WHERE mail_mail.state = 'outgoing' AND mail_message.model = 'res.partner'"
)
print("  mail.mail queued (outgoing, not sent): %d" % cr.fetchone()[0])

t0 = time.perf_counter()
again = env["collections.policy"].run_followup(as_of=AS_OF, company_ids=company.ids)
print(
    "Same date again: %.1f s, contacted %d (must be 0)"
    % (time.perf_counter() - t0, again["partners_contacted"])
)
cr.commit()
