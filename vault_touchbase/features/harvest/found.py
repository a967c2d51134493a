"""What a harvest source yields (`Proposal`) and who it is about (`Directory`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from vault_touchbase.core.model import Contact
from vault_touchbase.core.oneline import shortened, single_line
from vault_touchbase.vault.lookup import normalize

TEXT_CAP = 160
"""The longest text a proposal carries (an event's summary, a daily note's line)."""

Progress = Callable[[int, int], None]
"""`on_progress(done, total)`: files read so far of all a source will read."""


@dataclass(frozen=True, slots=True)
class Proposal:
    """A touch with one contact found in a source: what `vtb harvest --accept` logs."""

    path: str  # the contact's note, relative to the vault
    name: str
    day: date
    channel: str  # email, reply, meet, call, note ...
    text: str  # one line: the subject, the event's summary, the daily note's line
    source_id: str  # the source item's stable id (Message-ID, UID + date, path + line hash)
    source: str  # where it was found, for the listing ("mbox archive.mbox")

    @property
    def block(self) -> str:
        """The Obsidian block id that records this source item in the Log (`h-3f9a2c1b0d`):
        a short digest of `source_id`, the same on every device."""
        return block_id(self.source_id)


def block_id(source_id: str) -> str:
    """The block id (`h-` and ten hex digits) a harvested entry carries for `source_id`."""
    from hashlib import blake2b

    return "h-" + blake2b(source_id.encode("utf-8", "surrogateescape"), digest_size=5).hexdigest()


def one_line(text: str, cap: int = TEXT_CAP) -> str:
    """`text` as one Log line (`core.oneline.single_line`), at most `cap` characters."""
    return shortened(single_line(text, squeeze=True), cap)


@dataclass(frozen=True)
class PastEvent:
    """A past occurrence in the window that may be a touch, before anyone is looked up:
    what the read state keeps of a calendar file (`state.ics_events`);
    made by `calendar.py`."""

    day: date
    uid: str
    channel: str
    text: str  # the summary as one Log line
    summary: str  # as written, for names (`Directory.named_in`)
    addresses: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file a source could not read, or read only in part (broken, too big, not UTF-8,
    missing), and why: listed, never fatal."""

    path: str
    reason: str


@dataclass
class SourceRead:
    """One source's proposals, read lazily as they are iterated; `skipped` is complete
    once the iteration has ended."""

    proposals: Iterator[Proposal]
    skipped: list[Skipped] = field(default_factory=list)

    def __iter__(self) -> Iterator[Proposal]:
        return self

    def __next__(self) -> Proposal:
        return next(self.proposals)


_WORD = re.compile(r"\w+")


def words_of(text: str) -> tuple[str, ...]:
    """The normalised words of `text` (case and accents gone): what names are matched on."""
    return tuple(_WORD.findall(normalize(text)))


def _link_key(target: str) -> str:
    """A link target as Obsidian compares it: no `#heading`/`^block`, `|display`, `.md`;
    `\\` as `/`, no leading `/` or `./`; case- and accent-insensitive."""
    target = target.split("|", 1)[0].split("#", 1)[0].split("^", 1)[0].strip()
    target = target.replace("\\", "/").removeprefix("./").lstrip("/")
    return normalize(target[:-3] if target.lower().endswith(".md") else target)


class Directory:
    """The vault's contacts, looked up the ways harvest sources name people."""

    def __init__(self, contacts: Iterable[Contact]) -> None:
        self.contacts = tuple(contacts)
        self._by_email: dict[str, Contact] = {}
        for contact in self.contacts:
            for address in contact.emails:
                self._by_email.setdefault(address.strip().lower(), contact)
        self._by_link: dict[str, Contact | None] = {}
        self._phrases: dict[tuple[str, ...], list[tuple[tuple[str, ...], Contact]]] = {}
        self._build()

    def by_email(self, address: str) -> Contact | None:
        """The contact with this email address (case-insensitive), if any."""
        return self._by_email.get(address.strip().lower())

    def by_link(self, target: str) -> Contact | None:
        """The contact a wikilink's target names, as Obsidian resolves it: the note's path
        from the vault's root or its last folders (`contacts/Cleo Poe`, with or without
        `.md`), its file name, else its `name` or an alias. Case- and accent-insensitive;
        `#heading`, `#^block` and `|display` are ignored. A target two notes share (and
        Obsidian would pick one of by folder) is nobody's: harvest never guesses."""
        return self._by_link.get(_link_key(target))

    def named_in(self, text: str) -> tuple[Contact, ...]:
        """The contacts named in `text` by their whole name, file name or an alias: whole
        words, case- and accent-insensitive (`Lunch with cleo poe` names Cleo Poe). A
        single word counts only as an alias or a one-word name (a note called `Mom`):
        a first name alone (`Cleo`) is too weak to tell people apart. Names two people
        share name nobody. In the order they appear in the text."""
        words = words_of(text)
        found: dict[str, Contact] = {}
        start = 0
        while start < len(words):
            step = 1
            # Phrases are kept by their first two words (one-word ones by their word), so
            # the thousand people called Anna are not compared with each `Anna`.
            candidates = (
                *self._phrases.get(words[start : start + 2], ()),  # longest first
                *self._phrases.get(words[start : start + 1], ()),
            )
            for phrase, contact in candidates:
                if words[start : start + len(phrase)] == phrase:
                    found.setdefault(contact.path, contact)
                    step = len(phrase)  # `Cleo Poe Smith` names her, not also `Cleo Poe`
                    break
            start += step
        return tuple(found.values())

    def _build(self) -> None:
        """Both indexes in one pass; each distinct string normalised once (a name is
        usually its file name too, and a folder is shared by thousands)."""
        normal: dict[str, str] = {}

        def norm(text: str) -> str:
            found = normal.get(text)
            if found is None:
                found = normal[text] = normalize(text)
            return found

        # Link keys, the strongest kind of match first: path, its last folders, file name,
        # then `name` and aliases; `None` where two contacts share a key in one kind.
        tiers: list[dict[str, Contact | None]] = [{}, {}, {}, {}]
        owner: dict[tuple[str, ...], Contact | None] = {}  # name's words → its contact
        for contact in self.contacts:
            parts = [norm(part) for part in contact.path.removesuffix(".md").split("/")]
            named = [norm(n) for n in (contact.name, *contact.aliases) if n.strip()]
            keys = [
                ("/".join(parts),),
                tuple("/".join(parts[i:]) for i in range(1, len(parts) - 1)),
                (parts[-1],),
                named,
            ]
            for tier, names in zip(tiers, keys, strict=True):
                for name in names:
                    tier[name] = contact if tier.get(name, contact) is contact else None
            whole = tuple(_WORD.findall(norm(contact.name)))
            aliases = {tuple(_WORD.findall(norm(alias))) for alias in contact.aliases}
            for phrase in {whole, tuple(_WORD.findall(parts[-1]))} | aliases:
                # One word names someone only as an alias or as their whole name (`Mom`).
                if len(phrase) == 1 and (
                    len(phrase[0]) < 2 or not (phrase in aliases or len(whole) == 1)
                ):
                    continue
                if phrase:
                    owner[phrase] = contact if owner.get(phrase, contact) is contact else None
        for tier in tiers:
            for key, held in tier.items():
                self._by_link.setdefault(key, held)
        for phrase, held in owner.items():
            if held is not None:
                self._phrases.setdefault(phrase[:2], []).append((phrase, held))
        for entries in self._phrases.values():
            entries.sort(key=lambda entry: -len(entry[0]))
