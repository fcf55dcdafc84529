from odoo import api, fields, models
from odoo.exceptions import UserError


def _partners_from_context(env):
    """The customers the wizard was opened on: selected partners, or the
    customers of selected worklist rows."""
    context = env.context
    ids = context.get("active_ids") or []
    if context.get("active_model") == "collections.partner.status":
        return env["collections.partner.status"].browse(ids).partner_id
    if context.get("active_model") == "res.partner":
        return env["res.partner"].browse(ids).commercial_partner_id
    return env["res.partner"]


class CollectionsSendWizard(models.TransientModel):
    """Send & Print: a manual follow-up contact of one or many customers,
    through the channels the collector chooses, previewed as it will be sent."""

    _name = "collections.send.wizard"
    _description = "Send & Print Follow-up"

    partner_ids = fields.Many2many(
        "res.partner",
        string="Customers",
        required=True,
        default=lambda self: _partners_from_context(self.env),
    )
    partner_count = fields.Integer(compute="_compute_partner_count")
    send_email = fields.Boolean(string="E-mail", default=True)
    send_letter = fields.Boolean(string="Letter")
    send_sms = fields.Boolean(string="SMS")
    create_activity = fields.Boolean(string="Activity")
    sms_available = fields.Boolean(compute="_compute_sms_available")
    level_id = fields.Many2one(
        "collections.level",
        compute="_compute_level_id",
        store=True,
        readonly=False,
        domain="[('policy_id.company_id', '=', current_company_id)]",
        help="The level whose template and letter to use. Empty: each customer's current level.",
    )
    attach_invoices = fields.Boolean(string="Attach Open Invoices")
    preview_subject = fields.Char(compute="_compute_preview")
    preview_body = fields.Html(compute="_compute_preview", sanitize=False)
    preview_problem = fields.Char(compute="_compute_preview")

    @api.depends("partner_ids")
    def _compute_partner_count(self):
        for wizard in self:
            wizard.partner_count = len(wizard.partner_ids)

    def _compute_sms_available(self):
        for wizard in self:
            wizard.sms_available = "sms.sms" in self.env

    @api.depends("partner_ids")
    def _compute_level_id(self):
        for wizard in self:
            partners = wizard.partner_ids._origin
            level = self.env["collections.level"]
            if len(partners) == 1:
                level = partners.with_context(active_test=False).collections_level_id
            wizard.level_id = level

    @api.depends("partner_ids", "level_id")
    def _compute_preview(self):
        for wizard in self:
            wizard.preview_subject = wizard.preview_body = wizard.preview_problem = False
            partner = wizard.partner_ids._origin[:1]
            if not partner:
                continue
            try:
                preview = partner.collections_preview(wizard.level_id._origin.id or None)
            except UserError as error:
                wizard.preview_problem = error.args[0]
                continue
            wizard.preview_subject = preview.get("subject") or False
            wizard.preview_body = preview.get("body") or False
            if "body" not in preview:
                wizard.preview_problem = self.env._("This level has no e-mail template.")

    def _channels(self):
        channels = []
        if self.send_email:
            channels.append("email")
        if self.send_letter:
            channels.append("letter")
        if self.send_sms and self.sms_available:
            channels.append("sms")
        if self.create_activity:
            channels.append("activity")
        return channels

    def action_send(self):
        self.ensure_one()
        action_ids = self.partner_ids.collections_send_now(
            self._channels(), level_id=self.level_id.id or None, attach_invoices=self.attach_invoices
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Follow-up Sent"),
            "res_model": "collections.followup.action",
            "view_mode": "list,form",
            "domain": [("id", "in", action_ids)],
        }


class CollectionsLevelWizard(models.TransientModel):
    """A collector puts a customer at another level of its policy."""

    _name = "collections.level.wizard"
    _description = "Change Follow-up Level"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True)
    current_level_id = fields.Many2one("collections.level", compute="_compute_current_level_id")
    policy_id = fields.Many2one("collections.policy", compute="_compute_current_level_id")
    level_id = fields.Many2one(
        "collections.level", string="New Level", required=True, domain="[('policy_id', '=', policy_id)]"
    )
    reason = fields.Text(required=True)

    @api.depends("partner_id")
    def _compute_current_level_id(self):
        for wizard in self:
            partner = wizard.partner_id._origin.commercial_partner_id
            wizard.current_level_id = partner.collections_level_id if partner else False
            wizard.policy_id = partner._collections_policy() if partner else False

    def action_apply(self):
        self.ensure_one()
        self.partner_id.collections_set_level(self.level_id.id, self.reason)
        return {"type": "ir.actions.act_window_close"}


class CollectionsAssignWizard(models.TransientModel):
    """Give many customers a collector at once."""

    _name = "collections.assign.wizard"
    _description = "Assign Collector"

    partner_ids = fields.Many2many(
        "res.partner",
        string="Customers",
        required=True,
        default=lambda self: _partners_from_context(self.env),
    )
    user_id = fields.Many2one(
        "res.users",
        string="Collector",
        domain="[('share', '=', False), ('company_ids', 'in', current_company_id)]",
        help="Empty: the customers have no collector any more.",
    )

    def action_assign(self):
        self.ensure_one()
        self.partner_ids.collections_assign_collector(self.user_id.id or False)
        return {"type": "ir.actions.act_window_close"}
