"""What `vtb init` writes for Obsidian: `People.base` and the types in `.obsidian/types.json`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from vault_touchbase.core.errors import VtbError
from vault_touchbase.core.model import Contact
from vault_touchbase.core.settings import MAX_TEMPLATE_BYTES, Settings

TYPES_FILE = ".obsidian/types.json"


@dataclass
class ObsidianFiles:
    """What init did for Obsidian: lines for its listing, notices, and the files it
    wrote with their bytes before (None: init created the file), to commit."""

    added: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    written: dict[str, bytes | None] = field(default_factory=dict)


def _read(path: Path, rel: str) -> bytes | None:
    """The file's bytes, None when there is none; a file vtb cannot read raises VtbError."""
    from vault_touchbase.vault.store import read_limited

    try:
        return read_limited(path, MAX_TEMPLATE_BYTES, rel)
    except FileNotFoundError:
        return None


def _replace(path: Path, old: bytes, new: bytes) -> None:
    """Write `new` over the file only while it still holds `old` (never over an edit made
    meanwhile, in Obsidian or elsewhere)."""
    from vault_touchbase.vault.store import FileSnapshot, replace_if_unchanged

    info = path.stat()
    replace_if_unchanged(FileSnapshot(path, old, info.st_mtime_ns, info.st_size), new)


def people_base(
    root: Path, settings: Settings, contacts: Sequence[Contact], out: ObsidianFiles
) -> None:
    """Write the Bases views (`bases_file`) when missing, or again while the file is as
    vtb wrote it (its first line holds the digest of the rest) and the views changed
    (new keys or cadences in the vault); a file changed since is left alone, and said so."""
    from vault_touchbase.features.people_base import base_text, unchanged_since_vtb
    from vault_touchbase.vault.store import create_new

    if not settings.bases:
        return
    rel = settings.bases_file
    path = root / rel
    new = base_text(contacts, settings, has_coordinates(root, settings, contacts))
    new_bytes = new.encode("utf-8")
    try:
        old = _read(path, rel)
        if old is None:
            path.parent.mkdir(parents=True, exist_ok=True)
            create_new(path, new_bytes)
            out.added.append(rel)
            out.written[rel] = None
        elif old == new_bytes:
            return
        elif not unchanged_since_vtb(old.decode("utf-8", "replace")):
            out.notices.append(
                f"{rel} is not as vtb wrote it (changed by hand or in Obsidian, or a file "
                "of your own), so vtb leaves it alone; to get vtb's current views, rename or "
                "delete it and run `vtb init` again (or set bases = false in vtb.toml)"
            )
        else:
            _replace(path, old, new_bytes)
            out.added.append(f"{rel} (updated: the keys or cadences the vault uses changed)")
            out.written[rel] = old
    except (VtbError, OSError) as exc:
        out.notices.append(f"{rel} not written: {_why(exc)}")


def is_vtbs_base(root: Path, settings: Settings) -> bool:
    """Whether the views' file is there as vtb wrote it (so init may commit it)."""
    from vault_touchbase.features.people_base import unchanged_since_vtb

    try:
        data = _read(root / settings.bases_file, settings.bases_file)
    except (VtbError, OSError):
        return False
    return data is not None and unchanged_since_vtb(data.decode("utf-8", "replace"))


def has_coordinates(root: Path, settings: Settings, contacts: Sequence[Contact]) -> bool:
    """Whether any note has `coordinates` (what a Bases map view places notes by). Read
    here, once per `vtb init`, never on a refresh; a note without the word is not parsed."""
    import yaml

    from vault_touchbase.features.people_base import COORDINATES
    from vault_touchbase.notes.text import frontmatter_of
    from vault_touchbase.vault.store import read_limited

    word = COORDINATES.encode("ascii")
    for contact in contacts:
        try:
            data = read_limited(root / contact.path, settings.max_note_bytes, contact.path)
            if word in data and frontmatter_of(data.decode("utf-8-sig")).get(COORDINATES):
                return True
        except (VtbError, OSError, ValueError, yaml.YAMLError):
            continue  # the load has reported it
    return False


def property_types(
    root: Path, settings: Settings, contacts: Sequence[Contact], out: ObsidianFiles
) -> None:
    """Give vtb's keys Obsidian property types in `.obsidian/types.json`, where `.obsidian/`
    exists: only keys not typed yet, the rest of the file kept as it is. A file that is no
    JSON object is reported and left alone."""
    from vault_touchbase.features.obsidian_types import (
        BrokenTypes,
        merge_types,
        new_types_text,
        wanted_types,
    )
    from vault_touchbase.vault.store import create_new

    folder = root / ".obsidian"
    if not folder.is_dir() or folder.is_symlink():
        return
    path = root / TYPES_FILE
    wanted = wanted_types(settings, contacts)
    try:
        old = _read(path, TYPES_FILE)
        if old is None:
            create_new(path, new_types_text(wanted).encode("utf-8"))
            out.added.append(f"{TYPES_FILE} (property types: {', '.join(wanted)})")
            out.written[TYPES_FILE] = None
            return
        bom = old.startswith(b"\xef\xbb\xbf")
        try:
            text = old.decode("utf-8-sig")
            new, added = merge_types(text, wanted)
        except (UnicodeDecodeError, BrokenTypes) as exc:
            reason = "it is not UTF-8" if isinstance(exc, UnicodeDecodeError) else str(exc)
            out.notices.append(
                f"{TYPES_FILE} left alone: {reason}; fix it (or delete it, and Obsidian "
                "makes a new one), then run `vtb init` again to type vtb's keys"
            )
            return
        if not added:
            return
        _replace(path, old, (b"\xef\xbb\xbf" if bom else b"") + new.encode("utf-8"))
        out.added.append(f"{TYPES_FILE} (property types added: {', '.join(added)})")
        out.written[TYPES_FILE] = old
    except (VtbError, OSError) as exc:
        out.notices.append(f"{TYPES_FILE} not changed: {_why(exc)}")


def _why(exc: BaseException) -> str:
    if isinstance(exc, VtbError):
        return exc.message + (f" ({exc.hint})" if exc.hint else "")
    from vault_touchbase.vault.store import cause_of

    return cause_of(exc) if isinstance(exc, OSError) else str(exc)
