"""Start-up: `vtb --help` and the everyday commands import only what they use.

Checked with `python -X importtime`, which lists every module a run imports.
No timings here: what is imported is what makes start-up slow, and that is exact.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import TODAY, Vtb, git

from vault_touchbase.vault import stamp as stamps

HEAVY = {
    "git",
    "watchdog",
    "markdown_it",
    "yaml",
    "jinja2",
    "frontmatter",
    "snowballstemmer",
    "vobject",
    "icalendar",
    "docx",
}


def imported(*args: str, cwd: Path | None = None) -> tuple[set[str], str]:
    """The top-level modules a `vtb` run imports, and what it printed."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "vault_touchbase", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    modules = {
        line.split("|")[-1].strip()
        for line in proc.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    return modules, proc.stdout


def top(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


def test_help_imports_nothing_heavy() -> None:
    modules, output = imported("--help")
    assert "Usage:" in output
    assert not top(modules) & HEAVY, sorted(top(modules) & HEAVY)
    assert "vault_touchbase.actions.touch" not in modules  # no command ran: no action code either
    assert "vault_touchbase.actions.refresh" not in modules
    assert "vault_touchbase.vault.load" not in modules  # nor the loader (the public API is lazy)
    assert "vault_touchbase.core.model" not in modules


def test_a_command_s_help_imports_nothing_heavy() -> None:
    modules, output = imported("log", "--help")
    assert "Usage:" in output
    assert not top(modules) & HEAVY, sorted(top(modules) & HEAVY)


@pytest.fixture
def warm(vtb: Vtb, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example vault after one refresh, its notes counted as settled (so cached)."""
    monkeypatch.setattr(stamps, "now_ns", lambda: time.time_ns() + 10_000_000_000)
    result = vtb("refresh")
    assert result.exit_code == 0, result.output
    return vtb.vault


def test_due_from_the_cache_reads_no_yaml_or_markdown(warm: Path) -> None:
    modules, output = imported("--vault", str(warm), "--today", TODAY, "due")
    assert "due" in output
    assert not top(modules) & HEAVY, sorted(top(modules) & HEAVY)
    assert "vault_touchbase.notes.parse" not in modules  # no note was parsed


def test_a_refresh_with_no_box_ticked_imports_no_note_editor(warm: Path) -> None:
    """A rebuild (here: another day, so the memo does not answer) with no box ticked in the
    index note never imports the code that edits notes."""
    modules, output = imported("--vault", str(warm), "--today", "2026-11-27", "refresh")
    assert "Touch Base.md" in output
    assert "vault_touchbase.actions.ticks" in modules  # the ticks were looked for
    assert not {m for m in modules if m.startswith("vault_touchbase.notes.edit_")}
    assert "vault_touchbase.actions.touch_note" not in modules


def test_refresh_with_nothing_changed_loads_no_notes(warm: Path) -> None:
    modules, output = imported("--vault", str(warm), "--today", TODAY, "refresh")
    assert "Touch Base.md unchanged:" in output
    assert not top(modules) & HEAVY, sorted(top(modules) & HEAVY)
    assert "vault_touchbase.actions.touch" not in modules  # answered from the refresh memo
    assert "vault_touchbase.actions.refresh" not in modules


def test_a_command_ends_with_its_work_done_and_its_output_written(example_repo: Path) -> None:
    """`vtb` leaves without freeing each object (`cli/main.leave`): the commit a touch
    makes on another thread is in the history, every line of output is written, and the
    exit code is the command's."""
    run = [sys.executable, "-m", "vault_touchbase", "--vault", str(example_repo)]
    today = ["--today", "2026-11-26"]
    logged = subprocess.run(
        [*run, *today, "log", "Jane Doe", "-c", "call", "talked about the fair"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert logged.returncode == 0, logged.stderr
    assert "talked about the fair" in git(example_repo, "show", "--format=", "HEAD")
    assert not (example_repo / ".git" / "index.lock").exists()
    due = subprocess.run([*run, *today, "due"], capture_output=True, text=True, check=False)
    assert due.returncode == 0
    assert len(due.stdout.splitlines()) >= 10 and due.stdout.endswith("\n")
    wrong = subprocess.run([*run, "log"], capture_output=True, text=True, check=False)
    assert wrong.returncode == 2 and "Usage:" in wrong.stderr


def test_a_command_keeps_its_loads_and_the_watcher_none(example_copy: Path) -> None:
    from vault_touchbase.vault import lifetime
    from vault_touchbase.vault.folder import open_vault
    from vault_touchbase.vault.load import load_vault

    vault = open_vault(example_copy)
    try:
        lifetime.keep_loads()
        loaded = load_vault(vault)
        assert lifetime._kept is not None and lifetime._kept[-1] is loaded
        lifetime.keep_loads(False)
        load_vault(vault)
        assert lifetime._kept is None
    finally:
        lifetime.keep_loads(False)


def test_ctrl_c_while_vtb_is_still_importing_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Ctrl-C in the first tenth of a second (the command's code still importing) ends
    vtb as a later one does: `vtb: interrupted.` and exit code 130, no traceback."""
    import types

    from vault_touchbase.__main__ import run

    class Interrupted(types.ModuleType):
        def __getattr__(self, name: str) -> object:
            raise KeyboardInterrupt

    monkeypatch.setitem(sys.modules, "vault_touchbase.cli.main", Interrupted("main"))
    with pytest.raises(SystemExit) as leaving:
        run()
    assert leaving.value.code == 130
    assert capsys.readouterr().err == "vtb: interrupted.\n"
