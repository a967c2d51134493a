"""`vtb import` of real phones' and address books' vCards (tests/fixtures/import/real/)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from conftest import FIXTURES, Vtb

from vault_touchbase.actions.init import init_vault
from vault_touchbase.core.model import Contact
from vault_touchbase.features.formats import read_people
from vault_touchbase.features.formats.person import ImportedPerson
from vault_touchbase.features.formats.vcard import read_vcards, write_vcards
from vault_touchbase.notes.text import load_yaml, split_note
from vault_touchbase.vault.folder import open_vault
from vault_touchbase.vault.load import load_vault

REAL = FIXTURES / "import" / "real"


@pytest.fixture
def fresh(tmp_path: Path) -> Path:
    root = tmp_path / "fresh"
    init_vault(root)
    return root


def imported(vault: Path, path: Path) -> str:
    result = Vtb(vault)("import", str(path))
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return str(result.output)


def people(vault: Path) -> dict[str, Contact]:
    return {c.name: c for c in load_vault(open_vault(vault), use_cache=False).contacts}


def front(vault: Path, contact: Contact) -> dict[str, object]:
    data = load_yaml(split_note((vault / contact.path).read_text("utf-8")).frontmatter or "")
    assert isinstance(data, dict)
    return data


def body(vault: Path, contact: Contact) -> str:
    return split_note((vault / contact.path).read_text(encoding="utf-8")).body


def one(name: str) -> ImportedPerson:
    (person,) = read_people(REAL / name).people
    return person


@pytest.mark.parametrize("path", sorted(REAL.glob("*.vcf")), ids=lambda p: p.name)
def test_every_person_comes_in_or_is_named_with_a_line(path: Path) -> None:
    read = read_people(path)
    errors = [p for p in read.problems if p.severity == "error"]
    skipped = [p for p in read.problems if "skipped" in p.message]
    assert len(read.people) + len(errors) + len(skipped) == read.records > 0
    assert all(p.line >= 1 and p.message.startswith("card ") for p in [*errors, *skipped])


def test_ios_line_ends_and_a_folded_photo(fresh: Path) -> None:
    """iOS 5-6 write CR CR LF; with the folded PHOTO the whole card was rejected."""
    assert b"\r\r\n" in (REAL / "John_Doe_IPHONE.vcf").read_bytes()
    imported(fresh, REAL / "John_Doe_IPHONE.vcf")
    john = people(fresh)["Mr. John Richter James Doe Sr."]
    assert john.emails == ("john.doe@ibm.com",)
    assert "905-222-1234" in john.phones
    data = "BEGIN:VCARD\r\r\nVERSION:3.0\r\r\nFN:Ada\r\r\nno colon\r\r\nEND:VCARD\r\r\n"
    read = read_vcards(data.encode(), "x.vcf")
    assert [(p.line, p.severity) for p in read.problems] == [(4, "warning")]  # not line 7


def test_a_card_without_end_stops_at_the_next_begin(fresh: Path) -> None:
    output = imported(fresh, REAL / "unended.vcf")
    assert sorted(people(fresh)) == ["Ada Quinn", "Bo Stone", "Cy Young"]
    assert "unended.vcf:1: warning: card 1: no END:VCARD; read up to line 4" in output


def test_each_value_is_decoded_by_its_own_charset(fresh: Path) -> None:
    imported(fresh, REAL / "charsets.vcf")
    found = people(fresh)
    assert sorted(found) == ["François Lefèvre", "Zoë Krämer", "Иван Иванов", "安藤 ロイド"]
    assert found["Zoë Krämer"].path == "contacts/Zoë Krämer.md"  # UTF-8 beside ISO-8859-1
    assert found["安藤 ロイド"].path == "contacts/安藤 ロイド.md"
    assert "Café owner" in body(fresh, found["François Lefèvre"])  # no CHARSET: its card's


def test_a_bad_line_costs_the_line_not_the_person(fresh: Path) -> None:
    output = imported(fresh, REAL / "bad-lines.vcf")
    dana = people(fresh)["Dana Rivera"]
    assert dana.phones == ("+1 555 0101",)
    assert "Met at the climbing gym" in body(fresh, dana)  # `NOTE;CHARSET=UTF-8;:`
    assert front(fresh, dana)["organization"] == "Café �Nord"  # a stray =80
    assert "bad-lines.vcf:3: warning: card 1: comment line ignored" in output
    assert "bad-lines.vcf:7: warning: card 1: ORG: bytes that are not CHARSET UTF-8" in output
    assert one("backslash.vcf").address == "12 Elm Street, Apt 4, Riverton, OR 97001, USA"


def test_android_cards_with_only_an_email_and_a_stray_byte(fresh: Path) -> None:
    output = imported(fresh, REAL / "John_Doe_ANDROID.vcf")
    found = people(fresh)
    assert len(found) == 6  # all six cards
    assert found["John Doe"].emails == ("john.doe@company.com",)
    assert "card 1: no name; named 'John Doe' after the e-mail address" in output
    assert all(c.tags == () for c in found.values())  # Android's "My Contacts" is no tag


def test_tel_uri_keeps_its_extension() -> None:
    assert one("rfc6350-example.vcf").phones == ("+1-418-656-9254 ext. 102", "+1-418-262-6501")


def test_escaped_colons_are_unescaped_and_exported_once(fresh: Path) -> None:
    imported(fresh, REAL / "John_Doe_GMAIL.vcf")
    (john,) = people(fresh).values()
    assert front(fresh, john)["website"] == "http://www.ibm.com"
    exported = Vtb(fresh)("export", "vcf").stdout.replace("\r\n", "\n")
    assert "URL:http://www.ibm.com\n" in exported
    card = b"BEGIN:VCARD\nVERSION:2.1\nFN:Ada\nNOTE:files in C:\\Users\\Ada\\; a\\, b\nEND:VCARD\n"
    assert read_vcards(card, "x.vcf").people[0].notes == ("files in C:\\Users\\Ada; a, b",)


def test_vendor_fields_are_mapped_or_kept_and_exported(fresh: Path) -> None:
    imported(fresh, REAL / "John_Doe_EVOLUTION.vcf")
    imported(fresh, REAL / "John_Doe_MS_OUTLOOK.vcf")
    found = people(fresh)
    evolution = front(fresh, found["Mr. John Richter, James Doe Sr."])
    assert evolution["spouse"] == "Maria" and evolution["anniversary"] == date(1980, 3, 22)
    outlook = front(fresh, found["Mr. John Richter James Doe Sr."])
    assert outlook["anniversary"] == date(2011, 1, 13)  # X-MS-ANNIVERSARY
    kept = outlook["vcard"]
    assert isinstance(kept, list)
    assert "X-MS-MANAGER:Big Blue" in kept and "X-MS-ASSISTANT:Jenny" in kept
    assert "X-MS-IMADDRESS:johny5@aol.com" in kept
    assert not any(line.startswith(("PHOTO", "X-MS-OL-DESIGN")) for line in kept)
    exported = Vtb(fresh)("export", "vcf").stdout.replace("\r\n", "\n")
    assert "X-MS-MANAGER:Big Blue\n" in exported
    assert "spouse.X-ABRELATEDNAMES:Maria\n" in exported
    back = {p.name: p for p in read_vcards(exported, "x.vcf").people}
    assert back["Mr. John Richter James Doe Sr."].anniversary == "2011-01-13"
    assert back["Mr. John Richter, James Doe Sr."].spouse == "Maria"
    assert "X-MS-MANAGER:Big Blue" in back["Mr. John Richter James Doe Sr."].vcard


def test_a_second_org_and_title_are_kept() -> None:
    data = b"BEGIN:VCARD\nVERSION:3.0\nFN:Ada Quinn\nORG:Acme\nORG:Riverton Choir\nEND:VCARD\n"
    (ada,) = read_vcards(data, "x.vcf").people
    assert ada.organization == "Acme" and ada.vcard == ("ORG:Riverton Choir",)


def test_a_structured_name_is_exported_as_it_came(fresh: Path) -> None:
    imported(fresh, REAL / "outlook-2007.vcf")
    exported = Vtb(fresh)("export", "vcf").stdout.replace("\r\n", "\n")
    assert "N:Angstadt;Michael;;Mr.;Jr.\n" in exported
    assert "Mr. Michael Angstadt\n" not in exported  # not a guess from the last word
    chloe = b"BEGIN:VCARD\nVERSION:3.0\nN:Van Damme;Chlo\xc3\xa9;;;\nFN:Chlo\xc3\xa9 Van Damme\nEND:VCARD\n"
    (person,) = read_vcards(chloe, "x.vcf").people
    assert "N:Van Damme;Chloé;;;\r\n" in write_vcards([person])
    plain = b"BEGIN:VCARD\nVERSION:3.0\nN:Doe;Jane;;;\nFN:Jane Doe\nEND:VCARD\n"
    assert read_vcards(plain, "x.vcf").people[0].vcard == ()  # nothing export would not write


def test_business_and_place_cards_are_skipped_with_a_warning(fresh: Path) -> None:
    output = imported(fresh, REAL / "bad-lines.vcf")
    assert "Riverton Library" not in people(fresh)
    assert "bad-lines.vcf:10: warning: card 2: a business card (KIND:org), not a person" in output


def test_blank_lines_inside_a_note_part_its_paragraphs(fresh: Path) -> None:
    imported(fresh, REAL / "outlook-2003.vcf")
    (john,) = people(fresh).values()
    assert "This is the note field!!\nSecond line\n\nThird line is empty\n" in body(fresh, john)
    exported = Vtb(fresh)("export", "vcf").stdout.replace("\r\n", "\n").replace("\n ", "")
    assert "NOTE:This is the note field!!\\nSecond line\\n\\nThird line is empty\\n" in exported


def test_an_agents_card_inside_a_card_is_not_the_person() -> None:
    card = (
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Ada Quinn\r\nAGENT:\r\nBEGIN:VCARD\r\nVERSION:2.1\r\n"
        b"FN:Bo Stone\r\nTEL:+1 555 0102\r\nEND:VCARD\r\nTEL:+1 555 0101\r\nEND:VCARD\r\n"
    )
    read = read_vcards(card, "x.vcf")
    assert [(p.name, p.phones) for p in read.people] == [("Ada Quinn", ("+1 555 0101",))]


def test_a_21_photo_whose_lines_are_not_indented_is_no_note() -> None:
    card = (
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Ada Quinn\r\nPHOTO;ENCODING=BASE64;JPEG:/9j/4AAQSkZJRg\r\n"
        b"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n"
        b"BBBBBBBBBB==\r\n\r\nTEL:+1 555 0101\r\nEND:VCARD\r\n"
    )
    read = read_vcards(card, "x.vcf")
    assert read.problems == []
    assert [(p.name, p.phones, p.notes) for p in read.people] == [
        ("Ada Quinn", ("+1 555 0101",), ())
    ]
