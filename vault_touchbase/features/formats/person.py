"""The neutral person every reader produces, and how two of its list values compare (pure).

Readers collect raw values into a `PersonBuilder` (formats/builder.py) and build
an `ImportedPerson`; `ReadResult` carries the people of one file with a problem
for each record that could not be read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date

from vault_touchbase.core.errors import VtbError
from vault_touchbase.core.model import Birthday, Problem
from vault_touchbase.core.settings import DIALECT_KEYS
from vault_touchbase.features.formats.values import digits, url_key

Progress = Callable[[int, int], None]

LIST_FIELDS = (
    "aliases",
    "emails",
    "phones",
    "websites",
    "tags",
    "offers",
    "needs",
    "notes",
    "vcard",
)
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
    "spouse",
    "anniversary",
    "nearby",
    "paused",
    "snooze_until",
    "last_contacted",
)

PLACEHOLDER = "How we met, what matters to them."  # the body line of vtb's built-in template

# Frontmatter keys for the fields beyond vtb's own (the first is written; the others are
# read, so a note that says `company:` is not given `organization:`). The organisation and
# title are read into `Contact` too (`vtb who`): their keys are the settings' dialect keys.
EXTRA_KEYS: dict[str, tuple[str, ...]] = {
    "organization": DIALECT_KEYS["organization"],
    "job_title": DIALECT_KEYS["job_title"],
    "address": ("address",),
    "websites": ("website", "websites", "url", "homepage"),
    "linkedin": ("linkedin",),
    "connected_on": ("connected_on",),
    "source": ("source",),
    "spouse": ("spouse",),
    "anniversary": ("anniversary",),
    "vcard": ("vcard",),
}


class FormatError(VtbError):
    """The file cannot be imported at all: unreadable, or not a format vtb knows."""


@dataclass(frozen=True)
class ImportedPerson:
    """One person as a file describes them, before it is matched against the vault.

    `where` says where the record is ("card 3", "row 5", "paragraph 12") and
    `line` the file line it starts on (the paragraph number in a Word document).
    `uid` (a vCard UID) tells records of one file apart and is kept as the new note's
    `uid`. `nearby`, `paused`, `snooze_until` and `last_contacted` are vtb's own
    fields, carried through a vCard export by `X-VTB-*` properties.
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
    spouse: str = ""
    anniversary: str = ""  # `2011-09-03`, or `09-03` without a year
    vcard: tuple[str, ...] = ()  # a vCard's properties vtb has no field for, verbatim
    nearby: bool = False
    paused: bool = False
    snooze_until: date | None = None
    last_contacted: date | None = None

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
            "spouse",
            "anniversary",
            "snooze_until",
            "last_contacted",
        ):
            value = getattr(self, name)
            if value:
                parts.append(f"{name.replace('_', ' ')} {value}")
        parts += [name for name in ("nearby", "paused") if getattr(self, name)]
        for name in ("websites", "tags", "offers", "needs", "vcard"):
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


def same_value(field_name: str, a: str, b: str) -> bool:
    """Whether two values of a list field mean the same thing."""
    if field_name == "phones":
        return digits(a) == digits(b) if digits(a) else a.strip() == b.strip()
    if field_name == "websites":
        return url_key(a) == url_key(b)
    if field_name == "notes":
        return a.strip() == b.strip()
    if field_name == "tags":
        return tag_key(a) == tag_key(b)
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def tag_key(tag: str) -> str:
    """What a tag means, for telling doubles apart: `#Freelancers` and `freelancer` are one."""
    key = "-".join(tag.strip().lstrip("#").casefold().split())
    if len(key) > 3 and key.endswith("s") and not key.endswith("ss"):
        key = key[:-1]
    return key


def unite(field_name: str, first: Iterable[str], second: Iterable[str]) -> tuple[str, ...]:
    """The items of `first`, then those of `second` not already there (a blank line
    between notes' lines, which parts paragraphs, is kept once)."""
    out: list[str] = []
    for item in [*first, *second]:
        if field_name == "notes" and not item.strip():
            if out and out[-1]:
                out.append("")
        elif not any(same_value(field_name, item, seen) for seen in out):
            out.append(item)
    while out and field_name == "notes" and not out[-1]:
        out.pop()
    return tuple(out)
