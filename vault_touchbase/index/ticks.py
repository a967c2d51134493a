"""The boxes ticked in the index note, tied to their notes by the link's path."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import unquote

from vault_touchbase.core.settings import CHANNELS
from vault_touchbase.index.render import SECTION_TITLES
from vault_touchbase.notes.followups import task_text


@dataclass(frozen=True)
class Tick:
    """A ticked box in the index note, tied to a note by its link's path."""

    path: str  # vault-relative path of the note, with `.md`
    channel: str | None  # from the line or its section; None: the person's own channel
    section: str  # a key of SECTION_TITLES, or "" for an unknown heading
    text: str  # the task's text after the link (a follow-up's text)
    line: int


_TASK = re.compile(r"^\s*[-*+] \[([ xX])\] (.*)$")


_ANY_TICKED = re.compile(r"^\s*[-*+] \[[xX]\] ", re.MULTILINE)  # found wherever a tick is


_WIKI = re.compile(r"^\[\[([^\]|#]+)(?:#[^\]|]*)?(?:\|[^\]]*)?\]\]")


_MDLINK = re.compile(r"^\[(?:[^\]\\]|\\.)*\]\(<?([^)>\s]+)>?\)")


_HEADING_TO_KEY = {title.casefold(): key for key, title in SECTION_TITLES.items()}


def _task_lines(lines: list[str]) -> Iterator[tuple[int, bool, Tick]]:
    """Every task line that links a note: (0-based index, ticked?, the box as a Tick)."""
    section = ""
    for index, line in enumerate(lines):
        if line.startswith("## "):
            section = _HEADING_TO_KEY.get(line[3:].strip().casefold(), "")
            continue
        task = _TASK.match(line)
        if not task:
            continue
        rest = task.group(2).strip()
        found = _WIKI.match(rest) or _MDLINK.match(rest)
        if not found:
            continue
        target = unquote(found.group(1)) if found.re is _MDLINK else found.group(1)
        path = target if target.endswith(".md") else target + ".md"
        after = rest[found.end() :].strip()
        channel = section if section in CHANNELS else None
        word = re.match(r"^—\s*(\w+)\s*(?:·|$)", after)
        if word and word.group(1).lower() in CHANNELS:
            channel = word.group(1).lower()
        tick = Tick(path, channel, section, after.lstrip(":—").strip(), index + 1)
        yield index, task.group(1) != " ", tick


def read_ticks(text: str) -> list[Tick]:
    """Every ticked box that links a note. Text that other tools append (`✅ DATE`) is fine."""
    if not _ANY_TICKED.search(text):  # the usual case: no line to look at
        return []
    lines = text.replace("\r\n", "\n").split("\n")
    return [tick for _, ticked, tick in _task_lines(lines) if ticked]


def keep_ticked(text: str, waiting: Iterable[Tick]) -> str:
    """The index note's new text with the boxes of `waiting` ticked again: ticks that
    could not be logged yet (a read-only or broken note) stay ticked until they can be,
    rather than being dropped by the rebuild. A box matches by its note's path and
    section, and a follow-up also by its task's text."""
    wanted = {(t.path, t.section, _task_key(t)) for t in waiting}
    if not wanted:
        return text
    lines = text.split("\n")
    for index, ticked, tick in list(_task_lines(lines)):
        if not ticked and (tick.path, tick.section, _task_key(tick)) in wanted:
            lines[index] = lines[index].replace("[ ]", "[x]", 1)
    return "\n".join(lines)


def _task_key(tick: Tick) -> str:
    return ticked_task_text(tick.text) if tick.section == "followups" else ""


_SUFFIX = re.compile(r"\s·\s(?:due|overdue since) \d{4}-\d{2}-\d{2}.*$")


def ticked_task_text(after_link: str) -> str:
    """The follow-up's text from what follows the link on a ticked index line."""
    text = _SUFFIX.sub("", task_text(after_link.lstrip(":").strip()))
    return html.unescape(text.replace("\\#", "#")).strip()
