from collections import defaultdict
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..lib import dunning
from ..lib.money import round_money, to_decimal
from .collections_level import ESCALATIONS
from .rpc import in_user_language

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
                _(
                    "Unknown contact outcome %(outcome)s: use one of %(outcomes)s.",
                    outcome=repr(outcome),
                    outcomes=", ".join(outcomes),
                )
            )
        for label, text in ((_("note"), note), (_("dispute reason"), dispute_reason)):
            if text not in (None, False) and not isinstance(text, str):
                raise UserError(_("The %(label)s must be a text.", label=label))
        if right_party_contact not in (None, False, True, 0, 1) or isinstance(right_party_contact, float):
            raise UserError(_("right_party_contact must be true or false."))
        values = {
            "partner_id": partner.id,
            "company_id": company.id,
            "outcome": outcome,
            "note": note or False,
            "right_party_contact": bool(right_party_contact),
        }
        if outcome == "promise":
            if promise_date in (None, False) or promise_amount in (None, False):
                raise UserError(_("A promise to pay needs a date and a positive amount."))
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
                    raise UserError(_("promise_line_ids must be a list of instalment ids."))
                lines = self.env["account.move.line"].sudo().browse(promise_line_ids)
                if len(lines.exists()) != len(set(promise_line_ids)):
                    raise UserError(_("Some instalments of the promise do not exist."))
                Promise._collections_check_instalments(lines, partner, company, open_only=True)
                values["move_line_ids"] = [fields.Command.set(lines.ids)]
        elif promise_date not in (None, False) or promise_amount not in (None, False) or promise_line_ids:
            raise UserError(_("A promised date or amount is only given with the outcome 'promise'."))
        if outcome == "dispute":
            if (
                isinstance(dispute_move_id, bool)
                or not isinstance(dispute_move_id, int)
                or dispute_move_id <= 0
            ):
                raise UserError(
                    _(
                        "A dispute needs the id of the disputed invoice, got %(value)s.",
                        value=repr(dispute_move_id),
                    )
                )
            if not isinstance(dispute_reason, str) or not dispute_reason.strip():
                raise UserError(_("A dispute needs the invoice and the reason."))
            values["dispute_move_id"] = self._collections_own_invoice(dispute_move_id, partner, company).id
            values["dispute_reason"] = dispute_reason.strip()
        elif dispute_move_id not in (None, False) or dispute_reason not in (None, False):
            raise UserError(_("A disputed invoice is only given with the outcome 'dispute'."))
        return values

    def _collections_single_customer(self):
        """The commercial partner of ``self``, which must be exactly one
        customer of the current company; a UserError otherwise."""
        if len(self) != 1:
            raise UserError(_("Choose exactly one customer (got %(count)s).", count=len(self)))
        partner = self.commercial_partner_id
        if partner.sudo().company_id and partner.sudo().company_id != self.env.company:
            raise UserError(_("%(partner)s belongs to another company.", partner=partner.display_name))
        return partner

    @api.model
    def _collections_own_invoice(self, move_id, partner, company):
        """The posted customer invoice ``move_id`` of ``partner`` in
        ``company``; a UserError otherwise (also when it does not exist)."""
        # sudo: only read to check that it belongs to this customer and company
        move = self.env["account.move"].sudo().browse(move_id).exists()
        if not move or move.commercial_partner_id != partner or move.company_id != company:
            raise UserError(
                _(
                    "The disputed invoice must be an invoice of %(partner)s in %(company)s.",
                    partner=partner.display_name,
                    company=company.name,
                )
            )
        if move.move_type not in ("out_invoice", "out_receipt") or move.state != "posted":
            raise UserError(
                _(
                    "Only posted customer invoices can be disputed: %(move)s is not one.",
                    move=move.display_name,
                )
            )
        return move

    def _collections_check_collector(self):
        """Collectors (Collections / User, implied by billing) act on
        customers' follow-up settings; anyone else is refused."""
        if not self.env.user.has_group("collections_followup.group_collections_user"):
            raise AccessError(_("Only collectors can change a customer's follow-up."))
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
            raise UserError(_("Choose the customers to postpone."))
        try:
            until = dunning.parse_date(date)
        except ValueError:
            raise UserError(
                _("Postpone until a date (YYYY-MM-DD), got %(value)s.", value=repr(date))
            ) from None
        today = fields.Date.context_today(self)
        if until <= today:
            raise UserError(_("Postpone to a date in the future."))
        if until > today + timedelta(days=366):
            raise UserError(_("Postpone by at most a year."))
        if reason not in (None, False) and not isinstance(reason, str):
            raise UserError(_("The reason must be a text."))
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
        planned.write({"state": "cancelled", "failure_reason": _("Postponed until %(date)s.", date=until)})
        for partner in partners:
            partner.sudo().message_post(
                body=_("Follow-up postponed until %(date)s. %(reason)s", date=until, reason=reason or ""),
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
            raise UserError(_("Choose the customers to exclude."))
        if not isinstance(reason, str) or not reason.strip():
            raise UserError(_("Give the reason for excluding the customer from the follow-up."))
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
                body=_("Excluded from the follow-up: %(reason)s", reason=reason), subtype_xmlid="mail.mt_note"
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
            partner.sudo().message_post(body=_("Back in the follow-up."), subtype_xmlid="mail.mt_note")
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
            raise UserError(_("Choose the customers whose policy changes."))
        company = self.env.company
        policy = self.env["collections.policy"]
        if policy_id not in (None, False):
            if isinstance(policy_id, bool) or not isinstance(policy_id, int) or policy_id <= 0:
                raise UserError(
                    _("Give the id of a collection policy, got %(value)s.", value=repr(policy_id))
                )
            # sudo: only read to check it is an active policy of this company
            policy = policy.sudo().browse(policy_id).exists()
            if not policy or not policy.active or policy.company_id != company:
                raise UserError(_("Choose an active collection policy of %(company)s.", company=company.name))
        partners = self.commercial_partner_id
        # sudo: a collector may move a customer to another policy of the same
        # company (README roles); only that company's policy field is written.
        partners.sudo().with_company(company).write({"collections_policy_id": policy.id})
        for partner in partners:
            partner.sudo().message_post(
                body=_("Collection policy: %(policy)s", policy=policy.name or _("company default")),
                subtype_xmlid="mail.mt_note",
            )
        return True
