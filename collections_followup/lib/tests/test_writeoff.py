from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lib.writeoff import (
    BANKRUPTCY,
    SECURED_LARGE,
    SECURED_SMALL,
    UNSECURED_LARGE,
    UNSECURED_MEDIUM,
    UNSECURED_SMALL,
    Thresholds,
    deductibility,
    overdue_more_than,
)

DUE = date(2024, 1, 31)


def test_six_months_means_strictly_more():
    assert not overdue_more_than(DUE, date(2024, 7, 31), 6)
    assert overdue_more_than(DUE, date(2024, 8, 1), 6)


@pytest.mark.parametrize(
    ("amount", "on", "flags", "expected"),
    [
        ("15000.00", date(2024, 8, 1), {}, UNSECURED_SMALL),
        ("15000.00", date(2024, 7, 31), {}, None),
        ("15000.01", date(2024, 8, 1), {}, None),  # band b needs a year
        ("15000.01", date(2025, 2, 1), {}, None),  # and the administrative collection
        ("15000.01", date(2025, 2, 1), {"administrative_collection": True}, UNSECURED_MEDIUM),
        ("100000.00", date(2025, 2, 1), {"administrative_collection": True}, UNSECURED_MEDIUM),
        ("100000.01", date(2025, 2, 1), {"administrative_collection": True}, None),
        ("100000.01", date(2025, 2, 1), {"lawsuit": True}, UNSECURED_LARGE),
        ("50000.00", date(2026, 1, 31), {"secured": True}, None),  # two years, not more
        ("50000.00", date(2026, 2, 1), {"secured": True}, SECURED_SMALL),
        ("50000.01", date(2026, 2, 1), {"secured": True}, None),
        ("50000.01", date(2026, 2, 1), {"secured": True, "lawsuit": True}, SECURED_LARGE),
        ("999999.00", date(2024, 2, 1), {"bankruptcy": True}, BANKRUPTCY),
    ],
)
def test_bands_of_article_9(amount, on, flags, expected):
    assert deductibility(Decimal(amount), DUE, on, **flags) == expected


def test_thresholds_are_parameters():
    strict = Thresholds(small_amount=Decimal("5000"), small_months=12)
    assert deductibility(Decimal("6000"), DUE, date(2024, 8, 1)) == UNSECURED_SMALL
    assert deductibility(Decimal("6000"), DUE, date(2024, 8, 1), thresholds=strict) is None


@given(
    amount=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1000000"), places=2),
    days=st.integers(0, 3000),
    extra=st.integers(0, 3000),
    flags=st.fixed_dictionaries(
        {
            "secured": st.booleans(),
            "administrative_collection": st.booleans(),
            "lawsuit": st.booleans(),
        }
    ),
)
def test_a_met_criterion_stays_met_later_and_with_more_collection(amount, days, extra, flags):
    on = DUE + timedelta(days=days)
    criterion = deductibility(amount, DUE, on, **flags)
    if criterion:
        assert deductibility(amount, DUE, on + timedelta(days=extra), **flags) == criterion
        assert deductibility(amount, DUE, on, **{**flags, "lawsuit": True}) is not None
