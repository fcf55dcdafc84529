"""Amounts and dates shown to a person are in the reader's language and the
currency's format: a Brazilian company (BRL) and pt_BR users read
"R$ 16.000,00" and "25/11/2026", never "16000.0 BRL" or "2026-11-25".

The web client sends the user's language in the context of every call (and
the public methods put it there for XML-RPC callers, see models/rpc.py): the
calls below do the same."""

from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import CollectionsCommon

DUE = date(2026, 11, 25)


def plain(text):
    """``text`` with the no-break spaces of the formatted amounts as spaces."""
    text = str(text).replace("&nbsp;", " ").replace("\N{NO-BREAK SPACE}", " ")
    return text.replace("\N{ZERO WIDTH NO-BREAK SPACE}", "")


@tagged("post_install", "-at_install")
class TestLocalizedOutput(CollectionsCommon):
    @classmethod
    def setup_independent_company(cls, **kwargs):
        # a company in reais (without l10n_br)
        return super().setup_independent_company(currency_id=cls._enable_currency("BRL").id, **kwargs)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("pt_BR")
        cls.company = cls.company_data["company"]
        common = {"company_id": cls.company.id, "company_ids": [cls.company.id], "lang": "pt_BR"}
        cls.collector_br = mail_new_test_user(
            cls.env,
            login="cf_collector_br",
            groups="base.group_user,collections_followup.group_collections_user",
            **common,
        )
        cls.billing_br = mail_new_test_user(
            cls.env,
            login="cf_billing_br",
            groups="base.group_user,account.group_account_invoice",
            **common,
        )
        cls.manager_br = mail_new_test_user(
            cls.env,
            login="cf_manager_br",
            groups="base.group_user,account.group_account_invoice,collections_followup.group_collections_manager",
            **common,
        )
        cls.customer = cls.env["res.partner"].create({"name": "Padaria Pão Quente", "is_company": True})

        def income(code, name):
            return cls.env["account.account"].create(
                {"code": code, "name": name, "account_type": "income_other", "company_ids": [cls.company.id]}
            )

        cls.policy.write(
            {
                "fine_rate": 2.0,
                "monthly_interest_rate": 1.0,
                "charge_invoicing": "on_demand",
                "fine_account_id": income("739001", "Multas recebidas").id,
                "interest_account_id": income("739002", "Juros de mora recebidos").id,
                "correction_account_id": income("739003", "Correção monetária recebida").id,
            }
        )

    @classmethod
    def _invoice(cls, amount, due=DUE, post=True):
        move = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.customer.id,
                "invoice_date": date(2026, 10, 26),
                "invoice_date_due": due,
                "invoice_line_ids": [
                    Command.create({"name": "Serviço", "quantity": 1, "price_unit": amount, "tax_ids": []})
                ],
            }
        )
        if post:
            move.action_post()
        return move

    def test_the_company_is_in_reais(self):
        self.assertEqual(self.company.currency_id.name, "BRL")
        self.assertEqual(self.company.currency_id.symbol, "R$")

    @freeze_time("2026-12-10")
    def test_charge_invoice_line_label_has_the_due_date_in_the_readers_format(self):
        invoice = self._invoice(16000.0)
        ids = self.customer.with_user(self.billing_br).collections_invoice_late_charges(date(2026, 12, 10))
        charge_invoice = self.env["account.move"].browse(ids)
        self.assertEqual(len(charge_invoice), 1)
        labels = charge_invoice.invoice_line_ids.mapped("name")
        self.assertTrue(labels)
        for label in labels:
            self.assertIn("%s (25/11/2026)" % invoice.name, label)
            self.assertNotIn("2026-11-25", label)

    @freeze_time("2026-11-20")
    def test_credit_hold_error_shows_reais_and_brazilian_dates(self):
        self.company.collections_hold_on_overdue = True
        self.customer.credit_limit = 10000.0
        self._invoice(500.0, due=date(2026, 10, 26))  # a Monday, 25 days late on 20/11/2026
        draft = self._invoice(16000.0, due=date(2026, 12, 20), post=False)
        with self.assertRaises(UserError) as caught:
            draft.with_user(self.billing_br).with_context(lang="pt_BR").action_post()
        message = plain(caught.exception.args[0])
        self.assertIn("R$ 16.000,00", message)  # the document
        self.assertIn("R$ 10.000,00", message)  # the limit
        self.assertIn("26/10/2026", message)  # the oldest overdue instalment
        self.assertNotIn("16000.0", message)
        self.assertEqual(draft.state, "draft")

    @freeze_time("2026-11-20")
    def test_promise_chatter_message_in_reais_and_brazilian_date(self):
        self._invoice(20000.0, due=date(2026, 11, 10))
        self.env["collections.promise"].with_user(self.collector_br).with_context(lang="pt_BR").create(
            {"partner_id": self.customer.id, "date": DUE, "amount": 16000.0}
        )
        body = plain(self.customer.message_ids[0].body)
        self.assertIn("R$ 16.000,00", body)
        self.assertIn("25/11/2026", body)
        self.assertNotIn("2026-11-25", body)

    @freeze_time("2026-12-10")
    def test_waiver_chatter_message_in_reais_and_brazilian_dates(self):
        invoice = self._invoice(16000.0)
        line = invoice.line_ids.filtered(lambda item: item.account_id.account_type == "asset_receivable")
        self.env["collections.charge"].with_user(self.manager_br).with_context(
            lang="pt_BR"
        )._collections_waive(line, {"fine": 320.0}, "Cliente antigo", date(2026, 12, 10))
        body = plain(invoice.message_ids[0].body)
        self.assertIn("R$ 320,00", body)
        self.assertIn("10/12/2026", body)
        self.assertIn("25/11/2026", body)

    @freeze_time("2026-12-10")
    def test_waiving_too_much_says_how_much_is_left_in_reais(self):
        invoice = self._invoice(16000.0)
        line = invoice.line_ids.filtered(lambda item: item.account_id.account_type == "asset_receivable")
        with self.assertRaises(UserError) as caught:
            self.env["collections.charge"].with_user(self.manager_br).with_context(
                lang="pt_BR"
            )._collections_waive(line, {"fine": 16000.0}, "Cliente antigo", date(2026, 12, 10))
        message = plain(caught.exception.args[0])
        self.assertIn("R$ 320,00", message)  # the fine left: 2% of 16,000.00
        self.assertIn("R$ 16.000,00", message)
