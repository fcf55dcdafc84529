"""Late charges: worked examples from the rules, then properties with hypothesis."""

from datetime import date, timedelta
from decimal import Decimal as D
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from lib.late_fees import (
    LEGAL_CONSUMER_FINE_CAP,
    ChargeCalculator,
    Charges,
    FeeTerms,
    charges_to_invoice,
    compute_charges,
    payment_deadline,
    validate_terms,
)
from lib.money import round_money
from lib.tests.late_fees_reference import (
    _reference_compute_charges,
    _reference_exact_amounts,
)

STANDARD = FeeTerms(fine_rate=D(2), monthly_interest_rate=D(1))
MONDAY = date(2026, 1, 12)
SATURDAY = date(2026, 1, 10)
TIRADENTES = date(2026, 4, 21)  # a Tuesday


def paid_once(day, amount="1000.00", terms=STANDARD, **kwargs):
    """Charges on an instalment of ``amount`` cleared by a single payment on ``day``."""
    return compute_charges(
        D(amount), kwargs.pop("due_date", MONDAY), [(day, D(amount))], day, terms, **kwargs
    )


# --- the worked example of the specification --------------------------------


def test_two_payments_example():
    # 1000 x 1%/30 x 10 days (13-22 Jan) + 600 x 1%/30 x 20 days (23 Jan-11 Feb)
    # = 3.3333... + 4 = 7.3333... -> 7.33; fine 2% x 1000 = 20.00.
    charges = compute_charges(
        D("1000.00"),
        MONDAY,
        [(date(2026, 2, 11), D("600.00")), (date(2026, 1, 22), D("400.00"))],
        date(2026, 2, 11),
        STANDARD,
    )
    assert charges.fine == D("20.00")
    assert charges.interest == D("7.33")
    assert charges.correction == D("0.00")
    assert charges.total == D("27.33")
    assert charges.residual == D("0.00")
    assert charges.updated_total == D("27.33")
    assert charges.days_late == 30


def test_open_instalment_charges_up_to_as_of_and_ignores_later_payments():
    charges = compute_charges(
        D("1000.00"), MONDAY, [(date(2026, 1, 30), D("1000.00"))], date(2026, 1, 27), STANDARD
    )
    # 15 days x 1000 x 1%/30 = 5.00
    assert (charges.fine, charges.interest) == (D("20.00"), D("5.00"))
    assert charges.residual == D("1000.00")
    assert charges.updated_total == D("1025.00")
    assert charges.days_late == 15


def test_not_late_before_or_on_the_due_date():
    for as_of in (MONDAY - timedelta(days=3), MONDAY):
        charges = compute_charges(D("1000.00"), MONDAY, [], as_of, STANDARD)
        assert charges.total == D("0.00")
        assert charges.days_late == 0
        assert charges.residual == D("1000.00")


# --- grace, weekends and holidays -------------------------------------------


def test_payment_deadline():
    assert payment_deadline(MONDAY) == MONDAY
    assert payment_deadline(MONDAY, grace_days=5) == date(2026, 1, 17)
    assert payment_deadline(SATURDAY) == MONDAY
    assert payment_deadline(SATURDAY, grace_days=1) == MONDAY
    assert payment_deadline(TIRADENTES, holidays={TIRADENTES}) == date(2026, 4, 22)


def test_paid_within_grace_is_free():
    terms = FeeTerms(D(2), D(1), grace_days=5)
    assert paid_once(date(2026, 1, 17), terms=terms).total == D("0.00")


def test_paid_one_day_after_grace_counts_interest_from_the_original_due_date():
    terms = FeeTerms(D(2), D(1), grace_days=5)
    charges = paid_once(date(2026, 1, 18), terms=terms)
    # 6 days (13-18 Jan) x 1000 x 1%/30 = 2.00
    assert (charges.fine, charges.interest, charges.days_late) == (D("20.00"), D("2.00"), 6)


def test_due_on_saturday_paid_monday_is_on_time():
    assert paid_once(MONDAY, due_date=SATURDAY).total == D("0.00")


def test_due_on_saturday_paid_tuesday_is_late_from_saturday():
    charges = paid_once(date(2026, 1, 13), due_date=SATURDAY)
    # 3 days (11-13 Jan) x 1000 x 1%/30 = 1.00
    assert (charges.fine, charges.interest, charges.days_late) == (D("20.00"), D("1.00"), 3)


def test_holiday_due_date_moves_the_deadline():
    holidays = frozenset({TIRADENTES})
    on_time = paid_once(date(2026, 4, 22), due_date=TIRADENTES, holidays=holidays)
    late = paid_once(date(2026, 4, 23), due_date=TIRADENTES, holidays=holidays)
    assert on_time.total == D("0.00")
    # 2 days (22-23 Apr) x 1000 x 1%/30 = 0.666... -> 0.67
    assert (late.fine, late.interest) == (D("20.00"), D("0.67"))
    # Without the holiday the same Wednesday payment is already late.
    assert paid_once(date(2026, 4, 22), due_date=TIRADENTES).fine == D("20.00")


# --- fine ---------------------------------------------------------------------


def test_consumer_cap_lowers_the_fine():
    terms = FeeTerms(fine_rate=D(10), fine_cap_rate=LEGAL_CONSUMER_FINE_CAP)
    charges = paid_once(date(2026, 1, 20), terms=terms)
    assert (charges.fine, charges.fine_rate_applied, charges.capped) == (D("20.00"), D(2), True)
    uncapped = paid_once(date(2026, 1, 20), terms=FeeTerms(fine_rate=D(1), fine_cap_rate=D(2)))
    assert (uncapped.fine, uncapped.fine_rate_applied, uncapped.capped) == (D("10.00"), D(1), False)


def test_partial_payment_before_due_date_reduces_fine_and_interest():
    charges = compute_charges(
        D("1000.00"), MONDAY, [(date(2026, 1, 5), D("250.00"))], date(2026, 1, 24), STANDARD
    )
    # fine 2% x 750 = 15.00; interest 12 days x 750 x 1%/30 = 3.00
    assert (charges.fine, charges.interest) == (D("15.00"), D("3.00"))
    assert charges.residual == D("750.00")


def test_payment_on_the_due_date_reduces_the_fine_base():
    charges = compute_charges(D("1000.00"), MONDAY, [(MONDAY, D("500.00"))], date(2026, 1, 13), STANDARD)
    assert charges.fine == D("10.00")


def test_overpayment_leaves_no_negative_residual():
    charges = compute_charges(
        D("1000.00"), MONDAY, [(date(2026, 1, 22), D("1500.00"))], date(2026, 3, 1), STANDARD
    )
    assert charges.residual == D("0.00")
    assert charges.days_late == 10
    assert charges.updated_total == charges.total == D("23.33")


# --- monetary correction ----------------------------------------------------


def test_correction_within_one_period_with_a_payment():
    # Due Tue 31 Mar 2026; period 31 Mar-30 Apr has 30 days at the March rate, 3%.
    # F(1 Apr) = 1 + 0.03 x 1/30 = 1.001, F(2 Apr) = 1.002.
    # Correction: 1000 paid on 1 Apr x 0.001 + 2000 open x 0.002 = 1 + 4 = 5.00.
    # Interest on the corrected base: (3000 x 1.001 + 2000 x 1.002) x 1%/30
    #   = 5007 / 3000 = 1.669 -> 1.67.
    terms = FeeTerms(monthly_interest_rate=D(1), correction_rates={(2026, 3): D(3)})
    charges = compute_charges(
        D("3000.00"), date(2026, 3, 31), [(date(2026, 4, 1), D("1000.00"))], date(2026, 4, 2), terms
    )
    assert (charges.correction, charges.interest, charges.fine) == (D("5.00"), D("1.67"), D("0.00"))


def test_correction_compounds_month_by_month_with_month_end_clamping():
    # Due Wed 31 Dec 2025. Periods: 31 Dec-31 Jan (December rate 1%),
    # 31 Jan-28 Feb (January rate 2%), 28 Feb-31 Mar (February rate 3%, 31 days).
    # F(3 Mar) = 1.01 x 1.02 x (1 + 0.03 x 3/31) = 1.0302 + 0.092718/31
    #          = 1.0331909032... -> correction on 1000 = 33.1909... -> 33.19
    rates = {(2025, 12): D(1), (2026, 1): D(2), (2026, 2): D(3)}
    charges = compute_charges(
        D("1000.00"), date(2025, 12, 31), [], date(2026, 3, 3), FeeTerms(correction_rates=rates)
    )
    assert charges.correction == D("33.19")


def test_correction_rounds_half_up_once():
    # Due Thu 15 Jan 2026: period 15 Jan-15 Feb at 1%, then 15 Feb-15 Mar (28 days) at 0.5%.
    # F(1 Mar) = 1.01 x (1 + 0.005 x 14/28) = 1.012525 -> 12.525 -> 12.53
    rates = {(2026, 1): D(1), (2026, 2): D("0.5")}
    charges = compute_charges(
        D("1000.00"), date(2026, 1, 15), [], date(2026, 3, 1), FeeTerms(correction_rates=rates)
    )
    assert charges.correction == D("12.53")


def test_deflation_never_gives_a_negative_correction():
    rates = {(2026, 1): D(-5)}
    charges = compute_charges(D("1000.00"), MONDAY, [], date(2026, 2, 12), FeeTerms(correction_rates=rates))
    assert charges.correction == D("0.00")


def test_missing_month_counts_as_zero():
    charges = compute_charges(
        D("1000.00"), MONDAY, [], date(2026, 3, 12), FeeTerms(correction_rates={(2026, 2): D(1)})
    )
    # January period 0%, February period 1%: 1000 x 1 x 1.01 - 1000
    assert charges.correction == D("10.00")


# --- disputes -----------------------------------------------------------------


def test_dispute_days_accrue_no_interest():
    # Due Mon 2 Mar 2026; 30 days from 3 Mar to 1 Apr, 10 of them (5-14 Mar) disputed.
    # Interest: 20 days x 3000 x 1%/30 = 20.00; fine 2% x 3000 = 60.00.
    charges = compute_charges(
        D("3000.00"),
        date(2026, 3, 2),
        [],
        date(2026, 4, 1),
        STANDARD,
        dispute_periods=[(date(2026, 3, 5), date(2026, 3, 14))],
    )
    assert (charges.fine, charges.interest, charges.days_late) == (D("60.00"), D("20.00"), 30)


def test_no_fine_while_in_dispute_on_as_of():
    charges = compute_charges(
        D("3000.00"),
        date(2026, 3, 2),
        [],
        date(2026, 4, 1),
        STANDARD,
        dispute_periods=[(date(2026, 3, 22), None)],
    )
    # 19 days (3-21 Mar) x 3000 x 1%/30 = 19.00, then the open dispute freezes everything.
    assert (charges.fine, charges.interest) == (D("0.00"), D("19.00"))


def test_dispute_freezes_the_correction():
    # Same as the 1 Mar example, with 14 disputed February days: F = 1.01 exactly.
    rates = {(2026, 1): D(1), (2026, 2): D("0.5")}
    charges = compute_charges(
        D("1000.00"),
        date(2026, 1, 15),
        [],
        date(2026, 3, 1),
        FeeTerms(correction_rates=rates),
        dispute_periods=[(date(2026, 2, 16), date(2026, 3, 1))],
    )
    assert charges.correction == D("10.00")


# --- currencies ---------------------------------------------------------------


def test_yen_rounds_to_whole_units():
    charges = compute_charges(D(100000), MONDAY, [], date(2026, 1, 22), STANDARD, rounding=D(1))
    # interest 100000 x 1%/30 x 10 = 333.33 -> 333
    assert (charges.fine, charges.interest, charges.total) == (D(2000), D(333), D(2333))
    assert charges.interest.as_tuple().exponent == 0


def test_rounding_to_five_cents():
    charges = compute_charges(D("1000.00"), MONDAY, [], date(2026, 1, 22), STANDARD, rounding=D("0.05"))
    # interest 3.3333... -> 3.35 (nearest 0.05)
    assert (charges.fine, charges.interest, charges.total) == (D("20.00"), D("3.35"), D("23.35"))


# --- terms --------------------------------------------------------------------


def test_valid_terms_have_no_problems():
    assert validate_terms(FeeTerms()) == []
    assert validate_terms(FeeTerms(D(2), D(10), 365, D(2), {(2026, 1): D("-99.9")})) == []


def test_invalid_terms_are_explained():
    problems = validate_terms(
        FeeTerms(
            fine_rate=D(101),
            monthly_interest_rate=D("10.01"),
            grace_days=-1,
            fine_cap_rate=D(-1),
            correction_rates={(2026, 13): D(1), (2026, 1): D(-100)},
        )
    )
    assert problems == [
        "Fine rate must be between 0% and 100%, got 101%.",
        "Monthly interest rate must be between 0% and 10%, got 10.01%.",
        "Fine cap rate must be between 0% and 100%, got -1%.",
        "Grace days must be between 0 and 365, got -1.",
        "Correction rate of 2026-01 must be above -100% and at most 100%, got -100%.",
        "Correction month 2026-13 is not a calendar month.",
    ]
    assert validate_terms(FeeTerms(grace_days=366)) == ["Grace days must be between 0 and 365, got 366."]


def test_compute_refuses_invalid_terms_and_negative_amounts():
    with pytest.raises(ValueError, match="Monthly interest rate"):
        compute_charges(D(100), MONDAY, [], date(2026, 2, 1), FeeTerms(monthly_interest_rate=D(11)))
    with pytest.raises(ValueError, match="payment"):
        compute_charges(D(100), MONDAY, [(MONDAY, D(-1))], date(2026, 2, 1), STANDARD)


# --- invoicing on demand ------------------------------------------------------


def test_charges_to_invoice_only_what_is_new():
    accrued = compute_charges(D("1000.00"), MONDAY, [], date(2026, 2, 11), STANDARD)
    assert (accrued.fine, accrued.interest) == (D("20.00"), D("10.00"))
    assert charges_to_invoice(accrued, None, None) == {
        "fine": D("20.00"),
        "interest": D("10.00"),
        "correction": D("0.00"),
    }
    assert charges_to_invoice(accrued, {"fine": D(20), "interest": 6.5}, {"interest": D(1)}) == {
        "fine": D("0.00"),
        "interest": D("2.50"),
        "correction": D("0.00"),
    }
    # Invoicing more than accrued (e.g. a payment moved back) never yields a negative line.
    assert charges_to_invoice(accrued, {"fine": D(25)}, {}, D(1))["fine"] == D(0)


# --- properties ---------------------------------------------------------------

DUE = date(2026, 1, 30)  # a Friday: the last day of month clamping is exercised
money = st.integers(min_value=1, max_value=10**7).map(lambda cents: D(cents) / 100)
rate = st.integers(min_value=0, max_value=1000).map(lambda basis: D(basis) / 100)
offsets = st.integers(min_value=-10, max_value=150)
payments = st.lists(st.tuples(offsets.map(lambda n: DUE + timedelta(days=n)), money), max_size=4)
correction_months = st.sampled_from([(2026, month) for month in range(1, 8)])


def fee_terms(min_correction=-5):
    correction = st.dictionaries(
        correction_months,
        st.integers(min_value=min_correction * 100, max_value=500).map(lambda b: D(b) / 100),
    )
    return st.builds(
        FeeTerms,
        fine_rate=rate,
        monthly_interest_rate=rate,
        grace_days=st.integers(min_value=0, max_value=10),
        fine_cap_rate=st.none() | st.just(LEGAL_CONSUMER_FINE_CAP),
        correction_rates=st.none() | correction,
    )


disputes = st.lists(
    st.tuples(offsets.map(lambda n: DUE + timedelta(days=n)), st.none() | st.integers(0, 20)),
    max_size=2,
).map(
    lambda pairs: [(start, None if days is None else start + timedelta(days=days)) for start, days in pairs]
)
roundings = st.sampled_from([D("0.01"), D(1), D("0.05")])
as_of_days = offsets.map(lambda n: DUE + timedelta(days=n))
holidays = st.sets(st.sampled_from([DUE, DUE + timedelta(days=3)]))


def total_is_sum_of_rounded_parts(charges: Charges, unit):
    parts = (
        charges.fine,
        charges.interest,
        charges.correction,
        charges.total,
        charges.residual,
        charges.updated_total,
    )
    assert all(part >= 0 for part in parts)
    assert all(part.as_tuple().exponent == unit.as_tuple().exponent for part in parts)
    assert all(part % unit == 0 for part in parts)
    assert charges.total == charges.fine + charges.interest + charges.correction
    assert charges.updated_total == charges.residual + charges.total


@settings(max_examples=200, deadline=None)
@given(money, payments, as_of_days, fee_terms(), roundings, holidays, disputes)
def test_charges_are_never_negative_and_rounded_once(
    amount, paid, as_of, terms, unit, holiday_set, dispute_periods
):
    charges = compute_charges(
        amount, DUE, paid, as_of, terms, unit, holiday_set, dispute_periods=dispute_periods
    )
    total_is_sum_of_rounded_parts(charges, unit)
    if charges.total > 0:
        assert charges.days_late > 0


@settings(max_examples=200, deadline=None)
@given(money, payments, as_of_days, rate, roundings)
def test_fine_never_exceeds_the_cap(amount, paid, as_of, fine_rate, unit):
    terms = FeeTerms(fine_rate=fine_rate, fine_cap_rate=LEGAL_CONSUMER_FINE_CAP)
    charges = compute_charges(amount, DUE, paid, as_of, terms, unit)
    base = max(D(0), amount - sum((p for day, p in paid if day <= min(DUE, as_of)), D(0)))
    assert charges.fine <= round_money(LEGAL_CONSUMER_FINE_CAP / 100 * base, unit)
    assert charges.fine_rate_applied <= LEGAL_CONSUMER_FINE_CAP


@settings(max_examples=200, deadline=None)
@given(money, payments, as_of_days, st.integers(1, 60), fee_terms(), disputes)
def test_interest_never_decreases_with_time(amount, paid, as_of, extra_days, terms, dispute_periods):
    earlier = compute_charges(amount, DUE, paid, as_of, terms, dispute_periods=dispute_periods)
    later = compute_charges(
        amount, DUE, paid, as_of + timedelta(days=extra_days), terms, dispute_periods=dispute_periods
    )
    assert later.interest >= earlier.interest


# Deflation makes the correction factor fall, so paying later can then correct less:
# the two payment properties hold for non-negative index rates.
@settings(max_examples=200, deadline=None)
@given(money, payments, as_of_days, fee_terms(min_correction=0), disputes, st.data())
def test_paying_earlier_never_costs_more(amount, paid, as_of, terms, dispute_periods, data):
    assume(paid)
    index = data.draw(st.integers(0, len(paid) - 1))
    day, value = paid[index]
    moved = list(paid)
    moved[index] = (day - timedelta(days=data.draw(st.integers(1, 40))), value)
    before = compute_charges(amount, DUE, paid, as_of, terms, dispute_periods=dispute_periods)
    after = compute_charges(amount, DUE, moved, as_of, terms, dispute_periods=dispute_periods)
    assert after.total <= before.total


@settings(max_examples=200, deadline=None)
@given(money, payments, as_of_days, fee_terms(min_correction=0), disputes, st.data())
def test_paying_more_never_costs_more(amount, paid, as_of, terms, dispute_periods, data):
    assume(paid)
    index = data.draw(st.integers(0, len(paid) - 1))
    day, value = paid[index]
    larger = list(paid)
    larger[index] = (day, value + data.draw(money))
    before = compute_charges(amount, DUE, paid, as_of, terms, dispute_periods=dispute_periods)
    after = compute_charges(amount, DUE, larger, as_of, terms, dispute_periods=dispute_periods)
    assert after.total <= before.total
    assert after.residual <= before.residual


def test_terms_problems_give_codes_and_values_for_translation():
    from lib.late_fees import PROBLEM_MESSAGES, terms_problems

    problems = terms_problems(FeeTerms(fine_rate=D(-1), correction_rates={(2026, 2): D(-100)}))
    assert [code for code, _values in problems] == ["fine_rate", "correction_rate"]
    assert problems[0][1] == {"low": 0, "high": 100, "value": D(-1)}
    assert set(PROBLEM_MESSAGES) == {
        "fine_rate",
        "monthly_interest_rate",
        "fine_cap_rate",
        "grace_days",
        "correction_rate",
        "correction_month",
    }


# --- the interval computation is the day-by-day definition (issue 8) ---------
#
# ``compute_charges`` sums the days between events in closed form; the oracle in
# ``late_fees_reference`` walks every day as the code did before. They must agree
# to the unit on every schedule. The one place they may differ is an exact half
# unit that the 40-digit day loop misses by a hair (1/3000 is no finite decimal):
# there the exact day-by-day values (in fractions) decide, rounded once, half-up.

CENTS = D("0.01")


@st.composite
def schedules(draw):
    """An instalment with everything that moves the charges."""
    due = draw(st.dates(min_value=date(2019, 1, 1), max_value=date(2030, 12, 31)))
    amount = draw(st.one_of(money, st.integers(1, 2000).map(lambda n: D(n) / 2)))
    day = st.integers(-40, 420).map(lambda n: due + timedelta(days=n))
    paid = draw(st.lists(st.tuples(day, st.one_of(money, st.just(amount), st.just(D(0)))), max_size=5))
    as_of = draw(st.integers(-10, 500).map(lambda n: due + timedelta(days=n)))
    months = [
        ((due.year * 12 + due.month - 1 + k) // 12, (due.month - 1 + k) % 12 + 1) for k in range(-1, 18)
    ]
    index_rate = st.one_of(
        st.integers(-1000, 1500).map(lambda b: D(b) / 100),  # deflation included
        st.integers(-3, 3).map(D),
        st.sampled_from([D("0.33"), D("-0.5"), D("1.25")]),
    )
    rates = draw(st.none() | st.dictionaries(st.sampled_from(months), index_rate, max_size=19))
    terms = FeeTerms(
        fine_rate=draw(rate),
        monthly_interest_rate=draw(st.one_of(rate, st.sampled_from([D(1), D("0.033"), D(10)]))),
        grace_days=draw(st.integers(0, 40)),
        fine_cap_rate=draw(st.none() | st.just(LEGAL_CONSUMER_FINE_CAP)),  # business | consumer
        correction_rates=rates,
    )
    disputes = draw(
        st.lists(
            st.tuples(day, st.none() | st.integers(-2, 90)).map(
                lambda pair: (pair[0], None if pair[1] is None else pair[0] + timedelta(days=pair[1]))
            ),
            max_size=3,
        )
    )
    holidays = draw(st.sets(st.integers(0, 6).map(lambda n: due + timedelta(days=n)), max_size=4))
    weekend = draw(st.sampled_from([frozenset({5, 6}), frozenset({6}), frozenset()]))
    unit = draw(st.sampled_from([CENTS, CENTS, D(1), D("0.05")]))
    return amount, due, paid, as_of, terms, unit, frozenset(holidays), weekend, disputes


@settings(max_examples=3000, deadline=None)
@given(schedules())
def test_intervals_give_the_day_by_day_charges(schedule):
    amount, due, paid, as_of, terms, unit, holiday_set, weekend, dispute_periods = schedule
    fast = compute_charges(amount, due, paid, as_of, terms, unit, holiday_set, weekend, dispute_periods)
    daily = _reference_compute_charges(
        amount, due, paid, as_of, terms, unit, holiday_set, weekend, dispute_periods
    )
    exact = _reference_exact_amounts(amount, due, paid, as_of, terms, holiday_set, weekend, dispute_periods)
    for name, value in zip(("fine", "interest", "correction"), exact, strict=False):
        units = max(Fraction(0), value) / Fraction(unit)
        half_up = D(int(units + Fraction(1, 2))) * unit
        assert getattr(fast, name) == half_up, name
        if getattr(daily, name) != half_up:  # the 40-digit loop just under an exact half unit
            assert units.denominator == 2 and getattr(daily, name) == half_up - unit, name
    for name in ("residual", "days_late", "fine_rate_applied", "capped"):
        assert getattr(fast, name) == getattr(daily, name), name
    assert fast.total == fast.fine + fast.interest + fast.correction
    assert fast.updated_total == fast.residual + fast.total


def test_an_exact_half_cent_rounds_up():
    # Due Wed 1 Apr 2026: the April period has 30 days, at 1%. After 10 days
    # F = 1 + 1% x 10/30, and 4.50 x 1/300 = 0.015 exactly -> 0.02. The 40-digit
    # day loop got 0.0149999... and charged 0.01.
    terms = FeeTerms(correction_rates={(2026, 4): D(1)})
    charges = compute_charges(D("4.50"), date(2026, 4, 1), [], date(2026, 4, 11), terms)
    assert charges.correction == D("0.02")
    daily = _reference_compute_charges(D("4.50"), date(2026, 4, 1), [], date(2026, 4, 11), terms)
    assert daily.correction == D("0.01")


def test_years_late_cost_events_not_days():
    # 30 years late with a payment a year: the interval computation sums each
    # piece in closed form, so it equals the day loop on a schedule of 11,000 days.
    rates = {(2000 + n // 12, n % 12 + 1): D("0.5") for n in range(12 * 31)}
    terms = FeeTerms(D(2), D(1), correction_rates=rates)
    paid = [(date(2001 + n, 6, 1), D("10.00")) for n in range(29)]
    args = (D("1000.00"), date(2000, 1, 31), paid, date(2030, 2, 1), terms)
    assert compute_charges(*args) == _reference_compute_charges(*args)


def test_many_instalments_share_one_calculator():
    calculator = ChargeCalculator(date(2026, 3, 1))
    one = calculator.charges(D("1000.00"), MONDAY, [(date(2026, 1, 22), D("400.00"))], STANDARD)
    again = calculator.charges(D("1000.00"), MONDAY, [(date(2026, 1, 22), D("400.00"))], STANDARD)
    assert (
        one
        == again
        == compute_charges(
            D("1000.00"), MONDAY, [(date(2026, 1, 22), D("400.00"))], date(2026, 3, 1), STANDARD
        )
    )
    with pytest.raises(ValueError, match="Fine rate"):
        calculator.charges(D(1), MONDAY, [], FeeTerms(fine_rate=D(101)))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            money,
            st.integers(0, 90).map(lambda n: date(2025, 11, 1) + timedelta(days=n)),
            st.lists(
                st.tuples(st.integers(0, 150).map(lambda n: date(2025, 11, 1) + timedelta(days=n)), money),
                max_size=3,
            ),
        ),
        min_size=1,
        max_size=25,
    ),
    st.integers(0, 200).map(lambda n: date(2025, 11, 1) + timedelta(days=n)),
)
def test_one_calculator_for_many_instalments_gives_each_ones_charges(instalments, as_of):
    # The calculator shares deadlines, index periods and correction curves
    # between instalments: sharing must not change any instalment's charges.
    rates = {(2025, 11): D("0.4"), (2025, 12): D("0.62"), (2026, 1): D("-0.2"), (2026, 2): D("0.5")}
    terms = FeeTerms(D(2), D(1), correction_rates=rates)
    calculator = ChargeCalculator(as_of)
    shared = [calculator.charges(amount, due, paid, terms) for amount, due, paid in instalments]
    alone = [compute_charges(amount, due, paid, as_of, terms) for amount, due, paid in instalments]
    assert shared == alone
