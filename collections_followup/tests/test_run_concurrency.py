import threading
from datetime import date
from unittest.mock import patch

from odoo import SUPERUSER_ID, Command, api
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from ..models.collections_followup_run import CollectionsFollowupRun

AS_OF = date(2025, 3, 14)


@tagged("post_install", "-at_install")
class TestRunConcurrency(TransactionCase):
    """The follow-up run with real commits on separate cursors (issue 12):
    two runs at once, a payment racing the run, a crash and a re-run. The data
    is committed in setUp (dated 2025, when the demo data is not yet due) and
    deleted in the cleanup."""

    def setUp(self):
        super().setUp()
        with self.env.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            company = env.ref("base.main_company")
            env = env(context=dict(env.context, allowed_company_ids=company.ids))
            if not company.chart_template:
                self.skipTest("the main company has no chart of accounts")
            policy = env["collections.policy"].create(
                {
                    "name": "Concurrency run",
                    "company_id": company.id,
                    "min_days_between_contacts": 0,
                }
            )
            env["collections.level"].create(
                {
                    "policy_id": policy.id,
                    "name": "Notice",
                    "days": 1,
                    "tone": "firm",
                    "send_email": True,
                    "mail_template_id": env.ref("collections_followup.mail_template_followup_firm").id,
                }
            )
            partners = env["res.partner"].create(
                [
                    {
                        "name": "Concurrent %s Ltda" % index,
                        "is_company": True,
                        "email": "c%s@example.com" % index,
                    }
                    for index in range(3)
                ]
            )
            invoices = env["account.move"]
            for partner in partners:
                partner.with_company(company).collections_policy_id = policy
                invoices |= (
                    env["account.move"]
                    .with_company(company)
                    .create(
                        {
                            "move_type": "out_invoice",
                            "partner_id": partner.id,
                            "invoice_date": date(2025, 2, 1),
                            "invoice_date_due": date(2025, 3, 3),
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
            invoices.action_post()
            # real commits are the point of this test: its concurrent cursors must see the data
            cr.commit()  # pylint: disable=invalid-commit
            self.data = {
                "company": company.id,
                "policy": policy.id,
                "partners": partners.ids,
                "invoices": invoices.ids,
            }
        self.addCleanup(self._delete_data)

    def _delete_data(self):
        with self.env.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            actions = env["collections.followup.action"].search([("partner_id", "in", self.data["partners"])])
            env["mail.mail"].search([("id", "in", actions.mail_id.ids)]).unlink()
            runs = env["collections.run"].search(
                [("company_id", "=", self.data["company"]), ("date", "=", AS_OF)]
            )
            actions.unlink()
            runs.unlink()
            payments = env["account.payment"].search([("partner_id", "in", self.data["partners"])])
            payments.move_id.line_ids.remove_move_reconcile()
            payments.action_draft()
            payments.move_id.posted_before = False
            payments.move_id.with_context(force_delete=True).unlink()
            payments.unlink()
            moves = env["account.move"].search([("partner_id", "in", self.data["partners"])])
            moves.filtered(lambda move: move.state != "draft").button_draft()
            moves.posted_before = False
            moves.with_context(force_delete=True).unlink()
            env["account.payment.register"].search([("partner_id", "in", self.data["partners"])]).unlink()
            env["res.partner"].browse(self.data["partners"]).unlink()
            env["collections.policy"].browse(self.data["policy"]).unlink()
            # real commits are the point of this test: its concurrent cursors must see the data
            cr.commit()  # pylint: disable=invalid-commit

    def _engine(self, cr):
        # the run in this process, even when a job queue takes the nightly run
        # (collections_followup_queue): these tests race the one-process run
        env = api.Environment(
            cr, SUPERUSER_ID, {"allowed_company_ids": [self.data["company"]], "collections_in_process": True}
        )
        return env["collections.followup.run"].with_company(self.data["company"])

    @staticmethod
    def _run_in_thread(engine, results, key):
        results[key] = engine._run_company(AS_OF, auto_commit=True)

    def _contacts(self):
        with self.env.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            actions = env["collections.followup.action"].search([("partner_id", "in", self.data["partners"])])
            return {
                partner_id: len(
                    actions.filtered(lambda a, partner_id=partner_id: a.partner_id.id == partner_id)
                )
                for partner_id in self.data["partners"]
            }, len(actions.mail_id)

    def test_two_runs_at_once_contact_each_customer_once(self):
        results = {}
        # environments are made here: the registry is locked while the tests run
        engines = {}
        for key in (1, 2):
            cr = self.env.registry.cursor()
            self.addCleanup(cr.close)
            engines[key] = self._engine(cr)
        threads = [
            threading.Thread(target=self._run_in_thread, args=(engines[key], results, key)) for key in (1, 2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        self.assertEqual(set(results), {1, 2}, "Both runs ended")
        contacts, mails = self._contacts()
        self.assertEqual(contacts, dict.fromkeys(self.data["partners"], 1))
        self.assertEqual(mails, 3)
        self.assertEqual(sorted(result["partners_contacted"] for result in results.values()), [0, 3])

    def test_payment_racing_the_run_is_not_claimed(self):
        paid_partner, paid_invoice = self.data["partners"][0], self.data["invoices"][0]
        original_plan = CollectionsFollowupRun._plan

        paid = []

        def plan_then_pay(engine, data):
            result = original_plan(engine, data)
            if paid:  # the run plans again to refresh the worklist: the customer paid once
                return result
            paid.append(True)
            # the customer pays (another transaction, committed) after the run gathered its data
            with self.env.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {"allowed_company_ids": [self.data["company"]]})
                env["account.payment.register"].with_context(
                    active_model="account.move", active_ids=[paid_invoice]
                ).create({"payment_date": AS_OF})._create_payments()
            return result

        with self.env.registry.cursor() as cr, patch.object(CollectionsFollowupRun, "_plan", plan_then_pay):
            summary = self._engine(cr)._run_company(AS_OF, auto_commit=True)
        contacts, _mails = self._contacts()
        self.assertEqual(contacts[paid_partner], 0, "A customer who paid meanwhile is not claimed")
        self.assertEqual([contacts[p] for p in self.data["partners"][1:]], [1, 1])
        self.assertEqual(summary["partners_contacted"], 2)

    def test_crash_then_rerun_contacts_everyone_once(self):
        calls = []
        original = CollectionsFollowupRun._execute_batch_isolated

        def crash_on_second_batch(engine, run, data, batch, counts, log):
            calls.append(len(batch))
            if len(calls) == 2:
                raise RuntimeError("worker killed")
            return original(engine, run, data, batch, counts, log)

        with (
            patch.object(CollectionsFollowupRun, "_batch_size", 1),
            patch.object(CollectionsFollowupRun, "_execute_batch_isolated", crash_on_second_batch),
        ):
            with (
                self.env.registry.cursor() as cr,
                mute_logger("odoo.addons.collections_followup.models.collections_followup_run"),
            ):
                first = self._engine(cr)._run_company(AS_OF, auto_commit=True)
        self.assertEqual(first["state"], "failed")
        self.assertIn("worker killed", first["log"])
        contacts, _mails = self._contacts()
        self.assertEqual(sum(contacts.values()), 1, "The first batch was committed before the crash")
        with self.env.registry.cursor() as cr:
            second = self._engine(cr)._run_company(AS_OF, auto_commit=True)
        self.assertEqual(second["state"], "done")
        contacts, mails = self._contacts()
        self.assertEqual(contacts, dict.fromkeys(self.data["partners"], 1), "Every customer exactly once")
        self.assertEqual(mails, 3)
