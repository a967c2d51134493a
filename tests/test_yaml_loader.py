"""The lean loader gives exactly what `yaml.CSafeLoader` gives: values, types, errors.

A differential test: the same document through both, compared with types (so `1`
and `True` differ) and, for a broken document, the same exception type and message.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from vault_touchbase.notes.text import split_note
from vault_touchbase.notes.yaml_loader import (
    MAX_EXPANDED_NODES,
    AliasExpansionError,
    check_expansion,
    load_yaml,
)

EXAMPLE = Path(__file__).parent.parent / "example-vault"


def canon(value: Any) -> Any:
    """A value with its types spelled out, comparable with ==, NaN included."""
    if isinstance(value, dict):
        return ("dict", [(canon(k), canon(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [canon(v) for v in value])
    if isinstance(value, float):
        return ("float", repr(value))
    if isinstance(value, (set, tuple)):
        return (type(value).__name__, sorted(repr(canon(v)) for v in value))
    return (type(value).__name__, repr(value))


def outcome(load: Any, text: str) -> Any:
    try:
        return ("ok", canon(load(text)))
    except Exception as exc:  # noqa: BLE001 - comparing whatever each one raises
        return ("error", type(exc).__name__, str(exc))


def reference(text: str) -> Any:
    return yaml.load(text, Loader=yaml.CSafeLoader)  # noqa: S506 - a safe loader


def assert_same(text: str) -> None:
    assert outcome(load_yaml, text) == outcome(reference, text), text


EDGE_CASES = [
    "",
    "# only a comment",
    "name: Jane Doe\nemail: jane@example.com",
    "last_contacted: 2026-10-12\nsnooze_until: '2026-12-01'",
    "when: 2026-10-12 10:30:00\nzone: 2026-10-12T10:30:00+02:00",
    "bad_day: 2026-02-30",
    "zip: 01234\nhex: 0x1F\nsexagesimal: 1:30\nbig: 1_000",
    "yes_no: [yes, no, on, off, y, n, true, False, NO]",
    "nulls: [~, null, Null, '']\nempty:",
    "floats: [.inf, -.Inf, .nan, 1e3, 6.8523015e+5, 1.0]",
    "aliases: &a [1, 2]\nagain: *a",
    "base: &b {x: 1}\nmerged:\n  <<: *b\n  y: 2",
    "tagged: !!str 12\nbinary: !!binary aGVsbG8=",
    "py: !!python/object:os.system ls",
    "local: !mine thing",
    "set: !!set {a, b}\nomap: !!omap [a: 1, b: 2]",
    "? [a, b]\n: unhashable",
    "? {a: 1}\n: unhashable",
    "dup: 1\ndup: 2",
    "= : value key",
    "key: [unclosed",
    "key: 'unclosed",
    "  indented: wrong\nback: here",
    "a:\n\t- tab",
    "list:\n  - a\n  - b: c\n    d: [e, {f: g}]",
    "multi: |\n  line one\n  line two\nfolded: >\n  a\n  b",
    'emoji: 🙂\nquote: "\\u00e9\\n"',
    "- a\n- b",
    "just a string",
    "--- \nfirst\n---\nsecond",
    "name: {first: Jane, last: Doe}\nEMAIL[HOME]: a@b.c",
    'last_contact: "[[2024-03-15]]"\nboss: [[Bob]]',
    "1: int key\n2026-01-01: date key\nnull: null key\ntrue: bool key",
    "anchor_only: &x 5\nuse: *x\nmore: *x",
    "recursive: &r [*r]",
    "&top\nkey: value",
    "a: b: c",
    "%YAML 1.1\n---\nkey: v",
    "%TAG ! tag:example.com,2000:\n---\nk: !x v",
]


@pytest.mark.parametrize("text", EDGE_CASES)
def test_edge_cases_match_csafeloader(text: str) -> None:
    assert_same(text)


@pytest.mark.parametrize("first", [chr(c) for c in range(33, 127)] + ["é", "Ž", "日", "\u00a0"])
def test_a_plain_value_types_as_csafeloader_types_it_whatever_its_first_character(
    first: str,
) -> None:
    """The resolver returns a str at once for a plain value whose first character none of
    PyYAML's implicit resolvers looks at: the same values as CSafeLoader, either way."""
    for rest in ("", "1", "00", "rue", "ull", "es", "o", ".5", "2026-01-01", " x"):
        assert_same(f"key: {first}{rest}\nlist: [{first}{rest}]")


def test_every_example_vault_frontmatter_matches() -> None:
    notes = sorted(EXAMPLE.rglob("*.md"))
    assert len(notes) > 30
    for path in notes:
        front = split_note(path.read_text(encoding="utf-8")).frontmatter
        if front is not None:
            assert_same(front)


KEYS = st.sampled_from(
    ["name", "email", "tags", "cadence", "last_contacted", "nearby", "a", "b", "<<", "=", "1"]
)
PLAIN = st.sampled_from(
    [
        "Jane",
        "2026-10-12",
        "2026-13-01",
        "12:30",
        "01234",
        "0o17",
        "yes",
        "No",
        "~",
        "null",
        "3.5",
        ".nan",
        "-.inf",
        "1e5",
        "+12",
        "0x1f",
        "true",
        "on",
        "2026-10-12 10:30:00",
        "2026-10-12T10:30:00Z",
        "a b c",
        "[[Bob]]",
        "'quoted'",
        '"dq \\t"',
        "",
        "*a",
        "&a x",
        "!!str 5",
        "!!int x",
        "!!float 3",
        "!!bool yes",
        "!!binary aGk=",
        "!local v",
        "[1, 2]",
        "{x: 1}",
        "[unclosed",
        "'bad",
        "- item",
        "|",
        ">",
        "@at",
        "`tick",
        "%",
        "#c",
        ": x",
        "&a [1, *a]",
        "!!timestamp 2026-01-01",
        "!!null ''",
        "!!set {a}",
        "? x",
    ]
)


@st.composite
def documents(draw: Any) -> str:
    lines = []
    for _ in range(draw(st.integers(1, 8))):
        key = draw(KEYS)
        indent = " " * draw(st.sampled_from([0, 0, 0, 2, 4, 1]))
        shape = draw(st.integers(0, 4))
        if shape == 0:
            lines.append(f"{indent}{key}: {draw(PLAIN)}")
        elif shape == 1:
            items = ", ".join(draw(st.lists(PLAIN, max_size=4)))
            lines.append(f"{indent}{key}: [{items}]")
        elif shape == 2:
            lines.append(f"{indent}{key}:")
            for item in draw(st.lists(PLAIN, min_size=1, max_size=3)):
                lines.append(f"{indent}  - {item}")
        elif shape == 3:
            lines.append(f"{indent}{key}: &{draw(st.sampled_from('ab'))} {draw(PLAIN)}")
        else:
            lines.append(f"{indent}{draw(PLAIN)}")
    return draw(st.sampled_from(["\n", "\r\n"])).join(lines)


@settings(max_examples=1500, deadline=None)
@given(documents())
def test_generated_documents_match_csafeloader(text: str) -> None:
    assert_same(text)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab:-[]{}&*!|>'\"#,? \n\t0123456789.~"))))
def test_random_text_matches_csafeloader(text: str) -> None:
    assert_same(text)


def test_an_alias_is_the_same_object_as_its_anchor() -> None:
    data = load_yaml("a: &x [1]\nb: *x")
    assert data["a"] is data["b"]  # type: ignore[index]


def bomb(levels: int) -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]" for n in range(1, levels)]
    return "\n".join(lines)


def test_an_alias_bomb_is_refused_with_its_line() -> None:
    text = bomb(12)  # 9**12 items if expanded: building or walking it would never end
    with pytest.raises(yaml.YAMLError) as caught:
        load_yaml(text)
    assert isinstance(caught.value, AliasExpansionError)
    assert caught.value.problem_mark.line == 4  # type: ignore[union-attr]  # a4: 9**5 items
    assert "more than 10,000" in str(caught.value)


def test_aliases_under_the_bound_load_as_csafeloader_does() -> None:
    text = bomb(4)  # 9**4 = 6,561 leaves: under the bound
    assert_same(text)
    assert len(load_yaml(text)["a3"][0][0]) == 9  # type: ignore[index]


def test_the_bound_counts_each_node_once_and_cycles_as_one() -> None:
    check_expansion(yaml.compose("a: &r [*r, *r]\nb: *r"), limit=10)  # a cycle: no expansion
    with pytest.raises(AliasExpansionError):
        check_expansion(yaml.compose("a: &r [1, 2, 3]\nb: [*r, *r, *r]"), limit=10)


def test_an_alias_bomb_note_is_a_problem_at_its_line() -> None:
    from vault_touchbase.core.settings import Settings
    from vault_touchbase.notes.parse import parse_note

    data = ("---\nname: Bomb\n" + bomb(12) + "\n---\n# Bomb\n").encode()
    contact, problems = parse_note("contacts/Bomb.md", data, Settings())
    assert contact is None
    assert [(p.line, p.severity) for p in problems] == [(7, "error")]
    assert "frontmatter refused" in problems[0].message and "&" in problems[0].hint


def test_dates_and_scalars_keep_their_types() -> None:
    data = load_yaml("d: 2026-10-12\nn: 5\nb: yes\ns: '5'")
    assert data == {"d": datetime.date(2026, 10, 12), "n": 5, "b": True, "s": "5"}
    assert type(data["n"]) is int and type(data["b"]) is bool  # type: ignore[index]


def test_the_merge_driver_refuses_an_alias_bomb_at_once() -> None:
    from vault_touchbase.features.merge import MergeError
    from vault_touchbase.features.merge.note import merge_note

    base = "---\nname: B\n---\n## Log\n"
    theirs = "---\nname: B\n" + bomb(12) + "\n---\n## Log\n- 2026-10-01 call: x\n"
    ours = "---\nname: B\nemail: b@example.com\n---\n## Log\n"
    with pytest.raises(MergeError, match="more than 10,000"):  # then a textual merge
        merge_note(base, ours, theirs)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=12), min_size=1, max_size=8))
def test_nested_anchors_load_exactly_when_their_expansion_is_under_the_bound(
    fanouts: list[int],
) -> None:
    lines = ["k0: &a0 x"]
    sizes = [1]  # nodes of each value `a0`, `a1`, ... with its aliases expanded
    for n, fanout in enumerate(fanouts, start=1):
        lines.append(f"k{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * fanout) + "]")
        sizes.append(1 + fanout * sizes[-1])
    text = "\n".join(lines)
    total = 1 + len(sizes) + sum(sizes)  # the mapping, its keys, its values expanded
    if total > MAX_EXPANDED_NODES:
        with pytest.raises(AliasExpansionError):
            load_yaml(text)
    else:
        assert_same(text)
