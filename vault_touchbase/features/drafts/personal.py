"""What only this person gets in a draft: a reply owed, a follow-up, the last talk, a birthday."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING

from vault_touchbase.core.model import Contact, LogEntry
from vault_touchbase.features.drafts.second_person import second_person

if TYPE_CHECKING:
    from vault_touchbase.features.intros import Intro

_WE_VERBS = {"talked", "met", "discussed", "chatted", "caught", "walked", "spoke", "agreed"}
_WE_VERBS |= {"planned", "shared", "went", "had", "visited", "celebrated", "watched", "worked"}
_I_VERBS = {"sent", "gave", "told", "lent", "borrowed", "brought", "made", "wrote", "took"}
_I_VERBS |= {"bought", "paid", "got", "left", "showed", "put", "asked", "emailed", "introduced"}
_AGENT = ("er", "or", "ist", "ant", "ian", "ent")
_PREPOSITIONS = {"for", "with", "of", "in", "on", "at", "to", "from", "who", "that"}


def _month(day: date, today: date) -> str:
    return f"{day:%B}" if day.year == today.year or (today - day).days < 300 else f"{day:%B %Y}"


def article(need: str) -> str:
    """`a bookkeeper`, `an illustrator`, `a co-speaker for a talk`, `volunteers`;
    `help with brand design` when the need is not a person."""
    words = need.split()
    head = ""
    for word in words:
        if word.lower() in _PREPOSITIONS:
            break
        head = word.lower()
    if head.endswith("s") and head[:-1].endswith(_AGENT):
        return need  # people, plural: "volunteers", "product designers"
    if head.endswith(_AGENT) and not head.endswith("ment"):
        return ("an " if need[:1].lower() in "aeiou" else "a ") + need
    return need if need.lower().startswith("help") else f"help with {need}"


def conversation_line(entry: LogEntry, contact: Contact, today: date) -> str:
    """A sentence tied to one Log entry: what they said, what we did, or where we were."""
    said = second_person(entry.text, contact)
    month = _month(entry.date, today)
    if not said:
        return ""
    first = said.split()[0].casefold()
    if entry.channel == "reply":
        if first != "you":
            said = f"you {said}"
        return f"Thank you for your note of {entry.date.day} {entry.date:%B}: {said}. [your answer]"
    if entry.channel == "intro":
        return f"How did things work out after I {said}?"
    if first == "you":
        return f"In {month} you told me {said} — how is that going?"
    if first in _WE_VERBS:
        return f"In {month} we {said}; how has it all been going since?"
    if first in _I_VERBS or (first.endswith("ed") and len(first) > 4):
        return f"In {month} I {said}; how has it all been going since?"
    where = {
        "call": f"our call in {month}",
        "visit": f"my visit in {month}",
        "email": f"my email in {month}",
    }.get(entry.channel or "", f"when we met in {month}")
    return f"I was thinking back to {where} ({said}). How are things now?"


def personal_lines(
    contact: Contact, intros: Sequence[Intro], today: date, limit: int = 2
) -> list[str]:
    """What only this person gets: a reply owed, a follow-up, the last conversation,
    a need someone can meet, a birthday. At most `limit`, most pressing first."""
    lines: list[str] = []
    last = contact.last_entry
    for followup in contact.open_followups[:1]:
        lines.append(
            f"I haven't forgotten: I still mean to {second_person(followup.text, contact)}."
        )
    if last and last.text.strip():
        line = conversation_line(last, contact, today)
        if line:
            lines.insert(0 if last.channel == "reply" else len(lines), line)
    met: dict[str, Intro] = {}
    for intro in intros:  # best first: keep each need's best
        if intro.taker.path == contact.path:
            met.setdefault(intro.need, intro)
    for need in contact.needs:
        if need in met:
            lines.append(
                f"Are you still looking for {article(need)}? I know someone who does "
                f"{met[need].offer} and would be glad to introduce you."
            )
            break
    else:
        if contact.needs:
            lines.append(
                f"Are you still looking for {article(contact.needs[0])}? I'll keep my ears open."
            )
        elif contact.offers and not lines:
            offers = " and ".join(contact.offers[:2])
            lines.append(f"How is the {offers} work going?")
    birthday = _birthday_line(contact, today)
    return lines[:limit] + ([birthday] if birthday else [])


def _birthday_line(contact: Contact, today: date) -> str:
    birthday = contact.birthday
    if birthday is None:
        return ""
    for year in (today.year, today.year + 1):
        try:
            day = date(year, birthday.month, birthday.day)
        except ValueError:  # 29 February in a common year
            day = date(year, 3, 1)
        if timedelta(0) <= day - today <= timedelta(days=14):
            return f"And happy early birthday for the {_ordinal(day.day)}!"
        if timedelta(0) < today - day <= timedelta(days=7):
            return "And a belated happy birthday!"
    return ""


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
