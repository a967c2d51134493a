"""Follow-ups: open tasks in a contact's note, Obsidian Tasks or Dataview style.

`- [ ] send Jane the ceramics article 📅 2026-12-01`, `- [ ] call back [due:: 2026-12-01]`,
or undated. Read with markdown-it's task lists (so a `- [ ]` in a code block
never counts), only for notes that hold a task box at all (the load path
stays a line scan for the rest).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from vault_touchbase.core.model import Contact, FollowUp

_HAS_TASK = re.compile(r"^[ \t>]*(?:[-*+]|\d{1,9}[.)])[ \t]+\[[ xX]\](?:[ \t]|$)", re.MULTILINE)
_DUE = re.compile(r"📅\ufe0f?[ \t]*(\S+)|\[due::[ \t]*([^\]]*)\]")
MARKS = re.compile(
    r"(?:📅|⏳|🛫|✅|➕|❌)\ufe0f?[ \t]*\d{4}-\d{2}-\d{2}"
    r"|\[(?:due|scheduled|start|completion|created|cancelled)::[^\]]*\]"
    r"|[⏫🔼🔽🔺⏬]\ufe0f?"
    r"|\s\^[A-Za-z0-9-]+$"
)

BadLine = tuple[int, str]


def task_text(text: str) -> str:
    """A task's words without the Tasks/Dataview marks (dates, priorities, block ids)."""
    return " ".join(MARKS.sub(" ", text).split())


def _has_task(body: str) -> bool:
    """Whether a line of the body holds a task box; a box's `[ ]`, `[x]` or `[X]` looked
    for first (a substring search: most notes have none, and then no line is matched)."""
    if "[ ]" not in body and "[x]" not in body and "[X]" not in body:
        return False
    return _HAS_TASK.search(body) is not None


def read_followups(body: str, body_line: int) -> tuple[list[FollowUp], list[BadLine]]:
    """Every task in the body (open and done), with its due date and file line."""
    if not _has_task(body):
        return [], []
    from vault_touchbase.notes.log import markdown

    tokens = markdown().parse(body)
    found: list[FollowUp] = []
    bad: list[BadLine] = []
    for index, token in enumerate(tokens):
        checked = token.meta.get("checked") if token.type == "list_item_open" else None
        if checked is None or tokens[index + 1].type != "paragraph_open":
            continue
        inline = tokens[index + 2]
        if not (inline.map and token.map and inline.map[0] == token.map[0]):
            continue
        first = inline.content.split("\n", 1)[0]
        line = body_line + token.map[0]
        due = None
        match = _DUE.search(first)
        if match:
            raw = (match.group(1) or match.group(2) or "").strip()
            try:
                due = date.fromisoformat(raw)
            except ValueError:
                bad.append((line, f"follow-up due date {raw!r} is not a date (YYYY-MM-DD)"))
        text = task_text(first)
        if text:
            found.append(FollowUp(text, bool(checked), due, line))
    return found, bad


def open_followups(
    contacts: Iterable[Contact], today: date, until: date | None = None
) -> list[tuple[Contact, FollowUp]]:
    """Open follow-ups across the vault: overdue first, then by due date, undated last.

    With `until`, dated ones due after it are left out.
    """
    found = [
        (contact, f)
        for contact in contacts
        if contact.followups  # most have none: no tuple built for them
        for f in contact.open_followups
        if until is None or f.due is None or f.due <= until
    ]
    return sorted(
        found, key=lambda pair: (pair[1].due is None, pair[1].due or today, pair[0].name.casefold())
    )
