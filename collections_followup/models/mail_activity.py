from odoo import fields, models


class MailActivity(models.Model):
    """The company a credit review activity is for: reviews are scheduled per
    customer and company (credit settings are company-dependent)."""

    _inherit = "mail.activity"

    collections_company_id = fields.Many2one(
        "res.company", string="Credit Review Company", readonly=True, index="btree_not_null"
    )
