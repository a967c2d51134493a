"""Log entries united: where both sides changed the Log, and the check that none is lost."""

from __future__ import annotations

import re
from collections import Counter

from vault_touchbase.notes.text import split_note

_ENTRY = re.compile(r"^ ?[-*+][ \t]+(\d{4}-\d{2}-\d{2})(?=$|[\s:–—-])")

_Entries = tuple[list[tuple[str, ...]], int]  # (entries, each its lines), blank lines


def read_entries(lines: list[str]) -> _Entries | None:
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


def copies_kept(base: int, ours: int, theirs: int) -> int:
    """How many copies of an entry the merge keeps: a side's change wins; both → the most."""
    if ours == base:
        return theirs
    return ours if theirs == base else max(ours, theirs)


def unite_entries(base: _Entries, ours: _Entries, theirs: _Entries) -> list[str]:
    """Entries either side added, less those either side removed; newest first."""
    counts = [Counter(side[0]) for side in (base, ours, theirs)]
    b, o, t = counts
    want = {entry: copies_kept(b[entry], o[entry], t[entry]) for entry in o | t}
    kept: list[tuple[str, ...]] = []
    done: Counter[tuple[str, ...]] = Counter()
    for entry in [*ours[0], *theirs[0]]:
        if done[entry] < want[entry]:
            done[entry] += 1
            kept.append(entry)
    kept.sort(key=lambda entry: _ENTRY.match(entry[0]).group(1), reverse=True)  # type: ignore[union-attr]
    return [line for entry in kept for line in entry] + [""] * ours[1]


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


def keep_entries(text: str, base: str, ours: str, theirs: str) -> tuple[str, list[str]]:
    """Make the Log hold each entry as often as the merge must keep it: add any left
    out (say, inside a callout) and drop copies the line merge doubled."""
    from vault_touchbase.notes.edit_log import add_log_entry
    from vault_touchbase.notes.edit_rows import EditError

    b, o, t = _log_keys(base), _log_keys(ours), _log_keys(theirs)
    want: Counter[tuple[object, ...]] = Counter(
        {key: copies_kept(b[key], o[key], t[key]) for key in o | t | b}
    )
    text = _drop_extra_entries(text, want)
    got = _log_keys(split_note(text).body)
    notes: list[str] = []
    for key in sorted(o | t, key=repr):
        for _ in range(copies_kept(b[key], o[key], t[key]) - got[key]):
            day, channel, said = key
            try:
                text = add_log_entry(text, day, channel, str(said))  # type: ignore[arg-type]
            except EditError:
                notes.append(f"log: the entry of {day} is only in the callout")
                break
    return text, notes
