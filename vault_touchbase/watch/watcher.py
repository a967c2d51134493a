"""The watcher: one vault watched, its events gathered into batches, and each batch handled.

A front end. watchdog's observer thread only records "this path may have
changed" (`Watcher.notice`); the main loop (`Watcher.run`) waits until the
paths have been quiet for a moment (`quiet`, at most `max_wait` after the
first event), then runs one batch (`Watcher.handle`): it looks at the files
themselves, commits what the user logged (`watch.commits`), logs ticked boxes
and rebuilds the index note once.

Events are only hints: an editor may save in place, by rename-over, by
delete + create, or (vim) by renaming the note to a backup first; the batch
reads whatever is on disk after the dust settles. A burst of paths, a moved
HEAD, lost events (inotify overflow) or the periodic safety net → one full
rescan: a `stat` of every note, reading only those whose stamp changed
(`watch.reconcile`). The stamps of what vtb itself wrote are recorded as it
writes, so its own writes and commits never start another round.
"""

from __future__ import annotations

import os
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from datetime import date
from typing import TYPE_CHECKING

from vault_touchbase.actions.committing import Committer, Outcome
from vault_touchbase.actions.index_note import rebuild_index
from vault_touchbase.actions.ticks import harvest_ticks
from vault_touchbase.core.errors import VtbError
from vault_touchbase.core.model import Problem
from vault_touchbase.core.settings import CONFIG_NAME
from vault_touchbase.core.templates import NOW_PATH
from vault_touchbase.index.ticks import Tick
from vault_touchbase.vault.folder import Vault, open_vault
from vault_touchbase.vault.store import vault_lock
from vault_touchbase.watch.commits import AutoCommitter
from vault_touchbase.watch.index_note import IndexNote
from vault_touchbase.watch.observer import Observation, watch_points
from vault_touchbase.watch.options import Say, WatchOptions, WatchStats
from vault_touchbase.watch.pacing import GitIndexLock, Pending
from vault_touchbase.watch.paths import RESCAN, Batch, WatchedPaths
from vault_touchbase.watch.reconcile import HeldNotes
from vault_touchbase.watch.reporting import Reporter

if TYPE_CHECKING:
    from watchdog.events import FileSystemEvent

MAX_SLEEP = 0.5
MIN_SLEEP = 0.05


class Watcher:
    """Watches one vault. `start()`, then `run(stop)` until `stop` is set; `close()` at the end.

    `handle(paths, now)` is one batch and can be called directly (tests do);
    `clock` gives today's date, read once per batch.
    """

    def __init__(
        self,
        vault: Vault,
        *,
        clock: Callable[[], date] = date.today,
        say: Say | None = None,
        options: WatchOptions | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.vault = vault
        self.clock = clock
        self.say: Say = say or (lambda level, text: None)
        self.options = options or WatchOptions()
        self.stats = WatchStats()
        self._mono = monotonic
        self._committer = Committer(vault)
        self._paths = WatchedPaths(vault, self._git_dir())
        self._pending = Pending(self.options)
        self._git_lock = GitIndexLock(self.say)
        self._observation = Observation(self.on_event, self.lost_events, self.options, self.say)
        self._notes = HeldNotes(vault)
        self._commits = AutoCommitter(
            vault, self._committer, self.policy, self.options.settle, self.options.mass_settle
        )
        self._index = IndexNote(vault)
        self._reporter = Reporter(self.say)
        self._lost_events = False
        self._today: date | None = None  # the day of the last batch that completed
        self._rebuild_due = False  # a batch failed: the next one rebuilds the index
        self._index_stale = False  # ticks or a rebuild put off during a rebase/merge
        self._waiting: list[Tick] = []  # ticked boxes whose note could not take the touch yet
        self._next_rescan = 0.0
        self._retry_at: float | None = None  # after a failed batch
        self._backoff = 1.0
        self.stop = threading.Event()  # set when stopping (`run`'s): a burst stops early

    @property
    def policy(self) -> str:
        """What to commit: "logs", "all" or "off"."""
        return self.options.autocommit or self.vault.settings.autocommit

    @property
    def committing(self) -> bool:
        """True when the vault is in git (so touches can be committed)."""
        return self._committer.repo is not None

    @property
    def mode(self) -> str:
        """How it watches: "inotify", "polling every N s" or "not started"."""
        return self._observation.mode

    def _git_dir(self) -> str | None:
        repo = self._committer.repo
        return str(repo.git_dir) if repo is not None else None

    # -- events (observer thread) ----------------------------------------------------------

    def notice(self, path: str) -> None:
        """`path` may have changed. Thread-safe; called for every event that passed the filter."""
        self._pending.add(path, self._mono(), note=self._paths.is_note(path))

    def on_event(self, event: FileSystemEvent) -> None:
        """A watchdog event: note each of its paths that vtb cares about."""
        for raw in (event.src_path, getattr(event, "dest_path", "") or ""):
            path = os.fsdecode(raw)
            if not path:
                continue
            if event.is_directory and self._paths.in_contacts(path):
                self.notice(RESCAN)  # a folder of notes came, went or moved
            elif self._paths.wanted(path):
                self.notice(path)

    def lost_events(self) -> None:
        """The kernel dropped events (inotify queue overflow): rescan everything."""
        self._lost_events = True
        self.notice(RESCAN)

    def wake(self) -> None:
        """Make `run` look at the time now (tests, stop requests from other threads)."""
        self._pending.wake()

    # -- starting and stopping ---------------------------------------------------------------

    def start(self) -> Outcome:
        """Start watching, then catch up once: ticks in the index, touches logged while
        vtb was not watching, and the index note itself."""
        self._observation.start(watch_points(self.vault, self._git_dir()))
        return self.handle([RESCAN], self._mono())

    def once(self) -> Outcome:
        """Catch up without watching: ticks, touches and (autocommit = "all") edits, the index."""
        outcome = self.handle([RESCAN], self._mono())
        if self._commits.waiting:
            self._commits.settle_now()
            outcome.merge(self.handle([], self._mono()))
        return outcome

    def close(self) -> None:
        """Stop the observer and unhook the overflow logger."""
        self._observation.close()

    # -- the loop ------------------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Run batches until `stop` is set. A batch under way is finished first; a burst of
        commits under way stops after the commit it is making (the rest is committed at
        the next start)."""
        self.stop = stop
        ran = True
        while not stop.is_set():
            # A step that could not run (git busy) must not spin: at most 20 polls a second.
            self._pending.wait(max(self._sleep(self._mono()), 0.0 if ran else MIN_SLEEP))
            if stop.is_set():
                break
            ran = self.step()

    def step(self) -> bool:
        """Run a batch if one is due now. True when one ran."""
        now = self._mono()
        if not (self._pending.ready(now) or self._timer_due(now)):
            return False
        if self._git_lock.held(self._git_dir()):
            # Wait for git, then for a quiet moment after it; a timer that was due runs
            # as a rescan then.
            self._pending.hold(now, rescan=True)
            return False
        paths = self._pending.take()
        try:
            self.handle(paths, now)
            self._retry_at, self._backoff = None, 1.0
        except Exception as exc:  # one failed batch never stops the watcher
            self._failed(exc, now)
        return True

    def _sleep(self, now: float) -> float:
        moments = [now + MAX_SLEEP, self._next_rescan]
        for moment in (self._pending.due_at(), self._commits.next_moment(), self._retry_at):
            if moment is not None:
                moments.append(moment)
        return max(0.0, min(moments) - now)

    def _timer_due(self, now: float) -> bool:
        return (
            now >= self._next_rescan
            or self._commits.due(now)
            or (self._retry_at is not None and now >= self._retry_at)
            or self.clock() != self._today
        )

    def _failed(self, exc: Exception, now: float) -> None:
        self.stats.errors += 1
        if isinstance(exc, VtbError):
            self.say("error", exc.message + (f" ({exc.hint})" if exc.hint else ""))
        elif isinstance(exc, OSError):  # the disk or the system refused: what and where
            from vault_touchbase.vault.store import cause_of, refused_hint

            where = f"{exc.filename}: " if exc.filename else ""
            hint = refused_hint(exc)
            self.say("error", f"{where}{cause_of(exc)} ({hint}; the watcher tries again)")
        else:
            self.say("error", f"unexpected error: {type(exc).__name__}: {exc}")
            self.say("detail", traceback.format_exc().rstrip())
        # What the batch saw is not marked as handled: a rescan after a pause finds it again.
        # What vtb wrote before the failure is: so every note is read again, and the index
        # rebuilt, whatever the rescan finds.
        self._notes.forget(self.vault)
        self._rebuild_due = True
        self._retry_at = now + self._backoff
        self.say("detail", f"trying again in {self._backoff:g} s")
        self._backoff = min(self._backoff * 2, max(self.options.rescan_every, 1.0))
        self.notice(RESCAN)
        self._pending.hold(self._retry_at)  # not before the pause is over

    # -- one batch ------------------------------------------------------------------------------

    def handle(self, paths: Iterable[str], now: float) -> Outcome:
        """One batch: look at the paths that may have changed (or every note), commit what
        the user logged, harvest ticks and rebuild the index note once."""
        today = self.clock()
        batch = self._paths.classify(paths)
        if batch.settings:
            self._reload_settings()
        if self._rearm() or now >= self._next_rescan or self._retry_at is not None:
            batch.rescan = True
        full = batch.rescan or batch.git_moved or batch.settings
        full = full or len(batch.notes) > self.options.burst
        changed = self._notes.scan() if full else self._notes.look(batch.notes)
        self.stats.batches += 1
        if full:
            self._rescanned(now)
        self.say("detail", f"batch: {len(changed)} changed" + (" (full rescan)" if full else ""))
        busy = self._busy()
        outcome = Outcome()
        ticked = (batch.index or full or self._index_stale) and self._index.ticked()
        burst = len(changed) > self.options.burst
        if burst:  # (another tool's import, a sync, the start): the index first, then commits
            self._notes.reload(changed)
            reason = self._reason(today, len(changed), batch, ticked, outcome)
            said = self._refresh(today, reason, outcome, harvest=ticked, busy=busy)
            if said:
                self.say("done", said)
            ticked = False
        if busy:  # look again in a moment (and when git's events say the operation ended)
            self._commits.hold(changed, now, MAX_SLEEP)
        else:
            outcome.merge(
                self._commits.commit(
                    changed, today, now, stopped=self.stop.is_set, progress=self._progress
                )
            )
            self.stats.commits += len(outcome.commits)
            self._notes.wrote(outcome)
        if self.stop.is_set():  # stopping: what is left waits for the next start
            self._reporter.outcome(outcome)
            return outcome
        if burst:
            self._notes.reload(outcome.changed)
            reason = "notes updated" if outcome.changed else ""
        else:
            self._notes.reload({*changed, *outcome.changed})
            reason = self._reason(today, len(changed), batch, ticked, outcome)
        said = self._refresh(today, reason, outcome, harvest=ticked, busy=busy) if reason else ""
        self._notes.saw({rel: s for rel, s in changed.items() if rel not in outcome.changed})
        self._today, self._rebuild_due = today, False
        self._reporter.outcome(outcome)
        if said:
            self.say("done", said)
        return outcome

    def _rearm(self) -> bool:
        """Watch again the folders that were replaced (moved away and put back, as sync tools
        and restores do: inotify follows the old folder), that came or that went. True when
        it did: the batch then rescans every note, since events in between were missed."""
        points = watch_points(self.vault, self._git_dir())
        changed = self._observation.replaced(points)
        if not changed:
            return False
        try:
            self._observation.start(points)
        except FileNotFoundError:  # a folder went again meanwhile: watch what is there now
            self._observation.start(watch_points(self.vault, self._git_dir()))
        root = str(self.vault.root)
        for folder in changed:
            name = os.path.relpath(folder, root) + "/" if folder != root else f"{root}/"
            if os.path.isdir(folder):
                self.say("info", f"{name} was replaced or came back: watching it again")
            else:
                self.say("info", f"{name} is gone: watching for it to come back")
        return True

    def _progress(self, done: int, total: int) -> None:
        if total > self.options.burst:
            self.say("info", f"committing: {done} of {total} changed notes looked at")

    def _rescanned(self, now: float) -> None:
        self.stats.rescans += 1
        self._next_rescan = now + self.options.rescan_every
        if self._lost_events:
            self._lost_events = False
            self.say(
                "info",
                "events were lost (the inotify queue overflowed): rescanned every note; "
                "raise fs.inotify.max_queued_events if this happens often",
            )

    def _busy(self) -> str | None:
        repo = self._committer.repo
        return repo.in_progress() if repo is not None else None

    # -- the index note ---------------------------------------------------------------------------

    def _reason(self, today: date, count: int, batch: Batch, ticked: bool, outcome: Outcome) -> str:
        """Why the index must be rebuilt (`count` notes changed), or "" when it need not be."""
        if self._today is None:
            return f"{count} notes read"
        if count:
            return f"{count} note{'s' if count != 1 else ''} changed"
        if ticked:
            return "ticked boxes"
        if outcome.changed:
            return "notes updated"
        if today != self._today:
            return f"new day {today}"
        if self._rebuild_due:
            return "after an error"
        if batch.settings:
            return "settings changed"
        if batch.now:
            return f"{NOW_PATH} changed"
        if batch.index and self._index.edited():
            return f"{self.vault.settings.index} was edited"
        return ""

    def _refresh(
        self, today: date, reason: str, outcome: Outcome, *, harvest: bool, busy: str | None
    ) -> str:
        """Log ticks (when `harvest`) and rebuild the index, under the vault lock.
        Returns the line to say when the index was written."""
        if busy and (harvest or self.vault.settings.commit_index):
            self._index_stale = True  # the index is tracked: not written during a rebase/merge
            return ""
        with vault_lock(self.vault.root):
            extra: list[Problem] = []
            if harvest or self._waiting:  # what `actions.refresh` does, notes in memory
                # (ticks that waited for their note are tried again on every rebuild)
                ticks, extra, self._waiting = harvest_ticks(self.vault, today, self._committer)
                outcome.merge(ticks)
                self.stats.commits += len(ticks.commits)
                self._notes.wrote(ticks)
                self._notes.reload(ticks.changed)
            result = rebuild_index(
                self.vault,
                today,
                self._committer,
                extra=extra,
                loaded=self._notes.loaded,
                waiting=self._waiting,  # ticks not logged yet stay ticked till they can be
                chart=True,
            )
            self._index.left()
        self._index_stale = False
        self.stats.rebuilds += 1
        self.stats.index_writes += int(result.written)
        self.stats.commits += len(result.outcome.commits)
        outcome.merge(result.outcome)
        self._reporter.problems(result.problems)
        due = len(result.snap.items)
        if result.written:
            return f"refreshed: {reason}, {due} due"
        self.say("detail", f"index unchanged ({reason}, {due} due)")
        return ""

    def _reload_settings(self) -> None:
        """vtb.toml changed: read it again (a bad one is reported and the old settings kept)."""
        try:
            vault = open_vault(self.vault.root)
        except VtbError as exc:
            self.say("error", f"{exc.message}; still using the previous settings")
            return
        self.vault = vault
        self._committer = Committer(vault)
        self._paths = WatchedPaths(vault, self._git_dir())
        self._notes.forget(vault)  # notes are read through the settings: read them all again
        self._commits.use(vault, self._committer, self.policy)
        self._index.vault = vault
        self.say("info", f"{CONFIG_NAME} changed: settings read again")
        points = watch_points(vault, self._git_dir())
        if self._observation.running and points != self._observation.points:
            self._observation.start(points)
