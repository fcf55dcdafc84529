"""The day-by-day definition of the late charges: the test oracle.

This is ``lib.late_fees.compute_charges`` as it was before issue 8 made it
compute over the intervals between events: a loop over every day from the due
date to the settlement day, with Decimal arithmetic at 40 digits. Only the
tests use it, to prove that the interval computation gives the same charges.
"""

from datetime import timedelta
from decimal import Decimal, localcontext
from fractions import Fraction
from itertools import count

from lib.late_fees import _PRECISION, Charges, _add_months, payment_deadline, validate_terms
from lib.money import ZERO, round_money, to_decimal
from lib.workdays import WEEKEND


def _reference_compute_charges(
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
    """
    problems = validate_terms(terms)
    if problems:
        raise ValueError(" ".join(problems))
    if to_decimal(amount) < 0:
        raise ValueError("the instalment amount must not be negative")
    with localcontext() as context:
        context.prec = _PRECISION
        amount = to_decimal(amount)
        paid_by_day = {}
        for day, paid in payments:
            paid = to_decimal(paid)
            if paid < 0:
                raise ValueError("a payment must not be negative")
            if day <= as_of:
                paid_by_day[day] = paid_by_day.get(day, ZERO) + paid
        disputes = [(start, end or as_of) for start, end in dispute_periods]
        residual = max(ZERO, amount - sum(paid_by_day.values(), ZERO))

        def open_after(last_day):
            paid = sum((p for day, p in paid_by_day.items() if day <= last_day), ZERO)
            return max(ZERO, amount - paid)

        def in_dispute(day):
            return any(start <= day <= end for start, end in disputes)

        fine_rate = to_decimal(terms.fine_rate)
        cap = None if terms.fine_cap_rate is None else to_decimal(terms.fine_cap_rate)
        fine_rate_applied = fine_rate if cap is None else min(fine_rate, cap)
        deadline = payment_deadline(due_date, terms.grace_days, holidays, weekend)
        late = as_of > deadline and open_after(deadline) > 0

        fine = interest = correction = ZERO
        days_late = 0
        if late:
            if not in_dispute(as_of):
                fine = fine_rate_applied / 100 * open_after(due_date)
            balance = open_after(due_date)
            factors = _correction_factors(due_date, terms.correction_rates, in_dispute)
            interest_base = ZERO  # sum of balance_d x F(d) over the accruing days
            day, factor = due_date, Decimal(1)
            while balance > 0 and day < as_of:
                day += timedelta(days=1)
                factor = next(factors)
                if not in_dispute(day):
                    interest_base += balance * factor
                settled = min(balance, paid_by_day.get(day, ZERO))
                correction += settled * (factor - 1)
                balance -= settled
            correction += balance * (factor - 1)
            interest = interest_base * to_decimal(terms.monthly_interest_rate) / 3000
            days_late = (day - due_date).days

        fine, interest, correction = (
            round_money(max(ZERO, value), rounding) for value in (fine, interest, correction)
        )
        total = fine + interest + correction
        residual = round_money(residual, rounding)
        return Charges(
            fine=fine,
            interest=interest,
            correction=correction,
            total=total,
            residual=residual,
            updated_total=residual + total,
            days_late=days_late,
            fine_rate_applied=fine_rate_applied,
            capped=cap is not None and cap < fine_rate,
        )


def _correction_factors(due_date, correction_rates, in_dispute):
    """Yield the correction factor F(d) for every day d = due_date + 1, due_date + 2, ..."""
    if correction_rates is None:
        while True:
            yield Decimal(1)
    compounded = Decimal(1)  # P_k: the factor reached at the start of period k
    for k in count():
        start, end = _add_months(due_date, k), _add_months(due_date, k + 1)
        rate = to_decimal(correction_rates.get((start.year, start.month), 0))
        period_days = (end - start).days
        counted = 0
        factor = compounded
        day = start
        while day < end:
            day += timedelta(days=1)
            if not in_dispute(day):
                counted += 1
                factor = compounded * (1 + rate * counted / (100 * period_days))
            yield factor
        compounded = factor


def _reference_exact_amounts(
    amount, due_date, payments, as_of, terms, holidays=frozenset(), weekend=WEEKEND, dispute_periods=()
):
    """The same day-by-day definition in exact fractions, before rounding.

    Returns ``(fine, interest, correction)`` as ``Fraction``. The 40-digit loop
    above can land a hair below an exact half unit (``1/3000`` is not a
    finite decimal), and then rounds it down; these exact values show which
    way "rounded once, half-up" goes.
    """
    amount = Fraction(to_decimal(amount))
    paid_by_day = {}
    for day, paid in payments:
        if day <= as_of:
            paid_by_day[day] = paid_by_day.get(day, 0) + Fraction(to_decimal(paid))
    disputes = [(start, end or as_of) for start, end in dispute_periods]

    def open_after(last_day):
        return max(Fraction(0), amount - sum(p for day, p in paid_by_day.items() if day <= last_day))

    def in_dispute(day):
        return any(start <= day <= end for start, end in disputes)

    fine_rate = Fraction(to_decimal(terms.fine_rate))
    if terms.fine_cap_rate is not None:
        fine_rate = min(fine_rate, Fraction(to_decimal(terms.fine_cap_rate)))
    deadline = payment_deadline(due_date, terms.grace_days, holidays, weekend)
    fine = interest = correction = Fraction(0)
    if as_of > deadline and open_after(deadline) > 0:
        if not in_dispute(as_of):
            fine = fine_rate / 100 * open_after(due_date)
        rates = terms.correction_rates or {}
        balance = open_after(due_date)
        day, factor, compounded, period, counted = due_date, Fraction(1), Fraction(1), 0, 0
        start, end = due_date, _add_months(due_date, 1)
        while balance > 0 and day < as_of:
            day += timedelta(days=1)
            if day > end:
                compounded, period, counted = factor, period + 1, 0
                start, end = _add_months(due_date, period), _add_months(due_date, period + 1)
            if not in_dispute(day):
                counted += 1
                rate = Fraction(to_decimal(rates.get((start.year, start.month), 0)))
                factor = compounded * (1 + rate * counted / (100 * (end - start).days))
                interest += balance * factor
            settled = min(balance, paid_by_day.get(day, 0))
            correction += settled * (factor - 1)
            balance -= settled
        correction += balance * (factor - 1)
        interest *= Fraction(to_decimal(terms.monthly_interest_rate)) / 3000
    return fine, interest, correction
