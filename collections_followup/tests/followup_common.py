from datetime import date, timedelta

from odoo import Command

from .common import CollectionsCommon


class FollowupCommon(CollectionsCommon):
    """A five-level régua (-3 reminder, +1 friendly, +10 firm + letter,
    +30 formal notice + hold + suspension, +45 protest waiting for review)
    as the default policy of the main company, and an invoice helper."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.company.resource_calendar_id.tz = "UTC"
        ref = cls.env.ref
        cls.regua = cls.env["collections.policy"].create(
            {
                "name": "Régua",
                "company_id": cls.company.id,
                "min_days_between_contacts": 0,
                "promise_tolerance_days": 2,
            }
        )
        Level = cls.env["collections.level"]
        cls.level_reminder = Level.create(
            {
                "policy_id": cls.regua.id,
                "name": "Reminder",
                "days": -3,
                "tone": "reminder",
                "send_email": True,
                "mail_template_id": ref("collections_followup.mail_template_followup_friendly").id,
                "letter_fallback": False,
            }
        )
        cls.level_friendly = Level.create(
            {
                "policy_id": cls.regua.id,
                "name": "Friendly",
                "days": 1,
                "tone": "friendly",
                "send_email": True,
                "mail_template_id": ref("collections_followup.mail_template_followup_friendly").id,
                "letter_fallback": False,
            }
        )
        cls.level_firm = Level.create(
            {
                "policy_id": cls.regua.id,
                "name": "Firm",
                "days": 10,
                "tone": "firm",
                "send_email": True,
                "mail_template_id": ref("collections_followup.mail_template_followup_firm").id,
                "letter_fallback": True,
                "create_activity": True,
                "activity_type_id": ref("mail.mail_activity_data_call").id,
                "activity_summary": "Call the customer",
            }
        )
        cls.level_formal = Level.create(
            {
                "policy_id": cls.regua.id,
                "name": "Formal notice",
                "days": 30,
                "tone": "formal_notice",
                "send_email": True,
                "mail_template_id": ref("collections_followup.mail_template_followup_formal_notice").id,
                "send_letter": True,
                "set_credit_hold": True,
                "suspend_service": True,
            }
        )
        cls.level_protest = Level.create(
            {
                "policy_id": cls.regua.id,
                "name": "Protest",
                "days": 45,
                "tone": "formal_notice",
                "automatic": False,
                "escalation": "protest",
                "send_letter": True,
            }
        )
        cls.company.collections_policy_id = cls.regua
        cls.customer = cls._customer("Padaria Pão Quente", "padaria@example.com")
        cls.customer_b = cls._customer("Construtora Horizonte", "horizonte@example.com")

    @classmethod
    def _customer(cls, name, email, company=None, **values):
        return cls.env["res.partner"].create(
            {
                "name": name,
                "email": email,
                "is_company": True,
                **values,
            }
        )

    @classmethod
    def _invoice(cls, partner, due_date, amount, company=None, currency=None, due_dates=None):
        """A posted customer invoice due on ``due_date`` (or, with ``due_dates``
        [(date, percent), ...], one instalment per date)."""
        company = company or cls.company
        values = {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "company_id": company.id,
            "invoice_date": (due_dates[0][0] if due_dates else due_date) - timedelta(days=30),
            "currency_id": (currency or company.currency_id).id,
            "invoice_line_ids": [
                Command.create(
                    {
                        "name": "Service",
                        "quantity": 1,
                        "price_unit": amount,
                        "tax_ids": [],
                    }
                )
            ],
        }
        if due_dates:
            first = due_dates[0][0] - timedelta(days=30)
            values["invoice_payment_term_id"] = (
                cls.env["account.payment.term"]
                .create(
                    {
                        "name": "Instalments",
                        "company_id": company.id,
                        "line_ids": [
                            Command.create(
                                {"value": "percent", "value_amount": percent, "nb_days": (day - first).days}
                            )
                            for day, percent in due_dates
                        ],
                    }
                )
                .id
            )
        else:
            values["invoice_date_due"] = due_date
        move = cls.env["account.move"].with_company(company).create(values)
        move.action_post()
        return move

    def _pay(self, invoice, amount, when):
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"amount": amount, "payment_date": when})._create_payments()

    def _run(self, as_of, user=None, **kwargs):
        Policy = self.env["collections.policy"]
        if user:
            Policy = Policy.with_user(user)
        return Policy.run_followup(as_of=as_of, **kwargs)

    def _actions(self, partner=None, **domain):
        search = [("partner_id", "=", partner.id)] if partner else []
        search += [(key, "=", value) for key, value in domain.items()]
        return self.env["collections.followup.action"].search(search, order="id")

    @staticmethod
    def d(text):
        return date.fromisoformat(text)
