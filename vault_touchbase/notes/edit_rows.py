"""A note cut into rows for minimal edits, and the checks every edit shares.

`Rows` keeps every line end, the BOM and a missing final newline, so an edit
that changes one row changes one line of the file and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from vault_touchbase.core.errors import NoteError
from vault_touchbase.core.oneline import single_line
from vault_touchbase.notes.text import NoteSyntaxError, split_note


class EditError(NoteError):
    """A note cannot be edited safely; it is left untouched. `hint` says what to do."""


def newline_of(text: str) -> str:
    """The line end new lines get: CRLF when the note uses it anywhere, else LF."""
    return "\r\n" if "\r\n" in text else "\n"


# --- the note as rows ---------------------------------------------------------


@dataclass
class Rows:
    """A note cut into lines: `rows[i] + ends[i]` rebuilds line i byte for byte."""

    bom: str
    rows: list[str]  # line contents, no line end
    ends: list[str]  # "\n", "\r\n", or "" for a last line without a final newline
    eol: str  # the line end for new lines
    body_start: int  # index of the first body row
    has_front: bool
    body: str  # the body as `split_note` gives it (LF line ends): what markdown-it reads

    @classmethod
    def of(cls, text: str) -> Rows:
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
        gap = [""] if body_rows and not is_blank(body_rows[-1]) else []
        self.insert(len(self.rows), gap + block)


def is_blank(line: str) -> bool:
    """True for a line of only spaces and tabs."""
    return not line.strip(" \t")


def back_over_blanks(lines: list[str], end: int, floor: int) -> int:
    """Move `end` back over blank lines (a list's range includes them), not below `floor`."""
    while end > floor and (end > len(lines) or is_blank(lines[end - 1])):
        end -= 1
    return end


def one_line(text: str, what: str) -> str:
    """`text` on one line (`core.oneline.single_line`: line breaks and other control
    characters become spaces); empty text is refused."""
    flat = single_line(text)
    if not flat:
        raise EditError(f"the {what} is empty", f"give the {what} some text")
    return flat


def as_day(day: object, what: str) -> date:
    """`day` as a date (a datetime's date); EditError naming `what` when it is not one."""
    if isinstance(day, datetime):
        return day.date()
    if not isinstance(day, date):
        raise EditError(
            f"the {what} is missing or not a date: {day!r}", "give a date as YYYY-MM-DD"
        )
    return day
