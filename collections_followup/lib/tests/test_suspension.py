from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lib.suspension import may_suspend_on, planned_suspension_date


def test_ten_days_after_a_monday_notice_is_a_thursday():
    # notice Monday 2026-03-02 + 10 days = Thursday 2026-03-12
    assert planned_suspension_date(date(2026, 3, 2), 10) == date(2026, 3, 12)


def test_friday_and_weekend_move_to_monday():
    # notice Tuesday 2026-03-03 + 10 = Friday 13 -> Monday 16
    assert planned_suspension_date(date(2026, 3, 3), 10) == date(2026, 3, 16)


def test_day_before_a_holiday_and_the_holiday_are_skipped():
    # Tiradentes, Tuesday 2026-04-21: not on Monday 20 (eve) nor on the 21st
    holidays = {date(2026, 4, 21)}
    assert planned_suspension_date(date(2026, 4, 10), 10, holidays) == date(2026, 4, 22)


def test_without_lei_14015_only_non_working_days_are_avoided():
    holidays = {date(2026, 4, 21)}
    assert planned_suspension_date(date(2026, 4, 7), 10, holidays, lei_14015=False) == date(2026, 4, 17)
    assert planned_suspension_date(date(2026, 4, 10), 10, holidays, lei_14015=False) == date(2026, 4, 20)


def test_negative_notice_period_is_refused():
    with pytest.raises(ValueError):
        planned_suspension_date(date(2026, 3, 2), -1)


@settings(max_examples=300, deadline=None)
@given(
    st.dates(date(2025, 1, 1), date(2027, 12, 31)),
    st.integers(0, 60),
    st.frozensets(st.dates(date(2025, 1, 1), date(2028, 3, 31)), max_size=30),
)
def test_planned_date_is_the_first_allowed_day(notice, days, holidays):
    planned = planned_suspension_date(notice, days, holidays)
    assert planned >= notice + timedelta(days=days)
    assert may_suspend_on(planned, holidays)
    assert planned.weekday() in (0, 1, 2, 3)
    assert planned not in holidays and planned + timedelta(days=1) not in holidays
    day = notice + timedelta(days=days)
    while day < planned:
        assert not may_suspend_on(day, holidays)
        day += timedelta(days=1)
