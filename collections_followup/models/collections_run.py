from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_date

RUN_STATES = [
    ("running", "Running"),
    ("done", "Done"),
    ("failed", "Failed"),
]

COUNT_FIELDS = (
    "partners_contacted",
    "actions_done",
    "actions_failed",
    "actions_planned",
    "postponed",
    "emails_queued",
    "letters",
    "sms",
    "activities",
    "suspensions_lifted",
    "promises_broken",
    "promises_kept",
)


class CollectionsRun(models.Model):
    """One follow-up run of one company for one date: its state, its counts,
    the actions it created and a readable log of what failed. Written by the
    engine (``collections.followup.run``) only."""

    _name = "collections.run"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "Follow-up Run"
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name")
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    date = fields.Date(required=True, index=True, readonly=True)
    state = fields.Selection(RUN_STATES, required=True, default="running", readonly=True, index=True)
    user_id = fields.Many2one("res.users", string="Started by", readonly=True)
    started_at = fields.Datetime(readonly=True)
    ended_at = fields.Datetime(readonly=True)
    action_ids = fields.One2many("collections.followup.action", "run_id", string="Actions", readonly=True)
    log = fields.Text(
        string="Run Log", readonly=True, help="What failed during the run, customer by customer."
    )
    partners_contacted = fields.Integer(readonly=True)
    actions_done = fields.Integer(readonly=True)
    actions_failed = fields.Integer(readonly=True)
    actions_planned = fields.Integer(readonly=True)
    postponed = fields.Integer(readonly=True)
    emails_queued = fields.Integer(readonly=True)
    letters = fields.Integer(readonly=True)
    sms = fields.Integer(string="SMS", readonly=True)
    activities = fields.Integer(string="Activities Scheduled", readonly=True)
    suspensions_lifted = fields.Integer(readonly=True)
    promises_broken = fields.Integer(readonly=True)
    promises_kept = fields.Integer(readonly=True)

    @api.depends("company_id", "date")
    def _compute_name(self):
        for run in self:
            run.name = "%s - %s" % (
                run.company_id.name or "",
                format_date(self.env, run.date) if run.date else "",
            )

    def _summary(self):
        """The run as the dict ``run_followup`` returns per company."""
        self.ensure_one()
        summary = {name: self[name] for name in COUNT_FIELDS}
        summary.update(
            {
                "run_id": self.id,
                "company_id": self.company_id.id,
                "company": self.company_id.name,
                "state": self.state,
                "log": self.log or "",
            }
        )
        return summary

    letter_action_count = fields.Integer(
        string="Letters to Print",
        compute="_compute_letter_action_count",
        help="Actions of this run that print a letter.",
    )

    def _letter_actions(self):
        """The actions of this run that have (or should have) a letter."""
        return self.action_ids.filtered(
            lambda action: (
                action.state in ("done", "failed")
                and action.kind != "contact"
                and (action.letter_state == "done" or action.level_id.send_letter)
            )
        )

    @api.depends("action_ids.letter_state", "action_ids.state")
    def _compute_letter_action_count(self):
        for run in self:
            run.letter_action_count = len(run._letter_actions())

    def action_print_letters(self):
        """Download the day's letters of this run as one PDF, one letter per
        action, in customer order. Raises UserError when the run has none."""
        self.ensure_one()
        actions = self._letter_actions().sorted(lambda action: (action.partner_id.name or "", action.id))
        if not actions:
            raise UserError(self.env._("This run printed no letter."))
        content = actions._collections_letters_pdf()
        return actions._collections_download_letters(content, self.env._("Letters %(run)s", run=self.name))
