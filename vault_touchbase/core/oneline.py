"""Text on one safe line: what every Log line, header and harvested subject is made of."""

from __future__ import annotations

import re
import unicodedata

# Control characters (but a tab), line and paragraph separators (U+2028...), and the
# bidirectional marks and overrides that make text show other than it reads. Other
# format characters (a soft hyphen, the joiner emoji need) are the text's own.
_UNSAFE_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _unsafe(ch: str) -> bool:
    return ch in _BIDI or (unicodedata.category(ch) in _UNSAFE_CATEGORIES and ch != "\t")


def single_line(text: str, *, squeeze: bool = False) -> str:
    """`text` as one line: line breaks, control characters (terminal escapes, bells) and
    bidi marks and overrides become spaces, and the ends are trimmed; the rest is kept as
    written (a Log entry's own spacing). `squeeze`: every run of whitespace one space
    too (headers, harvested subjects)."""
    if not text.isprintable():
        text = "".join(" " if _unsafe(ch) else ch for ch in text)
    return " ".join(text.split()) if squeeze else text.strip()


def shortened(line: str, cap: int) -> str:
    """`line` at most `cap` characters, cut at a word where one is near, with `…`."""
    if len(line) <= cap:
        return line
    cut = line[: cap - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > cap * 2 // 3 else cut).rstrip() + "…"


# What makes Markdown in Obsidian reach out or link: an image or embed (`![`), a wikilink
# (`[[`), HTML and autolinks (`<`), a tag (`#word`). Each gets a backslash before it.
_ACTIVE = re.compile(r"!(?=\[)|\[(?=\[)|<|(?<!\S)#(?=[^\s#])")


def inert_markdown(line: str) -> str:
    """A line from outside the vault (a mail's subject, an event's summary) as Markdown
    that shows just its words: no remote image, embed, wikilink, HTML or tag comes alive
    in Obsidian (`![x](http://…)` stays text). Ordinary brackets stay as they are."""
    return _ACTIVE.sub(lambda m: "\\" + m.group(0), line)
