"""What a user does, shared by every front end (cli, watch, hour).

Each action takes the vault-wide lock, edits notes through `edit` (minimal,
verified), writes through `store` (atomic, never over a note that changed
meanwhile), commits through `gitrepo` (only the files it changed), and
brings the index note up to date. Nothing here prints or prompts: results
come back as values for the front end to show.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from vault_touchbase.actions.committing import Committer, Outcome, edit_named, trailers_for
from vault_touchbase.core.errors import NoteError, UsageProblem, VtbError
from vault_touchbase.core.model import Contact, FollowUp, LoadResult, Problem
from vault_touchbase.core.plan import DueItem, HourPlan, channel_of, due_items, hour_plan
from vault_touchbase.index.render import IndexInput, is_generated, render
from vault_touchbase.index.ticks import Tick, read_ticks, ticked_task_text
from vault_touchbase.vault.folder import Progress, Vault
from vault_touchbase.vault.listing import read_note
from vault_touchbase.vault.load import load_vault, reload_notes
from vault_touchbase.vault.lookup import find_contact

if TYPE_CHECKING:
    pass

TICK_TEXT = "ticked in Touch Base"
# A Log entry's channel as `logbook` reads it back: one word that starts with a letter.
_CHANNEL_WORD = re.compile(r"[^\W\d_][\w+/.]*")


# --- reading the vault ---------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """The vault loaded and planned for one `today`."""

    loaded: LoadResult
    items: list[DueItem]
    plan: HourPlan


def plan_for(vault: Vault, loaded: LoadResult, today: date) -> Snapshot:
    items = due_items(loaded.contacts, vault.settings, today)
    return Snapshot(loaded, items, hour_plan(items, loaded.contacts, vault.settings, today))


def snapshot(vault: Vault, today: date, progress: Progress | None = None) -> Snapshot:
    """Load every contact and work out who is due and this hour's plan."""
    return plan_for(vault, load_vault(vault, progress), today)


@contextmanager
def loaded_and_locked(vault: Vault) -> Iterator[LoadResult]:
    """Hold the vault lock and load the vault once, for a command that finds a person,
    changes their note and rebuilds the index: with the lock held throughout, no other
    vtb process writes in between, so the index is rebuilt from this load and what the
    command itself changed (`vault.reload_notes`), not from a second load."""
    from vault_touchbase.vault.shards import CACHE_DIR
    from vault_touchbase.vault.store import vault_lock

    if not (vault.state_dir / CACHE_DIR).is_dir():
        load_vault(vault)  # a first run parses every note: not while others wait for the lock
    with vault_lock(vault.root):
        yield load_vault(vault)


def contact_named(vault: Vault, name: str, loaded: LoadResult | None = None) -> Contact:
    """The one person NAME matches (see `vault.find_contact`) in `loaded` (by default,
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


# --- the index note ---------------------------------------------------------------------


def future_date_problems(vault: Vault, contacts: Iterable[Contact], today: date) -> list[Problem]:
    """A last contact after `today` (a typo such as 2062 for 2026) hides a person for
    years: a warning with the line of the date, in `vtb check` and the index note."""
    from vault_touchbase.notes.text import decode, split_note, top_level_keys

    found: list[Problem] = []
    for contact in contacts:
        if contact.last_contacted is None or contact.last_contacted <= today:
            continue
        entry = next((e for e in contact.log if e.date > today), None)
        key = contact.keys.get("last_contacted", "last_contacted")
        line = entry.line if entry else 1
        if entry is None:
            try:
                parts = split_note(decode(vault.path_of(contact.path).read_bytes()))
                keys = dict(top_level_keys(parts.frontmatter or "", parts.frontmatter_line))
                line = keys.get(key, 1)
            except (OSError, ValueError):
                pass
        where = "a Log entry" if entry else key
        found.append(
            Problem(
                contact.path,
                line,
                "warning",
                f"{where} says {contact.last_contacted}, after today ({today}); "
                "they are not due until long after that",
                "fix the date if it is a typo",
            )
        )
    return found


def index_input(
    vault: Vault, snap: Snapshot, today: date, extra: Iterable[Problem] = ()
) -> IndexInput:
    """Everything the index note shows, from a snapshot."""
    from vault_touchbase.core.cadence import month_end
    from vault_touchbase.features import intros
    from vault_touchbase.index.render import followup_lines
    from vault_touchbase.vault.memo import remembered

    replies = [i for i in snap.items if i.status == "reply"]
    contacts = snap.loaded.contacts
    return IndexInput(
        today=today,
        items=snap.items,
        plan=snap.plan,
        contacts=snap.loaded.contacts,
        problems=sorted([*snap.loaded.problems, *extra]),
        replies=replies,
        followups=followup_lines(contacts, today, month_end(today)),
        intros=remembered(  # matching 10,000 people's offers and needs: kept between runs
            vault,
            "intros",
            intros.index_inputs(contacts, vault.settings, today),
            lambda: intros.index_lines(contacts, vault.settings, today),
        ),
    )


def write_index(vault: Vault, text: str) -> bool:
    """Write the index note only when its bytes change. Refuses to overwrite a
    note of the user's that vtb did not make. Returns True when written."""
    from vault_touchbase.vault.store import atomic_write

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
            'rename that note, or set `index = "..."` in vtb.toml to another name',
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, data)
    return True


class IndexSummary(NamedTuple):
    """The numbers `vtb refresh` reports about the index note."""

    due: int
    overdue: int
    never: int
    planned: int
    minutes_used: int
    budget: int

    @classmethod
    def of(cls, snap: Snapshot) -> IndexSummary:
        statuses = [item.status for item in snap.items]
        return cls(
            len(statuses),
            statuses.count("overdue"),
            statuses.count("never"),
            len(snap.plan.this_hour),
            snap.plan.minutes_used,
            snap.plan.budget,
        )


@dataclass(frozen=True)
class RefreshResult:
    """What `refresh` did: the plan it wrote, whether the file changed, and problems."""

    snap: Snapshot
    written: bool
    problems: tuple[Problem, ...]
    outcome: Outcome

    @property
    def notices(self) -> list[str]:
        return self.outcome.notices

    @property
    def summary(self) -> IndexSummary:
        return IndexSummary.of(self.snap)


def rebuild_index(
    vault: Vault,
    today: date,
    committer: Committer | None = None,
    progress: Progress | None = None,
    extra: Iterable[Problem] = (),
    loaded: LoadResult | None = None,
) -> RefreshResult:
    """Load, plan and write the index note (and commit it when `commit_index` is on).
    `loaded`: the notes as already loaded (the watcher keeps them in memory)."""
    snap = snapshot(vault, today, progress) if loaded is None else plan_for(vault, loaded, today)
    extra = [*extra, *future_date_problems(vault, snap.loaded.contacts, today)]
    text = render(index_input(vault, snap, today, extra))
    written = write_index(vault, text)
    outcome = Outcome(index_written=written)
    if written and vault.settings.commit_index:
        (committer or Committer(vault)).commit(
            [vault.settings.index],
            f"index: {today:%B %Y}",
            {"Vtb-Index": vault.settings.index},
            outcome,
        )
    result = RefreshResult(snap, written, tuple(sorted([*snap.loaded.problems, *extra])), outcome)
    if loaded is None:  # what it was built from is what this process's load saw
        from vault_touchbase.vault.memo import remember_index

        summary = (tuple(result.summary), result.problems)
        remember_index(vault, today.isoformat(), snap.loaded.listing, text, summary)
    return result


def refresh(
    vault: Vault,
    today: date,
    progress: Progress | None = None,
    committer: Committer | None = None,
    loaded: LoadResult | None = None,
) -> RefreshResult:
    """Log the index note's ticked boxes, then rebuild it. Problems with ticks are in
    `problems` and also in `outcome.problems` (for a command that reports only those).
    `loaded`: the notes as this process loaded them under the lock it still holds."""
    from vault_touchbase.vault.store import vault_lock

    with vault_lock(vault.root):
        committer = committer or Committer(vault)
        outcome, tick_problems = harvest_ticks(vault, today, committer)
        if loaded is not None:
            # a tick that failed may still have written its note: then read everything
            loaded = None if tick_problems else reload_notes(vault, loaded, outcome.changed)
        result = rebuild_index(vault, today, committer, progress, tick_problems, loaded)
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
    if loaded is not None:
        loaded = reload_notes(vault, loaded, outcome.changed)
    try:
        after = refresh(vault, today, committer=committer, loaded=loaded).outcome
    except VtbError as exc:
        hint = f" ({exc.hint})" if exc.hint else ""
        outcome.notices.append(f"{vault.settings.index} not updated: {exc.message}{hint}")
        return
    after.notices[:0] = after.done
    after.done = []
    after.changed = []
    outcome.merge(after)


# --- ticks ---------------------------------------------------------------------------------


def harvest_ticks(vault: Vault, today: date, committer: Committer) -> tuple[Outcome, list[Problem]]:
    """Log a touch for every ticked box in the index note (one commit per person).

    A tick is tied to its note by the link's path. A tick whose note is gone
    or unreadable is reported, never guessed.
    """
    outcome = Outcome()
    problems: list[Problem] = []
    try:
        text = vault.index_path.read_text(encoding="utf-8-sig")
    except (FileNotFoundError, UnicodeDecodeError):
        return outcome, problems
    if not is_generated(text):
        return outcome, problems
    index = vault.settings.index
    ticks = read_ticks(text)
    if ticks:  # the action's own commit first: if it failed, the ticks wait for next time
        committer.settle()
    for tick in ticks:
        path = vault.path_of(tick.path)
        if not path.is_file() or not _is_contact_file(vault, path):
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
    return outcome, problems


def _apply_tick(
    vault: Vault, today: date, contact: Contact, tick: Tick, committer: Committer
) -> Outcome:
    channel = tick.channel or channel_of(contact, vault.settings)
    if tick.section == "followups":
        task = ticked_task_text(tick.text)
        return complete_followup(
            vault, today, contact, task, channel, committer=committer, refresh_index=False
        )
    if any(e.date == today and e.channel == channel for e in contact.log):
        # Logged already: by this tick in a refresh that stopped half-way, or by hand
        # (`vtb log`, an editor) after the index was written — the same touch.
        return Outcome()
    outcome = log_touch(
        vault, today, contact, channel, today, TICK_TEXT, committer=committer, refresh_index=False
    )
    outcome.done.append(f"logged {contact.name} ({channel}): ticked in {vault.settings.index}")
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
    followup = find_followup(contact, task)
    if followup is None:
        return Outcome()
    text = f"follow-up done: {followup.text}"
    outcome = log_touch(
        vault,
        today,
        contact,
        channel,
        today,
        text,
        committer=committer,
        refresh_index=refresh_index,
        done_task=followup.text,
        loaded=loaded,
    )
    outcome.done.append(f"done: {contact.name}: {followup.text}")
    return outcome


def _is_contact_file(vault: Vault, path: Path) -> bool:
    """True for a `.md` note inside the contacts folder, outside hidden folders: a tick
    never writes into the user's other notes (`[[Meetings]]`, `[[contacts/../Now]]`)."""
    try:
        inside = path.resolve().relative_to(vault.contacts_dir.resolve())
    except ValueError:
        return False
    return path.suffix == ".md" and not any(part.startswith(".") for part in inside.parts)


def inside_vault(vault: Vault, path: Path) -> bool:
    try:
        path.resolve().relative_to(vault.root.resolve())
        return True
    except ValueError:
        return False


# --- touches ---------------------------------------------------------------------------------


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
    (never back), commit as `touch: NAME (channel)`, and update the index.

    `follow_up` also adds `- [ ] FOLLOW_UP 📅 DUE` under `## Follow-ups`;
    `done_task` ticks that open follow-up (`✅ DAY`). Still one edit, one commit.
    `loaded`: see `update_index`.
    """
    from vault_touchbase.notes import edit
    from vault_touchbase.vault.store import vault_lock

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
        new = edit.tick_followup(text_now, done_task, day) if done_task else text_now
        new = edit.add_log_entry(new, day, channel, text)
        if follow_up:
            new = edit.add_followup(new, follow_up, follow_up_due)
        current = frontmatter_date(vault, contact.path, new, key)
        newest = max(d for d in (day, current, contact.last_contacted) if d is not None)
        if current is None or newest > current:
            new = edit.set_scalar(new, key, date_as_written(new, key, newest))
        return new

    outcome = Outcome()
    with vault_lock(vault.root):
        committer = (committer or Committer(vault)).ready()
        if edit_named(vault, contact.path, change):
            outcome.changed.append(contact.path)
        message = f"touch: {contact.name} ({channel})" if channel else f"touch: {contact.name}"
        if text:
            message += f"\n\n{day} {text}"
        if follow_up:
            due = f" (due {follow_up_due})" if follow_up_due else ""
            message += f"\n\nfollow-up: {follow_up}{due}"
        commit_and_update_index(
            vault,
            today,
            committer,
            [contact.path],
            message,
            trailers_for(contact, channel),
            outcome,
            refresh_index=refresh_index,
            loaded=loaded,
        )
    return outcome


def commit_and_update_index(
    vault: Vault,
    today: date,
    committer: Committer,
    paths: list[str],
    message: str,
    trailers: dict[str, str],
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


def date_as_written(text: str, key: str, day: date) -> date | str:
    """`day` as the note writes that key's date now: a quoted `"2026-01-01"` (a string to
    YAML) stays a quoted string, a plain date stays a date."""
    from vault_touchbase.notes.text import load_yaml, split_note

    front = split_note(text).frontmatter
    meta = load_yaml(front) if front else None
    old = meta.get(key) if isinstance(meta, dict) else None
    return day.isoformat() if isinstance(old, str) and old.strip() else day


def frontmatter_date(vault: Vault, rel: str, text: str, key: str) -> date | None:
    """The date the frontmatter itself holds under `key` (not the Log's newest)."""
    from datetime import datetime

    from vault_touchbase.notes.text import load_yaml, split_note

    front = split_note(text).frontmatter
    meta = load_yaml(front) if front else None
    value = meta.get(key) if isinstance(meta, dict) else None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def snooze(
    vault: Vault, today: date, contact: Contact, until: date, loaded: LoadResult | None = None
) -> Outcome:
    """Set `snooze_until` (or the note's dialect key) and commit `snooze: NAME until DATE`.
    `loaded`: see `update_index`."""
    from vault_touchbase.notes import edit

    if until <= today:
        raise UsageProblem(
            f"{until} is not in the future", "snooze until a later date, e.g. 2w or 2027-01-15"
        )
    key = contact.keys.get("snooze_until", "snooze_until")
    return _edit_one(
        vault,
        today,
        contact,
        lambda text: edit.set_scalar(text, key, date_as_written(text, key, until)),
        f"snooze: {contact.name} until {until}",
        loaded,
    )


def add_note_line(
    vault: Vault, today: date, contact: Contact, line: str, loaded: LoadResult | None = None
) -> Outcome:
    """Add a free-text line to the note's body (before Follow-ups and Log) and commit it.
    `loaded`: see `update_index`."""
    from vault_touchbase.notes import edit

    return _edit_one(
        vault,
        today,
        contact,
        lambda text: edit.add_body_line(text, line),
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
