from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .followup_common import FollowupCommon

DUE = date(2024, 1, 31)
TODAY = "2024-08-15"  # more than six months after DUE


@tagged("post_install", "-at_install")
class TestWriteoff(FollowupCommon):
    """Managers write off overdue instalments against the loss account; the
    entry is reconciled with them (no more chasing), the Lei 9.430 art. 9
    criterion is stored, and reversing reopens them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loss_account = cls.env["account.account"].create(
            {
                "code": "639201",
                "name": "Perdas no recebimento de créditos",
                "account_type": "expense",
                "company_ids": [cls.company.id],
            }
        )
        cls.company.collections_writeoff_account_id = cls.loss_account
        cls.small = cls._invoice(cls.customer, DUE, 1000.0)
        cls.medium = cls._invoice(cls.customer_b, DUE, 20000.0)
        cls.small_line = cls._instalment(cls.small)
        cls.medium_line = cls._instalment(cls.medium)

    @classmethod
    def _instalment(cls, invoice):
        return invoice.line_ids.filtered(lambda line: line.account_type == "asset_receivable")

    def _wizard(self, lines, user=None, **values):
        return (
            self.env["collections.writeoff.wizard"]
            .with_user(user or self.collections_manager)
            .create({"move_line_ids": [Command.set(lines.ids)], **values})
        )

    @freeze_time(TODAY)
    def test_write_off_settles_and_classifies(self):
        wizard = self._wizard(self.small_line | self.medium_line)
        self.assertIn("Unsecured, small credit", wizard.preview_html)
        self.assertIn("Not met", wizard.preview_html, "20,000 overdue less than a year is not deductible yet")
        action = wizard.action_write_off()
        writeoff = self.env["collections.writeoff"].browse(action["res_id"])
        self.assertEqual(writeoff.state, "posted")
        self.assertAlmostEqual(writeoff.amount_total, 21000.0)
        criteria = {line.move_id: line.criterion for line in writeoff.line_ids}
        self.assertEqual(criteria, {self.small: "unsecured_small", self.medium: "none"})
        self.assertEqual({self.small.payment_state, self.medium.payment_state}, {"paid"})
        move = writeoff.move_id
        self.assertAlmostEqual(sum(move.line_ids.mapped("debit")), sum(move.line_ids.mapped("credit")))
        loss = move.line_ids.filtered(lambda line: line.account_id == self.loss_account)
        self.assertAlmostEqual(loss.balance, 21000.0)
        snapshot = self.env["collections.receivable"]._snapshot(self.company, date(2024, 8, 15))
        self.assertFalse({self.small_line.id, self.medium_line.id} & set(snapshot.items), "No longer chased")
        self.assertIn("Written off", self.small.message_ids[0].body)
        self.assertIn("Written off", self.customer.message_ids[0].body)

    @freeze_time(TODAY)
    def test_reversing_reopens_the_instalments(self):
        writeoff = (
            self.env["collections.writeoff"]
            .with_user(self.collections_manager)
            .collections_write_off(self.small_line.ids, "uncollectible")
        )
        with self.assertRaises(AccessError):
            writeoff.with_user(self.collector).action_reverse()
        writeoff.with_user(self.collections_manager).action_reverse()
        self.assertEqual(writeoff.state, "reversed")
        self.assertEqual(self.small.payment_state, "not_paid")
        self.assertAlmostEqual(self.small_line.amount_residual, 1000.0)
        snapshot = self.env["collections.receivable"]._snapshot(self.company, date(2024, 8, 15))
        self.assertIn(self.small_line.id, snapshot.items, "Chased again")
        self.assertTrue(writeoff.reversal_move_id)
        self.assertFalse(self.env["collections.charge"].search([("move_line_id", "=", self.small_line.id)]))

    @freeze_time(TODAY)
    def test_only_managers_and_only_open_overdue_undisputed(self):
        Writeoff = self.env["collections.writeoff"]
        with self.assertRaisesRegex(AccessError, "Only a Collections Manager"):
            with self.env.cr.savepoint():
                Writeoff.with_user(self.collector).collections_write_off(self.small_line.ids, "uncollectible")
        paid = self._invoice(self.customer, DUE, 300.0)
        self._pay(paid, 300.0, date(2024, 2, 1))
        disputed = self._invoice(self.customer, DUE, 400.0)
        disputed.collections_dispute_open("Goods returned")
        not_due = self._invoice(self.customer, date(2024, 9, 1), 500.0)
        manager = Writeoff.with_user(self.collections_manager)
        cases = [
            ([], "uncollectible", {}, "at least one overdue instalment"),
            (self._instalment(paid).ids, "uncollectible", {}, "not an open instalment"),
            (self._instalment(disputed).ids, "uncollectible", {}, "in dispute"),
            (self._instalment(not_due).ids, "uncollectible", {}, "not overdue"),
            (self.small_line.ids, "other", {}, "Explain the write-off"),
            (self.small_line.ids, "uncollectible", {"date": "2024-09-01"}, "in the future"),
        ]
        for ids, reason, kwargs, message in cases:
            with (
                self.subTest(message=message),
                self.assertRaisesRegex(UserError, message),
                self.env.cr.savepoint(),
            ):
                manager.collections_write_off(ids, reason, **kwargs)
        self.assertFalse(Writeoff.search([]))
        self.assertEqual(self.small.payment_state, "not_paid")

    @freeze_time("2025-02-15")
    def test_medium_credit_needs_the_administrative_collection(self):
        manager = self.env["collections.writeoff"].with_user(self.collections_manager)
        writeoff = manager.collections_write_off(
            self.medium_line.ids, "uncollectible", administrative_collection=True
        )
        self.assertEqual(writeoff.line_ids.criterion, "unsecured_medium")
        self.assertTrue(writeoff.line_ids.administrative_collection)

    def test_small_balances_are_written_off_daily_only_when_switched_on(self):
        tiny = self._invoice(self.customer, DUE, 0.80)
        Writeoff = self.env["collections.writeoff"]
        self.assertEqual(Writeoff._cron_write_off_small_balances("2024-08-15"), {}, "Off by default")
        self.company.write(
            {
                "collections_writeoff_small_balances": True,
                "collections_writeoff_small_amount": 1.0,
                "collections_writeoff_small_days": 90,
            }
        )
        self.assertEqual(Writeoff._cron_write_off_small_balances("2024-03-15"), {}, "Not late enough yet")
        result = Writeoff._cron_write_off_small_balances("2024-08-15")
        writeoff = Writeoff.browse(result[self.company.id])
        self.assertEqual(writeoff.reason, "small_balance")
        self.assertEqual(writeoff.line_ids.move_id, tiny, "Only the small balance")
        self.assertEqual(tiny.payment_state, "paid")
        self.assertEqual(self.small.payment_state, "not_paid")
