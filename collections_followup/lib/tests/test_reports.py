import sqlite3
from decimal import Decimal

import pytest
from lib.reports import (
    BUCKET_KEYS,
    aging_bucket,
    bucket_amounts,
    bucket_sql,
    excel_date_format,
    excel_money_format,
    running_balances,
)


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (-30, "not_due"),
        (0, "not_due"),
        (1, "d1_30"),
        (30, "d1_30"),
        (31, "d31_60"),
        (60, "d31_60"),
        (61, "d61_90"),
        (90, "d61_90"),
        (91, "d91_180"),
        (180, "d91_180"),
        (181, "d180"),
        (5000, "d180"),
    ],
)
def test_bucket_bounds(days, bucket):
    assert aging_bucket(days) == bucket


def test_sql_case_is_the_same_table():
    # the CASE is plain SQL: any engine evaluates it the same way
    db = sqlite3.connect(":memory:")
    for days in range(-400, 401):
        (sql_bucket,) = db.execute("SELECT %s" % bucket_sql("?"), [days] * 5).fetchone()
        assert sql_bucket == aging_bucket(days), days


def test_bucket_amounts_every_key_exact_decimals():
    totals = bucket_amounts(
        [(0, Decimal("10.10")), (1, Decimal("0.20")), (30, Decimal("0.10")), (200, Decimal("5"))]
    )
    assert tuple(totals) == BUCKET_KEYS
    assert totals["not_due"] == Decimal("10.10")
    assert totals["d1_30"] == Decimal("0.30")
    assert totals["d180"] == Decimal("5")
    assert totals["d31_60"] == 0


@pytest.mark.parametrize(
    ("odoo", "excel"),
    [
        ("%d/%m/%Y", "dd/mm/yyyy"),
        ("%m/%d/%Y", "mm/dd/yyyy"),
        ("%Y-%m-%d", "yyyy-mm-dd"),
        ("%d.%m.%y", "dd.mm.yy"),
    ],
)
def test_excel_date_format(odoo, excel):
    assert excel_date_format(odoo) == excel


def test_excel_date_format_unknown_directive():
    with pytest.raises(ValueError):
        excel_date_format("%d %H")


def test_excel_money_format():
    assert excel_money_format("R$") == '"R$" #,##0.00'
    assert excel_money_format("€", "after") == '#,##0.00 "€"'
    assert excel_money_format("¥", decimals=0) == '"¥" #,##0'


def test_running_balances():
    balances, closing = running_balances(
        Decimal("100.00"),
        [(Decimal("50.10"), Decimal(0)), (Decimal(0), Decimal("120.05")), (Decimal("0.01"), 0)],
    )
    assert balances == [Decimal("150.10"), Decimal("30.05"), Decimal("30.06")]
    assert closing == Decimal("30.06")
    assert running_balances(Decimal(5), []) == ([], Decimal(5))
