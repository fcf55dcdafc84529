from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    collections_policy_id = fields.Many2one(related="company_id.collections_policy_id", readonly=False)
    collections_default_collector_id = fields.Many2one(
        related="company_id.collections_default_collector_id", readonly=False
    )
    collections_plan_policy_id = fields.Many2one(
        related="company_id.collections_plan_policy_id", readonly=False
    )
    collections_plan_journal_id = fields.Many2one(
        related="company_id.collections_plan_journal_id", readonly=False
    )
    collections_plan_discount_account_id = fields.Many2one(
        related="company_id.collections_plan_discount_account_id", readonly=False
    )
    collections_plan_interest_account_id = fields.Many2one(
        related="company_id.collections_plan_interest_account_id", readonly=False
    )
    collections_plan_discount_threshold = fields.Float(
        related="company_id.collections_plan_discount_threshold", readonly=False
    )
    collections_writeoff_account_id = fields.Many2one(
        related="company_id.collections_writeoff_account_id", readonly=False
    )
    collections_writeoff_journal_id = fields.Many2one(
        related="company_id.collections_writeoff_journal_id", readonly=False
    )
    collections_loss_small_amount = fields.Monetary(
        related="company_id.collections_loss_small_amount", readonly=False
    )
    collections_loss_large_amount = fields.Monetary(
        related="company_id.collections_loss_large_amount", readonly=False
    )
    collections_loss_secured_amount = fields.Monetary(
        related="company_id.collections_loss_secured_amount", readonly=False
    )
    collections_loss_small_months = fields.Integer(
        related="company_id.collections_loss_small_months", readonly=False
    )
    collections_loss_large_months = fields.Integer(
        related="company_id.collections_loss_large_months", readonly=False
    )
    collections_loss_secured_months = fields.Integer(
        related="company_id.collections_loss_secured_months", readonly=False
    )
    collections_writeoff_small_balances = fields.Boolean(
        related="company_id.collections_writeoff_small_balances", readonly=False
    )
    collections_writeoff_small_amount = fields.Monetary(
        related="company_id.collections_writeoff_small_amount", readonly=False
    )
    collections_writeoff_small_days = fields.Integer(
        related="company_id.collections_writeoff_small_days", readonly=False
    )

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
