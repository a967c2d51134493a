"""Import people into the vault: match them with who is there, plan, then write once.

`plan_import` is pure planning over the vault as it is: each person read from
the file is matched with a note (same e-mail address, any case; else the same
name when nothing tells them apart), duplicates inside the file are merged,
and the full new text of every note to write is worked out and checked, so
nothing is written unless everything can be. `--dry-run` shows this plan.
`apply_plan` writes it (new notes created, never over a file; merged notes
edited through `committing.edit_note`), makes ONE commit and rebuilds the
index. The notes' text comes from `import_text`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Literal

from vault_touchbase.actions.committing import Outcome, edit_note
from vault_touchbase.actions.import_text import merge_text, new_person_text
from vault_touchbase.actions.people import contact_template
from vault_touchbase.core.errors import VtbError
from vault_touchbase.core.model import Birthday, Contact, Problem
from vault_touchbase.features.formats.person import (
    ImportedPerson,
    Progress,
    ReadResult,
    tag_key,
)
from vault_touchbase.features.formats.values import url_key
from vault_touchbase.vault.folder import Vault
from vault_touchbase.vault.load import load_vault
from vault_touchbase.vault.lookup import normalize

Action = Literal["new", "merge", "skip"]


@dataclass(eq=False)  # compared by identity: the same note, not equal values
class Entry:
    """One note the import would create, change or leave alone."""

    action: Action
    person: ImportedPerson  # every record that went into this note, merged
    path: str = ""  # vault-relative
    contact: Contact | None = None  # the note already in the vault
    changes: list[str] = field(default_factory=list)  # "+ email a@b.c", ...
    text: str = ""  # the note's new text (new notes and merges)
    reason: str = ""  # why it is skipped
    records: list[ImportedPerson] = field(default_factory=list)


@dataclass
class ImportPlan:
    """Everything an import would do, worked out before anything is written."""

    file: str
    format: str
    records: int
    entries: list[Entry]
    problems: list[Problem]

    def of(self, action: Action) -> list[Entry]:
        return [e for e in self.entries if e.action == action]

    @property
    def changed(self) -> list[Entry]:
        return [e for e in self.entries if e.action != "skip"]

    def counts(self) -> str:
        return (
            f"{len(self.of('new'))} new, {len(self.of('merge'))} merged, "
            f"{len(self.of('skip'))} skipped"
        )


# --- matching ------------------------------------------------------------------------


@dataclass(eq=False)
class _Target:
    """A person the file's records are matched against: a note, or a new one planned."""

    entry: Entry
    emails: set[str]
    linkedin: str
    birthday: Birthday | None


class _Matcher:
    """Finds the note (or planned new note) a person belongs to."""

    def __init__(self, contacts: Iterable[Contact], raw: Callable[[Contact], dict[str, object]]):
        self.by_email: dict[str, list[_Target]] = {}
        self.by_name: dict[str, list[_Target]] = {}
        self.by_uid: dict[str, _Target] = {}  # a note's own `uid`: its card, exported before
        self.raw = raw
        for contact in contacts:
            entry = Entry("skip", ImportedPerson(contact.name), contact.path, contact)
            target = _Target(entry, {e.casefold() for e in contact.emails}, "", contact.birthday)
            self._index(target, [contact.name, *contact.aliases])
            if contact.uid:
                self.by_uid.setdefault(contact.uid, target)

    def _index(self, target: _Target, names: Iterable[str]) -> None:
        for email in target.emails:
            self.by_email.setdefault(email, []).append(target)
        for name in names:
            key = normalize(name)
            if key and target not in self.by_name.get(key, []):
                self.by_name.setdefault(key, []).append(target)

    def match(self, person: ImportedPerson) -> tuple[_Target | None, str]:
        """The target, or None and "" (a new person) or a reason to skip (ambiguous)."""
        if person.uid in self.by_uid:  # vtb's own export, read back: the same note
            return self.by_uid[person.uid], ""
        found: list[_Target] = []
        for email in person.emails:
            for target in self.by_email.get(email.casefold(), []):
                if target not in found:
                    found.append(target)
        if len(found) == 1:
            return found[0], ""
        if found:
            return None, "its e-mail addresses belong to " + _names(found)
        same_name = self.by_name.get(normalize(person.name), [])
        fitting = [t for t in same_name if not self._conflict(t, person)]
        if len(fitting) == 1:
            return fitting[0], ""
        if fitting:
            return None, f"{len(fitting)} people in the vault have this name ({_names(fitting)})"
        return None, ""

    def _conflict(self, target: _Target, person: ImportedPerson) -> bool:
        """Two people of one name are different when something identifying differs."""
        if target.emails and person.emails:
            return True  # no address in common (else the e-mail match had found them)
        linkedin = target.linkedin
        if target.entry.contact is not None and not linkedin and person.linkedin:
            linkedin = str(self.raw(target.entry.contact).get("linkedin") or "")
        if linkedin and person.linkedin and url_key(linkedin) != url_key(person.linkedin):
            return True
        uid = target.entry.person.uid
        if uid and person.uid and uid != person.uid:
            return True
        mine, theirs = target.birthday, person.birthday
        return bool(
            mine
            and theirs
            and (
                (mine.month, mine.day) != (theirs.month, theirs.day)
                or (mine.year and theirs.year and mine.year != theirs.year)
            )
        )

    def add(self, target: _Target | None, person: ImportedPerson) -> _Target:
        """Merge `person` into `target` (or make a new target) and index what it adds."""
        if target is None:
            target = _Target(Entry("new", person), set(), person.linkedin, person.birthday)
            self._index(target, [person.name])
        else:
            entry = target.entry
            entry.person = entry.person.merged(person) if entry.records else person
            target.linkedin = target.linkedin or person.linkedin
            target.birthday = target.birthday or person.birthday
        target.entry.records.append(person)
        for email in {e.casefold() for e in person.emails} - target.emails:
            target.emails.add(email)
            self.by_email.setdefault(email, []).append(target)
        return target


def _names(targets: list[_Target]) -> str:
    return ", ".join(t.entry.path or t.entry.person.name for t in targets)


# --- planning --------------------------------------------------------------------------


def plan_import(
    vault: Vault, read: ReadResult, file: str, today: date, progress: Progress | None = None
) -> ImportPlan:
    """What importing `read` would do. Writes nothing; safe to show as a dry run."""
    loaded = load_vault(vault)
    raw_cache: dict[str, dict[str, object]] = {}

    def raw(contact: Contact) -> dict[str, object]:
        if contact.path not in raw_cache:
            raw_cache[contact.path] = _frontmatter(vault, contact.path)
        return raw_cache[contact.path]

    matcher = _Matcher(loaded.contacts, raw)
    problems = list(read.problems)
    entries: list[Entry] = []
    circles = circles_of(vault, loaded.contacts)
    for person in (with_circle(p, circles) for p in read.people):
        target, reason = matcher.match(person)
        if reason:
            problems.append(
                Problem(
                    file,
                    person.line,
                    "warning",
                    f"{person.where}: {person.name}: {reason}; skipped",
                    "give the record an e-mail address that tells them apart",
                )
            )
            entries.append(Entry("skip", person, reason=reason, records=[person]))
            continue
        target = matcher.add(target, person)
        if len(target.entry.records) == 1:  # its first record: a note not yet in the plan
            entries.append(target.entry)
    template = contact_template(vault)
    taken: set[str] = set()
    for done, entry in enumerate(entries, 1):
        if entry.action == "skip" and entry.reason:
            pass  # ambiguous: reported above
        elif entry.contact is None:
            _plan_new(vault, entry, template, today, taken, problems, file)
        else:
            _plan_merge(vault, entry, problems, file)
        if progress:
            progress(done, len(entries))
    return ImportPlan(file, read.format, read.records, entries, sorted(problems))


BUILT_IN_CIRCLES = ("community", "professional")


def circles_of(vault: Vault, contacts: Iterable[Contact]) -> dict[str, str]:
    """The circles this vault knows, by tag key: vtb's own, the settings', the notes'."""
    settings = vault.settings
    names = [*BUILT_IN_CIRCLES, *settings.channel_by_circle, *settings.cadence_by_circle]
    names += sorted({c.circle for c in contacts if c.circle})
    circles: dict[str, str] = {}
    for name in names:
        circles.setdefault(tag_key(name), name)
    return circles


def with_circle(person: ImportedPerson, circles: dict[str, str]) -> ImportedPerson:
    """A person without a circle gets the one a label or category names (`Community`)."""
    if person.circle:
        return person
    for tag in person.tags:
        circle = circles.get(tag_key(tag))
        if circle:
            return replace(person, circle=circle)
    return person


def _frontmatter(vault: Vault, rel: str) -> dict[str, object]:
    from vault_touchbase.notes.text import decode, frontmatter_of

    try:
        return frontmatter_of(decode(vault.path_of(rel).read_bytes()))
    except Exception:  # unreadable notes are not loaded as contacts in the first place
        return {}


def _plan_new(
    vault: Vault,
    entry: Entry,
    template: str,
    today: date,
    taken: set[str],
    problems: list[Problem],
    file: str,
) -> None:
    from vault_touchbase.core.naming import note_stem, unique_stem
    from vault_touchbase.notes.edit_rows import EditError
    from vault_touchbase.notes.parse import parse_note
    from vault_touchbase.vault.listing import name_taken

    person = entry.person
    folder = vault.contacts_dir
    on_disk = name_taken(folder)  # by case and Unicode normalization too (one file on a Mac)
    stem = unique_stem(
        note_stem(person.name, vault.settings.filenames),
        lambda s: s.casefold() in taken or on_disk(s) or (folder / f"{s}.md").exists(),
    )
    rel = vault.rel(folder / f"{stem}.md")
    try:
        text = new_person_text(template, person, today)
    except EditError as exc:
        _refuse(entry, problems, file, f"cannot write a note for {person.name}: {exc.message}")
        return
    contact, found = parse_note(rel, text.encode("utf-8"), vault.settings)
    if contact is None:
        _refuse(
            entry, problems, file, f"the note for {person.name} would not read back: {found[0]}"
        )
        return
    taken.add(stem.casefold())
    entry.path, entry.text = rel, text
    entry.changes = person.summary()


def _plan_merge(vault: Vault, entry: Entry, problems: list[Problem], file: str) -> None:
    from vault_touchbase.notes.edit_rows import EditError
    from vault_touchbase.notes.text import NoteSyntaxError, decode

    assert entry.contact is not None
    try:
        text = decode(vault.path_of(entry.path).read_bytes())
        new, changes = merge_text(text, entry.person, entry.contact, vault)
    except (OSError, NoteSyntaxError, EditError) as exc:
        message = getattr(exc, "message", None) or str(exc)
        _refuse(entry, problems, file, f"cannot merge into {entry.path}: {message}", entry.path)
        return
    if new == text:
        entry.action, entry.reason = "skip", "already up to date"
        return
    entry.action, entry.text, entry.changes = "merge", new, changes


def _refuse(entry: Entry, problems: list[Problem], file: str, message: str, note: str = "") -> None:
    person = entry.records[0] if entry.records else entry.person
    hint = f"edit {note} by hand" if note else ""
    problems.append(
        Problem(file, person.line, "error", f"{person.where}: {message}; skipped", hint)
    )
    entry.action, entry.reason = "skip", message


# --- writing -------------------------------------------------------------------------------


def apply_plan(
    vault: Vault, plan: ImportPlan, today: date, progress: Progress | None = None
) -> Outcome:
    """Write the plan: new notes, merged notes; one commit; the index rebuilt.

    The caller holds the vault lock and made the plan under it.
    """
    from vault_touchbase.actions.committing import Committer
    from vault_touchbase.actions.refresh import update_index

    outcome = Outcome(problems=list(plan.problems))
    changed = plan.changed
    for done, entry in enumerate(changed, 1):
        try:
            _write(vault, entry)
        except (OSError, VtbError) as exc:
            message = getattr(exc, "message", None) or str(exc)
            outcome.problems.append(
                Problem(
                    plan.file,
                    entry.person.line,
                    "error",
                    f"{entry.person.where}: {entry.path} not written: {message}",
                )
            )
            entry.action, entry.reason = "skip", message
            continue
        outcome.changed.append(entry.path)
        if progress:
            progress(done, len(changed))
    committer = Committer(vault)
    if outcome.changed:
        new = len([e for e in changed if e.action == "new"])
        merged = len([e for e in changed if e.action == "merge"])
        people = "person" if len(outcome.changed) == 1 else "people"
        message = f"import: {len(outcome.changed)} {people} from {plan.file}\n\n"
        message += f"{new} new, {merged} merged ({plan.format})"
        committer.commit(outcome.changed, message, {"Vtb-Import": plan.file}, outcome)
    update_index(vault, today, committer, outcome)  # ticked boxes are logged, not dropped
    return outcome


def _write(vault: Vault, entry: Entry) -> None:
    from vault_touchbase.vault.store import create_new

    path = vault.path_of(entry.path)
    if entry.action == "new":
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            create_new(path, entry.text.encode("utf-8"))
        except FileExistsError:
            raise VtbError(f"{entry.path} appeared meanwhile", "import again") from None
        return
    assert entry.contact is not None
    contact = entry.contact
    edit_note(vault, entry.path, lambda text: merge_text(text, entry.person, contact, vault)[0])


def import_file(
    vault: Vault,
    path: Path,
    today: date,
    *,
    dry_run: bool = False,
    progress: Callable[[str], Progress | None] | None = None,
) -> tuple[ImportPlan, Outcome | None]:
    """Read `path`, plan the import and (unless `dry_run`) write it in one commit.

    `progress(label)` gives a callback for each long step (reading, planning, writing).
    """
    from vault_touchbase.features.formats import read_people
    from vault_touchbase.vault.store import vault_lock

    def bar(label: str) -> Progress | None:
        return progress(label) if progress else None

    read = read_people(path, bar("Reading"))
    if dry_run:
        return plan_import(vault, read, path.name, today, bar("Planning")), None
    with vault_lock(vault.root):
        plan = plan_import(vault, read, path.name, today, bar("Planning"))
        outcome = apply_plan(vault, plan, today, bar("Writing"))
    return plan, outcome
