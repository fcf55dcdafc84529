from collections import defaultdict

from odoo import _, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.collections_followup.models.collections_run import COUNT_FIELDS

# the counts a batch job adds to its run (the others are the cron's, before the jobs)
JOB_COUNT_FIELDS = tuple(
    name
    for name in COUNT_FIELDS
    if name not in ("postponed", "suspensions_lifted", "promises_broken", "promises_kept")
)


class CollectionsRun(models.Model):
    _inherit = "collections.run"

    def _collections_job_description(self, index, customers, size):
        self.ensure_one()
        if index is None:
            return _("Follow-up run %(run)s: close", run=self.display_name)
        first = index * size + 1
        return _(
            "Follow-up run %(run)s: customers %(first)s to %(last)s of %(total)s",
            run=self.display_name,
            first=first,
            last=min(customers, first + size - 1),
            total=customers,
        )

    def _collections_job_batch(self, partner_ids):
        """One job: the contacts of these customers, gathered, planned and
        executed as the run does it in one process; the counts are added to
        the run (atomically, other jobs run at the same time)."""
        self.ensure_one()
        if self.state != "running":
            raise UserError(_("The follow-up run %(run)s is not running any more.", run=self.display_name))
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
        self._collections_add_counts(counts, log)
        return _("%(count)s customers contacted.", count=counts["partners_contacted"])

    def _collections_add_counts(self, counts, log):
        """Add a job's counts and log lines to the run in one UPDATE, which
        serialises the jobs that finish at the same time."""
        self.ensure_one()
        self.flush_recordset()
        assignments = SQL(", ").join(
            SQL("%s = COALESCE(%s, 0) + %s", SQL.identifier(name), SQL.identifier(name), counts.get(name, 0))
            for name in JOB_COUNT_FIELDS
        )
        text = "\n".join(str(line) for line in log) or None
        self.env.cr.execute(
            SQL(
                "UPDATE collections_run SET %s, log = NULLIF(CONCAT_WS(E'\\n', log, %s), '') WHERE id = %s",
                assignments,
                text,
                self.id,
            )
        )
        self.invalidate_recordset(list(JOB_COUNT_FIELDS) + ["log"])

    def _collections_job_close(self):
        """The last job: every batch is done, the run is."""
        self.ensure_one()
        if self.state == "running":
            self.write({"state": "done", "ended_at": fields.Datetime.now()})
        return _("Follow-up run %(run)s done.", run=self.display_name)
