"""The user's Now.md: the pieces under `## News` (and which ones a person has not heard) and
the user's own needs under `## Needs`."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vault_touchbase.core.errors import VtbError
from vault_touchbase.core.model import Contact
from vault_touchbase.core.templates import NOW_PATH

if TYPE_CHECKING:
    from vault_touchbase.vault.folder import Vault

NEWS_MARK = re.compile(r"\(news:\s*([^)]*)\)", re.IGNORECASE)
_HEADING = re.compile(r"^#{1,6}\s")
_ITEM = re.compile(r"^\s{0,3}[-*+]\s+(?:\[[ xX]\]\s+)?(.+?)\s*$")


@dataclass(frozen=True)
class NewsPiece:
    """One reusable piece of the user's news: `- label: text` under `## News` in Now.md."""

    label: str
    text: str


def section_items(text: str, title: str) -> list[str]:
    """The list items under every heading named `title` (any level, any case), each until
    the next heading: `- [ ] ` boxes and the marker left out."""
    heading = re.compile(rf"^#{{1,6}}\s+{re.escape(title)}\s*#*\s*$", re.IGNORECASE)
    items: list[str] = []
    inside = False
    for line in text.replace("\r\n", "\n").split("\n"):
        if _HEADING.match(line):
            inside = bool(heading.match(line.strip()))
            continue
        item = _ITEM.match(line) if inside else None
        if item:
            items.append(item.group(1))
    return items


def parse_news(text: str) -> list[NewsPiece]:
    """The list items under the `## News` heading (until the next heading)."""
    pieces: list[NewsPiece] = []
    for whole in section_items(text, "news"):
        label, colon, rest = whole.partition(":")
        if colon and rest.strip() and len(label.split()) <= 6:
            pieces.append(NewsPiece(_clean_label(label), rest.strip()))
        else:  # no label: the first words stand for it
            pieces.append(NewsPiece(_clean_label(" ".join(label.split()[:3])), whole))
    return [p for p in pieces if p.label and p.text]


def _clean_label(label: str) -> str:
    """A label as it can sit inside `(news: a, b)`: no commas or brackets."""
    return " ".join(re.sub(r"[(),\[\]]", " ", label).split()).lower()


def is_placeholder(piece: NewsPiece) -> bool:
    """A piece still as `vtb init` wrote it (`I started working on ...`), or any piece
    that ends in a blank to fill in (`… ...`): never put into an email."""
    from vault_touchbase.core.templates import NOW_NEWS_PLACEHOLDER

    text = piece.text.rstrip()
    return text == NOW_NEWS_PLACEHOLDER or text.endswith((" ...", " …"))


def read_now(vault: Vault) -> str:
    """The text of the vault's Now.md; empty when it is missing."""
    from vault_touchbase.vault.store import read_limited

    try:  # as long as a note may be; InputRefused (a folder, a device, too long) is said as is
        data = read_limited(vault.path_of(NOW_PATH), vault.settings.max_note_bytes, NOW_PATH)
        return data.decode("utf-8-sig")
    except FileNotFoundError:
        return ""
    except (OSError, UnicodeDecodeError) as exc:
        raise VtbError(f"cannot read {NOW_PATH}: {exc}", "save it as UTF-8 text") from None


def read_news(vault: Vault) -> list[NewsPiece]:
    """The pieces in the vault's Now.md; none when it is missing."""
    return parse_news(read_now(vault))


def parse_needs(text: str) -> list[str]:
    """The user's own needs: the list items under `## Needs`, each one need, without
    the placeholder `vtb init` writes or any item ending in a blank to fill in (`...`)."""
    from vault_touchbase.core.templates import NOW_NEEDS_PLACEHOLDER

    needs = [" ".join(item.split()) for item in section_items(text, "needs")]
    return [
        need
        for need in dict.fromkeys(needs)
        if need != NOW_NEEDS_PLACEHOLDER and not need.endswith((" ...", " …", "..."))
    ]


def read_needs(vault: Vault) -> list[str]:
    """The needs in the vault's Now.md; none when it is missing."""
    return parse_needs(read_now(vault))


def heard(contact: Contact) -> set[str]:
    """Labels of the news this person has heard: `(news: a, b)` in their Log entries."""
    found: set[str] = set()
    for entry in contact.log:
        for match in NEWS_MARK.finditer(entry.text):
            found |= {_clean_label(label) for label in match.group(1).split(",")}
    return found - {""}


def choose_news(pieces: Sequence[NewsPiece], contact: Contact, count: int) -> list[NewsPiece]:
    """Up to `count` pieces this person has not heard, those closest to what we know of
    them first (tags, needs, offers, their Log), then in Now.md's order."""
    from vault_touchbase.features.terms import words

    known = heard(contact)
    fresh = [p for p in pieces if p.label not in known]
    context = " ".join(
        [contact.circle, *contact.tags, *contact.needs, *contact.offers, contact.summary]
        + [e.text for e in contact.log[:5]]
        + [contact.path.rsplit("/", 1)[0] if "/" in contact.path else ""]
    )
    theirs = set(words(context.replace("-", " ")))

    def overlap(piece: NewsPiece) -> int:
        return len(theirs & set(words(f"{piece.label} {piece.text}")))

    ranked = sorted(enumerate(fresh), key=lambda pair: (-overlap(pair[1]), pair[0]))
    return [piece for _, piece in ranked[: max(count, 0)]]
