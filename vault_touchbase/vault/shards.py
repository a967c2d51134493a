"""The parse cache's files: `.vtb/parse-cache/NN.pickle`, one per shard of the notes.

A note belongs to one of `SHARDS` files by a hash of its path, so one changed note
rewrites one small file. A file holds its key (everything a parse result depends on
besides the note's bytes: see `cache_key`), the (path, stamp) of each note in it, and
their results. A file with another key — or corrupt, cut short or foreign — is a miss.

Only builtins, vtb's own model classes and dates are unpickled; anything else makes the
whole file a miss. Files are written whole to a temp file and renamed over, so a reader
sees an old file or a new one, never half of one.
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import re
import sys
import zlib
from collections.abc import Callable
from dataclasses import fields, is_dataclass
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vault_touchbase import __version__
from vault_touchbase.core import model
from vault_touchbase.core.model import Contact, Problem
from vault_touchbase.vault.stamp import STAMP_SIZE, Stamp

try:  # what hashlib itself uses, without loading OpenSSL (2.5 ms of every start)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import blake2b

if TYPE_CHECKING:
    from vault_touchbase.vault.folder import Vault

CACHE_DIR = "parse-cache"
FORMAT = 5
MAGIC = "vtb-parse-cache"
TRAILER = b"\x00vtb-end"
SHARDS = 64  # a note changed rewrites one file of about 150 notes: a few milliseconds
PARSERS = ("yaml", "markdown_it")  # the libraries whose versions a parse depends on

Result = tuple[Contact | None, list[Problem]]
Entries = list[tuple[str, Stamp]]  # a shard file's (path, stamp) of each note, in order


def shard_of(rel: str) -> int:
    return zlib.crc32(rel.encode("utf-8", "surrogateescape")) % SHARDS


# --- the key ------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of every module of vtb, so a cache never outlives the code that wrote it."""
    package = Path(__file__).resolve().parent.parent
    digest = blake2b(__version__.encode(), digest_size=16)
    for path in sorted(package.rglob("*.py")):
        with contextlib.suppress(OSError):
            name = path.relative_to(package).as_posix()
            digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


_VERSION = re.compile(rb"""^__version__\s*=\s*['"]([^'"]+)['"]""", re.MULTILINE)


@lru_cache(maxsize=1)
def parser_versions() -> str:
    """The versions of PyYAML and markdown-it-py, read from their `__init__.py`
    (importing them, or importlib.metadata, would cost 50-100 ms of every start)."""
    found = []
    for name in PARSERS:
        try:
            spec = find_spec(name)
            data = Path(spec.origin).read_bytes() if spec and spec.origin else b""
        except (ImportError, OSError, ValueError):
            data = b""
        match = _VERSION.search(data)
        version = match.group(1).decode() if match else blake2b(data).hexdigest()[:16]
        found.append(f"{name}={version}")
    return " ".join(found)


def cache_key(vault: Vault) -> tuple[str, ...]:
    """Everything a parse result depends on besides the note's bytes: vtb's code, the
    Python, the YAML and Markdown parsers, and the settings that change parsing."""
    return (
        MAGIC,
        str(FORMAT),
        code_digest(),
        sys.implementation.cache_tag or "",
        parser_versions(),
        vault.settings.fingerprint(),
    )


# --- results as bytes -----------------------------------------------------------------------


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


class SafeUnpickler(pickle.Unpickler):
    """Builds builtins, vtb's model classes and dates; anything else is refused."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the parse cache")
        return super().find_class(module, name)


class BuiltinsUnpickler(pickle.Unpickler):
    """Builds only builtin values (tuples, strings, numbers)."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the parse cache")


def loads(data: bytes | io.BytesIO, count: int) -> list[Result]:
    """`count` results from bytes `dumps` made; ValueError (or a pickle error) otherwise."""
    stream = data if isinstance(data, io.BytesIO) else io.BytesIO(data)
    found = SafeUnpickler(stream).load()
    if not _valid_results(found, count):
        raise ValueError("not the results of this shard")
    return found  # type: ignore[no-any-return]


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
    for entry in entries:
        if type(entry) is not tuple or len(entry) != 2:
            return False
        rel, stamp = entry
        if type(rel) is not str or type(stamp) is not bytes or len(stamp) != STAMP_SIZE:
            return False
    return True


# --- shard files ------------------------------------------------------------------------------


def read_shard(path: Path, key: tuple[str, ...]) -> tuple[Entries, list[Result]]:
    """A shard file's entries and their results.

    Raises (OSError, ValueError, pickle errors...) for a missing, cut-short, foreign or
    malformed file.
    """
    data = path.read_bytes()
    if not data.endswith(TRAILER):
        raise ValueError("not a complete shard file")
    stream = io.BytesIO(data)
    if BuiltinsUnpickler(stream).load() != key:
        raise ValueError("written by another vtb, Python, parser or settings")
    entries = BuiltinsUnpickler(stream).load()
    if not _valid_entries(entries):
        raise ValueError("not a shard index")
    results = loads(stream, len(entries))
    if stream.tell() != len(data) - len(TRAILER):
        raise ValueError("results do not match the index")
    return list(entries), results


def write_shard(
    folder: Path, shard: int, key: tuple[str, ...], entries: Entries, blob: bytes
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
