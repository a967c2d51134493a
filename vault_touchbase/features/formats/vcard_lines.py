"""A .vcf file's bytes as cards of vobject content lines: line ends, cards, charsets, bad lines.

This is a pre-pass, not a parser: vobject's `parseLine` still parses every
property. Before it does, the file's line ends are made one (iOS 5-6 write
`\\r\\r\\n`), it is cut into cards at `BEGIN:VCARD` (a card that never ends
stops at the next one), folded lines are joined, and each value is decoded by
its own `CHARSET` (and quoted-printable) parameter, else by its card's own
encoding (UTF-8 when the card's bytes are UTF-8, else Windows-1252). A line
that cannot be read costs that line, with a warning, not the person.
"""

from __future__ import annotations

import quopri
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from vault_touchbase.core.model import Problem

if TYPE_CHECKING:
    from vobject.base import ContentLine

_BEGIN = re.compile(rb"^\s*BEGIN\s*:\s*VCARD\s*$", re.IGNORECASE)
_END = re.compile(rb"^\s*END\s*:\s*VCARD\s*$", re.IGNORECASE)
_AGENT = re.compile(rb"^\s*(?:[\w-]+\.)?AGENT\b[^:]*:\s*$", re.IGNORECASE)
_EMPTY_PARAM = re.compile(r";+(?=[;:])")  # `NOTE;CHARSET=UTF-8;:text`
_CONTINUED = re.compile(r"(?<!\\)(?:\\\\)*\\$")  # ends with one unescaped backslash
_PROPERTY = re.compile(r"^[A-Za-z0-9_.-]+[;:]")
_BASE64 = re.compile(r"^[^:]*;\s*(?:ENCODING=)?(?:BASE64|B)\s*[;:]", re.IGNORECASE)
_HEAD = re.compile(r"^[^:\"]*(?:\"[^\"]*\"[^:\"]*)*")  # a line up to its first real colon


@dataclass
class RawCard:
    """One card's physical lines (BEGIN to END, line ends removed) and where it starts."""

    line: int
    lines: list[bytes] = field(default_factory=list)
    ended: bool = False


def file_lines(data: bytes) -> list[bytes]:
    """A file's lines, whatever its line ends (`\\n`, `\\r\\n`, `\\r\\r\\n`, `\\r`)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        data = data.decode("utf-16").encode("utf-8")
    data = data.removeprefix(b"\xef\xbb\xbf")
    return data.replace(b"\r\r\n", b"\n").replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")


def split_cards(data: bytes, file: str) -> tuple[list[RawCard], list[Problem]]:
    """Every card in the file, and a warning for each line outside any card.

    A `BEGIN:VCARD` inside a card starts the next card (the first one was never
    ended), unless it follows an `AGENT:` line (a 2.1 card nested in another).
    """
    cards: list[RawCard] = []
    problems: list[Problem] = []
    current: RawCard | None = None
    depth = 0
    for number, line in enumerate(file_lines(data), 1):
        if len(line) < 40 and _BEGIN.match(line):  # (a photo's lines are long)
            if current is not None and depth and _AGENT.match(current.lines[-1]):
                depth += 1
                current.lines.append(line)
                continue
            if current is not None:
                cards.append(current)
            current, depth = RawCard(number, [line]), 1
        elif current is None:
            if line.strip():
                shown = line.decode("utf-8", "replace").strip()[:40]
                problems.append(
                    Problem(file, number, "warning", f"text outside any card ignored: {shown!r}")
                )
        else:
            current.lines.append(line)
            if len(line) < 40 and _END.match(line):
                depth -= 1
                if depth == 0:
                    current.ended = True
                    cards.append(current)
                    current = None
    if current is not None:
        cards.append(current)
    return cards, problems


def card_encoding(card: RawCard) -> str:
    """The encoding of a card's values without a CHARSET: UTF-8 if its bytes are, else cp1252."""
    try:
        b"\n".join(card.lines).decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def logical_lines(card: RawCard) -> list[tuple[str, int]]:
    """(line, file line number) with folded lines joined and 2.1 quoted-printable soft breaks
    kept for decoding, as vobject's `getLogicalLines` does (whose numbers are off by one after
    a blank line). Bytes are carried as Latin-1 text, one character a byte, until decoded."""
    out: list[tuple[str, int]] = []
    current: list[str] = []
    start = card.line
    soft_break = False
    for offset, raw in enumerate(card.lines):
        line = raw.decode("latin-1")
        number = card.line + offset
        if not line.strip():
            soft_break = False
            continue
        if soft_break:
            current.append("\n" + line)
        elif line[0] in " \t" and current:
            current.append(line[1:])
        elif current and _BASE64.match(current[0]) and not _PROPERTY.match(line):
            current.append(line.strip())  # 2.1 base64 lines, not indented, up to a blank line
        elif current and _CONTINUED.search(current[-1]) and not _PROPERTY.match(line):
            current[-1] = current[-1][:-1] + "\\n"  # a value continued after a backslash
            current.append(line)
        else:
            if current:
                out.append(("".join(current), start))
            current, start = [line], number
        # the parameters are on the first line; joining all of a long photo's lines is slow
        soft_break = current[-1].endswith("=") and "quoted-printable" in current[0].lower()
    if current:
        out.append(("".join(current), start))
    return out


def content_lines(
    card: RawCard, file: str, where: str
) -> tuple[list[ContentLine], list[str], list[Problem]]:
    """A card's properties parsed by vobject, values decoded; the lines that could not be
    read (for the note); and a warning for each of those and for each undecodable value."""
    from vobject.base import ContentLine, ParseError, parseLine

    encoding = card_encoding(card)
    lines: list[ContentLine] = []
    unread: list[str] = []
    problems: list[Problem] = []

    def warn(number: int, message: str) -> None:
        problems.append(Problem(file, number, "warning", f"{where}: {message}"))

    for text, number in logical_lines(card):
        head = _HEAD.match(text)
        end = head.end() if head else 0
        repaired = _EMPTY_PARAM.sub("", text[: end + 1]) + text[end + 1 :]
        try:
            name, params, value, group = parseLine(repaired, number)
        except ParseError:
            shown = _decode(text.encode("latin-1"), encoding, "")[0].strip()
            if shown.startswith("#"):
                warn(number, f"comment line ignored: {shown[:60]!r}")
            else:
                warn(number, f"line {shown[:60]!r} cannot be read; kept as a note")
                unread.append(shown)
            continue
        value, params, bad = _value(value, params, encoding)
        if bad:
            warn(number, f"{name}: {bad}")
        lines.append(ContentLine(name, params, value, group, encoded=True, lineNumber=number))
    return _outer(lines), unread, problems


def _outer(lines: list[ContentLine]) -> list[ContentLine]:
    """The card's own properties, without a 2.1 AGENT's card nested in it."""
    out: list[ContentLine] = []
    depth = 0
    for line in lines:
        depth += line.name == "BEGIN"
        if depth <= 1:
            out.append(line)
        depth -= line.name == "END"
    return out


def _value(value: str, params: list[list[str]], encoding: str) -> tuple[str, list[list[str]], str]:
    """A value decoded by its quoted-printable and CHARSET parameters (which are then
    dropped), and what went wrong ("" when nothing did)."""
    qp = False
    charset = ""
    kept: list[list[str]] = []
    for param in params:
        key = param[0].upper()
        values = [v.upper() for v in param[1:]]
        if key == "QUOTED-PRINTABLE" or (key == "ENCODING" and "QUOTED-PRINTABLE" in values):
            qp = True
        elif key == "CHARSET" and param[1:]:
            charset = param[1]
        else:
            kept.append(param)
    raw = value.encode("latin-1")
    if qp:
        raw = quopri.decodestring(raw)
    text, bad = _decode(raw, charset or encoding, charset)
    return text, kept, bad


def _decode(raw: bytes, encoding: str, named: str) -> tuple[str, str]:
    """Bytes as text in `encoding`; bytes it cannot decode are replaced, and said."""
    try:
        return raw.decode(encoding), ""
    except LookupError:
        text, _ = _decode(raw, "utf-8", "")
        return text, f"unknown CHARSET {named!r}; read as UTF-8"
    except UnicodeDecodeError:
        said = f"CHARSET {named}" if named else encoding.upper()
        return raw.decode(encoding, "replace"), f"bytes that are not {said} replaced by �"


def raw_line(line: ContentLine) -> str:
    """A property as one vCard line again (decoded, unfolded): `item1.X-MS-MANAGER:Big Blue`."""
    from vobject.base import dquoteEscape

    out = f"{line.group}." if line.group else ""
    out += line.name
    for key, values in line.params.items():
        out += f";{key}" + ("=" + ",".join(dquoteEscape(v) for v in values) if values else "")
    for single in line.singletonparams:
        out += f";{single}"
    value = line.value if isinstance(line.value, str) else ""
    return out + ":" + value.replace("\r\n", "\n").replace("\n", "\\n")
