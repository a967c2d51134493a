"""The `last_contacted` values the watcher moved, put back when an editor writes an old one.

vim, answered "write anyway" after the watcher changed the note under it, saves
its buffer's older `last_contacted` over the watcher's. Only the values this
watcher wrote are remembered (never other tools' notes, nor what came by git),
and one is put back only while the Log still holds the entry it came from.
"""

from __future__ import annotations

from datetime import date

from vault_touchbase.actions.committing import edit_note
from vault_touchbase.core.errors import VtbError
from vault_touchbase.core.model import Contact
from vault_touchbase.vault.folder import Vault


class Written:
    """What the watcher wrote into each note's `last_contacted` in this run."""

    def __init__(self) -> None:
        self._dates: dict[str, date] = {}

    def remember(self, rel: str, day: date) -> None:
        """The watcher has just moved `rel`'s `last_contacted` to `day` (its Log's newest
        entry): the date it wrote, as the action reported it (`Outcome.moved_to`), not as
        read back later, when an editor may have saved other dates over it."""
        self._dates[rel] = day

    def put_back(self, vault: Vault, rel: str) -> str | None:
        """Move `rel`'s `last_contacted` forward again to what the watcher wrote, if an
        older one was saved over it while the Log still holds that entry. The caller
        holds the vault lock. Returns what to say, or None."""
        from vault_touchbase.notes.edit_touch import move_last_contacted

        wrote = self._dates.get(rel)
        contact = _contact(vault, rel) if wrote else None
        if wrote is None or contact is None or all(e.date != wrote for e in contact.log):
            self._dates.pop(rel, None)  # the entry is gone: the user meant it
            return None
        key = contact.keys.get("last_contacted", "last_contacted")
        try:
            if not edit_note(vault, rel, lambda text: move_last_contacted(text, key, wrote)):
                return None
        except VtbError:
            return None
        return f"{rel}: put {key}: {wrote} back (an editor saved an older date over it)"


def _contact(vault: Vault, rel: str) -> Contact | None:
    from vault_touchbase.vault.listing import read_note

    try:
        size = vault.path_of(rel).stat().st_size
    except OSError:
        return None
    return read_note(vault, rel, size)[0]
