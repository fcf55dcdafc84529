"""The nightly dunning run ("régua de cobrança"): who is contacted, at which level.

The unit chased is the receivable instalment (one journal item with a due
date and a residual). A policy has levels with distinct ``days`` relative to
the instalment's effective due date (negative = a reminder before the due date).

Rules of one run, for the day ``as_of``:

1. Days late count from the effective due date: a due date on a weekend or
   holiday moves to the next working day first (``lib.workdays``). Pre-due
   levels (negative days) count from the printed due date
   (``reached_position``).
2. An instalment is chased when its residual is above the policy tolerance,
   neither it (dispute, promise to pay, payment plan) nor its partner is
   excluded, and it has reached at least one level.
3. Its level is the highest level it has reached. Each (instalment, level)
   pair is executed at most once, ever. An instalment that jumped several
   levels between runs gets its highest level only: the skipped levels are
   never executed later. A policy that sends its levels in sequence
   (``Policy.in_sequence``) never skips one: the instalment gets the level
   after the highest one executed for it (``sequence_level``), one per run.
4. A partner gets at most one contact per run, when at least one of its
   chased instalments has a new pair; the contact's level is the highest
   level among the new pairs, and the communication covers every chased
   instalment of the partner. A partner contacted less than
   ``min_days_between_contacts`` days ago is postponed until
   ``last contact + min_days``; its pairs stay unexecuted so a later run picks
   them up at the then-highest level.
5. Amounts are claimed per currency: the residuals of the covered instalments
   minus the partner's unreconciled credit in that currency, never below 0.
   A partner with nothing left to claim in any currency is neither contacted
   nor postponed.
6. Output is in partner id order (insertion order when ids do not sort).

Also here: the contact window (``next_contact_time``), promises to pay
(``promise_status``); the aging buckets are in ``lib.reports``.
"""

import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from .money import ZERO, to_decimal
from .workdays import WEEKEND, days_late

MIN_DAYS = "min_days"
PROMISE_OPEN = "open"
PROMISE_KEPT = "kept"
PROMISE_BROKEN = "broken"


@dataclass(frozen=True)
class Level:
    """One step of a policy, ``days`` after (or, if negative, before) the due date."""

    id: object
    days: int
    sequence: int = 0


@dataclass(frozen=True)
class Instalment:
    """One receivable journal item still (partly) open."""

    id: object
    partner_id: object
    currency_id: object
    due_date: object
    residual: Decimal


@dataclass(frozen=True)
class Policy:
    """The levels of a régua and how it paces contacts."""

    levels: tuple
    min_days_between_contacts: int = 5
    tolerance: Decimal = Decimal(0)
    in_sequence: bool = False  # send the levels in sequence, never skip one (``sequence_level``)

    def __post_init__(self):
        # Frozen: normalise through object.__setattr__ so a list of levels or a
        # float tolerance from the ORM still gives a hashable, exact policy.
        object.__setattr__(self, "levels", tuple(self.levels))
        object.__setattr__(self, "tolerance", to_decimal(self.tolerance))


@dataclass(frozen=True)
class PartnerContact:
    """The single communication sent to a partner in this run."""

    partner_id: object
    level: Level
    instalment_ids: tuple
    new_pairs: tuple
    totals: tuple


@dataclass(frozen=True)
class Postponed:
    """A contact that is due but may not be sent before ``next_date``."""

    partner_id: object
    level: Level
    next_date: object
    reason: str


def _level_order(level):
    # Levels order by days; sequence only breaks ties in an invalid policy.
    return (level.days, level.sequence)


def _in_order(items, key=None):
    """``items`` sorted by ``key`` when the keys compare, else as given."""
    items = list(items)
    try:
        return sorted(items, key=key)
    except TypeError:
        return items


def reached_level(days_late, levels):
    """The highest level whose ``days`` is at most ``days_late``, or None."""
    reached = [level for level in levels if level.days <= days_late]
    return max(reached, key=_level_order, default=None)


def reached_position(level_days, due_date, as_of, holidays=frozenset(), weekend=WEEKEND):
    """How many of the levels (``level_days``, ascending) an instalment due
    on ``due_date`` has reached on ``as_of``. Pre-due levels (negative days)
    count from the printed due date: a reminder 3 days before is sent 3 days
    before the date printed on the invoice. Levels from the due date on (0 or
    more days) count from the effective due date (next working day), so an
    instalment is never chased as late before it is overdue."""
    before_due = (as_of - due_date).days
    after_effective = days_late(due_date, as_of, holidays, weekend)
    return max(bisect_right(level_days, min(before_due, -1)), bisect_right(level_days, after_effective))


def resume_due_date(level_days, position, as_of, holidays=frozenset(), weekend=WEEKEND):
    """A due date from which the instalment has reached exactly ``position``
    levels (``level_days`` ascending) on ``as_of``: chasing resumes at level
    ``position`` (1-based) that day and goes on from there, e.g. after a
    payment plan breaks. The latest such date, searched back from the
    level's day (weekends and holidays move an effective due date); None
    when no date within 40 days gives that position."""
    if not 1 <= position <= len(level_days):
        raise ValueError("position %r outside the levels" % (position,))
    day = as_of - timedelta(days=level_days[position - 1])
    for _attempt in range(40):
        if reached_position(level_days, day, as_of, holidays, weekend) == position:
            return day
        day -= timedelta(days=1)
    return None


def sequence_level(levels, position, instalment_id, executed_pairs):
    """The level of an instalment when the policy sends its levels in
    sequence: the level right after the highest level executed for it, if
    reached (``position`` levels of the sorted ``levels`` are); with none
    executed, its first level, the first one from the due date on when it
    has reached one (a reminder before the due date is not sent after it).
    When the next level in sequence is not reached yet: the highest level
    executed, a pair already executed (nothing new to send)."""
    done = [index for index, level in enumerate(levels) if (instalment_id, level.id) in executed_pairs]
    if done:
        following = max(done) + 1
    elif levels[position - 1].days >= 0:
        following = next(index for index, level in enumerate(levels) if level.days >= 0)
    else:
        following = 0
    if following >= position:
        return levels[max(done)]
    return levels[following]


def validate_levels(levels):
    """Configuration errors of a policy's levels, as English messages.

    An empty list means the levels are usable.
    """
    levels = list(levels)
    errors = []
    for level in levels:
        if isinstance(level.days, bool) or not isinstance(level.days, int):
            errors.append("Level %r: days must be a whole number, got %r." % (level.id, level.days))
    seen_ids = set()
    for level in levels:
        if level.id in seen_ids:
            errors.append("Duplicate level %r: it appears more than once." % (level.id,))
        seen_ids.add(level.id)
    ids_by_days = {}
    for level in levels:
        ids_by_days.setdefault(level.days, []).append(level.id)
    for days, ids in ids_by_days.items():
        if len(ids) > 1:
            errors.append(
                "Duplicate days %s in levels %s: each level needs distinct days."
                % (days, ", ".join(repr(level_id) for level_id in ids))
            )
    return errors


def plan_run(
    instalments,
    policy,
    as_of,
    executed_pairs=frozenset(),
    last_contact=None,
    credits=None,
    holidays=frozenset(),
    weekend=WEEKEND,
    excluded_instalment_ids=frozenset(),
    excluded_partner_ids=frozenset(),
):
    """Decide the contacts of the dunning run of ``as_of`` (rules in the module docstring).

    ``executed_pairs``: (instalment_id, level_id) pairs executed in earlier runs;
    ``last_contact``: {partner_id: date of the last contact};
    ``credits``: {(partner_id, currency_id): unreconciled credit, a positive Decimal}.
    Returns ``(contacts, postponed)``; the caller records the ``new_pairs`` of
    each contact it sends as executed.
    """
    last_contact = last_contact or {}
    credits = credits or {}
    levels = sorted(policy.levels, key=_level_order)
    level_days = [level.days for level in levels]
    tolerance = policy.tolerance
    days_late_by_due_date = {}  # many instalments share a due date

    chased_by_partner = {}  # partner_id -> [(instalment, residual, level)]
    for instalment in instalments:
        if instalment.id in excluded_instalment_ids:
            continue
        if instalment.partner_id in excluded_partner_ids:
            continue
        residual = to_decimal(instalment.residual)
        if residual <= tolerance:
            continue
        position = days_late_by_due_date.get(instalment.due_date)
        if position is None:
            position = days_late_by_due_date[instalment.due_date] = reached_position(
                level_days, instalment.due_date, as_of, holidays, weekend
            )
        if position == 0:
            continue
        level = levels[position - 1]
        if policy.in_sequence:
            level = sequence_level(levels, position, instalment.id, executed_pairs)
        chased_by_partner.setdefault(instalment.partner_id, []).append((instalment, residual, level))

    contacts, postponed = [], []
    min_days = policy.min_days_between_contacts
    for partner_id in _in_order(chased_by_partner):
        chased = _in_order(chased_by_partner[partner_id], key=lambda item: item[0].id)
        new_levels = [
            (instalment.id, level)
            for instalment, _residual, level in chased
            if (instalment.id, level.id) not in executed_pairs
        ]
        if not new_levels:
            continue
        contact_level = max((level for _id, level in new_levels), key=_level_order)
        new_pairs = tuple((instalment_id, level.id) for instalment_id, level in new_levels)
        totals = _claimed_totals(partner_id, chased, credits)
        if not any(total > 0 for _currency, total in totals):
            continue
        last = last_contact.get(partner_id)
        if last is not None and (as_of - last).days < min_days:
            postponed.append(Postponed(partner_id, contact_level, last + timedelta(days=min_days), MIN_DAYS))
            continue
        contacts.append(
            PartnerContact(
                partner_id=partner_id,
                level=contact_level,
                instalment_ids=tuple(instalment.id for instalment, _residual, _level in chased),
                new_pairs=new_pairs,
                totals=totals,
            )
        )
    return contacts, postponed


def _claimed_totals(partner_id, chased, credits):
    """((currency_id, residuals minus the partner's credit, at least 0), ...) by currency."""
    residual_by_currency = {}
    for instalment, residual, _level in chased:
        currency_id = instalment.currency_id
        residual_by_currency[currency_id] = residual_by_currency.get(currency_id, ZERO) + residual
    totals = []
    for currency_id in _in_order(residual_by_currency):
        credit = to_decimal(credits.get((partner_id, currency_id), ZERO))
        if credit < 0:
            raise ValueError(
                "credit of partner %r in currency %r must be a positive amount, got %s"
                % (partner_id, currency_id, credit)
            )
        totals.append((currency_id, max(residual_by_currency[currency_id] - credit, ZERO)))
    return tuple(totals)


def _hour_offset(hour):
    # Whole seconds: 8.5 is 08:30, and 1/3 of an hour must not carry float noise.
    return timedelta(seconds=round(hour * 3600))


def next_contact_time(moment, opening_hours, holidays=frozenset()):
    """``moment`` when it falls in an opening interval, else the start of the next one.

    ``opening_hours``: {weekday (0 = Monday): [(hour_from, hour_to), ...]} in
    local time, hours as floats (8.5 = 08:30), each interval [from, to).
    Holidays (dates) are closed all day. Naive datetimes in and out: the
    caller converts time zones. Raises ValueError when the calendar has no
    opening hours or no opening within 366 days.
    """
    intervals_by_weekday = {}
    for weekday, intervals in opening_hours.items():
        intervals = list(intervals)
        for hour_from, hour_to in intervals:
            if not 0 <= hour_from < hour_to <= 24:
                raise ValueError(
                    "opening interval (%s, %s) on weekday %s is not within a day"
                    % (hour_from, hour_to, weekday)
                )
        intervals_by_weekday[weekday] = sorted(
            (_hour_offset(hour_from), _hour_offset(hour_to)) for hour_from, hour_to in intervals
        )
    if not any(intervals_by_weekday.values()):
        raise ValueError("the contact calendar has no opening hours")

    midnight = datetime.combine(moment.date(), time.min, tzinfo=moment.tzinfo)
    for day_offset in range(367):
        day_start = midnight + timedelta(days=day_offset)
        if day_start.date() in holidays:
            continue
        for start, end in intervals_by_weekday.get(day_start.weekday(), ()):
            if day_start + start <= moment < day_start + end:
                return moment
            if day_start + start > moment:
                return day_start + start
    raise ValueError("no opening hours within 366 days after %s" % moment.isoformat())


def promise_status(promise_date, tolerance_days, as_of, promised_amount, paid_since_promise, settled=False):
    """'kept' once the instalments are ``settled`` (paid in full, see
    ``instalments_settled``) or the payments reach the promised amount (both
    in the promise's currency), else 'open' until ``promise_date +
    tolerance_days`` (inclusive), then 'broken'."""
    if settled or to_decimal(paid_since_promise) >= to_decimal(promised_amount):
        return PROMISE_KEPT
    if as_of <= promise_date + timedelta(days=tolerance_days):
        return PROMISE_OPEN
    return PROMISE_BROKEN


def promise_pauses(status):
    """True when a promise in ``status`` pauses the dunning of its instalments."""
    return status == PROMISE_OPEN


AMOUNT_KEYS = ("residual", "charges", "updated_total")


def group_claim_lines(lines, credits=None):
    """The instalments of one communication grouped per currency.

    ``lines``: dicts with at least 'currency_id', 'residual', 'charges' and
    'updated_total' (the letter and e-mail lines); ``credits``: {currency_id:
    unreconciled credit of the customer, positive}. Returns a list, in the
    order currencies first appear, of dicts {'currency_id', 'lines' (in the
    given order), 'residual', 'charges', 'updated_total' (exact Decimal sums),
    'credit', 'claimed' (updated total minus credit, never below 0)}. Amounts
    are not rounded: the caller rounds once with the currency's rounding.
    """
    credits = credits or {}
    groups = {}
    for line in lines:
        group = groups.get(line["currency_id"])
        if group is None:
            group = groups[line["currency_id"]] = {
                "currency_id": line["currency_id"],
                "lines": [],
                **{key: ZERO for key in AMOUNT_KEYS},
            }
        group["lines"].append(line)
        for key in AMOUNT_KEYS:
            group[key] += to_decimal(line[key])
    for currency_id, group in groups.items():
        credit = to_decimal(credits.get(currency_id, ZERO))
        if credit < 0:
            raise ValueError(
                "credit in currency %r must be a positive amount, got %s" % (currency_id, credit)
            )
        group["credit"] = credit
        group["claimed"] = max(group["updated_total"] - credit, ZERO)
    return list(groups.values())


__all__ = [
    "Level",
    "Instalment",
    "Policy",
    "PartnerContact",
    "Postponed",
    "reached_level",
    "reached_position",
    "validate_levels",
    "sequence_level",
    "plan_run",
    "next_contact_time",
    "promise_status",
    "promise_pauses",
    "group_claim_lines",
]


# --- safe escalation ------------------------------------------------------------

NOTICE_WAIT = "notice_wait"
NO_NOTICE = "no_notice"


def secure_contact(
    contact,
    levels,
    harsh_level_ids,
    written_level_ids,
    notices,
    as_of,
    notice_days,
    executed_pairs=frozenset(),
):
    """Make a planned contact safe: a level whose effects reach beyond a
    message (credit hold, suspension, agency, protest, credit bureau: in
    ``harsh_level_ids``) applies only after the customer received a written
    notice (e-mail or letter) of a lower level at least ``notice_days`` before.

    ``levels``: the policy's levels; ``written_level_ids``: levels that send an
    e-mail or a letter; ``notices``: [(level days, date)] of the written
    notices the customer received (successfully sent).

    Returns ``(contact, None)`` to send (the given one, or the same customer
    at the highest written, non-harsh level below, on go-live or after a
    jump) or ``(None, Postponed)`` when a notice was sent too recently (until
    its date + ``notice_days``) or no notice level is left to send.
    """
    if contact.level.id not in harsh_level_ids:
        return contact, None
    lower_notices = [day for level_days, day in notices if level_days < contact.level.days]
    if lower_notices:
        latest = max(lower_notices)
        if (as_of - latest).days >= notice_days:
            return contact, None
        return None, Postponed(
            contact.partner_id, contact.level, latest + timedelta(days=notice_days), NOTICE_WAIT
        )
    candidates = [
        level
        for level in levels
        if level.days < contact.level.days
        and level.id in written_level_ids
        and level.id not in harsh_level_ids
    ]
    if not candidates:
        # no gentler written level in the policy: the level's own message must come first
        return None, Postponed(contact.partner_id, contact.level, as_of + timedelta(days=1), NO_NOTICE)
    notice_level = max(candidates, key=_level_order)
    instalment_ids = {instalment_id for instalment_id, _level_id in contact.new_pairs}
    new_pairs = tuple(
        (instalment_id, notice_level.id)
        for instalment_id in sorted(instalment_ids, key=repr)
        if (instalment_id, notice_level.id) not in executed_pairs
    )
    if not new_pairs:
        return None, Postponed(contact.partner_id, contact.level, as_of + timedelta(days=1), NO_NOTICE)
    return PartnerContact(
        partner_id=contact.partner_id,
        level=notice_level,
        instalment_ids=contact.instalment_ids,
        new_pairs=new_pairs,
        totals=contact.totals,
    ), None


# --- promises to pay: per currency -----------------------------------------


def instalments_settled(residuals_company, tolerance=ZERO):
    """True when every covered instalment is paid in full: its residual,
    converted to the company currency by the caller, is at most the policy's
    ``tolerance`` (an amount in the company currency). No instalment: False."""
    residuals = [to_decimal(residual) for residual in residuals_company]
    tolerance = to_decimal(tolerance)
    return bool(residuals) and all(residual <= tolerance for residual in residuals)


def promise_paid_by_currency(lines):
    """{currency_id: amount paid since the promise} from ``lines``:
    (currency_id, residual when promised, residual now) per covered
    instalment, both in the instalment's currency. A residual that grew
    (a payment undone) counts as nothing paid on that instalment, never as
    a negative payment on the others."""
    paid = {}
    for currency_id, residual_then, residual_now in lines:
        amount = max(to_decimal(residual_then) - to_decimal(residual_now), ZERO)
        paid[currency_id] = paid.get(currency_id, ZERO) + amount
    return paid


def promise_amount_problem(promised_amount, owed_amount):
    """Why ``promised_amount`` cannot be promised against ``owed_amount``
    (what the covered instalments owe with their late charges, in the
    promise's currency), or None when it can: 'not_positive' or 'above_owed'."""
    promised = to_decimal(promised_amount)
    if not promised.is_finite() or promised <= 0:
        return "not_positive"
    if promised > to_decimal(owed_amount):
        return "above_owed"
    return None


__all__ += ["instalments_settled", "promise_amount_problem", "promise_paid_by_currency"]


# --- arguments as they come over XML-RPC ------------------------------------

PROMISE_MAX_DAYS = 366
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MAX_AMOUNT = Decimal("1e12")  # far above any real debt, far below a numeric column's limit


def parse_amount(value):
    """``value`` (int, float, Decimal or a numeric string such as "1500.50")
    as a finite Decimal of at most ``MAX_AMOUNT``; ValueError for booleans,
    NaN, infinities, huge numbers (1e308) and anything else."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
        raise ValueError("not a number: %r" % (value,))
    try:
        amount = to_decimal(value.strip() if isinstance(value, str) else value)
    except ArithmeticError:  # decimal.InvalidOperation
        raise ValueError("not a number: %r" % (value,)) from None
    if not amount.is_finite() or abs(amount) > MAX_AMOUNT:
        raise ValueError("not a usable amount: %r" % (value,))
    return amount


def parse_date(value):
    """``value`` (a date or an ISO "YYYY-MM-DD" string) as a date; ValueError
    for anything else (datetimes, numbers, booleans, "2026-02-30")."""
    if isinstance(value, datetime):
        raise ValueError("a date without a time is expected: %r" % (value,))
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        return date.fromisoformat(value.strip())
    raise ValueError("not a date: %r" % (value,))


__all__ += ["PROMISE_MAX_DAYS", "parse_amount", "parse_date"]
__all__ += ["resume_due_date"]
