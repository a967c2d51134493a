"""Who is due, and the hour plan. Pure functions: contacts, settings and `today` in.

Priority within the hour: replies to answer and follow-ups first, then a
birthday within a week, then how overdue relative to the person's cadence,
then closeness (call, visit, email). The hour is monthly: touches already
logged this month are spent from it.
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
from vault_touchbase.core.words import plural

Status = Literal["overdue", "due", "never", "reply", "followup"]
CLOSENESS = {"call": 0, "visit": 1, "email": 2}
PLAN_MONTHS = 3  # a one-off backlog is spread over at most this many monthly hours
LONGER = {"1w": "2w", "2w": "1m", "1m": "2m", "2m": "3m", "3m": "6m", "6m": "1y"}
NAMES_SHOWN = 3  # people named in an overload suggestion
BIRTHDAY_DAYS = 7  # a birthday this close makes a person more pressing
NO_WAY = "no way to reach on file"


def _possible(contact: Contact, channel: str) -> bool:
    """Whether the note has what `channel` needs (an address, a number, living nearby)."""
    if channel == "email":
        return bool(contact.emails)
    if channel == "call":
        return bool(contact.phones)
    if channel == "visit":
        return contact.nearby or contact.channel == "visit"
    return True  # a channel vtb does not know (meet, signal ...): the user knows how


def reachable(contact: Contact) -> bool:
    """Whether the note gives any way to reach the person: email, phone, or living nearby."""
    return bool(contact.emails or contact.phones or contact.nearby) or _possible(
        contact, contact.channel or "email"
    )


def channel_of(contact: Contact, settings: Settings) -> str:
    """How to touch base: the note's channel, else visit when nearby, else the circle's
    default; when that is not possible (an email without an address), the closest one
    that is (a call to someone with only a phone number)."""
    wanted = contact.channel
    if not wanted:
        if contact.nearby:
            return "visit"
        wanted = settings.channel_by_circle.get(contact.circle, settings.default_channel)
    if wanted == "email":  # the usual cases first, in as few steps as 10,000 notes need
        if contact.emails:
            return wanted
    elif wanted == "call":
        if contact.phones:
            return wanted
    elif _possible(contact, wanted):
        return wanted
    for other in ("call", "visit", "email"):
        if _possible(contact, other):
            return other
    return wanted  # no way to reach them on file: the task line says so


def cadence_of(contact: Contact, settings: Settings, channel: str | None = None) -> Cadence:
    """The note's cadence, else the shorter of the defaults for its channel and its circle
    (a close friend's emails are monthly, a call is monthly), else the default."""
    if contact.paused:
        return Cadence(0, "d")
    if contact.cadence is not None:
        return contact.cadence
    channel = channel or channel_of(contact, settings)
    by_channel = settings.cadence_by_channel.get(channel)
    by_circle = settings.cadence_by_circle.get(contact.circle) if contact.circle else None
    if by_channel and by_circle:
        return min(_setting_cadence(by_channel), _setting_cadence(by_circle), key=_days)
    return _setting_cadence(by_channel or by_circle or settings.default_cadence)


def _days(cadence: Cadence) -> float:
    """A cadence's length for comparing; never (0) is the longest."""
    return cadence.approx_days or math.inf


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


def birthday_soon(contact: Contact, today: date, days: int = BIRTHDAY_DAYS) -> bool:
    """Whether the person's birthday falls within the next `days` days (today included)."""
    born = contact.birthday
    if born is None or (born.month - today.month) % 12 > 1:
        return False  # not this month nor the next: no date to build
    for year in (today.year, today.year + 1):
        try:
            day = date(year, born.month, born.day)
        except ValueError:  # 29 February in a common year: the 28th
            day = date(year, born.month, born.day - 1)
        if 0 <= (day - today).days <= days:
            return True
    return False


def priority(item: DueItem, today: date) -> tuple[int, float, int, str, str]:
    """Sort key: replies to answer, then follow-ups, then a birthday within a week, then
    overdue by cadence, closeness, name."""
    if item.status == "reply":
        urgent = 0
    elif item.status == "followup" or item.followups:
        urgent = 1
    else:
        urgent = 2 if birthday_soon(item.contact, today) else 3
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
    first = today.replace(day=1)
    items: list[DueItem] = []
    for contact in contacts:
        channel = channel_of(contact, settings)
        cadence = cadence_of(contact, settings, channel)
        due = next_due(contact, cadence, today)
        followups = followups_due(contact, today) if contact.followups else ()
        log = contact.log  # their last entry is their reply: the user owes them an answer
        # touched this month: not due again until next month (the hour is monthly)
        touched = contact.last_contacted is not None and first <= contact.last_contacted
        if log and log[0].channel == "reply" and not is_snoozed(contact, today):
            status: Status = "reply"
            due = min(due or today, today)
        elif due is not None and due <= end and not touched:
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
    names: tuple[str, ...] = ()  # the first few of them, by name

    def __str__(self) -> str:
        shown = ", ".join(self.names[:NAMES_SHOWN])
        more = ", …" if self.people > len(self.names[:NAMES_SHOWN]) else ""
        who = f" ({shown}{more})" if shown else ""
        verb = "takes" if self.people == 1 else "take"
        return (
            f"{plural(self.people, 'person', 'people')} on a {self.cadence} {self.channel} "
            f"cadence{who} {verb} {self.minutes_now:.0f} min a month; {self.longer} would "
            f"save {self.minutes_saved:.0f}"
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
    spent: int = 0  # minutes of the touches already logged this month
    touches: int = 0  # how many touches those were
    left_out: tuple[tuple[DueItem, int], ...] = ()  # more pressing than someone planned,
    # but longer than the minutes left when their turn came (item, minutes that were left)

    @property
    def left(self) -> int:
        """Minutes of this month's hour not spent yet."""
        return max(self.budget - self.spent, 0)

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
    names: dict[tuple[int, str, str], list[str]] = defaultdict(list)
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
            loads = groups[key]
            loads.append(rate)
            if len(loads) <= NAMES_SHOWN:
                names[key].append(contact.name)
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
            Suggestion(
                str(cadence),
                channel,
                len(loads),
                now,
                str(longer_cadence),
                now - after,
                tuple(sorted(names[group], key=str.casefold)),
            )
        )
    suggestions.sort(key=lambda s: (-s.minutes_saved, s.cadence, s.channel))
    return total, suggestions


def hour_plan(
    items: list[DueItem],
    contacts: tuple[Contact, ...] | list[Contact],
    settings: Settings,
    today: date,
) -> HourPlan:
    """Fill what is left of this month's hour by priority; spread the rest over the next two
    months' spare time. A person is passed over for a less pressing one only when their
    touch is longer than the minutes left (`left_out` says who, and with how many left)."""
    budget = settings.hour_budget
    spent, touches = spent_this_month(contacts, settings, today)
    available = budget - spent
    used = 0
    this_hour: list[DueItem] = []
    rest: list[DueItem] = []
    passed: list[tuple[DueItem, int]] = []  # too long for the minutes left, so far
    left_out: list[tuple[DueItem, int]] = []  # ...and someone after them was planned
    shortest = min((item.minutes for item in items), default=0)
    for at, item in enumerate(items):
        if used + item.minutes <= available:
            this_hour.append(item)
            used += item.minutes
            left_out += passed
            passed = []
        elif available - used < shortest:  # nobody else fits: the rest wait, as they are
            rest += items[at:]
            break
        else:
            rest.append(item)
            passed.append((item, available - used))
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
        spent,
        touches,
        tuple(left_out),
    )


def spent_this_month(
    contacts: tuple[Contact, ...] | list[Contact], settings: Settings, today: date
) -> tuple[int, int]:
    """Minutes (by each channel's minutes) and number of the touches logged this month up to
    today, from the Log entries the load already holds (newest first: a few per note).
    A reply is theirs, not the user's time."""
    first = today.replace(day=1)
    minutes = touches = 0
    for contact in contacts:
        last = contact.last_contacted  # the newest of the property and the Log
        if last is None or last < first:
            continue
        for entry in contact.log:
            if entry.date < first:
                break
            if entry.date > today or entry.channel == "reply":
                continue
            minutes += settings.minutes_for(entry.channel or settings.default_channel)
            touches += 1
    return minutes, touches


def birthday_this_month(contact: Contact, today: date) -> bool:
    return contact.birthday is not None and contact.birthday.month == today.month
