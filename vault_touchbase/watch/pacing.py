"""When to run a batch: the paths noticed, debounced until quiet, and git's index lock."""

from __future__ import annotations

import os
import threading
import time

from vault_touchbase.watch.options import Say, WatchOptions
from vault_touchbase.watch.paths import RESCAN

STALE_LOCK_SECONDS = 30.0


class Pending:
    """Paths that may have changed, gathered from the observer thread (thread-safe).

    They make one batch once no event came for `quiet` seconds, or `max_wait`
    seconds after the first of them, whichever is sooner.
    """

    def __init__(self, options: WatchOptions) -> None:
        self.options = options
        self._guard = threading.Lock()
        self._paths: set[str] = set()
        self._first: float | None = None  # when the first pending path came
        self._last = 0.0  # when the latest one came
        self._wake = threading.Event()

    def add(self, path: str, now: float, note: bool) -> None:
        """Add one path (`note`: it could be a contact note) and wake the loop."""
        with self._guard:
            if note and len(self._paths) >= self.options.burst:
                self._paths.add(RESCAN)  # so many notes: a rescan looks at all of them anyway
            else:
                self._paths.add(path)
            if self._first is None:
                self._first = now
            self._last = now
        self._wake.set()

    def ready(self, now: float) -> bool:
        """True when paths are pending and quiet enough (or waited long enough) to handle."""
        with self._guard:
            if not self._paths:
                return False
            first = self._first if self._first is not None else now
            return now - self._last >= self.options.quiet or now - first >= self.options.max_wait

    def due_at(self) -> float | None:
        """When the pending paths will be ready, if nothing else comes; None: none pending."""
        with self._guard:
            if not self._paths or self._first is None:
                return None
            return min(self._last + self.options.quiet, self._first + self.options.max_wait)

    def take(self) -> set[str]:
        """The pending paths, which are pending no more."""
        with self._guard:
            paths, self._paths, self._first = self._paths, set(), None
        return paths

    def hold(self, until: float, rescan: bool = False) -> None:
        """Not before `until`, and then only after a quiet moment. `rescan`: when nothing is
        pending, a rescan is (a timer was due while git was busy)."""
        with self._guard:
            if rescan and not self._paths:
                self._paths.add(RESCAN)
            self._first = self._last = until

    def wake(self) -> None:
        """Make `wait` return now."""
        self._wake.set()

    def wait(self, timeout: float) -> None:
        """Sleep until a path comes, `wake` is called or `timeout` seconds have passed."""
        self._wake.wait(timeout)
        self._wake.clear()


class GitIndexLock:
    """Is git writing its index (a checkout, pull or commit under way)?"""

    def __init__(self, say: Say) -> None:
        self.say = say
        self._warned = False

    def held(self, git_dir: str | None) -> bool:
        """True while `index.lock` exists in `git_dir`. A lock older than STALE_LOCK_SECONDS
        was left by a crashed git: said once, not waited for."""
        if not git_dir:
            return False
        lock = os.path.join(git_dir, "index.lock")
        try:
            age = time.time() - os.stat(lock).st_mtime
        except OSError:
            self._warned = False
            return False
        if age < STALE_LOCK_SECONDS:
            return True
        if not self._warned:
            self._warned = True
            self.say(
                "info",
                f"{lock} has existed for {age:.0f} s; if no git command is running, "
                "a crashed one left it: delete it so vtb can commit again",
            )
        return False
