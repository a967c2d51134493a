"""Hostile files and names in the contacts folder: links (loops, into the vault, out of
it), names that are not UTF-8, NFC/NFD twins. Each is a problem with its place; the
rest of the vault works, and vtb never writes through a link (docs/safety.md)."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest
from conftest import TODAY, Vtb, git

from vault_touchbase.core.errors import NoteError
from vault_touchbase.vault.folder import open_vault
from vault_touchbase.vault.load import load_vault

CALL = ("-c", "call", "caught up")


def problems_of(vault: Path) -> dict[str, str]:
    loaded = load_vault(open_vault(vault), use_cache=False)
    return {p.path: p.message for p in loaded.problems}


def test_symlink_loops_are_problems_and_everything_else_works(example_repo: Path) -> None:
    contacts = example_repo / "contacts"
    (contacts / "loop1.md").symlink_to("loop2.md")
    (contacts / "loop2.md").symlink_to("loop1.md")
    (contacts / "me").symlink_to(".")  # a folder linking to itself
    (contacts / "deep").mkdir()
    (contacts / "deep" / "up").symlink_to("../deep")
    found = problems_of(example_repo)
    assert "loop" in found["contacts/loop1.md"] and "loop" in found["contacts/loop2.md"]
    assert "link to the folder contacts" in found["contacts/me"]
    assert "link to the folder contacts/deep" in found["contacts/deep/up"]
    vtb = Vtb(example_repo)
    for args in (["refresh"], ["due"], ["log", "jane", *CALL], ["export", "json"]):
        result = vtb(*args)
        assert result.exit_code == 0, (args, result.output)
        assert "unexpected error" not in result.output
    assert "contacts/loop1.md:1: error: link goes round in a loop" in vtb("check").output


def test_a_link_to_a_note_is_reported_and_never_a_second_person(example_repo: Path) -> None:
    contacts = example_repo / "contacts"
    (contacts / "janelink.md").symlink_to("Jane Doe.md")
    git(example_repo, "add", "contacts/janelink.md")
    git(example_repo, "commit", "-qm", "a link")
    loaded = load_vault(open_vault(example_repo), use_cache=False)
    assert [c.path for c in loaded.contacts if c.name == "Jane Doe"] == ["contacts/Jane Doe.md"]
    assert any(
        p.path == "contacts/janelink.md" and "link to the note contacts/Jane Doe.md" in p.message
        for p in loaded.problems
    )
    vtb = Vtb(example_repo)
    assert vtb("log", "janelink", *CALL).exit_code == 1  # not a person of its own
    result = vtb("log", "jane", *CALL)
    assert result.exit_code == 0, result.output
    assert git(example_repo, "status", "--porcelain", "--", "contacts") == ""
    assert "contacts/Jane Doe.md" in git(example_repo, "show", "--name-only", "--format=", "HEAD")


def test_no_write_ever_goes_through_a_link(example_repo: Path) -> None:
    from vault_touchbase.actions.committing import edit_note

    contacts = example_repo / "contacts"
    (contacts / "janelink.md").symlink_to("Jane Doe.md")
    before = (contacts / "Jane Doe.md").read_bytes()
    with pytest.raises(NoteError, match="through a link"):
        edit_note(open_vault(example_repo), "contacts/janelink.md", lambda text: text + "x\n")
    assert (contacts / "Jane Doe.md").read_bytes() == before


def test_a_contacts_folder_linked_out_of_the_vault_is_refused(
    example_repo: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    (example_repo / "contacts").rename(elsewhere)
    (example_repo / "contacts").symlink_to(elsewhere)
    before = {p.name: p.read_bytes() for p in elsewhere.glob("*.md")}
    vtb = Vtb(example_repo)
    for args in (["log", "jane", *CALL], ["refresh"], ["due"]):
        result = vtb(*args)
        assert result.exit_code == 1, (args, result.output)
        assert "is a link to" in result.output and "outside the vault" in result.output
        assert "contacts" in result.output and "unexpected" not in result.output
    assert {p.name: p.read_bytes() for p in elsewhere.glob("*.md")} == before


def test_a_contacts_folder_linked_inside_the_vault_names_the_real_folder(
    example_copy: Path,
) -> None:
    (example_copy / "contacts").rename(example_copy / "People")
    (example_copy / "contacts").symlink_to("People")
    result = Vtb(example_copy)("due")
    assert result.exit_code == 1
    assert 'contacts = "People"' in result.output


def test_a_file_name_that_is_not_utf8_is_a_problem(example_repo: Path) -> None:
    bad = os.fsencode(example_repo / "contacts") + b"/\xff.md"
    with open(bad, "wb") as handle:
        handle.write(b"---\nname: Bad Bytes\n---\n## Log\n")
    os.mkdir(os.fsencode(example_repo / "contacts") + b"/\xfe folder")
    found = problems_of(example_repo)
    assert found["contacts/\\xff.md"] == "file name is not UTF-8; not read (rename it)"
    assert found["contacts/\\xfe folder"].startswith("folder name is not UTF-8")
    vtb = Vtb(example_repo)
    for args in (["refresh"], ["export", "json"], ["log", "jane", *CALL]):
        result = vtb(*args)
        assert result.exit_code == 0, (args, result.output)
    assert "contacts/\\xff.md:1: error: file name is not UTF-8" in vtb("check").output
    assert "Bad Bytes" not in vtb("due", "--all").output


def test_a_committed_touch_never_ends_as_a_failure(
    example_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import vault_touchbase.actions.refresh as refresh

    def broken(*args: object, **kwargs: object) -> None:
        raise UnicodeEncodeError("utf-8", "\udcff", 0, 1, "surrogates not allowed")

    monkeypatch.setattr(refresh, "refresh", broken)
    before = git(example_repo, "rev-list", "--count", "HEAD")
    result = Vtb(example_repo)("log", "jane", *CALL)
    assert result.exit_code == 0, result.output
    assert "Touch Base.md not updated: unexpected UnicodeEncodeError" in result.output
    assert int(git(example_repo, "rev-list", "--count", "HEAD")) == int(before) + 1


def test_nfc_and_nfd_twins_are_reported_and_each_reached_by_its_path(example_repo: Path) -> None:
    contacts = example_repo / "contacts"
    nfc, nfd = unicodedata.normalize("NFC", "Zoë Twin"), unicodedata.normalize("NFD", "Zoë Twin")
    assert nfc != nfd
    for name, email in ((nfc, "nfc@example.com"), (nfd, "nfd@example.com")):
        (contacts / f"{name}.md").write_text(f"---\nemail: {email}\n---\n## Log\n")
    found = problems_of(example_repo)
    assert "this name is NFC" in found[f"contacts/{nfc}.md"]
    assert "not NFC (NFD)" in found[f"contacts/{nfd}.md"]
    assert "differ only in Unicode normalization" in found[f"contacts/{nfd}.md"]
    vtb = Vtb(example_repo)
    assert vtb("log", "zoe twin", *CALL).exit_code == 1  # two people: the choices are listed
    for name in (nfc, nfd):
        for query in (f"contacts/{name}.md", f"{name}.md", f"contacts/{name}"):
            from vault_touchbase.vault.lookup import find_contact

            loaded = load_vault(open_vault(example_repo), use_cache=False)
            assert find_contact(loaded.contacts, query).path == f"contacts/{name}.md"
        result = vtb("log", f"contacts/{name}.md", *CALL)
        assert result.exit_code == 0, result.output
        assert "2026-11-26 call: caught up" in (contacts / f"{name}.md").read_text()
    assert "differ only in Unicode" in vtb("check").output


def test_a_name_matches_across_normal_forms(example_copy: Path) -> None:
    from vault_touchbase.vault.lookup import find_contact

    loaded = load_vault(open_vault(example_copy), use_cache=False)
    for form in ("NFC", "NFD"):
        assert find_contact(loaded.contacts, unicodedata.normalize(form, "José")).name == (
            "José Müller"
        )


def test_the_watchers_autocommit_never_reads_or_commits_a_link(example_repo: Path) -> None:
    from datetime import date

    from vault_touchbase.actions.autocommit import commit_note_changes

    contacts = example_repo / "contacts"
    (contacts / "janelink.md").symlink_to("Jane Doe.md")
    (contacts / "loop1.md").symlink_to("loop2.md")
    (contacts / "loop2.md").symlink_to("loop1.md")
    vault = open_vault(example_repo)
    before = git(example_repo, "rev-parse", "HEAD")
    for rel in ("contacts/janelink.md", "contacts/loop1.md"):
        outcome = commit_note_changes(vault, date(2026, 11, 26), rel, "all")
        assert not outcome.commits and not outcome.changed
    assert git(example_repo, "rev-parse", "HEAD") == before


def test_a_notes_terminal_escapes_never_reach_the_terminal(example_copy: Path) -> None:
    """A name or first paragraph holding terminal escapes, a bell or a lone CR (a note
    from elsewhere, a hostile import) is shown as text: `vtb show` writes none of them."""
    note = example_copy / "contacts" / "Esc Test.md"
    note.write_bytes(
        b'---\nname: "Esc\\e[2J Test"\nemail: e@example.org\n---\n'
        b"Some text\x1b[31mRED\x07 and \rOVERWRITE\n"
    )
    result = Vtb(example_copy)("show", "Esc Test")
    assert result.exit_code == 0, result.output
    assert not any(ch in result.output for ch in "\x1b\x07\r"), repr(result.output)
    assert "Esc [2J Test" in result.output
    assert "Some text [31mRED  and  OVERWRITE" in result.output


def test_a_note_with_lone_carriage_returns_is_said_with_the_fix(example_copy: Path) -> None:
    """Old Mac line ends (CR only), or a stray CR inside a line: vtb cannot read such a
    note as an editor shows it, nor edit it, and `vtb check` says so and how to fix it.
    A CRLF note is read as any other, without a word."""
    contacts = example_copy / "contacts"
    (contacts / "Cr Only.md").write_bytes(
        b"---\rname: Cr Only\remail: cr@example.org\r---\r## Log\r- 2026-11-02 call: x\r"
    )
    (contacts / "Crlf Note.md").write_bytes(
        b"---\r\nname: Crlf Note\r\nemail: crlf@example.org\r\n---\r\n## Log\r\n"
        b"- 2026-11-02 call: x\r\n"
    )
    result = Vtb(example_copy)("check")
    said = [line for line in result.output.splitlines() if "carriage return" in line]
    assert said == [
        "contacts/Cr Only.md:1: warning: the note has a carriage return (CR) that does not "
        "end a CRLF line (old Mac line ends?): its lines may not be read as an editor shows "
        "them, and vtb will not edit it (re-save the note with LF or CRLF line ends)"
    ], result.output


# --- a file vtb reads or writes by its name, with something else in its place ---------------


def _vtb_process(vault: Path, *args: str) -> tuple[int, str]:
    """`vtb` in its own process with a deadline: a pipe read by mistake would hang it."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "vault_touchbase", "--vault", str(vault), "--today", TODAY, *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=vault,
    )
    return done.returncode, done.stdout + done.stderr


@pytest.mark.parametrize("what", ["folder", "link to nothing", "pipe"])
def test_a_settings_file_that_is_no_file_is_said_never_waited_on(
    example_copy: Path, what: str
) -> None:
    toml = example_copy / "vtb.toml"
    toml.unlink()
    if what == "folder":
        toml.mkdir()
    elif what == "link to nothing":
        toml.symlink_to(example_copy / "nowhere.toml")
    else:
        os.mkfifo(toml)
    code, output = _vtb_process(example_copy, "due")
    assert code == 1, output
    assert "vtb.toml is " in output and "not a settings file" in output
    assert "remove it to use the defaults" in output and "Traceback" not in output


def test_an_index_note_or_chart_that_is_a_pipe_is_said_never_waited_on(
    example_copy: Path,
) -> None:
    index, chart = example_copy / "Touch Base.md", example_copy / "touch-base-chart.svg"
    os.mkfifo(index)
    code, output = _vtb_process(example_copy, "refresh")
    assert code == 1, output
    assert "Touch Base.md is a pipe, so the index note cannot be written there" in output
    index.unlink()
    chart.unlink(missing_ok=True)
    os.mkfifo(chart)
    code, output = _vtb_process(example_copy, "refresh")
    assert code == 0, output
    assert "touch-base-chart.svg not drawn: touch-base-chart.svg is a pipe" in output
    assert index.is_file()


@pytest.mark.parametrize("target", ["missing", "present"])
def test_init_never_writes_through_a_link_out_of_the_vault(tmp_path: Path, target: str) -> None:
    from click.testing import CliRunner

    from vault_touchbase.cli.main import cli

    vault, elsewhere = tmp_path / "vault", tmp_path / "elsewhere"
    vault.mkdir()
    elsewhere.mkdir()
    git(vault, "init", "-q")
    if target == "present":
        (elsewhere / "ignores").write_text("node_modules/\n")
    (vault / ".gitignore").symlink_to(elsewhere / "ignores")
    (vault / ".gitattributes").symlink_to(elsewhere / "attributes")
    result = CliRunner().invoke(cli, ["init", str(vault)])
    assert result.exit_code == 0, result.output
    assert ".gitignore is a link; left as it is" in result.output and ".vtb/" in result.output
    assert ".gitattributes is a link; left as it is" in result.output
    assert sorted(p.name for p in elsewhere.iterdir()) == (
        ["ignores"] if target == "present" else []
    )
    if target == "present":
        assert (elsewhere / "ignores").read_text() == "node_modules/\n"
    assert (vault / ".gitignore").is_symlink() and (vault / "vtb.toml").is_file()


def test_what_the_system_refused_is_said_with_what_to_do_about_that_cause(
    example_repo: Path,
) -> None:
    """A folder where vtb's lock file goes, a file where a folder of the index note's path
    goes: the cause and the fix for that cause, never "free disk space", never
    "unexpected"; a touch logged meanwhile is done and said so."""
    vtb = Vtb(example_repo)
    (example_repo / ".vtb" / "lock").mkdir(parents=True)
    result = vtb("refresh")
    assert result.exit_code == 1
    assert "lock: is a directory" in result.output
    assert "a folder stands where a file is needed: rename or move it" in result.output
    (example_repo / ".vtb" / "lock").rmdir()
    toml = example_repo / "vtb.toml"
    toml.write_text(
        'index = "a/b/Touch Base.md"\n' + toml.read_text().replace("index =", "# index =")
    )
    (example_repo / "a").write_text("")
    result = vtb("log", "Ana", "hi")
    assert result.exit_code == 0, result.output
    assert "Logged email with Ana Lima" in result.output
    assert "a/b/Touch Base.md not updated" in result.output and "unexpected" not in result.output
    assert "a file stands where a folder is needed on that path" in result.output
