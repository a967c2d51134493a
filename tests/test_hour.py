"""`vtb hour`: scripted sessions through standard input, every action committed at once."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest
from conftest import Vtb, git

from vault_touchbase.hour.session import shielded


@pytest.fixture
def example_repo(example_repo: Path) -> Path:
    """example-vault with 125 minutes a month: 65 are spent on November's touches so far,
    which leaves the 60 these sessions go through (ten people)."""
    toml = example_repo / "vtb.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace("budget = 90 ", "budget = 125"), encoding="utf-8")
    git(example_repo, "commit", "-qam", "a longer hour")
    return example_repo


def plan_of(vtb: Vtb) -> list[dict[str, object]]:
    return [row for row in json.loads(vtb("due", "--json").stdout) if row["in_plan"]]


def open_tasks(repo: Path, rel: object) -> list[str]:
    from vault_touchbase.vault.folder import open_vault
    from vault_touchbase.vault.listing import read_note

    vault = open_vault(repo)
    contact, _ = read_note(vault, str(rel), 0)
    assert contact is not None
    return [f.text for f in contact.open_followups]


def subjects(repo: Path, count: int) -> list[str]:
    return git(repo, "log", f"-{count}", "--format=%s").splitlines()[::-1]


def test_a_session_with_every_action_then_quit(example_repo: Path) -> None:
    vtb = Vtb(example_repo)
    plan = plan_of(vtb)
    first, second, third, fourth, fifth = (str(row["name"]) for row in plan[:5])
    start = git(example_repo, "rev-parse", "HEAD").strip()
    # a touch asks which open follow-up it also did, only when there are some
    first_tasks = [""] if open_tasks(example_repo, plan[0]["path"]) else []
    third_tasks = open_tasks(example_repo, plan[2]["path"])
    script = [
        "d",  # draft for the first person
        "l", "", "answered about her portfolio", *first_tasks,  # log: email after a draft
        "n", "moving to Lisbon in the spring",  # second: a note line
        "s", "2w",  # ...then snooze
        "x",  # an unknown key only shows the keys
        "l", "visit", "walked over with the clamps", *(["1"] if third_tasks else []),
        "k",  # fourth: skip
        "d",  # fifth: draft
        "q",  # and quit half-way
    ]  # fmt: skip
    result = vtb("hour", input="\n".join(script) + "\n")
    assert result.exit_code == 0, result.output
    out = result.output
    assert f"── 1/{len(plan)} · {first}" in out
    assert "Press one of:" in out
    assert f"Skipped {fourth}." in out
    assert f"Logged email with {first} (commit " in out
    assert f"Logged visit with {third} (commit " in out
    commits = git(example_repo, "rev-list", "--count", f"{start}..HEAD").strip()
    assert commits == "4"
    assert subjects(example_repo, 4) == [
        f"touch: {first} (email)",
        f"note: {second}",
        f"snooze: {second} until 2026-12-10",
        f"touch: {third} (visit)",
    ]
    first_note = (example_repo / str(plan[0]["path"])).read_text(encoding="utf-8")
    logged = next(
        line for line in first_note.splitlines() if line.startswith("- 2026-11-26 email:")
    )
    assert "answered about her portfolio (news: " in logged  # the draft's pieces are named
    second_note = (example_repo / str(plan[1]["path"])).read_text(encoding="utf-8")
    assert "moving to Lisbon in the spring" in second_note
    assert "snooze_until: 2026-12-10" in second_note
    third_note = (example_repo / str(plan[2]["path"])).read_text(encoding="utf-8")
    assert "- 2026-11-26 visit: walked over with the clamps" in third_note
    assert third_tasks  # the example's third person has a follow-up: ticked in the same commit
    assert f"- [x] {third_tasks[0]}" in third_note and "✅ 2026-11-26" in third_note
    assert open_tasks(example_repo, plan[2]["path"]) == third_tasks[1:]
    # the summary
    summary = out.split("Your hour, in short", 1)[1]
    assert f"touched            2: {first} (email), {third} (visit)" in summary
    assert f"drafted            2: {first}, {fifth}" in summary
    assert f"skipped            1: {fourth}" in summary
    assert f"left for next time {len(plan) - 4}: {fifth}" in summary
    assert "snoozed            1" in summary
    # the index is up to date: the touched people are no longer due
    index = (example_repo / "Touch Base.md").read_text(encoding="utf-8")
    assert f"|{first}]] — email · replied" not in index
    third_tasks_in_index = [
        line for line in index.splitlines() if line.startswith("- [ ]") and f"|{third}]] —" in line
    ]
    assert all('last: 2026-11-26 visit "walked over' in line for line in third_tasks_in_index)
    assert git(example_repo, "status", "--porcelain", "--", "contacts") == ""


def test_end_of_input_quits_and_keeps_what_was_done(example_repo: Path) -> None:
    vtb = Vtb(example_repo)
    plan = plan_of(vtb)
    start = git(example_repo, "rev-parse", "HEAD").strip()
    tasks = "\n" if open_tasks(example_repo, plan[0]["path"]) else ""
    result = vtb("hour", input=f"l\ncall\nlong chat\n{tasks}n\n")  # ends inside a prompt
    assert result.exit_code == 0, result.output
    assert git(example_repo, "rev-list", "--count", f"{start}..HEAD").strip() == "1"
    assert subjects(example_repo, 1) == [f"touch: {plan[0]['name']} (call)"]
    assert "touched            1" in result.output
    assert f"left for next time {len(plan) - 1}:" in result.output


def test_the_card_shows_the_context(example_repo: Path) -> None:
    vtb = Vtb(example_repo)
    names = [row["name"] for row in plan_of(vtb)]
    at = names.index("José Müller") + 1
    result = vtb("hour", input="k\n" * at + "q\n")
    out = result.output
    card = out.split(f"── {at}/", 1)[1].split(f"── {at + 1}/", 1)[0]
    assert "José Müller · email · overdue since 2026-09-03" in card
    assert "Grew up between Valencia and Hamburg" in card
    assert "needs: illustrator" in card and "offers: web development, Shopify themes" in card
    assert "introduce: Josefine Berg (illustration) → José Müller (needs illustrator)" in card
    assert "2026-06-03 call: he is moving to four-day weeks" in card
    assert "65 of 125 min used this month" in card  # November's touches so far
    assert "about 60 of your 125 minutes left this month (65 spent on 6 touches)" in out


def test_a_logged_touch_counts_its_channel_minutes(example_repo: Path) -> None:
    vtb = Vtb(example_repo)
    tasks = "\n" if open_tasks(example_repo, plan_of(vtb)[0]["path"]) else ""
    result = vtb("hour", input=f"l\ncall\n\n{tasks}q\n")
    assert "75 of 125 min used this month" in result.output  # 65 spent, and call = 10
    assert "time: about 75 of 125 min this month" in result.output


def test_a_draft_nearly_the_same_as_another_is_warned_about(example_copy: Path) -> None:
    contacts = example_copy / "contacts"
    for path in contacts.rglob("*.md"):
        path.unlink()
    for name in ("Ann Blank", "Bob Blank"):
        (contacts / f"{name}.md").write_text(
            f"---\nname: {name}\nemail: {name.split()[0].lower()}@example.com\n---\n",
            encoding="utf-8",
        )
    result = Vtb(example_copy)("hour", input="d\nk\nd\nq\n")
    assert result.exit_code == 0, result.output
    assert "[add something personal]" in result.output
    assert "the same as the one for Ann Blank" in result.output


def test_bad_answers_are_asked_again_without_harm(example_repo: Path) -> None:
    vtb = Vtb(example_repo)
    start = git(example_repo, "rev-parse", "HEAD").strip()
    script = ["s", "someday", "l", "two words", "n", "", "q"]
    result = vtb("hour", input="\n".join(script) + "\n")
    assert result.exit_code == 0, result.output
    assert "neither a date" in result.output
    assert "Give one word" in result.output
    assert "No note added." in result.output
    assert git(example_repo, "rev-parse", "HEAD").strip() == start


def test_nobody_due_is_said_plainly(example_copy: Path) -> None:
    for path in (example_copy / "contacts").rglob("*.md"):
        path.unlink()
    result = Vtb(example_copy)("hour", input="")
    assert result.exit_code == 0
    assert "Nobody is due this month" in result.output


def test_ctrl_c_waits_until_the_action_is_done() -> None:
    before = signal.getsignal(signal.SIGINT)  # pytest or a plugin may have its own
    reached = []
    with pytest.raises(KeyboardInterrupt), shielded():
        os.kill(os.getpid(), signal.SIGINT)
        reached.append("the action finished")
    assert reached == ["the action finished"]
    assert signal.getsignal(signal.SIGINT) is before  # put back as it was


def test_the_intro_action_drafts_both_emails_and_logs_only_once_sent(example_repo: Path) -> None:
    vtb = Vtb(example_repo)
    names = [row["name"] for row in plan_of(vtb)]
    at = names.index("José Müller")
    card = vtb("hour", input="k\n" * (at + 1) + "q\n").output.split(f"── {at + 1}/", 1)[1]
    shown = card.split("\n── ", 1)[0].count("introduce: ")
    which = ["1"] if shown > 1 else []
    start = git(example_repo, "rev-parse", "HEAD").strip()
    # first not sent: nothing is logged
    script = ["k"] * at + ["i", *which, "n", "i", *which, "y", "q"]
    result = vtb("hour", input="\n".join(script) + "\n")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Hi Josefine," in out and "Hi José," in out and "Would you like me to?" in out
    assert "Not logged: press i again once they are sent." in out
    assert "Introduced Josefine Berg and José Müller (commit " in out
    assert git(example_repo, "rev-list", "--count", f"{start}..HEAD").strip() == "1"
    assert subjects(example_repo, 1) == ["intro: Josefine Berg ↔ José Müller"]
    jose = (example_repo / "contacts/José Müller.md").read_text(encoding="utf-8")
    assert "intro: introduced to [[Josefine Berg]] — illustration ↔ illustrator" in jose
    assert "introduced         1: Josefine Berg ↔ José Müller" in out


def test_end_of_input_at_the_followup_question_keeps_the_touch(example_repo: Path) -> None:
    vtb = Vtb(example_repo)
    plan = plan_of(vtb)
    first = next(row for row in plan if open_tasks(example_repo, row["path"]))
    skips = "k\n" * plan.index(first)
    start = git(example_repo, "rev-parse", "HEAD").strip()
    result = vtb("hour", input=f"{skips}l\ncall\nlong chat\n")  # ends at "Did a follow-up too?"
    assert result.exit_code == 0, result.output
    assert subjects(example_repo, 1) == [f"touch: {first['name']} (call)"]
    assert git(example_repo, "rev-list", "--count", f"{start}..HEAD").strip() == "1"
    note = (example_repo / str(first["path"])).read_text(encoding="utf-8")
    assert "- 2026-11-26 call: long chat" in note
    assert "touched            1" in result.output


def test_without_a_git_identity_the_hour_stops_before_asking(
    example_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "empty.gitconfig"
    config.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.delenv("EMAIL", raising=False)
    result = Vtb(example_repo)("hour", input="l\ncall\nlong chat\n\n")
    assert result.exit_code == 1
    assert "git does not know who you are" in result.stderr
    assert "Channel" not in result.output


def test_the_hour_shrinks_through_the_month_and_stops_when_spent(example_repo: Path) -> None:
    vtb = Vtb(example_repo)  # 125 minutes, 65 spent on November's touches so far
    first = vtb("hour", input="q\n")
    assert "about 60 of your 125 minutes left this month" in first.output
    for name in ("jose", "priya", "hannah"):  # three visits of 15 minutes, and a call
        assert vtb("log", name, "-c", "visit", "walked over").exit_code == 0
    assert vtb("log", "chloe", "-c", "call", "caught up").exit_code == 0
    later = vtb("hour", input="q\n")
    assert "about 5 of your 125 minutes left this month (120 spent on 10 touches)" in later.output
    planned = [str(row["name"]) for row in plan_of(vtb)]
    assert "José Müller" not in planned and len(planned) == 1  # one 5-minute email
    assert vtb("log", "tom", "-c", "email", "sent the poster").exit_code == 0
    spent = vtb("hour", input="")
    assert spent.exit_code == 0
    assert "Nobody more this month: your 125 minutes this month are spent" in spent.output
    assert plan_of(vtb) == []
