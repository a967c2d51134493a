"""The parse cache in `.vtb/`: results of `parse_note` keyed by path, mtime and size.

A cache from another vtb version or other settings, a corrupt file, or one
written by a stranger is ignored and rebuilt: never a crash, never a wrong
answer. Writes are atomic, so two vtb processes at once only race to
replace a whole file. Only vtb's own model classes are ever unpickled.
"""

from __future__ import annotations

import io
import os
import pickle
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import __version__
from .model import Contact, Problem

if TYPE_CHECKING:
    from .vault import Vault

CACHE_FILE = "parse-cache.pickle"
FORMAT = 1
RACY_SECONDS = 2.0  # a note touched this recently could change again within one mtime tick

Result = tuple[Contact | None, list[Problem]]
_ALLOWED = {
    ("vault_touchbase.model", name)
    for name in ("Contact", "LogEntry", "FollowUp", "Birthday", "Cadence", "Problem")
} | {("datetime", "date"), ("builtins", "set"), ("builtins", "frozenset")}


class _SafeUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")
        return super().find_class(module, name)


@dataclass
class ParseCache:
    """Parse results of unchanged notes, and what to save back."""

    path: str
    key: tuple[object, ...]
    entries: dict[str, tuple[int, int, Result]] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)
    dirty: bool = False

    @classmethod
    def open(cls, vault: Vault) -> ParseCache:
        key = (__version__, FORMAT, vault.settings.fingerprint())
        cache = cls(str(vault.state_dir / CACHE_FILE), key)
        try:
            with open(cache.path, "rb") as handle:
                stored = _SafeUnpickler(io.BytesIO(handle.read())).load()
            if isinstance(stored, dict) and stored.get("key") == key:
                entries = stored.get("entries")
                if isinstance(entries, dict):
                    cache.entries = entries
        except Exception:  # missing, corrupt, foreign: start empty
            cache.entries = {}
        return cache

    def get(self, rel: str, stat: os.stat_result) -> Result | None:
        self.seen.add(rel)
        entry = self.entries.get(rel)
        if entry is None or entry[0] != stat.st_mtime_ns or entry[1] != stat.st_size:
            return None
        try:
            contact, problems = entry[2]
        except (TypeError, ValueError):
            return None
        if contact is not None and not isinstance(contact, Contact):
            return None
        return contact, problems

    def put(self, rel: str, stat: os.stat_result, result: Result) -> None:
        self.seen.add(rel)
        if stat.st_mtime_ns / 1e9 > time.time() - RACY_SECONDS:
            self.entries.pop(rel, None)  # too fresh to trust its mtime; parse again next time
        else:
            self.entries[rel] = (stat.st_mtime_ns, stat.st_size, result)
        self.dirty = True

    def save(self) -> None:
        """Write the cache if anything changed, dropping notes that are gone."""
        gone = set(self.entries) - self.seen
        for rel in gone:
            del self.entries[rel]
        if not (self.dirty or gone):
            return
        folder = os.path.dirname(self.path)
        try:
            os.makedirs(folder, exist_ok=True)
            ignore = os.path.join(folder, ".gitignore")
            if not os.path.exists(ignore):
                with open(ignore, "w", encoding="utf-8") as handle:
                    handle.write("*\n")
            temp = f"{self.path}.{os.getpid()}.tmp"
            with open(temp, "wb") as handle:
                pickle.dump(
                    {"key": self.key, "entries": self.entries},
                    handle,
                    protocol=pickle.HIGHEST_PROTOCOL,
                )
            os.replace(temp, self.path)
        except OSError:
            pass  # a read-only vault still works, only slower
