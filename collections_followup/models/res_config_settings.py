from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    collections_policy_id = fields.Many2one(
        related="company_id.collections_policy_id", readonly=False
    )
    collections_default_collector_id = fields.Many2one(
        related="company_id.collections_default_collector_id", readonly=False
    )
    collections_plan_journal_id = fields.Many2one(related="company_id.collections_plan_journal_id", readonly=False)
    collections_plan_discount_account_id = fields.Many2one(
        related="company_id.collections_plan_discount_account_id", readonly=False
    )
    collections_plan_interest_account_id = fields.Many2one(
        related="company_id.collections_plan_interest_account_id", readonly=False
    )
    collections_plan_discount_threshold = fields.Float(
        related="company_id.collections_plan_discount_threshold", readonly=False
    )
