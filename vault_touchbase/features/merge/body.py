"""The body's three-way merge: a diff3 over difflib's matches, and what both sides changed."""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

from vault_touchbase.features.merge.log_entries import read_entries, unite_entries
from vault_touchbase.notes.parse import CALLOUT_MARK

CALLOUT = f"{CALLOUT_MARK}: the other device's version"


CALLOUT_DELETED = "> (the other device deleted these lines)"


@dataclass(frozen=True)
class Chunk:
    """A stretch of the three versions: `stable` when all three agree."""

    base: list[str]
    ours: list[str]
    theirs: list[str]
    stable: bool


def _matches(a: list[str], b: list[str]) -> dict[int, int]:
    """Line i of `a` → its matching line of `b` (a monotone matching)."""
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return {blk.a + k: blk.b + k for blk in matcher.get_matching_blocks() for k in range(blk.size)}


def diff3(base: list[str], ours: list[str], theirs: list[str]) -> list[Chunk]:
    """Cut three versions of a text into stable chunks (equal in all three) and changed ones."""
    to_ours, to_theirs = _matches(base, ours), _matches(base, theirs)
    chunks: list[Chunk] = []
    i = a = b = 0
    while True:
        run = 0
        while (
            i + run < len(base)
            and to_ours.get(i + run) == a + run
            and to_theirs.get(i + run) == b + run
        ):
            run += 1
        if run:
            chunks.append(Chunk(base[i : i + run], ours[a : a + run], theirs[b : b + run], True))
            i, a, b = i + run, a + run, b + run
        anchor = i
        while anchor < len(base) and not (anchor in to_ours and anchor in to_theirs):
            anchor += 1
        if anchor < len(base):
            na, nb = to_ours[anchor], to_theirs[anchor]
        else:
            na, nb = len(ours), len(theirs)
        if (anchor, na, nb) == (i, a, b):
            if anchor >= len(base):
                return chunks
            continue
        chunks.append(Chunk(base[i:anchor], ours[a:na], theirs[b:nb], False))
        i, a, b = anchor, na, nb


def merge_body(base: str, ours: str, theirs: str) -> tuple[list[str], list[str]]:
    """The merged body as lines (join with "\\n") and its clashes, from LF texts."""
    out: list[str] = []
    clashes: list[str] = []
    gap_after = False
    for chunk in diff3(base.split("\n"), ours.split("\n"), theirs.split("\n")):
        callout: list[str] | None = None
        if chunk.stable or chunk.ours == chunk.theirs or chunk.theirs == chunk.base:
            lines = chunk.ours
        elif chunk.ours == chunk.base:
            lines = chunk.theirs
        else:
            lines, callout = _resolve(chunk)
        for line in lines:
            if gap_after and line.strip():
                out.append("")
            gap_after = False
            out.append(line)
        if callout is not None:
            if out and out[-1].strip():
                out.append("")
            out += [CALLOUT, *(("> " + x if x.strip() else ">") for x in callout)]
            if not callout:
                out.append(CALLOUT_DELETED)
            gap_after = True
            clashes.append(
                f"body: both devices changed the same lines; this device's are kept, the "
                f"other's are in a `{CALLOUT_MARK}` callout"
            )
    return out, clashes


def _resolve(chunk: Chunk) -> tuple[list[str], list[str] | None]:
    """Both sides changed this chunk: the lines to keep, and their lines for a callout."""
    if not chunk.base:
        return _both_added(chunk.ours, chunk.theirs), None
    beside = _beside(chunk.base, chunk.ours, chunk.theirs) or _line_by_line(chunk)
    if beside is not None:
        return beside, None
    entries = [read_entries(lines) for lines in (chunk.base, chunk.ours, chunk.theirs)]
    if all(e is not None for e in entries):
        base, ours, theirs = entries
        return unite_entries(base, ours, theirs), None  # type: ignore[arg-type]
    return chunk.ours, chunk.theirs


def _beside(base: list[str], ours: list[str], theirs: list[str]) -> list[str] | None:
    """One side only added lines right before or after the lines the other side changed
    (git calls that a conflict): the change, with the added lines beside it."""
    size = len(base)
    for changed, added in ((ours, theirs), (theirs, ours)):
        if len(added) > size and added[:size] == base:
            return changed + added[size:]
        if len(added) > size and added[-size:] == base:
            return added[:-size] + changed
    return None


def _line_by_line(chunk: Chunk) -> list[str] | None:
    """Neighbouring lines each changed on one side only (git calls that a conflict):
    each line from the side that changed it. None when a line changed on both sides."""
    if not len(chunk.base) == len(chunk.ours) == len(chunk.theirs):
        return None
    out = []
    for base, ours, theirs in zip(chunk.base, chunk.ours, chunk.theirs, strict=True):
        if ours != base and theirs != base and ours != theirs:
            return None
        out.append(theirs if ours == base else ours)
    return out


def _both_added(ours: list[str], theirs: list[str]) -> list[str]:
    """Lines both sides added at one spot: what they share once, the rest of both."""
    out: list[str] = []
    a = b = 0
    matcher = SequenceMatcher(None, ours, theirs, autojunk=False)
    for blk in matcher.get_matching_blocks():
        mine, other = ours[a : blk.a], theirs[b : blk.b]
        found = (read_entries(mine), read_entries(other))
        if mine and other and found[0] is not None and found[1] is not None:
            out += unite_entries(([], 0), found[0], found[1])
        else:
            out += mine + other
        out += ours[blk.a : blk.a + blk.size]
        a, b = blk.a + blk.size, blk.b + blk.size
    return out
