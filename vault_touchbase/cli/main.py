"""The `vtb` command line. Each command parses, calls one function, renders, exits.

Global options (--vault, --today, --debug) work before or after the command
name. Errors vtb knows about become one message; a traceback only with --debug.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
from typing import Any

import click

from vault_touchbase import __version__
from vault_touchbase.cli.app import global_options

# Every command lives in a front-end module imported only when the command is used
# or listed (name → "module:attribute"); a test imports each one.
COMMANDS: dict[str, str] = {
    "add": "vault_touchbase.cli.basics:add",
    "check": "vault_touchbase.cli.basics:check",
    "done": "vault_touchbase.cli.followups:done",
    "draft": "vault_touchbase.cli.hour:draft",
    "due": "vault_touchbase.cli.basics:due",
    "export": "vault_touchbase.cli.files:export",
    "followups": "vault_touchbase.cli.followups:followups",
    "harvest": "vault_touchbase.cli.harvest:harvest",
    "history": "vault_touchbase.cli.touches:history",
    "hour": "vault_touchbase.cli.hour:hour",
    "import": "vault_touchbase.cli.files:import_command",
    "init": "vault_touchbase.cli.basics:init",
    "intro": "vault_touchbase.cli.hour:intro",
    "intros": "vault_touchbase.cli.hour:intros",
    "log": "vault_touchbase.cli.touches:log_command",
    "merge-note": "vault_touchbase.cli.sync:merge_note",
    "news": "vault_touchbase.cli.network:news",
    "refresh": "vault_touchbase.cli.basics:refresh",
    "rename": "vault_touchbase.cli.touches:rename",
    "show": "vault_touchbase.cli.basics:show",
    "snooze": "vault_touchbase.cli.touches:snooze",
    "stats": "vault_touchbase.cli.stats:stats",
    "sync": "vault_touchbase.cli.sync:sync",
    "watch": "vault_touchbase.cli.watch:watch",
    "who": "vault_touchbase.cli.network:who",
}


class VtbGroup(click.Group):
    """A group whose commands are imported only when called (or listed by --help)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in COMMANDS and name not in self.commands:
            module, attr = COMMANDS[name].split(":")
            self.add_command(getattr(importlib.import_module(module), attr), name)
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; vtb's own errors become one message and an exit code."""
        from vault_touchbase.core.errors import VtbError

        def debug() -> bool:  # read late: --debug after the command is parsed inside invoke
            return bool(ctx.meta.get("vtb.debug") or os.environ.get("VTB_DEBUG"))

        try:
            return super().invoke(ctx)
        except VtbError as exc:
            if debug():
                raise
            click.echo(f"vtb: error: {exc.message}", err=True)
            if exc.hint:
                click.echo(f"  {exc.hint}", err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("vtb: interrupted.", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            ctx.exit(0)
        except OSError as exc:  # the disk or the system refused: say what and where
            if debug():
                raise
            from vault_touchbase.vault.store import cause_of, refused_hint

            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"vtb: error: {where}{cause_of(exc)}", err=True)
            click.echo(f"  {refused_hint(exc)}, then run the command again", err=True)
            ctx.exit(1)
        except Exception as exc:  # the last resort: users never see a traceback
            if debug():
                raise
            click.echo(f"vtb: unexpected error: {type(exc).__name__}: {exc}", err=True)
            click.echo("  run again with --debug for the details, and please report it", err=True)
            ctx.exit(1)


@click.group(cls=VtbGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vtb")
@global_options
def cli() -> None:
    """Keep in touch with people, from a folder of Markdown notes.

    Each person is a note with YAML frontmatter in contacts/. `vtb refresh`
    writes "Touch Base.md": who is due this month and this hour's plan.
    """


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `vtb` script."""
    from vault_touchbase.vault.lifetime import keep_loads

    # A command is a short-lived process that builds many objects (100,000 notes' worth)
    # and lets go of few: the cycle collector would only walk them again and again, and
    # freeing them one at a time when the command returns costs more than the process's
    # end, which lets go of them all at once. `vtb watch`, which runs for days, turns
    # both back.
    gc.disable()
    keep_loads()
    try:
        cli.main(args=argv, prog_name="vtb")
    except SystemExit as exc:
        leave(exc.code)


def leave(code: object) -> None:
    """End the process as the interpreter would after `sys.exit(code)`, without freeing
    every object first: wait for vtb's own threads (a commit), run the exit handlers,
    flush the output, then `os._exit`."""
    import atexit
    import sys
    import threading

    for thread in threading.enumerate():
        if thread is not threading.main_thread() and not thread.daemon:
            thread.join()
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: `vtb due | head`
            stream.flush()
    os._exit(code or 0)
