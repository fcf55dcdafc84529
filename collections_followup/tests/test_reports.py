from datetime import date

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..lib.reports import aging_bucket
from .followup_common import FollowupCommon

AS_OF = date(2025, 6, 11)  # a Wednesday


@tagged("post_install", "-at_install")
class TestAgingReport(FollowupCommon):
    """Aging analysis: the snapshot's rows and days late, in buckets, per company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.regua.tolerance_amount = 50.0
        cls.customer.collections_responsible_id = cls.collector
        cls.invoices = {
            "not_due": cls._invoice(cls.customer, date(2025, 6, 20), 100.0),
            "one_day": cls._invoice(cls.customer, date(2025, 6, 10), 200.0),
            "thirty": cls._invoice(cls.customer, date(2025, 5, 12), 300.0),
            "saturday": cls._invoice(cls.customer_b, date(2025, 5, 10), 400.0),
            "ninety_one": cls._invoice(cls.customer_b, date(2025, 3, 12), 500.0),
            "old": cls._invoice(cls.customer_b, date(2024, 12, 2), 600.0),
            "tolerated": cls._invoice(cls.customer_b, date(2025, 4, 1), 30.0),
        }
        cls.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=cls.invoices["old"].ids
        ).create({"amount": 150.0, "payment_date": date(2025, 1, 5)})._create_payments()

    def _lines(self, user=None, company_ids=None):
        Line = self.env["collections.aging.line"]
        if user:
            Line = Line.with_user(user)
        return Line._on(AS_OF, company_ids or self.company.ids).search([])

    def test_rows_and_days_late_are_the_snapshots(self):
        for tolerance in (50.0, 0.0):
            self.regua.tolerance_amount = tolerance
            lines = {line.move_line_id.id: line for line in self._lines()}
            snapshot = self.env["collections.receivable"]._snapshot(self.company, AS_OF)
            self.assertEqual(set(lines), set(snapshot.items), "Same open instalments as the snapshot")
            for line_id, item in snapshot.items.items():
                line = lines[line_id]
                self.assertEqual(line.days_late, item.days_late)
                self.assertEqual(line.effective_due_date, item.effective_due_date)
                self.assertEqual(line.bucket, aging_bucket(item.days_late))
                self.assertEqual(line.overdue, snapshot.is_overdue(item), item.move_name)
                self.assertAlmostEqual(line.residual_company, float(item.residual_company), places=2)
            overdue = sum(line.overdue for line in lines.values())
            self.assertEqual(
                overdue, 5 if tolerance else 6, "The 30.00 instalment is tolerated only under 50.00"
            )

    def test_buckets(self):
        by_move = {line.move_id: line for line in self._lines()}
        expected = {
            "not_due": ("not_due", -9, 100.0),
            "one_day": ("d1_30", 1, 200.0),
            "thirty": ("d1_30", 30, 300.0),
            # due on Saturday 10 May: late from Monday 12 May
            "saturday": ("d1_30", 30, 400.0),
            "ninety_one": ("d91_180", 91, 500.0),
            "old": ("d180", 191, 450.0),
            "tolerated": ("d61_90", 71, 30.0),
        }
        for key, (bucket, days, amount) in expected.items():
            line = by_move[self.invoices[key]]
            self.assertEqual(
                (line.bucket, line.days_late, line.residual_company), (bucket, days, amount), key
            )
            self.assertEqual(line["amount_%s" % bucket], amount, key)
        self.assertFalse(by_move[self.invoices["tolerated"]].overdue, "30.00 is under the 50.00 tolerance")
        self.assertFalse(by_move[self.invoices["not_due"]].overdue)
        self.assertTrue(by_move[self.invoices["one_day"]].overdue)
        self.assertEqual(by_move[self.invoices["one_day"]].collector_id, self.collector)
        Line = self.env["collections.aging.line"]._on(AS_OF, self.company.ids)
        groups = dict(Line._read_group([], ["bucket"], ["residual_company:sum"]))
        self.assertEqual(
            groups, {"not_due": 100.0, "d1_30": 900.0, "d61_90": 30.0, "d91_180": 500.0, "d180": 450.0}
        )
        drill = by_move[self.invoices["old"]].action_open_instalments()
        self.assertEqual(self.env["account.move.line"].search(drill["domain"]).move_id, self.invoices["old"])
        # a week earlier, the one-day-late instalment was not due yet
        earlier = self.env["collections.aging.line"]._on(date(2025, 6, 4), self.company.ids)
        line = earlier.search([("move_id", "=", self.invoices["one_day"].id)])
        self.assertEqual((line.bucket, line.days_late, line.as_of), ("not_due", -6, date(2025, 6, 4)))

    def test_get_aging_api(self):
        rows = self.env["collections.aging.report"].get_aging(AS_OF, "partner_id", self.company.ids)
        by_partner = {row["partner_id"][0]: row for row in rows}
        self.assertEqual(by_partner[self.customer.id]["total"], 600.0)
        self.assertEqual(by_partner[self.customer.id]["not_due"], 100.0)
        self.assertEqual(by_partner[self.customer.id]["d1_30"], 500.0)
        self.assertEqual(by_partner[self.customer_b.id]["d180"], 450.0)
        self.assertEqual(by_partner[self.customer_b.id]["total"], 1380.0)
        rows = self.env["collections.aging.report"].get_aging(AS_OF, "collector_id", self.company.ids)
        self.assertIn([self.collector.id, self.collector.display_name], [row["collector_id"] for row in rows])
        with self.assertRaises(UserError):
            self.env["collections.aging.report"].get_aging(AS_OF, "move_name")

    def test_collector_sees_only_his_companies(self):
        other = self.setup_other_company(name="Filial Aging")["company"]
        self._invoice(self.customer, date(2025, 5, 12), 700.0, company=other)
        self.assertEqual(self._lines(company_ids=(self.company | other).ids).company_id, self.company | other)
        lines = self._lines(user=self.collector, company_ids=(self.company | other).ids)
        self.assertEqual(lines.company_id, self.company, "The other company is not the collector's")
        self.assertEqual(len(lines), 7)
        rows = (
            self.env["collections.aging.report"]
            .with_user(self.collector)
            .get_aging(AS_OF, "company_id", (self.company | other).ids)
        )
        self.assertEqual([row["company_id"][0] for row in rows], self.company.ids)
        wizard = self.env["collections.aging.report"].with_user(self.collector).create({"as_of": AS_OF})
        action = wizard.action_open()
        self.assertEqual(action["context"]["collections_aging_as_of"], "2025-06-11")
        Line = self.env["collections.aging.line"].with_user(self.collector).with_context(**action["context"])
        self.assertEqual(Line.search_count([]), 7)
