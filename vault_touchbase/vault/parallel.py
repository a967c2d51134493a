"""Loading on both cores, when the front end asks for it (`Vault.parse_workers` > 1).

The library never forks behind an embedding program's back: a script's or a test's
`open_vault(path)` parses in its own process. `vtb` (one thread, a short-lived process)
asks for one worker per core, and then:

- notes to parse are parsed a shard at a time by this process and forked workers (one
  fewer than asked for: this process is the last); a worker's bytes of a shard's results
  are what the cache stores, and on a cold load (a shard whose notes are all new) the
  worker writes the shard file itself;
- while a fresh process reads the cache's shard files, a forked child lists the notes
  and stats each one (a third of a warm load, mostly system calls): see
  docs/performance.md for what each saves.

Neither runs while other threads do (the watcher): forking a threaded process is unsafe.
"""

from __future__ import annotations

import contextlib
import io
import mmap
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Generic, NamedTuple, TypeVar

from vault_touchbase.vault.safe_pickle import BuiltinsUnpickler
from vault_touchbase.vault.shards import Entries, dumps, write_shard

if TYPE_CHECKING:
    from concurrent.futures import Future
    from pathlib import Path

    from vault_touchbase.vault.folder import Vault

T = TypeVar("T")

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


class Beside(Generic[T]):
    """`work` done beside this process: in a forked child when `fork` (`in_background`),
    else here when its result is first asked for.

    `result(valid)` gives the child's result when `valid` accepts it, else does the work
    here (no child, or it failed), once. `close()` only waits for the child: for a caller
    that no longer needs the result (an error, Ctrl-C), so no process is left behind and
    nothing is done again here."""

    def __init__(self, work: Callable[[], T], fork: bool) -> None:
        self._work = work
        self._collect = in_background(work) if fork else None
        self._done: list[T] = []

    def result(self, valid: Callable[[object], bool]) -> T:
        if not self._done:
            got = self.close()
            self._done.append(got if valid(got) else self._work())  # type: ignore[arg-type]
        return self._done[0]

    def close(self) -> object:
        """Wait for the child if it is still running; what it sent (None: nothing)."""
        collect, self._collect = self._collect, None
        return collect() if collect is not None else None


class Job(NamedTuple):
    """One shard's notes for a worker: (path, size) of each; with `entries` (their path and
    stamp), the worker also writes the shard file, whole, from what it parsed."""

    shard: int
    notes: list[tuple[str, int]]
    entries: Entries | None


# Which jobs of the load under way a process has taken: a byte each, in memory the forked
# workers share with this process (inherited at the fork, never pickled).
_taken: mmap.mmap | None = None


def _take(number: int) -> bool:
    """Take job `number` for this process; False if another process has it. No lock: two
    processes that take the same job at the same instant both parse it, which gives the
    same results and writes the same shard file."""
    assert _taken is not None
    if _taken[number]:
        return False
    _taken[number] = 1
    return True


# What every job of the load under way needs besides its notes: the vault, the cache's key
# and folder, and whether to work out gists. Inherited by the workers at the fork, never
# pickled with each job: the vault's settings gather caches as the load goes on
# (`Settings.fields_of`), and a worker keeps its one copy of them from job to job.
_load: tuple[Vault, tuple[str, ...], Path, bool] | None = None


def _parse_shard(number: int, job: Job) -> tuple[int, bytes | None]:
    """In a worker: read and parse one shard's notes; their results as cache bytes (None:
    the loading process took the job first)."""
    from vault_touchbase.vault.listing import read_note

    assert _load is not None
    vault, key, folder, gists = _load
    shard, notes, entries = job
    if not _take(number):
        return shard, None
    blob = dumps([read_note(vault, rel, size, gists) for rel, size in notes])
    if entries is not None:  # (a full disk is said by the loading process, which writes too)
        write_shard(folder, shard, key, entries, blob)
    return shard, blob


def parse_in_workers(
    vault: Vault, jobs: list[Job], key: tuple[str, ...], folder: Path, gists: bool = False
) -> Iterator[tuple[Job, bytes | None]]:
    """Share `jobs` between this process and `vault.parse_workers - 1` forked workers.

    Yields each job with a worker's results as cache bytes, or with None: this process
    parses that one itself (its results need no bytes, and no decoding). Workers take jobs
    from the front, this process from the back, so both cores stay busy to the end and no
    third process competes for them. A worker's finished job is yielded as soon as this
    process is between two of its own: results never pile up (100,000 notes' worth). A
    worker that dies leaves its jobs to this process. A job with entries has its shard
    file (in `folder`, under `key`) written by its worker. `gists`: work out each
    contact's gist.
    """
    import multiprocessing
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    global _taken, _load
    _import_parsing(vault)
    _taken = mmap.mmap(-1, max(len(jobs), 1))  # shared with the workers forked below
    _load = (vault, key, folder, gists)
    context = multiprocessing.get_context("fork")  # `can_fork` said one thread: safe
    try:
        with ProcessPoolExecutor(
            vault.parse_workers - 1,
            mp_context=context,
            initializer=_worker_starts,
            initargs=(os.getpid(),),
        ) as pool:
            # the workers are forked by the first `submit`: with Ctrl-C held back until
            # each has chosen to ignore it (`_worker_starts`)
            blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
            try:
                pending = deque(
                    (n, job, pool.submit(_parse_shard, n, job)) for n, job in enumerate(jobs)
                )
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
            try:
                while pending:
                    while pending and pending[0][2].done():
                        yield _result(*pending.popleft()[1:])
                    if pending and _take(pending[-1][0]):  # no worker had it: this process's
                        yield pending.pop()[1], None
                    elif pending:  # every job left is a worker's: wait for them in order
                        yield _result(*pending.popleft()[1:])
            finally:  # stopped early (Ctrl-C, an error): no worker starts another job
                for _, _, future in pending:
                    future.cancel()
    finally:
        _taken.close()
        _taken = _load = None


def _import_parsing(vault: Vault) -> None:
    """Import what parsing a note and writing its results need, here, before the workers
    are forked: each would otherwise import it again for its first job (PyYAML, the
    parsing modules and their regexes, msgspec: 50 ms of a core, twice over), and work
    out the settings' key index once for all of them."""
    from vault_touchbase.notes import parse, yaml_loader  # noqa: F401

    dumps([])  # builds msgspec's encoder and decoders
    vault.settings.key_index  # noqa: B018 - worked out once, before the fork


def _worker_starts(parent: int) -> None:
    """In a worker, first: Ctrl-C is the loading process's to handle (it stops handing out
    jobs, and the worker finishes the one it has: a job cut short could leave half a
    module imported, and every later job's notes "broken" in the cache); and a worker
    whose loading process dies (killed, out of memory) dies with it, instead of waiting
    forever to hand over its results. `parent`: the loading process's pid."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it died before that was set
        os._exit(1)


_PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies


def _result(job: Job, future: Future[tuple[int, bytes | None]]) -> tuple[Job, bytes | None]:
    """A worker's bytes of `job`, or None when the worker died (killed, out of memory):
    then this process parses the job itself."""
    from concurrent.futures.process import BrokenProcessPool

    try:
        return job, future.result()[1]
    except BrokenProcessPool:
        return job, None


def cores() -> int:
    """The cores this process may run on: what the CLI asks for."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1
