"""The frontmatter's three-way merge, key by key, written into OURS' own lines."""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime

from vault_touchbase.features.merge import MergeError
from vault_touchbase.notes.parse import CONFLICT_PREFIX
from vault_touchbase.notes.text import (
    NotProperties,
    load_properties,
    split_note,
    top_level_keys,
)

_KEY_HEAD = re.compile(r"^(?:[^\s#\-?:][^:]*?|\"[^\"]*\"|'[^']*')[ \t]*:(?=[ \t]|$)")
_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING = _Missing()


def merge_frontmatter(
    base_lines: list[str] | None,
    ours_lines: list[str] | None,
    theirs_lines: list[str] | None,
    fences: tuple[str, str] | None,
    date_keys: Collection[str],
) -> tuple[list[str], dict[str, object], list[str]]:
    """The merged frontmatter: OURS' lines (inside OURS' `fences`) after the merge, the
    mapping they must read as, and the clashes. Each side comes as the lines between
    its fences, None when it has no frontmatter."""
    base, ours, theirs = (
        _Front.read(lines, side)
        for lines, side in ((base_lines, "base"), (ours_lines, "ours"), (theirs_lines, "theirs"))
    )
    expected = dict(ours.meta)
    plan = _Plan()
    clashes: list[str] = []
    theirs_value: dict[str, object] = {}  # clashed key → their value
    keys = [*ours.order, *(k for k in theirs.order if k not in ours.meta)]
    keys += [k for k in [*ours.meta, *theirs.meta] if k not in keys]
    for key in keys:
        bv, ov, tv = base.value(key), ours.value(key), theirs.value(key)
        if _same(ov, tv) or _same(tv, bv):
            continue
        if _same(ov, bv) or ov is MISSING:  # changed on their side only, or kept over a delete
            _take(key, ours, theirs, plan, expected)
            continue
        if tv is MISSING:  # they deleted what we changed: ours is kept
            continue
        if key in date_keys and (od := _as_date(ov)) and (td := _as_date(tv)):
            if td > od:
                _take(key, ours, theirs, plan, expected)
            continue
        united = _united(bv, ov, tv)
        if united is not None:
            _set_list(key, ours, united, plan)
            expected[key] = united
            continue
        theirs_value[key] = tv
        clashes.append(
            f"{key}: kept {_show(ov)}; the other device's {_show(tv)} is in {_conflict_key(key)}"
        )
    for key, value in theirs_value.items():
        _record_clash(key, ours, theirs, plan)
        expected[_conflict_key(key)] = value
    lines = _apply(ours, plan)
    if fences is None and not lines:
        return [], expected, clashes
    opening, closing = fences or ("---", "---")
    return [opening, *lines, closing], expected, clashes


def check_frontmatter(text: str, expected: dict[str, object]) -> None:
    """The merged frontmatter must read back as exactly the mapping the merge meant."""
    parts = split_note(text)
    got = _mapping(parts.frontmatter, "the merged note")
    if _canon(got) != _canon(expected):
        raise MergeError(
            "the merged frontmatter does not read back as intended",
            "merge this note by hand",
        )


@dataclass
class _Front:
    """One side's frontmatter: its lines, values, and each key's line span."""

    lines: list[str]
    meta: dict[str, object]
    order: list[str]
    spans: dict[str, tuple[int, int]]  # key → [first line, end) in `lines`
    doubled: set[str]  # keys written more than once

    @classmethod
    def read(cls, lines: list[str] | None, side: str) -> _Front:
        if lines is None:
            return cls([], {}, [], {}, set())
        front = "\n".join(lines)
        meta = _mapping(front, side)
        found = top_level_keys(front, 0)
        starts = sorted(line for _, line in found)
        spans: dict[str, tuple[int, int]] = {}
        order: list[str] = []
        doubled: set[str] = set()
        for key, start in found:
            if key in order:
                doubled.add(key)
                continue
            order.append(key)
            later = [s for s in starts if s > start]
            limit = later[0] if later else len(lines)
            end = start + 1
            while end < limit and _continues(lines, end, limit):
                end += 1
            spans[key] = (start, end)
        return cls(lines, meta, order, spans, doubled)

    def value(self, key: str) -> object:
        return self.meta.get(key, MISSING)

    def block(self, key: str) -> list[str]:
        start, end = self.spans[key]
        return self.lines[start:end]


def _continues(lines: list[str], index: int, limit: int) -> bool:
    """True when line `index` still belongs to the value of the key above it."""

    def inner(line: str) -> bool:
        return bool(line.strip()) and (line[0] in " \t" or (line[0] == "-" and line[:3] != "---"))

    if inner(lines[index]):
        return True
    # a blank line or a comment at column 0 belongs to the value only when more of it follows
    for later in lines[index + 1 : limit]:
        if inner(later):
            return True
        if later.strip() and not later.startswith("#"):
            return False
    return False


def _mapping(front: str | None, side: str) -> dict[str, object]:
    try:
        data = load_properties(front)
    except NotProperties:
        raise MergeError(f"{side}: the frontmatter is not a set of properties") from None
    except Exception as exc:  # yaml.YAMLError; yaml is imported lazily
        first = str(exc).split("\n", 1)[0]
        raise MergeError(f"{side}: the frontmatter is not valid YAML ({first})") from None
    return {str(key): value for key, value in data.items()}


def _canon(value: object) -> object:
    """A value made comparable without Python's `1 == True == 1.0` and `date == datetime` blur."""
    if isinstance(value, dict):
        return {str(k): _canon(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canon(v) for v in value]
    return (type(value).__name__, value)


def _same(a: object, b: object) -> bool:
    return _canon(a) == _canon(b)


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip()).date()
        except ValueError:
            return None
    return None


def _as_list(value: object) -> list[object] | None:
    if value is MISSING or value is None:
        return []
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return None
    return [value]


def _united(base: object, ours: object, theirs: object) -> list[object] | None:
    """Both sides' items in order, without those either side removed; None: not lists."""
    if not (isinstance(ours, list) or isinstance(theirs, list)):
        return None
    b, o, t = _as_list(base), _as_list(ours), _as_list(theirs)
    if b is None or o is None or t is None:
        return None
    gone = [x for x in b if not any(_same(x, y) for y in o) or not any(_same(x, y) for y in t)]
    out: list[object] = []
    for item in [*o, *t]:
        if not any(_same(item, g) for g in gone) and not any(_same(item, y) for y in out):
            out.append(item)
    return out


@dataclass
class _Plan:
    """What the frontmatter merge does to OURS' lines."""

    replace: dict[str, list[str]] = field(default_factory=dict)  # key → its new lines ([] deletes)
    insert: dict[str, tuple[int, list[str]]] = field(default_factory=dict)  # key → (line, lines)


def _show(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _conflict_key(key: str) -> str:
    return CONFLICT_PREFIX + key


def _editable(front: _Front, key: str) -> None:
    if key in front.doubled or (key in front.meta and key not in front.spans):
        raise MergeError(f"`{key}` appears more than once in the frontmatter", "merge it by hand")


def _take(key: str, ours: _Front, theirs: _Front, plan: _Plan, expected: dict[str, object]) -> None:
    """Their value of `key`, copied as they wrote it (or deleted, as they did)."""
    _editable(ours, key)
    if key in theirs.meta:
        _editable(theirs, key)
        new = theirs.block(key)
        expected[key] = theirs.meta[key]
    else:
        new = []
        expected.pop(key, None)
    if key in ours.spans:
        plan.replace[key] = new
    elif new:
        plan.insert[key] = (_place(key, ours, theirs), new)


def _place(key: str, ours: _Front, theirs: _Front) -> int:
    """Where a key new to OURS goes: after the key that comes before it in theirs."""
    index = theirs.order.index(key) if key in theirs.order else len(theirs.order)
    for before in reversed(theirs.order[:index]):
        if before in ours.spans:
            return ours.spans[before][1]
    return 0 if index == 0 and ours.order else len(ours.lines)


def _set_list(key: str, ours: _Front, items: list[object], plan: _Plan) -> None:
    """`key: [a, b]` in place of OURS' value (one line, written by `edit.set_scalar`)."""
    from vault_touchbase.notes.edit_frontmatter import set_scalar
    from vault_touchbase.notes.edit_rows import EditError

    _editable(ours, key)
    block = ours.block(key) if key in ours.spans else [f"{_yaml_key(key)}:"]
    try:
        mini = set_scalar("---\n" + "\n".join(block) + "\n---\n", key, items)  # type: ignore[arg-type]
    except EditError:  # a block list or a multi-line value: rewritten as one flow list
        head = _KEY_HEAD.match(block[0])
        start = head.group(0) if head else f"{_yaml_key(key)}:"
        try:
            mini = set_scalar(f"---\n{start}\n---\n", key, items)  # type: ignore[arg-type]
        except EditError as exc:
            raise MergeError(f"cannot write the united `{key}`: {exc.message}") from None
    new = mini.split("\n")[1:-2]
    if key in ours.spans:
        plan.replace[key] = new
    else:
        plan.insert[key] = (len(ours.lines), new)


def _yaml_key(key: str) -> str:
    return key if _PLAIN_KEY.match(key) else json.dumps(key, ensure_ascii=False)


def _record_clash(key: str, ours: _Front, theirs: _Front, plan: _Plan) -> None:
    """Their lines of `key`, renamed `conflict_<key>`, after OURS' `key` (or in place of an
    older `conflict_<key>`)."""
    _editable(theirs, key)
    block = theirs.block(key)
    head = _KEY_HEAD.match(block[0])
    if head is None:
        raise MergeError(f"cannot find where `{key}` starts in the other version")
    name = _conflict_key(key)
    renamed = [f"{_yaml_key(name)}:{block[0][head.end() :]}", *block[1:]]
    if name in ours.spans:
        _editable(ours, name)
        plan.replace[name] = renamed
    else:
        _editable(ours, key)
        plan.insert[name] = (ours.spans[key][1], renamed)


def _apply(ours: _Front, plan: _Plan) -> list[str]:
    starts = {ours.spans[key][0]: key for key in plan.replace}
    inserts: dict[int, list[str]] = {}
    for at, lines in plan.insert.values():
        inserts.setdefault(at, []).extend(lines)
    out: list[str] = []
    index = 0
    while index <= len(ours.lines):
        out += inserts.get(index, [])
        if index == len(ours.lines):
            break
        if index in starts:
            key = starts[index]
            out += plan.replace[key]
            index = ours.spans[key][1]
            continue
        out.append(ours.lines[index])
        index += 1
    return out
