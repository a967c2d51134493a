"""The Log: entry forms, and the fast line scan agreeing with markdown-it."""

from __future__ import annotations

from datetime import date

from hypothesis import example, given, settings
from hypothesis import strategies as st

from vault_touchbase.notes.log import needs_parser, parse_log, read_log, scan_log

BODY = """Met at the meetup.

## Log
- 2026-10-12 email: asked about the new studio; she is hiring
- 2026-11-20: called
- 2026-09-01 email — asked about X
- 2026-08-02 call – talked
- 2026-07-01 called the office
* 2026-06-01 meet - coffee
  a continuation line
Some other line kept between entries.
- not an entry
- 2026-05-01

## Notes
- 2026-01-01 email: not in the Log
"""


def test_entry_forms() -> None:
    entries, bad = read_log(BODY, 5)
    assert bad == []
    got = [(e.date.isoformat(), e.channel, e.text) for e in entries]
    assert got == [
        ("2026-11-20", None, "called"),
        ("2026-10-12", "email", "asked about the new studio; she is hiring"),
        ("2026-09-01", "email", "asked about X"),
        ("2026-08-02", "call", "talked"),
        ("2026-07-01", None, "called the office"),
        ("2026-06-01", "meet", "coffee"),
        ("2026-05-01", None, ""),
    ]
    assert entries[1].line == 8  # the body starts at file line 5; the entry is its fourth line


def test_fenced_code_and_html_are_not_entries() -> None:
    body = (
        "## Log\n```\n- 2026-01-01 call: in code\n```\n"
        "<!--\n- 2026-02-02 call: in a comment\n-->\n- 2026-03-03 call: real\n"
    )
    assert needs_parser(body)
    entries, _ = read_log(body, 1)
    assert [e.text for e in entries] == ["real"]


def test_nested_items_are_not_entries() -> None:
    body = "## Log\n- 2026-03-03 call: real\n  - 2026-03-01 email: a sub-point\n"
    entries, _ = read_log(body, 1)
    assert [e.text for e in entries] == ["real"]


def test_bad_dates_are_reported_with_their_line() -> None:
    entries, bad = read_log("## Log\n- 2026-02-30 call: x\n- 2026-01-01 call: y\n", 10)
    assert bad == [(11, "log entry date 2026-02-30 is not a real date")]
    assert [e.date for e in entries] == [date(2026, 1, 1)]


# --- the property: wherever the scan is used, markdown-it reads the same entries ---

words = st.sampled_from(
    ["email", "call", "visit", "reply", "Coffee", "x", "follow-up", "a:b", "—", "-", ":"]
)
texts = st.lists(words, max_size=4).map(" ".join)
day = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)).map(date.isoformat)
bullet = st.sampled_from(["-", "*", "+", " -"])
entry = st.builds(
    lambda b, d, sep, t: f"{b} {d}{sep}{t}",
    bullet,
    day,
    st.sampled_from(["", " ", ": ", " email: ", " call — ", " meet - ", ":"]),
    texts,
)
other = st.sampled_from(
    [
        "",
        "text between entries",
        "## Log",
        "## Notes",
        "# Title",
        "### 2025",
        "- plain item",
        "  indented continuation",
        "```",
        "~~~",
        "<div>",
        "<!-- note -->",
        "  - 2026-01-01 call: nested",
        "1. 2026-01-01 call: ordered",
        "Log",
        "---",
        "===",
        "-",
        "\t- 2026-01-01 tab",
        "> - 2026-01-01 quoted",
        "    - 2026-01-01 indented code",
        "- [ ] 2026-01-01 task",
        "- 2026-01-02 call: a lone\rCR",
        "    ===",
        "     ===",
        "- 2026-01-03 call: a \x00 NUL",
    ]
)
bodies = st.lists(st.one_of(entry, other, st.just("## Log")), max_size=25).map("\n".join)


@settings(max_examples=400, deadline=None)
@given(bodies)
def test_scan_and_markdown_it_agree_where_the_scan_is_used(body: str) -> None:
    if needs_parser(body):
        return  # the parser is used for this body; nothing to compare
    assert scan_log(body, 3) == parse_log(body, 3)


@settings(max_examples=200, deadline=None)
@given(bodies)
def test_read_log_always_matches_markdown_it(body: str) -> None:
    expected, bad = parse_log(body, 1)
    expected.sort(key=lambda e: (-e.date.toordinal(), e.line))
    assert read_log(body, 1) == (expected, bad) or "log" not in body.lower()


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(entry, other, st.just("## Log"), st.just("- [x] done [[Jane]] *b*")), max_size=25
    ).map("\n".join)
)
def test_the_shared_parser_gives_the_block_tokens_of_a_full_commonmark_parse(body: str) -> None:
    """`markdown()` leaves out the inline stage: every block token it gives (type, lines,
    text as written, task box) is the one a full CommonMark parse gives."""
    from markdown_it import MarkdownIt

    from vault_touchbase.notes.log import markdown

    def blocks(parser: MarkdownIt) -> list[tuple[object, ...]]:
        return [
            (t.type, t.tag, t.map, t.content, t.meta, t.level, t.markup, t.info, t.nesting)
            for t in parser.parse(body)
        ]

    assert blocks(markdown()) == blocks(MarkdownIt("commonmark", {"tasklists": True}))


fences = st.sampled_from(
    [
        "```",
        "````",
        "~~~",
        "~~~~",
        "``` python",
        "```js`x",
        "~~~ a ``` b",
        "  ```",
        "   ~~~",
        "    ```",
        "```  ",
        "``",
        "`````",
        "~~~~~~ ~",
        "  ````  ",
        "```\t",
    ]
)


# lines the scan reads as they are: most bodies leave only the fences to blank
plain = st.sampled_from(["", "text", "## Notes", "# Title", "- plain item", "### 2025", "## Log"])


@settings(max_examples=600, deadline=None)
@given(st.lists(st.one_of(entry, fences, plain, st.just("## Log")), max_size=30))
@example(["## Log", "```js`x", "- 2026-01-01 call: after no fence", "```"])
@example(["## Log", "````", "```", "- 2026-01-01 call: still code", "  ````", "- 2026-01-02 x"])
def test_a_body_with_code_fences_is_read_as_markdown_it_reads_it(lines: list[str]) -> None:
    """The scan reads a body whose only Markdown it could misread is code fences with the
    fences blanked (`without_fences`): the same entries, bad lines and line numbers as
    markdown-it, and no line is lost or moved."""
    from vault_touchbase.notes.log import without_fences

    body = "\n".join(lines)
    expected, bad = parse_log(body, 5)
    expected.sort(key=lambda e: (-e.date.toordinal(), e.line))
    assert read_log(body, 5) == (expected, bad) or "log" not in body.lower()
    blanked = without_fences(body)
    assert blanked.count("\n") == body.count("\n")
    assert all(a in ("", b) for a, b in zip(blanked.split("\n"), body.split("\n"), strict=True))
