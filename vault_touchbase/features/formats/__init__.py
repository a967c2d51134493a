"""Files of people in and out: vCard, CSV (Google, LinkedIn, tables), Word and text lists, ICS.

`read_people(path)` detects the format from the content (the file name only
breaks a tie between a text list and nothing) and returns a `ReadResult`: the
people as neutral `ImportedPerson` values and a `Problem` for each record that
could not be read, with its line. Nothing here touches the vault.
"""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path

from vault_touchbase.features.formats.person import (
    FormatError,
    ImportedPerson,
    Progress,
    ReadResult,
)

__all__ = [
    "FormatError",
    "ImportedPerson",
    "ReadResult",
    "decode_text",
    "detect_format",
    "read_people",
]

SUPPORTED = (
    "vCard (.vcf), Google Contacts or LinkedIn CSV, a CSV table with a Name column, "
    "a Word document (.docx), or a plain text / Markdown list"
)
FORMAT_NAMES = {
    "vcard": "vCard",
    "linkedin": "LinkedIn CSV",
    "google": "Google Contacts CSV",
    "table": "CSV table",
    "docx": "Word document",
    "text": "text list",
}


def decode_text(data: bytes) -> str:
    """Text from a file's bytes: UTF-8 (with or without BOM), UTF-16 with a BOM, else
    Windows-1252 (old Outlook and Excel exports). Line ends become `\\n`."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def detect_format(data: bytes, name: str = "") -> tuple[str, str]:
    """(format, delimiter) of a file's content: vcard, linkedin, google, table, docx or text.

    Raises FormatError naming the formats vtb reads when it is none of them.
    """
    from vault_touchbase.features.formats.csvfiles import sniff_kind
    from vault_touchbase.features.formats.docx_list import looks_like_list
    from vault_touchbase.features.formats.vcard import looks_like_vcard

    if data.startswith(b"PK\x03\x04"):
        if _is_docx(data):
            return "docx", ""
        raise FormatError(
            f"{name}: a zip file that is not a Word document (.docx)",
            "export the list as .docx, .csv or .vcf",
        )
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FormatError(
            f"{name}: an old Word or Excel file (.doc/.xls)",
            "open it and save it as a Word document (.docx) or as CSV",
        )
    if not data.strip():
        raise FormatError(f"{name} is empty", "export the people again, or give another file")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FormatError(f"{name}: a binary file, not a list of people", f"vtb reads {SUPPORTED}")
    text = decode_text(data)
    if looks_like_vcard(text):
        return "vcard", ""
    if text.lstrip().startswith("BEGIN:VCALENDAR"):
        raise FormatError(f"{name}: a calendar (ICS), not contacts", f"vtb imports {SUPPORTED}")
    sniffed = sniff_kind(text)
    if sniffed:
        return sniffed
    first = next((line.strip() for line in text.split("\n") if line.strip()), "")
    if Path(name).suffix.lower() in (".csv", ".tsv"):
        raise FormatError(
            f"{name}: a CSV file without a Name column (its first row: {first[:60]!r})",
            "give it a header row such as Name,Email,Phone,Notes",
        )
    if Path(name).suffix.lower() in (".txt", ".md", ".markdown", ".text") or looks_like_list(text):
        if text.lstrip()[:1] in ("{", "[", "<"):
            raise FormatError(f"{name}: looks like JSON or HTML", f"vtb imports {SUPPORTED}")
        return "text", ""
    raise FormatError(
        f"{name}: not a format vtb knows", f"vtb imports {SUPPORTED}; see docs/import-export.md"
    )


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def read_people(path: Path, progress: Progress | None = None) -> ReadResult:
    """Everyone in the file at `path`; FormatError when it cannot be read at all."""
    from vault_touchbase.core.settings import MAX_IMPORT_BYTES
    from vault_touchbase.vault.store import InputRefused, read_limited

    name = path.name
    try:
        data = read_limited(path, MAX_IMPORT_BYTES)
    except FileNotFoundError:
        raise FormatError(f"{path}: no such file", "check the path") from None
    except InputRefused as exc:  # a folder, a device, a pipe, or too big
        raise FormatError(exc.message, exc.hint) from None
    except OSError as exc:
        raise FormatError(f"cannot read {path}: {exc.strerror}", "check the file") from None
    kind, delimiter = detect_format(data, name)
    if kind == "docx":
        from vault_touchbase.features.formats.docx_list import docx_items, read_items

        try:
            items = docx_items(data)
        except Exception as exc:  # python-docx raises several kinds on a damaged file
            raise FormatError(
                f"{name}: the Word document cannot be read ({exc})",
                "open it in Word and save it again as .docx",
            ) from None
        return read_items(items, name, "paragraph", "word", FORMAT_NAMES["docx"])
    if kind == "vcard":  # decoded value by value: a card's CHARSET is its own
        from vault_touchbase.features.formats.vcard import read_vcards

        return read_vcards(data, name, progress)
    text = decode_text(data)
    if kind == "text":
        from vault_touchbase.features.formats.docx_list import read_items, text_items

        return read_items(text_items(text), name, "line", "text", FORMAT_NAMES["text"])
    from vault_touchbase.features.formats.csvfiles import read_csv

    return read_csv(text, name, kind, delimiter)
