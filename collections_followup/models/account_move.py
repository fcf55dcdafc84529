import logging
from collections import defaultdict
from datetime import date, datetime, timedelta
from types import MappingProxyType

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools.misc import format_date
from odoo.tools.sql import create_index

from ..lib import dunning, late_fees
from ..lib.money import ZERO, round_money, to_decimal
from ..lib.workdays import days_late as lib_days_late
from .bulk import IdArray, gc_paused
from .rpc import in_user_language

_logger = logging.getLogger(__name__)

CHARGE_COMPONENTS = ("fine", "interest", "correction")  # one charge invoice line each

# What ``_collections_charged_amounts`` gives a line with nothing invoiced or waived.
NOTHING_CHARGED = MappingProxyType({"invoiced": MappingProxyType({}), "waived": MappingProxyType({})})
AS_OF_MIN = date(2000, 1, 1)  # no earlier day makes sense for charges (nor for the index)

AS_OF_MAX_AHEAD = timedelta(days=366 * 5)  # how far a preview may look ahead


def _flatten_plan(plan):
    """Every move line of a reconciliation plan (recordsets nested in lists)."""
    for item in plan:
        if isinstance(item, (list, tuple)):
            yield from _flatten_plan(item)
        else:
            yield item


class AccountMove(models.Model):
    _inherit = "account.move"

    def init(self):
        result = super().init()
        # The credit check's overdue aggregate (collections.receivable
        # _overdue_sums) and the snapshot of some customers start from the
        # customers' documents: without this index PostgreSQL reads every
        # move of the company on each post (6 ms at 30,000 moves, 0.15 ms with it).
        create_index(
            self.env.cr,
            "account_move_collections_commercial_partner_index",
            self._table,
            ["commercial_partner_id"],
        )
        return result

    collections_dispute_ids = fields.One2many("collections.dispute", "move_id", string="Disputes")
    collections_in_dispute = fields.Boolean(
        string="In Dispute",
        compute="_compute_collections_in_dispute",
        store=True,
        index=True,
        help="The customer contests this invoice: it is not chased and accrues no late charges.",
    )

    @api.depends("collections_dispute_ids.is_open")
    def _compute_collections_in_dispute(self):
        for move in self:
            move.collections_in_dispute = any(move.collections_dispute_ids.mapped("is_open"))

    def _collections_dispute_periods(self):
        """{move id: [(date_start, date_end or None), ...]} for the late-fee rules."""
        periods = {move.id: [] for move in self}
        for dispute in self.env["collections.dispute"].search([("move_id", "in", self.ids)]):
            periods[dispute.move_id.id].append((dispute.date_start, dispute.date_end or None))
        return periods

    def action_collections_dispute_open(self):
        """Open the wizard that puts this invoice in dispute (with a reason)."""
        self.ensure_one()
        return self._collections_dispute_wizard("open")

    def action_collections_dispute_close(self):
        """Open the wizard that ends this invoice's dispute (with a resolution)."""
        self.ensure_one()
        return self._collections_dispute_wizard("close")

    def _collections_dispute_wizard(self, mode):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Dispute") if mode == "open" else self.env._("End Dispute"),
            "res_model": "collections.dispute.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_move_id": self.id, "default_mode": mode},
        }

    @in_user_language
    def collections_dispute_open(self, reason):
        """Put these customer invoices in dispute (XML-RPC friendly): they are
        not chased and accrue no late charges until the dispute is closed.
        For collectors and billing users, on invoices they can read.

        :param reason: why the customer contests them (text, required)
        :returns: the ids of the disputes opened
        """
        self._collections_check_dispute_right()
        # sudo: the user is a collector who can read these invoices; only the
        # dispute records, a chatter note and the follow-up's own pending work are written.
        return self.sudo()._collections_set_dispute(reason).ids

    @in_user_language
    def collections_dispute_close(self, resolution=None):
        """End the open disputes of these invoices (XML-RPC friendly): the
        follow-up chases them again. For collectors and billing users, on
        invoices they can read.

        :param resolution: how it was settled (text, optional)
        :returns: the ids of the disputes closed
        """
        self._collections_check_dispute_right()
        if resolution is not None and not isinstance(resolution, str):
            raise UserError(self.env._("The resolution of a dispute must be a text."))
        # sudo: the user is a collector who can read these invoices; only the
        # dispute records and a chatter note are written, on their behalf.
        return self.sudo()._collections_clear_dispute((resolution or "").strip() or None).ids

    def _collections_check_dispute_right(self):
        """Collectors (and billing users, who are collectors) open and close
        disputes of invoices they can read: raise otherwise."""
        if not self:
            raise UserError(self.env._("Choose the invoices to dispute."))
        if not self.env.user.has_group("collections_followup.group_collections_user"):
            raise AccessError(self.env._("Only collectors can set or clear disputes."))
        self.check_access("read")

    def _collections_set_dispute(self, reason):
        """Put the invoices in dispute: they are not chased until it is cleared.
        Their queued dunning e-mails, pending contacts and the follow-up's
        call activity are closed (``collections.followup.action._collections_close_loop``)."""
        if not isinstance(reason, str) or not reason.strip():
            raise UserError(self.env._("Give the reason of the dispute."))
        reason = reason.strip()
        for move in self:
            if move.move_type not in ("out_invoice", "out_receipt") or move.state != "posted":
                raise UserError(
                    self.env._(
                        "Only posted customer invoices can be disputed: %(move)s is not one.",
                        move=move.display_name,
                    )
                )
            if move.collections_in_dispute:
                raise UserError(
                    self.env._("The invoice %(invoice)s is already in dispute.", invoice=move.name)
                )
        disputes = self.env["collections.dispute"].create(
            [{"move_id": move.id, "reason": reason} for move in self]
        )
        for move in self:
            move.message_post(
                body=self.env._("Dispute opened: %(reason)s", reason=reason), subtype_xmlid="mail.mt_note"
            )
        instalments = self.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable" and line.balance > 0
        )
        self.env["collections.followup.action"]._collections_close_loop(
            instalments, self.env._("invoice in dispute (%(reason)s).", reason=reason)
        )
        return disputes

    def _collections_clear_dispute(self, resolution=None):
        """End the open disputes of the invoices: the follow-up chases them again."""
        disputes = self.collections_dispute_ids.filtered("is_open")
        if not disputes:
            raise UserError(self.env._("These invoices are not in dispute."))
        disputes.write(
            {
                "date_end": fields.Date.context_today(self),
                "closed_by_id": self.env.user.id,
                "resolution": resolution or False,
            }
        )
        for move in disputes.move_id:
            move.message_post(
                body=self.env._(
                    "Dispute closed: %(resolution)s",
                    resolution=resolution or self.env._("no resolution given"),
                ),
                subtype_xmlid="mail.mt_note",
            )
        return disputes

    # Late charges of customer invoices: the "as of today" box, the charge
    # invoices made from them and the public methods for scripts.

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
            "name": self.env._("Invoice Late Charges"),
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
            "name": self.env._("Waive Late Charges"),
            "res_model": "collections.charge.waive",
            "view_mode": "form",
            "target": "new",
            "context": {"default_move_id": self.id},
        }

    def action_collections_view_charges(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Late Charges"),
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

    collections_is_plan = fields.Boolean(
        string="Payment Plan Entry",
        readonly=True,
        copy=False,
        index=True,
        help="Renegotiation entry of a payment plan: its receivable lines are instalments chased by the "
        "follow-up.",
    )
    collections_plan_id = fields.Many2one(
        "collections.plan", string="Payment Plan", readonly=True, copy=False
    )

    collections_boleto_line = fields.Char(
        string="Boleto Line",
        copy=False,
        help="The boleto's digitable line (linha digitável), printed in the payment section of "
        "follow-up e-mails and letters that claim this invoice.",
    )


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    collections_days_late = fields.Integer(
        string="Days Late",
        compute="_compute_collections_followup",
        help="Days since the due date, moved to the next working day (negative before it).",
    )
    collections_level_id = fields.Many2one(
        "collections.level",
        string="Follow-up Level",
        compute="_compute_collections_followup",
        help="The highest level of the customer's policy this instalment has reached.",
    )

    def _compute_collections_followup(self):
        today = fields.Date.context_today(self)
        due_dates_by_company = defaultdict(list)
        for line in self:
            due_dates_by_company[line.company_id].append(line.date_maturity)
        working_days = {}
        policy_by_key = {}
        for line in self:
            company = line.company_id
            if company.id not in working_days:
                working_days[company.id] = company._collections_working_days_for(
                    due_dates_by_company[company], today
                )
            due_date = line.date_maturity
            if not due_date:
                line.collections_days_late = 0
                line.collections_level_id = False
                continue
            days = lib_days_late(due_date, today, *working_days[company.id])
            line.collections_days_late = days
            key = (line.move_id.commercial_partner_id.id, company.id)
            if key not in policy_by_key:
                partner = line.move_id.commercial_partner_id.with_company(company)
                policy_by_key[key] = (
                    partner._collections_policy() if partner else self.env["collections.policy"]
                )
            # the run's rule (lib.dunning.reached_position): pre-due levels from
            # the printed due date, the others from the effective one
            levels = policy_by_key[key].sudo().level_ids.sorted(lambda level: (level.days, level.id))
            position = dunning.reached_position(
                [level.days for level in levels], due_date, today, *working_days[company.id]
            )
            line.collections_level_id = levels[position - 1] if position else False

    # Late charges (multa, juros de mora, correção monetária) of receivable
    # instalments. The rules live in ``lib.late_fees``; this shell gathers the
    # payments, holidays, disputes and terms set-based and calls them.

    collections_fine_amount = fields.Monetary(
        string="Fine", compute="_compute_collections_late_charges", currency_field="currency_id"
    )
    collections_interest_amount = fields.Monetary(
        string="Interest", compute="_compute_collections_late_charges", currency_field="currency_id"
    )
    collections_correction_amount = fields.Monetary(
        string="Correction", compute="_compute_collections_late_charges", currency_field="currency_id"
    )
    collections_charges_amount = fields.Monetary(
        string="Late Charges", compute="_compute_collections_late_charges", currency_field="currency_id"
    )
    collections_updated_amount = fields.Monetary(
        string="Updated Total", compute="_compute_collections_late_charges", currency_field="currency_id"
    )
    collections_charge_days = fields.Integer(
        string="Days Charged", compute="_compute_collections_late_charges"
    )

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
        lines._collections_lift_paid_suspensions()
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
        as_of = self._collections_as_of(as_of, future=True)
        with gc_paused():
            return self._collections_late_charges_of(as_of)

    def _collections_late_charges_of(self, as_of):
        computed = self._collections_charges_computed(as_of)
        charged = self._collections_charged_amounts({item[0][0]: item[3] for item in computed})
        result = {}
        charges_to_invoice = late_fees.charges_to_invoice
        currency_names = {}
        nothing = NOTHING_CHARGED
        for row, _policy, charges, rounding, currency in computed:
            line_id = row[0]
            currency_name = currency_names.get(currency.id)
            if currency_name is None:
                currency_name = currency_names[currency.id] = currency.name
            done = charged.get(line_id, nothing)
            invoiced, waived = done["invoiced"], done["waived"]
            if invoiced or waived:
                to_invoice = float(
                    sum(charges_to_invoice(charges, invoiced, waived, rounding).values(), ZERO)
                )
                invoiced_total = float(sum(invoiced.values(), ZERO))
                waived_total = float(sum(waived.values(), ZERO))
            else:
                to_invoice, invoiced_total, waived_total = float(charges.total), 0.0, 0.0
            fine, interest, correction, total, residual, updated, days, fine_rate, capped = charges
            result[line_id] = {
                "fine": float(fine),
                "interest": float(interest),
                "correction": float(correction),
                "total": float(total),
                "residual": float(residual),
                "updated_total": float(updated),
                "days_late": days,
                "fine_rate_applied": float(fine_rate),
                "capped": capped,
                "currency": currency_name,
                "due_date": row[6].isoformat(),
                "invoiced": invoiced_total,
                "waived": waived_total,
                "to_invoice": to_invoice,
            }
        return result

    # --- gathering ------------------------------------------------------------
    @api.model
    def _collections_as_of(self, as_of, future=False):
        """``as_of`` as a date: today (user's timezone) when empty, else a date
        or an ISO ``YYYY-MM-DD`` string from 2000-01-01 on. A day after today
        is refused unless ``future`` (a preview may look ahead; invoicing may
        not). Anything else (numbers, lists, booleans, text) is a UserError,
        as the value may come straight from an RPC call."""
        if as_of is None or as_of is False or as_of == "":
            return fields.Date.context_today(self)
        day = None
        if isinstance(as_of, datetime):
            day = as_of.date()
        elif isinstance(as_of, date):
            day = as_of
        elif isinstance(as_of, str) and len(as_of) == 10:
            try:
                day = date.fromisoformat(as_of)
            except ValueError:
                day = None
        if day is None:
            raise UserError(self.env._("“%(date)s” is not a date (expected YYYY-MM-DD).", date=as_of))
        today = fields.Date.context_today(self)
        if day < AS_OF_MIN:
            raise UserError(
                self.env._(
                    "Late charges are computed from %(first)s on, not on %(date)s.",
                    first=format_date(self.env, AS_OF_MIN),
                    date=format_date(self.env, day),
                )
            )
        if day > today and not future:
            raise UserError(
                self.env._(
                    "Late charges cannot be invoiced ahead of time: %(date)s is after today (%(today)s).",
                    date=format_date(self.env, day),
                    today=format_date(self.env, today),
                )
            )
        if day > today + AS_OF_MAX_AHEAD:
            raise UserError(
                self.env._(
                    "%(date)s is too far ahead: late charges can be previewed up to %(last)s.",
                    date=format_date(self.env, day),
                    last=format_date(self.env, today + AS_OF_MAX_AHEAD),
                )
            )
        return day

    def _collections_instalments(self):
        """The posted receivable debit lines (instalments) of ``self``."""
        rows = self._collections_instalment_rows()
        return self.browse([row[0] for row in rows])

    def _collections_instalment_rows(self):
        """One SQL query for the instalments of ``self`` (posted receivable
        debits): ``(id, move id, company id, commercial partner id, currency
        id, amount, due date, is a charge invoice)``. ``amount`` is in the
        line's currency when it differs from the company's (``currency id``
        is then the line's), else in the company's; the due date is the
        line's maturity, else the invoice's due date, else its date."""
        ids = [line_id for line_id in self.ids if isinstance(line_id, int)]
        if not ids:
            return []
        self.env["account.move.line"].flush_model(
            [
                "move_id",
                "company_id",
                "partner_id",
                "currency_id",
                "amount_currency",
                "balance",
                "date_maturity",
                "date",
                "parent_state",
                "account_id",
            ]
        )
        self.env["account.move"].flush_model(["invoice_date_due", "collections_is_charge_invoice"])
        self.env["account.account"].flush_model(["account_type"])
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        self.env["res.company"].flush_model(["currency_id"])
        self.env.cr.execute(
            """
            SELECT line.id, line.move_id, line.company_id,
                   COALESCE(partner.commercial_partner_id, line.partner_id),
                   CASE WHEN line.currency_id != company.currency_id
                        THEN line.currency_id ELSE company.currency_id END,
                   CASE WHEN line.currency_id != company.currency_id
                        THEN line.amount_currency ELSE line.balance END,
                   COALESCE(line.date_maturity, move.invoice_date_due, line.date),
                   COALESCE(move.collections_is_charge_invoice, FALSE)
              FROM account_move_line line
              JOIN account_move move ON move.id = line.move_id
              JOIN account_account account ON account.id = line.account_id
              JOIN res_company company ON company.id = line.company_id
         LEFT JOIN res_partner partner ON partner.id = line.partner_id
             WHERE line.id = ANY(%s)
               AND line.parent_state = 'posted'
               AND account.account_type = 'asset_receivable'
               AND line.balance > 0
        """,
            [IdArray(ids)],
        )
        rows = self.env.cr.fetchall()
        rows.sort()  # by line id (unique): cheaper here than PostgreSQL's on-disk sort
        return rows

    def _collections_compute_charges(self, as_of):
        """{line id: {'charges': lib Charges, 'currency', 'rounding', 'due_date',
        'policy', 'line_id', 'company_id', 'partner_id'}} for the instalments
        of ``self`` on ``as_of`` (``_collections_charges_computed`` as dicts)."""
        return {
            row[0]: {
                "charges": charges,
                "currency": currency,
                "rounding": rounding,
                "due_date": row[6],
                "policy": policy,
                "line_id": row[0],
                "company_id": row[2],
                "partner_id": row[3],
            }
            for row, policy, charges, rounding, currency in self._collections_charges_computed(as_of)
        }

    def _collections_charges_computed(self, as_of):
        """[(instalment row, policy, lib Charges, rounding, currency)] for the
        instalments of ``self`` on ``as_of``, in line order; the rows are
        ``_collections_instalment_rows``.

        Set-based: a few SQL queries for the whole recordset, read in sudo
        (the caller's right to see the instalments was checked by reading
        them), and one lib ``ChargeCalculator`` per company calendar.
        """
        rows = self._collections_instalment_rows()
        if not rows:
            return []
        sudo = self.sudo()
        line_ids = [row[0] for row in rows]
        payments = sudo.browse(line_ids)._collections_payments(rows)
        disputes = sudo._collections_dispute_periods_sql({row[1] for row in rows})
        terms_of = sudo._collections_terms_by_customer(rows)
        currencies = {
            currency.id: currency
            for currency in self.env["res.currency"].browse({row[4] for row in rows}).sudo()
        }
        roundings = {
            currency_id: to_decimal(currency.rounding) for currency_id, currency in currencies.items()
        }
        calculators = {}
        for company in self.env["res.company"].browse({row[2] for row in rows}).sudo():
            holidays, weekend = company._collections_working_days_for(
                [row[6] for row in rows if row[2] == company.id], as_of
            )
            calculators[company.id] = late_fees.ChargeCalculator(as_of, holidays, weekend)
        no_payments, no_disputes = (), ()
        by_company = defaultdict(list)
        for row in rows:
            by_company[row[2]].append(row)
        result = []
        for company_id, company_rows in by_company.items():
            terms = [terms_of(company_id, row[3], row[7]) for row in company_rows]
            try:
                charges = calculators[company_id].charges_many(
                    [
                        (
                            row[5],
                            row[6],
                            payments.get(row[0], no_payments),
                            line_terms[1],
                            roundings[row[4]],
                            disputes.get(row[1], no_disputes),
                        )
                        for row, line_terms in zip(company_rows, terms, strict=True)
                    ]
                )
            except late_fees.InstalmentError as error:
                move = self.env["account.move"].sudo().browse(company_rows[error.index][1])
                raise UserError(
                    self.env._(
                        "The late charges of %(invoice)s cannot be computed: %(error)s",
                        invoice=move.display_name,
                        error=error,
                    )
                ) from None
            result += [
                (row, line_terms[0], line_charges, roundings[row[4]], currencies[row[4]])
                for row, line_terms, line_charges in zip(company_rows, terms, charges, strict=True)
            ]
        if len(by_company) > 1:
            result.sort(key=lambda item: item[0][0])
        return result

    def _collections_payments(self, rows=None):
        """{line id: [(date, amount in the line's currency)]}: the partial
        reconciliations that reduce each instalment, dated by their credit
        line (the payment or credit note). One SQL query; ``rows`` are the
        ``_collections_instalment_rows`` of ``self`` when the caller has them."""
        rows = self._collections_instalment_rows() if rows is None else rows
        if not rows:
            return {}
        self.env["account.partial.reconcile"].flush_model(
            ["debit_move_id", "credit_move_id", "amount", "debit_amount_currency"]
        )
        self.env["account.move.line"].flush_model(["date", "currency_id", "company_id"])
        self.env["res.company"].flush_model(["currency_id"])
        self.env.cr.execute(
            """
            SELECT partial.debit_move_id, credit.date,
                   CASE WHEN debit.currency_id != company.currency_id
                        THEN partial.debit_amount_currency ELSE partial.amount END
              FROM account_partial_reconcile partial
              JOIN account_move_line debit ON debit.id = partial.debit_move_id
              JOIN account_move_line credit ON credit.id = partial.credit_move_id
              JOIN res_company company ON company.id = debit.company_id
             WHERE partial.debit_move_id = ANY(%s)
        """,
            [IdArray([row[0] for row in rows])],
        )
        payments = defaultdict(list)
        for line_id, day, amount in self.env.cr.fetchall():
            if amount:
                payments[line_id].append((day, amount))
        return payments

    @api.model
    def _collections_dispute_periods_sql(self, move_ids):
        """{move id: [(start, end or None)]} of these invoices' disputes (one query)."""
        if not move_ids:
            return {}
        self.env["collections.dispute"].flush_model(["move_id", "date_start", "date_end"])
        self.env.cr.execute(
            """
            SELECT move_id, date_start, date_end FROM collections_dispute
             WHERE move_id = ANY(%s) ORDER BY move_id, date_start, id
        """,
            [IdArray(list(move_ids))],
        )
        periods = defaultdict(list)
        for move_id, start, end in self.env.cr.fetchall():
            periods[move_id].append((start, end or None))
        return periods

    def _collections_terms(self, rows=None):
        """{line id: (policy, lib FeeTerms)}: the partner's policy in the
        line's company, or the company's default; no charges without a policy
        and none on late-charge invoices themselves (no interest on interest).
        Read once per company and customer, not per line."""
        rows = self._collections_instalment_rows() if rows is None else rows
        terms_of = self._collections_terms_by_customer(rows)
        return {row[0]: terms_of(row[2], row[3], row[7]) for row in rows}

    def _collections_terms_by_customer(self, rows):
        """``terms_of(company id, commercial partner id, is a charge invoice)``
        -> (policy, lib FeeTerms), for the customers of ``rows``
        (``_collections_instalment_rows``): the policies and the consumer flags
        are read once per company, the terms built once per policy."""
        by_company = defaultdict(set)
        for row in rows:
            by_company[row[2]].add(row[3])
        fee_terms, chosen = {}, {}
        for company in self.env["res.company"].browse(list(by_company)):
            default = company.collections_policy_id
            partners = self.env["res.partner"].browse([pid for pid in by_company[company.id] if pid])
            for partner in partners.with_company(company):
                policy = partner.collections_policy_id or default
                key = (policy.id, bool(partner.collections_consumer))
                if key not in fee_terms:
                    fee_terms[key] = (policy, policy._collections_fee_terms(consumer=key[1]))
                chosen[company.id, partner.id] = fee_terms[key]
            key = (default.id, False)
            if key not in fee_terms:
                fee_terms[key] = (default, default._collections_fee_terms(consumer=False))
            chosen[company.id, None] = fee_terms[key]
        no_charges = (self.env["collections.policy"], late_fees.FeeTerms())

        def terms_of(company_id, partner_id, is_charge_invoice):
            if is_charge_invoice:
                return no_charges
            return chosen[company_id, partner_id or None]

        return terms_of

    def _collections_charged_amounts(self, roundings):
        """{line id: {'invoiced': {component: Decimal}, 'waived': {...}}} from
        the charges recorded so far (one SQL query), for the lines of
        ``roundings`` ({line id: rounding unit}) that have any
        (``NOTHING_CHARGED`` stands for the others); charges of cancelled or
        deleted charge invoices do not count."""
        result = {}
        if not roundings:
            return result
        self.env["collections.charge"].flush_model(
            ["move_line_id", "state", "fine_amount", "interest_amount", "correction_amount"]
        )
        self.env.cr.execute(
            """
            SELECT move_line_id, state, SUM(fine_amount), SUM(interest_amount), SUM(correction_amount)
              FROM collections_charge
             WHERE move_line_id = ANY(%s) AND state IN ('invoiced', 'waived')
          GROUP BY move_line_id, state
        """,
            [IdArray(list(roundings))],
        )
        for line_id, state, fine, interest, correction in self.env.cr.fetchall():
            result.setdefault(line_id, {"invoiced": {}, "waived": {}})[state] = {
                name: round_money(to_decimal(value or 0.0), roundings[line_id])
                for name, value in zip(CHARGE_COMPONENTS, (fine, interest, correction), strict=True)
            }
        return result

    def _collections_left_to_invoice(self, as_of):
        """{line id: {component: Decimal}}: accrued on ``as_of`` minus what was
        invoiced (on charge invoices that are not cancelled) or waived."""
        computed = self._collections_compute_charges(as_of)
        charged = self._collections_charged_amounts(
            {line_id: info["rounding"] for line_id, info in computed.items()}
        )
        result = {}
        for line_id, info in computed.items():
            done = charged.get(line_id, NOTHING_CHARGED)
            result[line_id] = late_fees.charges_to_invoice(
                info["charges"], done["invoiced"], done["waived"], info["rounding"]
            )
        return result

    # --- invoicing ----------------------------------------------------------
    def _collections_invoice_charges(self, as_of, modes=("on_demand", "on_payment")):
        """Invoice what accrued on these instalments up to ``as_of`` and was
        neither invoiced nor waived yet: one posted customer invoice per
        company, partner and currency, one line per component. Only the
        instalments whose policy invoices charges in one of ``modes`` count.

        Exactly once under concurrency: the customers' charge mutex is taken
        (``collections.charge._collections_lock_customers``) before what was
        already charged is read.

        :return: the created charge invoices (``account.move``).
        """
        rows = self._collections_instalment_rows()
        if not rows:
            return self.env["account.move"]
        self.env["collections.charge"]._collections_lock_customers({(row[2], row[3]) for row in rows})
        computed = self._collections_compute_charges(as_of)
        charged = self._collections_charged_amounts(
            {line_id: info["rounding"] for line_id, info in computed.items()}
        )
        groups = defaultdict(list)
        for line_id, info in computed.items():
            policy = info["policy"]
            if not policy or policy.charge_invoicing not in modes:
                continue
            done = charged.get(line_id, NOTHING_CHARGED)
            due = late_fees.charges_to_invoice(
                info["charges"], done["invoiced"], done["waived"], info["rounding"]
            )
            if any(due.values()):
                key = (info["company_id"], info["partner_id"], info["currency"], policy)
                groups[key].append((line_id, due))
        invoices = self.env["account.move"]
        for (company_id, partner_id, currency, policy), items in groups.items():
            lines = self.browse([line_id for line_id, _due in items])
            items = list(zip(lines, (due for _line_id, due in items), strict=True))
            company = self.env["res.company"].browse(company_id)
            partner = self.env["res.partner"].browse(partner_id)
            invoices |= self._collections_create_charge_invoice(
                company, partner, currency, policy, items, as_of
            )
        return invoices

    @api.model
    def _collections_create_charge_invoice(self, company, partner, currency, policy, items, as_of):
        labels = {
            "fine": self.env._("Late payment fine (multa)"),
            "interest": self.env._("Late payment interest (juros de mora)"),
            "correction": self.env._("Monetary correction (correção monetária)"),
        }
        invoice_lines = []
        for component in CHARGE_COMPONENTS:
            amount = sum((due[component] for _line, due in items), ZERO)
            if not amount:
                continue
            account = policy._collections_charge_account(component)
            product = policy[f"{component}_product_id"]
            if not account:
                raise UserError(
                    self.env._(
                        "The policy “%(policy)s” has no account for: %(component)s.",
                        policy=policy.name,
                        component=labels[component],
                    )
                )
            references = ", ".join(
                "%s (%s)" % (line.move_id.name, format_date(self.env, line.date_maturity))
                for line, due in items
                if due[component]
            )
            invoice_lines.append(
                Command.create(
                    {
                        "product_id": product.id,
                        "name": "%s: %s" % (labels[component], references),
                        "account_id": account.id,
                        "quantity": 1,
                        "price_unit": float(amount),
                        "tax_ids": [Command.clear()],
                    }
                )
            )
        # A fresh context: the reconciliation that may call this runs with
        # skip_invoice_sync and friends, which would leave the invoice unbalanced.
        context = {
            key: value
            for key, value in self.env.context.items()
            if key
            in (
                "allowed_company_ids",
                "lang",
                "tz",
                "uid",
                "tracking_disable",
                "mail_create_nolog",
                "mail_notrack",
                "mail_create_nosubscribe",
                "collections_no_charge_invoicing",
            )
        }
        # self.env(context=...) replaces the context (with_context(**context) would merge it)
        moves = self.env(context=context)["account.move"].with_company(company)
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
        moves.env["collections.charge"].create(
            [
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
            ]
        )
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
                        as_of, modes=("on_payment",)
                    )
            except (UserError, ValueError) as error:
                _logger.warning("Late charges of %s not invoiced: %s", lines.move_id.mapped("name"), error)
                for move in lines.move_id:
                    move.message_post(
                        body=self.env._(
                            "The late charges could not be invoiced automatically: %(error)s", error=error
                        )
                    )

    collections_renegotiated_line_id = fields.Many2one(
        "account.move.line",
        string="Renegotiated Instalment",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="On a renegotiation entry: the old instalment this credit settles.",
    )
    collections_plan_number = fields.Integer(string="Plan Instalment", readonly=True, copy=False)

    def _collections_lift_paid_suspensions(self):
        """A payment or a renegotiation settled receivable lines: lift the
        announced-date suspensions whose named instalments are now all paid,
        the same day. Never blocks the reconciliation."""
        lines = self.sudo().filtered(lambda line: line.account_id.account_type == "asset_receivable")
        if not lines:
            return
        today = fields.Date.context_today(self)
        for company in lines.company_id:
            partners = lines.filtered(
                lambda line, company=company: line.company_id == company
            ).move_id.commercial_partner_id
            try:
                with self.env.cr.savepoint():
                    self.env["collections.followup.action"]._collections_lift_settled(
                        partners, company, today
                    )
            except (UserError, ValidationError, ValueError) as error:
                _logger.warning("Service suspension of %s not lifted: %s", partners.mapped("name"), error)
