"""Commands that change notes and commit: log, snooze, history, rename."""

from __future__ import annotations

import click

from vault_touchbase.cli.app import App, command, day_or_span, emit_listing, json_option, report


@command("log")
@click.argument("name")
@click.argument("text", nargs=-1)
@click.option(
    "-c", "--channel", help="How you were in touch: email, call, visit, meet, text, reply..."
)
@click.option(
    "-d",
    "--date",
    "when",
    metavar="DATE",
    help="When (default today): YYYY-MM-DD, yesterday, or a span back: 3d = three days ago.",
)
@click.option("--follow-up", "follow_up", metavar="TASK", help="Also add an open follow-up task.")
@click.option(
    "--due",
    metavar="DATE",
    help="The follow-up's due date: YYYY-MM-DD, or a span ahead: 2w = two weeks from today.",
)
@click.pass_context
def log_command(
    ctx: click.Context,
    name: str,
    text: tuple[str, ...],
    channel: str | None,
    when: str | None,
    follow_up: str | None,
    due: str | None,
) -> None:
    """Log a touch: add `- DATE channel: TEXT` to NAME's Log and commit it.

    `last_contacted` moves forward (never back). The channel defaults to the
    person's own (email, call or visit). `--follow-up TASK --due 2w` also adds
    `- [ ] TASK 📅 DATE` under the note's `## Follow-ups`, in the same commit.
    """
    from vault_touchbase.actions.touch import contact_named, loaded_and_locked, log_touch
    from vault_touchbase.core.plan import channel_of

    app = App(ctx)
    day = None if when is None else day_or_span(when, app.today, "ago", "--date")
    if channel is not None and (not channel.strip() or len(channel.split()) > 1):
        raise click.BadParameter(
            "give one word, e.g. email, call, visit, meet", param_hint="--channel"
        )
    follow_up_due = None
    if due is not None:
        if not follow_up:
            raise click.BadParameter("--due needs --follow-up TASK", param_hint="--due")
        follow_up_due = day_or_span(due, app.today, "ahead", "--due")
    with loaded_and_locked(app.vault) as loaded:
        contact = contact_named(app.vault, name, loaded)
        outcome = log_touch(
            app.vault,
            app.today,
            contact,
            channel,
            day,
            " ".join(text).strip(),
            follow_up=(follow_up or "").strip() or None,
            follow_up_due=follow_up_due,
            loaded=loaded,
        )
    what = (channel or channel_of(contact, app.vault.settings)).strip().lower()
    report(app, outcome, f"Logged {what} with {contact.name} on {day or app.today}")


@command()
@click.argument("name")
@click.argument("until")
@click.pass_context
def snooze(ctx: click.Context, name: str, until: str) -> None:
    """Not due before UNTIL: a date, or a span ahead (3d = three days from today, 2w, 1m);
    commits it."""
    from vault_touchbase.actions.touch import contact_named, loaded_and_locked
    from vault_touchbase.actions.touch import snooze as do_snooze

    app = App(ctx)
    day = day_or_span(until, app.today, "ahead", "UNTIL")
    with loaded_and_locked(app.vault) as loaded:
        contact = contact_named(app.vault, name, loaded)
        outcome = do_snooze(app.vault, app.today, contact, day, loaded)
    was = contact.snooze_until
    before = f" (was until {was})" if was and was != day and was > app.today else ""
    report(app, outcome, f"Snoozed {contact.name} until {day}{before}")


@command()
@click.argument("old")
@click.argument("new")
@click.pass_context
def rename(ctx: click.Context, old: str, new: str) -> None:
    """Rename a person and their note (git mv), fixing links to them; history is kept."""
    from vault_touchbase.actions.people import rename_contact
    from vault_touchbase.actions.touch import contact_named

    app = App(ctx)
    contact = contact_named(app.vault, old)
    outcome = rename_contact(app.vault, app.today, contact, new)
    report(app, outcome, outcome.done[0][0].upper() + outcome.done[0][1:])


@command()
@click.argument("name")
@click.option(
    "-n", "--max-count", default=200, show_default=True, help="Read at most this many commits."
)
@json_option
@click.pass_context
def history(ctx: click.Context, name: str, max_count: int, as_json: bool) -> None:
    """NAME's timeline: their note's git commits (following renames) and Log entries.

    Each commit shows the lines it changed in the note (`- old`, `+ new`).
    """
    from vault_touchbase.actions.touch import contact_named
    from vault_touchbase.features.history import timeline

    app = App(ctx)
    contact = contact_named(app.vault, name)
    events = timeline(app.vault, contact, max_count)
    if as_json:
        emit_listing(app, [event.to_json() for event in events])
        return
    click.echo(app.style(f"{contact.name}  ({contact.path})", bold=True))
    if not events:
        click.echo("  no Log entries and no commits yet")
    for event in events:
        click.echo(f"  {event.line()}")
        if event.kind == "commit":
            for change in event.change_lines():
                click.echo(app.style(f"{'':22}{change}", dim=True))
