from odoo import api, fields, models
from odoo.exceptions import UserError


class CollectionsChargeWaive(models.TransientModel):
    """Waive (forgive) late charges of one instalment, fully or partly: a
    Collections Manager action with a reason, logged on the invoice."""

    _name = "collections.charge.waive"
    _description = "Waive Late Charges"

    move_id = fields.Many2one("account.move", string="Invoice", required=True)
    move_line_id = fields.Many2one(
        "account.move.line",
        string="Instalment",
        required=True,
        domain="[('move_id', '=', move_id), ('account_id.account_type', '=', 'asset_receivable'), "
        "('balance', '>', 0)]",
    )
    currency_id = fields.Many2one("res.currency", compute="_compute_left")
    as_of = fields.Date(string="Charges Accrued Up To", required=True, default=fields.Date.context_today)
    fine_left = fields.Monetary(compute="_compute_left", string="Fine Not Invoiced")
    interest_left = fields.Monetary(compute="_compute_left", string="Interest Not Invoiced")
    correction_left = fields.Monetary(compute="_compute_left", string="Correction Not Invoiced")
    fine_amount = fields.Monetary(string="Fine to Waive")
    interest_amount = fields.Monetary(string="Interest to Waive")
    correction_amount = fields.Monetary(string="Correction to Waive")
    reason = fields.Text(required=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        move = self.env["account.move"].browse(values.get("move_id"))
        if move and not values.get("move_line_id"):
            instalments = move.sudo().line_ids._collections_instalments()
            late = instalments.filtered(
                lambda line: line.date_maturity and line.date_maturity < fields.Date.context_today(self)
            )
            values["move_line_id"] = (late or instalments)[:1].id
        return values

    @api.depends("move_line_id", "as_of")
    def _compute_left(self):
        for wizard in self:
            line = wizard.move_line_id.sudo()
            left = (
                line._collections_left_to_invoice(wizard.as_of).get(line.id, {})
                if line and wizard.as_of
                else {}
            )
            foreign = line.currency_id != line.company_currency_id
            wizard.currency_id = line.currency_id if foreign else line.company_currency_id
            wizard.fine_left = float(left.get("fine", 0))
            wizard.interest_left = float(left.get("interest", 0))
            wizard.correction_left = float(left.get("correction", 0))

    @api.onchange("move_line_id", "as_of")
    def _onchange_waive_everything(self):
        self.fine_amount = self.fine_left
        self.interest_amount = self.interest_left
        self.correction_amount = self.correction_left

    def action_waive(self):
        """Record the waiver (Collections Manager only) and log it on the invoice."""
        self.ensure_one()
        if self.move_line_id.sudo().move_id != self.move_id.sudo():
            raise UserError(self.env._("The instalment does not belong to the invoice."))
        self.env["collections.charge"]._collections_waive(
            self.move_line_id,
            {
                "fine": self.fine_amount,
                "interest": self.interest_amount,
                "correction": self.correction_amount,
            },
            self.reason,
            self.as_of,
        )
        return {"type": "ir.actions.act_window_close"}
