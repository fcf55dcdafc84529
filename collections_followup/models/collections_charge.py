from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.misc import format_amount, format_date

MANAGER_GROUP = "collections_followup.group_collections_manager"


class CollectionsCharge(models.Model):
    """Late charges of one instalment that were invoiced or waived in one
    event. What is left to invoice is what accrued minus these records
    (``lib.late_fees.charges_to_invoice``); the records of a cancelled or
    deleted charge invoice no longer count."""

    _name = "collections.charge"
    _description = "Invoiced or Waived Late Charges"
    _order = "date desc, id desc"
    _check_company_auto = True

    move_line_id = fields.Many2one(
        "account.move.line",
        string="Instalment",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    move_id = fields.Many2one(related="move_line_id.move_id", string="Invoice", store=True, index=True)
    due_date = fields.Date(related="move_line_id.date_maturity", string="Due Date")
    partner_id = fields.Many2one("res.partner", required=True, index=True)
    company_id = fields.Many2one("res.company", required=True, index=True)
    currency_id = fields.Many2one("res.currency", required=True)
    date = fields.Date(required=True, help="The charges are those accrued up to this date.")
    kind = fields.Selection([("invoice", "Invoiced"), ("waiver", "Waived")], required=True)
    fine_amount = fields.Monetary(string="Fine")
    interest_amount = fields.Monetary(string="Interest")
    correction_amount = fields.Monetary(string="Correction")
    total_amount = fields.Monetary(string="Total", compute="_compute_total_amount", store=True)
    charge_move_id = fields.Many2one(
        "account.move", string="Charge Invoice", ondelete="set null", index=True, check_company=True
    )
    state = fields.Selection(
        [("invoiced", "Invoiced"), ("cancelled", "Cancelled"), ("waived", "Waived")],
        compute="_compute_state",
        store=True,
        index=True,
        help="Charges of a cancelled or deleted charge invoice can be invoiced again.",
    )
    reason = fields.Text(help="Why the charges were waived.")
    user_id = fields.Many2one("res.users", string="By", default=lambda self: self.env.user, required=True)

    _sql_constraints = [
        (
            "amounts_positive",
            "CHECK(fine_amount >= 0 AND interest_amount >= 0 AND correction_amount >= 0)",
            "Late charge amounts cannot be negative.",
        ),
    ]

    def init(self):
        res = super().init()
        # One row per company and customer whose charges were ever invoiced:
        # the mutex of _collections_lock_customers (not an ORM model: nobody
        # reads it, it only serializes the invoicing).
        self.env.cr.execute("""
            CREATE TABLE IF NOT EXISTS collections_charge_mutex (
                company_id integer NOT NULL,
                partner_id integer NOT NULL,
                invoicings integer NOT NULL DEFAULT 1,
                PRIMARY KEY (company_id, partner_id)
            )
        """)
        return res

    @api.model
    def _collections_lock_customers(self, pairs):
        """Take the late-charge mutex of these ``(company id, commercial
        partner id)`` pairs for the rest of the transaction, before reading
        what was already charged.

        It is an upsert of one row per pair, in a fixed order: a second
        transaction invoicing the same customer waits for the first one. When
        the first commits, the second fails with a serialization error under
        Odoo's REPEATABLE READ (its snapshot cannot see the new charges), and
        Odoo's request retry (``odoo.service.model.retrying``) runs it again on
        a fresh snapshot that sees them: nothing is charged twice. An advisory
        lock alone would not do: after the wait, the snapshot taken before it
        would still miss the other transaction's charges.
        """
        pairs = sorted(
            (company_id, partner_id) for company_id, partner_id in pairs if company_id and partner_id
        )
        if not pairs:
            return
        self.env.cr.execute(
            """
            INSERT INTO collections_charge_mutex (company_id, partner_id)
                 SELECT company_id, partner_id
                   FROM unnest(%s::int[], %s::int[]) AS pair(company_id, partner_id)
            ON CONFLICT (company_id, partner_id)
              DO UPDATE SET invoicings = collections_charge_mutex.invoicings + 1
        """,
            [[company_id for company_id, _p in pairs], [partner_id for _c, partner_id in pairs]],
        )

    @api.depends("fine_amount", "interest_amount", "correction_amount")
    def _compute_total_amount(self):
        for charge in self:
            charge.total_amount = charge.fine_amount + charge.interest_amount + charge.correction_amount

    @api.depends("kind", "charge_move_id.state")
    def _compute_state(self):
        for charge in self:
            if charge.kind == "waiver":
                charge.state = "waived"
            elif charge.charge_move_id and charge.charge_move_id.state != "cancel":
                charge.state = "invoiced"
            else:
                charge.state = "cancelled"

    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.get("kind") == "waiver" for vals in vals_list) and not (
            self.env.su or self.env.user.has_group(MANAGER_GROUP)
        ):
            raise AccessError(self.env._("Only a Collections Manager can waive late charges."))
        return super().create(vals_list)

    def write(self, vals):
        if vals.keys() & {"kind", "fine_amount", "interest_amount", "correction_amount", "move_line_id"}:
            raise UserError(
                self.env._("Recorded late charges cannot be changed: cancel the charge invoice instead.")
            )
        return super().write(vals)

    def unlink(self):
        if not self.env.su and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only a Collections Manager can delete recorded late charges."))
        return super().unlink()

    @api.model
    def _collections_waive(self, line, amounts, reason, as_of):
        """Waive ``amounts`` ({'fine', 'interest', 'correction': float}) of the
        instalment ``line`` accrued up to ``as_of``, for ``reason``; logged on
        the invoice's chatter. Collections Manager only; never more than what
        is left to invoice."""
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only a Collections Manager can waive late charges."))
        if not (reason or "").strip():
            raise UserError(self.env._("Give the reason for waiving the late charges."))
        line = line.sudo()
        computed = line._collections_late_charges(as_of).get(line.id)
        if not computed:
            raise UserError(self.env._("Only the instalments of posted customer invoices have late charges."))
        left = line._collections_left_to_invoice(as_of)[line.id]
        currency = (
            line.currency_id if line.currency_id != line.company_currency_id else line.company_currency_id
        )
        labels = {
            "fine": self.env._("fine"),
            "interest": self.env._("interest"),
            "correction": self.env._("correction"),
        }
        for name, amount in amounts.items():
            if currency.compare_amounts(amount, 0) < 0:
                raise UserError(self.env._("A waived amount cannot be negative."))
            if currency.compare_amounts(amount, float(left[name])) > 0:
                raise UserError(
                    self.env._(
                        "You can waive at most %(left)s of %(component)s on %(invoice)s (what is not yet "
                        "invoiced "
                        "or waived), not %(amount)s.",
                        left=format_amount(self.env, float(left[name]), currency),
                        component=labels[name],
                        invoice=line.move_id.name,
                        amount=format_amount(self.env, amount, currency),
                    )
                )
        if not any(currency.round(amount) for amount in amounts.values()):
            raise UserError(self.env._("Nothing to waive: every amount is zero."))
        charge = self.sudo().create(
            {
                "move_line_id": line.id,
                "partner_id": line.partner_id.commercial_partner_id.id,
                "company_id": line.company_id.id,
                "currency_id": currency.id,
                "date": as_of,
                "kind": "waiver",
                "fine_amount": currency.round(amounts.get("fine", 0.0)),
                "interest_amount": currency.round(amounts.get("interest", 0.0)),
                "correction_amount": currency.round(amounts.get("correction", 0.0)),
                "reason": reason,
                "user_id": self.env.user.id,
            }
        )
        line.move_id.message_post(
            body=self.env._(
                "Late charges waived by %(user)s up to %(date)s (instalment due %(due)s): fine %(fine)s, "
                "interest %(interest)s, correction %(correction)s. Reason: %(reason)s",
                user=self.env.user.name,
                date=format_date(self.env, as_of),
                due=format_date(self.env, line.date_maturity),
                fine=format_amount(self.env, charge.fine_amount, currency),
                interest=format_amount(self.env, charge.interest_amount, currency),
                correction=format_amount(self.env, charge.correction_amount, currency),
                reason=reason,
            ),
            author_id=self.env.user.partner_id.id,
        )
        return charge.with_env(self.env)
