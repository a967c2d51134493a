"""Minimal-diff edits of a note's text: str in, str out, every edit verified.

Each function takes the whole note text as decoded (a BOM, CRLF or LF line
ends, a missing final newline are all fine) and returns the new whole text.
Only the line meant to change is changed, or the lines meant to be added are
added: key order, comments, quoting, line ends, the BOM and the rest of the
body keep their bytes. Frontmatter is never dumped through a YAML dumper.

Every edit re-reads the old and the new text (frontmatter with
`note.load_yaml`, the Log with `logbook.read_log`, the Markdown with
markdown-it) and checks that exactly the intended values changed. On any
doubt it raises `EditError` and the caller leaves the note untouched.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from vault_touchbase.core.errors import NoteError
from vault_touchbase.core.model import LogEntry
from vault_touchbase.notes.log import LOG_TITLE, markdown, parse_entry_text, read_log
from vault_touchbase.notes.text import NoteSyntaxError, load_yaml, split_note, top_level_keys

if TYPE_CHECKING:
    from markdown_it.token import Token

Scalar = date | str | int | bool | list[str] | None  # lists are written in flow style: [a, b]


class EditError(NoteError):
    """A note cannot be edited safely; it is left untouched. `hint` says what to do."""


def newline_of(text: str) -> str:
    """The line end new lines get: CRLF when the note uses it anywhere, else LF."""
    return "\r\n" if "\r\n" in text else "\n"


# --- the note as rows ---------------------------------------------------------


@dataclass
class _Rows:
    """A note cut into lines: `rows[i] + ends[i]` rebuilds line i byte for byte."""

    bom: str
    rows: list[str]  # line contents, no line end
    ends: list[str]  # "\n", "\r\n", or "" for a last line without a final newline
    eol: str  # the line end for new lines
    body_start: int  # index of the first body row
    has_front: bool
    body: str  # the body as `split_note` gives it (LF line ends): what markdown-it reads

    @classmethod
    def of(cls, text: str) -> _Rows:
        try:
            parts = split_note(text)
        except NoteSyntaxError as exc:
            raise EditError(f"the note cannot be read: {exc.message}", exc.hint) from None
        bom = text[:1] if parts.bom else ""
        pieces = text[len(bom) :].split("\n")
        rows, ends = [], []
        for index, piece in enumerate(pieces):
            last = index == len(pieces) - 1
            if last and piece == "":
                break
            crlf = not last and piece.endswith("\r")
            rows.append(piece[:-1] if crlf else piece)
            ends.append("" if last else "\r\n" if crlf else "\n")
        if any("\r" in row for row in rows):
            raise EditError(
                "the note has a carriage return (CR) that does not end a CRLF line",
                "re-save the note with LF or CRLF line ends",
            )
        return cls(
            bom,
            rows,
            ends,
            newline_of(text),
            parts.body_line - 1,
            parts.frontmatter is not None,
            parts.body,
        )

    def text(self) -> str:
        return self.bom + "".join(row + end for row, end in zip(self.rows, self.ends, strict=True))

    def front(self) -> str:
        """The BOM and the frontmatter up to its closing fence (without the fence's line end)."""
        if not self.has_front:
            return self.bom
        fence = self.body_start - 1
        return (
            self.bom
            + "".join(r + e for r, e in zip(self.rows[:fence], self.ends[:fence], strict=True))
            + self.rows[fence]
        )

    def insert(self, index: int, new: list[str]) -> None:
        """Insert lines before row `index`; appending keeps a missing final newline missing."""
        ends = [self.eol] * len(new)
        if index == len(self.rows) and self.rows and self.ends[-1] == "":
            self.ends[-1] = self.eol
            ends[-1] = ""
        self.rows[index:index] = new
        self.ends[index:index] = ends

    def insert_body(self, at: int, new: list[str]) -> None:
        self.insert(self.body_start + at, new)

    def append_body_block(self, block: list[str]) -> None:
        """Add lines at the end of the body, after one blank line when the body has text."""
        body_rows = self.rows[self.body_start :]
        gap = [""] if body_rows and not _blank(body_rows[-1]) else []
        self.insert(len(self.rows), gap + block)


def _blank(line: str) -> bool:
    return not line.strip(" \t")


def _back_over_blanks(lines: list[str], end: int, floor: int) -> int:
    """Move `end` back over blank lines (a list's range includes them), not below `floor`."""
    while end > floor and (end > len(lines) or _blank(lines[end - 1])):
        end -= 1
    return end


def _one_line(text: str, what: str) -> str:
    """`text` on one line: line breaks become spaces; empty text is refused."""
    flat = " ".join(text.splitlines()).strip()
    if not flat:
        raise EditError(f"the {what} is empty", f"give the {what} some text")
    return flat


def _as_day(day: object, what: str) -> date:
    if isinstance(day, datetime):
        return day.date()
    if not isinstance(day, date):
        raise EditError(
            f"the {what} is missing or not a date: {day!r}", "give a date as YYYY-MM-DD"
        )
    return day


# --- frontmatter ---------------------------------------------------------------

_KEY_HEAD = re.compile(r"^(?:[^\s#\-?:][^:]*?|\"[^\"]*\"|'[^']*')[ \t]*:(?=[ \t]|$)")
_TAIL = re.compile(r"^[ \t]*(?:#.*)?$")


def _format_scalar(value: Scalar, quote: str = "") -> str:
    """`value` as a one-line YAML scalar; a string keeps the old value's quote style."""
    import yaml

    def dump(style: str | None) -> str:
        out = yaml.safe_dump(
            value,
            default_style=style,
            default_flow_style=True,
            width=float("inf"),
            allow_unicode=True,
        )
        return out.removesuffix("\n...\n").removesuffix("\n")

    if isinstance(value, str) and quote == "'" and value.isprintable():
        return "'" + value.replace("'", "''") + "'"
    out = dump('"' if isinstance(value, str) and quote == '"' else None)
    return out if len(out.splitlines()) <= 1 else dump('"')


def _quoted_end(value: str) -> int | None:
    """Index just past the closing quote of a quoted scalar at the start of `value`."""
    quote, index = value[0], 1
    while index < len(value):
        char = value[index]
        if quote == '"' and char == "\\":
            index += 2
            continue
        if char == quote:
            if quote == "'" and value[index + 1 : index + 2] == "'":
                index += 2
                continue
            return index + 1
        index += 1
    return None


def _flow_end(value: str) -> int | None:
    """Index just past the bracket that closes a flow list or mapping opened at 0."""
    depth, index = 0, 0
    while index < len(value):
        char = value[index]
        if char in "'\"":
            end = _quoted_end(value[index:])
            if end is None:
                return None
            index += end
            continue
        depth += char in "[{"
        depth -= char in "]}"
        index += 1
        if depth == 0:
            return index
    return None


def _split_value(key: str, line: str) -> tuple[str, str, str, str]:
    """`key: value  # note` as (`key:`, spaces, the value as written, spaces and comment)."""
    head = _KEY_HEAD.match(line)
    if head is None:
        raise EditError(f"cannot find where the value of `{key}` starts", f"edit `{key}` by hand")
    rest = line[head.end() :]
    value = rest.lstrip(" \t")
    gap = rest[: len(rest) - len(value)]
    if value[:1] in ("", "#"):
        return line[: head.end()], gap, "", value
    first = value[0]
    if first in "|>&!*":
        raise EditError(
            f"`{key}` uses a YAML block scalar, anchor, alias or tag, which vtb does not rewrite",
            f"write `{key}` as a plain one-line value, or edit it by hand",
        )
    if first in "'\"":
        end = _quoted_end(value)
    elif first in "[{":
        end = _flow_end(value)
    else:
        comment = re.search(r"[ \t]#", value)
        end = len(value[: comment.start() if comment else len(value)].rstrip(" \t"))
    if end is None or not _TAIL.match(value[end:]):
        raise _multi_line(key)
    return line[: head.end()], gap, value[:end], value[end:]


def _multi_line(key: str) -> EditError:
    return EditError(
        f"`{key}` spans several lines in the frontmatter; vtb only rewrites one-line values",
        f"edit `{key}` by hand, or put its value on one line (e.g. `{key}: [a, b]`)",
    )


def _mapping(front: str | None) -> dict[object, object]:
    """The frontmatter as a dict ({} when there is none) or EditError."""
    import yaml

    if front is None:
        return {}
    try:
        data = load_yaml(front)
    except yaml.YAMLError as exc:
        first = str(exc).split("\n", 1)[0]
        raise EditError(
            f"the frontmatter is not valid YAML ({first})", "fix it first; `vtb check` shows where"
        ) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise EditError(
            "the frontmatter is not a list of `key: value` lines",
            "fix it first; `vtb check` shows where",
        )
    return data


def set_scalar(text: str, key: str, value: Scalar) -> str:
    """Set the top-level frontmatter `key` to a one-line `value` (None removes the line).

    Changes only that line (or adds one before the closing fence, or adds a
    frontmatter block to a note without one); keeps comment, quotes, line end.
    """
    notes = _Rows.of(text)
    if not notes.has_front:
        if value is None:
            return text
        notes.insert(0, ["---", f"{_format_scalar(key)}: {_format_scalar(value)}", "---"])
        return _verified_scalar(text, notes.text(), key, value)
    front = split_note(text).frontmatter or ""
    keys = top_level_keys(front, 2)
    lines = [line for name, line in keys if name == key]
    if len(lines) > 1:
        raise EditError(
            f"`{key}` appears {len(lines)} times in the frontmatter; vtb cannot tell which counts",
            f"delete all but one `{key}:` line",
        )
    if not lines:
        if value is None:
            return text
        notes.insert(notes.body_start - 1, [f"{_format_scalar(key)}: {_format_scalar(value)}"])
        return _verified_scalar(text, notes.text(), key, value)
    row = lines[0] - 1
    later = [line - 1 for _, line in keys if line - 1 > row]
    stop = later[0] if later else notes.body_start - 1
    if any(not _blank(r) and not r.lstrip().startswith("#") for r in notes.rows[row + 1 : stop]):
        raise _multi_line(key)
    head, gap, old, tail = _split_value(key, notes.rows[row])
    if value is None:
        del notes.rows[row], notes.ends[row]
    else:
        new = _format_scalar(value, old[0] if old[:1] in ("'", '"') else "")
        # `key:` with no value (or only a comment): one space before it, the gap before the comment
        notes.rows[row] = (
            head + gap + new + tail if old else head + " " + new + (gap + tail if tail else "")
        )
    return _verified_scalar(text, notes.text(), key, value)


def _verified_scalar(old_text: str, new_text: str, key: str, value: Scalar) -> str:
    """`new_text`, after checking that only `key` changed, to `value`, and the body did not."""
    old_notes, new_notes = split_note(old_text), split_note(new_text)
    old = _mapping(old_notes.frontmatter)
    try:
        new: dict[object, object] | None = _mapping(new_notes.frontmatter)
    except EditError:  # the edit, not the note, broke the YAML
        new = None
    expected = dict(old)
    if value is None:
        expected.pop(key, None)
    else:
        expected[key] = value
    same_body = old_notes.body == new_notes.body and old_notes.bom == new_notes.bom
    if (
        new is None
        or new != expected
        or list(new) != list(expected)
        or (value is not None and type(new[key]) is not type(value))
        or not same_body
    ):
        raise EditError(
            f"setting `{key}` would change more than that one value",
            f"edit `{key}` by hand; the frontmatter may use YAML vtb does not rewrite",
        )
    return new_text


# --- the body: sections located with markdown-it ---------------------------------


@dataclass(frozen=True)
class _Heading:
    start: int  # first body line of the heading
    end: int  # body line after it (setext headings take two)
    title: str


def _headings(tokens: list[Token]) -> list[_Heading]:
    """Level-1/2 headings outside lists and quotes: what starts and ends a section."""
    return [
        _Heading(token.map[0], token.map[1], tokens[index + 1].content.strip())
        for index, token in enumerate(tokens)
        if token.type == "heading_open"
        and token.level == 0
        and token.tag in ("h1", "h2")
        and token.map
    ]


def _section(
    tokens: list[Token], size: int, wanted: Callable[[str], bool]
) -> tuple[_Heading, int] | None:
    """The first heading whose title is `wanted` and the body line where its section ends."""
    headings = _headings(tokens)
    for index, heading in enumerate(headings):
        if wanted(heading.title):
            end = headings[index + 1].start if index + 1 < len(headings) else size
            return heading, end
    return None


def _is_log(title: str) -> bool:
    return title.lower() == LOG_TITLE


def _is_followups(title: str) -> bool:
    return re.sub(r"[\s_-]+", "", title.lower()) in ("followups", "followup")


_BULLET = re.compile(r"^(?:[ \t]*>)*[ \t]*[-*+][ \t]+")


def _bullet_of(line: str) -> str:
    """The indent, bullet and spacing a list item line starts with (`- ` when not a bullet)."""
    match = _BULLET.match(line)
    return match.group(0) if match else "- "


def _items(tokens: list[Token]) -> dict[int, Token]:
    """List items by their first body line."""
    return {t.map[0]: t for t in tokens if t.type == "list_item_open" and t.map}


# --- the Log ---------------------------------------------------------------------


def _entry_line(day: date, channel: str | None, entry_text: str) -> tuple[str, _EntryKey]:
    """The entry as written after the bullet, and what `read_log` must read back from it."""
    text = " ".join(entry_text.splitlines()).strip()
    when = day.isoformat()
    want: _EntryKey = (day, channel.lower() if channel else None, text)
    tails = [f" {channel}: {text}"] if channel else [f" {text}", f": {text}"]
    for tail in tails:  # `- DATE: email: x` keeps `email:` in the text of a channel-less entry
        if _entry_key(parse_entry_text(0, when, tail.rstrip())) == want:
            return when + tail.rstrip(), want
    raise EditError(
        f"the channel {channel!r} is not one word, so the entry would read back differently",
        "use a one-word channel such as email, call or visit",
    )


_EntryKey = tuple[object, ...]


def _entry_key(entry: LogEntry | tuple[int, str]) -> _EntryKey:
    if isinstance(entry, LogEntry):
        return (entry.date, entry.channel, entry.text)
    return ("bad entry", entry[1])


def _log_keys(body: str) -> Counter[_EntryKey]:
    """The Log's entries and bad entry lines, without their line numbers."""
    entries, bad = read_log(body, 0)
    return Counter([*map(_entry_key, entries), *map(_entry_key, bad)])


def _check_body_edit(
    old_text: str, new_text: str, what: str, added: _EntryKey | None = None
) -> None:
    """Check that a body edit kept the frontmatter bytes and the Log (plus `added`)."""
    old, new = _Rows.of(old_text), _Rows.of(new_text)
    if old.front() != new.front():
        raise EditError(f"{what} would change the frontmatter", "edit the note by hand")
    if _log_keys(new.body) != _log_keys(old.body) + Counter([added] if added else []):
        raise EditError(
            f"{what} would not leave the Log as it should be",
            "look for an unclosed ``` fence or an HTML block near `## Log`, or edit by hand",
        )


def _log_spot(body: list[str], tokens: list[Token], day: date) -> tuple[int, str] | None:
    """Where a new entry of `day` goes in the first Log (body line, bullet); None: no Log."""
    found = _section(tokens, len(body), _is_log)
    if found is None:
        return None
    heading, end = found
    entries = [e for e in read_log("\n".join(body), 0)[0] if heading.end <= e.line < end]
    entries.sort(key=lambda e: e.line)
    older = [e for e in entries if e.date < day]
    if older:
        return older[0].line, _bullet_of(body[older[0].line])
    if not entries:
        return _back_over_blanks(body, end, heading.end), "- "
    last = _items(tokens).get(entries[-1].line)
    if last is None or last.map is None:
        raise EditError("the Log's list could not be located", "add the entry by hand")
    return _back_over_blanks(body, last.map[1], last.map[0] + 1), _bullet_of(body[last.map[0]])


def add_log_entry(text: str, day: date, channel: str | None, entry_text: str) -> str:
    """Add `- YYYY-MM-DD channel: text` to the first `## Log`, newest first (created if missing).

    Placed before the first entry older than `day`, else after the last entry;
    uses the list's bullet and never adds a blank line inside the list.
    """
    day = _as_day(day, "date of the Log entry")
    line, want = _entry_line(day, channel, entry_text)
    notes = _Rows.of(text)
    body = notes.body.split("\n")
    spot = _log_spot(body, markdown().parse(notes.body), day)
    if spot is None:
        notes.append_body_block(["## Log", "- " + line])
    else:
        notes.insert_body(spot[0], [spot[1] + line])
    new_text = notes.text()
    _check_body_edit(text, new_text, "adding the Log entry", added=want)
    return new_text


# --- follow-ups ------------------------------------------------------------------


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
    item = "[ ] " + _one_line(task, "follow-up task")
    if due is not None:
        item += f" 📅 {_as_day(due, 'due date').isoformat()}"
    notes = _Rows.of(text)
    body = notes.body.split("\n")
    tokens = markdown().parse(notes.body)
    found = _section(tokens, len(body), _is_followups)
    if found is not None:
        heading, end = found
        items = [t for t in tokens if t.type == "list_item_open" and t.level == 1 and t.map]
        items = [t for t in items if heading.end <= t.map[0] < end]  # type: ignore[index]
        if items and items[-1].map and items[-1].markup in "-*+":
            last = items[-1].map
            at, bullet = _back_over_blanks(body, last[1], last[0] + 1), _bullet_of(body[last[0]])
        else:
            at, bullet = _back_over_blanks(body, end, heading.end), "- "
        notes.insert_body(at, [bullet + item])
    elif (log := _section(tokens, len(body), _is_log)) is not None:
        start = log[0].start
        gap = [""] if start > 0 and not _blank(body[start - 1]) else []
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
    _check_body_edit(old_text, new_text, what)
    old, new = _Rows.of(old_text), _Rows.of(new_text)
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
    done = f" ✅ {_as_day(day, 'date the follow-up was done').isoformat()}"
    notes = _Rows.of(text)
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


# --- free text and links ---------------------------------------------------------


def _heading_titles(body: str) -> list[str]:
    return [h.title for h in _headings(markdown().parse(body))]


def add_body_line(text: str, line: str) -> str:
    """Add a free-text line to the body: before `## Follow-ups` / `## Log`, else at the end.

    It goes right after the last paragraph (after a blank line when the last
    block is a list, quote or code), and a blank line stays before the heading.
    """
    line = _one_line(line, "note line")
    notes = _Rows.of(text)
    body = notes.body.split("\n")
    tokens = markdown().parse(notes.body)
    stops = [h.start for h in _headings(tokens) if _is_log(h.title) or _is_followups(h.title)]
    limit = stops[0] if stops else len(body)
    at = _back_over_blanks(body, limit, 0)
    block = [line]
    if at > 0:
        last = [
            t
            for t in tokens
            if t.level == 0 and t.nesting >= 0 and t.map and t.map[0] < at <= t.map[1]
        ]
        if not last or last[-1].type != "paragraph_open":
            block.insert(0, "")
    if stops and at == limit:
        block.append("")
    notes.insert_body(at, block)
    new_text = notes.text()
    _check_body_edit(text, new_text, "adding a note line")
    old_body = notes.body  # `insert` changes the rows, not this copy of the old body
    if _heading_titles(_Rows.of(new_text).body) != _heading_titles(old_body):
        raise EditError(f"the line {line!r} would change the note's headings", "add it by hand")
    return new_text


_WIKILINK = re.compile(r"\[\[([^\[\]|#\\\n]+?)((?:#|\\?\|)[^\[\]\n]*)?\]\]")
_CODE_SPAN = re.compile(r"(`+).*?(?<!`)\1(?!`)")


def replace_links(text: str, old: str, new: str) -> str:
    """Point body wikilinks to `old` at `new`: `[[old]]`, `[[folder/old|alias]]`, `[[old#h]]`...

    Folder, heading, alias and a `.md` suffix are kept; names match
    case-insensitively, as Obsidian resolves links. Code and plain text are not touched.
    """
    wanted = old.casefold()

    def swap(match: re.Match[str]) -> str:
        target = match.group(1)
        suffix = target[-3:] if target.lower().endswith(".md") else ""
        stem = target[: len(target) - len(suffix)]
        if stem.casefold() != wanted and not stem.casefold().endswith("/" + wanted):
            return match.group(0)
        return f"[[{stem[: len(stem) - len(old)]}{new}{suffix}{match.group(2) or ''}]]"

    def outside_code(line: str) -> str:
        pieces, done = [], 0
        for span in _CODE_SPAN.finditer(line):
            pieces += [_WIKILINK.sub(swap, line[done : span.start()]), span.group(0)]
            done = span.end()
        return "".join([*pieces, _WIKILINK.sub(swap, line[done:])])

    notes = _Rows.of(text)
    tokens = markdown().parse(notes.body)
    code = {n for t in tokens if t.type in ("fence", "code_block") and t.map for n in range(*t.map)}
    for at in range(len(notes.rows) - notes.body_start):
        if at not in code:
            notes.rows[notes.body_start + at] = outside_code(notes.rows[notes.body_start + at])
    new_text = notes.text()
    old_notes, new_notes = _Rows.of(text), _Rows.of(new_text)
    old_log, new_log = (
        Counter((e.date, e.channel) for e in read_log(n.body, 0)[0]) for n in (old_notes, new_notes)
    )
    if (
        old_notes.front() != new_notes.front()
        or old_log != new_log
        or _heading_titles(old_notes.body) != _heading_titles(new_notes.body)
    ):
        raise EditError(
            f"renaming links to {old!r} would change more than the links",
            "rename the links by hand",
        )
    return new_text
