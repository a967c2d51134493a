"""Each person's own rhythm from their Log: who is drifting from it, and cadences it suggests."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from vault_touchbase.core.cadence import NAMED
from vault_touchbase.core.model import Cadence, Contact
from vault_touchbase.core.plan import cadence_of
from vault_touchbase.core.settings import Settings

DRIFT_FACTOR = 2.0  # drifting: the gap since the last contact is more than twice the usual...
DRIFT_DAYS = 30  # ...and more than a month
APART = 1.4  # a rhythm this many times longer or shorter than the cadence differs from it
RHYTHMS = tuple(
    NAMED[name] for name in ("weekly", "biweekly", "monthly", "bimonthly", "quarterly")
) + (Cadence(6, "m"), NAMED["yearly"])
"""The cadences a rhythm is rounded to."""


@dataclass(frozen=True)
class Drift:
    """Someone whose gap since the last contact is well past their own usual gap."""

    contact: Contact
    usual_gap_days: int
    current_gap_days: int


def drifting(contacts: tuple[Contact, ...] | list[Contact], today: date) -> list[Drift]:
    """Everyone not paused whose days since the last contact are more than `DRIFT_FACTOR`
    times their usual gap (`Contact.rhythm`, from three touches or more) and more than
    `DRIFT_DAYS`, whatever their cadence says; the furthest from their rhythm first.
    Run on every rebuild of the index note: a few comparisons a person."""
    found = []
    now = today.toordinal()
    for contact in contacts:
        rhythm, last = contact.rhythm, contact.last_contacted
        if not rhythm or last is None or contact.paused:
            continue
        gap = now - last.toordinal()
        if gap > DRIFT_DAYS and gap > DRIFT_FACTOR * rhythm:
            found.append(Drift(contact, rhythm, gap))
    found.sort(key=lambda d: (-d.current_gap_days / d.usual_gap_days, d.contact.name))
    return found


@lru_cache(maxsize=4096)
def nearest_rhythm(days: float) -> Cadence:
    """The named cadence closest to a gap of `days` (by ratio: 40 days is monthly, 50 bimonthly)."""
    days = max(days, 1.0)
    return min(RHYTHMS, key=lambda c: abs(math.log(days / c.approx_days)))


@dataclass(frozen=True)
class CadenceHint:
    """The real rhythm differs from the set cadence: what to set instead, and why."""

    contact: Contact
    cadence: Cadence
    suggested: Cadence
    usual_gap_days: int
    why: str


def cadence_hints(
    contacts: tuple[Contact, ...] | list[Contact], settings: Settings
) -> list[CadenceHint]:
    """A hint for each person (with a cadence and a rhythm: three touches or more) whose
    usual gap rounds to another cadence than the one set (in the note, or the default) and
    is `APART` times longer or shorter than it, by name (a burst of touches has no rhythm:
    `core.rhythm.usual_gap`)."""
    hints = []
    for contact in contacts:
        usual = contact.rhythm
        if not usual or contact.paused:
            continue
        cadence = cadence_of(contact, settings)
        if cadence.never:
            continue
        suggested = nearest_rhythm(usual)
        ratio = usual / max(cadence.approx_days, 1.0)
        if suggested == nearest_rhythm(cadence.approx_days) or 1 / APART < ratio < APART:
            continue
        if suggested.approx_days < cadence.approx_days:
            why = f"you are in touch about every {usual} days, more often than {cadence}"
        else:
            why = (
                f"your touches are about {usual} days apart, longer than {cadence}: "
                f"set {suggested}, or they are overdue every time"
            )
        hints.append(CadenceHint(contact, cadence, suggested, usual, why))
    hints.sort(key=lambda h: (h.contact.name.casefold(), h.contact.path))
    return hints
