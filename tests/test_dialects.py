"""Notes other Obsidian tools write are read as they are (issue 16, items 12 and 14-16)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import FIXTURES
from vault_touchbase.core.model import Birthday, Contact
from vault_touchbase.core.plan import due_items
from vault_touchbase.core.settings import Settings
from vault_touchbase.notes.edit_touch import record_touch
from vault_touchbase.notes.parse import parse_note
from vault_touchbase.vault.lookup import find_contact

DIALECTS = FIXTURES / "dialects"


def read(name: str) -> Contact:
    data = (DIALECTS / name).read_bytes()
    contact, problems = parse_note(f"contacts/{name}", data, Settings())
    assert contact is not None
    assert [p for p in problems if "no name" not in p.message] == []
    return contact


def test_contacts_ng_date_link_is_that_date() -> None:
    assert read("Mara Quint.md").last_contacted == date(2024, 3, 15)


def test_an_unquoted_date_link_in_a_folder_with_an_alias_is_that_date() -> None:
    assert read("Olek Brandt.md").last_contacted == date(2024, 5, 2)


@pytest.mark.parametrize("value", ['"[[Projects/Plan]]"', '"[[2024-13-45]]"', "[[a, b]]"])
def test_other_links_are_no_date(value: str) -> None:
    text = f"---\nname: X\nlast_contact: {value}\n---\n"
    contact, problems = parse_note("contacts/X.md", text.encode(), Settings())
    assert contact is not None and contact.last_contacted is None
    assert [p.severity for p in problems] == ["error"]


def test_a_touch_keeps_the_link_form_and_changes_one_line() -> None:
    text = (DIALECTS / "Mara Quint.md").read_text(encoding="utf-8")
    new = record_touch(text, "last_contact", date(2026, 11, 26), "email", "sent the zine")
    assert 'last_contact: "[[2026-11-26]]"\n' in new
    old_lines, new_lines = text.split("\n"), new.split("\n")
    assert [line for line in old_lines if line not in new_lines] == [
        'last_contact: "[[2024-03-15]]"'
    ]
    contact, problems = parse_note("contacts/Mara Quint.md", new.encode(), Settings())
    assert contact is not None and contact.last_contacted == date(2026, 11, 26)
    assert [p for p in problems if p.severity == "error"] == []


def test_an_unquoted_link_is_written_back_quoted() -> None:
    text = (DIALECTS / "Olek Brandt.md").read_text(encoding="utf-8")
    new = record_touch(text, "last_contact", date(2026, 11, 26), None, "called")
    assert "last_contact: '[[2026-11-26]]'\n" in new


def test_personal_crm_keys() -> None:
    ruth = read("Ruth Okonjo.md")
    assert ruth.paused is True
    assert ruth.birthday == Birthday(4, 17)
    assert ruth.circle == "close"  # prm-tier
    assert str(ruth.cadence) == "30d"
    assert ruth.last_contacted == date(2026, 1, 10)
    assert read("Ivo Petrak.md").birthday == Birthday(12, 3, 1990)


def test_a_personal_crm_paused_person_is_never_due() -> None:
    people = [read("Ruth Okonjo.md"), read("Ivo Petrak.md")]
    due = {item.contact.name for item in due_items(people, Settings(), date(2027, 6, 1))}
    assert due == {"Ivo Petrak"}


def test_a_capitalised_name_map_is_the_name() -> None:
    assert read("👤 Ada Lovelace.md").name == "Ada Lovelace"


@pytest.mark.parametrize("parts", ["{FIRST: Ada, LAST: Lovelace}", "{first: Ada, Last: Lovelace}"])
def test_name_map_parts_in_any_case(parts: str) -> None:
    text = f"---\nname: {parts}\n---\n"
    contact, _ = parse_note("contacts/x.md", text.encode(), Settings())
    assert contact is not None and contact.name == "Ada Lovelace"


def test_a_leading_emoji_in_a_file_name_is_no_part_of_the_name() -> None:
    nameless = parse_note("contacts/👤 Grace Hopper.md", b"Admiral.\n", Settings())[0]
    assert nameless is not None
    people = [read("👤 Ada Lovelace.md"), nameless, read("Ethan Hunt.md")]
    assert find_contact(people, "Grace Hopper") is nameless
    assert find_contact(people, "grace") is nameless
    assert find_contact(people, "👤 Grace Hopper") is nameless
    assert find_contact(people, "Ada Lovelace").name == "Ada Lovelace"


def test_obsidian_vcf_contacts_keys() -> None:
    ethan = read("Ethan Hunt.md")
    assert ethan.name == "Ethan Hunt"  # N.GN then N.FN, the family name
    assert ethan.emails == ("ethan.hunt@example.org", "mission@example.org")
    assert ethan.phones == ("+13035551234",)
    assert ethan.birthday == Birthday(7, 3, 1964)
    assert ethan.tags == ("Spy", "Agent")
    assert ethan.uid == "urn:uuid:019730a7-6c0d-4fa2-b0cf-8078e4717c93"


def test_vcf_contacts_fn_is_the_whole_name() -> None:
    text = "---\nFN: Ethan Hunt\nN.GN: Ethan\nN.FN: Hunt\n---\n"
    contact, _ = parse_note("contacts/x.md", text.encode(), Settings())
    assert contact is not None and contact.name == "Ethan Hunt"


def test_a_cadence_read_once_is_shared_but_never_stands_for_another_value() -> None:
    """Cadences are read once per value (`notes/parse.py: _cadence`) and per set of keys
    the fields are found once (`Settings.fields_of`): the same note always reads the same,
    `1` is one day while `true` is no cadence, and another dialect's key still counts."""

    def parsed(front: str) -> tuple[Contact | None, list[str]]:
        data = f"---\nname: Ann\n{front}\n---\n".encode()
        contact, problems = parse_note("contacts/Ann.md", data, Settings())
        return contact, [p.message for p in problems]

    one, _ = parsed("cadence: 1")
    again, _ = parsed("cadence: 1")
    assert one is not None and again is not None
    assert str(one.cadence) == "1d" and one.cadence is again.cadence
    wrong, messages = parsed("cadence: true")
    assert wrong is not None and wrong.cadence is None
    assert any("not a cadence" in m for m in messages)
    listed, messages = parsed("cadence: [1]")
    assert listed is not None and listed.cadence is None and messages
    theirs, _ = parsed("prm-cadence: 182")
    both, _ = parsed("prm-cadence: 182\ncadence: monthly")
    assert theirs is not None and both is not None
    assert str(theirs.cadence) == "182d" and str(both.cadence) == "monthly"
    assert theirs.keys == {"cadence": "prm-cadence"} and both.keys == {}
