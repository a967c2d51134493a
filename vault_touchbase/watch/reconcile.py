"""The notes as the watcher holds them: what it last saw of each file, and the loaded notes
kept current through the vault's own `reload_notes`.

"This file changed" means one thing across vtb: its `Stamp` (mtime, size, ctime and
inode, from `os.stat`) differs from the one recorded, as in the parse cache. No
content hash is kept for vtb's own writes: the stamp of each note vtb wrote is
recorded right after the write, before the note is read again, so the events of
that write find the stamp they left, while a save that comes after it changes the
stamp and is seen. (A hash would only spare the rebuild, which then writes nothing,
after a file is rewritten with the same bytes.)
"""

from __future__ import annotations

from collections.abc import Iterable

from vault_touchbase.actions.committing import Outcome
from vault_touchbase.actions.index_note import wants_gists
from vault_touchbase.core.model import LoadResult
from vault_touchbase.vault.folder import Vault
from vault_touchbase.vault.listing import note_files
from vault_touchbase.vault.load import load_vault, reload_notes
from vault_touchbase.vault.stamp import Stamp, stamp_now, stamp_of

Changes = dict[str, Stamp | None]
"""Notes whose stamp changed since the watcher last saw them: the stamp now, None if gone."""


class HeldNotes:
    """Every note parsed, kept in memory, and the stamp each had when it was last looked at.

    A batch looks at some notes (`look`) or at all (`scan`), reads again only
    those whose stamp changed (`reload`) and then records what it saw (`saw`).
    """

    def __init__(self, vault: Vault) -> None:
        self.vault = vault
        self._stamps: dict[str, Stamp] = {}
        self._loaded: LoadResult | None = None  # None: the next `reload` loads every note
        self._troubles: dict[str, str] = {}  # folders and links the listing cannot read

    @property
    def loaded(self) -> LoadResult:
        """The notes as `load_vault` would return them now (after the latest `reload`)."""
        if self._loaded is None:
            self._loaded = load_vault(self.vault, gists=wants_gists(self.vault))
        return self._loaded

    def forget(self, vault: Vault) -> None:
        """The settings changed (`vault` has the new ones): every note is read again."""
        self.vault = vault
        self._loaded = None

    def look(self, rels: Iterable[str]) -> Changes:
        """The notes among `rels` whose stamp differs from the one last seen."""
        out: Changes = {}
        for rel in rels:
            stamp = stamp_now(self.vault.path_of(rel))
            if stamp != self._stamps.get(rel):
                out[rel] = stamp
        return out

    def scan(self) -> Changes:
        """Every note whose stamp changed, and every note gone: one listing of the vault."""
        out: Changes = {}
        present = set()
        troubles = {}
        for rel, stat, trouble in note_files(self.vault):
            if trouble or stat is None:  # `load_vault` reports these
                troubles[rel] = trouble or "cannot read"
                continue
            present.add(rel)
            stamp = stamp_of(stat)
            if stamp != self._stamps.get(rel):
                out[rel] = stamp
        for rel in set(self._stamps) - present:
            out[rel] = None
        if troubles != self._troubles:  # a folder or link came or went: let the load judge
            self._troubles = troubles
            self._loaded = None
        return out

    def reload(self, rels: Iterable[str]) -> None:
        """Read these notes again, as `load_vault` would (a note gone drops out)."""
        if self._loaded is None:
            self._loaded = load_vault(self.vault, gists=wants_gists(self.vault))
        else:
            self._loaded = reload_notes(self.vault, self._loaded, rels)

    def saw(self, changes: Changes) -> None:
        """Remember these stamps: the notes were handled as they were then."""
        for rel, stamp in changes.items():
            if stamp is None:
                self._stamps.pop(rel, None)
            else:
                self._stamps[rel] = stamp

    def wrote(self, outcome: Outcome) -> None:
        """vtb itself wrote the notes `outcome` changed: each as written is not a change to
        handle. Its stamp is the one taken right after the write (`Outcome.note_written`),
        so an editor's save that came after it, while the commit ran, is still seen."""
        index = self.vault.settings.index
        written = outcome.written
        self.saw(
            {
                rel: written[rel] if rel in written else stamp_now(self.vault.path_of(rel))
                for rel in outcome.changed
                if rel != index
            }
        )
