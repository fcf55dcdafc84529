"""The worked examples of README "KPIs", to the cent and to one decimal."""

from datetime import date
from decimal import Decimal

from lib.kpis import average_days_to_pay, cei, dso, first_payment_default, iag, percent, recovered_by_level


def test_dso_worked_example():
    # 45,000.00 receivable on 31 March, 90,000.00 invoiced over the 90 days of Q1
    assert dso(Decimal("45000.00"), Decimal("90000.00"), 90) == Decimal("45.0")
    assert dso(Decimal("1000"), Decimal("3000"), 31) == Decimal("10.3")  # 10.333...
    assert dso(Decimal("1000"), 0, 31) is None


def test_cei_worked_example():
    # opening 20,000.00 + sales 90,000.00 - closing 45,000.00 = 65,000.00 collected,
    # out of 20,000.00 + 90,000.00 - 25,000.00 not yet due = 85,000.00 collectable
    assert cei(Decimal("20000"), Decimal("90000"), Decimal("45000"), Decimal("25000")) == Decimal("76.5")
    assert cei(0, 0, 0, 0) is None


def test_iag_worked_example():
    assert iag(Decimal("20000.00"), Decimal("45000.00")) == Decimal("44.4")
    assert iag(0, 0) is None


def test_percent_rounds_half_up_once():
    assert percent(1, 8) == Decimal("12.5")
    assert percent(1, 3) == Decimal("33.3")
    assert percent(2, 3) == Decimal("66.7")


def test_recovered_worked_example():
    contacts = [
        (date(2025, 3, 1), "friendly", [10, 11]),
        (date(2025, 3, 10), "firm", [10]),
        (date(2025, 3, 5), None, [12]),  # a logged call
    ]
    payments = [
        (10, date(2025, 3, 5), Decimal("100.00")),  # after the friendly reminder
        (10, date(2025, 3, 12), Decimal("50.50")),  # after the firm one
        (11, date(2025, 3, 20), Decimal("70.00")),  # 19 days after: beyond the window
        (12, date(2025, 3, 6), Decimal("30.25")),  # after the call
        (13, date(2025, 3, 6), Decimal("999.00")),  # never claimed
        (12, date(2025, 3, 4), Decimal("5.00")),  # before the call
    ]
    total, per_level = recovered_by_level(contacts, payments, 15)
    assert total == Decimal("180.75")
    assert per_level == {"friendly": Decimal("100.00"), "firm": Decimal("50.50"), None: Decimal("30.25")}


def test_first_payment_default_worked_example():
    start, end = date(2025, 1, 1), date(2025, 3, 31)
    firsts = [
        (date(2025, 1, 10), date(2025, 1, 20)),  # paid 10 days late: fine
        (date(2025, 1, 10), date(2025, 2, 20)),  # 41 days late: default
        (date(2025, 2, 1), None),  # unpaid, 58 days late at the end: default
        (date(2025, 3, 20), None),  # 11 days before the end: too recent to tell
        (date(2024, 12, 1), None),  # before the period
    ]
    assert first_payment_default(firsts, start, end, 30) == (Decimal("66.7"), 2, 3)
    assert first_payment_default([], start, end, 30) == (None, 0, 0)


def test_average_days_to_pay_worked_example():
    paid = [
        (date(2025, 1, 1), date(2025, 1, 31)),
        (date(2025, 1, 1), date(2025, 2, 15)),
        (date(2025, 2, 1), date(2025, 2, 11)),
    ]
    assert average_days_to_pay(paid) == Decimal("28.3")  # (30 + 45 + 10) / 3
    assert average_days_to_pay([]) is None
