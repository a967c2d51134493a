"""What the network answers: who, news."""

from __future__ import annotations

import click

from vault_touchbase.cli.app import App, command, emit_json, emit_listing, json_option
from vault_touchbase.core.oneline import shortened, single_line
from vault_touchbase.core.words import plural


@command()
@click.argument("query", nargs=-1, required=True)
@click.option(
    "-n",
    "--limit",
    default=10,
    show_default=True,
    type=click.IntRange(min=0),
    help="People shown (0: all).",
)
@json_option
@click.pass_context
def who(ctx: click.Context, query: tuple[str, ...], limit: int, as_json: bool) -> None:
    """Who can help with QUERY, best first: their offers, tags, circle,
    organisation and title, and what they told you (their own Log entries,
    recent ones weighing more; never vtb's generated ones).

    Words match as in `vtb intros`: case, accents and word forms do not matter
    (moving ↔ moves), a built-in list knows common professions and services
    (accountant ↔ bookkeeping) and [synonyms] in vtb.toml add more. Each person
    comes with why (the field and the words that matched) and how to reach them.
    """
    from vault_touchbase.features.helpers import find_helpers
    from vault_touchbase.vault.load import load_vault

    app = App(ctx)
    text = " ".join(query).strip()
    loaded = load_vault(app.vault, app.progress("Reading notes"), gists=True)
    settings = app.vault.settings
    found = find_helpers(loaded.contacts, text, settings, app.today, limit or None)
    if as_json:
        emit_listing(app, [helper.to_json(settings) for helper in found], loaded.problems)
        return
    if not found:
        click.echo(f"Nobody in your notes matches “{text}”.")
        click.echo(
            "vtb reads offers, tags, circle, organization, job_title and your Log entries; "
            "words that mean the same to you go under [synonyms] in vtb.toml, "
            'e.g. moving = ["van"].'
        )
        app.problems(loaded.problems, limit=5)
        return
    for number, helper in enumerate(found, 1):
        contact = helper.contact
        where = ", ".join(p for p in (contact.job_title, contact.organization) if p)
        click.echo(
            app.style(f"{number}. {contact.name}", bold=True) + (f" — {where}" if where else "")
        )
        for reason in helper.reasons[:3]:
            click.echo(f"   {reason.describe()}")
        reach = helper.reach(settings)
        how = [reach["channel"] or "", reach["email"] or "", reach["phone"] or ""]
        last = (
            f"last contact {reach['last_contacted']}"
            if reach["last_contacted"]
            else "never contacted"
        )
        click.echo("   reach: " + " · ".join([p for p in how if p] + [last]))
    app.problems(loaded.problems, limit=5)


@command()
@click.option(
    "--months", default=3, show_default=True, type=click.IntRange(1, 120), help="The window."
)
@json_option
@click.pass_context
def news(ctx: click.Context, months: int, as_json: bool) -> None:
    """What your people are up to: the latest thing each told you in the last
    MONTHS (their own Log entries and replies, never vtb's generated ones),
    grouped by circle, newest first; then the topics: words (or two words that
    go together) that at least two people talked about, with how many and who.
    """
    from vault_touchbase.features.updates import by_circle, latest, topics
    from vault_touchbase.vault.load import load_vault

    app = App(ctx)
    loaded = load_vault(app.vault, app.progress("Reading notes"))
    updates = latest(loaded.contacts, app.today, months)
    found = topics(loaded.contacts, app.today, months)
    if as_json:
        emit_json(
            {
                "since": _since(app, months),
                "people": [update.to_json() for update in updates],
                "topics": [topic.to_json() for topic in found],
            }
        )
        app.problems(loaded.problems, limit=5)
        return
    span = plural(months, "month")
    if not updates:
        click.echo(f"Nobody told you anything in the last {span} (no Log entries of your own).")
        app.problems(loaded.problems, limit=5)
        return
    click.echo(
        f"What your people are up to, the last {span} (since {_since(app, months)}): "
        f"{plural(len(updates), 'person', 'people')}"
    )
    for circle, group in by_circle(updates):
        click.echo("\n" + app.style(circle, bold=True))
        for update in group:
            entry = update.entry
            channel = f" {entry.channel}" if entry.channel else ""
            said = shortened(single_line(entry.text), 100)  # a terminal, not Markdown
            click.echo(f"  {entry.date}{channel}  {update.contact.name}: {said}")
    click.echo("\n" + app.style("Topics", bold=True))
    if not found:
        click.echo("  none yet: no word came up with two people or more")
    for topic in found:
        click.echo(f"  {topic.term} ({topic.count}): {', '.join(topic.people)}")
    app.problems(loaded.problems, limit=5)


def _since(app: App, months: int) -> str:
    from vault_touchbase.features.updates import window_start

    return window_start(app.today, months).isoformat()
