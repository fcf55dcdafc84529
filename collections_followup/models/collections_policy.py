from odoo import _, api, fields, models
from odoo.exceptions import AccessError


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
    promise_tolerance_days = fields.Integer(
        default=2,
        help="Days after a promised payment date before the promise counts as broken "
        "and the follow-up resumes.",
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
            "promise_tolerance_days_positive",
            "CHECK(promise_tolerance_days >= 0)",
            "The promise tolerance cannot be negative.",
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

    @api.model
    def run_followup(self, as_of=None, company_ids=None):
        """Run the follow-up (régua de cobrança) for a date.

        Every overdue customer of the companies gets the contact its policy
        prescribes for ``as_of``; running the same date again contacts nobody
        twice. Callable over XML-RPC by collectors.

        :param as_of: date of the run (ISO string or date), default today
        :param company_ids: ids of the companies to run, default every company
            of the user (the allowed companies of the context)
        :returns: dict with 'date' (ISO), 'companies' (one dict per company) and
            the counts 'partners_contacted', 'actions_done', 'actions_failed',
            'actions_planned', 'postponed', 'emails_queued', 'letters', 'sms',
            'activities', 'suspensions_lifted', 'promises_broken', 'promises_kept'
        """
        if not (self.env.su or self.env.user.has_group("collections_followup.group_collections_user")):
            raise AccessError(_("Only collectors can run the follow-up."))
        as_of = fields.Date.to_date(as_of) or fields.Date.context_today(self)
        if company_ids:
            companies = self.env["res.company"].browse(company_ids)
            allowed = self.env.user.company_ids
            if not self.env.su and companies - allowed:
                raise AccessError(_("You cannot run the follow-up of a company you do not belong to."))
        else:
            companies = self.env.companies
        return self.env["collections.followup.run"].sudo()._run(as_of, companies.sudo())

    @api.model
    def _cron_run_followup(self, as_of=None):
        """Daily scheduled action: the follow-up of every company for ``as_of`` (default today)."""
        companies = self.env["res.company"].sudo().search([])
        return self.sudo().run_followup(
            as_of=as_of, company_ids=companies.ids
        )
