"""What a short-lived process keeps until it ends, rather than free one object at a time.

A `vtb` command loads 10,000 contacts, uses them once and exits. Freeing them one object
at a time when the command returns cost 40 ms of each command; a process that ends lets
go of its memory at once. So the command keeps every load (`keep_loads`, `hold`) and
`cli/main.py` leaves with `os._exit` after its threads and exit handlers. The watcher,
which reloads for days, keeps none. (No imports here: `vtb --help` imports this.)
"""

from __future__ import annotations

_kept: list[object] | None = None


def keep_loads(keep: bool = True) -> None:
    """From now on, keep every load's result until the process ends (False: keep none)."""
    global _kept
    _kept = [] if keep else None


def hold(result: object) -> None:
    """Keep `result` until the process ends, if this process keeps its loads."""
    if _kept is not None:
        _kept.append(result)
