"""Cadence parsing and calendar arithmetic, with hypothesis properties."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vault_touchbase.core.cadence import (
    LAST_DAY,
    LONGEST,
    Direction,
    add_cadence,
    add_months,
    parse_cadence,
    parse_day_or_span,
)
from vault_touchbase.core.model import Cadence


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("weekly", Cadence(1, "w")),
        ("biweekly", Cadence(2, "w")),
        ("Monthly", Cadence(1, "m")),
        ("bimonthly", Cadence(2, "m")),
        ("quarterly", Cadence(3, "m")),
        ("yearly", Cadence(1, "y")),
        ("annually", Cadence(1, "y")),
        ("never", Cadence(0, "d")),
        ("10d", Cadence(10, "d")),
        ("2w", Cadence(2, "w")),
        ("6w", Cadence(6, "w")),
        ("90d", Cadence(90, "d")),
        ("6m", Cadence(6, "m")),
        ("1y", Cadence(1, "y")),
        (" 3 months ", Cadence(3, "m")),
        (30, Cadence(30, "d")),  # prm-cadence: a bare number of days
        ("45", Cadence(45, "d")),
    ],
)
def test_allowed_forms(text: object, expected: Cadence) -> None:
    assert parse_cadence(text) == expected


@pytest.mark.parametrize("text", ["every full moon", "2x", "", "-3d", True, [1], 1.5, -4])
def test_other_forms_name_the_allowed_ones(text: object) -> None:
    with pytest.raises(ValueError, match="weekly, biweekly, monthly"):
        parse_cadence(text)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
    ],
)
def test_calendar_months(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_named_and_numeric_cadences_add() -> None:
    start = date(2026, 10, 12)
    assert add_cadence(start, parse_cadence("monthly")) == date(2026, 11, 12)
    assert add_cadence(start, parse_cadence("2w")) == date(2026, 10, 26)
    assert add_cadence(start, parse_cadence("yearly")) == date(2027, 10, 12)
    assert add_cadence(start, parse_cadence(30)) == date(2026, 11, 11)


def test_spans_for_snooze() -> None:
    today = date(2026, 11, 26)
    assert parse_day_or_span("2026-12-01", today, "ahead") == date(2026, 12, 1)
    assert parse_day_or_span("2w", today, "ahead") == date(2026, 12, 10)
    assert parse_day_or_span("1m", today, "ahead") == date(2026, 12, 26)
    with pytest.raises(ValueError, match="neither a date"):
        parse_day_or_span("soon", today, "ahead")


dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))


@given(dates, st.integers(min_value=0, max_value=240))
def test_add_months_lands_in_the_right_month_and_never_overflows(start: date, months: int) -> None:
    result = add_months(start, months)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    last_day = calendar.monthrange(result.year, result.month)[1]
    assert result.day == min(start.day, last_day)


@given(dates, st.integers(min_value=0, max_value=60), st.integers(min_value=0, max_value=60))
def test_add_months_is_monotonic(start: date, a: int, b: int) -> None:
    if a <= b:
        assert add_months(start, a) <= add_months(start, b)


@given(dates, st.integers(min_value=1, max_value=400), st.sampled_from(["d", "w"]))
def test_day_and_week_cadences_are_exact(start: date, count: int, unit: str) -> None:
    days = count * (7 if unit == "w" else 1)
    assert add_cadence(start, Cadence(count, unit)) - start == timedelta(days=days)  # type: ignore[arg-type]


@given(st.integers(min_value=1, max_value=100), st.sampled_from("dwmy"))
def test_written_form_round_trips(count: int, unit: str) -> None:
    cadence = Cadence(count, unit)  # type: ignore[arg-type]
    assert parse_cadence(str(cadence)) == cadence


@given(st.dates(min_value=date(1, 1, 1), max_value=date(9000, 12, 31)), st.integers(0, 1200))
def test_add_months_is_the_calendar_definition(start: date, months: int) -> None:
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    expected = date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
    assert add_months(start, months) == expected


@given(st.dates(max_value=LAST_DAY), st.sampled_from("dwmy"), st.data())
def test_every_cadence_vtb_reads_counts_from_every_day_it_reads(
    start: date, unit: str, data: st.DataObject
) -> None:
    count = data.draw(st.integers(min_value=0, max_value=LONGEST[unit]))
    cadence = parse_cadence(f"{count}{unit}")
    assert add_cadence(start, cadence) >= start


@pytest.mark.parametrize("text", ["101y", "1201m", "5201w", "36501d", "2000000w", 10**12])
def test_a_cadence_past_a_hundred_years_is_refused(text: object) -> None:
    with pytest.raises(ValueError, match="longer than vtb counts"):
        parse_cadence(text)


@pytest.mark.parametrize(
    ("text", "today", "direction", "words"),
    [
        ("2000000w", date(2026, 11, 26), "ahead", "longer than vtb counts"),
        ("999999999d", date(2026, 11, 26), "ahead", "longer than vtb counts"),
        ("100y", LAST_DAY, "ahead", "after 9899-12-31"),
        ("9999-12-31", date(2026, 11, 26), "ahead", "after 9899-12-31"),
        ("tomorrow", LAST_DAY, "ahead", "after 9899-12-31"),
        ("3d", date(1, 1, 1), "ago", "outside the calendar"),
        ("3m", date(1, 2, 1), "ago", "outside the calendar"),
        ("yesterday", date(1, 1, 1), "ago", "outside the calendar"),
    ],
)
def test_a_span_past_the_calendar_is_a_value_error(
    text: str, today: date, direction: Direction, words: str
) -> None:
    with pytest.raises(ValueError, match=words):
        parse_day_or_span(text, today, direction)


@given(st.dates(max_value=LAST_DAY), st.integers(0, 10**6), st.sampled_from("dwmy"), st.booleans())
def test_a_span_is_a_day_or_a_value_error(today: date, count: int, unit: str, ago: bool) -> None:
    try:
        day = parse_day_or_span(f"{count}{unit}", today, "ago" if ago else "ahead")
    except ValueError:
        return
    assert day <= LAST_DAY
