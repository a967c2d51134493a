"""The fast paths of parsing agree with the slow, obvious ones.

The frontmatter reader agrees with PyYAML's safe C loader, or declines; the
Log line scan and the "needs a Markdown parser" check agree with their
line-by-line forms.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import EXAMPLE
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from vault_touchbase import logbook
from vault_touchbase.model import LogEntry
from vault_touchbase.note import load_yaml, split_note
from vault_touchbase.yaml_fast import NOT_SIMPLE, RESOLVERS, load_simple

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def typed(value: Any) -> Any:
    """A value with its types spelled out, so True != 1 and a date != a datetime."""
    if isinstance(value, dict):
        return ("dict", [(typed(k), typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [typed(item) for item in value])
    return (type(value).__name__, value)


def pyyaml(text: str) -> Any:
    try:
        return typed(yaml.load(text, Loader=LOADER))  # noqa: S506 - a safe loader
    except Exception as exc:  # noqa: BLE001 - any failure is an answer to compare
        return ("error", type(exc).__name__)


def agrees(text: str) -> bool:
    fast = load_simple(text)
    return fast is NOT_SIMPLE or typed(fast) == pyyaml(text)


def test_the_resolver_table_is_pyyamls() -> None:
    theirs = {
        first: [(tag, regexp.pattern, regexp.flags) for tag, regexp in resolvers]
        for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
    }
    ours = {
        first: [(tag, regexp.pattern, regexp.flags) for tag, regexp in resolvers]
        for first, resolvers in RESOLVERS.items()
    }
    assert ours == theirs


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name: Jane Doe\nnearby: yes\nzip: 01234", NOT_SIMPLE),  # octal: PyYAML's job
        ("name: Jane Doe\nnearby: yes\nage: 41", {"name": "Jane Doe", "nearby": True, "age": 41}),
        ("last: 2026-10-12  # a comment", {"last": date(2026, 10, 12)}),
        (
            "tags: [a, b c]\nname: {first: Ana, last: Lima}",
            {
                "tags": ["a", "b c"],
                "name": {"first": "Ana", "last": "Lima"},
            },
        ),
        (
            "phone: \"+1 555 0100\"\nnote: 'C# and F#'",
            {"phone": "+1 555 0100", "note": "C# and F#"},
        ),
        ("snooze:\nempty: ~\n# only a comment", {"snooze": None, "empty": None}),
        ("", None),
        ("# nothing but a comment", None),
        ("tags:\n  - a\n  - b", NOT_SIMPLE),
        ("bad: 2026-02-30", NOT_SIMPLE),
        ("when: 2026-01-01 10:00:00", NOT_SIMPLE),
        ("x: !!python/object:os.system ls", NOT_SIMPLE),
        ("yes: a key that is a boolean", NOT_SIMPLE),
        ("a: b: c", NOT_SIMPLE),
        ("a:\tb", NOT_SIMPLE),
        ("name: Jane\r", NOT_SIMPLE),
    ],
)
def test_examples(text: str, expected: Any) -> None:
    result = load_simple(text)
    if expected is NOT_SIMPLE:
        assert result is NOT_SIMPLE
    else:
        assert typed(result) == typed(expected)
        assert typed(result) == pyyaml(text)


def test_every_example_vault_note_reads_the_same() -> None:
    read = 0
    for path in sorted(Path(EXAMPLE).rglob("*.md")):
        try:
            front = split_note(path.read_bytes().decode("utf-8-sig")).frontmatter
        except (UnicodeDecodeError, ValueError):
            continue
        if front is not None:
            assert agrees(front), path
            read += load_simple(front) is not NOT_SIMPLE
    assert read > 20  # most notes take the fast path


def test_load_yaml_still_reads_what_the_fast_reader_declines() -> None:
    assert load_yaml("name:\n  first: Rachel\n  last: Goldberg") == {
        "name": {"first": "Rachel", "last": "Goldberg"}
    }
    with pytest.raises(yaml.YAMLError):
        load_yaml("a: [unclosed")


# --- property: never a different answer -------------------------------------------------

# fmt: off
ATOMS = [
    "Jane", "Jane Doe", "O'Connor", 'say "hi"', "C#", "a #b", "a:b", "a: b", "a:", "x,y",
    "[x]", "{x}", "yes", "No", "ON", "off", "y", "n", "true", "False", "~", "null", "Null",
    "NULL", "0", "7", "-3", "+4", "012", "0x1f", "1_000", "1:30", "190:20:30", "1.5", ".5",
    ".inf", ".NaN", "1e3", "2026-11-26", "2026-1-2", "2026-02-30", "2026-11-26 10:00:00",
    "2026-11-26T10:00:00Z", "<<", "=", "!", "&a", "*a", "!!str", "|", ">", "%", "@x", "`x",
    "-", "- a", "-a", "?", "?a", ":a", "", " ", "é", "Müller", "😀", "\u2028", "\x85", "\x7f",
    "\ufeff", "\t", "\\", "''", '""', "'a''b'", '"a\\"b"', "'a'", '"a"', "'a' #c", '"a" x',
]
KEYS = ["name", "tags", "a.b", "x-y", "_k", "k1", "yes", "no", "on", "null", "y", "n", "1", "é",
        "key ", " key", "a b", "-", "?k", "True", "<<", "="]
SEPARATORS = [": ", ":", ":  ", ": \t", " : ", ":\t"]
# fmt: on

atom = st.sampled_from(ATOMS) | st.text(
    alphabet=st.sampled_from(list("aZ09 -:#,[]{}'\"!&*|>%@`?~=<._\\é")), max_size=8
)


@st.composite
def value(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 5))
    if kind <= 2:
        return draw(atom)
    if kind == 3:
        items = draw(st.lists(atom, max_size=4))
        return "[" + draw(st.sampled_from([", ", ",", " , "])).join(items) + "]"
    if kind == 4:
        pairs = draw(st.lists(st.tuples(st.sampled_from(KEYS), atom), max_size=3))
        return "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"
    return draw(atom) + draw(st.sampled_from([" # comment", "#x", "  #", " #"]))


@st.composite
def frontmatter(draw: st.DrawFn) -> str:
    """Mostly well-formed lines (so the fast path answers often), with odd ones mixed in."""
    lines = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.integers(0, 19))
        if kind == 0:
            lines.append(
                draw(st.sampled_from(["", "   ", "# c", "  # c", "  - item", "- a", "..."]))
            )
        elif kind == 1:
            key = draw(st.sampled_from(KEYS))
            lines.append(key + draw(st.sampled_from(SEPARATORS)) + draw(value()))
        else:
            key = draw(st.sampled_from(KEYS[:7]))
            lines.append(f"{key}: {draw(value())}")
    return "\n".join(lines)


@settings(max_examples=3000, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(frontmatter())
@example("name: Ana\nname: Bo")
@example("k: [a, , b]")
@example("k: [a, b,]")
@example("k: {a: }")
@example("k: 'a' # c")
def test_fast_reader_agrees_with_pyyaml(text: str) -> None:
    assert agrees(text), (text, load_simple(text), pyyaml(text))


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
    return re.search(logbook._NEEDS_PARSER.pattern, body, re.MULTILINE) is not None


# fmt: off
LINES = [
    "## Log", "# Log", "### Log", "## log ##", "##Log", "## Notes", "# Other", "#tag", "",
    "- 2026-11-20 email: asked", "- 2026-11-20: called", "* 2026-02-30 call: bad date",
    " - 2026-01-01 visit — walk", "  - 2026-01-02 nested", "- 2026-01-03", "- not an entry",
    "-2026-01-04 no space", "+ 2026-01-05 meet - coffee", "1. 2026-01-06 ordered",
    "```", "~~~", "<div>", "text\twith a tab", "===", "---", "- ", "> - 2026-01-07 quoted",
    "- 2026-01-08 text – dash", "- 2026-01-09 email:", "plain text", "- 2026-1-10 short",
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


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("#- *+\t\n`~<>=12:.abLlogO")), max_size=60))
def test_scan_agrees_on_any_text(body: str) -> None:
    assert logbook.needs_parser(body) == needs_parser_line_by_line(body)
    assert logbook.scan_log(body, 3) == scan_line_by_line(body, 3)
