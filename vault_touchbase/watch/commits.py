"""Committing what the person saved: touches at once, other edits once they have settled,
and notes git would not take yet tried again later."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from vault_touchbase.actions.autocommit import commit_note_changes, notes_unlike_head
from vault_touchbase.actions.committing import Committer, Outcome
from vault_touchbase.core.errors import GitError, VtbError
from vault_touchbase.vault.folder import Vault
from vault_touchbase.vault.store import vault_lock
from vault_touchbase.watch.fixback import Written

BULK_CHECK = 8  # more candidate notes than this: one `git status` instead of a look at each
GIT_RETRY_SECONDS = 5.0


class AutoCommitter:
    """The watcher's commits under an `autocommit` policy ("logs", "all" or "off").

    `commit` is called with the notes a batch found changed; it also commits
    what waited: edits whose settling time is over ("all") and notes deferred
    while git was busy.
    """

    def __init__(self, vault: Vault, committer: Committer, policy: str, settle: float) -> None:
        self.vault = vault
        self.committer = committer
        self.policy = policy
        self.settle = settle
        self._settling: dict[str, float] = {}  # note → when to commit its edit ("all")
        self._deferred: set[str] = set()  # notes to look at again once git lets us
        self._retry_at: float | None = None  # when to try the deferred notes again
        self._written = Written()  # the last_contacted values it moved

    def use(self, vault: Vault, committer: Committer, policy: str) -> None:
        """New settings: commit with these from now on (what waits keeps waiting)."""
        self.vault, self.committer, self.policy = vault, committer, policy

    @property
    def waiting(self) -> bool:
        """True while an edit is settling (autocommit = "all")."""
        return bool(self._settling)

    def next_moment(self) -> float | None:
        """The earliest time something waiting falls due; None when nothing waits."""
        moments = list(self._settling.values())
        if self._deferred and self._retry_at is not None:
            moments.append(self._retry_at)
        return min(moments, default=None)

    def due(self, now: float) -> bool:
        """True when a settled edit or a retry is due at `now`."""
        retry = self._retry_at if self._deferred else None
        return any(t <= now for t in self._settling.values()) or (
            retry is not None and now >= retry
        )

    def settle_now(self) -> None:
        """Let every settling edit be committed by the next `commit` (`vtb watch --once`)."""
        self._settling = dict.fromkeys(self._settling, 0.0)

    def hold(self, rels: Iterable[str], now: float, pause: float) -> None:
        """git is busy (a rebase or merge): keep these notes, look again after `pause`."""
        self._deferred |= set(rels)
        self._settling = {rel: max(t, now + pause) for rel, t in self._settling.items()}
        self._retry_at = now + pause if self._deferred else None

    def commit(self, rels: Iterable[str], today: date, now: float) -> Outcome:
        """Touches among `rels` (and the deferred notes) now; with autocommit = "all",
        other edits once they have settled."""
        todo, self._deferred, self._retry_at = set(rels) | self._deferred, set(), None
        outcome = Outcome()
        policy = self.policy
        if self.committer.repo is None or policy == "off":
            return outcome
        if todo:
            # A few notes are compared with HEAD one by one; many at once with one `git status`.
            dirty = (
                todo
                if len(todo) <= BULK_CHECK
                else notes_unlike_head(self.vault, todo, self.committer)
            )
            for rel in sorted(dirty):
                outcome.merge(self._commit_one(today, rel, "logs", now))
                if policy == "all":
                    self._settling[rel] = now + self.settle
        # Notes still there first: a renamed note takes its old path into its commit.
        due = sorted(
            (rel for rel, when in self._settling.items() if when <= now),
            key=lambda rel: (not self.vault.path_of(rel).exists(), rel),
        )
        if due:
            dirty = notes_unlike_head(self.vault, due, self.committer)
            for rel in due:
                del self._settling[rel]
                if rel in dirty:
                    outcome.merge(self._commit_one(today, rel, "all", now))
        return outcome

    def _commit_one(self, today: date, rel: str, policy: str, now: float) -> Outcome:
        try:
            with vault_lock(self.vault.root):
                fixed = self._written.put_back(self.vault, rel)
            outcome = commit_note_changes(self.vault, today, rel, policy, self.committer)
            if rel in outcome.changed:  # it moved last_contacted: remember to what
                self._written.remember(self.vault, rel, today)
            if fixed:
                outcome.done.append(fixed)
            return outcome
        except GitError as exc:  # e.g. another git held index.lock: try this note again later
            self._deferred.add(rel)
            self._retry_at = now + GIT_RETRY_SECONDS
            return Outcome(notices=[f"{rel}: not committed yet: {exc.message}"])
        except VtbError as exc:  # this note only: e.g. an edit that would break it
            hint = f" ({exc.hint})" if exc.hint else ""
            return Outcome(notices=[f"{rel}: not committed: {exc.message}{hint}"])
        except OSError as exc:
            return Outcome(notices=[f"{rel}: not committed: {exc.strerror or exc}"])
