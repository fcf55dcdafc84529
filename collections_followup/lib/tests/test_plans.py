from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from lib.plans import PlanError, add_months, breach, due_dates, price_payment, schedule, split

D = Decimal
money = st.decimals(min_value=D("0.01"), max_value=D("10000000"), places=2)


def test_even_split_without_interest():
    plan = schedule(D("1000.00"), date(2026, 3, 10), 3)
    assert [i.amount for i in plan.instalments] == [D("333.33"), D("333.33"), D("333.34")]
    assert plan.payable == plan.total == D("1000.00")
    assert [i.due_date for i in plan.instalments] == [date(2026, 3, 10), date(2026, 4, 10), date(2026, 5, 10)]


def test_price_table_matches_the_textbook_value():
    # R$ 10,000.00 in 12 months at 2 % a month: PMT = 945.5960...
    assert round(price_payment(D("10000"), D("0.02"), 12), 4) == D("945.5960")
    plan = schedule(D("10000.00"), date(2026, 1, 31), 12, monthly_rate=D("0.02"))
    amounts = [i.amount for i in plan.instalments]
    assert amounts[:11] == [D("945.60")] * 11
    assert sum(amounts) == plan.payable == D("11347.15")  # round(945.5960 * 12)
    assert amounts[-1] == D("11347.15") - 11 * D("945.60")
    assert plan.interest == D("1347.15")


def test_discount_charges_and_down_payment():
    plan = schedule(
        D("900.00"),
        date(2026, 2, 1),
        2,
        charges=D("100.00"),
        discount_percent=D("10"),
        down_payment=D("300.00"),
        today=date(2026, 1, 15),
    )
    assert plan.discount == D("100.00")
    assert plan.total == D("900.00")
    first = plan.instalments[0]
    assert (first.number, first.due_date, first.amount) == (0, date(2026, 1, 15), D("300.00"))
    assert [i.amount for i in plan.instalments[1:]] == [D("300.00"), D("300.00")]
    assert sum(i.amount for i in plan.instalments) == D("900.00")


def test_month_end_due_dates_do_not_drift():
    assert due_dates(date(2026, 1, 31), 4) == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
    ]
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert due_dates(date(2026, 1, 15), 2, period_months=3) == [date(2026, 1, 15), date(2026, 4, 15)]


def test_rounding_unit_of_the_currency():
    plan = schedule(D("100"), date(2026, 1, 1), 3, rounding="1")
    assert [i.amount for i in plan.instalments] == [D("33"), D("33"), D("34")]


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"debt": D("0")}, "no_debt"),
        ({"count": 0}, "no_instalment"),
        ({"count": 361}, "too_many_instalments"),
        ({"discount": D("1000")}, "discount_above_total"),
        ({"discount_percent": D("101")}, "bad_percent"),
        ({"down_payment": D("1000")}, "down_payment_above_total"),
        ({"first_due_date": date(2025, 12, 31)}, "first_due_in_past"),
        ({"discount": D("-1")}, "negative"),
        ({"period_months": 0}, "bad_period"),
        ({"down_payment": D("10"), "down_payment_date": date(2026, 2, 1)}, "down_payment_after_first"),
    ],
)
def test_bad_input_is_refused_with_a_code(kwargs, code):
    values = {"debt": D("1000"), "first_due_date": date(2026, 1, 10), "count": 3, "today": date(2026, 1, 1)}
    values.update(kwargs)
    with pytest.raises(PlanError) as error:
        schedule(values.pop("debt"), values.pop("first_due_date"), values.pop("count"), **values)
    assert error.value.code == code


def test_breach_needs_more_than_the_tolerance():
    due = date(2026, 3, 10)
    assert breach([(due, D("100"))], due + timedelta(days=15), 15) is None
    assert breach([(due, D("100"))], due + timedelta(days=16), 15) == (due, D("100"))
    assert breach([(due, D("0"))], due + timedelta(days=90), 15) is None


@settings(max_examples=300, deadline=None)
@given(
    debt=money,
    charges=st.decimals(min_value=0, max_value=D("100000"), places=2),
    count=st.integers(1, 60),
    rate=st.decimals(min_value=0, max_value=D("0.1"), places=4),
    percent=st.decimals(min_value=0, max_value=D("99"), places=2),
    down_share=st.decimals(min_value=0, max_value=D("0.99"), places=2),
)
def test_instalments_sum_exactly_and_last_takes_the_difference(
    debt, charges, count, rate, percent, down_share
):
    assume((debt + charges) * (1 - percent / 100) > count * D("0.02"))
    base_plan = schedule(debt, date(2026, 1, 31), count, charges=charges, discount_percent=percent)
    down = (base_plan.total * down_share).quantize(D("0.01"))
    if base_plan.total - down < count * D("0.01"):
        down = D("0")
    plan = schedule(
        debt,
        date(2026, 1, 31),
        count,
        charges=charges,
        discount_percent=percent,
        down_payment=down,
        monthly_rate=rate,
        down_payment_date=date(2026, 1, 1),
    )
    amounts = [i.amount for i in plan.instalments]
    assert sum(amounts) == plan.payable == plan.total + plan.interest
    assert plan.total == plan.debt + plan.charges - plan.discount
    assert plan.interest >= 0
    assert all(amount > 0 for amount in amounts)
    financed = [i for i in plan.instalments if i.number]
    assert len(financed) == count
    assert all(i.amount == financed[0].amount for i in financed[:-1])
    assert abs(financed[-1].amount - financed[0].amount) <= D("0.01") * count
    assert all(amount == amount.quantize(D("0.01")) for amount in amounts)
    assert sum(i.principal for i in plan.instalments) == plan.total


@given(amount=money, count=st.integers(1, 500))
def test_split_is_exact(amount, count):
    parts = split(amount, count)
    assert sum(parts) == amount
    assert len(set(parts[:-1])) <= 1
    assert all(part >= 0 for part in parts)
    if amount >= count * D("0.01"):
        assert all(part > 0 for part in parts)


def test_tiny_instalments_are_refused():
    with pytest.raises(PlanError) as error:
        schedule(D("0.02"), date(2026, 1, 1), 4)
    assert error.value.code == "instalment_too_small"
    assert split(D("1.00"), 60) == [D("0.01")] * 59 + [D("0.41")]
