"""Adding an entry to a note's `## Log`, newest first, verified by reading the Log back."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from vault_touchbase.core.oneline import single_line
from vault_touchbase.notes.edit_rows import EditError, Rows, as_day, back_over_blanks
from vault_touchbase.notes.edit_sections import (
    EntryKey,
    bullet_of,
    check_body_edit,
    check_line_added,
    entry_key,
    find_section,
    is_log_title,
    list_items_by_line,
)
from vault_touchbase.notes.log import (
    BLOCK_ID,
    first_entry_not_after,
    markdown,
    needs_parser,
    parse_entry_text,
    read_log,
    scan_log_section,
)

if TYPE_CHECKING:
    from markdown_it.token import Token


def _entry_line(
    day: date, channel: str | None, entry_text: str, block: str = ""
) -> tuple[str, EntryKey]:
    """The entry as written after the bullet, and what `read_log` must read back from it."""
    text = single_line(entry_text)  # no escape or bidi override reaches a note
    when = day.isoformat()
    if block and not BLOCK_ID.fullmatch(block):
        raise EditError(f"{block!r} is not a block id", "use letters, digits and dashes")
    want: EntryKey = (day, channel.lower() if channel else None, text, block)
    end = f" ^{block}" if block else ""
    tails = [f" {channel}: {text}{end}"] if channel else [f" {text}{end}", f": {text}{end}"]
    for tail in tails:  # `- DATE: email: x` keeps `email:` in the text of a channel-less entry
        if entry_key(parse_entry_text(0, when, tail.rstrip())) == want:
            return when + tail.rstrip(), want
    raise EditError(
        f"the channel {channel!r} is not one word, so the entry would read back differently",
        "use a one-word channel such as email, call or visit",
    )


def _log_spot(body: list[str], tokens: list[Token], day: date) -> tuple[int, str] | None:
    """Where a new entry of `day` goes in the first Log (body line, bullet); None: no Log."""
    found = find_section(tokens, len(body), is_log_title)
    if found is None:
        return None
    heading, end = found
    entries = [e for e in read_log("\n".join(body), 0)[0] if heading.end <= e.line < end]
    entries.sort(key=lambda e: e.line)
    # Newest first, and the latest of one day on top: vtb reads the entry nearest the top
    # of a day as that day's last word (a reply answered the same day is answered).
    older = [e for e in entries if e.date <= day]
    if older:
        return older[0].line, bullet_of(body[older[0].line])
    if not entries:
        return back_over_blanks(body, end, heading.end), "- "
    last = list_items_by_line(tokens).get(entries[-1].line)
    if last is None or last.map is None:
        raise EditError("the Log's list could not be located", "add the entry by hand")
    return back_over_blanks(body, last.map[1], last.map[0] + 1), bullet_of(body[last.map[0]])


def _scanned_spot(notes: Rows, body: list[str], day: date) -> tuple[int, str] | None:
    """`_log_spot` by the line scan, where it reads the note as markdown-it does
    (`needs_parser` is False) and the spot is found without reading the whole Log: before
    the first entry of `day` or older, or at the end of a Log without entries. None: ask
    markdown-it (no Log, or every entry is newer)."""
    section = scan_log_section(notes.body)
    if section is None:
        return None
    first, end, first_at, end_at = section
    older = first_entry_not_after(notes.body, first_at, end_at, day)
    if older is not None:
        at = notes.body.count("\n", 0, older)
        return at, bullet_of(body[at])
    if first_entry_not_after(notes.body, first_at, end_at, None) is None:  # no entries
        return back_over_blanks(body, end, first), "- "
    return None


def add_log_entry(
    text: str, day: date, channel: str | None, entry_text: str, block: str = ""
) -> str:
    """Add `- YYYY-MM-DD channel: text` to the first `## Log`, newest first (created if missing).

    `block`: an Obsidian block id ending the line (` ^BLOCK`), which Obsidian hides and
    the Log scan keeps apart from the text (`vtb harvest` records its sources' ids so).

    Placed before the first entry of `day` or older (so the latest of a day is on top, as
    the Log is read), else after the last entry;
    uses the list's bullet and never adds a blank line inside the list.

    Where the line scan reads the note (no fences, HTML, nested lists...), the spot
    is found and the edit verified around the line it adds, so a Log of 100,000
    entries costs no Markdown parse; elsewhere markdown-it reads the whole note.
    """
    day = as_day(day, "date of the Log entry")
    line, want = _entry_line(day, channel, entry_text, block)
    notes = Rows.of(text)
    body = notes.body.split("\n")
    if not needs_parser(notes.body):
        spot = _scanned_spot(notes, body, day)
        if spot is not None:
            front = notes.front()
            notes.insert_body(spot[0], [spot[1] + line])
            check_line_added(front, notes, spot[0], "adding the Log entry", want)
            return notes.text()
    spot = _log_spot(body, markdown().parse(notes.body), day)
    if spot is None:
        notes.append_body_block(["## Log", "- " + line])
    else:
        notes.insert_body(spot[0], [spot[1] + line])
    new_text = notes.text()
    check_body_edit(text, new_text, "adding the Log entry", added=want)
    return new_text
