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
