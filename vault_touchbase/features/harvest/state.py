"""What harvest read from each source, kept in `.vtb/harvest/` so a second run is fast.

Only a cache: a Maildir by file name (each file's `Mail`, or "bulk"/"bad"); an mbox
by its size, mtime and the number of messages read, with a digest of the bytes just
before its old end, so a file that only grew is read from where the last run
stopped and anything else is read again; a calendar file by its stamp and the window
it was read for (its past events, before anyone is looked up in them). Which touches
are logged is never kept here: the notes' block ids are that record (they sync with
the vault).
A state file that is missing, corrupt or from another vtb is a miss, never an error.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from hashlib import blake2b
from pathlib import Path

from vault_touchbase.features.harvest.found import PastEvent
from vault_touchbase.features.harvest.mailread import (
    Mail,
    MailRead,
    Progress,
    read_maildir,
    read_mbox,
    tally,
)

STATE_FOLDER = "harvest"
_FORMAT = 1
_TAIL = 256  # bytes before an mbox's old end that must be unchanged to read on from there


@dataclass
class MaildirState:
    """One Maildir folder as the last run read it: file name → Mail or "bulk"/"bad"."""

    version: str
    path: str
    known: dict[str, Mail | str] = field(default_factory=dict)


@dataclass
class IcsState:
    """One calendar file's past events in one window, as the last run read them."""

    version: str
    path: str
    stamp: str  # size, mtime and inode: the file as it was read
    window: str  # the window it was read for (a new day reads it again)
    events: list[PastEvent] = field(default_factory=list)
    skipped: str = ""  # why the file, or some of its events, could not be read


@dataclass
class MboxState:
    """One mbox file as the last run read it."""

    version: str
    path: str
    size: int = 0
    mtime_ns: int = 0
    tail: str = ""  # a digest of the `_TAIL` bytes before `size`
    values: list[Mail | str] = field(default_factory=list)


def _version() -> str:
    """What the kept messages depend on besides the files: this format, vtb's code (how a
    message is read) and the Python (its `email` package)."""
    import sys

    from vault_touchbase.vault.shards import code_digest

    return f"{_FORMAT} {code_digest()} {sys.implementation.cache_tag}"


def _file_for(state_dir: Path, kind: str, path: Path) -> Path:
    name = blake2b(f"{kind}\0{path}".encode("utf-8", "surrogateescape"), digest_size=10)
    return state_dir / STATE_FOLDER / f"{kind}-{name.hexdigest()}.msgpack"


def _load(
    file: Path, kind: type[MaildirState] | type[MboxState] | type[IcsState], path: Path
) -> object | None:
    import msgspec

    try:
        state = msgspec.msgpack.decode(file.read_bytes(), type=kind)
    except (OSError, msgspec.DecodeError, msgspec.ValidationError):
        return None
    if state.version != _version() or state.path != str(path):
        return None
    return state


def _save(state_dir: Path, file: Path, state: MaildirState | MboxState | IcsState) -> None:
    """Keep the state (atomically); a state that cannot be written only costs speed."""
    import msgspec

    from vault_touchbase.vault.store import atomic_write, ensure_state_dir

    with contextlib.suppress(OSError):
        ensure_state_dir(state_dir.parent)
        file.parent.mkdir(exist_ok=True)
        atomic_write(file, msgspec.msgpack.encode(state))


def maildir_source(path: Path, state_dir: Path, progress: Progress | None = None) -> MailRead:
    """The messages of a Maildir folder, reading only the files the last run did not."""
    file = _file_for(state_dir, "maildir", path)
    old = _load(file, MaildirState, path)
    known = old.known if isinstance(old, MaildirState) else {}
    result, now = read_maildir(path, known, progress)
    if now != known:
        _save(state_dir, file, MaildirState(_version(), str(path), now))
    return result


def _tail_digest(path: Path, size: int) -> str:
    with open(path, "rb") as handle:
        handle.seek(max(0, size - _TAIL))
        return blake2b(handle.read(min(size, _TAIL)), digest_size=16).hexdigest()


def mbox_source(path: Path, state_dir: Path, progress: Progress | None = None) -> MailRead:
    """The messages of an mbox file: none read again when it is unchanged, only the new
    ones when it grew (mail appended), all of them otherwise."""
    source = f"mbox {path}"
    stat = os.stat(path)
    file = _file_for(state_dir, "mbox", path)
    old = _load(file, MboxState, path)
    if isinstance(old, MboxState):
        if (old.size, old.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
            return tally(source, old.values)
        grew = stat.st_size > old.size and _tail_digest(path, old.size) == old.tail
        values = list(old.values) if grew else []
    else:
        values = []
    # The message last read may have been cut short while it was being written: read it again.
    first = max(0, len(values) - 1)
    found, count = read_mbox(path, first, progress)
    values = values[:first] + found
    after = os.stat(path)
    # kept only when the file did not change while it was read
    if count == len(values) and (after.st_size, after.st_mtime_ns) == (
        stat.st_size,
        stat.st_mtime_ns,
    ):
        tail = _tail_digest(path, stat.st_size)
        _save(
            state_dir,
            file,
            MboxState(_version(), str(path), stat.st_size, stat.st_mtime_ns, tail, values),
        )
    return tally(source, values)


def ics_events(
    path: Path,
    window: str,
    read: Callable[[Path], tuple[list[PastEvent], str]],
    state_dir: Path | None,
) -> tuple[list[PastEvent], str]:
    """A calendar file's past events in `window` (and why some could not be read): kept
    from the last run when the file and the window are the same, else `read(path)`."""
    try:
        stat = os.stat(path)
    except OSError:
        return read(path)
    stamp = f"{stat.st_size} {stat.st_mtime_ns} {stat.st_ino}"
    if state_dir is None:
        return read(path)
    file = _file_for(state_dir, "ics", path)
    old = _load(file, IcsState, path)
    if isinstance(old, IcsState) and (old.stamp, old.window) == (stamp, window):
        return old.events, old.skipped
    events, skipped = read(path)
    after = os.stat(path)
    if f"{after.st_size} {after.st_mtime_ns} {after.st_ino}" == stamp:  # unchanged meanwhile
        _save(state_dir, file, IcsState(_version(), str(path), stamp, window, events, skipped))
    return events, skipped
