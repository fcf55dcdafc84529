from markupsafe import Markup, escape

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_date

from ..lib.money import ZERO


class CollectionsPlanWizard(models.TransientModel):
    """Negotiate a payment plan from a customer or from selected invoices:
    pick the instalments (the overdue ones of the receivable snapshot by
    default), choose the terms, preview the schedule, confirm."""

    _name = "collections.plan.wizard"
    _description = "Negotiate a Payment Plan"

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, domain="[('parent_id', '=', False)]"
    )
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    move_line_ids = fields.Many2many(
        "account.move.line",
        string="Instalments to Renegotiate",
        domain="[('company_id', '=', company_id), ('partner_id.commercial_partner_id', '=', partner_id), "
        "('account_type', '=', 'asset_receivable'), ('reconciled', '=', False), ('parent_state', '=', "
        "'posted'), "
        "('balance', '>', 0)]",
    )
    include_charges = fields.Boolean(string="Include Late Charges", default=True)
    discount_type = fields.Selection(
        [("amount", "Amount"), ("percent", "Percentage")], default="amount", required=True
    )
    discount_value = fields.Float(string="Discount")
    down_payment = fields.Monetary()
    down_payment_date = fields.Date(default=fields.Date.context_today)
    instalment_count = fields.Integer(string="Instalments", default=3, required=True)
    first_due_date = fields.Date(required=True)
    period_months = fields.Integer(string="Months Between Instalments", default=1, required=True)
    interest_rate = fields.Float(string="Plan Interest (% a month)", digits=(16, 4))
    note = fields.Text()
    preview_html = fields.Html(string="Schedule", compute="_compute_preview", sanitize=False)
    preview_error = fields.Char(compute="_compute_preview")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        today = fields.Date.context_today(self)
        values.setdefault("first_due_date", fields.Date.add(today, months=1))
        active_ids = context.get("active_ids") or []
        if context.get("active_model") == "account.move" and active_ids:
            moves = self.env["account.move"].browse(active_ids)
            partner = moves.commercial_partner_id[:1]
            company = moves.company_id[:1]
            snapshot = self.env["collections.receivable"]._snapshot(company, today, partner.ids)
            line_ids = [item.line_id for item in snapshot.items.values() if item.move_id in moves.ids]
            values.update(partner_id=partner.id, company_id=company.id, move_line_ids=[Command.set(line_ids)])
        elif context.get("active_model") == "res.partner" and active_ids:
            partner = self.env["res.partner"].browse(active_ids[:1]).commercial_partner_id
            company = self.env.company
            snapshot = self.env["collections.receivable"]._snapshot(company, today, partner.ids)
            line_ids = [
                item.line_id
                for item in snapshot.items.values()
                if snapshot.is_overdue(item) and not item.in_dispute
            ]
            values.update(partner_id=partner.id, company_id=company.id, move_line_ids=[Command.set(line_ids)])
        return values

    @api.depends(
        "move_line_ids",
        "include_charges",
        "discount_type",
        "discount_value",
        "down_payment",
        "down_payment_date",
        "instalment_count",
        "first_due_date",
        "period_months",
        "interest_rate",
    )
    def _compute_preview(self):
        Plan = self.env["collections.plan"]
        today = fields.Date.context_today(self)
        for wizard in self:
            wizard.preview_html = False
            wizard.preview_error = False
            if not (wizard.partner_id and wizard.first_due_date and wizard.instalment_count):
                continue
            try:
                data = Plan._collections_gather(
                    wizard.company_id, wizard.partner_id, wizard.move_line_ids._origin, today
                )
                schedule = Plan._collections_schedule(data, wizard, wizard.company_id, today)
            except UserError as error:  # ValidationError is a UserError
                wizard.preview_error = error.args[0]
                continue
            wizard.preview_html = wizard._render_preview(data, schedule)

    def _render_preview(self, data, schedule):
        currency = self.currency_id

        def fmt(amount):
            return escape(currency.format(float(amount)))

        accrued = sum(data["charges"].values(), ZERO)
        rows = [
            (self.env._("Debt"), schedule.debt),
            (
                self.env._("Late charges included")
                if self.include_charges
                else self.env._("Late charges waived"),
                accrued,
            ),
            (self.env._("Discount"), -schedule.discount),
            (self.env._("Negotiated total"), schedule.total),
            (self.env._("Plan interest"), schedule.interest),
            (self.env._("Total to pay"), schedule.payable),
        ]
        html = Markup('<table class="table table-sm o_collections_plan_preview"><tbody>')
        for label, amount in rows:
            html += Markup("<tr><td>%s</td><td class='text-end'>%s</td></tr>") % (label, fmt(amount))
        html += Markup(
            "</tbody></table><table class='table table-sm'><thead><tr><th>%s</th><th>%s</th>"
            "<th class='text-end'>%s</th></tr></thead><tbody>"
        ) % (self.env._("No."), self.env._("Due"), self.env._("Amount"))
        for instalment in schedule.instalments:
            number = self.env._("Down payment") if instalment.number == 0 else str(instalment.number)
            html += Markup("<tr><td>%s</td><td>%s</td><td class='text-end'>%s</td></tr>") % (
                number,
                format_date(self.env, instalment.due_date),
                fmt(instalment.amount),
            )
        return html + Markup("</tbody></table>")

    def _plan_values(self):
        self.ensure_one()
        return {
            "partner_id": self.partner_id.commercial_partner_id.id,
            "company_id": self.company_id.id,
            "move_line_ids": [Command.set(self.move_line_ids.ids)],
            "include_charges": self.include_charges,
            "discount_type": self.discount_type,
            "discount_value": self.discount_value,
            "down_payment": self.down_payment,
            "down_payment_date": self.down_payment_date,
            "instalment_count": self.instalment_count,
            "first_due_date": self.first_due_date,
            "period_months": self.period_months,
            "interest_rate": self.interest_rate,
            "note": self.note,
        }

    def action_confirm(self):
        """Create the plan, confirm it (see ``collections.plan.action_confirm``) and open it."""
        self.ensure_one()
        plan = self.env["collections.plan"].create(self._plan_values())
        plan.action_confirm()
        return {
            "type": "ir.actions.act_window",
            "res_model": "collections.plan",
            "res_id": plan.id,
            "view_mode": "form",
        }
