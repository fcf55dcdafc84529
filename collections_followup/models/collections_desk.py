"""The collector's desk: Send & Print on chosen customers, a manual level
change, the assignment of collectors. Everything goes through the run's own
pieces: the receivable snapshot and the run's overview (current level), the
run's recording of actions with their stored claim lines and pairs, the
action's channels."""

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError

from .rpc import in_user_language

DESK_CHANNELS = ("email", "letter", "sms", "activity")


class _DiscardPreview(Exception):
    """Raised to roll the preview's savepoint back."""


class CollectionsFollowupRunDesk(models.AbstractModel):
    _inherit = "collections.followup.run"

    def _desk_entries(self, partners, level, as_of):
        """(data, entries) of a manual contact of ``partners`` (commercial
        partners of the current company) at ``level`` (a collections.level,
        or empty for each customer's current level as the run computes it,
        ``_overview``). Entries as ``_collections_record_actions`` takes them.

        The contact claims what the run would: the customer's overdue
        instalments (the one definition of overdue, lib.receivable) not
        paused by a dispute, a promise or a plan nor below the tolerance,
        with every open charge invoice; a pre-due level claims the open
        instalments not yet due too. UserError for a customer with nothing
        overdue (unless a pre-due level is chosen) or without a level."""
        company = self.env.company
        data = self._gather(company, as_of, partner_ids=partners.ids)
        overview = self._overview(data)
        Level = self.env["collections.level"].sudo()
        claimable, chosen_of, pairs_of = set(), {}, {}
        for partner in partners:
            info = overview.get(partner.id) or {}
            chosen = level or Level.browse(info.get("level_id") or [])
            items = [
                item
                for item in data.items_by_partner.get(partner.id, ())
                if not item.paused and item.line_id not in data.below_tolerance_ids
            ]
            overdue = [item for item in items if data.snapshot.is_overdue(item)]
            pre_due = bool(chosen) and chosen.days < 0
            if not overdue and not pre_due:
                raise UserError(
                    _(
                        "%(partner)s has nothing overdue: choose a reminder level (before the due date) "
                        "to remind the customer of instalments still to fall due.",
                        partner=partner.display_name,
                    )
                )
            if not chosen:
                raise UserError(
                    _(
                        "%(partner)s has not reached a follow-up level yet: choose the level whose "
                        "template to use.",
                        partner=partner.display_name,
                    )
                )
            chased = items if pre_due else overdue
            if not chased:
                raise UserError(_("%(partner)s has no open instalment to claim.", partner=partner.display_name))
            claimable.update(item.line_id for item in chased)
            claimable.update(item.line_id for item in items if item.is_charge_invoice)
            chosen_of[partner.id] = chosen
            pairs_of[partner.id] = tuple((item.line_id, chosen.id) for item in chased)
        claim_lines = self.env["res.partner"]._collections_claim_lines_from_snapshot(data.snapshot, claimable)
        entries = [
            (
                chosen_of[partner.id].policy_id,
                partner.id,
                chosen_of[partner.id],
                claim_lines.get(partner.id, []),
                pairs_of[partner.id],
            )
            for partner in partners
        ]
        return data, entries

    def _desk_record(self, partners, level, as_of):
        """The actions (kind "manual", not executed yet) of a manual contact."""
        company = self.env.company
        data, entries = self._desk_entries(partners, level, as_of)
        collector_by_partner = {
            values["id"]: values["collections_responsible_id"]
            for values in partners.sudo().with_company(company).read(["collections_responsible_id"], load=None)
        }
        noticed = self._partners_with_notice(company, partners.ids)
        actions, _inserted = self._collections_record_actions(
            data, entries, collector_by_partner, noticed, kind="manual"
        )
        return actions

    def _desk_preview(self, partner, level, as_of):
        """{'subject', 'body', 'level_id', 'lang'} of the e-mail a manual
        contact of ``partner`` would send: the action and its claim lines are
        recorded and rendered exactly as Send does it, in a savepoint rolled
        back afterwards."""
        Action = self.env["collections.followup.action"].sudo()
        result = {}
        try:
            with self.env.cr.savepoint(flush=False):
                action = self._desk_record(partner, level, as_of)
                result["level_id"] = action.level_id.id
                template = action.level_id.mail_template_id.sudo().with_company(self.env.company)
                if template:
                    rendered = template._generate_template(action.ids, ["subject"])[action.id]
                    result["subject"] = rendered.get("subject") or ""
                    result["body"] = Action._render_bodies(template, action.ids)[action.id]
                self.env.flush_all()
                raise _DiscardPreview()
        except _DiscardPreview:
            pass
        finally:
            for model in ("collections.followup.action", "collections.followup.action.line", "collections.followup.pair"):
                self.env[model].invalidate_model()
        return result


class ResPartnerDesk(models.Model):
    _inherit = "res.partner"

    # -- helpers -----------------------------------------------------------

    def _collections_desk_partners(self):
        """The commercial partners of ``self``, all of the current company
        (or shared); a UserError otherwise."""
        self._collections_check_collector()
        partners = self.commercial_partner_id
        if not partners:
            raise UserError(_("Choose the customers."))
        company = self.env.company
        foreign = partners.sudo().filtered(lambda partner: partner.company_id and partner.company_id != company)
        if foreign:
            raise UserError(
                _("%(partners)s belong to another company.", partners=", ".join(foreign.mapped("display_name")))
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
            raise UserError(_("Give the id of a follow-up level, got %(value)s.", value=repr(level_id)))
        level = Level.browse(level_id).exists()
        if not level or level.policy_id.company_id != self.env.company:
            raise UserError(_("Choose a follow-up level of %(company)s.", company=self.env.company.name))
        return level

    @api.model
    def _collections_desk_channels(self, channels):
        if isinstance(channels, str) or not isinstance(channels, (list, tuple, set)):
            raise UserError(_("Give the channels as a list, e.g. ['email', 'letter']."))
        channels = list(dict.fromkeys(channels))
        unknown = [channel for channel in channels if channel not in DESK_CHANNELS]
        if unknown:
            raise UserError(
                _(
                    "Unknown channel %(channels)s: use %(known)s.",
                    channels=", ".join(map(repr, unknown)),
                    known=", ".join(DESK_CHANNELS),
                )
            )
        if not channels:
            raise UserError(_("Choose at least one channel: e-mail, letter, SMS or activity."))
        if "sms" in channels and "sms.sms" not in self.env:
            raise UserError(_("SMS needs Odoo's SMS module, which is not installed."))
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
            raise UserError(_("Choose exactly one customer (got %(count)s).", count=len(partner)))
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
                    _(
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
            "name": _("Send & Print"),
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
            raise UserError(_("Choose exactly one customer (got %(count)s).", count=len(partner)))
        if not isinstance(reason, str) or not reason.strip():
            raise UserError(_("Give the reason for changing the follow-up level."))
        level = self._collections_desk_level(level_id)
        if not level:
            raise UserError(_("Choose the new follow-up level."))
        company = self.env.company
        policy = partner.with_company(company).sudo()._collections_policy()
        if level.policy_id != policy:
            raise UserError(
                _(
                    "Choose a level of %(partner)s's policy (%(policy)s).",
                    partner=partner.display_name,
                    policy=policy.name or _("none"),
                )
            )
        as_of = fields.Date.context_today(self)
        engine = self.env["collections.followup.run"].sudo().with_company(company)
        data = engine._gather(company, as_of, partner_ids=partner.ids)
        previous = self.env["collections.level"].sudo().browse(
            (engine._overview(data).get(partner.id) or {}).get("level_id") or []
        )
        line_ids = [
            item.line_id
            for item in data.items_by_partner.get(partner.id, ())
            if data.snapshot.is_overdue(item) and not item.paused
        ]
        if not line_ids:
            raise UserError(
                _("%(partner)s has nothing overdue: there is no level to change.", partner=partner.display_name)
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
            body=_(
                "Follow-up level changed from %(old)s to %(new)s by %(user)s: %(reason)s",
                old=previous.name or _("none"),
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
            "name": _("Change Follow-up Level"),
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
                raise UserError(_("Give the id of a user, got %(value)s.", value=repr(user_id)))
            user = self.env["res.users"].sudo().browse(user_id).exists()
            if not user or not self.env["collections.followup.action"]._collections_assignable(user, company):
                raise UserError(
                    _("The collector must be an active internal user of %(company)s.", company=company.name)
                )
        # sudo: a collector may assign customers (README roles); only the
        # company's collector field is written.
        partners.sudo().with_company(company).write({"collections_responsible_id": user.id})
        for partner in partners:
            partner.sudo().message_post(
                body=_("Collector: %(user)s", user=user.name or _("none")), subtype_xmlid="mail.mt_note"
            )
        self.env["collections.partner.status"].sudo().search(
            [("partner_id", "in", partners.ids), ("company_id", "=", company.id)]
        ).write({"collector_id": user.id})
        return True


class CollectionsFollowupActionDesk(models.Model):
    _inherit = "collections.followup.action"

    def _collections_attach_invoices(self):
        """Attach the PDF of every open invoice claimed by each action to its
        e-mail: the invoice's own PDF when Odoo stored one, else rendered."""
        report = self.env["ir.actions.report"].sudo()
        for action in self.sudo():
            moves = action.line_ids.move_id.filtered(lambda move: move.move_type in ("out_invoice", "out_receipt"))
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
