"""Safe file writes and the vault-wide lock.

Every byte vtb writes into a vault goes through `atomic_write` (a temp file in
the same folder, fsync, then `os.replace`), so a crash never leaves half a
note; a new file goes through `create_new`, never over another. Edits of a
note go through `read_snapshot` + `replace_if_unchanged`, so a save made by
an editor in between is never overwritten. Edit + commit run
inside `vault_lock`, shared by the CLI and the watcher.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from vault_touchbase.core.errors import NoteError, VtbError, WriteFailed
from vault_touchbase.core.settings import STATE_DIR, TEMP_SUFFIX

WRITE_BITS = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH
LOCK_NAME = "lock"
_POLL_SECONDS = 0.05


class ChangedOnDisk(NoteError):
    """The note changed on disk between vtb reading it and writing it; nothing was written."""


def is_temp_file(path: Path | str) -> bool:
    """True for the temp files `atomic_write` makes (so a file watcher can skip them)."""
    name = os.path.basename(os.fspath(path))
    return name.startswith(".") and name.endswith(TEMP_SUFFIX)


REFUSED_HINT = "check that the disk has space and the files and folders are yours to change"
"""What to do when the disk or the system refused (`cause_of` says what)."""

_HINTS = {
    errno.ENOSPC: "free some space on the disk",
    errno.EDQUOT: "free some space on the disk",
    errno.EACCES: "check that the files and folders are yours to change",
    errno.EPERM: "check that the files and folders are yours to change",
    errno.EROFS: "the disk is read-only: mount it writable",
    errno.ENOTDIR: "a file stands where a folder is needed on that path: rename or move it",
    errno.EISDIR: "a folder stands where a file is needed: rename or move it",
    errno.ELOOP: "a link on that path goes round in a loop: remove it",
}


def refused_hint(exc: OSError) -> str:
    """What to do about what the disk or the system refused, by its cause."""
    return _HINTS.get(exc.errno or 0, REFUSED_HINT)


def cause_of(exc: OSError) -> str:
    """What went wrong, as a user reads it: `no space left on device`, `permission denied`."""
    text = exc.strerror or str(exc) or type(exc).__name__
    return text[:1].lower() + text[1:]


def atomic_write(path: Path, data: bytes) -> None:
    """Replace `path` with `data` all at once: readers see the old file or the new, never half.

    The bytes are written exactly as given (line endings and a BOM are the
    caller's business). An existing file keeps its permission bits; a new one
    gets the usual `0o666 & ~umask`. A symlink is followed, so the link stays
    a link and its target gets the new content. On any failure the temp file
    is removed and the original is left as it was.

    A file without a write bit for anyone (`chmod 444`) is refused, as editors
    refuse it, whoever runs vtb (root included). Every failure to write raises
    `WriteFailed` naming the file and the cause.
    """
    try:
        _atomic_write(path, data)
    except OSError as exc:
        raise WriteFailed(str(path), cause_of(exc)) from exc


def write_output(path: Path, data: bytes) -> None:
    """Write `data` to a file the user named for a command's output (`-o FILE`): a new or
    regular file is replaced at once (`atomic_write`); a device or a pipe (`/dev/stdout`,
    `/dev/null`, a FIFO a program reads) is written into, never replaced by a file."""
    if kind_of(path) in ("a device", "a pipe", "a socket"):
        try:
            with open(path, "wb") as handle:
                handle.write(data)
        except OSError as exc:
            raise WriteFailed(str(path), cause_of(exc)) from exc
        return
    atomic_write(path, data)


def _atomic_write(path: Path, data: bytes) -> None:
    target = Path(os.path.realpath(path)) if os.path.islink(path) else Path(path)
    folder = target.parent
    try:
        mode: int | None = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = None
    if mode is not None and not mode & WRITE_BITS:
        raise _read_only(str(path))
    fd, temp = _create_temp(folder, target.name)
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            if mode is not None:
                os.fchmod(fd, mode)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _fsync_dir(folder)


def check_writable(path: Path, shown: str = "") -> None:
    """Raise `WriteFailed` (naming `shown`, else `path`) when `path` is a file without a write
    bit for anyone, as `chmod 444` leaves it: so a change of several files can refuse before
    writing any. A missing file passes."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return
    if not mode & WRITE_BITS:
        raise _read_only(shown or str(path))


def _read_only(shown: str) -> WriteFailed:
    return WriteFailed(
        shown,
        "the file is read-only",
        "vtb changes no read-only file; make it writable (chmod u+w) if it should",
    )


def create_new(path: Path, data: bytes) -> None:
    """Create `path` holding `data`, all at once, never over an existing file.

    The bytes go to a hidden temp file in the same folder (fsynced), which is
    then hard-linked to the real name: the link fails if the name is taken, so
    readers see no file or the whole file. Raises FileExistsError when `path`
    exists, and `WriteFailed` (naming the file and the cause) when it cannot be
    written. On a file system without hard links, an exclusive create is used
    (still never over a file, but a crash may leave it short).
    """
    try:
        _create_new(path, data)
    except FileExistsError:
        raise
    except OSError as exc:
        raise WriteFailed(str(path), cause_of(exc)) from exc


def _create_new(path: Path, data: bytes) -> None:
    folder = path.parent
    fd, temp = _create_temp(folder, path.name)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(temp, path, follow_symlinks=False)
        except FileExistsError:
            raise
        except OSError:  # no hard links here (some FUSE and FAT file systems)
            with open(path, "xb") as handle:
                handle.write(data)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temp)
    _fsync_dir(folder)


def _create_temp(folder: Path, name: str) -> tuple[int, Path]:
    """Open a new hidden temp file next to the target (mode 0o666 minus the umask)."""
    stem = name[:80]  # keep the temp name under the 255-byte limit of most file systems
    for _ in range(100):
        temp = folder / f".{stem}.{os.urandom(4).hex()}{TEMP_SUFFIX}"
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
        except FileExistsError:
            continue
        return fd, temp
    raise FileExistsError(errno.EEXIST, "no free temp file name", str(folder))


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable; not every file system allows this, so failures pass."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class InputRefused(VtbError):
    """A file vtb was given to read is no regular file, or is over its size limit."""


_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISFIFO, "a pipe"),
    (stat.S_ISSOCK, "a socket"),
)
_CHUNK = 1 << 20


def kind_of(path: Path | str) -> str | None:
    """What stands at `path` when it is no regular file ("a folder", "a pipe", "a device",
    "a socket"; a link is followed), so a caller can say so instead of reading it (a pipe
    would wait for a writer forever); None for a regular file, or nothing there."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def read_limited(path: Path | str, limit: int, shown: str = "") -> bytes:
    """The bytes of the regular file at `path`, refusing anything else and anything longer
    than `limit` bytes, with `InputRefused` naming `shown` (else `path`).

    At most `limit + 1` bytes are read whatever the file claims (a device's or a /proc
    file's size is 0), and a pipe is refused without waiting for a writer. Other
    failures (no such file, no permission) raise their OSError.
    """
    where = shown or str(path)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
            raise InputRefused(f"{where} is {kind}, not a file vtb reads", "give a regular file")
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            chunk = os.read(fd, min(limit + 1 - total, _CHUNK))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    finally:
        os.close(fd)
    if total > limit:
        message = f"{where} is over the {_size(limit)} limit; not read"
        raise InputRefused(message, "give a smaller file, or split it")
    return b"".join(chunks)


def _size(count: int) -> str:
    if count >= 1048576:
        return f"{count / 1048576:g} MB"
    return f"{count / 1024:g} KB" if count >= 1024 else f"{count}-byte"


@dataclass(frozen=True)
class FileSnapshot:
    """A note's bytes as vtb read them, to detect a change made before vtb writes back."""

    path: Path
    data: bytes
    mtime_ns: int
    size: int


def read_snapshot(path: Path) -> FileSnapshot:
    """Read a file's bytes together with its mtime and size (from the same open file)."""
    with open(path, "rb") as handle:
        info = os.fstat(handle.fileno())
        data = handle.read()
    return FileSnapshot(path=Path(path), data=data, mtime_ns=info.st_mtime_ns, size=info.st_size)


def replace_if_unchanged(snapshot: FileSnapshot, new_data: bytes) -> None:
    """Write `new_data` over the note only if it still holds exactly `snapshot.data`.

    Callers hold `vault_lock`; the re-read here also catches editors that do
    not take the lock. The bytes are compared (not the mtime, which some file
    systems keep only to the second). A changed or deleted note raises
    `ChangedOnDisk` and is left as the other writer left it.
    """
    path = snapshot.path
    try:
        current: bytes | None = path.read_bytes()
    except FileNotFoundError:
        current = None
    if current != snapshot.data:
        what = "was deleted" if current is None else "changed on disk"
        raise ChangedOnDisk(
            f"{path}: the note {what} while vtb was editing it; vtb wrote nothing — try again",
            "vtb reads the note afresh on the next run",
        )
    atomic_write(path, new_data)


def ensure_state_dir(vault: Path) -> Path:
    """Return `<vault>/.vtb`, creating it with a `.gitignore` of `*` so git never commits it."""
    state = Path(vault) / STATE_DIR
    state.mkdir(parents=True, exist_ok=True)
    ignore = state / ".gitignore"
    if not ignore.exists():
        # Exclusive create: of two processes racing here, only one writes.
        with contextlib.suppress(FileExistsError), open(ignore, "x", encoding="utf-8") as handle:
            handle.write("# vtb's state (caches, locks): never committed\n*\n")
    return state


class _Held:
    """This process's hold on one vault's lock file."""

    def __init__(self) -> None:
        self.thread_lock = threading.RLock()  # excludes other threads of this process
        self.depth = 0  # how many nested `vault_lock` blocks are open
        self.fd: int | None = None


_HELD: dict[str, _Held] = {}
_HELD_GUARD = threading.Lock()


def _forget_inherited_locks() -> None:
    """In a forked child, the parent's holds are not ours: start afresh.

    The inherited descriptors are closed without unlocking (an unlock would
    release the parent's lock too, as they share the open file).
    """
    global _HELD_GUARD
    for held in _HELD.values():
        if held.fd is not None:
            with contextlib.suppress(OSError):
                os.close(held.fd)
        held.fd = None  # a `with` block open across the fork then ends without closing it
        held.depth = 0
    _HELD.clear()
    _HELD_GUARD = threading.Lock()


os.register_at_fork(after_in_child=_forget_inherited_locks)


@contextlib.contextmanager
def vault_lock(vault: Path, timeout: float = 10.0) -> Iterator[None]:
    """Hold the vault-wide lock (`<vault>/.vtb/lock`) around an edit + commit.

    Every vtb process (CLI, watcher, hour session) takes it before changing a
    note, so their edits and commits never interleave. Nested use in the same
    thread is fine (re-entrant); other threads and processes wait up to
    `timeout` seconds, then get a `VtbError` naming the holder's pid. The
    operating system releases the lock when its holder dies, so a crash never
    leaves the vault locked.
    """
    try:
        state = ensure_state_dir(vault)
    except FileExistsError:  # a file (or a link to one) where the folder goes
        raise VtbError(
            f"vtb keeps its lock and caches in the folder {STATE_DIR}, but"
            f" {Path(vault) / STATE_DIR} is a file",
            "move or delete that file (vtb makes the folder again), then run the command again",
        ) from None
    lock_path = state / LOCK_NAME
    key = os.path.realpath(lock_path)
    deadline = time.monotonic() + timeout
    with _HELD_GUARD:
        held = _HELD.setdefault(key, _Held())
    if not held.thread_lock.acquire(timeout=max(timeout, 0.0)):
        raise _lock_timeout(lock_path, timeout)
    try:
        if held.depth == 0:
            held.fd = _take_flock(lock_path, deadline, timeout)
        held.depth += 1
    except BaseException:
        held.thread_lock.release()
        raise
    try:
        yield
    finally:
        held.depth -= 1
        if held.depth == 0 and held.fd is not None:
            fd, held.fd = held.fd, None
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            os.close(fd)  # closing the only descriptor releases the flock
        held.thread_lock.release()


@contextlib.contextmanager
def vault_lock_if_free(vault: Path) -> Iterator[bool]:
    """`vault_lock` held (True) if it can be taken at once; else none (False): another
    process holds it, or its file cannot be made or opened (a read-only vault, a `.vtb`
    that is not the user's). For a command that may find it has nothing to write (`vtb
    refresh`, answered by its memo); what it then writes takes `vault_lock` itself, which
    waits for a busy vault and says why a read-only one cannot be written."""
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(vault_lock(vault, timeout=0.0))
        except (OSError, VtbError):
            held = False
        else:
            held = True
        yield held


def _take_flock(lock_path: Path, deadline: float, timeout: float) -> int:
    """Open the lock file and wait for an exclusive flock on it; record our pid inside."""
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise _lock_timeout(lock_path, timeout) from None
                time.sleep(_POLL_SECONDS)
        with contextlib.suppress(OSError):  # only for the "busy" message: a full disk
            os.ftruncate(fd, 0)  # leaves the lock held all the same, and the command
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)  # names the file it cannot write
    except BaseException:
        os.close(fd)
        raise
    return fd


def _lock_timeout(lock_path: Path, timeout: float) -> VtbError:
    try:
        pid = lock_path.read_text(encoding="utf-8").strip()
    except OSError:
        pid = ""
    holder = f"another vtb process (pid {pid})" if pid.isdigit() else "another vtb process"
    return VtbError(
        f"the vault is busy: {holder} has held {lock_path} for more than {timeout:g} s",
        "wait for it to finish and run the command again"
        + (f"; if it hangs, stop it (`kill {pid}`)" if pid.isdigit() else ""),
    )
