"""`vtb refresh` and the end of every action: log the index note's ticks, then rebuild it."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from vault_touchbase.actions.committing import Committer, Outcome
from vault_touchbase.actions.index_note import RefreshResult, rebuild_index
from vault_touchbase.actions.ticks import harvest_ticks
from vault_touchbase.core.errors import VtbError
from vault_touchbase.core.model import LoadResult
from vault_touchbase.vault.folder import Progress, Vault
from vault_touchbase.vault.load import reload_notes

if TYPE_CHECKING:
    from vault_touchbase.git.commits import Trailers
    from vault_touchbase.vault.cache import Listing


def refresh(
    vault: Vault,
    today: date,
    progress: Progress | None = None,
    committer: Committer | None = None,
    loaded: LoadResult | None = None,
    chart: bool = False,
    listing: Listing | None = None,
) -> RefreshResult:
    """Log the index note's ticked boxes, then rebuild it. Problems with ticks are in
    `problems` and also in `outcome.problems` (for a command that reports only those).
    `loaded`: the notes as this process loaded them under the lock it still holds;
    `listing`: the notes as it listed them under that lock (`vtb refresh`, which checked
    the refresh memo with it). `chart`: draw the chart too (`vtb refresh`; not after
    every `vtb log`)."""
    from vault_touchbase.vault.store import vault_lock

    with vault_lock(vault.root):
        committer = committer or Committer(vault)
        outcome, tick_problems, waiting = harvest_ticks(vault, today, committer)
        if loaded is not None:
            # a tick that failed may still have written its note: then read everything
            loaded = None if tick_problems else reload_notes(vault, loaded, outcome.changed)
        if outcome.changed or tick_problems:
            listing = None  # logging ticks wrote notes: list them again
        result = rebuild_index(
            vault, today, committer, progress, tick_problems, loaded, chart, waiting, listing
        )
    outcome.problems += tick_problems
    result.outcome.merge(outcome)
    return result


def update_index(
    vault: Vault,
    today: date,
    committer: Committer,
    outcome: Outcome,
    loaded: LoadResult | None = None,
) -> None:
    """After an action: log the boxes ticked in the index note (a plain rebuild would drop
    them), then rebuild it; every action that changes notes ends with this. Ticks logged
    on the way are told as notices (not counted in the action's `changed`). The action
    is done by then: an index that cannot be written is a notice, not an error.

    `loaded`: the vault as loaded before the action, under the lock still held (see
    `loaded_and_locked`); the notes in `outcome.changed` are read again, nothing else.
    """
    try:
        if loaded is not None:
            loaded = reload_notes(vault, loaded, outcome.changed)
        after = refresh(vault, today, committer=committer, loaded=loaded).outcome
    except VtbError as exc:
        hint = f" ({exc.hint})" if exc.hint else ""
        outcome.notices.append(f"{vault.settings.index} not updated: {exc.message}{hint}")
        return
    except OSError as exc:  # the disk or the system refused: what and where, as the CLI says
        from vault_touchbase.vault.store import cause_of, refused_hint

        where = f"{exc.filename}: " if exc.filename else ""
        outcome.notices.append(
            f"{vault.settings.index} not updated: {where}{cause_of(exc)} ({refused_hint(exc)};"
            " the change itself is done)"
        )
        return
    except Exception as exc:  # noqa: BLE001 - the touch is written and committed: a
        # failure now must not read as "nothing done", which a retry would log twice
        outcome.notices.append(
            f"{vault.settings.index} not updated: unexpected {type(exc).__name__}: {exc}"
            " (the change itself is done; run `vtb refresh`, and `vtb --debug refresh`"
            " to report it)"
        )
        return
    after.notices[:0] = after.done
    after.done = []
    after.changed = []
    outcome.merge(after)


def commit_and_update_index(
    vault: Vault,
    today: date,
    committer: Committer,
    paths: list[str],
    message: str,
    trailers: Trailers,
    outcome: Outcome,
    *,
    refresh_index: bool = True,
    loaded: LoadResult | None = None,
) -> None:
    """Commit the notes at `paths` in one commit, then bring the index up to date
    (`update_index`). With an index to rebuild, git commits meanwhile (two processes,
    two cores); its error is raised once the index is done."""
    pending = committer.commit(paths, message, trailers, outcome, background=refresh_index)
    try:
        if refresh_index:
            update_index(vault, today, committer, outcome, loaded)
    finally:
        committer.wait()
    if pending is not None:
        pending.check()
