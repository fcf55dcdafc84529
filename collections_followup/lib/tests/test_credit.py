"""Credit holds: limit, overdue, manual, dunning, suspension, releases."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lib.credit import (
    Exposure,
    HoldReason,
    HoldSettings,
    PartnerCreditState,
    available_credit,
    credit_rating,
    exposure_from_rows,
    format_reason,
    hold_reasons,
)

TODAY = date(2025, 3, 17)
CHECK_ALL = HoldSettings()
D = Decimal


def partner(limit=D("1000.00"), open_receivables=D("600.00"), **values):  # noqa: B008 (Decimal constants)
    return PartnerCreditState(
        limit=limit,
        exposure=Exposure(open_receivables=open_receivables),
        oldest_overdue_due_date=values.pop("oldest_overdue_due_date", None),
        **values,
    )


def codes(state, check=CHECK_ALL, as_of=TODAY, **kwargs):
    return [reason.code for reason in hold_reasons(state, check, as_of, **kwargs)]


def test_exposure_total_subtracts_credits_and_can_be_negative():
    exposure = Exposure(D("100"), D("20"), D("30"), D("50"))
    assert exposure.total == D("100")
    assert Exposure(unreconciled_credits=D("10")).total == D("-10")


def test_exposure_from_rows_sums_each_kind_and_rounds_float_noise():
    exposure = exposure_from_rows(
        [
            ("open", D("100.10")),
            ("open", 0.1 + 0.2),
            ("draft", D("20")),
            ("to_invoice", D("30")),
            ("credit", D("50")),
        ]
    )
    assert exposure == Exposure(D("100.40"), D("20.00"), D("30.00"), D("50.00"))
    assert exposure.total == D("100.40")
    with pytest.raises(ValueError):
        exposure_from_rows([("refund", D("1"))])


def test_document_exactly_at_the_limit_passes():
    assert codes(partner(), document_amount=D("400.00")) == []


def test_document_just_below_the_limit_passes():
    assert codes(partner(), document_amount=D("399.99")) == []


def test_document_just_above_the_limit_is_blocked_with_the_figures():
    [reason] = hold_reasons(partner(), CHECK_ALL, TODAY, document_amount=D("400.01"))
    assert reason == HoldReason(
        "credit_limit",
        {
            "limit": D("1000.00"),
            "exposure": D("600.00"),
            "document_amount": D("400.01"),
            "excess": D("0.01"),
        },
    )
    assert all(type(value) is Decimal for value in reason.values.values())


def test_limit_zero_allows_no_credit_and_no_limit_allows_everything():
    no_credit = partner(limit=D("0"), open_receivables=D("0"))
    assert codes(no_credit, document_amount=D("0.01")) == ["credit_limit"]
    assert codes(no_credit, document_amount=D("0")) == []
    assert codes(partner(limit=None), document_amount=D("1000000")) == []


def test_float_limit_from_the_orm_stays_exact():
    state = partner(limit=1000.1)
    [reason] = hold_reasons(state, CHECK_ALL, TODAY, document_amount=400.2)
    assert reason.values["excess"] == D("0.1")


def test_overdue_exactly_the_allowed_days_passes_one_more_blocks():
    due = TODAY - timedelta(days=15)
    assert codes(partner(oldest_overdue_due_date=due)) == []
    state = partner(oldest_overdue_due_date=due - timedelta(days=1), overdue_amount=D("80"))
    [reason] = hold_reasons(state, CHECK_ALL, TODAY)
    assert reason == HoldReason(
        "overdue",
        {
            "days": 16,
            "max_days": 15,
            "due_date": date(2025, 3, 1),
            "amount": D("80"),
        },
    )


def test_overdue_counts_calendar_days_from_the_effective_due_date_given():
    # 2025-03-01 is a Saturday: the caller already moved it, we do not move it again.
    saturday = date(2025, 3, 1)
    assert codes(partner(oldest_overdue_due_date=saturday), as_of=date(2025, 3, 16)) == []
    assert codes(partner(oldest_overdue_due_date=saturday), as_of=date(2025, 3, 17)) == ["overdue"]


def test_manual_dunning_and_suspension_holds():
    state = partner(
        manual_hold_reason="Cheque returned",
        dunning_hold_level="Third notice",
        suspended_since=date(2025, 2, 1),
        suspension_reason="Protest",
    )
    reasons = hold_reasons(state, CHECK_ALL, TODAY)
    assert [reason.code for reason in reasons] == ["manual", "dunning", "suspended"]
    assert reasons[0].values == {"reason": "Cheque returned"}
    assert reasons[1].values == {"level": "Third notice"}
    assert reasons[2].values == {"date": date(2025, 2, 1), "reason": "Protest"}


def test_odoo_false_means_not_set():
    state = partner(limit=False, manual_hold_reason=False, dunning_hold_level=False)
    assert codes(state, document_amount=D("5000")) == []


def test_all_reasons_come_in_rule_order():
    state = partner(
        oldest_overdue_due_date=date(2024, 12, 1),
        manual_hold_reason="x",
        dunning_hold_level="y",
        suspended_since=date(2025, 1, 1),
    )
    assert codes(state, document_amount=D("500")) == [
        "credit_limit",
        "overdue",
        "manual",
        "dunning",
        "suspended",
    ]


@pytest.mark.parametrize(
    "switch, code",
    [
        ("check_limit", "credit_limit"),
        ("check_overdue", "overdue"),
        ("check_manual", "manual"),
        ("check_dunning", "dunning"),
        ("check_suspension", "suspended"),
    ],
)
def test_each_switch_turns_its_reason_off(switch, code):
    state = partner(
        oldest_overdue_due_date=date(2024, 12, 1),
        manual_hold_reason="x",
        dunning_hold_level="y",
        suspended_since=date(2025, 1, 1),
    )
    remaining = codes(state, HoldSettings(**{switch: False}), document_amount=D("500"))
    assert code not in remaining
    assert len(remaining) == 4


def test_overdue_days_setting_moves_the_threshold():
    state = partner(oldest_overdue_due_date=TODAY - timedelta(days=5))
    assert codes(state, HoldSettings(overdue_days=5)) == []
    assert codes(state, HoldSettings(overdue_days=4)) == ["overdue"]


def test_credit_note_is_never_blocked():
    state = partner(limit=D("0"), manual_hold_reason="x", suspended_since=TODAY)
    assert codes(state, document_amount=D("999"), document_lowers_exposure=True) == []


def test_release_until_today_unblocks_until_yesterday_does_not():
    blocked = {"manual_hold_reason": "x", "oldest_overdue_due_date": date(2024, 1, 1)}
    assert codes(partner(release_until=TODAY, **blocked), document_amount=D("900")) == []
    yesterday = TODAY - timedelta(days=1)
    assert codes(partner(release_until=yesterday, **blocked), document_amount=D("900")) == [
        "credit_limit",
        "overdue",
        "manual",
    ]


def test_available_credit():
    assert available_credit(D("1000"), Exposure(D("600"), unreconciled_credits=D("100"))) == D("500")
    assert available_credit(D("100"), Exposure(D("150"))) == D("-50")
    assert available_credit(None, Exposure(D("150"))) is None


def test_format_reason_translates_the_english_source_before_filling_it():
    sources = []

    def translate(source):
        sources.append(source)
        return "[pt] " + source

    reason = hold_reasons(partner(), CHECK_ALL, TODAY, document_amount=D("500.00"))[0]
    text = format_reason(reason, translate, format_amount=lambda amount: "R$ %s" % amount)
    assert sources == [
        "Credit limit exceeded: exposure %(exposure)s plus this document %(document)s"
        " is above the limit %(limit)s by %(excess)s."
    ]
    assert text.startswith("[pt] Credit limit exceeded")
    for amount in ("R$ 600.00", "R$ 500.00", "R$ 1000.00", "R$ 100.00"):
        assert amount in text


def test_format_reason_for_every_code():
    overdue = HoldReason(
        "overdue",
        {
            "days": 16,
            "max_days": 15,
            "due_date": date(2025, 3, 1),
            "amount": D("80.00"),
        },
    )
    text = format_reason(overdue, format_date=lambda day: day.strftime("%d/%m/%Y"))
    assert "01/03/2025" in text and "16" in text and "15" in text and "80.00" in text
    assert format_reason(HoldReason("manual", {"reason": "Cheque returned"})) == (
        "Credit on manual hold: Cheque returned"
    )
    assert format_reason(HoldReason("manual", {"reason": ""})) == "Credit on manual hold."
    assert "Third notice" in format_reason(HoldReason("dunning", {"level": "Third notice"}))
    suspended = HoldReason("suspended", {"date": date(2025, 2, 1), "reason": None})
    assert format_reason(suspended) == "Customer suspended since 2025-02-01."
    with pytest.raises(ValueError):
        format_reason(HoldReason("unknown", {}))


def test_credit_rating_boundaries():
    assert [credit_rating(score) for score in (1000, 800, 799, 600, 400, 200, 199, 0)] == [
        "A",
        "A",
        "B",
        "B",
        "C",
        "D",
        "E",
        "E",
    ]
    assert credit_rating(None) is None
    assert credit_rating(50, thresholds=((50, "OK"),)) == "OK"


money = st.decimals(min_value=-(10**7), max_value=10**7, places=2, allow_nan=False)
positive_money = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False)
exposures = st.builds(Exposure, positive_money, positive_money, positive_money, positive_money)


@settings(max_examples=200, deadline=None)
@given(limit=positive_money, exposure=exposures, smaller=money, extra=positive_money)
def test_credit_limit_hold_is_monotone_in_the_document_amount(limit, exposure, smaller, extra):
    state = PartnerCreditState(limit=limit, exposure=exposure, oldest_overdue_due_date=None)
    if "credit_limit" in codes(state, document_amount=smaller):
        assert "credit_limit" in codes(state, document_amount=smaller + extra + D("0.01"))


@settings(max_examples=200, deadline=None)
@given(limit=money, exposure=exposures)
def test_available_credit_is_limit_minus_exposure(limit, exposure):
    assert available_credit(limit, exposure) == limit - exposure.total


@settings(max_examples=200, deadline=None)
@given(
    limit=st.none() | positive_money,
    exposure=exposures,
    document=money,
    days_late=st.none() | st.integers(-30, 400),
    manual=st.none() | st.text(max_size=5),
    level=st.none() | st.just("Final"),
    suspended=st.booleans(),
    check=st.builds(
        HoldSettings,
        st.booleans(),
        st.booleans(),
        st.integers(0, 60),
        st.booleans(),
        st.booleans(),
        st.booleans(),
    ),
)
def test_reasons_are_never_duplicated_and_in_rule_order(
    limit, exposure, document, days_late, manual, level, suspended, check
):
    state = PartnerCreditState(
        limit=limit,
        exposure=exposure,
        oldest_overdue_due_date=None if days_late is None else TODAY - timedelta(days=days_late),
        manual_hold_reason=manual,
        dunning_hold_level=level,
        suspended_since=TODAY if suspended else None,
    )
    reasons = hold_reasons(state, check, TODAY, document_amount=document)
    order = ["credit_limit", "overdue", "manual", "dunning", "suspended"]
    found = [reason.code for reason in reasons]
    assert found == sorted(set(found), key=order.index)
    for reason in reasons:
        assert not any(isinstance(value, float) for value in reason.values.values())
        assert format_reason(reason)


# --- switches, limits, orders, releases, reviews --------------------------------

from lib.credit import (  # noqa: E402
    SWITCH_NAMES,
    effective_limit,
    hold_settings,
    order_line_to_invoice,
    release_covers,
    resolve_switch,
    review_due,
)


def test_partner_override_beats_the_company_switch():
    assert resolve_switch(True) is True
    assert resolve_switch(False, False) is False
    assert resolve_switch(False, "always") is True
    assert resolve_switch(True, "never") is False
    with pytest.raises(ValueError):
        resolve_switch(True, "sometimes")


def test_hold_settings_from_company_and_partner():
    settings_ = hold_settings(
        {"check_limit": True, "check_overdue": False, "check_manual": True},
        {"check_limit": "never", "check_overdue": "always"},
        overdue_days=30,
    )
    assert settings_ == HoldSettings(
        check_limit=False,
        check_overdue=True,
        overdue_days=30,
        check_manual=True,
        check_dunning=True,
        check_suspension=True,
    )
    assert hold_settings({}) == HoldSettings()
    with pytest.raises(ValueError):
        hold_settings({}, overdue_days=-1)


@given(st.sampled_from(SWITCH_NAMES), st.booleans())
def test_never_turns_every_reason_off(name, company_on):
    settings_ = hold_settings({name: company_on}, {name: "never"})
    assert getattr(settings_, name) is False


def test_effective_limit():
    assert effective_limit(True, 500.0, 1000.0) == D("500.0")
    assert effective_limit(True, 0.0, 1000.0) == D("0.0")
    assert effective_limit(False, 1000.0, 1000.0) == D("1000.0")
    assert effective_limit(False, 0.0, 0.0) is None
    assert effective_limit(False, False, None) is None


def test_order_line_to_invoice_counts_the_remaining_quantity_with_taxes():
    assert order_line_to_invoice(2, D("330.00"), 3) == D("220.00")
    assert order_line_to_invoice(0, D("330.00"), 3) == D("0")
    assert order_line_to_invoice(-1, D("330.00"), 3) == D("0")
    assert order_line_to_invoice(1, D("100.00"), 0) == D("0")


def test_release_covers_only_up_to_the_released_amount():
    assert release_covers(D("100"), D("100"))
    assert release_covers(100.0, 99.99)
    assert not release_covers(D("100"), D("100.01"))
    assert not release_covers(False, D("1"))


def test_review_due_on_and_after_its_date():
    assert review_due(TODAY, TODAY)
    assert review_due(TODAY - timedelta(days=1), TODAY)
    assert not review_due(TODAY + timedelta(days=1), TODAY)
    assert not review_due(False, TODAY)
