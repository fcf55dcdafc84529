# Run through `odoo-bin shell` by `./dev.sh demo`: today's follow-up run on
# the demo database, then a one-line summary of who is overdue.
from odoo import fields

today = fields.Date.context_today(env.user)
Policy = env["collections.policy"]
if hasattr(Policy, "run_followup"):
    summary = Policy.run_followup(today)
    print("Follow-up run for %s: %s" % (today, summary))
overdue = env["account.move.line"].search_count([
    ("parent_state", "=", "posted"),
    ("account_type", "=", "asset_receivable"),
    ("reconciled", "=", False),
    ("date_maturity", "<", today),
])
print("Overdue receivable instalments as of %s: %d" % (today, overdue))
env.cr.commit()
