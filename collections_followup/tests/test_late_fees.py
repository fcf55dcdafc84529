"""Late charges through the public methods, on real invoices, payments and charge invoices.

The arithmetic itself is proven in lib/tests/test_late_fees.py; these tests
check the wiring: payment history from reconciliations, holidays from the
company calendar, terms from the partner's policy, disputes, currencies, and
that charges are invoiced exactly once.
"""

import json
from datetime import date, datetime, timedelta
from functools import partial

from freezegun import freeze_time

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.service.model import retrying
from odoo.tests import Form, TransactionCase, tagged
from odoo.tools import mute_logger

from .common import CollectionsCommon

MONDAY = date(2026, 1, 12)


@tagged("post_install", "-at_install")
class TestLateFees(CollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]

        def income(code, name):
            return cls.env["account.account"].create(
                {"code": code, "name": name, "account_type": "income_other", "company_ids": [cls.company.id]}
            )

        cls.fine_account = income("739001", "Multas recebidas")
        cls.interest_account = income("739002", "Juros de mora recebidos")
        cls.correction_account = income("739003", "Correção monetária recebida")
        cls.policy.write(
            {
                "fine_rate": 2.0,
                "monthly_interest_rate": 1.0,
                "charge_invoicing": "on_demand",
                "fine_account_id": cls.fine_account.id,
                "interest_account_id": cls.interest_account.id,
                "correction_account_id": cls.correction_account.id,
            }
        )
        cls.business = cls.env["res.partner"].create({"name": "Padaria Ltda", "is_company": True})
        cls.consumer = cls.env["res.partner"].create({"name": "João da Silva"})
        cls.bank = cls.company_data["default_journal_bank"]

    # --- helpers -------------------------------------------------------------
    @classmethod
    def _invoice(cls, amount=1000.0, due=MONDAY, partner=None, currency=None, payment_term=None):
        vals = {
            "move_type": "out_invoice",
            "partner_id": (partner or cls.business).id,
            "invoice_date": date(2025, 12, 13),
            "currency_id": (currency or cls.company.currency_id).id,
            "invoice_line_ids": [
                Command.create(
                    {
                        "name": "Service",
                        "quantity": 1,
                        "price_unit": amount,
                        "tax_ids": [Command.clear()],
                    }
                )
            ],
        }
        if payment_term:
            vals["invoice_payment_term_id"] = payment_term.id
        else:
            vals["invoice_date_due"] = due
        invoice = cls.env["account.move"].create(vals)
        invoice.action_post()
        return invoice

    def _pay(self, invoice, amount, day, currency=None):
        """Register a payment as a billing user (the person who does it)."""
        wizard = (
            self.env["account.payment.register"]
            .with_user(self.billing_user)
            .with_context(
                active_model="account.move",
                active_ids=invoice.ids,
            )
            .create(
                {
                    "amount": amount,
                    "payment_date": day,
                    "journal_id": self.bank.id,
                    "currency_id": (currency or invoice.currency_id).id,
                }
            )
        )
        return wizard._create_payments()

    def _charges(self, invoice, as_of):
        """The public method's result for the single instalment of ``invoice``."""
        lines = invoice.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
        result = lines.with_user(self.billing_user)._collections_late_charges(as_of)
        self.assertEqual(list(result), lines.ids)
        return result[lines.id] if len(lines) == 1 else result

    def _amounts(self, values):
        return (values["fine"], values["interest"], values["correction"], values["total"])

    def _invoice_charges(self, partner, as_of):
        ids = partner.with_user(self.billing_user).collections_invoice_late_charges(as_of)
        return self.env["account.move"].browse(ids)

    def _line_amounts(self, charge_invoice):
        """{account: amount} of a charge invoice's lines, checked against the journal items."""
        amounts = {line.account_id: line.price_subtotal for line in charge_invoice.invoice_line_ids}
        receivable = charge_invoice.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        self.assertEqual(sum(receivable.mapped("amount_currency")), sum(amounts.values()))
        return amounts

    def test_charge_invoice_is_not_held_by_the_overdue_rule(self):
        # The overdue hold refuses new invoices of a late customer, but the
        # late-charge invoice is a penalty on the credit already granted.
        self.company.collections_hold_on_overdue = True
        self._invoice()
        with freeze_time("2026-03-02"):
            charge_invoice = self._invoice_charges(self.business, date(2026, 3, 2))
            self.assertEqual(charge_invoice.state, "posted")
            self.assertTrue(charge_invoice.collections_is_charge_invoice)
            new_sale = self.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.business.id,
                    "invoice_date": date(2026, 3, 2),
                    "invoice_line_ids": [
                        Command.create({"name": "New sale", "quantity": 1, "price_unit": 10.0})
                    ],
                }
            )
            with self.assertRaisesRegex(UserError, "credit hold"):
                new_sale.action_post()

    # --- the computation, through the public method ------------------------------
    def test_issue_example_with_real_payments(self):
        invoice = self._invoice()
        self._pay(invoice, 400.0, date(2026, 1, 22))
        # Between the payments: 1000 x 1%/30 x 10 + 600 x 1%/30 x 5 = 3.333 + 1.00
        partial = self._charges(invoice, date(2026, 1, 27))
        self.assertEqual(self._amounts(partial), (20.0, 4.33, 0.0, 24.33))
        self.assertEqual(partial["residual"], 600.0)
        self.assertEqual(partial["updated_total"], 624.33)
        self._pay(invoice, 600.0, date(2026, 2, 11))
        charges = self._charges(invoice, "2026-02-11")
        self.assertEqual(self._amounts(charges), (20.0, 7.33, 0.0, 27.33))
        self.assertEqual(
            (charges["residual"], charges["updated_total"], charges["days_late"]), (0.0, 27.33, 30)
        )
        self.assertEqual(charges["currency"], self.company.currency_id.name)
        self.assertFalse(charges["capped"])
        # Paid: later dates change nothing.
        self.assertEqual(self._amounts(self._charges(invoice, date(2026, 6, 1))), (20.0, 7.33, 0.0, 27.33))

    def test_rpc_method_per_invoice_is_json(self):
        invoice = self._invoice()
        self._pay(invoice, 400.0, date(2026, 1, 22))
        result = invoice.with_user(self.billing_user).collections_late_charges("2026-01-27")
        json.dumps(result)  # plain values only
        self.assertEqual(len(result), 1)
        self.assertEqual(result[0]["invoice_id"], invoice.id)
        self.assertEqual(result[0]["as_of"], "2026-01-27")
        self.assertEqual((result[0]["fine"], result[0]["interest"], result[0]["total"]), (20.0, 4.33, 24.33))
        [instalment] = result[0]["instalments"]
        self.assertEqual(instalment["due_date"], "2026-01-12")
        self.assertEqual((instalment["amount"], instalment["residual"]), (1000.0, 600.0))

    def test_not_late_on_the_due_date(self):
        invoice = self._invoice()
        self.assertEqual(self._amounts(self._charges(invoice, MONDAY)), (0.0, 0.0, 0.0, 0.0))

    def test_grace_days(self):
        self.policy.grace_days = 5
        on_time = self._invoice()
        self._pay(on_time, 1000.0, date(2026, 1, 17))
        self.assertEqual(self._charges(on_time, date(2026, 1, 17))["total"], 0.0)
        late = self._invoice()
        self._pay(late, 1000.0, date(2026, 1, 19))
        # Beyond the grace: counted from the original due date, 7 days.
        self.assertEqual(self._amounts(self._charges(late, date(2026, 1, 19))), (20.0, 2.33, 0.0, 22.33))

    def test_weekend_due_date(self):
        saturday = self._invoice(due=date(2026, 1, 10))
        self._pay(saturday, 1000.0, date(2026, 1, 12))
        self.assertEqual(self._charges(saturday, date(2026, 1, 12))["total"], 0.0)
        tuesday = self._invoice(due=date(2026, 1, 10))
        self._pay(tuesday, 1000.0, date(2026, 1, 13))
        self.assertEqual(self._amounts(self._charges(tuesday, date(2026, 1, 13))), (20.0, 1.0, 0.0, 21.0))

    def test_holiday_due_date_from_the_company_calendar(self):
        tiradentes = date(2026, 4, 21)
        invoice = self._invoice(due=tiradentes)
        self._pay(invoice, 1000.0, date(2026, 4, 22))
        self.assertEqual(self._amounts(self._charges(invoice, date(2026, 4, 22))), (20.0, 0.33, 0.0, 20.33))
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Tiradentes",
                "calendar_id": self.company.resource_calendar_id.id,
                "date_from": datetime(2026, 4, 21, 0, 0),
                "date_to": datetime(2026, 4, 21, 23, 59, 59),
            }
        )
        self.assertEqual(self._charges(invoice, date(2026, 4, 22))["total"], 0.0)

    def test_consumer_fine_is_capped(self):
        self.policy.fine_rate = 10.0
        self.assertTrue(self.consumer.collections_consumer, "individuals are consumers by default")
        self.assertFalse(self.business.collections_consumer)
        consumer_charges = self._charges(self._invoice(partner=self.consumer), date(2026, 1, 27))
        self.assertEqual(self._amounts(consumer_charges), (20.0, 5.0, 0.0, 25.0))
        self.assertTrue(consumer_charges["capped"])
        self.assertEqual(consumer_charges["fine_rate_applied"], 2.0)
        self.assertTrue(self.consumer.with_user(self.collector).collections_fine_capped)
        business_charges = self._charges(self._invoice(), date(2026, 1, 27))
        self.assertEqual((business_charges["fine"], business_charges["capped"]), (100.0, False))
        # A flagged business partner is a consumer; the policy may also disable the cap.
        self.business.collections_consumer = True
        self.assertEqual(self._charges(self._invoice(), date(2026, 1, 27))["fine"], 20.0)
        self.policy.apply_consumer_cap = False
        self.assertEqual(
            self._charges(self._invoice(partner=self.consumer), date(2026, 1, 27))["fine"], 100.0
        )

    def test_several_instalments(self):
        term = self.env["account.payment.term"].create(
            {
                "name": "50/25/25",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 50.0, "nb_days": 30}),
                    Command.create({"value": "percent", "value_amount": 25.0, "nb_days": 60}),
                    Command.create({"value": "percent", "value_amount": 25.0, "nb_days": 90}),
                ],
            }
        )
        invoice = self._invoice(amount=3000.0, payment_term=term)
        result = self._charges(invoice, date(2026, 3, 23))
        lines = invoice.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
        by_due = {line.date_maturity: result[line.id] for line in lines}
        self.assertEqual(sorted(by_due), [date(2026, 1, 12), date(2026, 2, 11), date(2026, 3, 13)])
        self.assertEqual(self._amounts(by_due[date(2026, 1, 12)]), (30.0, 35.0, 0.0, 65.0))
        self.assertEqual(self._amounts(by_due[date(2026, 2, 11)]), (15.0, 10.0, 0.0, 25.0))
        self.assertEqual(self._amounts(by_due[date(2026, 3, 13)]), (15.0, 2.5, 0.0, 17.5))
        [summary] = invoice.collections_late_charges("2026-03-23")
        self.assertEqual((summary["total"], summary["updated_total"]), (107.5, 3107.5))
        charge_invoice = self._invoice_charges(self.business, date(2026, 3, 23))
        self.assertEqual(
            self._line_amounts(charge_invoice), {self.fine_account: 60.0, self.interest_account: 47.5}
        )

    def test_monetary_correction(self):
        index = self.env["collections.correction.index"].create(
            {
                "name": "IPCA (test)",
                "rate_ids": [
                    Command.create({"year": 2026, "month": 1, "rate": 0.5}),
                    Command.create({"year": 2026, "month": 2, "rate": 1.0}),
                ],
            }
        )
        self.policy.correction_index_id = index
        invoice = self._invoice()
        # 1000 x (1.005 x 1.01 - 1) = 15.05; interest on the corrected amount 19.79.
        self.assertEqual(
            self._amounts(self._charges(invoice, date(2026, 3, 12))), (20.0, 19.79, 15.05, 54.84)
        )
        charge_invoice = self._invoice_charges(self.business, date(2026, 3, 12))
        self.assertEqual(
            self._line_amounts(charge_invoice),
            {self.fine_account: 20.0, self.interest_account: 19.79, self.correction_account: 15.05},
        )
        self.assertEqual(charge_invoice.amount_total, 54.84)

    def test_foreign_currency_is_charged_in_its_own_currency(self):
        other = self.setup_other_currency("EUR")
        invoice = self._invoice(currency=other)
        self._pay(invoice, 400.0, date(2026, 1, 22))
        self._pay(invoice, 600.0, date(2026, 2, 11))
        charges = self._charges(invoice, date(2026, 2, 11))
        self.assertEqual(self._amounts(charges), (20.0, 7.33, 0.0, 27.33))
        self.assertEqual(charges["currency"], "EUR")
        charge_invoice = self._invoice_charges(self.business, date(2026, 2, 11))
        self.assertEqual(charge_invoice.currency_id, other)
        self.assertEqual(
            self._line_amounts(charge_invoice), {self.fine_account: 20.0, self.interest_account: 7.33}
        )
        # Paid in the company currency (2 EUR per USD): the same euros, the same charges.
        paid_in_usd = self._invoice(currency=other)
        self._pay(paid_in_usd, 200.0, date(2026, 1, 22), currency=self.company.currency_id)
        self._pay(paid_in_usd, 300.0, date(2026, 2, 11), currency=self.company.currency_id)
        self.assertEqual(
            self._amounts(self._charges(paid_in_usd, date(2026, 2, 11))), (20.0, 7.33, 0.0, 27.33)
        )

    def test_dispute_stops_accrual(self):
        invoice = self._invoice()
        self.env["collections.dispute"].create(
            {
                "move_id": invoice.id,
                "reason": "Wrong quantity",
                "date_start": date(2026, 1, 20),
                "date_end": date(2026, 1, 31),
            }
        )
        # 30 days late, 12 of them in dispute: 18 days of interest.
        self.assertEqual(self._amounts(self._charges(invoice, date(2026, 2, 11))), (20.0, 6.0, 0.0, 26.0))
        still_open = self._invoice()
        self.env["collections.dispute"].create(
            {
                "move_id": still_open.id,
                "reason": "Not delivered",
                "date_start": date(2026, 1, 20),
            }
        )
        self.assertEqual(self._amounts(self._charges(still_open, date(2026, 2, 11))), (0.0, 2.33, 0.0, 2.33))

    # --- invoicing --------------------------------------------------------------
    def test_charge_invoice_exact_and_only_once(self):
        invoice = self._invoice()
        self._pay(invoice, 400.0, date(2026, 1, 22))
        self._pay(invoice, 600.0, date(2026, 2, 11))
        charge_invoice = self._invoice_charges(self.business, date(2026, 2, 11))
        self.assertEqual(len(charge_invoice), 1)
        self.assertEqual(charge_invoice.state, "posted")
        self.assertEqual(charge_invoice.partner_id, self.business)
        self.assertEqual(charge_invoice.invoice_date, date(2026, 2, 11))
        self.assertTrue(charge_invoice.collections_is_charge_invoice)
        self.assertEqual(
            self._line_amounts(charge_invoice), {self.fine_account: 20.0, self.interest_account: 7.33}
        )
        self.assertEqual(charge_invoice.amount_total, 27.33)
        charge = charge_invoice.collections_charge_ids
        self.assertEqual((charge.fine_amount, charge.interest_amount, charge.state), (20.0, 7.33, "invoiced"))
        self.assertEqual(charge.move_id, invoice)
        # The same date again, or from the invoice: nothing new.
        self.assertFalse(self._invoice_charges(self.business, date(2026, 2, 11)))
        self.assertFalse(invoice.with_user(self.billing_user).collections_invoice_late_charges("2026-03-01"))
        self.assertEqual(
            invoice.collections_late_charges("2026-02-11")[0]["instalments"][0]["to_invoice"], 0.0
        )
        # The charge invoice accrues nothing itself.
        self.assertEqual(charge_invoice.collections_late_charges("2027-01-01")[0]["total"], 0.0)

    def test_pay_then_rerun_never_double_charges(self):
        invoice = self._invoice()
        first = self._invoice_charges(self.business, date(2026, 1, 27))
        self.assertEqual(self._line_amounts(first), {self.fine_account: 20.0, self.interest_account: 5.0})
        self._pay(invoice, 1000.0, date(2026, 2, 11))
        second = self._invoice_charges(self.business, date(2026, 2, 11))
        self.assertEqual(self._line_amounts(second), {self.interest_account: 5.0})
        self.assertFalse(self._invoice_charges(self.business, date(2026, 5, 1)))
        self.assertEqual(sum((first + second).mapped("amount_total")), 30.0)

    def test_wizard_from_the_invoice(self):
        invoice = self._invoice()
        wizard = (
            self.env["collections.charge.invoice"]
            .with_user(self.billing_user)
            .with_context(**invoice.action_collections_invoice_late_charges()["context"])
            .create({"as_of": date(2026, 1, 27)})
        )
        action = wizard.action_invoice()
        charge_invoice = self.env["account.move"].browse(action["res_id"])
        self.assertEqual(charge_invoice.amount_total, 25.0)
        again = (
            self.env["collections.charge.invoice"]
            .with_user(self.billing_user)
            .create({"as_of": date(2026, 1, 27), "move_ids": [Command.set(invoice.ids)]})
            .action_invoice()
        )
        self.assertEqual(again["tag"], "display_notification")

    def test_cancelled_or_deleted_charge_invoice_is_invoiceable_again(self):
        self._invoice()
        charge_invoice = self._invoice_charges(self.business, date(2026, 1, 27))
        charge_invoice.with_user(self.billing_user).button_cancel()
        self.assertEqual(charge_invoice.collections_charge_ids.state, "cancelled")
        again = self._invoice_charges(self.business, date(2026, 1, 27))
        self.assertEqual(self._line_amounts(again), {self.fine_account: 20.0, self.interest_account: 5.0})
        again.with_user(self.billing_user).button_draft()
        again.with_user(self.billing_user).unlink()
        third = self._invoice_charges(self.business, date(2026, 1, 27))
        self.assertEqual(third.amount_total, 25.0)
        self.assertFalse(self._invoice_charges(self.business, date(2026, 1, 27)))

    @freeze_time("2026-02-11")
    def test_on_payment_invoices_automatically_once(self):
        self.policy.charge_invoicing = "on_payment"
        invoice = self._invoice()
        charge_invoices = self.env["account.move"].search([("collections_is_charge_invoice", "=", True)])
        self._pay(invoice, 400.0, date(2026, 1, 22))
        self.assertFalse(
            self.env["account.move"].search([("collections_is_charge_invoice", "=", True)]) - charge_invoices,
            "not fully paid yet",
        )
        self._pay(invoice, 600.0, date(2026, 2, 11))
        created = (
            self.env["account.move"].search([("collections_is_charge_invoice", "=", True)]) - charge_invoices
        )
        self.assertEqual(len(created), 1)
        self.assertEqual(self._line_amounts(created), {self.fine_account: 20.0, self.interest_account: 7.33})
        self.assertEqual(created.state, "posted")
        # Paying the charge invoice does not charge anything, and a re-run adds nothing.
        self._pay(created, 27.33, date(2026, 2, 11))
        self.assertFalse(self._invoice_charges(self.business, date(2026, 2, 11)))
        self.assertEqual(
            len(
                self.env["account.move"].search([("collections_is_charge_invoice", "=", True)])
                - charge_invoices
            ),
            1,
        )

    def test_policy_shown_only_invoices_nothing(self):
        self.policy.charge_invoicing = "none"
        invoice = self._invoice()
        self.assertEqual(self._charges(invoice, date(2026, 1, 27))["total"], 25.0)
        self.assertFalse(self._invoice_charges(self.business, date(2026, 1, 27)))

    # --- waivers ------------------------------------------------------------------
    def _waive_wizard(self, user, invoice, **values):
        return (
            self.env["collections.charge.waive"]
            .with_user(user)
            .with_context(default_move_id=invoice.id)
            .create(dict({"as_of": date(2026, 1, 27), "reason": "Good customer"}, **values))
        )

    def test_manager_waives_part_of_the_charges(self):
        invoice = self._invoice()
        wizard = self._waive_wizard(self.collections_manager, invoice, interest_amount=3.0, fine_amount=0.0)
        self.assertEqual((wizard.fine_left, wizard.interest_left), (20.0, 5.0))
        wizard.action_waive()
        waiver = self.env["collections.charge"].search([("move_id", "=", invoice.id)])
        self.assertEqual(
            (waiver.state, waiver.interest_amount, waiver.user_id), ("waived", 3.0, self.collections_manager)
        )
        self.assertIn("Good customer", invoice.message_ids[0].body)
        charge_invoice = self._invoice_charges(self.business, date(2026, 1, 27))
        self.assertEqual(
            self._line_amounts(charge_invoice), {self.fine_account: 20.0, self.interest_account: 2.0}
        )
        with self.assertRaisesRegex(UserError, "at most"):
            self._waive_wizard(self.collections_manager, invoice, interest_amount=1.0).action_waive()

    def test_waiver_refused_to_collectors_and_billing_users(self):
        invoice = self._invoice()
        for user in (self.collector, self.billing_user):
            with self.assertRaises(AccessError):
                self._waive_wizard(user, invoice, fine_amount=20.0).action_waive()
        with self.assertRaises(AccessError):
            self.env["collections.charge"].with_user(self.billing_user).create(
                {
                    "move_line_id": invoice.line_ids[0].id,
                    "partner_id": self.business.id,
                    "kind": "waiver",
                    "company_id": self.company.id,
                    "currency_id": self.company.currency_id.id,
                    "date": date(2026, 1, 27),
                    "fine_amount": 20.0,
                }
            )
        self.assertFalse(self.env["collections.charge"].search([("move_id", "=", invoice.id)]))

    def test_waiver_needs_a_reason(self):
        invoice = self._invoice()
        with self.assertRaisesRegex(UserError, "reason"):
            self._waive_wizard(self.collections_manager, invoice, reason=" ", fine_amount=20.0).action_waive()

    # --- configuration ------------------------------------------------------------
    def test_bad_configuration_is_refused(self):
        cases = [
            ({"fine_rate": -1.0}, "Fine rate must be between 0% and 100%"),
            ({"fine_rate": 101.0}, "Fine rate must be between 0% and 100%"),
            ({"monthly_interest_rate": 10.5}, "Monthly interest rate must be between 0% and 10%"),
            ({"grace_days": -2}, "Grace days must be between 0 and 365"),
            ({"fine_account_id": False}, "choose the income account of: Fine"),
        ]
        for values, message in cases:
            with self.subTest(values=values), self.assertRaisesRegex(ValidationError, message):
                self.policy.with_user(self.collections_manager).write(values)
        with self.assertRaisesRegex(ValidationError, "choose the income account"):
            self.env["collections.policy"].create({"name": "No accounts", "charge_invoicing": "on_payment"})
        with self.assertRaisesRegex(ValidationError, "above -100%"):
            self.env["collections.correction.index"].create(
                {"name": "Broken", "rate_ids": [Command.create({"year": 2026, "month": 1, "rate": -100.0})]}
            )
        with self.assertRaisesRegex(ValidationError, "not a calendar month"):
            self.env["collections.correction.index"].create(
                {
                    "name": "Broken month",
                    "rate_ids": [Command.create({"year": 2026, "month": 13, "rate": 1.0})],
                }
            )

    # --- shown everywhere -----------------------------------------------------------
    @freeze_time("2026-01-27")
    def test_invoice_and_partner_show_the_charges_of_today(self):
        invoice = self._invoice()
        self._pay(invoice, 400.0, date(2026, 1, 22))
        form_invoice = invoice.with_user(self.billing_user)
        self.assertTrue(form_invoice.collections_late_visible)
        self.assertEqual(
            (
                form_invoice.collections_late_fine,
                form_invoice.collections_late_interest,
                form_invoice.collections_late_total,
                form_invoice.collections_late_updated_total,
            ),
            (20.0, 4.33, 24.33, 624.33),
        )
        partner = self.business.with_user(self.collector)
        self.assertEqual(
            (partner.collections_late_total, partner.collections_late_updated_total), (24.33, 624.33)
        )
        # The forms load with their late-charge boxes.
        with Form(form_invoice) as invoice_form:
            self.assertEqual(invoice_form.collections_late_total, 24.33)
        with Form(self.business.with_user(self.billing_user)) as partner_form:
            self.assertEqual(partner_form.collections_late_fine, 20.0)
            self.assertEqual(len(partner_form.collections_late_line_ids), 1)
        self.assertFalse(self._invoice(due=date(2026, 2, 27)).collections_late_visible)

    def test_charges_need_access_to_the_invoices(self):
        invoice = self._invoice()
        with self.assertRaises(AccessError):
            invoice.with_user(self.plain_user).collections_late_charges("2026-01-27")
        with self.assertRaises(AccessError):
            self.env["collections.charge"].with_user(self.plain_user).search([])

    def test_dunning_table_shows_the_same_numbers(self):
        invoice = self._invoice()
        self._pay(invoice, 400.0, date(2026, 1, 22))
        rows = self.business.with_user(self.collector)._collections_late_charge_rows("2026-01-27")
        self.assertEqual(len(rows), 1)
        self.assertEqual(
            (rows[0]["invoice"], rows[0]["fine"], rows[0]["interest"], rows[0]["updated_total"]),
            (invoice.name, 20.0, 4.33, 624.33),
        )
        html = self.env["ir.qweb"]._render(
            "collections_followup.late_charges_table", {"partner": self.business, "as_of": date(2026, 1, 27)}
        )
        self.assertIn(invoice.name, html)
        for amount in ("20.00", "4.33", "624.33"):
            self.assertIn(amount, html)

    def test_products_instead_of_accounts(self):
        fine_product = self.env["product.product"].create(
            {"name": "Multa", "type": "service", "property_account_income_id": self.fine_account.id}
        )
        interest_product = self.env["product.product"].create(
            {
                "name": "Juros de mora",
                "type": "service",
                "property_account_income_id": self.interest_account.id,
            }
        )
        self.policy.write(
            {
                "fine_account_id": False,
                "interest_account_id": False,
                "fine_product_id": fine_product.id,
                "interest_product_id": interest_product.id,
            }
        )
        self._invoice()
        charge_invoice = self._invoice_charges(self.business, date(2026, 1, 27))
        self.assertEqual(
            self._line_amounts(charge_invoice), {self.fine_account: 20.0, self.interest_account: 5.0}
        )
        self.assertEqual(charge_invoice.invoice_line_ids.product_id, fine_product + interest_product)
        self.assertFalse(charge_invoice.invoice_line_ids.tax_ids)

    def test_partner_policy_overrides_the_company_default(self):
        strict = self.env["collections.policy"].create(
            {
                "name": "Strict",
                "company_id": self.company.id,
                "fine_rate": 5.0,
                "monthly_interest_rate": 3.0,
            }
        )
        self.business.with_company(self.company).collections_policy_id = strict
        # 1000 x 5% and 1000 x 3%/30 x 15 days
        self.assertEqual(
            self._amounts(self._charges(self._invoice(), date(2026, 1, 27))), (50.0, 15.0, 0.0, 65.0)
        )
        # Strict invoices nothing ("none" by default): the button charges nothing for this customer.
        self.assertFalse(self._invoice_charges(self.business, date(2026, 1, 27)))
        # Without any policy, no charges at all.
        self.business.with_company(self.company).collections_policy_id = False
        self.company.collections_policy_id = False
        self.assertEqual(self._charges(self._invoice(), date(2026, 1, 27))["total"], 0.0)

    # --- arguments as they come over RPC (issue 12) ---------------------------
    def test_as_of_is_validated(self):
        invoice = self._invoice()
        methods = (
            invoice.collections_late_charges,
            invoice.collections_invoice_late_charges,
            self.business.collections_invoice_late_charges,
        )
        for bad in (
            20260211,
            2026.0,
            [2026, 2, 11],
            {"date": "2026-02-11"},
            True,
            "NaN",
            "nan",
            "2026-13-01",
            "2026-02-30",
            "11/02/2026",
            "2026-02-11T00:00:00",
            "1999-12-31",
        ):
            for method in methods:
                with self.subTest(value=bad, method=method.__name__), self.assertRaises(UserError):
                    method(bad)
        tomorrow = fields.Date.context_today(invoice) + timedelta(days=1)
        for method in methods[1:]:
            with self.assertRaisesRegex(UserError, "ahead of time"):
                method(tomorrow.isoformat())
        # A preview may look ahead; False (RPC's None) and a date object mean what they say.
        self.assertEqual(invoice.collections_late_charges(tomorrow)[0]["as_of"], tomorrow.isoformat())
        self.assertEqual(
            invoice.collections_late_charges(False)[0]["as_of"],
            fields.Date.context_today(invoice).isoformat(),
        )
        self.assertEqual(invoice.collections_late_charges(date(2026, 2, 11))[0]["total"], 30.0)
        self.assertFalse(self.env["collections.charge"].search([("move_id", "=", invoice.id)]))


@tagged("post_install", "-at_install")
class TestLateChargesConcurrency(TransactionCase):
    """Two "Invoice late charges to date" for the same customer and day at the
    same moment, in two real committed transactions (issue 12): one charge
    invoice. The data is committed in setUp and deleted in the cleanup."""

    AS_OF = "2026-02-11"

    def setUp(self):
        super().setUp()
        with self.env.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            company = env.ref("base.main_company")
            env = env(context=dict(env.context, allowed_company_ids=company.ids))
            if not company.chart_template:
                self.skipTest("the main company has no chart of accounts")
            income = env["account.account"].search(
                [("account_type", "in", ("income", "income_other")), ("company_ids", "in", company.id)],
                limit=1,
            )
            policy = env["collections.policy"].create(
                {
                    "name": "Concurrency test",
                    "company_id": company.id,
                    "fine_rate": 2.0,
                    "monthly_interest_rate": 1.0,
                    "charge_invoicing": "on_demand",
                    "fine_account_id": income.id,
                    "interest_account_id": income.id,
                    "correction_account_id": income.id,
                }
            )
            partner = env["res.partner"].create({"name": "Concurrent Ltda", "is_company": True})
            partner.with_company(company).collections_policy_id = policy
            invoice = (
                env["account.move"]
                .with_company(company)
                .create(
                    {
                        "move_type": "out_invoice",
                        "partner_id": partner.id,
                        "invoice_date": date(2025, 12, 13),
                        "invoice_date_due": date(2026, 1, 12),
                        "invoice_line_ids": [
                            Command.create(
                                {
                                    "name": "Service",
                                    "quantity": 1,
                                    "price_unit": 1000.0,
                                    "tax_ids": [Command.clear()],
                                }
                            )
                        ],
                    }
                )
            )
            invoice.action_post()
            # real commits are the point of this test: its concurrent cursors must see the data
            cr.commit()  # pylint: disable=invalid-commit
            self.data = {
                "company": company.id,
                "partner": partner.id,
                "policy": policy.id,
                "invoice": invoice.id,
            }
        self.addCleanup(self._delete_data)
        self.envs = []
        for _i in range(3):
            cr = self.env.registry.cursor()
            self.addCleanup(cr.close)
            self.envs.append(
                api.Environment(cr, SUPERUSER_ID, {"allowed_company_ids": [self.data["company"]]})
            )

    def _delete_data(self):
        with self.env.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            moves = env["account.move"].search([("partner_id", "=", self.data["partner"])])
            moves.filtered(lambda move: move.state != "draft").button_draft()
            moves.posted_before = False
            moves.with_context(force_delete=True).unlink()
            cr.execute("DELETE FROM collections_charge_mutex WHERE partner_id = %s", [self.data["partner"]])
            env["res.partner"].browse(self.data["partner"]).unlink()
            env["collections.policy"].browse(self.data["policy"]).unlink()
            # real commits are the point of this test: its concurrent cursors must see the data
            cr.commit()  # pylint: disable=invalid-commit

    def _charged(self, env):
        charges = env["collections.charge"].search([("partner_id", "=", self.data["partner"])])
        return charges.charge_move_id, sum(charges.mapped("total_amount"))

    def test_two_invoicings_at_the_same_moment_charge_once(self):
        env0, env1, env2 = self.envs
        expected = env0["account.move"].browse(self.data["invoice"]).collections_late_charges(self.AS_OF)[0]
        self.assertEqual(expected["total"], 30.0)  # fine 20.00 + 30 days of 1% a month on 1000.00
        env0.cr.rollback()
        # The first transaction starts (its snapshot is taken) ...
        env1.cr.execute("SELECT 1")
        # ... while the second invoices the same customer and day, and commits.
        first = env2["res.partner"].browse(self.data["partner"]).collections_invoice_late_charges(self.AS_OF)
        env2.cr.commit()
        self.assertEqual(len(first), 1)
        # The first one cannot see those charges in its snapshot: the mutex makes it
        # fail and Odoo's request retry runs it again, on a snapshot that sees them.
        with mute_logger("odoo.sql_db", "odoo.service.model"):
            second = retrying(
                partial(
                    env1["res.partner"].browse(self.data["partner"]).collections_invoice_late_charges,
                    self.AS_OF,
                ),
                env1,
            )
        env1.cr.commit()
        self.assertEqual(second, [])
        charge_invoices, total = self._charged(env0)
        self.assertEqual(charge_invoices.ids, first)
        self.assertAlmostEqual(total, 30.0, places=2)  # BRL, not 60.00
        self.assertEqual(charge_invoices.amount_total, 30.0)
