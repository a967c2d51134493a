"""Maildir folders and mbox files read into `Mail` records: who wrote to whom, when, about what.

Only headers are parsed: the standard library's `mailbox` finds the messages, each
is one read of at most `MAX_HEADER_BYTES`, and `email`'s `BytesHeaderParser` with
`policy.default` reads the fields harvest needs from its header (`header_block`).
A body is never parsed or kept, so memory is bounded by one read. Bulk mail
(`List-Id`, `Precedence: bulk/list/junk`, `Auto-Submitted`) is counted and left
out; a message without a readable sender or date is counted as unparsable.

What was read is kept per source in `.vtb/harvest/` (`features/harvest/state.py`):
a Maildir by file name, an mbox by size, mtime and the number of messages read.
"""

from __future__ import annotations

import mailbox
import os
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.policy import default
from email.utils import getaddresses, parsedate_to_datetime
from functools import lru_cache
from hashlib import blake2b
from pathlib import Path
from typing import Literal, Protocol

MAX_HEADER_BYTES = 256 * 1024
"""The most read of one message (a header is a few kilobytes; a longer one is cut)."""
MAX_TEXT = 120
"""The longest subject kept as a Log entry's text."""
FIELDS = frozenset(
    b"from to cc date subject message-id list-id list-unsubscribe precedence auto-submitted".split()
)
"""The header fields harvest reads; no other is even given to the parser."""
_BULK_PRECEDENCE = {"bulk", "list", "junk"}
_SPACES = re.compile(r"\s+")
_DROPPED = {"Cc", "Cf", "Zl", "Zp"}  # controls (newlines, escapes), bidi overrides, separators

Progress = Callable[[int, int], None]


class _Reads(Protocol):
    def read(self, size: int | None = -1, /) -> bytes: ...


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


def header_block(handle: _Reads) -> bytes:
    """The fields harvest reads (`FIELDS`, with their folded lines) of the header of the
    message `handle` reads. One read of at most `MAX_HEADER_BYTES` (a huge header is
    cut there; a body after it is never parsed or kept); leaving out the other fields
    (`Received:`, DKIM...) before `email` parses the header is most of harvest's speed."""
    data = handle.read(MAX_HEADER_BYTES)
    ends = [at for at in (data.find(b"\n\n"), data.find(b"\n\r\n")) if at >= 0]
    if data.startswith((b"\n", b"\r\n")):
        return b""
    head = data[: min(ends) + 1] if ends else data
    kept: list[bytes] = []
    keep = False
    for line in head.splitlines(keepends=True):
        if line[:1] not in (b" ", b"\t"):  # a field's first line, else a folded one
            keep = line.partition(b":")[0].strip().lower() in FIELDS
        if keep:
            kept.append(line)
    return b"".join(kept)


Fields = dict[str, list[str]]  # a message's fields by lower-case name, values as written


def _addresses(fields: Fields, *names: str) -> list[str]:
    """The addresses in the `names` fields, lower case, each once."""
    found = (spec for name in names for value in fields.get(name, ()) for spec in _specs(value))
    return list(dict.fromkeys(found))


@lru_cache(maxsize=8192)
def _specs(value: str) -> tuple[str, ...]:
    """The addresses in one field's value (`email.utils.getaddresses`: the header
    registry's full parse costs three times as much), kept for the next message with
    the same value: a mailbox names the same people again and again."""
    found = (_text(spec).strip().lower() for _, spec in getaddresses([value]))
    return tuple(spec for spec in found if "@" in spec)


def _first(fields: Fields, name: str) -> str:
    return fields[name][0] if name in fields else ""


def _date(fields: Fields) -> datetime | None:
    """The `Date:` field read by `email.utils.parsedate_to_datetime` (what the header
    registry's date header uses, without building one); None when it is no date."""
    try:
        return parsedate_to_datetime(_first(fields, "date").strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _subject(message: EmailMessage, fields: Fields) -> str:
    """The subject, decoded by the header registry; plain ASCII without an encoded word
    (`=?`) is its own decoding, so it is taken as written (most subjects: much faster)."""
    raw = _first(fields, "subject")
    if raw.isascii() and "=?" not in raw:
        return raw
    return str(message.get("Subject", "") or "")


def _text(value: str) -> str:
    """`value` without the surrogates `email` decodes raw 8-bit header bytes to (UTF-8
    read as such, anything else replaced), so every text harvest keeps encodes."""
    if value.isascii():
        return value
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def is_bulk(fields: Fields) -> bool:
    """Mailing-list, bulk and automatic mail: never a touch."""
    if "list-id" in fields or "list-unsubscribe" in fields:
        return True
    if _first(fields, "precedence").strip().lower() in _BULK_PRECEDENCE:
        return True
    auto = _first(fields, "auto-submitted").strip().lower()
    return bool(auto) and auto != "no"


def read_mail(data: bytes) -> tuple[Kind, Mail | None]:
    """One message's header block read: ("mail", Mail), ("bulk", None), or ("bad", None)
    when it has no readable sender or date."""
    try:
        message = BytesHeaderParser(policy=default).parsebytes(data)
        if not isinstance(message, EmailMessage):  # pragma: no cover - policy.default gives one
            return "bad", None
        fields: Fields = {}
        for name, value in message.raw_items():
            fields.setdefault(name.lower(), []).append(str(value))
        if is_bulk(fields):
            return "bulk", None
        senders = _addresses(fields, "from")
        when = _date(fields)
        if not senders or when is None:
            return "bad", None
        local = when.astimezone() if when.tzinfo else when
        recipients = tuple(_addresses(fields, "to", "cc"))
        subject = one_line(_text(_subject(message, fields)))
        message_id = one_line(_text(_first(fields, "message-id")), 998).strip("<> ")
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
    odd = _not_regular_files(path, box.colon)  # a FIFO would block the read for ever
    now.update((key, "bad") for key in keys if key in odd)
    todo = [key for key in keys if key not in known and key not in odd]
    now.update(zip(todo, _read_each(box, todo, progress), strict=True))
    for key in keys:
        value = now.get(key, known.get(key))
        if value is None:
            continue
        now[key] = value
        _count(result, value)
    return result, now


def _not_regular_files(path: Path, colon: str) -> set[str]:
    """The Maildir keys (file names up to the flags) in `cur/` and `new/` that are no
    regular file (a FIFO, a device, a folder): counted unreadable, never opened."""
    odd: set[str] = set()
    for sub in ("cur", "new"):
        try:
            with os.scandir(path / sub) as entries:
                odd.update(e.name.split(colon)[0] for e in entries if not e.is_file())
        except OSError:
            continue
    return odd


def _read_each(
    box: mailbox.Mailbox, keys: list[str], progress: Progress | None
) -> Iterator[Mail | str]:
    """Each message of `keys`, read one at a time (memory: one message): a Mail, or
    "bulk" / "bad"; progress every 200 messages and at the end."""
    for done, key in enumerate(keys, 1):
        try:
            with box.get_file(key) as handle:
                kind, mail = read_mail(header_block(handle))
        except OSError:
            kind, mail = "bad", None
        yield mail if mail is not None else kind
        if progress is not None and (done % 200 == 0 or done == len(keys)):
            progress(done, len(keys))


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
        return list(_read_each(box, keys[first:], progress)), len(keys)
    finally:
        box.close()


def tally(source: str, values: list[Mail | str]) -> MailRead:
    """The messages and counts of a list of read results."""
    result = MailRead(source, [])
    for value in values:
        _count(result, value)
    return result
