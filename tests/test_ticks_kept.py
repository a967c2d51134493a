"""A ticked box is never lost, whatever command rebuilds the index note."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import FIXTURES, Vtb, git


def tick(vault: Path, stem: str) -> None:
    index = vault / "Touch Base.md"
    text = index.read_text(encoding="utf-8")
    new = re.sub(
        rf"^- \[ \] (\[\[contacts/{re.escape(stem)}\|)", r"- [x] \1", text, count=1, flags=re.M
    )
    assert new != text, f"no box for {stem}"
    index.write_text(new, encoding="utf-8")


def subjects(vault: Path) -> list[str]:
    return git(vault, "log", "--format=%s").splitlines()


def test_import_logs_ticked_boxes_before_rebuilding(example_repo: Path) -> None:
    vtb = Vtb(example_repo)
    vtb("refresh")
    tick(example_repo, "Ben Carter")
    result = vtb("import", str(FIXTURES / "import" / "v4.0.vcf"))
    assert result.exit_code == 0, result.output
    assert "touch: Ben Carter (email)" in subjects(example_repo)
    assert "Imported 1 note" in result.output  # the tick's note is not counted as imported
    assert "- [x]" not in (example_repo / "Touch Base.md").read_text(encoding="utf-8")


def test_rename_logs_the_renamed_persons_tick_first(example_repo: Path) -> None:
    vtb = Vtb(example_repo)
    vtb("refresh")
    tick(example_repo, "Agnieszka Nowak")
    result = vtb("rename", "agnieszka", "Agnes Nowak")
    assert result.exit_code == 0, result.output
    assert subjects(example_repo)[:2] == [
        "rename: Agnieszka Nowak → Agnes Nowak",
        "touch: Agnieszka Nowak (email)",
    ]
    note = (example_repo / "contacts" / "Agnes Nowak.md").read_text(encoding="utf-8")
    assert "- 2026-11-26 email: ticked in Touch Base" in note
    after = vtb("refresh")
    assert "does not exist" not in after.output


def test_intro_logs_ticked_boxes(example_repo: Path) -> None:
    vtb = Vtb(example_repo)
    vtb("refresh")
    tick(example_repo, "Sofia Petrov")
    assert vtb("intro", "daniel", "chloe", "--log").exit_code == 0
    assert "touch: Sofia Petrov (email)" in subjects(example_repo)


def _ticked_lines(vault: Path) -> list[str]:
    text = (vault / "Touch Base.md").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.startswith("- [x]")]


def test_a_tick_on_a_read_only_note_stays_ticked_until_it_can_be_logged(
    example_repo: Path,
) -> None:
    vtb = Vtb(example_repo)
    vtb("refresh")
    note = example_repo / "contacts" / "Ben Carter.md"
    tick(example_repo, "Ben Carter")
    note.chmod(0o444)
    try:
        result = vtb("refresh")
        assert result.exit_code == 0, result.output
        assert "ticked Ben Carter" in result.output and "read-only" in result.output
        kept = _ticked_lines(example_repo)
        assert len(kept) == 1 and "[[contacts/Ben Carter|Ben Carter]]" in kept[0]
        assert vtb("refresh").exit_code == 0  # still waiting, still ticked
        assert len(_ticked_lines(example_repo)) == 1
    finally:
        note.chmod(0o644)
    result = vtb("refresh")
    assert result.exit_code == 0, result.output
    assert "touch: Ben Carter (email)" in subjects(example_repo)
    assert "ticked in Touch Base" in note.read_text(encoding="utf-8")
    assert _ticked_lines(example_repo) == []
