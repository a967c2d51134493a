"""The list people keep by hand: a Word document (python-docx) or a plain text / Markdown file.

Both become a sequence of items (headings, lines, blank lines, tables) read by
the same rules (docs/import-export.md shows them with examples):

- A table with a header row (Name / Email / Phone / Notes ...): one row per person.
- Otherwise one block per person: a name line, then lines with an e-mail
  address, a phone number, a web address, `Label: value` (Birthday: 04-02,
  Company: Acme, Tags: design, ...) or free text, which becomes a note.
  Blocks are separated by blank lines, or start at a line in bold.
- Headings (Word's Heading styles, Markdown's `#`), and a line alone such as
  `Community:` or `Professional`, name the circle of the people below them. A
  heading level whose headings are followed directly by an e-mail or phone
  line holds people's names instead.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from vault_touchbase.core.model import Problem
from vault_touchbase.features.formats.builder import PersonBuilder
from vault_touchbase.features.formats.csvfiles import Row, people_from_table
from vault_touchbase.features.formats.fields import field_of
from vault_touchbase.features.formats.person import ReadResult
from vault_touchbase.features.formats.values import EMAIL, circle_of, is_phone, is_url

KNOWN_CIRCLES = {
    "professional",
    "community",
    "personal",
    "family",
    "friends",
    "work",
    "neighbours",
    "neighbors",
    "local",
}
_LABEL = re.compile(r"^([A-Za-z][\w .\-/]{0,30}?)\s*[:=]\s*(.+)$")
_SEPARATORS = re.compile(r"\s+[-–—|]\s+|\s*[,;\t]\s*")
_BULLET = re.compile(r"^\s*(?:[-*+•·]|\d{1,3}[.)])\s+")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_STRONG = re.compile(r"^(\*\*|__)(.+)\1$")


@dataclass
class Item:
    """One line or paragraph. `level`: None for text, 0 for a title, 1-6 for a heading."""

    text: str
    line: int
    level: int | None = None
    strong: bool = False
    table: list[list[str]] | None = None


@dataclass
class Block:
    lines: list[Item]
    circle: str
    by_heading: bool = False
    table: list[list[str]] | None = None


@dataclass
class _Reader:
    file: str
    unit: str  # "line" or "paragraph"
    source: str
    result: ReadResult
    tables: int = 0
    blocks: list[Block] = field(default_factory=list)


# --- items from a file -------------------------------------------------------------------


def docx_items(data: bytes) -> list[Item]:
    """Paragraphs and tables of a .docx, in order, numbered as paragraphs."""
    import docx
    from docx.table import Table

    document = docx.Document(io.BytesIO(data))
    items: list[Item] = []
    number = 0
    for part in document.iter_inner_content():
        number += 1
        if isinstance(part, Table):
            rows = [[cell.text for cell in row.cells] for row in part.rows]
            items.append(Item("", number, table=rows))
            continue
        style = part.style.name if part.style is not None and part.style.name else ""
        level = _style_level(style)
        runs = [run for run in part.runs if run.text.strip()]
        strong = bool(runs) and all(run.bold or _style_bold(run) for run in runs)
        lines = [" ".join(text.split()) for text in part.text.split("\n")]
        if len(lines) > 1 and level is None:
            # Lines broken with Shift+Enter: a paragraph starting with a name is one person
            starts = strong or (_name_like(lines[0]) and not _is_detail(lines[0]))
            items += [Item(text, number, strong=starts and i == 0) for i, text in enumerate(lines)]
        else:
            items.append(Item(" ".join(part.text.split()), number, level, strong))
    return items


def _style_level(style: str) -> int | None:
    if style in ("Title", "Subtitle"):
        return 0
    match = re.fullmatch(r"Heading (\d)", style)
    return int(match.group(1)) if match else None


def _style_bold(run: object) -> bool:
    style = getattr(run, "style", None)
    font = getattr(style, "font", None)
    return bool(getattr(font, "bold", False))


def text_items(text: str) -> list[Item]:
    """Lines of a plain text or Markdown list (frontmatter skipped, pipe tables kept whole)."""
    lines = text.split("\n")
    start = 0
    if lines and lines[0].strip() == "---":  # Markdown frontmatter
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
        start = end + 1 if end is not None else 0
    items: list[Item] = []
    index = start
    while index < len(lines):
        raw = lines[index].rstrip()
        if raw.lstrip().startswith("|"):
            rows, first = [], index
            while index < len(lines) and lines[index].lstrip().startswith("|"):
                cells = [c.strip() for c in lines[index].strip().strip("|").split("|")]
                if not all(re.fullmatch(r":?-{2,}:?", c) for c in cells):
                    rows.append(cells)
                index += 1
            items.append(Item("", first + 1, table=rows))
            continue
        items.append(_text_item(raw, index + 1))
        index += 1
    return items


def _text_item(raw: str, number: int) -> Item:
    heading = _HEADING.match(raw)
    if heading:
        return Item(heading.group(2).strip(), number, len(heading.group(1)))
    text = _BULLET.sub("", raw).strip()
    strong = _STRONG.match(text)
    if strong:
        return Item(strong.group(2).strip(), number, strong=True)
    return Item(text.replace("**", "").replace("__", ""), number)


# --- items → blocks → people ------------------------------------------------------------------


def read_items(items: list[Item], file: str, unit: str, source: str, kind: str) -> ReadResult:
    """People from the items of a Word document or a text list."""
    reader = _Reader(file, unit, source, ReadResult(kind))
    _group(reader, items)
    section, heading_circle = "", None
    for block in reader.blocks:
        if block.circle != heading_circle:
            section, heading_circle = "", block.circle
        if block.table is not None:
            _table(reader, block, section or block.circle)
        elif _is_section_line(block):
            section = circle_of(block.lines[0].text)
        else:
            reader.result.records += 1
            _person(reader, block, section or block.circle)
    return reader.result


def _group(reader: _Reader, items: list[Item]) -> None:
    name_levels = _name_levels(items)
    circle = ""
    current: Block | None = None

    def close() -> None:
        nonlocal current
        if current is not None:
            reader.blocks.append(current)
        current = None

    for item in items:
        if item.table is not None:
            close()
            reader.blocks.append(Block([item], circle, table=item.table))
        elif item.level == 0:
            continue
        elif item.level:
            close()
            if item.level in name_levels:
                current = Block([item], circle, by_heading=True)
            else:
                circle = circle_of(item.text)
        elif not item.text:
            if current is not None and not current.by_heading:
                close()
        elif current is None or item.strong or _starts_person(item.text):
            close()
            current = Block([item], circle)
        else:
            current.lines.append(item)
    close()


def _name_levels(items: list[Item]) -> set[int]:
    """Heading levels that hold names: most of their headings are followed by contact details."""
    counts: dict[int, list[int]] = {}
    for index, item in enumerate(items):
        if not item.level:
            continue
        following = next((i for i in items[index + 1 :] if i.text or i.table), None)
        detail = following is not None and following.level is None and _is_detail(following.text)
        count = counts.setdefault(item.level, [0, 0])
        count[0] += detail
        count[1] += 1
    return {level for level, (detail, total) in counts.items() if detail and 2 * detail >= total}


def _is_detail(text: str) -> bool:
    label = _LABEL.match(text)
    if label and field_of(label.group(1)) not in (None, "name", "notes"):
        return True
    return bool(EMAIL.search(text)) or is_phone(text) or is_url(text)


def _name_like(text: str) -> bool:
    words = text.split()
    return (
        0 < len(words) <= 6
        and len(text) <= 80
        and any(ch.isalpha() for ch in text)
        and not any(ch in text for ch in "@:")
        and not text.rstrip().endswith((".", "!", "?"))
        and sum(ch.isdigit() for ch in text) <= 2
    )


def _starts_person(text: str) -> bool:
    """`Jane Doe, jane@example.com, +1 555 0100`: a whole person on one line."""
    pieces = _SEPARATORS.split(EMAIL.sub(" @ ", text))
    return (
        len(pieces) > 1
        and _name_like(pieces[0].strip("<>() "))
        and pieces[0][:1].isupper()
        and "@" in text
    )


def _is_section_line(block: Block) -> bool:
    if len(block.lines) != 1 or block.by_heading:
        return False
    text = block.lines[0].text.strip()
    if text.endswith(":") and ":" not in text[:-1] and _name_like(text[:-1]):
        return True
    return circle_of(text) in KNOWN_CIRCLES


def _where(reader: _Reader, item: Item) -> str:
    return f"{reader.unit} {item.line}"


def _table(reader: _Reader, block: Block, circle: str) -> None:
    reader.tables += 1
    rows = block.table or []
    line = block.lines[0].line
    where = f"table {reader.tables}"
    if not rows or not any(field_of(c) in ("name", "first_name") for c in rows[0]):
        head = ", ".join(c for c in (rows[0] if rows else []) if c) or "empty"
        reader.result.problems.append(
            Problem(
                reader.file,
                line,
                "error",
                f"{where}: no Name column in its first row ({head}); not imported",
                "give the table a header row such as Name | Email | Phone | Notes",
            )
        )
        return
    data = [
        Row(number, line, cells)
        for number, cells in enumerate((r for r in rows[1:] if any(c.strip() for c in r)), 1)
    ]
    people, problems = people_from_table(
        rows[0], data, reader.file, reader.source, circle, where=f"{where}, row"
    )
    reader.result.records += len(data)
    reader.result.people += people
    reader.result.problems += problems


def _person(reader: _Reader, block: Block, circle: str) -> None:
    first = block.lines[0]
    where = _where(reader, first)
    builder = PersonBuilder(reader.file, where, first.line, reader.source)
    if circle:
        builder.add("circle", circle)
    name = _first_line(builder, first.text)
    if not _name_like(name):
        details = any(_is_detail(item.text) for item in block.lines)
        shown = first.text if len(first.text) <= 50 else first.text[:47] + "..."
        if details:
            builder.problem(
                "error",
                f"the first line {shown!r} does not read as a name; not imported",
                "put the person's name alone on the first line of their block",
            )
        else:
            builder.problem("warning", f"text that is not a person skipped: {shown!r}")
        reader.result.problems += builder.problems
        return
    builder.add("name", name)
    for item in block.lines[1:]:
        _detail(builder, item.text)
    person = builder.build()
    reader.result.problems += builder.problems
    if person is not None:
        reader.result.people.append(person)


def _first_line(builder: PersonBuilder, text: str) -> str:
    """The name on a block's first line; e-mails, phones and more on it go to `builder`."""
    for email in EMAIL.findall(text):
        builder.add("email", email)
    rest = re.sub(r"<\s*>|\(\s*\)|\[\s*\]", " ", EMAIL.sub(" ", text))
    name = ""
    for piece in _SEPARATORS.split(rest):
        piece = piece.strip(" <>()[]")
        if not piece:
            continue
        if is_phone(piece):
            builder.add("phone", piece)
        elif is_url(piece):
            builder.add("linkedin" if "linkedin." in piece.lower() else "website", piece)
        elif not name:
            name = piece
        else:
            builder.add("note", piece)
    return name


def _detail(builder: PersonBuilder, text: str) -> None:
    """One line under a name: a labelled value, e-mail, phone, web address, tags or a note."""
    label = _LABEL.match(text)
    field_name = field_of(label.group(1)) if label else None
    if label and field_name and field_name != "name":
        builder.add(field_name, label.group(2))
        return
    emails = EMAIL.findall(text)
    if emails:
        for email in emails:
            builder.add("email", email)
        rest = EMAIL.sub(" ", text)
        if len(re.findall(r"[^\W\d_]{2,}", rest)) > 2:  # more than a label: keep the sentence
            builder.add("note", text)
        return
    phone = re.sub(r"\s*\((?:[^()]*)\)\s*$", "", text)
    if is_phone(phone):
        builder.add("phone", phone)
    elif is_url(text):
        builder.add("linkedin" if "linkedin." in text.lower() else "website", text)
    elif re.fullmatch(r"(?:#[\w/-]+\s*)+", text):
        for tag in text.split():
            builder.add("tag", tag)
    else:
        builder.add("note", text)


def looks_like_list(text: str) -> bool:
    """Whether a text file reads as a list of people: some block has a name and a detail."""
    items = text_items(text)
    return any(_is_detail(i.text) for i in items) or any(i.table for i in items)
