from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError


class CollectionsProcessWizard(models.TransientModel):
    """A collector reviews the contacts waiting for review (levels that are
    not automatic), then executes them in one go."""

    _name = "collections.process.wizard"
    _description = "Process Follow-ups"

    action_ids = fields.Many2many(
        "collections.followup.action", string="Contacts", domain=[("state", "=", "planned")]
    )
    date = fields.Date(
        required=True,
        default=fields.Date.context_today,
        help="Date of the contacts; the claimed amounts are computed for it.",
    )
    preview_html = fields.Html(compute="_compute_preview_html", sanitize=False)

    @api.depends("action_ids")
    def _compute_preview_html(self):
        for wizard in self:
            rows = []
            for action in wizard.action_ids:
                level = action.level_id
                channels = [
                    label
                    for flag, label in (
                        (level.send_email, self.env._("e-mail")),
                        (level.send_letter, self.env._("letter")),
                        (level.send_sms, self.env._("SMS")),
                        (level.create_activity, self.env._("activity")),
                        (level.set_credit_hold, self.env._("credit hold")),
                        (level.suspend_service, self.env._("suspension")),
                        (level.escalation, self.env._("escalation")),
                    )
                    if flag
                ]
                # Markup's % escapes every value: names and levels are user data
                rows.append(
                    Markup("<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>")
                    % (
                        action.partner_id.display_name,
                        level.name,
                        ", ".join(channels),
                        action.claim_summary or "",
                    )
                )
            wizard.preview_html = Markup(
                "<table class='table table-sm'><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>"
                "</thead><tbody>%s</tbody></table>"
            ) % (
                self.env._("Customer"),
                self.env._("Level"),
                self.env._("Actions"),
                self.env._("Claimed"),
                Markup().join(rows),
            )

    def action_execute(self):
        """Execute the reviewed contacts. Returns the history of the processed actions."""
        self.ensure_one()
        actions = self.action_ids.filtered(lambda action: action.state == "planned")
        if not actions:
            raise UserError(
                self.env._("There is no contact to process: they were processed or cancelled meanwhile.")
            )
        actions.sudo().write({"date": self.date, "kind": "manual", "user_id": self.env.user.id})
        for company in actions.company_id:
            company_actions = actions.filtered(lambda action, company=company: action.company_id == company)
            company_actions.sudo().with_company(company)._execute_channels()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Processed Follow-ups"),
            "res_model": "collections.followup.action",
            "view_mode": "list,form",
            "domain": [("id", "in", actions.ids)],
        }
