"""Reading every note fast: each note parsed once, then served from the parse cache.

`read_notes` gives each note's parse result (a Contact or None, and its problems).
A note whose stamp (see `stamp.py`) is the one recorded with a cached result in the
shard files (see `shards.py`) is not read again. Correctness rules, each tested in
`tests/test_cache.py`:

- A result is served only for the exact stamp it was parsed under; a note changed
  less than `RACY_NS` before the load started is parsed but not cached.
- A shard file that is missing, corrupt, cut short, foreign or written under another
  key is a miss: its notes are parsed again and it is rewritten. Never a crash, never
  a wrong answer.
- Stale results (of changed or deleted notes) are dropped when their shard is written.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vault_touchbase.core.model import Problem
from vault_touchbase.vault import parallel
from vault_touchbase.vault import stamp as stamps
from vault_touchbase.vault.memo import listing_digest
from vault_touchbase.vault.shards import (
    CACHE_DIR,
    SHARDS,
    SUFFIX,
    Entries,
    Result,
    cache_key,
    dumps,
    loads,
    read_shard,
    shard_of,
    write_shard,
)
from vault_touchbase.vault.stamp import STAMP_SIZE, Stamp, inode_of, settled, size_of

if TYPE_CHECKING:
    import os

    from vault_touchbase.vault.folder import Progress, Vault

Files = Iterable[tuple[str, "os.stat_result | None", str]]
Kept = list[tuple[str, Stamp, Result]]  # results worth keeping when a shard is rewritten


@dataclass(frozen=True)
class NotesRead:
    """What `read_notes` found: each file's result in order, whether two of the notes
    are one file (a link), and the listing's digest (None: a note had just changed)."""

    results: list[Result]
    linked: bool
    listing: str | None
    unwritten: OSError | None = None
    """Why the parse cache could not be saved (a full disk), or None"""


Listed = list[tuple[str, Stamp | None, str, bool]]  # path, stamp, trouble, changed just now


@dataclass(frozen=True)
class Listing:
    """The notes as listed once (`list_notes`): each one's path, stamp (None with
    trouble), trouble and whether it changed just now (never cached); when the listing
    started, the clock the racy rule is judged by; and the digest of their paths and
    stamps, which the refresh memo keys on."""

    notes: Listed
    started_ns: int
    digest: str


def list_notes(vault: Vault) -> Listing:
    """List and stat every note now: for a command that holds the vault lock, checks the
    refresh memo with the digest and, if it must rebuild, loads with the same listing."""
    from vault_touchbase.vault.listing import note_files

    started = stamps.now_ns()
    listed = _listing(note_files(vault), started)
    return Listing(listed, started, _digest(listed))


def _digest(listed: Listed) -> str:
    return listing_digest(item[:3] for item in listed)


def read_notes(
    vault: Vault,
    progress: Progress | None = None,
    use_cache: bool = True,
    listing: Listing | None = None,
    gists: bool = False,
) -> NotesRead:
    """The parse result of each note, in the order `listing.note_files` lists them (or
    `listing`'s, taken by this process under the vault lock it still holds). A file
    listed with a problem instead of a stat gives that problem. With `gists`, every
    contact has its gist, and the shard files keep the gists worked out."""
    return _Load(vault, use_cache, progress, listing, gists).run()


class _Load:
    """One load of a vault's notes: the shard files, then parsing what is left."""

    def __init__(
        self,
        vault: Vault,
        use_cache: bool,
        progress: Progress | None,
        listing: Listing | None,
        gists: bool,
    ) -> None:
        self.vault = vault
        self.use_cache = use_cache
        self.progress = progress
        self.listing = listing
        self.gists = gists
        self.gained: set[int] = set()  # shards whose cached contacts got their gists now
        # the clock the racy rule is judged by: from when the notes were listed
        self.started_ns = listing.started_ns if listing else stamps.now_ns()
        self.key = cache_key(vault)
        self.folder = vault.state_dir / CACHE_DIR
        self.results: list[Result | None] = []
        self.stamps: dict[str, Stamp] = {}
        self.index: dict[str, int] = {}
        self.fresh: set[str] = set()  # notes changed within the racy window: never cached
        self.shards: dict[int, tuple[Entries, list[Result]] | None] = {}
        self.done = 0
        self.total = 0
        self.unwritten: OSError | None = None  # why a shard file could not be written

    def run(self) -> NotesRead:
        listed = self.listing.notes if self.listing else self._list()
        results, index, stamps = self.results, self.index, self.stamps
        for rel, stamp, trouble, fresh in listed:
            if trouble or stamp is None:
                results.append((None, [Problem(rel, 1, "error", trouble or "cannot read")]))
                continue
            index[rel] = len(results)
            stamps[rel] = stamp
            results.append(None)
            if fresh:
                self.fresh.add(rel)
        self.total = len(results)
        if self.use_cache:
            self._from_shards(list(stamps))
        else:
            self._parse_serially(list(stamps))
        self._report(0, force=True)
        inodes = {inode_of(stamp) for stamp in stamps.values()}
        digest = None if self.fresh else self.listing.digest if self.listing else _digest(listed)
        linked = len(inodes) < len(stamps)
        return NotesRead(self.results, linked, digest, self.unwritten)  # type: ignore[arg-type]

    def _list(self) -> Listed:
        """Each note's stamp; while a fresh process reads every shard file anyway, a
        forked child lists and stats the notes (when the front end asked for workers)."""
        from vault_touchbase.vault.listing import note_files

        files, started = note_files(self.vault), self.started_ns
        if self.use_cache and parallel.can_fork(self.vault) and self.folder.is_dir():
            collect = parallel.in_background(lambda: _listing(files, started))
            try:
                for shard in range(SHARDS):
                    self.shards[shard] = self._shard_file(shard)
            finally:  # the child is waited for whatever happens (Ctrl-C): no zombie left
                listed = collect()
            if _valid_listing(listed):
                return listed  # type: ignore[return-value]
        return _listing(files, started)

    def _report(self, count: int, force: bool = False) -> None:
        before = self.done
        self.done += count
        if self.progress and (force or self.done // 500 != before // 500):
            self.progress(self.done, self.total)

    def _take(self, rel: str, result: Result) -> None:
        self.results[self.index[rel]] = result

    def _shard_file(self, shard: int) -> tuple[Entries, list[Result]] | None:
        """A shard file's entries and results; None if it is missing, corrupt, cut short
        or foreign (its notes are parsed again and it is rewritten)."""
        try:
            return read_shard(self.folder / f"{shard:02d}.{SUFFIX}", self.key)
        except Exception:  # noqa: BLE001 - whatever is wrong with it, it is rebuilt
            return None

    def _from_shards(self, missing: list[str]) -> None:
        """Take what the shard files hold; parse the rest; write the shards that changed."""
        by_shard: dict[int, list[str]] = {}
        for rel in missing:
            by_shard.setdefault(shard_of(rel), []).append(rel)
        todo: dict[int, tuple[list[str], Kept]] = {}
        for shard, wanted in sorted(by_shard.items()):
            left, kept, clean = self._read_shard(shard, wanted)
            if left or not clean:
                todo[shard] = (left, kept)
        count = sum(len(left) for left, _ in todo.values())
        if count >= parallel.PARALLEL_MIN and parallel.can_fork(self.vault):
            self._parse_in_workers({shard: job for shard, job in todo.items() if job[0]})
            todo = {shard: job for shard, job in todo.items() if not job[0]}
        for shard, (left, kept) in todo.items():
            self._parse_serially(left)
            self._write(shard, kept, left)

    def _read_shard(self, shard: int, wanted: list[str]) -> tuple[list[str], Kept, bool]:
        """Take the `wanted` results from one shard file.

        Returns the notes still to parse, the results worth keeping when the file is
        written again, and whether the file is sound and up to date.
        """
        read = self.shards.pop(shard) if shard in self.shards else self._shard_file(shard)
        if read is None:
            return wanted, [], False
        entries, found = read
        needed = set(wanted)  # these belong in this shard: no need to hash them again
        kept: Kept = []
        stamps, results, index = self.stamps, self.results, self.index
        for (rel, stamp), result in zip(entries, found, strict=True):
            if rel in needed:
                if stamps[rel] == stamp:
                    kept.append((rel, stamp, result))
                    needed.discard(rel)
                    results[index[rel]] = result  # `_take`, inline: 10,000 notes
                    if self.gists and result[0] is not None and result[0].gist is None:
                        from vault_touchbase.notes.gist import gist_of_contact

                        gist_of_contact(result[0])  # kept on the contact, and so written
                        self.gained.add(shard)
            elif stamps.get(rel) == stamp and shard_of(rel) == shard:
                kept.append((rel, stamp, result))
        self._report(len(wanted) - len(needed))
        clean = len(kept) == len(entries) and shard not in self.gained
        return [rel for rel in wanted if rel in needed], kept, clean

    def _parse_serially(self, rels: list[str]) -> None:
        from vault_touchbase.vault.listing import read_note

        for rel in rels:
            self._take(rel, read_note(self.vault, rel, size_of(self.stamps[rel]), self.gists))
            self._report(1)

    def _parse_in_workers(self, todo: dict[int, tuple[list[str], Kept]]) -> None:
        """Parse shards in worker processes and in this one. A shard whose every note is
        new and cacheable (a cold load: all of them) is written by its worker, beside the
        parsing; the rest, and this process's own, are written here."""
        self._ensure_folder()
        jobs: list[parallel.Job] = []
        for shard, (left, kept) in todo.items():
            whole = not kept and self.fresh.isdisjoint(left)
            jobs.append(
                parallel.Job(
                    shard,
                    [(rel, size_of(self.stamps[rel])) for rel in left],
                    [(rel, self.stamps[rel]) for rel in left] if whole else None,
                )
            )
        done = parallel.parse_in_workers(self.vault, jobs, self.key, self.folder, self.gists)
        for job, blob in done:
            left, kept = todo[job.shard]
            if blob is None:  # this process's: parsed here
                self._parse_serially(left)
            else:
                for rel, result in zip(left, loads(blob, len(left)), strict=True):
                    self._take(rel, result)
                self._report(len(left))
            if blob is None or job.entries is None:
                self._write(job.shard, kept, left)

    def _ensure_folder(self) -> None:
        if not self.folder.is_dir():
            from vault_touchbase.vault.store import ensure_state_dir

            with contextlib.suppress(OSError):
                ensure_state_dir(self.vault.root)

    def _write(self, shard: int, kept: Kept, parsed: list[str]) -> None:
        """Write a shard: the results kept from the old file and the cacheable new ones."""
        new = [rel for rel in parsed if rel not in self.fresh]
        if not new and shard not in self.gained:
            return  # nothing worth writing (notes that changed just now are parsed each time)
        self._ensure_folder()
        entries = [(rel, stamp) for rel, stamp, _ in kept]
        entries += [(rel, self.stamps[rel]) for rel in new]
        results = [r for _, _, r in kept] + [self.results[self.index[rel]] for rel in new]
        blob = dumps(results)  # type: ignore[arg-type]
        self.unwritten = self.unwritten or write_shard(self.folder, shard, self.key, entries, blob)


def _listing(files: Files, started_ns: int) -> Listed:
    """Each note's stamp (None with trouble), and whether it changed too recently to cache."""
    from vault_touchbase.vault.stamp import stamp_of

    listed: Listed = []
    for rel, stat, trouble in files:
        if trouble or stat is None:
            listed.append((rel, None, trouble, False))
        else:
            listed.append((rel, stamp_of(stat), "", not settled(stat, started_ns)))
    return listed


def _valid_listing(listed: object) -> bool:
    if type(listed) is not list:
        return False
    for item in listed:
        if type(item) is not tuple or len(item) != 4:
            return False
        rel, stamp, trouble, fresh = item
        if type(rel) is not str or type(trouble) is not str or type(fresh) is not bool:
            return False
        if stamp is not None and (type(stamp) is not bytes or len(stamp) != STAMP_SIZE):
            return False
    return True
