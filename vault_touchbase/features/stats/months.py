"""Twelve months from the loaded Logs: touches by channel, replies, the share within cadence."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from vault_touchbase.core.cadence import add_cadence, add_months, month_end
from vault_touchbase.core.model import Cadence, Contact
from vault_touchbase.core.plan import cadence_of
from vault_touchbase.core.settings import CHANNELS, Settings

MONTHS = 12
REPLY = "reply"
NO_CHANNEL = "other"  # a Log entry that names no channel (`- 2026-11-02 lunch at Nora's`)


@dataclass(frozen=True)
class MonthFigures:
    """Month by month, oldest first: touches made by channel, replies received, and how many
    people (of those with a cadence and a contact by then) were within their cadence."""

    months: tuple[date, ...]  # the first day of each month
    channels: tuple[str, ...]  # call, visit, email first, then the rest by number of touches
    touches: tuple[dict[str, int], ...]  # channel → touches made that month
    replies: tuple[int, ...]
    within: tuple[int, ...]  # people within their cadence at the month's end (today for this one)
    known: tuple[int, ...]  # people with a cadence and a contact on or before that day

    def share(self, at: int) -> float | None:
        """The share within cadence at month `at` (None when nobody was known by then)."""
        return self.within[at] / self.known[at] if self.known[at] else None


def month_starts(today: date, count: int = MONTHS) -> tuple[date, ...]:
    """The first days of the last `count` months, this one included, oldest first."""
    first = today.replace(day=1)
    return tuple(add_months(first, offset) for offset in range(1 - count, 1))


def month_figures(
    contacts: tuple[Contact, ...] | list[Contact], settings: Settings, today: date
) -> MonthFigures:
    """Every figure of the last twelve months, from the Log entries the load holds (newest
    first: only the last year's are read). vtb's own entries (a tick, a logged draft) are
    touches too; a `reply` entry is a reply received, not a touch made."""
    months = month_starts(today)
    start = months[0]
    index = {(m.year, m.month): at for at, m in enumerate(months)}
    counts: dict[tuple[int, int, str | None], int] = {}  # (year, month, channel): touches
    for contact in contacts:
        last = contact.last_contacted
        if last is None or last < start:
            continue
        for entry in contact.log:  # newest first: only this year's entries are read
            day = entry.date
            if day < start:
                break
            if day <= today:
                key = (day.year, day.month, entry.channel)
                counts[key] = counts.get(key, 0) + 1
    touches = [Counter[str]() for _ in months]
    replies = [0] * len(months)
    for (year, month, channel), count in counts.items():
        at = index[(year, month)]
        if channel == REPLY:
            replies[at] += count
        else:
            touches[at][channel or NO_CHANNEL] += count
    total = sum(touches, Counter[str]())
    others = sorted((c for c in total if c not in CHANNELS), key=lambda c: (-total[c], c))
    channels = (*CHANNELS, *others)
    within, known = _within(contacts, settings, today, months)
    return MonthFigures(
        months,
        channels,
        tuple({c: counts.get(c, 0) for c in channels} for counts in touches),
        tuple(replies),
        within,
        known,
    )


def _within(
    contacts: tuple[Contact, ...] | list[Contact],
    settings: Settings,
    today: date,
    months: tuple[date, ...],
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Per month (oldest first): the people within their cadence at its end, and the people
    with a cadence and a contact on or before it. Someone is within when their cadence from
    the last contact (a reply too) reaches that day; snoozes are not counted."""
    ends = [today, *(month_end(m) for m in reversed(months[:-1]))]  # newest first
    count = len(ends)
    within = [0] * count
    known = [0] * (count + 1)  # as differences: +1 at the newest month end, -1 past the run
    limits: dict[Cadence, list[date]] = {}  # per cadence, per month end: the earliest within
    for contact in contacts:
        last = contact.last_contacted
        if last is None:
            continue
        cadence = cadence_of(contact, settings)
        if cadence.count == 0:
            continue
        limit = limits.get(cadence)
        if limit is None:
            limit = limits[cadence] = [_earliest_within(cadence, end) for end in ends]
        k = 0
        while k < count and ends[k] >= last:  # the month ends since the last contact
            if last >= limit[k]:
                within[k] += 1
            k += 1
        if k < count:  # earlier month ends: the Log's older entries
            k = _older(contact, ends, limit, within, k)
        known[0] += 1
        known[k] -= 1
    return tuple(reversed(within)), _runs(known, count)


def _older(contact: Contact, ends: list[date], limit: list[date], within: list[int], k: int) -> int:
    """Count the month ends from `k` on by the Log's entries before them; returns the first
    month end with no contact on or before it (the person was not known yet)."""
    count = len(ends)
    for entry in contact.log:
        day = entry.date
        while k < count and ends[k] >= day:
            if day >= limit[k]:
                within[k] += 1
            k += 1
        if k == count:
            break
    return k


def _runs(differences: list[int], count: int) -> tuple[int, ...]:
    """Per month end, oldest first, from the differences kept newest first."""
    total, values = 0, []
    for at in range(count):
        total += differences[at]
        values.append(total)
    return tuple(reversed(values))


@lru_cache(maxsize=1024)
def _earliest_within(cadence: Cadence, day: date) -> date:
    """The earliest last contact from which `cadence` still reaches `day` (so a comparison
    of dates, not a date sum, for each of 10,000 people and twelve month ends)."""
    start = add_cadence(day, cadence, -1)
    while add_cadence(start, cadence) < day:  # 31 March - 1 month + 1 month is 28 March
        start += timedelta(days=1)
    while add_cadence(start - timedelta(days=1), cadence) >= day:
        start -= timedelta(days=1)
    return start
