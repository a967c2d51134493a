"""Free text in a note's body: add a line before Follow-ups and Log, rename wikilinks."""

from __future__ import annotations

import re
from collections import Counter

from vault_touchbase.notes.edit_rows import EditError, Rows, back_over_blanks, one_line
from vault_touchbase.notes.edit_sections import (
    check_body_edit,
    headings,
    is_followups_title,
    is_log_title,
)
from vault_touchbase.notes.log import markdown, read_log


def _heading_titles(body: str) -> list[str]:
    return [h.title for h in headings(markdown().parse(body))]


def add_body_line(text: str, line: str, paragraph: bool = False) -> str:
    """Add a free-text line to the body: before `## Follow-ups` / `## Log`, else at the end.

    It goes right after the last paragraph (after a blank line when the last
    block is a list, quote or code, or when `paragraph` asks for a new one), and
    a blank line stays before the heading.
    """
    line = one_line(line, "note line")
    notes = Rows.of(text)
    body = notes.body.split("\n")
    tokens = markdown().parse(notes.body)
    stops = [
        h.start for h in headings(tokens) if is_log_title(h.title) or is_followups_title(h.title)
    ]
    limit = stops[0] if stops else len(body)
    at = back_over_blanks(body, limit, 0)
    block = [line]
    if at > 0:
        last = [
            t
            for t in tokens
            if t.level == 0 and t.nesting >= 0 and t.map and t.map[0] < at <= t.map[1]
        ]
        if paragraph or not last or last[-1].type != "paragraph_open":
            block.insert(0, "")
    if stops and at == limit:
        block.append("")
    notes.insert_body(at, block)
    new_text = notes.text()
    check_body_edit(text, new_text, "adding a note line")
    old_body = notes.body  # `insert` changes the rows, not this copy of the old body
    if _heading_titles(Rows.of(new_text).body) != _heading_titles(old_body):
        raise EditError(f"the line {line!r} would change the note's headings", "add it by hand")
    return new_text


_WIKILINK = re.compile(r"\[\[([^\[\]|#\\\n]+?)((?:#|\\?\|)[^\[\]\n]*)?\]\]")
_CODE_SPAN = re.compile(r"(`+).*?(?<!`)\1(?!`)")


def replace_links(text: str, old: str, new: str) -> str:
    """Point body wikilinks to `old` at `new`: `[[old]]`, `[[folder/old|alias]]`, `[[old#h]]`...

    Folder, heading, alias and a `.md` suffix are kept; names match
    case-insensitively, as Obsidian resolves links. Code and plain text are not touched.
    """
    wanted = old.casefold()

    def swap(match: re.Match[str]) -> str:
        target = match.group(1)
        suffix = target[-3:] if target.lower().endswith(".md") else ""
        stem = target[: len(target) - len(suffix)]
        if stem.casefold() != wanted and not stem.casefold().endswith("/" + wanted):
            return match.group(0)
        return f"[[{stem[: len(stem) - len(old)]}{new}{suffix}{match.group(2) or ''}]]"

    def outside_code(line: str) -> str:
        pieces, done = [], 0
        for span in _CODE_SPAN.finditer(line):
            pieces += [_WIKILINK.sub(swap, line[done : span.start()]), span.group(0)]
            done = span.end()
        return "".join([*pieces, _WIKILINK.sub(swap, line[done:])])

    notes = Rows.of(text)
    tokens = markdown().parse(notes.body)
    code = {n for t in tokens if t.type in ("fence", "code_block") and t.map for n in range(*t.map)}
    for at in range(len(notes.rows) - notes.body_start):
        if at not in code:
            notes.rows[notes.body_start + at] = outside_code(notes.rows[notes.body_start + at])
    new_text = notes.text()
    old_notes, new_notes = Rows.of(text), Rows.of(new_text)
    old_log, new_log = (
        Counter((e.date, e.channel) for e in read_log(n.body, 0)[0]) for n in (old_notes, new_notes)
    )
    if (
        old_notes.front() != new_notes.front()
        or old_log != new_log
        or _heading_titles(old_notes.body) != _heading_titles(new_notes.body)
    ):
        raise EditError(
            f"renaming links to {old!r} would change more than the links",
            "rename the links by hand",
        )
    return new_text
