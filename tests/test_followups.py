"""Follow-ups and replies: parsing, --follow-up, done, the index section and ticks."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from conftest import Vtb, git

from vault_touchbase.core.plan import due_items
from vault_touchbase.core.settings import Settings
from vault_touchbase.index.ticks import ticked_task_text
from vault_touchbase.notes.followups import read_followups
from vault_touchbase.notes.parse import parse_note

NOTE = (
    "---\r\nname: Ann Lee\r\nlast_contacted: 2026-11-20\r\n---\r\n"
    "Met at the fair.\r\n\r\n## Follow-ups\r\n"
    "- [ ] send the ceramics article 📅 2026-12-01\r\n"
    "- [ ] call about the lease [due:: 2026-11-28]\r\n"
    "- [ ] lend her the ladder\r\n"
    "- [x] sent the draft ✅ 2026-10-02\r\n"
    "\r\n```\r\n- [ ] not a task, code\r\n```\r\n"
    "\r\n## Log\r\n- 2026-11-20 email: hello\r\n"
)


def test_both_task_styles_with_and_without_dates_in_a_crlf_note() -> None:
    contact, problems = parse_note("contacts/Ann Lee.md", NOTE.encode(), Settings())
    assert problems == []
    assert contact is not None
    got = [(f.text, f.done, f.due, f.line) for f in contact.followups]
    assert got == [
        ("send the ceramics article", False, date(2026, 12, 1), 8),
        ("call about the lease", False, date(2026, 11, 28), 9),
        ("lend her the ladder", False, None, 10),
        ("sent the draft", True, None, 11),
    ]
    assert [e.text for e in contact.log] == ["hello"]


def test_a_bad_due_date_is_a_problem_with_its_line() -> None:
    tasks, bad = read_followups("## Follow-ups\n- [ ] x 📅 2026-02-31\n", 4)
    assert bad == [(5, "follow-up due date '2026-02-31' is not a date (YYYY-MM-DD)")]
    assert tasks[0].text == "x" and tasks[0].due is None


def test_a_follow_up_due_this_month_pulls_a_not_yet_due_person_into_the_plan() -> None:
    data = NOTE.replace("- [ ] lend her the ladder\r\n", "")
    contact, _ = parse_note("contacts/Ann Lee.md", data.encode(), Settings())
    assert contact is not None
    items = due_items([contact], Settings(), date(2026, 11, 26))
    assert [(i.status, i.due) for i in items] == [("followup", date(2026, 11, 28))]
    later = data.replace("[due:: 2026-11-28]", "[due:: 2027-01-05]")
    contact, _ = parse_note("contacts/Ann Lee.md", later.encode(), Settings())
    assert contact is not None
    assert due_items([contact], Settings(), date(2026, 11, 26)) == []


def test_replies_to_answer_come_first(vtb: Vtb) -> None:
    rows = json.loads(vtb("due", "--json").stdout)
    assert rows[0]["name"] == "Léa Fontaine" and rows[0]["status"] == "reply"
    vtb("refresh")
    text = (vtb.vault / "Touch Base.md").read_text(encoding="utf-8")
    replies = text.index("## Replies to answer")
    assert replies < text.index("## This hour's plan")
    assert "[[contacts/Léa Fontaine|Léa Fontaine]] — asked if I could review" in text


def test_answering_a_reply_clears_it(example_repo: Path) -> None:
    vtb = Vtb(example_repo)
    vtb("log", "lea", "-c", "email", "sent portfolio notes")
    rows = json.loads(vtb("due", "--json").stdout)
    assert "Léa Fontaine" not in [r["name"] for r in rows]


def test_log_with_follow_up_is_one_commit_with_minimal_lines(example_repo: Path) -> None:
    vtb = Vtb(example_repo)
    result = vtb(
        "log",
        "jane",
        "-c",
        "call",
        "talked about hiring",
        "--follow-up",
        "send her the details",
        "--due",
        "1w",
    )
    assert result.exit_code == 0, result.output
    assert git(example_repo, "rev-list", "--count", "HEAD").strip() == "2"
    diff = git(example_repo, "diff", "-U0", "HEAD~1", "--", "contacts/Jane Doe.md")
    added = [
        line for line in diff.split("\n") if line.startswith("+") and not line.startswith("+++")
    ]
    removed = [
        line for line in diff.split("\n") if line.startswith("-") and not line.startswith("---")
    ]
    assert removed == ["-last_contacted: 2026-10-28"]
    assert added == [
        "+last_contacted: 2026-11-26",
        "+## Follow-ups",
        "+- [ ] send her the details 📅 2026-12-03",
        "+",
        "+- 2026-11-26 call: talked about hiring",
    ]
    assert "follow-up: send her the details (due 2026-12-03)" in git(
        example_repo, "log", "-1", "--format=%B"
    )


def test_followups_lists_overdue_first_and_json(vtb: Vtb) -> None:
    rows = json.loads(vtb("followups", "--json", today="2026-11-29").stdout)
    assert [(r["name"], r["overdue"]) for r in rows] == [
        ("Keisha Thompson", True),
        ("Tomás Ferreira", False),
        ("Chloé Dubois", False),
    ]
    assert rows[2]["due"] is None
    everything = json.loads(vtb("followups", "--all", "--json").stdout)
    assert len(everything) == 4  # Chloé's December one too


def test_done_ticks_the_task_and_logs_it(example_repo: Path) -> None:
    vtb = Vtb(example_repo)
    ambiguous = vtb("done", "chloe")
    assert ambiguous.exit_code == 2 and "send Chloé the ceramics article" in ambiguous.output
    result = vtb("done", "chloe", "send chloé")
    assert result.exit_code == 0, result.output
    text = (example_repo / "contacts" / "Chloé Dubois.md").read_text(encoding="utf-8")
    assert "- [x] send Chloé the ceramics article 📅 2026-12-01 ✅ 2026-11-26" in text
    assert "- 2026-11-26 email: follow-up done: send Chloé the ceramics article" in text
    assert git(example_repo, "rev-list", "--count", "HEAD").strip() == "2"
    assert vtb("done", "chloe", "send chloé").exit_code == 1  # nothing open matches any more


def test_ticking_a_follow_up_in_the_index_ticks_the_source_line_and_logs_it(
    example_repo: Path,
) -> None:
    vtb = Vtb(example_repo)
    vtb("refresh")
    index = example_repo / "Touch Base.md"
    text = index.read_text(encoding="utf-8")
    line = next(
        li
        for li in text.split("\n")
        if li.startswith("- [ ] [[contacts/Tomás Ferreira|") and ": send" in li
    )
    index.write_text(
        text.replace(line, line.replace("- [ ]", "- [x]") + " ✅ 2026-11-26"), encoding="utf-8"
    )
    result = vtb("refresh")
    assert "done: Tomás Ferreira: send Tomás the revised donation-page wireframes" in result.output
    note = (example_repo / "contacts" / "Tomás Ferreira.md").read_text(encoding="utf-8")
    assert (
        "- [x] send Tomás the revised donation-page wireframes 📅 2026-11-30 ✅ 2026-11-26" in note
    )
    assert git(example_repo, "log", "-1", "--format=%s").strip() == "touch: Tomás Ferreira (email)"
    assert ": send Tomás" not in index.read_text(encoding="utf-8")
    assert vtb("refresh").output.count("done:") == 0  # not logged twice


def test_a_ticked_follow_up_that_no_longer_exists_is_reported(example_repo: Path) -> None:
    vtb = Vtb(example_repo)
    vtb("refresh")
    index = example_repo / "Touch Base.md"
    index.write_text(
        index.read_text(encoding="utf-8")
        + "\n## Follow-ups\n- [x] [[contacts/Jane Doe|Jane Doe]]: water the plants · due 2026-11-27\n",
        encoding="utf-8",
    )
    result = vtb("refresh")
    assert "Jane Doe has no open follow-up 'water the plants'" in result.output
    assert git(example_repo, "rev-list", "--count", "HEAD").strip() == "1"


def test_ticked_text_is_read_back_without_the_index_decorations() -> None:
    assert (
        ticked_task_text(": send the \\#2 article · overdue since 2026-11-01 ✅ 2026-11-26")
        == "send the #2 article"
    )
    assert ticked_task_text(": a &lt;b&gt; task") == "a <b> task"


def test_undated_follow_ups_and_a_snooze_do_not_pull_anyone_into_the_plan() -> None:
    undated = NOTE.replace(" 📅 2026-12-01", "").replace(" [due:: 2026-11-28]", "")
    contact, _ = parse_note("contacts/Ann Lee.md", undated.encode(), Settings())
    assert contact is not None and len(contact.open_followups) == 3
    assert due_items([contact], Settings(), date(2026, 11, 26)) == []
    snoozed = NOTE.replace(
        "last_contacted: 2026-11-20", "last_contacted: 2026-11-20\r\nsnooze_until: 2026-12-05"
    )
    contact, _ = parse_note("contacts/Ann Lee.md", snoozed.encode(), Settings())
    assert contact is not None
    assert due_items([contact], Settings(), date(2026, 11, 26)) == []
