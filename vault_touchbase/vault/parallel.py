"""Loading on both cores, when the front end asks for it (`Vault.parse_workers` > 1).

The library never forks behind an embedding program's back: a script's or a test's
`open_vault(path)` parses in its own process. `vtb` (one thread, a short-lived process)
asks for one worker per core, and then:

- notes to parse are parsed a shard at a time in forked worker processes; a worker's
  bytes of a shard's results are what the cache stores, and on a cold load (a shard
  whose notes are all new) the worker writes the shard file itself;
- while a fresh process reads the cache's shard files, a forked child lists the notes
  and stats each one (a third of a warm load, mostly system calls): see
  docs/performance.md for what each saves.

Neither runs while other threads do (the watcher): forking a threaded process is unsafe.
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import signal
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, NamedTuple

from vault_touchbase.vault.safe_pickle import BuiltinsUnpickler
from vault_touchbase.vault.shards import Entries, dumps, write_shard

if TYPE_CHECKING:
    from pathlib import Path

    from vault_touchbase.vault.folder import Vault

PARALLEL_MIN = 1500  # parse in worker processes only when at least this many notes miss


def can_fork(vault: Vault) -> bool:
    """Whether this load may fork: asked for, possible, and this process has one thread."""
    return vault.parse_workers > 1 and hasattr(os, "fork") and threading.active_count() == 1


def in_background(work: Callable[[], object]) -> Callable[[], object | None]:
    """Run `work` in a forked child; return a function that waits for the child and gives
    what `work` returned (builtin values only), or None if the child failed. Ctrl-C never
    runs the parent's clean-up (such as the vault lock's) in the child."""
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return lambda: None
    stopping = {signal.SIGINT, signal.SIGTERM}
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, stopping)
    try:
        pid = os.fork()
    except OSError:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        os.close(read_end)
        os.close(write_end)
        return lambda: None
    if pid == 0:  # the child: work, send, and leave without any of the parent's clean-up
        code = 1
        try:
            for number in stopping:
                signal.signal(number, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
            os.close(read_end)
            data = pickle.dumps(work(), pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(data)
            code = 0
        finally:
            os._exit(code)
    signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    os.close(write_end)

    def collect() -> object | None:
        status = 0
        try:
            with os.fdopen(read_end, "rb") as pipe:
                data = pipe.read()
        finally:
            with contextlib.suppress(ChildProcessError):  # reaped already (SIGCHLD ignored):
                _, status = os.waitpid(pid, 0)  # then whether the data is whole tells
        if status != 0:
            return None
        try:
            return BuiltinsUnpickler(io.BytesIO(data)).load()
        except Exception:  # noqa: BLE001 - cut short: the caller does the work itself
            return None

    return collect


class Job(NamedTuple):
    """One shard's notes for a worker: (path, size) of each; with `entries` (their path and
    stamp), the worker also writes the shard file, whole, from what it parsed."""

    shard: int
    notes: list[tuple[str, int]]
    entries: Entries | None


def _parse_shard(job: tuple[Vault, Job, tuple[str, ...], Path, bool]) -> tuple[int, bytes]:
    """In a worker: read and parse one shard's notes; their results as cache bytes."""
    from vault_touchbase.vault.listing import read_note

    vault, (shard, notes, entries), key, folder, gists = job
    blob = dumps([read_note(vault, rel, size, gists) for rel, size in notes])
    if entries is not None:
        write_shard(folder, shard, key, entries, blob)
    return shard, blob


def parse_in_workers(
    vault: Vault, jobs: list[Job], key: tuple[str, ...], folder: Path, gists: bool = False
) -> Iterator[tuple[int, bytes]]:
    """Parse shards in `vault.parse_workers` forked worker processes; each shard's results
    as cache bytes, in the order of `jobs`. A job with entries has its shard file (in
    `folder`, under `key`) written by its worker. `gists`: work out each contact's gist."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork")  # `can_fork` said one thread: safe
    with ProcessPoolExecutor(vault.parse_workers, mp_context=context) as pool:
        # `map` lets go of each result once it is taken: 100,000 notes' worth is never held
        yield from pool.map(_parse_shard, [(vault, job, key, folder, gists) for job in jobs])


def cores() -> int:
    """The cores this process may run on: what the CLI asks for."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1
