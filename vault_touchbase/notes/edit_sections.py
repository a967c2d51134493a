"""Where things are in a note's body (markdown-it's view), and the check every body edit passes.

Sections start at level-1/2 headings outside lists and quotes; a body edit
must keep the frontmatter's bytes and the Log's entries (`check_body_edit`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vault_touchbase.core.model import LogEntry
from vault_touchbase.notes.edit_rows import EditError, Rows
from vault_touchbase.notes.log import LOG_TITLE, needs_parser, read_log

if TYPE_CHECKING:
    from markdown_it.token import Token


@dataclass(frozen=True)
class Heading:
    start: int  # first body line of the heading
    end: int  # body line after it (setext headings take two)
    title: str


def headings(tokens: list[Token]) -> list[Heading]:
    """Level-1/2 headings outside lists and quotes: what starts and ends a section."""
    return [
        Heading(token.map[0], token.map[1], tokens[index + 1].content.strip())
        for index, token in enumerate(tokens)
        if token.type == "heading_open"
        and token.level == 0
        and token.tag in ("h1", "h2")
        and token.map
    ]


def find_section(
    tokens: list[Token], size: int, wanted: Callable[[str], bool]
) -> tuple[Heading, int] | None:
    """The first heading whose title is `wanted` and the body line where its section ends."""
    found = headings(tokens)
    for index, heading in enumerate(found):
        if wanted(heading.title):
            end = found[index + 1].start if index + 1 < len(found) else size
            return heading, end
    return None


def is_log_title(title: str) -> bool:
    """True for the title of the `## Log` heading (any case)."""
    return title.lower() == LOG_TITLE


def is_followups_title(title: str) -> bool:
    """True for `Follow-ups`, `Followups`, `Follow up`... (any case)."""
    return re.sub(r"[\s_-]+", "", title.lower()) in ("followups", "followup")


_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]|$)")
_BULLET = re.compile(r"^(?:[ \t]*>)*[ \t]*[-*+][ \t]+")


def bullet_of(line: str) -> str:
    """The indent, bullet and spacing a list item line starts with (`- ` when not a bullet)."""
    match = _BULLET.match(line)
    return match.group(0) if match else "- "


def list_items_by_line(tokens: list[Token]) -> dict[int, Token]:
    """List items by their first body line."""
    return {t.map[0]: t for t in tokens if t.type == "list_item_open" and t.map}


EntryKey = tuple[object, ...]


def entry_key(entry: LogEntry | tuple[int, str]) -> EntryKey:
    """A Log entry (or a bad entry line) without its line number, to compare Logs."""
    if isinstance(entry, LogEntry):
        return (entry.date, entry.channel, entry.text, entry.block)
    return ("bad entry", entry[1])


def _log_keys(body: str) -> Counter[EntryKey]:
    """The Log's entries and bad entry lines, without their line numbers."""
    entries, bad = read_log(body, 0)
    return Counter([*map(entry_key, entries), *map(entry_key, bad)])


def check_body_edit(old_text: str, new_text: str, what: str, added: EntryKey | None = None) -> None:
    """Check that a body edit kept the frontmatter bytes and the Log (plus `added`)."""
    old, new = Rows.of(old_text), Rows.of(new_text)
    if old.front() != new.front():
        raise EditError(f"{what} would change the frontmatter", "edit the note by hand")
    if _log_keys(new.body) != _log_keys(old.body) + Counter([added] if added else []):
        raise EditError(
            f"{what} would not leave the Log as it should be",
            "look for an unclosed ``` fence or an HTML block near `## Log`, or edit by hand",
        )


def check_line_added(front: str, new: Rows, at: int, what: str, added: EntryKey) -> None:
    """`check_body_edit` for one line added at body line `at` of a note the line scan reads
    (`needs_parser` False), checked where it was added: the frontmatter is `front` still,
    and the line is no heading and nothing that needs markdown-it, so the scan reads every
    other line as before; and the scan reads it, under a Log heading, as `added`."""
    if new.front() != front:
        raise EditError(f"{what} would change the frontmatter", "edit the note by hand")
    row = new.rows[new.body_start + at]
    entries, bad = read_log(f"## {LOG_TITLE}\n{row}\n", 0)
    if needs_parser(row) or _HEADING.match(row) or bad or [*map(entry_key, entries)] != [added]:
        raise EditError(
            f"{what} would not leave the Log as it should be",
            "look for an unclosed ``` fence or an HTML block near `## Log`, or edit by hand",
        )
