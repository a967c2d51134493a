"""Commits of what the user changed by hand, judged against the note at HEAD.

Shared by `vtb watch` (after each settled save) and `vtb sync` (before a pull):
a Log that gained entries is a touch (`last_contacted` moved forward, one
commit); other edits follow the `autocommit` policy. Nothing here prints.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from vault_touchbase.actions.committing import Committer, Outcome, edit_note
from vault_touchbase.core.errors import NoteError
from vault_touchbase.core.model import Contact, LogEntry
from vault_touchbase.vault.folder import Vault
from vault_touchbase.vault.listing import is_contact_note, through_link

if TYPE_CHECKING:
    from vault_touchbase.git.repo import GitRepo

AUTOCOMMIT_POLICIES = ("all", "logs", "off")


def gained_entries(old: Sequence[LogEntry], new: Sequence[LogEntry], today: date) -> list[LogEntry]:
    """The Log entries of `new` that `old` lacks and that are touches: dated up to `today`.

    Entries are compared by date, channel and text. An entry that replaced one
    of the same date (its text or channel changed, as when an editor saves
    while the user is still typing) is an edit, not a new touch.
    """
    from collections import Counter

    left = Counter((e.date, e.channel, e.text) for e in old)
    added = []
    for entry in new:
        key = (entry.date, entry.channel, entry.text)
        if left[key] > 0:
            left[key] -= 1
        else:
            added.append(entry)
    replaced = Counter(day for (day, _, _), count in left.items() for _ in range(count))
    touches = []
    for entry in added:
        if replaced[entry.date] > 0:
            replaced[entry.date] -= 1
        elif entry.date <= today:
            touches.append(entry)
    return touches


def notes_unlike_head(
    vault: Vault, rels: Iterable[str], committer: Committer | None = None
) -> set[str]:
    """Which of these notes differ from HEAD (changed, new or deleted), in one `git status`
    per 500 paths instead of two git calls per note. No repository: all of them."""
    wanted = list(dict.fromkeys(rels))
    repo = (committer or Committer(vault)).repo
    if repo is None or not wanted:
        return set(wanted)
    by_top = {repo.relpath(vault.path_of(rel)): rel for rel in wanted}
    # Many notes: one status of the whole contacts folder beats one call per 500 paths.
    asked: list[Path | str] = [vault.path_of(rel) for rel in wanted]
    if len(asked) > 500 and vault.contacts_dir != vault.root:
        asked = [vault.contacts_dir]
    codes = repo.status(asked)
    return {by_top[top] for top, code in codes.items() if top in by_top and code != "!!"}


@dataclass
class Change:
    """What one note's difference from HEAD is committed as (see `commit_note_changes`)."""

    kind: str  # "touch", "edit", "add", "delete" or "rename"
    name: str  # the person (for a rename: "OLD → NEW")
    paths: list[str]  # the note, and the path it was renamed from
    renamed_from: str | None = None
    channel: str | None = None  # a touch's channel
    lines: list[str] = field(default_factory=list)  # a touch's "DATE text" lines


def commit_note_changes(
    vault: Vault, today: date, rel: str, policy: str, committer: Committer | None = None
) -> Outcome:
    """Commit what the user changed in one contact note, judged against the note at HEAD.

    - The note equals HEAD (it came with a pull, a checkout or another tool's
      commit, or is committed already): nothing to do.
    - Its Log gained entries (see `gained_entries`): `last_contacted` moves
      forward to the Log's newest entry up to `today` (a one-line edit, never
      back) and the note is committed as `touch: NAME (channel)`.
    - Any other difference is committed as `edit: NAME` (`add:` for a new
      note, `delete:` for a removed one) only when `policy` is "all"; with
      "logs" it is left for the user, and "off" does nothing at all.
    - A note new to git that looks like a deleted one renamed (Obsidian
      renames by moving the file) is judged against that note, and both paths
      go into its commit (`rename: OLD → NEW` when there is no touch), so a
      rename is never a touch and HEAD never holds the person twice.
    - No repository, a rebase or merge in progress (a notice), a note vtb
      cannot read (a problem), or a path through a link: nothing is written or
      committed. No git
      identity, or `.git/index.lock` held: GitError, nothing written.

    Runs under the vault lock. The caller brings the index up to date.
    (Many notes at once: `actions.burst.commit_many`, in a few commits.)
    """
    from vault_touchbase.vault.store import vault_lock

    check_policy(policy)
    outcome = Outcome()
    if policy == "off" or through_link(vault, rel):  # a link is never read (the load says so)
        return outcome
    with vault_lock(vault.root):
        committer = committer or Committer(vault)
        repo = committer.repo
        if repo is None or not ready_to_commit(committer, [rel], outcome):
            return outcome
        deleted = DeletedNotes(vault, repo)
        change = judge_change(vault, repo, today, rel, policy, deleted, outcome)
        if change is not None:
            _commit_watched(committer, change, outcome)
    return outcome


def check_policy(policy: str) -> None:
    """Raise ValueError for a policy that is not one of AUTOCOMMIT_POLICIES."""
    if policy not in AUTOCOMMIT_POLICIES:
        raise ValueError(f"autocommit policy must be one of {AUTOCOMMIT_POLICIES}, not {policy!r}")


def ready_to_commit(committer: Committer, rels: list[str], outcome: Outcome) -> bool:
    """True when git can commit now; a rebase or merge in progress is a notice (False), no
    identity or a held `.git/index.lock` a GitError. Call under the vault lock."""
    repo = committer.repo
    if repo is None:
        return False
    state = repo.in_progress()
    if state:
        what = rels[0] if len(rels) == 1 else f"{len(rels)} notes"
        outcome.notices.append(f"a {state} is in progress: {what} not committed until it ends")
        return False
    committer.ready()  # git can commit: nothing is written otherwise
    return True


class DeletedNotes:
    """The contact notes deleted from the folder but still at HEAD, parsed as they were
    there: what a new note may be a rename of. Read once, when first asked."""

    def __init__(self, vault: Vault, repo: GitRepo) -> None:
        self.vault = vault
        self.repo = repo
        self._notes: list[Contact] | None = None

    def __call__(self) -> list[Contact]:
        if self._notes is None:
            self._notes = _deleted_notes(self.vault, self.repo)
        return self._notes


def judge_change(
    vault: Vault,
    repo: GitRepo,
    today: date,
    rel: str,
    policy: str,
    deleted: Callable[[], list[Contact]],
    outcome: Outcome,
    *,
    new: bool = False,
) -> Change | None:
    """What one note's difference from HEAD is to be committed as, or None (see
    `commit_note_changes`); for a touch, `last_contacted` is moved forward here.
    `new`: git does not track the note (no need to ask for it at HEAD)."""
    from vault_touchbase.notes.parse import parse_note

    path = vault.path_of(rel)
    try:
        data: bytes | None = path.read_bytes()
    except FileNotFoundError:
        data = None
    head = None if new else repo.show_head(path)
    if data == head:
        return None
    old = parse_note(rel, head, vault.settings)[0] if head is not None else None
    if data is None:
        if policy != "all":
            return None
        name = old.name if old else rel.rsplit("/", 1)[-1].removesuffix(".md")
        return Change("delete", name, [rel])
    contact, problems = parse_note(rel, data, vault.settings)
    if contact is None:
        outcome.problems += problems
        return None
    renamed = _renamed_from(contact, deleted()) if head is None else None
    if renamed:
        old = renamed
    touches = gained_entries(old.log if old else (), contact.log, today)
    paths = [rel, renamed.path] if renamed else [rel]
    source = renamed.path if renamed else None
    if touches:
        _keep_last_contacted(vault, today, contact, outcome)
        lines = [f"{e.date} {e.text}".rstrip() for e in touches]
        return Change("touch", contact.name, paths, source, touches[0].channel, lines)
    if policy != "all":
        return None
    if renamed:
        return Change("rename", f"{renamed.stem} → {contact.stem}", paths, source)
    return Change("edit" if head is not None else "add", contact.name, paths)


def _deleted_notes(vault: Vault, repo: GitRepo) -> list[Contact]:
    from vault_touchbase.notes.parse import parse_note

    notes = []
    for top_path, code in repo.status([vault.contacts_dir]).items():
        if "D" not in code:
            continue
        try:
            rel = (repo.top / top_path).relative_to(vault.root.resolve()).as_posix()
        except ValueError:
            continue
        if not is_contact_note(vault, rel):
            continue
        data = repo.show_head(repo.top / top_path)
        old = parse_note(rel, data, vault.settings)[0] if data is not None else None
        if old is not None:
            notes.append(old)
    return notes


def _renamed_from(contact: Contact, deleted: list[Contact]) -> Contact | None:
    """The note (as at HEAD, now deleted from the folder) that `contact`'s new note is
    a rename of: every one of its Log entries is still there (and at least one, or the
    same name). Several candidates: the one sharing the most entries."""
    from collections import Counter

    entries = Counter((e.date, e.channel, e.text) for e in contact.log)
    best: tuple[int, Contact] | None = None
    for old in deleted:
        theirs = Counter((e.date, e.channel, e.text) for e in old.log)
        shared = sum((theirs & entries).values())
        if shared == len(old.log) and (shared or old.name == contact.name):
            score = 2 * shared + (old.name == contact.name)
            if best is None or score > best[0]:
                best = (score, old)
    return best[1] if best else None


def _keep_last_contacted(vault: Vault, today: date, contact: Contact, outcome: Outcome) -> None:
    """Move the frontmatter's last-contacted date to the Log's newest entry (never back),
    written as it was (a quoted date stays quoted)."""
    from vault_touchbase.notes.edit_touch import move_last_contacted

    newest = max((e.date for e in contact.log if e.date <= today), default=None)
    if newest is None:
        return
    key = contact.keys.get("last_contacted", "last_contacted")
    try:
        if edit_note(vault, contact.path, lambda text: move_last_contacted(text, key, newest)):
            outcome.note_written(vault, contact.path)
            outcome.moved_to[contact.path] = newest
    except NoteError as exc:  # e.g. a multi-line value: the touch is still committed
        outcome.notices.append(f"{contact.path}: {key} not updated: {exc.message}")


def _commit_watched(committer: Committer, change: Change, outcome: Outcome) -> None:
    """One note's change as its own commit: `touch: NAME (channel)` with its lines, or
    `edit:`/`add:`/`delete:`/`rename:`."""
    subject = f"{change.kind}: {change.name}"
    extra: dict[str, str] = {}
    if change.kind == "touch" and change.channel:
        subject += f" ({change.channel})"
        extra["Vtb-Channel"] = change.channel
    message = subject + ("\n\n" + "\n".join(change.lines) if change.lines else "")
    if change.renamed_from:
        extra["Vtb-Renamed-From"] = change.renamed_from
    before = len(outcome.commits)
    committer.commit(change.paths, message, {"Vtb-Contact": change.paths[0], **extra}, outcome)
    if len(outcome.commits) > before:
        outcome.done.append(f"committed {subject}")
