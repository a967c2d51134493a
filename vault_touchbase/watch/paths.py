"""Which changed paths matter to the watcher, and what one batch of them asks for."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field

from vault_touchbase.core.settings import CONFIG_NAME
from vault_touchbase.core.templates import NOW_PATH
from vault_touchbase.vault.folder import Vault
from vault_touchbase.vault.listing import is_contact_note
from vault_touchbase.vault.store import is_temp_file

RESCAN = "\x00rescan"
"""A pseudo-path: look at every note (a burst, lost events, a folder moved)."""

# Files in the git folder whose change means someone else moved HEAD or is mid-operation.
GIT_SIGNALS = frozenset(
    {"HEAD", "ORIG_HEAD", "FETCH_HEAD", "MERGE_HEAD", "CHERRY_PICK_HEAD", "REVERT_HEAD"}
    | {"rebase-merge", "rebase-apply"}
)
# Git at work (its index being written): only delays the batch.
GIT_ACTIVITY = frozenset({"index", "index.lock"})


@dataclass
class Batch:
    """What the paths of one batch ask for."""

    notes: set[str] = field(default_factory=set)  # vault-relative contact notes
    index: bool = False  # the index note was written
    settings: bool = False  # vtb.toml was written
    now: bool = False  # Now.md was written (its needs are in the index note)
    git_moved: bool = False  # HEAD moved, or a rebase/merge began or ended
    rescan: bool = False  # look at every note


class WatchedPaths:
    """Tests on a path's name only (no file is read): is it a contact note, the index,
    vtb.toml or a file of git's that says HEAD moved?"""

    def __init__(self, vault: Vault, git_dir: str | None) -> None:
        self.vault = vault
        self.git_dir = git_dir
        self._root = str(vault.root)

    def rel(self, path: str) -> str | None:
        """`path` relative to the vault, with `/`; None outside it."""
        if not path.startswith(self._root + os.sep):
            return None
        return path[len(self._root) + 1 :].replace(os.sep, "/")

    def in_contacts(self, path: str) -> bool:
        """True for a folder inside the contacts folder and in no hidden folder (a folder of
        notes that came, went or moved asks for a rescan)."""
        rel = self.rel(path)
        if rel is None:
            return False
        contacts = self.vault.settings.contacts
        inside = contacts == "." or rel == contacts or rel.startswith(contacts + "/")
        return inside and not any(part.startswith(".") for part in rel.split("/"))

    def is_note(self, path: str) -> bool:
        """True for a real path (not RESCAN) that is a contact note: the vault's one test."""
        rel = None if path == RESCAN else self.rel(path)
        return rel is not None and is_contact_note(self.vault, rel)

    def wanted(self, path: str) -> bool:
        """Could a change of `path` matter? A cheap test on the name only."""
        if self.git_dir and os.path.dirname(path) == self.git_dir:
            name = os.path.basename(path)
            return name in GIT_SIGNALS or name in GIT_ACTIVITY
        rel = self.rel(path)
        if rel is None:
            return False
        if rel in (CONFIG_NAME, self.vault.settings.index, NOW_PATH):
            return True
        return self.is_note(path) and not is_temp_file(rel.rsplit("/", 1)[-1])

    def classify(self, paths: Iterable[str]) -> Batch:
        """Sort the paths of one batch into what they ask for."""
        batch = Batch()
        for path in paths:
            if path == RESCAN:
                batch.rescan = True
                continue
            if self.git_dir and os.path.dirname(path) == self.git_dir:
                batch.git_moved |= os.path.basename(path) in GIT_SIGNALS
                continue
            rel = self.rel(path)
            if rel == CONFIG_NAME:
                batch.settings = True
            elif rel == self.vault.settings.index:
                batch.index = True
            elif rel == NOW_PATH:
                batch.now = True
            elif rel is not None and self.wanted(path):
                batch.notes.add(rel)
        return batch
