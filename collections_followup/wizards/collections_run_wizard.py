from odoo import fields, models
from odoo.tools.misc import format_date


class CollectionsRunWizard(models.TransientModel):
    """ "Run follow-up now": the daily run for a chosen date, on demand."""

    _name = "collections.run.wizard"
    _description = "Run Follow-up Now"

    date = fields.Date(required=True, default=fields.Date.context_today)
    company_ids = fields.Many2many(
        "res.company",
        string="Companies",
        default=lambda self: self.env.companies,
        domain=lambda self: [("id", "in", self.env.user.company_ids.ids)],
    )
    simulate = fields.Boolean(
        help="Only show what the run would do: nothing is written nor sent. Needed for a future date.",
    )
    summary = fields.Text(readonly=True)

    def action_run(self):
        self.ensure_one()
        result = self.env["collections.policy"].run_followup(
            as_of=self.date, company_ids=self.company_ids.ids or None, simulate=self.simulate
        )
        self.summary = self.env._(
            "Follow-up of %(date)s: %(contacted)s customers contacted (%(done)s done, %(failed)s failed), "
            "%(planned)s to process, %(postponed)s postponed, %(emails)s e-mails queued, %(letters)s "
            "letters, "
            "%(activities)s activities, %(lifted)s suspensions lifted, %(broken)s promises broken.",
            date=format_date(self.env, fields.Date.to_date(result["date"])),
            contacted=result["partners_contacted"],
            done=result["actions_done"],
            failed=result["actions_failed"],
            planned=result["actions_planned"],
            postponed=result["postponed"],
            emails=result["emails_queued"],
            letters=result["letters"],
            activities=result["activities"],
            lifted=result["suspensions_lifted"],
            broken=result["promises_broken"],
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Run Follow-up Now"),
        }
