import logging
from collections import defaultdict

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError

from ..lib import late_fees
from ..lib.money import ZERO, round_money, to_decimal

_logger = logging.getLogger(__name__)

CHARGE_COMPONENTS = ("fine", "interest", "correction")  # one charge invoice line each


def _flatten_plan(plan):
    """Every move line of a reconciliation plan (recordsets nested in lists)."""
    for item in plan:
        if isinstance(item, (list, tuple)):
            yield from _flatten_plan(item)
        else:
            yield item


class AccountMoveLine(models.Model):
    """Late charges (multa, juros de mora, correção monetária) of receivable
    instalments. The rules live in ``lib.late_fees``; this shell gathers the
    payments, holidays, disputes and terms set-based and calls them."""

    _inherit = "account.move.line"

    collections_fine_amount = fields.Monetary(
        string="Fine", compute="_compute_collections_late_charges", currency_field="currency_id")
    collections_interest_amount = fields.Monetary(
        string="Interest", compute="_compute_collections_late_charges", currency_field="currency_id")
    collections_correction_amount = fields.Monetary(
        string="Correction", compute="_compute_collections_late_charges", currency_field="currency_id")
    collections_charges_amount = fields.Monetary(
        string="Late Charges", compute="_compute_collections_late_charges", currency_field="currency_id")
    collections_updated_amount = fields.Monetary(
        string="Updated Total", compute="_compute_collections_late_charges", currency_field="currency_id")
    collections_charge_days = fields.Integer(string="Days Charged", compute="_compute_collections_late_charges")

    def _compute_collections_late_charges(self):
        charges = self.filtered(lambda line: isinstance(line.id, int))._collections_late_charges()
        for line in self:
            values = charges.get(line.id, {})
            line.collections_fine_amount = values.get("fine", 0.0)
            line.collections_interest_amount = values.get("interest", 0.0)
            line.collections_correction_amount = values.get("correction", 0.0)
            line.collections_charges_amount = values.get("total", 0.0)
            line.collections_updated_amount = values.get("updated_total", 0.0)
            line.collections_charge_days = values.get("days_late", 0)

    # --- reconciliation hook: invoice the charges of instalments paid late ---
    @api.model
    def _reconcile_plan(self, reconciliation_plan):
        lines = self.browse([line.id for lines in _flatten_plan(reconciliation_plan) for line in lines])
        result = super()._reconcile_plan(reconciliation_plan)
        if not self.env.context.get("collections_no_charge_invoicing"):
            lines._collections_invoice_on_payment()
        return result

    # --- public API ---------------------------------------------------------
    def _collections_late_charges(self, as_of=None):
        """Late charges of these receivable instalments on ``as_of``.

        :param as_of: date or ISO string, today (user's timezone) when empty.
        :return: ``{line id: {'fine', 'interest', 'correction', 'total',
            'residual', 'updated_total', 'days_late', 'fine_rate_applied',
            'capped', 'currency', 'due_date', 'invoiced', 'waived',
            'to_invoice'}}``: amounts are floats rounded to the instalment's
            currency (named by ``currency``); ``invoiced``, ``waived`` and
            ``to_invoice`` are the totals already invoiced, waived and still
            to invoice; ``due_date`` is an ISO date. Lines that are not posted
            receivable debits (instalments) are left out.
        """
        as_of = self._collections_as_of(as_of)
        computed = self._collections_compute_charges(as_of)
        charged = self.browse(list(computed))._collections_charged_amounts()
        result = {}
        for line_id, info in computed.items():
            charges, currency = info["charges"], info["currency"]
            invoiced, waived = charged[line_id]["invoiced"], charged[line_id]["waived"]
            to_invoice = late_fees.charges_to_invoice(charges, invoiced, waived, info["rounding"])
            result[line_id] = {
                "fine": float(charges.fine),
                "interest": float(charges.interest),
                "correction": float(charges.correction),
                "total": float(charges.total),
                "residual": float(charges.residual),
                "updated_total": float(charges.updated_total),
                "days_late": charges.days_late,
                "fine_rate_applied": float(charges.fine_rate_applied),
                "capped": charges.capped,
                "currency": currency.name,
                "due_date": fields.Date.to_string(info["due_date"]),
                "invoiced": float(sum(invoiced.values(), ZERO)),
                "waived": float(sum(waived.values(), ZERO)),
                "to_invoice": float(sum(to_invoice.values(), ZERO)),
            }
        return result

    # --- gathering ------------------------------------------------------------
    @api.model
    def _collections_as_of(self, as_of):
        if not as_of:
            return fields.Date.context_today(self)
        try:
            return fields.Date.to_date(as_of)
        except ValueError:
            raise UserError(_("“%(date)s” is not a date (expected YYYY-MM-DD).", date=as_of)) from None

    def _collections_instalments(self):
        """The posted receivable debit lines (instalments) of ``self``."""
        return self.filtered(
            lambda line: line.parent_state == "posted"
            and line.account_id.account_type == "asset_receivable"
            and line.balance > 0
        )

    def _collections_compute_charges(self, as_of):
        """{line id: {'charges': lib Charges, 'currency', 'rounding', 'due_date',
        'policy', 'line'}} for the instalments of ``self`` on ``as_of``.

        Everything is read in sudo, a few queries for the whole recordset:
        the caller's right to see the instalments was checked by reading them.
        """
        instalments = self._collections_instalments().sudo()
        if not instalments:
            return {}
        payments = instalments._collections_payments()
        disputes = instalments.move_id._collections_dispute_periods()
        due_dates = {line.id: line.date_maturity or line.move_id.invoice_date_due or line.date
                     for line in instalments}
        calendars = {
            company.id: company._collections_working_days_for(due_dates.values(), as_of)
            for company in instalments.company_id
        }
        terms = instalments._collections_terms()
        result = {}
        for line in instalments:
            foreign = line.currency_id != line.company_currency_id
            currency = line.currency_id if foreign else line.company_currency_id
            amount = line.amount_currency if foreign else line.balance
            rounding = to_decimal(currency.rounding)
            policy, line_terms = terms[line.id]
            holidays, weekend = calendars[line.company_id.id]
            try:
                charges = late_fees.compute_charges(
                    amount, due_dates[line.id], payments[line.id], as_of, line_terms,
                    rounding=rounding, holidays=holidays, weekend=weekend,
                    dispute_periods=disputes.get(line.move_id.id, ()),
                )
            except ValueError as error:
                raise UserError(_("The late charges of %(invoice)s cannot be computed: %(error)s",
                                  invoice=line.move_id.display_name, error=error)) from None
            result[line.id] = {
                "charges": charges, "currency": currency, "rounding": rounding,
                "due_date": due_dates[line.id], "policy": policy, "line": line,
            }
        return result

    def _collections_payments(self):
        """{line id: [(date, Decimal amount in the line's currency)]}: the
        partial reconciliations that reduce each instalment, dated by their
        credit line (the payment or credit note)."""
        payments = defaultdict(list)
        partials = self.env["account.partial.reconcile"].sudo().search_fetch(
            [("debit_move_id", "in", self.ids)],
            ["debit_move_id", "credit_move_id", "amount", "debit_amount_currency"],
        )
        partials.credit_move_id.fetch(["date"])
        for partial in partials:
            line = partial.debit_move_id
            foreign = line.currency_id != line.company_currency_id
            amount = partial.debit_amount_currency if foreign else partial.amount
            if amount:
                payments[line.id].append((partial.credit_move_id.date, to_decimal(amount)))
        return payments

    def _collections_terms(self):
        """{line id: (policy, lib FeeTerms)}: the partner's policy in the
        line's company, or the company's default; no charges without a policy
        and none on late-charge invoices themselves (no interest on interest)."""
        result, cache = {}, {}
        for company in self.company_id:
            for line in self.filtered(lambda line: line.company_id == company):
                partner = line.partner_id.commercial_partner_id.with_company(company)
                if line.move_id.collections_is_charge_invoice:
                    result[line.id] = (self.env["collections.policy"], late_fees.FeeTerms())
                    continue
                policy = partner.collections_policy_id or company.collections_policy_id
                consumer = bool(partner.collections_consumer)
                key = (policy.id, consumer)
                if key not in cache:
                    cache[key] = policy._collections_fee_terms(consumer=consumer)
                result[line.id] = (policy, cache[key])
        return result

    def _collections_charged_amounts(self):
        """{line id: {'invoiced': {component: Decimal}, 'waived': {...}}} from
        the charges recorded so far; charges of cancelled or deleted charge
        invoices do not count."""
        result = {line_id: {"invoiced": {}, "waived": {}} for line_id in self.ids}
        groups = self.env["collections.charge"].sudo()._read_group(
            [("move_line_id", "in", self.ids), ("state", "in", ("invoiced", "waived"))],
            ["move_line_id", "state"],
            ["fine_amount:sum", "interest_amount:sum", "correction_amount:sum"],
        )
        for line, state, fine, interest, correction in groups:
            foreign = line.currency_id != line.company_currency_id
            rounding = (line.currency_id if foreign else line.company_currency_id).rounding
            values = dict(zip(("fine", "interest", "correction"), (fine, interest, correction)))
            result[line.id][state] = {name: round_money(value, rounding) for name, value in values.items()}
        return result

    def _collections_left_to_invoice(self, as_of):
        """{line id: {component: Decimal}}: accrued on ``as_of`` minus what was
        invoiced (on charge invoices that are not cancelled) or waived."""
        computed = self._collections_compute_charges(as_of)
        charged = self.browse(list(computed))._collections_charged_amounts()
        return {
            line_id: late_fees.charges_to_invoice(
                info["charges"], charged[line_id]["invoiced"], charged[line_id]["waived"], info["rounding"])
            for line_id, info in computed.items()
        }

    # --- invoicing ----------------------------------------------------------
    def _collections_invoice_charges(self, as_of, modes=("on_demand", "on_payment")):
        """Invoice what accrued on these instalments up to ``as_of`` and was
        neither invoiced nor waived yet: one posted customer invoice per
        company, partner and currency, one line per component. Only the
        instalments whose policy invoices charges in one of ``modes`` count.

        :return: the created charge invoices (``account.move``).
        """
        computed = self._collections_compute_charges(as_of)
        charged = self.browse(list(computed))._collections_charged_amounts()
        groups = defaultdict(list)
        for line_id, info in computed.items():
            policy = info["policy"]
            if not policy or policy.charge_invoicing not in modes:
                continue
            due = late_fees.charges_to_invoice(
                info["charges"], charged[line_id]["invoiced"], charged[line_id]["waived"], info["rounding"])
            if any(due.values()):
                line = info["line"]
                key = (line.company_id, line.partner_id.commercial_partner_id, info["currency"], policy)
                groups[key].append((line, due))
        invoices = self.env["account.move"]
        for (company, partner, currency, policy), items in groups.items():
            invoices |= self._collections_create_charge_invoice(company, partner, currency, policy, items, as_of)
        return invoices

    @api.model
    def _collections_create_charge_invoice(self, company, partner, currency, policy, items, as_of):
        labels = {
            "fine": _("Late payment fine (multa)"),
            "interest": _("Late payment interest (juros de mora)"),
            "correction": _("Monetary correction (correção monetária)"),
        }
        invoice_lines = []
        for component in CHARGE_COMPONENTS:
            amount = sum((due[component] for _line, due in items), ZERO)
            if not amount:
                continue
            account = policy._collections_charge_account(component)
            product = policy[f"{component}_product_id"]
            if not account:
                raise UserError(_("The policy “%(policy)s” has no account for: %(component)s.",
                                  policy=policy.name, component=labels[component]))
            references = ", ".join(
                "%s (%s)" % (line.move_id.name, fields.Date.to_string(line.date_maturity))
                for line, due in items if due[component]
            )
            invoice_lines.append(Command.create({
                "product_id": product.id,
                "name": "%s: %s" % (labels[component], references),
                "account_id": account.id,
                "quantity": 1,
                "price_unit": float(amount),
                "tax_ids": [Command.clear()],
            }))
        # A fresh context: the reconciliation that may call this runs with
        # skip_invoice_sync and friends, which would leave the invoice unbalanced.
        context = {key: value for key, value in self.env.context.items()
                   if key in ("lang", "tz", "uid", "tracking_disable", "mail_create_nolog", "mail_notrack",
                              "mail_create_nosubscribe", "collections_no_charge_invoicing")}
        moves = self.env["account.move"].with_context(context).with_company(company)
        vals = {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "company_id": company.id,
            "currency_id": currency.id,
            "invoice_date": as_of,
            "invoice_origin": ", ".join(sorted({line.move_id.name for line, _due in items})),
            "collections_is_charge_invoice": True,
            "invoice_line_ids": invoice_lines,
        }
        if policy.charge_journal_id:
            vals["journal_id"] = policy.charge_journal_id.id
        # sudo: only this method may mark an invoice as a late-charge invoice
        # (refused to users in account.move create/write); sudo() keeps the
        # user as the creator, and the caller checked the right to invoice.
        invoice = moves.sudo().create(vals).sudo(False)
        moves.env["collections.charge"].create([
            {
                "move_line_id": line.id,
                "partner_id": partner.id,
                "company_id": company.id,
                "currency_id": currency.id,
                "date": as_of,
                "kind": "invoice",
                "charge_move_id": invoice.id,
                "fine_amount": float(due["fine"]),
                "interest_amount": float(due["interest"]),
                "correction_amount": float(due["correction"]),
            }
            for line, due in items
        ])
        invoice.action_post()
        return invoice.with_env(self.env)

    def _collections_invoice_on_payment(self):
        """Invoice the charges of the late instalments of ``self`` that are
        now fully paid, when their policy says 'on payment'. A failure never
        blocks the payment: it is logged on the instalment's invoice."""
        settled = self._collections_instalments().filtered(
            lambda line: line.reconciled and not line.move_id.collections_is_charge_invoice
        )
        if not settled:
            return
        settled = settled.sudo()
        terms = settled._collections_terms()
        settled = settled.filtered(lambda line: terms[line.id][0].charge_invoicing == "on_payment")
        today = fields.Date.context_today(self)
        by_day = defaultdict(lambda: self.browse())
        for line in settled:
            last_payment = max(line.matched_credit_ids.credit_move_id.mapped("date") or [today])
            by_day[max(today, last_payment)] |= line
        for as_of, lines in by_day.items():
            try:
                with self.env.cr.savepoint():
                    lines.with_context(collections_no_charge_invoicing=True)._collections_invoice_charges(
                        as_of, modes=("on_payment",))
            except (UserError, ValueError) as error:
                _logger.warning("Late charges of %s not invoiced: %s", lines.move_id.mapped("name"), error)
                for move in lines.move_id:
                    move.message_post(body=_("The late charges could not be invoiced automatically: %(error)s",
                                             error=error))
