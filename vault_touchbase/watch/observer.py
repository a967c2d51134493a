"""The watchdog observer: which folders, inotify or polling, and the overflow hook.

watchdog is imported only here, and only when watching starts (it costs ~57 ms).
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from vault_touchbase.vault.folder import Vault
from vault_touchbase.watch.options import Say, WatchOptions

if TYPE_CHECKING:
    from watchdog.events import FileSystemEvent
    from watchdog.observers.api import BaseObserver

OVERFLOW_LOGGER = "watchdog.observers.inotify_c"

WatchPoints = list[tuple[str, bool]]

Identity = tuple[int, int] | None
"""A folder's (device, inode), or None when it is not there: a folder put in the place
of another (moved away and copied back) has another."""


def make_observer(poll: bool, interval: float) -> BaseObserver:
    """A new, unstarted watchdog observer: inotify (or the platform's), or polling."""
    if poll:
        from watchdog.observers.polling import PollingObserver

        return PollingObserver(timeout=interval)
    from watchdog.observers import Observer

    return Observer()


def watch_points(vault: Vault, git_dir: str | None) -> WatchPoints:
    """(folder, recursive): the contacts tree, the vault's top, each folder between them
    (so the contacts folder's replacement is an event), the index's folder and the git
    folder (not its contents' subfolders). Only folders that exist: a missing one is
    watched once it comes (`Observation.replaced`)."""
    root = vault.root
    contacts = vault.contacts_dir
    points = {str(contacts): True}
    if contacts != root:
        points.setdefault(str(root), False)
        for parent in contacts.parents:
            if parent == root or root not in parent.parents:
                break
            points.setdefault(str(parent), False)
        index_dir = vault.index_path.parent
        if not str(index_dir).startswith(str(contacts) + os.sep):
            points.setdefault(str(index_dir), False)
        if git_dir:
            points.setdefault(git_dir, False)
    return sorted((folder, deep) for folder, deep in points.items() if os.path.isdir(folder))


def identity(folder: str) -> Identity:
    """The folder's (device, inode) now (following links), or None when it is not there."""
    try:
        info = os.stat(folder)
    except OSError:
        return None
    return (info.st_dev, info.st_ino)


class Observation:
    """One running observer with its overflow hook; started again when the folders change.

    `on_event` gets every event that passed the kernel-side filter (in the
    observer's thread); `on_overflow` is called when inotify says it lost events.
    """

    def __init__(
        self,
        on_event: Callable[[FileSystemEvent], None],
        on_overflow: Callable[[], None],
        options: WatchOptions,
        say: Say,
    ) -> None:
        self.on_event = on_event
        self.on_overflow = on_overflow
        self.options = options
        self.say = say
        self.mode = "not started"
        self.points: WatchPoints = []
        self._identities: dict[str, Identity] = {}
        self._observer: BaseObserver | None = None
        self._hook: logging.Handler | None = None

    @property
    def running(self) -> bool:
        """True between `start` and `close`."""
        return self._observer is not None

    def replaced(self, points: WatchPoints) -> list[str]:
        """The folders that are not the ones being watched: among `points` (as
        `watch_points` gives them now) those that came, went, or were moved away and put
        back (a sync tool, a restore), which inotify would no longer see. Empty when
        not running or when all is as it was."""
        if not self.running:
            return []
        now = {folder for folder, _ in points}
        before = set(self._identities)
        changed = now ^ before
        changed |= {f for f in now & before if identity(f) != self._identities[f]}
        return sorted(changed)

    def start(self, points: WatchPoints) -> None:
        """Watch these folders (stopping what was watched before). inotify, unless the
        options ask for polling or the kernel's limits refuse it: then polling, said once."""
        self.close()
        self.points = points
        # Taken before watching starts: a folder replaced meanwhile shows as replaced.
        self._identities = {folder: identity(folder) for folder, _ in points}
        interval = self.options.poll_interval
        polling = f"polling every {interval:g} s"
        if self.options.poll:
            self._observer = self._new_observer(poll=True)
            self._observer.start()
            self.mode = polling
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
                self.mode = polling
                self.say("info", limit_message(exc, interval))
        self._hook = _OverflowHook(self.on_overflow)
        logging.getLogger(OVERFLOW_LOGGER).addHandler(self._hook)

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
        handler = _event_handler(self.on_event)
        for folder, recursive in self.points:
            observer.schedule(handler, folder, recursive=recursive, event_filter=kinds)
        return observer


class _OverflowHook(logging.Handler):
    """watchdog only logs an inotify queue overflow; this turns the log line into a call."""

    def __init__(self, on_overflow: Callable[[], None]) -> None:
        super().__init__(logging.WARNING)
        self.on_overflow = on_overflow

    def emit(self, record: logging.LogRecord) -> None:
        if "overflow" in record.getMessage().lower():
            self.on_overflow()


def _event_handler(on_event: Callable[[FileSystemEvent], None]) -> Any:
    from watchdog.events import FileSystemEventHandler

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event: FileSystemEvent) -> None:
            on_event(event)

    return Handler()


def limit_message(exc: OSError, interval: float) -> str:
    """What to say when inotify's limits refuse to watch: polling instead, and the fix."""
    sysctl = "fs.inotify.max_user_watches"
    if exc.errno == errno.EMFILE:
        sysctl = "fs.inotify.max_user_instances"
    return (
        f"cannot watch with inotify ({exc.strerror or exc}); polling every {interval:g} s "
        f"instead. Raise the limit to watch again: `sudo sysctl {sysctl}=524288` "
        f"(and `{sysctl}=524288` in /etc/sysctl.d/ to keep it)"
    )
