"""`vtb intro A B --log`: the introduction recorded on both notes, in one commit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING

from vault_touchbase.core.model import Contact, LoadResult
from vault_touchbase.features.intros import wikilink
from vault_touchbase.notes.log import INTRO_TEXT

if TYPE_CHECKING:
    from vault_touchbase.actions.committing import Outcome
    from vault_touchbase.vault.folder import Vault


def record_intro(
    vault: Vault,
    today: date,
    a: Contact,
    b: Contact,
    text: str,
    contacts: Sequence[Contact],
    loaded: LoadResult | None = None,
) -> Outcome:
    """Add `intro: introduced to [[Other]] — TEXT` to both notes' Logs (moving
    `last_contacted` forward) and commit both in one commit `intro: A ↔ B`.
    `loaded`: see `refresh.update_index`."""
    from vault_touchbase.actions.committing import Committer, Outcome, edit_note
    from vault_touchbase.actions.refresh import commit_and_update_index
    from vault_touchbase.core.errors import UsageProblem
    from vault_touchbase.vault.store import check_writable, vault_lock

    if a.path == b.path:
        raise UsageProblem(f"both names are {a.name}", "introduce two different people")
    text = " ".join(text.split())
    outcome = Outcome()
    with vault_lock(vault.root):
        committer = Committer(vault).ready()
        for one in (a, b):  # both notes or neither
            check_writable(vault.path_of(one.path), one.path)
        for one, other in ((a, b), (b, a)):
            entry = f"{INTRO_TEXT} {wikilink(other, contacts)}" + (f" — {text}" if text else "")
            if edit_note(vault, one.path, _intro_change(one, today, entry)):
                outcome.changed.append(one.path)
        message = f"intro: {a.name} ↔ {b.name}" + (f"\n\n{text}" if text else "")
        trailers = {"Vtb-Contact": a.path, "Vtb-Introduced": b.path, "Vtb-Channel": "intro"}
        # the index update logs ticked boxes too (a plain rebuild would drop them)
        commit_and_update_index(
            vault, today, committer, [a.path, b.path], message, trailers, outcome, loaded=loaded
        )
    return outcome


def _intro_change(contact: Contact, today: date, entry: str) -> Callable[[str], str]:
    """The note with the intro entry added and `last_contacted` moved forward, as written."""
    from vault_touchbase.notes.edit_touch import record_touch

    key = contact.keys.get("last_contacted", "last_contacted")
    return lambda text: record_touch(
        text, key, today, "intro", entry, known_last=contact.last_contacted
    )
