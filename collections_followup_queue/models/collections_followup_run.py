import logging

from odoo import api, models
from odoo.tools import split_every

from odoo.addons.queue_job.delay import group

_logger = logging.getLogger(__name__)


class CollectionsFollowupRun(models.AbstractModel):
    _inherit = "collections.followup.run"

    @api.model
    def _use_jobs(self, auto_commit):
        """Jobs for the cron's and RPC's runs (``auto_commit``) of a company
        that wants them; never for a simulation, whose summary is computed in
        place, nor for a caller that asks for the run in its own process (the
        context key ``collections_in_process``). Tests ask for jobs with the
        ``collections_force_jobs`` context."""
        context = self.env.context
        if (
            context.get("collections_simulate")
            or context.get("collections_in_job")
            or context.get("collections_in_process")
        ):
            return False
        if not self.env.company.collections_run_in_jobs:
            return False
        return bool(auto_commit or context.get("collections_force_jobs"))

    def _execute_contacts(self, run, data, contacts, auto_commit, counts, log):
        """Hand the planned customers to the job queue in batches: one job per
        batch (any worker may take it), then one job that closes the run when
        every batch is done. Each job gathers and plans its customers again,
        so it works on the ledger as it is when it runs."""
        if not contacts or not self._use_jobs(auto_commit):
            return super()._execute_contacts(run, data, contacts, auto_commit, counts, log)
        partner_ids = sorted({contact.partner_id for _policy, contact in contacts})
        size = max(1, self.env.company.collections_job_batch_size or self._batch_size)
        batches = [
            run.delayable(
                channel="root.collections",
                description=run._collections_job_description(index, len(partner_ids), size),
                identity_key="collections-run-%s-batch-%s" % (run.id, index),
            )._collections_job_batch(list(batch))
            for index, batch in enumerate(split_every(size, partner_ids))
        ]
        closing = run.delayable(
            channel="root.collections",
            description=run._collections_job_description(None, len(partner_ids), size),
            identity_key="collections-run-%s-close" % run.id,
        )._collections_job_close()
        group(*batches).on_done(closing).delay()
        counts["actions_planned"] = 0
        _logger.info(
            "Follow-up run %s of %s: %d customers handed to %d jobs",
            run.id,
            data.company.name,
            len(partner_ids),
            len(batches),
        )
        return "running"
