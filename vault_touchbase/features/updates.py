"""What your people are up to (`vtb news`): the latest thing each told you in a window, and
the topics several of them talked about, by plain counting of word forms."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from vault_touchbase.core.cadence import add_months
from vault_touchbase.core.fold import WORD, normalize
from vault_touchbase.core.model import Contact, LogEntry
from vault_touchbase.features.terms import STOPWORDS, word_form
from vault_touchbase.notes.log import is_generated

MONTHS = 3  # the default window
MIN_PEOPLE = 2  # a topic is a term at least this many people talked about
NO_CIRCLE = "no circle"
# Words that say how a conversation went, not what it was about (with terms.STOPWORDS).
TOPIC_STOPWORDS = frozenset(
    """
    about after again all also am are back be been before but call called came catch
    caught chat chatted could did didn does doing done don email emailed even from get
    gets getting going got had has have having he her here him his how into is it just
    last let me met more most much next not now off one out over said say says she
    should so still than that the them then there these they this those told too two up
    us very was we week weeks well went were what when where which while will with
    would year years yet you work working worked started start new good great really
    lot lots time day days thing things sent send sends sending want wants wanted ask
    asks asked thank thanks thanked talk talks talked mentioned take took bring brought
    give gave make made pick picked drop dropped visit visited meeting meet meets ran put
    like likes liked yes way
    """.split()  # noqa: SIM905 - a list of words reads better as words
)


@dataclass(frozen=True)
class Update:
    """The latest thing one person told you: their newest own Log entry in the window."""

    contact: Contact
    entry: LogEntry

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.contact.name,
            "path": self.contact.path,
            "circle": self.contact.circle or None,
            "date": self.entry.date.isoformat(),
            "channel": self.entry.channel,
            "text": self.entry.text,
        }


@dataclass(frozen=True)
class Topic:
    """A term (one word, or two that go together) and the people who talked about it."""

    term: str
    people: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.people)

    def to_json(self) -> dict[str, object]:
        return {"term": self.term, "count": self.count, "people": list(self.people)}


def window_start(today: date, months: int) -> date:
    """The first day of the window: `months` calendar months before `today`."""
    return add_months(today, -months)


def own_entries(contact: Contact, since: date, today: date) -> list[LogEntry]:
    """The person's own Log entries (never vtb's generated ones) from `since` to `today`."""
    found = []
    for entry in contact.log:  # newest first
        if entry.date < since:
            break
        if entry.date <= today and entry.text and not is_generated(entry):
            found.append(entry)
    return found


def latest(contacts: Iterable[Contact], today: date, months: int = MONTHS) -> list[Update]:
    """Each person's newest own entry within the window, newest first."""
    since = window_start(today, months)
    updates = []
    for contact in contacts:
        if not contact.log or contact.log[0].date < since:
            continue
        entries = own_entries(contact, since, today)
        if entries:
            updates.append(Update(contact, entries[0]))
    updates.sort(key=lambda u: (-u.entry.date.toordinal(), u.contact.name.casefold()))
    return updates


def by_circle(updates: Sequence[Update]) -> list[tuple[str, list[Update]]]:
    """The updates grouped by circle, each group newest first, the group with the newest
    update first (people without a circle under `no circle`)."""
    groups: dict[str, list[Update]] = defaultdict(list)
    for update in updates:  # already newest first
        groups[update.contact.circle or NO_CIRCLE].append(update)
    return sorted(groups.items(), key=lambda g: (-g[1][0].entry.date.toordinal(), g[0]))


def terms_of(text: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The topic terms of one text: its content words as (word form, word as written,
    lower case), and each two content words that stand side by side the same way
    (`design system`, `design systems`). Word forms as `terms.words` makes them."""
    content: list[tuple[str, str] | None] = []
    for word in WORD.findall(text.casefold()):
        folded = word if word.isascii() else normalize(word)
        content.append((word_form(folded), word) if _content(folded) else None)
    words = [c for c in content if c]
    pairs = [
        (f"{a[0]} {b[0]}", f"{a[1]} {b[1]}")
        for a, b in zip(content, content[1:], strict=False)
        if a and b and a[0] != b[0]
    ]
    return words, pairs


def _content(word: str) -> bool:
    return (
        len(word) > 2
        and not word.isdigit()
        and word not in STOPWORDS
        and word not in TOPIC_STOPWORDS
    )


def topics(
    contacts: Iterable[Contact],
    today: date,
    months: int = MONTHS,
    limit: int | None = 10,
    min_people: int = MIN_PEOPLE,
) -> list[Topic]:
    """Terms that recur across at least `min_people` people's own entries in the window,
    most people first: counted once per person, word forms as one (grant, grants), shown
    as most people wrote them. A pair of words is shown instead of its words when as many
    people used the pair (`design systems (3)`, not also `design (3)`)."""
    since = window_start(today, months)
    people: dict[str, set[str]] = defaultdict(set)
    said: dict[str, Counter[str]] = defaultdict(Counter)
    named: set[str] = set()  # a person talked about is no topic (`jane doe (3)`)
    for contact in contacts:
        named.add(normalize(contact.name))
        named.update(normalize(alias) for alias in contact.aliases)
        if not contact.log or contact.log[0].date < since:
            continue
        mine: set[str] = set()
        for entry in own_entries(contact, since, today):
            words, pairs = terms_of(entry.text)
            for form, word in [*words, *pairs]:
                mine.add(form)
                said[form][word] += 1
        for form in mine:
            people[form].add(contact.name)
    found = {form: names for form, names in people.items() if len(names) >= min_people}
    covered = {
        part
        for form, names in found.items()
        if " " in form
        for part in form.split()
        if len(found.get(part, ())) == len(names)
    }
    chosen = [
        Topic(said[form].most_common(1)[0][0], tuple(sorted(names, key=str.casefold)))
        for form, names in found.items()
        if form not in covered and normalize(said[form].most_common(1)[0][0]) not in named
    ]
    chosen.sort(key=lambda t: (-t.count, -len(t.term.split()), t.term))
    return chosen[:limit]


def topics_line(topics_found: Sequence[Topic], count: int = 3) -> str:
    """`design systems (3), grants (2)`."""
    return ", ".join(f"{t.term} ({t.count})" for t in topics_found[:count])
