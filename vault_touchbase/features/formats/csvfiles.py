"""CSV in (Google Contacts, LinkedIn Connections, any table with a Name column) and out.

Read with the standard `csv` module in strict mode, so a broken quote is
reported with its line instead of silently swallowing the rows after it.
`people_from_table` maps a header row to fields; Word tables use it too.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from vault_touchbase.core.model import Problem
from vault_touchbase.features.formats.builder import PersonBuilder
from vault_touchbase.features.formats.fields import DERIVED_WORDS, field_of
from vault_touchbase.features.formats.person import ImportedPerson, ReadResult

GOOGLE_SEPARATOR = " ::: "  # Google puts several values in one cell this way
LINKEDIN_HEADER = ("first name", "last name", "url")

# What `vtb export csv` writes, in this order (docs/import-export.md lists them).
CSV_COLUMNS = (
    "name",
    "aliases",
    "email",
    "phone",
    "organization",
    "job_title",
    "birthday",
    "address",
    "website",
    "linkedin",
    "tags",
    "circle",
    "cadence",
    "channel",
    "offers",
    "needs",
    "last_contacted",
    "next_due",
    "source",
    "notes",
    "path",
)


@dataclass(frozen=True)
class Row:
    """One data row: its 1-based number among data rows, the file line it starts on, cells."""

    number: int
    line: int
    cells: list[str]


def _rows(text: str, delimiter: str, file: str, problems: list[Problem]) -> Iterator[Row]:
    """Every row with the line it starts on; a csv.Error becomes a problem, reading goes on."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    number, last_line = 0, 0
    while True:
        start = last_line + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            problems.append(
                Problem(
                    file,
                    start,
                    "error",
                    f"row starting here is not valid CSV ({exc}); not imported",
                    "check the quotes on this line: a quote inside a value is written twice",
                )
            )
            last_line = reader.line_num
            continue
        last_line = reader.line_num
        number += 1
        yield Row(number, start, cells)


def _key(cell: str) -> str:
    return " ".join(cell.strip().lstrip("\ufeff").split()).casefold()


def sniff_kind(text: str) -> tuple[str, str] | None:
    """("linkedin" | "google" | "table", delimiter) for a CSV vtb can read, else None."""
    for delimiter in (",", ";", "\t"):
        problems: list[Problem] = []
        for row in _rows("\n".join(text.split("\n")[:60]), delimiter, "", problems):
            keys = [_key(c) for c in row.cells]
            if all(k in keys for k in LINKEDIN_HEADER):
                return "linkedin", delimiter
            if any(re.fullmatch(r"e-mail \d+ - value", k) for k in keys) or (
                "given name" in keys and "group membership" in keys
            ):
                return "google", delimiter
            if any(field_of(k) in ("name", "first_name") for k in keys) and len(keys) > 1:
                return "table", delimiter
            if row.number >= 12:
                break
    return None


def read_csv(text: str, file: str, kind: str, delimiter: str = ",") -> ReadResult:
    """People from a CSV file of the given kind (see `sniff_kind`)."""
    names = {"linkedin": "LinkedIn CSV", "google": "Google Contacts CSV", "table": "CSV table"}
    result = ReadResult(names[kind])
    rows = _rows(text, delimiter, file, result.problems)
    header: list[str] | None = None
    for row in rows:
        keys = [_key(c) for c in row.cells]
        if kind == "linkedin" and all(k in keys for k in LINKEDIN_HEADER):
            header = row.cells
            break
        if kind == "google" and any("e-mail" in k or k in ("name", "given name") for k in keys):
            header = row.cells
            break
        if kind == "table" and any(field_of(k) in ("name", "first_name") for k in keys):
            header = row.cells
            break
        # LinkedIn's "Notes:" preamble and blank lines come before the header
    if header is None:
        result.problems.append(Problem(file, 1, "error", "no header row found; nothing imported"))
        return result
    filled = [r for r in rows if any(c.strip() for c in r.cells)]
    data = [Row(number, r.line, r.cells) for number, r in enumerate(filled, 1)]
    source = {"linkedin": "linkedin", "google": "google", "table": "csv"}[kind]
    if kind == "google":
        people, problems = _google(header, data, file)
    else:
        people, problems = people_from_table(header, data, file, source)
    result.people, result.records = people, len(data)
    result.problems += problems
    return result


def _too_wide(row: Row, width: int, file: str, where: str) -> Problem | None:
    extra = [c for c in row.cells[width:] if c.strip()]
    if not extra:
        return None
    return Problem(
        file,
        row.line,
        "error",
        f"{where}: {len(row.cells)} values, but the header has {width}; not imported",
        "a value with a comma in it must be in double quotes",
    )


def people_from_table(
    header: Sequence[str],
    rows: Sequence[Row],
    file: str,
    source: str,
    circle: str = "",
    where: str = "row",
) -> tuple[list[ImportedPerson], list[Problem]]:
    """People from rows under a header such as Name / Email / Phone / Notes.

    Columns vtb does not know are kept as `Column: value` note lines.
    """
    fields = [field_of(cell) for cell in header]
    people: list[ImportedPerson] = []
    problems: list[Problem] = []
    for row in rows:
        label = f"{where} {row.number}"
        wide = _too_wide(row, len(header), file, label)
        if wide:
            problems.append(wide)
            continue
        builder = PersonBuilder(file, label, row.line, source)
        if circle:
            builder.add("circle", circle)
        for title, field, cell in zip(header, fields, row.cells, strict=False):
            if field == "websites" and "linkedin" in cell.lower():
                field = "linkedin"
            if field:
                builder.add(field, cell)
            elif cell.strip() and _key(title) not in DERIVED_WORDS and title.strip():
                builder.add("detail", f"{title.strip()}: {cell.strip()}")
        person = builder.build()
        problems += builder.problems
        if person is not None:
            people.append(person)
    return people, problems


# --- Google Contacts ------------------------------------------------------------------------

_GOOGLE_SCALARS = {
    "name": "name",
    "first name": "first_name",
    "given name": "first_name",
    "middle name": "middle_name",
    "additional name": "middle_name",
    "last name": "last_name",
    "family name": "last_name",
    "name prefix": "prefix",
    "name suffix": "suffix",
    "nickname": "alias",
    "birthday": "birthday",
    "notes": "note",
    "labels": "tag",
    "group membership": "tag",
    "organization name": "organization",
    "organization 1 - name": "organization",
    "organization title": "job_title",
    "organization 1 - title": "job_title",
}
_NUMBERED = re.compile(
    r"^(e-mail|phone|address|website|event|relation|custom field|im) (\d+) - (.+)$"
)


def _google(
    header: Sequence[str], rows: Sequence[Row], file: str
) -> tuple[list[ImportedPerson], list[Problem]]:
    keys = [_key(cell) for cell in header]
    people: list[ImportedPerson] = []
    problems: list[Problem] = []
    for row in rows:
        where = f"row {row.number}"
        wide = _too_wide(row, len(header), file, where)
        if wide:
            problems.append(wide)
            continue
        builder = PersonBuilder(file, where, row.line, "google")
        numbered: dict[tuple[str, str], dict[str, str]] = {}
        for key, cell in zip(keys, row.cells, strict=False):
            if not cell.strip():
                continue
            if key in _GOOGLE_SCALARS:
                for value in cell.split(GOOGLE_SEPARATOR):
                    builder.add(_GOOGLE_SCALARS[key], value)
            elif key in ("organization department", "organization 1 - department"):
                builder.add("detail", f"department: {cell}")
            elif match := _NUMBERED.match(key):
                numbered.setdefault((match.group(1), match.group(2)), {})[match.group(3)] = cell
        _google_numbered(builder, numbered)
        person = builder.build()
        problems += builder.problems
        if person is not None:
            people.append(person)
    return people, problems


def _google_numbered(
    builder: PersonBuilder, numbered: dict[tuple[str, str], dict[str, str]]
) -> None:
    """`E-mail 1 - Value`, `Address 2 - Formatted`, `Event 1 - Label`... columns."""
    addresses: list[str] = []
    for (kind, _), parts in sorted(
        numbered.items(), key=lambda item: (item[0][0], int(item[0][1]))
    ):
        value = parts.get("value", "")
        label = (parts.get("label") or parts.get("type") or "").strip(" *").lower()
        values = [v for v in value.split(GOOGLE_SEPARATOR) if v.strip()]
        if kind == "e-mail":
            for v in values:
                builder.add("email", v)
        elif kind == "phone":
            for v in values:
                builder.add("phone", v)
        elif kind == "website":
            for v in values:
                builder.add("linkedin" if "linkedin" in v.lower() else "website", v)
        elif kind == "address":
            addresses.append(_google_address(parts))
        elif values:
            what = label or kind
            for v in values:
                builder.add("detail", f"{what}: {v}")
    addresses = [a for a in addresses if a]
    if addresses:
        builder.add("address", addresses[0])
        for extra in addresses[1:]:
            builder.add("detail", f"address: {extra}")


def _google_address(parts: dict[str, str]) -> str:
    formatted = parts.get("formatted", "").strip()
    if formatted:
        return formatted
    order = ("po box", "street", "extended address", "city", "region", "postal code", "country")
    return ", ".join(parts[k].strip() for k in order if parts.get(k, "").strip())


# --- writing ------------------------------------------------------------------------------


def write_csv(rows: Sequence[dict[str, str]]) -> str:
    """One row per person under `CSV_COLUMNS`; several values in a cell are joined by `; `."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(CSV_COLUMNS), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
