"""Touches in calendars: past events with a contact, read from `.ics` files (SPEC §11).

`calendar_proposals(paths, directory, since, today)` returns a `SourceRead`: iterate it
for the `Proposal`s (read lazily, file by file); its `skipped` then lists the files that
could not be read (not a calendar, cut short, too big), and those with events that could
not be (a line icalendar cannot parse, or a series repeating more often than daily:
that event is left out, the others are read).
Nothing is fatal.

- **Files**: each path is an `.ics` file or a folder of them, read to any depth (the
  vdirsyncer and khal layout: one event per file, a folder per calendar); hidden files
  and folders are left out.
- **Who**: a contact is in an event as an attendee or its organizer by email (`mailto:`
  stripped, case-insensitive; an attendee who declined is not), or named in its
  summary (`Directory.named_in`: a whole name or an alias, never a first name alone).
- **When**: an occurrence counts when it started on or after `since` and is over:
  a timed one ended by `now` (by default the start of `today`, so today's events wait
  for tomorrow's harvest), an all-day one before `today`. Future events never count.
  The day is the start's date in the local zone (`zone`, by default the machine's);
  floating times and all-day dates are taken as they are.
- **Recurring events**: each occurrence in the window counts once, expanded by
  `recurring-ical-events` (RRULE, RDATE, EXDATE, moved and cancelled occurrences).
  Cancelled events and occurrences (`STATUS:CANCELLED`) are skipped.
- **Not touches**: reminders about someone: vtb's own exported events (`vtb export`'s
  UIDs end in `@vault-touchbase`), all-day birthdays and anniversaries (the summary says
  so, or the all-day event repeats yearly). Nor is being one of more than `CROWD` (12)
  attendees of an event a touch with each (a talk, an all-hands): only the people its
  summary names count then.
- **Channel**: `call` when the summary says so (call, phone, Zoom, Skype, FaceTime,
  Webex, Hangouts, Google Meet...) or the location is a video-call place (one of those
  words, Teams, or a web address), or the event has a conference link (RFC 7986
  `CONFERENCE`, Google's `X-GOOGLE-CONFERENCE`); otherwise `meet`.
- **Text**: the summary as one line (control characters gone, capped).
- **Once only**: the source id is `UID/YYYY-MM-DD` (the occurrence's local date); an
  event without a UID gets one from a hash of its summary and start.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any

from vault_touchbase.core.model import Contact
from vault_touchbase.core.words import plural
from vault_touchbase.features.formats.ics import UID_DOMAIN
from vault_touchbase.features.harvest.found import (
    Directory,
    PastEvent,
    Progress,
    Proposal,
    Skipped,
    SourceRead,
    one_line,
    words_of,
)
from vault_touchbase.vault.store import read_limited

MAX_ICS_BYTES = 64 * 1024 * 1024
"""The largest `.ics` file read (a Google export of many years stays well under it)."""

CROWD = 12
"""An event with more attendees than this is no touch with each of them (a talk, an
all-hands); someone it names in its summary still counts."""

_REMINDER_WORDS = frozenset({"birthday", "birthdays", "bday", "anniversary", "geburtstag"})
_CALL_WORDS = frozenset(
    {"call", "calls", "phone", "phonecall", "telephone", "zoom", "skype", "facetime"}
    | {"webex", "hangout", "hangouts", "videocall", "whatsapp", "jitsi"}
)
_CALL_PLACES = _CALL_WORDS | {"teams"}
_CALL_PHRASES = (("google", "meet"), ("video", "chat"))
_WEB = re.compile(r"\b(?:https?://|www\.)|\bmeet\.google\.com\b", re.IGNORECASE)


def calendar_proposals(
    paths: Iterable[Path],
    directory: Directory,
    since: date,
    today: date,
    on_progress: Progress | None = None,
    *,
    now: datetime | None = None,
    zone: tzinfo | None = None,
    state_dir: Path | None = None,
) -> SourceRead:
    """The touches in the calendars at `paths` (files or folders of `.ics` files) with
    the contacts of `directory`, from `since` up to `now` (by default the start of
    `today`); see the module's docstring for the rules. `state_dir`: where each file's
    past events in the window are kept by its stamp (`state.ics_events`), so an unchanged
    file is not parsed again the same day."""
    read = SourceRead(iter(()))
    read.proposals = _proposals(
        list(paths), directory, since, today, on_progress, now, zone, read, state_dir
    )
    return read


def ics_files(paths: Iterable[Path]) -> list[tuple[Path, str]]:
    """Each path that is a file, and the `.ics` files in each folder (any depth, hidden
    ones left out), in a stable order; each with how the listing names it (`work.ics`,
    `personal/3f2a.ics` for a file of the folder `personal`)."""
    found: list[tuple[Path, str]] = []
    for path in paths:
        if not path.is_dir():
            found.append((path, path.name))
            continue
        for folder, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            found += [
                (Path(folder, name), Path(folder, name).relative_to(path.parent).as_posix())
                for name in sorted(files)
                if name.lower().endswith(".ics") and not name.startswith(".")
            ]
    return found


def _proposals(
    paths: list[Path],
    directory: Directory,
    since: date,
    today: date,
    on_progress: Progress | None,
    now: datetime | None,
    zone: tzinfo | None,
    read: SourceRead,
    state_dir: Path | None,
) -> Iterator[Proposal]:
    from vault_touchbase.features.harvest.state import ics_events

    files = ics_files(paths)
    end = _aware(now if now is not None else datetime.combine(today, time()), zone)
    start = _aware(datetime.combine(since, time()), zone)
    window = f"{start.isoformat()} {end.isoformat()} {today.isoformat()}"
    seen: set[tuple[str, str]] = set()
    for done, (path, shown) in enumerate(files, 1):
        events, skipped = ics_events(
            path, window, lambda p: _file_events(p, since, start, end, today, zone), state_dir
        )
        if skipped:
            read.skipped.append(Skipped(str(path), skipped))
        for event in events:
            for contact in _people(event, directory):
                proposal = Proposal(
                    contact.path,
                    contact.name,
                    event.day,
                    event.channel,
                    event.text,
                    f"{event.uid}/{event.day.isoformat()}",
                    f"ics {shown}",
                )
                if (proposal.source_id, proposal.path) not in seen:
                    seen.add((proposal.source_id, proposal.path))
                    yield proposal
        if on_progress is not None:
            on_progress(done, len(files))


def _file_events(
    path: Path, since: date, start: datetime, end: datetime, today: date, zone: tzinfo | None
) -> tuple[list[PastEvent], str]:
    """The past events of one file in the window, before anyone is looked up in them, and
    why the file (or some of its events) could not be read ("" when all was read)."""
    import icalendar
    import recurring_ical_events

    try:
        data = read_limited(path, MAX_ICS_BYTES)
        calendars = [
            c for c in icalendar.Calendar.from_ical(data, multiple=True) if c.name == "VCALENDAR"
        ]
        if not calendars:
            raise ValueError("no calendar in it (empty, cut short, or not iCalendar)")
        broken = [_drop_broken(calendar) for calendar in calendars]
        occurrences = [
            event
            for calendar in calendars
            for event in recurring_ical_events.of(  # RRULE kept: a yearly all-day is a reminder
                calendar, keep_recurrence_attributes=True, skip_bad_series=True
            ).between(since - timedelta(days=1), end.date() + timedelta(days=2))
        ]
        events = [
            past
            for event in occurrences
            if (past := _past_event(event, start, end, today, zone)) is not None
        ]
    except Exception as exc:  # any failure of the parsers on a stranger's file: skip it
        return [], _reason(exc)
    errors = [error for errors in broken for error in errors]
    why = one_line(f"{plural(len(errors), 'event')} left out: {errors[0]}") if errors else ""
    return events, why


def _drop_broken(calendar: Any) -> list[str]:
    """Take out of `calendar` the events icalendar could not read a line of (it reads
    leniently and notes them in `errors`), and series that repeat more often than daily
    (no touch with a person does; a year of `FREQ=SECONDLY` is 31 million occurrences to
    expand). Why each went, for the listing."""
    kept, reasons = [], []
    for component in calendar.subcomponents:
        if component.name != "VEVENT":
            kept.append(component)
        elif component.errors:
            reasons.append(str(component.errors[0][1]))
        elif _too_frequent(component):
            reasons.append("it repeats more often than daily")
        else:
            kept.append(component)
    calendar.subcomponents[:] = kept
    return reasons


def _too_frequent(event: Any) -> bool:
    """Whether any RRULE of the event repeats more often than once a day."""
    rules = event.get("RRULE", [])
    for rule in rules if isinstance(rules, list) else [rules]:
        frequency = [str(value).upper() for value in rule.get("FREQ", [])]
        if {"SECONDLY", "MINUTELY", "HOURLY"}.intersection(frequency):
            return True
        if any(len(rule.get(part, [])) > 1 for part in ("BYHOUR", "BYMINUTE", "BYSECOND")):
            return True
    return False


def _reason(exc: Exception) -> str:
    """One line saying why a file was skipped."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return one_line(str(exc) or type(exc).__name__, 200)


def _past_event(
    event: Any, start: datetime, end: datetime, today: date, zone: tzinfo | None
) -> PastEvent | None:
    """This occurrence as a `PastEvent`, if it is a past one in the window that may be a
    touch (not cancelled, not a reminder)."""
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return None
    first = event.get("DTSTART")
    if first is None:
        return None
    begins = first.dt
    if _is_reminder(event, begins):
        return None
    last = event.get("DTEND")
    ends = last.dt if last is not None else None
    if isinstance(begins, datetime):
        begins = _aware(begins, zone)
        ends = _aware(ends, zone) if isinstance(ends, datetime) else begins
        if begins < start or ends > end:
            return None
        day = begins.astimezone(zone).date()  # the local zone when `zone` is None
    else:
        if begins < start.date():
            return None
        finish = ends if isinstance(ends, date) and ends > begins else begins + timedelta(days=1)
        if finish > today:  # an all-day event is over once its last day is
            return None
        day = begins
    summary = str(event.get("SUMMARY", "") or "")
    uid = str(event.get("UID", "") or "").strip()
    if not uid:
        seed = f"{summary}\n{begins.isoformat()}".encode()
        uid = "no-uid-" + hashlib.sha256(seed).hexdigest()[:16]
    channel = "call" if _is_call(event, summary) else "meet"
    text = one_line(summary) or ("call" if channel == "call" else "meeting")
    return PastEvent(day, uid, channel, text, summary, _addresses(event))


def _is_reminder(event: Any, begins: date) -> bool:
    """A reminder about someone rather than a meeting: vtb's own exported events (their
    UID is `...@vault-touchbase`), and all-day birthdays and anniversaries (a birthday
    calendar's `Cleo Poe's birthday`, any all-day event repeating yearly)."""
    if str(event.get("UID", "")).endswith("@" + UID_DOMAIN):
        return True
    if isinstance(begins, datetime):
        return False
    if _REMINDER_WORDS.intersection(words_of(str(event.get("SUMMARY", "") or ""))):
        return True
    rules = event.get("RRULE", [])
    return any(
        "YEARLY" in [str(value).upper() for value in rule.get("FREQ", [])]
        for rule in (rules if isinstance(rules, list) else [rules])
    )


def _aware(moment: datetime, zone: tzinfo | None) -> datetime:
    """`moment` with its zone; a floating (naive) time is in the local zone."""
    if moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=zone) if zone is not None else moment.astimezone()


def _addresses(event: Any) -> tuple[str, ...]:
    """The email addresses of the event's attendees (not those who declined; none when
    more than `CROWD` came: a talk or an all-hands is no touch with each) and organizer."""
    attendees = event.get("ATTENDEE", [])
    if not isinstance(attendees, list):
        attendees = [attendees]
    if len(attendees) > CROWD:
        attendees = []
    organizer = event.get("ORGANIZER")
    found = []
    for address in [*attendees, *([organizer] if organizer is not None else [])]:
        params = getattr(address, "params", {})
        if str(params.get("PARTSTAT", "")).upper() == "DECLINED":
            continue
        email = "".join(str(address).split())  # a line folded inside the address (khal's test)
        if email.lower().startswith("mailto:"):
            email = email[7:]
        if "@" in email:
            found.append(email)
    return tuple(found)


def _people(event: PastEvent, directory: Directory) -> list[Contact]:
    """The contacts among the event's addresses, then those named in its summary, each once."""
    found: dict[str, Contact] = {}
    for email in event.addresses:
        contact = directory.by_email(email)
        if contact is not None:
            found.setdefault(contact.path, contact)
    for contact in directory.named_in(event.summary):
        found.setdefault(contact.path, contact)
    return list(found.values())


def _is_call(event: Any, summary: str) -> bool:
    """Whether the event was a call rather than a meeting in person (module docstring)."""
    if event.get("CONFERENCE") is not None or event.get("X-GOOGLE-CONFERENCE") is not None:
        return True
    said = words_of(summary)
    if _CALL_WORDS.intersection(said) or _has_phrase(said):
        return True
    location = str(event.get("LOCATION", "") or "")
    where = words_of(location)
    return bool(_CALL_PLACES.intersection(where) or _has_phrase(where) or _WEB.search(location))


def _has_phrase(words: tuple[str, ...]) -> bool:
    return any(
        words[i : i + len(phrase)] == phrase for phrase in _CALL_PHRASES for i in range(len(words))
    )
