from odoo.tests import tagged

from odoo.addons.collections_followup.tests.test_run_scale import TestRunScale
from odoo.addons.queue_job.tests.common import trap_jobs


@tagged("post_install", "-at_install")
class TestRunInJobs(TestRunScale):
    """The run handed to queue_job in batches leaves exactly what the run in
    one process leaves: same actions, claim lines, pairs, e-mails and notes."""

    # the parent's own test runs in collections_followup's suite
    test_batch_paths_equal_odoo_rendering_and_create = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.collections_run_in_jobs = True
        cls.env.company.collections_job_batch_size = 4  # 9 customers: 3 batch jobs

    def _run_in_jobs(self):
        with trap_jobs() as trap, self.env.cr.savepoint() as savepoint:
            summary = (
                self.env["collections.policy"]
                .with_context(collections_force_jobs=True)
                .run_followup(as_of=self.as_of)
            )
            run = self.env["collections.run"].browse(summary["run_ids"])
            self.assertEqual(run.state, "running")
            self.assertFalse(
                self.env["collections.followup.action"].search([("partner_id", "in", self.customers.ids)]),
                "nothing is contacted before the jobs run",
            )
            jobs = trap.enqueued_jobs
            self.assertEqual(
                sorted(job.method_name for job in jobs),
                ["_collections_job_batch"] * 3 + ["_collections_job_close"],
            )
            self.assertEqual(
                sorted(len(job.args[0]) for job in jobs if job.method_name == "_collections_job_batch"),
                [1, 4, 4],
            )
            trap.perform_enqueued_jobs()
            batches = self.env["collections.run.batch"].search([("run_id", "=", run.id)])
            self.assertEqual(sorted(batches.mapped("customers")), [1, 4, 4])
            self.assertEqual(sum(batches.mapped("partners_contacted")), len(self.customers))
            self.env.flush_all()
            self.env.invalidate_all()
            results = self._results()
            counts = run._summary()
            savepoint.rollback()
        self.env.invalidate_all()
        return counts, results

    def test_jobs_leave_what_one_process_leaves(self):
        counts, (actions, notes) = self._run_in_jobs()
        self.assertEqual(counts["state"], "done")
        summary, (process_actions, process_notes), _references = self._run_and_collect()
        self.assertEqual(counts["partners_contacted"], len(self.customers))
        self.assertEqual(actions, process_actions)
        self.assertEqual(notes, process_notes)
        company = summary["companies"][0]
        for key in ("partners_contacted", "actions_done", "emails_queued", "postponed", "actions_failed"):
            self.assertEqual(counts[key], company[key], key)

    def test_a_simulation_never_goes_to_the_queue(self):
        with trap_jobs() as trap:
            summary = (
                self.env["collections.policy"]
                .with_context(collections_force_jobs=True)
                .run_followup(as_of=self.as_of, simulate=True)
            )
            self.assertEqual(trap.enqueued_jobs, [])
        self.assertEqual(summary["partners_contacted"], len(self.customers))

    def test_companies_that_do_not_want_jobs_run_in_process(self):
        self.env.company.collections_run_in_jobs = False
        with trap_jobs() as trap:
            summary = (
                self.env["collections.policy"]
                .with_context(collections_force_jobs=True)
                .run_followup(as_of=self.as_of)
            )
            self.assertEqual(trap.enqueued_jobs, [])
        self.assertEqual(self.env["collections.run"].browse(summary["run_ids"]).state, "done")
        self.assertEqual(summary["partners_contacted"], len(self.customers))
