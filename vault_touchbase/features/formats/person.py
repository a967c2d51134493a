"""The neutral person every reader produces, and the value clean-up they share (pure).

Readers collect raw values into a `PersonBuilder` (`builder.add("email", cell)`), then
`build()` it: e-mail addresses are picked out of the text, phones, tags and
dates normalised, and anything that cannot be used is kept as a note line with
a warning, so nothing a file held is silently lost.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from vault_touchbase.core.errors import VtbError
from vault_touchbase.core.model import Birthday, Problem, Severity

Progress = Callable[[int, int], None]

LIST_FIELDS = ("aliases", "emails", "phones", "websites", "tags", "offers", "needs", "notes")
SCALAR_FIELDS = (
    "organization",
    "job_title",
    "birthday",
    "address",
    "linkedin",
    "connected_on",
    "circle",
    "cadence",
    "channel",
    "source",
)

PLACEHOLDER = "How we met, what matters to them."  # the body line of vtb's built-in template

# Frontmatter keys for the fields vtb itself does not read (the first is written;
# the others are read, so a note that says `company:` is not given `organization:`).
EXTRA_KEYS: dict[str, tuple[str, ...]] = {
    "organization": ("organization", "company", "org", "organisation"),
    "job_title": ("job_title", "position", "role", "jobtitle"),
    "address": ("address",),
    "websites": ("website", "websites", "url", "homepage"),
    "linkedin": ("linkedin",),
    "connected_on": ("connected_on",),
    "source": ("source",),
}


class FormatError(VtbError):
    """The file cannot be imported at all: unreadable, or not a format vtb knows."""


@dataclass(frozen=True)
class ImportedPerson:
    """One person as a file describes them, before it is matched against the vault.

    `where` says where the record is ("card 3", "row 5", "paragraph 12") and
    `line` the file line it starts on (the paragraph number in a Word document).
    `uid` (a vCard UID) only tells records of one file apart; it is not stored.
    """

    name: str
    where: str = ""
    line: int = 1
    uid: str = ""
    aliases: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    organization: str = ""
    job_title: str = ""
    birthday: Birthday | None = None
    address: str = ""
    websites: tuple[str, ...] = ()
    linkedin: str = ""
    connected_on: date | None = None
    tags: tuple[str, ...] = ()
    circle: str = ""
    cadence: str = ""
    channel: str = ""
    offers: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # lines for the note's body
    source: str = ""

    def merged(self, other: ImportedPerson) -> ImportedPerson:
        """This person with `other`'s values added: lists united, empty scalars filled."""
        values: dict[str, object] = {}
        for name in LIST_FIELDS:
            mine: tuple[str, ...] = getattr(self, name)
            values[name] = unite(name, mine, getattr(other, name))
        for name in SCALAR_FIELDS:
            values[name] = getattr(self, name) or getattr(other, name)
        return replace(self, **values)  # type: ignore[arg-type]

    def summary(self) -> list[str]:
        """`field value` phrases for showing how a record was read."""
        parts = []
        singular = {"emails": "email", "phones": "phone", "aliases": "alias"}
        for name in ("emails", "phones", "aliases"):
            items = getattr(self, name)
            if items:
                parts.append(f"{singular[name] if len(items) == 1 else name} {', '.join(items)}")
        for name in (
            "organization",
            "job_title",
            "birthday",
            "address",
            "circle",
            "cadence",
            "channel",
            "linkedin",
            "connected_on",
        ):
            value = getattr(self, name)
            if value:
                parts.append(f"{name.replace('_', ' ')} {value}")
        for name in ("websites", "tags", "offers", "needs"):
            items = getattr(self, name)
            if items:
                parts.append(f"{name} {', '.join(items)}")
        if self.notes:
            first = self.notes[0] if len(self.notes[0]) <= 60 else self.notes[0][:57] + "..."
            more = f" (+{len(self.notes) - 1} lines)" if len(self.notes) > 1 else ""
            parts.append(f'note "{first}"{more}')
        return parts


@dataclass
class ReadResult:
    """What a reader found in a file: the people, and a problem for each bad record."""

    format: str  # as shown to the user: "vCard", "LinkedIn CSV", "Word document"...
    people: list[ImportedPerson] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    records: int = 0  # records seen, good and bad


# --- comparing values --------------------------------------------------------------


def digits(phone: str) -> str:
    """The digits of a phone number, for comparing `+1 (555) 010-0100` with `+15550100100`."""
    return "".join(ch for ch in phone if ch.isdigit())


def url_key(url: str) -> str:
    """A URL without scheme, `www.` and trailing slash, casefolded (for comparing)."""
    text = re.sub(r"^[a-z]+://", "", url.strip().casefold())
    return text.removeprefix("www.").rstrip("/")


def same_value(field_name: str, a: str, b: str) -> bool:
    """Whether two values of a list field mean the same thing."""
    if field_name == "phones":
        return digits(a) == digits(b) if digits(a) else a.strip() == b.strip()
    if field_name == "websites":
        return url_key(a) == url_key(b)
    if field_name == "notes":
        return a.strip() == b.strip()
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def unite(field_name: str, first: Iterable[str], second: Iterable[str]) -> tuple[str, ...]:
    """The items of `first`, then those of `second` not already there."""
    out: list[str] = []
    for item in [*first, *second]:
        if not any(same_value(field_name, item, seen) for seen in out):
            out.append(item)
    return tuple(out)


# --- recognising values --------------------------------------------------------------

EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_PHONE = re.compile(r"^(?:tel:)?\+?[\d\s().\-/]{6,}(?:\s*(?:x|ext\.?)\s*\d+)?$", re.IGNORECASE)
_URL = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)
_NOT_TAG = re.compile(r"[^\w/-]+")
_GOOGLE_SYSTEM_LABEL = re.compile(r"^\*\s*my\s*contacts$", re.IGNORECASE)
_NO_YEAR = {1604, 1900, 0}  # Apple's X-APPLE-OMIT-YEAR, and "no year" placeholders
_MONTHS = "%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%d.%m.%Y", "%m/%d/%Y"


def is_phone(text: str) -> bool:
    return _PHONE.match(text.strip()) is not None and len(digits(text)) >= 6


def is_url(text: str) -> bool:
    return _URL.match(text.strip()) is not None


def tag_of(text: str) -> str:
    """A label as an Obsidian tag: `Design Meetup` → `design-meetup` ("" when nothing is left)."""
    text = text.strip().lstrip("*#").strip()
    return _NOT_TAG.sub("-", text.lower()).strip("-/")


def circle_of(text: str) -> str:
    """A heading or value as a circle: `Professional:` → `professional`."""
    return " ".join(text.strip().strip(":*#_").split()).lower()


def parse_birthday(text: str) -> Birthday | None:
    """`1988-04-02`, `19880402`, `--1128`, `--11-28`, `11-28`, `2 April 1988`... or None."""
    value = text.strip()
    match = re.fullmatch(r"-{0,2}(\d{2})-?(\d{2})", value)
    if match and (value.startswith("--") or "-" in value):
        month, day = int(match.group(1)), int(match.group(2))
        return Birthday(month, day) if _valid(2000, month, day) else None
    match = re.fullmatch(r"(\d{4})-?(\d{2})-?(\d{2})(?:T.*)?", value)
    if match:
        year, month, day = (int(g) for g in match.groups())
        if not _valid(year if year not in _NO_YEAR else 2000, month, day):
            return None
        return Birthday(month, day, None if year in _NO_YEAR else year)
    parsed = parse_date_text(value)
    if parsed:
        return Birthday(parsed.month, parsed.day, parsed.year)
    for form in ("%d %B", "%d %b", "%B %d", "%b %d"):
        try:
            found = datetime.strptime(value, form)
        except ValueError:
            continue
        return Birthday(found.month, found.day)
    return None


def parse_date_text(text: str) -> date | None:
    """A date as exports write it: ISO, `12 May 2023` (LinkedIn), `May 12, 2023`..."""
    value = text.strip()
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        pass
    for form in _MONTHS:
        try:
            return datetime.strptime(value, form).date()
        except ValueError:
            continue
    return None


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def clean(text: str) -> str:
    """One line of text: control characters and repeated spaces removed."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(text.split())


# --- building a person ----------------------------------------------------------------


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
        )
        lines = [
            clean(line)
            for note in (*self._get("notes"), *self._get("details"))
            for line in note.split("\n")
        ]
        person = replace(person, notes=unite("notes", [ln for ln in lines if ln], notes))
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
        return name or self._first("organization")

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
        pieces = [p for p in pieces if not _GOOGLE_SYSTEM_LABEL.match(p.strip())]
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


def _split(text: str, separators: str) -> list[str]:
    if isinstance(text, Whole):
        return [text]
    pieces = re.split("[" + re.escape(separators) + "]", text) if separators else [text]
    return [p.strip() for p in pieces if p.strip()]


def _split_all(values: Iterable[str], separators: str) -> list[str]:
    return [clean(piece) for value in values for piece in _split(value, separators)]


# --- column headers and line labels ------------------------------------------------------

# A table's header cell, or a `Label: value` line in a list, names one of these fields.
FIELD_WORDS: dict[str, str] = {
    **dict.fromkeys(["name", "full name", "contact", "person", "who", "display name"], "name"),
    **dict.fromkeys(["first name", "given name", "first", "firstname"], "first_name"),
    **dict.fromkeys(["last name", "family name", "surname", "last", "lastname"], "last_name"),
    **dict.fromkeys(["middle name", "additional name"], "middle_name"),
    **dict.fromkeys(
        ["email", "e-mail", "mail", "emails", "e-mails", "email address", "e-mail address"],
        "emails",
    ),
    **dict.fromkeys(
        ["phone", "phones", "telephone", "tel", "mobile", "cell", "phone number", "mobile phone"],
        "phones",
    ),
    **dict.fromkeys(
        ["notes", "note", "comments", "comment", "reminder", "reminders", "remarks", "about"],
        "notes",
    ),
    **dict.fromkeys(
        ["organization", "organisation", "company", "org", "employer", "organization name"],
        "organization",
    ),
    **dict.fromkeys(["job title", "job_title", "title", "position", "role"], "job_title"),
    **dict.fromkeys(["birthday", "bday", "birth date", "date of birth", "born"], "birthday"),
    **dict.fromkeys(["address", "home address", "postal address"], "address"),
    **dict.fromkeys(["tags", "tag", "labels", "label", "categories", "groups"], "tags"),
    **dict.fromkeys(["circle"], "circle"),
    **dict.fromkeys(
        ["website", "websites", "url", "web", "homepage", "site", "web page"], "websites"
    ),
    **dict.fromkeys(["linkedin", "linkedin url"], "linkedin"),
    **dict.fromkeys(["nickname", "nicknames", "alias", "aliases", "also known as"], "aliases"),
    **dict.fromkeys(["cadence"], "cadence"),
    **dict.fromkeys(["channel"], "channel"),
    **dict.fromkeys(["offers", "offer", "can help with"], "offers"),
    **dict.fromkeys(["needs", "need", "looking for"], "needs"),
    **dict.fromkeys(["connected on", "connected_on"], "connected_on"),
    **dict.fromkeys(["source"], "source"),
}
# Columns vtb's own CSV export writes that are worked out from the notes, not imported.
DERIVED_WORDS = {"last_contacted", "last contacted", "next_due", "next due", "path"}


def field_of(label: str) -> str | None:
    """The field a header cell or line label names (`E-mail` → emails), else None."""
    word = " ".join(label.strip().strip(":").replace("_", " ").split()).casefold()
    found = FIELD_WORDS.get(word)
    if found or re.search(r"\b(type|label|display|kind)\b", word):
        return found
    # Outlook's and others' numbered columns: "E-mail 2 Address", "Business Phone", "Home Fax"
    if re.search(r"\be-?mail\b", word):
        return "emails"
    if re.search(r"\b(phone|mobile|cell|fax|telephone)\b", word):
        return "phones"
    return None
