"""Follow-up tasks in a note: add one under `## Follow-ups`, tick one done; both verified."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from vault_touchbase.notes.edit_rows import (
    EditError,
    Rows,
    as_day,
    back_over_blanks,
    is_blank,
    one_line,
)
from vault_touchbase.notes.edit_sections import (
    bullet_of,
    check_body_edit,
    find_section,
    is_followups_title,
    is_log_title,
)
from vault_touchbase.notes.log import markdown

if TYPE_CHECKING:
    from markdown_it.token import Token


@dataclass(frozen=True)
class _Task:
    line: int  # body line of the task's first line
    checked: bool
    text: str  # its first line, without the checkbox


def _tasks(tokens: list[Token]) -> list[_Task]:
    """Every task list item (markdown-it's `tasklists`), so code blocks never count."""
    found = []
    for index, token in enumerate(tokens):
        checked = token.meta.get("checked") if token.type == "list_item_open" else None
        if checked is None or tokens[index + 1].type != "paragraph_open":
            continue
        inline = tokens[index + 2]
        if inline.map and token.map and inline.map[0] == token.map[0]:
            found.append(_Task(inline.map[0], bool(checked), inline.content.split("\n", 1)[0]))
    return found


_MARKS = re.compile(
    r"(?:📅|⏳|🛫|✅|➕|❌)\ufe0f?[ \t]*\d{4}-\d{2}-\d{2}"
    r"|\[(?:due|scheduled|start|completion|created|cancelled)::[^\]]*\]"
    r"|[⏫🔼🔽🔺⏬]\ufe0f?"
)


def task_key(text: str) -> str:
    """A task's text for matching: no Tasks/Dataview date marks, spaces normalised, casefolded."""
    return " ".join(_MARKS.sub(" ", text).split()).casefold()


def add_followup(text: str, task: str, due: date | None) -> str:
    """Add `- [ ] TASK 📅 DUE` as the last item under `## Follow-ups`.

    The heading (with the task) is created before `## Log`, or at the end of
    the body when there is no Log, with one blank line on each side.
    """
    item = "[ ] " + one_line(task, "follow-up task")
    if due is not None:
        item += f" 📅 {as_day(due, 'due date').isoformat()}"
    notes = Rows.of(text)
    body = notes.body.split("\n")
    tokens = markdown().parse(notes.body)
    found = find_section(tokens, len(body), is_followups_title)
    if found is not None:
        heading, end = found
        items = [t for t in tokens if t.type == "list_item_open" and t.level == 1 and t.map]
        items = [t for t in items if heading.end <= t.map[0] < end]  # type: ignore[index]
        if items and items[-1].map and items[-1].markup in "-*+":
            last = items[-1].map
            at, bullet = back_over_blanks(body, last[1], last[0] + 1), bullet_of(body[last[0]])
        else:
            at, bullet = back_over_blanks(body, end, heading.end), "- "
        notes.insert_body(at, [bullet + item])
    elif (log := find_section(tokens, len(body), is_log_title)) is not None:
        start = log[0].start
        gap = [""] if start > 0 and not is_blank(body[start - 1]) else []
        notes.insert_body(start, [*gap, "## Follow-ups", "- " + item, ""])
    else:
        notes.append_body_block(["## Follow-ups", "- " + item])
    new_text = notes.text()
    old_tasks, new_tasks = _checked_tasks(text, new_text, "adding a follow-up")
    want = Counter((t.checked, t.text) for t in old_tasks) + Counter([(False, item[4:])])
    if Counter((t.checked, t.text) for t in new_tasks) != want:
        raise EditError(
            "the follow-up would not read back as exactly one more open task",
            "add it under `## Follow-ups` by hand",
        )
    return new_text


def _checked_tasks(old_text: str, new_text: str, what: str) -> tuple[list[_Task], list[_Task]]:
    """Check a body edit kept the frontmatter and the Log; the old and new tasks."""
    check_body_edit(old_text, new_text, what)
    old, new = Rows.of(old_text), Rows.of(new_text)
    return _tasks(markdown().parse(old.body)), _tasks(markdown().parse(new.body))


_CHECKBOX = re.compile(r"^(?:[ \t>]|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t]))*\[ \]")
_BLOCK_ID = re.compile(r"[ \t]+\^[A-Za-z0-9-]+$")


def _pick_task(tasks: list[_Task], task: str) -> _Task:
    """The open task whose text is `task`, else the one that starts with it."""
    wanted = task_key(task)
    if not wanted:
        raise EditError(
            "the follow-up to tick is empty", "give the task's text, or the start of it"
        )
    open_tasks = [t for t in tasks if not t.checked]
    matches = [t for t in open_tasks if task_key(t.text) == wanted]
    if not matches:
        matches = [t for t in open_tasks if task_key(t.text).startswith(wanted)]
    if len(matches) == 1:
        return matches[0]
    listed = "; ".join(t.text for t in open_tasks) or "none"
    problem = "several open follow-ups match" if matches else "no open follow-up matches"
    raise EditError(
        f"{problem} {task!r} (open: {listed})",
        "give more of the task's text, as written in the note",
    )


def tick_followup(text: str, task: str, day: date) -> str:
    """Tick the open task matching `task` (whole text, else a unique start): `[x]` and `✅ DAY`."""
    done = f" ✅ {as_day(day, 'date the follow-up was done').isoformat()}"
    notes = Rows.of(text)
    target = _pick_task(_tasks(markdown().parse(notes.body)), task)
    row = notes.body_start + target.line
    line = notes.rows[row]
    box = _CHECKBOX.match(line)
    if box is None:
        raise EditError(f"cannot find the checkbox of {target.text!r}", "tick it by hand")
    line = line[: box.end() - 3] + "[x]" + line[box.end() :]
    block = _BLOCK_ID.search(line)  # Tasks puts the date before a `^block-id`
    cut = block.start() if block else len(line.rstrip(" \t"))
    notes.rows[row] = line[:cut] + done + line[cut:].rstrip(" \t")
    new_text = notes.text()
    old_tasks, new_tasks = _checked_tasks(text, new_text, "ticking a follow-up")
    before = [(t.line, t.checked, task_key(t.text)) for t in old_tasks]
    expected = [(n, True, k) if n == target.line else (n, c, k) for n, c, k in before]
    if [(t.line, t.checked, task_key(t.text)) for t in new_tasks] != expected:
        raise EditError("ticking the follow-up would change other tasks", "tick it by hand")
    return new_text
