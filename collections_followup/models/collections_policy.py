from odoo import api, fields, models


class CollectionsPolicy(models.Model):
    """A collection policy (régua de cobrança): the levels a company applies
    to overdue instalments and the rules shared by all of them."""

    _name = "collections.policy"
    _description = "Collection Policy"
    _order = "company_id, name"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    level_ids = fields.One2many("collections.level", "policy_id", string="Levels", copy=True)
    level_count = fields.Integer(compute="_compute_level_count")
    min_days_between_contacts = fields.Integer(
        default=5,
        help="A partner is never contacted twice within this many days, whatever its instalments do.",
    )
    tolerance_amount = fields.Monetary(
        currency_field="currency_id",
        help="Instalments whose residual is not above this amount are not chased.",
    )
    is_company_default = fields.Boolean(
        compute="_compute_is_company_default", string="Company Default"
    )

    _sql_constraints = [
        (
            "min_days_between_contacts_positive",
            "CHECK(min_days_between_contacts >= 0)",
            "The minimum number of days between two contacts cannot be negative.",
        ),
        (
            "tolerance_amount_positive",
            "CHECK(tolerance_amount >= 0)",
            "The tolerance amount cannot be negative.",
        ),
    ]

    @api.depends("level_ids")
    def _compute_level_count(self):
        for policy in self:
            policy.level_count = len(policy.level_ids)

    @api.depends("company_id.collections_policy_id")
    def _compute_is_company_default(self):
        for policy in self:
            policy.is_company_default = policy.company_id.collections_policy_id == policy
