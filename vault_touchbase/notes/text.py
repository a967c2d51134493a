"""A note's bytes ↔ its frontmatter text and body, with line numbers kept.

Reading only; minimal-diff edits live in the `edit_*` modules. Everything here is pure.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import NamedTuple

BOM = "\ufeff"
# A closing fence line, found from the newline before it: a pattern that starts with a
# newline lets the regex engine jump from line to line instead of trying every position.
_FENCE_AFTER_NEWLINE = re.compile(r"\n(?:---|\.\.\.)[ \t]*$", re.MULTILINE)


class NoteSyntaxError(ValueError):
    """The note cannot be read; `line` is 1-based in the file."""

    def __init__(self, line: int, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.line = line
        self.message = message
        self.hint = hint


class NoteParts(NamedTuple):
    """A note split at its frontmatter fences. Text uses `\\n` line ends. (A named tuple:
    built for every note parsed, and quicker to build than a frozen dataclass.)"""

    frontmatter: str | None  # the YAML between the fences, None when there is none
    frontmatter_line: int  # 1-based file line of the first YAML line
    body: str
    body_line: int  # 1-based file line where the body starts
    bom: bool
    crlf: bool


def decode(data: bytes) -> str:
    """UTF-8 text (a BOM is allowed) or NoteSyntaxError with the line of the bad byte."""
    if b"\x00" in data[:8192]:
        raise NoteSyntaxError(
            1, "binary file, not a Markdown note", "move it out of the contacts folder"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise NoteSyntaxError(
            line,
            f"not UTF-8 text (byte 0x{data[exc.start]:02x})",
            "re-save the note as UTF-8",
        ) from None


def split_note(text: str) -> NoteParts:
    """Split at the `---` fences. No opening fence: all body. An unclosed one: an error."""
    bom = text.startswith(BOM)
    if bom:
        text = text[1:]
    crlf = "\r\n" in text
    if crlf:
        text = text.replace("\r\n", "\n")
    first_end = text.find("\n")
    if (text if first_end < 0 else text[:first_end]).rstrip(" \t") != "---":
        return NoteParts(None, 1, text, 1, bom, crlf)
    # the closing fence found by one search in C, not by splitting every line of the note
    fence = _FENCE_AFTER_NEWLINE.search(text, first_end) if first_end >= 0 else None
    if fence is None:
        raise NoteSyntaxError(
            1,
            "frontmatter is not closed: no `---` line after the opening one",
            "add a line with --- after the last property",
        )
    start, end = fence.start() + 1, fence.end()
    front = text[first_end + 1 : max(start - 1, first_end + 1)]
    body = text[end + 1 :]
    return NoteParts(front, 2, body, text.count("\n", 0, start) + 2, bom, crlf)


# A top-level `key:` line (the same rule line by line; MULTILINE so one search in C
# finds every such line of the frontmatter without looking at the others one by one).
_KEY_LINES = re.compile(
    r"^([^\s#\-?:][^:\n]*?|\"[^\"\n]*\"|'[^'\n]*')[ \t]*:(?:[ \t]|$)", re.MULTILINE
)


def top_level_keys(frontmatter: str, first_line: int) -> list[tuple[str, int]]:
    """(key, file line) for each top-level `key:` line, in order, duplicates included."""
    found = []
    line, counted = first_line, 0
    for match in _KEY_LINES.finditer(frontmatter):
        line += frontmatter.count("\n", counted, match.start())
        counted = match.start()
        found.append((_key_of(match.group(1)), line))
    return found


def repeats_a_key(frontmatter: str) -> bool:
    """Whether two of the `top_level_keys` are the same key (one C search, no line numbers:
    most notes have no repeated key, and then no line needs counting)."""
    raw = _KEY_LINES.findall(frontmatter)
    return len({_key_of(key) for key in raw}) < len(raw)


def _key_of(raw: str) -> str:
    key = raw.strip()
    if key[:1] in "\"'" and key[-1:] == key[:1]:
        key = key[1:-1]
    return key


def load_yaml(text: str) -> object:
    """The one YAML reader for notes: safe, PyYAML's C parser, a lean constructor.

    Gives what `yaml.CSafeLoader` gives (see `yaml_loader`). Raises yaml.YAMLError;
    callers turn it into a Problem with a line.
    """
    from vault_touchbase.notes import yaml_loader  # imports yaml: not at start-up

    return yaml_loader.load_yaml(text)


def load_yaml_counting_keys(text: str) -> tuple[object, int | None]:
    """`load_yaml`, and how many top-level keys the document wrote (None: not counted)."""
    from vault_touchbase.notes import yaml_loader

    return yaml_loader.load_yaml_counting_keys(text)


class NotProperties(ValueError):
    """The frontmatter is valid YAML but not `key: value` properties (a list, a bare word)."""


def load_properties(frontmatter: str | None) -> dict[object, object]:
    """Frontmatter YAML as a dict with its keys as YAML typed them; {} when there is none.

    Raises yaml.YAMLError for invalid YAML and NotProperties when it is not a mapping.
    """
    if frontmatter is None:
        return {}
    data = load_yaml(frontmatter)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise NotProperties("the frontmatter is not a set of `key: value` properties")
    return data


def frontmatter_of(text: str) -> dict[str, object]:
    """A note's frontmatter as a dict with text keys: the one "frontmatter as a dict" helper.

    {} when the note has no frontmatter, an empty one, or one that is not
    `key: value` properties. Raises NoteSyntaxError when the frontmatter is not
    closed and yaml.YAMLError when its YAML is invalid.
    """
    try:
        meta = load_properties(split_note(text).frontmatter)
    except NotProperties:
        return {}
    return {str(key): value for key, value in meta.items()}


# contacts-ng's `last_contact: "[[2024-03-15]]"`: a link to a daily note (maybe in a
# folder, maybe with `|alias` or `#heading`) names that day
_DATE_LINK = re.compile(r"^\[\[(?:[^\]|#]*/)?(\d{4}-\d{2}-\d{2})(?:[|#][^\]]*)?\]\]$")


def linked_date(value: object) -> date | None:
    """The day a link to a daily note names: `"[[2024-03-15]]"` quoted (a string to YAML)
    or unquoted (a list in a list, as YAML reads it); None for anything else."""
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], list):
        inner = value[0]
        if len(inner) != 1:
            return None
        if isinstance(inner[0], date) and not isinstance(inner[0], datetime):
            return inner[0]
        value = f"[[{inner[0]}]]"
    if not isinstance(value, str) or "[[" not in value:
        return None
    match = _DATE_LINK.match(value.strip())
    if match is None:
        return None
    try:
        return date.fromisoformat(match.group(1))
    except ValueError:
        return None
