"""The hour's part of `vtb harvest`: each person's touches found in your mail, calendars
and daily notes on their card, and the key (`a`) that logs them all in one commit."""

from __future__ import annotations

import textwrap
from datetime import date

from vault_touchbase.actions.committing import Outcome
from vault_touchbase.core.errors import VtbError
from vault_touchbase.core.model import LoadResult
from vault_touchbase.features.harvest.found import Proposal
from vault_touchbase.vault.folder import Vault

KEY = "a"
SHOWN = 3  # found touches listed on a card


def found_by_person(
    vault: Vault, today: date, loaded: LoadResult
) -> tuple[dict[str, list[Proposal]], str]:
    """The touches `[harvest]`'s sources hold that are not logged yet, by note path, and a
    line to tell when they could not be read ("" when fine, or when nothing is set up)."""
    from vault_touchbase.actions.harvest import configured_sources, harvest

    if not configured_sources(vault):
        return {}, ""
    try:
        found = harvest(vault, today, loaded)
    except VtbError as exc:
        return {}, f"harvest skipped: {exc.message}"
    by_path: dict[str, list[Proposal]] = {}
    for proposal in found.proposals:
        by_path.setdefault(proposal.path, []).append(proposal)
    return by_path, ""


def card_lines(proposals: list[Proposal], width: int) -> list[str]:
    """The card's lines about the touches found for one person."""
    if not proposals:
        return []
    lines = [f"  found, not logged yet ({KEY} logs {'it' if len(proposals) == 1 else 'them'}):"]
    for p in proposals[-SHOWN:]:
        lines.append(
            "    " + textwrap.shorten(f"{p.day} {p.channel}: {p.text}", width - 4, placeholder=" …")
        )
    if len(proposals) > SHOWN:
        lines.append(f"    … and {len(proposals) - SHOWN} earlier")
    return lines


def accept_found(vault: Vault, today: date, proposals: list[Proposal]) -> Outcome:
    """Log the person's found touches (`actions.harvest.accept`: one commit)."""
    from vault_touchbase.actions.harvest import accept
    from vault_touchbase.actions.touch import loaded_and_locked

    with loaded_and_locked(vault) as loaded:  # the notes as they are now, none changing
        return accept(vault, today, loaded, proposals)
