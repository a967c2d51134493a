"""How the watcher paces itself, what it counts, and how it tells the person what it did."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Say = Callable[[str, str], None]
"""(level, text). Levels: "done" (vtb did something), "info", "detail" (only with -v),
"problem" (a note vtb cannot read), "error" (a batch failed; the watcher goes on)."""


@dataclass(frozen=True)
class WatchOptions:
    """How the watcher paces itself. Times are in seconds."""

    quiet: float = 0.3  # no event for this long → run the batch
    max_wait: float = 2.0  # ... but no later than this after its first event
    settle: float = 30.0  # autocommit = "all": an edit rests this long before `edit:` commit
    mass_settle: float = 300.0  # ... and a mass deletion this much longer
    burst: int = 50  # more changed paths than this in one batch → one full rescan
    rescan_every: float = 300.0  # the safety net: a full rescan this often
    autocommit: str | None = None  # None: `autocommit` from vtb.toml
    poll: bool = False  # poll the folders instead of inotify
    poll_interval: float = 1.0


@dataclass
class WatchStats:
    """Counters of what the watcher did (written by the thread that runs its batches)."""

    batches: int = 0
    rescans: int = 0
    rebuilds: int = 0
    index_writes: int = 0
    commits: int = 0
    errors: int = 0
