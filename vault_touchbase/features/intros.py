"""Introductions: people whose `offers` meet someone else's `needs`.

Phrases are compared as sets of normalised words (`terms`): accents and case
folded, small words dropped, each word reduced by the Snowball English stemmer
(bookkeeping, bookkeeper, bookkeepers → `bookkeep`; accounting, accountant →
`account`) plus a few rules for agent nouns the stemmer leaves apart
(photographer ↔ photography, babysitter ↔ babysitting, teacher ↔ teaching).
A built-in synonym list for common professions and services (accountant ↔
bookkeeping, website ↔ web development, childcare ↔ babysitting), extended by
`[synonyms]` in vtb.toml, makes whole words or phrases count as one.

A need meets an offer when one phrase holds all the other's words, or they
share at least two. Matching goes through an index (normalised term →
people), never all pairs, so 10,000 contacts stay fast. Pairs already
introduced (a Log entry on either side links the other) and people who are
snoozed or paused are left out.
"""

from __future__ import annotations

import heapq
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations
from typing import Any

from vault_touchbase.core.model import Contact
from vault_touchbase.core.plan import CLOSENESS, channel_of, is_snoozed
from vault_touchbase.core.settings import Settings
from vault_touchbase.features.terms import Term, explain_match, strength, synonyms_of, term
from vault_touchbase.vault.lookup import normalize

PER_NEED = 3  # the best offerers kept for each need, unless every match is asked for
INDEX_LINES = 12  # intros shown in the index note
_LINK = re.compile(r"\[\[([^\[\]|#\n]+)")


# --- matching ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Intro:
    """`giver` offers what `taker` needs."""

    giver: Contact
    taker: Contact
    offer: str
    need: str
    strength: float
    closeness: int  # lower is closer: both people's channels (call 0, visit 1, email 2)

    def involves(self, contact: Contact) -> bool:
        return contact.path in (self.giver.path, self.taker.path)

    def other(self, contact: Contact) -> Contact:
        return self.taker if contact.path == self.giver.path else self.giver

    def to_json(self) -> dict[str, object]:
        return {
            "giver": {"name": self.giver.name, "path": self.giver.path},
            "taker": {"name": self.taker.name, "path": self.taker.path},
            "offer": self.offer,
            "need": self.need,
            "strength": self.strength,
            "closeness": self.closeness,
        }


def available(contact: Contact, today: date) -> bool:
    """Not paused (`paused: true` or `cadence: never`) and not snoozed."""
    never = contact.cadence is not None and contact.cadence.never
    return not (contact.paused or never or is_snoozed(contact, today))


def linked_stems(contact: Contact) -> frozenset[str]:
    """The notes a contact's Log entries link to (`[[Walter Kim]]`, `[[folder/Walter Kim|W]]`),
    by file name, folded."""
    found = set()
    for entry in contact.log:
        if "[[" not in entry.text:
            continue
        for target in _LINK.findall(entry.text):
            found.add(normalize(target.strip().rsplit("/", 1)[-1].removesuffix(".md")))
    return frozenset(found)


def already_introduced(a: Contact, b: Contact, links: dict[str, frozenset[str]]) -> bool:
    """A Log entry on either side links the other (by file name or name)."""

    def linked(one: Contact, other: Contact) -> bool:
        if one.path not in links:
            links[one.path] = linked_stems(one)
        targets = links[one.path]  # most Logs link nobody: then no name is folded
        return bool(targets) and bool(targets & {normalize(other.stem), normalize(other.name)})

    return linked(a, b) or linked(b, a)


@dataclass
class _Index:
    """Offers by normalised term, and each term by its single words and word pairs."""

    givers: dict[Term, list[tuple[int, str, str, Contact, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )  # term → (closeness, folded name, path, contact, offer phrase), closest first
    by_word: dict[str, set[Term]] = field(default_factory=lambda: defaultdict(set))
    by_pair: dict[frozenset[str], set[Term]] = field(default_factory=lambda: defaultdict(set))
    by_key: dict[frozenset[str], set[Term]] = field(default_factory=lambda: defaultdict(set))

    def add(self, offer: Term, entry: tuple[int, str, str, Contact, str]) -> None:
        if offer not in self.givers:
            for word in offer.key:
                self.by_word[word].add(offer)
            for pair in combinations(sorted(offer.key), 2):
                self.by_pair[frozenset(pair)].add(offer)
            self.by_key[offer.key].add(offer)
        self.givers[offer].append(entry)

    def candidates(self, need: Term) -> set[Term]:
        """Offer terms that might meet `need`: sharing its only word, two of its words,
        or made of some of its words. Never a scan of every offer."""
        found: set[Term] = set()
        words_ = sorted(need.key)
        if len(words_) == 1:
            found |= self.by_word.get(words_[0], set())
        else:
            for pair in combinations(words_, 2):
                found |= self.by_pair.get(frozenset(pair), set())
        if len(words_) <= 8:  # offers made of a part of the need's words
            for size in range(1, len(words_)):
                for part in combinations(words_, size):
                    found |= self.by_key.get(frozenset(part), set())
        return found


def _closeness(contact: Contact, settings: Settings) -> int:
    return CLOSENESS.get(channel_of(contact, settings), 3)


def find_intros(
    contacts: Sequence[Contact],
    settings: Settings,
    today: date,
    per_need: int | None = PER_NEED,
    limit: int | None = None,
) -> list[Intro]:
    """Introductions worth making, best first: strength of the match, then how close
    the two people are. `per_need` keeps only the best offerers for each need (None:
    all of them); `limit` keeps the first ones."""
    return _best(_match_rows(contacts, settings, today, per_need), limit)


def _best(rows: Iterable[_Row], limit: int | None) -> list[Intro]:
    """Intros from the rows, best first; only the first `limit` are made."""
    chosen = (
        heapq.nsmallest(limit, rows, key=lambda r: r[:6])
        if limit is not None
        else sorted(rows, key=lambda r: r[:6])
    )
    return [Intro(r[6], r[7], r[8], r[9], -r[0], r[1]) for r in chosen]


def _match_rows(
    contacts: Sequence[Contact], settings: Settings, today: date, per_need: int | None
) -> list[_Row]:
    """Every (giver, taker) pair worth an introduction, once, with its best match."""
    synonyms = synonyms_of(settings)
    people = [c for c in contacts if (c.offers or c.needs) and available(c, today)]
    index = _Index()
    terms: dict[str, Term] = {}

    def term_of(phrase: str) -> Term:
        if phrase not in terms:
            terms[phrase] = term(phrase, synonyms)
        return terms[phrase]

    closeness = {c.path: _closeness(c, settings) for c in people}
    for person in people:
        for offer in dict.fromkeys(person.offers):
            entry = (closeness[person.path], person.name.casefold(), person.path, person, offer)
            index.add(term_of(offer), entry)
    for entries in index.givers.values():
        entries.sort(key=lambda e: e[:3])
    merged: dict[Term, _Merged] = {}
    links: dict[str, frozenset[str]] = {}
    found: dict[tuple[str, str], _Row] = {}
    for person in people:
        for need in dict.fromkeys(person.needs):
            need_term = term_of(need)
            if need_term not in merged:
                merged[need_term] = _Merged(need_term, index)
            rows = _best_for_need(person, need, merged[need_term], closeness, links, per_need)
            for row in rows:
                pair = (row[4], row[5])
                if pair not in found or row[:6] < found[pair][:6]:
                    found[pair] = row
    return list(found.values())


# (-strength, closeness, taker folded, giver folded, taker path, giver path,
#  giver, taker, offer, need): the first six order the rows
_Row = tuple[float, int, str, str, str, str, Contact, Contact, str, str]
_Given = tuple[float, int, str, str, int, int, Contact, str]


class _Merged:
    """Everyone whose offers meet one need term, best first, merged lazily from each
    offer term's list (sorted by closeness), and shared by all who need it: a need
    that thousands meet costs only what its takers read."""

    def __init__(self, need: Term, index: _Index) -> None:
        scored = [(strength(need, o), o) for o in index.candidates(need)]
        offers = sorted(((s, o) for s, o in scored if s > 0), key=lambda so: -so[0])
        streams = [_stream(n, score, index.givers[o]) for n, (score, o) in enumerate(offers)]
        self._source: Iterator[_Given] = heapq.merge(*streams)
        self._seen: list[_Given] = []

    def __iter__(self) -> Iterator[_Given]:
        yield from self._seen
        for given in self._source:
            self._seen.append(given)
            yield given


def _stream(
    number: int, score: float, entries: list[tuple[int, str, str, Contact, str]]
) -> Iterator[_Given]:
    """One offer term's givers as merge keys; (stream, position) settle ties before
    two contacts would be compared."""
    for position, (close, folded, path, giver, offer) in enumerate(entries):
        yield (-score, close, folded, path, number, position, giver, offer)


def _best_for_need(
    taker: Contact,
    need: str,
    givers: _Merged,
    closeness: dict[str, int],
    links: dict[str, frozenset[str]],
    limit: int | None,
) -> Iterator[_Row]:
    """The best offerers for one person's need: not themselves, not introduced yet."""
    given = 0
    seen: set[str] = set()
    folded = taker.name.casefold()
    for neg_score, close, giver_folded, path, _, _, giver, offer in givers:
        if path == taker.path or path in seen or already_introduced(giver, taker, links):
            continue
        seen.add(path)
        total = close + closeness[taker.path]
        yield (neg_score, total, folded, giver_folded, taker.path, path, giver, taker, offer, need)
        given += 1
        if limit is not None and given >= limit:
            return


def match_pair(a: Contact, b: Contact, settings: Settings) -> Intro | None:
    """The best way `a` and `b` meet (either direction), snoozed or introduced or not."""
    synonyms = synonyms_of(settings)
    close = _closeness(a, settings) + _closeness(b, settings)
    best: Intro | None = None
    for giver, taker in ((a, b), (b, a)):
        for offer in giver.offers:
            for need in taker.needs:
                score = strength(term(need, synonyms), term(offer, synonyms))
                if score > 0 and (best is None or score > best.strength):
                    best = Intro(giver, taker, offer, need, score, close)
    return best


def explain(intro: Intro, settings: Settings) -> str:
    """Why the two matched: the words they share, as written on each side, and the
    synonym group or word forms that made them one (`vtb intros --explain`)."""
    return explain_match(intro.need, intro.offer, synonyms_of(settings))


def intros_for(contact: Contact, intros: Iterable[Intro]) -> list[Intro]:
    """The introductions that involve `contact`, best first."""
    return [intro for intro in intros if intro.involves(contact)]


def describe(intro: Intro) -> str:
    """`Daniel Okafor (bookkeeping) → Jane Doe (needs bookkeeper)`, for the terminal."""
    return f"{intro.giver.name} ({intro.offer}) → {intro.taker.name} (needs {intro.need})"


# What matching reads of a contact, by Contact's own field names (see `matching_view`).
MATCHING_FIELDS = (
    "path",
    "name",
    "offers",
    "needs",
    "paused",
    "cadence",
    "snooze_until",
    "channel",
    "nearby",
    "circle",
    "log",
)
MatchingInput = tuple[Any, ...]  # the values of MATCHING_FIELDS, in that order


def matching_input(contact: Contact) -> MatchingInput:
    """What matching reads of `contact`, as plain values in `MATCHING_FIELDS` order: who
    takes part (offers, needs, and what `available` reads), how close they are (what
    `_closeness` reads), the name and path, and the Log entries that could link someone
    (`already_introduced`, their line numbers left out). The index keeps its intros by
    these and the date (`actions.index_note.index_input`) and matches over the
    `matching_view` built from them, so the kept lines cannot depend on anything the key
    leaves out. (A tuple: 5,000 of them are quicker to make and to encode for the key than
    5,000 contacts.)"""
    return (
        contact.path,
        contact.name,
        contact.offers,
        contact.needs,
        contact.paused,
        contact.cadence,
        contact.snooze_until,
        contact.channel,
        contact.nearby,
        contact.circle,
        tuple(entry._replace(line=0) for entry in contact.log if "[[" in entry.text),
    )


def matching_view(values: MatchingInput) -> Contact:
    """The contact as matching sees it, from its `matching_input`: every other field at
    its default."""
    return Contact(**dict(zip(MATCHING_FIELDS, values, strict=True)))


def index_lines(
    contacts: Sequence[Contact], settings: Settings, today: date, limit: int = INDEX_LINES
) -> list[str]:
    """The index note's "Introductions to make": plain list items (not task boxes)."""
    from vault_touchbase.index.render import inline, link

    rows = _match_rows(contacts, settings, today, PER_NEED)
    intros = _best(rows, limit)
    lines = [
        f"- {link(i.giver)} offers {inline(i.offer, 60)} → {link(i.taker)} needs "
        f"{inline(i.need, 60)}"
        for i in intros[:limit]
    ]
    if len(rows) > limit:
        lines.append(f"- … and {len(rows) - limit} more: `vtb intros` lists them")
    if lines:
        lines += [
            "",
            "_`vtb intro NAME NAME` drafts the double opt-in emails; "
            "`--log` records it once sent._",
        ]
    return lines


# --- recording an introduction ---------------------------------------------------------------


def wikilink(contact: Contact, contacts: Sequence[Contact]) -> str:
    """`[[Walter Kim]]`, or `[[contacts/x/Walter Kim|Walter Kim]]` when the file name is
    not unique in the vault (Obsidian would guess) or differs from the name."""
    same = [c for c in contacts if normalize(c.stem) == normalize(contact.stem)]
    target = contact.path.removesuffix(".md") if len(same) > 1 else contact.stem
    if target == contact.name:
        return f"[[{target}]]"
    return f"[[{target}|{' '.join(contact.name.replace('|', '/').split())}]]"
