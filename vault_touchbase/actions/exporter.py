"""Export the vault: vCard 3.0, CSV, ICS (touch-bases and birthdays) or JSON.

Each note becomes the same neutral `ImportedPerson` the importers produce, so
a vCard export read back by `vtb import` gives the same people and fields.
Reads notes only; writes nothing in the vault.
"""

from __future__ import annotations

import calendar
import json
import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from vault_touchbase.core.cadence import add_months
from vault_touchbase.core.model import Contact, Problem, contact_to_dict
from vault_touchbase.core.plan import cadence_of, channel_of, due_items, hour_plan, next_due
from vault_touchbase.features.formats.person import EXTRA_KEYS, PLACEHOLDER, ImportedPerson
from vault_touchbase.vault.folder import Vault
from vault_touchbase.vault.load import load_vault

_STOP = re.compile(r"^#{1,2}\s+(log|follow[\s_-]*ups?)\s*#*\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class ExportResult:
    text: str
    people: int  # people (or calendar events) written
    problems: tuple[Problem, ...]


def _note(vault: Vault, rel: str) -> tuple[dict[str, object], str]:
    """A note's frontmatter (as loaded) and body; ({}, "") when it cannot be read."""
    from vault_touchbase.notes.text import decode, frontmatter_of, split_note

    try:
        text = decode(vault.path_of(rel).read_bytes())
        return frontmatter_of(text), split_note(text).body
    except Exception:  # reported by the loader already
        return {}, ""


def body_lines(body: str) -> tuple[str, ...]:
    """The free text about a person: body lines before `## Follow-ups` / `## Log`,
    without the template's placeholder; one blank line between paragraphs."""
    lines: list[str] = []
    for line in body.split("\n"):
        if _STOP.match(line.strip()):
            break
        if line.strip() and line.strip() != PLACEHOLDER:
            lines.append(line.strip())
        elif not line.strip() and lines and lines[-1]:
            lines.append("")
    while lines and not lines[-1]:
        lines.pop()
    return tuple(lines)


def _text(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value if _text(v))
    if value is None or isinstance(value, dict | bool):
        return ""
    return " ".join(str(value).split())


def _texts(value: object) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    return tuple(t for t in (_text(v) for v in items) if t)


def _extra(meta: dict[str, object], name: str) -> object:
    return next((meta[k] for k in EXTRA_KEYS[name] if meta.get(k) not in (None, "")), None)


def note_uid(contact: Contact) -> str:
    """The UID a note is exported under: its own `uid`, else one made from its path (which
    `vtb rename` and `vtb init` write into the note, so it stays the same from then on)."""
    from vault_touchbase.features.formats.ics import stable_uid

    return contact.uid or stable_uid("vtb", contact.path)


def person_from_note(contact: Contact, meta: dict[str, object], body: str) -> ImportedPerson:
    """One contact as the neutral person the formats write."""
    from vault_touchbase.features.formats.values import parse_date_text

    connected = _extra(meta, "connected_on")
    return ImportedPerson(
        name=contact.name,
        uid=note_uid(contact),
        aliases=contact.aliases,
        emails=contact.emails,
        phones=contact.phones,
        organization=contact.organization,
        job_title=contact.job_title,
        birthday=contact.birthday,
        address=_text(_extra(meta, "address")),
        websites=_texts(_extra(meta, "websites")),
        linkedin=_text(_extra(meta, "linkedin")),
        connected_on=(
            connected if isinstance(connected, date) else parse_date_text(_text(connected))
        ),
        tags=contact.tags,
        circle=contact.circle,
        cadence=str(contact.cadence) if contact.cadence else "",
        channel=contact.channel or "",
        offers=contact.offers,
        needs=contact.needs,
        notes=body_lines(body),
        source=_text(_extra(meta, "source")),
        spouse=_text(_extra(meta, "spouse")),
        anniversary=_date_text(_extra(meta, "anniversary")),
        vcard=tuple(v for v in _kept(meta.get("vcard")) if v),
        nearby=contact.nearby,
        paused=contact.paused,
        snooze_until=contact.snooze_until,
        last_contacted=contact.last_contacted,
    )


def _date_text(value: object) -> str:
    """A date property as `2011-09-03` (YAML may have read it as a date)."""
    return value.isoformat() if isinstance(value, date) else _text(value)


def _kept(value: object) -> list[str]:
    """The `vcard:` list's lines as they are (not whitespace-normalised: they are vCard)."""
    items = value if isinstance(value, list) else [value]
    return [str(v).strip() for v in items if isinstance(v, str)]


def export(vault: Vault, fmt: str, today: date, months: int = 3) -> ExportResult:
    """The whole vault in `fmt` (vcf, csv, ics or json) as text."""
    loaded = load_vault(vault)
    contacts = sorted(loaded.contacts, key=lambda c: (c.name.casefold(), c.path))
    if fmt == "json":
        return ExportResult(_json(vault, contacts), len(contacts), loaded.problems)
    if fmt == "ics":
        text, count = _ics(vault, contacts, today, months)
        return ExportResult(text, count, loaded.problems)
    pairs = []
    for contact in contacts:
        meta, body = _note(vault, contact.path)
        pairs.append((contact, person_from_note(contact, meta, body)))
    if fmt == "vcf":
        from vault_touchbase.features.formats.vcard import write_vcards

        return ExportResult(write_vcards([p for _, p in pairs]), len(pairs), loaded.problems)
    from vault_touchbase.features.formats.csvfiles import write_csv

    rows = [_csv_row(vault, contact, person, today) for contact, person in pairs]
    return ExportResult(write_csv(rows), len(rows), loaded.problems)


def _csv_row(vault: Vault, contact: Contact, person: ImportedPerson, today: date) -> dict[str, str]:
    due = next_due(contact, cadence_of(contact, vault.settings), today)
    join = "; ".join
    return {
        "name": person.name,
        "aliases": join(person.aliases),
        "email": join(person.emails),
        "phone": join(person.phones),
        "organization": person.organization,
        "job_title": person.job_title,
        "birthday": str(person.birthday) if person.birthday else "",
        "address": person.address,
        "website": join(person.websites),
        "linkedin": person.linkedin,
        "tags": join(person.tags),
        "circle": person.circle,
        "cadence": person.cadence,
        "channel": person.channel,
        "offers": join(person.offers),
        "needs": join(person.needs),
        "last_contacted": contact.last_contacted.isoformat() if contact.last_contacted else "",
        "next_due": due.isoformat() if due else "",
        "source": person.source,
        "notes": "\n".join(person.notes),
        "path": contact.path,
    }


def _json(vault: Vault, contacts: list[Contact]) -> str:
    data = []
    for contact in contacts:
        item = contact_to_dict(contact)
        item["properties"] = _note(vault, contact.path)[0]
        data.append(item)
    return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"


def obsidian_url(vault: Vault, rel: str) -> str:
    """`obsidian://open?vault=NAME&file=PATH`: opens the note from the calendar event."""
    return f"obsidian://open?vault={quote(vault.root.name, safe='')}&file={quote(rel, safe='')}"


def _ics(vault: Vault, contacts: list[Contact], today: date, months: int) -> tuple[str, int]:
    from vault_touchbase.features.formats.ics import CalendarEvent, stable_uid, write_ics

    horizon = add_months(today, months)
    # a backlog the index note spreads over the next months goes on those months here too
    items = due_items(contacts, vault.settings, today)
    planned = {
        item.contact.path: month
        for month, people in hour_plan(items, contacts, vault.settings, today).later
        for item in people
    }
    events: list[CalendarEvent] = []
    for contact in contacts:
        channel = channel_of(contact, vault.settings)
        due = next_due(contact, cadence_of(contact, vault.settings, channel), today)
        url = obsidian_url(vault, contact.path)
        if due is not None and due <= horizon:
            events.append(
                CalendarEvent(
                    stable_uid("touch", note_uid(contact)),
                    max(due, today, planned.get(contact.path, today)),
                    f"Touch base: {contact.name} ({channel})",
                    _touch_description(contact, due, today),
                    url,
                )
            )
        if contact.birthday:
            birthday = contact.birthday
            first = _this_year(birthday.month, birthday.day, today)
            born = f"born {birthday.year}" if birthday.year else ""
            events.append(
                CalendarEvent(
                    stable_uid("birthday", note_uid(contact)),
                    first,
                    f"{contact.name}'s birthday",
                    born,
                    url,
                    yearly=True,
                    feb29=(birthday.month, birthday.day) == (2, 29),
                )
            )
    events.sort(key=lambda e: (e.day, e.summary))
    return write_ics(events, today), len(events)


def _this_year(month: int, day: int, today: date) -> date:
    """This year's date of a yearly event; 29 February is the 28th in other years."""
    if (month, day) == (2, 29) and not calendar.isleap(today.year):
        return date(today.year, 2, 28)
    return date(today.year, month, day)


def _touch_description(contact: Contact, due: date, today: date) -> str:
    lines = []
    if contact.last_contacted is None:
        lines.append("Never contacted.")
    elif due < today:
        lines.append(f"Overdue since {due}.")
    last = contact.last_entry
    if last:
        said = f"{last.channel}: " if last.channel else ""
        lines.append(f"Last: {last.date} {said}{last.text}".rstrip())
    if contact.needs:
        lines.append("Needs: " + ", ".join(contact.needs))
    if contact.offers:
        lines.append("Offers: " + ", ".join(contact.offers))
    lines += [f"Follow-up: {f.text}" for f in contact.open_followups]
    return "\n".join(lines)
