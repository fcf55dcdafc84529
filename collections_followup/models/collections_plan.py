import logging
from datetime import date
from decimal import Decimal

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools.misc import format_amount, format_date, formatLang

from ..lib import plans
from ..lib.money import ZERO, round_money, to_decimal

_logger = logging.getLogger(__name__)

MANAGER_GROUP = "collections_followup.group_collections_manager"
CHARGE_COMPONENTS = ("fine", "interest", "correction")
PLAN_STATES = [
    ("draft", "Draft"),
    ("active", "Active"),
    ("completed", "Completed"),
    ("broken", "Broken"),
    ("cancelled", "Cancelled"),
]


class CollectionsPlan(models.Model):
    """A payment plan (acordo de parcelamento): overdue instalments of one
    customer renegotiated into a new schedule.

    Confirming posts one renegotiation entry that settles the old instalments
    (reconciled with them: the invoices show as paid) and opens one
    receivable line per plan instalment, with its due date, on the customer.
    The rules of the schedule live in ``lib.plans``."""

    _name = "collections.plan"
    _description = "Payment Plan"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True, copy=False, default="/")
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        domain="[('parent_id', '=', False)]",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(string="Agreement Date", required=True, default=fields.Date.context_today)
    user_id = fields.Many2one("res.users", string="Negotiated By", default=lambda self: self.env.user)
    move_line_ids = fields.Many2many(
        "account.move.line",
        "collections_plan_renegotiated_line_rel",
        "plan_id",
        "move_line_id",
        string="Renegotiated Instalments",
        help="Checked by _collections_gather (company, customer, open, not disputed) with a clear message.",
    )
    include_charges = fields.Boolean(
        string="Include Late Charges",
        default=True,
        help="Late charges accrued up to the agreement date are added to the debt; otherwise they are "
        "waived.",
    )
    discount_type = fields.Selection(
        [("amount", "Amount"), ("percent", "Percentage")], default="amount", required=True
    )
    discount_value = fields.Float(
        string="Discount", help="An amount, or a percentage of the debt and included charges."
    )
    down_payment = fields.Monetary()
    down_payment_date = fields.Date(help="Due date of the down payment (the agreement date when empty).")
    instalment_count = fields.Integer(string="Instalments", default=1, required=True)
    first_due_date = fields.Date(required=True)
    period_months = fields.Integer(string="Months Between Instalments", default=1, required=True)
    interest_rate = fields.Float(
        string="Plan Interest (% a month)",
        digits=(16, 4),
        help="Interest of the plan by the Price table; 0 for none.",
    )
    debt_amount = fields.Monetary(string="Debt", readonly=True)
    charges_amount = fields.Monetary(string="Late Charges Included", readonly=True)
    waived_amount = fields.Monetary(string="Late Charges Waived", readonly=True)
    discount_amount = fields.Monetary(readonly=True)
    total_amount = fields.Monetary(string="Negotiated Total", readonly=True)
    plan_interest_amount = fields.Monetary(string="Plan Interest", readonly=True)
    payable_amount = fields.Monetary(string="Total to Pay", readonly=True)
    residual_amount = fields.Monetary(string="Still Owed", compute="_compute_residual_amount")
    line_ids = fields.One2many("collections.plan.line", "plan_id", string="Schedule", readonly=True)
    move_id = fields.Many2one(
        "account.move", string="Renegotiation Entry", readonly=True, copy=False, check_company=True
    )
    state = fields.Selection(
        PLAN_STATES, default="draft", required=True, tracking=True, index=True, copy=False
    )
    break_date = fields.Date(readonly=True, copy=False)
    break_reason = fields.Text(readonly=True, copy=False)
    note = fields.Text()
    policy_id = fields.Many2one(
        "collections.policy",
        string="Follow-up Policy",
        check_company=True,
        domain="[('company_id', '=', company_id)]",
        tracking=True,
        help="The policy that chases the instalments of this plan while it is active (e.g. a "
        "reminder before each due date). Empty: the company's plan policy, else the customer's.",
    )
    customer_policy_id = fields.Many2one(
        "collections.policy",
        compute="_compute_customer_policy_id",
        string="Customer's Policy",
    )
    resume_level_id = fields.Many2one(
        "collections.level",
        string="Resume at Level",
        domain="[('policy_id', '=', customer_policy_id)]",
        tracking=True,
        help="When the plan breaks, the follow-up of its open instalments resumes at this level "
        "of the customer's policy on the break date. Empty: the levels count from the break date.",
    )

    _sql_constraints = [
        ("instalment_count_positive", "CHECK(instalment_count > 0)", "A plan needs at least one instalment."),
        (
            "period_positive",
            "CHECK(period_months > 0)",
            "The months between instalments must be at least one.",
        ),
    ]

    @api.depends("partner_id", "company_id")
    def _compute_customer_policy_id(self):
        for plan in self:
            partner = plan.partner_id.commercial_partner_id
            plan.customer_policy_id = (
                partner.with_company(plan.company_id).sudo()._collections_policy() if partner else False
            )

    @api.constrains("resume_level_id", "partner_id", "company_id")
    def _check_resume_level(self):
        for plan in self:
            if plan.resume_level_id and plan.resume_level_id.policy_id != plan.sudo().customer_policy_id:
                raise ValidationError(
                    self.env._(
                        "The level “%(level)s” is not a level of the customer's policy “%(policy)s”.",
                        level=plan.resume_level_id.name,
                        policy=plan.sudo().customer_policy_id.name or "-",
                    )
                )

    @api.depends("line_ids.residual_amount")
    def _compute_residual_amount(self):
        for plan in self:
            plan.residual_amount = sum(plan.line_ids.mapped("residual_amount"))

    def unlink(self):
        if any(plan.state != "draft" for plan in self):
            raise UserError(
                self.env._("Only draft payment plans can be deleted; cancel an active plan instead.")
            )
        return super().unlink()

    # --- actions ---------------------------------------------------------------
    def action_preview(self):
        """Compute the schedule of a draft plan (no accounting yet)."""
        for plan in self:
            if plan.state != "draft":
                raise UserError(self.env._("Only a draft plan can be recomputed."))
            data = plan._collections_prepare()
            plan._collections_write_schedule(data)
        return True

    def action_confirm(self):
        """Confirm the plan: post the renegotiation entry (old instalments
        settled and reconciled, one new receivable line per plan instalment),
        record the late charges as included or waived, stop the pending
        follow-up on the old instalments, log it. Returns True.

        Raises UserError / ValidationError on bad input (nothing changed),
        AccessError when the concession is above the company threshold and the
        user is not a Collections Manager."""
        for plan in self:
            plan._collections_confirm()
            plan._collections_lift_suspension()
        return True

    def _collections_lift_suspension(self):
        """Signing the plan lifts the customer's announced-date suspension
        the same day (a manager's suspension stays) and cancels a pending
        announced one."""
        self.ensure_one()
        if self.state != "active":
            return
        today = fields.Date.context_today(self)
        partner = self.partner_id.commercial_partner_id
        Action = self.env["collections.followup.action"]
        Action._collections_lift_settled(
            partner,
            self.company_id,
            today,
            reason=self.env._("payment plan %(plan)s signed", plan=self.name),
            force=True,
        )
        Action.sudo().search(
            [
                ("company_id", "=", self.company_id.id),
                ("partner_id", "=", partner.id),
                ("suspension_state", "=", "announced"),
                ("kind", "!=", "service"),
            ]
        ).write({"suspension_state": "cancelled"})

    def action_cancel(self):
        """Cancel a plan. A draft plan is just cancelled; an active plan with
        no instalment paid yet is undone: its renegotiation entry is cancelled,
        which reopens the old instalments (and their late charges)."""
        for plan in self:
            if plan.state == "draft":
                plan.state = "cancelled"
                continue
            if plan.state != "active":
                raise UserError(self.env._("Only draft or active plans can be cancelled."))
            if not self.env.user.has_group(MANAGER_GROUP):
                raise AccessError(self.env._("Only a Collections Manager can cancel an active payment plan."))
            move = plan.move_id.sudo()
            paid = plan.line_ids.move_line_id.sudo().filtered(
                lambda line: line.matched_credit_ids or line.matched_debit_ids
            )
            if paid:
                raise UserError(
                    self.env._("Plan instalments were already paid: the plan cannot be cancelled.")
                )
            # sudo: the manager undoes the entry this plan posted, nothing else.
            move.line_ids.remove_move_reconcile()
            move.button_draft()
            move.button_cancel()
            self.env["collections.charge"].sudo().search(
                [("kind", "=", "waiver"), ("reason", "=", plan._collections_waiver_reason())]
            ).unlink()
            plan.state = "cancelled"
            plan._collections_log(
                self.env._(
                    "Payment plan %(plan)s cancelled: the renegotiated instalments are open again.",
                    plan=plan.name,
                )
            )
        return True

    def action_print_agreement(self):
        """The agreement (termo de acordo / confissão de dívida) as a PDF."""
        self.ensure_one()
        return self.env.ref("collections_followup.collections_plan_agreement_report").report_action(self)

    # --- business methods ----------------------------------------------------------
    def _collections_agreement_terms(self):
        """What the agreement prints besides the plan's fields: the origin of
        the debt (one row per renegotiated instalment: document, original due
        date, amount settled by the plan) and the breach terms of the policy."""
        self.ensure_one()
        credits = self.move_id.sudo().line_ids.filtered("collections_renegotiated_line_id")
        if credits:
            origin = [
                {
                    "document": credit.collections_renegotiated_line_id.move_id.name,
                    "due_date": credit.collections_renegotiated_line_id.date_maturity,
                    "amount": -credit.balance,
                }
                for credit in credits
            ]
        else:
            origin = [
                {
                    "document": line.move_id.name,
                    "due_date": line.date_maturity,
                    "amount": line.amount_residual,
                }
                for line in self.move_line_ids.sudo()
            ]
        policy = (
            self.partner_id.commercial_partner_id.with_company(self.company_id).sudo()._collections_policy()
        )
        return {
            "origin": origin,
            "break_days": policy.plan_break_days if policy else 30,
            "acceleration": policy.plan_acceleration if policy else True,
        }

    @api.model
    def _collections_gather(self, company, partner, move_lines, as_of):
        """Check the instalments chosen for a plan and read their debt and
        late charges. Returns ``{'lines', 'debt' (Decimal, company currency),
        'charges' ({component: Decimal} to include or waive), 'by_line'
        ({line id: {component: Decimal}})}``; a ValidationError names what is
        wrong: no instalment, another company or customer, not open (paid),
        in dispute, another currency."""
        customer = partner.commercial_partner_id
        lines = move_lines.sudo()
        if not lines:
            raise ValidationError(self.env._("Choose at least one open instalment to renegotiate."))
        if lines.company_id - company:
            raise ValidationError(
                self.env._(
                    "A payment plan of %(company)s can only renegotiate instalments of that company.",
                    company=company.display_name,
                )
            )
        if lines.move_id.commercial_partner_id - customer:
            raise ValidationError(
                self.env._(
                    "A payment plan of %(partner)s can only renegotiate that customer's instalments.",
                    partner=customer.display_name,
                )
            )
        snapshot = self.env["collections.receivable"]._snapshot(company, as_of, [customer.id])
        not_open = lines.filtered(lambda line: line.id not in snapshot.items)
        if not_open:
            raise ValidationError(
                self.env._(
                    "%(items)s: not an open instalment (already paid, or not a customer invoice).",
                    items=", ".join(not_open.mapped("move_id.name")),
                )
            )
        items = [snapshot.items[line.id] for line in lines]
        disputed = [item.move_name for item in items if item.in_dispute]
        if disputed:
            raise ValidationError(
                self.env._(
                    "%(items)s: in dispute; close the dispute before renegotiating.",
                    items=", ".join(disputed),
                )
            )
        foreign = [item.move_name for item in items if item.currency_id != company.currency_id.id]
        if foreign:
            raise ValidationError(
                self.env._(
                    "%(items)s: payment plans are in the company currency (%(currency)s) only.",
                    items=", ".join(foreign),
                    currency=company.currency_id.name,
                )
            )
        rounding = company.currency_id.rounding
        by_line = lines._collections_left_to_invoice(as_of)
        charges = dict.fromkeys(CHARGE_COMPONENTS, ZERO)
        for amounts in by_line.values():
            for component in CHARGE_COMPONENTS:
                charges[component] += amounts.get(component, ZERO)
        return {
            "lines": lines,
            "items": items,
            "debt": round_money(sum((item.residual_company for item in items), ZERO), rounding),
            "charges": {name: round_money(value, rounding) for name, value in charges.items()},
            "by_line": by_line,
        }

    @api.model
    def _collections_schedule(self, data, values, company, as_of):
        """The ``lib.plans.Schedule`` of gathered ``data`` with the plan
        ``values`` (a plan record or a dict with the plan's field names); a
        translated UserError for a PlanError."""
        charges = sum(data["charges"].values(), ZERO) if values["include_charges"] else ZERO
        percent = values["discount_type"] == "percent"
        try:
            return plans.schedule(
                data["debt"],
                fields.Date.to_date(values["first_due_date"]),
                values["instalment_count"],
                charges=charges,
                discount=ZERO if percent else to_decimal(values["discount_value"] or 0.0),
                discount_percent=to_decimal(values["discount_value"] or 0.0) if percent else None,
                down_payment=to_decimal(values["down_payment"] or 0.0),
                down_payment_date=fields.Date.to_date(values["down_payment_date"]) or as_of,
                monthly_rate=to_decimal(values["interest_rate"] or 0.0) / 100,
                period_months=values["period_months"],
                rounding=to_decimal(company.currency_id.rounding),
                today=as_of,
            )
        except plans.PlanError as error:
            raise UserError(self._collections_plan_error_message(error, company.currency_id)) from None

    @api.model
    def _collections_plan_error_message(self, error, currency=None):
        """The translated message of a ``lib.plans.PlanError``: dates in the
        reader's language, amounts (Decimals) in ``currency``'s format."""
        currency = currency or self.env.company.currency_id
        values = {}
        for key, value in error.values.items():
            if isinstance(value, date):
                values[key] = format_date(self.env, value)
            elif isinstance(value, Decimal):
                values[key] = format_amount(self.env, float(value), currency)
            else:
                values[key] = str(value)
        messages = {
            "no_debt": lambda: self.env._("There is nothing to renegotiate: the instalments owe nothing."),
            "negative": lambda: self.env._("Amounts and rates of a plan cannot be negative."),
            "no_instalment": lambda: self.env._("A plan needs at least one instalment."),
            "too_many_instalments": lambda: self.env._(
                "A plan has at most %(maximum)s instalments.", **values
            ),
            "bad_period": lambda: self.env._("The months between instalments must be at least one."),
            "bad_percent": lambda: self.env._("A discount percentage is between 0 and 100."),
            "discount_above_total": lambda: self.env._(
                "The discount (%(discount)s) must be below the debt (%(total)s).", **values
            ),
            "down_payment_above_total": lambda: self.env._(
                "The down payment (%(down_payment)s) must be below the negotiated total (%(total)s).",
                **values,
            ),
            "first_due_in_past": lambda: self.env._(
                "A due date of the plan (%(first_due_date)s) cannot be before today (%(today)s).", **values
            ),
            "down_payment_after_first": lambda: self.env._(
                "The down payment (due %(down_payment_date)s) cannot be due after the "
                "first instalment (%(first_due_date)s).",
                **values,
            ),
            "instalment_too_small": lambda: self.env._(
                "%(financed)s cannot be split in %(count)s instalments.", **values
            ),
        }
        message = messages.get(error.code)
        return message() if message else error.code

    def _collections_prepare(self, as_of=None):
        """Gathered data and schedule of this draft plan on ``as_of`` (the plan date)."""
        self.ensure_one()
        as_of = as_of or self.date
        data = self._collections_gather(self.company_id, self.partner_id, self.move_line_ids, as_of)
        data["schedule"] = self._collections_schedule(data, self, self.company_id, as_of)
        accrued = sum(data["charges"].values(), ZERO)
        data["waived"] = ZERO if self.include_charges else accrued
        data["concession"] = data["schedule"].discount + data["waived"]
        data["concession_base"] = data["debt"] + accrued
        return data

    def _collections_write_schedule(self, data):
        schedule = data["schedule"]
        self.write(
            {
                "debt_amount": float(schedule.debt),
                "charges_amount": float(schedule.charges),
                "waived_amount": float(data["waived"]),
                "discount_amount": float(schedule.discount),
                "total_amount": float(schedule.total),
                "plan_interest_amount": float(schedule.interest),
                "payable_amount": float(schedule.payable),
                "line_ids": [Command.clear()]
                + [
                    Command.create(
                        {
                            "number": instalment.number,
                            "due_date": instalment.due_date,
                            "amount": float(instalment.amount),
                            "principal_amount": float(instalment.principal),
                            "interest_amount": float(instalment.interest),
                        }
                    )
                    for instalment in schedule.instalments
                ],
            }
        )

    def _collections_check_concession(self, data):
        """Above the company threshold, only a Collections Manager may grant
        the discount plus the waived charges (AccessError otherwise)."""
        threshold = to_decimal(self.company_id.collections_plan_discount_threshold or 0.0)
        if not data["concession"] or self.env.user.has_group(MANAGER_GROUP):
            return
        if data["concession"] * 100 > threshold * data["concession_base"]:
            raise AccessError(
                self.env._(
                    "A discount and waived late charges of %(concession)s are above "
                    "%(threshold)s%% of "
                    "the debt (%(base)s): only a Collections Manager can grant them.",
                    concession=format_amount(self.env, float(data["concession"]), self.currency_id),
                    threshold=formatLang(self.env, self.company_id.collections_plan_discount_threshold),
                    base=format_amount(self.env, float(data["concession_base"]), self.currency_id),
                )
            )

    def _collections_confirm(self):
        self.ensure_one()
        if self.state != "draft":
            raise UserError(self.env._("Only a draft plan can be confirmed."))
        today = fields.Date.context_today(self)
        if self.date != today:
            self.date = today
        company, customer = self.company_id, self.partner_id.commercial_partner_id
        # Serialize with the late-charge invoicing of the customer (same
        # mutex): the charges read below cannot be invoiced meanwhile.
        self.env["collections.charge"]._collections_lock_customers([(company.id, customer.id)])
        data = self._collections_prepare(today)
        self._collections_check_concession(data)
        self._collections_write_schedule(data)
        if self.name == "/":
            self.name = self.env["ir.sequence"].with_company(company).next_by_code("collections.plan") or "/"
        # sudo: collectors negotiate plans without accounting rights; the
        # entry is built here only from the checked instalments and schedule.
        move = (
            self.env["account.move"]
            .sudo()
            .with_company(company)
            .create(self.sudo()._collections_move_values(data))
        )
        move.action_post()
        self._collections_reconcile(move, data["lines"])
        self._collections_record_charges(move, data)
        receivables = move.line_ids.filtered(
            lambda line: line.balance > 0 and line.account_type == "asset_receivable"
        )
        for plan_line, move_line in zip(
            self.line_ids.sorted("number"), receivables.sorted("collections_plan_number"), strict=True
        ):
            plan_line.move_line_id = move_line.id
        self.write({"move_id": move.id, "state": "active"})
        self._collections_log(
            self.env._(
                "Payment plan %(plan)s agreed: %(debt)s of debt%(charges)s, discount %(discount)s, "
                "negotiated total "
                "%(total)s in %(count)s instalment(s) from %(first)s. Renegotiated: "
                "%(invoices)s.",
                plan=self.name,
                debt=format_amount(self.env, self.debt_amount, self.currency_id),
                charges=self.env._(
                    " + %(amount)s of late charges",
                    amount=format_amount(self.env, self.charges_amount, self.currency_id),
                )
                if self.charges_amount
                else "",
                discount=format_amount(self.env, self.discount_amount, self.currency_id),
                total=format_amount(self.env, self.total_amount, self.currency_id),
                count=self.instalment_count,
                first=format_date(self.env, self.first_due_date),
                invoices=", ".join(data["lines"].move_id.mapped("name")),
            )
        )
        self.env["collections.followup.action"]._collections_close_loop(
            data["lines"], self.env._("payment plan %(plan)s agreed.", plan=self.name)
        )

    def _collections_move_values(self, data):
        """Values of the renegotiation entry: credits settle the old
        instalments (one per instalment) and the included charges, a debit is
        the discount, and one receivable debit per plan instalment."""
        company, customer = self.company_id, self.partner_id.commercial_partner_id
        schedule = data["schedule"]
        journal = company.collections_plan_journal_id or self.env["account.journal"].search(
            [("company_id", "=", company.id), ("type", "=", "general")], limit=1
        )
        if not journal:
            raise UserError(
                self.env._("Set the renegotiation journal of the payment plans in the Collections settings.")
            )
        receivable = customer.with_company(company).property_account_receivable_id
        lines = []
        for line in data["lines"]:
            lines.append(
                Command.create(
                    {
                        "name": self.env._(
                            "Renegotiated by %(plan)s: %(invoice)s", plan=self.name, invoice=line.move_id.name
                        ),
                        "account_id": line.account_id.id,
                        "partner_id": customer.id,
                        "balance": -line.amount_residual,
                        "collections_renegotiated_line_id": line.id,
                    }
                )
            )
        if schedule.charges:
            policy = customer.with_company(company)._collections_policy()
            for component in CHARGE_COMPONENTS:
                amount = data["charges"][component]
                if not amount:
                    continue
                account = policy and policy._collections_charge_account(component)
                if not account:
                    raise UserError(
                        self.env._(
                            "The late charges cannot be included: the policy %(policy)s has no account for "
                            "%(what)s.",
                            policy=policy.name or "-",
                            what=component,
                        )
                    )
                lines.append(
                    Command.create(
                        {
                            "name": self.env._(
                                "Late charges included in %(plan)s (%(what)s)", plan=self.name, what=component
                            ),
                            "account_id": account.id,
                            "partner_id": customer.id,
                            "balance": -float(amount),
                        }
                    )
                )
        if schedule.discount:
            if not company.collections_plan_discount_account_id:
                raise UserError(
                    self.env._("Set the discount account of the payment plans in the Collections settings.")
                )
            lines.append(
                Command.create(
                    {
                        "name": self.env._("Discount granted in %(plan)s", plan=self.name),
                        "account_id": company.collections_plan_discount_account_id.id,
                        "partner_id": customer.id,
                        "balance": float(schedule.discount),
                    }
                )
            )
        if schedule.interest:
            if not company.collections_plan_interest_account_id:
                raise UserError(
                    self.env._("Set the interest account of the payment plans in the Collections settings.")
                )
            lines.append(
                Command.create(
                    {
                        "name": self.env._("Interest of %(plan)s", plan=self.name),
                        "account_id": company.collections_plan_interest_account_id.id,
                        "partner_id": customer.id,
                        "balance": -float(schedule.interest),
                    }
                )
            )
        for instalment in schedule.instalments:
            label = (
                self.env._("%(plan)s: down payment", plan=self.name)
                if instalment.number == 0
                else self.env._(
                    "%(plan)s: instalment %(number)s/%(count)s",
                    plan=self.name,
                    number=instalment.number,
                    count=self.instalment_count,
                )
            )
            lines.append(
                Command.create(
                    {
                        "name": label,
                        "account_id": receivable.id,
                        "partner_id": customer.id,
                        "balance": float(instalment.amount),
                        "date_maturity": instalment.due_date,
                        "collections_plan_number": instalment.number,
                    }
                )
            )
        return {
            "move_type": "entry",
            "journal_id": journal.id,
            "company_id": company.id,
            "date": self.date,
            "partner_id": customer.id,
            "ref": self.env._("Payment plan %(plan)s", plan=self.name),
            "collections_is_plan": True,
            "collections_plan_id": self.id,
            "line_ids": lines,
        }

    def _collections_reconcile(self, move, old_lines):
        """Reconcile each old instalment with the credit that settles it,
        without invoicing late charges on the way (they are in the plan or waived)."""
        credits = move.line_ids.filtered("collections_renegotiated_line_id")
        for credit in credits:
            (credit | credit.collections_renegotiated_line_id).with_context(
                collections_no_charge_invoicing=True
            ).reconcile()
        unsettled = old_lines.filtered(lambda line: not line.reconciled)
        if unsettled:
            raise UserError(
                self.env._(
                    "%(items)s could not be settled by the plan.",
                    items=", ".join(unsettled.mapped("display_name")),
                )
            )

    def _collections_waiver_reason(self):
        return self.env._(
            "Payment plan %(plan)s (id %(id)s): late charges not included.", plan=self.name, id=self.id
        )

    def _collections_record_charges(self, move, data):
        """The late charges of the old instalments are recorded once: as
        charged by the renegotiation entry when included, else as waived."""
        included = self.include_charges
        values = []
        for line in data["lines"]:
            amounts = data["by_line"].get(line.id) or {}
            if not any(amounts.get(component) for component in CHARGE_COMPONENTS):
                continue
            values.append(
                {
                    "move_line_id": line.id,
                    "partner_id": self.partner_id.commercial_partner_id.id,
                    "company_id": self.company_id.id,
                    "currency_id": self.company_id.currency_id.id,
                    "date": self.date,
                    "kind": "invoice" if included else "waiver",
                    "charge_move_id": move.id if included else False,
                    "fine_amount": float(amounts.get("fine", ZERO)),
                    "interest_amount": float(amounts.get("interest", ZERO)),
                    "correction_amount": float(amounts.get("correction", ZERO)),
                    "reason": False if included else self._collections_waiver_reason(),
                    "user_id": self.env.user.id,
                }
            )
        if values:
            # sudo: the waiver was allowed by the concession check above.
            self.env["collections.charge"].sudo().create(values)

    def _collections_log(self, body, notify=False):
        """Log ``body`` on the plan and the customer; with ``notify`` the
        customer is sent it too."""
        for plan in self:
            plan.message_post(body=body, subtype_xmlid="mail.mt_note")
            partner = plan.partner_id.commercial_partner_id.sudo()
            if notify:
                partner.message_post(
                    body=body,
                    partner_ids=partner.ids,
                    subtype_xmlid="mail.mt_comment",
                    message_type="comment",
                )
            else:
                partner.message_post(body=body, subtype_xmlid="mail.mt_note")

    def _collections_break(self, as_of, reason):
        """Break an active plan on ``as_of``: with the policy's acceleration
        (vencimento antecipado) every open plan instalment falls due on
        ``as_of``; logged and the customer told."""
        for plan in self:
            policy = plan.partner_id.commercial_partner_id.with_company(plan.company_id)._collections_policy()
            plan.write({"state": "broken", "break_date": as_of, "break_reason": reason})
            accelerate = policy.plan_acceleration if policy else True
            if accelerate:
                open_lines = plan.line_ids.move_line_id.sudo().filtered(
                    lambda line: not line.reconciled and line.date_maturity > as_of
                )
                open_lines.write({"date_maturity": as_of})
            message = self.env._(
                "Payment plan %(plan)s is broken on %(date)s: %(reason)s",
                plan=plan.name,
                date=format_date(self.env, as_of),
                reason=reason,
            )
            if accelerate:
                message += " " + self.env._(
                    "The remaining balance of %(amount)s is due at once.",
                    amount=format_amount(self.env, plan.residual_amount, plan.currency_id),
                )
            if plan.resume_level_id:
                message += " " + self.env._(
                    "The follow-up resumes at the level “%(level)s”.", level=plan.resume_level_id.name
                )
            plan._collections_log(message, notify=True)

    def _collections_update_states(self, as_of):
        """Complete the active plans that are paid, break those with an
        instalment late more than the policy's ``plan_break_days``. Returns
        {'completed': n, 'broken': n}."""
        result = {"completed": 0, "broken": 0}
        for plan in self.filtered(lambda plan: plan.state == "active"):
            lines = plan.line_ids.move_line_id.sudo()
            if lines and all(line.reconciled for line in lines):
                plan.state = "completed"
                plan._collections_log(
                    self.env._("Payment plan %(plan)s completed: every instalment is paid.", plan=plan.name)
                )
                result["completed"] += 1
                continue
            policy = plan.partner_id.commercial_partner_id.with_company(plan.company_id)._collections_policy()
            break_days = policy.plan_break_days if policy else 30
            late = plans.breach(
                [(line.date_maturity, to_decimal(line.amount_residual)) for line in lines], as_of, break_days
            )
            if late:
                plan._collections_break(
                    as_of,
                    self.env._(
                        "the instalment due %(due)s (%(amount)s) is more than %(days)s days late.",
                        due=format_date(self.env, late[0]),
                        amount=format_amount(self.env, float(late[1]), plan.currency_id),
                        days=break_days,
                    ),
                )
                result["broken"] += 1
        return result

    @api.model
    def _cron_update_plans(self, as_of=None):
        """Daily: complete paid plans and break late ones (``as_of``: replay a day)."""
        as_of = fields.Date.to_date(as_of) or fields.Date.context_today(self)
        return self.search([("state", "=", "active")])._collections_update_states(as_of)


class CollectionsPlanLine(models.Model):
    """One instalment of a payment plan (number 0: the down payment) and,
    once the plan is confirmed, its receivable line."""

    _name = "collections.plan.line"
    _description = "Payment Plan Instalment"
    _order = "plan_id, number"

    plan_id = fields.Many2one("collections.plan", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="plan_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="plan_id.currency_id")
    number = fields.Integer(required=True)
    due_date = fields.Date(required=True)
    amount = fields.Monetary(required=True)
    principal_amount = fields.Monetary(string="Principal")
    interest_amount = fields.Monetary(string="Interest")
    move_line_id = fields.Many2one("account.move.line", string="Receivable Line", readonly=True)
    residual_amount = fields.Monetary(string="Still Owed", compute="_compute_residual_amount")
    current_due_date = fields.Date(related="move_line_id.date_maturity", string="Due (current)")

    @api.depends("move_line_id.amount_residual", "amount")
    def _compute_residual_amount(self):
        for line in self:
            line.residual_amount = (
                line.move_line_id.sudo().amount_residual if line.move_line_id else line.amount
            )


class CollectionsPolicy(models.Model):
    _inherit = "collections.policy"

    plan_break_days = fields.Integer(
        string="Plan Broken After (days)",
        default=30,
        help="A payment plan instalment late more than this many days breaks the plan.",
    )
    plan_acceleration = fields.Boolean(
        string="Accelerate Broken Plans",
        default=True,
        help="When a plan breaks, its remaining balance falls due at once (vencimento antecipado).",
    )
