"""Ticked boxes in the index note, logged as touches (one commit per person).

Run by `refresh` before the index is rebuilt, so a plain rebuild never drops a
tick the user made in Obsidian or on a phone.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from vault_touchbase.actions.committing import Committer, Outcome
from vault_touchbase.core.errors import VtbError
from vault_touchbase.core.model import Contact, Problem
from vault_touchbase.core.plan import channel_of
from vault_touchbase.index.render import is_generated
from vault_touchbase.index.ticks import Tick, read_ticks, ticked_task_text
from vault_touchbase.notes.log import TICK_TEXT
from vault_touchbase.vault.folder import Vault
from vault_touchbase.vault.listing import is_contact_note, read_note, through_link


class TickHarvest(NamedTuple):
    """What logging the index note's ticks did, what went wrong, and the ticks that wait."""

    outcome: Outcome
    problems: list[Problem]
    waiting: list[Tick]
    """Ticks not logged because their note could not be read or written (read-only,
    broken): the rebuilt index keeps them ticked (`index.ticks.keep_ticked`), so a
    later refresh logs them once the note is fixed, and the user's tick is not lost."""


def harvest_ticks(vault: Vault, today: date, committer: Committer) -> TickHarvest:
    """Log a touch for every ticked box in the index note (one commit per person).

    A tick is tied to its note by the link's path. A tick whose note is gone
    or unreadable is reported, never guessed.
    """
    outcome = Outcome()
    problems: list[Problem] = []
    waiting: list[Tick] = []
    from vault_touchbase.vault.store import kind_of

    if kind_of(vault.index_path) is not None:  # a folder, a pipe: the rebuild says so
        return TickHarvest(outcome, problems, waiting)
    try:
        text = vault.index_path.read_text(encoding="utf-8-sig")
    except (FileNotFoundError, UnicodeDecodeError):
        return TickHarvest(outcome, problems, waiting)
    if not is_generated(text):
        return TickHarvest(outcome, problems, waiting)
    index = vault.settings.index
    ticks = read_ticks(text)
    if ticks:  # the action's own commit first: if it failed, the ticks wait for next time
        committer.settle()
    for tick in ticks:
        path = vault.path_of(tick.path)
        # never into the user's other notes (`[[Meetings]]`, `[[contacts/../Now]]`)
        contact_note = is_contact_note(vault, tick.path) and not through_link(vault, tick.path)
        if not path.is_file() or not contact_note:
            what = "is not a contact note" if path.is_file() else "does not exist"
            problems.append(
                Problem(
                    index,
                    tick.line,
                    "error",
                    f"ticked {tick.path}, which {what}; not logged",
                    "log it with `vtb log NAME`",
                )
            )
            continue
        contact, found = read_note(vault, tick.path, path.stat().st_size)
        if contact is None:
            waiting.append(tick)
            problems.append(
                Problem(
                    index,
                    tick.line,
                    "error",
                    f"ticked {tick.path}, which cannot be read; not logged",
                    f"fix it ({found[0] if found else 'see vtb check'}), then `vtb log` the touch",
                )
            )
            continue
        try:
            done = _apply_tick(vault, today, contact, tick, committer)
        except VtbError as exc:
            waiting.append(tick)
            problems.append(
                Problem(
                    index,
                    tick.line,
                    "error",
                    f"ticked {contact.name}: {exc.message}; not logged",
                    exc.hint,
                )
            )
            continue
        outcome.merge(done)
    return TickHarvest(outcome, problems, waiting)


def _apply_tick(
    vault: Vault, today: date, contact: Contact, tick: Tick, committer: Committer
) -> Outcome:
    # imported here: a refresh with no box ticked (the usual one) never loads the note
    # editors, which cost as much to import as reading a few hundred notes from the cache
    from vault_touchbase.actions.touch_note import commit_touch, followup_touch, plan_touch

    channel = tick.channel or channel_of(contact, vault.settings)
    if tick.section == "followups":
        found = followup_touch(vault, today, contact, ticked_task_text(tick.text), channel)
        if found is None:
            return Outcome()
        touch, done = found
    elif any(e.date == today and e.channel == channel for e in contact.log):
        # Logged already: by this tick in a refresh that stopped half-way, or by hand
        # (`vtb log`, an editor) after the index was written — the same touch.
        return Outcome()
    else:
        touch = plan_touch(vault, today, contact, channel, today, TICK_TEXT)
        done = f"logged {contact.name} ({channel}): ticked in {vault.settings.index}"
    outcome = commit_touch(vault, touch, committer)
    outcome.done.append(done)
    return outcome
