"""The `vtb` command line. Each command parses, calls one function, renders, exits.

Global options (--vault, --today, --debug) work before or after the command
name. Errors vtb knows about become one message; a traceback only with --debug.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__

F = TypeVar("F", bound=Callable[..., Any])

# Commands that live in their own front-end modules, imported only when used
# (name → "module:attribute"). A module not written yet is simply not listed.
LAZY_COMMANDS: dict[str, str] = {
    "watch": "vault_touchbase.cli_watch:watch",
    "hour": "vault_touchbase.cli_hour:hour",
    "draft": "vault_touchbase.cli_hour:draft",
    "intros": "vault_touchbase.cli_hour:intros",
    "intro": "vault_touchbase.cli_hour:intro",
    "import": "vault_touchbase.cli_io:import_command",
    "export": "vault_touchbase.cli_io:export",
    "sync": "vault_touchbase.cli_sync:sync",
    "merge-note": "vault_touchbase.cli_sync:merge_note",
    "followups": "vault_touchbase.cli_followups:followups",
    "done": "vault_touchbase.cli_followups:done",
}


def _remember(name: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value not in (None, False):
            ctx.find_root().meta[f"vtb.{name}"] = value
        return value

    return callback


def global_options(func: F) -> F:
    """--vault, --today and --debug, accepted on the group and on every command."""
    func = click.option(
        "--debug",
        is_flag=True,
        expose_value=False,
        callback=_remember("debug"),
        help="Show a traceback when something fails.",
    )(func)
    func = click.option(
        "--today",
        metavar="YYYY-MM-DD",
        expose_value=False,
        callback=_remember("today"),
        help="Pretend today is this date (default: the local date).",
    )(func)
    func = click.option(
        "--vault",
        metavar="PATH",
        expose_value=False,
        callback=_remember("vault"),
        help="The vault folder (default: $VTB_VAULT, else the folder holding vtb.toml above here).",
    )(func)
    return func


def json_option(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")(func)


class App:
    """What every command needs, worked out on first use: the vault, today, output."""

    def __init__(self, ctx: click.Context) -> None:
        self.meta = ctx.find_root().meta

    @cached_property
    def vault(self):  # type: ignore[no-untyped-def]
        from .vault import find_vault, open_vault

        root = find_vault(self.meta.get("vtb.vault"), os.environ, Path.cwd())
        return open_vault(root)

    @cached_property
    def today(self) -> date:
        given = self.meta.get("vtb.today")
        if not given:
            return date.today()
        try:
            return date.fromisoformat(given)
        except ValueError:
            raise click.BadParameter(
                f"{given!r} is not a date (YYYY-MM-DD)", param_hint="--today"
            ) from None

    @property
    def color(self) -> bool:
        return "NO_COLOR" not in os.environ and sys.stdout.isatty()

    def style(self, text: str, **styles: Any) -> str:
        return click.style(text, **styles) if self.color else text

    def progress(self, label: str, start_at: int = 2000) -> Callable[[int, int], None] | None:
        """A progress callback drawing a bar on stderr when it is a terminal, else None.

        Work of fewer than `start_at` steps goes by too fast for a bar.
        """
        if not sys.stderr.isatty():
            return None
        state: dict[str, Any] = {}

        def report(done: int, total: int) -> None:
            if total < start_at:
                return
            bar = state.get("bar")
            if bar is None:
                bar = state["bar"] = click.progressbar(length=total, label=label, file=sys.stderr)
                bar.__enter__()
            bar.update(done - bar.pos)
            if done >= total:
                bar.__exit__(None, None, None)

        return report

    def problems(self, problems: Any, limit: int | None = None) -> None:
        """Problems on stderr as `path:line: severity: message`, editor-clickable."""
        shown = list(problems)[:limit] if limit else list(problems)
        for problem in shown:
            colour = "red" if problem.severity == "error" else "yellow"
            click.echo(self.style(str(problem), fg=colour), err=True)
        if limit and len(problems) > limit:
            click.echo(f"... and {len(problems) - limit} more (see `vtb check`)", err=True)


def plural(count: int, word: str, many: str = "") -> str:
    """`1 problem`, `2 problems`; `plural(n, "person", "people")`."""
    return f"{count} {word if count == 1 else many or word + 's'}"


def emit_json(data: Any) -> None:
    import json

    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


class VtbGroup(click.Group):
    """A group whose feature commands are imported only when called."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = {*super().list_commands(ctx), *LAZY_COMMANDS}
        return sorted(name for name in names if self.get_command(ctx, name) is not None)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in LAZY_COMMANDS and name not in self.commands:
            module, attr = LAZY_COMMANDS[name].split(":")
            try:
                loaded = importlib.import_module(module)
            except ModuleNotFoundError as exc:
                if exc.name != module:
                    raise
                return None
            self.add_command(getattr(loaded, attr), name)
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; vtb's own errors become one message and an exit code."""
        from .errors import VtbError

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


def command(*args: Any, **kwargs: Any) -> Callable[[F], click.Command]:
    """`cli.command` with the global options added."""

    def decorate(func: F) -> click.Command:
        return cli.command(*args, **kwargs)(global_options(func))

    return decorate


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `vtb` script."""
    cli.main(args=argv, prog_name="vtb")


from . import cli_core, cli_log  # noqa: E402,F401  - registers the commands
