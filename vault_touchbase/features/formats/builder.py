"""Raw values of one record turned into an ImportedPerson (pure).

Readers collect raw values into a `PersonBuilder` (`builder.add("email", cell)`),
then `build()` it: e-mail addresses are picked out of the text, phones, tags and
dates normalised, and anything that cannot be used is kept as a note line with
a warning, so nothing a file held is silently lost.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import date

from vault_touchbase.core.model import Birthday, Problem, Severity
from vault_touchbase.features.formats.person import ImportedPerson, same_value, unite
from vault_touchbase.features.formats.values import (
    EMAIL,
    circle_of,
    clean,
    digits,
    parse_birthday,
    parse_date_text,
    tag_of,
)

# Address books' own groups, on everyone: Google's `* myContacts` / `* starred`, Android's
# "My Contacts" and "Starred in Android" (also as "System Group: ...").
_SYSTEM_GROUP = re.compile(
    r"^(?:\*\s*|system\s+group:\s*)?(?:my\s*contacts|starred(?:\s+in\s+android)?)$",
    re.IGNORECASE,
)


class Whole(str):
    """A value that is one item already (a vCard CATEGORIES item): never split at commas."""

    __slots__ = ()


class PersonBuilder:
    """Raw values of one record, turned into an ImportedPerson by `build()`."""

    def __init__(self, file: str, where: str, line: int, source: str) -> None:
        self.file = file
        self.where = where
        self.line = line
        self.source = source
        self.uid = ""
        self.values: dict[str, list[str]] = {}
        self.problems: list[Problem] = []

    def add(self, name: str, value: object) -> None:
        """Add a raw value for `name` (a field of ImportedPerson, singular or plural, or
        first_name / last_name / note / tag; `detail` is a note line that goes after the
        notes, such as `anniversary: 2011-09-03`); empty values are ignored."""
        if value is None:
            return
        text = str(value).replace("\r\n", "\n").replace("\r", "\n").strip()
        if text:
            item = Whole(text) if isinstance(value, Whole) else text
            self.values.setdefault(_FIELD_ALIASES.get(name, name), []).append(item)

    def has(self, name: str) -> bool:
        """Whether a value was added for `name` (singular or plural)."""
        return bool(self.values.get(_FIELD_ALIASES.get(name, name)))

    def problem(self, severity: Severity, message: str, hint: str = "") -> None:
        self.problems.append(
            Problem(self.file, self.line, severity, f"{self.where}: {message}", hint)
        )

    def _get(self, name: str) -> list[str]:
        return self.values.get(name, [])

    def _first(self, name: str) -> str:
        return next((clean(v) for v in self._get(name) if clean(v)), "")

    def build(self) -> ImportedPerson | None:
        """The person, or None (with an error) when the record names nobody."""
        notes: list[str] = []
        name = self._name()
        if not name:
            self.problem(
                "error",
                "no name; not imported",
                "give the person a name in the file and import again",
            )
            return None
        emails = self._emails(notes)
        phones = self._phones(notes)
        person = ImportedPerson(
            name=name,
            where=self.where,
            line=self.line,
            uid=self.uid,
            aliases=unite("aliases", [], _split_all(self._get("aliases"), ",;\n")),
            emails=emails,
            phones=phones,
            organization=self._first("organization"),
            job_title=self._first("job_title"),
            birthday=self._birthday(notes),
            address=self._address(),
            websites=self._websites(),
            linkedin=self._first("linkedin"),
            connected_on=self._day("connected_on", notes),
            tags=self._tags(),
            circle=circle_of(self._first("circle")),
            cadence=self._cadence(notes),
            channel=self._channel(notes),
            offers=unite("offers", [], _split_all(self._get("offers"), ";\n")),
            needs=unite("needs", [], _split_all(self._get("needs"), ";\n")),
            source=self._first("source") or self.source,
            spouse=self._first("spouse"),
            anniversary=self._anniversary(notes),
            vcard=tuple(v.strip() for v in self._get("vcard")),
            nearby=self._flag("nearby"),
            paused=self._flag("paused"),
            snooze_until=self._day("snooze_until", notes),
            last_contacted=self._day("last_contacted", notes),
        )
        lines = [
            clean(line)
            for note in (*self._get("notes"), *self._get("details"))
            for line in note.split("\n")
        ]  # a blank line inside a note parts paragraphs: `unite` keeps one
        person = replace(person, notes=unite("notes", lines, notes))
        if person.aliases:
            aliases = [a for a in person.aliases if not same_value("aliases", a, name)]
            person = replace(person, aliases=tuple(aliases))
        return person

    def _name(self) -> str:
        name = self._first("name")
        if not name:  # a prefix (Dr., Mrs.) is no part of a note's name, so it is not lost:
            parts = [self._first(p) for p in ("first_name", "middle_name", "last_name", "suffix")]
            name = clean(" ".join(p for p in parts if p))
            if name and self._first("prefix"):
                self.add("detail", f"name prefix: {self._first('prefix')}")
        name = name or self._first("organization")
        if not name:
            found = [a for value in self._get("emails") for a in EMAIL.findall(value)]
            name = _name_of_email(found[0]) if found else ""
            if name:
                self.problem("warning", f"no name; named {name!r} after the e-mail address")
        return name

    def _emails(self, notes: list[str]) -> tuple[str, ...]:
        found: list[str] = []
        for value in self._get("emails"):
            for piece in _split(value, ",;\n"):
                addresses = EMAIL.findall(piece)
                if not addresses:
                    self.problem("warning", f"{piece!r} is not an e-mail address; kept as a note")
                    notes.append(f"email: {clean(piece)}")
                found.extend(addresses)
        return unite("emails", [], found)

    def _phones(self, notes: list[str]) -> tuple[str, ...]:
        found: list[str] = []
        for value in self._get("phones"):
            for piece in _split(value, ";\n"):
                phone = clean(re.sub(r"^tel:", "", piece, flags=re.IGNORECASE))
                if digits(phone):
                    found.append(phone)
                else:
                    self.problem("warning", f"{piece!r} is not a phone number; kept as a note")
                    notes.append(f"phone: {clean(piece)}")
        return unite("phones", [], found)

    def _birthday(self, notes: list[str]) -> Birthday | None:
        raw = self._first("birthday")
        if not raw or re.fullmatch(r"[0/.\-\s]+", raw):  # Outlook's "0/0/00" means none
            return None
        found = parse_birthday(raw)
        if found is None:
            self.problem("warning", f"birthday {raw!r} is not a date; kept as a note")
            notes.append(f"birthday: {raw}")
        return found

    def _anniversary(self, notes: list[str]) -> str:
        """`2011-09-03`, or `09-03` without a year (read as a birthday is)."""
        raw = self._first("anniversary")
        found = parse_birthday(raw) if raw else None
        if raw and found is None:
            self.problem("warning", f"anniversary {raw!r} is not a date; kept as a note")
            notes.append(f"anniversary: {raw}")
        if found is None:
            return ""
        day = f"{found.month:02d}-{found.day:02d}"
        return f"{found.year:04d}-{day}" if found.year else day

    def _day(self, name: str, notes: list[str]) -> date | None:
        raw = self._first(name)
        if not raw:
            return None
        found = parse_date_text(raw)
        if found is None:
            label = name.replace("_", " ")
            self.problem("warning", f"{label} {raw!r} is not a date; kept as a note")
            notes.append(f"{label}: {raw}")
        return found

    def _flag(self, name: str) -> bool:
        """vtb's own yes-or-no fields (`X-VTB-PAUSED:true`)."""
        return self._first(name).lower() in ("true", "yes", "1")

    def _address(self) -> str:
        for value in self._get("address"):
            lines = [clean(line) for line in value.split("\n")]
            text = ", ".join(line.strip(" ,") for line in lines if line.strip(" ,"))
            if text:
                return text
        return ""

    def _websites(self) -> tuple[str, ...]:
        return unite("websites", [], _split_all(self._get("websites"), " \n;,"))

    def _tags(self) -> tuple[str, ...]:
        pieces = _split_all(self._get("tags"), ",;\n")
        pieces = [p for p in pieces if not _SYSTEM_GROUP.match(p.strip())]
        return unite("tags", [], [t for t in map(tag_of, pieces) if t])

    def _cadence(self, notes: list[str]) -> str:
        from vault_touchbase.core.cadence import parse_cadence

        raw = self._first("cadence")
        if not raw:
            return ""
        try:
            parse_cadence(raw)
        except ValueError as exc:
            self.problem("warning", f"{exc}; kept as a note")
            notes.append(f"cadence: {raw}")
            return ""
        return raw.lower()

    def _channel(self, notes: list[str]) -> str:
        from vault_touchbase.core.settings import CHANNELS

        raw = self._first("channel").lower()
        if raw and raw not in CHANNELS:
            self.problem(
                "warning", f"channel {raw!r} is not one of {', '.join(CHANNELS)}; kept as a note"
            )
            notes.append(f"channel: {raw}")
            return ""
        return raw


_FIELD_ALIASES = {
    "email": "emails",
    "phone": "phones",
    "alias": "aliases",
    "website": "websites",
    "tag": "tags",
    "offer": "offers",
    "need": "needs",
    "note": "notes",
    "detail": "details",
}


def _name_of_email(email: str) -> str:
    """A name from an e-mail address's local part: `john.doe+x@...` → `John Doe`."""
    local = email.split("@")[0].split("+")[0]
    words = [w for w in re.split(r"[._\-]+", local) if w and not w.isdigit()]
    return " ".join(w[:1].upper() + w[1:] for w in words)


def _split(text: str, separators: str) -> list[str]:
    if isinstance(text, Whole):
        return [text]
    pieces = re.split("[" + re.escape(separators) + "]", text) if separators else [text]
    return [p.strip() for p in pieces if p.strip()]


def _split_all(values: Iterable[str], separators: str) -> list[str]:
    return [clean(piece) for value in values for piece in _split(value, separators)]
