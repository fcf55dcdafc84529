from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..lib import late_fees
from ..lib.money import to_decimal


class CollectionsCorrectionIndex(models.Model):
    """A monetary correction index (IPCA, IGP-M, INPC ...) whose monthly
    rates the users maintain. Shared by every company: an index is public."""

    _name = "collections.correction.index"
    _description = "Monetary Correction Index"
    _order = "name"

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    rate_ids = fields.One2many("collections.correction.index.rate", "index_id", string="Monthly Rates")

    _sql_constraints = [("name_unique", "UNIQUE(name)", "An index with this name already exists.")]

    def _collections_rates(self):
        """{(year, month): Decimal rate in %} of this index, for ``lib.late_fees``."""
        self.ensure_one()
        return {(rate.year, rate.month): to_decimal(rate.rate) for rate in self.rate_ids}


class CollectionsCorrectionIndexRate(models.Model):
    """The rate of an index for one calendar month (e.g. IPCA of March 2026: 0.52%)."""

    _name = "collections.correction.index.rate"
    _description = "Monetary Correction Index Rate"
    _order = "index_id, year desc, month desc"

    index_id = fields.Many2one("collections.correction.index", required=True, ondelete="cascade", index=True)
    year = fields.Integer(required=True, default=lambda self: fields.Date.context_today(self).year)
    month = fields.Integer(required=True, help="Calendar month, 1 to 12.")
    rate = fields.Float(
        string="Rate (%)",
        digits=(16, 6),
        required=True,
        help="Variation of the index in the month, in percent (negative for deflation).",
    )

    _sql_constraints = [
        ("index_month_unique", "UNIQUE(index_id, year, month)", "An index has one rate per month."),
    ]

    @api.depends("year", "month", "index_id")
    def _compute_display_name(self):
        for rate in self:
            rate.display_name = "%s %s-%02d" % (rate.index_id.name or "", rate.year, rate.month or 0)

    @api.constrains("year", "month", "rate")
    def _check_rate(self):
        messages = self.env["collections.policy"]
        for rate in self:
            terms = late_fees.FeeTerms(correction_rates={(rate.year, rate.month): to_decimal(rate.rate)})
            problems = late_fees.terms_problems(terms)
            if problems:
                raise ValidationError(
                    "\n".join(
                        messages._collections_problem_message(code, values) for code, values in problems
                    )
                )
            if not 1900 <= rate.year <= 2999:
                raise ValidationError(
                    self.env._("The year %(year)s of an index rate is not plausible.", year=rate.year)
                )
