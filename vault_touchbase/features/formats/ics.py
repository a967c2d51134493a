"""A calendar (ICS) of touch-bases and birthdays, written with the icalendar library.

All-day events, each with a UID that depends only on the note's path, so a
calendar app that imports the file again updates its events instead of
adding them twice. DTSTAMP is `today`, so the same vault and day give the
same bytes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

PRODID = "-//vault-touchbase//vtb export//EN"
UID_DOMAIN = "vault-touchbase"


@dataclass(frozen=True)
class CalendarEvent:
    """One all-day event; `yearly` repeats it every year on its date (birthdays)."""

    uid: str
    day: date
    summary: str
    description: str = ""
    url: str = ""
    yearly: bool = False
    feb29: bool = False  # a yearly event on 29 February: the last day of February each year


def stable_uid(kind: str, path: str) -> str:
    """`touch-3f2a...@vault-touchbase`: the same for the same note path, every export."""
    digest = hashlib.sha256(path.encode("utf-8")).hexdigest()[:20]
    return f"{kind}-{digest}@{UID_DOMAIN}"


def write_ics(events: list[CalendarEvent], today: date, name: str = "Touch base") -> str:
    """The events as one VCALENDAR (RFC 5545: CRLF line ends, folded lines)."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    stamp = datetime(today.year, today.month, today.day, tzinfo=UTC)
    for item in events:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", item.day)
        event.add("dtend", item.day + timedelta(days=1))
        event.add("summary", item.summary)
        if item.description:
            event.add("description", item.description)
        if item.url:
            event.add("url", item.url)
        if item.yearly:
            rule: dict[str, object] = {"freq": "yearly"}
            if item.feb29:
                rule.update({"bymonth": 2, "bymonthday": -1})
            event.add("rrule", rule)
        event.add("transp", "TRANSPARENT")  # a reminder, not busy time
        calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")
