"""Follow-ups: open tasks in a contact's note, Obsidian Tasks or Dataview style.

`- [ ] send Jane the ceramics article 📅 2026-12-01`, `- [ ] call back [due:: 2026-12-01]`,
or undated. Read by a line scan where the note's Markdown cannot fool one (the Log
scan's rules, and plain top-level tasks), else with markdown-it's task lists (so a
`- [ ]` in a code block never counts); a hypothesis test proves both agree. Notes
without a task box are not looked at further.
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
    """Every task in the body (open and done), with its due date and file line.

    A line scan where it reads what markdown-it reads (`_plain_tasks`: the Log scan's
    rules, and every task a plain top-level item with words after its box), else
    markdown-it; `tests/test_fast_parsing.py` proves with hypothesis that both agree.
    """
    if not _has_task(body):
        return [], []
    tasks = _plain_tasks(body)
    if tasks is None:
        tasks = _parsed_tasks(body)
    found: list[FollowUp] = []
    bad: list[BadLine] = []
    for offset, checked, first in tasks:
        line = body_line + offset
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
            found.append(FollowUp(text, checked, due, line))
    return found, bad


Task = tuple[int, bool, str]  # (line in the body, 0-based; ticked; the first line's text)

# A task a line scan reads as markdown-it does: a top-level item, its box, one space, then
# text that cannot open another block inside the item (a heading, a quote, a list, a
# fence, HTML, a rule, indented code). A `#tag` first (the Tasks plugin's `#task`) is
# text; `# ` is a heading.
_PLAIN_TASK = re.compile(
    r"^ ?[-*+] \[([ xX])\] ((?!#{1,6}(?:[ \t]|$))[^\s>*+\-_=<`~\d|].*)$", re.MULTILINE
)
# a line a scan could misread around tasks, beyond the Log scan's rules: a block quote
_QUOTE = re.compile(r"^ {0,3}>", re.MULTILINE)


def _plain_tasks(body: str) -> list[Task] | None:
    """The tasks by a line scan, or None when the body needs markdown-it to be read
    right (its Markdown could fool a scan, or a task line is not of the plain form).
    A code block does not need it: what a fence holds is blanked (`without_fences`)."""
    from vault_touchbase.notes.log import needs_parser, without_fences

    if needs_parser(body):
        if "\r" in body or "\x00" in body:
            return None
        body = without_fences(body)
        if needs_parser(body):
            return None
    if _QUOTE.search(body):
        return None
    tasks: list[Task] = []
    line, counted = 0, 0
    for match in _PLAIN_TASK.finditer(body):
        line += body.count("\n", counted, match.start())
        counted = match.start()
        tasks.append((line, match.group(1) != " ", match.group(2)))
    if len(tasks) != len(_HAS_TASK.findall(body)):
        return None  # a task of another form: markdown-it reads it
    return tasks


def _parsed_tasks(body: str) -> list[Task]:
    """The tasks as markdown-it's task lists find them, anywhere in the body."""
    from vault_touchbase.notes.log import markdown

    tokens = markdown().parse(body)
    tasks: list[Task] = []
    for index, token in enumerate(tokens):
        checked = token.meta.get("checked") if token.type == "list_item_open" else None
        if checked is None or tokens[index + 1].type != "paragraph_open":
            continue
        inline = tokens[index + 2]
        if not (inline.map and token.map and inline.map[0] == token.map[0]):
            continue
        tasks.append((token.map[0], bool(checked), inline.content.split("\n", 1)[0]))
    return tasks


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
