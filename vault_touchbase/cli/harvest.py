"""`vtb harvest`: touches found in your own mail, calendars and daily notes, listed or logged."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from vault_touchbase.cli.app import (
    App,
    command,
    emit_json,
    emit_listing,
    json_option,
    problems_json,
    report,
)

if TYPE_CHECKING:
    from vault_touchbase.features.harvest.collect import Found
    from vault_touchbase.features.harvest.found import Proposal

_PATH = click.Path(path_type=Path, resolve_path=True)


@command()
@click.argument("names", nargs=-1, metavar="[NAME]...")
@click.option("--maildir", multiple=True, type=_PATH, metavar="PATH", help="A Maildir folder.")
@click.option("--mbox", multiple=True, type=_PATH, metavar="PATH", help="An mbox file.")
@click.option("--ics", multiple=True, type=_PATH, metavar="PATH", help="An .ics file or folder.")
@click.option("--daily", multiple=True, type=_PATH, metavar="DIR", help="A daily notes folder.")
@click.option("--accept", is_flag=True, help="Log the touches found (only NAME's, if given).")
@json_option
@click.pass_context
def harvest(
    ctx: click.Context,
    names: tuple[str, ...],
    maildir: tuple[Path, ...],
    mbox: tuple[Path, ...],
    ics: tuple[Path, ...],
    daily: tuple[Path, ...],
    accept: bool,
    as_json: bool,
) -> None:
    """Find touches in your own mail, calendars and daily notes, and list them.

    Reads the sources under [harvest] in vtb.toml, or those given here (each
    option repeatable). Mail you sent a contact is an `email`; mail they sent
    you and you have not answered, a `reply`. Given NAMEs, only theirs.
    `--accept` logs them in one commit; nothing is logged twice.
    """
    from vault_touchbase.actions import harvest as actions
    from vault_touchbase.features.harvest.collect import Sources
    from vault_touchbase.vault.load import load_vault

    app = App(ctx)
    sources = Sources(maildir, mbox, ics, daily)

    def progress(label: str) -> Any:
        return app.progress(f"reading {label}")

    if not accept:
        loaded = load_vault(app.vault)
        found = actions.harvest(app.vault, app.today, loaded, sources, progress)
        proposals = actions.chosen(found, loaded, names)
        if as_json:  # the proposals on stdout; broken notes (whose touches go unfound) too
            emit_listing(app, [_as_json(p) for p in proposals], loaded.problems)
        else:
            _list(app, proposals)
            app.problems(loaded.problems, limit=5)
        _counts(found, proposals, accepted=False, err=as_json)
        return
    from vault_touchbase.actions.touch import loaded_and_locked

    with loaded_and_locked(app.vault) as loaded:
        found = actions.harvest(app.vault, app.today, loaded, sources, progress)
        proposals = actions.chosen(found, loaded, names)
        outcome = actions.accept(app.vault, app.today, loaded, proposals)
    if as_json:
        emit_json(
            {
                "logged": [_as_json(p) for p in proposals if p.path in outcome.changed],
                "commits": outcome.commits,
                "notices": outcome.notices,
                "problems": problems_json([*outcome.problems, *loaded.problems]),
            }
        )
        ctx.exit(1 if outcome.problems else 0)
    if not proposals:
        _counts(found, proposals, accepted=True, err=False)
        return
    report(app, outcome, "Harvest: " + (outcome.done[0] if outcome.done else "nothing logged"))
    app.problems(loaded.problems, limit=5)
    if outcome.problems:  # a note that could not be changed: the others are logged
        ctx.exit(1)


SKIPPED_SHOWN = 5  # files named under the counts; the rest are counted


def _as_json(proposal: Proposal) -> dict[str, str]:
    return {
        "path": proposal.path,
        "name": proposal.name,
        "date": proposal.day.isoformat(),
        "channel": proposal.channel,
        "text": proposal.text,
        "source": proposal.source,
        "source_id": proposal.source_id,
    }


def _list(app: App, proposals: list[Proposal]) -> None:
    """The proposals by person: date, channel, text and where each was found."""
    by_person: dict[str, list[Proposal]] = {}
    for proposal in proposals:
        by_person.setdefault(proposal.name, []).append(proposal)
    lines = []  # one write: a listing of thousands of lines, echoed line by line, is slow
    for name, own in by_person.items():
        lines.append(app.style(name, bold=True))
        for p in own:
            lines.append(
                f"  {p.day} {p.channel}: {p.text}  " + app.style(f"({p.source})", dim=True)
            )
    if lines:
        click.echo("\n".join(lines))


def _counts(found: Found, proposals: list[Proposal], accepted: bool, err: bool) -> None:
    from vault_touchbase.core.words import plural

    people = len({p.path for p in proposals})
    if proposals:
        line = (
            f"{plural(len(proposals), 'touch', 'touches')} with "
            f"{plural(people, 'person', 'people')} to log: `vtb harvest --accept` logs them"
        )
    else:
        line = "Nothing new to log" if not accepted else "Nothing new to log; nothing changed"
    read = [plural(found.messages, "message")] if found.messages else []
    passed = [
        f"{found.bulk} bulk" if found.bulk else "",
        f"{found.unparsable} unreadable (skipped)" if found.unparsable else "",
        f"{found.logged} logged already" if found.logged else "",
    ]
    details = ", ".join([*read, *filter(None, passed)])
    click.echo(line + (f" ({details})" if details else "") + ".", err=err)
    for skipped in found.skipped[:SKIPPED_SHOWN]:  # which calendar or daily note, and why
        click.echo(f"  skipped {skipped.path}: {skipped.reason}", err=err)
    if len(found.skipped) > SKIPPED_SHOWN:
        click.echo(f"  … and {len(found.skipped) - SKIPPED_SHOWN} more files skipped", err=err)
