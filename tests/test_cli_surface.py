"""The command line as a whole: every command registered once, listed, documented; JSON
output alike across commands; one parser for dates and spans, one meaning per option."""

from __future__ import annotations

import importlib
import json
import re
from datetime import date
from pathlib import Path

import click
import pytest
from conftest import FIXTURES, ROOT, TODAY, Vtb, git, snapshot_bytes

from vault_touchbase.cli.main import COMMANDS
from vault_touchbase.core.cadence import parse_day_or_span

DAY = date.fromisoformat(TODAY)


def registered() -> dict[str, click.Command]:
    """Each command of `COMMANDS`, imported from its module."""
    found = {}
    for name, where in COMMANDS.items():
        module, attr = where.split(":")
        found[name] = getattr(importlib.import_module(module), attr)
    return found


# --- one way to register commands --------------------------------------------------------


def test_every_command_in_the_table_imports_and_is_named_as_listed() -> None:
    for name, command in registered().items():
        assert isinstance(command, click.Command), name
        assert command.name == name, (name, command.name)


def test_help_lists_exactly_the_commands_that_are_not_hidden(vtb: Vtb) -> None:
    result = vtb("--help")
    assert result.exit_code == 0
    listed = result.output.split("Commands:", 1)[1]
    names = {line.split()[0] for line in listed.splitlines() if line.strip()}
    shown = {name for name, command in registered().items() if not command.hidden}
    assert names == shown
    assert "merge-note" not in names and "merge-note" in COMMANDS  # hidden: git runs it


def test_the_readme_command_table_names_every_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = re.findall(r"^\| `vtb ([a-z-]+)", readme, flags=re.MULTILINE)
    shown = {name for name, command in registered().items() if not command.hidden}
    assert set(table) == shown
    assert len(table) == len(set(table))  # each once


def test_every_command_takes_the_global_options() -> None:
    for name, command in registered().items():
        options = {opt for param in command.params for opt in getattr(param, "opts", [])}
        assert {"--vault", "--today", "--debug"} <= options, name


# --- JSON --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["due"],
        ["followups", "--all"],
        ["intros"],
        ["history", "jane"],
    ],
)
def test_every_listing_prints_a_json_array(vtb: Vtb, args: list[str]) -> None:
    result = vtb(*args, "--json")
    rows = json.loads(result.stdout)
    assert isinstance(rows, list) and rows, args
    assert all(isinstance(row, dict) for row in rows)


def test_listings_name_the_notes_problems_on_stderr_and_check_lists_them(vtb: Vtb) -> None:
    (vtb.vault / "contacts" / "Broken.md").write_text("---\nname: [unclosed\n---\n")
    for args in (["due"], ["followups"], ["intros"]):
        result = vtb(*args, "--json")
        json.loads(result.stdout)  # stdout stays JSON
        assert "contacts/Broken.md:" in result.stderr, args
    checked = vtb("check", "--json")
    assert any(p["path"] == "contacts/Broken.md" for p in json.loads(checked.stdout))


def test_a_command_that_is_not_a_listing_has_no_json_array(vtb: Vtb) -> None:
    result = vtb("show", "jane", "--json")
    assert json.loads(result.stdout)["name"] == "Jane Doe"


def test_refresh_json_is_an_object_with_its_problems(vtb: Vtb) -> None:
    (vtb.vault / "contacts" / "Broken.md").write_text("---\nname: [unclosed\n---\n")
    first = json.loads(vtb("refresh", "--json").stdout)
    assert first["written"] is True and first["index"] == "Touch Base.md"
    assert first["due"] >= first["overdue"] > 0
    assert set(first["this_hour"]) == {"people", "minutes", "budget"}
    assert "contacts/Broken.md" in [p["path"] for p in first["problems"]]
    again = json.loads(vtb("refresh", "--json").stdout)  # answered from the memo: the same
    assert again == {**first, "written": False}
    text = vtb("refresh")
    assert text.stdout.startswith("Touch Base.md unchanged: ")
    assert f"{first['due']} due" in text.stdout


def test_import_dry_run_json_is_an_object_and_writes_nothing(example_repo: Path) -> None:
    before = snapshot_bytes(example_repo)
    result = Vtb(example_repo)(
        "import", str(FIXTURES / "import" / "malformed.vcf"), "--dry-run", "--json"
    )
    data = json.loads(result.stdout)
    assert data["dry_run"] is True and data["file"] == "malformed.vcf"
    assert data["format"] and data["entries"] and data["problems"]
    assert data["counts"]["new"] == sum(1 for e in data["entries"] if e["action"] == "new")
    assert {"action", "name", "path", "changes", "reason"} == set(data["entries"][0])
    assert data["changed"] == [] and data["commit"] is None
    assert snapshot_bytes(example_repo) == before


def test_import_json_names_its_commit(example_repo: Path) -> None:
    result = Vtb(example_repo)("import", str(FIXTURES / "import" / "apple-3.0.vcf"), "--json")
    data = json.loads(result.stdout)
    assert data["dry_run"] is False and data["changed"]
    assert data["commit"] == git(example_repo, "rev-parse", "HEAD").strip()


def test_sync_json_is_an_object_with_its_problems(example_repo: Path, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(example_repo), str(remote))
    laptop = tmp_path / "laptop"
    git(tmp_path, "clone", "-q", str(remote), str(laptop))
    result = Vtb(laptop)("sync", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["upstream"] == "origin/main"
    assert data["pulled"] == 0 and data["problems"] == [] and data["other_errors"] == 0
    assert isinstance(data["done"], list) and isinstance(data["notices"], list)


# --- dates and spans ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ago", "ahead"),
    [
        ("2026-12-01", date(2026, 12, 1), date(2026, 12, 1)),
        ("today", DAY, DAY),
        ("Yesterday", date(2026, 11, 25), date(2026, 11, 25)),
        ("tomorrow", date(2026, 11, 27), date(2026, 11, 27)),
        ("3d", date(2026, 11, 23), date(2026, 11, 29)),
        ("2w", date(2026, 11, 12), date(2026, 12, 10)),
        ("1m", date(2026, 10, 26), date(2026, 12, 26)),
        ("1y", date(2025, 11, 26), date(2027, 11, 26)),
    ],
)
def test_one_parser_counts_a_span_back_or_forward(text: str, ago: date, ahead: date) -> None:
    assert parse_day_or_span(text, DAY, "ago") == ago
    assert parse_day_or_span(text, DAY, "ahead") == ahead


def test_a_span_back_over_a_short_month_lands_on_its_last_day() -> None:
    assert parse_day_or_span("1m", date(2026, 3, 31), "ago") == date(2026, 2, 28)


@pytest.mark.parametrize("text", ["soon", "never", "0", "2026-02-30", ""])
def test_anything_else_is_refused_with_the_forms(text: str) -> None:
    with pytest.raises(ValueError, match="YYYY-MM-DD, today, yesterday"):
        parse_day_or_span(text, DAY, "ago")


def test_log_date_counts_back_and_snooze_counts_ahead(example_repo: Path) -> None:
    vtb = Vtb(example_repo)
    logged = vtb("log", "jane", "-d", "2w", "-c", "call", "two weeks back")
    assert logged.exit_code == 0, logged.output
    assert "on 2026-11-12" in logged.stdout
    note = (example_repo / "contacts/Jane Doe.md").read_text(encoding="utf-8")
    assert "- 2026-11-12 call: two weeks back" in note
    snoozed = vtb("snooze", "jane", "3d")
    assert snoozed.exit_code == 0, snoozed.output
    assert "until 2026-11-29" in snoozed.stdout


def test_each_date_option_says_its_direction_in_help(vtb: Vtb) -> None:
    def flat(args: list[str]) -> str:
        return " ".join(vtb(*args, "--help").output.split())

    assert "3d = three days ago" in flat(["log"])
    assert "2w = two weeks from today" in flat(["log"])  # --due
    assert "3d = three days from today" in flat(["snooze"])
