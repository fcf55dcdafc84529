import base64
import threading
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, format_date, formatLang, split_every

from ..lib import credit, dunning, late_fees, money, workdays
from ..lib.money import round_money, to_decimal
from .collections_level import ESCALATIONS
from .rpc import in_user_language

FOLLOWUP_STATUSES = [
    ("no_action", "No action needed"),
    ("overdue", "With overdue"),
    ("action", "Action needed"),
    ("in_plan", "Promise to pay"),  # an open promise covers the overdue instalments (key kept for upgrades)
    ("excluded", "Excluded"),
]

LATE_CHARGE_KEYS = ("fine", "interest", "correction", "charged", "charges", "updated_total")


SWITCH_MODES = [
    (credit.SWITCH_ALWAYS, "Always check"),
    (credit.SWITCH_NEVER, "Never check"),
]

SWITCH_HELP = "Empty: the company's setting applies. Always / Never: overrides it for this customer."

# lib.credit switch name -> res.partner field holding the customer's override
PARTNER_HOLD_OVERRIDES = {
    "check_limit": "credit_hold_limit_mode",
    "check_overdue": "credit_hold_overdue_mode",
    "check_manual": "credit_hold_manual_mode",
    "check_dunning": "credit_hold_dunning_mode",
    "check_suspension": "credit_hold_suspension_mode",
}

CREDIT_RATINGS = [
    ("A", "A - Excellent"),
    ("B", "B - Good"),
    ("C", "C - Fair"),
    ("D", "D - Weak"),
    ("E", "E - Poor"),
]

CREDIT_BUREAUS = [
    ("serasa", "Serasa Experian"),
    ("spc", "SPC Brasil"),
    ("boa_vista", "Boa Vista SCPC"),
    ("other", "Other"),
]

# Only a Collections Manager (accounting administrators are managers) changes these.
MANAGER_ONLY_FIELDS = frozenset(
    {
        "credit_limit",
        "use_partner_credit_limit",
        "credit_hold_manual",
        "credit_hold_manual_reason",
        "credit_release_until",
        "credit_rating",
        "credit_bureau",
        "credit_bureau_score",
        "credit_review_last_date",
        "credit_review_next_date",
        "credit_review_notes",
        *PARTNER_HOLD_OVERRIDES.values(),
    }
)

# Who reads a customer's credit: the groups Odoo gives credit_limit and credit
# (account/models/partner.py) plus the collectors. The sales bridge adds
# salespeople to CREDIT_SUMMARY_FIELDS (README, Roles).
CREDIT_READ_GROUPS = (
    "account.group_account_invoice,account.group_account_readonly,collections_followup.group_collections_user"
)

CREDIT_SUMMARY_FIELDS = (
    "collections_credit_limit_applied",
    "collections_has_credit_limit",
    "collections_available_credit",
    "collections_overdue_amount",
    "collections_credit_hold_text",
    "collections_on_credit_hold",
)

# Settings whose value lets a customer's documents through a hold: a contact
# holding one may not become a commercial partner by a non-manager's write.
EXEMPTING_FIELDS = ("credit_release_until", *PARTNER_HOLD_OVERRIDES.values())

# A document amount beyond this is a typing error, not a document.
MAX_DOCUMENT_AMOUNT = Decimal("1e15")

RECEIVABLE_DOMAIN = [
    ("account_id.account_type", "=", "asset_receivable"),
    ("parent_state", "=", "posted"),
    ("reconciled", "=", False),
]

CUSTOMER_INVOICE_TYPES = ("out_invoice", "out_receipt")

SERVICE_MANAGER_GROUP = "collections_followup.group_collections_manager"
DATE_TYPE = date  # the public methods take an argument named ``date``
# the channels of a Send & Print (collections_send_now)
DESK_CHANNELS = ("email", "letter", "sms", "activity")


class ResPartner(models.Model):
    """Collection and credit state of a customer, kept per company: a hold
    or a suspension in company A says nothing about company B. Set on the
    commercial partner; contacts read their commercial partner's values."""

    _inherit = "res.partner"

    collections_policy_id = fields.Many2one(
        "collections.policy",
        string="Collection Policy",
        company_dependent=True,
        help="Overrides the company's default collection policy for this customer.",
    )
    collections_responsible_id = fields.Many2one(
        "res.users",
        string="Collector",
        company_dependent=True,
        help="The collector in charge of this customer.",
    )
    collections_excluded = fields.Boolean(
        string="Excluded from Follow-up",
        company_dependent=True,
        help="Never chased by the follow-up run.",
    )
    collections_excluded_reason = fields.Char(string="Exclusion Reason", company_dependent=True)
    credit_hold_manual = fields.Boolean(
        string="Manual Credit Hold",
        company_dependent=True,
        help="Blocks posting customer invoices and confirming sales until lifted.",
    )
    credit_hold_manual_reason = fields.Char(string="Credit Hold Reason", company_dependent=True)
    credit_hold_level_id = fields.Many2one(
        "collections.level",
        string="Credit Hold by Level",
        company_dependent=True,
        help="Set by a collection level that puts the customer on credit hold; "
        "lifted when nothing is overdue any more.",
    )
    service_suspended_date = fields.Date(
        string="Service Suspended Since",
        company_dependent=True,
        help="Set when the customer's service is suspended for non-payment; other modules read it.",
    )
    service_suspension_reason = fields.Char(company_dependent=True)
    service_suspended = fields.Boolean(
        compute="_compute_service_suspended", search="_search_service_suspended"
    )

    def _compute_service_suspended(self):
        for partner in self:
            partner.service_suspended = bool(partner.commercial_partner_id.service_suspended_date)

    def _search_service_suspended(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError()
        suspended = (operator == "=") == value
        return [("commercial_partner_id.service_suspended_date", "!=" if suspended else "=", False)]

    # -- follow-up (régua de cobrança) ----------------------------------

    collections_next_action_date = fields.Date(
        string="Postponed Until",
        company_dependent=True,
        help="The follow-up run leaves this customer alone until this date.",
    )
    collections_escalation = fields.Selection(
        ESCALATIONS,
        string="Escalation Stage",
        company_dependent=True,
        help="Set by a collection level that escalates the customer.",
    )
    collections_escalation_date = fields.Date(string="Escalated On", company_dependent=True)
    collections_action_ids = fields.One2many(
        "collections.followup.action",
        "partner_id",
        string="Follow-up History",
        groups="collections_followup.group_collections_user",
    )
    collections_promise_ids = fields.One2many(
        "collections.promise",
        "partner_id",
        string="Promises to Pay",
        groups="collections_followup.group_collections_user",
    )
    collections_followup_status = fields.Selection(
        FOLLOWUP_STATUSES,
        string="Follow-up Status",
        compute="_compute_collections_followup",
        search="_search_collections_followup_status",
        groups="collections_followup.group_collections_user",
    )
    collections_level_id = fields.Many2one(
        "collections.level",
        string="Current Level",
        compute="_compute_collections_followup",
        help="The highest level reached by the customer's chased instalments.",
        groups="collections_followup.group_collections_user",
    )
    collections_next_date = fields.Date(
        string="Next Action",
        compute="_compute_collections_followup",
        help="When the follow-up will next contact this customer, if nothing is paid.",
        groups="collections_followup.group_collections_user",
    )
    collections_total_overdue = fields.Monetary(
        string="Total Overdue",
        compute="_compute_collections_followup",
        currency_field="collections_currency_id",
        groups="collections_followup.group_collections_user",
    )
    collections_total_open = fields.Monetary(
        string="Total Open",
        compute="_compute_collections_followup",
        currency_field="collections_currency_id",
        groups="collections_followup.group_collections_user",
    )
    collections_currency_id = fields.Many2one("res.currency", compute="_compute_collections_followup")
    collections_oldest_days_late = fields.Integer(
        string="Oldest Days Late",
        compute="_compute_collections_followup",
        groups="collections_followup.group_collections_user",
    )
    collections_last_contact_date = fields.Date(
        string="Last Contact",
        compute="_compute_collections_followup",
        groups="collections_followup.group_collections_user",
    )
    collections_promise_kept_count = fields.Integer(
        string="Promises Kept",
        compute="_compute_collections_promise_counts",
        groups="collections_followup.group_collections_user",
    )
    collections_promise_broken_count = fields.Integer(
        string="Promises Broken",
        compute="_compute_collections_promise_counts",
        groups="collections_followup.group_collections_user",
    )
    collections_open_line_ids = fields.Many2many(
        "account.move.line",
        string="Open Instalments",
        compute="_compute_collections_followup",
        groups="collections_followup.group_collections_user",
    )

    def _collections_policy(self):
        """The collection policy of this customer in the current company."""
        self.ensure_one()
        partner = self.commercial_partner_id
        return partner.collections_policy_id or self.env.company.collections_policy_id

    def _compute_collections_followup(self):
        today = fields.Date.context_today(self)
        company = self.env.company
        commercial = self.commercial_partner_id
        engine = self.env["collections.followup.run"]
        partner_ids = [partner_id for partner_id in commercial.ids if isinstance(partner_id, int)]
        data = engine._gather(company, today, partner_ids=partner_ids) if partner_ids else None
        overview = engine._overview(data) if data else {}
        company_currency = company.currency_id
        for partner in self:
            info = overview.get(partner.commercial_partner_id.id, {})
            status = info.get("status") or (
                "excluded" if partner.commercial_partner_id.collections_excluded else "no_action"
            )
            partner.collections_followup_status = status
            partner.collections_level_id = info.get("level_id", False)
            partner.collections_next_date = info.get("next_date", False)
            partner.collections_total_overdue = info.get("overdue", 0.0)
            partner.collections_total_open = info.get("open", 0.0)
            partner.collections_currency_id = company_currency
            partner.collections_oldest_days_late = info.get("oldest_days_late", 0)
            partner.collections_last_contact_date = info.get("last_contact", False)
            partner.collections_open_line_ids = [fields.Command.set(info.get("line_ids", []))]

    def _search_collections_followup_status(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            raise NotImplementedError()
        values = [value] if operator in ("=", "!=") else list(value)
        today = fields.Date.context_today(self)
        data = self.env["collections.followup.run"]._gather(self.env.company, today)
        overview = self.env["collections.followup.run"]._overview(data)
        ids = [partner_id for partner_id, info in overview.items() if info["status"] in values]
        if "excluded" in values:
            ids += self.sudo().search([("collections_excluded", "=", True)]).ids
        positive = operator in ("=", "in")
        if "no_action" in values:
            # No open instalment at all also means no action needed.
            others = [partner_id for partner_id, info in overview.items() if info["status"] not in values]
            return [("id", "not in" if positive else "in", others)]
        return [("id", "in" if positive else "not in", ids)]

    def _compute_collections_promise_counts(self):
        counts = defaultdict(int)
        for partner, state, count in self.env["collections.promise"]._read_group(
            [
                ("partner_id", "in", self.commercial_partner_id.ids),
                ("state", "in", (dunning.PROMISE_KEPT, dunning.PROMISE_BROKEN)),
            ],
            ["partner_id", "state"],
            ["__count"],
        ):
            counts[(partner.id, state)] = count
        for partner in self:
            commercial_id = partner.commercial_partner_id.id
            partner.collections_promise_kept_count = counts[(commercial_id, dunning.PROMISE_KEPT)]
            partner.collections_promise_broken_count = counts[(commercial_id, dunning.PROMISE_BROKEN)]

    @api.model
    def _collections_claim_lines_from_snapshot(self, snapshot, line_ids=None):
        """{commercial partner id: [claim line dict, ...]} of the open
        instalments of ``snapshot`` (a collections.receivable snapshot), due
        date order, optionally limited to ``line_ids``. A claim line has
        line_id, move_id, move_name, partner_id, date_maturity (printed),
        effective_due_date, days_late, overdue (lib.receivable), currency_id,
        currency (code), residual and the late charges on the snapshot's
        date: fine, interest, correction (accrued), charged (already invoiced
        or waived), charges (accrued and not yet charged) and updated_total
        (residual + charges). An open charge invoice is an instalment of its
        own; its charges are never counted again on the charged instalments."""
        if line_ids is None:
            items = list(snapshot.items.values())
        else:  # a batch's lines: never a scan of every open instalment of the company
            items = [snapshot.items[line_id] for line_id in line_ids if line_id in snapshot.items]
        items.sort(key=lambda item: (item.due_date, item.line_id))
        late_charges = {}
        AccountMoveLine = self.env.registry["account.move.line"]
        if items and hasattr(AccountMoveLine, "_collections_late_charges"):
            late_charges = (
                self.env["account.move.line"]
                .sudo()
                .browse([item.line_id for item in items])
                ._collections_late_charges(snapshot.as_of)
            )
        currencies = self.env["res.currency"].browse({item.currency_id for item in items})
        code_by_id = {currency.id: currency.name for currency in currencies}
        result = defaultdict(list)
        for item in items:
            claim = {
                "line_id": item.line_id,
                "move_id": item.move_id,
                "move_name": item.move_name,
                "partner_id": item.partner_id,
                "date_maturity": item.due_date,
                "effective_due_date": item.effective_due_date,
                "days_late": item.days_late,
                "overdue": snapshot.is_overdue(item),
                "currency_id": item.currency_id,
                "currency": code_by_id.get(item.currency_id, ""),
                "residual": float(item.residual),
            }
            self._collections_add_late_charges(claim, late_charges.get(item.line_id))
            result[item.partner_id].append(claim)
        return dict(result)

    @api.model
    def _collections_add_late_charges(self, claim, charges):
        """Add fine, interest, correction (accrued), charged (already
        invoiced or waived), charges (accrued, not yet charged) and
        updated_total to ``claim`` from ``charges`` (one value of
        ``account.move.line._collections_late_charges``); zeros without."""
        residual = claim["residual"]
        if not charges:
            claim.update(dict.fromkeys(LATE_CHARGE_KEYS, 0.0))
            claim["updated_total"] = residual
            return claim
        for key in ("fine", "interest", "correction"):
            claim[key] = float(charges.get(key) or 0.0)
        charged = to_decimal(charges.get("invoiced") or 0.0) + to_decimal(charges.get("waived") or 0.0)
        to_charge = to_decimal(
            charges.get("to_invoice") if "to_invoice" in charges else charges.get("total") or 0.0
        )
        claim["charged"] = float(charged)
        claim["charges"] = float(to_charge)
        claim["updated_total"] = float(to_decimal(residual) + to_charge)
        return claim

    def _collections_claim_lines(self, as_of=None, line_ids=None):
        """The open instalments of this customer in the current company, as
        claim lines (see ``_collections_claim_lines_from_snapshot``), read
        from the receivable snapshot of ``as_of`` (today by default).
        ``line_ids`` limits the result to some receivable items; by default
        every open instalment not in dispute."""
        self.ensure_one()
        as_of = fields.Date.to_date(as_of) or fields.Date.context_today(self)
        partner = self.commercial_partner_id
        snapshot = self.env["collections.receivable"]._snapshot(
            self.env.company, as_of, partner_ids=partner.ids
        )
        if line_ids is None:
            line_ids = {line_id for line_id, item in snapshot.items.items() if not item.in_dispute}
        else:
            line_ids = set(line_ids)
        return self._collections_claim_lines_from_snapshot(snapshot, line_ids).get(partner.id, [])

    @api.model
    def _collections_group_claim_lines(self, claim_lines, credits=None):
        """Claim lines grouped per currency: [{'currency': res.currency,
        'lines': [...], 'residual', 'charges', 'updated_total', 'credit',
        'claimed'}], totals rounded with the currency's rounding. ``credits``:
        {currency id: unreconciled credit of the customer (positive)}; the
        amount claimed is the updated total minus the credit, never below 0."""
        groups = dunning.group_claim_lines(claim_lines, credits)
        currencies = self.env["res.currency"].browse([group["currency_id"] for group in groups])
        for group, currency in zip(groups, currencies, strict=True):
            for key in ("residual", "charges", "updated_total", "credit", "claimed"):
                group[key] = float(round_money(group[key], currency.rounding))
            group["currency"] = currency
        return groups

    @api.model
    def _collections_formatters(self, lang_code):
        """(format money, format date) for ``lang_code``, built once per
        language and transaction: the e-mails of a run format thousands of amounts."""
        cache = self.env.cr.cache.setdefault("collections_formatters", {})
        if lang_code not in cache:
            lang = self.env["res.lang"]._get_data(code=lang_code)
            if lang.date_format:
                date_format = lang.date_format
                thousands_sep, decimal_point = lang.thousands_sep or "", lang.decimal_point or "."
            else:  # no active language data (en_US may be inactive): English formats
                date_format, thousands_sep, decimal_point = "%m/%d/%Y", ",", "."
            currency_data = {}

            def fmt(amount, currency):
                data = currency_data.get(currency.id)
                if data is None:
                    data = currency_data[currency.id] = (
                        currency.decimal_places,
                        currency.symbol or "",
                        currency.position,
                    )
                digits, symbol, position = data
                # Python's "," grouping by thousands, then the language's separators.
                text = "{:,.{}f}".format(amount, digits)
                text = text.replace(",", "\x00").replace(".", decimal_point).replace("\x00", thousands_sep)
                if position == "before":
                    return "%s\N{NO-BREAK SPACE}%s" % (symbol, text)
                return "%s\N{NO-BREAK SPACE}%s" % (text, symbol)

            def fmt_date(value):
                return value.strftime(date_format) if value else ""

            cache[lang_code] = (fmt, fmt_date)
        return cache[lang_code]

    def action_collections_postpone(self):
        """Open the wizard that postpones the next follow-up of this customer."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Postpone Follow-up"),
            "res_model": "collections.postpone.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_ids": self.commercial_partner_id.ids},
        }

    def action_collections_log_contact(self):
        """Open the "Log a contact" wizard for this customer."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Log a Contact"),
            "res_model": "collections.contact.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.commercial_partner_id.id},
        }

    def action_collections_history(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "collections_followup.collections_followup_action_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {}
        return action

    @in_user_language
    def collections_log_contact(
        self,
        outcome,
        note=None,
        right_party_contact=False,
        promise_date=None,
        promise_amount=None,
        dispute_move_id=None,
        dispute_reason=None,
        promise_line_ids=None,
    ):
        """Log a contact with this customer (XML-RPC friendly), in the current company.

        :param outcome: 'promise', 'no_answer', 'refused', 'wrong_number', 'dispute' or 'other'
        :param note: what was said (text)
        :param right_party_contact: True when the person responsible for paying was reached
        :param promise_date: ISO date (YYYY-MM-DD), today or later, required with outcome 'promise'
        :param promise_amount: amount promised in the company currency, above 0 and at most
            what the covered instalments owe (late charges included), required with outcome 'promise'
        :param promise_line_ids: ids of the receivable instalments the promise covers (open
            instalments of this customer in this company); by default every open instalment
        :param dispute_move_id: id of a posted invoice of this customer in this company,
            required with outcome 'dispute'
        :param dispute_reason: why the invoice is contested, required with outcome 'dispute'
        :returns: {'action_id': int, 'promise_id': int or False, 'dispute_id': int or False}
        :raises UserError / ValidationError: on any invalid argument, with the reason
        """
        values = self._collections_contact_values(
            outcome,
            note,
            right_party_contact,
            promise_date,
            promise_amount,
            dispute_move_id,
            dispute_reason,
            promise_line_ids,
        )
        wizard = self.env["collections.contact.wizard"].create(values)
        action = wizard._log_contact()
        return {
            "action_id": action.id,
            "promise_id": action.promise_id.id or False,
            "dispute_id": wizard.dispute_id.id or False,
        }

    # -- collections paths for collectors (no res.partner write right) -----

    def _collections_contact_values(
        self,
        outcome,
        note,
        right_party_contact,
        promise_date,
        promise_amount,
        dispute_move_id,
        dispute_reason,
        promise_line_ids,
    ):
        """The contact wizard's values from ``collections_log_contact``'s
        arguments, each checked (types as XML-RPC sends them, known outcome,
        one customer, dates, amounts, ids of this customer and company)."""
        partner = self._collections_single_customer()
        self._collections_check_collector()
        company = self.env.company
        outcomes = dict(
            self.env["collections.followup.action"]._fields["outcome"]._description_selection(self.env)
        )
        if not isinstance(outcome, str) or outcome not in outcomes:
            raise UserError(
                self.env._(
                    "Unknown contact outcome %(outcome)s: use one of %(outcomes)s.",
                    outcome=repr(outcome),
                    outcomes=", ".join(outcomes),
                )
            )
        for label, text in ((self.env._("note"), note), (self.env._("dispute reason"), dispute_reason)):
            if text not in (None, False) and not isinstance(text, str):
                raise UserError(self.env._("The %(label)s must be a text.", label=label))
        if right_party_contact not in (None, False, True, 0, 1) or isinstance(right_party_contact, float):
            raise UserError(self.env._("right_party_contact must be true or false."))
        values = {
            "partner_id": partner.id,
            "company_id": company.id,
            "outcome": outcome,
            "note": note or False,
            "right_party_contact": bool(right_party_contact),
        }
        if outcome == "promise":
            if promise_date in (None, False) or promise_amount in (None, False):
                raise UserError(self.env._("A promise to pay needs a date and a positive amount."))
            Promise = self.env["collections.promise"]
            values["promise_date"] = Promise._collections_parse_date(
                promise_date, fields.Date.context_today(self)
            )
            values["promise_amount"] = float(Promise._collections_parse_amount(promise_amount))
            if promise_line_ids not in (None, False):
                if (
                    not isinstance(promise_line_ids, (list, tuple))
                    or not promise_line_ids
                    or not all(
                        isinstance(line_id, int) and not isinstance(line_id, bool) and line_id > 0
                        for line_id in promise_line_ids
                    )
                ):
                    raise UserError(self.env._("promise_line_ids must be a list of instalment ids."))
                lines = self.env["account.move.line"].sudo().browse(promise_line_ids)
                if len(lines.exists()) != len(set(promise_line_ids)):
                    raise UserError(self.env._("Some instalments of the promise do not exist."))
                Promise._collections_check_instalments(lines, partner, company, open_only=True)
                values["move_line_ids"] = [fields.Command.set(lines.ids)]
        elif promise_date not in (None, False) or promise_amount not in (None, False) or promise_line_ids:
            raise UserError(self.env._("A promised date or amount is only given with the outcome 'promise'."))
        if outcome == "dispute":
            if (
                isinstance(dispute_move_id, bool)
                or not isinstance(dispute_move_id, int)
                or dispute_move_id <= 0
            ):
                raise UserError(
                    self.env._(
                        "A dispute needs the id of the disputed invoice, got %(value)s.",
                        value=repr(dispute_move_id),
                    )
                )
            if not isinstance(dispute_reason, str) or not dispute_reason.strip():
                raise UserError(self.env._("A dispute needs the invoice and the reason."))
            values["dispute_move_id"] = self._collections_own_invoice(dispute_move_id, partner, company).id
            values["dispute_reason"] = dispute_reason.strip()
        elif dispute_move_id not in (None, False) or dispute_reason not in (None, False):
            raise UserError(self.env._("A disputed invoice is only given with the outcome 'dispute'."))
        return values

    def _collections_single_customer(self):
        """The commercial partner of ``self``, which must be exactly one
        customer of the current company; a UserError otherwise."""
        if len(self) != 1:
            raise UserError(self.env._("Choose exactly one customer (got %(count)s).", count=len(self)))
        partner = self.commercial_partner_id
        if partner.sudo().company_id and partner.sudo().company_id != self.env.company:
            raise UserError(
                self.env._("%(partner)s belongs to another company.", partner=partner.display_name)
            )
        return partner

    @api.model
    def _collections_own_invoice(self, move_id, partner, company):
        """The posted customer invoice ``move_id`` of ``partner`` in
        ``company``; a UserError otherwise (also when it does not exist)."""
        # sudo: only read to check that it belongs to this customer and company
        move = self.env["account.move"].sudo().browse(move_id).exists()
        if not move or move.commercial_partner_id != partner or move.company_id != company:
            raise UserError(
                self.env._(
                    "The disputed invoice must be an invoice of %(partner)s in %(company)s.",
                    partner=partner.display_name,
                    company=company.name,
                )
            )
        if move.move_type not in ("out_invoice", "out_receipt") or move.state != "posted":
            raise UserError(
                self.env._(
                    "Only posted customer invoices can be disputed: %(move)s is not one.",
                    move=move.display_name,
                )
            )
        return move

    def _collections_check_collector(self):
        """Collectors (Collections / User, implied by billing) act on
        customers' follow-up settings; anyone else is refused."""
        if not self.env.user.has_group("collections_followup.group_collections_user"):
            raise AccessError(self.env._("Only collectors can change a customer's follow-up."))
        self.check_access("read")

    @in_user_language
    def collections_postpone(self, date, reason=None):
        """Leave these customers alone until ``date`` (XML-RPC friendly): the
        follow-up run skips them until then and their contacts still to
        process are cancelled. For collectors and billing users.

        :param date: ISO date (YYYY-MM-DD) after today, at most a year ahead
        :param reason: why (text, optional)
        :returns: True
        """
        self._collections_check_collector()
        if not self:
            raise UserError(self.env._("Choose the customers to postpone."))
        try:
            until = dunning.parse_date(date)
        except ValueError:
            raise UserError(
                self.env._("Postpone until a date (YYYY-MM-DD), got %(value)s.", value=repr(date))
            ) from None
        today = fields.Date.context_today(self)
        if until <= today:
            raise UserError(self.env._("Postpone to a date in the future."))
        if until > today + timedelta(days=366):
            raise UserError(self.env._("Postpone by at most a year."))
        if reason not in (None, False) and not isinstance(reason, str):
            raise UserError(self.env._("The reason must be a text."))
        company = self.env.company
        partners = self.commercial_partner_id
        # sudo: a collector may postpone (README roles); only the company's
        # "postponed until" value and the follow-up's own contacts are written.
        partners.sudo().with_company(company).write({"collections_next_action_date": until})
        planned = (
            self.env["collections.followup.action"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", partners.ids),
                    ("state", "=", "planned"),
                    ("company_id", "=", company.id),
                ]
            )
        )
        until_text = format_date(self.env, until)
        planned.write(
            {"state": "cancelled", "failure_reason": self.env._("Postponed until %(date)s.", date=until_text)}
        )
        for partner in partners:
            partner.sudo().message_post(
                body=self.env._(
                    "Follow-up postponed until %(date)s. %(reason)s", date=until_text, reason=reason or ""
                ),
                subtype_xmlid="mail.mt_note",
            )
        return True

    @in_user_language
    def collections_exclude(self, reason):
        """Exclude these customers from the follow-up of the current company
        (XML-RPC friendly): the run never chases them. For collectors and
        billing users.

        :param reason: why (text, required)
        :returns: True
        """
        self._collections_check_collector()
        if not self:
            raise UserError(self.env._("Choose the customers to exclude."))
        if not isinstance(reason, str) or not reason.strip():
            raise UserError(self.env._("Give the reason for excluding the customer from the follow-up."))
        reason = reason.strip()
        partners = self.commercial_partner_id
        # sudo: a collector may exclude with a reason (README roles); only the
        # two exclusion fields of the current company are written.
        partners.sudo().with_company(self.env.company).write(
            {
                "collections_excluded": True,
                "collections_excluded_reason": reason,
            }
        )
        for partner in partners:
            partner.sudo().message_post(
                body=self.env._("Excluded from the follow-up: %(reason)s", reason=reason),
                subtype_xmlid="mail.mt_note",
            )
        return True

    @in_user_language
    def collections_include(self):
        """Bring excluded customers back into the follow-up of the current
        company (XML-RPC friendly). For collectors and billing users.

        :returns: True
        """
        self._collections_check_collector()
        partners = self.commercial_partner_id
        # sudo: the reverse of collections_exclude, same two fields
        partners.sudo().with_company(self.env.company).write(
            {
                "collections_excluded": False,
                "collections_excluded_reason": False,
            }
        )
        for partner in partners:
            partner.sudo().message_post(
                body=self.env._("Back in the follow-up."), subtype_xmlid="mail.mt_note"
            )
        return True

    @in_user_language
    def collections_set_policy(self, policy_id):
        """Give these customers a collection policy of the current company
        (XML-RPC friendly); False puts them back on the company's default.
        For collectors and billing users.

        :param policy_id: id of an active policy of the current company, or False
        :returns: True
        """
        self._collections_check_collector()
        if not self:
            raise UserError(self.env._("Choose the customers whose policy changes."))
        company = self.env.company
        policy = self.env["collections.policy"]
        if policy_id not in (None, False):
            if isinstance(policy_id, bool) or not isinstance(policy_id, int) or policy_id <= 0:
                raise UserError(
                    self.env._("Give the id of a collection policy, got %(value)s.", value=repr(policy_id))
                )
            # sudo: only read to check it is an active policy of this company
            policy = policy.sudo().browse(policy_id).exists()
            if not policy or not policy.active or policy.company_id != company:
                raise UserError(
                    self.env._("Choose an active collection policy of %(company)s.", company=company.name)
                )
        partners = self.commercial_partner_id
        # sudo: a collector may move a customer to another policy of the same
        # company (README roles); only that company's policy field is written.
        partners.sudo().with_company(company).write({"collections_policy_id": policy.id})
        for partner in partners:
            partner.sudo().message_post(
                body=self.env._(
                    "Collection policy: %(policy)s", policy=policy.name or self.env._("company default")
                ),
                subtype_xmlid="mail.mt_note",
            )
        return True

    # Credit control of a customer: limit, hold overrides, time-boxed release,
    # credit review, and the exposure computed on demand (never stored).

    credit_hold_limit_mode = fields.Selection(
        SWITCH_MODES,
        groups=CREDIT_READ_GROUPS,
        string="Check Credit Limit",
        company_dependent=True,
        help=SWITCH_HELP,
    )
    credit_hold_overdue_mode = fields.Selection(
        SWITCH_MODES,
        groups=CREDIT_READ_GROUPS,
        string="Check Overdue Invoices",
        company_dependent=True,
        help=SWITCH_HELP,
    )
    credit_hold_manual_mode = fields.Selection(
        SWITCH_MODES,
        groups=CREDIT_READ_GROUPS,
        string="Check Manual Hold",
        company_dependent=True,
        help=SWITCH_HELP,
    )
    credit_hold_dunning_mode = fields.Selection(
        SWITCH_MODES,
        groups=CREDIT_READ_GROUPS,
        string="Check Dunning Hold",
        company_dependent=True,
        help=SWITCH_HELP,
    )
    credit_hold_suspension_mode = fields.Selection(
        SWITCH_MODES,
        groups=CREDIT_READ_GROUPS,
        string="Check Suspension",
        company_dependent=True,
        help=SWITCH_HELP,
    )
    credit_release_until = fields.Date(
        string="Credit Released Until",
        company_dependent=True,
        groups=CREDIT_READ_GROUPS,
        help="A Collections Manager released this customer: no credit hold blocks its "
        "invoices and orders up to this date (included).",
    )
    credit_rating = fields.Selection(CREDIT_RATINGS, company_dependent=True, groups=CREDIT_READ_GROUPS)
    credit_bureau = fields.Selection(CREDIT_BUREAUS, groups=CREDIT_READ_GROUPS)
    credit_bureau_score = fields.Float(
        string="Bureau Score",
        digits=(16, 0),
        groups=CREDIT_READ_GROUPS,
        help="Score given by the credit bureau (0-1000, higher is safer).",
    )
    credit_review_last_date = fields.Date(
        string="Last Credit Review", company_dependent=True, groups=CREDIT_READ_GROUPS
    )
    credit_review_next_date = fields.Date(
        string="Next Credit Review",
        company_dependent=True,
        groups=CREDIT_READ_GROUPS,
        help="On this date the daily run schedules a credit review activity.",
    )
    credit_review_notes = fields.Text(company_dependent=True, groups=CREDIT_READ_GROUPS)

    collections_can_edit_credit = fields.Boolean(compute="_compute_collections_can_edit_credit")
    collections_credit_currency_id = fields.Many2one(
        "res.currency", compute="_compute_collections_credit", string="Credit Currency"
    )
    collections_exposure_open = fields.Monetary(
        string="Open Receivables",
        compute="_compute_collections_credit",
        groups=CREDIT_READ_GROUPS,
        currency_field="collections_credit_currency_id",
    )
    collections_exposure_draft = fields.Monetary(
        string="Draft Invoices",
        compute="_compute_collections_credit",
        groups=CREDIT_READ_GROUPS,
        currency_field="collections_credit_currency_id",
    )
    collections_exposure_to_invoice = fields.Monetary(
        string="Orders to Invoice",
        compute="_compute_collections_credit",
        groups=CREDIT_READ_GROUPS,
        currency_field="collections_credit_currency_id",
    )
    collections_exposure_credits = fields.Monetary(
        string="Unreconciled Credits",
        compute="_compute_collections_credit",
        groups=CREDIT_READ_GROUPS,
        currency_field="collections_credit_currency_id",
    )
    collections_exposure = fields.Monetary(
        string="Credit Exposure",
        compute="_compute_collections_credit",
        groups=CREDIT_READ_GROUPS,
        currency_field="collections_credit_currency_id",
    )
    collections_credit_limit_applied = fields.Monetary(
        string="Applied Credit Limit",
        compute="_compute_collections_credit",
        groups=CREDIT_READ_GROUPS,
        currency_field="collections_credit_currency_id",
    )
    collections_has_credit_limit = fields.Boolean(
        compute="_compute_collections_credit", groups=CREDIT_READ_GROUPS
    )
    collections_available_credit = fields.Monetary(
        string="Available Credit",
        compute="_compute_collections_credit",
        groups=CREDIT_READ_GROUPS,
        currency_field="collections_credit_currency_id",
    )
    collections_overdue_amount = fields.Monetary(
        string="Overdue Amount",
        compute="_compute_collections_credit",
        groups=CREDIT_READ_GROUPS,
        currency_field="collections_credit_currency_id",
    )
    collections_credit_hold_text = fields.Text(
        string="Credit Hold Reasons", compute="_compute_collections_credit", groups=CREDIT_READ_GROUPS
    )
    collections_on_credit_hold = fields.Boolean(
        string="On Credit Hold", compute="_compute_collections_credit", groups=CREDIT_READ_GROUPS
    )

    @api.depends_context("uid")
    def _compute_collections_can_edit_credit(self):
        can_edit = self.env.su or self.env.user.has_group("collections_followup.group_collections_manager")
        self.collections_can_edit_credit = can_edit

    @api.depends_context("company")
    def _compute_collections_credit(self):
        company = self.env.company
        # records being edited in a form have a NewId: their origin is read
        partners = self.filtered(lambda partner: partner._origin.id)
        (self - partners).update(
            {
                "collections_credit_currency_id": company.currency_id,
                "collections_exposure_open": 0.0,
                "collections_exposure_draft": 0.0,
                "collections_exposure_to_invoice": 0.0,
                "collections_exposure_credits": 0.0,
                "collections_exposure": 0.0,
                "collections_credit_limit_applied": 0.0,
                "collections_has_credit_limit": False,
                "collections_available_credit": 0.0,
                "collections_overdue_amount": 0.0,
                "collections_credit_hold_text": False,
                "collections_on_credit_hold": False,
            }
        )
        if not partners:
            return
        as_of = fields.Date.context_today(self)
        data = partners._origin._collections_credit_data(company, as_of)
        for partner in partners:
            state, hold_settings = data[partner._origin.commercial_partner_id.id]
            reasons = credit.hold_reasons(state, hold_settings, as_of)
            available = credit.available_credit(state.limit, state.exposure)
            exposure = state.exposure
            partner.update(
                {
                    "collections_credit_currency_id": company.currency_id,
                    "collections_exposure_open": float(exposure.open_receivables),
                    "collections_exposure_draft": float(exposure.draft_invoices),
                    "collections_exposure_to_invoice": float(exposure.to_invoice),
                    "collections_exposure_credits": float(exposure.unreconciled_credits),
                    "collections_exposure": float(exposure.total),
                    "collections_credit_limit_applied": float(state.limit or 0),
                    "collections_has_credit_limit": state.limit is not None,
                    "collections_available_credit": float(available or 0),
                    "collections_overdue_amount": float(state.overdue_amount),
                    "collections_credit_hold_text": "\n".join(
                        partner._collections_format_reasons(reasons, company)
                    )
                    or False,
                    "collections_on_credit_hold": bool(reasons),
                }
            )

    @api.onchange("credit_bureau_score")
    def _onchange_credit_bureau_score(self):
        for partner in self:
            if partner.credit_bureau_score and not partner.credit_rating:
                partner.credit_rating = credit.credit_rating(partner.credit_bureau_score)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            is_commercial = vals.get("is_company") or not vals.get("parent_id")
            given = {name for name in MANAGER_ONLY_FIELDS if vals.get(name)}
            if is_commercial and given:
                # the form sends the defaults too (e.g. the company's default limit)
                defaults = self.default_get(list(given))
                changed = {name for name in given if vals[name] != defaults.get(name)}
                if changed:
                    self._collections_check_credit_manager(changed)
        return super().create(vals_list)

    def write(self, vals):
        protected = set(vals) & MANAGER_ONLY_FIELDS
        old_limits = {}
        if protected:
            # Contacts copy their company's credit limit (a commercial field):
            # only the commercial partner's values matter and are guarded.
            commercials = self.filtered(lambda partner: partner == partner.commercial_partner_id)
            if any(commercials._collections_value_changes(name, vals[name]) for name in protected):
                self._collections_check_credit_manager(protected)
            # unchecking "Partner Limit" writes credit_limit again: logged by that write
            if "credit_limit" in vals:
                # sudo: credit_limit is an accounting field; read only to log the change
                old_limits = {partner: partner.sudo().credit_limit for partner in commercials}
        old_releases = {}
        if "credit_release_until" in vals:
            old_releases = {partner: partner.credit_release_until for partner in self}
        # The native limit fields are reserved to accounting groups; a Collections
        # Manager outside them (checked above) still sets the limit.
        restricted = (
            {
                name
                for name in protected
                if self._fields[name].groups
                and not self.env.su
                and not self.env.user.has_groups(self._fields[name].groups)
            }
            if self.env.user.has_group("collections_followup.group_collections_manager")
            else set()
        )
        if restricted:
            # sudo: the user is a Collections Manager (checked above) whom the
            # README allows to set the limit without accounting rights
            super(ResPartner, self.sudo()).write({name: vals[name] for name in restricted})
            vals = {name: value for name, value in vals.items() if name not in restricted}
        # A contact may hold an exemption (a release, a "never check") that only
        # matters once it is a commercial partner: becoming one is a manager's call.
        was_contact = self.filtered(lambda partner: partner != partner.commercial_partner_id)
        result = super().write(vals) if vals else True
        if was_contact and ("parent_id" in vals or "is_company" in vals):
            promoted = was_contact.filtered(lambda partner: partner == partner.commercial_partner_id)
            # sudo: reading the exemption fields only to decide whether to refuse
            if promoted and any(
                partner.sudo()[name] and partner.sudo()[name] != credit.SWITCH_ALWAYS
                for partner in promoted
                for name in EXEMPTING_FIELDS
            ):
                self._collections_check_credit_manager(EXEMPTING_FIELDS)
        if old_limits:
            self._collections_log_limit_changes(old_limits)
        if old_releases:
            self._collections_log_release_changes(old_releases)
        return result

    def action_collections_open_receivables(self):
        """Open the customer's open receivable instalments (the exposure's first amount)."""
        self.ensure_one()
        return self._collections_lines_action(self.env._("Open Receivables"), [("amount_residual", ">", 0)])

    def action_collections_overdue(self):
        """Open the customer's overdue instalments."""
        self.ensure_one()
        self._collections_check_credit_access()
        today = fields.Date.context_today(self)
        # the one definition of overdue (collections.receivable), as in the credit box
        line_ids = self._collections_overdue_line_ids(self.env.company, today, self.commercial_partner_id.ids)
        return self._collections_lines_action(self.env._("Overdue Instalments"), [("id", "in", line_ids)])

    def action_collections_credits(self):
        """Open the customer's unreconciled credits (credit notes and payments)."""
        self.ensure_one()
        return self._collections_lines_action(
            self.env._("Unreconciled Credits"), [("amount_residual", "<", 0)]
        )

    def action_collections_draft_invoices(self):
        """Open the customer's draft invoices counted in the exposure."""
        self.ensure_one()
        self._collections_check_credit_access()
        company = self.env.company
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Draft Invoices"),
            "res_model": "account.move",
            "view_mode": "list,form",
            "views": [(self.env.ref("account.view_out_invoice_tree").id, "list"), (False, "form")],
            "domain": [
                ("company_id", "=", company.id),
                ("state", "=", "draft"),
                ("move_type", "in", CUSTOMER_INVOICE_TYPES),
                ("commercial_partner_id", "=", self.commercial_partner_id.id),
            ],
            "context": {"default_move_type": "out_invoice", "create": False},
        }

    # --- public API (XML-RPC) -------------------------------------------------

    @in_user_language
    def collections_credit_exposure(self, company_id=None):
        """Credit exposure of the partner's commercial entity in one company.

        :param company_id: id of the company (default: the current company);
            the user must be allowed in it.
        :return: dict with, in the company currency, ``open_receivables``,
            ``draft_invoices``, ``to_invoice`` (confirmed sales not invoiced
            yet, 0 without the sales bridge), ``unreconciled_credits``,
            ``exposure`` (open + draft + to invoice - credits),
            ``credit_limit`` and ``available_credit`` (False without limit),
            ``overdue_amount``, ``oldest_overdue_due_date`` (ISO date or False),
            ``on_hold`` (bool), ``currency`` (ISO code), ``partner_id`` and
            ``company_id``.
        """
        self._collections_ensure_one()
        self._collections_check_credit_access()
        company = self._collections_company(company_id)
        as_of = fields.Date.context_today(self)
        partner = self.commercial_partner_id
        state, hold_settings = partner._collections_credit_data(company, as_of)[partner.id]
        available = credit.available_credit(state.limit, state.exposure)
        exposure = state.exposure
        return {
            "partner_id": partner.id,
            "company_id": company.id,
            "currency": company.currency_id.name,
            "open_receivables": float(exposure.open_receivables),
            "draft_invoices": float(exposure.draft_invoices),
            "to_invoice": float(exposure.to_invoice),
            "unreconciled_credits": float(exposure.unreconciled_credits),
            "exposure": float(exposure.total),
            # False, not None: XML-RPC cannot carry None
            "credit_limit": False if state.limit is None else float(state.limit),
            "available_credit": False if available is None else float(available),
            "overdue_amount": float(state.overdue_amount),
            "oldest_overdue_due_date": state.oldest_overdue_due_date.isoformat()
            if state.oldest_overdue_due_date
            else False,
            "on_hold": bool(credit.hold_reasons(state, hold_settings, as_of)),
        }

    @in_user_language
    def collections_credit_hold_reasons(self, document_amount=0.0, company_id=None):
        """Why a new document of ``document_amount`` would be blocked.

        :param document_amount: amount of the invoice or order to check, in
            the company currency, counted on top of the current exposure.
        :param company_id: id of the company (default: the current company).
        :return: list (empty when nothing blocks) of dicts with ``code``
            (credit_limit, overdue, manual, dunning, suspended), ``message``
            (in the user's language) and the figures of the reason (amounts
            as numbers, dates as ISO strings, False when empty).
        """
        self._collections_ensure_one()
        self._collections_check_credit_access(summary=True)
        amount = self._collections_parse_amount(document_amount)
        company = self._collections_company(company_id)
        as_of = fields.Date.context_today(self)
        partner = self.commercial_partner_id
        state, hold_settings = partner._collections_credit_data(company, as_of)[partner.id]
        reasons = credit.hold_reasons(state, hold_settings, as_of, document_amount=amount)
        messages = self._collections_format_reasons(reasons, company)
        result = []
        for reason, message in zip(reasons, messages, strict=False):
            values = {
                name: float(value)
                if isinstance(value, Decimal)
                else value.isoformat()
                if isinstance(value, date)
                else False
                if value is None
                else value
                for name, value in reason.values.items()
            }
            result.append({**values, "code": reason.code, "message": message})
        return result

    # --- business methods ------------------------------------------------------

    def _collections_ensure_one(self):
        if len(self) != 1:
            raise UserError(
                self.env._("Call this method on exactly one customer (got %(count)s).", count=len(self))
            )

    @api.model
    def _collections_credit_read_groups(self, summary=False):
        """Groups allowed to read customers' credit; ``summary``: the applied
        limit, available credit, overdue amount and hold reasons only (the
        sales bridge adds salespeople)."""
        return CREDIT_READ_GROUPS

    def _collections_check_credit_access(self, summary=False):
        """AccessError unless the user may read these partners and their credit
        (the groups of the credit fields): checked before any sudo()."""
        self.check_access("read")
        if self.env.su or self.env.user.has_groups(self._collections_credit_read_groups(summary=summary)):
            return
        raise AccessError(self.env._("You are not allowed to see the credit of customers."))

    @api.model
    def _collections_parse_amount(self, value):
        """A document amount given over RPC as a finite Decimal, else UserError."""
        if value is None or value is False:
            return Decimal(0)
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise UserError(self.env._("The document amount must be a number, got %(value)r.", value=value))
        try:
            amount = Decimal(value.strip() if isinstance(value, str) else repr(value))
        except (InvalidOperation, ValueError) as error:
            raise UserError(
                self.env._("The document amount must be a number, got %(value)r.", value=value)
            ) from error
        if not amount.is_finite() or abs(amount) > MAX_DOCUMENT_AMOUNT:
            raise UserError(
                self.env._(
                    "The document amount must be a finite number below %(max)s, got %(value)r.",
                    # not an f-string: the .pot export (babel) loses the strings after one in _()
                    max="{:,.0f}".format(MAX_DOCUMENT_AMOUNT),  # noqa: UP032
                    value=value,
                )
            )
        return amount

    def _collections_company(self, company_id):
        """The company of ``company_id`` (default: the current one), which the
        user must be allowed in; ValidationError / AccessError otherwise."""
        self.check_access("read")
        if company_id is None or company_id is False:
            return self.env.company
        if isinstance(company_id, bool) or not isinstance(company_id, int) or company_id <= 0:
            raise ValidationError(
                self.env._(
                    "The company must be given by its id (a positive whole number), got %(value)r.",
                    value=company_id,
                )
            )
        # sudo: only to tell a missing company from a forbidden one; the record
        # returned is the user's and the membership is checked right after.
        company = self.env["res.company"].sudo().browse(company_id).exists()
        if not company or (not self.env.su and company not in self.env.user.company_ids):
            raise AccessError(self.env._("You are not allowed to see the credit of this company."))
        return self.env["res.company"].browse(company.id)

    def _collections_value_changes(self, field_name, value):
        """True when writing ``value`` in ``field_name`` changes one of the partners."""
        field = self._fields[field_name]
        # sudo: compares values only; the caller decides who may change them
        for partner in self.sudo():
            new_value = field.convert_to_record(field.convert_to_cache(value, partner), partner)
            if new_value != partner[field_name]:
                return True
        return False

    @api.model
    def _collections_check_credit_manager(self, field_names):
        if self.env.su or self.env.user.has_group("collections_followup.group_collections_manager"):
            return
        labels = sorted(self._fields[name]._description_string(self.env) for name in field_names)
        raise AccessError(
            self.env._(
                "Only a Collections Manager can change the credit settings of a customer (%(fields)s).",
                fields=", ".join(labels),
            )
        )

    def _collections_log_limit_changes(self, old_limits):
        company = self.env.company
        for partner, old_limit in old_limits.items():
            # sudo: the limit may be written by a manager without accounting
            # rights; the chatter note is posted as the system, escaped (plain str)
            new_limit = partner.sudo().credit_limit
            if old_limit == new_limit:
                continue
            partner.sudo().message_post(
                body=self.env._(
                    "Credit limit in %(company)s changed from %(old)s to %(new)s by %(user)s.",
                    company=company.name,
                    old=formatLang(self.env, old_limit, currency_obj=company.currency_id),
                    new=formatLang(self.env, new_limit, currency_obj=company.currency_id),
                    user=self.env.user.name,
                )
            )

    def _collections_log_release_changes(self, old_releases):
        company = self.env.company
        for partner, old_date in old_releases.items():
            new_date = partner.credit_release_until
            if old_date == new_date or partner != partner.commercial_partner_id:
                continue
            if new_date:
                body = self.env._(
                    "Credit holds in %(company)s released until %(date)s by %(user)s.",
                    company=company.name,
                    date=format_date(self.env, new_date),
                    user=self.env.user.name,
                )
            else:
                body = self.env._(
                    "Credit release in %(company)s withdrawn by %(user)s.",
                    company=company.name,
                    user=self.env.user.name,
                )
            # sudo: the change was allowed by write(); the note is escaped (plain str)
            partner.sudo().message_post(body=body)

    def _collections_contact_tree(self):
        """The customer and all its contacts, archived ones included, for the
        domains of drill-down actions (which then run with the user's rights)."""
        # sudo: archived and other users' contacts of the customer belong in the domain
        return (
            self.sudo()
            .with_context(active_test=False)
            .search([("id", "child_of", self.commercial_partner_id.ids)])
        )

    def _collections_lines_action(self, name, domain):
        self._collections_check_credit_access()
        company = self.env.company
        tree = self._collections_contact_tree()
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": "account.move.line",
            "view_mode": "list,form",
            "views": [(self.env.ref("account.view_move_line_tree").id, "list"), (False, "form")],
            "domain": [("company_id", "=", company.id), ("partner_id", "in", tree.ids)]
            + RECEIVABLE_DOMAIN
            + domain,
            "context": {"create": False, "search_default_group_by_move": 0},
        }

    def _collections_format_reasons(self, reasons, company):
        """Sentences (user's language) explaining each lib.credit HoldReason."""
        currency = company.currency_id
        return [
            credit.format_reason(
                reason,
                translate=self.env._,
                format_amount=lambda amount: formatLang(self.env, float(amount), currency_obj=currency),
                format_date=lambda day: format_date(self.env, day),
            )
            for reason in reasons
        ]

    def _collections_credit_data(self, company, as_of, exclude_move_ids=(), exclude_order_ids=()):
        """Credit state of the commercial partners of ``self`` in ``company``.

        Set-based: a fixed number of queries whatever the number of partners
        and instalments. Documents in ``exclude_move_ids`` (draft invoices
        being posted) and ``exclude_order_ids`` (orders being confirmed) are
        left out of the exposure: the caller counts them as the document.

        :return: {commercial partner id: (lib.credit.PartnerCreditState,
            lib.credit.HoldSettings)}
        """
        commercials = self.sudo().with_company(company).commercial_partner_id
        rows = defaultdict(list)
        overdue_amount = {}
        oldest_due = {}
        sums = self._collections_account_sums(company, commercials, as_of, exclude_move_ids)
        for commercial_id, open_amount, credit_amount, draft in sums:
            rows[commercial_id] += [
                ("open", open_amount or 0),
                ("credit", credit_amount or 0),
                ("draft", draft or 0),
            ]
        # overdue: the one definition of lib.receivable, read by collections.receivable
        tolerance = {
            partner.id: money.to_decimal(partner._collections_policy().sudo().tolerance_amount)
            for partner in commercials
        }
        for commercial_id, (amount, due_date) in (
            self.env["collections.receivable"]
            ._overdue_sums(company, commercials.ids, as_of, tolerance)
            .items()
        ):
            overdue_amount[commercial_id] = amount
            oldest_due[commercial_id] = due_date
        for commercial_id, amount in commercials._collections_to_invoice_amounts(
            company, exclude_order_ids
        ).items():
            rows[commercial_id].append(("to_invoice", amount))

        company_switches = company._collections_hold_switches()
        settings_by_partner = {
            partner.id: credit.hold_settings(
                company_switches,
                {name: partner[field_name] for name, field_name in PARTNER_HOLD_OVERRIDES.items()},
                company.collections_hold_overdue_days,
            )
            for partner in commercials
        }
        # the calendar is only read when an overdue instalment is checked
        checked_due_dates = [
            due_date
            for partner_id, due_date in oldest_due.items()
            if settings_by_partner[partner_id].check_overdue
        ]
        # the working-day rule shared with the dunning run and the late charges
        first_checked = min(checked_due_dates, default=None)
        holidays, weekend = (
            company._collections_working_days(first_checked, as_of)
            if first_checked
            else (frozenset(), workdays.WEEKEND)
        )
        default_limit = (
            self.env["res.partner"]._fields["credit_limit"].get_company_dependent_fallback(commercials)
        )
        rounding = str(company.currency_id.rounding)
        result = {}
        for partner in commercials:
            due_date = oldest_due.get(partner.id)
            state = credit.PartnerCreditState(
                limit=credit.effective_limit(
                    partner.use_partner_credit_limit, partner.credit_limit, default_limit
                ),
                exposure=credit.exposure_from_rows(rows[partner.id], rounding),
                oldest_overdue_due_date=due_date and workdays.effective_due_date(due_date, holidays, weekend),
                overdue_amount=money.round_money(overdue_amount.get(partner.id, 0), rounding),
                manual_hold_reason=(partner.credit_hold_manual_reason or "")
                if partner.credit_hold_manual
                else None,
                dunning_hold_level=partner.credit_hold_level_id.name or None,
                suspended_since=partner.service_suspended_date or None,
                suspension_reason=partner.service_suspension_reason or None,
                release_until=partner.credit_release_until or None,
            )
            result[partner.id] = (state, settings_by_partner[partner.id])
        return result

    def _collections_to_invoice_amounts(self, company, exclude_order_ids=()):
        """{commercial partner id: Decimal} of confirmed sales not invoiced yet
        of the commercial partners ``self``, in the company currency; the sales
        bridge fills it in."""
        return {}

    @api.model
    def _collections_account_sums(self, company, commercials, as_of, exclude_move_ids=()):
        """Rows (commercial partner id, open, credits, drafts) in the company currency, for
        ``commercials`` and their contacts in ``company``: posted unreconciled receivable lines
        (disputed invoices are never overdue) and draft customer invoices but
        ``exclude_move_ids``. A partner may come in two rows (lines, drafts).
        One query: it runs on every post and confirmation."""
        self.env["account.move.line"].flush_model(
            [
                "company_id",
                "partner_id",
                "account_id",
                "parent_state",
                "reconciled",
                "amount_residual",
                "date_maturity",
                "move_id",
            ]
        )
        self.env["account.move"].flush_model(
            ["company_id", "state", "move_type", "commercial_partner_id", "amount_total_signed"]
        )
        self.env["collections.dispute"].flush_model(["move_id", "is_open"])
        self.env["account.account"].flush_model(["account_type"])
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        self.env.cr.execute(
            SQL(
                """
            SELECT partner.commercial_partner_id,
                   SUM(line.amount_residual) FILTER (WHERE line.amount_residual > 0),
                   -SUM(line.amount_residual) FILTER (WHERE line.amount_residual < 0),
                   NULL::numeric
              FROM account_move_line line
              JOIN res_partner partner ON partner.id = line.partner_id
              JOIN account_account account ON account.id = line.account_id
             WHERE line.company_id = %(company)s
               AND partner.commercial_partner_id = ANY(%(partners)s)
               AND account.account_type = 'asset_receivable'
               AND line.parent_state = 'posted'
               AND NOT line.reconciled
          GROUP BY partner.commercial_partner_id
         UNION ALL
            SELECT move.commercial_partner_id, NULL, NULL, SUM(move.amount_total_signed)
              FROM account_move move
             WHERE move.company_id = %(company)s
               AND move.commercial_partner_id = ANY(%(partners)s)
               AND move.state = 'draft'
               AND move.move_type IN %(types)s
               AND move.id != ALL(%(excluded)s)
          GROUP BY move.commercial_partner_id
            """,
                company=company.id,
                partners=commercials.ids,
                types=CUSTOMER_INVOICE_TYPES,
                excluded=list(exclude_move_ids),
            )
        )
        return self.env.cr.fetchall()

    # --- scheduled actions -----------------------------------------------------

    @api.model
    def _cron_collections_credit_review(self, as_of=None, batch_size=500):
        """Schedule a credit review activity for every customer whose next
        review date has come, unless one is already open; ``as_of`` (a date,
        default today) lets a run be replayed for a given day."""
        as_of = fields.Date.to_date(as_of) or fields.Date.context_today(self)
        activity_type = self.env.ref("collections_followup.mail_activity_type_credit_review")
        model_id = self.env["ir.model"]._get_id("res.partner")
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        # sudo: a scheduled action over every company and customer; it only
        # creates review activities.
        for company in self.env["res.company"].sudo().search([]):
            Partner = self.sudo().with_company(company)
            due = Partner.search([("credit_review_next_date", "<=", as_of)])
            due = due.filtered(lambda partner: credit.review_due(partner.credit_review_next_date, as_of))
            done = 0
            for batch in split_every(batch_size, due.ids, Partner.browse):
                # sudo: the cron reads every user's activities to avoid duplicates
                open_reviews = (
                    self.env["mail.activity"]
                    .sudo()
                    .search_fetch(
                        [
                            ("res_model", "=", "res.partner"),
                            ("res_id", "in", batch.ids),
                            ("activity_type_id", "=", activity_type.id),
                            # one review per customer and company; older activities
                            # without a company count for every company
                            ("collections_company_id", "in", [company.id, False]),
                        ],
                        ["res_id"],
                    )
                )
                reviewed = set(open_reviews.mapped("res_id"))
                values = []
                for partner in batch:
                    user = (
                        partner.collections_responsible_id
                        or partner.user_id
                        or company.collections_credit_reviewer_id
                    )
                    if partner.id in reviewed or not user:
                        continue
                    values.append(
                        {
                            "res_model_id": model_id,
                            "res_id": partner.id,
                            "activity_type_id": activity_type.id,
                            "user_id": user.id,
                            "date_deadline": partner.credit_review_next_date,
                            "summary": self.env._("Credit review due in %(company)s", company=company.name),
                            "collections_company_id": company.id,
                        }
                    )
                # sudo: scheduled action creating activities for other users
                self.env["mail.activity"].sudo().create(values)
                done += len(batch)
                if auto_commit:
                    self.env["ir.cron"]._notify_progress(done=done, remaining=len(due) - done)
                    # only with auto_commit (the cron): a long run commits step by step, by design
                    # pylint: disable-next=invalid-commit
                    self.env.cr.commit()  # one batch per transaction: a crash loses at most one batch
        return True

    # Consumer status (for the legal fine cap) and the late charges of the
    # partner's overdue instalments in the current company.

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
        by_partner = (
            self._collections_overdue_lines_by_partner(company, today, commercial.ids) if commercial else {}
        )
        Line = self.env["account.move.line"].sudo()
        lines = Line.browse([line_id for line_ids in by_partner.values() for line_id in line_ids])
        charges = lines._collections_late_charges(today)
        policies = {}
        for partner in self:
            own = Line.browse(by_partner.get(partner.commercial_partner_id.id, []))
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
    def _collections_overdue_lines_by_partner(self, company, as_of, partner_ids):
        """{commercial partner id: [ids of its overdue open instalments]} on
        ``as_of``, due date order: the one definition of the receivable snapshot."""
        snapshot = self.env["collections.receivable"]._snapshot(company, as_of, partner_ids=partner_ids)
        return {
            partner_id: [item.line_id for item in items if snapshot.is_overdue(item)]
            for partner_id, items in snapshot.by_partner().items()
        }

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
            "name": self.env._("Invoice Late Charges"),
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

    collections_plan_ids = fields.One2many("collections.plan", "partner_id", string="Payment Plans")
    collections_plan_kept_count = fields.Integer(
        string="Plans Kept",
        compute="_compute_collections_plan_counts",
        help="Payment plans paid to the end (for the kept-agreements rate).",
    )
    collections_plan_broken_count = fields.Integer(
        string="Plans Broken", compute="_compute_collections_plan_counts"
    )

    def _compute_collections_plan_counts(self):
        counts = {
            (partner.id, state): count
            for partner, state, count in self.env["collections.plan"]._read_group(
                [("partner_id", "in", self.ids), ("state", "in", ("completed", "broken"))],
                ["partner_id", "state"],
                ["__count"],
            )
        }
        for partner in self:
            partner.collections_plan_kept_count = counts.get((partner.id, "completed"), 0)
            partner.collections_plan_broken_count = counts.get((partner.id, "broken"), 0)

    service_suspension_manual = fields.Boolean(
        string="Suspended by a Manager",
        company_dependent=True,
        readonly=True,
        help="The suspension was decided by a Collections Manager: only a manager lifts it.",
    )

    def _collections_check_service_input(self, reason):
        """The partner (commercial, of the current company) and the stripped
        reason, or an error; nothing is changed on error."""
        if not self.env.user.has_group(SERVICE_MANAGER_GROUP):
            raise AccessError(
                self.env._("Only a Collections Manager can suspend or reactivate a customer's service.")
            )
        if len(self) != 1:
            raise UserError(self.env._("Give exactly one customer."))
        if not isinstance(reason, str) or not reason.strip():
            raise UserError(self.env._("Give the reason of the suspension or reactivation."))
        partner = self.commercial_partner_id
        company = self.env.company
        if partner.company_id and partner.company_id != company:
            raise UserError(
                self.env._(
                    "%(partner)s belongs to the company %(other)s, not to %(company)s.",
                    partner=partner.display_name,
                    other=partner.company_id.name,
                    company=company.name,
                )
            )
        return partner.with_company(company), reason.strip()

    @in_user_language
    def collections_suspend_service(self, reason, date=None):
        """Suspend this customer's service in the current company.

        ``reason``: text, required. ``date``: ``None`` (today), or a date /
        ISO string, today or later: a later date is announced and the daily
        job suspends on it. Returns the follow-up action id recording it.
        Raises AccessError (not a Collections Manager), UserError (no
        reason, bad or past date, another company's customer, already
        suspended). Logged in the chatter and the follow-up history."""
        partner, reason = self._collections_check_service_input(reason)
        today = fields.Date.context_today(self)
        if date in (None, False, ""):
            day = today
        else:
            try:
                day = fields.Date.to_date(date)
            except (TypeError, ValueError):
                day = None
            if not isinstance(day, DATE_TYPE):
                raise UserError(
                    self.env._("The suspension date “%(date)s” is not a date (YYYY-MM-DD).", date=date)
                )
            if day < today:
                raise UserError(self.env._("A suspension cannot start in the past (%(date)s).", date=day))
        if partner.service_suspended_date:
            raise UserError(
                self.env._(
                    "The service of %(partner)s is already suspended since %(date)s.",
                    partner=partner.display_name,
                    date=partner.service_suspended_date,
                )
            )
        Action = self.env["collections.followup.action"].sudo()
        scheduled = Action.search(
            [
                ("company_id", "=", self.env.company.id),
                ("partner_id", "=", partner.id),
                ("kind", "=", "service"),
                ("suspension_state", "=", "announced"),
            ],
            limit=1,
        )
        if scheduled:
            raise UserError(
                self.env._(
                    "A suspension of %(partner)s is already scheduled for %(date)s: "
                    "reactivate to cancel it first.",
                    partner=partner.display_name,
                    date=scheduled.suspension_planned_date,
                )
            )
        action = Action.create(
            {
                "partner_id": partner.id,
                "company_id": self.env.company.id,
                "date": today,
                "kind": "service",
                "state": "done",
                "user_id": self.env.user.id,
                "collector_id": partner.collections_responsible_id.id,
                "note": reason,
                "service_suspended": True,
                "suspension_planned_date": day,
                "suspension_state": "announced",
                "suspension_reason": reason,
            }
        )
        if day == today:
            action._collections_suspend(today)
        else:
            self.env["mail.message"].sudo().create(
                self.env["collections.followup.run"]._note_values(
                    partner,
                    self.env._(
                        "Service suspension scheduled for %(date)s by %(user)s: %(reason)s",
                        date=action._collections_format_date(day),
                        user=self.env.user.name,
                        reason=reason,
                    ),
                )
            )
        return action.id

    @in_user_language
    def collections_reactivate_service(self, reason):
        """Reactivate this customer's suspended service in the current
        company (any suspension: by a level, an announced date or a
        manager), and drop a manager's scheduled suspension. ``reason``:
        text, required. Returns the follow-up action id recording it.
        Raises AccessError (not a Collections Manager), UserError (no
        reason, another company's customer, service not suspended)."""
        partner, reason = self._collections_check_service_input(reason)
        Action = self.env["collections.followup.action"].sudo()
        scheduled = Action.search(
            [
                ("company_id", "=", self.env.company.id),
                ("partner_id", "=", partner.id),
                ("kind", "=", "service"),
                ("suspension_state", "=", "announced"),
            ]
        )
        if not partner.service_suspended_date and not scheduled:
            raise UserError(
                self.env._("The service of %(partner)s is not suspended.", partner=partner.display_name)
            )
        today = fields.Date.context_today(self)
        Action.search(
            [
                ("company_id", "=", self.env.company.id),
                ("partner_id", "=", partner.id),
                ("suspension_state", "=", "suspended"),
            ]
        ).write({"suspension_state": "lifted"})
        scheduled.write({"suspension_state": "cancelled"})
        partner.sudo().write(
            {
                "service_suspended_date": False,
                "service_suspension_reason": False,
                "service_suspension_manual": False,
            }
        )
        action = Action.create(
            {
                "partner_id": partner.id,
                "company_id": self.env.company.id,
                "date": today,
                "kind": "service",
                "state": "done",
                "user_id": self.env.user.id,
                "collector_id": partner.collections_responsible_id.id,
                "note": reason,
                "suspension_state": "lifted",
                "suspension_reason": reason,
            }
        )
        self.env["mail.message"].sudo().create(
            self.env["collections.followup.run"]._note_values(
                partner,
                self.env._(
                    "Service reactivated by %(user)s: %(reason)s", user=self.env.user.name, reason=reason
                ),
            )
        )
        template = self.env.ref(
            "collections_followup.mail_template_service_reactivated", raise_if_not_found=False
        )
        if template:
            template.sudo().send_mail_batch(action.ids)
        return action.id

    def action_collections_service_wizard(self):
        """Open the suspend / reactivate wizard (Collections Managers)."""
        self.ensure_one()
        if not self.env.user.has_group(SERVICE_MANAGER_GROUP):
            raise AccessError(
                self.env._("Only a Collections Manager can suspend or reactivate a customer's service.")
            )
        partner = self.commercial_partner_id
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Service Suspension"),
            "res_model": "collections.service.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_partner_id": partner.id,
                "default_mode": "reactivate" if partner.service_suspended_date else "suspend",
            },
        }

    # -- the collector's desk (Send & Print, manual level, collectors) -------

    def _collections_desk_partners(self):
        """The commercial partners of ``self``, all of the current company
        (or shared); a UserError otherwise."""
        self._collections_check_collector()
        partners = self.commercial_partner_id
        if not partners:
            raise UserError(self.env._("Choose the customers."))
        company = self.env.company
        foreign = partners.sudo().filtered(
            lambda partner: partner.company_id and partner.company_id != company
        )
        if foreign:
            raise UserError(
                self.env._(
                    "%(partners)s belong to another company.",
                    partners=", ".join(foreign.mapped("display_name")),
                )
            )
        return partners

    @api.model
    def _collections_desk_level(self, level_id):
        """The collections.level ``level_id`` of the current company, or an
        empty recordset for None/False; a UserError for anything else."""
        Level = self.env["collections.level"].sudo()
        if level_id in (None, False):
            return Level
        if isinstance(level_id, models.BaseModel):
            level_id = level_id.id
        if isinstance(level_id, bool) or not isinstance(level_id, int) or level_id <= 0:
            raise UserError(
                self.env._("Give the id of a follow-up level, got %(value)s.", value=repr(level_id))
            )
        level = Level.browse(level_id).exists()
        if not level or level.policy_id.company_id != self.env.company:
            raise UserError(
                self.env._("Choose a follow-up level of %(company)s.", company=self.env.company.name)
            )
        return level

    @api.model
    def _collections_desk_channels(self, channels):
        if isinstance(channels, str) or not isinstance(channels, (list, tuple, set)):
            raise UserError(self.env._("Give the channels as a list, e.g. ['email', 'letter']."))
        channels = list(dict.fromkeys(channels))
        unknown = [channel for channel in channels if channel not in DESK_CHANNELS]
        if unknown:
            raise UserError(
                self.env._(
                    "Unknown channel %(channels)s: use %(known)s.",
                    channels=", ".join(map(repr, unknown)),
                    known=", ".join(DESK_CHANNELS),
                )
            )
        if not channels:
            raise UserError(self.env._("Choose at least one channel: e-mail, letter, SMS or activity."))
        if "sms" in channels and "sms.sms" not in self.env:
            raise UserError(self.env._("SMS needs Odoo's SMS module, which is not installed."))
        return channels

    # -- Send & Print --------------------------------------------------------

    @in_user_language
    def collections_preview(self, level_id=None):
        """The e-mail a Send & Print of this customer would send now
        (XML-RPC friendly): {'subject', 'body', 'level_id'} rendered from the
        same stored action as the real send; no 'body' when the level has no
        e-mail template. Nothing is written. For collectors."""
        partner = self._collections_desk_partners()
        if len(partner) != 1:
            raise UserError(self.env._("Choose exactly one customer (got %(count)s).", count=len(partner)))
        level = self._collections_desk_level(level_id)
        engine = self.env["collections.followup.run"].sudo().with_company(self.env.company)
        return engine._desk_preview(partner, level, fields.Date.context_today(self))

    @in_user_language
    def collections_send_now(self, channels, level_id=None, attach_invoices=False):
        """Send & Print to these customers now (XML-RPC friendly): one
        follow-up action each (kind "manual", in their history like the
        run's), through the chosen ``channels`` only ("email", "letter",
        "sms" when Odoo's SMS module is installed, "activity"), with the
        template of ``level_id`` (default: each customer's current level).
        The action claims the customer's overdue instalments; their pairs
        with the level are recorded, so the run does not send that level
        again. Credit hold, suspension and escalation are left to the run.
        For collectors.

        :param channels: list of channel names
        :param level_id: id of a level of the current company, or None
        :param attach_invoices: attach the open invoices' PDFs to the e-mail
        :returns: list of the ids of the actions created
        """
        partners = self._collections_desk_partners()
        channels = self._collections_desk_channels(channels)
        level = self._collections_desk_level(level_id)
        company = self.env.company
        engine = self.env["collections.followup.run"].sudo().with_company(company)
        actions = engine._desk_record(partners, level, fields.Date.context_today(self))
        if "email" in channels:
            missing = actions.filtered(lambda action: not action.level_id.mail_template_id)
            if missing:
                raise UserError(
                    self.env._(
                        "The level %(levels)s has no e-mail template: choose another level or no e-mail.",
                        levels=", ".join(missing.level_id.mapped("name")),
                    )
                )
        actions.with_context(collections_channels=list(channels))._execute_channels()
        if attach_invoices:
            actions.filtered("mail_id")._collections_attach_invoices()
        self.env["collections.partner.status"].sudo()._refresh(company, partner_ids=partners.ids)
        return actions.ids

    def action_collections_send_print(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Send & Print"),
            "res_model": "collections.send.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_ids": self.commercial_partner_id.ids},
        }

    # -- manual level ----------------------------------------------------------

    @in_user_language
    def collections_set_level(self, level_id, reason):
        """Put this customer at ``level_id`` of its policy (XML-RPC
        friendly), with the collector's ``reason``: its overdue instalments
        count as contacted at every level up to that one and at none above,
        so the next run continues from there (the next level when reached;
        with the policy's "levels in sequence", exactly the next one).
        Logged in the chatter and as a "level change" in the follow-up
        history; nothing is sent. For collectors.

        :returns: id of the history record (collections.followup.action)
        """
        partner = self._collections_desk_partners()
        if len(partner) != 1:
            raise UserError(self.env._("Choose exactly one customer (got %(count)s).", count=len(partner)))
        if not isinstance(reason, str) or not reason.strip():
            raise UserError(self.env._("Give the reason for changing the follow-up level."))
        level = self._collections_desk_level(level_id)
        if not level:
            raise UserError(self.env._("Choose the new follow-up level."))
        company = self.env.company
        policy = partner.with_company(company).sudo()._collections_policy()
        if level.policy_id != policy:
            raise UserError(
                self.env._(
                    "Choose a level of %(partner)s's policy (%(policy)s).",
                    partner=partner.display_name,
                    policy=policy.name or self.env._("none"),
                )
            )
        as_of = fields.Date.context_today(self)
        engine = self.env["collections.followup.run"].sudo().with_company(company)
        data = engine._gather(company, as_of, partner_ids=partner.ids)
        previous = (
            self.env["collections.level"]
            .sudo()
            .browse((engine._overview(data).get(partner.id) or {}).get("level_id") or [])
        )
        line_ids = [
            item.line_id
            for item in data.items_by_partner.get(partner.id, ())
            if data.snapshot.is_overdue(item) and not item.paused
        ]
        if not line_ids:
            raise UserError(
                self.env._(
                    "%(partner)s has nothing overdue: there is no level to change.",
                    partner=partner.display_name,
                )
            )
        below = policy.level_ids.filtered(lambda other: other.days <= level.days)
        above = policy.level_ids - below
        action = (
            self.env["collections.followup.action"]
            .sudo()
            .create(
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "date": as_of,
                    "policy_id": policy.id,
                    "level_id": level.id,
                    "state": "done",
                    "kind": "level_change",
                    "user_id": self.env.user.id,
                    "collector_id": partner.sudo().with_company(company).collections_responsible_id.id,
                    "note": reason.strip(),
                }
            )
        )
        Pair = self.env["collections.followup.pair"].sudo()
        Pair.flush_model()
        cr = self.env.cr
        if above:
            cr.execute(
                "DELETE FROM collections_followup_pair WHERE move_line_id = ANY(%s) AND level_id = ANY(%s)",
                [line_ids, above.ids],
            )
        rows = [(line_id, other.id) for line_id in line_ids for other in below]
        cr.execute(
            """
            INSERT INTO collections_followup_pair (move_line_id, level_id, action_id, company_id)
            SELECT line_id, level_id, %s, %s FROM unnest(%s::int[], %s::int[]) AS t(line_id, level_id)
            ON CONFLICT (move_line_id, level_id) DO NOTHING
            """,
            [action.id, company.id, [row[0] for row in rows], [row[1] for row in rows]],
        )
        Pair.invalidate_model()
        partner.sudo().message_post(
            body=self.env._(
                "Follow-up level changed from %(old)s to %(new)s by %(user)s: %(reason)s",
                old=previous.name or self.env._("none"),
                new=level.name,
                user=self.env.user.name,
                reason=reason.strip(),
            ),
            subtype_xmlid="mail.mt_note",
        )
        self.env["collections.partner.status"].sudo()._refresh(company, as_of, partner_ids=partner.ids)
        return action.id

    def action_collections_set_level(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Change Follow-up Level"),
            "res_model": "collections.level.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.commercial_partner_id.id},
        }

    # -- collectors -------------------------------------------------------------

    @in_user_language
    def collections_assign_collector(self, user_id):
        """Make ``user_id`` the collector of these customers in the current
        company (XML-RPC friendly); False removes the collector. For
        collectors and collections managers.

        :returns: True
        """
        partners = self._collections_desk_partners()
        company = self.env.company
        user = self.env["res.users"]
        if user_id not in (None, False):
            if isinstance(user_id, models.BaseModel):
                user_id = user_id.id
            if isinstance(user_id, bool) or not isinstance(user_id, int) or user_id <= 0:
                raise UserError(self.env._("Give the id of a user, got %(value)s.", value=repr(user_id)))
            user = self.env["res.users"].sudo().browse(user_id).exists()
            if not user or not self.env["collections.followup.action"]._collections_assignable(user, company):
                raise UserError(
                    self.env._(
                        "The collector must be an active internal user of %(company)s.", company=company.name
                    )
                )
        # sudo: a collector may assign customers (README roles); only the
        # company's collector field is written.
        partners.sudo().with_company(company).write({"collections_responsible_id": user.id})
        for partner in partners:
            partner.sudo().message_post(
                body=self.env._("Collector: %(user)s", user=user.name or self.env._("none")),
                subtype_xmlid="mail.mt_note",
            )
        self.env["collections.partner.status"].sudo().search(
            [("partner_id", "in", partners.ids), ("company_id", "=", company.id)]
        ).write({"collector_id": user.id})
        return True

    # -- customer statement (collections.statement) ---------------------

    def action_collections_statement(self):
        """The statement wizard for these customers."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Customer Statement"),
            "res_model": "collections.statement",
            "view_mode": "form",
            "target": "new",
            "context": {"active_model": "res.partner", "active_ids": self.ids},
        }

    def collections_statement(self, date_from, date_to, company_id=None):
        """The statement of each of these customers (XML-RPC friendly): see
        README "Python and XML-RPC API"."""
        statement = self.env["collections.statement"].create(
            {
                "partner_ids": [(6, 0, self.commercial_partner_id.ids)],
                "company_id": company_id or self.env.company.id,
                "date_from": date_from,
                "date_to": date_to,
            }
        )
        statement._check()
        result = []
        for partner in statement.partner_ids:
            data = statement._statement_data(partner)
            result.append(
                {
                    "partner_id": partner.id,
                    "currency": data["currency"].name,
                    "opening": float(data["opening"]),
                    "debit": float(data["debit"]),
                    "credit": float(data["credit"]),
                    "closing": float(data["closing"]),
                    "lines": [
                        {
                            "date": fields.Date.to_string(row["date"]),
                            "document": row["name"],
                            "type": row["kind"],
                            "debit": float(row["debit"]),
                            "credit": float(row["credit"]),
                            "balance": float(row["balance"]),
                        }
                        for row in data["lines"]
                    ],
                    "open_items": [
                        {
                            "line_id": item["line_id"],
                            "document": item["name"],
                            "due_date": fields.Date.to_string(item["due_date"]),
                            "days_late": item["days_late"],
                            "currency": item["currency"].name,
                            "residual": float(item["residual"]),
                            "charges": float(item["charges"]),
                            "updated": float(item["updated"]),
                        }
                        for item in data["open_items"]
                    ],
                }
            )
        return result

    def collections_statement_pdf(self, date_from, date_to, company_id=None):
        """The statement PDF of these customers, one after the other, as
        base64 text (XML-RPC friendly)."""
        statement = self.env["collections.statement"].create(
            {
                "partner_ids": [(6, 0, self.commercial_partner_id.ids)],
                "company_id": company_id or self.env.company.id,
                "date_from": date_from,
                "date_to": date_to,
            }
        )
        statement._check()
        return base64.b64encode(statement._pdf(statement.partner_ids)).decode()
