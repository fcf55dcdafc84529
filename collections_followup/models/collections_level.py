from odoo import api, fields, models
from odoo.exceptions import ValidationError

TONES = [
    ("reminder", "Reminder before due date"),
    ("friendly", "Friendly"),
    ("firm", "Firm"),
    ("formal_notice", "Formal extrajudicial notice"),
]

ESCALATIONS = [
    ("agency", "Collection agency"),
    ("protest", "Protest (cartório)"),
    ("credit_bureau", "Credit bureau (negativação)"),
    ("legal", "Lawsuit"),
]

ACTIVITY_USERS = [
    ("collector", "Partner's collector"),
    ("salesperson", "Partner's salesperson"),
    ("user", "Specific user"),
]

# Fields that make a level do something: a level with none of them is refused.
ACTION_FIELDS = (
    "send_email",
    "send_letter",
    "send_sms",
    "create_activity",
    "set_credit_hold",
    "suspend_service",
    "escalation",
)


class CollectionsLevel(models.Model):
    """One step of a collection policy, reached a number of days after (or
    before, when negative) an instalment's due date."""

    _name = "collections.level"
    _description = "Collection Level"
    _order = "policy_id, days, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    policy_id = fields.Many2one("collections.policy", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="policy_id.company_id", store=True, index=True)
    days = fields.Integer(
        required=True,
        help="Days relative to the instalment's due date (moved to the next working day). "
        "Negative values send a reminder before the due date.",
    )
    tone = fields.Selection(TONES, default="friendly", required=True)
    automatic = fields.Boolean(
        default=True,
        help="Executed by the daily run. When unchecked, the level waits for a collector's review.",
    )
    send_email = fields.Boolean()
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Email Template",
        domain=[("model", "=", "res.partner")],
        check_company=False,
    )
    send_letter = fields.Boolean(string="Print Letter")
    letter_fallback = fields.Boolean(
        string="Letter When Email Fails",
        default=True,
        help="Print the letter when the email cannot be sent (no address, invalid, blacklisted).",
    )
    send_sms = fields.Boolean(string="Send SMS")
    sms_body = fields.Text(string="SMS Text", translate=True)
    create_activity = fields.Boolean(string="Schedule Activity")
    activity_type_id = fields.Many2one("mail.activity.type")
    activity_summary = fields.Char(translate=True)
    activity_user = fields.Selection(ACTIVITY_USERS, default="collector")
    activity_user_id = fields.Many2one("res.users", string="Activity Responsible")
    set_credit_hold = fields.Boolean(
        help="Put the partner on credit hold: posting invoices and confirming sales are blocked."
    )
    suspend_service = fields.Boolean(
        help="Mark the partner's service as suspended; lifted when nothing is overdue any more."
    )
    announce_suspension = fields.Boolean(
        help="With Suspend Service: instead of suspending at once, the notice of this level "
        "announces the suspension date (the notice date plus the policy's suspension notice "
        "days, moved to a day on which a suspension may start). The daily job suspends on "
        "that date when the instalments named in the notice are still unpaid.",
    )
    escalation = fields.Selection(ESCALATIONS)

    _sql_constraints = [
        (
            "days_policy_unique",
            "UNIQUE(policy_id, days)",
            "Two levels of a policy cannot be reached on the same day.",
        ),
    ]

    # "name" and "days" are always written on create, so the check runs even
    # when no action field is given at all.
    @api.constrains("name", "days", *ACTION_FIELDS)
    def _check_has_action(self):
        for level in self:
            if not any(level[name] for name in ACTION_FIELDS):
                raise ValidationError(
                    self.env._(
                        "The level “%(level)s” does nothing: choose at least one action.", level=level.name
                    )
                )

    @api.constrains("send_email", "mail_template_id")
    def _check_email_template(self):
        for level in self:
            if level.send_email and not level.mail_template_id:
                raise ValidationError(
                    self.env._("The level “%(level)s” sends an email: choose its template.", level=level.name)
                )

    @api.constrains("create_activity", "activity_type_id", "activity_user", "activity_user_id")
    def _check_activity(self):
        for level in self:
            if not level.create_activity:
                continue
            if not level.activity_type_id:
                raise ValidationError(
                    self.env._(
                        "The level “%(level)s” schedules an activity: choose its type.", level=level.name
                    )
                )
            if level.activity_user == "user" and not level.activity_user_id:
                raise ValidationError(
                    self.env._(
                        "The level “%(level)s” assigns its activity to a specific user: choose the user.",
                        level=level.name,
                    )
                )

    @api.constrains("announce_suspension", "suspend_service", "send_email", "send_letter")
    def _check_announce_suspension(self):
        for level in self:
            if not level.announce_suspension:
                continue
            if not level.suspend_service:
                raise ValidationError(
                    self.env._(
                        "The level “%(level)s” announces a suspension: check Suspend Service too.",
                        level=level.name,
                    )
                )
            if not (level.send_email or level.send_letter):
                raise ValidationError(
                    self.env._(
                        "The level “%(level)s” announces a suspension: it must send an e-mail or "
                        "print a letter stating the date.",
                        level=level.name,
                    )
                )

    def _collections_suspends_now(self):
        """True when the level suspends the service the day it is executed."""
        self.ensure_one()
        return bool(self.suspend_service and not self.announce_suspension)

    def _collections_is_harsh(self):
        """True when the level's effects reach beyond a message: a credit
        hold, a service suspension or an escalation (agency, protest, credit
        bureau, lawsuit). Such effects need a prior written notice."""
        self.ensure_one()
        # announcing a suspension is itself the written notice: not harsh
        return bool(self.set_credit_hold or self._collections_suspends_now() or self.escalation)
