import io
import logging
import re
from collections import defaultdict

import lxml.html
from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import config, email_normalize, format_date, split_every
from odoo.tools.pdf import PdfReader, PdfWriter, merge_pdf
from odoo.tools.safe_eval import check_values

from ..lib.money import to_decimal
from ..lib.pdf_text import parse_to_unicode, shown_text
from .bulk import IdArray
from .collections_level import ESCALATIONS
from .download import download_action, download_file

# Commas or semicolons separate addresses, except inside a quoted name.
_ADDRESS_SEPARATOR = re.compile(r"""[,;](?=(?:[^"]*"[^"]*")*[^"]*$)""")

ACTION_STATES = [
    ("planned", "To Process"),
    ("done", "Done"),
    ("failed", "Failed"),
    ("cancelled", "Cancelled"),
]

ACTION_KINDS = [
    ("automatic", "Automatic run"),
    ("manual", "Processed by a collector"),
    ("contact", "Logged contact"),
    ("level_change", "Level changed by a collector"),
]

CHANNEL_STATES = [
    ("done", "Done"),
    ("failed", "Failed"),
]

CONTACT_OUTCOMES = [
    ("promise", "Promise to pay"),
    ("no_answer", "No answer / not the right person"),
    ("refused", "Refused to pay"),
    ("wrong_number", "Wrong number"),
    ("dispute", "Dispute raised"),
    ("other", "Other"),
]


_logger = logging.getLogger(__name__)

LETTER_REPORT = "collections_followup.collections_followup_letter_report"

# Letters rendered by one wkhtmltopdf call: big enough that the process
# start-up (about one second) is paid rarely, small enough to bound memory.
LETTER_BATCH_SIZE = 200

_LETTER_REFERENCE = re.compile(r"CFL\d{8}")

_WHITESPACE = re.compile(r"\s+")

# Service suspension by announced date (Lei 14.015/2020).
#
# A level with Suspend Service and Announce Suspension does not suspend: its
# notice states the planned date (``collections.policy._collections_planned_suspension_date``)
# and the instalments it names (the overdue lines stored on the action). The
# daily job (``_cron_collections_suspensions``, also called by the follow-up
# run) suspends on or after that date when a named instalment is still unpaid
# and not covered by a promise, a dispute or a payment plan; paying the named
# instalments or signing a plan lifts the suspension the same day. Collections
# Managers suspend and reactivate by hand with a reason
# (``res.partner.collections_suspend_service`` / ``collections_reactivate_service``).

SUSPENSION_STATES = [
    ("announced", "Announced"),
    ("suspended", "Suspended"),
    ("cancelled", "Not Needed"),
    ("lifted", "Lifted"),
]


class CollectionsFollowupAction(models.Model):
    """One contact with a customer: made by the daily run, processed by a
    collector from a planned contact, or logged by hand (a call). The
    history of a partner's collection is the list of its actions."""

    _name = "collections.followup.action"
    _description = "Follow-up Action"
    _order = "date desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        ondelete="cascade",
        help="The commercial partner contacted.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    date = fields.Date(required=True, index=True, default=fields.Date.context_today)
    policy_id = fields.Many2one("collections.policy", ondelete="set null")
    run_id = fields.Many2one("collections.run", index=True, ondelete="set null", readonly=True)
    level_id = fields.Many2one("collections.level", index=True, ondelete="restrict")
    tone = fields.Selection(related="level_id.tone")
    state = fields.Selection(ACTION_STATES, required=True, default="done", index=True)
    kind = fields.Selection(ACTION_KINDS, required=True, default="automatic")
    user_id = fields.Many2one("res.users", string="Done by", default=lambda self: self.env.user)
    collector_id = fields.Many2one(
        "res.users",
        index=True,
        help="The partner's collector when the action was created.",
    )
    line_ids = fields.One2many("collections.followup.action.line", "action_id", string="Instalments Claimed")
    instalment_count = fields.Integer(compute="_compute_instalment_count")
    days_late = fields.Integer(string="Oldest Days Late", help="Days late of the oldest instalment claimed.")
    amount_claimed = fields.Monetary(
        currency_field="company_currency_id",
        help="Total claimed, converted to the company currency at the action date.",
    )
    company_currency_id = fields.Many2one(related="company_id.currency_id")
    claim_summary = fields.Char(help="Amounts claimed per currency.")
    claim_credits = fields.Json(
        help="Unreconciled credits of the customer per currency id on the action date, "
        "as deducted from the overdue total of the communication.",
    )
    has_previous_notice = fields.Boolean(
        string="Previous Written Notice",
        help="The customer had received a written notice (e-mail or letter) of this company "
        "before this action: only then may the wording refer to previous reminders.",
    )
    failure_reason = fields.Text()
    # What was done, channel by channel.
    email_state = fields.Selection(CHANNEL_STATES, string="Email")
    mail_id = fields.Many2one("mail.mail", string="Email Sent", ondelete="set null")
    email_recipients = fields.Char()
    letter_state = fields.Selection(CHANNEL_STATES, string="Letter")
    letter_attachment_id = fields.Many2one("ir.attachment", string="Letter File", ondelete="set null")
    sms_state = fields.Selection(CHANNEL_STATES, string="SMS")
    activity_id = fields.Many2one("mail.activity", ondelete="set null")
    credit_hold_set = fields.Boolean()
    service_suspended = fields.Boolean()
    escalation = fields.Selection(ESCALATIONS)
    # Logged contacts
    outcome = fields.Selection(CONTACT_OUTCOMES)
    right_party_contact = fields.Boolean(help="The person responsible for paying was reached.")
    note = fields.Text()
    promise_id = fields.Many2one("collections.promise", ondelete="set null")

    @api.depends("line_ids")
    def _compute_instalment_count(self):
        counts = dict(
            self.env["collections.followup.action.line"]._read_group(
                [("action_id", "in", self.ids)], ["action_id"], ["__count"]
            )
        )
        for action in self:
            action.instalment_count = counts.get(action, 0)

    @api.depends("partner_id", "level_id", "date", "outcome")
    def _compute_display_name(self):
        outcomes = dict(self._fields["outcome"]._description_selection(self.env))
        for action in self:
            what = action.level_id.name or outcomes.get(action.outcome) or self.env._("Contact")
            action.display_name = "%s - %s (%s)" % (
                action.partner_id.display_name or "",
                what,
                format_date(self.env, action.date) if action.date else "",
            )

    def action_process(self):
        """Open the processing wizard on the planned actions in ``self``."""
        planned = self.filtered(lambda action: action.state == "planned")
        if not planned:
            raise UserError(self.env._("Only contacts still to process can be processed."))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Process Follow-ups"),
            "res_model": "collections.process.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_action_ids": planned.ids},
        }

    def action_cancel(self):
        """Cancel planned contacts (the collector decides not to send them)."""
        if any(action.state != "planned" for action in self):
            raise UserError(self.env._("Only contacts still to process can be cancelled."))
        self.write({"state": "cancelled", "user_id": self.env.user.id})
        return True

    def action_open_letter(self):
        self.ensure_one()
        if not self.letter_attachment_id:
            raise UserError(self.env._("No letter was printed for this contact."))
        return download_action(self.letter_attachment_id)

    def _claim_lines(self):
        """The instalments of this communication as stored when it was made
        (claim-line dicts, see ``res.partner._collections_claim_lines_from_snapshot``):
        re-printing or re-sending shows exactly what was sent."""
        self.ensure_one()
        prefetched = self.env.cr.cache.get("collections_claim_lines", {}).get(self.id)
        if prefetched is None:
            prefetched = self._collections_read_claim_lines()[self.id]
        return [dict(line) for line in prefetched]

    def _collections_prefetch_claim_lines(self):
        """Keep the stored claim lines of every action of ``self`` (one query)
        for ``_claim_lines`` until ``_collections_drop_claim_lines``: rendering
        a batch of e-mails then costs one query, not one per action."""
        if not self:
            return
        cache = self.env.cr.cache.setdefault("collections_claim_lines", {})
        self.env.cr.cache.setdefault("collections_claim_table_renderers", {})
        cache.update(self._collections_read_claim_lines())
        self._collections_prefetch_payment_info()

    def _collections_read_claim_lines(self):
        """{action id: [claim-line dict, ...]} of the lines stored on the
        actions of ``self``, in due date order: the one reader of stored
        communications (e-mails, letters, reprints)."""
        self.env["collections.followup.action.line"].flush_model()
        self.flush_model(["partner_id"])
        self.env.cr.execute(
            """
            SELECT line.action_id, line.id, line.move_line_id, line.move_id,
                   COALESCE(NULLIF(line.move_name, ''), move.name, ''), action.partner_id,
                   line.date_maturity, line.effective_due_date, line.days_late, line.overdue,
                   line.currency_id, currency.name, line.amount_residual, line.amount_fine,
                   line.amount_interest, line.amount_correction, line.amount_charged,
                   line.amount_charges, line.amount_updated
              FROM collections_followup_action_line line
              JOIN collections_followup_action action ON action.id = line.action_id
              LEFT JOIN account_move move ON move.id = line.move_id
              LEFT JOIN res_currency currency ON currency.id = line.currency_id
             WHERE line.action_id = ANY(%s)
            """,
            [self.ids],
        )
        by_action = {action_id: [] for action_id in self.ids}
        for (
            action_id,
            line_id,
            move_line_id,
            move_id,
            move_name,
            partner_id,
            date_maturity,
            effective_due_date,
            days_late,
            overdue,
            currency_id,
            currency,
            residual,
            fine,
            interest,
            correction,
            charged,
            charges,
            updated,
        ) in self.env.cr.fetchall():
            # the values and types the ORM would give
            residual, charges = float(residual or 0.0), float(charges or 0.0)
            by_action[action_id].append(
                (
                    (date_maturity or False, line_id),
                    {
                        "line_id": move_line_id or False,
                        "move_id": move_id or False,
                        "move_name": move_name or "",
                        "partner_id": partner_id or False,
                        "date_maturity": date_maturity or False,
                        "effective_due_date": effective_due_date or date_maturity or False,
                        "days_late": days_late or 0,
                        "overdue": bool(overdue),
                        "currency_id": currency_id or False,
                        "currency": currency or False,
                        "residual": residual,
                        "fine": float(fine or 0.0),
                        "interest": float(interest or 0.0),
                        "correction": float(correction or 0.0),
                        "charged": float(charged or 0.0),
                        "charges": charges,
                        "updated_total": float(updated or 0.0) or residual + charges,
                    },
                )
            )
        return {
            action_id: [line for _key, line in sorted(rows, key=lambda row: row[0])]
            for action_id, rows in by_action.items()
        }

    def _collections_drop_claim_lines(self):
        cache = self.env.cr.cache.get("collections_claim_lines", {})
        boletos = self.env.cr.cache.get("collections_payment_boletos", {})
        for action_id in self.ids:
            cache.pop(action_id, None)
            boletos.pop(action_id, None)
        if not cache:
            self.env.cr.cache.pop("collections_claim_table_renderers", None)
            self.env.cr.cache.pop("collections_payment_boletos", None)
            self.env.cr.cache.pop("collections_payment_companies", None)

    def _claim_groups(self):
        """The overdue instalments claimed, grouped per currency, with the
        customer's credits of the action date deducted: [{'currency',
        'lines', 'residual', 'charges', 'updated_total', 'credit',
        'claimed'}]. Instalments not yet due are never in these totals."""
        self.ensure_one()
        credits = {int(key): to_decimal(value) for key, value in (self.claim_credits or {}).items()}
        lines = [line for line in self._claim_lines() if line["overdue"]]
        return self.env["res.partner"]._collections_group_claim_lines(lines, credits)

    def _upcoming_groups(self):
        """The instalments listed "to fall due" (not overdue on the action
        date), grouped per currency, without credits."""
        self.ensure_one()
        lines = [line for line in self._claim_lines() if not line["overdue"]]
        return self.env["res.partner"]._collections_group_claim_lines(lines)

    def _collections_mail_company(self):
        """The company on whose behalf the follow-up is written."""
        self.ensure_one()
        return self.company_id

    def _collections_mail_claim_table(self):
        """The instalment tables (overdue, one per currency, then to fall
        due) of the follow-up e-mail, as markup, in the customer's language."""
        self.ensure_one()
        lang_code = self.env.context.get("lang") or self.partner_id.lang or "en_US"
        fmt, fmt_date = self.env["res.partner"]._collections_formatters(lang_code)
        values = {
            "groups": self._claim_groups(),
            "upcoming": self._upcoming_groups(),
            "fmt": fmt,
            "fmt_date": fmt_date,
        }
        renderers = self.env.cr.cache.get("collections_claim_table_renderers")
        if renderers is None or self.id not in self.env.cr.cache.get("collections_claim_lines", {}):
            return self.env["ir.qweb"]._render(
                "collections_followup.mail_claim_table", values, lang=lang_code
            )
        # a batch being rendered (_render_bodies): what ir.qweb._render does,
        # with the environment prepared and the view looked up once per language
        if lang_code not in renderers:
            base_values = {}
            qweb = self.env["ir.qweb"].with_context(lang=lang_code)._prepare_environment(base_values)
            functions, def_name = qweb._compile("collections_followup.mail_claim_table")
            renderers[lang_code] = (qweb, base_values, functions[def_name])
        qweb, base_values, render = renderers[lang_code]
        values = dict(base_values, **values)
        check_values(values)
        return Markup("".join(render(qweb, values)))


class CollectionsFollowupActionLine(models.Model):
    """One instalment claimed by a follow-up action, with its amount then."""

    _name = "collections.followup.action.line"
    _description = "Follow-up Action Instalment"
    _order = "action_id, date_maturity, id"

    action_id = fields.Many2one("collections.followup.action", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="action_id.company_id", store=True, index=True)
    move_line_id = fields.Many2one("account.move.line", string="Instalment", ondelete="set null", index=True)
    move_id = fields.Many2one("account.move", string="Document", ondelete="set null")
    date_maturity = fields.Date(string="Due Date")
    days_late = fields.Integer()
    level_id = fields.Many2one("collections.level", string="Instalment Level", ondelete="set null")
    currency_id = fields.Many2one("res.currency", required=True)
    amount_residual = fields.Monetary(string="Amount Claimed", currency_field="currency_id")
    move_name = fields.Char(string="Document Number", help="The document's number when the action was made.")
    effective_due_date = fields.Date(help="The due date moved to the next working day.")
    overdue = fields.Boolean(
        help="Overdue on the action date; an instalment not yet due is listed apart, "
        "never in the overdue total.",
    )
    amount_fine = fields.Monetary(string="Fine", currency_field="currency_id")
    amount_interest = fields.Monetary(string="Interest", currency_field="currency_id")
    amount_correction = fields.Monetary(string="Correction", currency_field="currency_id")
    amount_charged = fields.Monetary(
        string="Charges Invoiced or Waived",
        currency_field="currency_id",
        help="Late charges already invoiced (on a charge invoice) or waived: not claimed again here.",
    )
    amount_charges = fields.Monetary(
        string="Charges Claimed",
        currency_field="currency_id",
        help="Late charges accrued and not yet invoiced or waived.",
    )
    amount_updated = fields.Monetary(
        string="Updated Total",
        currency_field="currency_id",
        help="Amount claimed plus the charges claimed.",
    )


class CollectionsFollowupPair(models.Model):
    """An (instalment, level) pair already executed. The unique index makes
    "each level at most once per instalment, ever" a database guarantee,
    also when two runs overlap."""

    _name = "collections.followup.pair"
    _description = "Executed Follow-up Level"
    _log_access = False

    move_line_id = fields.Many2one("account.move.line", required=True, ondelete="cascade", index=True)
    level_id = fields.Many2one("collections.level", required=True, ondelete="cascade")
    action_id = fields.Many2one("collections.followup.action", ondelete="set null", index=True)
    company_id = fields.Many2one("res.company", required=True, index=True)

    _sql_constraints = [
        (
            "instalment_level_unique",
            "UNIQUE(move_line_id, level_id)",
            "A level is executed at most once per instalment.",
        ),
    ]


class CollectionsFollowupActionChannels(models.Model):
    """Execution of an action's channels, kept apart from the record's
    definition: e-mail, letter, SMS, activity, credit hold, suspension and
    escalation. Every channel works on the whole recordset at once."""

    _inherit = "collections.followup.action"

    def _execute_channels(self, counts=None):
        """Execute the channels of the level of each action in ``self``.

        A failing channel (no address, blacklisted address, no SMS module...)
        marks only that action failed, with the reason; it never raises.
        Returns ``self``.
        """
        counts = counts if counts is not None else {}
        actions = self.sudo()
        if not actions:
            return self
        failures = {action.id: [] for action in actions}
        done_channels = {action.id: [] for action in actions}
        # Send & Print: the channels the collector chose instead of the level's,
        # and no measure (hold, suspension, escalation): only the run applies those.
        chosen = self.env.context.get("collections_channels")

        def wants(channel, level_flag):
            return channel in chosen if chosen is not None else level_flag

        actions._collections_announce_suspensions()  # the e-mail and the letter state the date
        actions._send_emails(failures, done_channels, counts)
        letter_actions = actions.filtered(
            lambda action: wants(
                "letter",
                action.level_id.send_letter
                or (action.level_id.letter_fallback and action.email_state == "failed"),
            )
        )
        letter_actions._print_letters(done_channels, counts)
        actions.filtered(lambda action: wants("sms", action.level_id.send_sms))._send_sms(
            failures, done_channels, counts
        )
        actions.filtered(
            lambda action: wants("activity", action.level_id.create_activity)
        )._schedule_activities(done_channels, counts)
        if chosen is None:
            actions._apply_partner_measures(done_channels)

        notes = []
        outcome = defaultdict(list)  # (state, failure reason) -> action ids: one write each
        for action in actions:
            reasons = failures[action.id]
            outcome[("failed" if reasons else "done", "\n".join(reasons) or False)].append(action.id)
        for (state, reason), action_ids in outcome.items():
            actions.browse(action_ids).write({"state": state, "failure_reason": reason})
        for action in actions:
            reasons = failures[action.id]
            body = self.env._(
                "Follow-up level “%(level)s”: %(channels)s. Claimed: %(amount)s.",
                level=action.level_id.name,
                channels=", ".join(done_channels[action.id]) or self.env._("nothing done"),
                amount=action.claim_summary or "",
            )
            if reasons:
                body += " " + self.env._("Failed: %(reasons)s", reasons="; ".join(reasons))
            if action.mail_id and not reasons and done_channels[action.id] == [done_channels[action.id][0]]:
                continue  # the e-mail itself is in the partner's chatter
            notes.append(self.env["collections.followup.run"]._note_values(action.partner_id, body))
        self.env["mail.message"].sudo().create(notes)
        return self

    # -- e-mail ---------------------------------------------------------

    def _email_addressees(self):
        """{action id: res.partner recordset}: the invoice contacts of the
        partner when it has some with an e-mail, else the partner itself.
        A partner's e-mail field may hold several addresses separated by
        commas or semicolons: see ``_email_address_check``."""
        partners = self.partner_id
        invoice_contacts = (
            self.env["res.partner"]
            .sudo()
            .search([("parent_id", "in", partners.ids), ("type", "=", "invoice"), ("email", "!=", False)])
        )
        contacts_by_parent = defaultdict(lambda: self.env["res.partner"])
        for contact in invoice_contacts:
            contacts_by_parent[contact.parent_id.id] |= contact
        return {
            action.id: contacts_by_parent.get(action.partner_id.id) or action.partner_id for action in self
        }

    def _send_emails(self, failures, done_channels, counts):
        chosen = self.env.context.get("collections_channels")
        actions = self.filtered(
            lambda action: (
                (("email" in chosen) if chosen is not None else action.level_id.send_email)
                and action.level_id.mail_template_id
            )
        )
        if not actions:
            return
        addressees = actions._email_addressees()
        problem_of = self._email_recipient_problems(self.env["res.partner"].union(*addressees.values()))
        sendable = defaultdict(lambda: self.browse())  # template -> actions
        recipients_by_action = {}
        for action in actions:
            good, problems = self.env["res.partner"], []
            for partner in addressees[action.id]:
                if problem_of[partner.id]:
                    problems.append(problem_of[partner.id])
                else:
                    good |= partner
            if good:
                recipients_by_action[action.id] = good
                sendable[action.level_id.mail_template_id] |= action
            else:
                failures[action.id].append(
                    self.env._("E-mail not sent: %(problems)s.", problems="; ".join(problems))
                )
                action.email_state = "failed"
        if not sendable:
            return
        company = self.env.company
        scheduled = self.env["collections.followup.run"]._contact_moment(company)
        now = fields.Datetime.now()
        mail_values = []
        ordered_actions = self.browse()
        for template, template_actions in sendable.items():
            template = template.sudo().with_company(company)
            action_ids = template_actions.ids
            rendered = template._generate_template(action_ids, ["subject", "email_from", "reply_to"])
            bodies = self._render_bodies(template, action_ids)
            for action_id, body in bodies.items():
                rendered[action_id]["body_html"] = body
            for action in template_actions:
                values = rendered[action.id]
                recipients = recipients_by_action[action.id]
                mail_values.append(
                    {
                        "subject": values.get("subject") or "",
                        "body_html": values.get("body_html") or "",
                        "email_from": values.get("email_from")
                        or company.email_formatted
                        or self.env.user.email_formatted,
                        # given, so that mail.message does not look it up record by record
                        "reply_to": values.get("reply_to")
                        or values.get("email_from")
                        or company.email_formatted
                        or self.env.user.email_formatted,
                        "model": "res.partner",
                        "res_id": action.partner_id.id,
                        "recipient_ids": [Command.set(recipients.ids)],
                        "auto_delete": False,
                        "message_type": "email_outgoing",
                        "author_id": company.partner_id.id,
                        "scheduled_date": scheduled if scheduled > now else False,
                    }
                )
                ordered_actions |= action
        mails = self._collections_create_mails(
            mail_values, [recipients_by_action[a.id] for a in ordered_actions]
        )
        emails = [", ".join(recipients_by_action[action.id].mapped("email")) for action in ordered_actions]
        # one UPDATE for the batch (nothing depends on these fields)
        ordered_actions.flush_recordset(["mail_id", "email_state", "email_recipients"])
        self.env.cr.execute(
            """
            UPDATE collections_followup_action action
               SET mail_id = t.mail_id, email_state = 'done', email_recipients = t.emails,
                   write_uid = %s, write_date = now() at time zone 'UTC'
              FROM unnest(%s::int[], %s::int[], %s::varchar[]) AS t(action_id, mail_id, emails)
             WHERE action.id = t.action_id
            """,
            [self.env.uid, ordered_actions.ids, mails.ids, emails],
        )
        ordered_actions.invalidate_recordset(
            ["mail_id", "email_state", "email_recipients", "write_uid", "write_date"]
        )
        for action, recipients_emails in zip(ordered_actions, emails, strict=True):
            done_channels[action.id].append(
                self.env._("e-mail queued to %(emails)s", emails=recipients_emails)
            )
        counts["emails_queued"] = counts.get("emails_queued", 0) + len(mails)

    @api.model
    def _collections_create_mails(self, mail_values, recipients):
        """``mail.mail`` records (with their ``mail.message``) of ``mail_values``
        (the values ``mail.mail.create`` takes, as built by ``_send_emails``),
        ``recipients``: the res.partner recordset of each.

        The ORM spends most of a run's e-mail time on per-record work a batch
        of queued follow-ups does not need (defaults looked up, the record name
        read, the caches filled for each of thousands of records): here the
        rows are written with three INSERT ... unnest, with exactly the
        values ``create`` stores (same columns, same defaults; a test compares
        both paths). Context key ``collections_mail_orm`` (or another module
        overriding the mail models' create) keeps the ORM path."""
        Mail = self.env["mail.mail"].sudo()
        if self.env.context.get("collections_mail_orm") or not mail_values:
            return Mail.create(mail_values)
        Message = self.env["mail.message"].sudo()
        # the partners' display names, read in one go (what mail.message stores as record_name)
        partners = self.env["res.partner"].sudo().browse({values["res_id"] for values in mail_values})
        record_names = {partner.id: partner.display_name for partner in partners}
        now = fields.Datetime.now()
        columns = defaultdict(list)

        def column(value):  # as the ORM stores it: False is NULL, "" stays ""
            return None if value is False else value

        for values in mail_values:
            scheduled = values.get("scheduled_date") or False
            if scheduled:
                scheduled = Mail._parse_scheduled_datetime(scheduled).replace(tzinfo=None)
            columns["res_id"].append(values["res_id"])
            columns["record_name"].append(column(record_names.get(values["res_id"], False)))
            columns["subject"].append(column(values.get("subject", False)))
            columns["email_from"].append(column(values.get("email_from", False)))
            columns["reply_to"].append(column(values.get("reply_to", False)))
            columns["author_id"].append(values.get("author_id") or None)
            columns["message_id"].append(Message._get_message_id(values))
            columns["body_html"].append(column(values.get("body_html", False)))
            columns["scheduled_date"].append(scheduled or None)
        model = {values["model"] for values in mail_values}
        message_type = {values["message_type"] for values in mail_values}
        auto_delete = {bool(values.get("auto_delete")) for values in mail_values}
        if len(model) != 1 or len(message_type) != 1 or len(auto_delete) != 1:
            return Mail.create(mail_values)
        cr = self.env.cr
        cr.execute(
            """
            INSERT INTO mail_message (model, message_type, res_id, record_name, subject, email_from, reply_to,
                                      author_id, message_id, body, email_add_signature, date,
                                      create_uid, write_uid, create_date, write_date)
            SELECT %s, %s, res_id, record_name, subject, email_from, reply_to,
                   author_id, message_id, '', TRUE, %s,
                   %s, %s, now() at time zone 'UTC', now() at time zone 'UTC'
              FROM unnest(%s::int[], %s::varchar[], %s::varchar[], %s::varchar[], %s::varchar[], %s::int[],
                          %s::varchar[]) WITH ORDINALITY
                   AS t(res_id, record_name, subject, email_from, reply_to, author_id, message_id, position)
             ORDER BY position
            RETURNING message_id, id
            """,
            [
                model.pop(),
                message_type.pop(),
                now,
                self.env.uid,
                self.env.uid,
                columns["res_id"],
                columns["record_name"],
                columns["subject"],
                columns["email_from"],
                columns["reply_to"],
                columns["author_id"],
                columns["message_id"],
            ],
        )
        id_of_message = dict(cr.fetchall())
        message_ids = [id_of_message[message_id] for message_id in columns["message_id"]]
        cr.execute(
            """
            INSERT INTO mail_mail (mail_message_id, body_html, state, auto_delete, scheduled_date,
                                   create_uid, write_uid, create_date, write_date)
            SELECT mail_message_id, body_html, 'outgoing', %s, scheduled_date,
                   %s, %s, now() at time zone 'UTC', now() at time zone 'UTC'
              FROM unnest(%s::int[], %s::text[], %s::timestamp[]) WITH ORDINALITY
                   AS t(mail_message_id, body_html, scheduled_date, position)
             ORDER BY position
            RETURNING mail_message_id, id
            """,
            [
                auto_delete.pop(),
                self.env.uid,
                self.env.uid,
                message_ids,
                columns["body_html"],
                columns["scheduled_date"],
            ],
        )
        mail_of_message = dict(cr.fetchall())
        mail_ids = [mail_of_message[message_id] for message_id in message_ids]
        rel = [
            (mail_id, partner_id)
            for mail_id, partners in zip(mail_ids, recipients, strict=False)
            for partner_id in partners.ids
        ]
        if rel:
            cr.execute(
                """
                INSERT INTO mail_mail_res_partner_rel (mail_mail_id, res_partner_id)
                SELECT * FROM unnest(%s::int[], %s::int[]) ON CONFLICT DO NOTHING
                """,
                [[row[0] for row in rel], [row[1] for row in rel]],
            )
        # what mail.message.create invalidates: the chatter of the documents
        partners.invalidate_recordset(["message_ids", "message_needaction", "message_needaction_counter"])
        return Mail.browse(mail_ids)

    @api.model
    def _render_bodies(self, template, action_ids):
        """{action id: body} of ``template`` for many actions, the QWeb body
        compiled once per language. Odoo's own rendering compiles the body
        again for every record, which is what makes a run of 10,000 e-mails
        slow; the result is the same."""
        bodies = {}
        actions = self.browse(action_ids)
        actions._collections_prefetch_claim_lines()
        try:
            self._render_bodies_per_lang(template, action_ids, bodies)
        finally:
            actions._collections_drop_claim_lines()
        return bodies

    @api.model
    def _render_bodies_per_lang(self, template, action_ids, bodies):
        for lang, (lang_template, ids) in template._classify_per_lang(action_ids).items():
            source = lang_template.body_html
            if not source:
                bodies.update(dict.fromkeys(ids, ""))
                continue
            values = lang_template._render_eval_context()
            qweb = self.env["ir.qweb"].with_context(lang=lang or self.env.context.get("lang"))
            qweb = qweb._prepare_environment(values)
            check_values(values)
            functions, def_name = qweb._compile(lxml.html.fragment_fromstring(source, create_parent="div"))
            render = functions[def_name]
            for action in self.with_context(lang=lang).browse(ids):
                record_values = dict(values, object=action)
                # drop the <div> wrapping the fragment, as Odoo's own rendering does
                bodies[action.id] = Markup("".join(render(qweb, record_values))[5:-6])

    # -- letter ---------------------------------------------------------

    def _print_letters(self, done_channels, counts):
        """Render the letters of the actions in batches (one wkhtmltopdf call
        per batch, split per action) and attach each to its action."""
        if not self:
            return
        records = self._collections_attach_letters(self._collections_render_letters())
        for action in self:
            done_channels[action.id].append(self.env._("letter printed"))
        counts["letters"] = counts.get("letters", 0) + len(records)

    # -- SMS ------------------------------------------------------------

    def _send_sms(self, failures, done_channels, counts):
        if not self:
            return
        if "sms.sms" not in self.env:
            for action in self:
                action.sms_state = "failed"
                failures[action.id].append(self.env._("SMS not sent: the SMS module is not installed."))
            return
        sms_values, sent = [], self.browse()
        for action in self:
            partner = action.partner_id
            number = partner.mobile or partner.phone
            if not number:
                action.sms_state = "failed"
                failures[action.id].append(
                    self.env._("SMS not sent: %(partner)s has no phone number.", partner=partner.display_name)
                )
                continue
            body = action.with_context(lang=partner.lang).level_id.sms_body or self.env._(
                "%(company)s: you have overdue instalments (%(amount)s). Please contact us.",
                company=action.company_id.name,
                amount=action.claim_summary,
            )
            sms_values.append({"number": number, "body": body, "partner_id": partner.id})
            sent |= action
        self.env["sms.sms"].sudo().create(sms_values)
        sent.write({"sms_state": "done"})
        for action in sent:
            done_channels[action.id].append(self.env._("SMS queued"))
        counts["sms"] = counts.get("sms", 0) + len(sent)

    # -- activity -------------------------------------------------------

    def _schedule_activities(self, done_channels, counts):
        """One activity per action, assigned to the level's choice (a given
        user, the salesperson or the collector), else in this order to the
        customer's collector, the salesperson, the company's default
        collector, a collections manager (``_collections_activity_user``);
        never to OdooBot or __system__. An action with nobody to assign gets
        no activity, and says so in its channels."""
        if not self:
            return
        model_id = self.env["ir.model"]._get_id("res.partner")
        values, scheduled = [], self.browse()
        for action in self:
            level, partner = action.level_id, action.partner_id
            if level.activity_user == "user":
                preferred = level.activity_user_id
            elif level.activity_user == "salesperson":
                preferred = partner.commercial_partner_id.user_id
            else:
                preferred = action.collector_id
            user = action._collections_activity_user(preferred)
            if not user:
                done_channels[action.id].append(
                    self.env._(
                        "activity not scheduled: no collector, salesperson or default collector to assign"
                    )
                )
                continue
            values.append(
                {
                    "res_model_id": model_id,
                    "res_id": partner.id,
                    "activity_type_id": level.activity_type_id.id
                    or self.env.ref("mail.mail_activity_data_todo").id,
                    "summary": level.activity_summary or level.name,
                    "user_id": user.id,
                    "date_deadline": action.date,
                }
            )
            scheduled |= action
        activities = self.env["mail.activity"].sudo().create(values)
        for action, activity in zip(scheduled, activities, strict=False):
            action.activity_id = activity
            done_channels[action.id].append(
                self.env._("activity “%(summary)s” scheduled", summary=activity.summary)
            )
        counts["activities"] = counts.get("activities", 0) + len(activities)

    # -- partner measures -----------------------------------------------

    def _apply_partner_measures(self, done_channels):
        """Credit hold, service suspension and escalation stage, written per level."""
        by_level = defaultdict(lambda: self.browse())
        for action in self:
            by_level[action.level_id] |= action
        for level, actions in by_level.items():
            partners = actions.partner_id.with_company(actions[:1].company_id)
            if level.set_credit_hold:
                partners.write({"credit_hold_level_id": level.id})
                actions.write({"credit_hold_set": True})
            if level._collections_suspends_now():
                not_yet = partners.filtered(lambda partner: not partner.service_suspended_date)
                not_yet.write(
                    {
                        "service_suspended_date": actions[:1].date,
                        "service_suspension_reason": self.env._(
                            "Overdue instalments (level %(level)s)", level=level.name
                        ),
                    }
                )
                actions.write({"service_suspended": True})
            if level.escalation:
                partners.write(
                    {
                        "collections_escalation": level.escalation,
                        "collections_escalation_date": actions[:1].date,
                    }
                )
                actions.write({"escalation": level.escalation})
            for action in actions:
                if level.set_credit_hold:
                    done_channels[action.id].append(self.env._("credit hold set"))
                if level._collections_suspends_now():
                    done_channels[action.id].append(self.env._("service suspended"))
                elif level.suspend_service and action.suspension_planned_date:
                    done_channels[action.id].append(
                        self.env._(
                            "service suspension announced for %(date)s",
                            date=action._collections_format_date(action.suspension_planned_date),
                        )
                    )
                if level.escalation:
                    done_channels[action.id].append(self.env._("escalated"))

    # -- assignment, addresses and closing the loop ---------------------

    def _collections_activity_user(self, preferred=None):
        """The user a follow-up activity of this action goes to: ``preferred``
        when it can be assigned, else the customer's collector, else its
        salesperson (``user_id`` of the commercial partner), else the
        company's default collector, else the first collections manager of
        the company. A user can be assigned when it is an active internal
        user of the action's company and not OdooBot / __system__. Empty
        recordset when nobody qualifies."""
        self.ensure_one()
        company = self.company_id
        partner = self.partner_id.commercial_partner_id.sudo().with_company(company)
        candidates = [
            preferred,
            self.collector_id,
            partner.collections_responsible_id,
            partner.user_id,
            company.sudo().collections_default_collector_id,
        ]
        for user in candidates:
            if user and self._collections_assignable(user.sudo(), company):
                return user.sudo()
        # Last resort, so the work is not lost: a collections manager of the company.
        managers = self.env.ref("collections_followup.group_collections_manager").sudo().users.sorted("id")
        return managers.filtered(lambda user: self._collections_assignable(user, company))[:1]

    @api.model
    def _collections_assignable(self, user, company):
        """True when follow-up work of ``company`` may be assigned to ``user``:
        an active internal user of that company, not OdooBot / __system__."""
        robots = {self.env.ref("base.user_root").id}
        public = self.env.ref("base.public_user", raise_if_not_found=False)
        if public:
            robots.add(public.id)
        return bool(user.active and not user.share and user.id not in robots and company in user.company_ids)

    @api.model
    def _email_address_check(self, email_field):
        """(normalized addresses, invalid pieces) of an e-mail field that may
        hold several addresses separated by commas or semicolons, e.g.
        "a@x.com; Name <b@x.com>". Each piece must be one valid address;
        Odoo's mail sends to every address of a recipient's field."""
        addresses, invalid = [], []
        for piece in _ADDRESS_SEPARATOR.split(email_field or ""):
            piece = piece.strip()
            if not piece:
                continue
            address = email_normalize(piece)
            if address:
                if address not in addresses:
                    addresses.append(address)
            else:
                invalid.append(piece)
        return addresses, invalid

    @api.model
    def _email_recipient_problems(self, partners):
        """{partner id: why the follow-up e-mail cannot go to that partner, or
        False}. Every address of the partner's e-mail field (several may be
        separated by commas or semicolons) must be valid and not blacklisted."""
        checks = {partner.id: self._email_address_check(partner.email) for partner in partners}
        blacklisted = set(
            self.env["mail.blacklist"]
            .sudo()
            .search(
                [
                    (
                        "email",
                        "in",
                        [address for addresses, _invalid in checks.values() for address in addresses],
                    ),
                    ("active", "=", True),
                ]
            )
            .mapped("email")
        )
        problems = {}
        for partner in partners:
            addresses, invalid = checks[partner.id]
            if not partner.email or not (addresses or invalid):
                problems[partner.id] = self.env._(
                    "%(partner)s has no e-mail address", partner=partner.display_name
                )
            elif invalid:
                problems[partner.id] = self.env._(
                    "the e-mail address “%(email)s” of %(partner)s is invalid",
                    email=", ".join(invalid),
                    partner=partner.display_name,
                )
            elif blacklisted.intersection(addresses):
                problems[partner.id] = self.env._(
                    "the e-mail address “%(email)s” of %(partner)s is blacklisted",
                    email=", ".join(sorted(blacklisted.intersection(addresses))),
                    partner=partner.display_name,
                )
            else:
                problems[partner.id] = False
        return problems

    @api.model
    def _collections_close_loop(self, move_lines, reason):
        """A promise to pay, a dispute or a payment plan now covers the
        receivable instalments ``move_lines``: stop what the follow-up still
        has pending about them, so the customer is not chased for what was
        just agreed.

        - contacts still to process (state 'planned') whose instalments are
          all covered (by ``move_lines``, another open promise, a dispute, or
          paid since) are cancelled with ``reason``;
        - queued e-mails (``mail.mail`` still 'outgoing') of follow-up actions
          whose instalments are all covered are cancelled; the action is
          cancelled too when that e-mail was all it did;
        - the open activities the follow-up created for those customers (the
          call to make) are marked done with ``reason`` as feedback.

        Called by the promise and dispute creation; reusable by any later
        agreement (payment plans). Returns {'actions_cancelled',
        'emails_cancelled', 'activities_done'}: counts."""
        result = {"actions_cancelled": 0, "emails_cancelled": 0, "activities_done": 0}
        # sudo: the caller has just created the promise / dispute it was allowed
        # to create; what is closed here is only the follow-up's own pending work
        # (contacts, queued e-mails, activities) about the very same customers.
        move_lines = move_lines.sudo().exists()
        if not move_lines:
            return result
        Action = self.sudo()
        for company in move_lines.company_id:
            lines = move_lines.filtered(lambda line, company=company: line.company_id == company)
            partners = lines.move_id.commercial_partner_id
            actions = Action.search(
                [
                    ("company_id", "=", company.id),
                    ("partner_id", "in", partners.ids),
                    "|",
                    ("state", "=", "planned"),
                    ("mail_id.state", "=", "outgoing"),
                ]
            )
            covered = set(lines.ids) | actions._collections_paused_line_ids()
            actions = actions.filtered(
                lambda action, covered=covered: set(action.line_ids.move_line_id.ids) <= covered
            )
            planned = actions.filtered(lambda action: action.state == "planned")
            planned.write({"state": "cancelled", "failure_reason": reason})
            result["actions_cancelled"] += len(planned)
            mailed = actions.filtered(
                lambda action: action.state != "cancelled" and action.mail_id.state == "outgoing"
            )
            mailed.mail_id.write({"state": "cancel", "failure_reason": reason})
            result["emails_cancelled"] += len(mailed)
            for action in mailed:
                note = self.env._("E-mail cancelled before it was sent: %(reason)s", reason=reason)
                values = {"failure_reason": note}
                if not (
                    action.letter_state
                    or action.sms_state
                    or action.activity_id
                    or action.credit_hold_set
                    or action.service_suspended
                    or action.escalation
                ):
                    values["state"] = "cancelled"
                action.write(values)
            activities = Action.search(
                [
                    ("company_id", "=", company.id),
                    ("partner_id", "in", partners.ids),
                    ("activity_id", "!=", False),
                ]
            ).activity_id.filtered("active")
            result["activities_done"] += len(activities)
            if activities:
                activities.action_feedback(feedback=reason)
            if planned or mailed:
                notes = []
                for partner in (planned | mailed).partner_id:
                    notes.append(
                        self.env["collections.followup.run"]._note_values(
                            partner,
                            self.env._(
                                "Pending follow-up stopped: %(reason)s",
                                reason=reason,
                            ),
                        )
                    )
                self.env["mail.message"].sudo().create(notes)
        return result

    def _collections_paused_line_ids(self):
        """Ids of the instalments claimed by ``self`` that need no chasing
        now: paid, in dispute, or covered by an open promise to pay."""
        lines = self.line_ids.move_line_id.sudo()
        paused = set(lines.filtered(lambda line: line.reconciled or line.move_id.collections_in_dispute).ids)
        if lines:
            self.env.cr.execute(
                """
                SELECT DISTINCT rel.account_move_line_id
                  FROM account_move_line_collections_promise_rel rel
                  JOIN collections_promise promise ON promise.id = rel.collections_promise_id
                 WHERE promise.state = 'open' AND rel.account_move_line_id = ANY(%s)
                """,
                [lines.ids],
            )
            paused.update(row[0] for row in self.env.cr.fetchall())
        return paused

    # Letters printed in batches: one wkhtmltopdf call renders many letters,
    # the PDF is split per action (Odoo's split by outline), each part is
    # attached to its action, and the parts are merged for printing.

    @api.model
    def _collections_letters_as_html(self):
        """True when reports come out as HTML (tests without
        ``force_report_rendering``, as Odoo's ``_pre_render_qweb_pdf``)."""
        return bool(
            (config["test_enable"] or config["test_file"])
            and not self.env.context.get("force_report_rendering")
        )

    def _collections_letter_reference(self):
        """The reference printed on the letter ("CFL" and the action id, 8
        digits): the letter's number for the customer, and the mark by which
        a PDF of many letters is split per action."""
        self.ensure_one()
        return "CFL%08d" % self.id

    def _collections_render_letters(self, batch_size=LETTER_BATCH_SIZE):
        """Render the letter of every action in ``self``: {action id:
        (content bytes, 'pdf' or 'html')}.

        One wkhtmltopdf call per company and batch of ``batch_size`` letters:
        the letters are put in one HTML document, each starting on a new
        page, and the PDF is split where a page carries the reference of the
        next letter (``_collections_letter_reference``). Odoo's own split (one
        HTML file per record, split by outline) needs a wkhtmltopdf built on
        patched Qt; this one works with both. A batch that cannot be split
        (the reference is not found where expected) is rendered again letter
        by letter, so every action always gets its own letter."""
        report = self.env.ref(LETTER_REPORT).sudo()
        result = {}
        for company in self.company_id:
            actions = self.filtered(lambda action, company=company: action.company_id == company)
            company_report = report.with_company(company).with_context(debug=False)
            if self._collections_letters_as_html():
                for action in actions:
                    result[action.id] = company_report._render_qweb_pdf(report.report_name, action.ids)
                continue
            for batch in split_every(batch_size, actions.ids):
                batch = list(batch)
                parts = self._collections_letters_batch_pdf(company_report, batch)
                if parts is None:
                    if len(batch) > 1:
                        _logger.warning(
                            "A batch of %s letters could not be split: rendered one by one.", len(batch)
                        )
                    parts = {}
                    for action_id in batch:
                        parts.update(
                            self._collections_letters_batch_pdf(company_report, [action_id], split=False)
                        )
                result.update({action_id: (content, "pdf") for action_id, content in parts.items()})
        return result

    @api.model
    def _collections_letters_batch_pdf(self, report, action_ids, split=True):
        """{action id: PDF bytes} of the letters of ``action_ids`` rendered
        by one wkhtmltopdf call, or None when ``split`` and the PDF cannot be
        split per action."""
        html = report._render_qweb_html(report.report_name, action_ids)[0]
        bodies, _html_ids, header, footer, paperformat_args = report._prepare_html(
            html, report_model=self._name
        )
        document = lxml.html.fromstring(bodies[0])
        body = document.find("body")
        for other in bodies[1:]:
            page = lxml.html.Element("div", style="page-break-before: always;")
            page.extend(lxml.html.fromstring(other).find("body"))
            body.append(page)
        content = report._run_wkhtmltopdf(
            [lxml.html.tostring(document, encoding="unicode")],
            report_ref=report.report_name,
            header=header,
            footer=footer,
            landscape=self.env.context.get("landscape"),
            specific_paperformat_args=paperformat_args,
        )
        if not split:
            return {action_ids[0]: content}
        reader = PdfReader(io.BytesIO(content))
        expected = {
            self.browse(action_id)._collections_letter_reference(): action_id for action_id in action_ids
        }
        maps = {}  # font object id -> ToUnicode map, parsed once per PDF
        starts = []  # (first page, action id)
        for number, page in enumerate(reader.pages):
            text = _WHITESPACE.sub(
                "", shown_text(page.get_contents().get_data(), self._pdf_font_maps(page, maps))
            )
            found = [expected[ref] for ref in _LETTER_REFERENCE.findall(text) if ref in expected]
            if found and (not starts or starts[-1][1] != found[0]):
                starts.append((number, found[0]))
        if [action_id for _page, action_id in starts] != list(action_ids) or starts[0][0] != 0:
            return None
        result = {}
        for index, (first, action_id) in enumerate(starts):
            last = starts[index + 1][0] if index + 1 < len(starts) else len(reader.pages)
            writer = PdfWriter()
            for number in range(first, last):
                writer.add_page(reader.pages[number])
            stream = io.BytesIO()
            writer.write(stream)
            result[action_id] = stream.getvalue()
        return result

    @api.model
    def _pdf_font_maps(self, page, maps):
        """{font resource name: ToUnicode map} of the fonts of ``page``
        (a PyPDF2 page), cached in ``maps`` by font object."""
        result = {}
        fonts = (page.get("/Resources") or {}).get("/Font") or {}
        for name, reference in fonts.items():
            key = getattr(reference, "idnum", None) or id(reference)
            if key not in maps:
                to_unicode = reference.get_object().get("/ToUnicode")
                maps[key] = (
                    parse_to_unicode(to_unicode.get_object().get_data()) if to_unicode is not None else {}
                )
            result[name.lstrip("/")] = maps[key]
        return result

    def _collections_attach_letters(self, rendered):
        """Attach the letters ``rendered`` ({action id: (content, type)}) to
        their actions and mark the letter channel done. Returns the
        attachments in the order of ``self``."""
        values = []
        for action in self:
            content, report_type = rendered[action.id]
            values.append(
                {
                    "name": self.env._(
                        "Letter %(partner)s %(date)s.%(ext)s",
                        partner=action.partner_id.name,
                        date=action.date,
                        ext="pdf" if report_type == "pdf" else "html",
                    ),
                    "raw": content,
                    "res_model": self._name,
                    "res_id": action.id,
                    "mimetype": "application/pdf" if report_type == "pdf" else "text/html",
                }
            )
        attachments = self.env["ir.attachment"].sudo().create(values)
        for action, attachment in zip(self, attachments, strict=False):
            action.write({"letter_attachment_id": attachment.id, "letter_state": "done"})
        return attachments

    def _collections_letters_pdf(self):
        """The letters of the actions in ``self`` as one PDF (bytes), in the
        order of ``self``. A letter already printed is reprinted from its
        stored PDF (what was sent); the others are rendered in batches and
        attached to their actions first. Raises UserError when an action is
        a logged contact or still to process (it has no letter to print)."""
        unprintable = self.filtered(
            lambda action: (
                action.kind in ("contact", "level_change") or action.state in ("planned", "cancelled")
            )
        )
        if unprintable:
            raise UserError(
                self.env._(
                    "Only contacts made by the follow-up can be printed as letters; not: %(actions)s.",
                    actions=", ".join(unprintable.mapped("display_name")),
                )
            )
        actions = self.sudo()
        to_render = actions.filtered(
            lambda action: (
                not action.letter_attachment_id or action.letter_attachment_id.mimetype != "application/pdf"
            )
        )
        if to_render:
            rendered = to_render._collections_render_letters()
            not_pdf = [action_id for action_id, (_content, kind) in rendered.items() if kind != "pdf"]
            if not_pdf:
                raise UserError(
                    self.env._("The letters cannot be merged: the PDF renderer is not available.")
                )
            to_render._collections_attach_letters(rendered)
        return merge_pdf([action.letter_attachment_id.raw for action in actions])

    def action_print_letters(self):
        """Print the letters of the selected actions as one PDF (see
        ``_collections_letters_pdf``) and download it."""
        if not self:
            raise UserError(self.env._("Select the follow-up actions whose letters to print."))
        content = self._collections_letters_pdf()
        return self._collections_download_letters(
            content, self.env._("Letters %(date)s", date=fields.Date.context_today(self))
        )

    @api.model
    def _collections_download_letters(self, content, name):
        """An action downloading ``content`` (a merged PDF) saved as an attachment."""
        return download_file(self.env, "%s.pdf" % name, content, "application/pdf")

    # The payment section of follow-up e-mails and letters: how to pay.

    def _collections_payment_info(self):
        """How to pay what this action claims: {'bank': the company's
        collections bank account as one line (bank - account number) or '',
        'holder': the account holder, 'pix': the company's PIX key or '',
        'boletos': [(document number, boleto line)] of the claimed documents
        that carry one, by due date}."""
        self.ensure_one()
        batch = self.env.cr.cache.get("collections_payment_boletos")
        if batch is not None and self.id in batch:
            # a batch being rendered (_collections_prefetch_claim_lines)
            boletos = batch[self.id]
        else:
            moves = self.line_ids.move_id.sudo()
            boletos = [
                (move.name, move.collections_boleto_line)
                for move in moves.sorted(lambda move: (move.invoice_date_due or fields.Date.today(), move.id))
                if move.collections_boleto_line
            ]
        return dict(self._collections_company_payment_info(), boletos=boletos)

    def _collections_company_payment_info(self):
        """The company part of ``_collections_payment_info`` (bank, holder,
        PIX), read once per company and transaction while a batch renders."""
        companies = self.env.cr.cache.get("collections_payment_companies")
        info = companies.get(self.company_id.id) if companies is not None else None
        if info is None:
            company = self.company_id.sudo()
            bank = company.collections_bank_account_id
            info = {
                "bank": " - ".join(part for part in (bank.bank_id.name, bank.acc_number) if part),
                "holder": bank.partner_id.name or "",
                "pix": company.collections_pix_key or "",
            }
            if companies is not None:
                companies[self.company_id.id] = info
        return info

    def _collections_prefetch_payment_info(self):
        """The boletos of every action of ``self`` in one query, kept (with the
        companies' bank and PIX data) until ``_collections_drop_claim_lines``."""
        self.env["collections.followup.action.line"].flush_model(["action_id", "move_id"])
        self.env["account.move"].flush_model(["name", "collections_boleto_line", "invoice_date_due"])
        self.env.cr.execute(
            """
            SELECT DISTINCT line.action_id, move.id, move.name, move.collections_boleto_line,
                   COALESCE(move.invoice_date_due, CURRENT_DATE) AS due
              FROM collections_followup_action_line line
              JOIN account_move move ON move.id = line.move_id
             WHERE line.action_id = ANY(%s) AND COALESCE(move.collections_boleto_line, '') != ''
          ORDER BY line.action_id, due, move.id
            """,
            [IdArray(self.ids)],
        )
        boletos = {action_id: [] for action_id in self.ids}
        for action_id, _move_id, name, line, _due in self.env.cr.fetchall():
            boletos[action_id].append((name, line))
        self.env.cr.cache.setdefault("collections_payment_boletos", {}).update(boletos)
        self.env.cr.cache.setdefault("collections_payment_companies", {})

    def _collections_mail_claim_table(self):
        """The announced suspension date (when this notice announces one),
        the instalment tables, then the payment section."""
        table = super()._collections_mail_claim_table()
        lang_code = self.env.context.get("lang") or self.partner_id.lang or "en_US"
        if self.suspension_planned_date:
            table = self._collections_suspension_notice(lang_code) + table
        payment = self._collections_payment_info()
        if not (payment["bank"] or payment["pix"] or payment["boletos"]):
            return table
        section = self.env["ir.qweb"]._render(
            "collections_followup.mail_payment_section",
            {"payment": payment},
            lang=lang_code,
        )
        return table + section

    kind = fields.Selection(
        selection_add=[("service", "Service suspension or reactivation")],
        ondelete={"service": "cascade"},
    )
    suspension_planned_date = fields.Date(
        string="Planned Suspension",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The date on which this notice announced the service suspension.",
    )
    suspension_state = fields.Selection(
        SUSPENSION_STATES,
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Announced: the suspension waits for its date. Suspended: the service was "
        "suspended on or after it. Not Needed: the instalments named were paid or covered "
        "by then. Lifted: paid or renegotiated after the suspension.",
    )
    suspension_reason = fields.Char(readonly=True, copy=False)

    # -- announce -------------------------------------------------------

    def _collections_announce_suspensions(self):
        """Store the planned suspension date on the actions of ``self`` whose
        level announces a suspension (before their e-mail and letter are
        rendered: both state the date)."""
        groups = defaultdict(list)  # (policy, notice date) -> action ids: one date, one write each
        for action in self:
            level = action.level_id
            if not (level.suspend_service and level.announce_suspension) or action.suspension_state:
                continue
            groups[(action.policy_id or level.policy_id, action.date)].append(action.id)
        for (policy, notice_date), action_ids in groups.items():
            self.browse(action_ids).write(
                {
                    "suspension_planned_date": policy._collections_planned_suspension_date(notice_date),
                    "suspension_state": "announced",
                }
            )

    def _collections_suspension_line_ids(self):
        """The receivable instalments (account.move.line ids) named by the
        notices of ``self``: the overdue lines stored on each action."""
        return set(self.line_ids.filtered("overdue").move_line_id.ids)

    def _collections_format_date(self, day):
        """``day`` in the customer's language (the context's when set)."""
        self.ensure_one()
        if not day:
            return ""
        lang_code = self.env.context.get("lang") or self.partner_id.lang or "en_US"
        return self.env["res.partner"]._collections_formatters(lang_code)[1](day)

    def _collections_suspension_notice(self, lang_code):
        """The paragraph of the notice stating the planned suspension date."""
        self.ensure_one()
        return self.env["ir.qweb"]._render(
            "collections_followup.mail_suspension_notice",
            {
                "suspension_date": self.with_context(lang=lang_code)._collections_format_date(
                    self.suspension_planned_date
                )
            },
            lang=lang_code,
        )

    # -- suspend on the date --------------------------------------------

    @api.model
    def _cron_collections_suspensions(self, as_of=None):
        """Daily: apply the announced suspensions due on ``as_of`` (today by
        default) in every company. Returns {'suspended': n, 'cancelled': n}."""
        as_of = fields.Date.to_date(as_of) or fields.Date.context_today(self)
        result = {"suspended": 0, "cancelled": 0}
        due = self.sudo().search(
            [("suspension_state", "=", "announced"), ("suspension_planned_date", "<=", as_of)]
        )
        for company in due.company_id:
            company_result = (
                due.filtered(lambda action, company=company: action.company_id == company)
                .with_company(company)
                ._collections_apply_suspensions(as_of)
            )
            for key, value in company_result.items():
                result[key] += value
        return result

    def _collections_unsettled_line_ids(self, company, as_of):
        """Of the instalments named by the notices of ``self`` (one company),
        the ids still unpaid on ``as_of``: open in the receivable snapshot,
        above the policy tolerance and not covered by a promise or a dispute.
        A renegotiated instalment (payment plan) is settled by the plan's
        entry and no longer open."""
        named = self._collections_suspension_line_ids()
        if not named:
            return set()
        snapshot = self.env["collections.receivable"]._snapshot(
            company, as_of, partner_ids=self.partner_id.commercial_partner_id.ids
        )
        return {
            line_id
            for line_id in named
            if (item := snapshot.items.get(line_id))
            and not item.paused
            and item.residual_company > snapshot.tolerance.get(item.partner_id, 0)
        }

    def _collections_apply_suspensions(self, as_of):
        """Suspend the customers of the announced actions of ``self`` (one
        company) whose named instalments are still unpaid on ``as_of``; the
        others are marked not needed. Set-based: one snapshot for all."""
        if not self:
            return {"suspended": 0, "cancelled": 0}
        company = self.company_id
        company.ensure_one()
        actions = self.sudo().with_company(company)
        unsettled = actions.filtered(lambda action: action.kind != "service")._collections_unsettled_line_ids(
            company, as_of
        )
        to_suspend, not_needed = actions.browse(), actions.browse()
        for action in actions:
            if action.kind == "service" or action._collections_suspension_line_ids() & unsettled:
                to_suspend |= action
            else:
                not_needed |= action
        if not_needed:
            not_needed.write({"suspension_state": "cancelled"})
            self.env["mail.message"].sudo().create(
                [
                    self.env["collections.followup.run"]._note_values(
                        action.partner_id,
                        self.env._(
                            "Service suspension announced for %(date)s not applied: the instalments "
                            "of the notice are paid or covered.",
                            date=action._collections_format_date(action.suspension_planned_date),
                        ),
                    )
                    for action in not_needed
                ]
            )
        if to_suspend:
            to_suspend._collections_suspend(as_of)
        return {"suspended": len(to_suspend), "cancelled": len(not_needed)}

    def _collections_suspend(self, as_of):
        """Suspend the customers of the actions of ``self`` (one company) on
        ``as_of``: partner fields, chatter, e-mail, and an activity for
        whoever cuts the service."""
        company = self.company_id
        partners = self.partner_id.commercial_partner_id.with_company(company).sudo()
        fresh = partners.filtered(lambda partner: not partner.service_suspended_date)
        reasons = {}
        for action in self:
            reasons[action.partner_id.commercial_partner_id.id] = action.suspension_reason or self.env._(
                "Instalments announced in the notice of %(date)s still unpaid",
                date=action._collections_format_date(action.date),
            )
        for reason, group in _group_by(fresh, lambda partner: reasons[partner.id]).items():
            group.write({"service_suspended_date": as_of, "service_suspension_reason": reason[:250]})
        manual = self.filtered(lambda action: action.kind == "service")
        if manual:
            manual.partner_id.commercial_partner_id.with_company(company).sudo().write(
                {"service_suspension_manual": True}
            )
        self.write({"suspension_state": "suspended"})
        Run = self.env["collections.followup.run"]
        self.env["mail.message"].sudo().create(
            [
                Run._note_values(
                    action.partner_id,
                    self.env._(
                        "Service suspended on %(date)s: %(reason)s.",
                        date=action._collections_format_date(as_of),
                        reason=reasons[action.partner_id.commercial_partner_id.id],
                    ),
                )
                for action in self
            ]
        )
        template = self.env.ref(
            "collections_followup.mail_template_service_suspended", raise_if_not_found=False
        )
        if template:
            template.sudo().send_mail_batch(self.ids)
        self._collections_cut_activities(as_of)

    def _collections_cut_activities(self, as_of):
        """One activity per action for the person who cuts the service (the
        collector, else the default collector, else a collections manager)."""
        activity_type = self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
        model_id = self.env["ir.model"]._get_id("res.partner")
        values = []
        for action in self:
            user = action._collections_activity_user(action.collector_id)
            if not user or not activity_type:
                continue
            values.append(
                {
                    "res_model_id": model_id,
                    "res_id": action.partner_id.commercial_partner_id.id,
                    "activity_type_id": activity_type.id,
                    "summary": self.env._("Suspend the service"),
                    "note": self.env._(
                        "The service of %(partner)s is suspended from %(date)s for non-payment.",
                        partner=action.partner_id.commercial_partner_id.display_name,
                        date=action._collections_format_date(as_of),
                    ),
                    "user_id": user.id,
                    "date_deadline": as_of,
                }
            )
        self.env["mail.activity"].sudo().create(values)

    # -- lift -----------------------------------------------------------

    @api.model
    def _collections_lift_settled(self, partners, company, as_of, reason=None, force=False):
        """Lift the announced-date suspensions of ``partners`` (commercial,
        ``company``) whose named instalments are all paid or covered on
        ``as_of`` (``force``: whatever their instalments, e.g. a plan was
        signed). Manual suspensions stay. Returns the partners lifted."""
        Action = self.sudo().with_company(company)
        suspended = Action.search(
            [
                ("company_id", "=", company.id),
                ("partner_id", "in", partners.ids),
                ("suspension_state", "=", "suspended"),
                ("kind", "!=", "service"),
            ]
        )
        if not suspended:
            return self.env["res.partner"]
        if force:
            settled = suspended
        else:
            unsettled = suspended._collections_unsettled_line_ids(company, as_of)
            blocked = {
                action.partner_id.id
                for action in suspended
                if action._collections_suspension_line_ids() & unsettled
            }
            settled = suspended.filtered(lambda action: action.partner_id.id not in blocked)
        if not settled:
            return self.env["res.partner"]
        settled.write({"suspension_state": "lifted"})
        lifted = (
            settled.partner_id.with_company(company)
            .sudo()
            .filtered(
                lambda partner: partner.service_suspended_date and not partner.service_suspension_manual
            )
        )
        lifted.write({"service_suspended_date": False, "service_suspension_reason": False})
        reason = reason or self.env._("the instalments of the notice are paid")
        Run = self.env["collections.followup.run"]
        self.env["mail.message"].sudo().create(
            [
                Run._note_values(partner, self.env._("Service suspension lifted: %(reason)s.", reason=reason))
                for partner in lifted
            ]
        )
        notified = settled.filtered(lambda action: action.partner_id in lifted)
        template = self.env.ref(
            "collections_followup.mail_template_service_reactivated", raise_if_not_found=False
        )
        if template and notified:
            template.sudo().send_mail_batch(notified.ids)
        return lifted

    def _collections_attach_invoices(self):
        """Attach the PDF of every open invoice claimed by each action to its
        e-mail: the invoice's own PDF when Odoo stored one, else rendered."""
        report = self.env["ir.actions.report"].sudo()
        for action in self.sudo():
            moves = action.line_ids.move_id.filtered(
                lambda move: move.move_type in ("out_invoice", "out_receipt")
            )
            attachments = self.env["ir.attachment"]
            for move in moves.sorted(lambda move: (move.invoice_date_due or fields.Date.today(), move.id)):
                stored = move.invoice_pdf_report_id
                if stored:
                    content, name = stored.raw, stored.name
                else:
                    content, _kind = report._render_qweb_pdf("account.account_invoices", move.ids)
                    name = move._get_invoice_report_filename()
                attachments |= attachments.sudo().create(
                    {
                        "name": name,
                        "raw": content,
                        "mimetype": "application/pdf",
                        "res_model": "mail.message",
                        "res_id": action.mail_id.mail_message_id.id,
                    }
                )
            if attachments:
                action.mail_id.write({"attachment_ids": [Command.link(att.id) for att in attachments]})


def _group_by(records, key):
    groups = defaultdict(lambda: records.browse())
    for record in records:
        groups[key(record)] |= record
    return groups
