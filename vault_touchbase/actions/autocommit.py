"""Commits of what the user changed by hand, judged against the note at HEAD.

Shared by `vtb watch` (after each settled save) and `vtb sync` (before a pull):
a Log that gained entries is a touch (`last_contacted` moved forward, one
commit); other edits follow the `autocommit` policy. Nothing here prints.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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
    """
    from vault_touchbase.notes.parse import parse_note
    from vault_touchbase.vault.store import vault_lock

    if policy not in AUTOCOMMIT_POLICIES:
        raise ValueError(f"autocommit policy must be one of {AUTOCOMMIT_POLICIES}, not {policy!r}")
    outcome = Outcome()
    if policy == "off" or through_link(vault, rel):  # a link is never read (the load says so)
        return outcome
    with vault_lock(vault.root):
        committer = committer or Committer(vault)
        repo = committer.repo
        if repo is None:
            return outcome
        state = repo.in_progress()
        if state:
            outcome.notices.append(
                f"a {state} is in progress: {rel} is not committed until it ends"
            )
            return outcome
        committer.ready()  # git can commit: nothing is written otherwise
        path = vault.path_of(rel)
        try:
            data: bytes | None = path.read_bytes()
        except FileNotFoundError:
            data = None
        head = repo.show_head(path)
        if data == head:
            return outcome
        old = parse_note(rel, head, vault.settings)[0] if head is not None else None
        if data is None:
            if policy == "all":
                name = old.name if old else rel.rsplit("/", 1)[-1].removesuffix(".md")
                _commit_watched(committer, [rel], f"delete: {name}", {}, outcome)
            return outcome
        contact, problems = parse_note(rel, data, vault.settings)
        if contact is None:
            outcome.problems += problems
            return outcome
        renamed = _renamed_from(vault, repo, contact) if head is None else None
        if renamed:
            old = renamed
        touches = gained_entries(old.log if old else (), contact.log, today)
        paths = [rel, renamed.path] if renamed else [rel]
        extra: dict[str, str | None] = {"Vtb-Renamed-From": renamed.path if renamed else None}
        if touches:
            _keep_last_contacted(vault, today, contact, outcome)
            _commit_touch(committer, contact, touches, outcome, paths, extra)
        elif policy == "all":
            if renamed:
                message = f"rename: {renamed.stem} → {contact.stem}"
            else:
                message = f"{'edit' if head is not None else 'add'}: {contact.name}"
            _commit_watched(committer, paths, message, extra, outcome)
    return outcome


def _renamed_from(vault: Vault, repo: GitRepo, contact: Contact) -> Contact | None:
    """The note (as at HEAD, now deleted from the folder) that `contact`'s new note is
    a rename of: every one of its Log entries is still there (and at least one, or the
    same name). Several candidates: the one sharing the most entries."""
    from collections import Counter

    from vault_touchbase.notes.parse import parse_note

    entries = Counter((e.date, e.channel, e.text) for e in contact.log)
    best: tuple[int, Contact] | None = None
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
        if old is None:
            continue
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
            outcome.changed.append(contact.path)
    except NoteError as exc:  # e.g. a multi-line value: the touch is still committed
        outcome.notices.append(f"{contact.path}: {key} not updated: {exc.message}")


def _commit_touch(
    committer: Committer,
    contact: Contact,
    touches: list[LogEntry],
    outcome: Outcome,
    paths: list[str],
    extra: dict[str, str | None],
) -> None:
    channel = touches[0].channel
    subject = f"touch: {contact.name} ({channel})" if channel else f"touch: {contact.name}"
    lines = [f"{e.date} {e.text}".rstrip() for e in touches]
    message = subject + "\n\n" + "\n".join(lines)
    _commit_watched(committer, paths, message, {"Vtb-Channel": channel, **extra}, outcome)


def _commit_watched(
    committer: Committer,
    paths: list[str],
    message: str,
    extra: dict[str, str | None],
    outcome: Outcome,
) -> None:
    trailers = {"Vtb-Contact": paths[0], **{k: v for k, v in extra.items() if v}}
    before = len(outcome.commits)
    committer.commit(paths, message, trailers, outcome)
    if len(outcome.commits) > before:
        outcome.done.append(f"committed {message.split(chr(10), 1)[0]}")
