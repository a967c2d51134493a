"""Load every contact note of a vault (through the parse cache), and reload the few a
command changed itself."""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from operator import attrgetter
from typing import TYPE_CHECKING

from vault_touchbase.core.model import Contact, LoadResult, Problem
from vault_touchbase.vault.folder import Progress, Vault
from vault_touchbase.vault.lifetime import hold
from vault_touchbase.vault.listing import is_contact_note, read_note

if TYPE_CHECKING:
    from vault_touchbase.vault.cache import Listing


def load_vault(
    vault: Vault,
    progress: Progress | None = None,
    use_cache: bool = True,
    listing: Listing | None = None,
    gists: bool = False,
) -> LoadResult:
    """Every contact and every problem. A broken note never hides the others.

    With `use_cache`, notes unchanged since the last run (same mtime, size,
    ctime and inode) are taken from the parse cache in `.vtb/` instead of
    being parsed again (see `cache.py`). The vault's `parse_workers` says whether
    parsing may use other processes (see `parallel.py`). `listing`: the notes as this
    process listed them (`cache.list_notes`) under the vault lock it still holds.
    `gists`: each contact with its gist (`notes/gist.py`), kept in the parse cache for
    the next load that asks (`vtb who`, a rebuild while Now.md lists needs).
    """
    from vault_touchbase.vault.cache import read_notes

    contacts: list[Contact] = []
    problems: list[Problem] = []
    read = read_notes(vault, progress, use_cache, listing, gists)
    for contact, found in read.results:
        if contact is not None:
            contacts.append(contact)
        problems.extend(found)
    contacts.sort(key=attrgetter("path"))
    problems += twin_problems(contacts)
    if read.unwritten:  # e.g. a full disk: every command now reads every note again
        problems.append(unsaved_cache_problem(read.unwritten))
    problems.sort()
    result = LoadResult(tuple(contacts), tuple(problems), read.linked, read.listing)
    hold(result)  # a short-lived process lets go of it only when it ends (`lifetime.py`)
    return result


def unsaved_cache_problem(exc: OSError) -> Problem:
    """A warning that the parse cache (`.vtb/parse-cache`) could not be saved, and why."""
    import errno

    from vault_touchbase.core.settings import STATE_DIR
    from vault_touchbase.vault.shards import CACHE_DIR

    why = (exc.strerror or str(exc)).lower()
    full = exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))
    return Problem(
        f"{STATE_DIR}/{CACHE_DIR}",
        1,
        "warning",
        f"the parse cache could not be saved ({why}): every command reads every note again",
        "free some disk space"
        if full
        else f"delete {STATE_DIR}/ (it holds only vtb's caches, made again when needed)",
    )


TWINS = "differ only in Unicode normalization"


def twin_problems(contacts: list[Contact]) -> list[Problem]:
    """A warning on each note whose path differs from another's only in Unicode
    normalization (NFC `é` and NFD `e` + accent look the same, and most names match both)."""
    from unicodedata import normalize

    by_form: dict[str, list[str]] = {}
    for contact in contacts:
        if not contact.path.isascii():
            by_form.setdefault(normalize("NFC", contact.path), []).append(contact.path)
    problems = []
    for paths in by_form.values():
        for path in paths if len(paths) > 1 else ():
            form = "NFC" if normalize("NFC", path) == path else "not NFC (NFD)"
            problems.append(
                Problem(
                    path,
                    1,
                    "warning",
                    f"this name is {form}; {len(paths)} notes' names {TWINS}",
                    "merge them or rename one; meanwhile name each by its exact path"
                    " (as your shell completes it)",
                )
            )
    return problems


def reload_notes(vault: Vault, loaded: LoadResult, rels: Iterable[str]) -> LoadResult:
    """`loaded` with the notes at `rels` read again, as `load_vault` would read them now.

    For a command that loaded the vault, changed a few notes and rebuilds the index
    while it holds the vault lock: no other vtb process wrote in between, so only
    what it changed itself needs reading again (`vtb watch` reloads the notes whose
    stamp changed the same way). A note no longer there drops out;
    a path that is not a contact note is left alone. A link among them is left to a
    full `load_vault`, which decides whether it leads outside the vault.
    """
    wanted = {rel for rel in rels if is_contact_note(vault, rel)}
    if not wanted:
        return loaded
    gists = any(c.gist is not None for c in loaded.contacts[:1])  # as the load had them
    if loaded.linked:  # a changed note may be another note too
        return load_vault(vault, gists=gists)
    contacts = list(loaded.contacts)  # sorted by path: each changed one is found by bisection
    problems = [p for p in loaded.problems if p.path not in wanted]
    for rel in sorted(wanted):
        at = bisect.bisect_left(contacts, rel, key=attrgetter("path"))
        if at < len(contacts) and contacts[at].path == rel:
            del contacts[at]
        path = vault.path_of(rel)
        if path.is_symlink():
            return load_vault(vault, gists=gists)
        try:
            size = path.stat().st_size
        except (FileNotFoundError, NotADirectoryError):  # gone, or its folder is a file now
            continue
        except OSError as exc:
            problems.append(Problem(rel, 1, "error", f"cannot read: {exc.strerror}"))
            continue
        contact, found = read_note(vault, rel, size, gists)
        if contact is not None:
            contacts.insert(at, contact)
        problems.extend(found)
    problems = [p for p in problems if TWINS not in p.message] + twin_problems(contacts)
    problems.sort()
    return LoadResult(tuple(contacts), tuple(problems))
