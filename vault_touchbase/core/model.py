"""Plain, frozen data: contacts, log entries, follow-ups and problems.

Nothing here reads files or the clock; every other layer builds on these types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal, NamedTuple

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True, slots=True)
class Problem:
    """Something wrong in a note, with its place: `path:line: severity: message`."""

    path: str
    line: int
    severity: Severity
    message: str
    hint: str = ""

    def __str__(self) -> str:
        text = f"{self.path}:{self.line}: {self.severity}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "severity": self.severity,
            "message": self.message,
            "hint": self.hint,
        }


@dataclass(frozen=True, slots=True)
class Cadence:
    """How often to touch base: `count` units of d, w, m or y. `count == 0` means never."""

    count: int
    unit: Literal["d", "w", "m", "y"]

    @property
    def never(self) -> bool:
        return self.count == 0

    @property
    def approx_days(self) -> float:
        """Length in days, for comparing and for load estimates (months are 30.44 days)."""
        per_unit = {"d": 1.0, "w": 7.0, "m": 30.44, "y": 365.25}[self.unit]
        return self.count * per_unit

    def __str__(self) -> str:
        if self.never:
            return "never"
        names = {
            (1, "w"): "weekly",
            (2, "w"): "biweekly",
            (1, "m"): "monthly",
            (2, "m"): "bimonthly",
            (3, "m"): "quarterly",
            (1, "y"): "yearly",
        }
        return names.get((self.count, self.unit), f"{self.count}{self.unit}")


@dataclass(frozen=True, slots=True)
class Birthday:
    """A birthday; `year` is None when the note gives only month and day."""

    month: int
    day: int
    year: int | None = None

    def __str__(self) -> str:
        md = f"{self.month:02d}-{self.day:02d}"
        return f"{self.year:04d}-{md}" if self.year else md


class LogEntry(NamedTuple):
    """One interaction from a note's `## Log`: `- YYYY-MM-DD channel: text`.

    A named tuple rather than a dataclass: a big vault holds hundreds of thousands,
    and a tuple is smaller and quicker to build, also when read back from the cache.
    """

    date: date
    channel: str | None
    text: str
    line: int  # 1-based line in the note file
    block: str = ""  # an Obsidian block id ending the line (`^h-3f9a2c1b0d`), without `^`


@dataclass(frozen=True, slots=True)
class FollowUp:
    """An open or done task in a note (Obsidian Tasks or Dataview style)."""

    text: str
    done: bool
    due: date | None
    line: int


@dataclass(frozen=True, slots=True)
class Contact:
    """One person, read from one note. `path` is relative to the vault, with `/`."""

    path: str
    name: str
    aliases: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    circle: str = ""
    tags: tuple[str, ...] = ()
    cadence: Cadence | None = None  # None: the default from the settings applies
    channel: str | None = None  # None: derived from `nearby` and the settings
    nearby: bool = False
    last_contacted: date | None = None  # newest of the frontmatter value and the Log
    snooze_until: date | None = None
    paused: bool = False
    offers: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    birthday: Birthday | None = None
    log: tuple[LogEntry, ...] = ()  # newest first
    followups: tuple[FollowUp, ...] = ()
    summary: str = ""  # the first lines of the body: who they are
    uid: str = ""  # the note's own stable id (`uid:`), kept through renames and exports
    rhythm: int = 0  # usual days between their touches, from the Log (core/rhythm.py); 0: too few
    organization: str = ""  # `organization:` (or `company:`, `org:`): where they work
    job_title: str = ""  # `job_title:` (or `title:`, `role:`): what they do there
    gist: str | None = field(default=None, compare=False, hash=False)
    """What matching reads of the note, folded into one string (`notes/gist.py`): their
    offers, tags, circle, organisation, title and own Log entries, as words. Derived
    from those fields, so not compared; None until worked out (`notes.gist.gist_of_contact`,
    or a load that keeps them: `load_vault(gists=True)`)."""
    keys: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    """Canonical field → the frontmatter key this note uses for it, where that is not the
    field's own name (another tool's dialect, an `[aliases]` key): where writing back goes,
    as `contact.keys.get(field, field)`. Most notes need none, and so share one empty map."""

    @property
    def stem(self) -> str:
        """The file name without `.md`: what `[[...]]` links in Obsidian use."""
        base = self.path.rsplit("/", 1)[-1]
        return base[:-3] if base.endswith(".md") else base

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.split() else self.name

    @property
    def last_entry(self) -> LogEntry | None:
        return self.log[0] if self.log else None

    @property
    def open_followups(self) -> tuple[FollowUp, ...]:
        return tuple(f for f in self.followups if not f.done)


@dataclass(frozen=True)
class LoadResult:
    """The good contacts and every problem found while loading a vault."""

    contacts: tuple[Contact, ...]
    problems: tuple[Problem, ...]
    linked: bool = field(default=False, compare=False)
    """Two of the notes are one file (a link to another note): a change to one is a
    change to both, so `vault.load.reload_notes` reads everything again."""
    listing: str | None = field(default=None, compare=False)
    """A digest of every note's path and stamp as this load saw them (None when a note
    had just changed, or after a partial reload): what the refresh memo keys on."""

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")


def contact_to_dict(contact: Contact) -> dict[str, object]:
    """A contact as plain JSON-ready data (dates as ISO strings)."""
    return {
        "path": contact.path,
        "name": contact.name,
        "aliases": list(contact.aliases),
        "emails": list(contact.emails),
        "phones": list(contact.phones),
        "circle": contact.circle,
        "tags": list(contact.tags),
        "cadence": str(contact.cadence) if contact.cadence else None,
        "channel": contact.channel,
        "nearby": contact.nearby,
        "last_contacted": contact.last_contacted.isoformat() if contact.last_contacted else None,
        "snooze_until": contact.snooze_until.isoformat() if contact.snooze_until else None,
        "paused": contact.paused,
        "offers": list(contact.offers),
        "needs": list(contact.needs),
        "birthday": str(contact.birthday) if contact.birthday else None,
        "log": [
            {"date": e.date.isoformat(), "channel": e.channel, "text": e.text, "line": e.line}
            for e in contact.log
        ],
        "followups": [
            {
                "text": f.text,
                "done": f.done,
                "due": f.due.isoformat() if f.due else None,
                "line": f.line,
            }
            for f in contact.followups
        ],
        "summary": contact.summary,
        "uid": contact.uid,
        "organization": contact.organization,
        "job_title": contact.job_title,
    }


# Every distinct `keys` mapping, once: 10,000 notes use a handful of them (none for vtb's
# own keys, one per dialect), so each contact holds one of these. Never changed.
_KEY_MAPS: dict[tuple[tuple[str, str], ...], dict[str, str]] = {}


def shared_keys(keys: dict[str, str]) -> dict[str, str]:
    """The one shared copy of a `keys` mapping: for contacts parsed and read from the cache."""
    items = tuple(keys.items())
    return _KEY_MAPS.setdefault(items, dict(items))
