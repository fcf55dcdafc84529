from collections import defaultdict

from odoo import fields, models
from odoo.exceptions import UserError

# the counts a batch job adds to its run (the others are the scheduled
# action's, written before the jobs: postponed, promises, suspensions lifted)
JOB_COUNT_FIELDS = (
    "partners_contacted",
    "actions_done",
    "actions_failed",
    "actions_planned",
    "emails_queued",
    "letters",
    "sms",
    "activities",
)


class CollectionsRun(models.Model):
    _inherit = "collections.run"

    def _collections_job_description(self, index, customers, size):
        self.ensure_one()
        if index is None:
            return self.env._("Follow-up run %(run)s: close", run=self.display_name)
        first = index * size + 1
        return self.env._(
            "Follow-up run %(run)s: customers %(first)s to %(last)s of %(total)s",
            run=self.display_name,
            first=first,
            last=min(customers, first + size - 1),
            total=customers,
        )

    def _collections_job_batch(self, partner_ids):
        """One job: the contacts of these customers, gathered, planned and
        executed as the run does it in one process. The job records its
        counts in a ``collections.run.batch`` row of its own: jobs running at
        the same time never update the same row (the closing job sums them)."""
        self.ensure_one()
        if self.state != "running":
            raise UserError(
                self.env._("The follow-up run %(run)s is not running any more.", run=self.display_name)
            )
        company = self.company_id
        engine = (
            self.env["collections.followup.run"]
            .with_company(company)
            .with_context(allowed_company_ids=company.ids, collections_in_job=True)
        )
        data = engine._gather(company, self.date, partner_ids=partner_ids)
        contacts, _postponed = engine._plan(data)
        counts, log = defaultdict(int), []
        if contacts:
            engine._execute_batch_isolated(self, data, contacts, counts, log)
        # sudo: the engine's own bookkeeping, whoever started the run
        self.env["collections.run.batch"].sudo().create(
            dict(
                {name: counts.get(name, 0) for name in JOB_COUNT_FIELDS},
                run_id=self.id,
                customers=len(partner_ids),
                log="\n".join(str(line) for line in log) or False,
            )
        )
        return self.env._("%(count)s customers contacted.", count=counts["partners_contacted"])

    def _collections_job_close(self):
        """The last job: every batch is done, their counts and logs go to the run."""
        self.ensure_one()
        if self.state != "running":
            return self.env._("Follow-up run %(run)s was already closed.", run=self.display_name)
        batches = self.env["collections.run.batch"].sudo().search([("run_id", "=", self.id)], order="id")
        values = {name: self[name] + sum(batches.mapped(name)) for name in JOB_COUNT_FIELDS}
        # the collector's worklist as the ledger is after every batch
        refresh_log = []
        self.env["collections.followup.run"].with_company(self.company_id).with_context(
            allowed_company_ids=self.company_id.ids
        )._refresh_worklist(self.company_id, self.date, refresh_log)
        logs = [text for text in [self.log, *batches.mapped("log"), *refresh_log] if text]
        self.write(dict(values, state="done", ended_at=fields.Datetime.now(), log="\n".join(logs) or False))
        return self.env._("Follow-up run %(run)s done.", run=self.display_name)


class CollectionsRunBatch(models.Model):
    """What one follow-up job did (written by the job, read by the closing job)."""

    _name = "collections.run.batch"
    _description = "Follow-up Run Batch"
    _order = "id"

    run_id = fields.Many2one("collections.run", required=True, index=True, ondelete="cascade", readonly=True)
    customers = fields.Integer(readonly=True)
    partners_contacted = fields.Integer(readonly=True)
    actions_done = fields.Integer(readonly=True)
    actions_failed = fields.Integer(readonly=True)
    actions_planned = fields.Integer(readonly=True)
    emails_queued = fields.Integer(readonly=True)
    letters = fields.Integer(readonly=True)
    sms = fields.Integer(string="SMS", readonly=True)
    activities = fields.Integer(readonly=True)
    log = fields.Text(readonly=True)
