"""The CLI frame and the core commands, driven like a user would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXAMPLE, TODAY, Vtb

from vault_touchbase.cli.main import cli


def run(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vault_touchbase", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
    )


def test_global_options_before_or_after_the_command(example_copy: Path) -> None:
    runner = CliRunner()
    before = runner.invoke(cli, ["--vault", str(example_copy), "--today", TODAY, "due", "--json"])
    after = runner.invoke(cli, ["due", "--json", "--vault", str(example_copy), "--today", TODAY])
    assert before.exit_code == after.exit_code == 0
    assert json.loads(before.stdout) == json.loads(after.stdout)


def test_vault_from_env_and_from_the_current_folder(example_copy: Path) -> None:
    from_env = run("due", "--json", "--today", TODAY, env={"VTB_VAULT": str(example_copy)})
    assert from_env.returncode == 0, from_env.stderr
    from_cwd = run("due", "--json", "--today", TODAY, cwd=example_copy / "contacts" / "garden club")
    assert from_cwd.returncode == 0, from_cwd.stderr
    assert json.loads(from_env.stdout) == json.loads(from_cwd.stdout)


def test_no_vault_names_vtb_init(tmp_path: Path) -> None:
    result = run("due", cwd=tmp_path)
    assert result.returncode == 1
    assert "vtb init" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_contacts_folder_names_the_setting(tmp_path: Path) -> None:
    (tmp_path / "vtb.toml").write_text('contacts = "people"\n')
    result = Vtb(tmp_path)("refresh")
    assert result.exit_code == 1
    assert "'people' does not exist" in result.output and "contacts =" in result.output
    assert not (tmp_path / "Touch Base.md").exists()


def test_bad_settings_are_named(tmp_path: Path) -> None:
    (tmp_path / "contacts").mkdir()
    (tmp_path / "vtb.toml").write_text('[hour]\nbudget = "an hour"\n')
    result = Vtb(tmp_path)("due")
    assert result.exit_code == 1
    assert "budget = 'an hour' must be a int" in result.output


def test_usage_errors_exit_2(vtb: Vtb) -> None:
    assert vtb("due", "--nonsense").exit_code == 2
    assert vtb("show").exit_code == 2
    assert vtb("due", today="2026-13-01").exit_code == 2


def test_traceback_only_with_debug(tmp_path: Path) -> None:
    (tmp_path / "vtb.toml").write_text("not = [toml\n")
    plain = run("--vault", str(tmp_path), "due")
    assert plain.returncode == 1 and "Traceback" not in plain.stderr
    assert "vtb.toml" in plain.stderr
    debug = run("--vault", str(tmp_path), "due", "--debug")
    assert "Traceback" in debug.stderr


def test_due_table_and_json(vtb: Vtb) -> None:
    table = vtb("due")
    assert table.exit_code == 0
    assert "* Gustav Nilsson" in table.output  # a birthday in two days: before the overdue
    assert "  José Müller" in table.output and "overdue since 2026-09-03" in table.output
    assert "about 25 of your 90 minutes left this month (65 spent on 6 touches)" in table.output
    rows = json.loads(vtb("due", "--json").stdout)
    assert rows[0]["name"] == "Léa Fontaine" and rows[0]["status"] == "reply"
    jose = next(r for r in rows if r["name"] == "José Müller")
    assert jose == {
        **jose,
        "channel": "email",
        "status": "overdue",
        "due": "2026-09-03",
        "cadence": "quarterly",
        "in_plan": False,  # the 25 minutes left this month go to more pressing people
        "needs": ["illustrator"],
    }


def test_due_with_nobody_due_exits_0(tmp_path: Path) -> None:
    (tmp_path / "contacts").mkdir()
    result = Vtb(tmp_path)("due")
    assert result.exit_code == 0
    assert "Nobody is due" in result.output


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("jose", "José Müller"),
        ("JOSÉ MÜLLER", "José Müller"),
        ("josef", "Josefine Berg"),
        ("seun", "Oluwaseun Adeyemi"),
        ("Liam O'Connor", "Liam O'Connor"),
        ("ana lima", "Ana Lima"),
        ("Jane Doe.md", "Jane Doe"),
    ],
)
def test_show_finds_people_by_name_alias_prefix_and_accents(
    vtb: Vtb, query: str, expected: str
) -> None:
    result = vtb("show", query)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(expected)


def test_show_card_content(vtb: Vtb) -> None:
    out = vtb("show", "jose").output
    assert "overdue since 2026-09-03" in out
    assert "needs:" in out and "illustrator" in out
    assert "2026-06-03 call: he is moving to four-day weeks" in out


def test_show_ambiguous_lists_and_unknown_suggests(vtb: Vtb) -> None:
    ambiguous = vtb("show", "maria")
    assert ambiguous.exit_code == 1
    assert "Maria Costa" in ambiguous.output and "Maria Schmidt" in ambiguous.output
    unknown = vtb("show", "Jane Do3")
    assert unknown.exit_code == 1
    assert "did you mean 'Jane Doe'?" in unknown.output


def test_show_json(vtb: Vtb) -> None:
    data = json.loads(vtb("show", "ana", "--json").stdout)
    assert data["name"] == "Ana Lima"  # obsidian-contacts nested name
    assert data["last_contacted"] == "2026-09-01"  # from last_chat
    assert data["next_due"] == "2026-12-01" and data["status"] == "not due"


def test_dialects_are_read(vtb: Vtb) -> None:
    rows = {r["name"]: r for r in json.loads(vtb("due", "--json").stdout)}
    assert rows["Hannah Lindqvist"]["cadence"] == "90d"  # prm-cadence in days
    assert "Kenji Watanabe" not in rows  # prm-snooze-until in the future


def test_check_on_example_vault_has_only_warnings(vtb: Vtb) -> None:
    result = vtb("check")
    assert result.exit_code == 0
    assert "Liam O'Connor" not in result.output  # no `name:`, but his file name is his name
    data = json.loads(vtb("check", "--json").stdout)
    assert all(p["severity"] == "warning" for p in data)


def test_help_lists_every_command_in_the_readme() -> None:
    readme = (EXAMPLE.parent / "README.md").read_text(encoding="utf-8")
    names = cli.list_commands(None)  # type: ignore[arg-type]
    for name in names:
        command = cli.get_command(None, name)  # type: ignore[arg-type]
        if command is None or command.hidden:
            continue
        assert f"`vtb {name}" in readme, f"README does not document `vtb {name}`"


def test_init_makes_the_layout_and_one_commit(tmp_path: Path) -> None:
    from conftest import git

    target = tmp_path / "vault"
    result = CliRunner().invoke(cli, ["init", str(target)])
    assert result.exit_code == 0, result.output
    for rel in (
        "vtb.toml",
        "templates/contact.md",
        "templates/email.md",
        "Now.md",
        ".gitignore",
        ".gitattributes",
    ):
        assert (target / rel).is_file(), rel
        assert f"added {rel}" in result.output
    assert (target / "contacts").is_dir()
    attributes = (target / ".gitattributes").read_text()
    assert "contacts/**/*.md merge=vtb" in attributes
    assert "text" not in attributes.replace("merge", "") and "eol" not in attributes
    assert ".vtb/" in (target / ".gitignore").read_text()
    assert "/Touch Base.md" in (target / ".gitignore").read_text()
    toml = (target / "vtb.toml").read_text()
    assert all(line.startswith("#") or not line.strip() for line in toml.splitlines())
    assert git(target, "log", "--format=%s").strip() == "init: vault-touchbase vault"
    assert git(target, "status", "--porcelain").strip() == ""
    # the new vault works at once
    assert Vtb(target)("refresh").exit_code == 0


def test_init_in_an_obsidian_vault_reads_the_people_where_they_are(tmp_path: Path) -> None:
    """Notes about people (an email, a phone, a last contact under any dialect's key) in a
    folder of their own: init sets `contacts` to it and says so, instead of an empty
    `contacts/` that would make the first index empty."""
    target = tmp_path / "vault"
    people = target / "Areas" / "People"
    (people / "Work").mkdir(parents=True)
    (target / "Daily").mkdir()
    (target / "Daily" / "2026-12-01.md").write_text("---\ntags: [daily]\n---\n# A day\n")
    (target / "Projects").mkdir()
    (target / "Projects" / "P.md").write_text("---\ntitle: p\nemail-template: x\n---\n")
    (people / "Ann Lee.md").write_text("---\nname: Ann Lee\nemail: ann@example.org\n---\n")
    (people / "Bob Ray.md").write_text("---\nTEL[CELL]: '+1 555'\n---\n")
    (people / "Work" / "Di Ng.md").write_text("---\nprm-last-contacted: 2026-01-01\n---\n")
    result = CliRunner().invoke(cli, ["init", str(target)])
    assert result.exit_code == 0, result.output
    assert "3 notes about people found in Areas/People/" in result.output
    assert 'contacts = "Areas/People"' in (target / "vtb.toml").read_text()
    assert not (target / "contacts").exists()
    refreshed = Vtb(target)("refresh", "--json")
    assert json.loads(refreshed.stdout)["due"] == 3


def test_init_without_notes_about_people_makes_the_contacts_folder(tmp_path: Path) -> None:
    target = tmp_path / "vault"
    (target / "Daily").mkdir(parents=True)
    (target / "Daily" / "2026-12-01.md").write_text("---\ntags: [daily]\n---\n# A day\n")
    result = CliRunner().invoke(cli, ["init", str(target)])
    assert result.exit_code == 0, result.output
    assert "found" not in result.output
    assert (target / "contacts").is_dir()
    assert "\ncontacts =" not in (target / "vtb.toml").read_text()


def test_init_on_an_existing_vault_adds_only_what_is_missing(tmp_path: Path) -> None:
    target = tmp_path / "vault"
    CliRunner().invoke(cli, ["init", str(target)])
    (target / "Now.md").write_text("# My own news\n")
    (target / "templates" / "email.md").unlink()
    result = CliRunner().invoke(cli, ["init", str(target)])
    assert result.exit_code == 0
    assert "added templates/email.md" in result.output
    assert "Now.md" not in result.output
    assert (target / "Now.md").read_text() == "# My own news\n"
    again = CliRunner().invoke(cli, ["init", str(target)])
    assert "nothing changed" in again.output


def test_init_inside_a_bigger_repository_commits_nothing_there(tmp_path: Path) -> None:
    from conftest import git

    git(tmp_path, "init", "-q")
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "inner")])
    assert result.exit_code == 0
    assert "vtb will not commit there" in result.output
    assert git(tmp_path, "rev-list", "--all").strip() == ""


def test_init_without_identity_writes_the_files_and_the_next_init_commits_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from conftest import git

    config = tmp_path / "empty.gitconfig"
    config.write_text("[init]\n\tdefaultBranch = main\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.delenv("EMAIL", raising=False)
    target = tmp_path / "vault"
    result = CliRunner().invoke(cli, ["init", str(target)])
    assert result.exit_code == 1
    assert "written but not committed" in result.stderr
    assert "run `vtb init` again" in result.stderr
    assert (target / "vtb.toml").is_file() and (target / ".git").is_dir()
    config.write_text("[user]\n\tname = Late User\n\temail = late@example.com\n")
    again = CliRunner().invoke(cli, ["init", str(target)])
    assert again.exit_code == 0, again.output
    assert "Committed" in again.output
    committed = git(target, "show", "--name-only", "--format=", "HEAD").split()
    assert {"vtb.toml", ".gitattributes", "templates/contact.md", "contacts/.gitkeep"} <= set(
        committed
    )
    assert git(target, "status", "--porcelain").strip() == ""
    assert "nothing changed" in CliRunner().invoke(cli, ["init", str(target)]).output


def test_init_on_a_vault_that_lacks_only_uids_says_it_is_ready(tmp_path: Path) -> None:
    """Only uids to add and nothing to commit: no "Committed :" with an empty list."""
    target = tmp_path / "vault"
    assert CliRunner().invoke(cli, ["init", str(target)]).exit_code == 0
    (target / "contacts" / "Ann Lee.md").write_text("---\nname: Ann Lee\n---\n")
    result = CliRunner().invoke(cli, ["init", str(target)])
    assert result.exit_code == 0, result.output
    assert "uid added to contacts/Ann Lee.md" in result.output
    assert "Committed :" not in result.output and "ready in" in result.output
