"""One touch in a note's text: the Log entry and `last_contacted` moved forward, as written.

The one place that moves `last_contacted`: `vtb log`, `done`, ticks in the
index note, `vtb intro --log` and the watcher's autocommit all come here, so
a date written quoted (`"2026-01-01"`) stays quoted and its comment stays.
"""

from __future__ import annotations

from datetime import date, datetime

from vault_touchbase.notes.contact_table import TABLE_KEY, read_table
from vault_touchbase.notes.edit_followups import add_followup, tick_followup
from vault_touchbase.notes.edit_frontmatter import set_scalar
from vault_touchbase.notes.edit_log import add_log_entry
from vault_touchbase.notes.edit_table import set_table_cell
from vault_touchbase.notes.text import frontmatter_of, linked_date, split_note


def date_as_written(text: str, key: str, day: date) -> date | str:
    """`day` as the note writes that key's date now: a quoted `"2026-01-01"` (a string to
    YAML) stays a quoted string, a plain date stays a date, and a link to a daily note
    (contacts-ng's `"[[2026-01-01]]"`) stays a link, quoted as Obsidian needs."""
    old = frontmatter_of(text).get(key)
    if linked_date(old) is not None:
        return f"[[{day.isoformat()}]]"
    return day.isoformat() if isinstance(old, str) and old.strip() else day


def frontmatter_date(text: str, key: str) -> date | None:
    """The date the frontmatter itself holds under `key` (not the Log's newest); None when
    there is none or it does not read as a date."""
    value = frontmatter_of(text).get(key)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if linked_date(value) is not None:
        return linked_date(value)
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def move_last_contacted(text: str, key: str, day: date) -> str:
    """Move the frontmatter's `key` (last_contacted or its dialect) forward to `day`.

    Never back: a date already as new or newer is left alone. A missing or
    unreadable value is set. The value keeps how it was written (quoted or
    not) and only that line changes. A key read from obsidian-contacts' table
    (`/---contact---/Last chat`) moves that cell.
    """
    if key.startswith(TABLE_KEY):
        return _move_table_date(text, key.removeprefix(TABLE_KEY), day)
    current = frontmatter_date(text, key)
    if current is not None and day <= current:
        return text
    return set_scalar(text, key, date_as_written(text, key, day))


def _move_table_date(text: str, row: str, day: date) -> str:
    cell = next(
        (r.value for r in read_table(split_note(text).body) if r.key.casefold() == row.casefold()),
        "",
    )
    try:
        current = linked_date(cell) or date.fromisoformat(cell)
    except ValueError:
        current = None
    if current is not None and day <= current:
        return text
    return set_table_cell(text, row, day.isoformat())


def record_touch(
    text: str,
    key: str,
    day: date,
    channel: str | None,
    entry_text: str,
    *,
    known_last: date | None = None,
    follow_up: str | None = None,
    follow_up_due: date | None = None,
    done_task: str | None = None,
    block: str = "",
) -> str:
    """The note with one touch recorded: `- DAY channel: entry_text` in its Log and `key`
    moved forward to DAY (or to `known_last`, the newest contact already known, if later).
    `block` ends the entry's line as an Obsidian block id (` ^BLOCK`: a harvested touch's
    source).

    `done_task` first ticks that open follow-up (`✅ DAY`); `follow_up` adds
    `- [ ] FOLLOW_UP 📅 DUE` under `## Follow-ups`. Every step is a verified edit.
    """
    new = tick_followup(text, done_task, day) if done_task else text
    new = add_log_entry(new, day, channel, entry_text, block)
    if follow_up:
        new = add_followup(new, follow_up, follow_up_due)
    newest = max(day, known_last) if known_last is not None else day
    return move_last_contacted(new, key, newest)
