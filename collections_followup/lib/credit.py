"""Credit holds: may this customer invoice be posted, this sale order confirmed?

A commercial partner's exposure in a company is its open receivables (posted,
residual) plus draft customer invoices plus confirmed sales not yet invoiced,
minus unreconciled customer credits. Available credit = limit - exposure.

A document is blocked, for every reason that applies, in this order:

1. ``credit_limit``: a limit is set and exposure + document amount > limit
   (exactly at the limit passes; a limit of 0 allows no credit at all);
2. ``overdue``: the oldest overdue instalment's effective due date is more
   than ``overdue_days`` days before ``as_of`` (exactly N days passes);
3. ``manual``, 4. ``dunning``, 5. ``suspended``: the hold is set on the partner.

Each reason is checked only when its switch in ``HoldSettings`` is on. Never
blocked: a document that lowers exposure (credit note, refund), or a partner
released by a manager until a date on or after ``as_of``.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .money import ZERO, round_money, to_decimal

CREDIT_RATINGS = ((800, "A"), (600, "B"), (400, "C"), (200, "D"))
LOWEST_RATING = "E"


def _(source):
    """Mark an English source string for Odoo's .pot extraction (it scans every
    .py of the addon for ``_(...)``); the caller's ``translate`` translates it."""
    return source


# Plain Python, no Odoo environment here: the marker above is the right call.
# pylint: disable=prefer-env-translation
REASON_TEMPLATES = {
    "credit_limit": _(
        "Credit limit exceeded: exposure %(exposure)s plus this document %(document)s"
        " is above the limit %(limit)s by %(excess)s."
    ),
    "overdue": _(
        "Overdue invoices: %(amount)s overdue, the oldest due on %(due_date)s is"
        " %(days)s days late (more than the %(max_days)s days allowed)."
    ),
    "manual": _("Credit on manual hold: %(reason)s"),
    "dunning": _("Credit held by the dunning level %(level)s."),
    "suspended": _("Customer suspended since %(date)s: %(reason)s"),
}
# The same sentences when the user left the reason empty.
TEMPLATES_WITHOUT_REASON = {
    "manual": _("Credit on manual hold."),
    "suspended": _("Customer suspended since %(date)s."),
}


def _is_set(value):
    # Odoo hands out False for an empty field; None is this module's "not set".
    return value is not None and value is not False


@dataclass(frozen=True)
class Exposure:
    """What the partner owes or has committed to, in company currency."""

    open_receivables: Decimal = ZERO
    draft_invoices: Decimal = ZERO
    to_invoice: Decimal = ZERO
    unreconciled_credits: Decimal = ZERO

    def __post_init__(self):
        for name in ("open_receivables", "draft_invoices", "to_invoice", "unreconciled_credits"):
            object.__setattr__(self, name, to_decimal(getattr(self, name)))

    @property
    def total(self):
        """Open + draft + to invoice - credits; negative when credits exceed the rest."""
        owed = self.open_receivables + self.draft_invoices + self.to_invoice
        return owed - self.unreconciled_credits


@dataclass(frozen=True)
class HoldSettings:
    """The company's hold switches, with the partner's overrides already applied."""

    check_limit: bool = True
    check_overdue: bool = True
    overdue_days: int = 15
    check_manual: bool = True
    check_dunning: bool = True
    check_suspension: bool = True


@dataclass(frozen=True)
class PartnerCreditState:
    """Everything about the partner the hold rules look at, as of one day."""

    limit: Decimal | None  # None when the partner has no limit (or does not use it)
    exposure: Exposure = field(default_factory=Exposure)
    oldest_overdue_due_date: date | None = None  # effective (working-day) due date
    overdue_amount: Decimal = ZERO
    manual_hold_reason: str | None = None
    dunning_hold_level: str | None = None
    suspended_since: date | None = None
    suspension_reason: str | None = None
    release_until: date | None = None  # manager's release, inclusive

    def __post_init__(self):
        if _is_set(self.limit):
            object.__setattr__(self, "limit", to_decimal(self.limit))
        else:
            object.__setattr__(self, "limit", None)
        object.__setattr__(self, "overdue_amount", to_decimal(self.overdue_amount))


@dataclass(frozen=True)
class HoldReason:
    """Why a document is blocked: a code and the figures behind it."""

    code: str
    values: dict


def available_credit(limit, exposure):
    """Limit minus exposure (negative when over the limit), None without a limit."""
    if not _is_set(limit):
        return None
    return to_decimal(limit) - exposure.total


def exposure_from_rows(rows, rounding="0.01"):
    """Sum ``(kind, amount)`` rows into an Exposure.

    Kinds are 'open', 'draft', 'to_invoice' and 'credit'; credits come as
    positive amounts. Each sum is rounded to the currency's ``rounding`` once,
    which removes the noise of float amounts summed by the caller.
    """
    kind_to_field = {
        "open": "open_receivables",
        "draft": "draft_invoices",
        "to_invoice": "to_invoice",
        "credit": "unreconciled_credits",
    }
    sums = dict.fromkeys(kind_to_field.values(), ZERO)
    for kind, amount in rows:
        if kind not in kind_to_field:
            raise ValueError("unknown exposure kind %r" % (kind,))
        sums[kind_to_field[kind]] += to_decimal(amount)
    return Exposure(**{name: round_money(total, rounding) for name, total in sums.items()})


def hold_reasons(state, settings, as_of, document_amount=ZERO, document_lowers_exposure=False):
    """Return the reasons, in rule order, that block a document for this partner.

    ``document_amount`` is the document's amount, counted on top of the
    exposure (the caller leaves it out of the exposure figures). An empty list
    means the document may go through.
    """
    if document_lowers_exposure:
        return []
    if state.release_until is not None and state.release_until >= as_of:
        return []
    reasons = []
    document_amount = to_decimal(document_amount)
    if settings.check_limit and state.limit is not None:
        exposure = state.exposure.total
        if exposure + document_amount > state.limit:
            reasons.append(
                HoldReason(
                    "credit_limit",
                    {
                        "limit": state.limit,
                        "exposure": exposure,
                        "document_amount": document_amount,
                        "excess": exposure + document_amount - state.limit,
                    },
                )
            )
    if settings.check_overdue and state.oldest_overdue_due_date is not None:
        days = (as_of - state.oldest_overdue_due_date).days
        if days > settings.overdue_days:
            reasons.append(
                HoldReason(
                    "overdue",
                    {
                        "days": days,
                        "max_days": settings.overdue_days,
                        "due_date": state.oldest_overdue_due_date,
                        "amount": state.overdue_amount,
                    },
                )
            )
    if settings.check_manual and _is_set(state.manual_hold_reason):
        reasons.append(HoldReason("manual", {"reason": state.manual_hold_reason}))
    if settings.check_dunning and _is_set(state.dunning_hold_level):
        reasons.append(HoldReason("dunning", {"level": state.dunning_hold_level}))
    if settings.check_suspension and state.suspended_since is not None:
        reasons.append(
            HoldReason(
                "suspended",
                {
                    "date": state.suspended_since,
                    "reason": state.suspension_reason if _is_set(state.suspension_reason) else None,
                },
            )
        )
    return reasons


def format_reason(reason, translate=lambda source: source, format_amount=str, format_date=date.isoformat):
    """One sentence explaining ``reason`` to the user.

    The English source is passed through ``translate`` (e.g. ``env._``) before
    the named placeholders are filled, amounts with ``format_amount`` and dates
    with ``format_date``.
    """
    if reason.code not in REASON_TEMPLATES:
        raise ValueError("unknown hold reason %r" % (reason.code,))
    placeholders = {}
    for name, value in reason.values.items():
        if isinstance(value, Decimal):
            value = format_amount(value)
        elif isinstance(value, date):
            value = format_date(value)
        placeholders[name] = value
    if "document_amount" in placeholders:
        placeholders["document"] = placeholders["document_amount"]
    template = REASON_TEMPLATES[reason.code]
    if reason.code in TEMPLATES_WITHOUT_REASON and not reason.values.get("reason"):
        template = TEMPLATES_WITHOUT_REASON[reason.code]
    return translate(template) % placeholders


# Per-partner override of a company switch (company-dependent selection on
# res.partner): empty follows the company, "always"/"never" force it.
SWITCH_ALWAYS = "always"
SWITCH_NEVER = "never"


def resolve_switch(company_on, partner_mode=None):
    """A hold switch with the partner's override applied.

    ``partner_mode`` is "always" (check even when the company does not),
    "never" (never check this partner) or empty (None/False/""): the
    company's switch ``company_on`` decides.
    """
    if partner_mode == SWITCH_ALWAYS:
        return True
    if partner_mode == SWITCH_NEVER:
        return False
    if partner_mode not in (None, False, ""):
        raise ValueError("unknown switch override %r" % (partner_mode,))
    return bool(company_on)


def hold_settings(company_switches, partner_modes=None, overdue_days=15):
    """Build HoldSettings from the company's switches and the partner's overrides.

    Both arguments map the switch names of HoldSettings (``check_limit``,
    ``check_overdue``, ``check_manual``, ``check_dunning``,
    ``check_suspension``) to a bool (company) or an override mode (partner);
    a missing company switch is on, a missing override follows the company.
    """
    if overdue_days is None or overdue_days is False or int(overdue_days) < 0:
        raise ValueError("overdue days must be zero or more")
    partner_modes = partner_modes or {}
    switches = {
        name: resolve_switch(company_switches.get(name, True), partner_modes.get(name))
        for name in SWITCH_NAMES
    }
    return HoldSettings(overdue_days=int(overdue_days), **switches)


SWITCH_NAMES = ("check_limit", "check_overdue", "check_manual", "check_dunning", "check_suspension")


def effective_limit(uses_partner_limit, partner_limit, company_default_limit=None):
    """The credit limit that applies to a partner, None when there is none.

    A partner with its own limit gets it, even 0 (no credit at all). Without
    one, the company's default limit applies when it is above 0; a default
    of 0 (Odoo's "no default limit") means no limit.
    """
    if uses_partner_limit and _is_set(partner_limit):
        return to_decimal(partner_limit)
    if _is_set(company_default_limit) and to_decimal(company_default_limit) > ZERO:
        return to_decimal(company_default_limit)
    return None


def order_line_to_invoice(qty_to_invoice, price_total, ordered_qty):
    """Amount (taxes included) still to invoice on a confirmed sale order line.

    ``qty_to_invoice`` is what is left after every invoice line linked to
    it, draft ones included, so a draft invoice is never counted both as a
    draft invoice and as an order to invoice. A line without ordered
    quantity (section, note, down payment) or with nothing left counts 0.
    """
    ordered_qty = to_decimal(ordered_qty)
    qty_to_invoice = to_decimal(qty_to_invoice)
    if ordered_qty <= ZERO or qty_to_invoice <= ZERO:
        return ZERO
    return to_decimal(price_total) * qty_to_invoice / ordered_qty


def release_covers(released_amount, document_amount):
    """True when a manager's release of a document still covers it.

    The release is given for the document's amount at that moment; a
    document edited afterwards to a higher amount needs a new release.
    """
    if not _is_set(released_amount):
        return False
    return to_decimal(document_amount) <= to_decimal(released_amount)


def review_due(next_review_date, as_of):
    """A credit review is due on its date and every day after it."""
    return _is_set(next_review_date) and next_review_date <= as_of


def credit_rating(score, thresholds=CREDIT_RATINGS):
    """Map a bureau score (0-1000, higher is safer) to a rating A-E.

    ``thresholds`` are ``(minimum score, rating)`` pairs from the best rating
    down; a score at a minimum gets that rating (800 is 'A', 799 is 'B'), a
    score below the last minimum gets 'E'. None (no score) gives None.
    """
    if score is None:
        return None
    for minimum_score, rating in thresholds:
        if score >= minimum_score:
            return rating
    return LOWEST_RATING


__all__ = [
    "Exposure",
    "HoldSettings",
    "PartnerCreditState",
    "HoldReason",
    "available_credit",
    "exposure_from_rows",
    "hold_reasons",
    "format_reason",
    "credit_rating",
    "SWITCH_ALWAYS",
    "SWITCH_NEVER",
    "SWITCH_NAMES",
    "resolve_switch",
    "hold_settings",
    "effective_limit",
    "order_line_to_invoice",
    "release_covers",
    "review_due",
]
