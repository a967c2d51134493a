"""Sync commands: `vtb sync`, and the hidden `vtb merge-note` git runs as a merge driver."""

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
    from vault_touchbase.actions.sync import SyncResult


@command()
@json_option
@click.pass_context
def sync(ctx: click.Context, as_json: bool) -> None:
    """Commit pending touches, pull (merge) from the git remote, refresh the index, push.

    Contact notes merge through vtb's merge driver, so touches logged on two
    devices never conflict. See docs/sync.md. With --json, a JSON object: what came in
    and went out, what was done, notices and problems.
    """
    from vault_touchbase.actions.sync import sync as do_sync

    app = App(ctx)
    result = do_sync(app.vault, app.today)
    if as_json:
        emit_json(_sync_json(result))
    else:
        _say_sync(app, result)
    notices(app, result.notices)
    if result.clashes:
        notes = len({p.path for p in result.clashes})
        click.echo(
            app.style(
                f"a sync kept both versions of a change in {plural(notes, 'note')}: "
                "keep one, delete the other (`vtb check` lists them)",
                fg="yellow",
            ),
            err=True,
        )
        app.problems(result.clashes, limit=10)
    if result.other_errors:
        click.echo(
            app.style(
                f"{plural(result.other_errors, 'error')} in the notes (see `vtb check`)", fg="red"
            ),
            err=True,
        )


def _say_sync(app: App, result: SyncResult) -> None:
    """What the sync did, as text: the merge driver, commits, pull, push and the index."""
    if result.registered:
        click.echo('registered the merge driver "vtb" in .git/config')
    for line in result.done:
        click.echo(line)
    if result.pulled:
        how = "fast-forward" if result.merged == "fast-forward" else "merged"
        click.echo(f"pulled {plural(result.pulled, 'commit')} from {result.upstream} ({how})")
    if result.pushed:
        click.echo(f"pushed {plural(result.pushed, 'commit')} to {result.upstream}")
    if not result.pulled and not result.pushed:
        click.echo(f"already in sync with {result.upstream}")
    if result.index_written:
        click.echo(f"{app.vault.settings.index} rebuilt")


def _sync_json(result: SyncResult) -> dict[str, Any]:
    """What the sync did, as one JSON object (problems: the changes kept twice)."""
    return {
        "upstream": result.upstream,
        "registered": result.registered,
        "pulled": result.pulled,
        "merged": result.merged or None,
        "pushed": result.pushed,
        "index_written": result.index_written,
        "done": list(result.done),
        "notices": list(result.notices),
        "other_errors": result.other_errors,
        "problems": problems_json(result.clashes),
    }


@command("merge-note", hidden=True)
@click.option("--index", is_flag=True, help="Merge the index note (keep every tick).")
@click.argument("base", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("current", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("other", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("path", nargs=-1)
@click.pass_context
def merge_note(
    ctx: click.Context, index: bool, base: Path, current: Path, other: Path, path: tuple[str, ...]
) -> None:
    """The git merge driver for notes: `vtb merge-note %O %A %B %P` (set up by vtb init).

    Writes the merged note to CURRENT; exits 1 only when conflicts are left.
    """
    from vault_touchbase.actions.sync import run_driver

    result = run_driver(base, current, other, " ".join(path), index=index)
    for message in result.messages:
        click.echo(message, err=True)
    ctx.exit(result.code)
