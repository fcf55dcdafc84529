from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    collections_run_in_jobs = fields.Boolean(related="company_id.collections_run_in_jobs", readonly=False)
    collections_job_batch_size = fields.Integer(
        related="company_id.collections_job_batch_size", readonly=False
    )
