"""The index note's "How it is going": the chart embedded, and who is drifting, as links."""

from __future__ import annotations

from datetime import date

from vault_touchbase.core.model import Contact
from vault_touchbase.core.settings import Settings
from vault_touchbase.features.stats.rhythm import drifting
from vault_touchbase.index.render import link

DRIFT_SHOWN = 10  # people named in the index; `vtb stats` lists them all


def going_lines(
    contacts: tuple[Contact, ...] | list[Contact], settings: Settings, today: date
) -> list[str]:
    """The section's Markdown lines: `![[touch-base-chart.svg]]` (when a chart is drawn),
    then the drifting people, furthest from their own rhythm first."""
    lines = [f"![[{settings.chart_file}]]", ""] if settings.chart else []
    drift = drifting(contacts, today)
    if not drift:
        return [*lines, "_Nobody is drifting from their usual rhythm._"]
    lines.append("Drifting from their usual rhythm (days since the last contact, and usually):")
    lines.append("")
    lines += [
        f"- {link(d.contact)} — {d.current_gap_days} days, usually about {d.usual_gap_days}"
        for d in drift[:DRIFT_SHOWN]
    ]
    if len(drift) > DRIFT_SHOWN:
        lines.append(f"- … and {len(drift) - DRIFT_SHOWN} more: `vtb stats` lists them all")
    return lines
