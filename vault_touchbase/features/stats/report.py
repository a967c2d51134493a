"""`vtb stats`: every figure of the last twelve months, as text parts and JSON."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from vault_touchbase.core.model import Contact
from vault_touchbase.core.plan import cadence_of, steady_load
from vault_touchbase.core.settings import Settings
from vault_touchbase.features.stats.months import MonthFigures, month_figures
from vault_touchbase.features.stats.rhythm import CadenceHint, Drift, cadence_hints, drifting

__all__ = ["Stats", "compute_stats", "sparkline", "stats_json"]

SPARKS = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class Stats:
    """Everything `vtb stats` shows, for one `today`."""

    today: date
    figures: MonthFigures
    drifting: list[Drift]
    hints: list[CadenceHint]
    forecast_minutes: float  # a month's minutes the current cadences ask for (core/plan.py)
    budget: int
    never_contacted: int  # people with a cadence and no contact on file

    @property
    def touches(self) -> int:
        return sum(sum(month.values()) for month in self.figures.touches)

    @property
    def replies(self) -> int:
        return sum(self.figures.replies)

    @property
    def within_cadence(self) -> float | None:
        """The share within cadence today (None when nobody has a cadence and a contact)."""
        return self.figures.share(len(self.figures.months) - 1)


def compute_stats(
    contacts: tuple[Contact, ...] | list[Contact], settings: Settings, today: date
) -> Stats:
    """The stats of the loaded contacts on `today` (only Log entries up to it count)."""
    forecast, _ = steady_load(contacts, settings)
    never = sum(
        1 for c in contacts if c.last_contacted is None and not cadence_of(c, settings).never
    )
    return Stats(
        today,
        month_figures(contacts, settings, today),
        drifting(contacts, today),
        cadence_hints(contacts, settings),
        forecast,
        settings.hour_budget,
        never,
    )


def sparkline(values: list[int] | tuple[int, ...]) -> str:
    """`▁▃█▅`: one block a value, the highest full; all blank-low when every value is 0."""
    top = max(values, default=0)
    if top <= 0:
        return SPARKS[0] * len(values)
    return "".join(SPARKS[min(round(v / top * (len(SPARKS) - 1)), len(SPARKS) - 1)] for v in values)


def _share(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def stats_json(stats: Stats) -> dict[str, object]:
    """`vtb stats --json`: `months`, `within_cadence`, `drifting`, `suggestions` and more."""
    figures = stats.figures
    months = [
        {"month": f"{m:%Y-%m}", **counts}
        for m, counts in zip(figures.months, figures.touches, strict=True)
    ]
    trend = [
        {
            "month": f"{m:%Y-%m}",
            "touches": sum(counts.values()),
            "replies": replies,
            "within_cadence": _share(figures.share(at)),
        }
        for at, (m, counts, replies) in enumerate(
            zip(figures.months, figures.touches, figures.replies, strict=True)
        )
    ]
    return {
        "today": stats.today.isoformat(),
        "channels": list(figures.channels),
        "months": months,
        "trend": trend,
        "touches": stats.touches,
        "replies": stats.replies,
        "within_cadence": _share(stats.within_cadence),
        "never_contacted": stats.never_contacted,
        "drifting": [
            {
                "name": d.contact.name,
                "path": d.contact.path,
                "usual_gap_days": d.usual_gap_days,
                "current_gap_days": d.current_gap_days,
                "last_contacted": d.contact.last_contacted.isoformat()
                if d.contact.last_contacted
                else None,
            }
            for d in stats.drifting
        ],
        "suggestions": [
            {
                "name": h.contact.name,
                "path": h.contact.path,
                "cadence": str(h.cadence),
                "suggested": str(h.suggested),
                "usual_gap_days": h.usual_gap_days,
                "why": h.why,
            }
            for h in stats.hints
        ],
        "forecast_minutes": round(stats.forecast_minutes, 1),
        "budget": stats.budget,
    }
