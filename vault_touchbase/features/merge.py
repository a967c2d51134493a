"""The git merge driver's logic: a three-way merge of one note. Pure: text in, text out.

`merge_note(base, ours, theirs)` merges a contact note so that two devices
that each logged touches never see a conflict:

- the frontmatter, key by key against the base: a key changed (or added, or
  deleted) on one side only takes that side; `last_contacted` (and its
  dialect keys) takes the newer date; lists are united in order; a real clash
  (two different values) keeps OURS and records theirs as `conflict_<key>`;
- the body, line by line like `git merge-file` (a diff3 over difflib's
  matches). Where both sides changed the same spot: Log entries are united
  (newest first, exact duplicates once), lines that both sides only added are
  all kept, and anything else keeps OURS' lines followed by an Obsidian
  callout holding theirs (`> [!warning] vtb merge: ...`).

The result starts from OURS' text: its BOM, its line ends (CRLF or LF), its
fences, and the raw lines of every key it keeps, comments included. A value
taken from theirs is copied as they wrote it; nothing is dumped through a
YAML dumper. The merged frontmatter is re-read and checked against what the
merge meant; every Log entry the merge must keep is checked to be there.
`merge_index` merges the generated index note, keeping every tick.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from difflib import SequenceMatcher
from typing import TYPE_CHECKING

from vault_touchbase.core.errors import NoteError
from vault_touchbase.core.settings import DIALECT_KEYS
from vault_touchbase.index.merge import MergeResult
from vault_touchbase.notes.parse import CALLOUT_MARK, CONFLICT_PREFIX
from vault_touchbase.notes.text import (
    NoteSyntaxError,
    NotProperties,
    load_properties,
    split_note,
    top_level_keys,
)

if TYPE_CHECKING:
    pass

CALLOUT = f"{CALLOUT_MARK}: the other device's version"
CALLOUT_DELETED = "> (the other device deleted these lines)"
DATE_KEYS: tuple[str, ...] = DIALECT_KEYS["last_contacted"]

_ENTRY = re.compile(r"^ ?[-*+][ \t]+(\d{4}-\d{2}-\d{2})(?=$|[\s:–—-])")
_KEY_HEAD = re.compile(r"^(?:[^\s#\-?:][^:]*?|\"[^\"]*\"|'[^']*')[ \t]*:(?=[ \t]|$)")
_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


class MergeError(NoteError):
    """A side cannot be merged entry by entry (e.g. its YAML is broken): merge it as text."""


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING = _Missing()


# --- the whole note --------------------------------------------------------------------


def merge_note(
    base: str, ours: str, theirs: str, date_keys: Collection[str] = DATE_KEYS
) -> MergeResult:
    """Merge three versions of a contact note (decoded text; `base` is "" when both added it).

    Raises MergeError when a side cannot be read as a note (unclosed or broken
    frontmatter): the caller then falls back to a textual merge.
    """
    if ours == theirs or theirs == base:
        return MergeResult(ours)
    if ours == base:
        return MergeResult(theirs)
    b, o, t = (
        _split(text, side) for text, side in ((base, "base"), (ours, "ours"), (theirs, "theirs"))
    )
    front, expected, clashes = _merge_front(b, o, t, date_keys)
    body, body_clashes = merge_body(b.body, o.body, t.body)
    if front and body == [""] and not o.after_fence:
        body = []  # the note ends at its closing fence, with no line end
    lines = [*front, *body]
    text = "\n".join(lines)
    _check_front(text, expected)
    text, lost = _keep_entries(text, b.body, o.body, t.body)
    clashes += body_clashes + lost
    if o.crlf:
        text = text.replace("\n", "\r\n")
    return MergeResult(("\ufeff" if o.bom else "") + text, clashes)


@dataclass(frozen=True)
class _Side:
    fences: tuple[str, str] | None  # the opening and closing fence lines, as written
    front: list[str] | None  # the lines between the fences
    body: str
    bom: bool
    crlf: bool
    after_fence: bool  # a line end follows the closing fence


def _split(text: str, side: str) -> _Side:
    try:
        parts = split_note(text)
    except NoteSyntaxError as exc:
        raise MergeError(f"{side}: {exc.message}", exc.hint) from None
    if parts.frontmatter is None:
        return _Side(None, None, parts.body, parts.bom, parts.crlf, True)
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").split("\n")
    fence = parts.body_line - 2
    return _Side(
        (lines[0], lines[fence]),
        lines[1:fence],
        parts.body,
        parts.bom,
        parts.crlf,
        len(lines) > fence + 1,
    )


def _check_front(text: str, expected: dict[str, object]) -> None:
    """The merged frontmatter must read back as exactly the mapping the merge meant."""
    parts = split_note(text)
    got = _mapping(parts.frontmatter, "the merged note")
    if _canon(got) != _canon(expected):
        raise MergeError(
            "the merged frontmatter does not read back as intended",
            "merge this note by hand",
        )


# --- frontmatter ---------------------------------------------------------------------


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


def _merge_front(
    b: _Side, o: _Side, t: _Side, date_keys: Collection[str]
) -> tuple[list[str], dict[str, object], list[str]]:
    """OURS' frontmatter lines (with fences) after the merge, the mapping they must read
    as, and the clashes."""
    base, ours, theirs = (
        _Front.read(s.front, n) for s, n in ((b, "base"), (o, "ours"), (t, "theirs"))
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
    if o.fences is None and not lines:
        return [], expected, clashes
    opening, closing = o.fences or ("---", "---")
    return [opening, *lines, closing], expected, clashes


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


# --- the body: diff3 -------------------------------------------------------------------


@dataclass(frozen=True)
class Chunk:
    """A stretch of the three versions: `stable` when all three agree."""

    base: list[str]
    ours: list[str]
    theirs: list[str]
    stable: bool


def _matches(a: list[str], b: list[str]) -> dict[int, int]:
    """Line i of `a` → its matching line of `b` (a monotone matching)."""
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return {blk.a + k: blk.b + k for blk in matcher.get_matching_blocks() for k in range(blk.size)}


def diff3(base: list[str], ours: list[str], theirs: list[str]) -> list[Chunk]:
    """Cut three versions of a text into stable chunks (equal in all three) and changed ones."""
    to_ours, to_theirs = _matches(base, ours), _matches(base, theirs)
    chunks: list[Chunk] = []
    i = a = b = 0
    while True:
        run = 0
        while (
            i + run < len(base)
            and to_ours.get(i + run) == a + run
            and to_theirs.get(i + run) == b + run
        ):
            run += 1
        if run:
            chunks.append(Chunk(base[i : i + run], ours[a : a + run], theirs[b : b + run], True))
            i, a, b = i + run, a + run, b + run
        anchor = i
        while anchor < len(base) and not (anchor in to_ours and anchor in to_theirs):
            anchor += 1
        if anchor < len(base):
            na, nb = to_ours[anchor], to_theirs[anchor]
        else:
            na, nb = len(ours), len(theirs)
        if (anchor, na, nb) == (i, a, b):
            if anchor >= len(base):
                return chunks
            continue
        chunks.append(Chunk(base[i:anchor], ours[a:na], theirs[b:nb], False))
        i, a, b = anchor, na, nb


def merge_body(base: str, ours: str, theirs: str) -> tuple[list[str], list[str]]:
    """The merged body as lines (join with "\\n") and its clashes, from LF texts."""
    out: list[str] = []
    clashes: list[str] = []
    gap_after = False
    for chunk in diff3(base.split("\n"), ours.split("\n"), theirs.split("\n")):
        callout: list[str] | None = None
        if chunk.stable or chunk.ours == chunk.theirs or chunk.theirs == chunk.base:
            lines = chunk.ours
        elif chunk.ours == chunk.base:
            lines = chunk.theirs
        else:
            lines, callout = _resolve(chunk)
        for line in lines:
            if gap_after and line.strip():
                out.append("")
            gap_after = False
            out.append(line)
        if callout is not None:
            if out and out[-1].strip():
                out.append("")
            out += [CALLOUT, *(("> " + x if x.strip() else ">") for x in callout)]
            if not callout:
                out.append(CALLOUT_DELETED)
            gap_after = True
            clashes.append(
                f"body: both devices changed the same lines; this device's are kept, the "
                f"other's are in a `{CALLOUT_MARK}` callout"
            )
    return out, clashes


def _resolve(chunk: Chunk) -> tuple[list[str], list[str] | None]:
    """Both sides changed this chunk: the lines to keep, and their lines for a callout."""
    if not chunk.base:
        return _both_added(chunk.ours, chunk.theirs), None
    beside = _beside(chunk.base, chunk.ours, chunk.theirs) or _line_by_line(chunk)
    if beside is not None:
        return beside, None
    entries = [_entries(lines) for lines in (chunk.base, chunk.ours, chunk.theirs)]
    if all(e is not None for e in entries):
        base, ours, theirs = entries
        return _unite_entries(base, ours, theirs), None  # type: ignore[arg-type]
    return chunk.ours, chunk.theirs


def _beside(base: list[str], ours: list[str], theirs: list[str]) -> list[str] | None:
    """One side only added lines right before or after the lines the other side changed
    (git calls that a conflict): the change, with the added lines beside it."""
    size = len(base)
    for changed, added in ((ours, theirs), (theirs, ours)):
        if len(added) > size and added[:size] == base:
            return changed + added[size:]
        if len(added) > size and added[-size:] == base:
            return added[:-size] + changed
    return None


def _line_by_line(chunk: Chunk) -> list[str] | None:
    """Neighbouring lines each changed on one side only (git calls that a conflict):
    each line from the side that changed it. None when a line changed on both sides."""
    if not len(chunk.base) == len(chunk.ours) == len(chunk.theirs):
        return None
    out = []
    for base, ours, theirs in zip(chunk.base, chunk.ours, chunk.theirs, strict=True):
        if ours != base and theirs != base and ours != theirs:
            return None
        out.append(theirs if ours == base else ours)
    return out


def _both_added(ours: list[str], theirs: list[str]) -> list[str]:
    """Lines both sides added at one spot: what they share once, the rest of both."""
    out: list[str] = []
    a = b = 0
    matcher = SequenceMatcher(None, ours, theirs, autojunk=False)
    for blk in matcher.get_matching_blocks():
        mine, other = ours[a : blk.a], theirs[b : blk.b]
        found = (_entries(mine), _entries(other))
        if mine and other and found[0] is not None and found[1] is not None:
            out += _unite_entries(([], 0), found[0], found[1])
        else:
            out += mine + other
        out += ours[blk.a : blk.a + blk.size]
        a, b = blk.a + blk.size, blk.b + blk.size
    return out


_Entries = tuple[list[tuple[str, ...]], int]  # (entries, each its lines), blank lines


def _entries(lines: list[str]) -> _Entries | None:
    """The lines as Log entries (an item line and its indented continuation lines) and
    blank lines; None when any other line is among them."""
    entries: list[tuple[str, ...]] = []
    blanks = 0
    for line in lines:
        if _ENTRY.match(line):
            entries.append((line,))
        elif not line.strip():
            blanks += 1
        elif line[:1] in " \t" and entries:
            entries[-1] = (*entries[-1], line)
        else:
            return None
    return entries, blanks


def _count(base: int, ours: int, theirs: int) -> int:
    """How many copies of an entry the merge keeps: a side's change wins; both → the most."""
    if ours == base:
        return theirs
    return ours if theirs == base else max(ours, theirs)


def _unite_entries(base: _Entries, ours: _Entries, theirs: _Entries) -> list[str]:
    """Entries either side added, less those either side removed; newest first."""
    counts = [Counter(side[0]) for side in (base, ours, theirs)]
    b, o, t = counts
    want = {entry: _count(b[entry], o[entry], t[entry]) for entry in o | t}
    kept: list[tuple[str, ...]] = []
    done: Counter[tuple[str, ...]] = Counter()
    for entry in [*ours[0], *theirs[0]]:
        if done[entry] < want[entry]:
            done[entry] += 1
            kept.append(entry)
    kept.sort(key=lambda entry: _ENTRY.match(entry[0]).group(1), reverse=True)  # type: ignore[union-attr]
    return [line for entry in kept for line in entry] + [""] * ours[1]


# --- every Log entry kept --------------------------------------------------------------


def _log_keys(body: str) -> Counter[tuple[object, ...]]:
    from vault_touchbase.notes.log import read_log

    entries, _ = read_log(body, 1)
    return Counter((e.date, e.channel, e.text) for e in entries)


def _drop_extra_entries(text: str, want: Counter[tuple[object, ...]]) -> str:
    """Remove later copies of entries the line merge doubled (both sides added the same
    entries in another order, so one copy sat on each side of a common line)."""
    from vault_touchbase.notes.log import read_log

    parts = split_note(text)
    found, _ = read_log(parts.body, 1)
    seen: Counter[tuple[object, ...]] = Counter()
    drop: set[int] = set()
    for entry in sorted(found, key=lambda e: e.line):
        key = (entry.date, entry.channel, entry.text)
        seen[key] += 1
        if seen[key] > want[key]:
            drop.add(parts.body_line - 1 + entry.line - 1)
    if not drop:
        return text
    lines = text.split("\n")
    return "\n".join(line for index, line in enumerate(lines) if index not in drop)


def _keep_entries(text: str, base: str, ours: str, theirs: str) -> tuple[str, list[str]]:
    """Make the Log hold each entry as often as the merge must keep it: add any left
    out (say, inside a callout) and drop copies the line merge doubled."""
    from vault_touchbase.notes.edit_log import add_log_entry
    from vault_touchbase.notes.edit_rows import EditError

    b, o, t = _log_keys(base), _log_keys(ours), _log_keys(theirs)
    want: Counter[tuple[object, ...]] = Counter(
        {key: _count(b[key], o[key], t[key]) for key in o | t | b}
    )
    text = _drop_extra_entries(text, want)
    got = _log_keys(split_note(text).body)
    notes: list[str] = []
    for key in sorted(o | t, key=repr):
        for _ in range(_count(b[key], o[key], t[key]) - got[key]):
            day, channel, said = key
            try:
                text = add_log_entry(text, day, channel, str(said))  # type: ignore[arg-type]
            except EditError:
                notes.append(f"log: the entry of {day} is only in the callout")
                break
    return text, notes


# --- the index note ----------------------------------------------------------------------
