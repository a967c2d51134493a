"""obsidian-contacts' table format: `| key | value |` rows between two `/---contact---/` lines.

Read-only but for one cell (`notes/edit_table.py`): `notes/parse.py` reads the
rows as the note's fields, under pseudo-keys that start with `TABLE_KEY`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MARK = "/---contact---/"
TABLE_KEY = MARK  # `/---contact---/Last chat`: a field read from the table's `Last chat` row

# the table's row names (any case) → vtb's field; `name`/`first name` and `last name`
# make the name; the plugin's other rows (Telegram, Linkedin, Friends) stay in the note
ROW_FIELDS = {
    "name": "first",
    "first name": "first",
    "last name": "last",
    "email": "email",
    "phone": "phone",
    "birthday": "birthday",
    "last chat": "last_contacted",
    "last contact": "last_contacted",
    "tags": "tags",
}
_RULE = re.compile(r"^:?-+:?$")


@dataclass(frozen=True)
class TableRow:
    """One `| key | value |` row; `index` is its 0-based line in the body."""

    key: str
    value: str
    index: int


def bounds(lines: list[str]) -> tuple[int, int] | None:
    """The 0-based lines of the opening and closing `/---contact---/`, or None."""
    marks = [i for i, line in enumerate(lines) if line.strip() == MARK]
    return (marks[0], marks[1]) if len(marks) >= 2 else None


def cell_spans(line: str) -> list[tuple[int, int]] | None:
    """Where each cell of a `| a | b |` line is (between its pipes); None for another line.
    A pipe inside `[[link|alias]]` or escaped (`\\|`) separates nothing."""
    stripped = line.rstrip()
    start = len(line) - len(line.lstrip())
    if not stripped.lstrip().startswith("|") or not stripped.endswith("|") or len(stripped) < 2:
        return None
    pipes, depth, index = [], 0, start
    while index < len(stripped):
        pair = stripped[index : index + 2]
        if pair in ("[[", "]]"):
            depth += 1 if pair == "[[" else -1 if depth else 0
            index += 2
            continue
        if stripped[index] == "\\":
            index += 2
            continue
        if stripped[index] == "|" and depth == 0:
            pipes.append(index)
        index += 1
    return [(a + 1, b) for a, b in zip(pipes, pipes[1:], strict=False)]


def read_table(body: str) -> list[TableRow]:
    """The key-value rows of the contact table in `body` (no header, no rule); [] without one."""
    lines = body.split("\n")
    found = bounds(lines)
    if found is None:
        return []
    rows = []
    for index in range(found[0] + 1, found[1]):
        spans = cell_spans(lines[index])
        if not spans or len(spans) < 2:
            continue
        key, value = (lines[index][a:b].strip() for a, b in spans[:2])
        if _RULE.match(key) or (key.lower(), value.lower()) == ("key", "value"):
            continue
        rows.append(TableRow(key, value, index))
    return rows


def without_table(body: str) -> str:
    """`body` without the contact table (for the summary of who someone is)."""
    lines = body.split("\n")
    found = bounds(lines)
    if found is None:
        return body
    return "\n".join(lines[: found[0]] + lines[found[1] + 1 :])
