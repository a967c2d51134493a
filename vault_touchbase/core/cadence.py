"""Cadences and due dates: pure functions, `today` always passed in."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from typing import Literal

from vault_touchbase.core.model import Cadence

NAMED = {
    "daily": Cadence(1, "d"),
    "weekly": Cadence(1, "w"),
    "biweekly": Cadence(2, "w"),
    "fortnightly": Cadence(2, "w"),
    "monthly": Cadence(1, "m"),
    "bimonthly": Cadence(2, "m"),
    "quarterly": Cadence(3, "m"),
    "yearly": Cadence(1, "y"),
    "annually": Cadence(1, "y"),
    "never": Cadence(0, "d"),
}
ALLOWED_FORMS = (
    "weekly, biweekly, monthly, bimonthly, quarterly, yearly, never, or N d|w|m|y (10d, 2w, 6m, 1y)"
)
LONGEST = {"d": 36_500, "w": 5_200, "m": 1_200, "y": 100}
"""The longest cadence or span vtb counts with, per unit: a hundred years."""
LAST_DAY = date(9899, 12, 31)
"""The last date vtb counts from: a hundred years after it still fit the calendar (9999-12-31)."""
_FORM = re.compile(r"^\s*(\d+)\s*(d|w|m|y|days?|weeks?|months?|years?)?\s*$", re.IGNORECASE)


def parse_cadence(value: object) -> Cadence:
    """`monthly`, `6w`, `90d`, `never`, or a bare number of days (the prm-cadence dialect).

    Raises ValueError naming the allowed forms for anything else.
    """
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a cadence; use {ALLOWED_FORMS}")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"{value} is not a cadence (negative); use {ALLOWED_FORMS}")
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a cadence; use {ALLOWED_FORMS}")
    word = value.strip().lower()
    if word in NAMED:
        return NAMED[word]
    match = _FORM.match(word)
    if not match:
        raise ValueError(f"{value!r} is not a cadence; use {ALLOWED_FORMS}")
    count = int(match.group(1))
    unit = (match.group(2) or "d")[0].lower()
    if count > LONGEST[unit]:
        raise ValueError(
            f"{value!r} is longer than vtb counts: at most {LONGEST[unit]:,}{unit}, a hundred years"
        )
    return Cadence(count, unit)  # type: ignore[arg-type]


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def days_in_month(year: int, month: int) -> int:
    """`calendar.monthrange(year, month)[1]`, without working out the weekday."""
    return 29 if month == 2 and calendar.isleap(year) else _MONTH_DAYS[month - 1]


def add_months(start: date, months: int) -> date:
    """Calendar months: 31 Jan + 1 month is 28 or 29 Feb, never 3 March."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    if start.day <= 28:  # in every month: no need to look at this one's length
        return date(year, month, start.day)
    return date(year, month, min(start.day, days_in_month(year, month)))


def add_cadence(start: date, cadence: Cadence, times: int = 1) -> date:
    """`start` moved forward by `times` cadences (calendar months for m and y)."""
    if cadence.unit == "d":
        return start + timedelta(days=cadence.count * times)
    if cadence.unit == "w":
        return start + timedelta(weeks=cadence.count * times)
    months = cadence.count * times * (12 if cadence.unit == "y" else 1)
    return add_months(start, months)


Direction = Literal["ago", "ahead"]
DAY_FORMS = "YYYY-MM-DD, today, yesterday, tomorrow, or a span like 3d, 2w, 1m"


def check_day(day: date) -> date:
    """`day` itself when vtb can count from it (up to `LAST_DAY`); else a ValueError."""
    if day > LAST_DAY:
        raise ValueError(f"{day} is after {LAST_DAY}, the last date vtb counts from")
    return day


def parse_day_or_span(value: str, today: date, direction: Direction) -> date:
    """A day as people type it: `2026-12-01`, `today`, `yesterday`, `tomorrow`, or a span
    counted from today (`3d`, `2w`, `1m`, `1y`, `monthly`): back for `ago` (`log -d 3d`
    is three days ago), forward for `ahead` (`snooze 3d` is three days from now).

    Raises ValueError naming the forms for anything else, and for a day vtb cannot count
    from (before the calendar's start or after `LAST_DAY`).
    """
    try:
        return check_day(_day_or_span(value, today, direction))
    except OverflowError:
        raise ValueError(f"{value!r} reaches outside the calendar (years 1 to 9999)") from None


def _day_or_span(value: str, today: date, direction: Direction) -> date:
    text = value.strip().lower()
    named = {"today": 0, "yesterday": -1, "tomorrow": 1}
    if text in named:
        return today + timedelta(days=named[text])
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    meaning = "3d = three days ago" if direction == "ago" else "3d = three days from today"
    try:
        span = parse_cadence(text)
    except ValueError as exc:
        if _FORM.match(text):  # a span, only too long: say so
            raise ValueError(f"{exc} ({meaning})") from None
        raise ValueError(
            f"{value!r} is neither a date nor a span: give {DAY_FORMS} ({meaning})"
        ) from None
    if span.never:
        raise ValueError(f"{value!r} is not a span of time: give {DAY_FORMS} ({meaning})")
    try:
        return add_cadence(today, span, -1 if direction == "ago" else 1)
    except ValueError:  # add_months before the year 1 (`today` and spans never reach 9999)
        raise OverflowError(value) from None


def month_end(day: date) -> date:
    return day.replace(day=days_in_month(day.year, day.month))
