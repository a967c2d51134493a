"""Who is due, and the hour plan. Pure functions: contacts, settings and `today` in.

Priority within the hour: replies to answer and follow-ups first, then how
overdue relative to the person's cadence, then closeness (call, visit, email).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Literal

from vault_touchbase.core.cadence import add_cadence, add_months, month_end, parse_cadence
from vault_touchbase.core.model import Cadence, Contact, FollowUp
from vault_touchbase.core.settings import Settings

Status = Literal["overdue", "due", "never", "reply", "followup"]
CLOSENESS = {"call": 0, "visit": 1, "email": 2}
PLAN_MONTHS = 3  # a one-off backlog is spread over at most this many monthly hours
LONGER = {"1w": "2w", "2w": "1m", "1m": "2m", "2m": "3m", "3m": "6m", "6m": "1y"}


def channel_of(contact: Contact, settings: Settings) -> str:
    """How to touch base: the note's channel, else visit when nearby, else the circle's default."""
    if contact.channel:
        return contact.channel
    if contact.nearby:
        return "visit"
    return settings.channel_by_circle.get(contact.circle, settings.default_channel)


def cadence_of(contact: Contact, settings: Settings, channel: str | None = None) -> Cadence:
    """The note's cadence, else the default for its channel, its circle, then the default."""
    if contact.paused:
        return Cadence(0, "d")
    if contact.cadence is not None:
        return contact.cadence
    channel = channel or channel_of(contact, settings)
    text = (
        settings.cadence_by_channel.get(channel)
        or settings.cadence_by_circle.get(contact.circle)
        or settings.default_cadence
    )
    return _setting_cadence(text)


@lru_cache(maxsize=64)
def _setting_cadence(text: str) -> Cadence:
    """A cadence from the settings, parsed once (not once per contact of 10,000)."""
    return parse_cadence(text)


def next_due(contact: Contact, cadence: Cadence, today: date) -> date | None:
    """When this person is next due; None when never (paused or cadence `never`).

    Never contacted → due today. A future `snooze_until` pushes the date to it.
    """
    if contact.paused or cadence.never:
        return None
    due = today if contact.last_contacted is None else add_cadence(contact.last_contacted, cadence)
    if contact.snooze_until and contact.snooze_until > today:
        due = max(due, contact.snooze_until)
    return due


def is_snoozed(contact: Contact, today: date) -> bool:
    return contact.snooze_until is not None and contact.snooze_until > today


def followups_due(contact: Contact, today: date) -> tuple[FollowUp, ...]:
    """Open follow-ups with a due date by the end of this month. (Undated ones are listed
    in the index note's Follow-ups, but do not pull a person into the plan every month.)"""
    if not contact.followups:
        return ()
    end = month_end(today)
    return tuple(f for f in contact.open_followups if f.due is not None and f.due <= end)


@dataclass(frozen=True)
class DueItem:
    """One person to touch base this month, with why and how."""

    contact: Contact
    channel: str
    cadence: Cadence
    due: date
    status: Status
    minutes: int
    followups: tuple[FollowUp, ...] = ()

    @property
    def name(self) -> str:
        return self.contact.name


def overdue_ratio(item: DueItem, today: date) -> float:
    """How late, in cadences (0 when due today or later)."""
    days = max(item.cadence.approx_days, 1.0)
    return max((today - item.due).days, 0) / days


def priority(item: DueItem, today: date) -> tuple[int, float, int, str, str]:
    """Sort key: replies to answer, then follow-ups, then overdue by cadence, closeness, name."""
    urgent = (
        0 if item.status == "reply" else 1 if item.status == "followup" or item.followups else 2
    )
    return (
        urgent,
        -overdue_ratio(item, today),
        CLOSENESS.get(item.channel, 3),
        item.contact.name.casefold(),
        item.contact.path,
    )


def due_items(
    contacts: tuple[Contact, ...] | list[Contact], settings: Settings, today: date
) -> list[DueItem]:
    """Everyone due by the end of this month (or owed a reply or follow-up), by priority."""
    end = month_end(today)
    items: list[DueItem] = []
    for contact in contacts:
        channel = channel_of(contact, settings)
        cadence = cadence_of(contact, settings, channel)
        due = next_due(contact, cadence, today)
        followups = followups_due(contact, today) if contact.followups else ()
        log = contact.log  # their last entry is their reply: the user owes them an answer
        if log and log[0].channel == "reply" and not is_snoozed(contact, today):
            status: Status = "reply"
            due = min(due or today, today)
        elif due is not None and due <= end:
            status = (
                "never" if contact.last_contacted is None else "overdue" if due < today else "due"
            )
        elif followups and not is_snoozed(contact, today):
            status = "followup"
            due = min((f.due for f in followups if f.due), default=today)
        else:
            continue
        assert due is not None
        items.append(
            DueItem(
                contact, channel, cadence, due, status, settings.minutes_for(channel), followups
            )
        )
    items.sort(key=lambda item: priority(item, today))
    return items


@dataclass(frozen=True)
class Suggestion:
    """Lengthening one group's cadence would free this many minutes a month."""

    cadence: str
    channel: str
    people: int
    minutes_now: float
    longer: str
    minutes_saved: float

    def __str__(self) -> str:
        return (
            f"{self.people} people on a {self.cadence} {self.channel} cadence take "
            f"{self.minutes_now:.0f} min a month; {self.longer} would save {self.minutes_saved:.0f}"
        )


@dataclass(frozen=True)
class HourPlan:
    """This hour, the backlog spread over the next months, and the load warning."""

    this_hour: tuple[DueItem, ...]
    later: tuple[tuple[date, tuple[DueItem, ...]], ...]  # (first day of month, people)
    unplanned: tuple[DueItem, ...]  # due, but no hour in the next months holds them
    minutes_used: int
    budget: int
    steady_minutes: float
    suggestions: tuple[Suggestion, ...] = field(default=())

    @property
    def overloaded(self) -> bool:
        return self.steady_minutes > self.budget

    def month_of(self, item: DueItem) -> date | None:
        for month, people in self.later:
            if item in people:
                return month
        return None


def steady_load(
    contacts: tuple[Contact, ...] | list[Contact], settings: Settings
) -> tuple[float, list[Suggestion]]:
    """Average minutes a month the cadences ask for, and how to lighten the biggest groups."""
    groups: dict[tuple[int, str, str], list[float]] = defaultdict(list)
    cadences: dict[tuple[int, str, str], Cadence] = {}
    rates: dict[tuple[int, str, str], float | None] = {}  # minutes a month per person
    for contact in contacts:
        channel = channel_of(contact, settings)
        cadence = cadence_of(contact, settings, channel)
        # plain values: quick to hash, 10,000 times
        key: tuple[int, str, str] = (cadence.count, cadence.unit, channel)
        if key not in rates:
            cadences[key] = cadence
            never = cadence.never or cadence.approx_days <= 0
            rates[key] = (
                None if never else settings.minutes_for(channel) * 30.44 / cadence.approx_days
            )
        rate = rates[key]
        if rate is not None:
            groups[key].append(rate)
    total = sum(sum(loads) for loads in groups.values())
    suggestions = []
    for group, loads in groups.items():
        cadence, channel = cadences[group], group[2]
        unit_key = f"{cadence.count}{cadence.unit}"
        longer = LONGER.get(unit_key) or (
            f"{cadence.count * 2}{cadence.unit}" if cadence.unit != "y" else None
        )
        try:
            longer_cadence = parse_cadence(longer or "")
        except ValueError:  # none longer (or longer than vtb counts)
            continue
        now = sum(loads)
        after = now * cadence.approx_days / longer_cadence.approx_days
        suggestions.append(
            Suggestion(str(cadence), channel, len(loads), now, str(longer_cadence), now - after)
        )
    suggestions.sort(key=lambda s: (-s.minutes_saved, s.cadence, s.channel))
    return total, suggestions


def hour_plan(
    items: list[DueItem],
    contacts: tuple[Contact, ...] | list[Contact],
    settings: Settings,
    today: date,
) -> HourPlan:
    """Fill this month's hour by priority; spread the rest over the next two months' spare time."""
    budget = settings.hour_budget
    used = 0
    this_hour: list[DueItem] = []
    rest: list[DueItem] = []
    for item in items:
        if used + item.minutes <= budget:
            this_hour.append(item)
            used += item.minutes
        else:
            rest.append(item)
    steady, suggestions = steady_load(contacts, settings)
    spare = budget - steady
    later: list[tuple[date, tuple[DueItem, ...]]] = []
    unplanned: list[DueItem] = []
    if rest and spare > 0:
        months = PLAN_MONTHS - 1
        backlog = sum(item.minutes for item in rest)
        per_month = max(spare, math.ceil(backlog / months))
        first = today.replace(day=1)
        at = 0  # the next of `rest` to place (an index: thousands may wait)
        for offset in range(1, months + 1):
            month, load = add_months(first, offset), 0
            people: list[DueItem] = []
            while at < len(rest) and (
                load + rest[at].minutes <= per_month or offset == months or not people
            ):
                load += rest[at].minutes
                people.append(rest[at])
                at += 1
            if people:
                later.append((month, tuple(people)))
    else:
        unplanned = rest
    return HourPlan(
        tuple(this_hour),
        tuple(later),
        tuple(unplanned),
        used,
        budget,
        steady,
        tuple(suggestions[:3]) if steady > budget else (),
    )


def birthday_this_month(contact: Contact, today: date) -> bool:
    return contact.birthday is not None and contact.birthday.month == today.month
