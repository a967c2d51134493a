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
    first: only the last year's are read, in one pass a person). vtb's own entries (a tick,
    a logged draft) are touches too; a `reply` entry is a reply received, not a touch made.

    Within cadence at a month's end (today for this month): the cadence from the last
    contact on or before that day (a reply too) reaches it; snoozes are not counted. Known
    at a month's end: a person with a cadence and a contact on or before it."""
    months = month_starts(today)
    start = months[0]
    ends = [today, *(month_end(m) for m in reversed(months[:-1]))]  # newest first
    count = len(ends)
    within = [0] * count
    known = [0] * (count + 1)  # as differences: +1 at the newest month end, -1 past the run
    limits: dict[Cadence, list[date]] = {}  # per cadence, per month end: the earliest within
    counts: dict[tuple[int, str | None], int] = {}  # (month, channel): twelve months, no year
    for contact in contacts:
        last = contact.last_contacted
        if last is None:
            continue
        cadence = cadence_of(contact, settings)
        limit = limits.get(cadence)  # empty for `never` (and paused): no month end counted
        if limit is None:
            limit = limits[cadence] = (
                [_earliest_within(cadence, end) for end in ends] if cadence.count else []
            )
        k = 0 if limit else count
        while k < count and ends[k] >= last:  # the month ends since the last contact
            if last >= limit[k]:
                within[k] += 1
            k += 1
        if last < start and k == count:
            continue  # nothing this year, and every month end counted
        for entry in contact.log:
            day = entry.date
            if day >= start:
                if day <= today:
                    key = (day.month, entry.channel)
                    counts[key] = counts.get(key, 0) + 1
            elif k == count:
                break
            while k < count and ends[k] >= day:  # earlier month ends: older entries
                if day >= limit[k]:
                    within[k] += 1
                k += 1
        if limit:
            known[0] += 1
            known[k] -= 1
    index = {m.month: at for at, m in enumerate(months)}
    touches = [Counter[str]() for _ in months]
    replies = [0] * len(months)
    for (month, channel), number in counts.items():
        if channel == REPLY:
            replies[index[month]] += number
        else:
            touches[index[month]][channel or NO_CHANNEL] += number
    total = sum(touches, Counter[str]())
    others = sorted((c for c in total if c not in CHANNELS), key=lambda c: (-total[c], c))
    channels = (*CHANNELS, *others)
    return MonthFigures(
        months,
        channels,
        tuple({c: month.get(c, 0) for c in channels} for month in touches),
        tuple(replies),
        tuple(reversed(within)),
        _runs(known, count),
    )


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
