"""`vtb watch`: the watcher's command line (the work is in the `watch` subpackage)."""

from __future__ import annotations

import gc
import signal
import sys
import threading
from datetime import date, datetime
from types import FrameType
from typing import Any

import click

from vault_touchbase.cli.app import App, command
from vault_touchbase.vault.lifetime import keep_loads


def _printer(app: App, verbose: int) -> Any:
    """A `say` callback: one timestamped line per thing done; details only with -v."""
    colours = {"problem": "yellow", "error": "red"}

    def say(level: str, text: str) -> None:
        if level == "detail" and not verbose:
            return
        stamp = datetime.now().strftime("%H:%M:%S")
        err = level in ("problem", "error")
        line = f"{stamp} {text}" if level != "detail" else f"{stamp}   {text}"
        click.echo(app.style(line, fg=colours.get(level)), err=err)

    return say


@command()
@click.option(
    "--autocommit",
    type=click.Choice(["all", "logs", "off"]),
    help='What to commit (default: `autocommit` in vtb.toml, else "logs"): "logs" commits '
    'touches (new Log entries); "all" also other edits once they have settled; "off" nothing.',
)
@click.option(
    "--settle",
    default=30.0,
    show_default=True,
    metavar="SECONDS",
    help='With autocommit "all": how long an edit must rest before it is committed.',
)
@click.option(
    "--rescan",
    default=300.0,
    show_default=True,
    metavar="SECONDS",
    help="A full rescan of the notes this often, in case events were lost.",
)
@click.option("--poll", is_flag=True, help="Poll the folders instead of using inotify.")
@click.option("--once", is_flag=True, help="Catch up once (ticks, touches, the index) and exit.")
@click.option("-v", "--verbose", count=True, help="Say more: every batch, and why.")
@click.option(
    "--print-systemd-unit",
    is_flag=True,
    help="Print a systemd user unit that runs this watcher, and exit.",
)
@click.pass_context
def watch(
    ctx: click.Context,
    autocommit: str | None,
    settle: float,
    rescan: float,
    poll: bool,
    once: bool,
    verbose: int,
    print_systemd_unit: bool,
) -> None:
    """Keep the index note current and commit touches as you save notes (Ctrl-C stops).

    Save a note with a new `- DATE channel: text` line under `## Log`, or tick
    a box in the index note, in any editor: within a second the index is
    rebuilt and the touch committed as `touch: NAME (channel)`, with
    `last_contacted` moved forward. Changes that arrive by git (pull,
    checkout) are never committed again. Runs until Ctrl-C or SIGTERM.
    """
    from vault_touchbase.watch.options import WatchOptions
    from vault_touchbase.watch.systemd import systemd_unit
    from vault_touchbase.watch.watcher import Watcher

    for name, value in (("--settle", settle), ("--rescan", rescan)):
        if value <= 0:
            raise click.BadParameter("must be a positive number of seconds", param_hint=name)
    app = App(ctx)
    vault = app.vault
    if print_systemd_unit:
        click.echo(systemd_unit(sys.executable, str(vault.root), _passed_on(ctx)), nl=False)
        return
    fixed = app.today if app.meta.get("vtb.today") else None
    options = WatchOptions(settle=settle, rescan_every=rescan, autocommit=autocommit, poll=poll)
    say = _printer(app, verbose)
    gc.enable()  # `main` turned it off for short commands; the watcher runs for days
    keep_loads(False)  # and reloads for days: no load is kept until it ends
    watcher = Watcher(
        vault, clock=(lambda: fixed) if fixed else date.today, say=say, options=options
    )
    if once:
        watcher.once()
        return
    stop = threading.Event()
    previous = _on_stop_signals(stop)
    try:
        watcher.start()
        git = "" if watcher.committing else "; not a git repository: nothing is committed"
        say("info", f"watching {vault.root} ({watcher.mode}; autocommit: {watcher.policy}{git})")
        watcher.run(stop)
    finally:
        watcher.close()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    say("info", "stopped")


def _passed_on(ctx: click.Context) -> list[str]:
    """The watch options given on this command line, repeated in the unit's ExecStart."""
    args: list[str] = []
    for name in ("autocommit", "settle", "rescan"):
        source = ctx.get_parameter_source(name)
        if source is not None and source.name == "COMMANDLINE":
            args += [f"--{name}", str(ctx.params[name])]
    if ctx.params.get("poll"):
        args.append("--poll")
    return args


def _on_stop_signals(stop: threading.Event) -> dict[int, Any]:
    """Ctrl-C and SIGTERM end the watcher after the batch under way; a second one at once."""

    def handler(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()  # the main thread never waits on `stop`, so setting it here is safe

    previous: dict[int, Any] = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        previous[signum] = signal.signal(signum, handler)
    return previous
