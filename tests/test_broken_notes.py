"""Every kind of broken note is reported with its place and severity; the rest still load."""

from __future__ import annotations

import json
import os
import shutil
from datetime import date
from pathlib import Path

import pytest
from conftest import FIXTURES, snapshot_bytes

from vault_touchbase.vault.folder import open_vault
from vault_touchbase.vault.load import load_vault

GOOD = "---\nname: Good Person\nemail: good@example.com\n---\n## Log\n- 2026-10-01 call: fine\n"

EXPECTED = {
    # file: (line, severity, words in the message)
    "bad yaml.md": (4, "error", "bad YAML"),
    "not a mapping.md": (2, "error", "not a set of properties"),
    "unclosed fence.md": (1, "error", "frontmatter is not closed"),
    "latin1.md": (2, "error", "not UTF-8"),
    "binary.md": (1, "error", "binary file"),
    "empty.md": (1, "warning", "empty note"),
    "bad date.md": (3, "error", "is not a date"),
    "unknown cadence.md": (3, "error", "is not a cadence"),
    "duplicate keys.md": (4, "warning", "duplicate key 'email'"),
    "python tag.md": (3, "error", "unsafe YAML tag !!python/object/apply:os.system"),
    "bad log date.md": (5, "error", "2026-02-30 is not a real date"),
    "outside.md": (1, "error", "link leads outside the vault"),
    "huge.md": (1, "error", "over the 10 MB limit"),
    "far future.md": (3, "error", "9999-11-15 is after 9899-12-31, the last date vtb counts"),
    "long cadence.md": (3, "error", "'2000000w' is longer than vtb counts"),
    "alias bomb.md": (8, "error", "aliases expand this value to more than 10,000"),
}


@pytest.fixture
def broken_vault(tmp_path: Path) -> Path:
    vault = tmp_path / "vault"
    contacts = vault / "contacts"
    shutil.copytree(FIXTURES / "broken", contacts)
    (vault / "vtb.toml").write_text("")
    (contacts / "Good Person.md").write_text(GOOD)
    outside = tmp_path / "secret.md"
    outside.write_text("---\nname: Secret\n---\n")
    os.symlink(outside, contacts / "outside.md")
    (contacts / "huge.md").write_bytes(b"---\nname: Huge\n---\n" + b"x" * (11 * 1024 * 1024))
    big = "---\nname: Big But Fine\n---\n" + ("A line of notes about this person.\n" * 150_000)
    (contacts / "big but fine.md").write_text(big)
    return vault


def test_each_broken_note_is_reported_with_place_and_severity(broken_vault: Path) -> None:
    loaded = load_vault(open_vault(broken_vault), use_cache=False)
    by_file = {}
    for problem in loaded.problems:
        by_file.setdefault(problem.path.removeprefix("contacts/"), []).append(problem)
    for name, (line, severity, words) in EXPECTED.items():
        found = by_file.get(name)
        assert found, f"no problem reported for {name}"
        assert any(
            p.line == line and p.severity == severity and words in p.message for p in found
        ), f"{name}: {[str(p) for p in found]}"
        assert str(found[0]).startswith(f"contacts/{name}:{found[0].line}: {found[0].severity}: ")


def test_the_rest_still_load(broken_vault: Path) -> None:
    loaded = load_vault(open_vault(broken_vault), use_cache=False)
    names = {c.name for c in loaded.contacts}
    # usable notes with a bad value still load, the value ignored
    assert {
        "Good Person",
        "Big But Fine",
        "Bad Date",
        "Odd Cadence",
        "Dupe Keys",
        "Bad Log",
        "Far Future",
        "Long Cadence",
    } <= names
    assert not names & {"Bad Yaml", "Unclosed", "Tagged", "Huge", "Secret", "Alias Bomb"}
    dupe = next(c for c in loaded.contacts if c.name == "Dupe Keys")
    assert dupe.emails == ("two@example.com",)
    bad_log = next(c for c in loaded.contacts if c.name == "Bad Log")
    assert [e.text for e in bad_log.log] == ["fine"]
    far = next(c for c in loaded.contacts if c.name == "Far Future")
    assert far.last_contacted == date(2026, 10, 1)  # the dates past 9899 are left out
    assert any(p.line == 6 and "9999-12-01 is after" in p.message for p in loaded.problems)


@pytest.fixture
def edge_vault(tmp_path: Path) -> Path:
    vault = tmp_path / "edge"
    (vault / "contacts").mkdir(parents=True)
    (vault / "vtb.toml").write_text("")
    (vault / "contacts" / "Good Person.md").write_text(GOOD)
    for name in ("far future.md", "long cadence.md"):
        shutil.copy(FIXTURES / "broken" / name, vault / "contacts" / name)
    return vault


def test_a_date_at_the_calendar_s_edge_is_its_note_s_problem_only(edge_vault: Path) -> None:
    from conftest import Vtb

    vtb = Vtb(edge_vault)
    for args in (["refresh"], ["due"], ["show", "far future"], ["log", "good person", "hi"]):
        result = vtb(*args)
        assert result.exit_code == 0, (args, result.output)
        if args[0] in ("refresh", "due"):
            assert "contacts/far future.md:3: error: last_contacted: 9999-11-15 is after" in (
                result.output
            )
    assert "next due 2027-01-01" in vtb("show", "far future").output  # from 2026-10-01
    result = vtb("log", "long cadence", "hello")
    assert result.exit_code == 0, result.output
    assert "`contacts/far future.md:3` error" in (edge_vault / "Touch Base.md").read_text()


def test_no_command_counts_from_a_day_past_the_edge(edge_vault: Path) -> None:
    from conftest import Vtb

    before = snapshot_bytes(edge_vault)
    vtb = Vtb(edge_vault)
    for args, today in (
        (["log", "good person", "hi"], "9999-12-31"),
        (["log", "good person", "--date", "3d", "hi"], "0001-01-02"),
        (["snooze", "good person", "2000000w"], "2026-11-26"),
        (["snooze", "good person", "100y"], "9899-01-01"),
        (["log", "good person", "--follow-up", "t", "--due", "999999999d"], "2026-11-26"),
    ):
        result = vtb(*args, today=today)
        assert result.exit_code == 2, (args, result.output)
        assert "Error: Invalid value for" in result.output
        assert "unexpected" not in result.output
    assert snapshot_bytes(edge_vault) == before


def test_a_5_mb_note_loads(tmp_path: Path) -> None:
    vault = tmp_path / "v"
    (vault / "contacts").mkdir(parents=True)
    body = "Notes.\n" * 800_000 + "## Log\n- 2026-10-01 call: still read\n"
    (vault / "contacts" / "Long.md").write_text("---\nname: Long\n---\n" + body)
    assert (vault / "contacts" / "Long.md").stat().st_size > 5 * 1024 * 1024
    loaded = load_vault(open_vault(vault), use_cache=False)
    assert loaded.problems == ()
    assert loaded.contacts[0].log[0].text == "still read"


def test_check_reports_and_changes_nothing(broken_vault: Path) -> None:
    from conftest import Vtb

    before = snapshot_bytes(broken_vault)
    result = Vtb(broken_vault)("check")
    assert result.exit_code == 1
    for name, (line, severity, _) in EXPECTED.items():
        assert f"contacts/{name}:{line}: {severity}:" in result.output
    assert snapshot_bytes(broken_vault) == before


def test_the_python_tag_is_never_executed(broken_vault: Path, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    (broken_vault / "contacts" / "python tag.md").write_text(
        f'---\nname: T\nx: !!python/object/apply:os.system ["touch {marker}"]\n---\n'
    )
    load_vault(open_vault(broken_vault), use_cache=False)
    assert not marker.exists()


def test_warnings_alone_do_not_fail_check(tmp_path: Path) -> None:
    from conftest import Vtb

    vault = tmp_path / "v"
    (vault / "contacts").mkdir(parents=True)
    (vault / "contacts" / "Untitled 2.md").write_text("---\nemail: a@example.com\n---\n")
    result = Vtb(vault)("check")
    assert result.exit_code == 0
    assert "contacts/Untitled 2.md:1: warning: no name, and the file name" in result.output


@pytest.mark.parametrize(
    ("stem", "warned"),
    [
        ("Grace Hopper", False),  # in Obsidian the file name is the name
        ("Jean-Luc Picard", False),
        ("Liam O'Connor", False),
        ("Untitled 2", True),  # Obsidian's new-note name
        ("Untitled", True),
        ("202311051230", True),  # a Zettelkasten id
        ("jane-doe", True),  # a slug
    ],
)
def test_a_note_without_a_name_is_named_by_its_file_warned_only_when_that_is_no_name(
    tmp_path: Path, stem: str, warned: bool
) -> None:
    from conftest import Vtb

    vault = tmp_path / "v"
    (vault / "contacts").mkdir(parents=True)
    (vault / "contacts" / f"{stem}.md").write_text("---\nemail: a@example.com\n---\n")
    vtb = Vtb(vault)
    result = vtb("check")
    assert result.exit_code == 0
    assert ("warning: no name" in result.output) is warned, result.output
    assert [row["name"] for row in json.loads(vtb("due", "--json").stdout)] == [stem]


def test_a_last_contact_after_today_is_a_warning_with_its_line(tmp_path: Path) -> None:
    from conftest import Vtb

    vault = tmp_path / "v"
    (vault / "contacts").mkdir(parents=True)
    (vault / "contacts" / "Future.md").write_text(
        "---\nname: Future\nlast_contacted: 2099-01-01\n---\n"
    )
    (vault / "contacts" / "Typo.md").write_text(
        "---\nname: Typo\n---\n## Log\n- 2062-01-01 call: typo\n"
    )
    result = Vtb(vault)("check")
    assert result.exit_code == 0  # a warning, not an error
    assert (
        "contacts/Future.md:3: warning: last_contacted says 2099-01-01, after today"
        in result.output
    )
    assert "contacts/Typo.md:5: warning: a Log entry says 2062-01-01, after today" in result.output
    Vtb(vault)("refresh")
    assert "`contacts/Future.md:3` warning" in (vault / "Touch Base.md").read_text()
