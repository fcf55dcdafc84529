from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    collections_policy_id = fields.Many2one(
        related="company_id.collections_policy_id", readonly=False
    )
    collections_default_collector_id = fields.Many2one(
        related="company_id.collections_default_collector_id", readonly=False
    )
