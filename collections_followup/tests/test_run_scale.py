from datetime import timedelta

from odoo.tests import tagged

from .followup_common import FollowupCommon


@tagged("post_install", "-at_install")
class TestRunScale(FollowupCommon):
    """The run's batch paths (stored claim lines read in one query, the
    claim table compiled once per language, mail rows inserted in bulk)
    give exactly what Odoo's own rendering and ``create`` give."""

    MAIL_FIELDS = (
        "subject",
        "body_html",
        "body",
        "email_from",
        "reply_to",
        "model",
        "res_id",
        "record_name",
        "message_type",
        "author_id",
        "auto_delete",
        "state",
        "is_notification",
        "scheduled_date",
        "email_to",
        "email_cc",
        "headers",
        "references",
        "subtype_id",
        "mail_server_id",
        "email_add_signature",
        "reply_to_force_new",
        "is_internal",
        "parent_id",
        "partner_ids",
        "recipient_ids",
        "attachment_ids",
    )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.regua.write({"fine_rate": 2.0, "monthly_interest_rate": 1.0})
        cls.as_of = cls.d("2026-03-18")
        cls.customers = cls.env["res.partner"]
        for number in range(9):
            customer = cls._customer(
                "Cliente %d" % number,
                "cliente%d@example.com" % number
                if number != 4
                else "a%d@example.com; b@example.com" % number,
            )
            if number == 5:
                cls.env["res.partner"].create(
                    {
                        "name": "Financeiro 5",
                        "parent_id": customer.id,
                        "type": "invoice",
                        "email": "financeiro5@example.com",
                    }
                )
            cls.customers |= customer
            # 1 to 3 instalments per invoice, 2 invoices, due 25 days ago to 10 days ahead
            for invoice_number in range(2):
                first = cls.as_of - timedelta(days=25 - 3 * number - 7 * invoice_number)
                count = 1 + (number + invoice_number) % 3
                percents = {1: [100.0], 2: [50.0, 50.0], 3: [40.0, 30.0, 30.0]}[count]
                due_dates = [(first + timedelta(days=10 * k), percent) for k, percent in enumerate(percents)]
                if count == 1:
                    invoice = cls._invoice(customer, first, 1000.0 + 37.5 * number)
                else:
                    invoice = cls._invoice(customer, None, 1000.0 + 37.5 * number, due_dates=due_dates)
                if number % 3 == 0 and invoice_number == 0:
                    cls.partly_paid = invoice
                    cls.env["account.payment.register"].with_context(
                        active_model="account.move", active_ids=invoice.ids
                    ).create(
                        {"amount": 250.0, "payment_date": cls.as_of - timedelta(days=2)}
                    )._create_payments()

    def _results(self):
        """Everything the run left, in a comparable form (no ids, no timestamps)."""
        actions = self.env["collections.followup.action"].search(
            [("partner_id", "in", self.customers.ids)], order="partner_id, id"
        )
        result = []
        for action in actions:
            mail = action.mail_id
            mail_values = {}
            if mail:
                for name, value in mail.read(list(self.MAIL_FIELDS), load=None)[0].items():
                    if name != "id":
                        mail_values[name] = sorted(value) if isinstance(value, list) else value
            result.append(
                {
                    "partner": action.partner_id.id,
                    "level": action.level_id.id,
                    "state": action.state,
                    "email_state": action.email_state,
                    "email_recipients": action.email_recipients,
                    "failure_reason": action.failure_reason,
                    "amount_claimed": action.amount_claimed,
                    "claim_summary": action.claim_summary,
                    "claim_credits": action.claim_credits,
                    "days_late": action.days_late,
                    "activity": bool(action.activity_id),
                    "lines": [action_line for action_line in action._claim_lines()],
                    "pairs": sorted(
                        self.env["collections.followup.pair"]
                        .search([("action_id", "=", action.id)])
                        .mapped(lambda pair: (pair.move_line_id.id, pair.level_id.id))
                    ),
                    "mail": mail_values,
                }
            )
        notes = self.env["mail.message"].search(
            [
                ("model", "=", "res.partner"),
                ("res_id", "in", self.customers.ids),
                ("message_type", "=", "comment"),
            ],
            order="res_id, id",
        )
        return result, [(note.res_id, note.body, note.subtype_id.id) for note in notes]

    def _run_and_collect(self, **context):
        with self.env.cr.savepoint() as savepoint:
            summary = self.env["collections.policy"].with_context(**context).run_followup(as_of=self.as_of)
            self.env.flush_all()
            self.env.invalidate_all()
            results = self._results()
            references = {}
            for action in self.env["collections.followup.action"].search(
                [("partner_id", "in", self.customers.ids), ("mail_id", "!=", False)]
            ):
                # Odoo's own rendering, record by record, through the ORM
                template = action.level_id.mail_template_id
                rendered = template._generate_template(action.ids, ["subject", "body_html", "email_from"])
                references[action.partner_id.id] = {
                    key: rendered[action.id][key] for key in ("subject", "body_html", "email_from")
                }
            savepoint.rollback()
        self.env.invalidate_all()
        return summary, results, references

    def test_batch_paths_equal_odoo_rendering_and_create(self):
        summary, (actions, notes), references = self._run_and_collect()
        self.assertEqual(summary["partners_contacted"], len(self.customers))
        self.assertEqual(summary["emails_queued"], len(self.customers))
        self.assertTrue(
            any(line["fine"] for action in actions for line in action["lines"]),
            "the data must show late charges in the e-mails",
        )
        self.assertTrue(
            any(not line["overdue"] for action in actions for line in action["lines"]),
            "the data must list instalments still to fall due",
        )
        # the bodies and subjects are Odoo's own rendering of the stored lines
        for action in actions:
            reference = references[action["partner"]]
            self.assertEqual(action["mail"]["body_html"], reference["body_html"])
            self.assertEqual(action["mail"]["subject"], reference["subject"])
            self.assertEqual(action["mail"]["email_from"], reference["email_from"])
        # the same run with the mails created through the ORM: identical records
        orm_summary, (orm_actions, orm_notes), _references = self._run_and_collect(collections_mail_orm=True)
        self.assertEqual(orm_summary["emails_queued"], summary["emails_queued"])
        self.assertEqual(orm_actions, actions)
        self.assertEqual(orm_notes, notes)
        # the invoice contact and both addresses of a field are the recipients
        by_partner = {action["partner"]: action for action in actions}
        self.assertEqual(by_partner[self.customers[5].id]["email_recipients"], "financeiro5@example.com")
        self.assertEqual(len(by_partner[self.customers[4].id]["mail"]["recipient_ids"]), 1)
