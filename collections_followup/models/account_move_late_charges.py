from collections import defaultdict

from odoo import _, fields, models

from .rpc import in_user_language


class AccountMove(models.Model):
    """Late charges of customer invoices: the "as of today" box, the charge
    invoices made from them and the public methods for scripts."""

    _inherit = "account.move"

    collections_is_charge_invoice = fields.Boolean(
        string="Late Charge Invoice",
        readonly=True,
        copy=False,
        index=True,
        help="This invoice charges fines, interest and correction of other invoices; "
        "it accrues no late charges itself.",
    )
    collections_charge_ids = fields.One2many(
        "collections.charge", "charge_move_id", string="Charged Instalments"
    )
    collections_late_fine = fields.Monetary(
        string="Fine", compute="_compute_collections_late_charges", currency_field="currency_id"
    )
    collections_late_interest = fields.Monetary(
        string="Interest", compute="_compute_collections_late_charges", currency_field="currency_id"
    )
    collections_late_correction = fields.Monetary(
        string="Monetary Correction",
        compute="_compute_collections_late_charges",
        currency_field="currency_id",
    )
    collections_late_total = fields.Monetary(
        string="Late Charges", compute="_compute_collections_late_charges", currency_field="currency_id"
    )
    collections_late_updated_total = fields.Monetary(
        string="Updated Amount Due",
        compute="_compute_collections_late_charges",
        currency_field="currency_id",
        help="Amount still due plus late charges.",
    )
    collections_late_invoiced = fields.Monetary(
        string="Already Invoiced", compute="_compute_collections_late_charges", currency_field="currency_id"
    )
    collections_late_waived = fields.Monetary(
        string="Waived", compute="_compute_collections_late_charges", currency_field="currency_id"
    )
    collections_late_to_invoice = fields.Monetary(
        string="To Invoice", compute="_compute_collections_late_charges", currency_field="currency_id"
    )
    collections_late_days = fields.Integer(string="Days Late", compute="_compute_collections_late_charges")
    collections_late_capped = fields.Boolean(compute="_compute_collections_late_charges")
    collections_late_visible = fields.Boolean(compute="_compute_collections_late_charges")

    def _compute_collections_late_charges(self):
        invoices = self.filtered(
            lambda move: (
                isinstance(move.id, int)
                and move.state == "posted"
                and move.move_type in ("out_invoice", "out_receipt")
                and not move.collections_is_charge_invoice
            )
        )
        charges = invoices.line_ids._collections_late_charges()
        per_move = defaultdict(list)
        for line in invoices.line_ids:
            if line.id in charges:
                per_move[line.move_id.id].append(charges[line.id])
        for move in self:
            instalments = per_move.get(move.id, [])

            def total(name, instalments=instalments):
                return sum(values[name] for values in instalments)

            move.collections_late_fine = total("fine")
            move.collections_late_interest = total("interest")
            move.collections_late_correction = total("correction")
            move.collections_late_total = total("total")
            move.collections_late_updated_total = total("updated_total")
            move.collections_late_invoiced = total("invoiced")
            move.collections_late_waived = total("waived")
            move.collections_late_to_invoice = total("to_invoice")
            move.collections_late_days = max([values["days_late"] for values in instalments] or [0])
            move.collections_late_capped = any(values["capped"] for values in instalments)
            move.collections_late_visible = bool(move.collections_late_days or move.collections_late_total)

    def action_collections_invoice_late_charges(self):
        """Open the wizard that invoices the late charges accrued to a date."""
        return {
            "type": "ir.actions.act_window",
            "name": _("Invoice Late Charges"),
            "res_model": "collections.charge.invoice",
            "view_mode": "form",
            "target": "new",
            "context": {"default_move_ids": self.ids},
        }

    def action_collections_waive_late_charges(self):
        """Open the wizard that waives late charges (Collections Manager)."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Waive Late Charges"),
            "res_model": "collections.charge.waive",
            "view_mode": "form",
            "target": "new",
            "context": {"default_move_id": self.id},
        }

    def action_collections_view_charges(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Late Charges"),
            "res_model": "collections.charge",
            "view_mode": "list,form",
            "domain": ["|", ("move_id", "=", self.id), ("charge_move_id", "=", self.id)],
        }

    @in_user_language
    def collections_late_charges(self, as_of=None):
        """Late charges of these invoices' instalments on ``as_of``.

        :param as_of: ISO date string (or date); today when empty; a day ahead
            is a preview (up to five years).
        :return: a list with one dict per invoice: ``invoice_id``, ``name``,
            ``partner_id``, ``currency``, ``as_of`` (ISO), the invoice totals
            ``fine``, ``interest``, ``correction``, ``total``, ``residual``,
            ``updated_total``, and ``instalments``: a list of dicts with
            ``line_id``, ``due_date`` (ISO), ``amount`` and the keys of
            ``account.move.line._collections_late_charges`` (``fine``,
            ``interest``, ``correction``, ``total``, ``residual``,
            ``updated_total``, ``days_late``, ``fine_rate_applied``,
            ``capped``, ``currency``, ``invoiced``, ``waived``, ``to_invoice``).
            Amounts are floats in the invoice's currency, rounded to it.
        """
        lines = self.env["account.move.line"]
        as_of = lines._collections_as_of(as_of, future=True)
        charges = self.line_ids._collections_late_charges(as_of)
        result = []
        for move in self:
            instalments = []
            for line in move.line_ids.sorted(lambda line: (line.date_maturity or line.date, line.id)):
                if line.id not in charges:
                    continue
                foreign = line.currency_id != line.company_currency_id
                instalments.append(
                    dict(
                        charges[line.id],
                        line_id=line.id,
                        amount=line.amount_currency if foreign else line.balance,
                    )
                )
            totals = {
                name: move.currency_id.round(sum(values[name] for values in instalments))
                for name in ("fine", "interest", "correction", "total", "residual", "updated_total")
            }
            result.append(
                dict(
                    totals,
                    invoice_id=move.id,
                    name=move.name,
                    partner_id=move.commercial_partner_id.id,
                    currency=move.currency_id.name,
                    as_of=fields.Date.to_string(as_of),
                    instalments=instalments,
                )
            )
        return result

    @in_user_language
    def collections_invoice_late_charges(self, as_of=None):
        """Invoice the late charges of these invoices accrued up to ``as_of``.

        Charges only what accrued since the last invoicing and was not waived,
        one customer invoice per partner and currency; the policy must invoice
        charges ("on demand" or "on payment").

        :param as_of: ISO date string (or date), not after today; today when
            empty. Invoicing the same customer twice at the same moment
            charges once (see ``collections.charge._collections_lock_customers``).
        :return: ids of the created charge invoices (list of int, empty when
            nothing is left to invoice).
        """
        as_of = self.env["account.move.line"]._collections_as_of(as_of)
        lines = self.filtered(lambda move: not move.collections_is_charge_invoice).line_ids
        return lines._collections_invoice_charges(as_of).ids
