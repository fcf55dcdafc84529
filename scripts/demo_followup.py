# Run through `odoo-bin shell` by `./dev.sh demo`: today's follow-up run on
# the demo database, then a one-line summary of who is overdue.
from odoo import fields

today = fields.Date.context_today(env.user)
Policy = env["collections.policy"]
if hasattr(Policy, "run_followup"):
    summary = Policy.run_followup(today)
    print("Follow-up run for %s: %s" % (today, summary))
# the one definition of overdue (collections.receivable / lib.receivable), per company
for company in env["res.company"].search([]):
    snapshot = env["collections.receivable"]._snapshot(company, today)
    overdue = sum(1 for item in snapshot.items.values() if snapshot.is_overdue(item))
    print("%s: overdue receivable instalments as of %s: %d" % (company.name, today, overdue))
env.cr.commit()
