"""vault-touchbase: keep in touch with people from a vault of Markdown notes.

The public API for scripts::

    from datetime import date

    from vault_touchbase import due_items, load_vault, open_vault

    vault = open_vault("~/notes")  # the folder holding vtb.toml
    loaded = load_vault(vault)  # a LoadResult: .contacts and .problems
    for item in due_items(vault, loaded, date(2026, 11, 26)):  # as `vtb due` lists them
        print(item.name, item.status, item.due, item.channel)

Every name is imported on first use (PEP 562), so `import vault_touchbase` and
`vtb --help` stay fast.
"""

from __future__ import annotations

import importlib
import os
from datetime import date
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from vault_touchbase.core.model import (
        Birthday,
        Cadence,
        Contact,
        FollowUp,
        LoadResult,
        LogEntry,
        Problem,
    )
    from vault_touchbase.core.plan import DueItem
    from vault_touchbase.vault.folder import Vault
    from vault_touchbase.vault.load import load_vault

# name → the module it lives in, imported when the name is first used
_LAZY = {
    "Birthday": "vault_touchbase.core.model",
    "Cadence": "vault_touchbase.core.model",
    "Contact": "vault_touchbase.core.model",
    "FollowUp": "vault_touchbase.core.model",
    "LoadResult": "vault_touchbase.core.model",
    "LogEntry": "vault_touchbase.core.model",
    "Problem": "vault_touchbase.core.model",
    "DueItem": "vault_touchbase.core.plan",
    "Vault": "vault_touchbase.vault.folder",
    "load_vault": "vault_touchbase.vault.load",
}

__all__ = [
    "Birthday",
    "Cadence",
    "Contact",
    "DueItem",
    "FollowUp",
    "LoadResult",
    "LogEntry",
    "Problem",
    "Vault",
    "__version__",
    "due_items",
    "load_vault",
    "open_vault",
]


def open_vault(path: str | os.PathLike[str]) -> Vault:
    """The vault at `path` (`~` expanded) with its settings from `vtb.toml`.

    Raises `VtbError` when its contacts folder does not exist.
    """
    from pathlib import Path

    from vault_touchbase.vault.folder import open_vault as open_folder

    return open_folder(Path(path).expanduser().resolve())


def due_items(vault: Vault, loaded: LoadResult, today: date | None = None) -> list[DueItem]:
    """Who is due by the end of `today`'s month (default: the local date), owed a reply or
    a follow-up: the people `vtb due` lists, in the same order (most pressing first)."""
    from vault_touchbase.core.plan import due_items as plan_due_items

    return plan_due_items(loaded.contacts, vault.settings, today or date.today())


def __getattr__(name: str) -> Any:
    """Import a public name on first use (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # the next use is a plain lookup
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
