"""Working days: weekends and company holidays push a due date forward."""

from datetime import timedelta

WEEKEND = frozenset({5, 6})  # Saturday, Sunday (date.weekday())


def is_working_day(day, holidays=frozenset(), weekend=WEEKEND):
    """True when ``day`` is neither a weekend day nor in ``holidays``."""
    return day.weekday() not in weekend and day not in holidays


def next_working_day(day, holidays=frozenset(), weekend=WEEKEND):
    """Return ``day`` itself when it is a working day, else the next one.

    A due date on a Saturday, Sunday or holiday is payable on the next
    working day without charges, and days late count from there.
    """
    if len(weekend) >= 7:
        raise ValueError("a week needs at least one working day")
    current = day
    # Bounded: a year of consecutive holidays would be a configuration error.
    for _ in range(366):
        if is_working_day(current, holidays, weekend):
            return current
        current += timedelta(days=1)
    raise ValueError("no working day within a year after %s" % day.isoformat())


def effective_due_date(due_date, holidays=frozenset(), weekend=WEEKEND):
    """The date from which days late are counted (the next working day)."""
    return next_working_day(due_date, holidays, weekend)


def days_late(due_date, as_of, holidays=frozenset(), weekend=WEEKEND):
    """Calendar days between the effective due date and ``as_of``.

    Negative before the due date (a pre-due reminder at -3 means three days
    before), zero on the effective due date.
    """
    return (as_of - effective_due_date(due_date, holidays, weekend)).days


__all__ = ["WEEKEND", "is_working_day", "next_working_day", "effective_due_date", "days_late"]
