"""Who can help: the people whose offers, tags, circle, organisation, title or own Log entries
meet a need (`vtb who`, the index's "Who can help you", the hour's "ask … about …").

A need is a term as introductions read it (`terms.py`: case, accents, word forms, the
built-in and `[synonyms]` groups), and it meets a value as an offer meets a need
(`terms.strength`). The values come from each note's gist (`notes/gist.py`, kept in the
parse cache): the gists of all notes are joined into one string and searched for the
few word forms a need can match (`str.find`, in C), so only the parts holding one of
them are read as terms, never every Log of the vault. The best part of a person makes
their score: the field's weight times how well it matches, a Log entry's weighed down
by its age (half as much each `HALF_LIFE_DAYS`).
"""

from __future__ import annotations

import heapq
import operator
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import accumulate, compress, islice
from operator import attrgetter

from vault_touchbase.core.model import Contact
from vault_touchbase.core.plan import channel_of
from vault_touchbase.core.settings import Settings
from vault_touchbase.core.words import plural
from vault_touchbase.features.terms import (
    SYNONYM_MARK,
    Synonyms,
    Term,
    explain_match,
    strength,
    synonyms_of,
    term,
    word_form,
)
from vault_touchbase.notes.gist import FIELD_LABELS, SEP, gist_of_contact

WEIGHTS = {"o": 1.0, "j": 0.9, "l": 0.9, "t": 0.8, "g": 0.6, "c": 0.5}
HALF_LIFE_DAYS = 365  # a Log entry a year old weighs half as much as one from today
OLDEST_WEIGHT = 0.1  # and never less than this
PER_NEED = 3  # people shown for each of the user's needs (index note, hour)


@dataclass(frozen=True)
class Reason:
    """One value that meets the need: its field, the value as written, the words that
    matched (`explain_match`) and, for a Log entry, its date."""

    field: str  # offers, tags, circle, organization, job_title or Log
    text: str
    matched: str
    day: date | None = None
    score: float = 0.0

    def describe(self) -> str:
        """`Log 2026-11-01: “He just bought a van …” — “moving” ~ “moves” (word forms)`,
        `offers: “bookkeeping”`."""
        where = f"{self.field} {self.day.isoformat()}" if self.day else self.field
        same = self.matched.casefold() == f"“{self.text}”".casefold()
        return f"{where}: “{self.text}”" + ("" if same else f" — {self.matched}")


@dataclass(frozen=True)
class Helper:
    """A person who can help with a need, their score, and why (best reason first)."""

    contact: Contact
    score: float
    reasons: tuple[Reason, ...]

    def reach(self, settings: Settings) -> dict[str, str | None]:
        """How to reach them: channel, first email and phone, last contact."""
        contact = self.contact
        last = contact.last_contacted
        return {
            "channel": channel_of(contact, settings),
            "email": contact.emails[0] if contact.emails else None,
            "phone": contact.phones[0] if contact.phones else None,
            "last_contacted": last.isoformat() if last else None,
        }

    def to_json(self, settings: Settings) -> dict[str, object]:
        return {
            "name": self.contact.name,
            "path": self.contact.path,
            "score": round(self.score, 3),
            "why": [
                {
                    "field": r.field,
                    "text": r.text,
                    "matched": r.matched,
                    "date": r.day.isoformat() if r.day else None,
                }
                for r in self.reasons
            ],
            "reach": self.reach(settings),
        }


@lru_cache(maxsize=16)
def _phrases(synonyms: Synonyms) -> dict[str, tuple[tuple[str, ...], ...]]:
    """Each synonym group's token → the word forms of every phrase in it."""
    found: dict[str, list[tuple[str, ...]]] = {}
    for options in synonyms.by_first.values():
        for forms, mark in options:
            found.setdefault(mark, []).append(forms)
    return {mark: tuple(forms) for mark, forms in found.items()}


def search_forms(need: Term, synonyms: Synonyms) -> set[str]:
    """The word forms a value must hold one of to meet `need`: its own words, and the
    first word of each phrase of its synonym groups. A word form is how the word starts
    (`mov` for moves, moving), so `" mov"` finds every candidate in a gist."""
    forms: set[str] = set()
    phrases = _phrases(synonyms)
    for token in need.key:
        if token.startswith(SYNONYM_MARK):
            forms.update(phrase[0] for phrase in phrases.get(token, ()))
        else:
            forms.add(token)
    return {f for f in forms if f}


class Gists:
    """The gists of a load's contacts, joined once and searched for each need.

    With a limit (the index note and the hour show the best few), a need whose words
    stand in more than `MAX_PARTS` places (a word half the vault uses) is looked for in
    the first `MAX_PARTS` of them with the contacts in the order of their last contact,
    newest first: among the people you talk to now. `vtb who` reads every place."""

    def __init__(self, contacts: Sequence[Contact], settings: Settings, today: date) -> None:
        self.today = today
        self.synonyms = synonyms_of(settings)
        self._given = contacts
        self._by_recency = False
        self._join(contacts)

    def _join(self, contacts: Sequence[Contact]) -> None:
        """The gists as one text, those of plain ASCII first: one emoji or Cyrillic word
        would make Python store the whole text in two or four bytes a character. (C loops
        only: `map`, `compress`; 10,000 contacts pass here on every rebuild.)"""
        gists = list(map(_GIST, contacts))
        if None in gists:  # a load that kept none (the watcher's, before Now.md had needs)
            gists = list(map(gist_of_contact, contacts))
        plain = list(map(str.isascii, gists))
        if all(plain):
            self.contacts, self.texts = list(contacts), ("".join(gists), "")
        else:
            other = list(map(operator.not_, plain))
            first, rest = list(compress(gists, plain)), list(compress(gists, other))
            self.contacts = list(compress(contacts, plain)) + list(compress(contacts, other))
            self.texts = ("".join(first), "".join(rest))
            gists = first + rest
        self.split = len(self.texts[0])
        self.ends = list(accumulate(map(len, gists)))

    def _parts(self, forms: set[str], cap: int | None) -> list[int]:
        """The start of each part holding a word of one of the word `forms`, in the text's
        order; with a `cap`, at most that many, from the most recent contacts on when there
        are more (the contacts joined again in that order, once for all needs)."""
        found = self._search(forms, cap)
        if cap is not None and len(found) >= cap and not self._by_recency:
            self._by_recency = True
            self._join(sorted(self._given, key=_last_ordinal, reverse=True))
            found = self._search(forms, cap)
        return sorted(found)

    def _search(self, forms: set[str], cap: int | None) -> set[int]:
        """Where a word starts with one of `forms` (a word form is how its words start:
        `mov` for moves, moving) and is that form (not `card` for `car`)."""
        found: set[int] = set()
        for base, text in ((0, self.texts[0]), (self.split, self.texts[1])):
            for form in forms:
                needle = " " + form
                at = text.find(needle)
                while at >= 0:
                    stop = text.find(" ", at + 1)
                    if word_form(text[at + 1 : stop]) != form:
                        at = text.find(needle, stop)
                        continue
                    found.add(base + text.rfind(SEP, 0, at))
                    if cap is not None and len(found) >= cap:
                        return found
                    end = text.find(SEP, at)
                    at = text.find(needle, end) if end >= 0 else -1
        return found

    def _part(self, start: int) -> tuple[str, str]:
        """The label and words of the part at `start`."""
        base, text = (0, self.texts[0]) if start < self.split else (self.split, self.texts[1])
        at = start - base
        end = text.find(SEP, at + 1)
        label, _, words = text[at + 1 : end if end >= 0 else None].partition(" ")
        return label, words

    def _weight(self, contact: Contact, label: str) -> tuple[float, date | None]:
        """The most a part can score (its field's weight, a Log entry's age) and its date."""
        kind = label[:1]
        if kind != "l":
            return WEIGHTS.get(kind, 0.5), None
        entry = contact.log[int(label[1:])]
        age = max((self.today - entry.date).days, 0)
        return WEIGHTS["l"] * max(0.5 ** (age / HALF_LIFE_DAYS), OLDEST_WEIGHT), entry.date

    def find(self, query: str, limit: int | None = None) -> list[Helper]:
        """The people who can help with `query`, best first (the first `limit`). With a
        limit, at most `MAX_PARTS` places are read, and none that could no longer change
        who is shown."""
        need = term(query, self.synonyms)
        if not need.key:
            return []
        forms = search_forms(need, self.synonyms)
        candidates = []
        for start in self._parts(forms, MAX_PARTS if limit is not None else None):
            number = bisect_right(self.ends, start)
            label, words = self._part(start)
            if len(need.key) > 1 and not _may_meet(need, words, self.synonyms):
                continue
            weight, day = self._weight(self.contacts[number], label)
            candidates.append((weight, number, label, words, day))
        candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
        scores: dict[int, float] = {}
        matched: dict[int, list[tuple[float, str, date | None]]] = {}
        for weight, number, label, words, day in candidates:
            if (
                limit is not None
                and len(scores) >= limit
                and heapq.nlargest(limit, scores.values())[-1] >= weight
            ):
                break  # nobody further down can pass the people already found
            score = weight * strength(need, term(words, self.synonyms))
            if score > 0:
                scores[number] = max(scores.get(number, 0.0), score)
                matched.setdefault(number, []).append((score, label, day))
        ranked = sorted(
            scores, key=lambda n: (-scores[n], -len(matched[n]), self.contacts[n].name.casefold())
        )
        return [self._helper(query, n, scores[n], matched[n]) for n in ranked[:limit]]

    def _helper(
        self, query: str, number: int, score: float, found: list[tuple[float, str, date | None]]
    ) -> Helper:
        """A person found, with why: only the people shown are explained."""
        contact = self.contacts[number]
        found.sort(key=lambda f: -f[0])
        reasons = tuple(
            _reason(query, contact, label, day, s, self.synonyms) for s, label, day in found
        )
        return Helper(contact, score, reasons)


MAX_PARTS = 100  # places read for one need of the index or the hour (see `Gists`)
_GIST = attrgetter("gist")


def _last_ordinal(contact: Contact) -> int:
    return contact.last_contacted.toordinal() if contact.last_contacted else 0


def _may_meet(need: Term, words: str, synonyms: Synonyms) -> bool:
    """False when a part cannot meet a need of several words (`terms.strength`): it holds
    fewer than two of them and is longer than the need. A quick look before its words
    are read as a term."""
    if words.count(" ") < len(need.key):
        return True
    phrases = _phrases(synonyms)
    present = 0
    for token in need.key:
        options = phrases.get(token, ()) if token.startswith(SYNONYM_MARK) else ((token,),)
        if any(all(f" {form}" in f" {words}" for form in option) for option in options):
            present += 1
            if present == 2:
                return True
    return False


def _reason(
    query: str, contact: Contact, label: str, day: date | None, score: float, synonyms: Synonyms
) -> Reason:
    """A matched part as the note says it, with the words that matched."""
    kind, number = label[:1], int(label[1:]) if label[1:] else 0
    text = {
        "o": lambda: contact.offers[number],
        "t": lambda: contact.tags[number],
        "c": lambda: contact.circle,
        "g": lambda: contact.organization,
        "j": lambda: contact.job_title,
        "l": lambda: contact.log[number].text,
    }[kind]()
    matched = explain_match(query, text, synonyms)
    return Reason(FIELD_LABELS[kind], text, matched, day, score)


def find_helpers(
    contacts: Sequence[Contact],
    query: str,
    settings: Settings,
    today: date,
    limit: int | None = None,
) -> list[Helper]:
    """The people who can help with `query`, best first (`vtb who`)."""
    return Gists(contacts, settings, today).find(query, limit)


def helpers_for_needs(
    contacts: Sequence[Contact],
    needs: Sequence[str],
    settings: Settings,
    today: date,
    per_need: int = PER_NEED,
) -> dict[str, list[Helper]]:
    """For each of the user's needs, the best few people who can help (the gists joined once)."""
    if not needs:
        return {}
    gists = Gists(contacts, settings, today)
    return {need: gists.find(need, per_need) for need in needs}


def asks(found: dict[str, list[Helper]]) -> dict[str, list[str]]:
    """Each helper's path → the needs to ask them about (the hour's card)."""
    out: dict[str, list[str]] = {}
    for need, helpers in found.items():
        for helper in helpers:
            out.setdefault(helper.contact.path, []).append(need)
    return out


TOPIC_PEOPLE = 150  # the index counts topics only when at most this many people spoke lately


def index_lines(
    contacts: Sequence[Contact], needs: Sequence[str], settings: Settings, today: date
) -> list[str]:
    """The index note's "Who can help you": one line linking `vtb who` and `vtb news` (how
    many people can help, this quarter's topics), then each need with its best few people.
    Nothing without needs. Topics are counted only when few people spoke this quarter (a
    handful of milliseconds); else the line points to `vtb news`."""
    from vault_touchbase.features import updates
    from vault_touchbase.index.render import inline, link

    found = helpers_for_needs(contacts, needs, settings, today)
    if not found:
        return []
    people = {h.contact.path for helpers in found.values() for h in helpers}
    since = updates.window_start(today, updates.MONTHS)
    recent = list(
        islice((c for c in contacts if c.log and c.log[0].date >= since), TOPIC_PEOPLE + 1)
    )
    if len(recent) <= TOPIC_PEOPLE:
        line = updates.topics_line(updates.topics(recent, today, limit=3))
        topics = f"topics this quarter: {inline(line)}" if line else "no topics this quarter"
    else:
        topics = "this quarter's topics: `vtb news`"
    head = f"{plural(len(people), 'person', 'people')} can help with your needs · {topics}"
    lines = [head + " · `vtb who NEED` says why", ""]
    for need, helpers in found.items():
        who = (
            ", ".join(f"{link(h.contact)} ({_where(h.reasons[0])})" for h in helpers)
            or "_nobody in your notes yet_"
        )
        lines.append(f"- {inline(need, 60)}: {who}")
    return lines


def _where(reason: Reason) -> str:
    """Where a helper's best reason is: `offers`, `Log 2026-11-01`."""
    return (
        f"{reason.field} {reason.day.isoformat()}" if reason.day else reason.field.replace("_", " ")
    )
