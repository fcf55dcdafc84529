from datetime import datetime, time, timedelta

import pytz

from odoo import Command, fields, models, tools

from ..lib import late_fees, receivable
from ..lib.workdays import WEEKEND

# lib.credit switch name -> res.company field holding the company's switch
COMPANY_HOLD_SWITCHES = {
    "check_limit": "collections_hold_on_limit",
    "check_overdue": "collections_hold_on_overdue",
    "check_manual": "collections_hold_on_manual",
    "check_dunning": "collections_hold_on_dunning",
    "check_suspension": "collections_hold_on_suspension",
}


class ResCompany(models.Model):
    _inherit = "res.company"

    collections_policy_id = fields.Many2one(
        "collections.policy",
        string="Default Collection Policy",
        domain="[('company_id', '=', id)]",
        help="Applied to every customer of the company that has no policy of its own.",
    )
    collections_default_collector_id = fields.Many2one(
        "res.users",
        string="Default Collector",
        domain="[('share', '=', False), ('company_ids', 'in', id)]",
        help="Follow-up activities of a customer with neither a collector nor a salesperson go to this user.",
    )
    # Payment plans (models/collections_plan.py)
    collections_plan_policy_id = fields.Many2one(
        "collections.policy",
        string="Plan Follow-up Policy",
        domain="[('company_id', '=', id)]",
        help="The policy that chases the instalments of active payment plans that name none "
        "(e.g. a reminder before each due date). Empty: the customer's policy.",
    )
    collections_plan_journal_id = fields.Many2one(
        "account.journal",
        string="Renegotiation Journal",
        domain="[('type', '=', 'general'), ('company_id', '=', id)]",
        help="Journal of the renegotiation entries of payment plans (the first miscellaneous journal when "
        "empty).",
    )
    collections_plan_discount_account_id = fields.Many2one(
        "account.account",
        string="Plan Discount Account",
        domain="[('account_type', 'like', 'expense')]",
        help="Expense account debited with the discounts granted in payment plans.",
    )
    collections_plan_interest_account_id = fields.Many2one(
        "account.account",
        string="Plan Interest Account",
        domain="[('account_type', 'like', 'income')]",
        help="Income account credited with the interest of payment plans (Price table).",
    )
    collections_plan_discount_threshold = fields.Float(
        string="Plan Discount Threshold (%)",
        default=10.0,
        help="Only a Collections Manager may grant a plan whose discount plus waived late charges is "
        "above this percentage of the debt and its late charges.",
    )
    # Write-off (models/collections_writeoff.py); bands of Lei 9.430/1996 art. 9 § 7
    collections_writeoff_account_id = fields.Many2one(
        "account.account",
        string="Loss Account",
        domain="[('account_type', 'like', 'expense')]",
        help="Expense account debited by write-offs (e.g. Perdas no recebimento de créditos).",
    )
    collections_writeoff_journal_id = fields.Many2one(
        "account.journal",
        string="Write-off Journal",
        domain="[('type', '=', 'general'), ('company_id', '=', id)]",
        help="Journal of the write-off entries (the first miscellaneous journal when empty).",
    )
    collections_loss_small_amount = fields.Monetary(
        string="Loss Band: Small Credit",
        currency_field="currency_id",
        default=15000.0,
        help="Unsecured credits up to this amount per operation are deductible after the small-credit "
        "months.",
    )
    collections_loss_large_amount = fields.Monetary(
        string="Loss Band: Large Credit",
        currency_field="currency_id",
        default=100000.0,
        help="Unsecured credits above this amount need a lawsuit to be deductible.",
    )
    collections_loss_secured_amount = fields.Monetary(
        string="Loss Band: Secured Credit",
        currency_field="currency_id",
        default=50000.0,
        help="Secured credits above this amount need a lawsuit (or seizure of the guarantee).",
    )
    collections_loss_small_months = fields.Integer(string="Months Overdue: Small Credit", default=6)
    collections_loss_large_months = fields.Integer(string="Months Overdue: Other Credits", default=12)
    collections_loss_secured_months = fields.Integer(string="Months Overdue: Secured Credit", default=24)
    collections_writeoff_small_balances = fields.Boolean(
        string="Write Off Small Balances Daily",
        help="Every day, overdue instalments whose open balance is at most the small-balance amount and that "
        "are late more than the small-balance days are written off (reason: small balance).",
    )
    collections_writeoff_small_amount = fields.Monetary(
        string="Small Balance", currency_field="currency_id", default=1.0
    )
    collections_writeoff_small_days = fields.Integer(string="Small Balance Late Days", default=90)
    collections_bank_account_id = fields.Many2one(
        "res.partner.bank",
        domain="[('partner_id', '=', partner_id)]",
        help="Printed in the payment section of follow-up e-mails, letters and statements.",
    )
    collections_pix_key = fields.Char(
        string="PIX Key",
        help="Printed in the payment section of follow-up e-mails, letters and statements.",
    )

    def _create_collections_demo_invoices(self):
        """Demo data only: customer invoices of the demo company dated
        relative to today, so the demo always has customers 5, 20, 45, 95
        and 200 days late, instalments, partial and full payments."""
        self.ensure_one()
        env = self.env(context=dict(self.env.context, allowed_company_ids=self.ids))
        company = env["res.company"].browse(self.id)
        today = fields.Date.context_today(company)

        def ref(xmlid):
            return env.ref("collections_followup.%s" % xmlid)

        product = ref("product_service_demo")
        three_times = ref("payment_term_3x_demo")
        usd = env.ref("base.USD")
        usd.active = True
        bank = env["account.journal"].search(
            [("company_id", "=", company.id), ("type", "=", "bank")], limit=1
        )
        # (partner, days late of the (first) due date, amount, payment term, currency, payments)
        # a payment is (days before today, amount)
        scenarios = [
            ("partner_padaria_demo", 5, 2500.0, None, None, []),
            ("partner_padaria_demo", 95, 9000.0, three_times, None, [(60, 1000.0)]),
            ("partner_construtora_demo", 45, 12000.0, None, None, [(30, 4000.0)]),
            ("partner_construtora_demo", -3, 8000.0, None, None, []),
            ("partner_joao_demo", 20, 350.0, None, None, []),
            ("partner_ana_demo", 200, 1200.0, None, None, [(150, 200.0)]),
            ("partner_globex_demo", 20, 3000.0, None, usd, []),
            ("partner_mary_demo", 200, 800.0, None, None, [(170, 800.0)]),
            ("partner_pontual_demo", 40, 1500.0, None, None, [(40, 1500.0)]),
        ]
        invoices = env["account.move"]
        for partner_xmlid, days_late, amount, term, currency, _payments in scenarios:
            due_date = today - timedelta(days=days_late)
            vals = {
                "move_type": "out_invoice",
                "partner_id": ref(partner_xmlid).id,
                "company_id": company.id,
                "invoice_date": due_date - timedelta(days=30),
                "currency_id": (currency or company.currency_id).id,
                "invoice_line_ids": [
                    Command.create(
                        {"product_id": product.id, "quantity": 1, "price_unit": amount, "tax_ids": []}
                    )
                ],
            }
            if term:
                vals["invoice_payment_term_id"] = term.id
            else:
                vals["invoice_date_due"] = due_date
            invoices |= env["account.move"].create(vals)
        # Posted together, as an import of the customers' history would be:
        # one by one, the credit check would (rightly) hold the later ones.
        invoices.action_post()
        for invoice, scenario in zip(invoices, scenarios, strict=False):
            for days_ago, paid in scenario[5]:
                env["account.payment.register"].with_context(
                    active_model="account.move", active_ids=invoice.ids
                ).create(
                    {
                        "amount": paid,
                        "payment_date": today - timedelta(days=days_ago),
                        "journal_id": bank.id,
                    }
                )._create_payments()
        return True

    # Which credit holds the company enforces (each can be overridden per customer).

    collections_hold_on_limit = fields.Boolean(
        # Opt-in: Odoo's own credit limit only warns; installing the module must
        # not start refusing invoices and orders (Odoo's sale tests stay green).
        string="Hold Above Credit Limit",
        default=False,
        help="Block a customer invoice or sale order when the customer's exposure plus "
        "the document is above the credit limit.",
    )
    collections_hold_on_overdue = fields.Boolean(
        # Opt-in: switched on for a company that wants it, so installing the
        # module never starts refusing invoices of customers already late.
        string="Hold on Overdue Invoices",
        default=False,
        help="Block when an instalment of the customer is overdue by more than the allowed days.",
    )
    collections_hold_overdue_days = fields.Integer(
        string="Allowed Days Overdue",
        default=15,
        help="An instalment overdue by more than this many days (counted from its due date "
        "moved to the next working day) puts the customer on hold.",
    )
    collections_hold_on_manual = fields.Boolean(
        string="Hold on Manual Hold",
        default=True,
        help="Block customers put on hold by hand by a Collections Manager.",
    )
    collections_hold_on_dunning = fields.Boolean(
        string="Hold Set by Dunning Level",
        default=True,
        help="Block customers put on hold by a collection level.",
    )
    collections_hold_on_suspension = fields.Boolean(
        string="Hold Suspended Customers",
        default=True,
        help="Block customers whose service is suspended.",
    )
    collections_credit_reviewer_id = fields.Many2one(
        "res.users",
        string="Credit Reviewer",
        help="Receives the credit review activity of customers without collector or salesperson.",
    )

    _sql_constraints = [
        (
            "collections_hold_overdue_days_positive",
            "CHECK(collections_hold_overdue_days >= 0)",
            "The allowed days overdue cannot be negative.",
        ),
    ]

    def _collections_hold_switches(self):
        """The company's hold switches keyed by lib.credit switch name."""
        self.ensure_one()
        return {name: self[field_name] for name, field_name in COMPANY_HOLD_SWITCHES.items()}

    def _collections_working_days(self, date_from, date_to):
        """(holidays, weekend) of the company between two dates, for ``lib.workdays``.

        Holidays are the global time off (``resource.calendar.leaves`` without
        a resource) of the company's working calendar or of no calendar: a
        day is a holiday when the time off covers its noon in the calendar's
        timezone (so a holiday entered from 00:00 to 23:59 in any timezone
        within 11 hours of UTC is exactly that day). The weekend is the days
        without attendance in the calendar; Saturday and Sunday without one.
        """
        self.ensure_one()
        calendar = self.resource_calendar_id.sudo()
        timezone = pytz.timezone(calendar.tz or self.partner_id.tz or "UTC")
        leaves = (
            self.env["resource.calendar.leaves"]
            .sudo()
            .search_fetch(
                [
                    ("resource_id", "=", False),
                    ("calendar_id", "in", [calendar.id, False]),
                    ("company_id", "in", [self.id, False]),
                    ("time_type", "=", "leave"),
                    ("date_from", "<=", datetime.combine(date_to, time.max)),
                    ("date_to", ">=", datetime.combine(date_from, time.min)),
                ],
                ["date_from", "date_to"],
            )
        )
        holidays = set()
        for leave in leaves:
            start = pytz.utc.localize(leave.date_from).astimezone(timezone)
            end = pytz.utc.localize(leave.date_to).astimezone(timezone)
            day = start.date()
            while day <= end.date():
                noon = timezone.localize(datetime.combine(day, time(12)))
                if start <= noon <= end:
                    holidays.add(day)
                day += timedelta(days=1)
        working = {
            int(attendance.dayofweek)
            for attendance in calendar.attendance_ids
            if attendance.display_type != "line_section"
        }
        weekend = frozenset(set(range(7)) - working) if working else WEEKEND
        return frozenset(holidays), weekend

    def _collections_working_days_for(self, due_dates, as_of):
        """(holidays, weekend) covering ``due_dates`` and ``as_of``, with room
        for the longest grace period and a month more for a deadline pushed
        past a long holiday: the one working-day rule of the run, the late
        charges and the credit check."""
        dates = [day for day in due_dates if day] or [as_of]
        return self._collections_working_days(
            min(min(dates), as_of) - timedelta(days=1),
            max(max(dates), as_of) + timedelta(days=late_fees.MAX_GRACE_DAYS + 31),
        )

    @tools.ormcache("self.id", "as_of")
    def _collections_overdue_cutoff(self, as_of):
        """lib.receivable.last_overdue_due_date of this company on ``as_of``:
        read on every credit check, so cached (cleared when a calendar, its
        attendances or its time off change)."""
        self.ensure_one()
        for window in (40, 366):
            holidays, weekend = self._collections_working_days(as_of - timedelta(days=window), as_of)
            try:
                return receivable.last_overdue_due_date(as_of, holidays, weekend)
            except ValueError:
                continue
        return as_of - timedelta(days=367)

    def write(self, vals):
        if "resource_calendar_id" in vals:
            self.env.registry.clear_cache()
        return super().write(vals)
