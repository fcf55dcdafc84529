from odoo import api, fields, models

from .res_partner_credit import CUSTOMER_INVOICE_TYPES


class AccountMove(models.Model):
    """Posting a customer invoice is refused while its customer is on credit
    hold; credit notes and documents lowering the exposure always pass."""

    _name = "account.move"
    _inherit = ["account.move", "collections.credit.document"]

    def _collections_credit_candidates(self, soft=False):
        today = fields.Date.context_today(self)
        return self.filtered(
            lambda move: move.state == "draft"
            and move.move_type in CUSTOMER_INVOICE_TYPES
            # late charges are a penalty on credit already granted, not new credit
            and not move.collections_is_charge_invoice
            # soft posting leaves moves dated in the future to the auto-post cron
            and not (soft and move.date and move.date > today)
        )

    def _collections_credit_amount(self):
        self.ensure_one()
        return self.amount_total_signed

    def _collections_credit_exclusions(self, documents):
        return {"exclude_move_ids": documents._origin.ids}

    @api.depends("partner_id", "company_id", "state", "move_type", "amount_total_signed")
    def _compute_collections_credit_check(self):
        return super()._compute_collections_credit_check()

    def _post(self, soft=True):
        self._collections_check_credit(soft=soft)
        return super()._post(soft=soft)
