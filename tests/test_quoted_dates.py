"""A date the note writes quoted stays quoted when vtb edits it (SPEC §9: quoting is kept)."""

from __future__ import annotations

from pathlib import Path

from conftest import Vtb, git


def test_log_and_snooze_keep_quoted_dates_quoted(tmp_path: Path) -> None:
    (tmp_path / "contacts").mkdir()
    (tmp_path / "vtb.toml").write_text("")
    note = tmp_path / "contacts" / "Q.md"
    note.write_text(
        "---\nname: Q\nlast_contacted: \"2026-01-01\"  # quoted\nsnooze_until: '2026-02-01'\n---\nHi.\n"
    )
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "start")
    vtb = Vtb(tmp_path)
    assert vtb("log", "q", "-c", "call", "x").exit_code == 0
    assert vtb("snooze", "q", "2w").exit_code == 0
    text = note.read_text()
    assert 'last_contacted: "2026-11-26"  # quoted\n' in text
    assert "snooze_until: '2026-12-10'\n" in text
    # and it still reads as the date it is
    assert '"last_contacted": "2026-11-26"' in vtb("show", "q", "--json").stdout


def _quoted_vault(tmp_path: Path, notes: dict[str, str]) -> Path:
    """A vault in git whose contact notes are `notes` (stem → text), all committed."""
    (tmp_path / "contacts").mkdir()
    (tmp_path / "vtb.toml").write_text("")
    for stem, text in notes.items():
        (tmp_path / "contacts" / f"{stem}.md").write_text(text)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "start")
    return tmp_path


QUOTED = '---\nname: {name}\nlast_contacted: "2026-01-01"  # comment\ncircle: friends\n---\nHi.\n'


def test_intro_keeps_a_quoted_last_contacted_quoted_with_its_comment(tmp_path: Path) -> None:
    vault = _quoted_vault(
        tmp_path, {"Ann": QUOTED.format(name="Ann"), "Bo": QUOTED.format(name="Bo")}
    )
    result = Vtb(vault)("intro", "ann", "bo", "--log")
    assert result.exit_code == 0, result.output
    for name, other in (("Ann", "Bo"), ("Bo", "Ann")):
        # golden: only the value of last_contacted changed, and one Log entry was added
        assert (vault / "contacts" / f"{name}.md").read_text() == (
            f'---\nname: {name}\nlast_contacted: "2026-11-26"  # comment\ncircle: friends\n---\n'
            f"Hi.\n\n## Log\n- 2026-11-26 intro: introduced to [[{other}]]\n"
        )


def test_the_watchers_autocommit_keeps_a_quoted_last_contacted_quoted(tmp_path: Path) -> None:
    from datetime import date

    from vault_touchbase.actions.autocommit import commit_note_changes
    from vault_touchbase.vault.folder import open_vault

    vault = _quoted_vault(tmp_path, {"Ann": QUOTED.format(name="Ann")})
    note = vault / "contacts" / "Ann.md"
    # the user logs a touch by hand, in the editor; the watcher commits it
    note.write_text(note.read_text() + "\n## Log\n- 2026-11-20 call: about the garden\n")
    outcome = commit_note_changes(open_vault(vault), date(2026, 11, 26), "contacts/Ann.md", "logs")
    assert outcome.commits, outcome
    assert note.read_text() == (
        '---\nname: Ann\nlast_contacted: "2026-11-20"  # comment\ncircle: friends\n---\n'
        "Hi.\n\n## Log\n- 2026-11-20 call: about the garden\n"
    )
    assert git(vault, "status", "--porcelain") == ""
