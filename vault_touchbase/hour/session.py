"""Front end: the monthly hour as an interactive terminal session.

This hour's plan, person by person: a card with who they are and what to talk
about, and one key per action: `d` draft an email, `l` log it done, `s` snooze,
`n` add a line to their note, `i` the introduction on their card (logged on both
notes once sent), `a` log the touches `vtb harvest` found (`hour/harvested.py`),
`k` skip, `q` quit. Every action is saved and
committed at once through `actions`, so quitting at any point (q, Ctrl-C, the
end of the input) loses nothing. On a terminal a key is one keypress; with
piped or scripted input each answer is one line.
"""

from __future__ import annotations

import shutil
import signal
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import click

from vault_touchbase.actions.committing import Committer, Outcome
from vault_touchbase.actions.refresh import refresh
from vault_touchbase.actions.touch import add_note_line, log_touch, snooze
from vault_touchbase.core.errors import VtbError
from vault_touchbase.core.model import Contact
from vault_touchbase.core.plan import DueItem, birthday_this_month
from vault_touchbase.core.words import plural
from vault_touchbase.features.drafts.draft import Draft, make_draft, similarity
from vault_touchbase.features.drafts.output import as_text, mailto
from vault_touchbase.features.harvest.found import Proposal
from vault_touchbase.features.intros import Intro, describe, find_intros, intros_for
from vault_touchbase.hour.harvested import KEY as FOUND_KEY
from vault_touchbase.hour.harvested import accept_found, found_by_person
from vault_touchbase.hour.harvested import card_lines as found_lines
from vault_touchbase.hour.terminal import Quit, Terminal
from vault_touchbase.index.render import plan_header, status_text
from vault_touchbase.vault.folder import Vault

KEYS = "[d]raft  [l]og done  [i]ntro  [s]nooze  [n]ote  s[k]ip  [q]uit"
ALIKE = 0.9  # drafts this alike (difflib ratio) draw a warning
LOG_LINES = 3  # Log entries on a card


@dataclass
class Tally:
    """What happened in the session, for the summary."""

    touched: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    drafted: list[str] = field(default_factory=list)
    snoozed: list[str] = field(default_factory=list)
    noted: list[str] = field(default_factory=list)
    introduced: list[str] = field(default_factory=list)
    commits: int = 0
    minutes: int = 0
    drafts: dict[str, str] = field(default_factory=dict)  # name → body, for the alike check


@contextmanager
def shielded() -> Iterator[None]:
    """Hold Ctrl-C while an action writes and commits; it takes effect right after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if caught:
            raise KeyboardInterrupt


class Session:
    """One hour: the plan, the terminal, and what has been done so far."""

    def __init__(
        self, vault: Vault, today: date, terminal: Terminal, style: Callable[..., str]
    ) -> None:
        self.vault = vault
        self.today = today
        self.term = terminal
        self.style = style
        self.tally = Tally()
        self.started = time.monotonic()
        self.intros: list[Intro] = []
        self.asks: dict[str, list[str]] = {}  # path → the user's needs they could help with
        self.contacts: tuple[Contact, ...] = ()
        self.warned: set[str] = set()
        self.found: dict[str, list[Proposal]] = {}  # touches harvest found, by note path
        self.width = min(shutil.get_terminal_size((100, 24)).columns, 100)

    # -- the whole session ------------------------------------------------------------

    def run(self) -> bool:
        """Go through the plan. Returns True when stopped by Ctrl-C."""
        Committer(self.vault).ready()  # no identity: say so now, before anything is typed
        with shielded():
            result = refresh(self.vault, self.today)
        self.report(result.outcome)
        for problem in result.problems[:5]:
            click.echo(self.style(str(problem), fg="yellow"), err=True)
        if len(result.problems) > 5:
            click.echo(f"... and {len(result.problems) - 5} more (see `vtb check`)", err=True)
        snap = result.snap
        plan = list(snap.plan.this_hour)
        self.intros = find_intros(snap.loaded.contacts, self.vault.settings, self.today)
        self.asks = self.needs_asked(snap.loaded.contacts)
        self.contacts = snap.loaded.contacts
        self.found, trouble = found_by_person(self.vault, self.today, snap.loaded)
        if trouble:
            click.echo(self.style(trouble, fg="yellow"), err=True)
        self.tally.minutes = snap.plan.spent  # the hour is monthly: what is spent stays spent
        if not plan:
            if snap.items and snap.plan.spent:
                click.echo(f"Nobody more this month: {plan_header(snap.plan)}.")
            else:
                click.echo("Nobody is due this month: your hour is free.")
            return False
        click.echo(
            self.style(f"Your hour — {self.today:%B %Y}", bold=True)
            + f": {plural(len(plan), 'person', 'people')}, {plan_header(snap.plan)}."
        )
        click.echo(f"Keys: {KEYS}. Each action is committed at once.\n")
        done = 0
        interrupted = False
        try:
            for number, item in enumerate(plan, 1):
                self.person(number, len(plan), item)
                done = number
        except Quit:
            pass
        except KeyboardInterrupt:
            click.echo("\nInterrupted: everything done so far is saved and committed.")
            interrupted = True
        self.summary(plan, done)
        return interrupted

    def needs_asked(self, contacts: Sequence[Contact]) -> dict[str, list[str]]:
        """Who could help with the needs in Now.md (none when it cannot be read: said once)."""
        from vault_touchbase.features.drafts.news import read_needs
        from vault_touchbase.features.helpers import asks, helpers_for_needs

        try:
            needs = read_needs(self.vault)
        except VtbError as exc:
            click.echo(self.style(f"warning: {exc.message}", fg="yellow"), err=True)
            return {}
        return asks(helpers_for_needs(contacts, needs, self.vault.settings, self.today))

    # -- one person -----------------------------------------------------------------------

    def person(self, number: int, total: int, item: DueItem) -> None:
        """Show the card, then take keys until the person is done, skipped or snoozed."""
        self.card(number, total, item)
        contact = item.contact
        draft: Draft | None = None
        while True:
            keys = KEYS
            if self.found.get(contact.path):
                keys = keys.replace("  s[k]ip", f"  [{FOUND_KEY}]ccept found  s[k]ip")
            if draft is not None:
                keys = keys.replace("  [i]ntro", "  [o]pen mail  [i]ntro")
            key = self.term.key(self.style(">", bold=True) + f" {keys}:")
            try:
                if key == "d":
                    draft = self.draft(contact)
                elif key == "l":
                    if self.log(item, draft):
                        return
                elif key == "s":
                    if self.snooze(contact):
                        return
                elif key == "n":
                    self.note(contact)
                elif key == "i":
                    self.introduce(contact)
                elif key == "o":
                    self.open_mail(draft)
                elif key == FOUND_KEY and self.found.get(contact.path):
                    if not self.accept_found(contact):
                        return
                    click.echo(f"{contact.first_name} wrote to you: an answer is owed.")
                elif key == "k":
                    self.tally.skipped.append(contact.name)
                    click.echo(f"Skipped {contact.name}.\n")
                    return
                elif key == "q":
                    raise Quit
                elif key in ("?", "h"):
                    click.echo(__doc__.split("\n\n")[1] if __doc__ else KEYS)
                else:
                    click.echo(f"Press one of: {keys}.")
            except VtbError as exc:
                click.echo(self.style(f"Not done: {exc.message}", fg="red"))
                if exc.hint:
                    click.echo(f"  {exc.hint}")

    def card(self, number: int, total: int, item: DueItem) -> None:
        contact = item.contact
        elapsed = int((time.monotonic() - self.started) // 60)
        budget = self.vault.settings.hour_budget
        head = f"── {number}/{total} · {contact.name} · {item.channel} · {status_text(item)} "
        clock = (
            f" {self.tally.minutes} of {budget} min used this month · {elapsed} min on the clock ──"
        )
        rule = "─" * max(self.width - len(head) - len(clock), 2)
        click.echo(self.style(head + rule + clock, bold=True))
        asks = self.asks.get(contact.path, ())
        for line in card_lines(item, self.intros, self.today, self.width, asks):
            click.echo(line)
        for line in found_lines(self.found.get(contact.path, []), self.width):
            click.echo(line)

    def accept_found(self, contact: Contact) -> bool:
        """Log what harvest found with them; True when that holds a reply still to
        answer (so the card stays, to draft the answer)."""
        found = self.found.pop(contact.path)
        with shielded():
            outcome = accept_found(self.vault, self.today, found)
            self.tally.touched.append(
                f"{contact.name} (found: {plural(len(found), 'touch', 'touches')})"
            )
            self.report(outcome, f"Logged what was found with {contact.name}")
        last = max(found, key=lambda p: p.day)
        return last.channel == "reply"

    def draft(self, contact: Contact) -> Draft:
        draft = make_draft(self.vault, contact, self.intros, self.today)
        rule = "┄" * min(self.width, 60)
        click.echo(f"{rule}\n{as_text(draft)}{rule}")  # no margin: it copies cleanly
        for warning in draft.warnings:
            if warning in self.warned:
                continue  # said once a session: about the template, not this person
            if contact.name not in warning:
                self.warned.add(warning)
            click.echo(self.style(f"warning: {warning}", fg="yellow"))
        for name, body in self.tally.drafts.items():
            ratio = similarity(body, draft.body)
            if name != contact.name and ratio >= ALIKE:
                click.echo(
                    self.style(
                        f"warning: this draft is {ratio:.0%} the same as the one for {name}: "
                        "say something only they would get",
                        fg="yellow",
                    )
                )
        self.tally.drafts[contact.name] = draft.body
        if contact.name not in self.tally.drafted:
            self.tally.drafted.append(contact.name)
        click.echo("Copy it into your mail program (o opens it there); press l when it is sent.")
        return draft

    def open_mail(self, draft: Draft | None) -> None:
        if draft is None:
            click.echo("Press d for a draft first.")
            return
        link = mailto(draft)
        if click.launch(link) != 0:
            click.echo(f"Could not open a mail program; the link is:\n{link}")
        else:
            click.echo("Opened in your mail program; press l when it is sent.")

    def log(self, item: DueItem, draft: Draft | None) -> bool:
        contact = item.contact
        channel = self.term.line("Channel", default="email" if draft else item.channel)
        if len(channel.split()) != 1:
            click.echo("Give one word, e.g. email, call, visit, meet.")
            return False
        text = self.term.line("What happened (one line, Enter to skip)", default="")
        if draft is not None and channel.lower() == "email":
            text = draft.log_text(text)
        ended = False
        try:
            task = self.followup_done(contact)
        except Quit:  # the input ended at the question: keep the touch, then stop
            task, ended = None, True
        with shielded():  # a Ctrl-C now waits until it is committed and counted
            outcome = log_touch(
                self.vault, self.today, contact, channel, self.today, text, done_task=task
            )
            self.tally.touched.append(f"{contact.name} ({channel.lower()})")
            self.tally.minutes += self.vault.settings.minutes_for(channel.lower())
            self.report(outcome, f"Logged {channel.lower()} with {contact.name}")
        if ended:
            raise Quit
        return True

    def followup_done(self, contact: Contact) -> str | None:
        """Which open follow-up this touch also did (ticked in the same commit), if any."""
        tasks = contact.open_followups
        if not tasks:
            return None
        for number, task in enumerate(tasks, 1):
            due = f" (due {task.due})" if task.due else ""
            click.echo(f"  {number}. {task.text}{due}")
        while True:
            answer = self.term.line(f"Did a follow-up too? (1-{len(tasks)}, Enter: none)")
            if not answer:
                return None
            if answer.isdigit() and 1 <= int(answer) <= len(tasks):
                return tasks[int(answer) - 1].text
            click.echo(f"Give a number from 1 to {len(tasks)}, or press Enter.")

    def snooze(self, contact: Contact) -> bool:
        from vault_touchbase.core.cadence import parse_day_or_span

        answer = self.term.line("Snooze until (a date, or 2w, 1m)", default="2w")
        try:
            until = parse_day_or_span(answer, self.today, "ahead")
        except ValueError as exc:
            click.echo(str(exc))
            return False
        with shielded():
            outcome = snooze(self.vault, self.today, contact, until)
            self.tally.snoozed.append(f"{contact.name} (until {until})")
            self.report(outcome, f"Snoozed {contact.name} until {until}")
        return True

    def introduce(self, contact: Contact) -> None:
        """The double opt-in emails for an introduction on their card; logged on both
        notes (one commit) only when the user says they are sent."""
        from vault_touchbase.actions.intro import record_intro
        from vault_touchbase.features.drafts.draft import intro_drafts

        found = intros_for(contact, self.intros)[:2]  # the ones the card shows
        if not found:
            click.echo(f"No introduction to make for {contact.name} right now.")
            return
        intro = found[0]
        if len(found) > 1:
            for number, one in enumerate(found, 1):
                click.echo(f"  {number}. {describe(one)}")
            answer = self.term.line(f"Which one? (1-{len(found)})", default="1")
            if not (answer.isdigit() and 1 <= int(answer) <= len(found)):
                click.echo(f"Give a number from 1 to {len(found)}.")
                return
            intro = found[int(answer) - 1]
        rule = "┄" * min(self.width, 60)
        for draft in intro_drafts(self.vault, intro.giver, intro.taker, intro, ""):
            click.echo(f"{rule}\n{as_text(draft)}", nl=False)
        click.echo(rule)
        answer = self.term.line("Sent? log it on both notes, y or n", default="n")
        if not answer.lower().startswith("y"):
            click.echo("Not logged: press i again once they are sent.")
            return
        reason = f"{intro.offer} ↔ {intro.need}"
        with shielded():
            outcome = record_intro(
                self.vault, self.today, intro.giver, intro.taker, reason, self.contacts
            )
            self.intros = [
                i for i in self.intros if not (i.involves(intro.giver) and i.involves(intro.taker))
            ]
            self.tally.introduced.append(f"{intro.giver.name} ↔ {intro.taker.name}")
            self.report(outcome, f"Introduced {intro.giver.name} and {intro.taker.name}")

    def note(self, contact: Contact) -> None:
        line = self.term.line("Note line for their note (Enter to cancel)", default="")
        if not line:
            click.echo("No note added.")
            return
        with shielded():
            outcome = add_note_line(self.vault, self.today, contact, line)
            self.tally.noted.append(contact.name)
            self.report(outcome, f"Added to {contact.name}'s note")

    # -- output -----------------------------------------------------------------------------

    def report(self, outcome: Outcome, done: str = "") -> None:
        self.tally.commits += len(outcome.commits)
        if done:
            commit = f" (commit {outcome.commits[0][:7]})" if outcome.commits else ""
            click.echo(done + commit + ".\n")
        else:
            for line in outcome.done:
                click.echo(line)
        for notice in outcome.notices:
            click.echo(self.style(notice, fg="yellow"), err=True)
        for problem in outcome.problems:
            click.echo(self.style(str(problem), fg="red"), err=True)

    def summary(self, plan: list[DueItem], done: int) -> None:
        tally = self.tally
        left = [item.contact.name for item in plan[done:]]
        elapsed = int((time.monotonic() - self.started) // 60)
        click.echo(self.style("\nYour hour, in short", bold=True))
        rows: list[tuple[str, list[str]]] = [
            ("touched", tally.touched),
            ("drafted", tally.drafted),
            ("snoozed", tally.snoozed),
            ("notes added", tally.noted),
            ("introduced", tally.introduced),
            ("skipped", tally.skipped),
            ("left for next time", left),
        ]
        for label, names in rows:
            listing = ": " + ", ".join(names) if names else ""
            click.echo(f"  {label:<19}{len(names)}{listing}")
        click.echo(
            f"  time: about {tally.minutes} of {self.vault.settings.hour_budget} min this month "
            f"by the plan's minutes, {elapsed} on the clock; {plural(tally.commits, 'commit')}."
        )
        click.echo(f"{self.vault.settings.index} is up to date.")


def card_lines(
    item: DueItem,
    intros: list[Intro],
    today: date,
    width: int = 100,
    asks: Sequence[str] = (),
) -> list[str]:
    """What the card shows about one person, one line (or wrapped paragraph) each; `asks`:
    the user's needs (Now.md) they could help with."""
    contact = item.contact
    lines: list[str] = []
    if contact.summary:
        lines += textwrap.wrap(
            contact.summary, width - 2, initial_indent="  ", subsequent_indent="  "
        )
    reach = [*contact.emails[:1], *contact.phones[:1]]
    cadence = f"cadence {item.cadence}"
    lines.append("  " + " · ".join([*reach, cadence, *(["nearby"] if contact.nearby else [])]))
    if contact.needs:
        lines.append("  needs: " + ", ".join(contact.needs))
    if contact.offers:
        lines.append("  offers: " + ", ".join(contact.offers))
    if contact.birthday and birthday_this_month(contact, today):
        lines.append(
            f"  birthday: {contact.birthday.month:02d}-{contact.birthday.day:02d}, this month"
        )
    for intro in intros_for(contact, intros)[:2]:
        lines.append(f"  introduce: {describe(intro)}")
    for need in asks:
        lines.append(f"  ask {contact.first_name} about {need} (your need in Now.md)")
    for followup in contact.open_followups:
        due = f" (due {followup.due})" if followup.due else ""
        lines.append(f"  follow-up: {followup.text}{due}")
    if contact.log:
        lines.append("  Log:")
        for entry in contact.log[:LOG_LINES]:
            channel = f" {entry.channel}:" if entry.channel else ""
            text = textwrap.shorten(
                f"{entry.date}{channel} {entry.text}", width - 4, placeholder=" …"
            )
            lines.append(f"    {text}")
    else:
        lines.append("  Log: nothing yet")
    return lines


def run(vault: Vault, today: date, style: Callable[..., Any]) -> bool:
    """Run the hour on this terminal. Returns True when stopped by Ctrl-C."""
    tty = sys.stdin.isatty() and sys.stdout.isatty()
    return Session(vault, today, Terminal(tty), style).run()
