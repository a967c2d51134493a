"""Touches in daily notes: lines of `Daily/YYYY-MM-DD.md` that link a contact (SPEC §11).

`daily_proposals(root, folders, directory, since, today)` returns a `SourceRead`: iterate
it for the `Proposal`s; its `skipped` then lists the notes that could not be read.

- **Notes**: the files named `YYYY-MM-DD.md` (a real date) in each folder, at any depth
  (`Daily/2026/11/2026-11-10.md` too; hidden folders such as `.trash` left out), dated
  from `since` to `today`; no other file is read, nor a note of another day. The body
  only (links in the frontmatter are properties, not touches); a note that is not UTF-8
  text is listed in `skipped`.
- **Lines**: each line of a paragraph, a list item (a done task too, not an open one:
  it is yet to happen), a quote or a table's cell that links a contact
  (`Directory.by_link`; headings are titles, not touches): `[[Cleo Poe]]`, an alias,
  `[[contacts/Cleo Poe|Cleo]]`, `[[Cleo Poe#Log]]`. Read with markdown-it and a small
  wikilink rule, so a link in a code span or a fenced block is no link; an embed
  (`![[Cleo Poe]]`) is not a touch either. Each contact once per line.
- **Channel**: from the line's words where clear: `call` (called, phoned, rang, call,
  phone...), `meet` (met, coffee, lunch, dinner, visited...), `email` (emailed, wrote,
  mailed...); words of two of them, or none, give `note`.
- **Text**: the line with links as their display text (`Cleo` for `[[Cleo Poe|Cleo]]`),
  Markdown marks and a trailing block id (`^abc`) gone, one line, capped.
- **Once only**: the source id is the note's path from the vault's root and a hash of
  the line's text (`Daily/2026-11-10.md#3f2a9c0d1e2b`), so moving a line keeps its id and
  editing it makes a new one.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Iterator
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vault_touchbase.core.errors import VtbError
from vault_touchbase.core.model import Contact
from vault_touchbase.features.harvest.found import (
    Directory,
    Progress,
    Proposal,
    Skipped,
    SourceRead,
    one_line,
    words_of,
)
from vault_touchbase.notes.text import NoteSyntaxError, decode, split_note
from vault_touchbase.vault.store import read_limited

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

MAX_DAILY_BYTES = 4 * 1024 * 1024
"""The largest daily note read (a day's journal with pasted text stays well under it)."""

_NAME = re.compile(r"(\d{4})-(\d{2})-(\d{2})\.md")
_BLOCK_ID = re.compile(r"\s\^[A-Za-z0-9-]+\s*$")
_CHANNELS = {
    "call": {"called", "call", "calls", "phoned", "phone", "rang", "facetimed", "zoom"},
    "meet": {
        "met",
        "meet",
        "coffee",
        "lunch",
        "lunched",
        "dinner",
        "breakfast",
        "brunch",
        "drinks",
        "visited",
        "visit",
        "saw",
        "walk",
    },
    "email": {"emailed", "email", "mailed", "wrote"},
}


def daily_proposals(
    root: Path,
    folders: Iterable[Path],
    directory: Directory,
    since: date,
    today: date,
    on_progress: Progress | None = None,
) -> SourceRead:
    """The touches in the daily notes of `folders` (in the vault at `root`; relative
    folders are taken from it) with the contacts of `directory`, from `since` to
    `today`; see the module's docstring for the rules."""
    read = SourceRead(iter(()))
    wanted = [folder if folder.is_absolute() else root / folder for folder in folders]
    read.proposals = _proposals(root, wanted, directory, since, today, on_progress, read)
    return read


def daily_notes(folders: Iterable[Path], since: date, today: date) -> list[tuple[date, Path]]:
    """The daily notes in `folders` (any depth, hidden folders left out) dated from
    `since` to `today`, oldest first; only their names are looked at."""
    found: dict[Path, date] = {}
    for top in folders:
        for folder, dirs, files in os.walk(top):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            for name in files:
                match = _NAME.fullmatch(name)
                if match is None:
                    continue
                try:
                    day = date(*map(int, match.groups()))
                except ValueError:  # 2026-02-30.md is no day
                    continue
                if since <= day <= today:
                    found[Path(folder, name)] = day
    return sorted((day, path) for path, day in found.items())


def _proposals(
    root: Path,
    folders: list[Path],
    directory: Directory,
    since: date,
    today: date,
    on_progress: Progress | None,
    read: SourceRead,
) -> Iterator[Proposal]:
    for folder in folders:
        if not folder.is_dir():
            read.skipped.append(Skipped(_relative(folder, root), "no such folder"))
    notes = daily_notes(folders, since, today)
    for done, (day, path) in enumerate(notes, 1):
        shown = _relative(path, root)
        try:
            body = split_note(decode(read_limited(path, MAX_DAILY_BYTES, shown))).body
        except NoteSyntaxError as exc:
            read.skipped.append(Skipped(shown, one_line(f"line {exc.line}: {exc.message}", 200)))
        except (OSError, VtbError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else str(exc)
            read.skipped.append(Skipped(shown, one_line(reason or type(exc).__name__, 200)))
        else:
            for line, people in linked_lines(body, directory):
                digest = hashlib.sha256(line.encode("utf-8")).hexdigest()[:12]
                channel = channel_of(line)
                for contact in people:
                    yield Proposal(
                        contact.path,
                        contact.name,
                        day,
                        channel,
                        one_line(line),
                        f"{shown}#{digest}",
                        f"daily {shown}",
                    )
        if on_progress is not None:
            on_progress(done, len(notes))


def _relative(path: Path, root: Path) -> str:
    """The note's path from the vault's root with `/` (as given when it is outside)."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def channel_of(line: str) -> str:
    """`call`, `meet` or `email` when the line's words say which, else `note`."""
    said = set(words_of(line))
    channels = [channel for channel, words in _CHANNELS.items() if said & words]
    return channels[0] if len(channels) == 1 else "note"


def linked_lines(text: str, directory: Directory) -> list[tuple[str, tuple[Contact, ...]]]:
    """Each line of the note's paragraphs, list items and table cells that links
    contacts: its text (links as their display text) and the contacts, each once.
    Headings are titles, not touches; an open task (`- [ ] call [[Cleo Poe]]`) is yet
    to be done, so neither counts (nor anything nested in an open task)."""
    found: list[tuple[str, tuple[Contact, ...]]] = []
    if "[[" not in text:  # no link at all: no Markdown parse (most days of a journal)
        return found
    open_tasks: list[bool] = []  # per list item we are in: is it an unticked task?
    heading = False
    row: list[tuple[list[str], list[str]]] | None = None  # a table row's cells, as one line
    for token in _markdown().parse(text):
        kind = token.type
        if kind == "list_item_open":
            open_tasks.append(token.meta.get("checked") is False)
        elif kind == "list_item_close":
            open_tasks.pop()
        elif kind in ("heading_open", "heading_close"):
            heading = kind == "heading_open"
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close":
            cells = row or []
            pieces = [piece for cell, _ in cells for piece in (*cell, " ")]
            _add_line(found, directory, pieces, [t for _, targets in cells for t in targets])
            row = None
        if kind != "inline" or heading or any(open_tasks):
            continue
        if row is not None:
            row += _split_lines(token.children or [])
        elif "[[" in token.content:
            for pieces, targets in _split_lines(token.children or []):
                _add_line(found, directory, pieces, targets)
    return found


def _add_line(
    found: list[tuple[str, tuple[Contact, ...]]],
    directory: Directory,
    pieces: list[str],
    targets: list[str],
) -> None:
    """Append the line of these pieces with the contacts its link targets name, if any."""
    if not targets:
        return
    people = {c.path: c for c in map(directory.by_link, targets) if c is not None}
    line = _BLOCK_ID.sub("", " ".join("".join(pieces).split()))
    if people and line:
        found.append((line, tuple(people.values())))


def _split_lines(children: list[Any]) -> list[tuple[list[str], list[str]]]:
    """An inline token's children cut at its line breaks: each line's text pieces and
    the targets of the wikilinks in it."""
    lines: list[tuple[list[str], list[str]]] = [([], [])]
    for child in children:
        pieces, targets = lines[-1]
        if child.type in ("softbreak", "hardbreak"):
            lines.append(([], []))
        elif child.type == "wikilink":
            pieces.append(child.content)
            if not child.meta["embed"]:
                targets.append(child.meta["target"])
        elif child.type in ("text", "code_inline", "image"):  # an image: its alt text
            pieces.append(child.content)
    return lines


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    """CommonMark with tables, strikethrough and a wikilink rule (`[[target#h|shown]]`)."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"tasklists": True}).enable(["table", "strikethrough"])
    md.inline.ruler.before("link", "wikilink", _wikilink)
    return md


_LINK = re.compile(r"\[\[([^\[\]\n]+?)\]\]")


def _wikilink(state: Any, silent: bool) -> bool:
    """markdown-it inline rule: `[[target]]`, `[[target|shown]]`, `[[target\\|shown]]` (in
    a table), `[[target#heading]]`; a `!` before it makes it an embed."""
    if not state.src.startswith("[[", state.pos):
        return False
    match = _LINK.match(state.src, state.pos)
    if match is None or match.end() > state.posMax:
        return False
    if not silent:
        inner = match.group(1)
        target, bar, shown = inner.replace("\\|", "|").partition("|")
        embed = state.pos > 0 and state.src[state.pos - 1] == "!"
        if embed and state.pending.endswith("!"):
            state.pending = state.pending[:-1]
        token = state.push("wikilink", "", 0)
        token.content = shown.strip() if bar else _display(target)
        token.meta = {"target": target.strip(), "embed": embed}
    state.pos = match.end()
    return True


def _display(target: str) -> str:
    """What Obsidian shows for `[[target]]`: the file name, with its `#heading` or `^block`
    as `name > heading`."""
    page, _, heading = target.partition("#")
    name = page.strip().rsplit("/", 1)[-1].removesuffix(".md")
    heading = heading.strip().lstrip("^")
    return f"{name} > {heading}" if heading and name else (name or heading)
