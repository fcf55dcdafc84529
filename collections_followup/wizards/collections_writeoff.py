from markupsafe import Markup, escape

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from ..models.collections_writeoff import CRITERIA, REASONS


class CollectionsWriteoffWizard(models.TransientModel):
    """Write off selected overdue instalments (Collections Manager): reason,
    date, loss account; shows which Lei 9.430/1996 art. 9 criterion each
    instalment meets before posting."""

    _name = "collections.writeoff.wizard"
    _description = "Write Off Receivables"

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    move_line_ids = fields.Many2many(
        "account.move.line",
        string="Instalments to Write Off",
        domain="[('company_id', '=', company_id), ('account_type', '=', 'asset_receivable'), "
        "('reconciled', '=', False), ('parent_state', '=', 'posted'), ('balance', '>', 0)]",
    )
    reason = fields.Selection(REASONS, required=True, default="uncollectible")
    note = fields.Text()
    date = fields.Date(required=True, default=fields.Date.context_today)
    account_id = fields.Many2one(
        "account.account",
        string="Loss Account",
        default=lambda self: self.env.company.collections_writeoff_account_id,
        domain="[('account_type', 'like', 'expense')]",
    )
    secured = fields.Boolean(string="Secured Credit", help="The credit has a guarantee (art. 9, III).")
    lawsuit = fields.Boolean(string="Lawsuit Filed", help="Judicial collection started and kept up.")
    bankruptcy = fields.Boolean(
        string="Debtor Bankrupt", help="Declared bankrupt or in judicial reorganisation."
    )
    preview_html = fields.Html(string="Deductibility", compute="_compute_preview", sanitize=False)
    preview_error = fields.Char(compute="_compute_preview")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        ids = context.get("active_ids") or []
        if context.get("active_model") == "account.move" and ids:
            moves = self.env["account.move"].browse(ids)
            company = moves.company_id[:1]
            snapshot = self.env["collections.receivable"]._snapshot(
                company, fields.Date.context_today(self), moves.commercial_partner_id.ids
            )
            line_ids = [
                item.line_id
                for item in snapshot.items.values()
                if item.move_id in moves.ids and snapshot.is_overdue(item)
            ]
            values.update(company_id=company.id, move_line_ids=[Command.set(line_ids)])
        elif context.get("active_model") == "account.move.line" and ids:
            lines = self.env["account.move.line"].browse(ids)
            values.update(company_id=lines.company_id[:1].id, move_line_ids=[Command.set(lines.ids)])
        return values

    @api.depends("move_line_ids", "date", "secured", "lawsuit", "bankruptcy", "reason")
    def _compute_preview(self):
        Writeoff = self.env["collections.writeoff"]
        labels = dict(CRITERIA)
        for wizard in self:
            wizard.preview_html = False
            wizard.preview_error = False
            lines = wizard.move_line_ids._origin
            if not lines or not wizard.date:
                continue
            try:
                rows = Writeoff._collections_classify(wizard.company_id, lines, wizard.date, wizard._facts())
            except UserError as error:
                wizard.preview_error = error.args[0]
                continue
            currency = wizard.company_id.currency_id
            html = Markup("<table class='table table-sm'><tbody>")
            for row in rows:
                html += Markup("<tr><td>%s</td><td class='text-end'>%s</td><td>%s</td></tr>") % (
                    row["line"].move_id.name,
                    escape(currency.format(float(row["amount"]))),
                    labels[row["criterion"]],
                )
            wizard.preview_html = html + Markup("</tbody></table>")

    def _facts(self):
        return {
            "secured": self.secured,
            "lawsuit": self.lawsuit,
            "administrative_collection": None,
            "bankruptcy": self.bankruptcy or self.reason == "bankruptcy",
        }

    def action_write_off(self):
        """Post the write-off (``collections.writeoff.collections_write_off``) and open it."""
        self.ensure_one()
        writeoff = self.env["collections.writeoff"].collections_write_off(
            self.move_line_ids.ids,
            self.reason,
            note=self.note,
            date=self.date,
            account_id=self.account_id.id,
            secured=self.secured,
            lawsuit=self.lawsuit,
            bankruptcy=self.bankruptcy,
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "collections.writeoff",
            "res_id": writeoff.id,
            "view_mode": "form",
        }
