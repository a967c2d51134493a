"""The parse cache's files: `.vtb/parse-cache/NN.msgpack`, one per shard of the notes.

A note belongs to one of `SHARDS` files by a hash of its path, so one changed note
rewrites one small file. A file holds its key (everything a parse result depends on
besides the note's bytes: see `cache_key`), the (path, stamp) of each note in it, and
their results. A file with another key — or corrupt, cut short or foreign — is a miss.

A file is msgpack (msgspec) decoded into vtb's own model types only: a value of any
other type makes the whole file a miss. Files are written whole to a temp file and
renamed over, so a reader sees an old file or a new one, never half of one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import struct
import sys
import zlib
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vault_touchbase import __version__
from vault_touchbase.core.model import Contact, Problem, shared_keys
from vault_touchbase.vault.stamp import STAMP_SIZE, Stamp, stamp_of

try:  # what hashlib itself uses, without loading OpenSSL (2.5 ms of every start)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import blake2b

if TYPE_CHECKING:
    from vault_touchbase.vault.folder import Vault

CACHE_DIR = "parse-cache"
SUFFIX = "msgpack"
FORMAT = 7
MAGIC = "vtb-parse-cache"
MAGIC_BYTES = b"vtb-parse-cache\x00"
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
    """A digest of every module of vtb and its data files (the built-in synonyms), so a
    cache never outlives the code that wrote it."""
    return digest_of_code(Path(__file__).resolve().parent.parent)


def digest_of_code(package: Path) -> str:
    """A digest of the name and stamp of each `.py` and `.toml` file under `package`.

    The stamp is a note's (`stamp.py`: size, mtime, ctime, inode), so any write to a
    module changes the digest without a byte of it being read: a few stat calls instead
    of reading and hashing the whole package on every start (6 ms of each command).
    """
    found: list[tuple[str, bytes]] = []
    for folder, subfolders, files in os.walk(package):
        subfolders[:] = [name for name in subfolders if name != "__pycache__"]
        for name in files:
            if name.endswith((".py", ".toml")):
                path = os.path.join(folder, name)
                with contextlib.suppress(OSError):
                    found.append((os.path.relpath(path, package), stamp_of(os.stat(path))))
    digest = blake2b(__version__.encode(), digest_size=16)
    for name, stamp in sorted(found):
        digest.update(name.replace(os.sep, "/").encode() + b"\0" + stamp)
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

# msgpack through msgspec, decoded straight into vtb's model types: about 2 µs a note to
# write and 6 to read, against 15 and 11 for pickle, and decoding runs no code of the
# file's choosing — a value of the wrong type fails the whole shard (a miss), never more.
_LENGTH = struct.Struct("<I")


@lru_cache(maxsize=1)
def _codec() -> tuple[Any, Any, Any]:
    """msgspec's encoder and the two typed decoders (imported when first needed: the
    refresh memo's check, which reads no shard, does not pay for it)."""
    import msgspec

    return (
        msgspec.msgpack.Encoder(),
        msgspec.msgpack.Decoder(
            tuple[list[dict[str, str]], list[int], list[tuple[Contact | None, list[Problem]]]]
        ),
        msgspec.msgpack.Decoder(tuple[list[str], list[tuple[str, bytes]]]),
    )


_NO_KEYS: dict[str, str] = {}  # a contact's `keys` as written: the mappings are kept apart


def dumps(results: list[Result]) -> bytes:
    """Parse results as bytes for the cache.

    Each distinct `keys` mapping is written once, and each contact names its mapping by
    number: 10,000 notes share a few dozen, and decoding (and freeing) a mapping per
    contact was a third of what reading a shard cost. While encoding, the contacts (all
    made by the load that writes them, which no one else holds yet) carry an empty
    mapping; theirs is put back before this returns.
    """
    maps: list[dict[str, str]] = []
    numbers: dict[int, int] = {}  # id of a shared mapping -> its number in `maps`
    which: list[int] = []
    swapped: list[tuple[Contact, dict[str, str]]] = []
    for contact, _ in results:
        keys = contact.keys if contact is not None else None
        if not keys:
            which.append(-1)
            continue
        number = numbers.get(id(keys))
        if number is None:
            number = numbers[id(keys)] = len(maps)
            maps.append(keys)
        which.append(number)
        swapped.append((contact, keys))  # type: ignore[arg-type]
    try:
        for contact, _ in swapped:
            object.__setattr__(contact, "keys", _NO_KEYS)
        return _codec()[0].encode((maps, which, results))  # type: ignore[no-any-return]
    finally:
        for contact, keys in swapped:
            object.__setattr__(contact, "keys", keys)


def loads(data: bytes | memoryview, count: int) -> list[Result]:
    """`count` results from bytes `dumps` made; ValueError (msgspec's errors are) otherwise."""
    maps, which, results = _codec()[1].decode(data)
    if len(results) != count or len(which) != count:
        raise ValueError("not the results of this shard")
    # 100,000 notes use a few dozen `keys` mappings (one per dialect and set of fields):
    # each decoded contact gets the shared one, set once right after decoding and before
    # anyone holds the contact, as a frozen dataclass's own __init__ sets its fields.
    shared = [shared_keys(keys) for keys in maps]
    for (contact, _), number in zip(results, which, strict=True):
        if number >= 0 and contact is not None:
            if number >= len(shared):
                raise ValueError("a contact's keys are not in this shard")
            object.__setattr__(contact, "keys", shared[number])
    return results


# --- shard files ------------------------------------------------------------------------------


def read_shard(path: Path, key: tuple[str, ...]) -> tuple[Entries, list[Result]]:
    """A shard file's entries and their results.

    Raises (OSError, ValueError, msgspec's errors) for a missing, cut-short, foreign or
    malformed file.
    """
    data = path.read_bytes()
    if not data.startswith(MAGIC_BYTES) or not data.endswith(TRAILER):
        raise ValueError("not a complete shard file")
    view = memoryview(data)[len(MAGIC_BYTES) : len(data) - len(TRAILER)]
    (length,) = _LENGTH.unpack_from(view)
    kept_key, entries = _codec()[2].decode(view[_LENGTH.size : _LENGTH.size + length])
    if tuple(kept_key) != key:
        raise ValueError("written by another vtb, Python, parser or settings")
    if any(len(stamp) != STAMP_SIZE for _, stamp in entries):
        raise ValueError("not a shard index")
    results = loads(view[_LENGTH.size + length :], len(entries))
    return entries, results


# A vault the user keeps read-only (a backup, a mounted snapshot) still works, only slower,
# without a word; any other failure to write the cache (a full disk) is said.
_READ_ONLY = frozenset({errno.EROFS, errno.EACCES, errno.EPERM})


def write_shard(
    folder: Path, shard: int, key: tuple[str, ...], entries: Entries, blob: bytes
) -> OSError | None:
    """Replace one shard file at once; `blob` is `dumps` of the entries' results.

    Returns None when written (or when the vault is read-only: it still works, only
    slower), else why it could not be written (a full disk)."""
    import tempfile

    header = _codec()[0].encode((list(key), entries))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=f".{shard:02d}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        return _unwritten(exc)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(MAGIC_BYTES + _LENGTH.pack(len(header)) + header + blob + TRAILER)
        os.replace(temp, folder / f"{shard:02d}.{SUFFIX}")
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        return _unwritten(exc)
    return None


def _unwritten(exc: OSError) -> OSError | None:
    return None if exc.errno in _READ_ONLY else exc
