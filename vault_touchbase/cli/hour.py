"""Commands of the monthly hour: hour, draft, intros, intro."""

from __future__ import annotations

from pathlib import Path

import click

from vault_touchbase.cli.app import App, command, emit_listing, json_option, report
from vault_touchbase.core.words import plural


@command()
@click.pass_context
def hour(ctx: click.Context) -> None:
    """Work through this hour's plan, person by person.

    Each person gets a card (who they are, how overdue, their last Log
    entries, needs, offers, follow-ups, an introduction to make) and one key
    per action: d draft an email, l log it done, i an introduction (logged
    once you say it is sent), s snooze, n add a line to their note, k skip,
    q quit. Every action is committed at once, so
    quitting (q, Ctrl-C, end of input) loses nothing. With piped input, each
    answer is one line.
    """
    from vault_touchbase.hour.session import run

    app = App(ctx)
    if run(app.vault, app.today, app.style):
        ctx.exit(130)


@command()
@click.argument("name")
@click.option(
    "--eml",
    metavar="PATH",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write an .eml file (RFC 5322, marked unsent) instead of printing.",
)
@click.option("--open", "open_mail", is_flag=True, help="Open it in your mail program (mailto:).")
@click.option(
    "--log", "log_it", is_flag=True, help="Log it as sent (email, naming the news used); commit."
)
@click.pass_context
def draft(ctx: click.Context, name: str, eml: Path | None, open_mail: bool, log_it: bool) -> None:
    """A personal email draft for NAME, from templates/email.md and your Now.md news.

    It names something only they would get: the last conversation in their
    Log, a follow-up, a need someone you know can meet. Someone with nothing
    to go on gets a visible [add something personal] and a warning. vtb never
    sends mail: the draft is printed, saved with --eml, or opened with --open.
    """
    from vault_touchbase.actions.touch import contact_named, log_touch
    from vault_touchbase.features.drafts.draft import make_draft
    from vault_touchbase.features.drafts.output import as_text, eml_bytes, mailto
    from vault_touchbase.features.intros import find_intros
    from vault_touchbase.vault.load import load_vault

    app = App(ctx)
    loaded = load_vault(app.vault)
    contact = contact_named(app.vault, name, loaded)
    intros = find_intros(loaded.contacts, app.vault.settings, app.today)
    result = make_draft(app.vault, contact, intros, app.today)
    for warning in result.warnings:
        click.echo(app.style(f"warning: {warning}", fg="yellow"), err=True)
    if eml is not None:
        try:
            eml.write_bytes(eml_bytes(result))
        except OSError as exc:
            raise click.FileError(str(eml), exc.strerror) from None
        click.echo(f"Wrote {eml}: open it in your mail program to edit and send.")
    if open_mail:
        link = mailto(result)
        click.echo(link)
        if click.launch(link) != 0:
            click.echo("Could not open a mail program; copy the link above.", err=True)
    if eml is None and not open_mail:
        click.echo(as_text(result), nl=False)
    if log_it:
        outcome = log_touch(app.vault, app.today, contact, "email", app.today, result.log_text())
        report(app, outcome, f"Logged email with {contact.name}")


@command()
@click.argument("name", required=False)
@click.option("--all", "every", is_flag=True, help="Every match, not only the best few per need.")
@click.option("--explain", is_flag=True, help="Say why each pair matched: words, synonyms.")
@json_option
@click.pass_context
def intros(ctx: click.Context, name: str | None, every: bool, explain: bool, as_json: bool) -> None:
    """Introductions to make: one person's offers meet another's needs, best first.

    Word forms, case and accents do not matter (bookkeeper ↔ bookkeeping),
    a built-in list knows common professions and services (accountant ↔
    bookkeeping, website ↔ web development), and [synonyms] in vtb.toml add
    more. People already introduced (a Log entry
    linking the other) and people snoozed or paused are left out. With NAME,
    only that person's.
    """
    from vault_touchbase.features import intros as matching
    from vault_touchbase.features.intros import PER_NEED, find_intros
    from vault_touchbase.vault.load import load_vault
    from vault_touchbase.vault.lookup import find_contact

    app = App(ctx)
    loaded = load_vault(app.vault, app.progress("Reading notes"))
    found = find_intros(
        loaded.contacts, app.vault.settings, app.today, per_need=None if every else PER_NEED
    )
    if name:
        person = find_contact(loaded.contacts, name)
        found = [i for i in found if i.involves(person)]
    if as_json:
        rows = [intro.to_json() for intro in found]
        if explain:
            for row, intro in zip(rows, found, strict=True):
                row["why"] = matching.explain(intro, app.vault.settings)
        emit_listing(app, rows, loaded.problems)
        return
    if not found:
        click.echo("No offers and needs that match right now.")
        click.echo(
            "vtb knows common professions and services (accountant ↔ bookkeeping, website ↔ "
            "web development); words that mean the same to you go under [synonyms] in "
            'vtb.toml, e.g. bookkeeping = ["taxes"].'
        )
        app.problems(loaded.problems, limit=5)
        return
    width = min(max(len(i.giver.name) for i in found), 28)
    for intro in found:
        click.echo(
            f"{intro.strength:>4.0%}  {intro.giver.name:<{width}}  offers {intro.offer}"
            f"  →  {intro.taker.name} needs {intro.need}"
        )
        if explain:
            click.echo(f"{'':6}why: {matching.explain(intro, app.vault.settings)}")
    click.echo(
        f"\n{plural(len(found), 'introduction')} to make; "
        "`vtb intro NAME NAME` drafts the emails; `--log` records it once sent."
    )
    app.problems(loaded.problems, limit=5)


@command()
@click.argument("first")
@click.argument("second")
@click.argument("text", nargs=-1)
@click.option("--log", "log_it", is_flag=True, help="Log it on both notes as sent, in one commit.")
@click.pass_context
def intro(ctx: click.Context, first: str, second: str, text: tuple[str, ...], log_it: bool) -> None:
    """Introduce FIRST and SECOND: print a double opt-in email to each (ask both before
    you connect them). Nothing changes until you send them: --log then records the
    introduction on both notes in one commit."""
    from contextlib import nullcontext

    from vault_touchbase.actions.intro import record_intro
    from vault_touchbase.actions.touch import contact_named, loaded_and_locked
    from vault_touchbase.core.errors import UsageProblem
    from vault_touchbase.features.drafts.draft import intro_drafts
    from vault_touchbase.features.drafts.output import as_text
    from vault_touchbase.features.intros import already_introduced, match_pair
    from vault_touchbase.vault.load import load_vault

    app = App(ctx)
    # Logging holds the lock from the one load on, so the notes are logged as they were read.
    with loaded_and_locked(app.vault) if log_it else nullcontext(load_vault(app.vault)) as loaded:
        a = contact_named(app.vault, first, loaded)
        b = contact_named(app.vault, second, loaded)
        if a.path == b.path:
            raise UsageProblem(f"both names are {a.name}", "introduce two different people")
        match = match_pair(a, b, app.vault.settings)
        reason = " ".join(text).strip()
        if not reason and match is not None:
            reason = f"{match.offer} ↔ {match.need}"
        if already_introduced(a, b, {}):
            note = f"note: {a.name} and {b.name} were introduced before"
            click.echo(app.style(note, fg="yellow"), err=True)
        for one in intro_drafts(app.vault, a, b, match, " ".join(text)):
            click.echo(f"--- to {one.contact.name} " + "-" * 20)
            click.echo(as_text(one), nl=False)
            for warning in one.warnings:
                click.echo(app.style(f"warning: {warning}", fg="yellow"), err=True)
            click.echo()
        if not log_it:
            click.echo(
                "Nothing is logged yet: when you have sent them, "
                f"`vtb intro {shlex_quote(first)} {shlex_quote(second)} --log` "
                "records it on both notes."
            )
            return
        outcome = record_intro(app.vault, app.today, a, b, reason, loaded.contacts, loaded)
    report(app, outcome, f"Introduced {a.name} and {b.name}")


def shlex_quote(word: str) -> str:
    """A name as the user can type it again in a shell."""
    import shlex

    return shlex.quote(word)
