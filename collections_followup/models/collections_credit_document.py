import logging
from collections import defaultdict
from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_datetime, formatLang

from ..lib import credit, money

_logger = logging.getLogger(__name__)

MANAGER_GROUP = "collections_followup.group_collections_manager"

# Written only by _collections_release_credit (as superuser, after checking the
# right): never through create/write by a user, whatever the user's groups.
RELEASE_FIELDS = frozenset(
    {
        "collections_credit_released_by_id",
        "collections_credit_release_date",
        "collections_credit_release_reason",
        "collections_credit_release_amount",
        "collections_credit_release_partner_id",
        "collections_credit_release_company_id",
    }
)


def check_protected_vals(env, vals_list, field_names, message):
    """Refuse (AccessError) values or context defaults for ``field_names``
    unless running as superuser, which no RPC call can do: the methods that
    check the right write these fields through sudo()."""
    if env.su:
        return
    given = {name for vals in vals_list for name in field_names if name in vals} | {
        name for name in field_names if "default_" + name in env.context
    }
    if given:
        raise AccessError(message)


class CollectionsCreditDocument(models.AbstractModel):
    """A document a credit hold can block (customer invoice, sale order).

    The model using it says which of its records are checked and for how
    much (``_collections_credit_candidates``, ``_collections_credit_amount``,
    ``_collections_credit_exclusions``); the mixin gathers the partners'
    credit in one pass per company, shows the reasons before the user acts,
    refuses the action with every reason, and lets a Collections Manager
    release one document.
    """

    _name = "collections.credit.document"
    _description = "Document Checked by Credit Control"

    # computed, not related: the mixin itself has no company_id to relate to
    collections_credit_currency_id = fields.Many2one(
        "res.currency", compute="_compute_collections_credit_currency_id", string="Credit Currency"
    )
    collections_credit_released_by_id = fields.Many2one(
        "res.users", string="Credit Hold Released By", readonly=True, copy=False
    )
    collections_credit_release_date = fields.Datetime(
        string="Credit Hold Released On", readonly=True, copy=False
    )
    collections_credit_release_reason = fields.Text(string="Credit Release Reason", readonly=True, copy=False)
    collections_credit_release_amount = fields.Monetary(
        string="Released Amount",
        readonly=True,
        copy=False,
        currency_field="collections_credit_currency_id",
        help="The release covers the document up to this amount (company currency).",
    )
    # The release is bound to the customer and company it was given for:
    # moving the document to another customer or company voids it.
    collections_credit_release_partner_id = fields.Many2one(
        "res.partner", string="Released For Customer", readonly=True, copy=False
    )
    collections_credit_release_company_id = fields.Many2one(
        "res.company", string="Released In Company", readonly=True, copy=False
    )
    collections_credit_hold_message = fields.Text(
        string="Credit Hold", compute="_compute_collections_credit_check"
    )
    collections_credit_blocked = fields.Boolean(compute="_compute_collections_credit_check")
    collections_credit_checked = fields.Boolean(compute="_compute_collections_credit_check")
    collections_has_credit_limit = fields.Boolean(compute="_compute_collections_credit_check")
    collections_available_credit = fields.Monetary(
        string="Available Credit",
        compute="_compute_collections_credit_check",
        currency_field="collections_credit_currency_id",
    )
    collections_overdue_amount = fields.Monetary(
        string="Overdue Amount",
        compute="_compute_collections_credit_check",
        currency_field="collections_credit_currency_id",
    )

    def _compute_collections_credit_currency_id(self):
        for document in self:
            document.collections_credit_currency_id = document.company_id.currency_id

    @api.depends_context("uid", "lang")
    def _compute_collections_credit_check(self):
        self.update(
            {
                "collections_credit_hold_message": False,
                "collections_credit_blocked": False,
                "collections_credit_checked": False,
                "collections_has_credit_limit": False,
                "collections_available_credit": 0.0,
                "collections_overdue_amount": 0.0,
            }
        )
        # new records too: the quotation being typed shows its customer's credit
        candidates = self._collections_credit_candidates()._collections_judgeable(log=False)
        for document, (state, reasons) in candidates._collections_credit_reasons().items():
            available = credit.available_credit(state.limit, state.exposure)
            partner = document.partner_id
            document.update(
                {
                    "collections_credit_checked": True,
                    # shown while typing (an empty quotation is 0.00): the hold the
                    # document will meet once it has an amount
                    "collections_credit_blocked": bool(reasons),
                    "collections_credit_hold_message": "\n".join(
                        partner._collections_format_reasons(reasons, document.company_id)
                    )
                    or False,
                    "collections_has_credit_limit": state.limit is not None,
                    "collections_available_credit": float(available or 0),
                    "collections_overdue_amount": float(state.overdue_amount),
                }
            )

    @api.model_create_multi
    def create(self, vals_list):
        check_protected_vals(self.env, vals_list, RELEASE_FIELDS, self._collections_release_forbidden())
        return super().create(vals_list)

    def write(self, vals):
        check_protected_vals(self.env, [vals], RELEASE_FIELDS, self._collections_release_forbidden())
        return super().write(vals)

    def action_collections_release_credit(self):
        """Open the release wizard (Collections Managers only)."""
        self.ensure_one()
        self._collections_check_release_rights()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Release Credit Hold"),
            "res_model": "collections.credit.release",
            "view_mode": "form",
            "target": "new",
            "context": {"default_res_model": self._name, "default_res_id": self.id},
        }

    # --- to implement by the document model ------------------------------------

    def _collections_credit_candidates(self, soft=False):
        """The records of ``self`` the credit check applies to now."""
        return self.browse()

    def _collections_credit_amount(self):
        """The document's amount in the company currency (counted on top of the exposure)."""
        raise NotImplementedError()

    @api.model
    def _collections_credit_exclusions(self, documents):
        """kwargs for res.partner._collections_credit_data leaving ``documents`` out."""
        return {}

    # --- business methods --------------------------------------------------------

    def _collections_released(self):
        """The documents of ``self`` a manager's release still covers: same
        customer, same company and an amount not above the released one."""
        return self.filtered(
            lambda document: (
                document.collections_credit_released_by_id
                and document.collections_credit_release_partner_id
                == document.partner_id.commercial_partner_id
                and document.collections_credit_release_company_id == document.company_id
                and credit.release_covers(
                    document.collections_credit_release_amount, document._collections_credit_amount()
                )
            )
        )

    def _collections_release_forbidden(self):
        return self.env._(
            "Credit releases are recorded only by the Release Credit Hold wizard (Collections Managers)."
        )

    def _collections_judgeable(self, log=True):
        """The documents of ``self`` the credit check can judge; the others
        (no customer, no company) pass and are logged, so that no caller (the
        auto-post cron included) gets anything but the check's UserError."""
        judgeable = self.filtered(lambda document: document.partner_id and document.company_id)
        if log and judgeable != self:
            _logger.info(
                "Credit check skipped for %s %s: no customer or company to judge.",
                self._name,
                (self - judgeable)._origin.ids,
            )
        return judgeable

    def _collections_credit_reasons(self):
        """{document: (PartnerCreditState, [HoldReason])} for the documents of ``self``.

        Documents of one customer in one company are judged together: their
        amounts add up as the document amount, each is left out of the
        exposure (counted once), a released document stays in the exposure
        of the others. One set-based credit query per company.
        """
        as_of = fields.Date.context_today(self)
        result = {}
        for company, documents in self.grouped("company_id").items():
            released = documents._collections_released()
            checked = documents - released
            partners = documents.partner_id.commercial_partner_id
            data = partners._collections_credit_data(
                company, as_of, **self._collections_credit_exclusions(checked)
            )
            amounts = defaultdict(Decimal)
            for document in checked:
                amounts[document.partner_id.commercial_partner_id.id] += money.to_decimal(
                    document._collections_credit_amount()
                )
            for document in documents:
                commercial_id = document.partner_id.commercial_partner_id.id
                state, hold_settings = data[commercial_id]
                if document in released:
                    result[document] = (state, [])
                    continue
                amount = amounts[commercial_id]
                result[document] = (
                    state,
                    credit.hold_reasons(
                        state,
                        hold_settings,
                        as_of,
                        document_amount=amount,
                        document_lowers_exposure=document._collections_credit_amount() < 0,
                    ),
                )
        return result

    def _collections_blocked_documents(self, soft=False):
        """{document: [HoldReason]} of the documents of ``self`` a credit hold
        blocks now (empty when none)."""
        candidates = self._collections_credit_candidates(soft=soft)._collections_judgeable()
        # a document of 0.00 or less adds no credit: never blocked (limit or hold)
        candidates = candidates.filtered(lambda document: document._collections_credit_amount() > 0)
        if not candidates:
            return {}
        return {
            document: reasons
            for document, (_state, reasons) in candidates._collections_credit_reasons().items()
            if reasons
        }

    def _collections_check_credit(self, soft=False):
        """Refuse, with every reason of every customer, when a candidate is on hold."""
        if not self.env.registry.ready:
            # Modules are being installed or updated: data and demo files post
            # their documents as written (no user acts; not reachable by RPC).
            return
        blocked = {}
        for document, reasons in self._collections_blocked_documents(soft=soft).items():
            blocked.setdefault(document.partner_id.commercial_partner_id, (document, reasons))
        if not blocked:
            return
        paragraphs = []
        for partner, (document, reasons) in blocked.items():
            lines = partner._collections_format_reasons(reasons, document.company_id)
            paragraphs.append(
                self.env._(
                    "%(partner)s is on credit hold in %(company)s:",
                    partner=partner.display_name,
                    company=document.company_id.name,
                )
                + "\n"
                + "\n".join("- %s" % line for line in lines)
            )
        paragraphs.append(self.env._("A Collections Manager can release the document with a reason."))
        raise UserError("\n\n".join(paragraphs))

    def _collections_check_release_rights(self):
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only a Collections Manager can release a credit hold."))

    def _collections_release_credit(self, reason):
        """Release the documents of ``self`` from credit holds, with ``reason``.

        Stored on the document and logged on it and on the customer's chatter
        with who, when, the reason, the exposure and the limit at that time.
        """
        self._collections_check_release_rights()
        if not reason or not reason.strip():
            raise UserError(self.env._("Give the reason for releasing the credit hold."))
        now = fields.Datetime.now()
        reasons_by_document = self._collections_credit_reasons()
        for document in self:
            company = document.company_id
            currency = company.currency_id
            state, _reasons = reasons_by_document[document]
            amount = document._collections_credit_amount()
            # sudo: the only writer of the release fields (refused to users in
            # write()); the right was checked above.
            document.sudo().write(
                {
                    "collections_credit_released_by_id": self.env.user.id,
                    "collections_credit_release_date": now,
                    "collections_credit_release_reason": reason.strip(),
                    "collections_credit_release_amount": amount,
                    "collections_credit_release_partner_id": document.partner_id.commercial_partner_id.id,
                    "collections_credit_release_company_id": company.id,
                }
            )

            def money_text(value, currency=currency):
                return formatLang(self.env, float(value), currency_obj=currency)

            values = {
                "document": document.display_name,
                "user": self.env.user.name,
                "date": format_datetime(self.env, now),
                "reason": reason.strip(),
                "amount": money_text(amount),
                "exposure": money_text(state.exposure.total),
                "limit": money_text(state.limit) if state.limit is not None else self.env._("none"),
            }
            body = self.env._(
                "Credit hold released for %(document)s (%(amount)s) by %(user)s on %(date)s. "
                "Reason: %(reason)s. Exposure at that time: %(exposure)s; credit limit: %(limit)s.",
                **values,
            )
            # sudo: the manager may lack rights on the document's app; the body is
            # a plain string, escaped by message_post.
            document.sudo().message_post(body=body)
            document.partner_id.commercial_partner_id.sudo().message_post(body=body)
        return True
