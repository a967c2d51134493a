"""Core commands: init, add, refresh, due, show, check."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from vault_touchbase.cli.app import (
    App,
    command,
    emit_json,
    emit_listing,
    json_option,
    notices,
    problems_json,
    report,
)
from vault_touchbase.core.oneline import single_line
from vault_touchbase.core.words import plural


@command()
@json_option
@click.pass_context
def refresh(ctx: click.Context, as_json: bool) -> None:
    """Log ticked boxes, then rebuild the index note ("Touch Base.md").

    With --json, a JSON object: the counts, what was logged, notices and problems.
    """
    from vault_touchbase.vault.cache import list_notes
    from vault_touchbase.vault.memo import unchanged_index
    from vault_touchbase.vault.store import vault_lock_if_free

    app = App(ctx)
    done: list[str] = []
    said: list[str] = []
    # The notes listed once, under the lock, for the memo and the load. Where the lock is
    # not free (another vtb process holds it, a read-only vault) the memo may still answer;
    # a rebuild then takes the lock itself (it waits, or says why it cannot) and lists again.
    with vault_lock_if_free(app.vault.root) as locked:
        listing = list_notes(app.vault)
        # Nothing changed since the last rebuild (no note, setting, date or tick): say it again.
        quick = unchanged_index(app.vault, app.today.isoformat(), listing.digest)
        if quick is not None:
            (due, overdue, never, planned, used, budget), problems = quick
            written = False
        else:
            from vault_touchbase.actions.refresh import refresh as do_refresh

            progress = app.progress("Reading notes")
            held = listing if locked else None  # listed without the lock: list again in it
            result = do_refresh(app.vault, app.today, progress, chart=True, listing=held)
            due, overdue, never, planned, used, budget = result.summary
            problems, written = result.problems, result.written
            done, said = result.outcome.done, result.notices
    if as_json:
        emit_json(
            {
                "index": app.vault.settings.index,
                "written": written,
                "due": due,
                "overdue": overdue,
                "never_contacted": never,
                "this_hour": {"people": planned, "minutes": used, "budget": budget},
                "done": done,
                "notices": said,
                "problems": problems_json(problems),
            }
        )
    else:
        for line in done:
            click.echo(line)
    notices(app, said)
    if not as_json:
        state = "written" if written else "unchanged"
        click.echo(
            f"{app.vault.settings.index} {state}: {due} due "
            f"({overdue} overdue, {never} never contacted); this hour: "
            f"{plural(planned, 'person', 'people')}, {used} of {budget} min"
            + (f"; {plural(len(problems), 'problem')}" if problems else "")
        )
    app.problems(problems, limit=20)


def _due_row(item: Any, plan: Any) -> dict[str, Any]:
    contact = item.contact
    last = contact.last_entry
    month = plan.month_of(item)
    return {
        "name": contact.name,
        "path": contact.path,
        "channel": item.channel,
        "status": item.status,
        "due": item.due.isoformat(),
        "cadence": str(item.cadence),
        "last_contacted": contact.last_contacted.isoformat() if contact.last_contacted else None,
        "last_entry": (
            {"date": last.date.isoformat(), "channel": last.channel, "text": last.text}
            if last
            else None
        ),
        "in_plan": item in plan.this_hour,
        "planned_month": month.strftime("%Y-%m") if month else None,
        "minutes": item.minutes,
        "needs": list(contact.needs),
        "offers": list(contact.offers),
    }


@command()
@json_option
@click.pass_context
def due(ctx: click.Context, as_json: bool) -> None:
    """List who is due this month, most pressing first (* = in this hour's plan)."""
    from vault_touchbase.actions.index_note import snapshot
    from vault_touchbase.index.render import plan_header

    app = App(ctx)
    snap = snapshot(app.vault, app.today, app.progress("Reading notes"))
    rows = [_due_row(item, snap.plan) for item in snap.items]
    if as_json:
        emit_listing(app, rows, snap.loaded.problems)
        return
    if not rows:
        click.echo("Nobody is due this month.")
    else:
        _table(app, rows)
        plan = snap.plan
        click.echo(f"\n{len(rows)} due; * = this hour's plan: {plan_header(plan)}")
    app.problems(snap.loaded.problems, limit=5)


def _table(app: App, rows: list[dict[str, Any]]) -> None:
    status_words = {
        "overdue": "overdue since",
        "due": "due",
        "never": "never contacted",
        "reply": "replied",
        "followup": "follow-up",
    }
    lines = []
    for row in rows:
        when = "" if row["status"] in ("never", "reply") else row["due"]
        last = row["last_entry"]
        said = (
            f"{last['date']} {last['channel'] or ''} {last['text']}".replace("  ", " ")
            if last
            else ""
        )
        lines.append(
            (
                "*" if row["in_plan"] else " ",
                row["name"],
                row["channel"],
                f"{status_words[row['status']]} {when}".strip(),
                said,
            )
        )
    name_width = min(max(len(line[1]) for line in lines), 28)
    status_width = max(len(line[3]) for line in lines)
    width = 10_000
    if sys.stdout.isatty():
        import shutil  # for a terminal only

        width = shutil.get_terminal_size().columns
    for mark, name, channel, status, said in lines:
        colour = (
            "red"
            if status.startswith("overdue")
            else "yellow"
            if status.startswith("replied")
            else None
        )
        name = name[:name_width]
        text = f"{mark} {name:<{name_width}}  {channel:<6} {status:<{status_width}}  {said}"
        click.echo(
            app.style(text[: max(width, 60)], fg=colour) if colour else text[: max(width, 60)]
        )


@command()
@click.argument("name")
@json_option
@click.pass_context
def show(ctx: click.Context, name: str, as_json: bool) -> None:
    """One person's card: details, due state and the last Log entries."""
    from vault_touchbase.actions.index_note import snapshot
    from vault_touchbase.actions.touch import contact_named
    from vault_touchbase.core.model import contact_to_dict
    from vault_touchbase.core.plan import cadence_of, channel_of, next_due

    app = App(ctx)
    snap = snapshot(app.vault, app.today)
    contact = contact_named(app.vault, name, snap.loaded)  # a broken note is named as such
    settings = app.vault.settings
    channel = channel_of(contact, settings)
    cadence = cadence_of(contact, settings, channel)
    when = next_due(contact, cadence, app.today)
    item = next((i for i in snap.items if i.contact.path == contact.path), None)
    if as_json:
        data = contact_to_dict(contact)
        data.update(
            effective_channel=channel,
            effective_cadence=str(cadence),
            next_due=when.isoformat() if when else None,
            status=item.status if item else "not due",
        )
        emit_json(data)
        return
    click.echo(app.style(contact.name, bold=True) + f"  ({single_line(contact.path)})")
    if contact.summary:
        click.echo(f"  {contact.summary}")
    fields = [
        ("aliases", ", ".join(contact.aliases)),
        ("email", ", ".join(contact.emails)),
        ("phone", ", ".join(contact.phones)),
        ("circle", contact.circle),
        ("tags", ", ".join(contact.tags)),
        ("channel", channel + ("" if contact.channel else " (default)")),
        ("cadence", str(cadence) + ("" if contact.cadence or contact.paused else " (default)")),
        ("last contact", contact.last_contacted.isoformat() if contact.last_contacted else "never"),
        ("snoozed until", contact.snooze_until.isoformat() if contact.snooze_until else ""),
        ("offers", ", ".join(contact.offers)),
        ("needs", ", ".join(contact.needs)),
        ("birthday", str(contact.birthday) if contact.birthday else ""),
    ]
    for label, value in fields:
        if value:  # one line each: a value with a line break cannot pose as another field
            click.echo(f"  {label + ':':<14} {single_line(value)}")
    if item:
        status = {
            "overdue": f"overdue since {item.due}",
            "due": f"due {item.due}",
            "never": "never contacted: due now",
            "reply": "replied: your answer is due",
            "followup": "a follow-up is due",
        }[item.status]
        in_plan = " (in this hour's plan)" if item in snap.plan.this_hour else ""
        click.echo(
            "  " + app.style(f"{status}{in_plan}", fg="red" if item.status == "overdue" else None)
        )
    else:
        reason = "paused" if contact.paused or cadence.never else f"next due {when}"
        click.echo(f"  not due this month ({reason})")
    for followup in contact.open_followups:
        click.echo(
            f"  follow-up: {single_line(followup.text)}"
            + (f" (due {followup.due})" if followup.due else "")
        )
    if contact.log:
        click.echo("  Log:")
        for entry in contact.log[:5]:
            channel_word = f" {entry.channel}:" if entry.channel else ""
            click.echo(f"    {entry.date}{channel_word} {single_line(entry.text)}")
        if len(contact.log) > 5:
            click.echo(f"    ... {len(contact.log) - 5} older entries")


@command()
@json_option
@click.pass_context
def check(ctx: click.Context, as_json: bool) -> None:
    """List every problem in the notes as path:line; exit 1 if there is an error."""
    from vault_touchbase.actions.index_note import future_date_problems, unreachable_problems
    from vault_touchbase.vault.load import load_vault

    app = App(ctx)
    loaded = load_vault(app.vault, app.progress("Checking notes"))
    future = future_date_problems(app.vault, loaded.contacts, app.today)
    unreachable = unreachable_problems(loaded.contacts)
    problems = sorted([*loaded.problems, *future, *unreachable])
    if as_json:
        emit_json(problems_json(problems))  # the listing is the problems: none on stderr
    else:
        for problem in problems:
            click.echo(str(problem))
        errors = len(loaded.errors)
        warnings = len(problems) - errors
        click.echo(
            f"{plural(len(loaded.contacts), 'contact')} read: {plural(errors, 'error')}, "
            f"{plural(warnings, 'warning')}",
            err=bool(problems),
        )
    ctx.exit(1 if loaded.errors else 0)


@command()
@click.argument("name")
@click.option("--email", multiple=True, help="An email address (repeat for more).")
@click.option("--phone", multiple=True, help="A phone number (repeat for more).")
@click.option("--cadence", help="How often: monthly, quarterly, 6w, 90d, never ...")
@click.option("--channel", type=click.Choice(["email", "call", "visit"]), help="How to touch base.")
@click.option("--circle", help="professional, community, or any word.")
@click.option("--tag", "tags", multiple=True, help="A tag (repeat for more).")
@click.option("--nearby/--not-nearby", default=None, help="They live close enough to visit.")
@click.option("--offers", multiple=True, help="What they offer (repeat for more).")
@click.option("--needs", multiple=True, help="What they need (repeat for more).")
@click.option("--birthday", help="1988-04-02, or 04-02 without the year.")
@click.option("--folder", default="", help="A folder inside the contacts folder.")
@click.pass_context
def add(
    ctx: click.Context,
    name: str,
    email: tuple[str, ...],
    phone: tuple[str, ...],
    cadence: str | None,
    channel: str | None,
    circle: str | None,
    tags: tuple[str, ...],
    nearby: bool | None,
    offers: tuple[str, ...],
    needs: tuple[str, ...],
    birthday: str | None,
    folder: str,
) -> None:
    """Add a person: a new note from templates/contact.md, committed. Never overwrites."""
    from vault_touchbase.actions.people import NewContact, add_contact
    from vault_touchbase.features.drafts.draft import usable_address
    from vault_touchbase.features.formats.values import parse_birthday

    app = App(ctx)
    # One line each (a pasted line break is a space), and an address a draft can use.
    email, phone, tags, offers, needs = (
        tuple(v for v in (single_line(x, squeeze=True).strip() for x in values) if v)
        for values in (email, phone, tags, offers, needs)
    )
    for address in email:
        if not usable_address(address):
            raise click.BadParameter(
                f"{address!r} is not an email address (one address each, like jane@example.org)",
                param_hint="--email",
            )
    circle = single_line(circle, squeeze=True).strip() if circle else circle
    born = parse_birthday(birthday) if birthday else None
    if birthday and born is None:
        raise click.BadParameter(
            f"{birthday!r} is not a date: give 1988-04-02, or 04-02 without the year",
            param_hint="--birthday",
        )
    person = NewContact(
        name,
        email,
        phone,
        cadence,
        channel,
        circle,
        tags,
        nearby,
        folder,
        offers=offers,
        needs=needs,
        birthday=born,
    )
    outcome = add_contact(app.vault, app.today, person)
    report(app, outcome, f"Added {' '.join(name.split())}: {outcome.changed[0]}")


@command()
@click.argument("path", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.pass_context
def init(ctx: click.Context, path: Path | None) -> None:
    """Make a vault in PATH (default: here), or add what an existing one lacks."""
    from vault_touchbase.actions.init import init_vault

    target = (path or Path.cwd()).resolve()
    result = init_vault(target)
    for rel in result.added:
        click.echo(f"  added {rel}")
    for rel in result.uids:
        click.echo(f"  uid added to {rel}")
    for notice in result.notices:
        click.echo(notice)
    if result.error is not None:
        raise result.error
    if not result.added and not result.committed and not result.uids:
        click.echo(f"{target} is already a complete vault; nothing changed.")
    elif not result.added and result.committed:
        click.echo(f"Committed {', '.join(result.committed)}: the vault is ready in {target}.")
    elif result.uids or any(rel != ".gitkeep" for rel in _contact_files(target)):
        click.echo(f"Vault ready in {target}. Next: `vtb refresh`.")
    else:
        click.echo(f'Vault ready in {target}. Next: `vtb add "Jane Doe"`, then `vtb refresh`.')


def _contact_files(root: Path) -> list[str]:
    """The names in the vault's contacts folder (for the next step init suggests)."""
    from vault_touchbase.core.settings import load_settings

    folder = root / load_settings(root).contacts
    return [p.name for p in folder.iterdir()] if folder.is_dir() else []
