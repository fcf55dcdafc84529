from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools.misc import format_amount, format_date

from ..lib import writeoff as rules
from ..lib.money import ZERO, to_decimal

MANAGER_GROUP = "collections_followup.group_collections_manager"
CHARGE_COMPONENTS = ("fine", "interest", "correction")
REASONS = [
    ("uncollectible", "Uncollectible"),
    ("prescribed", "Prescribed"),
    ("bankruptcy", "Bankruptcy / judicial reorganisation"),
    ("small_balance", "Small balance"),
    ("other", "Other"),
]
CRITERIA = [
    (rules.BANKRUPTCY, "Debtor bankrupt or in judicial reorganisation (art. 9, IV)"),
    (rules.UNSECURED_SMALL, "Unsecured, small credit, overdue > 6 months (art. 9, § 7, II a)"),
    (rules.UNSECURED_MEDIUM, "Unsecured, medium credit, overdue > 1 year, administrative collection (II b)"),
    (rules.UNSECURED_LARGE, "Unsecured, large credit, overdue > 1 year, lawsuit (II c)"),
    (rules.SECURED_SMALL, "Secured, overdue > 2 years (III a)"),
    (rules.SECURED_LARGE, "Secured, overdue > 2 years, lawsuit (III b)"),
    ("none", "Not met (not deductible yet)"),
]


class CollectionsWriteoff(models.Model):
    """A write-off (baixa para perdas): overdue instalments settled against
    the loss account by one entry, reconciled with them, so the follow-up
    stops chasing them. Reversing the entry reopens them."""

    _name = "collections.writeoff"
    _description = "Write-off of Receivables"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True, default="/", copy=False)
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(required=True, readonly=True)
    reason = fields.Selection(REASONS, required=True, readonly=True)
    note = fields.Text(readonly=True)
    account_id = fields.Many2one("account.account", string="Loss Account", required=True, readonly=True)
    move_id = fields.Many2one("account.move", string="Write-off Entry", readonly=True, check_company=True)
    reversal_move_id = fields.Many2one(
        "account.move", string="Reversal Entry", readonly=True, check_company=True
    )
    state = fields.Selection(
        [("posted", "Posted"), ("reversed", "Reversed")],
        default="posted",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
    )
    user_id = fields.Many2one(
        "res.users", string="Written Off By", readonly=True, default=lambda self: self.env.user
    )
    line_ids = fields.One2many(
        "collections.writeoff.line", "writeoff_id", string="Instalments", readonly=True
    )
    amount_total = fields.Monetary(string="Total", compute="_compute_amount_total", store=True)

    @api.depends("line_ids.amount")
    def _compute_amount_total(self):
        for writeoff in self:
            writeoff.amount_total = sum(writeoff.line_ids.mapped("amount"))

    # --- public API --------------------------------------------------------------
    @api.model
    def collections_write_off(
        self,
        move_line_ids,
        reason,
        note=None,
        date=None,
        account_id=None,
        secured=False,
        administrative_collection=None,
        lawsuit=False,
        bankruptcy=False,
    ):
        """Write off the overdue instalments ``move_line_ids`` (ids).

        :param reason: one of uncollectible, prescribed, bankruptcy, small_balance, other
            (other needs ``note``).
        :param date: write-off date (ISO string or date, today when empty; not in the future).
        :param account_id: loss account (the company's setting when empty).
        :param secured, lawsuit, bankruptcy: facts for the Lei 9.430 art. 9 classification;
            ``administrative_collection``: the collection was kept up (default: a follow-up contact
            about the instalment exists).
        :return: the ``collections.writeoff`` record (id over RPC).
        :raises AccessError: the user is not a Collections Manager.
        :raises UserError: bad input (nothing changed).
        """
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only a Collections Manager can write off receivables."))
        lines = self.env["account.move.line"].browse(move_line_ids)
        if not lines:
            raise UserError(self.env._("Choose at least one overdue instalment to write off."))
        company = lines.company_id
        if len(company) != 1 or company not in self.env.companies:
            raise UserError(
                self.env._("A write-off covers the instalments of one of your companies at a time.")
            )
        if reason not in dict(REASONS):
            raise UserError(self.env._("Choose the reason of the write-off."))
        if reason == "other" and not (note or "").strip():
            raise UserError(self.env._("Explain the write-off in the note when the reason is “Other”."))
        today = fields.Date.context_today(self)
        day = fields.Date.to_date(date) if date else today
        if day > today:
            raise UserError(
                self.env._(
                    "A write-off cannot be dated in the future (%(date)s).", date=format_date(self.env, day)
                )
            )
        account = (
            self.env["account.account"].browse(account_id)
            if account_id
            else company.sudo().collections_writeoff_account_id
        )
        if not account:
            raise UserError(self.env._("Set the loss account of the write-offs in the Collections settings."))
        facts = {
            "secured": secured,
            "lawsuit": lawsuit,
            "bankruptcy": bankruptcy or reason == "bankruptcy",
            "administrative_collection": administrative_collection,
        }
        rows = self._collections_classify(company, lines, day, facts)
        return self._collections_post(company, lines, rows, day, reason, note, account)

    @api.model
    def _collections_classify(self, company, lines, day, facts):
        """Check the instalments (open, overdue on ``day``, not disputed, in
        the company currency: from the receivable snapshot) and classify each
        by Lei 9.430 art. 9. Returns [{'line', 'amount' (Decimal), 'operation_amount',
        'days_overdue', 'criterion'}]; a UserError names the instalments refused."""
        snapshot = self.env["collections.receivable"]._snapshot(company, day)
        lines = lines.sudo()
        refused = lines.filtered(lambda line: line.id not in snapshot.items)
        if refused:
            raise UserError(
                self.env._(
                    "%(items)s: not an open instalment (already paid or written off).",
                    items=", ".join(refused.mapped("move_id.name")),
                )
            )
        items = {line.id: snapshot.items[line.id] for line in lines}
        disputed = [item.move_name for item in items.values() if item.in_dispute]
        if disputed:
            raise UserError(
                self.env._(
                    "%(items)s: in dispute; close the dispute before writing off.", items=", ".join(disputed)
                )
            )
        not_overdue = [item.move_name for item in items.values() if not snapshot.is_overdue(item)]
        if not_overdue:
            raise UserError(
                self.env._(
                    "%(items)s: not overdue; only overdue instalments are written off.",
                    items=", ".join(not_overdue),
                )
            )
        foreign = [item.move_name for item in items.values() if item.currency_id != company.currency_id.id]
        if foreign:
            raise UserError(
                self.env._(
                    "%(items)s: write-offs are in the company currency (%(currency)s) only.",
                    items=", ".join(foreign),
                    currency=company.currency_id.name,
                )
            )
        thresholds = rules.Thresholds(
            small_amount=to_decimal(company.collections_loss_small_amount),
            large_amount=to_decimal(company.collections_loss_large_amount),
            secured_amount=to_decimal(company.collections_loss_secured_amount),
            small_months=company.collections_loss_small_months,
            large_months=company.collections_loss_large_months,
            secured_months=company.collections_loss_secured_months,
        )
        chased = self._collections_chased_line_ids(lines)
        rows = []
        for line in lines:
            item = items[line.id]
            administrative = facts["administrative_collection"]
            if administrative is None:
                administrative = line.id in chased
            operation = to_decimal(line.move_id.amount_total_signed)
            criterion = rules.deductibility(
                operation,
                item.due_date,
                day,
                thresholds=thresholds,
                secured=facts["secured"],
                administrative_collection=administrative,
                lawsuit=facts["lawsuit"],
                bankruptcy=facts["bankruptcy"],
            )
            rows.append(
                {
                    "line": line,
                    "amount": item.residual_company,
                    "operation_amount": operation,
                    "days_overdue": (day - item.due_date).days,
                    "criterion": criterion or "none",
                    "administrative_collection": administrative,
                }
            )
        return rows

    @api.model
    def _collections_chased_line_ids(self, lines):
        """Ids of ``lines`` the follow-up already claimed (administrative collection)."""
        claimed = (
            self.env["collections.followup.action.line"]
            .sudo()
            .search([("move_line_id", "in", lines.ids), ("action_id.state", "!=", "cancelled")])
        )
        return set(claimed.move_line_id.ids)

    @api.model
    def _collections_post(self, company, lines, rows, day, reason, note, account):
        self.env["collections.charge"]._collections_lock_customers(
            [(company.id, partner.id) for partner in lines.move_id.commercial_partner_id]
        )
        journal = company.sudo().collections_writeoff_journal_id or self.env["account.journal"].sudo().search(
            [("company_id", "=", company.id), ("type", "=", "general")], limit=1
        )
        if not journal:
            raise UserError(self.env._("Set the journal of the write-offs in the Collections settings."))
        writeoff = self.create(
            {
                "company_id": company.id,
                "date": day,
                "reason": reason,
                "note": note,
                "account_id": account.id,
                "line_ids": [
                    Command.create(
                        {
                            "move_line_id": row["line"].id,
                            "amount": float(row["amount"]),
                            "operation_amount": float(row["operation_amount"]),
                            "days_overdue": row["days_overdue"],
                            "criterion": row["criterion"],
                            "administrative_collection": row["administrative_collection"],
                        }
                    )
                    for row in rows
                ],
            }
        )
        if writeoff.name == "/":
            writeoff.name = (
                self.env["ir.sequence"].with_company(company).next_by_code("collections.writeoff") or "/"
            )
        total = sum((row["amount"] for row in rows), ZERO)
        label = dict(self._fields["reason"]._description_selection(self.env))[reason]
        move_lines = [
            Command.create(
                {
                    "name": self.env._(
                        "%(writeoff)s: loss on receivables (%(reason)s)", writeoff=writeoff.name, reason=label
                    ),
                    "account_id": account.id,
                    "balance": float(total),
                }
            )
        ]
        for row in rows:
            line = row["line"]
            move_lines.append(
                Command.create(
                    {
                        "name": self.env._(
                            "%(writeoff)s: %(invoice)s written off",
                            writeoff=writeoff.name,
                            invoice=line.move_id.name,
                        ),
                        "account_id": line.account_id.id,
                        "partner_id": line.move_id.commercial_partner_id.id,
                        "balance": -float(row["amount"]),
                        "collections_renegotiated_line_id": line.id,
                    }
                )
            )
        # sudo: a Collections Manager writes off without needing accounting rights;
        # the entry only settles the checked instalments against the loss account.
        move = (
            self.env["account.move"]
            .sudo()
            .with_company(company)
            .create(
                {
                    "move_type": "entry",
                    "journal_id": journal.id,
                    "company_id": company.id,
                    "date": day,
                    "ref": self.env._("Write-off %(writeoff)s", writeoff=writeoff.name),
                    "line_ids": move_lines,
                }
            )
        )
        move.action_post()
        for credit in move.line_ids.filtered("collections_renegotiated_line_id"):
            (credit | credit.collections_renegotiated_line_id).with_context(
                collections_no_charge_invoicing=True
            ).reconcile()
        writeoff.move_id = move
        writeoff._collections_waive_charges(day)
        message = self.env._(
            "Written off by %(user)s on %(date)s (%(writeoff)s, %(reason)s): %(amount)s.",
            user=self.env.user.name,
            date=format_date(self.env, day),
            writeoff=writeoff.name,
            reason=label,
            amount=format_amount(self.env, float(total), company.currency_id),
        )
        writeoff.message_post(body=message + (" " + note if note else ""))
        for invoice in lines.move_id.sudo():
            invoice.message_post(body=message)
        for partner in lines.move_id.commercial_partner_id.sudo():
            partner.message_post(body=message, subtype_xmlid="mail.mt_note")
        self.env["collections.followup.action"]._collections_close_loop(
            lines, self.env._("written off (%(writeoff)s).", writeoff=writeoff.name)
        )
        return writeoff

    def _collections_waiver_reason(self):
        return self.env._(
            "Write-off %(writeoff)s (id %(id)s): instalment written off.", writeoff=self.name, id=self.id
        )

    def _collections_waive_charges(self, day):
        """The late charges of written-off instalments are waived (recorded once, never invoiced)."""
        lines = self.line_ids.move_line_id.sudo()
        left = lines._collections_left_to_invoice(day)
        values = []
        for line in lines:
            amounts = left.get(line.id) or {}
            if not any(amounts.get(component) for component in CHARGE_COMPONENTS):
                continue
            values.append(
                {
                    "move_line_id": line.id,
                    "partner_id": line.move_id.commercial_partner_id.id,
                    "company_id": self.company_id.id,
                    "currency_id": self.company_id.currency_id.id,
                    "date": day,
                    "kind": "waiver",
                    "reason": self._collections_waiver_reason(),
                    **{
                        f"{component}_amount": float(amounts.get(component, ZERO))
                        for component in CHARGE_COMPONENTS
                    },
                }
            )
        if values:
            self.env["collections.charge"].sudo().create(values)

    def action_reverse(self):
        """Reverse the write-off: its entry is reversed, the instalments are
        open again (and chased again); the waived charges are restored.
        Collections Manager only."""
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only a Collections Manager can reverse a write-off."))
        for writeoff in self:
            if writeoff.state != "posted":
                raise UserError(self.env._("%(writeoff)s is already reversed.", writeoff=writeoff.name))
            move = writeoff.move_id.sudo()
            move.line_ids.remove_move_reconcile()
            reversal = move._reverse_moves(
                [
                    {
                        "date": fields.Date.context_today(self),
                        "ref": self.env._("Reversal of write-off %(writeoff)s", writeoff=writeoff.name),
                    }
                ],
                cancel=True,
            )
            self.env["collections.charge"].sudo().search(
                [("kind", "=", "waiver"), ("reason", "=", writeoff._collections_waiver_reason())]
            ).unlink()
            writeoff.write({"state": "reversed", "reversal_move_id": reversal.id})
            message = self.env._(
                "Write-off %(writeoff)s reversed by %(user)s: the instalments are open again.",
                writeoff=writeoff.name,
                user=self.env.user.name,
            )
            writeoff.message_post(body=message)
            for partner in writeoff.line_ids.move_line_id.move_id.commercial_partner_id.sudo():
                partner.message_post(body=message, subtype_xmlid="mail.mt_note")
        return True

    @api.model
    def _cron_write_off_small_balances(self, as_of=None):
        """Daily, off by default (company setting): write off the overdue
        instalments of the receivable snapshot whose open balance is at most
        the company's small-balance amount and that are late more than its
        small-balance days, one write-off per company (reason: small balance).
        ``as_of`` replays a day. Returns {company id: write-off id}."""
        as_of = fields.Date.to_date(as_of) or fields.Date.context_today(self)
        result = {}
        for company in self.env["res.company"].search([("collections_writeoff_small_balances", "=", True)]):
            if not company.collections_writeoff_account_id:
                continue
            limit = to_decimal(company.collections_writeoff_small_amount)
            snapshot = self.env["collections.receivable"]._snapshot(company, as_of)
            line_ids = [
                item.line_id
                for item in snapshot.items.values()
                if snapshot.is_overdue(item)
                and not item.in_dispute
                and item.currency_id == company.currency_id.id
                and item.residual_company <= limit
                and item.days_late > company.collections_writeoff_small_days
            ]
            if line_ids:
                writeoff = (
                    self.with_company(company)
                    .with_context(allowed_company_ids=company.ids)
                    .collections_write_off(line_ids, "small_balance", date=as_of)
                )
                result[company.id] = writeoff.id
        return result


class CollectionsWriteoffLine(models.Model):
    """One written-off instalment and the deductibility criterion it met."""

    _name = "collections.writeoff.line"
    _description = "Written-off Instalment"
    _order = "writeoff_id desc, id"

    writeoff_id = fields.Many2one("collections.writeoff", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="writeoff_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="writeoff_id.currency_id")
    date = fields.Date(related="writeoff_id.date", store=True)
    state = fields.Selection(related="writeoff_id.state", store=True)
    move_line_id = fields.Many2one("account.move.line", string="Instalment", required=True, readonly=True)
    move_id = fields.Many2one(related="move_line_id.move_id", string="Invoice", store=True)
    partner_id = fields.Many2one(
        related="move_line_id.move_id.commercial_partner_id", string="Customer", store=True
    )
    due_date = fields.Date(related="move_line_id.date_maturity")
    amount = fields.Monetary(string="Written Off", readonly=True)
    operation_amount = fields.Monetary(
        readonly=True,
        help="Total of the invoice (the operation of Lei 9.430 art. 9).",
    )
    days_overdue = fields.Integer(readonly=True)
    administrative_collection = fields.Boolean(readonly=True)
    criterion = fields.Selection(
        CRITERIA, string="Deductibility Criterion", required=True, readonly=True, index=True
    )

    @api.constrains("amount")
    def _check_amount(self):
        if any(line.amount <= 0 for line in self):
            raise ValidationError(self.env._("A written-off amount must be positive."))
