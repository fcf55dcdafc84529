from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, tagged

from .common import CollectionsCommon


@tagged("post_install", "-at_install")
class TestLateFeesPortal(CollectionsCommon, HttpCase):
    """The customer sees the late charges on the portal invoice page."""

    def test_portal_invoice_page_shows_the_late_charges(self):
        self.policy.write({"fine_rate": 2.0, "monthly_interest_rate": 1.0})
        partner = self.env["res.partner"].create({"name": "Portal Customer Ltda", "is_company": True})
        # The server thread uses the real clock: the instalment is 30 days late today.
        due = fields.Date.context_today(self.env.user) - timedelta(days=30)
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": due - timedelta(days=30),
                "invoice_date_due": due,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Service", "quantity": 1, "price_unit": 1000.0, "tax_ids": [Command.clear()]}
                    )
                ],
            }
        )
        invoice.action_post()
        page = self.url_open(invoice.get_portal_url())
        self.assertEqual(page.status_code, 200)
        self.assertIn("Late charges as of today", page.text)
        self.assertIn("collections_late_charges", page.text)
        self.assertIn("20.00", page.text)

        on_time = invoice.copy({"invoice_date_due": due + timedelta(days=60), "invoice_date": due})
        on_time.action_post()
        self.assertNotIn("Late charges as of today", self.url_open(on_time.get_portal_url()).text)
