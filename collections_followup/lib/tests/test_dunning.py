from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lib.dunning import (
    Instalment,
    Level,
    PartnerContact,
    Policy,
    Postponed,
    group_claim_lines,
    next_contact_time,
    plan_run,
    promise_pauses,
    promise_status,
    reached_level,
    validate_levels,
)
from lib.workdays import days_late

MONDAY = date(2025, 3, 3)
SATURDAY = date(2025, 3, 1)
FRIDAY = date(2025, 3, 7)
TODAY = date(2025, 3, 12)  # a Wednesday: 1, 2, 9, 12, 30, 33, 40, 50 days back are working days

PRE_DUE, L1, L10, L30, L45, L90 = (
    Level("pre", -3, 1),
    Level("l1", 1, 2),
    Level("l10", 10, 3),
    Level("l30", 30, 4),
    Level("l45", 45, 5),
    Level("l90", 90, 6),
)
LEVELS = (PRE_DUE, L1, L10, L30, L45, L90)
POLICY = Policy(LEVELS, min_days_between_contacts=5)


def instalment(id, due_date, residual="100.00", partner_id=1, currency_id="BRL"):
    return Instalment(id, partner_id, currency_id, due_date, Decimal(residual))


def late(days, as_of=TODAY):
    """The due date that is exactly ``days`` late on ``as_of`` (a working day)."""
    due_date = as_of - timedelta(days=days)
    assert days_late(due_date, as_of) == days, "pick a count landing on a working day"
    return due_date


# --- levels -----------------------------------------------------------------


@pytest.mark.parametrize(
    "days, expected",
    [
        (-10, None),
        (-4, None),
        (-3, PRE_DUE),
        (0, PRE_DUE),
        (1, L1),
        (9, L1),
        (10, L10),
        (29, L10),
        (30, L30),
        (89, L45),
        (90, L90),
        (5000, L90),
    ],
)
def test_reached_level_is_highest_level_reached(days, expected):
    assert reached_level(days, reversed(LEVELS)) == expected


def test_reached_level_without_levels():
    assert reached_level(100, ()) is None


def test_validate_levels():
    assert validate_levels(LEVELS) == []
    assert validate_levels([]) == []
    errors = validate_levels([Level(1, 10), Level(2, 10), Level(3, 30)])
    assert errors == ["Duplicate days 10 in levels 1, 2: each level needs distinct days."]
    assert validate_levels([Level(1, 10), Level(1, 20)]) == ["Duplicate level 1: it appears more than once."]
    assert any("whole number" in error for error in validate_levels([Level(1, 1.5)]))


# --- days late and shifting -------------------------------------------------


def test_due_on_saturday_counts_from_monday():
    policy = Policy((L1,))
    saturday_due = instalment(1, SATURDAY)
    assert plan_run([saturday_due], policy, MONDAY) == ([], [])
    contacts, _ = plan_run([saturday_due], policy, MONDAY + timedelta(days=1))
    assert [contact.level for contact in contacts] == [L1]


def test_due_on_holiday_counts_from_next_working_day():
    policy = Policy((L1,))
    holiday_due = instalment(1, FRIDAY)  # Friday holiday, then weekend: effective Monday 10th
    holidays = {FRIDAY}
    for as_of in (date(2025, 3, 8), date(2025, 3, 10)):
        assert plan_run([holiday_due], policy, as_of, holidays=holidays) == ([], [])
    contacts, _ = plan_run([holiday_due], policy, date(2025, 3, 11), holidays=holidays)
    assert [contact.level for contact in contacts] == [L1]
    # Without the holiday the same instalment is already late on Saturday.
    contacts, _ = plan_run([holiday_due], policy, date(2025, 3, 8))
    assert [contact.level for contact in contacts] == [L1]


def test_pre_due_reminder():
    contacts, _ = plan_run([instalment(1, MONDAY + timedelta(days=3))], POLICY, MONDAY)
    assert [contact.level for contact in contacts] == [PRE_DUE]
    assert plan_run([instalment(1, MONDAY + timedelta(days=4))], POLICY, MONDAY) == ([], [])


# --- one contact per partner ------------------------------------------------


def test_three_instalments_one_contact_at_highest_level():
    instalments = [
        instalment(1, late(2), "10.00"),
        instalment(2, late(12), "20.00"),
        instalment(3, late(30), "30.00"),
    ]
    contacts, postponed = plan_run(instalments, POLICY, TODAY)
    assert postponed == []
    assert contacts == [
        PartnerContact(
            partner_id=1,
            level=L30,
            instalment_ids=(1, 2, 3),
            new_pairs=((1, "l1"), (2, "l10"), (3, "l30")),
            totals=(("BRL", Decimal("60.00")),),
        )
    ]


def test_replanning_with_executed_pairs_gives_no_contact():
    instalments = [instalment(1, late(2)), instalment(2, late(33), partner_id=2)]
    contacts, _ = plan_run(instalments, POLICY, TODAY)
    assert len(contacts) == 2
    executed = {pair for contact in contacts for pair in contact.new_pairs}
    assert plan_run(instalments, POLICY, TODAY, executed_pairs=executed) == ([], [])


def test_letter_lists_instalments_already_contacted():
    instalments = [instalment(1, late(12), "50.00"), instalment(2, late(1), "25.00")]
    contacts, _ = plan_run(instalments, POLICY, TODAY, executed_pairs={(1, "l10")})
    (contact,) = contacts
    assert contact.level == L1
    assert contact.new_pairs == ((2, "l1"),)
    assert contact.instalment_ids == (1, 2)
    assert contact.totals == (("BRL", Decimal("75.00")),)


def test_jump_to_30_executes_only_30_and_never_the_skipped_levels():
    due_date = late(30)
    chased = [instalment(1, due_date)]
    contacts, _ = plan_run(chased, POLICY, TODAY)
    assert [(contact.level, contact.new_pairs) for contact in contacts] == [(L30, ((1, "l30"),))]

    executed = set(contacts[0].new_pairs)
    contacted_levels = []
    for offset in range(1, 80):
        as_of = TODAY + timedelta(days=offset)
        contacts, postponed = plan_run(chased, POLICY, as_of, executed_pairs=executed)
        assert postponed == []
        for contact in contacts:
            executed.update(contact.new_pairs)
            contacted_levels.append(contact.level)
    assert contacted_levels == [L45, L90]
    assert executed == {(1, "l30"), (1, "l45"), (1, "l90")}


def test_min_days_postpones_then_resumes_at_then_highest_level():
    chased = [instalment(1, late(9))]
    last = TODAY - timedelta(days=2)
    contacts, postponed = plan_run(chased, POLICY, TODAY, last_contact={1: last})
    assert contacts == []
    assert postponed == [Postponed(1, L1, last + timedelta(days=5), "min_days")]

    # Next day the instalment reached +10 but is still too soon.
    _, postponed = plan_run(chased, POLICY, TODAY + timedelta(days=1), last_contact={1: last})
    assert [(p.level, p.next_date) for p in postponed] == [(L10, date(2025, 3, 15))]

    contacts, postponed = plan_run(chased, POLICY, date(2025, 3, 15), last_contact={1: last})
    assert postponed == []
    assert [(c.level, c.new_pairs) for c in contacts] == [(L10, ((1, "l10"),))]


def test_min_days_zero_never_postpones():
    policy = Policy(LEVELS, min_days_between_contacts=0)
    contacts, postponed = plan_run([instalment(1, late(1))], policy, TODAY, last_contact={1: TODAY})
    assert len(contacts) == 1 and postponed == []


def test_tolerance():
    policy = Policy(LEVELS, tolerance=Decimal("5.00"))
    small = instalment(1, late(12), "5.00")
    assert plan_run([small], policy, TODAY) == ([], [])
    contacts, _ = plan_run([small, instalment(2, late(1), "5.01")], policy, TODAY)
    (contact,) = contacts
    assert contact.instalment_ids == (2,)
    assert contact.level == L1
    assert contact.totals == (("BRL", Decimal("5.01")),)


def test_excluded_instalments_and_partners():
    instalments = [
        instalment(1, late(33)),
        instalment(2, late(1)),
        instalment(3, late(50), partner_id=2),
    ]
    contacts, _ = plan_run(instalments, POLICY, TODAY, excluded_instalment_ids={1}, excluded_partner_ids={2})
    (contact,) = contacts
    assert (contact.partner_id, contact.level, contact.instalment_ids) == (1, L1, (2,))


def test_credits_reduce_totals_per_currency():
    instalments = [
        instalment(1, late(1), "100.00", currency_id="BRL"),
        instalment(2, late(1), "40.00", currency_id="USD"),
    ]
    credits = {
        (1, "BRL"): Decimal("30.00"),
        (1, "USD"): Decimal("50.00"),  # more than the USD open: USD claims 0
        (2, "BRL"): Decimal("1000"),  # another partner's credit
    }
    (contact,), _ = plan_run(instalments, POLICY, TODAY, credits=credits)
    assert contact.totals == (("BRL", Decimal("70.00")), ("USD", Decimal("0")))


def test_credits_covering_everything_cancel_the_contact():
    instalments = [instalment(1, late(1), "100.00"), instalment(2, late(40), "20.00")]
    credits = {(1, "BRL"): Decimal("120.00")}
    too_soon = {1: TODAY - timedelta(days=1)}
    assert plan_run(instalments, POLICY, TODAY, credits=credits) == ([], [])
    assert plan_run(instalments, POLICY, TODAY, credits=credits, last_contact=too_soon) == ([], [])


def test_negative_credit_is_refused():
    with pytest.raises(ValueError, match="positive"):
        plan_run([instalment(1, late(1))], POLICY, TODAY, credits={(1, "BRL"): Decimal("-1")})


def test_multi_currency_grouping_and_partner_order():
    instalments = [
        instalment(1, late(1), "10.00", partner_id=7, currency_id="USD"),
        instalment(2, late(1), "20.00", partner_id=3, currency_id="EUR"),
        instalment(3, late(12), "30.00", partner_id=7, currency_id="BRL"),
        instalment(4, late(2), "40.00", partner_id=7, currency_id="USD"),
    ]
    contacts, _ = plan_run(instalments, POLICY, TODAY)
    assert [contact.partner_id for contact in contacts] == [3, 7]
    assert contacts[1].level == L10
    assert contacts[1].totals == (("BRL", Decimal("30.00")), ("USD", Decimal("50.00")))


def test_unsortable_ids_keep_insertion_order():
    instalments = [
        instalment("x", late(1), partner_id="b"),
        instalment(2, late(1), partner_id=1),
    ]
    contacts, _ = plan_run(instalments, POLICY, TODAY)
    assert [contact.partner_id for contact in contacts] == ["b", 1]


def test_float_amounts_from_the_orm_are_exact():
    chased = [Instalment(1, 1, "BRL", late(1), 0.1), Instalment(2, 1, "BRL", late(1), 0.2)]
    (contact,), _ = plan_run(chased, Policy(LEVELS, tolerance=0.0), TODAY)
    assert contact.totals == (("BRL", Decimal("0.3")),)


def test_plans_100k_instalments():
    start = date(2024, 1, 1)
    instalments = [
        Instalment(
            n,
            n % 10_000,
            "BRL" if n % 3 else "USD",
            start + timedelta(days=n % 400),
            Decimal(n % 997) + Decimal("0.50"),
        )
        for n in range(100_000)
    ]
    contacts, postponed = plan_run(
        instalments,
        POLICY,
        date(2025, 3, 3),
        last_contact={partner_id: date(2025, 3, 1) for partner_id in range(0, 10_000, 7)},
    )
    assert len(contacts) + len(postponed) == 10_000


# --- contact window ---------------------------------------------------------

OFFICE = {weekday: [(8, 12), (13, 18)] for weekday in range(5)}


@pytest.mark.parametrize(
    "moment, expected",
    [
        (datetime(2025, 3, 3, 9, 30), datetime(2025, 3, 3, 9, 30)),  # inside
        (datetime(2025, 3, 3, 8, 0), datetime(2025, 3, 3, 8, 0)),  # at opening
        (datetime(2025, 3, 3, 6, 15), datetime(2025, 3, 3, 8, 0)),  # before opening
        (datetime(2025, 3, 3, 12, 0), datetime(2025, 3, 3, 13, 0)),  # lunch gap
        (datetime(2025, 3, 7, 18, 0), datetime(2025, 3, 10, 8, 0)),  # Friday evening
        (datetime(2025, 3, 8, 10, 0), datetime(2025, 3, 10, 8, 0)),  # Saturday
    ],
)
def test_next_contact_time(moment, expected):
    assert next_contact_time(moment, OFFICE) == expected


def test_next_contact_time_skips_holidays_and_half_hours():
    assert next_contact_time(datetime(2025, 3, 7, 17, 0), OFFICE, holidays={date(2025, 3, 7)}) == (
        datetime(2025, 3, 10, 8, 0)
    )
    assert next_contact_time(datetime(2025, 3, 3, 7, 0), {0: [(8.5, 12)]}) == datetime(2025, 3, 3, 8, 30)
    assert next_contact_time(datetime(2025, 3, 4, 7, 0), {0: [(8.5, 12)]}) == datetime(2025, 3, 10, 8, 30)


def test_next_contact_time_without_opening_hours():
    with pytest.raises(ValueError):
        next_contact_time(datetime(2025, 3, 3), {})
    with pytest.raises(ValueError):
        next_contact_time(datetime(2025, 3, 3), {0: []})
    with pytest.raises(ValueError):
        next_contact_time(datetime(2025, 3, 3), {0: [(12, 8)]})


# --- promises to pay --------------------------------------------------------

PROMISED = date(2025, 3, 10)


@pytest.mark.parametrize(
    "as_of, paid, expected",
    [
        (date(2025, 3, 5), "0", "open"),
        (date(2025, 3, 12), "99.99", "open"),  # within 2 days of tolerance
        (date(2025, 3, 13), "99.99", "broken"),
        (date(2025, 3, 5), "100", "kept"),
        (date(2025, 4, 30), "150", "kept"),
    ],
)
def test_promise_status(as_of, paid, expected):
    status = promise_status(PROMISED, 2, as_of, Decimal("100"), Decimal(paid))
    assert status == expected
    assert promise_pauses(status) == (expected == "open")


# --- properties -------------------------------------------------------------

level_sets = st.sets(st.integers(-10, 120), min_size=1, max_size=6).map(
    lambda days: tuple(Level("L%d" % d, d) for d in sorted(days))
)


@st.composite
def scenarios(draw):
    levels = draw(level_sets)
    as_of = MONDAY + timedelta(days=draw(st.integers(0, 6)))
    count = draw(st.integers(0, 25))
    instalments = [
        Instalment(
            n,
            draw(st.integers(0, 4)),
            draw(st.sampled_from(["BRL", "USD"])),
            as_of - timedelta(days=draw(st.integers(-20, 200))),
            Decimal(draw(st.integers(0, 100_000))) / 100,
        )
        for n in range(count)
    ]
    all_pairs = [(item.id, level.id) for item in instalments for level in levels]
    executed = draw(st.sets(st.sampled_from(all_pairs))) if all_pairs else set()
    last_contact = draw(
        st.dictionaries(st.integers(0, 4), st.integers(0, 10).map(lambda d: as_of - timedelta(days=d)))
    )
    credits = draw(
        st.dictionaries(
            st.tuples(st.integers(0, 4), st.sampled_from(["BRL", "USD"])),
            st.integers(0, 50_000).map(lambda cents: Decimal(cents) / 100),
        )
    )
    policy = Policy(levels, draw(st.integers(0, 7)), Decimal(draw(st.integers(0, 500))) / 100)
    return instalments, policy, as_of, executed, last_contact, credits


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_plan_properties(scenario):
    instalments, policy, as_of, executed, last_contact, credits = scenario
    contacts, postponed = plan_run(instalments, policy, as_of, executed, last_contact, credits)
    by_id = {item.id: item for item in instalments}

    partners = [c.partner_id for c in contacts] + [p.partner_id for p in postponed]
    assert len(partners) == len(set(partners))  # at most one contact per partner
    for contact in contacts:
        assert contact.new_pairs
        for instalment_id, level_id in contact.new_pairs:
            item = by_id[instalment_id]
            level = expected_level(item.due_date, as_of, policy.levels)
            assert level.id == level_id
            assert (instalment_id, level_id) not in executed
            assert item.partner_id == contact.partner_id
        levels_by_id = {level.id: level for level in policy.levels}
        assert contact.level.days == max(levels_by_id[lv].days for _i, lv in contact.new_pairs)
        assert all(total >= 0 for _currency, total in contact.totals)
        assert any(total > 0 for _currency, total in contact.totals)
        assert all(by_id[i].residual > policy.tolerance for i in contact.instalment_ids)

    # Idempotence: once the new pairs are recorded, the same day plans nothing new.
    done = set(executed) | {pair for contact in contacts for pair in contact.new_pairs}
    again, _ = plan_run(instalments, policy, as_of, done, last_contact, credits)
    assert again == []


def expected_level(due_date, as_of, levels):
    """Oracle: pre-due levels from the printed due date, the others from the effective one."""
    before_due = (as_of - due_date).days
    after_effective = days_late(due_date, as_of)
    reached = [
        level
        for level in levels
        if (level.days < 0 and level.days <= before_due)
        or (level.days >= 0 and level.days <= after_effective)
    ]
    return max(reached, key=lambda level: level.days, default=None)


def test_pre_due_level_counts_from_the_printed_due_date():
    # due on Saturday 2025-03-15 (effective Monday 17): the -3 reminder goes on Wednesday 12,
    # the "on due date" level (0) only on Monday 17, +1 on Tuesday 18
    levels = (Level("pre", -3), Level("due", 0), Level("late", 1))
    item = Instalment(1, "p", "BRL", date(2025, 3, 15), Decimal("100"))
    policy = Policy(levels, min_days_between_contacts=0)

    def level_on(day):
        contacts, _postponed = plan_run([item], policy, day)
        return contacts[0].level.id if contacts else None

    assert level_on(date(2025, 3, 11)) is None
    assert level_on(date(2025, 3, 12)) == "pre"
    assert level_on(date(2025, 3, 16)) == "pre"  # Sunday: not yet due, not late
    assert level_on(date(2025, 3, 17)) == "due"
    assert level_on(date(2025, 3, 18)) == "late"


@settings(max_examples=200, deadline=None)
@given(level_sets, st.integers(-50, 200), st.integers(0, 50))
def test_reached_level_is_monotone(levels, days, more):
    lower, higher = reached_level(days, levels), reached_level(days + more, levels)
    if lower is not None:
        assert higher is not None and higher.days >= lower.days
    assert lower is None or lower.days <= days


# --- grouping of a communication's instalments -------------------------------


def claim(currency_id, residual, charges="0"):
    residual, charges = Decimal(residual), Decimal(charges)
    return {
        "currency_id": currency_id,
        "residual": residual,
        "charges": charges,
        "updated_total": residual + charges,
    }


def test_group_claim_lines_per_currency_in_first_seen_order():
    lines = [claim("BRL", "100.10"), claim("USD", "50"), claim("BRL", "0.20", "1.05")]
    groups = group_claim_lines(lines, {"USD": Decimal("20")})
    assert [group["currency_id"] for group in groups] == ["BRL", "USD"]
    brl, usd = groups
    assert brl["lines"] == [lines[0], lines[2]]
    assert brl["residual"] == Decimal("100.30")
    assert brl["charges"] == Decimal("1.05")
    assert brl["updated_total"] == Decimal("101.35")
    assert brl["credit"] == 0 and brl["claimed"] == Decimal("101.35")
    assert usd["credit"] == Decimal("20") and usd["claimed"] == Decimal("30")


def test_group_claim_lines_credit_above_total_claims_nothing():
    groups = group_claim_lines([claim("BRL", "10")], {"BRL": Decimal("25")})
    assert groups[0]["claimed"] == 0


def test_group_claim_lines_refuses_negative_credit():
    with pytest.raises(ValueError):
        group_claim_lines([claim("BRL", "10")], {"BRL": Decimal("-1")})


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["BRL", "USD", "EUR"]),
            st.decimals(min_value=0, max_value=10**6, places=2),
            st.decimals(min_value=0, max_value=10**4, places=2),
        ),
        max_size=30,
    ),
    st.dictionaries(
        st.sampled_from(["BRL", "USD", "EUR"]), st.decimals(min_value=0, max_value=10**6, places=2)
    ),
)
@settings(max_examples=200, deadline=None)
def test_group_claim_lines_properties(raw_lines, credits):
    lines = [claim(currency, residual, charges) for currency, residual, charges in raw_lines]
    groups = group_claim_lines(lines, credits)
    # every line lands in exactly one group, the one of its currency
    assert sum(len(group["lines"]) for group in groups) == len(lines)
    assert len({group["currency_id"] for group in groups}) == len(groups)
    for group in groups:
        assert all(line["currency_id"] == group["currency_id"] for line in group["lines"])
        assert group["residual"] == sum((line["residual"] for line in group["lines"]), Decimal(0))
        assert group["updated_total"] == group["residual"] + group["charges"]
        assert 0 <= group["claimed"] <= group["updated_total"]
        assert group["claimed"] == max(group["updated_total"] - credits.get(group["currency_id"], 0), 0)


# --- safe escalation ----------------------------------------------------------

from lib.dunning import NO_NOTICE, NOTICE_WAIT, secure_contact  # noqa: E402

SAFE_LEVELS = (Level("friendly", 10), Level("firm", 30), Level("bureau", 90))
HARSH, WRITTEN = {"bureau"}, {"friendly", "firm", "bureau"}


def contact_at(level, instalments=(1, 2)):
    return PartnerContact("p", level, tuple(instalments), tuple((i, level.id) for i in instalments), ())


def test_backlog_gets_the_highest_notice_first():
    contact = contact_at(SAFE_LEVELS[2])
    safe, postponed = secure_contact(contact, SAFE_LEVELS, HARSH, WRITTEN, [], date(2026, 3, 1), 10)
    assert postponed is None
    assert safe.level.id == "firm"
    assert safe.new_pairs == ((1, "firm"), (2, "firm"))


def test_harsh_level_waits_for_the_notice_period():
    contact = contact_at(SAFE_LEVELS[2])
    notices = [(30, date(2026, 2, 25))]
    safe, postponed = secure_contact(contact, SAFE_LEVELS, HARSH, WRITTEN, notices, date(2026, 3, 1), 10)
    assert safe is None and postponed.reason == NOTICE_WAIT
    assert postponed.next_date == date(2026, 3, 7)
    safe, postponed = secure_contact(contact, SAFE_LEVELS, HARSH, WRITTEN, notices, date(2026, 3, 7), 10)
    assert safe is contact and postponed is None


def test_notice_of_a_higher_level_does_not_count():
    contact = contact_at(SAFE_LEVELS[2])
    notices = [(90, date(2026, 1, 1))]
    safe, _postponed = secure_contact(contact, SAFE_LEVELS, HARSH, WRITTEN, notices, date(2026, 3, 1), 10)
    assert safe.level.id == "firm"


def test_gentle_levels_pass_unchanged():
    contact = contact_at(SAFE_LEVELS[1])
    assert secure_contact(contact, SAFE_LEVELS, HARSH, WRITTEN, [], date(2026, 3, 1), 10) == (contact, None)


def test_no_written_level_below_postpones():
    contact = contact_at(SAFE_LEVELS[2])
    safe, postponed = secure_contact(contact, SAFE_LEVELS, HARSH, {"bureau"}, [], date(2026, 3, 1), 10)
    assert safe is None and postponed.reason == NO_NOTICE


# --- promises to pay: per currency, paid in full -----------------------------

from lib.dunning import (  # noqa: E402 (imported next to the tests that use it)
    instalments_settled,
    promise_amount_problem,
    promise_paid_by_currency,
)


def test_promise_kept_when_settled_below_promised_amount():
    # R$ 1,500 promised on a USD 300 invoice paid in full: kept, whatever the sums say.
    assert (
        promise_status(PROMISED, 2, date(2025, 3, 20), Decimal("1500"), Decimal("300"), settled=True)
        == "kept"
    )
    assert promise_status(PROMISED, 2, date(2025, 3, 20), Decimal("1500"), Decimal("300")) == "broken"


def test_instalments_settled_compares_in_company_currency():
    # USD 0.90 converted is R$ 4.50: above a R$ 1.00 tolerance, not settled.
    assert not instalments_settled([Decimal("4.50")], Decimal("1.00"))
    assert instalments_settled([Decimal("0.90"), Decimal("0")], Decimal("1.00"))
    assert instalments_settled([0.0], 0)
    assert not instalments_settled([], Decimal("1.00")), "nothing covered is not 'paid in full'"


def test_promise_paid_by_currency_never_mixes_currencies():
    paid = promise_paid_by_currency(
        [
            ("USD", Decimal("300"), Decimal("0")),
            ("BRL", Decimal("1000"), Decimal("400")),
            ("BRL", Decimal("200"), Decimal("200")),
        ]
    )
    assert paid == {"USD": Decimal("300"), "BRL": Decimal("600")}


def test_promise_paid_ignores_a_residual_that_grew():
    paid = promise_paid_by_currency([("BRL", 100.0, 150.0), ("BRL", 100.0, 40.0)])
    assert paid == {"BRL": Decimal("60.0")}


@pytest.mark.parametrize(
    "promised, owed, problem",
    [
        ("100", "100", None),
        ("0.01", "100", None),
        ("100.01", "100", "above_owed"),
        ("500", "100", "above_owed"),
        ("0", "100", "not_positive"),
        ("-5", "100", "not_positive"),
        ("NaN", "100", "not_positive"),
        ("Infinity", "100", "not_positive"),
    ],
)
def test_promise_amount_problem(promised, owed, problem):
    assert promise_amount_problem(Decimal(promised), Decimal(owed)) == problem


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["BRL", "USD"]),
            st.decimals(min_value=0, max_value=10**6, places=2),
            st.decimals(min_value=0, max_value=10**6, places=2),
        ),
        max_size=20,
    )
)
def test_promise_paid_properties(lines):
    paid = promise_paid_by_currency(lines)
    assert all(amount >= 0 for amount in paid.values())
    for currency in paid:
        assert paid[currency] <= sum(then for cur, then, _now in lines if cur == currency)


# --- arguments as they come over XML-RPC ------------------------------------

from lib.dunning import parse_amount, parse_date  # noqa: E402


@pytest.mark.parametrize(
    "value, expected",
    [
        (1500, Decimal("1500")),
        (0.1, Decimal("0.1")),
        ("1500.50", Decimal("1500.50")),
        (" 7 ", Decimal("7")),
        (Decimal("-3"), Decimal("-3")),
    ],
)
def test_parse_amount(value, expected):
    assert parse_amount(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "abc",
        "",
        "nan",
        "NaN",
        "inf",
        "-Infinity",
        float("nan"),
        float("inf"),
        1e308,
        True,
        False,
        None,
        [1],
        {"a": 1},
        "1,5",
    ],
)
def test_parse_amount_refuses(value):
    with pytest.raises(ValueError):
        parse_amount(value)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2026-02-28", date(2026, 2, 28)),
        (date(2026, 2, 28), date(2026, 2, 28)),
    ],
)
def test_parse_date(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "x",
        "2026-02-30",
        "20260211",
        20261122,
        True,
        None,
        "",
        datetime(2026, 1, 1),
        "2026-1-1",
        ["2026-01-01"],
    ],
)
def test_parse_date_refuses(value):
    with pytest.raises(ValueError):
        parse_date(value)


def test_resume_due_date_examples():
    from lib.dunning import reached_position, resume_due_date

    levels = [-3, 1, 10, 30]
    as_of = date(2025, 6, 2)  # Monday
    # resume at +10 (position 3): ten days late that very day
    due = resume_due_date(levels, 3, as_of)
    assert due == date(2025, 5, 23)
    assert reached_position(levels, due, as_of) == 3
    # resume at +30: 30 days before is Saturday 05-03 (moves to Monday): Friday 05-02
    due = resume_due_date(levels, 4, as_of)
    assert reached_position(levels, due, as_of) == 4
    assert due == date(2025, 5, 2)
    with pytest.raises(ValueError):
        resume_due_date(levels, 0, as_of)


@given(
    st.lists(st.integers(-20, 90), min_size=1, max_size=6, unique=True),
    st.dates(date(2020, 1, 1), date(2030, 12, 31)),
    st.data(),
)
@settings(max_examples=200, deadline=None)
def test_resume_due_date_reaches_exactly_the_level(level_days, as_of, data):
    from lib.dunning import reached_position, resume_due_date

    level_days = sorted(level_days)
    position = data.draw(st.integers(1, len(level_days)))
    due = resume_due_date(level_days, position, as_of)
    if due is not None:
        assert reached_position(level_days, due, as_of) == position


# --- levels in sequence ------------------------------------------------------


def test_in_sequence_never_skips_a_level():
    """An instalment 30 days late on go-live gets +1, then +10, then +30, one
    level per run, never the pre-due reminder after its due date."""
    policy = Policy(LEVELS, min_days_between_contacts=0, in_sequence=True)
    chased = [instalment(1, late(30))]
    executed, sent = set(), []
    for offset in range(4):
        contacts, postponed = plan_run(
            chased, policy, TODAY + timedelta(days=offset), executed_pairs=executed
        )
        assert postponed == []
        for contact in contacts:
            executed.update(contact.new_pairs)
            sent.append(contact.level)
    assert sent == [L1, L10, L30], "one level per run; nothing new until +45 is reached"
    assert executed == {(1, "l1"), (1, "l10"), (1, "l30")}


@settings(max_examples=200, deadline=None)
@given(
    ages=st.lists(st.integers(min_value=-5, max_value=120), min_size=1, max_size=4),
    steps=st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=8),
)
def test_in_sequence_each_contact_moves_one_level_at_most(ages, steps):
    policy = Policy(LEVELS, min_days_between_contacts=0, in_sequence=True)
    chased = [instalment(index, TODAY - timedelta(days=age)) for index, age in enumerate(ages)]
    executed = set()
    position = {level.id: index for index, level in enumerate(LEVELS)}
    as_of = TODAY
    for step in [0] + steps:
        as_of += timedelta(days=step)
        contacts, _ = plan_run(chased, policy, as_of, executed_pairs=executed)
        for contact in contacts:
            for instalment_id, level_id in contact.new_pairs:
                done = [position[lid] for iid, lid in executed if iid == instalment_id]
                if done:
                    assert position[level_id] == max(done) + 1, "a level was skipped"
                else:
                    assert level_id in ("pre", "l1"), "the first level, or the first one after the due date"
            executed.update(contact.new_pairs)


def test_in_sequence_continues_after_a_manual_level():
    """Pairs recorded up to +30 by a collector: the next level is +45, when reached."""
    policy = Policy(LEVELS, min_days_between_contacts=0, in_sequence=True)
    chased = [instalment(1, late(12))]
    executed = {(1, "pre"), (1, "l1"), (1, "l10"), (1, "l30")}
    assert plan_run(chased, policy, TODAY, executed_pairs=executed) == ([], [])
    contacts, _ = plan_run(chased, policy, TODAY + timedelta(days=33), executed_pairs=executed)
    assert [(contact.level, contact.new_pairs) for contact in contacts] == [(L45, ((1, "l45"),))]


def test_without_sequence_the_highest_level_is_sent():
    contacts, _ = plan_run([instalment(1, late(30))], Policy(LEVELS, in_sequence=False), TODAY)
    assert [contact.level for contact in contacts] == [L30]
