"""Late charges on one overdue receivable instalment (Brazilian rules).

Three charges, each computed exactly with Decimal (a local context of 120
digits, see ``_EXACT``) and rounded once, half-up, to the currency's rounding unit
(``lib.money.round_money``). Rates are percentages (``Decimal(2)`` is 2%).

Lateness
    ``payment_deadline`` is the last day a payment is on time:
    ``max(due_date + grace_days, next_working_day(due_date))``. The instalment
    is late when principal is still open after the deadline and ``as_of`` is
    past it. Otherwise every charge is 0. Once it is late, interest and
    correction count from the original due date: grace and weekends do not
    shorten them.

Principal
    ``balance_d`` is the principal open at the start of day ``d``: the amount
    minus the payments dated before ``d``, never below 0. A payment on day
    ``p`` still leaves day ``p`` at the old balance. Only payments dated on or
    before ``as_of`` count. A payment on or before the due date reduces every
    base. The settlement day is the day of the payment that clears the
    instalment, or ``as_of`` while it is still open.

Fine (multa)
    ``min(fine_rate, fine_cap_rate) % x (amount - payments dated <= due_date)``,
    charged once. It is 0 when ``as_of`` falls inside a dispute period. The
    consumer cap is ``LEGAL_CONSUMER_FINE_CAP`` (CDC art. 52 par. 1: 2%).

Interest (juros de mora)
    Simple, pro rata die. Each day ``d`` from ``due_date + 1`` to the
    settlement day accrues ``balance_d x F(d) x rate / 100 / 30``. ``F`` is 1
    when correction is off. Days inside a dispute period accrue nothing.

Monetary correction (correcao monetaria, only when ``correction_rates`` is set)
    The months are counted from the due date: period ``k`` runs from
    ``due + k months`` to ``due + (k + 1) months``. Both ends come from the
    original due date with the day clamped to the month end. So a due date of
    31 Jan gives the periods 31 Jan-28 Feb, 28 Feb-31 Mar and 31 Mar-30 Apr.
    Period ``k`` uses the rate of the calendar month in which it starts
    (``correction_rates[(year, month)]``; a missing month is 0%). For a day
    ``d`` in period ``k`` (``start_k < d <= end_k``)::

        F(d) = P_k x (1 + rate_k / 100 x counted_k(d) / days_in_period_k)
        P_0 = 1,  P_(k+1) = F(end_k)

    ``counted_k(d)`` is the number of days of the period, up to ``d``, that
    are not in dispute. A disputed day freezes the factor. Each piece of
    principal is corrected up to the day it was settled: a payment on day
    ``p`` applies ``piece x (F(p) - 1)``, and the residual still open applies
    ``residual x (F(as_of) - 1)``. Negative rates (deflation) are allowed.
    The sum is clamped at 0, but the interest base ``balance_d x F(d)`` keeps
    the deflated factor.

Dispute periods are ``(start, end)`` pairs, inclusive. ``end=None`` means the
dispute is still open.

The definitions above are per day; ``ChargeCalculator`` evaluates them over
the intervals between events (payments, dispute ends, index periods), so the
cost of an instalment does not grow with its days late. The values are exact
rationals rounded once, half-up: a charge that is exactly half a unit rounds
up. ``tests/late_fees_reference.py`` keeps the day-by-day loop as the oracle.
"""

from calendar import monthrange
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from decimal import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from typing import NamedTuple

from .money import ZERO, round_money, to_decimal
from .workdays import WEEKEND, next_working_day

LEGAL_CONSUMER_FINE_CAP = Decimal(2)  # CDC (Lei 8.078/1990) art. 52 par. 1
# 1% a.m. is the usual civil-law ceiling for juros de mora (CC art. 406, Selic).
# Contracts between businesses vary, so we accept up to 10% a.m. as the sane bound.
MAX_MONTHLY_INTEREST_RATE = Decimal(10)
MAX_GRACE_DAYS = 365
COMPONENTS = ("fine", "interest", "correction")
_PRECISION = 40  # of the day-by-day oracle in tests/late_fees_reference.py


@dataclass(frozen=True)
class FeeTerms:
    """The late-charge terms of a policy or contract."""

    fine_rate: Decimal = Decimal(0)
    monthly_interest_rate: Decimal = Decimal(0)
    grace_days: int = 0
    fine_cap_rate: Decimal | None = None
    correction_rates: Mapping[tuple[int, int], Decimal] | None = None


class Charges(NamedTuple):
    """Late charges of one instalment on a given day (see the module docstring).

    A named tuple rather than a dataclass: a run builds one per open
    instalment (100,000 and more), and a tuple is the cheapest immutable record.
    """

    fine: Decimal
    interest: Decimal
    correction: Decimal
    total: Decimal
    residual: Decimal
    updated_total: Decimal
    days_late: int
    fine_rate_applied: Decimal
    capped: bool


def payment_deadline(due_date, grace_days=0, holidays=frozenset(), weekend=WEEKEND):
    """Return the last day on which a payment is still on time.

    This is the due date plus the grace days, or the first working day on or
    after the due date if that comes later.
    """
    return max(due_date + timedelta(days=grace_days), next_working_day(due_date, holidays, weekend))


# English wording of each problem found by ``terms_problems``; the models
# translate the same codes into the user's language.
PROBLEM_MESSAGES = {
    "fine_rate": "Fine rate must be between {low}% and {high}%, got {value}%.",
    "monthly_interest_rate": "Monthly interest rate must be between {low}% and {high}%, got {value}%.",
    "fine_cap_rate": "Fine cap rate must be between {low}% and {high}%, got {value}%.",
    "grace_days": "Grace days must be between {low} and {high}, got {value}.",
    "correction_rate": "Correction rate of {year}-{month:02d} must be above {low}% and at most "
    "{high}%, got {value}%.",
    "correction_month": "Correction month {year}-{month} is not a calendar month.",
}


def terms_problems(terms):
    """Return the problems in ``terms`` as ``(code, values)`` pairs.

    ``code`` is a key of ``PROBLEM_MESSAGES``; ``values`` holds the named
    values of its message (``low``, ``high``, ``value``, ``year``, ``month``).
    An empty list means the terms are valid.
    """
    problems = []

    def check_rate(code, value, low, high):
        if not low <= to_decimal(value) <= high:
            problems.append((code, {"low": low, "high": high, "value": value}))

    check_rate("fine_rate", terms.fine_rate, 0, 100)
    check_rate("monthly_interest_rate", terms.monthly_interest_rate, 0, MAX_MONTHLY_INTEREST_RATE)
    if terms.fine_cap_rate is not None:
        check_rate("fine_cap_rate", terms.fine_cap_rate, 0, 100)
    if not 0 <= terms.grace_days <= MAX_GRACE_DAYS:
        problems.append(("grace_days", {"low": 0, "high": MAX_GRACE_DAYS, "value": terms.grace_days}))
    for (year, month), rate in sorted((terms.correction_rates or {}).items()):
        if not 1 <= month <= 12:
            problems.append(("correction_month", {"year": year, "month": month}))
        if not -100 < to_decimal(rate) <= 100:
            problems.append(
                ("correction_rate", {"year": year, "month": month, "low": -100, "high": 100, "value": rate})
            )
    return problems


def validate_terms(terms):
    """Return the problems in ``terms`` as English messages.

    An empty list means the terms are valid. ``compute_charges`` refuses
    invalid terms; the models call ``terms_problems`` to word them in the
    user's language.
    """
    return [PROBLEM_MESSAGES[code].format(**values) for code, values in terms_problems(terms)]


def compute_charges(
    amount,
    due_date,
    payments,
    as_of,
    terms,
    rounding=Decimal("0.01"),
    holidays=frozenset(),
    weekend=WEEKEND,
    dispute_periods=(),
):
    """Return the ``Charges`` of one instalment on ``as_of``.

    ``amount`` is the instalment's original amount. ``payments`` holds
    ``(date, amount)`` reductions (payments and reconciled credit notes) in any
    order. ``dispute_periods`` holds inclusive ``(start, end_or_None)`` pairs.
    Raises ``ValueError`` when the terms are invalid or an amount is negative.
    To compute many instalments on the same day, use one ``ChargeCalculator``.
    """
    return ChargeCalculator(as_of, holidays, weekend).charges(
        amount, due_date, payments, terms, rounding, dispute_periods
    )


class InstalmentError(ValueError):
    """An instalment whose charges cannot be computed: ``index`` is its
    position in ``ChargeCalculator.charges_many``; the message says why."""

    def __init__(self, index, message):
        super().__init__(message)
        self.index = index


class ChargeCalculator:
    """Late charges of many instalments on the same day ``as_of``.

    The work per instalment is proportional to its events (payments, dispute
    starts and ends, index months), not to its days late: between two events
    the balance, the dispute state and the index rate are constant, so the
    days of that interval are summed in closed form (an arithmetic series).
    Terms, payment deadlines and index periods are checked or built once per
    calculator.
    """

    def __init__(self, as_of, holidays=frozenset(), weekend=WEEKEND):
        self.as_of = as_of
        self.holidays = holidays
        self.weekend = weekend
        self._terms = {}  # id(terms) -> (terms, its Decimal rates): checked terms, kept alive
        self._deadlines = {}
        self._periods = {}  # (due date, id(rates)) -> (rates, [(end, days, rate / 100 / days)])
        self._points = {}  # (id(rates), due date, day) -> (S(day), F(day)), see _point
        self._divisors = {}  # rounding unit -> (unit x 100, unit x 3000), see _charges

    def charges(self, amount, due_date, payments, terms, rounding=Decimal("0.01"), dispute_periods=()):
        """The ``Charges`` of one instalment on ``as_of`` (see ``compute_charges``)."""
        return self.charges_many([(amount, due_date, payments, terms, rounding, dispute_periods)])[0]

    def charges_many(self, instalments):
        """The ``Charges`` of many instalments, in order: ``instalments`` are
        ``(amount, due_date, payments, terms, rounding, dispute_periods)``
        tuples, computed in one exact Decimal context. An invalid one raises
        ``InstalmentError`` (a ValueError) naming its position."""
        result = []
        append = result.append
        with localcontext(_EXACT):
            for index, (amount, due_date, payments, terms, rounding, disputes) in enumerate(instalments):
                try:
                    checked = self._terms.get(id(terms))
                    if checked is None or checked[0] is not terms:
                        checked = self._check_terms(terms)
                    unit = rounding if type(rounding) is Decimal else to_decimal(rounding)
                    if not unit > 0:
                        raise ValueError("rounding must be positive")
                    append(self._charges(amount, due_date, payments, terms, unit, disputes, *checked[1:]))
                except ValueError as error:
                    raise InstalmentError(index, str(error)) from None
        return result

    def _check_terms(self, terms):
        """Validate ``terms`` once per calculator; their Decimal rates."""
        checked = self._terms.get(id(terms))
        if checked is None or checked[0] is not terms:
            problems = validate_terms(terms)
            if problems:
                raise ValueError(" ".join(problems))
            fine_rate = to_decimal(terms.fine_rate)
            cap = None if terms.fine_cap_rate is None else to_decimal(terms.fine_cap_rate)
            checked = self._terms[id(terms)] = (
                terms,
                fine_rate if cap is None else min(fine_rate, cap),
                cap is not None and cap < fine_rate,
                to_decimal(terms.monthly_interest_rate),
            )
        return checked

    def _deadline(self, due_date, grace_days):
        key = (due_date, grace_days)
        deadline = self._deadlines.get(key)
        if deadline is None:
            deadline = self._deadlines[key] = payment_deadline(
                due_date, grace_days, self.holidays, self.weekend
            )
        return deadline

    def _period_list(self, due_date, rates):
        """The correction periods of ``due_date``, built on demand by ``_period``."""
        key = (due_date, id(rates))
        entry = self._periods.get(key)
        if entry is None or entry[0] is not rates:
            entry = self._periods[key] = (rates, [])
        return entry[1]

    def _point(self, due_date, rates, day):
        """``(S(day), F(day))`` of ``due_date`` without disputes, computed once
        per calculator by walking the index periods: ``S(day)`` is the sum of
        ``F(d)`` for ``due_date < d <= day``. The rates stay alive with their
        terms in ``self._terms``, so their id names them."""
        periods = self._period_list(due_date, rates)
        cumulated, compounded, current, k = ZERO, Decimal(1), due_date, 0
        while True:
            end, days, slope = self._period(periods, due_date, rates, k)
            stop = min(day, end)
            n = (stop - current).days
            cumulated += compounded * (n + slope * (n * (n + 1) // 2))
            if stop == day:
                value = self._points[id(rates), due_date, day] = (cumulated, compounded * (1 + slope * n))
                return value
            compounded *= 1 + slope * days
            current, k = end, k + 1

    def _corrected_accrual(self, balance, due_date, cuts, settlements, rates):
        """``(interest base, correction)`` with an index and no dispute.

        Every day accrues, so the sum of ``F`` over a piece is a difference of
        the cumulative curve ``S`` of the due date (``_point``), shared by
        every instalment due that day: a lookup per event.
        """
        points, rates_id = self._points, id(rates)
        base = correction = ZERO
        done = ZERO  # S(previous cut)
        factor = _ONE
        for cut in cuts:
            value = points.get((rates_id, due_date, cut))
            cumulated, factor = value or self._point(due_date, rates, cut)
            base += balance * (cumulated - done)
            done = cumulated
            settled = settlements.get(cut)
            if settled:
                correction += settled * (factor - 1)
                balance -= settled
        correction += balance * (factor - 1)
        return base, correction

    @staticmethod
    def _period(periods, due_date, rates, k):
        """Period ``k`` of ``due_date``: (end day, days, rate per counted day)."""
        while len(periods) <= k:
            start = _add_months(due_date, len(periods))
            end = _add_months(due_date, len(periods) + 1)
            days = (end - start).days
            rate = to_decimal(rates.get((start.year, start.month), 0))
            periods.append((end, days, rate / (100 * days)))
        return periods[k]

    def _charges(
        self,
        amount,
        due_date,
        payments,
        terms,
        unit,
        dispute_periods,
        fine_rate_applied,
        capped,
        interest_rate,
    ):
        as_of = self.as_of
        amount = to_decimal(amount)
        if amount < 0:
            raise ValueError("the instalment amount must not be negative")
        paid_by_day = {}
        residual = amount
        for day, paid in payments:
            paid = to_decimal(paid)
            if paid < 0:
                raise ValueError("a payment must not be negative")
            if day <= as_of:
                paid_by_day[day] = paid_by_day.get(day, ZERO) + paid
                residual -= paid
        if residual < 0:
            residual = ZERO

        deadline = self._deadline(due_date, terms.grace_days)
        fine = interest = correction = ZERO
        days_late = 0
        if as_of > deadline:
            paid_by_due = paid_by_deadline = ZERO
            later = []  # payments after the due date, up to as_of
            for day, paid in paid_by_day.items():
                if day <= due_date:
                    paid_by_due += paid
                else:
                    later.append((day, paid))
                if day <= deadline:
                    paid_by_deadline += paid
            if amount - paid_by_deadline > 0:
                disputes = _merge_disputes(dispute_periods, due_date, as_of) if dispute_periods else ()
                balance = amount - paid_by_due  # > 0: the due date is not after the deadline
                if not _in_disputes(as_of, disputes):
                    fine = fine_rate_applied * balance  # / 100 when rounded
                if len(later) > 1:
                    later.sort()
                interest, correction, settled_on = self._accrual(balance, due_date, later, terms, disputes)
                interest = interest * interest_rate  # / 3000 when rounded
                days_late = (settled_on - due_date).days

        # The divisions of the rates (percent, and 30 days of a month) are
        # done once, inside the rounding.
        divisors = self._divisors.get(unit)
        if divisors is None:
            divisors = self._divisors[unit] = (unit * 100, unit * 3000)
        fine = _round_exact(fine, unit, divisors[0])
        interest = _round_exact(interest, unit, divisors[1])
        correction = _round_exact(correction, unit, unit)
        total = fine + interest + correction
        residual = (residual / unit).quantize(_ONE, rounding=ROUND_HALF_UP) * unit  # round_money
        # fine, interest, correction, total, residual, updated_total, days_late,
        # fine_rate_applied, capped (positional: the cheapest tuple to build)
        return Charges(
            fine,
            interest,
            correction,
            total,
            residual,
            residual + total,
            days_late,
            fine_rate_applied,
            capped,
        )

    def _accrual(self, balance, due_date, later, terms, disputes):
        """Return ``(interest base, correction, settlement day)`` of a late instalment.

        The interest base is the sum of ``balance_d x F(d)`` over the days
        ``d`` that accrue (see the module docstring); the correction is
        unrounded. The days from the due date to the settlement day are cut
        at every event: a payment (the balance changes the next day), a
        dispute start or end (whether days accrue) and a period end of the
        index (its rate). Within a piece of ``n`` accruing days of period
        ``k`` whose counted days go from ``c + 1`` to ``c + n``::

            sum of F = P_k x (n + s_k x (n x c + n x (n + 1) / 2)),
            s_k = rate_k / 100 / days_in_period_k
        """
        as_of = self.as_of
        settled_on = as_of
        settlements = {}
        left = balance
        for day, paid in later:
            settled = min(left, paid)
            settlements[day] = settled
            left -= settled
            if left <= 0:
                settled_on = day
                break
        if settlements or disputes:
            cuts = set(settlements)
            cuts.add(settled_on)
            for start, end in disputes:
                if due_date < start - _DAY < settled_on:
                    cuts.add(start - _DAY)
                if due_date < end < settled_on:
                    cuts.add(end)
            cuts = sorted(cuts)
        else:
            cuts = (settled_on,)

        rates = terms.correction_rates or None
        base = correction = ZERO
        if rates is None:
            current = due_date
            for cut in cuts:
                if not _in_disputes(cut, disputes):
                    base += balance * (cut - current).days
                current = cut
                balance -= settlements.get(cut, ZERO)
            return base, correction, settled_on

        if not disputes:
            base, correction = self._corrected_accrual(balance, due_date, cuts, settlements, rates)
            return base, correction, settled_on

        periods = self._period_list(due_date, rates)
        k = 0
        period_end, _days, slope = self._period(periods, due_date, rates, 0)
        compounded = Decimal(1)  # P_k
        counted = 0  # days of period k counted so far
        current = due_date
        for cut in cuts:
            while current < cut:
                stop = min(cut, period_end)
                if not _in_disputes(stop, disputes):
                    n = (stop - current).days
                    base += balance * compounded * (n + slope * (n * counted + n * (n + 1) // 2))
                    counted += n
                current = stop
                if current == period_end and current < cut:
                    compounded *= 1 + slope * counted
                    k, counted = k + 1, 0
                    period_end, _days, slope = self._period(periods, due_date, rates, k)
            factor = compounded * (1 + slope * counted)  # F(cut)
            settled = settlements.get(cut, ZERO)
            correction += settled * (factor - 1)
            balance -= settled
            if current == period_end:
                compounded, k, counted = factor, k + 1, 0
                period_end, _days, slope = self._period(periods, due_date, rates, k)
        correction += balance * (compounded * (1 + slope * counted) - 1)
        return base, correction, settled_on


# Exact enough to be exact: 120 digits carry every value far beyond the
# rounding unit, and a result within 1e-50 unit of a half unit is that half
# unit (the rational charges cannot come that close to it without being it).
_EXACT = Context(prec=120, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow])
_TIE_QUANTUM = Decimal("1e-50")
_ONE = Decimal(1)
_DAY = timedelta(days=1)


def _round_exact(value, unit, divisor):
    """``value / (divisor / unit)`` (at least 0) rounded half-up to ``unit``, as
    its exact value would be: the number of units is ``value / divisor``."""
    if value <= 0:
        return ZERO * unit
    units = (value / divisor).quantize(_TIE_QUANTUM).quantize(_ONE, rounding=ROUND_HALF_UP)
    return units * unit


def _merge_disputes(dispute_periods, due_date, as_of):
    """The dispute periods as sorted, disjoint, inclusive ``(start, end)`` pairs
    (an open end is ``as_of``), limited to the days after the due date."""
    periods = sorted(
        (max(start, due_date + _DAY), min(end or as_of, as_of)) for start, end in dispute_periods
    )
    merged = []
    for start, end in periods:
        if start > end:
            continue
        if merged and start <= merged[-1][1] + _DAY:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _in_disputes(day, disputes):
    for start, end in disputes:
        if start <= day <= end:
            return True
    return False


def charges_to_invoice(accrued, invoiced=None, waived=None, rounding=Decimal("0.01")):
    """Return what is left to invoice of each charge. Nothing is ever charged twice.

    ``accrued`` is the ``Charges`` on the invoicing day. ``invoiced`` and
    ``waived`` are dicts keyed by ``'fine'``, ``'interest'`` and
    ``'correction'`` (a missing key counts as 0). Each component of the result
    is ``max(0, accrued - invoiced - waived)``.
    """
    invoiced, waived = invoiced or {}, waived or {}
    return {
        name: round_money(
            max(
                ZERO,
                getattr(accrued, name) - to_decimal(invoiced.get(name, 0)) - to_decimal(waived.get(name, 0)),
            ),
            rounding,
        )
        for name in COMPONENTS
    }


def _add_months(day, months):
    """``day`` plus ``months`` calendar months, clamped to the end of the target month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, monthrange(year, month)[1]))
