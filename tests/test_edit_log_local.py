"""A Log entry added where the line scan reads the note: found and checked where it goes,
the same bytes as markdown-it's way, and no Markdown parse of a Log of 100,000 entries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vault_touchbase.core.settings import Settings
from vault_touchbase.notes import edit_log
from vault_touchbase.notes.edit_log import add_log_entry
from vault_touchbase.notes.edit_rows import EditError
from vault_touchbase.notes.parse import parse_note


def _by_markdown_it(monkeypatch: pytest.MonkeyPatch, *args: object) -> str | type[EditError]:
    """`add_log_entry` the way it works where the scan is not enough: markdown-it's."""
    with monkeypatch.context() as patch:
        patch.setattr(edit_log, "needs_parser", lambda body: True)
        try:
            return add_log_entry(*args)  # type: ignore[arg-type]
        except EditError:
            return EditError


def _by_scan(*args: object) -> str | type[EditError]:
    try:
        return add_log_entry(*args)  # type: ignore[arg-type]
    except EditError:
        return EditError


NOTES = [
    "---\nname: Jane\n---\nIntro.\n\n## Log\n- 2026-10-12 email: a\n- 2026-07-01 call: b\n",
    "## Log\n* 2026-10-12 email: a\n* 2026-01-01 call: b\n",
    "## Log\n- 2026-10-12 email: a\n  she said hi\n- not an entry\n- 2026-01-01 call: b\n",
    "## Log\n- 2026-10-01 b\n- 2025-01-01 c\n- 2026-03-01 a\n",
    "## Log\n\n\n## Notes\nx\n",
    "# Log\n- 2026-02-30 bad date\n- 2026-01-01 ok\nlazy line\n\n## Next\n- 2020-01-01 x\n",
    "## Log\n- 2026-01-01 a\n## Log\n- 2027-01-01 second log\n",
    "Intro\n## Log\n- 2026-05-01 a",  # no final newline
    "---\r\nname: J\r\n---\r\n## Log\r\n- 2026-05-01 call: a\r\n",
    "\ufeff---\nname: J\n---\n## LOG ##\n+ 2026-05-01 a\n\nafter\n",
    "No log here.\n",
    "## Log\n- 2026-05-01 a\n> - 2026-06-01 quoted\n",
    "## Log\n- 9999-12-31 far\ntext after\n\n",
    "## Log\n- 9999-12-31 far\n\na paragraph after the list\n",
]
DAYS = [date(2027, 1, 1), date(2026, 5, 1), date(2026, 3, 1), date(2020, 1, 1)]


@pytest.mark.parametrize("note", NOTES)
@pytest.mark.parametrize("day", DAYS)
def test_the_scan_adds_the_entry_where_markdown_it_does(
    monkeypatch: pytest.MonkeyPatch, note: str, day: date
) -> None:
    for channel, text in (("call", "caught up"), (None, "email: not a channel")):
        assert _by_scan(note, day, channel, text) == _by_markdown_it(
            monkeypatch, note, day, channel, text
        )


_LINES = st.sampled_from(
    [
        "## Log",
        "# Log",
        "## Notes",
        "### Log",
        "- 2026-01-01 call: a",
        "- 2025-06-30 b",
        "* 2026-03-01 email: c",
        "+ 2024-02-29 visit — d",
        "- 2026-02-30 bad",
        "- not an entry",
        "  continued",
        "text",
        "",
        "> - 2026-01-01 quoted",
        "- 9999-12-31 far",
    ]
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(_LINES, max_size=14),
    st.dates(min_value=date(2023, 1, 1), max_value=date(2027, 12, 31)),
)
def test_the_scan_and_markdown_it_agree_on_any_log(
    monkeypatch: pytest.MonkeyPatch, lines: list[str], day: date
) -> None:
    note = "\n".join(lines) + "\n"
    assert _by_scan(note, day, "call", "x") == _by_markdown_it(monkeypatch, note, day, "call", "x")


def test_a_log_of_100000_entries_is_edited_without_a_markdown_parse(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    start = date(2026, 11, 1)
    lines = ["---", "name: Huge Log", "---", "Notes.", "", "## Log"]
    lines += [
        f"- {(start - timedelta(days=i // 10)).isoformat()} call: talk {i}" for i in range(100_000)
    ]
    note = "\n".join([*lines, "", "## Other", "text", ""])

    def refuse(*args: object) -> None:
        raise AssertionError("the whole note was parsed or its whole Log read")

    monkeypatch.setattr(edit_log, "markdown", refuse)
    monkeypatch.setattr(edit_log, "read_log", refuse)
    after = add_log_entry(note, date(2026, 11, 26), "email", "hello")
    monkeypatch.undo()
    assert after == note.replace("## Log\n", "## Log\n- 2026-11-26 email: hello\n")
    contact, problems = parse_note("contacts/huge.md", after.encode(), Settings())
    assert contact is not None and not problems
    assert contact.log[0].text == "hello" and len(contact.log) == 100_001
