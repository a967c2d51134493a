"""The index note's merge driver: OURS, with every box ticked on either side ticked."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vault_touchbase.index.ticks import Tick


def merge_index(base: str, ours: str, theirs: str) -> MergeResult:
    """The generated index note: OURS, with every box ticked on either side ticked.

    A box ticked on their side (and not already in the base) is ticked in OURS'
    line for the same note and section; when OURS has no such line, their line
    is added under the same section, so the next `vtb refresh` logs it.
    """
    from vault_touchbase.index.render import SECTION_TITLES

    if ours == theirs or theirs == base:
        return MergeResult(ours)
    eol = "\r\n" if "\r\n" in ours else "\n"
    lines = ours.replace("\r\n", "\n").split("\n")
    theirs_lines = theirs.replace("\r\n", "\n").split("\n")
    old = {_tick_key(t) for t in _ticks(base, ticked_only=True)}
    mine = {_tick_key(t) for t in _ticks(ours, ticked_only=True)}
    boxes = {_tick_key(t): t.line for t in _ticks(ours, ticked_only=False)}
    added: list[str] = []
    for tick in _ticks(theirs, ticked_only=True):
        key = _tick_key(tick)
        if key in old or key in mine:
            continue
        mine.add(key)
        if key in boxes:
            row = boxes[key] - 1
            lines[row] = lines[row].replace("[ ]", "[x]", 1)
            continue
        line = theirs_lines[tick.line - 1]
        title = SECTION_TITLES.get(tick.section, "Ticked on the other device")
        heading = f"## {title}"
        if heading in lines:
            at = lines.index(heading) + 1
            while at < len(lines) and not lines[at].strip():
                at += 1
            lines.insert(at, line)
        else:
            end = len(lines) - 1 if lines and lines[-1] == "" else len(lines)
            lines[end:end] = ["", heading, "", line]
        added.append(tick.path)
    clashes = [f"ticked on the other device: {path}" for path in added]
    return MergeResult(eol.join(lines), clashes)


def _ticks(text: str, ticked_only: bool) -> list[Tick]:
    from vault_touchbase.index.ticks import read_ticks

    text = text.replace("\r\n", "\n")
    if not ticked_only:  # read every box: open ones read as ticked in a copy
        text = re.sub(r"(?m)^(\s*[-*+] )\[ \]", r"\1[x]", text)
    return read_ticks(text)


def _tick_key(tick: Tick) -> tuple[str, str, str]:
    from vault_touchbase.notes.edit_followups import task_key

    said = task_key(tick.text) if tick.section == "followups" else ""
    return tick.path, tick.section, said


@dataclass(frozen=True)
class MergeResult:
    """The merged text, and one line per clash kept visibly in it (empty: a clean merge)."""

    text: str
    clashes: list[str] = field(default_factory=list)
