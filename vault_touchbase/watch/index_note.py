"""The index note as the watcher sees it: edited by someone else, or holding ticked boxes."""

from __future__ import annotations

from vault_touchbase.index.render import is_generated
from vault_touchbase.index.ticks import read_ticks
from vault_touchbase.vault.folder import Vault
from vault_touchbase.vault.stamp import Stamp, stamp_now
from vault_touchbase.vault.store import kind_of


class IndexNote:
    """Remembers the stamp of the index note as vtb last left it."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault
        self._stamp: Stamp | None = None

    def left(self) -> None:
        """vtb has just rebuilt the index note: what is there now is its own."""
        self._stamp = stamp_now(self.vault.index_path)

    def edited(self) -> bool:
        """True when the index note changed since vtb last left it (or never was left)."""
        return stamp_now(self.vault.index_path) != self._stamp

    def ticked(self) -> bool:
        """True when the index note (made by vtb) has a ticked box: a touch to log."""
        if kind_of(self.vault.index_path) is not None:  # a pipe would wait forever
            return False
        try:
            text = self.vault.index_path.read_bytes().decode("utf-8", "replace")
        except OSError:
            return False
        return is_generated(text) and bool(read_ticks(text))
