"""What vtb keeps in `.vtb/` besides parse results: work keyed by exactly what it read.

- `recall` and `remember`: lines computed from the notes (the index's introductions),
  kept with a digest of their inputs; the same inputs give the kept lines back.
- the refresh memo: what the index note was last rebuilt from (the digest of every
  note's path and stamp, Now.md's stamp, the date, the settings, vtb's code) and the
  bytes it wrote; a
  `vtb refresh` that finds all of it unchanged says the same again without loading.
"""

from __future__ import annotations

import contextlib
import os
import pickle
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from vault_touchbase.core.model import Problem
from vault_touchbase.core.templates import NOW_PATH
from vault_touchbase.vault.safe_pickle import BuiltinsUnpickler, ProblemsUnpickler
from vault_touchbase.vault.shards import cache_key
from vault_touchbase.vault.stamp import Stamp, stamp_of

try:  # what hashlib itself uses, without loading OpenSSL (2.5 ms of every start)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import blake2b

if TYPE_CHECKING:
    from vault_touchbase.vault.folder import Vault

MEMO_FILE = "refresh-memo.pickle"
Summary = tuple[tuple[int, ...], tuple[Problem, ...]]  # (numbers to show, problems)
Listed = tuple[str, Stamp | None, str]  # path, stamp (None: trouble), trouble


def listing_digest(listing: Iterable[Listed]) -> str:
    """A digest of a vault's note listing: each note's path and stamp (or trouble)."""
    data = pickle.dumps(list(listing), protocol=pickle.HIGHEST_PROTOCOL)  # one C call
    return blake2b(data, digest_size=16).hexdigest()


class Recalled(NamedTuple):
    """What `recall` found: the lines kept for the inputs (None: none, or not for these),
    and the key new lines are kept under (`remember`)."""

    lines: list[str] | None
    key: tuple[str, ...]


def recall(vault: Vault, name: str, inputs: object) -> Recalled:
    """The lines kept in `.vtb/NAME-memo.pickle` with a digest of their `inputs` (plain
    values and vtb's model types: everything computing them reads), if the same inputs,
    vtb and settings made them."""
    import msgspec  # deterministic bytes for equal values, dataclasses included, in C

    digest = blake2b(msgspec.msgpack.encode(inputs), digest_size=16).hexdigest()
    key = (*cache_key(vault), repr(vault.settings), name, digest)
    try:
        with open(vault.state_dir / f"{name}-memo.pickle", "rb") as handle:
            kept_key, lines = BuiltinsUnpickler(handle).load()
        if kept_key == key and isinstance(lines, list) and all(type(x) is str for x in lines):
            return Recalled(lines, key)
    except Exception:  # noqa: BLE001 - none kept yet, or corrupt: computed again
        pass
    return Recalled(None, key)


def remember(vault: Vault, name: str, recalled: Recalled, lines: list[str]) -> None:
    """Keep `lines`, computed from the inputs `recall` was asked about, for the next run."""
    write_state(vault, vault.state_dir / f"{name}-memo.pickle", (recalled.key, lines))


def kept(vault: Vault, name: str, key: tuple[str, ...]) -> object:
    """What `keep` stored in `.vtb/NAME-memo.pickle` under this `key` and vtb's code (plain
    values only); None when nothing, something else or something damaged is there."""
    try:
        with open(vault.state_dir / f"{name}-memo.pickle", "rb") as handle:
            kept_key, value = BuiltinsUnpickler(handle).load()
    except Exception:  # noqa: BLE001 - none kept yet, or corrupt: the caller starts afresh
        return None
    return value if kept_key == (*cache_key(vault), *key) else None


def keep(vault: Vault, name: str, key: tuple[str, ...], value: object) -> None:
    """Keep plain `value` in `.vtb/NAME-memo.pickle` for `kept` with the same key."""
    write_state(vault, vault.state_dir / f"{name}-memo.pickle", ((*cache_key(vault), *key), value))


def write_state(vault: Vault, path: Path, value: object) -> None:
    """Pickle `value` into a file in `.vtb/` at once (temp file, rename); never an error."""
    import tempfile

    from vault_touchbase.vault.store import ensure_state_dir

    try:
        ensure_state_dir(vault.root)
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


def _memo_key(vault: Vault, today: str, listing: str, index: bytes) -> tuple[str, ...]:
    digest = blake2b(index, digest_size=16).hexdigest()
    return (
        *cache_key(vault),
        repr(vault.settings),
        today,
        listing,
        digest,
        _stamp_hex(vault.chart_path),
        _stamp_hex(vault.path_of(NOW_PATH)),
    )


def _stamp_hex(path: Path | None) -> str:
    """A file's stamp as hex ("" when off or missing): the chart (deleted or replaced since
    the last rebuild, it is drawn again) and Now.md (its needs are in the index note)."""
    try:
        return "" if path is None else stamp_of(os.stat(path)).hex()
    except OSError:
        return ""


def remember_index(
    vault: Vault, today: str, listing: str | None, text: str, summary: Summary
) -> None:
    """Record what the index note was rebuilt from (`listing`: the load's digest, None
    when a note had just changed), the bytes it holds and what to say."""
    if listing is None:
        return
    key = _memo_key(vault, today, listing, text.encode("utf-8"))
    write_state(vault, vault.state_dir / MEMO_FILE, (key, summary))


def unchanged_index(
    vault: Vault, today: str, listing: str
) -> tuple[tuple[int, int, int, int, int, int], tuple[Problem, ...]] | None:
    """What the last rebuild said, if the index note it wrote is untouched (no ticks, no
    edits) and nothing it was built from changed: no note (`listing`: the digest of the
    notes as listed now), setting, date or vtb code. (A rebuild is remembered only when
    every note had settled, so a note changed since has another stamp.)"""
    try:
        with open(vault.state_dir / MEMO_FILE, "rb") as handle:
            key, summary = ProblemsUnpickler(handle).load()
        index = vault.index_path.read_bytes()
    except Exception:  # noqa: BLE001 - no memo, no index, a corrupt memo: the long way
        return None
    if key != _memo_key(vault, today, listing, index):
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
