"""Sync commands: `vtb sync`, and the hidden `vtb merge-note` git runs as a merge driver."""

from __future__ import annotations

from pathlib import Path

import click

from vault_touchbase.cli.app import App, command, plural


@command()
@click.pass_context
def sync(ctx: click.Context) -> None:
    """Commit pending touches, pull (merge) from the git remote, refresh the index, push.

    Contact notes merge through vtb's merge driver, so touches logged on two
    devices never conflict. See docs/sync.md.
    """
    from vault_touchbase.actions.sync import sync as do_sync

    app = App(ctx)
    result = do_sync(app.vault, app.today)
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
    for notice in result.notices:
        click.echo(app.style(notice, fg="yellow"), err=True)
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
