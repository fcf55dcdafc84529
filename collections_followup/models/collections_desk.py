"""The collector's desk: Send & Print on chosen customers, a manual level
change, the assignment of collectors. Everything goes through the run's own
pieces: the receivable snapshot and the run's overview (current level), the
run's recording of actions with their stored claim lines and pairs, the
action's channels."""

from odoo import models
from odoo.exceptions import UserError


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
            if (
                not overdue
                and not pre_due
                and any(data.snapshot.is_overdue(item) for item in data.items_by_partner.get(partner.id, ()))
            ):
                raise UserError(
                    self.env._(
                        "%(partner)s has nothing overdue left to claim: a promise to pay or a payment "
                        "plan covers it (or it is within the policy's tolerance).",
                        partner=partner.display_name,
                    )
                )
            if not overdue and not pre_due:
                raise UserError(
                    self.env._(
                        "%(partner)s has nothing overdue: choose a reminder level (before the due date) "
                        "to remind the customer of instalments still to fall due.",
                        partner=partner.display_name,
                    )
                )
            if not chosen:
                raise UserError(
                    self.env._(
                        "%(partner)s has not reached a follow-up level yet: choose the level whose "
                        "template to use.",
                        partner=partner.display_name,
                    )
                )
            chased = items if pre_due else overdue
            if not chased:
                raise UserError(
                    self.env._("%(partner)s has no open instalment to claim.", partner=partner.display_name)
                )
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
            for values in partners.sudo()
            .with_company(company)
            .read(["collections_responsible_id"], load=None)
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
        savepoint = self.env.cr.savepoint(flush=False)
        try:
            action = self._desk_record(partner, level, as_of)
            result["level_id"] = action.level_id.id
            template = action.level_id.mail_template_id.sudo().with_company(self.env.company)
            if template:
                rendered = template._generate_template(action.ids, ["subject"])[action.id]
                result["subject"] = rendered.get("subject") or ""
                result["body"] = Action._render_bodies(template, action.ids)[action.id]
            # nothing left to write after the rollback
            self.env.flush_all()
        finally:
            savepoint.rollback()
            savepoint.close(rollback=False)
            for model in (
                "collections.followup.action",
                "collections.followup.action.line",
                "collections.followup.pair",
            ):
                self.env[model].invalidate_model()
        return result
