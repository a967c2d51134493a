"""Writing and committing a change: what an action did (`Outcome`), a verified edit of
one note (`edit_note`), and the `Committer` that commits vtb's changes, in the
background when the caller has other work to do meanwhile.

Shared by every action (`touch.py`, `people.py`, `intro.py`, `importer.py`,
`autocommit.py`); nothing here prints, prompts or rebuilds the index.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from vault_touchbase.core.errors import NoteError, WriteFailed
from vault_touchbase.core.model import Contact, Problem
from vault_touchbase.vault.folder import Vault

if TYPE_CHECKING:
    from datetime import date

    from vault_touchbase.git.commits import Trailers
    from vault_touchbase.git.repo import GitRepo
    from vault_touchbase.vault.stamp import Stamp

NO_GIT_MARK = "no-git-noticed"
EDIT_ATTEMPTS = 3


# --- outcomes ------------------------------------------------------------------------


@dataclass
class Outcome:
    """What an action did, for a front end to report."""

    done: list[str] = field(default_factory=list)  # what happened, one line each
    changed: list[str] = field(default_factory=list)  # vault-relative paths written
    commits: list[str] = field(default_factory=list)  # shas
    notices: list[str] = field(default_factory=list)  # things to tell the user
    problems: list[Problem] = field(default_factory=list)
    index_written: bool = False
    written: dict[str, Stamp | None] = field(default_factory=dict)
    """The stamp of each note among `changed` as vtb wrote it, taken right after the write
    (`note_written`): the watcher tells its own write from an editor's save after it."""
    moved_to: dict[str, date] = field(default_factory=dict)
    """The date each note's `last_contacted` was moved to by an autocommit (what the
    watcher puts back if an editor saves an older one over it)."""

    def note_written(self, vault: Vault, rel: str) -> None:
        """vtb has just written the note `rel`: it is changed, and its stamp is taken now."""
        from vault_touchbase.vault.stamp import stamp_now

        if rel not in self.changed:
            self.changed.append(rel)
        self.written[rel] = stamp_now(vault.path_of(rel))

    def merge(self, other: Outcome) -> Outcome:
        self.done += other.done
        self.changed += [p for p in other.changed if p not in self.changed]
        self.written.update(other.written)
        self.moved_to.update(other.moved_to)
        self.commits += other.commits
        self.notices += [n for n in other.notices if n not in self.notices]
        self.problems += other.problems
        self.index_written = self.index_written or other.index_written
        return self


# --- writing and committing ------------------------------------------------------------


def edit_note(vault: Vault, rel: str, change: Callable[[str], str]) -> bool:
    """Apply `change` (text → text) to one note, atomically. Returns False if nothing changed.

    The caller holds the vault lock. A note that is not UTF-8 or cannot be
    read is refused; a note changed on disk meanwhile is re-read and the change
    applied again (never overwritten); the result must still read as a note.
    """
    from vault_touchbase.notes.parse import parse_note
    from vault_touchbase.notes.text import NoteSyntaxError, decode
    from vault_touchbase.vault.listing import through_link
    from vault_touchbase.vault.store import ChangedOnDisk, read_snapshot, replace_if_unchanged

    path = vault.path_of(rel)
    if through_link(vault, rel):  # the listing never gives one: a last guard for every write
        raise NoteError(
            f"{rel} is reached through a link; vtb never writes through links, so nothing changed",
            "keep the note itself in the contacts folder instead of a link to it",
        )
    for attempt in range(EDIT_ATTEMPTS):
        try:
            snap = read_snapshot(path)
        except FileNotFoundError:
            raise NoteError(f"{rel} no longer exists", "run `vtb refresh` and try again") from None
        try:
            text = decode(snap.data)
        except NoteSyntaxError as exc:
            raise NoteError(f"{rel}:{exc.line}: {exc.message}; not changed", exc.hint) from None
        new = change(text)
        if new == text:
            return False
        data = new.encode("utf-8")
        contact, problems = parse_note(rel, data, vault.settings)
        if contact is None:
            raise NoteError(
                f"{rel}: the edit would make the note unreadable; not changed", str(problems[0])
            )
        try:
            replace_if_unchanged(snap, data)
            return True
        except ChangedOnDisk:
            if attempt == EDIT_ATTEMPTS - 1:
                raise
        except WriteFailed as exc:
            raise exc.naming(rel) from exc
    return False


def edit_named(vault: Vault, rel: str, change: Callable[[str], str]) -> bool:
    """`edit_note`, with the note's path in the message when an edit is refused."""
    from vault_touchbase.notes.edit_rows import EditError

    try:
        return edit_note(vault, rel, change)
    except EditError as exc:
        raise EditError(f"{rel}: {exc.message}; nothing changed", exc.hint) from None


class Committer:
    """Commits vtb's changes to one vault, or says once that it cannot."""

    def __init__(self, vault: Vault) -> None:
        from vault_touchbase.git.repo import open_repo

        self.vault = vault
        self.repo: GitRepo | None = open_repo(vault.root, vault.settings.git)
        self._identity_checked = False
        self._pending: Background | None = None
        self._joined: Background | None = None  # the last background commit waited for

    def ready(self) -> Committer:
        """Check, before anything is written, that the commit can follow: git knows who
        commits, and `.git/index.lock` is free (waited for briefly). Raises GitError, so
        an action stops with nothing half done. Nothing to check without a repository or
        while a rebase or merge is under way (that commit is skipped anyway)."""
        import time

        from vault_touchbase.core.errors import GitError
        from vault_touchbase.git.runner import LOCK_RETRY_SECONDS, LOCK_RETRY_SLEEP

        self.wait()
        if self.repo is None or self.repo.in_progress():
            return self
        if not self._identity_checked:
            settings = self.vault.settings
            self.repo.check_identity(settings.identity_name, settings.identity_email)
            self._identity_checked = True
        lock = self.repo.git_dir / "index.lock"
        deadline = time.monotonic() + LOCK_RETRY_SECONDS
        while lock.exists():
            if time.monotonic() >= deadline:
                raise GitError(
                    f"another git process is running in {self.repo.top} ({lock} exists); "
                    f"vtb waited {LOCK_RETRY_SECONDS:g} s and changed nothing",
                    "wait for it to finish and run the command again; if no git process is "
                    f"running, a crashed one left the lock behind: then delete {lock} yourself",
                )
            time.sleep(LOCK_RETRY_SLEEP)
        return self

    def commit(
        self,
        paths: Iterable[str],
        message: str,
        trailers: Trailers,
        outcome: Outcome,
        *,
        background: bool = False,
    ) -> Background | None:
        """One commit of exactly `paths` (vault-relative); notices go to `outcome`.

        A git failure after the files were written raises GitError saying so.
        With `background`, git runs while the caller goes on (rebuilding the index,
        say) and the commit is returned: the next commit (or `wait`) waits for it,
        and its `check` raises its error, if it failed.
        """
        self.wait()
        if background:
            self._pending = Background(self, list(paths), message, trailers, outcome)
            return self._pending
        self._commit_now(list(paths), message, trailers, outcome)
        return None

    def wait(self) -> None:
        """Wait for a commit started in the background, and add what it did to its outcome."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.join()
            self._joined = pending

    def settle(self) -> None:
        """Wait for a commit started in the background, and raise its error if it failed
        (before doing more on top of it)."""
        self.wait()
        if self._joined is not None:
            self._joined.check()

    def _commit_now(
        self, paths: list[str], message: str, trailers: Trailers, outcome: Outcome
    ) -> None:
        from vault_touchbase.core.errors import GitError

        rels = list(dict.fromkeys(paths))
        if not rels:
            return
        if self.repo is None:
            notice = self._no_repo_notice()
            if notice:
                outcome.notices.append(notice)
            return
        settings = self.vault.settings
        try:
            result = self.repo.commit(
                [self.vault.path_of(rel) for rel in rels],
                message,
                trailers,
                identity=(settings.identity_name, settings.identity_email),
            )
        except GitError as exc:
            raise GitError(
                f"{', '.join(rels)} written but not committed: {exc.message}",
                f"{exc.hint}; then commit it: git commit -- {' '.join(map(_quoted, rels))}",
            ) from None
        if result.sha:
            outcome.commits.append(result.sha)
        elif result.skipped and result.skipped != "nothing to commit":
            reason = result.skipped
            outcome.notices.append(
                f"{reason} ({', '.join(rels)})"
                if "not committed" in reason
                else f"{', '.join(rels)} not committed: {reason}"
            )

    def _no_repo_notice(self) -> str | None:
        """Said once per vault (remembered in .vtb/), not on every command."""
        from vault_touchbase.vault.store import ensure_state_dir

        if self.vault.settings.git == "off":
            return None
        try:
            mark = ensure_state_dir(self.vault.root) / NO_GIT_MARK
            if mark.exists():
                return None
            mark.write_text("vtb told the user once that this vault is not in git\n")
        except OSError:
            pass
        from vault_touchbase.git.repo import open_repo

        auto = self.vault.settings.git == "auto"
        enclosing = open_repo(self.vault.root, "parent") if auto else None
        if enclosing is not None:
            return (
                f"{self.vault.root} is inside the git repository at {enclosing.top}, so vtb "
                'commits nothing (set git = "parent" in vtb.toml to commit there, or run '
                "`git init` in the vault to give it its own history; this is said once)"
            )
        return (
            f"{self.vault.root} is not the top of a git repository, so nothing is committed "
            "(run `git init` there to keep each person's history; this is said once)"
        )


class Background:
    """A commit running in a thread (git is another process: the thread only waits), its
    outcome kept apart and merged into the caller's when joined, in the caller's thread."""

    def __init__(
        self,
        committer: Committer,
        paths: list[str],
        message: str,
        trailers: Trailers,
        outcome: Outcome,
    ) -> None:
        import threading

        self.outcome = outcome
        self.own = Outcome()
        self.merged = False
        self.error: Exception | None = None

        def run() -> None:
            try:
                committer._commit_now(paths, message, trailers, self.own)
            except Exception as exc:  # noqa: BLE001 - raised again by `check`, in the caller
                self.error = exc

        self.thread = threading.Thread(target=run, name="vtb-commit")
        self.thread.start()

    def join(self) -> None:
        self.thread.join()
        if not self.merged:
            self.outcome.merge(self.own)
            self.merged = True

    def check(self) -> None:
        """Raise the commit's error, if it failed (call after it was waited for)."""
        if self.error is not None:
            raise self.error


def _quoted(rel: str) -> str:
    import shlex

    return shlex.quote(rel)


def trailers_for(contact: Contact | str, channel: str | None = None) -> dict[str, str]:
    path = contact if isinstance(contact, str) else contact.path
    trailers = {"Vtb-Contact": path}
    if channel:
        trailers["Vtb-Channel"] = channel
    return trailers
