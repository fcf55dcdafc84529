"""Collection KPIs of a period (issue 10): the formulas, on plain numbers.

The Odoo side (``collections.kpi``) gathers the inputs with set-based SQL;
everything here is pure and exact (Decimal). Percentages and days are
rounded once, to one decimal (ROUND_HALF_UP); ``None`` when the formula has
no denominator (nothing to measure).

- **DSO** (days sales outstanding) = receivables at the end / credit sales
  of the period x days of the period.
- **CEI** (collection effectiveness index) = (opening receivables + credit
  sales - closing receivables) / (opening receivables + credit sales -
  closing current receivables) x 100; *current* = not yet due.
- **IAG** (índice de inadimplência) = overdue / total open receivables at
  the end x 100.
- **Recovered**: a payment of an instalment counts for the latest contact
  that claimed that instalment on or before the payment date, when it comes
  at most ``window_days`` after that contact; totals per level of the
  contact (``None`` for a logged call without level).
- **Promise-kept rate** = kept / (kept + broken) x 100 of the promises whose
  deadline is in the period; **plan-kept rate** the same with payment plans
  completed or broken in the period.
- **Right-party-contact rate** (CPC) = calls that reached the person
  responsible for paying / calls logged x 100.
- **First payment default** (FPD) = customers whose first instalment was
  paid more than ``max_days`` days after its effective due date, or is still
  unpaid more than ``max_days`` late at the end / customers whose first
  instalment fell due in the period at least ``max_days`` days before the
  end x 100.
- **Average days to pay** = mean of (date of the last payment - invoice
  date) over the instalments fully paid in the period.
"""

from decimal import ROUND_HALF_UP, Decimal

from .money import ZERO, to_decimal

ONE_DECIMAL = Decimal("0.1")
HUNDRED = Decimal(100)


def _one_decimal(value):
    return value.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def percent(part, whole):
    """``part`` / ``whole`` x 100 to one decimal, None when ``whole`` is 0."""
    part, whole = to_decimal(part), to_decimal(whole)
    if not whole:
        return None
    return _one_decimal(part / whole * HUNDRED)


def dso(receivables_end, credit_sales, days):
    """Days sales outstanding, to one decimal; None without sales."""
    credit_sales = to_decimal(credit_sales)
    if credit_sales <= 0 or days <= 0:
        return None
    return _one_decimal(to_decimal(receivables_end) / credit_sales * Decimal(days))


def cei(opening, credit_sales, closing, closing_current):
    """Collection effectiveness index in %, to one decimal."""
    opening, credit_sales = to_decimal(opening), to_decimal(credit_sales)
    collectable = opening + credit_sales - to_decimal(closing_current)
    return percent(opening + credit_sales - to_decimal(closing), collectable)


def iag(overdue, total_open):
    """Índice de inadimplência in %, to one decimal."""
    return percent(overdue, total_open)


def recovered_by_level(contacts, payments, window_days):
    """Amounts recovered after contacts.

    :param contacts: iterable of ``(date, level key, instalment ids)``.
    :param payments: iterable of ``(instalment id, date, amount)``.
    :return: ``(total, {level key: amount})`` (exact Decimals), only the
        payments that follow a contact within ``window_days`` days.
    """
    by_line = {}
    for day, level, line_ids in contacts:
        for line_id in line_ids:
            by_line.setdefault(line_id, []).append((day, level))
    for claims in by_line.values():
        claims.sort(key=lambda claim: claim[0])
    total, per_level = ZERO, {}
    for line_id, day, amount in payments:
        latest = None
        for contact_day, level in by_line.get(line_id, ()):
            if contact_day > day:
                break
            latest = (contact_day, level)
        if latest is None or (day - latest[0]).days > window_days:
            continue
        amount = to_decimal(amount)
        total += amount
        per_level[latest[1]] = per_level.get(latest[1], ZERO) + amount
    return total, per_level


def first_payment_default(first_instalments, date_from, date_to, max_days):
    """FPD rate in %, to one decimal, and its counts.

    :param first_instalments: iterable of ``(effective due date, date paid
        in full or None)``, one per customer (its first instalment).
    :return: ``(rate or None, defaults, customers)``.
    """
    defaults = customers = 0
    for due, paid in first_instalments:
        if not date_from <= due <= date_to or (date_to - due).days < max_days:
            continue  # not in the period, or too recent to tell
        customers += 1
        if ((paid or date_to) - due).days > max_days:
            defaults += 1
    return percent(defaults, customers), defaults, customers


def average_days_to_pay(paid_instalments):
    """Mean days from invoice date to the last payment, to one decimal.

    :param paid_instalments: iterable of ``(invoice date, last payment date)``.
    """
    days = [(paid - invoiced).days for invoiced, paid in paid_instalments]
    if not days:
        return None
    return _one_decimal(Decimal(sum(days)) / Decimal(len(days)))


__all__ = [
    "percent",
    "dso",
    "cei",
    "iag",
    "recovered_by_level",
    "first_payment_default",
    "average_days_to_pay",
]
