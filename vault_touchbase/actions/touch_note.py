"""One touch written into one person's note and committed, without the index note.

`plan_touch` checks what was asked and says what the note and the commit get
(the note's text changes through `notes.edit_touch.record_touch`, the one
place that moves `last_contacted`). `commit_touch` writes and commits it; a
tick in the index note uses that directly, and `touch.log_touch` adds the
index update on top.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from vault_touchbase.actions.committing import Committer, Outcome, edit_named, trailers_for
from vault_touchbase.core.errors import NoteError, UsageProblem
from vault_touchbase.core.model import Contact, FollowUp
from vault_touchbase.core.plan import channel_of
from vault_touchbase.notes.edit_touch import record_touch
from vault_touchbase.notes.log import DONE_TEXT
from vault_touchbase.vault.folder import Vault

# A Log entry's channel as `notes.log` reads it back: one word that starts with a letter.
_CHANNEL_WORD = re.compile(r"[^\W\d_][\w+/.]*")


@dataclass(frozen=True)
class Touch:
    """A touch ready to write: the note's change (text → text) and its commit."""

    contact: Contact
    change: Callable[[str], str]
    message: str
    trailers: dict[str, str]


def plan_touch(
    vault: Vault,
    today: date,
    contact: Contact,
    channel: str | None,
    day: date | None = None,
    text: str = "",
    *,
    follow_up: str | None = None,
    follow_up_due: date | None = None,
    done_task: str | None = None,
    block: str = "",
) -> Touch:
    """The touch `- DAY channel: text` for `contact` (DAY defaults to `today`), checked:
    no day in the future, a one-word channel (the person's usual one when not given).
    `block`: the Obsidian block id that ends the entry (a harvested touch's source)."""
    day = day or today
    if day > today:
        raise UsageProblem(f"{day} is in the future", "log touches on or before today")
    channel = (channel or channel_of(contact, vault.settings)).strip().lower() or None
    if channel is not None and not _CHANNEL_WORD.fullmatch(channel):
        raise UsageProblem(
            f"{channel!r} is not a channel: it must be one word, starting with a letter",
            "e.g. email, call, visit, meet, text or reply",
        )
    key = contact.keys.get("last_contacted", "last_contacted")

    def change(text_now: str) -> str:
        return record_touch(
            text_now,
            key,
            day,
            channel,
            text,
            known_last=contact.last_contacted,
            follow_up=follow_up,
            follow_up_due=follow_up_due,
            done_task=done_task,
            block=block,
        )

    message = f"touch: {contact.name} ({channel})" if channel else f"touch: {contact.name}"
    if text:
        message += f"\n\n{day} {text}"
    if follow_up:
        due = f" (due {follow_up_due})" if follow_up_due else ""
        message += f"\n\nfollow-up: {follow_up}{due}"
    return Touch(contact, change, message, trailers_for(contact, channel))


def write_touch(vault: Vault, touch: Touch, outcome: Outcome) -> None:
    """Write the touch into the note (the caller holds the vault lock)."""
    if edit_named(vault, touch.contact.path, touch.change):
        outcome.note_written(vault, touch.contact.path)


def commit_touch(vault: Vault, touch: Touch, committer: Committer) -> Outcome:
    """Under the vault lock: write the touch and commit it (the index is left alone)."""
    from vault_touchbase.vault.store import vault_lock

    outcome = Outcome()
    with vault_lock(vault.root):
        committer.ready()
        write_touch(vault, touch, outcome)
        committer.commit([touch.contact.path], touch.message, touch.trailers, outcome)
    return outcome


def find_followup(contact: Contact, task: str) -> FollowUp | None:
    """The open follow-up `task` names: the same words (any case), else a unique start.
    None when it is already done; NoteError when nothing or several match."""
    wanted = " ".join(task.split()).casefold()
    open_ones = contact.open_followups
    exact = [f for f in open_ones if f.text.casefold() == wanted]
    starts = [f for f in open_ones if f.text.casefold().startswith(wanted)]
    if len(exact) == 1 or (not exact and len(starts) == 1):
        return (exact or starts)[0]
    if any(f.done and f.text.casefold() == wanted for f in contact.followups):
        return None  # ticked already (a refresh that stopped half-way): nothing to do
    listing = "; ".join(f.text for f in open_ones) or "none"
    if starts:
        raise NoteError(
            f"{task!r} matches several follow-ups of {contact.name}: {listing}",
            "give more of the task's text",
        )
    raise NoteError(
        f"{contact.name} has no open follow-up {task!r} (open: {listing})",
        "it may have been done or edited; check the note",
    )


def followup_touch(
    vault: Vault, today: date, contact: Contact, task: str, channel: str | None = None
) -> tuple[Touch, str] | None:
    """The touch that ticks the open follow-up `task` (`✅ TODAY`) and logs it, with the
    line that says so; None when it is done already."""
    followup = find_followup(contact, task)
    if followup is None:
        return None
    touch = plan_touch(
        vault,
        today,
        contact,
        channel,
        today,
        f"{DONE_TEXT} {followup.text}",
        done_task=followup.text,
    )
    return touch, f"done: {contact.name}: {followup.text}"
