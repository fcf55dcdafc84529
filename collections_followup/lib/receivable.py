"""The one definition of an open receivable instalment and of "overdue".

Every feature (the dunning run, the partner's follow-up status, the credit
check and its overdue hold, the late-charge boxes, the drill-downs) reads the
same rows, built once per batch by ``collections.receivable`` from one SQL
query, and decides with the functions below:

- an **open instalment** is a posted, unreconciled receivable journal item of
  a customer invoice or receipt, with a due date and a residual above zero;
- its **effective due date** is the printed due date moved to the next
  working day of the company calendar (``lib.workdays``);
- it is **overdue** on day ``D`` when ``D`` is after its effective due date,
  its residual in company currency is above the tolerance of the customer's
  policy, and it is not in dispute (a dispute suspends the claim).

Because the effective due date never decreases when the printed one grows,
"after the effective due date" is the same as "printed due date on or before
the last working day before ``D``" (``last_overdue_due_date``): that one date
lets the SQL aggregates of the credit check apply exactly the same rule.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from .money import ZERO, to_decimal
from .workdays import WEEKEND, effective_due_date, is_working_day


@dataclass(frozen=True, slots=True)
class OpenItem:
    """One open receivable instalment as every feature reads it."""

    line_id: int
    move_id: int
    move_name: str
    partner_id: int  # commercial partner
    currency_id: int
    residual: Decimal  # in the instalment's currency
    residual_company: Decimal  # in the company currency
    due_date: object  # printed due date
    effective_due_date: object
    days_late: int  # days past the effective due date (negative before it)
    in_dispute: bool = False
    promised: bool = False  # covered by an open promise to pay
    in_plan: bool = False  # covered by an active payment plan
    is_charge_invoice: bool = False
    is_plan: bool = False  # an instalment of a payment plan's renegotiation entry

    @property
    def paused(self):
        """Neither chased nor counted late: a dispute, a promise or a plan covers it."""
        return self.in_dispute or self.promised or self.in_plan


def last_overdue_due_date(as_of, holidays=frozenset(), weekend=WEEKEND):
    """The latest printed due date that is overdue on ``as_of``: the last
    working day strictly before ``as_of``. An instalment due on or before
    it is past its effective due date; one due after it is not."""
    day = as_of - timedelta(days=1)
    for _attempt in range(366):
        if is_working_day(day, holidays, weekend):
            return day
        day -= timedelta(days=1)
    raise ValueError("no working day within a year before %s" % as_of.isoformat())


def make_item(row, as_of, holidays=frozenset(), weekend=WEEKEND):
    """An OpenItem from a mapping with the keys of its fields but the
    effective due date and the days late, which are computed here."""
    effective = effective_due_date(row["due_date"], holidays, weekend)
    values = dict(row)
    values["residual"] = to_decimal(values["residual"])
    values["residual_company"] = to_decimal(values["residual_company"])
    values["effective_due_date"] = effective
    values["days_late"] = (as_of - effective).days
    return OpenItem(**values)


def is_overdue(item, tolerance=ZERO):
    """True when ``item`` is overdue (see the module docstring); ``tolerance``
    is in the company currency, like ``item.residual_company``."""
    return item.days_late > 0 and not item.in_dispute and item.residual_company > to_decimal(tolerance)


def partner_summary(items, tolerance=ZERO):
    """Totals of one customer's open items in the company currency:
    {'open', 'overdue' (exact Decimals), 'oldest_days_late' (0 when nothing is
    overdue), 'oldest_overdue_due_date' (effective date or None),
    'overdue_count'}."""
    summary = {
        "open": ZERO,
        "overdue": ZERO,
        "oldest_days_late": 0,
        "oldest_overdue_due_date": None,
        "overdue_count": 0,
    }
    for item in items:
        summary["open"] += item.residual_company
        if is_overdue(item, tolerance):
            summary["overdue"] += item.residual_company
            summary["overdue_count"] += 1
            if item.days_late > summary["oldest_days_late"]:
                summary["oldest_days_late"] = item.days_late
                summary["oldest_overdue_due_date"] = item.effective_due_date
    return summary


__all__ = ["OpenItem", "last_overdue_due_date", "make_item", "is_overdue", "partner_summary"]
