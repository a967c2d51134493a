"""`vtb stats`: how keeping in touch went over the last twelve months."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from vault_touchbase.cli.app import App, command, emit_json, json_option
from vault_touchbase.core.words import plural

if TYPE_CHECKING:
    from vault_touchbase.features.stats.report import Stats


@command()
@json_option
@click.pass_context
def stats(ctx: click.Context, as_json: bool) -> None:
    """Touches per month by channel over the last twelve months, the share of people within
    their cadence, who is drifting from their usual rhythm, cadences their rhythm suggests,
    and the minutes a month the cadences ask for against your budget.

    With --json: `months`, `within_cadence`, `drifting`, `suggestions` and more
    (docs/stats.md).
    """
    from vault_touchbase.features.stats.report import compute_stats, stats_json
    from vault_touchbase.vault.load import load_vault

    app = App(ctx)
    loaded = load_vault(app.vault, app.progress("Reading notes"))
    result = compute_stats(loaded.contacts, app.vault.settings, app.today)
    if as_json:
        emit_json(stats_json(result))
    else:
        for line in stats_lines(result):
            click.echo(line)
    app.problems(loaded.problems, limit=5)


def stats_lines(result: Stats) -> list[str]:
    """The terminal text of `vtb stats`: figures, sparklines, drifting people, hints."""
    from vault_touchbase.features.stats.report import sparkline

    figures = result.figures
    first, last = figures.months[0], figures.months[-1]
    totals = [sum(month.values()) for month in figures.touches]
    by_channel = {c: sum(month[c] for month in figures.touches) for c in figures.channels}
    channels = " · ".join(f"{c} {n}" for c, n in by_channel.items() if n)
    lines = [
        f"Last twelve months ({first:%b %Y} – {last:%b %Y}): "
        f"{plural(result.touches, 'touch', 'touches')} made, "
        f"{plural(result.replies, 'reply', 'replies')} received",
        f"  touches a month  {sparkline(totals)}  {' '.join(str(n) for n in totals)}",
        f"  by channel       {channels or 'none yet'}",
    ]
    shares = [figures.share(at) for at in range(len(figures.months))]
    now = result.within_cadence
    if now is None:
        lines.append("Within their cadence: nobody with a cadence has a contact on file yet")
    else:
        known = figures.known[-1]
        percents = [round(s * 100) for s in shares if s is not None]
        lines += [
            f"Within their cadence: {now:.0%} now ({figures.within[-1]} of {known} "
            f"with a contact on file"
            + (f"; {result.never_contacted} never contacted" if result.never_contacted else "")
            + ")",
            f"  at each month's end  {sparkline(percents)}  " + " ".join(f"{p}%" for p in percents),
        ]
    lines.append("")
    lines += _people(
        "Drifting from their usual rhythm",
        [
            (
                d.contact.name,
                f"{d.current_gap_days} days since the last contact; "
                f"usually about {d.usual_gap_days}",
            )
            for d in result.drifting
        ],
        "Nobody is drifting from their usual rhythm.",
    )
    lines += _people(
        "Cadences their rhythm suggests",
        [(h.contact.name, f"{h.cadence} → {h.suggested}: {h.why}") for h in result.hints],
        "Every rhythm matches its cadence.",
    )
    over = result.forecast_minutes > result.budget
    lines += [
        "",
        f"Your cadences ask for about {result.forecast_minutes:.0f} minutes a month; "
        f"your budget is {result.budget}" + (" (more than it holds)." if over else "."),
    ]
    return lines


def _people(title: str, rows: list[tuple[str, str]], none: str) -> list[str]:
    """`TITLE (N):` and a line per person, names in one column; `none` when nobody."""
    if not rows:
        return [none]
    width = min(max(len(name) for name, _ in rows), 28)
    return [f"{title} ({len(rows)}):"] + [
        f"  {name[:width]:<{width}}  {text}" for name, text in rows
    ]
