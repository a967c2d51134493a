"""Minimal edits of the frontmatter: one top-level `key: value` line, verified by re-reading.

The YAML is never dumped: only the value on the key's line is rewritten
(keeping its quotes, comment and line end), and the result is loaded again
to check that exactly that value changed.
"""

from __future__ import annotations

import re
from datetime import date

from vault_touchbase.notes.edit_rows import EditError, Rows, is_blank
from vault_touchbase.notes.text import NotProperties, load_properties, split_note, top_level_keys

Scalar = date | str | int | bool | list[str] | None  # lists are written in flow style: [a, b]

_KEY_HEAD = re.compile(r"^(?:[^\s#\-?:][^:]*?|\"[^\"]*\"|'[^']*')[ \t]*:(?=[ \t]|$)")
_TAIL = re.compile(r"^[ \t]*(?:#.*)?$")


def _format_scalar(value: Scalar, quote: str = "") -> str:
    """`value` as a one-line YAML scalar; a string keeps the old value's quote style."""
    import yaml

    def dump(style: str | None) -> str:
        out = yaml.safe_dump(
            value,
            default_style=style,
            default_flow_style=True,
            width=float("inf"),
            allow_unicode=True,
        )
        return out.removesuffix("\n...\n").removesuffix("\n")

    if isinstance(value, str) and quote == "'" and value.isprintable():
        return "'" + value.replace("'", "''") + "'"
    out = dump('"' if isinstance(value, str) and quote == '"' else None)
    return out if len(out.splitlines()) <= 1 else dump('"')


def _quoted_end(value: str) -> int | None:
    """Index just past the closing quote of a quoted scalar at the start of `value`."""
    quote, index = value[0], 1
    while index < len(value):
        char = value[index]
        if quote == '"' and char == "\\":
            index += 2
            continue
        if char == quote:
            if quote == "'" and value[index + 1 : index + 2] == "'":
                index += 2
                continue
            return index + 1
        index += 1
    return None


def _flow_end(value: str) -> int | None:
    """Index just past the bracket that closes a flow list or mapping opened at 0."""
    depth, index = 0, 0
    while index < len(value):
        char = value[index]
        if char in "'\"":
            end = _quoted_end(value[index:])
            if end is None:
                return None
            index += end
            continue
        depth += char in "[{"
        depth -= char in "]}"
        index += 1
        if depth == 0:
            return index
    return None


def _split_value(key: str, line: str) -> tuple[str, str, str, str]:
    """`key: value  # note` as (`key:`, spaces, the value as written, spaces and comment)."""
    head = _KEY_HEAD.match(line)
    if head is None:
        raise EditError(f"cannot find where the value of `{key}` starts", f"edit `{key}` by hand")
    rest = line[head.end() :]
    value = rest.lstrip(" \t")
    gap = rest[: len(rest) - len(value)]
    if value[:1] in ("", "#"):
        return line[: head.end()], gap, "", value
    first = value[0]
    if first in "|>&!*":
        raise EditError(
            f"`{key}` uses a YAML block scalar, anchor, alias or tag, which vtb does not rewrite",
            f"write `{key}` as a plain one-line value, or edit it by hand",
        )
    if first in "'\"":
        end = _quoted_end(value)
    elif first in "[{":
        end = _flow_end(value)
    else:
        comment = re.search(r"[ \t]#", value)
        end = len(value[: comment.start() if comment else len(value)].rstrip(" \t"))
    if end is None or not _TAIL.match(value[end:]):
        raise _multi_line(key)
    return line[: head.end()], gap, value[:end], value[end:]


def _multi_line(key: str) -> EditError:
    return EditError(
        f"`{key}` spans several lines in the frontmatter; vtb only rewrites one-line values",
        f"edit `{key}` by hand, or put its value on one line (e.g. `{key}: [a, b]`)",
    )


def _mapping(front: str | None) -> dict[object, object]:
    """The frontmatter as a dict ({} when there is none) or EditError."""
    import yaml

    try:
        return load_properties(front)
    except yaml.YAMLError as exc:
        first = str(exc).split("\n", 1)[0]
        raise EditError(
            f"the frontmatter is not valid YAML ({first})", "fix it first; `vtb check` shows where"
        ) from None
    except NotProperties:
        raise EditError(
            "the frontmatter is not a list of `key: value` lines",
            "fix it first; `vtb check` shows where",
        ) from None


def set_scalar(text: str, key: str, value: Scalar) -> str:
    """Set the top-level frontmatter `key` to a one-line `value` (None removes the line).

    Changes only that line (or adds one before the closing fence, or adds a
    frontmatter block to a note without one); keeps comment, quotes, line end.
    """
    notes = Rows.of(text)
    if not notes.has_front:
        if value is None:
            return text
        notes.insert(0, ["---", f"{_format_scalar(key)}: {_format_scalar(value)}", "---"])
        return _verified_scalar(text, notes.text(), key, value)
    front = split_note(text).frontmatter or ""
    keys = top_level_keys(front, 2)
    lines = [line for name, line in keys if name == key]
    if len(lines) > 1:
        raise EditError(
            f"`{key}` appears {len(lines)} times in the frontmatter; vtb cannot tell which counts",
            f"delete all but one `{key}:` line",
        )
    if not lines:
        if value is None:
            return text
        notes.insert(notes.body_start - 1, [f"{_format_scalar(key)}: {_format_scalar(value)}"])
        return _verified_scalar(text, notes.text(), key, value)
    row = lines[0] - 1
    later = [line - 1 for _, line in keys if line - 1 > row]
    stop = later[0] if later else notes.body_start - 1
    if any(not is_blank(r) and not r.lstrip().startswith("#") for r in notes.rows[row + 1 : stop]):
        raise _multi_line(key)
    head, gap, old, tail = _split_value(key, notes.rows[row])
    if value is None:
        del notes.rows[row], notes.ends[row]
    else:
        new = _format_scalar(value, old[0] if old[:1] in ("'", '"') else "")
        # `key:` with no value (or only a comment): one space before it, the gap before the comment
        notes.rows[row] = (
            head + gap + new + tail if old else head + " " + new + (gap + tail if tail else "")
        )
    return _verified_scalar(text, notes.text(), key, value)


def _verified_scalar(old_text: str, new_text: str, key: str, value: Scalar) -> str:
    """`new_text`, after checking that only `key` changed, to `value`, and the body did not."""
    old_notes, new_notes = split_note(old_text), split_note(new_text)
    old = _mapping(old_notes.frontmatter)
    try:
        new: dict[object, object] | None = _mapping(new_notes.frontmatter)
    except EditError:  # the edit, not the note, broke the YAML
        new = None
    expected = dict(old)
    if value is None:
        expected.pop(key, None)
    else:
        expected[key] = value
    same_body = old_notes.body == new_notes.body and old_notes.bom == new_notes.bom
    if (
        new is None
        or new != expected
        or list(new) != list(expected)
        or (value is not None and type(new[key]) is not type(value))
        or not same_body
    ):
        raise EditError(
            f"setting `{key}` would change more than that one value",
            f"edit `{key}` by hand; the frontmatter may use YAML vtb does not rewrite",
        )
    return new_text
