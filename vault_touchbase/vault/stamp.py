"""What identifies one version of a note's bytes without reading them: its stamp.

One stamp type for every "has this note changed?" question: the parse cache serves a
result only for the stamp it was parsed under, the refresh memo digests the stamps of
the whole listing, and the watcher compares stamps to tell a real change from noise.
"""

from __future__ import annotations

import os
import struct
import time

Stamp = bytes  # mtime_ns, size, ctime_ns and inode, packed: 100,000 of them are held
RACY_NS = 2_000_000_000  # a note changed this recently may change again within one tick

_STAMP = struct.Struct("<qQqQ")
STAMP_SIZE = _STAMP.size


def now_ns() -> int:
    """The clock the racy rule is judged by (a seam: tests move it)."""
    return time.time_ns()


def stamp_of(stat: os.stat_result) -> Stamp:
    """A note's stamp from its `os.stat`. Any write changes ctime, which no tool can set
    back, so an edit that keeps size and mtime still changes the stamp."""
    return _STAMP.pack(stat.st_mtime_ns, stat.st_size, stat.st_ctime_ns, stat.st_ino)


UNREADABLE: Stamp = b""
"""The stamp of a note that is there but cannot be stat'ed: never equal to a real one."""


def stamp_now(path: str | os.PathLike[str]) -> Stamp | None:
    """A file's stamp now (following links, as the listing does); None when it is gone."""
    try:
        return stamp_of(os.stat(path))
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError:  # a folder on the way cannot be read: changed, and the load reports it
        return UNREADABLE


def size_of(stamp: Stamp) -> int:
    return int(_STAMP.unpack(stamp)[1])


def inode_of(stamp: Stamp) -> bytes:
    """The part of a stamp that names the file (two paths, one inode: a link)."""
    return stamp[24:]


def settled(stat: os.stat_result, started_ns: int) -> bool:
    """False when the note changed less than `RACY_NS` before `started_ns`: a second
    edit within one clock tick could leave its stamp unchanged, so it is not cached."""
    return max(stat.st_mtime_ns, stat.st_ctime_ns) < started_ns - RACY_NS
