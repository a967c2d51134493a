"""A person's own rhythm: the usual number of days between their touches, from their Log."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from vault_touchbase.core.model import LogEntry

MIN_DAYS = 3  # touches on different days before a rhythm is read from them
RECENT = 13  # the newest this many touch days give the usual gap (12 gaps): today's rhythm
SEASON_DAYS = 45  # the touch days read must span six weeks: a burst is no rhythm


def usual_gap(log: Iterable[LogEntry]) -> int:
    """The median number of days between the newest `RECENT` days with a touch (a Log, newest
    first; `reply` entries are theirs, not touches), rounded; 0 with fewer than `MIN_DAYS`
    days, or days spanning less than `SEASON_DAYS` (a burst of touches, then silence, is
    no rhythm to drift from or to suggest a cadence by).
    Worked out once when a note is parsed (`Contact.rhythm`, kept by the parse cache)."""
    days: list[date] = []
    for entry in log:
        if entry.channel == "reply" or (days and entry.date >= days[-1]):
            continue  # a reply, or a day already counted (or out of order)
        days.append(entry.date)
        if len(days) == RECENT:
            break
    if len(days) < MIN_DAYS or (days[0] - days[-1]).days < SEASON_DAYS:
        return 0
    gaps = sorted((newer - older).days for newer, older in zip(days, days[1:], strict=False))
    middle = len(gaps) // 2
    median = gaps[middle] if len(gaps) % 2 else (gaps[middle - 1] + gaps[middle]) / 2
    return max(round(median), 1)
