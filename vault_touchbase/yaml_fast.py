"""A fast reader for the simple frontmatter most notes have, exact or silent.

Almost every contact note's frontmatter is one `key: value` line per
property, with plain words, dates, numbers, quoted text and one-line
`[a, b]` / `{first: A, last: B}` collections. For exactly that subset,
`load_simple` gives what PyYAML's safe C loader gives (YAML 1.1: `yes` is
True, `2026-11-26` a date, `~` None), at a fraction of the cost; for
anything else — block lists, multi-line values, anchors, tags, escapes,
tabs, odd characters, numbers other than plain decimals, timestamps with a
time — it returns `NOT_SIMPLE` and `note.load_yaml` uses PyYAML. So PyYAML
stays the one parser of record: this only answers when the answer is certain.
`tests/test_yaml_fast.py` checks with hypothesis that both always agree, and
that the resolver table below is PyYAML's own.
"""

from __future__ import annotations

import re
import sys
from datetime import date
from typing import Any, Final

NOT_SIMPLE: Final = object()

# PyYAML's implicit resolvers (yaml/resolver.py, YAML 1.1), by first character.
_BOOL = re.compile(
    r"""^(?:yes|Yes|YES|no|No|NO
                    |true|True|TRUE|false|False|FALSE
                    |on|On|ON|off|Off|OFF)$""",
    re.X,
)
_FLOAT = re.compile(
    r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
                    |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
                    |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
                    |[-+]?\.(?:inf|Inf|INF)
                    |\.(?:nan|NaN|NAN))$""",
    re.X,
)
_INT = re.compile(
    r"""^(?:[-+]?0b[0-1_]+
                    |[-+]?0[0-7_]+
                    |[-+]?(?:0|[1-9][0-9_]*)
                    |[-+]?0x[0-9a-fA-F_]+
                    |[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$""",
    re.X,
)
_MERGE = re.compile(r"^(?:<<)$")
_NULL = re.compile(
    r"""^(?: ~
                    |null|Null|NULL
                    | )$""",
    re.X,
)
_TIMESTAMP = re.compile(
    r"""^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
                    |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
                     (?:[Tt]|[ \t]+)[0-9][0-9]?
                     :[0-9][0-9] :[0-9][0-9] (?:\.[0-9]*)?
                     (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$""",
    re.X,
)
_VALUE = re.compile(r"^(?:=)$")
_YAML = re.compile(r"^(?:!|&|\*)$")
_T = "tag:yaml.org,2002:"
RESOLVERS: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
for _tag, _regexp, _first in [
    ("bool", _BOOL, "yYnNtTfFoO"),
    ("float", _FLOAT, "-+0123456789."),
    ("int", _INT, "-+0123456789"),
    ("merge", _MERGE, "<"),
    ("null", _NULL, ["~", "n", "N", ""]),
    ("timestamp", _TIMESTAMP, "0123456789"),
    ("value", _VALUE, "="),
    ("yaml", _YAML, "!&*"),
]:
    for _ch in _first:
        RESOLVERS.setdefault(_ch, []).append((_T + _tag, _regexp))

_BOOLS = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False}
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
# Only printable characters YAML reads the same way everywhere: no tabs, no CR or
# other line breaks (NEL, U+2028/9), no BOM, no controls or surrogates.
_UNSAFE = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
_KEY_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_.\-]*):(?:[ ]+(.*))?")
_PLAIN_START = frozenset("-?:,[]{}#&*!|>'\"%@`")
_FLOW_ITEM = re.compile(r"""[^\s\-?:,\[\]{}#&*!|>'"%@`][^,\[\]{}:#'"]*""")
_SIMPLE_QUOTED = {'"': re.compile(r'"([^"\\]*)"'), "'": re.compile(r"'([^']*)'")}


class _Decline(Exception):
    """The text is outside the simple subset: let PyYAML read it."""


def load_simple(text: str) -> Any:
    """The frontmatter as PyYAML's safe loader reads it, or NOT_SIMPLE."""
    if _UNSAFE.search(text):
        return NOT_SIMPLE
    result: dict[Any, Any] | None = None
    try:
        for line in text.split("\n"):
            if not line.strip(" ") or line[0] == "#":
                continue
            match = _KEY_LINE.fullmatch(line)
            if match is None:
                return NOT_SIMPLE
            key = _scalar(match.group(1))
            if not isinstance(key, str):
                return NOT_SIMPLE
            if result is None:
                result = {}
            result[sys.intern(key)] = _value(match.group(2) or "")  # the same few keys everywhere
    except _Decline:
        return NOT_SIMPLE
    return result


def _without_comment(text: str) -> str:
    """`text` up to a ` #` comment, stripped."""
    text = text.strip(" ")
    if text.startswith("#"):
        return ""
    cut = text.find(" #")
    return (text[:cut] if cut >= 0 else text).rstrip(" ")


def _value(raw: str) -> Any:
    text = raw.strip(" ")
    if not text or text[0] == "#":
        return None
    first = text[0]
    if first in _SIMPLE_QUOTED:
        match = _SIMPLE_QUOTED[first].match(text)
        if match is None or not _ends_ok(text, match.end()):
            raise _Decline
        return match.group(1)
    if first == "[":
        return _flow(text, "]", _flow_items)
    if first == "{":
        return _flow(text, "}", _flow_pairs)
    value = _without_comment(text)
    if value[0] in _PLAIN_START or ": " in value or value.endswith(":"):
        raise _Decline
    return _scalar(value)


def _ends_ok(text: str, end: int) -> bool:
    """After a closing quote or bracket: nothing, or spaces and a comment."""
    rest = text[end:]
    return not rest or (rest[0] == " " and (not rest.strip(" ") or rest.strip(" ")[0] == "#"))


def _flow(text: str, close: str, read: Any) -> Any:
    end = text.find(close)
    if end < 0 or not _ends_ok(text, end + 1):
        raise _Decline
    return read(text[1:end])


def _flow_item(item: str) -> Any:
    item = item.strip(" ")
    if item and item[0] in _SIMPLE_QUOTED:
        match = _SIMPLE_QUOTED[item[0]].fullmatch(item)
        if match is None:
            raise _Decline
        return match.group(1)
    if not _FLOW_ITEM.fullmatch(item):
        raise _Decline
    return _scalar(item)


def _flow_items(inner: str) -> list[Any]:
    if not inner.strip(" "):
        return []
    return [_flow_item(item) for item in inner.split(",")]


def _flow_pairs(inner: str) -> dict[Any, Any]:
    pairs: dict[Any, Any] = {}
    if not inner.strip(" "):
        return pairs
    for pair in inner.split(","):
        key, sep, value = pair.partition(": ")
        if not sep:
            raise _Decline
        name = _flow_item(key)
        if not isinstance(name, str) or not key.strip(" ") or key.rstrip(" ") != key:
            raise _Decline
        pairs[name] = _flow_item(value)
    return pairs


def _scalar(value: str) -> Any:
    """A plain scalar resolved as PyYAML does; only str, None, bool, int and date are built."""
    for tag, regexp in RESOLVERS.get(value[:1], ()):
        if regexp.match(value):
            kind = tag[len(_T) :]
            break
    else:
        return value
    if kind == "null":
        return None
    if kind == "bool":
        return _BOOLS[value.lower()]
    if kind == "int" and _DECIMAL.fullmatch(value) and len(value) < 20:
        return int(value)
    if kind == "timestamp":
        match = _DATE.fullmatch(value)
        if match:
            try:
                return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            except ValueError:
                pass  # PyYAML raises here: let it, with its own message
    raise _Decline
