"""Browser tours (Chromium, HttpCase.start_tour) of the screens as a
Portuguese-speaking collector uses them. The data is made here: the tests do
not rely on demo data."""

from datetime import date, timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .followup_common import FollowupCommon


def load_portuguese(env, modules):
    """Activate pt_BR and load the translations of ``modules`` (menus, views, fields)."""
    env["res.lang"]._activate_lang("pt_BR")
    env["ir.module.module"].search(
        [("name", "in", modules), ("state", "=", "installed")]
    )._update_translations(["pt_BR"])


@tagged("post_install", "-at_install")
class TestCollectorTour(FollowupCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        load_portuguese(cls.env, ["base", "web", "mail", "account", "collections_followup"])
        cls.cobrador = mail_new_test_user(
            cls.env,
            login="cf_tour_cobrador",
            name="Cobradora Tour",
            groups="base.group_user,collections_followup.group_collections_user",
            company_id=cls.company.id,
            company_ids=[cls.company.id],
            lang="pt_BR",
            tz="America/Sao_Paulo",
        )
        # the collector's own customers: the worklist opens on them
        for customer in cls.customer | cls.customer_b:
            customer.with_company(cls.company).collections_responsible_id = cls.cobrador
        # Construtora Horizonte: 45 days late, the protest level waits for a collector
        cls._invoice(cls.customer_b, date(2025, 3, 3), 1000.0)
        cls.env["collections.policy"].run_followup(as_of="2025-04-03")
        cls.env["collections.policy"].run_followup(as_of="2025-04-17")
        cls.planned = cls.env["collections.followup.action"].search(
            [("partner_id", "=", cls.customer_b.id), ("state", "=", "planned")]
        )
        # Padaria Pão Quente: 20 days late today, to be called
        cls.today = fields.Date.context_today(cls.cobrador.with_context(tz="America/Sao_Paulo"))
        cls.padaria_invoice = cls._invoice(cls.customer, cls.today - timedelta(days=20), 800.0)

    def test_collector_morning(self):
        self.assertEqual(self.planned.level_id, self.level_protest)
        self.start_tour("/odoo", "collections_collector_morning", login=self.cobrador.login, timeout=180)
        # the call and its promise, as logged through the contact wizard
        contact = self.env["collections.followup.action"].search(
            [("partner_id", "=", self.customer.id), ("kind", "=", "contact")]
        )
        self.assertEqual(len(contact), 1)
        self.assertEqual(contact.outcome, "promise")
        self.assertTrue(contact.right_party_contact)
        self.assertEqual(contact.user_id, self.cobrador)
        promise = contact.promise_id
        self.assertEqual(promise.amount, 500.0)
        self.assertEqual(promise.user_id, self.cobrador)
        self.assertEqual(promise.move_line_ids.move_id, self.padaria_invoice)
        # the contact waiting for review, processed by the collector, with its letter
        self.assertEqual(self.planned.state, "done")
        self.assertEqual(self.planned.user_id, self.cobrador)
        self.assertTrue(self.planned.letter_attachment_id)
        self.assertEqual(self.customer_b.collections_escalation, "protest")
