from odoo import _, api, fields, models

from ..lib import late_fees
from .rpc import in_user_language


class ResPartner(models.Model):
    """Consumer status (for the legal fine cap) and the late charges of the
    partner's overdue instalments in the current company."""

    _inherit = "res.partner"

    collections_consumer = fields.Boolean(
        string="Consumer",
        compute="_compute_collections_consumer",
        store=True,
        readonly=False,
        help="Consumers pay at most a 2% late fine (Código de Defesa do Consumidor, art. 52 §1º). "
        "Individuals are consumers and companies are not unless you change it here; "
        "changing the company type resets it.",
    )
    collections_late_currency_id = fields.Many2one(
        "res.currency", compute="_compute_collections_late_charges"
    )
    collections_late_fine = fields.Monetary(
        string="Fines",
        compute="_compute_collections_late_charges",
        currency_field="collections_late_currency_id",
    )
    collections_late_interest = fields.Monetary(
        string="Interest",
        compute="_compute_collections_late_charges",
        currency_field="collections_late_currency_id",
    )
    collections_late_correction = fields.Monetary(
        string="Monetary Correction",
        compute="_compute_collections_late_charges",
        currency_field="collections_late_currency_id",
    )
    collections_late_total = fields.Monetary(
        string="Late Charges",
        compute="_compute_collections_late_charges",
        currency_field="collections_late_currency_id",
    )
    collections_late_updated_total = fields.Monetary(
        string="Updated Amount Due",
        compute="_compute_collections_late_charges",
        currency_field="collections_late_currency_id",
        help="Overdue residual plus late charges, in the company's currency.",
    )
    collections_late_line_ids = fields.Many2many(
        "account.move.line", string="Overdue Instalments", compute="_compute_collections_late_charges"
    )
    collections_fine_capped = fields.Boolean(compute="_compute_collections_late_charges")

    @api.depends("is_company")
    def _compute_collections_consumer(self):
        for partner in self:
            partner.collections_consumer = not partner.is_company

    def _compute_collections_late_charges(self):
        """Overdue open instalments of the commercial partners, in the
        current company, converted to its currency at today's rate."""
        company = self.env.company
        today = fields.Date.context_today(self)
        commercial = self.filtered(lambda p: isinstance(p.id, int)).commercial_partner_id
        lines = (
            self.env["account.move.line"]
            .sudo()
            .browse(self._collections_overdue_line_ids(company, today, commercial.ids))
            if commercial
            else self.env["account.move.line"]
        )
        charges = lines._collections_late_charges(today)
        policies = {}
        for partner in self:
            own = lines.filtered(
                lambda line, partner=partner: (
                    line.partner_id.commercial_partner_id == partner.commercial_partner_id
                )
            )
            totals = dict.fromkeys(("fine", "interest", "correction", "total", "updated_total"), 0.0)
            for line in own:
                values = charges.get(line.id)
                if not values:
                    continue
                currency = line.currency_id
                for name in totals:
                    totals[name] += currency._convert(values[name], company.currency_id, company, today)
            partner.collections_late_currency_id = company.currency_id
            partner.collections_late_fine = totals["fine"]
            partner.collections_late_interest = totals["interest"]
            partner.collections_late_correction = totals["correction"]
            partner.collections_late_total = totals["total"]
            partner.collections_late_updated_total = totals["updated_total"]
            partner.collections_late_line_ids = own
            commercial_partner = partner.commercial_partner_id.with_company(company)
            policy = commercial_partner.collections_policy_id or company.collections_policy_id
            if policy.id not in policies:
                policies[policy.id] = policy.sudo()
            policy = policies[policy.id]
            partner.collections_fine_capped = bool(
                commercial_partner.collections_consumer
                and policy.apply_consumer_cap
                and policy.fine_rate > float(late_fees.LEGAL_CONSUMER_FINE_CAP)
            )

    def _collections_late_charge_rows(self, as_of=None):
        """Rows of the late charges of this customer's overdue open instalments
        in the current company on ``as_of`` (today when empty), oldest first,
        for dunning e-mails and letters: dicts with ``invoice`` (name),
        ``due_date`` (date), ``days_late``, ``residual``, ``fine``,
        ``interest``, ``correction``, ``total``, ``updated_total`` (floats in
        ``currency``, a ``res.currency`` record)."""
        self.ensure_one()
        lines = self.env["account.move.line"]
        as_of = lines._collections_as_of(as_of, future=True)
        instalments = lines.sudo().browse(
            self._collections_overdue_line_ids(self.env.company, as_of, self.commercial_partner_id.ids)
        )
        charges = instalments._collections_late_charges(as_of)
        rows = []
        for line in instalments:
            values = charges[line.id]
            foreign = line.currency_id != line.company_currency_id
            rows.append(
                dict(
                    {
                        name: values[name]
                        for name in (
                            "days_late",
                            "residual",
                            "fine",
                            "interest",
                            "correction",
                            "total",
                            "updated_total",
                        )
                    },
                    invoice=line.move_id.name,
                    due_date=line.date_maturity,
                    currency=line.currency_id if foreign else line.company_currency_id,
                )
            )
        return rows

    @api.model
    def _collections_overdue_line_ids(self, company, as_of, partner_ids):
        """Ids of the overdue open instalments of ``partner_ids`` on ``as_of``,
        due date order: the one definition of the receivable snapshot."""
        snapshot = self.env["collections.receivable"]._snapshot(company, as_of, partner_ids=partner_ids)
        return [
            item.line_id
            for item in sorted(snapshot.items.values(), key=lambda i: (i.due_date, i.line_id))
            if snapshot.is_overdue(item)
        ]

    def action_collections_invoice_late_charges(self):
        """Open the wizard that invoices the late charges accrued to a date."""
        return {
            "type": "ir.actions.act_window",
            "name": _("Invoice Late Charges"),
            "res_model": "collections.charge.invoice",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_ids": self.commercial_partner_id.ids},
        }

    @in_user_language
    def collections_invoice_late_charges(self, as_of=None):
        """Invoice the late charges of these partners accrued up to ``as_of``.

        Only what accrued since the last invoicing and was not waived is
        charged, one customer invoice per partner and currency (lines
        "multa", "juros", "correção"); running it twice for the same date
        creates nothing the second time.

        :param as_of: ISO date (string) or date, not after today; today when
            empty. Concurrent calls for the same customer charge once.
        :return: ids of the created charge invoices (list of int).
        """
        as_of = self.env["account.move.line"]._collections_as_of(as_of)
        lines = self._collections_chargeable_instalments(as_of)
        return lines._collections_invoice_charges(as_of).ids

    def _collections_chargeable_instalments(self, as_of):
        """Receivable instalments of these partners' customer invoices in the
        current company, due before ``as_of`` (paid or not)."""
        return self.env["account.move.line"].search(
            [
                ("company_id", "=", self.env.company.id),
                ("partner_id", "child_of", self.commercial_partner_id.ids),
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("balance", ">", 0),
                ("date_maturity", "<", as_of),
                ("move_id.move_type", "in", ("out_invoice", "out_receipt")),
                ("move_id.collections_is_charge_invoice", "=", False),
            ]
        )
