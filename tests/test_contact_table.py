"""obsidian-contacts' table format is read, and a touch moves its `Last chat` cell only
(issue 16, item 13)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from conftest import FIXTURES, Vtb

from vault_touchbase.actions.init import init_vault
from vault_touchbase.core.model import Birthday, Contact
from vault_touchbase.core.settings import Settings
from vault_touchbase.notes.edit_rows import EditError
from vault_touchbase.notes.edit_table import set_table_cell
from vault_touchbase.notes.edit_touch import move_last_contacted, record_touch
from vault_touchbase.notes.parse import parse_note

DIALECTS = FIXTURES / "dialects"


def read(name: str, data: bytes | None = None) -> Contact:
    raw = (DIALECTS / name).read_bytes() if data is None else data
    contact, problems = parse_note(f"contacts/{name}", raw, Settings())
    assert contact is not None and problems == []
    return contact


def test_the_table_is_read() -> None:
    carla = read("Contact 3.md")
    assert carla.name == "Carla Jansen"
    assert carla.phones == ("+1 555 555 0142",)
    assert carla.birthday == Birthday(12, 6, 1966)
    assert carla.last_contacted == date(2022, 12, 6)
    assert carla.summary == "Runs the bike co-op on Elm Street."


def test_the_nextgen_table_with_crlf_and_empty_cells_is_read() -> None:
    scott = read("Contact 4.md")
    assert scott.name == "Scott Jonsson"
    assert scott.emails == ("scott@example.org",)
    assert scott.phones == () and scott.birthday is None and scott.last_contacted is None
    assert scott.tags == ("contacts", "climbing")


def test_frontmatter_wins_over_the_table() -> None:
    data = b"---\nname: Carla J.\n---\n" + (DIALECTS / "Contact 3.md").read_bytes()
    assert read("Contact 3.md", data).name == "Carla J."


@pytest.mark.parametrize("name", ["Contact 3.md", "Contact 4.md"])
def test_a_touch_moves_the_cell_and_appends_a_log(name: str) -> None:
    text = (DIALECTS / name).read_bytes().decode("utf-8")
    key = read(name).keys["last_contacted"]
    new = record_touch(text, key, date(2026, 11, 26), "call", "talked bikes")
    old_lines, new_lines = text.splitlines(keepends=True), new.splitlines(keepends=True)
    changed = [(a, b) for a, b in zip(old_lines, new_lines, strict=False) if a != b]
    assert len(changed) == 1
    before, after = changed[0]
    assert "2026-11-26" in after and len(after) == len(before)  # the cell keeps its width
    assert new.startswith(text.replace(before, after))
    added = new[len(text) :].replace("\r\n", "\n")
    assert added == "\n## Log\n- 2026-11-26 call: talked bikes\n"
    contact = read(name, new.encode())
    assert contact.last_contacted == date(2026, 11, 26)


def test_the_cell_never_moves_back() -> None:
    text = (DIALECTS / "Contact 3.md").read_text(encoding="utf-8")
    assert move_last_contacted(text, "/---contact---/Last chat", date(2020, 1, 1)) == text


def test_a_missing_row_is_an_edit_error() -> None:
    text = (DIALECTS / "Contact 3.md").read_text(encoding="utf-8")
    with pytest.raises(EditError):
        set_table_cell(text, "Next chat", "2026-01-01")


def vault_with_tables(tmp_path: Path) -> Path:
    vault = tmp_path / "vault"
    init_vault(vault)
    for name in ("Contact 3.md", "Contact 4.md"):
        shutil.copyfile(DIALECTS / name, vault / "contacts" / name)
    return vault


def test_vtb_log_on_a_table_note(tmp_path: Path) -> None:
    vault = vault_with_tables(tmp_path)
    vtb = Vtb(vault)
    result = vtb("log", "Carla", "-c", "visit", "fixed the tandem")
    assert result.exit_code == 0, result.output
    text = (vault / "contacts" / "Contact 3.md").read_text(encoding="utf-8")
    assert "| Last chat | 2026-11-26               |\n" in text
    assert text.endswith("## Log\n- 2026-11-26 visit: fixed the tandem\n")
    assert "Scott Jonsson" in vtb("due").output


def test_rename_refuses_a_name_in_the_table(tmp_path: Path) -> None:
    vault = vault_with_tables(tmp_path)
    before = (vault / "contacts" / "Contact 3.md").read_bytes()
    result = Vtb(vault)("rename", "Carla", "Carla Smit")
    assert result.exit_code != 0
    assert "contact table" in result.output and "Traceback" not in result.output
    assert (vault / "contacts" / "Contact 3.md").read_bytes() == before


def test_import_never_rewrites_the_table(tmp_path: Path) -> None:
    vault = vault_with_tables(tmp_path)
    before = (vault / "contacts" / "Contact 4.md").read_bytes()
    card = tmp_path / "scott.vcf"
    card.write_text(
        "BEGIN:VCARD\nVERSION:3.0\nFN:Scott Jonsson\nEMAIL:scott@example.org\n"
        "EMAIL:scott@work.example\nEND:VCARD\n",
        encoding="utf-8",
    )
    result = Vtb(vault)("import", str(card))
    assert "contact table" in result.output and "scott@work.example" in result.output
    assert (vault / "contacts" / "Contact 4.md").read_bytes() == before
