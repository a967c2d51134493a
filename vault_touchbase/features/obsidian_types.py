"""Obsidian property types (`.obsidian/types.json`) for vtb's keys, added by a minimal edit."""

from __future__ import annotations

import json
from collections.abc import Iterable

from vault_touchbase.core.model import Contact
from vault_touchbase.core.settings import Settings

TYPES = {
    "last_contacted": "date",
    "snooze_until": "date",
    "offers": "multitext",
    "needs": "multitext",
    "aliases": "aliases",
    "tags": "tags",
    "nearby": "checkbox",
    "paused": "checkbox",
    "cadence": "text",
    "channel": "text",
    "circle": "text",
}
"""vtb's fields and Obsidian's type for each. `birthday` is left out on purpose: vtb reads
`MM-DD` (a birthday without a year), which Obsidian's `date` type shows as invalid."""
UNTYPED_DIALECTS = ("cadence",)
"""Fields whose other tools' keys get no type: `prm-cadence` holds a number of days."""
LINK_KEYS = ("last_contact",)
"""Other tools' keys that often hold a link, not a date: contacts-ng writes
`last_contact: "[[2024-03-15]]"` (its daily note), which a `date` type shows as invalid."""
_ONLY_OWN = {"tags", "aliases"}  # Obsidian gives these types to its own key only


class BrokenTypes(ValueError):
    """The file is no JSON object with a `types` object: vtb leaves it alone."""


def wanted_types(settings: Settings, contacts: Iterable[Contact]) -> dict[str, str]:
    """Key → type for vtb's keys, the keys of the settings' `[aliases]` and the other
    tools' keys (dialects) the notes use for the same fields."""
    used: dict[str, set[str]] = {}
    for contact in contacts:
        for canonical, key in contact.keys.items():
            used.setdefault(canonical, set()).add(key)
    wanted: dict[str, str] = {}
    for canonical, kind in TYPES.items():
        wanted[canonical] = kind
        others = set(settings.key_aliases.get(canonical, ()))
        if canonical not in UNTYPED_DIALECTS:
            others |= used.get(canonical, set())
        for key in settings.keys_for(canonical):
            if key in others and key not in wanted and key not in LINK_KEYS:
                wanted[key] = "multitext" if kind in _ONLY_OWN else kind
    return wanted


def new_types_text(wanted: dict[str, str]) -> str:
    """A new `types.json` as Obsidian writes it: two spaces of indent, no final newline."""
    return json.dumps({"types": wanted}, indent=2, ensure_ascii=False)


def merge_types(text: str, wanted: dict[str, str]) -> tuple[str, list[str]]:
    """`text` (a `types.json`) with the keys of `wanted` it does not type yet added at the
    end of its `types` object; every other character kept. Returns the new text and the
    keys added (none: `text` itself). Raises BrokenTypes for a file that is no JSON object
    or whose `types` is no object."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise BrokenTypes(f"it is not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise BrokenTypes("it is not a JSON object")
    types = data.get("types", {})
    if not isinstance(types, dict):
        raise BrokenTypes('its "types" is not a JSON object')
    add = {key: kind for key, kind in wanted.items() if key not in types}
    if not add:
        return text, []
    entries = [_entry(key, kind) for key, kind in add.items()]
    top_open, top_close, members = _object_at(text, _skip_space(text, 0))
    spans = [span for key, span in members if key == "types"]
    if spans:  # JSON takes the last of duplicate keys; so does this
        start, end = spans[-1]
        new = text[:start] + _with_members(text, start, end - 1, entries) + text[end:]
    else:
        inner = _line_indent(text, top_open) + _unit(text)
        member = '"types": ' + _fresh_object(text, inner, entries)
        new = (
            text[:top_open]
            + _with_members(text, top_open, top_close, [member])
            + text[top_close + 1 :]
        )
    if json.loads(new) != {**data, "types": {**types, **add}}:  # pragma: no cover - a bug
        raise BrokenTypes("vtb could not add its types without changing others")
    return new, list(add)


def _entry(key: str, kind: str) -> str:
    return json.dumps(key, ensure_ascii=False) + ": " + json.dumps(kind)


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    return i


def _skip_string(text: str, i: int) -> int:
    """The index after the string starting at `i` (a `"`)."""
    i += 1
    while text[i] != '"':
        i += 2 if text[i] == "\\" else 1
    return i + 1


def _skip_value(text: str, i: int) -> int:
    """The index after the JSON value starting at `i` (the text is valid JSON)."""
    if text[i] == '"':
        return _skip_string(text, i)
    if text[i] in "{[":
        depth = 0
        while True:
            char = text[i]
            if char == '"':
                i = _skip_string(text, i)
                continue
            if char in "{[":
                depth += 1
            elif char in "}]":
                depth -= 1
                if depth == 0:
                    return i + 1
            i += 1
    while i < len(text) and text[i] not in ",}] \t\r\n":
        i += 1
    return i


def _object_at(text: str, i: int) -> tuple[int, int, list[tuple[str, tuple[int, int]]]]:
    """The object starting at `i`: its `{` and `}` and each member's key and value span."""
    members: list[tuple[str, tuple[int, int]]] = []
    open_at = i
    i = _skip_space(text, i + 1)
    while text[i] != "}":
        key_end = _skip_string(text, i)
        key = json.loads(text[i:key_end])
        start = _skip_space(text, _skip_space(text, key_end) + 1)  # past the `:`
        end = _skip_value(text, start)
        members.append((key, (start, end)))
        i = _skip_space(text, end)
        if text[i] == ",":
            i = _skip_space(text, i + 1)
    return open_at, i, members


def _line_indent(text: str, i: int) -> str:
    """The whitespace that starts the line holding index `i`."""
    start = text.rfind("\n", 0, i) + 1
    end = start
    while end < len(text) and text[end] in " \t":
        end += 1
    return text[start:end]


def _unit(text: str) -> str:
    """One level of indent as the file uses it (two spaces, as Obsidian writes, if none)."""
    for line in text.splitlines()[1:]:
        stripped = line.lstrip(" \t")
        if stripped and len(stripped) < len(line):
            return line[: len(line) - len(stripped)]
    return "  "


def _fresh_object(text: str, indent: str, entries: list[str]) -> str:
    """A new object holding `entries`, on a line indented `indent`, laid out like the file
    (on one line if the file is one line)."""
    if "\n" not in text.strip():
        return "{" + ", ".join(entries) + "}"
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = [indent + _unit(text) + entry for entry in entries]
    return "{" + newline + ("," + newline).join(lines) + newline + indent + "}"


def _with_members(text: str, open_at: int, close_at: int, entries: list[str]) -> str:
    """The object `text[open_at:close_at + 1]` with `entries` added after its last member."""
    inside = text[open_at + 1 : close_at]
    if not inside.strip():
        return _fresh_object(text, _line_indent(text, open_at), entries)
    last = open_at + 1 + len(inside.rstrip())
    if "\n" not in inside:
        addition = "".join(", " + entry for entry in entries)
    else:
        first = _skip_space(text, open_at + 1)
        indent = _line_indent(text, first)
        newline = "\r\n" if "\r\n" in text else "\n"
        addition = "".join("," + newline + indent + entry for entry in entries)
    return text[open_at:last] + addition + text[last : close_at + 1]
