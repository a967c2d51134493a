"""Raw values recognised and cleaned: e-mails, phones, URLs, tags, circles and dates (pure)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

from vault_touchbase.core.model import Birthday

EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_PHONE = re.compile(r"^(?:tel:)?\+?[\d\s().\-/]{6,}(?:\s*(?:x|ext\.?)\s*\d+)?$", re.IGNORECASE)
_URL = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)
_NOT_TAG = re.compile(r"[^\w/-]+")
_NO_YEAR = {1604, 1900, 0}  # Apple's X-APPLE-OMIT-YEAR, and "no year" placeholders
_MONTHS = "%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%d.%m.%Y", "%m/%d/%Y"


def digits(phone: str) -> str:
    """The digits of a phone number, for comparing `+1 (555) 010-0100` with `+15550100100`."""
    return "".join(ch for ch in phone if ch.isdigit())


def url_key(url: str) -> str:
    """A URL without scheme, `www.` and trailing slash, casefolded (for comparing)."""
    text = re.sub(r"^[a-z]+://", "", url.strip().casefold())
    return text.removeprefix("www.").rstrip("/")


def is_phone(text: str) -> bool:
    """Whether the text reads as a phone number (at least six digits)."""
    return _PHONE.match(text.strip()) is not None and len(digits(text)) >= 6


def is_url(text: str) -> bool:
    """Whether the text is a web address (`https://...` or `www....`)."""
    return _URL.match(text.strip()) is not None


def tag_of(text: str) -> str:
    """A label as an Obsidian tag: `Design Meetup` → `design-meetup` ("" when nothing is left)."""
    text = text.strip().lstrip("*#").strip()
    return _NOT_TAG.sub("-", text.lower()).strip("-/")


def circle_of(text: str) -> str:
    """A heading or value as a circle: `Professional:` → `professional`."""
    return " ".join(text.strip().strip(":*#_").split()).lower()


def parse_birthday(text: str) -> Birthday | None:
    """`1988-04-02`, `19880402`, `--1128`, `--11-28`, `11-28`, `2 April 1988`... or None."""
    value = text.strip()
    match = re.fullmatch(r"-{0,2}(\d{2})-?(\d{2})", value)
    if match and (value.startswith("--") or "-" in value):
        month, day = int(match.group(1)), int(match.group(2))
        return Birthday(month, day) if _valid(2000, month, day) else None
    match = re.fullmatch(r"(\d{4})-?(\d{2})-?(\d{2})(?:T.*)?", value)
    if match:
        year, month, day = (int(g) for g in match.groups())
        if not _valid(year if year not in _NO_YEAR else 2000, month, day):
            return None
        return Birthday(month, day, None if year in _NO_YEAR else year)
    parsed = parse_date_text(value)
    if parsed:
        return Birthday(parsed.month, parsed.day, parsed.year)
    for form in ("%d %B", "%d %b", "%B %d", "%b %d"):
        try:
            found = datetime.strptime(value, form)
        except ValueError:
            continue
        return Birthday(found.month, found.day)
    return None


def parse_date_text(text: str) -> date | None:
    """A date as exports write it: ISO, `12 May 2023` (LinkedIn), `May 12, 2023`..."""
    value = text.strip()
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        pass
    for form in _MONTHS:
        try:
            return datetime.strptime(value, form).date()
        except ValueError:
            continue
    return None


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def clean(text: str) -> str:
    """One line of text: control characters and repeated spaces removed."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(text.split())
