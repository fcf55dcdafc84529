from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.sale.controllers.portal import CustomerPortal


class CollectionsCustomerPortal(CustomerPortal):
    """A held customer cannot sign (which would confirm) a quotation online:
    the answer is the neutral message, never the internal reasons."""

    @http.route()
    def portal_quote_accept(self, order_id, access_token=None, name=None, signature=None):
        access_token = access_token or request.httprequest.args.get("access_token")
        try:
            order_sudo = self._document_check_access("sale.order", order_id, access_token=access_token)
        except (AccessError, MissingError):
            order_sudo = None
        if order_sudo and order_sudo._has_to_be_signed() and order_sudo._collections_portal_on_hold():
            return {"error": order_sudo._collections_portal_hold_message()}
        return super().portal_quote_accept(
            order_id, access_token=access_token, name=name, signature=signature
        )
