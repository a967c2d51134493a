"""Reading the `## Log` section of a note body.

The load path uses a line scan (fast: no Markdown parse per note). Where a
scan could misread the Markdown — fenced code, HTML blocks, nested or
indented lists, setext headings — the note is read with markdown-it-py
instead. `tests/test_logbook.py` proves with hypothesis that both agree.
"""

from __future__ import annotations

import re
import sys
from datetime import date
from functools import lru_cache
from operator import itemgetter
from typing import TYPE_CHECKING

from vault_touchbase.core.model import LogEntry

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

_HEADING = re.compile(r"^(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_ITEM = re.compile(r"^ ?[-*+][ \t]+(\d{4}-\d{2}-\d{2})(?=$|[\s:–—-])(.*)$")
_CHANNEL_TAIL = re.compile(r"^\s+([^\W\d_][\w+/.]*)\s*(?::|[–—]|-(?=\s|$))\s*(.*)$")
_BARE_TAIL = re.compile(r"^\s*(?::|[–—]|-(?=\s|$))\s*(.*)$")
# Lines that make a line scan unreliable: fences, HTML blocks, tabs, indented or
# ordered list items, empty items, indented headings, setext underlines.
_NEEDS_PARSER = re.compile(
    r"^(?:[ \t]*(?:```|~~~)| {0,3}<[A-Za-z!?/]|.*\t| {1,3}#| {2,}[-*+]"
    r"| {0,3}\d{1,9}[.)]|[ \t]*[-*+][ \t]*$| {0,3}(?:=+|-+)[ \t]*$| +=+[ \t]*$)",
    re.MULTILINE,
)

# The same rules for a whole body at once (how scan_log and needs_parser run fast):
# a pattern that starts with a newline lets the regex engine jump from line to line.
# `_HEADING` at every line, written to start with the `#` itself (the line start checked
# just after it), so a search jumps from one `#` to the next instead of trying every
# position: same matches, same groups (a property test checks), a quarter of the time.
_HEADING_LINE = re.compile(r"(#(?<=^#)#{0,5})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)
_ITEM_LINE = re.compile(_ITEM.pattern, re.MULTILINE)
# One Log item line with its channel and text, as `_ITEM` then `parse_entry_text` read it
# (channel word ended by `:` or a dash, else a bare `:` or dash, else just text): one
# match per entry, in C. (`[^\S\n]` is `\s` that stays on its line.)
_ENTRY_LINE = re.compile(
    r"^ ?[-*+][ \t]+(\d{4}-\d{2}-\d{2})(?=$|[\s:–—-])"
    r"(?:[^\S\n]+([^\W\d_][\w+/.]*)[^\S\n]*(?::|[–—]|-(?=\s|$))"
    r"|[^\S\n]*(?::|[–—]|-(?=\s|$)))?(.*)$",
    re.MULTILINE,
)
# The same, from the newline before the line (each Log section starts at the newline that
# ends its heading): a pattern that starts with a literal lets the search jump from one
# newline to the next instead of trying every position (half the time of `_ENTRY_LINE`).
_ENTRY_AFTER_NEWLINE = re.compile("\n" + _ENTRY_LINE.pattern.removeprefix("^"), re.MULTILINE)
# `_NEEDS_PARSER` for a body without a tab (`needs_parser` looks for tabs first), from the
# newline before each line, its rules split by the line's first character: each
# alternative starts with a literal, so the regex engine skips at once the ones a line
# cannot match (half the time of trying every rule at every line).
_NEEDS_PARSER_AFTER_NEWLINE = re.compile(
    r"""\n(?:
        ```|~~~|<[A-Za-z!?/]|\d{1,9}[.)]    # a fence, an HTML block, an ordered item
        |(?:-+|=+|[*+])\ *$               # an empty item, a setext underline
        |\ (?:                            # an indented line: the same rules, and more
            \ *(?:```|~~~)|\ {0,2}<[A-Za-z!?/]|\ {0,2}\#|\ +[-*+]|\ {0,2}\d{1,9}[.)]
            |\ *[-*+]\ *$|\ {0,2}(?:=+|-+)\ *$
            |\ *=+\ *$                      # (under a list item, deeper too)
        )
    )""",
    re.MULTILINE | re.VERBOSE,
)

LOG_TITLE = "log"

# The wordings vtb itself writes into a Log: a box ticked in the index note, a drafted
# email logged without words of the user's own, an introduction, a follow-up ticked done.
# `is_generated` recognises them (also in entries written before it existed), so a draft
# never quotes vtb's own words back to the person as "the last conversation".
TICK_TEXT = "ticked in Touch Base"
DRAFT_TEXT = "sent the drafted email"
INTRO_TEXT = "introduced to"  # + ` [[Other]]`, then ` — why`
DONE_TEXT = "follow-up done:"  # + ` the task's text`
_GENERATED = re.compile(
    rf"(?:{re.escape(TICK_TEXT)}|{re.escape(DRAFT_TEXT)})(?:\s*\(news:[^)]*\))?\s*$"
    rf"|{re.escape(DONE_TEXT)}\s"
)
_GENERATED_INTRO = re.compile(rf"{re.escape(INTRO_TEXT)} \[\[")
_BY_DATE = itemgetter(0)  # LogEntry.date
# An Obsidian block id at the end of a line (`... ^h-3f9a2c1b0d`): Obsidian hides it, so
# the entry's text never holds it; `vtb harvest` records its sources' ids this way.
_BLOCK = re.compile(r"(?:^|\s)\^([A-Za-z0-9-]+)$")
BLOCK_ID = re.compile(r"[A-Za-z0-9-]+")

BadLine = tuple[int, str]  # (file line, message)


# Dates and channel words repeat across 100,000 Log entries: one object each, not one per
# entry (less memory, and the parse cache pickles each once).
_day = lru_cache(maxsize=8192)(date.fromisoformat)


def is_generated(entry: LogEntry) -> bool:
    """True for an entry vtb wrote in its own words (`ticked in Touch Base`, `sent the
    drafted email (news: …)`, `intro: introduced to [[Other]] — …`, `follow-up done: …`),
    not one the user wrote about a conversation."""
    if _GENERATED.match(entry.text):
        return True
    return entry.channel == "intro" and _GENERATED_INTRO.match(entry.text) is not None


def split_block(text: str) -> tuple[str, str]:
    """An entry's text (stripped) without the Obsidian block id ending it, and that id
    (without `^`; "" when there is none)."""
    if "^" not in text:
        return text, ""
    match = _BLOCK.search(text)
    if match is None:
        return text, ""
    return text[: match.start()].rstrip(), match.group(1)


def parse_entry_text(line_no: int, when: str, tail: str) -> LogEntry | BadLine:
    """One entry from its date and the text after it; a bad date gives (line, message)."""
    try:
        day = _day(when)
    except ValueError:
        return (line_no, f"log entry date {when} is not a real date")
    match = _CHANNEL_TAIL.match(tail)
    if match:
        channel = sys.intern(match.group(1).lower())
        text, block = split_block(match.group(2).strip())
        return LogEntry(day, channel, text, line_no, block)
    match = _BARE_TAIL.match(tail)
    text, block = split_block((match.group(1) if match else tail).strip())
    return LogEntry(day, None, text, line_no, block)


def _is_log_heading(level: int, title: str) -> bool:
    return level <= 2 and title.strip().lower() == LOG_TITLE


def scan_log(body: str, body_line: int) -> tuple[list[LogEntry], list[BadLine]]:
    """The line scan. Only valid when `needs_parser(body)` is False.

    Only level-1/2 headings and `- DATE` items matter, so the regexes look for
    just those lines (in C), never at the others one by one.
    """
    entries: list[LogEntry] = []
    bad: list[BadLine] = []
    sections: list[tuple[int, int]] = []  # [start, end) of each Log section's text
    start = -1
    for heading in _HEADING_LINE.finditer(body):
        if len(heading.group(1)) > 2:
            continue
        if start >= 0:
            sections.append((start, heading.start()))
            start = -1
        if _is_log_heading(len(heading.group(1)), heading.group(2) or ""):
            start = heading.end()
    if start >= 0:
        sections.append((start, len(body)))
    counted, line_no = 0, body_line
    intern, day_of = sys.intern, _day
    new = tuple.__new__  # a LogEntry without its Python-level __new__: 100,000 of them
    for first, last in sections:
        for item in _ENTRY_AFTER_NEWLINE.finditer(body, first, last):
            at = item.start() + 1
            line_no += body.count("\n", counted, at)
            counted = at
            when, channel, text = item.group(1, 2, 3)
            try:
                day = day_of(when)
            except ValueError:
                bad.append((line_no, f"log entry date {when} is not a real date"))
                continue
            text = text.strip()
            block = ""
            if "^" in text:
                text, block = split_block(text)
            channel = intern(channel.lower()) if channel else None
            entries.append(new(LogEntry, (day, channel, text, line_no, block)))
    return entries, bad


def scan_log_section(body: str) -> tuple[int, int, int, int] | None:
    """The first Log section as the line scan sees it (valid only when `needs_parser(body)`
    is False): (first line after its heading, the line where it ends, and the same two as
    offsets into `body`); None when there is no Log heading."""
    start = -1
    for heading in _HEADING_LINE.finditer(body):
        if len(heading.group(1)) > 2:
            continue
        if start >= 0:
            end = heading.start()
            return body.count("\n", 0, start) + 1, body.count("\n", 0, end), start + 1, end
        if _is_log_heading(len(heading.group(1)), heading.group(2) or ""):
            start = heading.end()
    if start < 0:
        return None
    return body.count("\n", 0, start) + 1, body.count("\n") + 1, start + 1, len(body)


def first_entry_not_after(body: str, first: int, last: int, day: date | None) -> int | None:
    """The offset of the first Log item line between offsets `first` and `last` whose date is
    a real date on or before `day` (any real date for None), in file order, as the line
    scan reads entries; None if there is none."""
    when = day.isoformat() if day else "\uffff"
    for item in _ENTRY_LINE.finditer(body, first, last):
        if item.group(1) <= when:  # ISO dates sort as text
            try:
                _day(item.group(1))
            except ValueError:
                continue  # a bad date is no entry
            return item.start()
    return None


def needs_parser(body: str) -> bool:
    """True when the body holds Markdown a line scan could misread, or a lone CR or a NUL
    (markdown-it reads a CR as a line break and a NUL as U+FFFD; a scan would not)."""
    if "\t" in body or "\r" in body or "\x00" in body:
        return True
    return _NEEDS_PARSER_AFTER_NEWLINE.search("\n" + body) is not None


@lru_cache(maxsize=1)
def markdown() -> MarkdownIt:
    """The one shared CommonMark parser (with task lists), built on first use.

    Block structure only: vtb reads headings, list items, task boxes and the text of a
    line as written (`Token.content`, with `map` for its lines), never the inline parse
    of that text (links, emphasis: `Token.children`), so that stage is left out. It was
    a third of the time of reading a note with a code block or a task.
    """
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"tasklists": True}).disable("inline")


def parse_log(body: str, body_line: int) -> tuple[list[LogEntry], list[BadLine]]:
    """The Log read with markdown-it: top-level list items under a level-1/2 `Log` heading."""
    tokens = markdown().parse(body)
    entries: list[LogEntry] = []
    bad: list[BadLine] = []
    in_log = False
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.level == 0 and token.tag in ("h1", "h2"):
            in_log = _is_log_heading(int(token.tag[1]), tokens[index + 1].content)
        elif (
            in_log
            and token.type == "list_item_open"
            and token.level == 1  # a top-level list: not nested, not in a quote
            and token.markup in "-*+"
            and "checked" not in token.meta  # a task box is a follow-up, not an entry
            and token.map
        ):
            inline = tokens[index + 2] if tokens[index + 1].type == "paragraph_open" else None
            if inline is None or inline.map is None or inline.map[0] != token.map[0]:
                continue
            first = inline.content.split("\n", 1)[0]
            match = re.match(r"(\d{4}-\d{2}-\d{2})(?=$|[\s:–—-])(.*)$", first)
            if match:
                result = parse_entry_text(
                    body_line + token.map[0], match.group(1), match.group(2).rstrip()
                )
                (entries if isinstance(result, LogEntry) else bad).append(result)  # type: ignore[arg-type]
    return entries, bad


# A code fence that starts a line (CommonMark: three or more backticks or tildes), and the
# rest of its line: its info string.
_FENCE = re.compile(r"^(`{3,}|~{3,})(.*)$", re.MULTILINE)


def without_fences(body: str) -> str:
    """`body` with each code fence that starts a line blanked, with all it holds, line for
    line (every other line keeps its number): as CommonMark reads a fence, up to a line of
    0-3 spaces and the same character at least as many times (then only blanks), or to
    the end. What a fence holds is code, never a heading, entry or task, so a line scan
    can read what is left. A backtick line with a backtick after it is no fence, and is
    left (a scan leaves it to markdown-it). Only for a body without a CR or NUL, which
    markdown-it reads as more lines."""
    kept: list[str] = []
    start = 0
    for fence in _FENCE.finditer(body):
        mark, info = fence.group(1, 2)
        if fence.start() < start or (mark[0] == "`" and "`" in info):
            continue  # inside a fence blanked already, or no fence
        close = re.compile(rf"^ {{0,3}}{mark[0]}{{{len(mark)},}}[ \t]*$", re.MULTILINE)
        closing = close.search(body, fence.end())
        end = closing.end() if closing else len(body)
        kept += (body[start : fence.start()], "\n" * body.count("\n", fence.start(), end))
        start = end
    kept.append(body[start:])
    return "".join(kept)


def read_log(body: str, body_line: int) -> tuple[list[LogEntry], list[BadLine]]:
    """Log entries (newest first, then file order) and bad entry lines.

    Scans lines, or parses with markdown-it when the body needs it. A code block does
    not need it: the scan reads the body with it blanked (`without_fences`).
    """
    if "Log" not in body and LOG_TITLE not in body and LOG_TITLE not in body.lower():
        return [], []  # (the usual `## Log` is found without lowering a copy of the body)
    if needs_parser(body):
        plain = None if "\r" in body or "\x00" in body else without_fences(body)
        if plain is None or needs_parser(plain):
            entries, bad = parse_log(body, body_line)
        else:
            entries, bad = scan_log(plain, body_line)
    else:
        entries, bad = scan_log(body, body_line)
    entries.sort(key=_BY_DATE, reverse=True)  # stable: equal dates stay in file order
    return entries, bad
