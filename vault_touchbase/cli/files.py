"""Commands that move people in and out: import and export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from vault_touchbase.cli.app import App, command, plural

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
@click.pass_context
def import_command(ctx: click.Context, file: Path, dry_run: bool) -> None:
    """Import people from FILE: vCard (.vcf), Google Contacts or LinkedIn CSV, a CSV
    table with a Name column, a Word document (.docx) or a plain text / Markdown list.

    The format is read from the content. People already in the vault (same
    e-mail address, else same name) are merged: missing values are added, lists
    united, your own values never changed. One commit for the whole import.
    Bad records are reported with their line and skipped; the rest come in.
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
    people = sum(1 for e in plan.entries for _ in e.records)
    click.echo(
        f"Read {file.name} ({plan.format}): {plural(plan.records, 'record')}, "
        f"{plural(people, 'person')}".replace("persons", "people")
    )
    for entry in plan.entries:
        if entry.action != "skip" or dry_run:
            for line in _entry_line(app, entry, detail=dry_run):
                click.echo(line)
    app.problems(plan.problems if outcome is None else outcome.problems)
    if outcome is None:
        click.echo(f"Dry run: {plan.counts()}; nothing written.")
    else:
        for notice in outcome.notices:
            click.echo(app.style(notice, fg="yellow"), err=True)
        commit = f" (commit {outcome.commits[0][:7]})" if outcome.commits else ""
        if outcome.changed:
            click.echo(
                f"Imported {plural(len(outcome.changed), 'note')} from {file.name}: "
                f"{plan.counts()}{commit}"
            )
        else:
            click.echo(f"Nothing to change from {file.name}: {plan.counts()}")
    if not plan.entries and any(p.severity == "error" for p in plan.problems):
        ctx.exit(1)


@command()
@click.argument("fmt", metavar="FORMAT", type=click.Choice(["vcf", "csv", "ics", "json"]))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of the standard output.",
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
    if output is None:
        click.echo(result.text, nl=False)
    else:
        from vault_touchbase.vault.store import atomic_write

        try:
            atomic_write(output, result.text.encode("utf-8"))
        except OSError as exc:
            from vault_touchbase.core.errors import VtbError

            raise VtbError(f"cannot write {output}: {exc.strerror}", "check the path") from None
        what = "event" if fmt == "ics" else "person"
        click.echo(
            f"Exported {plural(result.people, what)} to {output}".replace("persons", "people"),
            err=True,
        )
    if result.problems:
        app.problems(result.problems, limit=5)
