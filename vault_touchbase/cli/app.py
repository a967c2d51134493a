"""What every command shares: the global options, the App (vault, today), dates and output."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from vault_touchbase.core.cadence import Direction
    from vault_touchbase.core.model import Problem

F = TypeVar("F", bound=Callable[..., Any])


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


class App:
    """What every command needs, worked out on first use: the vault, today, output."""

    def __init__(self, ctx: click.Context) -> None:
        self.meta = ctx.find_root().meta

    @cached_property
    def vault(self):  # type: ignore[no-untyped-def]
        from vault_touchbase.vault.folder import find_vault, open_vault
        from vault_touchbase.vault.parallel import cores

        root = find_vault(self.meta.get("vtb.vault"), os.environ, Path.cwd())
        return open_vault(root, parse_workers=cores())  # a command may parse on every core

    @cached_property
    def today(self) -> date:
        given = self.meta.get("vtb.today")
        if not given:
            return date.today()
        from vault_touchbase.core.cadence import check_day

        try:
            day = date.fromisoformat(given)
        except ValueError:
            raise click.BadParameter(
                f"{given!r} is not a date (YYYY-MM-DD)", param_hint="--today"
            ) from None
        try:
            return check_day(day)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--today") from None

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

    def problems(self, problems: Sequence[Problem], limit: int | None = None) -> None:
        """Problems on stderr as `path:line: severity: message`, editor-clickable."""
        shown = list(problems)[:limit] if limit else list(problems)
        for problem in shown:
            colour = "red" if problem.severity == "error" else "yellow"
            click.echo(self.style(str(problem), fg=colour), err=True)
        if limit and len(problems) > limit:
            click.echo(f"... and {len(problems) - limit} more (see `vtb check`)", err=True)


def command(*args: Any, **kwargs: Any) -> Callable[[F], click.Command]:
    """`click.command` with the global options added; `cli.main.COMMANDS` lists it."""

    def decorate(func: F) -> click.Command:
        return click.command(*args, **kwargs)(global_options(func))

    return decorate


def day_or_span(value: str, today: date, direction: Direction, option: str) -> date:
    """A date option or argument (`2026-12-01`, `yesterday`, `3d`) read by the one parser,
    `parse_day_or_span`; a bad value is a usage error naming `option`."""
    from vault_touchbase.core.cadence import parse_day_or_span

    try:
        return parse_day_or_span(value, today, direction)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=option) from None


# --- output: what every command prints the same way -------------------------------------


def json_option(func: F) -> F:
    """`--json`: a listing prints a JSON array of its items; an action, a JSON object."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")(func)


def emit_json(data: Any) -> None:
    """`data` as indented JSON on stdout (dates and paths as strings)."""
    import json

    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def problems_json(problems: Iterable[Problem]) -> list[dict[str, object]]:
    """Problems as JSON objects (`path`, `line`, `severity`, `message`, `hint`)."""
    return [problem.to_json() for problem in problems]


def emit_listing(
    app: App, items: list[Any], problems: Sequence[Problem] = (), limit: int | None = 5
) -> None:
    """A listing's `--json`: the items as a JSON array on stdout, problems on stderr."""
    emit_json(items)
    app.problems(problems, limit=limit)


def notices(app: App, lines: Iterable[str]) -> None:
    """Things an action wants the user to know, in yellow on stderr."""
    for line in lines:
        click.echo(app.style(line, fg="yellow"), err=True)


def report(app: App, outcome: Any, done: str) -> None:
    """Say what an action did: the line `done`, the commit, and any notices."""
    commit = f" (commit {outcome.commits[0][:7]})" if outcome.commits else ""
    click.echo(done + commit)
    notices(app, outcome.notices)
    app.problems(outcome.problems)
