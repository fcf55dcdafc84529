from odoo import fields, models

# lib.credit switch name -> res.company field holding the company's switch
COMPANY_HOLD_SWITCHES = {
    "check_limit": "collections_hold_on_limit",
    "check_overdue": "collections_hold_on_overdue",
    "check_manual": "collections_hold_on_manual",
    "check_dunning": "collections_hold_on_dunning",
    "check_suspension": "collections_hold_on_suspension",
}


class ResCompany(models.Model):
    """Which credit holds the company enforces (each can be overridden per customer)."""

    _inherit = "res.company"

    collections_hold_on_limit = fields.Boolean(
        string="Hold Above Credit Limit",
        default=True,
        help="Block a customer invoice or sale order when the customer's exposure plus "
        "the document is above the credit limit.",
    )
    collections_hold_on_overdue = fields.Boolean(
        # Opt-in: switched on for a company that wants it, so installing the
        # module never starts refusing invoices of customers already late.
        string="Hold on Overdue Invoices",
        default=False,
        help="Block when an instalment of the customer is overdue by more than the allowed days.",
    )
    collections_hold_overdue_days = fields.Integer(
        string="Allowed Days Overdue",
        default=15,
        help="An instalment overdue by more than this many days (counted from its due date "
        "moved to the next working day) puts the customer on hold.",
    )
    collections_hold_on_manual = fields.Boolean(
        string="Hold on Manual Hold",
        default=True,
        help="Block customers put on hold by hand by a Collections Manager.",
    )
    collections_hold_on_dunning = fields.Boolean(
        string="Hold Set by Dunning Level",
        default=True,
        help="Block customers put on hold by a collection level.",
    )
    collections_hold_on_suspension = fields.Boolean(
        string="Hold Suspended Customers",
        default=True,
        help="Block customers whose service is suspended.",
    )
    collections_credit_reviewer_id = fields.Many2one(
        "res.users",
        string="Credit Reviewer",
        help="Receives the credit review activity of customers without collector or salesperson.",
    )

    _sql_constraints = [
        (
            "collections_hold_overdue_days_positive",
            "CHECK(collections_hold_overdue_days >= 0)",
            "The allowed days overdue cannot be negative.",
        ),
    ]

    def _collections_hold_switches(self):
        """The company's hold switches keyed by lib.credit switch name."""
        self.ensure_one()
        return {name: self[field_name] for name, field_name in COMPANY_HOLD_SWITCHES.items()}
