"""Follow-up commands: list open follow-ups, tick one off."""

from __future__ import annotations

import click

from vault_touchbase.cli.app import App, command, emit_listing, json_option, report


@command()
@click.option("--all", "show_all", is_flag=True, help="Also those due after this month.")
@json_option
@click.pass_context
def followups(ctx: click.Context, show_all: bool, as_json: bool) -> None:
    """List open follow-ups across the vault, overdue first (this month's and undated)."""
    from vault_touchbase.core.cadence import month_end
    from vault_touchbase.notes.followups import open_followups
    from vault_touchbase.vault.load import load_vault

    app = App(ctx)
    loaded = load_vault(app.vault, app.progress("Reading notes"))
    until = None if show_all else month_end(app.today)
    found = open_followups(loaded.contacts, app.today, until)
    if as_json:
        emit_listing(
            app,
            [
                {
                    "name": c.name,
                    "path": c.path,
                    "text": f.text,
                    "due": f.due.isoformat() if f.due else None,
                    "overdue": bool(f.due and f.due < app.today),
                    "line": f.line,
                }
                for c, f in found
            ],
            loaded.problems,
        )
        return
    if not found:
        later = "." if show_all else " due this month (--all shows later ones)."
        click.echo("No open follow-ups" + later)
    for contact, followup in found:
        if followup.due is None:
            when, colour = "undated", None
        elif followup.due < app.today:
            when, colour = f"overdue since {followup.due}", "red"
        else:
            when, colour = f"due {followup.due}", None
        text = f"{when:<24}  {contact.name}: {followup.text}"
        click.echo(app.style(text, fg=colour) if colour else text)
    app.problems(loaded.problems, limit=5)


@command()
@click.argument("name")
@click.argument("text", nargs=-1)
@click.option("-c", "--channel", help="How you did it (default: the person's channel).")
@click.pass_context
def done(ctx: click.Context, name: str, text: tuple[str, ...], channel: str | None) -> None:
    """Tick NAME's open follow-up (matching TEXT, or their only one) and log it; one commit."""
    from vault_touchbase.actions.touch import complete_followup, contact_named, loaded_and_locked
    from vault_touchbase.core.errors import UsageProblem, VtbError

    app = App(ctx)
    with loaded_and_locked(app.vault) as loaded:
        contact = contact_named(app.vault, name, loaded)
        open_ones = contact.open_followups
        task = " ".join(text).strip()
        if not open_ones:
            raise VtbError(f"{contact.name} has no open follow-ups", "`vtb followups` lists them")
        if not task:
            if len(open_ones) != 1:
                listing = "".join(f"\n  {f.text}" for f in open_ones) or " none"
                raise UsageProblem(
                    f"{contact.name} has {len(open_ones)} open follow-ups:{listing}",
                    f"say which: vtb done {name!r} WORDS OF THE TASK",
                )
            task = open_ones[0].text
        outcome = complete_followup(app.vault, app.today, contact, task, channel, loaded=loaded)
    if not outcome.changed:
        click.echo(f"{contact.name}: that follow-up is already done.")
        return
    report(app, outcome, outcome.done[-1][0].upper() + outcome.done[-1][1:])
