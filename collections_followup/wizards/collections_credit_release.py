from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..models.collections_credit_document import MANAGER_GROUP


class CollectionsCreditRelease(models.TransientModel):
    """A Collections Manager releases one document from the credit holds of
    its customer, with a mandatory reason; optionally the customer too, until
    a date."""

    _name = "collections.credit.release"
    _description = "Release a Credit Hold"

    res_model = fields.Char(string="Document Model", required=True)
    res_id = fields.Many2oneReference(string="Document", model_field="res_model", required=True)
    document_name = fields.Char(compute="_compute_document")
    partner_id = fields.Many2one("res.partner", compute="_compute_document", string="Customer")
    company_id = fields.Many2one("res.company", compute="_compute_document")
    hold_message = fields.Text(string="Credit Hold", compute="_compute_document")
    reason = fields.Text(required=True)
    release_until = fields.Date(
        string="Also Release the Customer Until",
        help="Optional: no credit hold blocks this customer's invoices and orders up to this date.",
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        # opened from a document's action menu: the document is the active record
        context = self.env.context
        if not values.get("res_model") and context.get("active_model") and context.get("active_id"):
            values.setdefault("res_model", context["active_model"])
            values.setdefault("res_id", context["active_id"])
        return values

    @api.depends("res_model", "res_id")
    def _compute_document(self):
        for wizard in self:
            # the release is the manager's call even without rights on the document's app
            document = wizard._document()
            if document is not None:
                document = document.sudo()
            if document is None:
                wizard.update(
                    {"document_name": False, "partner_id": False, "company_id": False, "hold_message": False}
                )
                continue
            wizard.document_name = document.display_name
            wizard.partner_id = document.partner_id.commercial_partner_id
            wizard.company_id = document.company_id
            wizard.hold_message = document.collections_credit_hold_message

    @api.constrains("release_until")
    def _check_release_until(self):
        today = fields.Date.context_today(self)
        for wizard in self:
            if wizard.release_until and wizard.release_until < today:
                raise ValidationError(self.env._("The customer cannot be released until a date in the past."))

    def action_release(self):
        """Release the document (and the customer until the date, if given)."""
        self.ensure_one()
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only a Collections Manager can release a credit hold."))
        document = self._document()
        if document is None:
            raise UserError(self.env._("The document to release no longer exists."))
        document.sudo()._collections_release_credit(self.reason)
        if self.release_until:
            self.partner_id.with_company(self.company_id).credit_release_until = self.release_until
        return {"type": "ir.actions.act_window_close"}

    def _document(self):
        """The document to release, None when it is gone."""
        self.ensure_one()
        if not self.res_model or self.res_model not in self.env:
            return None
        model = self.env[self.res_model]
        if "collections_credit_released_by_id" not in model._fields:
            raise UserError(self.env._("Credit holds cannot be released on this kind of document."))
        return model.browse(self.res_id).exists() or None
