"""Which files are contact notes (the one predicate), the listing, and reading one note."""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterator
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
    the index note and links leading out of the vault are never contacts.
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
                target = os.path.realpath(entry.path)
                if os.path.commonpath([real_root, target]) != real_root:
                    yield (rel, None, "link leads outside the vault; not read")
                    continue
            if entry.is_dir():
                subfolders.append(Path(entry.path))
            elif entry.name.endswith(".md") and rel not in skip:
                try:
                    yield (rel, entry.stat(), "")
                except OSError as exc:
                    yield (rel, None, f"cannot read: {exc.strerror}")
        stack.extend(reversed(subfolders))


def is_contact_note(vault: Vault, rel: str) -> bool:
    """The one "is this a contact note" test, on a vault-relative path: True for a path
    `note_files` would list (a `.md` note in the contacts folder, in no hidden folder,
    not the index note). `..` is resolved first, so `contacts/../Now.md` is no contact.

    A test of the path only: whether a link leads out of the vault is `leads_outside`.
    """
    rel = posixpath.normpath(rel)
    if rel == ".." or rel.startswith(("../", "/")):
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


def read_note(vault: Vault, rel: str, size: int) -> tuple[Contact | None, list[Problem]]:
    """Read and parse one note, refusing files over the size limit and what is no file."""
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

    return parse_note(rel, data, vault.settings)
