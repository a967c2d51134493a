"""What a harvest source yields (`Proposal`) and who it is about (`Directory`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from vault_touchbase.core.model import Contact


@dataclass(frozen=True, slots=True)
class Proposal:
    """A touch with one contact found in a source: what `vtb harvest --accept` logs."""

    path: str  # the contact's note, relative to the vault
    name: str
    day: date
    channel: str  # email, reply, meet, call, note ...
    text: str  # one line: the subject, the event's summary, the daily note's line
    source_id: str  # the source item's stable id (Message-ID, UID + date, path + line hash)
    source: str  # where it was found, for the listing ("mbox archive.mbox")

    @property
    def block(self) -> str:
        """The Obsidian block id that records this source item in the Log (`h-3f9a2c1b0d`):
        a short digest of `source_id`, the same on every device."""
        return block_id(self.source_id)


def block_id(source_id: str) -> str:
    """The block id (`h-` and ten hex digits) a harvested entry carries for `source_id`."""
    from hashlib import blake2b

    return "h-" + blake2b(source_id.encode("utf-8", "surrogateescape"), digest_size=5).hexdigest()


class Directory:
    """The vault's contacts, looked up the ways harvest sources name people."""

    def __init__(self, contacts: Iterable[Contact]) -> None:
        self.contacts = tuple(contacts)
        self._by_email: dict[str, Contact] = {}
        for contact in self.contacts:
            for address in contact.emails:
                self._by_email.setdefault(address.strip().lower(), contact)

    def by_email(self, address: str) -> Contact | None:
        """The contact with this email address (case-insensitive), if any."""
        return self._by_email.get(address.strip().lower())
