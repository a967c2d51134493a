"""Looking people up by name, and reading a few notes again after vtb changed them."""

from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vault_touchbase.core.errors import NameNotFound
from vault_touchbase.core.model import Contact
from vault_touchbase.vault.folder import open_vault
from vault_touchbase.vault.load import load_vault, reload_notes
from vault_touchbase.vault.lookup import find_contact, normalize


def reference_normalize(text: str) -> str:
    """The definition: accents and other combining marks dropped, case folded, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.casefold().split())


@given(st.text(max_size=20))
def test_normalize_is_the_definition(text: str) -> None:
    assert normalize(text) == reference_normalize(text)


def test_normalize_keeps_the_one_latin_mark_that_is_not_combining() -> None:
    # U+034F COMBINING GRAPHEME JOINER has combining class 0: the definition keeps it
    assert normalize("a\u034fb") == "a\u034fb"
    assert normalize("Zoe\u0308") == "zoe"


PEOPLE = [
    Contact("contacts/Zoë Adams.md", "Zoe\u0308 Adams"),  # written with a combining mark
    Contact("contacts/Ελένη Παππά.md", "Ελένη Παππά"),
    Contact("contacts/山田 太郎.md", "山田 太郎"),
    Contact("contacts/Bob Stone.md", "Robert Stone", aliases=("Bobby",)),
    Contact("contacts/Ann Lee.md", "Ann Lee"),
]


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("zoe", "Zoe\u0308 Adams"),
        ("Zoë adams", "Zoe\u0308 Adams"),
        ("ελενη", "Ελένη Παππά"),
        ("παππα", "Ελένη Παππά"),
        ("山田", "山田 太郎"),
        ("bobby", "Robert Stone"),
        ("bob stone", "Robert Stone"),  # the file name
        ("stone", "Robert Stone"),  # a word of the name
        ("ann", "Ann Lee"),
    ],
)
def test_names_in_any_script_are_found(query: str, found: str) -> None:
    assert find_contact(PEOPLE, query).name == found


def test_nobody_is_still_nobody_with_suggestions() -> None:
    with pytest.raises(NameNotFound) as caught:
        find_contact(PEOPLE, "zoey adams")
    assert caught.value.hint == "did you mean 'Zoe\u0308 Adams'?"


# --- reading notes again ------------------------------------------------------------------


@pytest.fixture
def vault(example_copy: Path) -> Path:
    return example_copy


def test_reload_reads_only_the_changed_notes_and_matches_a_full_load(vault: Path) -> None:
    opened = open_vault(vault)
    before = load_vault(opened)
    jane = vault / "contacts" / "Jane Doe.md"
    jane.write_text(jane.read_text().replace("name: Jane Doe", "name: Jane Q. Doe"))
    gone = next(c.path for c in before.contacts if c.path != "contacts/Jane Doe.md")
    (vault / gone).unlink()
    broken = vault / "contacts" / "Broken New.md"
    broken.write_text("---\nname: [unclosed\n---\n")
    changed = ["contacts/Jane Doe.md", gone, "contacts/Broken New.md"]

    again = reload_notes(opened, before, changed)

    assert again == load_vault(opened, use_cache=False)
    assert any(c.name == "Jane Q. Doe" for c in again.contacts)
    assert all(c.path != gone for c in again.contacts)
    assert any(p.path == "contacts/Broken New.md" for p in again.errors)


def test_reload_leaves_paths_that_are_not_contact_notes_alone(vault: Path) -> None:
    opened = open_vault(vault)
    before = load_vault(opened)
    (vault / "Meetings.md").write_text("---\nname: Not A Contact\n---\n")
    (vault / "contacts" / ".hidden").mkdir()
    (vault / "contacts" / ".hidden" / "X.md").write_text("---\nname: Hidden\n---\n")
    shutil.copy(vault / "contacts" / "Jane Doe.md", vault / "contacts" / "notes.txt")
    rels = ["Meetings.md", "contacts/.hidden/X.md", "contacts/notes.txt", opened.settings.index]
    assert reload_notes(opened, before, rels) is before


def test_reload_drops_a_note_whose_folder_became_a_file(vault: Path) -> None:
    folder = vault / "contacts" / "work"
    folder.mkdir()
    (folder / "Ada Work.md").write_text("---\nname: Ada Work\n---\n")
    opened = open_vault(vault)
    before = load_vault(opened)
    shutil.rmtree(folder)
    folder.write_text("not a folder any more\n")
    again = reload_notes(opened, before, ["contacts/work/Ada Work.md"])
    assert again == load_vault(opened, use_cache=False)
    assert all(c.name != "Ada Work" for c in again.contacts) and not again.errors
