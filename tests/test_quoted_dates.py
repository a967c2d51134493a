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
