"""The boxes ticked in the index note, tied to their notes by the link's path."""

from __future__ import annotations

import html
import re
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


_TASK = re.compile(r"^\s*[-*+] \[[xX]\] (.*)$")


_ANY_TICKED = re.compile(r"^\s*[-*+] \[[xX]\] ", re.MULTILINE)  # found wherever _TASK is


_WIKI = re.compile(r"^\[\[([^\]|#]+)(?:#[^\]|]*)?(?:\|[^\]]*)?\]\]")


_MDLINK = re.compile(r"^\[(?:[^\]\\]|\\.)*\]\(<?([^)>\s]+)>?\)")


_HEADING_TO_KEY = {title.casefold(): key for key, title in SECTION_TITLES.items()}


def read_ticks(text: str) -> list[Tick]:
    """Every ticked box that links a note. Text that other tools append (`✅ DATE`) is fine."""
    if not _ANY_TICKED.search(text):  # the usual case: no line to look at
        return []
    ticks = []
    section = ""
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), 1):
        if line.startswith("## "):
            section = _HEADING_TO_KEY.get(line[3:].strip().casefold(), "")
            continue
        task = _TASK.match(line)
        if not task:
            continue
        rest = task.group(1).strip()
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
        ticks.append(Tick(path, channel, section, after.lstrip(":—").strip(), number))
    return ticks


_SUFFIX = re.compile(r"\s·\s(?:due|overdue since) \d{4}-\d{2}-\d{2}.*$")


def ticked_task_text(after_link: str) -> str:
    """The follow-up's text from what follows the link on a ticked index line."""
    text = _SUFFIX.sub("", task_text(after_link.lstrip(":").strip()))
    return html.unescape(text.replace("\\#", "#")).strip()
