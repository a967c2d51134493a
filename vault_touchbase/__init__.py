"""vault-touchbase: keep in touch with people from a vault of Markdown notes.

The public API for scripts::

    from vault_touchbase import open_vault, load_vault, due_items
"""

__version__ = "0.1.0"

from vault_touchbase.core.model import (
    Birthday,
    Cadence,
    Contact,
    FollowUp,
    LoadResult,
    LogEntry,
    Problem,
)

__all__ = [
    "Birthday",
    "Cadence",
    "Contact",
    "FollowUp",
    "LoadResult",
    "LogEntry",
    "Problem",
    "__version__",
]
