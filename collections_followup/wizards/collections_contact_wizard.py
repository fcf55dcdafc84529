from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.collections_followup_action import CONTACT_OUTCOMES


class CollectionsContactWizard(models.TransientModel):
    """Log a call or any contact with a customer, and its outcome: a promise
    to pay pauses the chasing of the instalments it covers, a dispute stops
    the chasing of the invoice."""

    _name = "collections.contact.wizard"
    _description = "Log a Contact"

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, domain=[("parent_id", "=", False)]
    )
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    date = fields.Date(required=True, default=fields.Date.context_today)
    right_party_contact = fields.Boolean(
        string="Reached the Right Person", help="The person responsible for paying was reached."
    )
    outcome = fields.Selection(CONTACT_OUTCOMES, required=True, default="no_answer")
    note = fields.Text()
    promise_date = fields.Date()
    promise_amount = fields.Monetary(currency_field="currency_id")
    currency_id = fields.Many2one(related="company_id.currency_id")
    move_line_ids = fields.Many2many(
        "account.move.line",
        string="Instalments Covered",
        compute="_compute_move_line_ids",
        store=True,
        readonly=False,
        help="Instalments the promise covers; by default every open instalment of the customer.",
    )
    dispute_move_id = fields.Many2one(
        "account.move",
        string="Disputed Invoice",
        domain="[('commercial_partner_id', '=', partner_id), ('move_type', 'in', ('out_invoice', "
        "'out_receipt')), "
        "('state', '=', 'posted')]",
    )
    dispute_reason = fields.Text()
    action_id = fields.Many2one("collections.followup.action", readonly=True)
    dispute_id = fields.Many2one("collections.dispute", readonly=True)

    @api.depends("partner_id", "outcome")
    def _compute_move_line_ids(self):
        for wizard in self:
            if wizard.outcome != "promise" or not wizard.partner_id:
                wizard.move_line_ids = False
                continue
            claims = wizard.partner_id.with_company(wizard.company_id)._collections_claim_lines(wizard.date)
            wizard.move_line_ids = [fields.Command.set([claim["line_id"] for claim in claims])]

    def action_log(self):
        self.ensure_one()
        self._log_contact()
        return {"type": "ir.actions.act_window_close"}

    def _log_contact(self):
        """Record the contact (a follow-up action of kind 'contact') and its
        promise or dispute. Returns the action."""
        self.ensure_one()
        if not self.env.user.has_group("collections_followup.group_collections_user"):
            raise UserError(self.env._("Only collectors can log contacts."))
        partner = self.partner_id.commercial_partner_id
        if self.company_id not in self.env.companies:
            raise UserError(self.env._("Log the contact in a company you are working in."))
        promise = self.env["collections.promise"]
        if self.outcome == "promise":
            if not self.promise_date or self.promise_amount <= 0:
                raise UserError(self.env._("A promise to pay needs a date and a positive amount."))
            if self.promise_date < self.date:
                raise UserError(self.env._("The promised date cannot be before the contact."))
            lines = self.move_line_ids
            if not lines:
                claims = partner.with_company(self.company_id)._collections_claim_lines(self.date)
                lines = self.env["account.move.line"].browse([claim["line_id"] for claim in claims])
            if not lines:
                raise UserError(
                    self.env._("%(partner)s has no open instalment to promise.", partner=partner.display_name)
                )
            Promise = self.env["collections.promise"]
            Promise._collections_check_instalments(lines, partner, self.company_id, open_only=True)
            # sudo: the user is a collector (checked above); the promise is
            # checked (instalments, amount, date) by collections.promise.create.
            promise = Promise.sudo().create(
                {
                    "partner_id": partner.id,
                    "company_id": self.company_id.id,
                    "date": self.promise_date,
                    "amount": self.promise_amount,
                    "currency_id": self.company_id.currency_id.id,
                    "move_line_ids": [fields.Command.set(lines.ids)],
                    "user_id": self.env.user.id,
                    "note": self.note,
                }
            )
        if self.outcome == "dispute":
            if not self.dispute_move_id or not (self.dispute_reason or "").strip():
                raise UserError(self.env._("A dispute needs the invoice and the reason."))
            partner._collections_own_invoice(self.dispute_move_id.id, partner, self.company_id)
            self.dispute_id = self.env["collections.dispute"].browse(
                self.dispute_move_id.collections_dispute_open(self.dispute_reason.strip())
            )
        collector = partner.with_company(self.company_id).collections_responsible_id
        action = (
            self.env["collections.followup.action"]
            .sudo()
            .create(
                {
                    "partner_id": partner.id,
                    "company_id": self.company_id.id,
                    "date": self.date,
                    "kind": "contact",
                    "state": "done",
                    "user_id": self.env.user.id,
                    "collector_id": collector.id or self.env.user.id,
                    "outcome": self.outcome,
                    "right_party_contact": self.right_party_contact,
                    "note": self.note,
                    "promise_id": promise.id,
                }
            )
        )
        outcomes = dict(self._fields["outcome"]._description_selection(self.env))
        partner.sudo().message_post(
            body=self.env._(
                "Contact logged: %(outcome)s%(rpc)s. %(note)s",
                outcome=outcomes[self.outcome],
                rpc=self.env._(" (right person reached)") if self.right_party_contact else "",
                note=self.note or "",
            ),
            subtype_xmlid="mail.mt_note",
        )
        self.action_id = action
        return action
