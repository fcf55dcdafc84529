"""Payment plans (acordos / parcelamento): the schedule rules.

Pure Python over Decimal money and dates. A plan renegotiates a debt:

- the **base** is the overdue debt plus the late charges included in the plan;
- the **discount** (an amount, or a percentage of the base) is taken off it:
  ``negotiated total = base - discount``;
- the **down payment** (entrada) is paid first; the rest (``financed``) is
  paid in ``count`` instalments, the first on ``first_due_date``, then every
  ``period_months`` months;
- with a monthly plan interest rate ``i`` the instalment is the Price table
  payment ``PMT = P * i / (1 - (1 + i) ** -n)``; without it, ``P / n``.

Money is rounded once per instalment with the currency rounding; the
instalments of the financed part sum exactly to ``financed + interest`` and
the rounding difference is on the last one. Everything then sums exactly to
``payable = negotiated total + interest``.
"""

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, localcontext

from .money import ZERO, round_money, to_decimal

MAX_INSTALMENTS = 360  # thirty years of monthly instalments
HUNDRED = Decimal(100)


class PlanError(ValueError):
    """A plan that cannot be made; ``code`` names the problem, ``values``
    carries what the message needs (the caller translates it)."""

    def __init__(self, code, **values):
        super().__init__(code)
        self.code = code
        self.values = values


@dataclass(frozen=True, slots=True)
class Instalment:
    """One instalment of a plan; number 0 is the down payment."""

    number: int
    due_date: date
    amount: Decimal  # what the customer pays
    principal: Decimal  # part of the negotiated total
    interest: Decimal  # plan interest in it


@dataclass(frozen=True, slots=True)
class Schedule:
    """The outcome of ``schedule``: amounts (Decimal) and the instalments."""

    debt: Decimal
    charges: Decimal
    discount: Decimal
    total: Decimal  # negotiated total: debt + charges - discount
    down_payment: Decimal
    financed: Decimal  # total - down payment
    interest: Decimal  # plan interest over the whole schedule
    payable: Decimal  # total + interest = sum of the instalments
    instalments: tuple = field(default_factory=tuple)


def add_months(day, months):
    """``day`` plus ``months`` calendar months, kept on the last day of the
    month when the month is shorter (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_dates(first_due_date, count, period_months=1):
    """The ``count`` due dates from ``first_due_date`` every ``period_months``
    months, each counted from the first (no drift after a short month)."""
    return [add_months(first_due_date, period_months * number) for number in range(count)]


def discount_amount(base, discount=ZERO, discount_percent=None, rounding="0.01"):
    """The discount on ``base``: ``discount_percent`` % of it (rounded) when
    given, else the amount ``discount``."""
    if discount_percent is not None:
        return round_money(to_decimal(base) * to_decimal(discount_percent) / HUNDRED, rounding)
    return round_money(to_decimal(discount), rounding)


def price_payment(principal, monthly_rate, count):
    """The exact (unrounded) Price table payment of ``principal`` in ``count``
    instalments at ``monthly_rate`` (0.02 = 2 % a month): P*i / (1 - (1+i)^-n);
    ``P / n`` at 0 %."""
    principal, rate = to_decimal(principal), to_decimal(monthly_rate)
    if count < 1:
        raise PlanError("no_instalment")
    if rate == 0:
        return principal / count
    with localcontext() as context:
        context.prec = 40
        return principal * rate / (1 - (1 + rate) ** -count)


def split(amount, count, rounding="0.01"):
    """``amount`` in ``count`` rounded parts, equal but the last one, which
    takes the rounding difference; the parts sum exactly to ``amount``, and
    none is negative (each is at least one unit when ``amount`` is at least
    ``count`` units)."""
    amount, unit = round_money(amount, rounding), to_decimal(rounding)
    part = round_money(amount / count, rounding)
    if amount - part * (count - 1) <= 0:
        # rounded up, the first parts would leave nothing for the last: round down
        part = (amount / count // unit) * unit
    return [part] * (count - 1) + [amount - part * (count - 1)]


def schedule(
    debt,
    first_due_date,
    count,
    *,
    charges=ZERO,
    discount=ZERO,
    discount_percent=None,
    down_payment=ZERO,
    down_payment_date=None,
    monthly_rate=ZERO,
    period_months=1,
    rounding="0.01",
    today=None,
):
    """The schedule of a plan (see the module docstring).

    :param debt: overdue debt renegotiated (> 0).
    :param first_due_date: due date of the first instalment after the down payment.
    :param count: number of instalments after the down payment (1..360).
    :param charges: late charges included (>= 0).
    :param discount: discount amount (>= 0), ignored when ``discount_percent`` is given.
    :param discount_percent: discount as a percentage of debt + charges (0..100).
    :param down_payment: entrada (>= 0, below the negotiated total).
    :param down_payment_date: its due date (``today`` when empty; not after the first due date).
    :param monthly_rate: plan interest per month as a fraction (0.015 = 1.5 %), >= 0.
    :param period_months: months between two instalments (>= 1).
    :param rounding: the currency's smallest unit.
    :param today: when given, due dates before it are refused.
    :return: ``Schedule``.
    :raises PlanError: with ``code`` among ``no_debt``, ``negative``,
        ``no_instalment``, ``too_many_instalments``, ``bad_period``,
        ``discount_above_total``, ``bad_percent``, ``down_payment_above_total``,
        ``first_due_in_past``, ``down_payment_after_first``,
        ``instalment_too_small``.
    """
    debt, charges = round_money(debt, rounding), round_money(charges, rounding)
    down_payment, monthly_rate = round_money(down_payment, rounding), to_decimal(monthly_rate)
    if debt <= 0:
        raise PlanError("no_debt")
    if min(charges, down_payment, monthly_rate, to_decimal(discount)) < 0:
        raise PlanError("negative")
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise PlanError("no_instalment")
    if count > MAX_INSTALMENTS:
        raise PlanError("too_many_instalments", maximum=MAX_INSTALMENTS)
    if not isinstance(period_months, int) or isinstance(period_months, bool) or period_months < 1:
        raise PlanError("bad_period")
    if discount_percent is not None and not 0 <= to_decimal(discount_percent) <= HUNDRED:
        raise PlanError("bad_percent")
    base = debt + charges
    discount_value = discount_amount(base, discount, discount_percent, rounding)
    if discount_value >= base:
        raise PlanError("discount_above_total", discount=discount_value, total=base)
    total = base - discount_value
    if down_payment >= total:
        raise PlanError("down_payment_above_total", down_payment=down_payment, total=total)
    down_payment_date = down_payment_date or today or first_due_date
    if today is not None and (first_due_date < today or down_payment_date < today):
        raise PlanError(
            "first_due_in_past", first_due_date=min(first_due_date, down_payment_date), today=today
        )
    if down_payment and down_payment_date > first_due_date:
        raise PlanError(
            "down_payment_after_first", down_payment_date=down_payment_date, first_due_date=first_due_date
        )
    financed = total - down_payment
    if financed < count * to_decimal(rounding):
        raise PlanError("instalment_too_small", financed=financed, count=count)
    if monthly_rate:
        payable_financed = round_money(price_payment(financed, monthly_rate, count) * count, rounding)
    else:
        payable_financed = financed
    amounts = split(payable_financed, count, rounding)
    principals = split(financed, count, rounding)
    instalments = []
    if down_payment:
        instalments.append(Instalment(0, down_payment_date, down_payment, down_payment, ZERO))
    for number, (day, amount, principal) in enumerate(
        zip(due_dates(first_due_date, count, period_months), amounts, principals, strict=False), start=1
    ):
        instalments.append(Instalment(number, day, amount, principal, amount - principal))
    interest = payable_financed - financed
    return Schedule(
        debt=debt,
        charges=charges,
        discount=discount_value,
        total=total,
        down_payment=down_payment,
        financed=financed,
        interest=interest,
        payable=total + interest,
        instalments=tuple(instalments),
    )


def breach(instalments, as_of, break_days):
    """The first instalment that breaks a plan on ``as_of``: ``instalments``
    are ``(due_date, residual)`` pairs; one still owing (residual > 0) more
    than ``break_days`` days after its due date breaks it. ``None`` when the
    plan holds."""
    limit = as_of - timedelta(days=break_days)
    late = [(due, residual) for due, residual in instalments if to_decimal(residual) > 0 and due < limit]
    return min(late) if late else None


__all__ = [
    "Instalment",
    "PlanError",
    "Schedule",
    "add_months",
    "breach",
    "discount_amount",
    "due_dates",
    "price_payment",
    "schedule",
    "split",
]
