from collections import defaultdict

from odoo import _, api, fields, models

from ..lib import dunning
from ..lib.money import round_money, to_decimal

from .collections_level import ESCALATIONS

FOLLOWUP_STATUSES = [
    ("no_action", "No action needed"),
    ("overdue", "With overdue"),
    ("action", "Action needed"),
    ("in_plan", "In plan"),
    ("excluded", "Excluded"),
]

LATE_CHARGE_KEYS = ("fine", "interest", "correction", "charged", "charges", "updated_total")


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
        "res.users", string="Collector", company_dependent=True,
        help="The collector in charge of this customer.",
    )
    collections_excluded = fields.Boolean(
        string="Excluded from Follow-up", company_dependent=True,
        help="Never chased by the follow-up run.",
    )
    collections_excluded_reason = fields.Char(string="Exclusion Reason", company_dependent=True)
    credit_hold_manual = fields.Boolean(
        string="Manual Credit Hold", company_dependent=True,
        help="Blocks posting customer invoices and confirming sales until lifted.",
    )
    credit_hold_manual_reason = fields.Char(string="Credit Hold Reason", company_dependent=True)
    credit_hold_level_id = fields.Many2one(
        "collections.level", string="Credit Hold by Level", company_dependent=True,
        help="Set by a collection level that puts the customer on credit hold; "
        "lifted when nothing is overdue any more.",
    )
    service_suspended_date = fields.Date(
        string="Service Suspended Since", company_dependent=True,
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
        string="Postponed Until", company_dependent=True,
        help="The follow-up run leaves this customer alone until this date.",
    )
    collections_escalation = fields.Selection(
        ESCALATIONS, string="Escalation Stage", company_dependent=True,
        help="Set by a collection level that escalates the customer.",
    )
    collections_escalation_date = fields.Date(string="Escalated On", company_dependent=True)
    collections_action_ids = fields.One2many(
        "collections.followup.action", "partner_id", string="Follow-up History",
        groups="collections_followup.group_collections_user",
    )
    collections_promise_ids = fields.One2many(
        "collections.promise", "partner_id", string="Promises to Pay",
        groups="collections_followup.group_collections_user",
    )
    collections_followup_status = fields.Selection(
        FOLLOWUP_STATUSES, string="Follow-up Status", compute="_compute_collections_followup",
        search="_search_collections_followup_status",
        groups="collections_followup.group_collections_user",
    )
    collections_level_id = fields.Many2one(
        "collections.level", string="Current Level", compute="_compute_collections_followup",
        help="The highest level reached by the customer's chased instalments.",
        groups="collections_followup.group_collections_user",
    )
    collections_next_date = fields.Date(
        string="Next Action", compute="_compute_collections_followup",
        help="When the follow-up will next contact this customer, if nothing is paid.",
        groups="collections_followup.group_collections_user",
    )
    collections_total_overdue = fields.Monetary(
        string="Total Overdue", compute="_compute_collections_followup",
        currency_field="collections_currency_id",
        groups="collections_followup.group_collections_user",
    )
    collections_total_open = fields.Monetary(
        string="Total Open", compute="_compute_collections_followup",
        currency_field="collections_currency_id",
        groups="collections_followup.group_collections_user",
    )
    collections_currency_id = fields.Many2one("res.currency", compute="_compute_collections_followup")
    collections_oldest_days_late = fields.Integer(
        string="Oldest Days Late", compute="_compute_collections_followup",
        groups="collections_followup.group_collections_user",
    )
    collections_last_contact_date = fields.Date(
        string="Last Contact", compute="_compute_collections_followup",
        groups="collections_followup.group_collections_user",
    )
    collections_promise_kept_count = fields.Integer(
        string="Promises Kept", compute="_compute_collections_promise_counts",
        groups="collections_followup.group_collections_user",
    )
    collections_promise_broken_count = fields.Integer(
        string="Promises Broken", compute="_compute_collections_promise_counts",
        groups="collections_followup.group_collections_user",
    )
    collections_open_line_ids = fields.Many2many(
        "account.move.line", string="Open Instalments", compute="_compute_collections_followup",
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
            [("partner_id", "in", self.commercial_partner_id.ids),
             ("state", "in", (dunning.PROMISE_KEPT, dunning.PROMISE_BROKEN))],
            ["partner_id", "state"], ["__count"],
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
        items = [
            item for item in snapshot.items.values()
            if line_ids is None or item.line_id in line_ids
        ]
        items.sort(key=lambda item: (item.due_date, item.line_id))
        late_charges = {}
        AccountMoveLine = self.env.registry["account.move.line"]
        if items and hasattr(AccountMoveLine, "_collections_late_charges"):
            late_charges = self.env["account.move.line"].sudo().browse(
                [item.line_id for item in items]
            )._collections_late_charges(snapshot.as_of)
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
        to_charge = to_decimal(charges.get("to_invoice") if "to_invoice" in charges else charges.get("total") or 0.0)
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
        snapshot = self.env["collections.receivable"]._snapshot(self.env.company, as_of, partner_ids=partner.ids)
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
        for group, currency in zip(groups, currencies):
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
                        currency.decimal_places, currency.symbol or "", currency.position,
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
            "name": _("Postpone Follow-up"),
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
            "name": _("Log a Contact"),
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

    def collections_log_contact(self, outcome, note=None, right_party_contact=False,
                                promise_date=None, promise_amount=None, dispute_move_id=None,
                                dispute_reason=None):
        """Log a contact with this customer (XML-RPC friendly).

        :param outcome: 'promise', 'no_answer', 'refused', 'wrong_number', 'dispute' or 'other'
        :param promise_date: ISO date, required with outcome 'promise'
        :param promise_amount: amount promised, required with outcome 'promise'
        :param dispute_move_id: invoice id, required with outcome 'dispute'
        :returns: {'action_id': int, 'promise_id': int or False, 'dispute_id': int or False}
        """
        self.ensure_one()
        wizard = self.env["collections.contact.wizard"].create({
            "partner_id": self.commercial_partner_id.id,
            "outcome": outcome,
            "note": note or False,
            "right_party_contact": right_party_contact,
            "promise_date": promise_date or False,
            "promise_amount": promise_amount or 0.0,
            "dispute_move_id": dispute_move_id or False,
            "dispute_reason": dispute_reason or False,
        })
        action = wizard._log_contact()
        return {
            "action_id": action.id,
            "promise_id": action.promise_id.id or False,
            "dispute_id": wizard.dispute_id.id or False,
        }
