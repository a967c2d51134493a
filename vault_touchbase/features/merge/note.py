"""A whole contact note merged: its frontmatter, its body and its Log entries, put together."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from vault_touchbase.core.settings import DIALECT_KEYS
from vault_touchbase.features.merge import MergeError
from vault_touchbase.features.merge.body import merge_body
from vault_touchbase.features.merge.frontmatter import check_frontmatter, merge_frontmatter
from vault_touchbase.features.merge.log_entries import keep_entries
from vault_touchbase.index.merge import MergeResult
from vault_touchbase.notes.text import NoteSyntaxError, split_note

DATE_KEYS: tuple[str, ...] = DIALECT_KEYS["last_contacted"]


def merge_note(
    base: str, ours: str, theirs: str, date_keys: Collection[str] = DATE_KEYS
) -> MergeResult:
    """Merge three versions of a contact note (decoded text; `base` is "" when both added it).

    Raises MergeError when a side cannot be read as a note (unclosed or broken
    frontmatter): the caller then falls back to a textual merge.
    """
    if ours == theirs or theirs == base:
        return MergeResult(ours)
    if ours == base:
        return MergeResult(theirs)
    b, o, t = (
        _split(text, side) for text, side in ((base, "base"), (ours, "ours"), (theirs, "theirs"))
    )
    front, expected, clashes = merge_frontmatter(b.front, o.front, t.front, o.fences, date_keys)
    body, body_clashes = merge_body(b.body, o.body, t.body)
    if front and body == [""] and not o.after_fence:
        body = []  # the note ends at its closing fence, with no line end
    lines = [*front, *body]
    text = "\n".join(lines)
    check_frontmatter(text, expected)
    text, lost = keep_entries(text, b.body, o.body, t.body)
    clashes += body_clashes + lost
    if o.crlf:
        text = text.replace("\n", "\r\n")
    return MergeResult(("\ufeff" if o.bom else "") + text, clashes)


@dataclass(frozen=True)
class _Side:
    fences: tuple[str, str] | None  # the opening and closing fence lines, as written
    front: list[str] | None  # the lines between the fences
    body: str
    bom: bool
    crlf: bool
    after_fence: bool  # a line end follows the closing fence


def _split(text: str, side: str) -> _Side:
    try:
        parts = split_note(text)
    except NoteSyntaxError as exc:
        raise MergeError(f"{side}: {exc.message}", exc.hint) from None
    if parts.frontmatter is None:
        return _Side(None, None, parts.body, parts.bom, parts.crlf, True)
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").split("\n")
    fence = parts.body_line - 2
    return _Side(
        (lines[0], lines[fence]),
        lines[1:fence],
        parts.body,
        parts.bom,
        parts.crlf,
        len(lines) > fence + 1,
    )
