"""Committing what the person saved: touches at once, other edits once they have settled,
bursts in a few commits, deletions only with care, and notes git would not take yet tried
again later."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from vault_touchbase.actions.autocommit import commit_note_changes, notes_unlike_head
from vault_touchbase.actions.burst import Progress, commit_many
from vault_touchbase.actions.committing import Committer, Outcome
from vault_touchbase.core.errors import GitError, VtbError
from vault_touchbase.vault.folder import Vault
from vault_touchbase.vault.listing import note_files
from vault_touchbase.vault.store import vault_lock
from vault_touchbase.watch.fixback import Written

BULK_CHECK = 8  # more candidate notes than this: one `git status` instead of a look at each
BURST_NOTES = 10  # more notes than this to commit at once: a few commits, not one each
GIT_RETRY_SECONDS = 5.0
MASS_DELETE_COUNT = 3  # more deleted notes than this at once is a mass deletion...
MASS_DELETE_SHARE = 0.1  # ... and so is more than this share of the notes (two or more)


class AutoCommitter:
    """The watcher's commits under an `autocommit` policy ("logs", "all" or "off").

    `commit` is called with the notes a batch found changed; it also commits
    what waited: edits whose settling time is over ("all") and notes deferred
    while git was busy.
    """

    def __init__(
        self,
        vault: Vault,
        committer: Committer,
        policy: str,
        settle: float,
        mass_settle: float = 300.0,
    ) -> None:
        self.vault = vault
        self.committer = committer
        self.policy = policy
        self.settle = settle
        self.mass_settle = mass_settle
        self._gone_since: dict[str, float] = {}  # a mass deletion: since when each note is gone
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

    def commit(
        self,
        rels: Iterable[str],
        today: date,
        now: float,
        *,
        stopped: Callable[[], bool] | None = None,
        progress: Progress | None = None,
    ) -> Outcome:
        """Touches among `rels` (and the deferred notes) now; with autocommit = "all",
        other edits once they have settled. Many notes at once go into a few commits
        (`progress` is told after each; `stopped()` ends the burst early).

        Deletions ("all") are never committed while the contacts folder itself is
        missing (a sync tool or a restore replacing it), and a mass deletion only once
        its notes have stayed deleted for `mass_settle` seconds more, as one commit."""
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
            outcome.merge(self._commit(sorted(dirty), today, "logs", now, stopped, progress))
            if policy == "all":
                for rel in dirty:
                    self._settling[rel] = now + self.settle
        due = [rel for rel, when in self._settling.items() if when <= now]
        if due and not (stopped is not None and stopped()):
            dirty = notes_unlike_head(self.vault, due, self.committer)
            for rel in due:
                del self._settling[rel]
            # Notes still there first: a renamed note takes its old path into its commit.
            present = [rel for rel in sorted(dirty) if self.vault.path_of(rel).exists()]
            outcome.merge(self._commit(present, today, "all", now, stopped, progress))
            gone = sorted(dirty - set(present))
            if gone and present:
                gone = sorted(notes_unlike_head(self.vault, gone, self.committer))
            outcome.merge(self._deletions(gone, today, now))
        return outcome

    def _commit(
        self,
        rels: list[str],
        today: date,
        policy: str,
        now: float,
        stopped: Callable[[], bool] | None,
        progress: Progress | None,
        *,
        together: bool = False,
    ) -> Outcome:
        """Commit these notes' changes: one commit each, or a few for many (or `together`)."""
        if not together and len(rels) <= BURST_NOTES:
            outcome = Outcome()
            for rel in rels:
                outcome.merge(self._commit_one(today, rel, policy, now))
            return outcome
        try:
            return commit_many(
                self.vault, today, rels, policy, self.committer, progress=progress, stopped=stopped
            )
        except GitError as exc:  # e.g. another git held index.lock: try them again later
            self._deferred |= set(rels)
            self._retry_at = now + GIT_RETRY_SECONDS
            return Outcome(notices=[f"{len(rels)} notes not committed yet: {exc.message}"])

    def _deletions(self, gone: list[str], today: date, now: float) -> Outcome:
        """Commit the settled deletions of `gone` ("all"), unless the contacts folder is
        missing, or unless they are a mass deletion that has not yet lasted `mass_settle`
        seconds: then they wait (and a notice says why)."""
        self._gone_since = {rel: t for rel, t in self._gone_since.items() if rel in gone}
        if not gone:
            return Outcome()
        folder = self.vault.settings.contacts
        if not self.vault.contacts_dir.is_dir():
            for rel in gone:  # looked at again later; the clock starts when the folder is back
                self._gone_since[rel] = now
                self._settling[rel] = now + self.settle
            return Outcome(
                notices=[
                    f"the folder {folder}/ is missing: no deletion is committed while it is gone"
                ]
            )
        total = len(gone) + sum(1 for _, stat, _ in note_files(self.vault) if stat is not None)
        mass = len(gone) > MASS_DELETE_COUNT or (
            len(gone) > 1 and len(gone) > total * MASS_DELETE_SHARE
        )
        if not mass:
            return self._commit(gone, today, "all", now, None, None)
        since = {rel: self._gone_since.setdefault(rel, now) for rel in gone}
        if all(now - t >= self.mass_settle for t in since.values()):
            self._gone_since = {}
            return self._commit(gone, today, "all", now, None, None, together=True)
        for rel, t in since.items():
            self._settling[rel] = t + self.mass_settle
        return Outcome(
            notices=[
                f"{len(gone)} of {total} notes in {folder}/ were deleted: committed as one "
                f"commit only if they stay deleted for {self.mass_settle:g} s"
            ]
        )

    def _commit_one(self, today: date, rel: str, policy: str, now: float) -> Outcome:
        try:
            put_back = Outcome()
            with vault_lock(self.vault.root):
                fixed = self._written.put_back(self.vault, rel)
                if fixed:
                    put_back.note_written(self.vault, rel)
                    put_back.done.append(fixed)
            outcome = commit_note_changes(self.vault, today, rel, policy, self.committer)
            if rel in outcome.moved_to:  # it moved last_contacted: remember to what
                self._written.remember(rel, outcome.moved_to[rel])
            return put_back.merge(outcome)
        except GitError as exc:  # e.g. another git held index.lock: try this note again later
            self._deferred.add(rel)
            self._retry_at = now + GIT_RETRY_SECONDS
            return Outcome(notices=[f"{rel}: not committed yet: {exc.message}"])
        except VtbError as exc:  # this note only: e.g. an edit that would break it
            hint = f" ({exc.hint})" if exc.hint else ""
            return Outcome(notices=[f"{rel}: not committed: {exc.message}{hint}"])
        except OSError as exc:
            return Outcome(notices=[f"{rel}: not committed: {exc.strerror or exc}"])
