"""Every source read and its touches kept to the ones still to log: `find_proposals`.

Mail is read here (`state.py`, `mail.py`); calendars and daily notes by their own
readers (`calendar.py`, `daily.py`), imported only when such a source is given (they
bring icalendar and markdown-it). A touch is kept when
it is newer than the person's last contact minus `OVERLAP`, not older than `since`,
not after today, its block id is not in their Log yet (logged here or on another
device: the notes are the record), and neither their Log nor another source has a touch
of that day and channel (a lunch in the calendar and in the daily note is one touch).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from vault_touchbase.core.errors import UsageProblem
from vault_touchbase.core.model import Contact
from vault_touchbase.features.harvest.found import Directory, Proposal, Skipped, SourceRead
from vault_touchbase.features.harvest.mail import mail_proposals
from vault_touchbase.features.harvest.mailread import MailRead, Progress

OVERLAP = timedelta(days=3)
"""How far before a person's last contact harvest still looks (a touch logged by hand
on the day, a mail of the day before it)."""


ProgressFor = Callable[[str], Progress | None]  # a source's label → its progress callback


@dataclass(frozen=True)
class Sources:
    """What one harvest reads."""

    maildir: tuple[Path, ...] = ()
    mbox: tuple[Path, ...] = ()
    ics: tuple[Path, ...] = ()
    daily: tuple[Path, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.maildir or self.mbox or self.ics or self.daily)


@dataclass
class Found:
    """A harvest's proposals, oldest first within each person, and what was passed over."""

    proposals: list[Proposal] = field(default_factory=list)
    messages: int = 0  # mail messages read (touches or not)
    bulk: int = 0
    unparsable: int = 0  # messages (and calendar or daily files) that could not be read
    skipped: list[Skipped] = field(default_factory=list)  # calendar and daily files, and why
    logged: int = 0  # touches found that the Log has already

    def people(self) -> list[tuple[str, list[Proposal]]]:
        """The proposals by person (path), in listing order."""
        by_path: dict[str, list[Proposal]] = {}
        for proposal in self.proposals:
            by_path.setdefault(proposal.path, []).append(proposal)
        return list(by_path.items())


def find_proposals(
    contacts: Iterable[Contact],
    sources: Sources,
    me: Collection[str],
    since: date,
    today: date,
    state_dir: Path,
    progress: ProgressFor | None = None,
    vault_root: Path | None = None,
) -> Found:
    """Read every source and keep the touches still to log (see the module's docstring).
    `vault_root`: what daily notes' source ids are relative to (default: `state_dir`'s
    vault, the folder above `.vtb`)."""
    from vault_touchbase.features.harvest.state import maildir_source, mbox_source

    directory = Directory(contacts)
    found = Found()
    reads: list[MailRead] = []
    for kind, paths, reader in (
        ("maildir", sources.maildir, maildir_source),
        ("mbox", sources.mbox, mbox_source),
    ):
        for path in paths:
            try:
                reads.append(reader(path, state_dir, _progress(progress, f"{kind} {path}")))
            except OSError as exc:
                raise UsageProblem(
                    f"cannot read the {kind} {path}: {exc.strerror or exc}",
                    "check that it exists and that you may read it",
                ) from None
    for read in reads:
        found.messages += len(read.mails) + read.bulk + read.unparsable
        found.bulk += read.bulk
        found.unparsable += read.unparsable
    proposals = mail_proposals(reads, directory, me)
    if sources.ics:
        from vault_touchbase.features.harvest.calendar import calendar_proposals

        events = calendar_proposals(
            sources.ics,
            directory,
            since,
            today,
            _progress(progress, "calendars"),
            state_dir=state_dir,
        )
        proposals += _drain(events, found)
    if sources.daily:
        from vault_touchbase.features.harvest.daily import daily_proposals

        root = vault_root or state_dir.parent
        lines = daily_proposals(
            root, sources.daily, directory, since, today, _progress(progress, "daily notes")
        )
        proposals += _drain(lines, found)
    found.proposals = _still_to_log(proposals, directory, since, today, found)
    return found


def _progress(progress: ProgressFor | None, label: str) -> Progress | None:
    return progress(label) if progress is not None else None


def _drain(read: SourceRead, found: Found) -> list[Proposal]:
    """A calendar's or daily notes' proposals, and the files it skipped counted."""
    proposals = list(read)
    found.unparsable += len(read.skipped)
    found.skipped += read.skipped
    return proposals


def _still_to_log(
    proposals: list[Proposal], directory: Directory, since: date, today: date, found: Found
) -> list[Proposal]:
    by_path = {contact.path: contact for contact in directory.contacts}
    logged: dict[str, set[object]] = {}  # a person's block ids and (day, channel) touches
    kept: list[Proposal] = []
    for proposal in proposals:
        contact = by_path.get(proposal.path)
        if contact is None:
            continue
        low = since
        if contact.last_contacted is not None:
            low = max(low, contact.last_contacted - OVERLAP)
        if not low <= proposal.day <= today:
            continue
        known = logged.get(proposal.path)
        if known is None:  # read when first needed
            known = logged[proposal.path] = {e.block for e in contact.log if e.block}
            known.update((e.date, e.channel) for e in contact.log)
        block = proposal.block  # a digest: computed once, and only inside the window
        touch = (proposal.day, proposal.channel)
        if block in known or touch in known:
            found.logged += 1  # logged already, or the same touch from another source
            continue
        known.update((block, touch))
        kept.append(proposal)
    order = {p.path: (by_path[p.path].name.casefold(), p.path) for p in kept}
    # by person, then by day; the sources' order (oldest first) kept within a day
    return sorted(kept, key=lambda p: (order[p.path], p.day))
