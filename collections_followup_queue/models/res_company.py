from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    collections_run_in_jobs = fields.Boolean(
        string="Run Follow-up in Jobs",
        help="The nightly follow-up run hands its batches of customers to the job queue, so that "
        "every Odoo worker (on one or several hosts) shares the work. Turn it on once queue_job's "
        "job runner runs (server-wide module queue_job, workers > 0): without a runner the jobs "
        "would wait for ever.",
    )
    collections_job_batch_size = fields.Integer(
        string="Customers per Follow-up Job",
        default=500,
        help="How many customers one follow-up job contacts.",
    )
