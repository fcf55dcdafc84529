from datetime import timedelta

from odoo import Command, fields, models


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
