"""When a service may be suspended for non-payment.

A level can announce a suspension: the notice states the planned date, the
notice date plus the policy's days, moved forward to a day on which a
suspension may start. Under Lei 14.015/2020 (essential public services, and
good practice for any service) a suspension may not start on a Friday,
Saturday, Sunday, holiday, or on the day before a holiday; the rule can be
switched off per policy, and then only non-working days are avoided.
"""

from datetime import timedelta

from .workdays import WEEKEND

FRIDAY = 4


def may_suspend_on(day, holidays=frozenset(), weekend=WEEKEND, lei_14015=True):
    """True when a suspension may start on ``day``."""
    if day in holidays or day.weekday() in weekend:
        return False
    if lei_14015:
        if day.weekday() in (FRIDAY, 5, 6):
            return False
        if day + timedelta(days=1) in holidays:
            return False
    return True


def planned_suspension_date(notice_date, days, holidays=frozenset(), weekend=WEEKEND, lei_14015=True):
    """The suspension date announced by a notice of ``notice_date``: ``days``
    later, moved forward to the first day on which a suspension may start."""
    if days < 0:
        raise ValueError("the notice period cannot be negative")
    day = notice_date + timedelta(days=days)
    for _attempt in range(366):
        if may_suspend_on(day, holidays, weekend, lei_14015):
            return day
        day += timedelta(days=1)
    raise ValueError("no day within a year after %s on which a suspension may start" % day.isoformat())


__all__ = ["may_suspend_on", "planned_suspension_date"]
