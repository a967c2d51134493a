"""`vtb import`: every fixture format, dedupe and merge, dry runs, bad records, one commit."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from conftest import FIXTURES, Vtb, git, snapshot_bytes

from vault_touchbase.actions.init import init_vault
from vault_touchbase.core.model import Birthday, Contact
from vault_touchbase.features.formats import detect_format, read_people
from vault_touchbase.features.formats.person import FormatError
from vault_touchbase.notes.text import load_yaml, split_note
from vault_touchbase.vault.folder import open_vault
from vault_touchbase.vault.load import load_vault

IMPORTS = FIXTURES / "import"
ALL = [
    "apple-3.0.vcf",
    "android-2.1.vcf",
    "v4.0.vcf",
    "Connections.csv",
    "google-contacts.csv",
    "table.docx",
    "blocks.docx",
    "people.md",
]


@pytest.fixture
def fresh(tmp_path: Path) -> Path:
    """A new vault made by `vtb init`, in its own git repository."""
    root = tmp_path / "fresh"
    init_vault(root)
    return root


def people(vault: Path) -> dict[str, Contact]:
    return {c.name: c for c in load_vault(open_vault(vault), use_cache=False).contacts}


def front(vault: Path, contact: Contact) -> dict[str, object]:
    parts = split_note((vault / contact.path).read_text(encoding="utf-8"))
    data = load_yaml(parts.frontmatter or "")
    assert isinstance(data, dict)
    return data


def body(vault: Path, contact: Contact) -> str:
    return split_note((vault / contact.path).read_text(encoding="utf-8")).body


def imported(vault: Path, *names: str, dry_run: bool = False) -> str:
    vtb = Vtb(vault)
    output = ""
    for name in names:
        result = vtb("import", str(IMPORTS / name), *(["--dry-run"] if dry_run else []))
        assert result.exit_code == 0, result.output
        output += result.output
    return output


def head(vault: Path) -> str:
    return git(vault, "rev-parse", "HEAD").strip()


# --- each format -----------------------------------------------------------------------


def test_apple_card_with_grouped_properties_labels_and_folded_lines(fresh: Path) -> None:
    imported(fresh, "apple-3.0.vcf")
    found = people(fresh)
    assert sorted(found) == ["Jose Muller", "Margaret Oduya", "Samir Haddad"]
    margaret = found["Margaret Oduya"]
    assert margaret.path == "contacts/Margaret Oduya.md"
    assert margaret.emails == ("margaret@oduya-partners.example", "maggie.oduya@example.com")
    assert margaret.phones == ("+1 (555) 010-4477",)
    assert margaret.aliases == ("Maggie",)
    assert margaret.birthday == Birthday(6, 14, 1979)
    assert margaret.tags == ("design-meetup", "clients")
    data = front(fresh, margaret)
    assert data["organization"] == "Oduya & Partners, LLP"  # `\,` unescaped, ORG unit not glued on
    assert data["job_title"] == "Principal, Brand Strategy"
    assert data["address"] == "41 Larch Avenue, Springfield, IL 62704, United States"  # folded
    assert data["website"] == "https://oduya-partners.example"  # item3 labelled HomePage
    assert (
        data["linkedin"] == "https://www.linkedin.com/in/margaret-oduya"
    )  # item4 labelled LinkedIn
    assert data["source"] == "vcard"
    text = body(fresh, margaret)
    assert "Runs the branding side of the studio, loves sailing." in text  # folded mid-escape
    assert "Ask about her daughter's first year at university." in text  # \n in NOTE
    assert data["anniversary"] == date(2011, 9, 3)  # Apple's labelled X-ABDATE
    assert "department: Design" in text
    assert "How we met, what matters to them." not in text  # the placeholder gave way
    assert found["Samir Haddad"].birthday == Birthday(3, 9)  # X-APPLE-OMIT-YEAR=1604
    assert front(fresh, found["Samir Haddad"])["spouse"] == "Leila"  # X-ABRELATEDNAMES


def test_android_21_quoted_printable_and_charsets(fresh: Path) -> None:
    imported(fresh, "android-2.1.vcf")
    juergen = people(fresh)["Jürgen Müller"]
    assert juergen.path == "contacts/Jürgen Müller.md"
    assert juergen.phones == ("+49 170 1234567", "+49 30 1234567")
    assert juergen.aliases == ("Jürgi",)  # X-ANDROID-CUSTOM nickname, quoted-printable
    assert front(fresh, juergen)["address"] == "Königstraße 5, Berlin, 10115, Germany"  # ISO-8859-1
    text = body(fresh, juergen)
    # a soft line break joins "bees" and "wax"; the unescaped comma of 2.1 loses nothing
    assert "Beekeeper at the Saturday market, sells honey and beeswax candles." in text
    assert "Wants help with a website for the ständ." in text  # =0D=0A: a new line
    assert "Ana Souza" in people(fresh)  # the card after a base64 PHOTO ended by a blank line


def test_vcard_40_birthday_without_a_year(fresh: Path) -> None:
    imported(fresh, "v4.0.vcf")
    priya = people(fresh)["Priya Natarajan"]
    assert priya.birthday == Birthday(11, 28)
    raw = (fresh / priya.path).read_text(encoding="utf-8")
    assert "\nbirthday: 11-28\n" in raw
    assert priya.phones == ("+1-555-555-0199",)  # the tel: URI scheme dropped
    assert priya.tags == ("lawyer", "pro-bono")
    assert front(fresh, priya)["address"] == "200 Main St, Suite 4, Riverton, OR 97000, USA"


def test_linkedin_preamble_and_quoted_commas(fresh: Path) -> None:
    output = imported(fresh, "Connections.csv", dry_run=True)
    assert "3 records, 3 people" in output
    imported(fresh, "Connections.csv")
    found = people(fresh)
    assert sorted(found) == ["Kwame Mensah", "Lucía Fernández", "Margaret Oduya"]
    lucia = front(fresh, found["Lucía Fernández"])
    assert lucia["organization"] == "Studio Norte, S.L."
    assert lucia["linkedin"] == "https://www.linkedin.com/in/lucia-fernandez-ux"
    assert lucia["connected_on"] == date(2022, 8, 21)
    assert lucia["source"] == "linkedin"
    assert front(fresh, found["Margaret Oduya"])["job_title"] == "Principal, Brand Strategy"
    assert found["Kwame Mensah"].emails == ("kwame.mensah@example.org",)


def test_google_csv_multi_values_labels_and_multi_line_notes(fresh: Path) -> None:
    imported(fresh, "google-contacts.csv")
    found = people(fresh)
    kwame = found["Kwame Mensah"]
    # ` ::: ` splits a cell; the same address in another column (other case) is one address
    assert kwame.emails == ("kwame.mensah@example.org", "kwame@mensahwoodworks.example")
    assert kwame.tags == ("community-garden",)  # "* myContacts", "* starred": Google's own
    assert kwame.birthday == Birthday(4, 2)
    assert front(fresh, kwame)["address"] == "12 Orchard Lane, Riverton, OR 97001, USA"
    lines = body(fresh, kwame).split("\n")
    for line in (
        "Builds raised beds for the community garden.",
        "Two kids, Ama and Kofi.",
        "Ask about the workshop open day.",
        "anniversary: 2010-06-12",
    ):
        assert line in lines
    helen = found["Helen Park"]  # the prefix "Dr." is kept as a note, not in the file name
    assert helen.phones == ("+1 555 0199", "+1 555 0198")
    assert "name prefix: Dr." in body(fresh, helen)


def test_word_table_with_a_header_row(fresh: Path) -> None:
    output = imported(fresh, "table.docx")
    assert "paragraph 2: text that is not a person skipped" in output
    found = people(fresh)
    assert sorted(found) == ["Bea Lindgren", "Grace Nakamura", "Omar Farouk", "Walter Kim"]
    assert found["Omar Farouk"].emails == ("omar.farouk@example.com", "o.farouk@ledgerly.example")
    assert found["Grace Nakamura"].circle == "professional"
    assert found["Walter Kim"].circle == "community"  # the table under "Community"
    assert "Kids: two, both at Riverton High" in body(fresh, found["Walter Kim"])
    assert "Ask about the Kyoto trip." in body(fresh, found["Grace Nakamura"])
    assert front(fresh, found["Grace Nakamura"])["source"] == "word"


def test_word_paragraph_blocks_under_headings(fresh: Path) -> None:
    dry = imported(fresh, "blocks.docx", dry_run=True)
    assert "Ingrid Sørensen → contacts/Ingrid Sørensen.md" in dry
    assert "circle professional" in dry and "circle community" in dry  # how it was read
    imported(fresh, "blocks.docx")
    found = people(fresh)
    assert sorted(found) == ["Dorothy Hughes", "Felix Aro", "Ingrid Sørensen", "Marcus Bell"]
    ingrid = found["Ingrid Sørensen"]
    assert (ingrid.circle, ingrid.phones, ingrid.birthday) == (
        "professional",
        ("+45 20 12 34 56",),
        Birthday(5, 17, 1990),
    )
    assert "Wants an introduction to a good bookkeeper" in body(fresh, ingrid)
    assert front(fresh, found["Marcus Bell"])["organization"] == "Bell Audio"
    assert found["Dorothy Hughes"].circle == "community"
    felix = found["Felix Aro"]  # one paragraph, lines broken with Shift+Enter
    assert felix.emails == ("felix.aro@example.net",)
    assert "Fixes bikes at the repair café" in body(fresh, felix)


def test_plain_markdown_list(fresh: Path) -> None:
    imported(fresh, "people.md")
    found = people(fresh)
    assert sorted(found) == ["Edith Palmer", "Rosa Delgado", "Tobias Wren"]
    assert found["Rosa Delgado"].birthday == Birthday(7, 21)
    assert found["Tobias Wren"].phones == ("+1 555 0456",)  # all on the name line
    assert front(fresh, found["Tobias Wren"])["organization"] == "Wren & Ink"
    assert found["Edith Palmer"].circle == "community"
    assert found["Edith Palmer"].tags == ("neighbours", "garden")


# --- dedupe and merge ---------------------------------------------------------------------


def test_dedupe_across_files_gives_one_note_per_person(fresh: Path) -> None:
    imported(fresh, "apple-3.0.vcf", "Connections.csv", "google-contacts.csv")
    names = sorted(people(fresh))
    assert names == [
        "Helen Park",
        "Jose Muller",
        "Kwame Mensah",
        "Lucía Fernández",
        "Margaret Oduya",
        "Samir Haddad",
    ]
    margaret = people(fresh)["Margaret Oduya"]  # same name, no e-mail in LinkedIn: merged
    data = front(fresh, margaret)
    assert data["connected_on"] == date(2019, 3, 14)
    assert data["source"] == "vcard"  # the first source stays
    kwame = people(fresh)["Kwame Mensah"]  # same e-mail: Google's values joined LinkedIn's
    assert kwame.emails == ("kwame.mensah@example.org", "kwame@mensahwoodworks.example")
    assert front(fresh, kwame)["job_title"] == "Owner, Head Carpenter"  # never overwritten


def test_reimport_changes_nothing(fresh: Path) -> None:
    imported(fresh, *ALL)
    before, commit = snapshot_bytes(fresh), head(fresh)
    output = imported(fresh, *ALL)
    assert snapshot_bytes(fresh) == before
    assert head(fresh) == commit
    assert "0 new, 0 merged" in output and "Imported" not in output


def test_dry_run_writes_nothing(example_repo: Path) -> None:
    before, commit = snapshot_bytes(example_repo), head(example_repo)
    result = Vtb(example_repo)("import", str(IMPORTS / "apple-3.0.vcf"), "--dry-run")
    assert result.exit_code == 0
    assert snapshot_bytes(example_repo) == before and head(example_repo) == commit
    assert "Dry run: 2 new, 1 merged, 0 skipped; nothing written." in result.output
    assert "merge  José Müller → contacts/José Müller.md: + email jose@muller-web.example" in (
        result.output
    )


def test_merge_is_one_commit_with_minimal_diffs_and_keeps_the_users_values(
    example_repo: Path,
) -> None:
    (example_repo / "Meetings.md").write_text("my own staged work\n")
    git(example_repo, "add", "Meetings.md")
    before = head(example_repo)
    result = Vtb(example_repo)("import", str(IMPORTS / "apple-3.0.vcf"))
    assert result.exit_code == 0, result.output
    assert git(example_repo, "rev-list", "--count", f"{before}..HEAD").strip() == "1"
    message = git(example_repo, "log", "-1", "--format=%B")
    assert message.startswith("import: 3 people from apple-3.0.vcf\n")
    assert "Vtb-Import: apple-3.0.vcf" in message
    files = git(example_repo, "-c", "core.quotepath=false", "show", "--name-only", "--format=")
    assert sorted(f for f in files.split("\n") if f) == [
        "contacts/José Müller.md",
        "contacts/Margaret Oduya.md",
        "contacts/Samir Haddad.md",
    ]
    assert "Meetings.md" in git(example_repo, "diff", "--cached", "--name-only")  # still staged
    diff = git(example_repo, "show", "--format=", "-U0", "HEAD", "--", "contacts/José Müller.md")
    changed = [
        ln for ln in diff.split("\n") if ln[:1] in ("+", "-") and ln[:3] not in ("+++", "---")
    ]
    assert changed == [
        "-email: jose.muller@example.net",
        '-phone: "+1 555 0107"',
        "+email: [jose.muller@example.net, jose@muller-web.example]",
        "+phone: [+1 555 0107, +1 555 0170]",
        "+organization: Müller Web",
        "+job_title: Freelance web developer",
    ]


def test_existing_values_win_and_dialect_keys_are_used(fresh: Path) -> None:
    note = fresh / "contacts" / "Kwame.md"
    note.write_text(
        "---\nname: Kwame Mensah\nemails: KWAME.MENSAH@example.org  # work\n"
        "company: Woodworks Ltd\nbirthday: 1980-04-02\ncircle: community\ntags: prm, Starred\n"
        "---\nCarpenter.\n",
        encoding="utf-8",
    )
    imported(fresh, "google-contacts.csv")
    text = note.read_text(encoding="utf-8")
    assert "emails: [KWAME.MENSAH@example.org, kwame@mensahwoodworks.example]  # work\n" in text
    assert "company: Woodworks Ltd\n" in text and "organization:" not in text
    assert "birthday: 1980-04-02\n" in text and "circle: community\n" in text
    assert "job_title: Owner\n" in text
    assert "tags: [prm, Starred, community-garden]\n" in text  # `a, b` is two tags; any case
    assert text.split("---\n", 2)[2].startswith("Carpenter.\nBuilds raised beds")


def test_duplicates_within_one_file_are_merged(fresh: Path) -> None:
    cards = (
        "BEGIN:VCARD\nVERSION:3.0\nFN:Nadia Rahman\nEMAIL:nadia@example.com\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nFN:Nadia R.\nEMAIL:NADIA@example.com\nTEL:+1 555 0111\n"
        "EMAIL:nadia@work.example\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nFN:Nadia Rahman\nTITLE:Translator\nEND:VCARD\n"
    )
    path = fresh.parent / "dupes.vcf"
    path.write_text(cards)
    result = Vtb(fresh)("import", str(path))
    assert "1 new, 0 merged" in result.output
    nadia = people(fresh)["Nadia Rahman"]
    assert nadia.emails == ("nadia@example.com", "nadia@work.example")
    assert nadia.phones == ("+1 555 0111",)
    assert front(fresh, nadia)["job_title"] == "Translator"


def test_two_people_with_one_name_stay_two(fresh: Path) -> None:
    path = fresh.parent / "jane.csv"
    path.write_text("Name,Email\nJane Doe,jane@one.example\nJane Doe,jane@two.example\nJane Doe,\n")
    result = Vtb(fresh)("import", str(path))
    assert result.exit_code == 0
    assert sorted(c.path for c in people_list(fresh)) == [
        "contacts/Jane Doe (2).md",
        "contacts/Jane Doe.md",
    ]
    assert "row 3: Jane Doe: 2 people in the vault have this name" in result.output


def people_list(vault: Path) -> list[Contact]:
    return list(load_vault(open_vault(vault), use_cache=False).contacts)


# --- bad input -----------------------------------------------------------------------------


def test_malformed_cards_are_reported_and_the_good_ones_come_in(fresh: Path) -> None:
    result = Vtb(fresh)("import", str(IMPORTS / "malformed.vcf"))
    assert result.exit_code == 0
    # a bad line costs the line, not the person; a card never ended is read as far as it goes
    assert sorted(people(fresh)) == ["Broken Card", "Good One", "Good Two", "Never Ended", "Nobody"]
    assert "malformed.vcf:9: warning: card 2: line 'this line has no colon at all'" in (
        result.output
    )
    assert "malformed.vcf:11: warning: card 3: no name; named 'Nobody' after the e-mail" in (
        result.output
    )
    assert "malformed.vcf:22: warning: card 5: no END:VCARD; read up to line 24" in result.output
    assert "birthday: sometime in May" in body(fresh, people(fresh)["Good Two"])


def test_a_malformed_row_is_reported_with_its_line(fresh: Path) -> None:
    result = Vtb(fresh)("import", str(IMPORTS / "malformed-connections.csv"))
    assert result.exit_code == 0
    assert "malformed-connections.csv:6: error: row 2: 8 values, but the header has 7" in (
        result.output
    )
    assert sorted(people(fresh)) == ["Ada Quinn", "Cy Young"]


def test_an_unclosed_quote_is_reported_and_rows_before_it_come_in(fresh: Path) -> None:
    path = fresh.parent / "broken.csv"
    path.write_text('Name,Email\nAda Quinn,ada@example.com\n"Bo Stone,bo@example.com\nCy,c@d.e\n')
    result = Vtb(fresh)("import", str(path))
    assert "broken.csv:3: error: row starting here is not valid CSV" in result.output
    assert sorted(people(fresh)) == ["Ada Quinn"]


def test_an_outlook_style_csv_with_numbered_columns(fresh: Path) -> None:
    path = fresh.parent / "outlook.csv"
    path.write_text(
        "First Name,Last Name,E-mail Address,E-mail 2 Address,E-mail Type,Business Phone,"
        "Mobile Phone,Birthday,Web Page,Home Street\n"
        "Ada,Quinn,ada@example.com,ada@work.example,SMTP,+1 555 0001,+1 555 0002,0/0/00,"
        "https://ada.example,1 Main St\n",
        encoding="utf-8",
    )
    output = imported_file(fresh, path)
    assert "warning" not in output
    ada = people(fresh)["Ada Quinn"]
    assert ada.emails == ("ada@example.com", "ada@work.example")
    assert ada.phones == ("+1 555 0001", "+1 555 0002")
    assert ada.birthday is None
    assert front(fresh, ada)["website"] == "https://ada.example"
    assert "Home Street: 1 Main St" in body(fresh, ada)


def imported_file(vault: Path, path: Path) -> str:
    result = Vtb(vault)("import", str(path))
    assert result.exit_code == 0, result.output
    return result.output


def test_unknown_format_and_missing_file(fresh: Path, tmp_path: Path) -> None:
    vtb = Vtb(fresh)
    png = tmp_path / "photo.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    result = vtb("import", str(png))
    assert result.exit_code == 1
    assert "photo.png: a binary file, not a list of people" in result.output
    assert "vCard" in result.output  # the hint names what vtb reads
    table = tmp_path / "numbers.csv"
    table.write_text("foo,bar\n1,2\n")
    result = vtb("import", str(table))
    assert result.exit_code == 1 and "a CSV file without a Name column" in result.output
    (tmp_path / "empty.vcf").write_text("\n")
    assert "empty.vcf is empty" in vtb("import", str(tmp_path / "empty.vcf")).output
    only_bad = tmp_path / "bad.vcf"
    only_bad.write_text("BEGIN:VCARD\nVERSION:3.0\nno colon\nEND:VCARD\n")
    result = vtb("import", str(only_bad))
    assert result.exit_code == 1 and "bad.vcf:3: warning: card 1: line 'no colon'" in (
        result.output
    )
    result = vtb("import", str(tmp_path / "nowhere.vcf"))
    assert result.exit_code == 1 and "no such file" in result.output
    assert "Traceback" not in result.output
    assert head(fresh) == git(fresh, "rev-parse", "HEAD").strip()


def test_detect_format_from_content() -> None:
    def kind(data: bytes, name: str = "x") -> str:
        return detect_format(data, name)[0]

    assert kind((IMPORTS / "apple-3.0.vcf").read_bytes(), "contacts.txt") == "vcard"
    assert kind((IMPORTS / "Connections.csv").read_bytes()) == "linkedin"
    assert kind((IMPORTS / "google-contacts.csv").read_bytes()) == "google"
    assert kind((IMPORTS / "table.docx").read_bytes(), "list.bin") == "docx"
    assert kind(b"Name;E-mail\nAda;ada@example.com\n") == "table"
    assert kind(b"Ada Quinn\nada@example.com\n") == "text"
    for data, words in [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 20, "old Word"),
        (b"PK\x03\x04" + b"\x00" * 30, "zip file"),
        (b"BEGIN:VCALENDAR\nEND:VCALENDAR\n", "calendar"),
        (b"just some words\nand more words\n", "not a format"),
    ]:
        with pytest.raises(FormatError, match=words):
            detect_format(data, "f")


def test_note_lines_cannot_break_the_note(fresh: Path) -> None:
    card = (
        "BEGIN:VCARD\nVERSION:3.0\nFN:Odd Notes\n"
        "NOTE:## Log\\n- 2020-01-01 call: not a log entry\\n```\\n---\\n<div>\\n- [ ] a task\n"
        "END:VCARD\n"
    )
    path = fresh.parent / "odd.vcf"
    path.write_text(card)
    result = Vtb(fresh)("import", str(path))
    assert result.exit_code == 0, result.output
    odd = people(fresh)["Odd Notes"]
    assert odd.log == ()  # still no Log entries: the heading was escaped
    assert [f.text for f in odd.followups] == ["a task"]
    assert Vtb(fresh)("check").exit_code == 0


def test_read_results_carry_lines_for_every_record() -> None:
    read = read_people(IMPORTS / "Connections.csv")
    assert [(p.where, p.line) for p in read.people] == [("row 1", 5), ("row 2", 6), ("row 3", 7)]
    assert read.format == "LinkedIn CSV"


def test_the_index_lists_the_imported_people(fresh: Path) -> None:
    imported(fresh, "blocks.docx")
    index = (fresh / "Touch Base.md").read_text(encoding="utf-8")
    for name in ("Ingrid Sørensen", "Marcus Bell", "Dorothy Hughes", "Felix Aro"):
        assert f"|{name}]]" in index


def test_a_label_naming_a_circle_is_the_circle_and_tags_are_not_doubled(fresh: Path) -> None:
    (fresh / "contacts" / "Vera Stone.md").write_text(
        "---\nname: Vera Stone\nemail: vera@example.org\ncircle: neighbours\n---\n"
    )
    (fresh / "contacts" / "Ivo Petrov.md").write_text(
        "---\nname: Ivo Petrov\nemail: ivo@example.org\ntags: [freelancer]\n---\n"
    )
    git(fresh, "add", "-A")
    git(fresh, "commit", "-qm", "two people")
    imported(fresh, "labels.csv", "categories.vcf")
    found = people(fresh)
    rosa = found["Rosa Delgado"]
    assert rosa.circle == "community"  # vtb's own circle, spelt as vtb spells it
    assert rosa.tags == ("community", "freelancers")
    assert found["Kai Berger"].circle == "professional"  # a vCard category
    ivo = found["Ivo Petrov"]
    assert ivo.tags == ("freelancer", "professional")  # `Freelancer(s)`: the note's tag
    assert ivo.circle == "professional"  # the note had none
    assert found["Una Byrne"].circle == "neighbours"  # a circle the vault uses


def test_imported_notes_leave_out_the_templates_placeholder(fresh: Path) -> None:
    from vault_touchbase.features.formats.person import PLACEHOLDER

    imported(fresh, "labels.csv")
    for contact in people(fresh).values():
        assert PLACEHOLDER not in (fresh / contact.path).read_text(encoding="utf-8")


def test_the_templates_empty_prompts_are_left_out_of_imported_notes(
    example_repo: Path, tmp_path: Path
) -> None:
    """example-vault's template asks `How we met:`; an imported person's note does not
    keep asking, and what the card said is their note."""
    card = tmp_path / "hal.vcf"
    card.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Hal Import\r\nEMAIL:hal@example.com\r\n"
        "NOTE:Met at the pottery class.\r\nEND:VCARD\r\n"
    )
    assert "How we met:" in (example_repo / "templates" / "contact.md").read_text()
    result = Vtb(example_repo)("import", str(card))
    assert result.exit_code == 0, result.output
    body = split_note((example_repo / "contacts" / "Hal Import.md").read_text()).body
    assert "How we met:" not in body
    assert body.lstrip().startswith("Met at the pottery class.")
    assert "## Log" in body
