"""What a user does, shared by every front end (cli, watch, hour).

Each action edits notes through `edit`, writes through `store`, commits
through `gitrepo`, and brings the index note up to date. Nothing here
prints or prompts: results come back as values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .errors import VtbError
from .index_note import IndexInput, is_generated, render
from .model import LoadResult, Problem
from .plan import DueItem, HourPlan, due_items, hour_plan
from .vault import Progress, Vault, load_vault


@dataclass(frozen=True)
class Snapshot:
    """The vault loaded and planned for one `today`."""

    loaded: LoadResult
    items: list[DueItem]
    plan: HourPlan


def snapshot(vault: Vault, today: date, progress: Progress | None = None) -> Snapshot:
    """Load every contact and work out who is due and this hour's plan."""
    loaded = load_vault(vault, progress)
    items = due_items(loaded.contacts, vault.settings, today)
    plan = hour_plan(items, loaded.contacts, vault.settings, today)
    return Snapshot(loaded, items, plan)


@dataclass(frozen=True)
class RefreshResult:
    """What `refresh` did: the plan it wrote, whether the file changed, and problems."""

    snap: Snapshot
    written: bool
    problems: tuple[Problem, ...]
    notices: tuple[str, ...] = field(default=())


def index_input(vault: Vault, snap: Snapshot, today: date) -> IndexInput:
    """Everything the index note shows, from a snapshot."""
    replies = [i for i in snap.items if i.status == "reply"]
    return IndexInput(
        today=today,
        items=snap.items,
        plan=snap.plan,
        contacts=snap.loaded.contacts,
        problems=snap.loaded.problems,
        replies=replies,
    )


def write_index(vault: Vault, text: str) -> bool:
    """Write the index note only when its bytes change. Refuses to overwrite a
    note of the user's that vtb did not make. Returns True when written."""
    from .store import atomic_write

    path = vault.index_path
    data = text.encode("utf-8")
    try:
        old = path.read_bytes()
    except FileNotFoundError:
        old = None
    if old == data:
        return False
    if old is not None and not is_generated(old.decode("utf-8", "replace")):
        raise VtbError(
            f"{vault.settings.index} exists and was not made by vtb; it is left as it is",
            "rename that note, or set `index = \"...\"` in vtb.toml to another name",
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, data)
    return True


def refresh(vault: Vault, today: date, progress: Progress | None = None) -> RefreshResult:
    """Rebuild the index note (after logging any ticked boxes in it)."""
    snap = snapshot(vault, today, progress)
    written = write_index(vault, render(index_input(vault, snap, today)))
    return RefreshResult(snap, written, snap.loaded.problems)
