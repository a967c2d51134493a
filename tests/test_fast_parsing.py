"""The fast Log scan agrees with the slow, obvious, line-by-line one.

The Log line scan and the "needs a Markdown parser" check agree with their
line-by-line forms (and `tests/test_logbook.py` checks both against markdown-it).
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from vault_touchbase.core.model import LogEntry
from vault_touchbase.notes import log as logbook

# --- the Log scan -------------------------------------------------------------------------


def scan_line_by_line(body: str, body_line: int) -> tuple[list[LogEntry], list[tuple[int, str]]]:
    """The Log scan as first written: every line looked at in turn (the reference)."""
    entries: list[LogEntry] = []
    bad: list[tuple[int, str]] = []
    in_log = False
    for offset, line in enumerate(body.split("\n")):
        if line.startswith("#"):
            heading = logbook._HEADING.match(line)
            if heading and len(heading.group(1)) <= 2:
                in_log = logbook._is_log_heading(len(heading.group(1)), heading.group(2) or "")
                continue
        if not in_log:
            continue
        item = logbook._ITEM.match(line)
        if item:
            result = logbook.parse_entry_text(
                body_line + offset, item.group(1), item.group(2).rstrip()
            )
            (entries if isinstance(result, LogEntry) else bad).append(result)  # type: ignore[arg-type]
    return entries, bad


def needs_parser_line_by_line(body: str) -> bool:
    if "\r" in body or "\x00" in body:  # markdown-it makes them a line break and U+FFFD
        return True
    return re.search(logbook._NEEDS_PARSER.pattern, body, re.MULTILINE) is not None


# fmt: off
LINES = [
    "## Log", "# Log", "### Log", "## log ##", "##Log", "## Notes", "# Other", "#tag", "",
    "- 2026-11-20 email: asked", "- 2026-11-20: called", "* 2026-02-30 call: bad date",
    " - 2026-01-01 visit — walk", "  - 2026-01-02 nested", "- 2026-01-03", "- not an entry",
    "-2026-01-04 no space", "+ 2026-01-05 meet - coffee", "1. 2026-01-06 ordered",
    "```", "~~~", "<div>", "text\twith a tab", "===", "---", "- ", "> - 2026-01-07 quoted",
    "- 2026-01-08 text – dash", "- 2026-01-09 email:", "plain text", "- 2026-1-10 short",
    "    ===", "     ===", "    # deeper",
]
# fmt: on


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(LINES), max_size=14), st.integers(1, 40))
def test_scan_agrees_with_the_line_by_line_scan(lines: list[str], first_line: int) -> None:
    body = "\n".join(lines)
    assert logbook.needs_parser(body) == needs_parser_line_by_line(body)
    assert logbook.scan_log(body, first_line) == scan_line_by_line(body, first_line)
    entries, bad = logbook.read_log(body, first_line)
    reference = (
        logbook.parse_log(body, first_line)
        if needs_parser_line_by_line(body)
        else scan_line_by_line(body, first_line)
    )
    expected = sorted(reference[0], key=lambda e: (-e.date.toordinal(), e.line))
    assert (entries, bad) == (expected, reference[1])


# Every rule of `_NEEDS_PARSER` (and lines just short of one), indented by 0 to 5 spaces.
NEEDS_PARSER_STARTS = [
    "```", "``", "~~~", "~~ x", "<div>", "<1", "< a", "# x", "#", "- x", "-", "--", "- ",
    "* ", "*", "+", "+x", "=", "==  ", "= x", "---", "-- -", "1.", "12)", "1234567890.",
    "1 x", "- 2026-01-01 call: x", "x", "",
]  # fmt: skip


def test_needs_parser_agrees_on_each_rule_at_each_indent() -> None:
    for start in NEEDS_PARSER_STARTS:
        for indent in range(6):
            for body in (" " * indent + start, "## Log\n" + " " * indent + start + "\nx"):
                assert logbook.needs_parser(body) == needs_parser_line_by_line(body), body


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("#- *+\t\n\r\x00`~<>=12:.abLlogO")), max_size=60))
def test_scan_agrees_on_any_text(body: str) -> None:
    assert logbook.needs_parser(body) == needs_parser_line_by_line(body)
    assert logbook.scan_log(body, 3) == scan_line_by_line(body, 3)


def _top_level_keys_line_by_line(frontmatter: str, first_line: int) -> list[tuple[str, int]]:
    """The rule of `top_level_keys` applied one line at a time (the reference)."""
    import re

    key_line = re.compile(r"^([^\s#\-?:][^:]*?|\"[^\"]*\"|'[^']*')[ \t]*:(?:[ \t]|$)")
    found = []
    for offset, line in enumerate(frontmatter.split("\n")):
        match = key_line.match(line)
        if match:
            key = match.group(1).strip()
            if key[:1] in "\"'" and key[-1:] == key[:1]:
                key = key[1:-1]
            found.append((key, first_line + offset))
    return found


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab :\"'#-?\t\n\r é"))))
def test_top_level_keys_agrees_with_a_line_by_line_reading(text: str) -> None:
    from vault_touchbase.notes.text import top_level_keys

    assert top_level_keys(text, 2) == _top_level_keys_line_by_line(text, 2)


def _split_note_line_by_line(text: str) -> tuple[object, ...]:
    """The rule of `split_note` applied one line at a time (the reference)."""
    bom = text.startswith("\ufeff")
    text = text[1:] if bom else text
    crlf = "\r\n" in text
    text = text.replace("\r\n", "\n") if crlf else text
    lines = text.split("\n")
    if lines[0].rstrip(" \t") != "---":
        return (None, 1, text, 1, bom, crlf)
    for index in range(1, len(lines)):
        if re.match(r"^(---|\.\.\.)[ \t]*$", lines[index]):
            front, body = "\n".join(lines[1:index]), "\n".join(lines[index + 1 :])
            return (front, 2, body, index + 2, bom, crlf)
    return ("not closed",)


@settings(max_examples=3000, deadline=None)
@given(
    st.lists(
        st.sampled_from(["-", "---", ".", "...", " ", "\t", "\n", "\r", "\r\n", "a", "\ufeff"])
    ).map("".join)
)
def test_split_note_agrees_with_a_line_by_line_reading(text: str) -> None:
    from vault_touchbase.notes.text import NoteSyntaxError, split_note

    try:
        parts = split_note(text)
    except NoteSyntaxError:
        assert _split_note_line_by_line(text) == ("not closed",)
        return
    got = (parts.frontmatter, parts.frontmatter_line, parts.body, parts.body_line)
    assert got + (parts.bom, parts.crlf) == _split_note_line_by_line(text)


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("a #\n\r\t\x0b"))))
def test_summary_agrees_with_splitting_every_line(body: str) -> None:
    from vault_touchbase.core.oneline import single_line
    from vault_touchbase.notes.parse import _summary

    lines: list[str] = []
    for line in body.split("\n"):
        stripped = line.strip()
        if stripped.startswith("#") or (lines and not stripped):
            break
        if stripped:
            lines.append(stripped)
    assert _summary(body) == single_line(" ".join(lines))[:300]  # (no control character)


@settings(max_examples=3000, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["- ", "* ", "1. ", "2)", " ", "\t", ">", "[", "]", "[ ]", "[x]", "[X]", "\n", "a"]
        )
    ).map("".join)
)
def test_task_precheck_agrees_with_the_task_pattern(body: str) -> None:
    from vault_touchbase.notes import followups

    assert followups._has_task(body) == (followups._HAS_TASK.search(body) is not None)


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("lLoOgG İK#\n- 2026-01-01"))))
def test_a_log_is_read_whatever_the_case_of_its_heading(body: str) -> None:
    """The Log gate's quick substring checks give what the whole lowered body gives."""
    body = "## " + body + "\n- 2026-01-01 call: hi\n"
    expected = logbook.scan_log(body, 1) if logbook.LOG_TITLE in body.lower() else ([], [])
    if not logbook.needs_parser(body):
        entries, bad = logbook.read_log(body, 1)
        assert (sorted(entries, key=lambda e: e.line), bad) == (
            sorted(expected[0], key=lambda e: e.line),
            expected[1],
        )


@settings(max_examples=3000, deadline=None)
@given(
    st.lists(st.sampled_from(["#", "##", "#######", " ", "\t", "\n", "\r", "a", "Log"])).map(
        "".join
    )
)
def test_the_heading_search_finds_what_the_heading_rule_finds_at_each_line(body: str) -> None:
    by_rule = re.compile(logbook._HEADING.pattern, re.MULTILINE)
    found = [(m.span(), m.groups()) for m in logbook._HEADING_LINE.finditer(body)]
    assert found == [(m.span(), m.groups()) for m in by_rule.finditer(body)]


# --- duplicate keys, looked for only when the mapping lost one ----------------------------

_KEY_FORMS = st.sampled_from(
    ["name", "'name'", '"name"', "email", "1", "'1'", "1.0", "yes", "true"]
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(_KEY_FORMS, st.sampled_from(["a", "[b, c]", "2026-01-02", ""])), max_size=6)
)
def test_duplicate_key_warnings_are_those_of_searching_every_note(
    pairs: list[tuple[str, str]],
) -> None:
    """`parse_note` searches a frontmatter's lines for a repeated key only when the YAML
    mapping holds fewer keys than were written: the warnings are those of always searching."""
    from vault_touchbase.core.settings import Settings
    from vault_touchbase.notes import parse as parsing
    from vault_touchbase.notes.text import load_yaml, top_level_keys

    front = "".join(f"{key}: {value}\n" for key, value in pairs)
    got = [
        p
        for p in parsing.parse_note("a.md", f"---\n{front}---\n".encode(), Settings())[1]
        if "duplicate key" in p.message
    ]
    meta = load_yaml(front) or {}
    seen: set[str] = set()
    expected = []
    for key, line in top_level_keys(front, 2):
        if key in seen and key in meta:
            expected.append((line, f"duplicate key {key!r}; the last one is used"))
        seen.add(key)
    assert [(p.line, p.message) for p in got] == expected


# --- follow-ups: the task scan agrees with markdown-it -------------------------------------

_TASK_LINES = st.sampled_from(
    [
        "- [ ] send the article 📅 2026-12-01",
        "- [x] called back [due:: 2026-10-01]",
        "* [X] done",
        "+ [ ] plus",
        " - [ ] one space in",
        "-  [ ] two spaces after the bullet",
        "- [ ]  two spaces after the box",
        "- [ ]     four after the box",
        "- [ ] # a heading",
        "- [ ] > a quote",
        "- [ ] - a list",
        "- [ ] 1. ordered",
        "- [ ] ```",
        "- [ ] <div>",
        "- [ ] ---",
        "- [ ] bad date 📅 2026-02-31",
        "- [ ]",
        "- [ ] ",
        "- [] not a box",
        "- [ ]x no space",
        "> - [ ] quoted",
        "  - [ ] nested",
        "1. [ ] ordered task",
        "    - [ ] indented code",
        "- plain item",
        "some text",
        "  lazy continuation",
        "",
        "## Log",
        "- 2026-01-01 call: hi",
        "```",
        "---",
        "===",
        "<!-- c -->",
        "\t- [ ] tab",
        "- [ ] **bold** [[Jane]] `code`",
        "- [ ] a lone\rCR",
        "- [ ] a \x00 NUL",
        "- [ ] #task send the flyer 📅 2026-11-20",
        "- [ ] #",
        "- [ ] ## two",
        "- [ ] ####### seven",
        "- [ ] #\tx",
        "    ===",
        "     ===",
        "  ===",
        "    # deeper heading",
        "    <div>",
    ]
)


# lines the scan reads itself (no block quote, code, nesting...): bodies of these are scanned
_SCANNED_LINES = st.sampled_from(
    [
        "- [ ] send the article 📅 2026-12-01",
        "- [x] called back [due:: 2026-10-01]",
        "* [X] done",
        " - [ ] one space in",
        "- [ ] bad date 📅 2026-02-31",
        "- [ ] x [due:: ]",
        "- [ ] [[Link]] 📅 2026-01-01 ✅ 2026-01-02",
        "- [ ] a hard break\\",
        "- [ ] #task with a tag first",
        "- [x] #tag ✅ 2026-11-02",
        "- plain item",
        "some text",
        "  more text",
        "",
        "# H",
        "## Log",
        "- 2026-01-01 call: hi",
        "```",
        "~~~~",
        "```js`x",
        "  ```",
        "- [ ] a task, or code in a fence",
    ]
)


@settings(max_examples=500, deadline=None)
@given(
    st.lists(_SCANNED_LINES, max_size=14).map("\n".join)
    | st.lists(_TASK_LINES, max_size=14).map("\n".join),
    st.integers(1, 40),
)
def test_the_task_scan_agrees_with_markdown_it(body: str, first_line: int) -> None:
    """`read_followups` reads a body by a line scan where it can; it finds the tasks,
    due dates, bad dates and lines markdown-it finds."""
    from vault_touchbase.notes import followups

    scanned = followups.read_followups(body, first_line)
    real = followups._plain_tasks
    try:
        followups._plain_tasks = lambda body: None  # type: ignore[assignment]
        parsed = followups.read_followups(body, first_line)
    finally:
        followups._plain_tasks = real
    assert scanned == parsed
