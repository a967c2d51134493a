"""Maildir folders and mbox files read into `Mail` records: who wrote to whom, when, about what.

Only headers are read (the standard library's `mailbox` finds the messages,
`email`'s `BytesHeaderParser` with `policy.default` reads each one's header block,
at most `MAX_HEADER_BYTES`); bodies are never read past the blank line that ends
the headers, so memory is bounded by one message's headers. Bulk mail
(`List-Id`, `Precedence: bulk/list/junk`, `Auto-Submitted`) is counted and left
out; a message without a readable sender or date is counted as unparsable.

What was read is kept per source in `.vtb/harvest/` (`features/harvest/state.py`):
a Maildir by file name, an mbox by size, mtime and the number of messages read.
"""

from __future__ import annotations

import mailbox
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.policy import default
from email.utils import getaddresses, parsedate_to_datetime
from hashlib import blake2b
from pathlib import Path
from typing import Literal, Protocol

MAX_HEADER_BYTES = 256 * 1024
"""Headers beyond this are not read (a message's header block is a few kilobytes)."""
MAX_TEXT = 120
"""The longest subject kept as a Log entry's text."""
_LINE_LIMIT = 64 * 1024  # one header line read at most this long at a time
FIELDS = frozenset(
    b"from to cc date subject message-id list-id list-unsubscribe precedence auto-submitted".split()
)
"""The header fields harvest reads; no other is even given to the parser."""
_BULK_PRECEDENCE = {"bulk", "list", "junk"}
_SPACES = re.compile(r"\s+")
_DROPPED = {"Cc", "Cf", "Zl", "Zp"}  # controls (newlines, escapes), bidi overrides, separators

Progress = Callable[[int, int], None]


class _Lines(Protocol):
    def readline(self, size: int = -1, /) -> bytes: ...


Kind = Literal["mail", "bulk", "bad"]


@dataclass(frozen=True, slots=True)
class Mail:
    """One message, as harvest needs it: its id, when, who wrote it and to whom, its subject."""

    message_id: str
    when: float  # POSIX time
    day: date  # the local date it was sent
    sender: str  # lower case
    recipients: tuple[str, ...]  # To and Cc, lower case
    subject: str  # one line, cleaned (`one_line`)


@dataclass
class MailRead:
    """What one source gave: its messages, and how many were bulk or unparsable."""

    source: str
    mails: list[Mail]
    bulk: int = 0
    unparsable: int = 0


def one_line(text: str, limit: int = MAX_TEXT) -> str:
    """`text` made safe for one Log line: control and format characters (newlines,
    escapes, bidi overrides) gone, whitespace runs as one space, at most `limit` long."""
    if not text.isprintable():  # only then look at each character (most subjects are)
        text = "".join(
            (" " if ch.isspace() else "") if unicodedata.category(ch) in _DROPPED else ch
            for ch in text
        )
    cleaned = _SPACES.sub(" ", text).strip()
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1].rstrip() + "…"


def header_block(handle: _Lines) -> bytes:
    """The fields harvest reads (`FIELDS`, with their folded lines) of the header block of
    the message `handle` reads: up to the first blank line, and at most `MAX_HEADER_BYTES`
    (the rest of a huge header, and the body, are never read). Leaving out the others
    (`Received:`, DKIM...) before `email` parses the block is most of harvest's speed."""
    lines: list[bytes] = []
    size = 0
    keep = False
    while size < MAX_HEADER_BYTES:
        line = handle.readline(_LINE_LIMIT)
        if not line or line in (b"\n", b"\r\n"):
            break
        size += len(line)
        if line[:1] not in (b" ", b"\t"):  # a field's first line, else a folded one
            keep = line.partition(b":")[0].strip().lower() in FIELDS
        if keep:
            lines.append(line)
    return b"".join(lines)


def _addresses(message: EmailMessage, name: str) -> list[str]:
    """The addresses in every `name` field, lower case (`email.utils.getaddresses`: the
    header registry's full parse of each address costs three times as much)."""
    values = [str(value) for key, value in message.raw_items() if key.lower() == name]
    return [_text(spec).strip().lower() for _, spec in getaddresses(values) if "@" in spec]


def _raw(message: EmailMessage, name: str) -> str:
    """The first `name` field's value as written (unfolded by `email`, not parsed)."""
    return next((str(value) for key, value in message.raw_items() if key.lower() == name), "")


def _date(message: EmailMessage) -> datetime | None:
    """The `Date:` field read by `email.utils.parsedate_to_datetime` (what the header
    registry's date header uses, without building one); None when it is no date."""
    try:
        return parsedate_to_datetime(_raw(message, "date").strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _text(value: str) -> str:
    """`value` without the surrogates `email` decodes raw 8-bit header bytes to (UTF-8
    read as such, anything else replaced), so every text harvest keeps encodes."""
    if value.isascii():
        return value
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def is_bulk(message: EmailMessage) -> bool:
    """Mailing-list, bulk and automatic mail: never a touch."""
    if message.get("List-Id") is not None or message.get("List-Unsubscribe") is not None:
        return True
    if str(message.get("Precedence", "")).strip().lower() in _BULK_PRECEDENCE:
        return True
    auto = str(message.get("Auto-Submitted", "")).strip().lower()
    return bool(auto) and auto != "no"


def read_mail(data: bytes) -> tuple[Kind, Mail | None]:
    """One message's header block read: ("mail", Mail), ("bulk", None), or ("bad", None)
    when it has no readable sender or date."""
    try:
        message = BytesHeaderParser(policy=default).parsebytes(data)
        if not isinstance(message, EmailMessage):  # pragma: no cover - policy.default gives one
            return "bad", None
        if is_bulk(message):
            return "bulk", None
        senders = _addresses(message, "from")
        when = _date(message)
        if not senders or when is None:
            return "bad", None
        local = when.astimezone() if when.tzinfo else when
        recipients = tuple(dict.fromkeys(_addresses(message, "to") + _addresses(message, "cc")))
        subject = one_line(_text(str(message.get("Subject", "") or "")))
        message_id = one_line(_text(_raw(message, "message-id")), 998).strip("<> ")
    except Exception:  # noqa: BLE001 - a header email's parser chokes on is one bad message
        return "bad", None
    if not message_id:  # the same message gives the same id on every device
        seed = f"{senders[0]}\0{when.isoformat()}\0{subject}".encode()
        message_id = "vtb-" + blake2b(seed, digest_size=12).hexdigest()
    return "mail", Mail(
        message_id, local.timestamp(), local.date(), senders[0], recipients, subject
    )


def read_maildir(
    path: Path, known: dict[str, Mail | str], progress: Progress | None = None
) -> tuple[MailRead, dict[str, Mail | str]]:
    """The messages of one Maildir folder (its `cur/` and `new/`). `known`: what an earlier
    run read, by file name (a Mail, or "bulk"/"bad"); only files not in it are read.
    Returns what was read and the new `known` (files gone are dropped)."""
    box = mailbox.Maildir(path, factory=None, create=False)
    keys = box.keys()
    result = MailRead(f"maildir {path}", [])
    now: dict[str, Mail | str] = {}
    todo = [key for key in keys if key not in known]
    for done, key in enumerate(todo, 1):
        try:
            with box.get_file(key) as handle:
                kind, mail = read_mail(header_block(handle))
        except OSError:
            kind, mail = "bad", None
        now[key] = mail if mail is not None else kind
        if progress is not None and done % 200 == 0:
            progress(done, len(todo))
    for key in keys:
        value = now.get(key, known.get(key))
        if value is None:
            continue
        now[key] = value
        _count(result, value)
    if progress is not None and todo:
        progress(len(todo), len(todo))
    return result, now


def _count(result: MailRead, value: Mail | str) -> None:
    if isinstance(value, Mail):
        result.mails.append(value)
    elif value == "bulk":
        result.bulk += 1
    else:
        result.unparsable += 1


def read_mbox(
    path: Path, first: int, progress: Progress | None = None
) -> tuple[list[Mail | str], int]:
    """The messages of one mbox file from its `first` (0-based), each a Mail or "bulk" /
    "bad", and how many messages the file holds now."""
    box = mailbox.mbox(path, factory=None, create=False)
    try:
        keys = box.keys()
        found: list[Mail | str] = []
        todo = keys[first:]
        for done, key in enumerate(todo, 1):
            try:
                with box.get_file(key) as handle:
                    kind, mail = read_mail(header_block(handle))
            except OSError:
                kind, mail = "bad", None
            found.append(mail if mail is not None else kind)
            if progress is not None and done % 200 == 0:
                progress(done, len(todo))
        if progress is not None and todo:
            progress(len(todo), len(todo))
        return found, len(keys)
    finally:
        box.close()


def tally(source: str, values: list[Mail | str]) -> MailRead:
    """The messages and counts of a list of read results."""
    result = MailRead(source, [])
    for value in values:
        _count(result, value)
    return result
