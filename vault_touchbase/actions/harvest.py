"""`vtb harvest`: touches found in the user's own mail, calendars and daily notes, and
`--accept`, which logs them through the touch path of `vtb log` in one commit."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from vault_touchbase.core.errors import UsageProblem
from vault_touchbase.core.model import Contact, LoadResult
from vault_touchbase.features.harvest.collect import Found, ProgressFor, Sources, find_proposals
from vault_touchbase.features.harvest.found import Proposal
from vault_touchbase.vault.folder import Vault

SHOWN = 50
"""People named in a harvest commit's message body (its trailers name every one)."""

if TYPE_CHECKING:  # the writing half, imported by `accept` only: a dry run starts faster
    from vault_touchbase.actions.committing import Committer, Outcome


def my_addresses(vault: Vault) -> tuple[str, ...]:
    """The user's own addresses: `[harvest] me`, else git's user.email and `[identity]`."""
    settings = vault.settings
    if settings.harvest.me:
        return tuple(a.strip().lower() for a in settings.harvest.me if a.strip())
    from vault_touchbase.git.commits import user_email

    found = [user_email(vault.root), settings.identity_email]
    return tuple(dict.fromkeys(a.strip().lower() for a in found if a.strip()))


def configured_sources(vault: Vault) -> Sources:
    """The sources `[harvest]` names (`~` expanded; a relative path is in the vault)."""
    harvest = vault.settings.harvest

    def paths(values: Iterable[str]) -> tuple[Path, ...]:
        return tuple(vault.root / Path(value).expanduser() for value in values)

    return Sources(
        paths(harvest.maildir),
        paths(harvest.mbox),
        paths(harvest.calendars),
        paths(harvest.daily_notes),
    )


def _check(sources: Sources) -> None:
    if not sources:
        raise UsageProblem(
            "no sources to harvest",
            "name them under [harvest] in vtb.toml (maildir, mbox, calendars, daily_notes) "
            "or give --maildir, --mbox, --ics or --daily",
        )
    for kind, paths in vars(sources).items():
        for path in paths:
            if kind in ("maildir", "daily") and not path.is_dir():
                problem = "no folder"
            elif kind == "maildir" and not ((path / "cur").is_dir() and (path / "new").is_dir()):
                problem = "no Maildir folder (it has no cur/ and new/)"
            elif kind == "mbox" and not path.is_file():
                problem = "no file"
            elif kind == "ics" and not path.exists():
                problem = "no file or folder"
            else:
                continue
            raise UsageProblem(
                f"{path} is {problem} ({kind})", "check the path in vtb.toml or the option"
            )


def harvest(
    vault: Vault,
    today: date,
    loaded: LoadResult,
    sources: Sources | None = None,
    progress: ProgressFor | None = None,
) -> Found:
    """The touches in `sources` (default: `[harvest]`'s) still to log for `loaded`'s
    contacts. Changes no note; keeps what it read in `.vtb/harvest/`."""
    from vault_touchbase.core.cadence import parse_day_or_span

    sources = sources if sources else configured_sources(vault)
    _check(sources)
    me = my_addresses(vault)
    if not me and (sources.maildir or sources.mbox):
        raise UsageProblem(
            "vtb does not know your own email address, so cannot tell sent mail from received",
            'set me = ["you@example.com"] under [harvest] in vtb.toml (or git config user.email)',
        )
    since = parse_day_or_span(vault.settings.harvest.since, today, "ago")
    return find_proposals(
        loaded.contacts, sources, me, since, today, vault.state_dir, progress, vault.root
    )


def chosen(found: Found, loaded: LoadResult, names: Sequence[str]) -> list[Proposal]:
    """The proposals of the people `names` name (all of them for no names)."""
    if not names:
        return list(found.proposals)
    from vault_touchbase.vault.lookup import find_contact

    paths = {find_contact(loaded.contacts, name).path for name in names}
    return [p for p in found.proposals if p.path in paths]


def accept(
    vault: Vault,
    today: date,
    loaded: LoadResult,
    proposals: Sequence[Proposal],
    committer: Committer | None = None,
) -> Outcome:
    """Log `proposals` (each through `plan_touch`, the touch path of `vtb log`: one Log
    entry with its block id, `last_contacted` moved forward once per note), commit them
    all in one commit with a `Vtb-Contact:` trailer per person, and update the index.
    A note that cannot be changed is a problem; the others are still logged."""
    from vault_touchbase.actions.committing import Committer, Outcome, edit_named
    from vault_touchbase.actions.refresh import commit_and_update_index
    from vault_touchbase.core.errors import VtbError
    from vault_touchbase.core.model import Problem
    from vault_touchbase.core.words import plural
    from vault_touchbase.vault.store import vault_lock

    outcome = Outcome()
    by_path: dict[str, list[Proposal]] = {}
    for proposal in proposals:
        by_path.setdefault(proposal.path, []).append(proposal)
    if not by_path:
        return outcome
    contacts = {contact.path: contact for contact in loaded.contacts}
    logged: list[tuple[Contact, int]] = []
    with vault_lock(vault.root):
        committer = (committer or Committer(vault)).ready()
        for path, own in by_path.items():
            contact = contacts.get(path)
            if contact is None:  # renamed or removed since the proposals were made
                outcome.problems.append(
                    Problem(path, 1, "error", "no longer a contact note; not logged", "")
                )
                continue
            try:
                if edit_named(vault, path, _change(vault, today, contact, own)):
                    outcome.changed.append(path)
                    logged.append((contact, len(own)))
            except VtbError as exc:
                outcome.problems.append(
                    Problem(path, 1, "error", f"{exc.message}; not logged", exc.hint)
                )
        if not logged:
            return outcome
        touches = sum(count for _, count in logged)
        message = f"harvest: {plural(touches, 'touch', 'touches')}, " + plural(
            len(logged), "person", "people"
        )
        body = "\n".join(
            f"{contact.name}: {plural(n, 'touch', 'touches')}" for contact, n in logged[:SHOWN]
        )
        if len(logged) > SHOWN:  # the trailers name everyone
            body += f"\n… and {plural(len(logged) - SHOWN, 'person', 'people')} more"
        trailers = {"Vtb-Contact": [contact.path for contact, _ in logged]}
        commit_and_update_index(
            vault,
            today,
            committer,
            outcome.changed,
            f"{message}\n\n{body}",
            trailers,
            outcome,
            loaded=loaded,
        )
    outcome.done.append(message.removeprefix("harvest: ") + " logged")
    return outcome


def _change(
    vault: Vault, today: date, contact: Contact, proposals: list[Proposal]
) -> Callable[[str], str]:
    """One note's change: each proposal's touch in turn, oldest first (so the latest of a
    day ends up on top, as the Log is read)."""
    from vault_touchbase.actions.touch_note import plan_touch
    from vault_touchbase.core.oneline import inert_markdown

    touches = [  # a subject is anyone's words: never a live image, embed, link or tag
        plan_touch(vault, today, contact, p.channel, p.day, inert_markdown(p.text), block=p.block)
        for p in proposals
    ]

    def change(text: str) -> str:
        for touch in touches:
            text = touch.change(text)
        return text

    return change
