"""`vtb watch`: keep the index note current and commit touches as notes are saved.

A front end. watchdog's observer thread only records "this path may have
changed" (`Watcher.notice`); the main loop (`Watcher.run`) waits until the
paths have been quiet for a moment (`quiet`, at most `max_wait` after the
first event), then runs one batch (`Watcher.handle`): it looks at the files
themselves, commits what the user logged (`autocommit.commit_note_changes`),
logs ticked boxes (`actions.refresh`) and rebuilds the index note once.

Events are only hints: an editor may save in place, by rename-over, by
delete + create, or (vim) by renaming the note to a backup first; the batch
reads whatever is on disk after the dust settles. A burst of paths, a moved
HEAD, lost events (inotify overflow) or the periodic safety net → one full
rescan: a `stat` of every note, reading only those whose stat changed. What
vtb itself wrote is remembered by content hash, so its own writes and
commits never start another round.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import os
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from vault_touchbase.actions.autocommit import commit_note_changes, notes_unlike_head
from vault_touchbase.actions.committing import Committer, Outcome
from vault_touchbase.actions.index_note import rebuild_index
from vault_touchbase.actions.ticks import harvest_ticks
from vault_touchbase.core.errors import GitError, VtbError
from vault_touchbase.core.model import Contact, LoadResult, Problem
from vault_touchbase.core.settings import CONFIG_NAME
from vault_touchbase.index.render import is_generated
from vault_touchbase.index.ticks import read_ticks
from vault_touchbase.vault.folder import Vault, open_vault
from vault_touchbase.vault.listing import note_files, read_note
from vault_touchbase.vault.load import load_vault
from vault_touchbase.vault.store import is_temp_file, vault_lock

if TYPE_CHECKING:
    from watchdog.events import FileSystemEvent
    from watchdog.observers.api import BaseObserver

RESCAN = "\x00rescan"
"""A pseudo-path: look at every note (a burst, lost events, a folder moved)."""

OVERFLOW_LOGGER = "watchdog.observers.inotify_c"
# Files in the git folder whose change means someone else moved HEAD or is mid-operation.
GIT_SIGNALS = frozenset(
    {"HEAD", "ORIG_HEAD", "FETCH_HEAD", "MERGE_HEAD", "CHERRY_PICK_HEAD", "REVERT_HEAD"}
    | {"rebase-merge", "rebase-apply"}
)
# Git at work (its index being written): only delays the batch.
GIT_ACTIVITY = frozenset({"index", "index.lock"})
STALE_LOCK_SECONDS = 30.0
BULK_CHECK = 8  # more candidate notes than this: one `git status` instead of a look at each
MAX_SLEEP = 0.5
MIN_SLEEP = 0.05
GIT_RETRY_SECONDS = 5.0

Say = Callable[[str, str], None]
"""(level, text). Levels: "done" (vtb did something), "info", "detail" (only with -v),
"problem" (a note vtb cannot read), "error" (a batch failed; the watcher goes on)."""

Seen = tuple[tuple[int, int, int], bytes | None]  # (mtime_ns, size, inode), content hash
Parsed = tuple[Contact | None, tuple[Problem, ...]]


@dataclass(frozen=True)
class WatchOptions:
    """How the watcher paces itself. Times are in seconds."""

    quiet: float = 0.3  # no event for this long → run the batch
    max_wait: float = 2.0  # ... but no later than this after its first event
    settle: float = 30.0  # autocommit = "all": an edit rests this long before `edit:` commit
    burst: int = 50  # more changed paths than this in one batch → one full rescan
    rescan_every: float = 300.0  # the safety net: a full rescan this often
    autocommit: str | None = None  # None: `autocommit` from vtb.toml
    poll: bool = False  # poll the folders instead of inotify
    poll_interval: float = 1.0


@dataclass
class WatchStats:
    """Counters, for `-v` and for tests."""

    batches: int = 0
    rescans: int = 0
    rebuilds: int = 0
    index_writes: int = 0
    commits: int = 0
    errors: int = 0


@dataclass
class _Batch:
    notes: set[str] = field(default_factory=set)  # vault-relative contact notes
    index: bool = False
    settings: bool = False
    git_moved: bool = False
    rescan: bool = False


def make_observer(poll: bool, interval: float) -> BaseObserver:
    """A new, unstarted watchdog observer: inotify (or the platform's), or polling."""
    if poll:
        from watchdog.observers.polling import PollingObserver

        return PollingObserver(timeout=interval)
    from watchdog.observers import Observer

    return Observer()


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def _same(old: Seen | None, new: Seen | None) -> bool:
    if old is None or new is None:
        return old is new
    if old[1] is not None and new[1] is not None:
        return old[1] == new[1]
    return old[0] == new[0]


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
        self.mode = "not started"
        self._mono = monotonic
        self._committer = Committer(vault)
        self._guard = threading.Lock()  # pending paths and event times (observer thread)
        self._pending: set[str] = set()
        self._first_event: float | None = None
        self._last_event = 0.0
        self._wake = threading.Event()
        self._lost_events = False
        self._seen: dict[str, Seen] = {}
        # Every note parsed, kept in memory: a batch re-reads only what changed.
        self._notes: dict[str, Parsed] = {}
        self._troubles: dict[str, Problem] = {}  # folders and links that cannot be read
        self._loaded = False  # False: the next batch loads every note (with the parse cache)
        self._index_digest: bytes | None = None
        self._today: date | None = None
        self._settling: dict[str, float] = {}  # note → when to commit its edit ("all")
        self._deferred: set[str] = set()  # notes to look at again once a rebase/merge ends
        self._index_stale = False  # ticks or a rebuild put off during a rebase/merge
        self._reported: set[Problem] = set()
        self._notices: set[str] = set()
        self._next_rescan = 0.0
        self._retry_at: float | None = None  # after a failed batch
        self._commit_retry: float | None = None  # after git refused a commit (index.lock held)
        self._backoff = 1.0
        self._lock_warned = False
        self._observer: BaseObserver | None = None
        self._hook: logging.Handler | None = None

    @property
    def policy(self) -> str:
        return self.options.autocommit or self.vault.settings.autocommit

    @property
    def committing(self) -> bool:
        """True when the vault is in git (so touches can be committed)."""
        return self._committer.repo is not None

    # -- events (observer thread) ----------------------------------------------------------

    def notice(self, path: str) -> None:
        """`path` may have changed. Thread-safe; called for every event that passed the filter."""
        now = self._mono()
        note = path != RESCAN and path.endswith(".md") and self._in_contacts(path)
        with self._guard:
            if note and len(self._pending) >= self.options.burst:
                self._pending.add(RESCAN)  # so many notes: a rescan looks at all of them anyway
            else:
                self._pending.add(path)
            if self._first_event is None:
                self._first_event = now
            self._last_event = now
        self._wake.set()

    def on_event(self, event: FileSystemEvent) -> None:
        """A watchdog event: note each of its paths that vtb cares about."""
        paths = [event.src_path, getattr(event, "dest_path", "") or ""]
        for raw in paths:
            path = os.fsdecode(raw)
            if not path:
                continue
            if event.is_directory and self._in_contacts(path):
                self.notice(RESCAN)  # a folder of notes came, went or moved
            elif self.wanted(path):
                self.notice(path)

    def lost_events(self) -> None:
        """The kernel dropped events (inotify queue overflow): rescan everything."""
        self._lost_events = True
        self.notice(RESCAN)

    def wake(self) -> None:
        """Make `run` look at the time now (tests, stop requests from other threads)."""
        self._wake.set()

    def wanted(self, path: str) -> bool:
        """Could a change of `path` matter? A cheap test on the name only."""
        git_dir = self._git_dir()
        if git_dir and os.path.dirname(path) == git_dir:
            name = os.path.basename(path)
            return name in GIT_SIGNALS or name in GIT_ACTIVITY
        rel = self._rel(path)
        if rel is None:
            return False
        if rel in (CONFIG_NAME, self.vault.settings.index):
            return True
        name = rel.rsplit("/", 1)[-1]
        return (
            name.endswith(".md")
            and self._in_contacts(path)
            and not any(part.startswith(".") for part in rel.split("/"))
            and not is_temp_file(name)
        )

    def _rel(self, path: str) -> str | None:
        root = str(self.vault.root)
        if not path.startswith(root + os.sep):
            return None
        return path[len(root) + 1 :].replace(os.sep, "/")

    def _in_contacts(self, path: str) -> bool:
        rel = self._rel(path)
        if rel is None:
            return False
        contacts = self.vault.settings.contacts
        inside = contacts == "." or rel == contacts or rel.startswith(contacts + "/")
        return inside and not any(part.startswith(".") for part in rel.split("/"))

    def _git_dir(self) -> str | None:
        repo = self._committer.repo
        return str(repo.git_dir) if repo is not None else None

    # -- starting and stopping ---------------------------------------------------------------

    def start(self) -> Outcome:
        """Start watching, then catch up once: ticks in the index, touches logged while
        vtb was not watching, and the index note itself."""
        self._start_observer()
        return self.handle([RESCAN], self._mono())

    def once(self) -> Outcome:
        """Catch up without watching: ticks, touches and (autocommit = "all") edits, the index."""
        outcome = self.handle([RESCAN], self._mono())
        if self._settling:
            self._settling = dict.fromkeys(self._settling, 0.0)
            outcome.merge(self.handle([], self._mono()))
        return outcome

    def close(self) -> None:
        """Stop the observer and unhook the overflow logger."""
        if self._observer is not None:
            with contextlib.suppress(Exception):
                self._observer.stop()
                self._observer.join(timeout=5)
            self._observer = None
        if self._hook is not None:
            logging.getLogger(OVERFLOW_LOGGER).removeHandler(self._hook)
            self._hook = None

    def _watch_points(self) -> list[tuple[str, bool]]:
        """(folder, recursive): the contacts tree, the vault's top, the index's folder and
        the git folder (not its contents' subfolders)."""
        root = self.vault.root
        contacts = self.vault.contacts_dir
        points = {str(contacts): True}
        if contacts != root:
            points.setdefault(str(root), False)
            index_dir = self.vault.index_path.parent
            if not str(index_dir).startswith(str(contacts) + os.sep):
                points.setdefault(str(index_dir), False)
            git_dir = self._git_dir()
            if git_dir and os.path.isdir(git_dir):
                points.setdefault(git_dir, False)
        return sorted(points.items())

    def _start_observer(self) -> None:
        self.close()
        if self.options.poll:
            self._observer = self._new_observer(poll=True)
            self._observer.start()
            self.mode = f"polling every {self.options.poll_interval:g} s"
        else:
            observer = self._new_observer(poll=False)
            try:
                observer.start()
                self._observer, self.mode = observer, "inotify"
            except OSError as exc:
                if exc.errno not in (errno.ENOSPC, errno.EMFILE):
                    raise
                with contextlib.suppress(Exception):
                    observer.stop()
                self._observer = self._new_observer(poll=True)
                self._observer.start()
                self.mode = f"polling every {self.options.poll_interval:g} s"
                self.say("info", _limit_message(exc, self.options.poll_interval))
        self._hook = _OverflowHook(self)
        logging.getLogger(OVERFLOW_LOGGER).addHandler(self._hook)

    def _new_observer(self, poll: bool) -> BaseObserver:
        from watchdog.events import (
            DirCreatedEvent,
            DirDeletedEvent,
            DirMovedEvent,
            FileClosedEvent,
            FileCreatedEvent,
            FileDeletedEvent,
            FileModifiedEvent,
            FileMovedEvent,
        )

        observer = make_observer(poll, self.options.poll_interval)
        kinds: list[type[FileSystemEvent]] = [
            FileCreatedEvent,
            FileDeletedEvent,
            FileMovedEvent,
            FileClosedEvent,  # closed after writing: an in-place save is complete
            DirCreatedEvent,
            DirDeletedEvent,
            DirMovedEvent,
        ]
        if poll or type(observer).__name__ != "InotifyObserver":
            kinds.append(FileModifiedEvent)  # only inotify reports "closed after writing"
        handler = _event_handler(self)
        for folder, recursive in self._watch_points():
            observer.schedule(handler, folder, recursive=recursive, event_filter=kinds)
        return observer

    # -- the loop ------------------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Run batches until `stop` is set. A batch under way is finished first."""
        ran = True
        while not stop.is_set():
            # A step that could not run (git busy) must not spin: at most 20 polls a second.
            self._wake.wait(max(self._sleep(self._mono()), 0.0 if ran else MIN_SLEEP))
            self._wake.clear()
            if stop.is_set():
                break
            ran = self.step()

    def step(self) -> bool:
        """Run a batch if one is due now. True when one ran."""
        now = self._mono()
        with self._guard:
            pending = bool(self._pending)
            first = self._first_event if self._first_event is not None else now
            ready = pending and (
                now - self._last_event >= self.options.quiet or now - first >= self.options.max_wait
            )
        if not (ready or self._timer_due(now)):
            return False
        if self._git_writing(now):
            with self._guard:  # wait for git, then for a quiet moment after it
                self._first_event = self._last_event = now
                if not self._pending:  # a timer was due: run it as a rescan after git is done
                    self._pending.add(RESCAN)
            return False
        with self._guard:
            paths, self._pending, self._first_event = self._pending, set(), None
        try:
            self.handle(paths, now)
            self._retry_at, self._backoff = None, 1.0
        except Exception as exc:  # one failed batch never stops the watcher
            self._failed(exc, now)
        return True

    def _sleep(self, now: float) -> float:
        moments = [now + MAX_SLEEP, self._next_rescan]
        with self._guard:
            if self._pending and self._first_event is not None:
                moments.append(
                    min(
                        self._last_event + self.options.quiet,
                        self._first_event + self.options.max_wait,
                    )
                )
        moments += self._settling.values()
        if self._retry_at is not None:
            moments.append(self._retry_at)
        if self._deferred and self._commit_retry is not None:
            moments.append(self._commit_retry)
        return max(0.0, min(moments) - now)

    def _timer_due(self, now: float) -> bool:
        retry_commit = self._commit_retry if self._deferred else None
        return (
            now >= self._next_rescan
            or any(t <= now for t in self._settling.values())
            or any(t is not None and now >= t for t in (self._retry_at, retry_commit))
            or self.clock() != self._today
        )

    def _git_writing(self, now: float) -> bool:
        """True while `.git/index.lock` exists (a checkout, pull or commit is writing).
        A lock older than STALE_LOCK_SECONDS is left by a crashed git: said once, not waited for."""
        git_dir = self._git_dir()
        if not git_dir:
            return False
        lock = os.path.join(git_dir, "index.lock")
        try:
            age = time.time() - os.stat(lock).st_mtime
        except OSError:
            self._lock_warned = False
            return False
        if age < STALE_LOCK_SECONDS:
            return True
        if not self._lock_warned:
            self._lock_warned = True
            self.say(
                "info",
                f"{lock} has existed for {age:.0f} s; if no git command is running, "
                "a crashed one left it: delete it so vtb can commit again",
            )
        return False

    def _failed(self, exc: Exception, now: float) -> None:
        self.stats.errors += 1
        if isinstance(exc, VtbError):
            self.say("error", exc.message + (f" ({exc.hint})" if exc.hint else ""))
        else:
            self.say("error", f"unexpected error: {type(exc).__name__}: {exc}")
            self.say("detail", traceback.format_exc().rstrip())
        # What the batch saw is not marked as handled: a rescan after a pause finds it again.
        self._retry_at = now + self._backoff
        self.say("detail", f"trying again in {self._backoff:g} s")
        self._backoff = min(self._backoff * 2, max(self.options.rescan_every, 1.0))
        self.notice(RESCAN)
        with self._guard:
            self._first_event = self._retry_at  # not before the pause is over
            self._last_event = self._retry_at

    # -- one batch ------------------------------------------------------------------------------

    def handle(self, paths: Iterable[str], now: float) -> Outcome:
        """One batch: look at the paths that may have changed (or every note), commit what
        the user logged, harvest ticks and rebuild the index note once."""
        today = self.clock()
        batch = self._classify(paths)
        if batch.settings:
            self._reload_settings()
        if now >= self._next_rescan or self._retry_at is not None:
            batch.rescan = True
        full = batch.rescan or batch.git_moved or batch.settings
        full = full or len(batch.notes) > self.options.burst
        changed = self._scan() if full else self._look(batch.notes)
        self.stats.batches += 1
        if full:
            self.stats.rescans += 1
            self._next_rescan = now + self.options.rescan_every
            if self._lost_events:
                self._lost_events = False
                self.say(
                    "info",
                    "events were lost (the inotify queue overflowed): rescanned every note; "
                    "raise fs.inotify.max_queued_events if this happens often",
                )
        touched = {rel for rel, state in changed.items() if not _same(self._seen.get(rel), state)}
        self.say(
            "detail",
            f"batch: {len(touched)} changed" + (" (full rescan)" if full else ""),
        )
        busy = self._busy()
        outcome = Outcome()
        if busy:  # look again in a moment (and when git's events say the operation ended)
            self._deferred |= touched
            self._settling = {rel: max(t, now + MAX_SLEEP) for rel, t in self._settling.items()}
            self._commit_retry = now + MAX_SLEEP if self._deferred else None
        else:
            todo, self._deferred, self._commit_retry = touched | self._deferred, set(), None
            outcome.merge(self._commit(todo, today, now))
        if self._loaded:
            gone = {rel for rel, state in changed.items() if state is None}
            self._reparse((set(changed) | set(outcome.changed)) - gone, gone)
        else:
            self._load_all()
        ticked = (batch.index or full or self._index_stale) and self._index_ticked()
        reason = self._reason(today, touched, batch, ticked, outcome)
        said = self._refresh(today, reason, outcome, harvest=ticked, busy=busy) if reason else ""
        self._record(changed, outcome)
        self._today = today
        self._report(outcome)
        if said:
            self.say("done", said)
        return outcome

    def _classify(self, paths: Iterable[str]) -> _Batch:
        batch = _Batch()
        git_dir = self._git_dir()
        for path in paths:
            if path == RESCAN:
                batch.rescan = True
                continue
            if git_dir and os.path.dirname(path) == git_dir:
                batch.git_moved |= os.path.basename(path) in GIT_SIGNALS
                continue
            rel = self._rel(path)
            if rel == CONFIG_NAME:
                batch.settings = True
            elif rel == self.vault.settings.index:
                batch.index = True
            elif rel is not None and self.wanted(path):
                batch.notes.add(rel)
        return batch

    def _state(self, rel: str) -> Seen | None:
        """A note's stat and content hash now, or None when it is gone."""
        try:
            with open(self.vault.path_of(rel), "rb") as handle:
                info = os.fstat(handle.fileno())
                data = handle.read()
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError:  # unreadable (permissions...): changed, and the load reports it
            return (-1, -1, -1), None
        return (info.st_mtime_ns, info.st_size, info.st_ino), _digest(data)

    def _look(self, rels: Iterable[str]) -> dict[str, Seen | None]:
        """The notes among `rels` whose content differs from what the watcher last saw."""
        out: dict[str, Seen | None] = {}
        for rel in rels:
            state = self._state(rel)
            if not _same(self._seen.get(rel), state):
                out[rel] = state
        return out

    def _scan(self) -> dict[str, Seen | None]:
        """Every note whose stat changed (read to compare contents), and every note gone."""
        out: dict[str, Seen | None] = {}
        present = set()
        troubles = {}
        for rel, stat, trouble in note_files(self.vault):
            if trouble or stat is None:  # as `load_vault` reports them
                troubles[rel] = Problem(rel, 1, "error", trouble or "cannot read")
                continue
            present.add(rel)
            old = self._seen.get(rel)
            if old is not None and old[0] == (stat.st_mtime_ns, stat.st_size, stat.st_ino):
                continue
            out[rel] = self._state(rel)  # a new stat: same content only refreshes the stat
        for rel in set(self._seen) - present:
            out[rel] = None
        self._troubles = troubles
        return out

    def _load_all(self) -> None:
        """Every note, through `load_vault` and its parse cache (at start, new settings)."""
        loaded = load_vault(self.vault)
        contacts = {c.path: c for c in loaded.contacts}
        problems: dict[str, list[Problem]] = {}
        for problem in loaded.problems:
            problems.setdefault(problem.path, []).append(problem)
        self._notes = {
            rel: (contacts.get(rel), tuple(problems.get(rel, ())))
            for rel in {*contacts, *problems}
            if rel not in self._troubles
        }
        self._loaded = True

    def _reparse(self, rels: Iterable[str], gone: Iterable[str] = ()) -> None:
        """Read these notes again and forget the `gone` ones, as `load_vault` would."""
        for rel in gone:
            self._notes.pop(rel, None)
        for rel in rels:
            path = self.vault.path_of(rel)
            if path.is_symlink():  # a link may lead out of the vault: load_vault decides
                self._loaded = False
                continue
            try:
                size = path.stat().st_size
            except OSError:
                self._notes.pop(rel, None)
                continue
            contact, problems = read_note(self.vault, rel, size)
            self._notes[rel] = (contact, tuple(problems))
        if not self._loaded:
            self._load_all()

    def loaded(self) -> LoadResult:
        """The notes as the watcher holds them: what `load_vault` would return now."""
        contacts = sorted((c for c, _ in self._notes.values() if c), key=lambda c: c.path)
        problems = [p for _, found in self._notes.values() for p in found]
        return LoadResult(tuple(contacts), tuple(sorted([*problems, *self._troubles.values()])))

    def _record(self, changed: dict[str, Seen | None], outcome: Outcome) -> None:
        """Remember what the batch saw, and what vtb itself wrote (so it is not seen again)."""
        for rel, state in changed.items():
            if state is None:
                self._seen.pop(rel, None)
            else:
                self._seen[rel] = state
        for rel in outcome.changed:
            if rel == self.vault.settings.index:
                continue
            state = self._state(rel)
            if state is None:
                self._seen.pop(rel, None)
            else:
                self._seen[rel] = state

    def _busy(self) -> str | None:
        repo = self._committer.repo
        return repo.in_progress() if repo is not None else None

    # -- commits ---------------------------------------------------------------------------------

    def _commit(self, rels: set[str], today: date, now: float) -> Outcome:
        """Touches now; with autocommit = "all", other edits once they have settled."""
        outcome = Outcome()
        policy = self.policy
        if self._committer.repo is None or policy == "off":
            return outcome
        if rels:
            # A few notes are compared with HEAD one by one; many at once with one `git status`.
            dirty = (
                rels
                if len(rels) <= BULK_CHECK
                else notes_unlike_head(self.vault, rels, self._committer)
            )
            for rel in sorted(dirty):
                outcome.merge(self._commit_one(today, rel, "logs", now))
                if policy == "all":
                    self._settling[rel] = now + self.options.settle
        # Notes still there first: a renamed note takes its old path into its commit.
        due = sorted(
            (rel for rel, when in self._settling.items() if when <= now),
            key=lambda rel: (not self.vault.path_of(rel).exists(), rel),
        )
        if due:
            dirty = notes_unlike_head(self.vault, due, self._committer)
            for rel in due:
                del self._settling[rel]
                if rel in dirty:
                    outcome.merge(self._commit_one(today, rel, "all", now))
        return outcome

    def _commit_one(self, today: date, rel: str, policy: str, now: float) -> Outcome:
        try:
            done = commit_note_changes(self.vault, today, rel, policy, self._committer)
        except GitError as exc:  # e.g. another git held index.lock: try this note again later
            self._deferred.add(rel)
            self._commit_retry = now + GIT_RETRY_SECONDS
            done = Outcome(notices=[f"{rel}: not committed yet: {exc.message}"])
        except VtbError as exc:  # this note only: e.g. an edit that would break it
            hint = f" ({exc.hint})" if exc.hint else ""
            done = Outcome(notices=[f"{rel}: not committed: {exc.message}{hint}"])
        except OSError as exc:
            done = Outcome(notices=[f"{rel}: not committed: {exc.strerror or exc}"])
        self.stats.commits += len(done.commits)
        return done

    # -- the index note ---------------------------------------------------------------------------

    def _index_bytes(self) -> bytes | None:
        try:
            return self.vault.index_path.read_bytes()
        except OSError:
            return None

    def _index_changed(self) -> bool:
        data = self._index_bytes()
        return (None if data is None else _digest(data)) != self._index_digest

    def _index_ticked(self) -> bool:
        """True when the index note (made by vtb) has a ticked box: a touch to log."""
        data = self._index_bytes()
        if data is None:
            return False
        text = data.decode("utf-8", "replace")
        return is_generated(text) and bool(read_ticks(text))

    def _reason(
        self, today: date, touched: set[str], batch: _Batch, ticked: bool, outcome: Outcome
    ) -> str:
        """Why the index must be rebuilt, or "" when it need not be."""
        if self._today is None:
            return f"{len(touched)} notes read"
        if touched:
            return f"{len(touched)} note{'s' if len(touched) != 1 else ''} changed"
        if ticked:
            return "ticked boxes"
        if outcome.changed:
            return "notes updated"
        if today != self._today:
            return f"new day {today}"
        if batch.settings:
            return "settings changed"
        if batch.index and self._index_changed():
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
            if harvest:  # what `actions.refresh` does, with the notes held in memory
                ticks, extra = harvest_ticks(self.vault, today, self._committer)
                outcome.merge(ticks)
                self.stats.commits += len(ticks.commits)
                self._reparse(ticks.changed)
            result = rebuild_index(
                self.vault, today, self._committer, extra=extra, loaded=self.loaded()
            )
            data = self._index_bytes()
            self._index_digest = None if data is None else _digest(data)
        self._index_stale = False
        self.stats.rebuilds += 1
        self.stats.index_writes += int(result.written)
        self.stats.commits += len(result.outcome.commits)
        outcome.merge(result.outcome)
        self._problems(result.problems)
        due = len(result.snap.items)
        if result.written:
            return f"refreshed: {reason}, {due} due"
        self.say("detail", f"index unchanged ({reason}, {due} due)")
        return ""

    # -- saying what happened ---------------------------------------------------------------------

    def _problems(self, problems: Iterable[Problem]) -> None:
        """Each problem once, while it lasts (a note fixed and broken again is said again)."""
        current = set(problems)
        for problem in sorted(current - self._reported):
            self.say("problem", str(problem))
        still = {p.path for p in current}
        for path in sorted({p.path for p in self._reported} - still):
            self.say("info", f"{path}: no problem any more")
        self._reported = current

    def _report(self, outcome: Outcome) -> None:
        for line in outcome.done:
            self.say("done", line)
        for notice in outcome.notices:
            if notice not in self._notices:
                self._notices.add(notice)
                self.say("info", notice)
        new = set(outcome.problems) - self._reported
        for problem in sorted(new):
            self.say("problem", str(problem))
        self._reported |= new

    def _reload_settings(self) -> None:
        """vtb.toml changed: read it again (a bad one is reported and the old settings kept)."""
        try:
            vault = open_vault(self.vault.root)
        except VtbError as exc:
            self.say("error", f"{exc.message}; still using the previous settings")
            return
        old_points = self._watch_points()
        self.vault = vault
        self._committer = Committer(vault)
        self._loaded = False  # notes are read through the settings: read them all again
        self.say("info", f"{CONFIG_NAME} changed: settings read again")
        if self._observer is not None and self._watch_points() != old_points:
            self._start_observer()


class _OverflowHook(logging.Handler):
    """watchdog only logs an inotify queue overflow; this turns the log line into a rescan."""

    def __init__(self, watcher: Watcher) -> None:
        super().__init__(logging.WARNING)
        self.watcher = watcher

    def emit(self, record: logging.LogRecord) -> None:
        if "overflow" in record.getMessage().lower():
            self.watcher.lost_events()


def _event_handler(watcher: Watcher) -> Any:
    from watchdog.events import FileSystemEventHandler

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event: FileSystemEvent) -> None:
            watcher.on_event(event)

    return Handler()


def _limit_message(exc: OSError, interval: float) -> str:
    sysctl = "fs.inotify.max_user_watches"
    if exc.errno == errno.EMFILE:
        sysctl = "fs.inotify.max_user_instances"
    return (
        f"cannot watch with inotify ({exc.strerror or exc}); polling every {interval:g} s "
        f"instead. Raise the limit to watch again: `sudo sysctl {sysctl}=524288` "
        f"(and `{sysctl}=524288` in /etc/sysctl.d/ to keep it)"
    )


def systemd_unit(python: str, vault: str, extra_args: Iterable[str] = ()) -> str:
    """A systemd user unit that runs `vtb watch` on `vault` with this Python."""
    args = [python, "-m", "vault_touchbase", "--vault", vault, "watch", *extra_args]
    command = " ".join(_systemd_quote(arg) for arg in args)
    return f"""\
# vtb watch as a systemd user service. Save as
#   ~/.config/systemd/user/vtb-watch.service
# then run
#   systemctl --user daemon-reload && systemctl --user enable --now vtb-watch
# and read what it did with `journalctl --user -u vtb-watch`.
[Unit]
Description=vault-touchbase: keep {_systemd_quote(vault)[1:-1]} current (vtb watch)

[Service]
Type=simple
ExecStart={command}
Environment=PYTHONUNBUFFERED=1
Restart=on-failure
RestartSec=10

[Install]
WantedBy=default.target
"""


def _systemd_quote(text: str) -> str:
    """One argument of ExecStart: double-quoted, with `\\`, `"` and systemd's `%` escaped."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%") + '"'
