"""Commands that move people in and out: import and export."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from vault_touchbase.cli.app import (
    App,
    command,
    emit_json,
    json_option,
    notices,
    problems_json,
)
from vault_touchbase.core.words import plural

if TYPE_CHECKING:
    from vault_touchbase.actions.committing import Outcome
    from vault_touchbase.actions.importer import ImportPlan
    from vault_touchbase.core.model import Problem

PROGRESS_FROM = 200  # records: fewer go by too fast for a bar


def _entry_line(app: App, entry: Any, detail: bool) -> list[str]:
    action = {"new": "new", "merge": "merge", "skip": "skip"}[entry.action]
    colour = {"new": "green", "merge": "cyan", "skip": None}[entry.action]
    head = app.style(f"  {action:<6}", fg=colour) if colour else f"  {action:<6}"
    name = entry.person.name if entry.contact is None else entry.contact.name
    if entry.action == "skip":
        where = f" ({entry.path})" if entry.path else ""
        return [f"{head} {name}{where}: {entry.reason}"]
    if entry.action == "merge":
        return [f"{head} {name} → {entry.path}: {', '.join(entry.changes)}"]
    lines = [f"{head} {name} → {entry.path}"]
    if detail and entry.changes:
        lines.append("           " + " · ".join(entry.changes))
    return lines


@command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "-n",
    "--dry-run",
    is_flag=True,
    help="Show how the file was read and what would change; write nothing.",
)
@json_option
@click.pass_context
def import_command(ctx: click.Context, file: Path, dry_run: bool, as_json: bool) -> None:
    """Import people from FILE: vCard (.vcf), Google Contacts or LinkedIn CSV, a CSV
    table with a Name column, a Word document (.docx) or a plain text / Markdown list.

    The format is read from the content. People already in the vault (same
    e-mail address, else same name) are merged: missing values are added, lists
    united, your own values never changed. One commit for the whole import.
    Bad records are reported with their line and skipped; the rest come in.
    With --json (say, with --dry-run), a JSON object: each entry, the counts and problems.
    """
    from vault_touchbase.actions.importer import import_file

    app = App(ctx)
    plan, outcome = import_file(
        app.vault,
        file,
        app.today,
        dry_run=dry_run,
        progress=lambda label: app.progress(label, PROGRESS_FROM),
    )
    problems = plan.problems if outcome is None else outcome.problems
    if as_json:
        emit_json(_import_json(plan, outcome, problems))
        if outcome is not None:
            notices(app, outcome.notices)
        app.problems(problems)
    else:
        _say_import(app, file, plan, outcome, problems)
    if not plan.entries and any(p.severity == "error" for p in plan.problems):
        ctx.exit(1)


def _say_import(
    app: App, file: Path, plan: ImportPlan, outcome: Outcome | None, problems: list[Problem]
) -> None:
    """The import as text: how the file was read, each entry, then what was written."""
    people = sum(1 for e in plan.entries for _ in e.records)
    click.echo(
        f"Read {file.name} ({plan.format}): {plural(plan.records, 'record')}, "
        f"{plural(people, 'person')}".replace("persons", "people")
    )
    for entry in plan.entries:
        if entry.action != "skip" or outcome is None:
            for line in _entry_line(app, entry, detail=outcome is None):
                click.echo(line)
    app.problems(problems)
    if outcome is None:
        click.echo(f"Dry run: {plan.counts()}; nothing written.")
    else:
        notices(app, outcome.notices)
        commit = f" (commit {outcome.commits[0][:7]})" if outcome.commits else ""
        if outcome.changed:
            click.echo(
                f"Imported {plural(len(outcome.changed), 'note')} from {file.name}: "
                f"{plan.counts()}{commit}"
            )
        else:
            click.echo(f"Nothing to change from {file.name}: {plan.counts()}")


def _import_json(
    plan: ImportPlan, outcome: Outcome | None, problems: list[Problem]
) -> dict[str, Any]:
    """The import as one JSON object: what was read, each entry, the counts and problems."""
    return {
        "file": plan.file,
        "format": plan.format,
        "records": plan.records,
        "dry_run": outcome is None,
        "entries": [
            {
                "action": entry.action,
                "name": entry.person.name if entry.contact is None else entry.contact.name,
                "path": entry.path,
                "changes": list(entry.changes),
                "reason": entry.reason,
            }
            for entry in plan.entries
        ],
        "counts": {action: len(plan.of(action)) for action in ("new", "merge", "skip")},
        "changed": [] if outcome is None else list(outcome.changed),
        "commit": outcome.commits[0] if outcome is not None and outcome.commits else None,
        "notices": [] if outcome is None else list(outcome.notices),
        "problems": problems_json(problems),
    }


@command()
@click.argument("fmt", metavar="FORMAT", type=click.Choice(["vcf", "csv", "ics", "json"]))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="Write to this file instead of the standard output (`-`: the standard output).",
)
@click.option(
    "--months",
    default=3,
    show_default=True,
    type=click.IntRange(1, 36),
    help="ics: touch-bases due within this many months.",
)
@click.pass_context
def export(ctx: click.Context, fmt: str, output: Path | None, months: int) -> None:
    """Export everyone as FORMAT: vcf (vCard 3.0), csv, ics (a calendar of the
    touch-bases due in the coming months and yearly birthdays) or json.

    The vCard file reads back with `vtb import`; the calendar's events keep
    their identity from one export to the next, so a calendar app updates them.
    """
    from vault_touchbase.actions.exporter import export as do_export

    app = App(ctx)
    result = do_export(app.vault, fmt, app.today, months)
    if output is None or str(output) == "-":
        click.echo(result.text, nl=False)
    else:
        from vault_touchbase.vault.store import write_output

        write_output(output, result.text.encode("utf-8"))  # a failure names the file and why
        what = "event" if fmt == "ics" else "person"
        click.echo(
            f"Exported {plural(result.people, what)} to {output}".replace("persons", "people"),
            err=True,
        )
    if result.problems:
        app.problems(result.problems, limit=5)
