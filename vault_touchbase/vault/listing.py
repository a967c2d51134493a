"""Which files are contact notes (the one predicate), the listing, and reading one note."""

from __future__ import annotations

import errno
import os
import posixpath
import stat
import unicodedata
from collections.abc import Callable, Iterator
from operator import attrgetter
from pathlib import Path

from vault_touchbase.core.model import Contact, Problem
from vault_touchbase.vault.folder import Vault
from vault_touchbase.vault.store import InputRefused, read_limited


def _hidden(name: str) -> bool:
    return name.startswith(".")


def note_files(vault: Vault) -> Iterator[tuple[str, os.stat_result | None, str]]:
    """(vault-relative path, stat, problem message or "") for every `*.md` contact note.

    Hidden folders (.git, .obsidian, .trash, .vtb, ...) are skipped wherever they are;
    the index note is never a contact. Links (to a note or a folder, inside the vault
    or out of it, or round in a loop) are never read: each is listed with a problem,
    so one file is one person and vtb never writes through a link. A note or folder
    whose name is not UTF-8 is listed with a problem under a printable form of its
    name (`\\xff` for the byte), never read.
    """
    root = vault.root
    real_root = os.path.realpath(root)
    skip = {vault.settings.index}
    stack = [vault.contacts_dir]
    while stack:
        folder = stack.pop()
        prefix = Path(folder).relative_to(root).as_posix()
        prefix = "" if prefix == "." else prefix + "/"  # rels are built as strings: 10k notes
        try:
            entries = sorted(os.scandir(folder), key=attrgetter("name"))
        except OSError as exc:
            yield (prefix.rstrip("/") or ".", None, f"cannot read folder: {exc.strerror}")
            continue
        subfolders = []
        for entry in entries:
            if _hidden(entry.name):
                continue
            rel = prefix + entry.name
            if entry.is_symlink():
                trouble = _link_trouble(entry.path, real_root)
                if trouble:
                    yield (printable(rel), None, trouble)
                continue
            is_dir = entry.is_dir(follow_symlinks=False)
            if not is_dir and not entry.name.endswith(".md"):
                continue
            if not entry.name.isascii() and not _is_utf8(entry.name):
                what = "folder" if is_dir else "file"
                yield (printable(rel), None, f"{what} name is not UTF-8; not read (rename it)")
            elif is_dir:
                subfolders.append(Path(entry.path))
            elif rel not in skip:
                try:
                    yield (rel, entry.stat(), "")
                except OSError as exc:
                    yield (rel, None, f"cannot read: {exc.strerror}")
        stack.extend(reversed(subfolders))


def _is_utf8(name: str) -> bool:
    """False for a name with bytes that are not UTF-8 (Python holds them as surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def printable(rel: str) -> str:
    """A path as it can be shown and written: a byte that is not UTF-8 as `\\xff`."""
    if rel.isascii() or _is_utf8(rel):
        return rel
    return rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _link_trouble(path: str, real_root: str) -> str:
    """Why a link in the contacts folder is not read ("" for a link to no note or folder)."""
    is_note = path.endswith(".md")
    try:
        is_dir = stat.S_ISDIR(os.stat(path).st_mode)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "link goes round in a loop; not read (remove the link)"
        return f"link leads nowhere ({exc.strerror}); not read" if is_note else ""
    if not is_dir and not is_note:
        return ""
    target = os.path.realpath(path)
    if os.path.commonpath([real_root, target]) != real_root:
        return "link leads outside the vault; not read"
    what = "folder" if is_dir else "note"
    shown = printable(Path(os.path.relpath(target, real_root)).as_posix())
    return (
        f"link to the {what} {shown}; links are not read, so each person is one file"
        f" (move the {what} here instead of linking to it)"
    )


def is_contact_note(vault: Vault, rel: str) -> bool:
    """The one "is this a contact note" test, on a vault-relative path: True for a path
    `note_files` would list (a `.md` note in the contacts folder, in no hidden folder,
    not the index note, a name that is UTF-8). `..` is resolved first, so
    `contacts/../Now.md` is no contact.

    A test of the path only: whether it passes through a link is `through_link`.
    """
    rel = posixpath.normpath(rel)
    if rel == ".." or rel.startswith(("../", "/")):
        return False
    if not rel.isascii() and not _is_utf8(rel):  # listed as a problem, never read
        return False
    folder = vault.contacts_dir.relative_to(vault.root).as_posix()
    if folder != ".":
        if not rel.startswith(folder + "/"):
            return False
        rel_inside = rel[len(folder) + 1 :]
    else:
        rel_inside = rel
    return (
        rel.endswith(".md")
        and rel != vault.settings.index
        and not any(_hidden(part) for part in rel_inside.split("/"))
    )


def leads_outside(vault: Vault, path: Path) -> bool:
    """True when `path`, its links followed, is not inside the vault (never read or written)."""
    real_root = os.path.realpath(vault.root)
    return os.path.commonpath([real_root, os.path.realpath(path)]) != real_root


def through_link(vault: Vault, rel: str) -> bool:
    """True when the vault-relative path `rel` passes through a link (the note itself or
    a folder on its way): such a path is never a note vtb reads or writes."""
    real_root = os.path.realpath(vault.root)
    path = os.path.normpath(os.path.join(real_root, rel))
    return os.path.islink(path) or os.path.realpath(path) != path


def read_note(
    vault: Vault, rel: str, size: int, gists: bool = False
) -> tuple[Contact | None, list[Problem]]:
    """Read and parse one note, refusing files over the size limit and what is no file.
    With `gists`, the contact's gist is worked out too (`notes/gist.py`)."""
    limit = vault.settings.max_note_bytes
    if size > limit:
        return None, [
            Problem(
                rel,
                1,
                "error",
                f"note is {size / 1048576:.1f} MB, over the {limit / 1048576:g} MB limit; not read",
                "raise max_note_mb in vtb.toml, or split the note",
            )
        ]
    try:  # os.path, not pathlib: this runs 10,000 times in a cold load
        data = read_limited(os.path.join(vault.root, rel), limit, rel)
    except InputRefused as exc:  # a pipe or a device named *.md, or grown past the limit
        message = exc.message.removeprefix(rel + " ")
        hint = "make it a plain file, or move it out of the contacts folder"
        return None, [Problem(rel, 1, "error", message, hint)]
    except OSError as exc:
        return None, [Problem(rel, 1, "error", f"cannot read: {exc.strerror}")]
    from vault_touchbase.notes.parse import parse_note

    contact, problems = parse_note(rel, data, vault.settings)
    if gists and contact is not None:
        from vault_touchbase.notes.gist import gist_of_contact

        gist_of_contact(contact)
    return contact, problems


def name_taken(folder: Path) -> Callable[[str], bool]:
    """Whether a note named STEM would clash with one already in `folder`: the same name but
    for case or Unicode normalization clashes too, as it is one file on macOS and Windows
    (and a synced vault is checked out there)."""
    try:
        names = {_folded(name[:-3]) for name in os.listdir(folder) if name[-3:].lower() == ".md"}
    except OSError:
        names = set()
    return lambda stem: _folded(stem) in names


def _folded(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()
