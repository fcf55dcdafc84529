from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..lib import dunning
from ..lib.workdays import days_late as lib_days_late
from .rpc import in_user_language


class AccountMove(models.Model):
    _inherit = "account.move"

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
            "name": _("Dispute") if mode == "open" else _("End Dispute"),
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
            raise UserError(_("The resolution of a dispute must be a text."))
        # sudo: the user is a collector who can read these invoices; only the
        # dispute records and a chatter note are written, on their behalf.
        return self.sudo()._collections_clear_dispute((resolution or "").strip() or None).ids

    def _collections_check_dispute_right(self):
        """Collectors (and billing users, who are collectors) open and close
        disputes of invoices they can read: raise otherwise."""
        if not self:
            raise UserError(_("Choose the invoices to dispute."))
        if not self.env.user.has_group("collections_followup.group_collections_user"):
            raise AccessError(_("Only collectors can set or clear disputes."))
        self.check_access("read")

    def _collections_set_dispute(self, reason):
        """Put the invoices in dispute: they are not chased until it is cleared.
        Their queued dunning e-mails, pending contacts and the follow-up's
        call activity are closed (``collections.followup.action._collections_close_loop``)."""
        if not isinstance(reason, str) or not reason.strip():
            raise UserError(_("Give the reason of the dispute."))
        reason = reason.strip()
        for move in self:
            if move.move_type not in ("out_invoice", "out_receipt") or move.state != "posted":
                raise UserError(
                    _(
                        "Only posted customer invoices can be disputed: %(move)s is not one.",
                        move=move.display_name,
                    )
                )
            if move.collections_in_dispute:
                raise UserError(_("The invoice %(invoice)s is already in dispute.", invoice=move.name))
        disputes = self.env["collections.dispute"].create(
            [{"move_id": move.id, "reason": reason} for move in self]
        )
        for move in self:
            move.message_post(
                body=_("Dispute opened: %(reason)s", reason=reason), subtype_xmlid="mail.mt_note"
            )
        instalments = self.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable" and line.balance > 0
        )
        self.env["collections.followup.action"]._collections_close_loop(
            instalments, _("invoice in dispute (%(reason)s).", reason=reason)
        )
        return disputes

    def _collections_clear_dispute(self, resolution=None):
        """End the open disputes of the invoices: the follow-up chases them again."""
        disputes = self.collections_dispute_ids.filtered("is_open")
        if not disputes:
            raise UserError(_("These invoices are not in dispute."))
        disputes.write(
            {
                "date_end": fields.Date.context_today(self),
                "closed_by_id": self.env.user.id,
                "resolution": resolution or False,
            }
        )
        for move in disputes.move_id:
            move.message_post(
                body=_("Dispute closed: %(resolution)s", resolution=resolution or _("no resolution given")),
                subtype_xmlid="mail.mt_note",
            )
        return disputes


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
