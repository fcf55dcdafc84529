"""Aging buckets of open instalments (the reports of issue 10).

Days late are those of ``lib.receivable`` (``OpenItem.days_late``: calendar
days past the effective due date, zero or negative before it). An instalment
falls in exactly one bucket:

=============  ===================
bucket         days late
=============  ===================
``not_due``    0 or less
``d1_30``      1 to 30
``d31_60``     31 to 60
``d61_90``     61 to 90
``d91_180``    91 to 180
``d180``       181 and more
=============  ===================

``bucket_sql`` writes the same table as an SQL ``CASE`` so that the
set-based reports and this function cannot disagree (the tests compare them
on every day from -400 to 400).
"""

# (key, label, last day late of the bucket; None: no upper bound)
BUCKETS = (
    ("not_due", "Not due", 0),
    ("d1_30", "1-30", 30),
    ("d31_60", "31-60", 60),
    ("d61_90", "61-90", 90),
    ("d91_180", "91-180", 180),
    ("d180", "> 180", None),
)
BUCKET_KEYS = tuple(key for key, _label, _upper in BUCKETS)


def aging_bucket(days_late):
    """The key of the bucket of an instalment ``days_late`` days late."""
    for key, _label, upper in BUCKETS:
        if upper is None or days_late <= upper:
            return key
    raise AssertionError("unreachable: the last bucket has no upper bound")


def bucket_sql(days_expression):
    """An SQL CASE giving the bucket key of ``days_expression`` (an SQL
    integer expression written by the caller, never user input)."""
    whens = " ".join(
        "WHEN %s <= %d THEN '%s'" % (days_expression, upper, key)
        for key, _label, upper in BUCKETS
        if upper is not None
    )
    return "CASE %s ELSE '%s' END" % (whens, BUCKETS[-1][0])


def bucket_amounts(items):
    """{bucket key: sum of amounts} of ``(days_late, amount)`` pairs; every
    key is present (zero when empty). Amounts are summed as given (Decimals
    in, Decimals out)."""
    totals = dict.fromkeys(BUCKET_KEYS, 0)
    for days_late, amount in items:
        totals[aging_bucket(days_late)] += amount
    return totals


# strftime directives of Odoo's language date formats -> Excel number format codes
_EXCEL_DATE_CODES = {"%d": "dd", "%m": "mm", "%Y": "yyyy", "%y": "yy", "%b": "mmm", "%B": "mmmm", "%e": "d"}


def excel_date_format(strftime_format):
    """The Excel number format of an Odoo language's ``date_format``
    (``%d/%m/%Y`` -> ``dd/mm/yyyy``); unknown directives raise ValueError."""
    result, index = [], 0
    while index < len(strftime_format):
        char = strftime_format[index]
        if char == "%":
            directive = strftime_format[index : index + 2]
            if directive not in _EXCEL_DATE_CODES:
                raise ValueError("no Excel equivalent for %r" % directive)
            result.append(_EXCEL_DATE_CODES[directive])
            index += 2
            continue
        result.append("\\" + char if char.isalpha() else char)
        index += 1
    return "".join(result)


def excel_money_format(symbol, position="before", decimals=2):
    """An Excel number format showing ``symbol`` before or after the amount
    with ``decimals`` places, negatives with a minus sign (``"R$" #,##0.00``)."""
    number = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    quoted = '"%s"' % symbol.replace('"', '""')
    return "%s %s" % (quoted, number) if position == "before" else "%s %s" % (number, quoted)


def running_balances(opening, movements):
    """The balance after each movement of a statement: ``opening`` plus the
    debits minus the credits so far (``movements``: ``(debit, credit)``
    Decimals). Returns ``(balances, closing)``; exact, no rounding."""
    balance = opening
    balances = []
    for debit, credit in movements:
        balance += debit - credit
        balances.append(balance)
    return balances, balance


__all__ = [
    "running_balances",
    "BUCKETS",
    "BUCKET_KEYS",
    "aging_bucket",
    "bucket_sql",
    "bucket_amounts",
    "excel_date_format",
    "excel_money_format",
]
