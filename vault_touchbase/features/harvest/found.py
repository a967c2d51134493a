"""What a harvest source yields (`Proposal`) and who it is about (`Directory`)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from vault_touchbase.core.model import Contact
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


def _unprintable(ch: str) -> bool:
    """A control, format (bidi marks, but not the joiner emoji need) or separator character."""
    return unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Zs") and ch != "\u200d"


def one_line(text: str, cap: int = TEXT_CAP) -> str:
    """`text` as one Log line: control and format characters gone, whitespace runs one
    space, at most `cap` characters (cut at a word where one is near, with `…`)."""
    if not text.isprintable():
        text = "".join(" " if _unprintable(ch) else ch for ch in text)
    line = " ".join(text.split())
    if len(line) <= cap:
        return line
    cut = line[: cap - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > cap * 2 // 3 else cut).rstrip() + "…"


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file a source could not read (broken, too big, not UTF-8): counted, never fatal."""

    path: str
    reason: str


@dataclass
class SourceRead:
    """One source's proposals, read lazily as they are iterated; `skipped` is complete
    once the iteration has ended."""

    proposals: Iterator[Proposal]
    skipped: list[Skipped] = field(default_factory=list)

    def __iter__(self) -> Iterator[Proposal]:
        return self.proposals


_WORD = re.compile(r"\w+")


def words_of(text: str) -> tuple[str, ...]:
    """The normalised words of `text` (case and accents gone): what names are matched on."""
    return tuple(_WORD.findall(normalize(text)))


def _link_key(target: str) -> str:
    """A link target as Obsidian compares it: no `#heading`/`^block`, `|display`, `.md`;
    `\\` as `/`, no leading `/` or `./`; case- and accent-insensitive."""
    target = target.split("|", 1)[0].split("#", 1)[0].split("^", 1)[0].strip()
    target = target.replace("\\", "/").removeprefix("./").lstrip("/")
    return normalize(target.removesuffix(".md").removesuffix(".MD"))


class Directory:
    """The vault's contacts, looked up the ways harvest sources name people."""

    def __init__(self, contacts: Iterable[Contact]) -> None:
        self.contacts = tuple(contacts)
        self._by_email: dict[str, Contact] = {}
        for contact in self.contacts:
            for address in contact.emails:
                self._by_email.setdefault(address.strip().lower(), contact)
        self._by_link = self._link_index()
        self._phrases = self._phrase_index()

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
            for phrase, contact in self._phrases.get(words[start], ()):  # longest first
                if words[start : start + len(phrase)] == phrase:
                    found.setdefault(contact.path, contact)
                    step = len(phrase)  # `Cleo Poe Smith` names her, not also `Cleo Poe`
                    break
            start += step
        return tuple(found.values())

    def _link_index(self) -> dict[str, Contact | None]:
        """Link key → contact, the strongest kind of match first: path, path's last folders,
        file name, then `name` and aliases; `None` where two contacts share a key."""
        index: dict[str, Contact | None] = {}
        tiers: list[dict[str, Contact | None]] = [{}, {}, {}, {}]
        for contact in self.contacts:
            parts = contact.path.removesuffix(".md").split("/")
            keys = [
                ["/".join(parts)],
                ["/".join(parts[i:]) for i in range(1, len(parts) - 1)],
                [parts[-1]],
                [contact.name, *contact.aliases],
            ]
            for tier, names in zip(tiers, keys, strict=True):
                for name in {normalize(n) for n in names if n.strip()}:
                    tier[name] = contact if tier.get(name, contact) is contact else None
        for tier in tiers:
            for key, held in tier.items():
                index.setdefault(key, held)
        return index

    def _phrase_index(self) -> dict[str, list[tuple[tuple[str, ...], Contact]]]:
        """First word → (the phrase's words, its contact), longest phrases first; phrases
        two contacts share are left out."""
        owner: dict[tuple[str, ...], Contact | None] = {}
        for contact in self.contacts:
            phrases = {words_of(contact.name), words_of(contact.stem)}
            aliases = {words_of(alias) for alias in contact.aliases}
            mononym = len(words_of(contact.name)) == 1
            for phrase in phrases | aliases:
                if not phrase or (len(phrase) == 1 and phrase not in aliases and not mononym):
                    continue
                if len(phrase) == 1 and len(phrase[0]) < 2:
                    continue
                owner[phrase] = contact if owner.get(phrase, contact) is contact else None
        index: dict[str, list[tuple[tuple[str, ...], Contact]]] = {}
        for phrase, held in owner.items():
            if held is not None:
                index.setdefault(phrase[0], []).append((phrase, held))
        for entries in index.values():
            entries.sort(key=lambda entry: -len(entry[0]))
        return index
