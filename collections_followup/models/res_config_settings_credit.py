from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    collections_hold_on_limit = fields.Boolean(related="company_id.collections_hold_on_limit", readonly=False)
    collections_hold_on_overdue = fields.Boolean(
        related="company_id.collections_hold_on_overdue", readonly=False
    )
    collections_hold_overdue_days = fields.Integer(
        related="company_id.collections_hold_overdue_days", readonly=False
    )
    collections_hold_on_manual = fields.Boolean(
        related="company_id.collections_hold_on_manual", readonly=False
    )
    collections_hold_on_dunning = fields.Boolean(
        related="company_id.collections_hold_on_dunning", readonly=False
    )
    collections_hold_on_suspension = fields.Boolean(
        related="company_id.collections_hold_on_suspension", readonly=False
    )
    collections_credit_reviewer_id = fields.Many2one(
        related="company_id.collections_credit_reviewer_id", readonly=False
    )
