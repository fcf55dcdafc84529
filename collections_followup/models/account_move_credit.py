from odoo import api, fields, models

from .collections_credit_document import check_protected_vals
from .res_partner import CUSTOMER_INVOICE_TYPES

# Exempts an invoice from the credit check: set only by the late-charge
# invoicing, which creates its invoices as superuser.
CHARGE_INVOICE_FIELDS = frozenset({"collections_is_charge_invoice"})


class AccountMove(models.Model):
    """Posting a customer invoice is refused while its customer is on credit
    hold; credit notes and documents lowering the exposure always pass."""

    _name = "account.move"
    _inherit = ["account.move", "collections.credit.document"]

    def _collections_credit_candidates(self, soft=False):
        today = fields.Date.context_today(self)
        return self.filtered(
            lambda move: (
                move.state == "draft"
                and move.move_type in CUSTOMER_INVOICE_TYPES
                # late charges are a penalty on credit already granted, not new credit
                and not move.collections_is_charge_invoice
                # soft posting leaves moves dated in the future to the auto-post cron
                and not (soft and move.date and move.date > today)
            )
        )

    def _collections_credit_amount(self):
        self.ensure_one()
        return self.amount_total_signed

    def _collections_credit_exclusions(self, documents):
        return {"exclude_move_ids": documents._origin.ids}

    @api.depends("partner_id", "company_id", "state", "move_type", "amount_total_signed")
    def _compute_collections_credit_check(self):
        return super()._compute_collections_credit_check()

    @api.model_create_multi
    def create(self, vals_list):
        check_protected_vals(
            self.env, vals_list, CHARGE_INVOICE_FIELDS, self._collections_charge_mark_forbidden()
        )
        return super().create(vals_list)

    def write(self, vals):
        check_protected_vals(
            self.env, [vals], CHARGE_INVOICE_FIELDS, self._collections_charge_mark_forbidden()
        )
        return super().write(vals)

    def _collections_charge_mark_forbidden(self):
        return self.env._("Only the late-charge invoicing marks an invoice as a late-charge invoice.")

    def _post(self, soft=True):
        self._collections_check_credit(soft=soft)
        return super()._post(soft=soft)
