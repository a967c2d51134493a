"""What a user does to one person, shared by every front end (cli, watch, hour):
log a touch, tick a follow-up done, snooze, add a line to the note.

Each action takes the vault-wide lock, edits the note through the
`notes.edit_*` modules (minimal, verified), writes through `vault.store`
(atomic, never over a note that changed meanwhile), commits only the files it
changed, and brings the index note up to date (`refresh.update_index`).
Nothing here prints or prompts: results come back as values for the front
end to show.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date

from vault_touchbase.actions.committing import Committer, Outcome, edit_named, trailers_for
from vault_touchbase.actions.refresh import commit_and_update_index
from vault_touchbase.actions.touch_note import Touch, followup_touch, plan_touch, write_touch
from vault_touchbase.core.errors import UsageProblem
from vault_touchbase.core.model import Contact, LoadResult
from vault_touchbase.notes.edit_body import add_body_line
from vault_touchbase.notes.edit_frontmatter import set_scalar
from vault_touchbase.notes.edit_touch import date_as_written
from vault_touchbase.vault.folder import Vault
from vault_touchbase.vault.load import load_vault
from vault_touchbase.vault.lookup import find_contact


@contextmanager
def loaded_and_locked(vault: Vault) -> Iterator[LoadResult]:
    """Hold the vault lock and load the vault once, for a command that finds a person,
    changes their note and rebuilds the index: with the lock held throughout, no other
    vtb process writes in between, so the index is rebuilt from this load and what the
    command itself changed (`vault.load.reload_notes`), not from a second load."""
    from vault_touchbase.actions.index_note import wants_gists
    from vault_touchbase.vault.shards import CACHE_DIR
    from vault_touchbase.vault.store import vault_lock

    gists = wants_gists(vault)  # the rebuild after the change shows who can help
    if not (vault.state_dir / CACHE_DIR).is_dir():
        load_vault(vault, gists=gists)  # a first run parses every note: not under the lock
    with vault_lock(vault.root):
        yield load_vault(vault, gists=gists)


def contact_named(vault: Vault, name: str, loaded: LoadResult | None = None) -> Contact:
    """The one person NAME matches (see `vault.lookup.find_contact`) in `loaded` (by default,
    the vault as it is now). When nobody does but an unreadable note's file name would,
    the error says so (rather than "nobody")."""
    from vault_touchbase.core.errors import NameNotFound
    from vault_touchbase.vault.lookup import normalize

    if loaded is None:
        loaded = load_vault(vault)
    try:
        return find_contact(loaded.contacts, name)
    except NameNotFound as exc:
        if exc.message.startswith("nobody called"):
            wanted = normalize(name.removesuffix(".md"))
            for problem in loaded.errors:
                stem = normalize(problem.path.rsplit("/", 1)[-1].removesuffix(".md"))
                if wanted and any(word.startswith(wanted) for word in [stem, *stem.split()]):
                    raise NameNotFound(
                        f"{exc.message}, but {problem.path} cannot be read: {problem.message}",
                        f"fix {problem.path}:{problem.line} (`vtb check` lists every problem), "
                        "then run the command again",
                    ) from None
        raise


def log_touch(
    vault: Vault,
    today: date,
    contact: Contact,
    channel: str | None,
    day: date | None = None,
    text: str = "",
    *,
    committer: Committer | None = None,
    refresh_index: bool = True,
    follow_up: str | None = None,
    follow_up_due: date | None = None,
    done_task: str | None = None,
    loaded: LoadResult | None = None,
) -> Outcome:
    """Add `- DAY channel: text` to the person's Log, move `last_contacted` forward
    (never back, written as it was), commit as `touch: NAME (channel)`, and update the index.

    `follow_up` also adds `- [ ] FOLLOW_UP 📅 DUE` under `## Follow-ups`;
    `done_task` ticks that open follow-up (`✅ DAY`). Still one edit, one commit.
    `loaded`: see `update_index`.
    """
    touch = plan_touch(
        vault,
        today,
        contact,
        channel,
        day,
        text,
        follow_up=follow_up,
        follow_up_due=follow_up_due,
        done_task=done_task,
    )
    return _commit_with_index(vault, today, touch, committer, refresh_index, loaded)


def complete_followup(
    vault: Vault,
    today: date,
    contact: Contact,
    task: str,
    channel: str | None = None,
    *,
    committer: Committer | None = None,
    refresh_index: bool = True,
    loaded: LoadResult | None = None,
) -> Outcome:
    """Tick an open follow-up in the note (`✅ TODAY`) and log it: one edit, one commit.
    `loaded`: see `update_index`."""
    found = followup_touch(vault, today, contact, task, channel)
    if found is None:
        return Outcome()
    touch, done = found
    outcome = _commit_with_index(vault, today, touch, committer, refresh_index, loaded)
    outcome.done.append(done)
    return outcome


def _commit_with_index(
    vault: Vault,
    today: date,
    touch: Touch,
    committer: Committer | None,
    refresh_index: bool,
    loaded: LoadResult | None,
) -> Outcome:
    """Under the vault lock: write the touch, commit it and (unless told not to) update
    the index while git commits."""
    from vault_touchbase.vault.store import vault_lock

    outcome = Outcome()
    with vault_lock(vault.root):
        committer = (committer or Committer(vault)).ready()
        write_touch(vault, touch, outcome)
        commit_and_update_index(
            vault,
            today,
            committer,
            [touch.contact.path],
            touch.message,
            touch.trailers,
            outcome,
            refresh_index=refresh_index,
            loaded=loaded,
        )
    return outcome


def snooze(
    vault: Vault, today: date, contact: Contact, until: date, loaded: LoadResult | None = None
) -> Outcome:
    """Set `snooze_until` (or the note's dialect key) and commit `snooze: NAME until DATE`.
    `loaded`: see `update_index`."""
    if until <= today:
        raise UsageProblem(
            f"{until} is not in the future", "snooze until a later date, e.g. 2w or 2027-01-15"
        )
    key = contact.keys.get("snooze_until", "snooze_until")
    return _edit_one(
        vault,
        today,
        contact,
        lambda text: set_scalar(text, key, date_as_written(text, key, until)),
        f"snooze: {contact.name} until {until}",
        loaded,
    )


def add_note_line(
    vault: Vault, today: date, contact: Contact, line: str, loaded: LoadResult | None = None
) -> Outcome:
    """Add a free-text line to the note's body (before Follow-ups and Log) and commit it.
    `loaded`: see `update_index`."""
    return _edit_one(
        vault,
        today,
        contact,
        lambda text: add_body_line(text, line),
        f"note: {contact.name}\n\n{line}",
        loaded,
    )


def _edit_one(
    vault: Vault,
    today: date,
    contact: Contact,
    change: Callable[[str], str],
    message: str,
    loaded: LoadResult | None,
) -> Outcome:
    """Change one person's note, commit it as `message` and update the index."""
    from vault_touchbase.vault.store import vault_lock

    outcome = Outcome()
    with vault_lock(vault.root):
        committer = Committer(vault).ready()
        if edit_named(vault, contact.path, change):
            outcome.changed.append(contact.path)
        commit_and_update_index(
            vault,
            today,
            committer,
            [contact.path],
            message,
            trailers_for(contact),
            outcome,
            loaded=loaded,
        )
    return outcome
