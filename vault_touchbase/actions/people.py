"""New people and renames: `vtb add` (and the notes `vtb import` creates), `vtb rename`.

Both write under the vault lock, commit only what they changed, and bring the
index note up to date, like every action in `touch.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from vault_touchbase.actions.committing import (
    Committer,
    Outcome,
    edit_named,
    edit_note,
    trailers_for,
)
from vault_touchbase.actions.refresh import update_index
from vault_touchbase.core.errors import NoteError, UsageProblem, VtbError, WriteFailed
from vault_touchbase.core.model import Birthday, Contact
from vault_touchbase.vault.folder import Vault
from vault_touchbase.vault.load import load_vault


@dataclass(frozen=True)
class NewContact:
    """What `vtb add` knows about a new person."""

    name: str
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    cadence: str | None = None
    channel: str | None = None
    circle: str | None = None
    tags: tuple[str, ...] = ()
    nearby: bool | None = None
    folder: str = ""  # inside the contacts folder
    uid: str = ""  # an imported card's UID; a new one is made when empty
    offers: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    birthday: Birthday | None = None


def new_uid() -> str:
    """A new note's stable id, `urn:uuid:…` as a vCard 4.0 UID is written."""
    import uuid

    return f"urn:uuid:{uuid.uuid4()}"


def birthday_value(birthday: Birthday) -> date | str:
    """A birthday as a note writes it: a date, or `MM-DD` without the year."""
    if birthday.year:
        return date(birthday.year, birthday.month, birthday.day)
    return f"{birthday.month:02d}-{birthday.day:02d}"


def contact_template(vault: Vault) -> str:
    """The vault's `templates/contact.md`, else the built-in one."""
    from vault_touchbase.core.settings import MAX_TEMPLATE_BYTES
    from vault_touchbase.core.templates import CONTACT_TEMPLATE
    from vault_touchbase.vault.store import read_limited

    rel = "templates/contact.md"
    try:  # a folder, a device or a template over the limit is refused (InputRefused)
        return read_limited(vault.root / rel, MAX_TEMPLATE_BYTES, rel).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return CONTACT_TEMPLATE


def new_note_text(template: str, person: NewContact, today: date) -> str:
    """The template filled in for `person`, every value set by a minimal, verified edit."""
    from vault_touchbase.notes.edit_frontmatter import set_scalar

    text = template.replace("{{title}}", "").replace("{{date}}", today.isoformat())
    text = text.replace("{{time}}", "")
    lists = {
        "email": person.emails,
        "phone": person.phones,
        "tags": person.tags,
        "offers": person.offers,
        "needs": person.needs,
    }
    values: dict[str, object] = {"name": person.name}
    for key, items in lists.items():
        if items:
            single = len(items) == 1 and key in ("email", "phone")
            values[key] = items[0] if single else list(items)
    scalars = {
        "cadence": person.cadence,
        "channel": person.channel,
        "circle": person.circle,
        "nearby": person.nearby,
        "birthday": birthday_value(person.birthday) if person.birthday else None,
    }
    values.update({key: value for key, value in scalars.items() if value is not None})
    values["uid"] = person.uid or new_uid()  # what exports name the person by, for good
    for key, value in values.items():
        text = set_scalar(text, key, value)  # type: ignore[arg-type]
    return text


def add_contact(vault: Vault, today: date, person: NewContact) -> Outcome:
    """Write a new note named as Obsidian names it (a second Jane Doe gets `Jane Doe (2).md`),
    commit it as `add: NAME`, and update the index. Never overwrites a file."""
    from vault_touchbase.core.cadence import parse_cadence
    from vault_touchbase.core.naming import note_stem, unique_stem
    from vault_touchbase.vault.listing import name_taken
    from vault_touchbase.vault.store import create_new, vault_lock

    name = " ".join(person.name.split())
    if not name:
        raise UsageProblem("the name is empty", 'give the person\'s name, e.g. vtb add "Jane Doe"')
    if person.cadence:
        try:
            parse_cadence(person.cadence)
        except ValueError as exc:
            raise UsageProblem(str(exc)) from None
    folder = vault.contacts_dir / _safe_folder(person.folder)
    if not _inside_vault(vault, folder):
        raise UsageProblem(f"{person.folder!r} is outside the vault")
    text = new_note_text(
        contact_template(vault), NewContact(**{**person.__dict__, "name": name}), today
    )
    outcome = Outcome()
    with vault_lock(vault.root):
        committer = Committer(vault).ready()
        folder.mkdir(parents=True, exist_ok=True)
        wanted = note_stem(name, vault.settings.filenames)
        taken = name_taken(folder)  # `jane doe` beside `Jane Doe` is one file on a Mac
        stem = unique_stem(
            wanted,
            lambda s: (
                taken(s) or (folder / f"{s}.md").exists() or (folder / f"{s}.md").is_symlink()
            ),
        )
        path = folder / f"{stem}.md"
        try:
            create_new(path, text.encode("utf-8"))
        except FileExistsError:
            raise VtbError(
                f"{vault.rel(path)} appeared meanwhile; nothing written", "try again"
            ) from None
        except WriteFailed as exc:
            raise exc.naming(vault.rel(path)) from exc
        rel = vault.rel(path)
        outcome.changed.append(rel)
        if stem != wanted:
            outcome.notices.append(
                f"{vault.rel(folder / wanted)}.md already exists, so this note is {rel}; "
                "if it is the same person, delete it and use the existing note"
            )
        committer.commit([rel], f"add: {name}", trailers_for(rel), outcome)
        update_index(vault, today, committer, outcome)
    return outcome


def _inside_vault(vault: Vault, path: Path) -> bool:
    try:
        path.resolve().relative_to(vault.root.resolve())
        return True
    except ValueError:
        return False


def _safe_folder(folder: str) -> str:
    parts = [p for p in Path(folder).parts if p not in ("", ".", "/")]
    if any(p == ".." or p.startswith(".") for p in parts):
        raise UsageProblem(f"folder {folder!r} must be a plain folder inside the contacts folder")
    return "/".join(parts)


def rename_contact(vault: Vault, today: date, contact: Contact, new_name: str) -> Outcome:
    """Rename a person: `git mv` their note, set `name`, rewrite `[[links]]` to them in
    other contacts' notes; one commit, so `vtb history` still follows them. A note
    without a `uid` is given the one it was exported under so far, so exports keep it."""
    from vault_touchbase.actions.exporter import note_uid
    from vault_touchbase.core.naming import note_stem
    from vault_touchbase.notes.edit_body import replace_links
    from vault_touchbase.notes.edit_frontmatter import set_scalar
    from vault_touchbase.vault.store import check_writable, vault_lock

    new_name = " ".join(new_name.split())
    if not new_name:
        raise UsageProblem("the new name is empty")
    old_path = vault.path_of(contact.path)
    stem = note_stem(new_name, vault.settings.filenames)
    new_path = old_path.with_name(f"{stem}.md")
    new_rel = vault.rel(new_path)
    if new_path == old_path and new_name == contact.name:
        raise UsageProblem(f"{contact.name} is already called that ({contact.path})")
    if new_path.exists() and new_path.resolve() != old_path.resolve():
        raise VtbError(
            f"{new_rel} already exists; nothing renamed",
            "choose another name, or merge the notes by hand",
        )
    key = contact.keys.get("name", "name")
    _check_plain_name(vault, contact, key, new_name)
    outcome = Outcome()
    with vault_lock(vault.root):
        committer = Committer(vault).ready()
        # a ticked box links the note's old path: log it (and redraw) before the move
        before = Outcome()
        update_index(vault, today, committer, before)
        outcome.notices += before.notices
        outcome.problems += before.problems
        renamed = new_name != contact.name  # else only the file moves (see _check_plain_name)
        uid_key = contact.keys.get("uid", "uid")

        def rename(text: str) -> str:
            text = set_scalar(text, key, new_name) if renamed else text
            return text if contact.uid else set_scalar(text, uid_key, note_uid(contact))

        if edit_named(vault, contact.path, rename):
            outcome.changed.append(contact.path)
        if new_path != old_path:
            if committer.repo is not None and committer.repo.is_tracked(old_path):
                committer.repo.mv(old_path, new_path)
            else:
                old_path.rename(new_path)
            outcome.changed = [contact.path, new_rel]
        old_stem, new_stem = contact.stem, stem
        links = len(outcome.changed)
        if old_stem != new_stem:
            for other in load_vault(vault).contacts:
                if other.path == new_rel:
                    continue
                path = vault.path_of(other.path)
                data = path.read_bytes()
                if f"[[{old_stem}".encode() not in data and f"/{old_stem}".encode() not in data:
                    continue
                try:
                    check_writable(path, other.path)
                except WriteFailed as exc:  # left as the user protected it, and said so
                    outcome.notices.append(f"{exc.message}: its links to {old_stem} are kept")
                    continue
                if edit_note(
                    vault, other.path, lambda text: replace_links(text, old_stem, new_stem)
                ):
                    outcome.changed.append(other.path)
        links = len(outcome.changed) - links
        moved = f": {contact.path} → {new_rel}" if new_path != old_path else ""
        fixed = f"; links fixed in {links} other note{'s' * (links != 1)}" if links else ""
        old_name = contact.name if renamed else contact.stem
        outcome.done.append(f"renamed {old_name} to {new_name}{moved}{fixed}")
        message = f"rename: {old_name} → {new_name}"
        committer.commit(
            outcome.changed,
            message,
            {"Vtb-Contact": new_rel, "Vtb-Renamed-From": contact.path},
            outcome,
        )
        update_index(vault, today, committer, outcome)
    if old_stem != new_stem:
        for rel in _links_elsewhere(vault, old_stem):
            outcome.notices.append(
                f"{rel} still links [[{old_stem}]]: vtb changes only contact notes "
                f"(change it to [[{new_stem}]] by hand)"
            )
    return outcome


def _check_plain_name(vault: Vault, contact: Contact, key: str, new_name: str) -> None:
    """Refuse to flatten a `name` split into parts (obsidian-contacts' `{first, last}`)."""
    from vault_touchbase.notes.contact_table import TABLE_KEY
    from vault_touchbase.notes.text import frontmatter_of

    if new_name == contact.name:
        return  # the parts were changed by hand: only the file moves
    if key.startswith(TABLE_KEY):
        raise NoteError(
            f"{contact.path}: the name is in the note's contact table (obsidian-contacts), "
            "which vtb does not rewrite; nothing renamed",
            f"change it to {new_name!r} in the table, then run `vtb rename` again to "
            "rename the file and fix links to it",
        )
    text = vault.path_of(contact.path).read_text(encoding="utf-8-sig")
    value = frontmatter_of(text).get(key)
    if isinstance(value, dict):
        parts = ", ".join(map(str, value))
        raise NoteError(
            f"{contact.path}: `{key}` is split into parts ({parts}), which vtb does not "
            "rewrite; nothing renamed",
            f"change them to {new_name!r} in the note, then run `vtb rename` again to "
            "rename the file and fix links to it",
        )


def _links_elsewhere(vault: Vault, stem: str) -> list[str]:
    """Notes outside the contacts folder (vtb never changes them) that link to `stem`."""
    import os

    link = re.compile(r"\[\[(?:[^\]|#\n]*/)?" + re.escape(stem) + r"(?:\.md)?[\]|#]")
    contacts = vault.contacts_dir.resolve()
    found = []
    for folder, dirs, files in os.walk(vault.root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        here = Path(folder)
        if here.resolve() == contacts:
            dirs[:] = []
            continue
        for name in sorted(files):
            path = here / name
            if not name.endswith(".md") or path == vault.index_path:
                continue
            try:
                if link.search(path.read_text(encoding="utf-8", errors="replace")):
                    found.append(vault.rel(path))
            except OSError:
                continue
    return found
