"""Look people up by name: case- and accent-insensitive, whole, first word or prefix."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from vault_touchbase.core.errors import NameNotFound
from vault_touchbase.core.fold import normalize
from vault_touchbase.core.model import Contact


def _without_leading_symbols(text: str) -> str:
    """`👤 Ada Lovelace` → `Ada Lovelace`: a file name's leading emoji (with its joiners,
    variation selectors and skin tones) is no part of the name it is matched by."""
    start = 0
    while start < len(text) and unicodedata.category(text[start])[0] in "SZCM":  # So, Zs, Cf...
        start += 1
    return text[start:] if start < len(text) else text


def _names(contact: Contact) -> list[str]:
    stem = contact.stem
    bare = stem if stem.isascii() else _without_leading_symbols(stem)
    names = (contact.name, stem, *((bare,) if bare != stem else ()), *contact.aliases)
    return [normalize(n) for n in names if n.strip()]


def _may_hold(contact: Contact, word: str) -> bool:
    """False only when no normalized name of the contact can contain `word` (a quick
    test before normalizing: a plain-ASCII name normalizes to its casefold)."""
    names = "\n".join((contact.name, contact.path, *contact.aliases))
    return word in (names.casefold() if names.isascii() else normalize(names))


def _paths(contact: Contact) -> tuple[str, str]:
    """The note's path without `.md`, whole and without its first folder, normalized."""
    path = contact.path.removesuffix(".md")
    return normalize(path), normalize(path.partition("/")[2])


def _by_exact_path(contacts: tuple[Contact, ...] | list[Contact], query: str) -> Contact | None:
    """The one note whose path is `query` character for character (given as a path: with a
    `/` or `.md`; the contacts folder and `.md` optional). So each of two notes whose
    names differ only in Unicode normalization (NFC and NFD) can still be named."""
    if "/" not in query and not query.endswith(".md"):
        return None
    wanted = {query, query + ".md"}
    found = [c for c in contacts if c.path in wanted or c.path.partition("/")[2] in wanted]
    return found[0] if len(found) == 1 else None


def find_contact(contacts: tuple[Contact, ...] | list[Contact], query: str) -> Contact:
    """The one person `query` names: a note's exact path; else whole name, file name or
    alias; else a unique first word; else a unique prefix. Names are compared case- and
    accent-insensitively, so also across Unicode normal forms (NFC, NFD). Raises
    NameNotFound with suggestions or choices."""
    exact = _by_exact_path(contacts, query)
    if exact is not None:
        return exact
    wanted = normalize(query.removesuffix(".md"))
    if not wanted:
        raise NameNotFound("no name given", "give part of a person's name")
    # A note's path (as the lists show it, with or without the contacts folder) names
    # one note even when several people share a name.
    by_path = [c for c in contacts if wanted in _paths(c)] if "/" in wanted else []
    if len(by_path) == 1:
        return by_path[0]
    rules: list[Callable[[str], bool]] = [
        lambda name: name == wanted,
        lambda name: name.split()[0] == wanted if name.split() else False,
        lambda name: name.startswith(wanted),
        lambda name: any(word.startswith(wanted) for word in name.split()),
    ]
    # Every rule needs `wanted` inside a normalized name: only those notes are normalized
    # (a plain-ASCII name normalizes to its casefold, so a substring test finds them).
    first = wanted.split()[0]
    named = [(c, _names(c)) for c in contacts if _may_hold(c, first)]
    for number, rule in enumerate(rules):
        found = {
            c.path: c
            for c, names in named
            if (wanted in names if number == 0 else any(rule(n) for n in names))
        }
        if len(found) == 1:
            return next(iter(found.values()))
        if len(found) > 1:
            choices = sorted(found.values(), key=lambda c: c.name.casefold())
            listing = "\n".join(f"  {c.name}  ({c.path})" for c in choices[:20])
            raise NameNotFound(
                f"{query!r} matches {len(found)} people:\n{listing}",
                "give more of the name, or the note's path as listed",
            )
    everyone: dict[str, str] = {}  # every name, alias and first name → the person's name
    for contact, names in ((c, _names(c)) for c in contacts):
        for name in names:
            everyone.setdefault(name, contact.name)
            everyone.setdefault(name.split()[0], contact.name)
    import difflib

    close = difflib.get_close_matches(wanted, list(everyone), n=6, cutoff=0.6)
    suggested = list(dict.fromkeys(everyone[n] for n in close))[:3]
    hint = (
        ("did you mean " + " or ".join(map(repr, suggested)) + "?")
        if close
        else "`vtb due` lists people; `vtb add NAME` adds one"
    )
    raise NameNotFound(f"nobody called {query!r}", hint)
