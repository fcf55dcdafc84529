from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    collections_boleto_line = fields.Char(
        string="Boleto Line",
        copy=False,
        help="The boleto's digitable line (linha digitável), printed in the payment section of "
        "follow-up e-mails and letters that claim this invoice.",
    )


class CollectionsFollowupActionPayment(models.Model):
    """The payment section of follow-up e-mails and letters: how to pay."""

    _inherit = "collections.followup.action"

    def _collections_payment_info(self):
        """How to pay what this action claims: {'bank': the company's
        collections bank account as one line (bank - account number) or '',
        'holder': the account holder, 'pix': the company's PIX key or '',
        'boletos': [(document number, boleto line)] of the claimed documents
        that carry one, by due date}."""
        self.ensure_one()
        company = self.company_id.sudo()
        moves = self.line_ids.move_id.sudo()
        boletos = [
            (move.name, move.collections_boleto_line)
            for move in moves.sorted(lambda move: (move.invoice_date_due or fields.Date.today(), move.id))
            if move.collections_boleto_line
        ]
        bank = company.collections_bank_account_id
        return {
            "bank": " - ".join(part for part in (bank.bank_id.name, bank.acc_number) if part),
            "holder": bank.partner_id.name or "",
            "pix": company.collections_pix_key or "",
            "boletos": boletos,
        }

    def _collections_mail_claim_table(self):
        """The instalment tables followed by the payment section."""
        table = super()._collections_mail_claim_table()
        lang_code = self.env.context.get("lang") or self.partner_id.lang or "en_US"
        payment = self._collections_payment_info()
        if not (payment["bank"] or payment["pix"] or payment["boletos"]):
            return table
        section = self.env["ir.qweb"]._render(
            "collections_followup.mail_payment_section",
            {"payment": payment},
            lang=lang_code,
        )
        return table + section
