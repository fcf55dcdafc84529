from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from lib.receivable import is_overdue, last_overdue_due_date, make_item, partner_summary
from lib.workdays import effective_due_date


def item(due, as_of, residual="100", residual_company=None, holidays=frozenset(), **flags):
    row = {
        "line_id": 1,
        "move_id": 1,
        "move_name": "INV/1",
        "partner_id": 7,
        "currency_id": 1,
        "residual": Decimal(residual),
        "residual_company": Decimal(residual_company or residual),
        "due_date": due,
        **flags,
    }
    return make_item(row, as_of, holidays)


def test_saturday_due_date_is_not_overdue_on_monday():
    saturday, monday, tuesday = date(2026, 2, 7), date(2026, 2, 9), date(2026, 2, 10)
    assert not is_overdue(item(saturday, monday))
    assert item(saturday, monday).days_late == 0
    assert is_overdue(item(saturday, tuesday))
    assert last_overdue_due_date(monday) == date(2026, 2, 6)  # Friday


def test_tolerance_is_compared_in_company_currency():
    # USD 0.90 worth R$ 4.50: above a R$ 1.00 tolerance
    late = item(date(2026, 1, 5), date(2026, 2, 5), residual="0.90", residual_company="4.50")
    assert is_overdue(late, Decimal("1.00"))
    assert not is_overdue(late, Decimal("5.00"))


def test_dispute_suspends_overdue():
    assert not is_overdue(item(date(2026, 1, 5), date(2026, 2, 5), in_dispute=True))


def test_summary_counts_only_overdue_items():
    as_of = date(2026, 2, 5)
    items = [item(date(2026, 1, 5), as_of, "100"), item(date(2026, 2, 8), as_of, "50")]
    summary = partner_summary(items)
    assert summary["open"] == Decimal("150")
    assert summary["overdue"] == Decimal("100")
    assert summary["oldest_days_late"] == 31
    assert summary["overdue_count"] == 1


holiday_sets = st.frozensets(st.dates(date(2025, 12, 1), date(2026, 3, 31)), max_size=20)


@settings(max_examples=500, deadline=None)
@given(st.dates(date(2025, 12, 20), date(2026, 3, 10)), st.integers(-30, 60), holiday_sets)
def test_cutoff_agrees_with_the_effective_due_date(as_of, offset, holidays):
    """The SQL rule (due date <= cutoff) and the row rule (after the effective due date) agree."""
    due = as_of - timedelta(days=offset)
    by_rows = as_of > effective_due_date(due, holidays)
    by_cutoff = due <= last_overdue_due_date(as_of, holidays)
    assert by_rows == by_cutoff
