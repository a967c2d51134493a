"""Minimal-diff edits (`vault_touchbase.notes.edit_*`): golden before/after texts and properties."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from vault_touchbase.core.errors import NoteError
from vault_touchbase.notes.edit_body import add_body_line, replace_links
from vault_touchbase.notes.edit_followups import add_followup, task_key, tick_followup
from vault_touchbase.notes.edit_frontmatter import set_scalar
from vault_touchbase.notes.edit_log import add_log_entry
from vault_touchbase.notes.edit_rows import EditError, newline_of
from vault_touchbase.notes.log import read_log
from vault_touchbase.notes.text import load_yaml, split_note

DAY = date(2026, 11, 26)

NOTE = """\
---
name: Jane Doe
email: jane@example.com        # a string or a list
phone: '+49 170'
zip: 01234
last_contacted: 2026-10-12     # kept in step with the Log by vtb
tags: [freelancer, design]
---
Met at the Design Meetup.

## Log
- 2026-10-12 email: asked about the new studio
- 2026-07-01 call: talked about the Figma conference
"""


def front(text: str) -> dict[object, object]:
    data = load_yaml(split_note(text).frontmatter or "") or {}
    assert isinstance(data, dict)
    return data


def log_of(text: str) -> list[tuple[date, str | None, str]]:
    entries, _ = read_log(split_note(text).body, 1)
    return [(e.date, e.channel, e.text) for e in entries]


# --- set_scalar ------------------------------------------------------------------


def test_set_scalar_replaces_a_date_and_keeps_the_comment() -> None:
    assert (
        set_scalar(NOTE, "last_contacted", DAY)
        == """\
---
name: Jane Doe
email: jane@example.com        # a string or a list
phone: '+49 170'
zip: 01234
last_contacted: 2026-11-26     # kept in step with the Log by vtb
tags: [freelancer, design]
---
Met at the Design Meetup.

## Log
- 2026-10-12 email: asked about the new studio
- 2026-07-01 call: talked about the Figma conference
"""
    )


def test_set_scalar_leaves_quoted_and_octal_looking_lines_alone() -> None:
    new = set_scalar(NOTE, "email", "jane@studio.example")
    assert "phone: '+49 170'\nzip: 01234\n" in new
    assert "email: jane@studio.example        # a string or a list\n" in new
    assert front(new)["zip"] == front(NOTE)["zip"]


def test_set_scalar_keeps_single_and_double_quotes() -> None:
    before = "---\nname: 'Jane Doe'\ncity: \"Berlin\"  # home\n---\nBody\n"
    after = set_scalar(set_scalar(before, "name", "Jane O'Hara"), "city", "Köln")
    assert after == "---\nname: 'Jane O''Hara'\ncity: \"Köln\"  # home\n---\nBody\n"
    assert front(after) == {"name": "Jane O'Hara", "city": "Köln"}


def test_set_scalar_crlf_and_bom_change_only_one_line() -> None:
    before = "\ufeff---\r\nname: Jane\r\nlast_contacted: 2026-01-02\r\n---\r\nBody\r\n"
    after = set_scalar(before, "last_contacted", DAY)
    assert after == "\ufeff---\r\nname: Jane\r\nlast_contacted: 2026-11-26\r\n---\r\nBody\r\n"
    changed = [(a, b) for a, b in zip(before.split("\n"), after.split("\n"), strict=True) if a != b]
    assert changed == [("last_contacted: 2026-01-02\r", "last_contacted: 2026-11-26\r")]


def test_set_scalar_keeps_a_missing_final_newline() -> None:
    assert set_scalar("---\na: 1\n---\nBody", "a", 2) == "---\na: 2\n---\nBody"
    assert set_scalar("---\na: 1\n---", "b", True) == "---\na: 1\nb: true\n---"


def test_set_scalar_appends_an_absent_key_before_the_closing_fence() -> None:
    before = "---\nname: Jane\n# last line is a comment\n---\nBody\n"
    after = set_scalar(before, "snooze_until", date(2026, 12, 1))
    assert (
        after == "---\nname: Jane\n# last line is a comment\nsnooze_until: 2026-12-01\n---\nBody\n"
    )


def test_set_scalar_adds_frontmatter_to_a_note_without_one() -> None:
    assert set_scalar("Hello\n", "name", "Jane") == "---\nname: Jane\n---\nHello\n"
    assert set_scalar("\ufeffHi\r\n", "a", 1) == "\ufeff---\r\na: 1\r\n---\r\nHi\r\n"
    assert set_scalar("", "a", 1) == "---\na: 1\n---\n"


@pytest.mark.parametrize("key", ["last_chat", "prm-last-contacted"])
def test_set_scalar_edits_a_dialect_key_in_place(key: str) -> None:
    before = f"---\nname: Jane\n{key}: 2026-01-02 # synced\ncadence: 30\n---\n"
    after = set_scalar(before, key, DAY)
    assert after == f"---\nname: Jane\n{key}: 2026-11-26 # synced\ncadence: 30\n---\n"


def test_set_scalar_fills_an_empty_value() -> None:
    before = "---\nsnooze_until:\nbirthday:    # unknown\n---\n"
    after = set_scalar(set_scalar(before, "snooze_until", DAY), "birthday", "04-02")
    assert after == "---\nsnooze_until: 2026-11-26\nbirthday: 04-02    # unknown\n---\n"


@pytest.mark.parametrize(
    "before",
    [
        "---\nemail:\n  - a@example.com\n  - b@example.com\n---\n",
        "---\nemail:\n- a@example.com\n---\n",
        "---\nemail: |\n  a@example.com\n---\n",
        "---\nemail: [a@example.com,\n  b@example.com]\n---\n",
        "---\nemail: 'a@example.com\n  b'\n---\n",
        "---\nemail: a@example.com\n  continued\n---\n",
    ],
)
def test_set_scalar_refuses_a_multi_line_value(before: str) -> None:
    with pytest.raises(EditError, match="several lines|block scalar"):
        set_scalar(before, "email", "c@example.com")


def test_set_scalar_refuses_a_key_like_line_inside_a_multi_line_value() -> None:
    before = 'x: "foo\nbar: baz"\n'
    with pytest.raises(EditError, match="more than that one value"):
        set_scalar(f"---\n{before}---\n", "bar", "qux")
    with pytest.raises(EditError, match="several lines"):
        set_scalar("---\nx: {a: 1,\nb: 2}\n---\n", "x", "y")


def test_set_scalar_refuses_a_duplicate_key() -> None:
    with pytest.raises(EditError, match="appears 2 times") as caught:
        set_scalar("---\ncadence: 2w\nname: J\ncadence: 1m\n---\n", "cadence", "6w")
    assert isinstance(caught.value, NoteError)
    assert "delete all but one" in caught.value.hint


def test_set_scalar_refuses_broken_frontmatter() -> None:
    with pytest.raises(EditError, match="not valid YAML"):
        set_scalar("---\nname: [Jane\n---\n", "cadence", "2w")
    with pytest.raises(EditError, match="not closed"):
        set_scalar("---\nname: Jane\n", "cadence", "2w")


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("a: b", "'a: b'"),
        ("@jane", "'@jane'"),
        ("yes", "'yes'"),
        ("2026-11-26", "'2026-11-26'"),
        ("01234", "'01234'"),
        ("[[Bob]]", "'[[Bob]]'"),
        ("two\nlines", '"two\\nlines"'),
        ("José Müller", "José Müller"),
        ("+49 170", "+49 170"),
    ],
)
def test_set_scalar_quotes_a_string_only_when_needed(value: str, written: str) -> None:
    after = set_scalar("---\nnote: x  # c\n---\n", "note", value)
    assert after == f"---\nnote: {written}  # c\n---\n"
    assert front(after) == {"note": value}


def test_set_scalar_writes_bools_and_ints_plainly() -> None:
    after = set_scalar(set_scalar("---\nnearby: false\n---\n", "nearby", True), "n", 3)
    assert after == "---\nnearby: true\nn: 3\n---\n"


def test_set_scalar_none_removes_a_one_line_key() -> None:
    before = "---\nname: Jane\nsnooze_until: 2026-12-01  # back\ncadence: 2w\n---\n"
    assert set_scalar(before, "snooze_until", None) == "---\nname: Jane\ncadence: 2w\n---\n"
    assert set_scalar(before, "absent", None) == before


def test_set_scalar_keeps_a_string_value_a_string() -> None:
    after = set_scalar("---\nnote: hello  # comment # too\n---\n", "note", "a # b")
    assert after == "---\nnote: 'a # b'  # comment # too\n---\n"


# --- add_log_entry ---------------------------------------------------------------

LOG = """\
---
name: Jane
---
Intro.

## Log
- 2026-10-12 email: asked about the studio
- 2026-07-01 call: Figma conference
- 2026-03-05 visit: coffee
"""


def test_add_log_entry_in_the_middle_in_date_order() -> None:
    assert (
        add_log_entry(LOG, date(2026, 8, 1), "email", "sent the article")
        == """\
---
name: Jane
---
Intro.

## Log
- 2026-10-12 email: asked about the studio
- 2026-08-01 email: sent the article
- 2026-07-01 call: Figma conference
- 2026-03-05 visit: coffee
"""
    )


def test_add_log_entry_newest_goes_on_top() -> None:
    after = add_log_entry(LOG, DAY, "call", "caught up")
    assert "## Log\n- 2026-11-26 call: caught up\n- 2026-10-12 email:" in after


def test_add_log_entry_oldest_goes_at_the_bottom() -> None:
    after = add_log_entry(LOG, date(2025, 1, 1), None, "first met")
    assert after == LOG + "- 2025-01-01 first met\n"


def test_add_log_entry_same_day_goes_above_earlier_entries_of_that_day() -> None:
    """Newest first: the entry logged last is on top of its day, where the Log is read
    as that day's last word (so an answer logged after a reply the same day clears it)."""
    after = add_log_entry(LOG, date(2026, 7, 1), "email", "follow-up")
    assert "- 2026-07-01 email: follow-up\n- 2026-07-01 call: Figma conference\n" in after
    entries, _ = read_log(split_note(after).body, 1)
    assert entries[1].text == "follow-up"  # read as the latest of that day


def test_add_log_entry_creates_the_log_section() -> None:
    before = "---\nname: Jane\n---\nIntro.\n"
    assert add_log_entry(before, DAY, "email", "hello") == (
        "---\nname: Jane\n---\nIntro.\n\n## Log\n- 2026-11-26 email: hello\n"
    )
    assert add_log_entry("Intro.\n\n", DAY, None, "x") == "Intro.\n\n## Log\n- 2026-11-26 x\n"
    assert (
        add_log_entry("---\na: 1\n---", DAY, None, "x") == "---\na: 1\n---\n## Log\n- 2026-11-26 x"
    )


def test_add_log_entry_log_followed_by_another_section_and_blank_lines() -> None:
    before = "## Log\n- 2026-10-12 email: a\n\n\n## Notes\nlikes tea\n\n\n"
    after = add_log_entry(before, date(2026, 1, 1), "call", "b")
    assert (
        after
        == "## Log\n- 2026-10-12 email: a\n- 2026-01-01 call: b\n\n\n## Notes\nlikes tea\n\n\n"
    )


def test_add_log_entry_keeps_star_bullets_and_a_tight_list() -> None:
    before = "## Log\n* 2026-10-12 email: a\n* 2026-01-01 call: b\n"
    after = add_log_entry(before, date(2026, 5, 5), "visit", "c")
    assert after == "## Log\n* 2026-10-12 email: a\n* 2026-05-05 visit: c\n* 2026-01-01 call: b\n"


def test_add_log_entry_with_other_lines_between_entries() -> None:
    before = (
        "## Log\n- 2026-10-12 email: a\n  she said hi\n- not an entry\n"
        "- 2026-01-01 call: b\n<!-- old -->\n- 2025-01-01 met\n"
    )
    after = add_log_entry(before, date(2026, 6, 1), None, "c")
    assert after == before.replace("- 2026-01-01", "- 2026-06-01 c\n- 2026-01-01")
    last = add_log_entry(before, date(2024, 6, 1), None, "d")
    assert last == before + "- 2024-06-01 d\n"
    after_item = add_log_entry(
        before.replace("- 2025-01-01 met\n", ""), date(2024, 1, 1), None, "e"
    )
    assert after_item.endswith("- 2026-01-01 call: b\n- 2024-01-01 e\n<!-- old -->\n")


def test_add_log_entry_in_hand_ordered_log() -> None:
    before = "## Log\n- 2026-10-01 b\n- 2025-01-01 c\n- 2026-03-01 a\n"
    after = add_log_entry(before, date(2026, 5, 1), None, "new")
    assert after == "## Log\n- 2026-10-01 b\n- 2026-05-01 new\n- 2025-01-01 c\n- 2026-03-01 a\n"
    oldest = add_log_entry(before, date(2024, 1, 1), None, "new")
    assert oldest == before + "- 2024-01-01 new\n"


def test_add_log_entry_ignores_a_fenced_code_block() -> None:
    before = "Notes\n\n```\n## Log\n- 2026-01-01 in code\n```\n\n## Log\n- 2025-05-01 call: real\n"
    after = add_log_entry(before, date(2026, 2, 1), "email", "x")
    assert after == before.replace("- 2025-05-01", "- 2026-02-01 email: x\n- 2025-05-01")


def test_add_log_entry_crlf_note() -> None:
    before = "\ufeff---\r\nname: J\r\n---\r\n## Log\r\n- 2026-10-12 email: a\r\n"
    after = add_log_entry(before, DAY, "call", "b")
    assert after == (
        "\ufeff---\r\nname: J\r\n---\r\n## Log\r\n- 2026-11-26 call: b\r\n- 2026-10-12 email: a\r\n"
    )
    created = add_log_entry("Hi\r\n", DAY, None, "x")
    assert created == "Hi\r\n\r\n## Log\r\n- 2026-11-26 x\r\n"


def test_add_log_entry_without_final_newline_keeps_it_missing() -> None:
    before = "## Log\n- 2026-10-12 email: a"
    assert add_log_entry(before, date(2026, 1, 1), None, "b") == before + "\n- 2026-01-01 b"


def test_add_log_entry_flattens_text_and_keeps_a_word_like_start() -> None:
    after = add_log_entry("## Log\n", DAY, None, "email: not a channel\nsecond line")
    assert after == "## Log\n- 2026-11-26: email: not a channel second line\n"
    assert log_of(after) == [(DAY, None, "email: not a channel second line")]


def test_add_log_entry_into_an_empty_log_before_the_next_section() -> None:
    before = "## Log\n\n## Notes\nx\n"
    assert (
        add_log_entry(before, DAY, "call", "y") == "## Log\n- 2026-11-26 call: y\n\n## Notes\nx\n"
    )


def test_add_log_entry_refuses_a_missing_date_or_bad_channel() -> None:
    with pytest.raises(EditError, match="not a date"):
        add_log_entry(LOG, None, "call", "x")  # type: ignore[arg-type]
    with pytest.raises(EditError, match="one word"):
        add_log_entry(LOG, DAY, "phone call", "x")


# --- follow-ups ------------------------------------------------------------------


def test_add_followup_creates_the_heading_before_the_log() -> None:
    after = add_followup(LOG, "send the article", date(2026, 12, 1))
    assert after == LOG.replace(
        "Intro.\n\n## Log",
        "Intro.\n\n## Follow-ups\n- [ ] send the article 📅 2026-12-01\n\n## Log",
    )
    tight = add_followup("Intro.\n## Log\n- 2026-01-01 a\n", "call back", None)
    assert tight == "Intro.\n\n## Follow-ups\n- [ ] call back\n\n## Log\n- 2026-01-01 a\n"


def test_add_followup_appends_to_an_existing_list_or_at_the_end() -> None:
    before = "## Follow-ups\n* [ ] one\n* [x] two ✅ 2026-01-01\n\n## Log\n- 2026-01-01 a\n"
    after = add_followup(before, "three", None)
    assert after == before.replace("2026-01-01\n\n", "2026-01-01\n* [ ] three\n\n")
    assert add_followup("Intro.", "x", None) == "Intro.\n\n## Follow-ups\n- [ ] x"


def test_add_followup_crlf_note() -> None:
    after = add_followup("Hi\r\n## Log\r\n", "x", DAY)
    assert after == "Hi\r\n\r\n## Follow-ups\r\n- [ ] x 📅 2026-11-26\r\n\r\n## Log\r\n"


FOLLOW = """\
## Follow-ups
- [ ] send the article 📅 2026-12-01
- [ ] Send   the invoice [due:: 2026-12-05]
- [x] call back ✅ 2026-11-01
- [ ] intro to Bob ⏳ 2026-11-30 🛫 2026-11-20 ^abc123

```
- [ ] send the article in a code fence
```
"""


def test_tick_followup_by_exact_text() -> None:
    after = tick_followup(FOLLOW, "send the article", DAY)
    assert after == FOLLOW.replace(
        "- [ ] send the article 📅 2026-12-01\n",
        "- [x] send the article 📅 2026-12-01 ✅ 2026-11-26\n",
    )


def test_tick_followup_by_unique_prefix_and_tasks_marks() -> None:
    after = tick_followup(FOLLOW, "send the INVOICE", DAY)
    assert "- [x] Send   the invoice [due:: 2026-12-05] ✅ 2026-11-26\n" in after
    intro = tick_followup(FOLLOW, "intro", DAY)
    assert "- [x] intro to Bob ⏳ 2026-11-30 🛫 2026-11-20 ✅ 2026-11-26 ^abc123\n" in intro


def test_tick_followup_ambiguous_or_missing_lists_open_tasks() -> None:
    with pytest.raises(EditError, match="several open follow-ups match 'send'") as caught:
        tick_followup(FOLLOW, "send", DAY)
    assert "intro to Bob" in caught.value.message
    with pytest.raises(EditError, match="no open follow-up matches 'call back'"):
        tick_followup(FOLLOW, "call back", DAY)


def test_tick_followup_ignores_a_task_in_a_code_fence() -> None:
    with pytest.raises(EditError, match="no open follow-up"):
        tick_followup(FOLLOW, "send the article in a code fence", DAY)


def test_tick_followup_crlf_note() -> None:
    before = "---\r\na: 1\r\n---\r\n## Follow-ups\r\n- [ ] x  \r\n"
    after = tick_followup(before, "x", DAY)
    assert after == "---\r\na: 1\r\n---\r\n## Follow-ups\r\n- [x] x ✅ 2026-11-26\r\n"


def test_task_key_drops_marks_spaces_and_case() -> None:
    assert task_key("Send  the ARTICLE 📅 2026-12-01 [due:: 2026-12-01] ⏫") == "send the article"


# --- add_body_line ---------------------------------------------------------------


def test_add_body_line_goes_after_the_intro_before_the_log() -> None:
    after = add_body_line(LOG, "Moved to Berlin.")
    assert after == LOG.replace("Intro.\n", "Intro.\nMoved to Berlin.\n")


def test_add_body_line_keeps_a_blank_line_before_the_heading() -> None:
    assert add_body_line("Intro.\n## Log\n", "x") == "Intro.\nx\n\n## Log\n"
    assert add_body_line("## Log\n", "x") == "x\n\n## Log\n"
    assert add_body_line("- a list\n\n## Follow-ups\n", "x") == "- a list\n\nx\n\n## Follow-ups\n"


def test_add_body_line_at_the_end_without_sections() -> None:
    assert add_body_line("---\na: 1\n---\nIntro.\n\n", "x") == "---\na: 1\n---\nIntro.\nx\n\n"
    assert add_body_line("---\na: 1\n---\n", "x\ny") == "---\na: 1\n---\nx y\n"


def test_add_body_line_refuses_a_line_that_makes_a_heading() -> None:
    with pytest.raises(EditError, match="headings"):
        add_body_line("Intro.\n\n## Log\n", "---")


# --- replace_links ---------------------------------------------------------------


def test_replace_links_keeps_alias_heading_and_folder() -> None:
    before = (
        "---\nboss: '[[Jane Doe]]'\n---\n"
        "Met [[Jane Doe]], [[Jane Doe|Jane]], [[Jane Doe#Log]], [[contacts/Jane Doe]],\n"
        "[[contacts/Jane Doe|her]], ![[Jane Doe.md]], [[jane doe]] and [[Jane Doe Jr]].\n"
        "Plain Jane Doe, `[[Jane Doe]]` in code.\n"
        "```\n[[Jane Doe]]\n```\n"
        "| a | [[Jane Doe\\|J]] |\n"
    )
    after = replace_links(before, "Jane Doe", "Jane Smith")
    assert after == (
        "---\nboss: '[[Jane Doe]]'\n---\n"
        "Met [[Jane Smith]], [[Jane Smith|Jane]], [[Jane Smith#Log]], [[contacts/Jane Smith]],\n"
        "[[contacts/Jane Smith|her]], ![[Jane Smith.md]], [[Jane Smith]] and [[Jane Doe Jr]].\n"
        "Plain Jane Doe, `[[Jane Doe]]` in code.\n"
        "```\n[[Jane Doe]]\n```\n"
        "| a | [[Jane Smith\\|J]] |\n"
    )


def test_replace_links_in_log_entries_keeps_the_log() -> None:
    before = "## Log\r\n- 2026-10-01 intro: met [[Bob]] via [[Ann|A]]\r\n"
    after = replace_links(before, "Bob", "Robert")
    assert after == "## Log\r\n- 2026-10-01 intro: met [[Robert]] via [[Ann|A]]\r\n"
    assert replace_links(before, "Nobody", "X") == before


def test_newline_of() -> None:
    assert newline_of("a\r\nb") == "\r\n"
    assert newline_of("a\nb") == "\n"
    assert newline_of("") == "\n"


def test_bare_carriage_return_is_refused() -> None:
    with pytest.raises(EditError, match="carriage return"):
        set_scalar("---\ra: 1\r---\r", "a", 2)


# --- properties ------------------------------------------------------------------

WORDS = st.sampled_from(["met", "at", "the", "café", "Zoë", "#tag", "[[Bob]]", "*x*", "a:b", "—"])
YAML_WORDS = st.sampled_from(["met", "café", "Zoë", "'[[Bob]]'", "a:b", "—", "x # y", "2026-01-01"])
DATES = st.dates(date(2000, 1, 1), date(2030, 12, 31))
ONE_LINE_VALUES = st.sampled_from(
    [
        "2026-10-12",
        "Jane Doe",
        "'+49 170'",
        '"quoted # not a comment"',
        "01234",
        "yes",
        "[a, 'b, c']",
        "{x: 1}",
        "~",
        "",
        "'[[Bob]]'",
        "jane@example.com",
    ]
)
# YAML 1.1 reads keys such as `no`, `on` or `null` as booleans or None: set_scalar
# refuses to edit those (it cannot tell the line means that key), so keys here are text.
_NOT_TEXT = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}
KEYS = st.from_regex(r"[a-z][a-z_-]{0,12}", fullmatch=True).filter(lambda k: k not in _NOT_TEXT)
SAFE_TEXT = st.text(st.characters(categories=["L", "N", "P", "S", "Zs"]), max_size=30)
SCALARS = st.one_of(DATES, SAFE_TEXT, st.integers(-10_000, 10_000), st.booleans())
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def frontmatter_lines(draw: st.DrawFn) -> tuple[list[str], list[str], list[str]]:
    """(lines, keys with one-line values, keys with block lists)."""
    lines: list[str] = []
    one_line: list[str] = []
    block: list[str] = []
    for key in draw(st.lists(KEYS, unique=True, max_size=8)):
        if draw(st.integers(0, 3)) == 0:
            items = draw(st.lists(YAML_WORDS, min_size=1, max_size=3))
            lines += [f"{key}:", *[f"  - {word}" for word in items]]
            block.append(key)
            continue
        comment = draw(st.sampled_from(["", "  # note", " # x: y"]))
        lines.append(f"{key}: {draw(ONE_LINE_VALUES)}{comment}".rstrip(" "))
        one_line.append(key)
        if draw(st.integers(0, 3)) == 0:
            lines.append(draw(st.sampled_from(["# a comment", ""])))
    return lines, one_line, block


@st.composite
def notes(draw: st.DrawFn) -> tuple[str, list[str], list[str]]:
    """A note: optional BOM and frontmatter, paragraphs, a fence, a Log; LF or CRLF."""
    front_lines, one_line, block = draw(frontmatter_lines())
    paragraphs = draw(st.lists(st.lists(WORDS, min_size=1, max_size=6), max_size=2))
    body = [" ".join(words) for words in paragraphs]
    if draw(st.booleans()):
        body += ["", "```", "## Log", "- 2026-01-01 in a fence", "```"]
    days = draw(st.lists(DATES, max_size=5))
    with_log: bool = draw(st.booleans())
    if days or with_log:
        bullet = draw(st.sampled_from(["-", "*"]))
        channels = st.sampled_from(["email: ", "call — ", ""])
        body += ["", "## Log"]
        body += [f"{bullet} {d} {draw(channels)}{draw(WORDS)}" for d in days]
    if draw(st.booleans()):
        body += ["", "## Notes", "likes tea", ""]
    has_front = bool(front_lines) or draw(st.booleans())
    lines = (["---", *front_lines, "---"] if has_front else []) + body
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    text = eol.join(lines) + (eol if draw(st.booleans()) else "")
    return ("\ufeff" if draw(st.booleans()) else "") + text, one_line, block


def plain_lines(text: str) -> list[str]:
    """The lines without line ends and BOM."""
    return [line.removesuffix("\r") for line in text.removeprefix("\ufeff").split("\n")]


def assert_same_style(old: str, new: str) -> None:
    """`new` keeps the BOM of `old` and ends every line the way `old` does."""
    assert new.startswith("\ufeff") == old.startswith("\ufeff")
    lines = new.split("\n")
    for line in lines[:-1]:
        assert line.endswith("\r") == (newline_of(old) == "\r\n")
    assert not lines[-1].endswith("\r")


def first_difference(old: list[str], new: list[str]) -> int:
    return next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), len(old))


@FAST
@given(notes(), SCALARS, st.data())
def test_set_scalar_changes_exactly_one_line(
    note: tuple[str, list[str], list[str]], value: date | str | int | bool, data: st.DataObject
) -> None:
    text, one_line, block = note
    key = data.draw(st.sampled_from(one_line + block) if one_line + block else KEYS)
    if data.draw(st.booleans()):
        key = data.draw(KEYS)
    if key in block:
        with pytest.raises(EditError, match="several lines"):
            set_scalar(text, key, value)
        return
    new = set_scalar(text, key, value)
    assert_same_style(text, new)
    old_lines, new_lines = plain_lines(text), plain_lines(new)
    if key in one_line:  # (a) one line changed, the others byte-identical
        old_raw, new_raw = text.split("\n"), new.split("\n")
        assert len(new_raw) == len(old_raw)
        changed = [i for i, (a, b) in enumerate(zip(old_raw, new_raw, strict=True)) if a != b]
        assert len(changed) <= 1
    else:  # (a) one line added (three with the fences of a new frontmatter)
        added = 1 if split_note(text).frontmatter is not None else 3
        assert len(new_lines) == len(old_lines) + added
        at = first_difference(old_lines, new_lines)
        assert new_lines[:at] + new_lines[at + added :] == old_lines
    # (c) the value reads back, every other key is unchanged, the body too
    assert front(new)[key] == value and type(front(new)[key]) is type(value)
    assert {k: v for k, v in front(new).items() if k != key} == {
        k: v for k, v in front(text).items() if k != key
    }
    assert split_note(new).body == split_note(text).body
    assert set_scalar(new, key, value) == new  # doing it twice changes nothing


@FAST
@given(notes(), DATES, st.sampled_from([None, "email", "call", "Visit"]), SAFE_TEXT)
@example(note=("", [], []), day=date(2000, 1, 1), channel=None, entry_text="0\xa00")
def test_add_log_entry_adds_exactly_one_line(
    note: tuple[str, list[str], list[str]], day: date, channel: str | None, entry_text: str
) -> None:
    text = note[0]
    new = add_log_entry(text, day, channel, entry_text)
    assert_same_style(text, new)
    old_lines, new_lines = plain_lines(text), plain_lines(new)
    log_heading = [i for i, line in enumerate(old_lines) if line == "## Log"]
    if log_heading and "```" not in old_lines[log_heading[-1] - 1 :]:
        # (b) one line inserted into the Log, all others unchanged
        assert len(new_lines) == len(old_lines) + 1
        at = first_difference(old_lines, new_lines)
        assert at > log_heading[-1]
        assert new_lines[:at] + new_lines[at + 1 :] == old_lines
    else:  # a Log section appended after the old lines
        assert new.startswith(text)
        added = [line for line in plain_lines(new[len(text) :]) if line]
        assert added[0] == "## Log" and len(added) == 2
    # (b) the frontmatter bytes are identical
    if split_note(text).frontmatter is not None:
        fence = text.index("\n---", 3) + 4
        assert new[:fence] == text[:fence]
    # (c) the Log reads back with exactly this one more entry
    entry = (day, channel.lower() if channel else None, entry_text.strip())
    old_log, new_log = log_of(text), log_of(new)
    assert sorted(map(repr, new_log)) == sorted(map(repr, [*old_log, entry]))


@FAST
@given(notes(), st.lists(DATES, min_size=1, max_size=4))
def test_added_entries_read_back_newest_first(
    note: tuple[str, list[str], list[str]], days: list[date]
) -> None:
    text = note[0]
    for number, day in enumerate(days):
        text = add_log_entry(text, day, "email", f"touch {number}")
    assert_same_style(note[0], text)
    ours = [line for line in plain_lines(text) if " email: touch " in line]
    assert [line.split()[1] for line in ours] == sorted((d.isoformat() for d in days), reverse=True)
    assert [e[0] for e in log_of(text)] == sorted((e[0] for e in log_of(text)), reverse=True)


def test_frontmatter_of_is_the_one_frontmatter_dict() -> None:
    import yaml

    from vault_touchbase.notes.text import NoteSyntaxError, frontmatter_of

    assert frontmatter_of(NOTE)["name"] == "Jane Doe"
    assert frontmatter_of("no frontmatter\n") == {}
    assert frontmatter_of("---\n---\nbody\n") == {}
    assert frontmatter_of("---\n- a list\n---\n") == {}
    assert frontmatter_of("---\n1: one\n---\n") == {"1": "one"}
    with pytest.raises(yaml.YAMLError):
        frontmatter_of("---\nname: [unclosed\n---\n")
    with pytest.raises(NoteSyntaxError):
        frontmatter_of("---\nname: x\n")


def test_a_touch_moves_last_contacted_forward_only_and_as_written() -> None:
    from vault_touchbase.notes.edit_touch import move_last_contacted, record_touch

    quoted = '---\nlast_contacted: "2026-01-01"  # as written\n---\nHi.\n'
    moved = move_last_contacted(quoted, "last_contacted", DAY)
    assert moved == quoted.replace("2026-01-01", "2026-11-26")
    assert move_last_contacted(moved, "last_contacted", date(2026, 5, 1)) == moved  # never back
    plain = "---\nlast_contacted: 2026-01-01\n---\nHi.\n"
    assert record_touch(plain, "last_contacted", DAY, "call", "hello") == (
        "---\nlast_contacted: 2026-11-26\n---\nHi.\n\n## Log\n- 2026-11-26 call: hello\n"
    )
    later = record_touch(plain, "last_contacted", date(2026, 3, 1), None, "x", known_last=DAY)
    assert "last_contacted: 2026-11-26\n" in later
