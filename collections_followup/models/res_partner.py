from odoo import fields, models


class ResPartner(models.Model):
    """Collection and credit state of a customer, kept per company: a hold
    or a suspension in company A says nothing about company B. Set on the
    commercial partner; contacts read their commercial partner's values."""

    _inherit = "res.partner"

    collections_policy_id = fields.Many2one(
        "collections.policy",
        string="Collection Policy",
        company_dependent=True,
        help="Overrides the company's default collection policy for this customer.",
    )
    collections_responsible_id = fields.Many2one(
        "res.users", string="Collector", company_dependent=True,
        help="The collector in charge of this customer.",
    )
    collections_excluded = fields.Boolean(
        string="Excluded from Follow-up", company_dependent=True,
        help="Never chased by the follow-up run.",
    )
    collections_excluded_reason = fields.Char(string="Exclusion Reason", company_dependent=True)
    credit_hold_manual = fields.Boolean(
        string="Manual Credit Hold", company_dependent=True,
        help="Blocks posting customer invoices and confirming sales until lifted.",
    )
    credit_hold_manual_reason = fields.Char(string="Credit Hold Reason", company_dependent=True)
    credit_hold_level_id = fields.Many2one(
        "collections.level", string="Credit Hold by Level", company_dependent=True,
        help="Set by a collection level that puts the customer on credit hold; "
        "lifted when nothing is overdue any more.",
    )
    service_suspended_date = fields.Date(
        string="Service Suspended Since", company_dependent=True,
        help="Set when the customer's service is suspended for non-payment; other modules read it.",
    )
    service_suspension_reason = fields.Char(company_dependent=True)
    service_suspended = fields.Boolean(
        compute="_compute_service_suspended", search="_search_service_suspended"
    )

    def _compute_service_suspended(self):
        for partner in self:
            partner.service_suspended = bool(partner.commercial_partner_id.service_suspended_date)

    def _search_service_suspended(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError()
        suspended = (operator == "=") == value
        return [("commercial_partner_id.service_suspended_date", "!=" if suspended else "=", False)]
