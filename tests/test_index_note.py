"""The index note: golden output for example-vault, stable bytes, safe names, ticks."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from conftest import TODAY, Vtb, snapshot_bytes
from hypothesis import given
from hypothesis import strategies as st

from vault_touchbase.core.model import Contact
from vault_touchbase.index.render import display, is_generated, link
from vault_touchbase.index.ticks import read_ticks

GOLDEN = Path(__file__).parent / "golden" / "example-index.md"


def test_golden_index_for_example_vault(vtb: Vtb) -> None:
    result = vtb("refresh")
    assert result.exit_code == 0, result.output
    text = (vtb.vault / "Touch Base.md").read_text(encoding="utf-8")
    if os.environ.get("VTB_UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")


def test_refresh_twice_gives_the_same_bytes_and_does_not_rewrite(vtb: Vtb) -> None:
    assert vtb("refresh").exit_code == 0
    index = vtb.vault / "Touch Base.md"
    first = index.read_bytes()
    mtime = index.stat().st_mtime_ns
    result = vtb("refresh")
    assert "unchanged" in result.output
    assert index.read_bytes() == first
    assert index.stat().st_mtime_ns == mtime


def test_refresh_and_check_change_no_contact_byte(vtb: Vtb) -> None:
    before = snapshot_bytes(vtb.vault)
    vtb("refresh")
    vtb("check")
    after = snapshot_bytes(vtb.vault)
    after.pop("Touch Base.md")
    after.pop("touch-base-chart.svg")  # drawn next to it
    assert after == before


def test_every_due_person_is_exactly_one_task_line(vtb: Vtb) -> None:
    import json

    due = json.loads(vtb("due", "--json").stdout)
    vtb("refresh")
    text = (vtb.vault / "Touch Base.md").read_text(encoding="utf-8")
    # follow-up tasks are tasks of their own; every other task line is one person
    before, _, rest = text.partition("## Follow-ups")
    rest = rest[rest.index("\n## ") :]
    task_lines = [line for line in (before + rest).split("\n") if line.startswith("- [ ] [[")]
    for row in due:
        target = "[[" + row["path"].removesuffix(".md") + "|"
        assert sum(target in line for line in task_lines) == 1, row["name"]
    assert len(task_lines) == len(due)


def test_a_user_note_with_the_index_name_is_never_overwritten(vtb: Vtb) -> None:
    index = vtb.vault / "Touch Base.md"
    index.write_text("# My own note\n")
    result = vtb("refresh")
    assert result.exit_code == 1
    assert "was not made by vtb" in result.output
    assert index.read_text() == "# My own note\n"


@pytest.mark.parametrize(
    "name",
    ["Evil ]] Name", "Pipe | Person", "Hash #tag", "<b>Bold</b>", "Two\nLines", "[[Link]]"],
)
def test_names_cannot_break_the_note(name: str) -> None:
    contact = Contact(path="contacts/Safe.md", name=name)
    text = link(contact)
    inner = text[len("[[contacts/Safe|") : -2]
    assert text.startswith("[[contacts/Safe|") and text.endswith("]]")
    assert "]]" not in inner and "|" not in inner and "[[" not in inner
    assert "\n" not in text and "<b>" not in text
    assert "#tag" not in inner or "\\#tag" in inner


def test_paths_that_cannot_be_wikilinks_become_markdown_links() -> None:
    contact = Contact(path="contacts/Ann [old] #2.md", name="Ann")
    text = link(contact)
    assert text == "[Ann](contacts/Ann%20%5Bold%5D%20%232.md)"
    ticks = read_ticks(f"## Email\n- [x] {text} — due 2026-11-28\n")
    assert ticks[0].path == "contacts/Ann [old] #2.md"


def test_read_ticks_by_link_path_and_channel() -> None:
    text = """---
generated-by: vault-touchbase
---
## This hour's plan
- [x] [[contacts/Jane Doe|Jane Doe]] — call · overdue since 2026-11-14 ✅ 2026-11-26
- [ ] [[contacts/Ben|Ben]] — email · never contacted
## Visit
- [X] [[contacts/garden club/Ruth|Ruth]] — due 2026-11-28
## Email
  - [x] [[contacts/Maria|Maria]]
- [x] not a link
"""
    ticks = read_ticks(text)
    assert [(t.path, t.channel, t.section) for t in ticks] == [
        ("contacts/Jane Doe.md", "call", "plan"),
        ("contacts/garden club/Ruth.md", "visit", "visit"),
        ("contacts/Maria.md", "email", "email"),
    ]
    assert is_generated(text)
    assert not is_generated("# Touch Base\n")


def test_display_keeps_ordinary_names() -> None:
    assert display("José Müller") == "José Müller"
    assert display("Anne-Marie O'Neil") == "Anne-Marie O'Neil"


def test_month_heading_and_counts(vtb: Vtb) -> None:
    vtb("refresh")
    text = (vtb.vault / "Touch Base.md").read_text(encoding="utf-8")
    assert "# Touch base — November 2026" in text
    assert date.fromisoformat(TODAY).month == 11
    for section in (
        "## This hour's plan",
        "## Call",
        "## Visit",
        "## Email",
        "## Birthdays this month",
        "## Problems",
    ):
        assert section in text


@given(
    st.lists(
        st.sampled_from(
            [
                "- [x] [[contacts/A|A]] — call",
                " * [X] [[B]]",
                "+ [x] [B](contacts/B.md)",
                "",
                "## Email",
                "- [ ] [[C]]",
                "\r",
                "  - [x] [[D]] ✅ 2026-11-26",
                "-[x] [[E]]",
                "text",
            ]
        ),
        max_size=12,
    ),
    st.sampled_from(["\n", "\r\n"]),
)
def test_the_quick_search_for_ticks_never_misses_one(lines: list[str], newline: str) -> None:
    import re

    import vault_touchbase.index.ticks as index_note

    text = newline.join(lines)
    quick = index_note.read_ticks(text)
    always = re.compile("")
    original = index_note._ANY_TICKED
    index_note._ANY_TICKED = always  # every line looked at
    try:
        assert quick == index_note.read_ticks(text)
    finally:
        index_note._ANY_TICKED = original


def test_context_text_never_embeds_a_note_or_loads_an_image() -> None:
    from vault_touchbase.index.render import inline

    shown = inline("look ![x](https://tracker.example/p.png) and ![[Other note]] <img src=y>")
    assert "![" not in shown and "<img" not in shown
    assert "!\\[x](https://tracker.example/p.png)" in shown


def test_the_chart_and_introductions_children_are_forked_before_the_plan(
    example_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With parallel work asked for, both children are forked before this process plans
    and renders: the pages it then writes are copied once for both, where a child forked
    after the plan would have them copied again."""
    from vault_touchbase.actions import index_note
    from vault_touchbase.vault.folder import open_vault

    forks: list[int] = []
    real_fork = os.fork
    monkeypatch.setattr(os, "fork", lambda: forks.append(1) or real_fork())
    forked_by_then: list[int] = []
    real_plan = index_note.plan_for
    monkeypatch.setattr(
        index_note, "plan_for", lambda *args: forked_by_then.append(len(forks)) or real_plan(*args)
    )
    vault = open_vault(example_copy, parse_workers=2)
    result = index_note.rebuild_index(vault, date.fromisoformat(TODAY), chart=True)
    assert result.written and (example_copy / "touch-base-chart.svg").is_file()
    assert len(forks) >= 2, "the introductions and the chart each in a child"
    assert forked_by_then == [len(forks)], "no child forked after the plan began"


def test_a_folder_named_as_the_index_note_is_said_and_left(vtb: Vtb) -> None:
    (vtb.vault / "Touch Base.md").mkdir()
    result = vtb("refresh")
    assert result.exit_code == 1
    assert "Touch Base.md is a folder, so the index note cannot be written" in result.output
    assert 'set `index = "..."` in vtb.toml' in result.output
    assert (vtb.vault / "Touch Base.md").is_dir()
    assert not any((vtb.vault / "Touch Base.md").iterdir())
