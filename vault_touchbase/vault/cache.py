"""Reading every note fast: the parse cache in `.vtb/`, and parsing on all cores.

`read_notes` gives each note's parse result (a Contact or None, and its
problems). A note whose stamp — mtime, size, ctime and inode — is the one
recorded with a cached result is not read again. The cache lives in
`.vtb/parse-cache/NN.pickle`: `SHARDS` files, a note assigned to one by a
hash of its path, so one changed note rewrites one small file. A file holds
its key (vtb's format and version, a digest of vtb's own source, the
Python, the settings), the (path, stamp) of each note in it, and their
results in one pickle; a file with another key is ignored and rebuilt.

Correctness rules, each tested in `tests/test_cache.py`:

- A result is served only for the exact stamp it was parsed under. Any
  write changes ctime (which no tool can set back), so an edit that keeps
  size and mtime is still seen; a note changed less than `RACY_NS` before
  the load started is parsed but not cached, since a second edit within one
  clock tick could leave its stamp unchanged.
- Files are written whole to a temp file and renamed over (`os.replace`),
  so a reader sees an old file or a new one; two processes refreshing at
  once each write self-consistent files, and the last one wins.
- Only builtins, vtb's own model classes and dates are unpickled; anything
  else — a corrupt, truncated or foreign file, a forbidden class — makes
  the whole file a miss: its notes are parsed again and it is rewritten.
  Never a crash, never a wrong answer.

Above `PARALLEL_MIN` notes to parse, forked worker processes parse a shard's
notes each, on every core; a worker's pickle of a shard's results is what
the cache stores, so parsing in parallel costs no extra pickling.
"""

from __future__ import annotations

import contextlib
import gc
import io
import os
import pickle
import signal
import struct
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import fields, is_dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vault_touchbase import __version__
from vault_touchbase.core import model
from vault_touchbase.core.model import Contact, Problem

try:  # what hashlib itself uses, without loading OpenSSL (2.5 ms of every start)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import blake2b

if TYPE_CHECKING:
    from vault_touchbase.vault.folder import Vault

CACHE_DIR = "parse-cache"
OLD_CACHE_FILE = "parse-cache.pickle"  # the single-file cache of vtb before FORMAT 3
FORMAT = 4
MAGIC = "vtb-parse-cache"
TRAILER = b"\x00vtb-end"
SHARDS = 64  # a note changed rewrites one file of about 150 notes: a few milliseconds
RACY_NS = 2_000_000_000  # a note changed this recently is parsed but not cached
PARALLEL_MIN = 1500  # parse in worker processes only when at least this many notes miss

Result = tuple[Contact | None, list[Problem]]
Shard = tuple[list[tuple[str, "Stamp"]], list[Result]]  # a shard file's (path, stamp)s, results
Stamp = bytes  # mtime_ns, size, ctime_ns and inode, packed: 100,000 of them are held
Files = Iterable[tuple[str, os.stat_result | None, str]]
Progress = Callable[[int, int], None]


def _now_ns() -> int:
    return time.time_ns()  # a seam: tests move the clock to make fresh notes look settled


_STAMP = struct.Struct("<qQqQ")


def stamp_of(stat: os.stat_result) -> Stamp:
    """What identifies one version of a note's bytes without reading them."""
    return _STAMP.pack(stat.st_mtime_ns, stat.st_size, stat.st_ctime_ns, stat.st_ino)


def size_of(stamp: Stamp) -> int:
    return int(_STAMP.unpack(stamp)[1])


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of vtb's own source, so a cache never outlives the code that wrote it."""
    digest = blake2b(__version__.encode(), digest_size=16)
    for path in sorted(Path(__file__).resolve().parent.glob("*.py")):
        with contextlib.suppress(OSError):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def cache_key(vault: Vault) -> tuple[str, ...]:
    """Everything a parse result depends on besides the note's bytes."""
    return (
        MAGIC,
        str(FORMAT),
        __version__,
        code_digest(),
        sys.implementation.cache_tag or "",
        repr(vault.settings),
    )


def shard_of(rel: str) -> int:
    return zlib.crc32(rel.encode("utf-8", "surrogateescape")) % SHARDS


# --- pickling results -------------------------------------------------------------------


def _reducer(cls: type) -> Callable[[Any], tuple[type, tuple[Any, ...]]]:
    names = [f.name for f in fields(cls)]
    return lambda obj: (cls, tuple(getattr(obj, name) for name in names))


# Model objects are pickled as a call of their class with their fields, so unpickled
# ones are built by their own __init__: as compact in memory as freshly parsed ones.
_DISPATCH = {
    cls: _reducer(cls)
    for cls in vars(model).values()
    if isinstance(cls, type)
    and is_dataclass(cls)
    and cls.__module__ == model.__name__
    and all(f.init for f in fields(cls))
}
_ALLOWED = {("datetime", "date"), ("datetime", "datetime")} | {
    (model.__name__, cls.__name__) for cls in [*_DISPATCH, model.LogEntry]
}


def dumps(results: list[Result]) -> bytes:
    """Parse results as bytes for the cache."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _DISPATCH  # type: ignore[assignment]
    pickler.dump(results)
    return buffer.getvalue()


class _SafeUnpickler(pickle.Unpickler):
    """Builds builtins, vtb's model classes and dates; anything else is refused."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the parse cache")
        return super().find_class(module, name)


class _BuiltinsUnpickler(pickle.Unpickler):
    """Builds only builtin values (tuples, strings, numbers)."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the parse cache")


def _valid_results(results: object, count: int) -> bool:
    """`count` pairs of (a Contact or None, a list of Problems)."""
    if type(results) is not list or len(results) != count:
        return False
    for result in results:  # 10,000 of them: plain loops, no generator per result
        if type(result) is not tuple or len(result) != 2:
            return False
        contact, problems = result
        if contact is not None and type(contact) is not Contact:
            return False
        if type(problems) is not list:
            return False
        if problems and not all(type(p) is Problem for p in problems):
            return False
    return True


def _valid_entries(entries: object) -> bool:
    """A tuple of (path, stamp) pairs."""
    if type(entries) is not tuple:
        return False
    size = _STAMP.size
    for entry in entries:
        if type(entry) is not tuple or len(entry) != 2:
            return False
        rel, stamp = entry
        if type(rel) is not str or type(stamp) is not bytes or len(stamp) != size:
            return False
    return True


# --- shard files ----------------------------------------------------------------------------


def read_shard(path: Path, key: tuple[str, ...]) -> tuple[list[tuple[str, Stamp]], Any]:
    """A shard's entries, and a function giving their results (decoded only when called).

    Raises (OSError, ValueError, pickle errors...) for a missing, cut-short,
    foreign or malformed file.
    """
    data = path.read_bytes()
    if not data.endswith(TRAILER):
        raise ValueError("not a complete shard file")
    stream = io.BytesIO(data)
    if _BuiltinsUnpickler(stream).load() != key:
        raise ValueError("written by another vtb, Python or settings")
    entries = _BuiltinsUnpickler(stream).load()
    if not _valid_entries(entries):
        raise ValueError("not a shard index")

    def results() -> list[Result]:
        found = _SafeUnpickler(stream).load()
        if stream.tell() != len(data) - len(TRAILER) or not _valid_results(found, len(entries)):
            raise ValueError("results do not match the index")
        return found  # type: ignore[no-any-return]

    return list(entries), results


def write_shard(
    folder: Path, shard: int, key: tuple[str, ...], entries: list[tuple[str, Stamp]], blob: bytes
) -> None:
    """Replace one shard file at once; `blob` is `dumps` of the entries' results."""
    import tempfile

    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=f".{shard:02d}.", suffix=".tmp", dir=folder)
    except OSError:
        return  # a read-only vault still works, only slower
    try:
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(key, handle, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump(tuple(entries), handle, protocol=pickle.HIGHEST_PROTOCOL)
            handle.write(blob)
            handle.write(TRAILER)
        os.replace(temp, folder / f"{shard:02d}.pickle")
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temp)


def _ensure_state_dir(vault: Vault) -> None:
    """`.vtb/` with its `.gitignore` of `*`, so git never sees the cache."""
    from vault_touchbase.vault.store import ensure_state_dir

    with contextlib.suppress(OSError):
        ensure_state_dir(vault.root)


# --- the process memo -------------------------------------------------------------------

# Results this process already holds, for a second load in the same run (`vtb log`
# finds the person, then rebuilds the index) or the watcher: {rel: (stamp, result)}.
_MEMO: dict[str, tuple[tuple[str, ...], dict[str, tuple[Stamp, Result]]]] = {}
_MEMO_LOCK = threading.Lock()


# The note listing each vault's last load in this process saw (None: a note in it had
# just changed), digested only when the refresh memo asks (`vtb log` never does).
_LISTINGS: dict[str, list[tuple[str, Stamp | None, str]] | None] = {}


def forget() -> None:
    """Drop the results this process holds (tests; a long-running process that wants memory)."""
    with _MEMO_LOCK:
        _MEMO.clear()
        _LISTINGS.clear()


def listing_digest(listing: list[tuple[str, Stamp | None, str]]) -> str:
    """A digest of a vault's note listing: each note's path and stamp (or trouble)."""
    data = pickle.dumps(listing, protocol=pickle.HIGHEST_PROTOCOL)
    return blake2b(data, digest_size=16).hexdigest()


def listing_of(vault: Vault) -> str:
    """The digest of the vault's note listing as it is now."""
    from vault_touchbase.vault.listing import note_files

    return listing_digest(
        [
            (rel, None if stat is None else stamp_of(stat), trouble)
            for rel, stat, trouble in note_files(vault)
        ]
    )


# --- reading every note -------------------------------------------------------------------


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """Building 100,000 objects in a row gains nothing from the cycle collector running.

    Afterwards they are frozen (left out of collections): else the next collection walks
    every one of them, for nothing, as the process goes on to plan and render. What an
    earlier load froze is unfrozen first, so a long-running process (the watcher) still
    collects what it let go of.
    """
    enabled = gc.isenabled()
    gc.disable()
    gc.unfreeze()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.enable()


def read_notes(
    vault: Vault, files: Files, progress: Progress | None = None, use_cache: bool = True
) -> tuple[list[Result], bool]:
    """The parse result of each of `files` (from `vault.note_files`), in their order, and
    whether two of them are one file (a link to another note: same inode).

    A file listed with a problem instead of a stat gives that problem.
    """
    with _no_gc():
        load = _Load(vault, use_cache, progress)
        results = load.run(files)
    inodes = {stamp[24:] for stamp in load.stamps.values()}  # a stamp ends with the inode
    return results, len(inodes) < len(load.stamps)


class _Load:
    """One load of a vault's notes: the memo, then the shards, then parsing what is left."""

    def __init__(self, vault: Vault, use_cache: bool, progress: Progress | None) -> None:
        self.vault = vault
        self.use_cache = use_cache
        self.progress = progress
        self.started_ns = _now_ns()
        self.key = cache_key(vault)
        self.folder = vault.state_dir / CACHE_DIR
        self.results: list[Result | None] = []
        self.stamps: dict[str, Stamp] = {}
        self.index: dict[str, int] = {}
        self.memo: dict[str, tuple[Stamp, Result]] = {}
        self.fresh: set[str] = set()  # notes changed within the racy window: never cached
        self.shards: dict[int, Shard | None] = {}  # read ahead (see `run`); None: unsound
        self.done = 0
        self.total = 0

    def run(self, files: Files) -> list[Result]:
        settled_before = self.started_ns - RACY_NS
        # A fresh process reads every shard file anyway: while it does, a forked child lists
        # the notes and stats each one (a third of a warm load, and mostly system calls).
        collect = None
        if self.use_cache and not self._memo_held() and self.folder.is_dir():
            collect = _listing_elsewhere(files, settled_before)
        listed = None
        if collect is not None:
            try:
                self._read_all_shards()
            finally:  # the child is waited for whatever happens (Ctrl-C): no zombie left
                listed = collect()
        if listed is None:
            listed = _listing(files, settled_before)
        listing: list[tuple[str, Stamp | None, str]] = []
        results, index, stamps = self.results, self.index, self.stamps
        for rel, stamp, trouble, fresh in listed:
            listing.append((rel, stamp, trouble))
            if trouble or stamp is None:
                results.append((None, [Problem(rel, 1, "error", trouble or "cannot read")]))
                continue
            index[rel] = len(results)
            stamps[rel] = stamp
            results.append(None)
            if fresh:
                self.fresh.add(rel)
        self.total = len(results)
        # A note changed within the racy window could change again unseen: no memo of this.
        with _MEMO_LOCK:
            _LISTINGS[str(self.vault.root)] = None if self.fresh else listing
        if not self.use_cache:
            self._parse_serially(list(self.stamps))
        else:
            missing = self._from_memo()
            if missing:
                self._from_shards(missing)
            with _MEMO_LOCK:
                _MEMO.clear()  # one vault at a time: a process never holds two vaults' notes
                _MEMO[str(self.vault.root)] = (self.key, self.memo)
        self._report(0, force=True)
        return self.results  # type: ignore[return-value]

    def _report(self, count: int, force: bool = False) -> None:
        before = self.done
        self.done += count
        if self.progress and (force or self.done // 500 != before // 500):
            self.progress(self.done, self.total)

    def _cacheable(self, rel: str) -> bool:
        return rel not in self.fresh

    def _take(self, rel: str, result: Result) -> None:
        self.results[self.index[rel]] = result
        if self._cacheable(rel):
            self.memo[rel] = (self.stamps[rel], result)

    def _memo_held(self) -> bool:
        with _MEMO_LOCK:
            held = _MEMO.get(str(self.vault.root))
        return held is not None and held[0] == self.key and bool(held[1])

    def _read_all_shards(self) -> None:
        for shard in range(SHARDS):
            self.shards[shard] = self._shard_file(shard)

    def _shard_file(self, shard: int) -> Shard | None:
        """A shard file's entries and results; None if it is missing, corrupt, cut short
        or foreign (its notes are parsed again and it is rewritten)."""
        try:
            entries, results = read_shard(self.folder / f"{shard:02d}.pickle", self.key)
            return entries, results()
        except Exception:  # noqa: BLE001 - whatever is wrong with it, it is rebuilt
            return None

    def _from_memo(self) -> list[str]:
        with _MEMO_LOCK:
            held = _MEMO.get(str(self.vault.root))
        known = held[1] if held is not None and held[0] == self.key else {}
        if not known:  # this process's first load: nothing held yet
            return list(self.stamps)
        missing = []
        for rel, stamp in self.stamps.items():
            entry = known.get(rel)
            if entry is not None and entry[0] == stamp:
                self._take(rel, entry[1])
            else:
                missing.append(rel)
        self._report(len(self.stamps) - len(missing))
        return missing

    def _from_shards(self, missing: list[str]) -> None:
        """Take what the shard files hold; parse the rest; write the shards that changed."""
        with contextlib.suppress(OSError):
            (self.vault.state_dir / OLD_CACHE_FILE).unlink()
        by_shard: dict[int, list[str]] = {}
        for rel in missing:
            by_shard.setdefault(shard_of(rel), []).append(rel)
        todo: dict[int, tuple[list[str], list[tuple[str, Stamp, Result]]]] = {}
        for shard, wanted in sorted(by_shard.items()):
            left, kept, clean = self._read_shard(shard, wanted)
            if left or not clean:
                todo[shard] = (left, kept)
        count = sum(len(left) for left, _ in todo.values())
        if count >= PARALLEL_MIN and _workers() > 1 and threading.active_count() == 1:
            self._parse_in_workers({shard: job for shard, job in todo.items() if job[0]})
            todo = {shard: job for shard, job in todo.items() if not job[0]}
        for shard, (left, kept) in todo.items():
            self._parse_serially(left)
            self._write(shard, kept, left, None)

    def _read_shard(
        self, shard: int, wanted: list[str]
    ) -> tuple[list[str], list[tuple[str, Stamp, Result]], bool]:
        """Take the `wanted` results from one shard file.

        Returns the notes still to parse, the results worth keeping when the
        file is written again, and whether the file is sound and up to date.
        """
        read = self.shards.pop(shard) if shard in self.shards else self._shard_file(shard)
        if read is None:
            return wanted, [], False
        entries, found = read
        needed = set(wanted)  # these belong in this shard: no need to hash them again
        kept: list[tuple[str, Stamp, Result]] = []
        stamps, results, index, memo, fresh = (
            self.stamps,
            self.results,
            self.index,
            self.memo,
            self.fresh,
        )
        for (rel, stamp), result in zip(entries, found, strict=True):
            if rel in needed:
                if stamps[rel] == stamp:
                    kept.append((rel, stamp, result))
                    needed.discard(rel)
                    results[index[rel]] = result  # `_take`, inline: 10,000 notes
                    if rel not in fresh:
                        memo[rel] = (stamp, result)
            elif stamps.get(rel) == stamp and shard_of(rel) == shard:
                kept.append((rel, stamp, result))
        self._report(len(wanted) - len(needed))
        clean = len(kept) == len(entries)
        return [rel for rel in wanted if rel in needed], kept, clean

    def _parse_serially(self, rels: list[str]) -> None:
        from vault_touchbase.vault.listing import read_note

        for rel in rels:
            self._take(rel, read_note(self.vault, rel, size_of(self.stamps[rel])))
            self._report(1)

    def _parse_in_workers(
        self, todo: dict[int, tuple[list[str], list[tuple[str, Stamp, Result]]]]
    ) -> None:
        jobs = [
            (shard, [(rel, size_of(self.stamps[rel])) for rel in left])
            for shard, (left, _) in todo.items()
        ]
        for shard, blob in _in_workers(self.vault, jobs):
            left, kept = todo[shard]
            results: list[Result] = pickle.loads(blob)  # noqa: S301 - from our own child
            for rel, result in zip(left, results, strict=True):
                self._take(rel, result)
            self._report(len(left))
            self._write(shard, kept, left, blob if not kept else None)

    def _write(
        self,
        shard: int,
        kept: list[tuple[str, Stamp, Result]],
        parsed: list[str],
        blob: bytes | None,
    ) -> None:
        """Write a shard: the results kept from the old file and the cacheable new ones.
        Stale results (of changed or deleted notes) are dropped then, not sooner.

        `blob`, when given, is already `dumps` of the new results (from a worker).
        """
        new = [rel for rel in parsed if self._cacheable(rel)]
        if not new:
            return  # nothing worth writing (notes that changed just now are parsed each time)
        if not self.folder.is_dir():
            _ensure_state_dir(self.vault)
        if len(new) < len(parsed):
            blob = None
        entries = [(rel, stamp) for rel, stamp, _ in kept]
        entries += [(rel, self.stamps[rel]) for rel in new]
        if blob is None:
            results = [r for _, _, r in kept] + [self.results[self.index[rel]] for rel in new]
            blob = dumps(results)  # type: ignore[arg-type]
        write_shard(self.folder, shard, self.key, entries, blob)


# --- listing the notes ----------------------------------------------------------------------

Listed = tuple[str, Stamp | None, str, bool]  # path, stamp (None: trouble), trouble, fresh


def _listing(files: Files, settled_before: int) -> list[Listed]:
    """Each note's stamp, and whether it changed too recently to be cached."""
    pack = _STAMP.pack
    listed: list[Listed] = []
    for rel, stat, trouble in files:  # 10,000 notes: `stamp_of`, inline
        if trouble or stat is None:
            listed.append((rel, None, trouble, False))
            continue
        stamp = pack(stat.st_mtime_ns, stat.st_size, stat.st_ctime_ns, stat.st_ino)
        changed = max(stat.st_mtime_ns, stat.st_ctime_ns)  # what `RACY_NS` is about
        listed.append((rel, stamp, "", changed >= settled_before))
    return listed


def _listing_elsewhere(
    files: Files, settled_before: int
) -> Callable[[], list[Listed] | None] | None:
    """Start `_listing` in a forked child; return a function that waits for it and gives
    its listing, or None if the child failed (then list here: `files` is untouched in
    this process). None at once where forking is not safe (threads) or possible."""
    if not hasattr(os, "fork") or threading.active_count() != 1:
        return None
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return None
    # Ctrl-C must not reach the child as Python code (it would run the parent's clean-up,
    # such as the vault lock's): blocked across the fork, then left to kill the child.
    stopping = {signal.SIGINT, signal.SIGTERM}
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, stopping)
    try:
        pid = os.fork()
    except OSError:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:  # the child: list, send, and leave without any of the parent's clean-up
        code = 1
        try:
            for number in stopping:
                signal.signal(number, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
            os.close(read_end)
            data = pickle.dumps(_listing(files, settled_before), pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(data)
            code = 0
        finally:
            os._exit(code)
    signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    os.close(write_end)

    def collect() -> list[Listed] | None:
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
            listed = _BuiltinsUnpickler(io.BytesIO(data)).load()
        except Exception:  # noqa: BLE001 - cut short: list here instead
            return None
        return listed if isinstance(listed, list) else None

    return collect


# --- parsing on every core ------------------------------------------------------------------


def _workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _parse_shard(job: tuple[Vault, int, list[tuple[str, int]]]) -> tuple[int, bytes]:
    """In a worker: read and parse one shard's notes; their results as cache bytes."""
    from vault_touchbase.vault.listing import read_note

    vault, shard, notes = job
    with _no_gc():
        return shard, dumps([read_note(vault, rel, size) for rel, size in notes])


def _in_workers(
    vault: Vault, jobs: list[tuple[int, list[tuple[str, int]]]]
) -> Iterator[tuple[int, bytes]]:
    """Parse shards in forked worker processes (one per core)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork")  # the CLI is one thread: forking is safe
    with ProcessPoolExecutor(_workers(), mp_context=context) as pool:
        # `map` lets go of each result once it is taken: 100,000 notes' worth is never held
        yield from pool.map(_parse_shard, [(vault, shard, notes) for shard, notes in jobs])


# --- lines kept by what they were computed from --------------------------------------------


def remembered(
    vault: Vault, name: str, inputs: object, compute: Callable[[], list[str]]
) -> list[str]:
    """Lines computed from the notes, kept in `.vtb/NAME-memo.pickle` with a digest of their
    `inputs` (plain values: everything `compute` reads). The same inputs, vtb and settings
    give the kept lines back; anything else computes them again and keeps those."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True  # no memo: equal inputs give equal bytes, however they are shared
    pickler.dump(inputs)
    digest = blake2b(buffer.getvalue(), digest_size=16).hexdigest()
    key = (*cache_key(vault), name, digest)
    path = vault.state_dir / f"{name}-memo.pickle"
    try:
        with open(path, "rb") as handle:
            kept_key, lines = _BuiltinsUnpickler(handle).load()
        if kept_key == key and isinstance(lines, list) and all(type(x) is str for x in lines):
            return lines
    except Exception:  # noqa: BLE001 - none kept yet, or corrupt: computed again
        pass
    lines = compute()
    _write_state(vault, path, (key, lines))
    return lines


def _write_state(vault: Vault, path: Path, value: object) -> None:
    """Pickle `value` into a file in `.vtb/` at once (temp file, rename); never an error."""
    import tempfile

    _ensure_state_dir(vault)
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
    except OSError:
        return  # a read-only vault still works, only slower
    try:
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temp, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temp)


# --- the refresh memo ---------------------------------------------------------------------

MEMO_FILE = "refresh-memo.pickle"
Summary = tuple[tuple[int, ...], tuple[Problem, ...]]  # (numbers to show, problems)


def _memo_key(vault: Vault, today: str, listing: str, index: bytes) -> tuple[str, ...]:
    digest = blake2b(index, digest_size=16).hexdigest()
    return (*cache_key(vault), today, listing, digest)


def remember_index(vault: Vault, today: str, text: str, summary: Summary) -> None:
    """Record what the index note was rebuilt from, the bytes it holds and what to say."""
    with _MEMO_LOCK:
        listing = _LISTINGS.get(str(vault.root))
    if listing is None:
        return
    key = _memo_key(vault, today, listing_digest(listing), text.encode("utf-8"))
    _write_state(vault, vault.state_dir / MEMO_FILE, (key, summary))


def unchanged_index(
    vault: Vault, today: str
) -> tuple[tuple[int, int, int, int, int, int], tuple[Problem, ...]] | None:
    """What the last rebuild said, if the index note it wrote is untouched (no ticks, no
    edits) and nothing it was built from changed: no note, setting, date or vtb code."""
    try:
        with open(vault.state_dir / MEMO_FILE, "rb") as handle:
            key, summary = _SafeUnpickler(handle).load()
        index = vault.index_path.read_bytes()
    except Exception:  # noqa: BLE001 - no memo, no index, a corrupt memo: the long way
        return None
    if key != _memo_key(vault, today, listing_of(vault), index):
        return None
    numbers, problems = summary
    if not (
        isinstance(numbers, tuple)
        and len(numbers) == 6
        and all(type(n) is int for n in numbers)
        and isinstance(problems, tuple)
        and all(isinstance(p, Problem) for p in problems)
    ):
        return None
    return numbers, problems
