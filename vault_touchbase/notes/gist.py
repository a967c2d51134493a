"""A note's gist: what `vtb who` and `vtb news` read of it, folded into one string at parse."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from vault_touchbase.core.fold import WORD, normalize
from vault_touchbase.core.model import Contact, LogEntry
from vault_touchbase.notes.log import is_generated

SEP = "\x1f"  # starts each part: `SEP label word word ... ` (no text holds it: it is no word)
GIST_ENTRIES = 20  # the newest own Log entries kept: older ones weigh next to nothing
FIELD_LABELS = {
    "o": "offers",
    "t": "tags",
    "c": "circle",
    "g": "organization",
    "j": "job_title",
    "l": "Log",
}


def gist_of(
    offers: Iterable[str],
    tags: Iterable[str],
    circle: str,
    organization: str,
    job_title: str,
    log: Sequence[LogEntry],
) -> str:
    """The words of a note's fields and of its newest own Log entries (never vtb's generated
    ones), folded as names are (case, accents), one part per value:
    `\x1fo0 bookkeeping \x1ft0 neighbours \x1fl2 bought a van and offered help with moves `.

    The label is the field's letter (`FIELD_LABELS`) and the value's position in it (for the
    Log, in `Contact.log`), so a match finds its field, its date and its text from the
    contact. A Log entry keeps only the words no newer entry used (the part of the newest
    entry that says a word gives its date). Every word follows a space: `" mov" in gist`
    asks whether a word starts so. Kept in the parse cache with the contact by the loads
    that need it (`vtb who`, a rebuild while Now.md lists needs), so a refresh matches
    needs against 10,000 notes by searching one joined string, never by reading every
    Log again; other loads leave it out (a fifth of a cold load's work)."""
    parts: list[str] = []

    def add(label: str, text: str) -> None:
        found = _words(text)
        if found:
            parts.append(f"{SEP}{label} {' '.join(found)} ")

    for number, offer in enumerate(offers):
        add(f"o{number}", offer)
    for number, tag in enumerate(tags):
        add(f"t{number}", tag.replace("-", " ").replace("/", " "))
    add("c", circle)
    add("g", organization)
    add("j", job_title)
    kept = 0
    seen: set[str] = set()
    for number, entry in enumerate(log):
        if kept == GIST_ENTRIES:
            break
        if entry.text and not is_generated(entry):
            kept += 1
            found = _words(entry.text)
            new = [w for w in dict.fromkeys(found) if w not in seen]
            if new:
                seen.update(new)
                parts.append(f"{SEP}l{number} {' '.join(new)} ")
    return "".join(parts)


def _words(text: str) -> list[str]:
    """The words of a text, folded as `normalize` folds them."""
    return WORD.findall(text.casefold() if text.isascii() else normalize(text))


def gist_of_contact(contact: Contact) -> str:
    """A contact's gist, worked out once: kept on the contact (a value derived from its
    other fields, not compared, like a cached property) and by a load that keeps gists
    (`load_vault(gists=True)`) in the parse cache."""
    gist = contact.gist
    if gist is None:
        gist = gist_of(
            contact.offers,
            contact.tags,
            contact.circle,
            contact.organization,
            contact.job_title,
            contact.log,
        )
        object.__setattr__(contact, "gist", gist)  # a frozen dataclass, set as its __init__ does
    return gist


def parts(gist: str) -> list[tuple[str, str]]:
    """Every (label, words) of a gist, in order."""
    found = []
    for part in gist.split(SEP)[1:]:
        label, _, text = part.partition(" ")
        found.append((label, text))
    return found
