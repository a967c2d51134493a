"""The index note's chart: touches per month by channel, stacked, and the share within cadence.

Its data (`ChartData`) is cheap and computed on every rebuild; its digest is written
into the SVG, so a chart whose data did not change is never drawn again, and pygal
is imported only to draw one that did.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from vault_touchbase.features.stats.months import NO_CHANNEL, MonthFigures

try:  # what hashlib itself uses, without loading OpenSSL
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import blake2b

CHART_VERSION = 1  # raise it when the drawing changes: every chart is drawn again
MARKER = "vtb-chart-data"
_DIGEST = re.compile(rb"<!-- " + MARKER.encode() + rb" ([0-9a-f]{32}) -->")
HEAD_BYTES = 1024  # the digest is within the first bytes of a chart vtb drew
MAX_CHANNELS = 5  # channels drawn as their own colour; the rest are summed as "other"
WITHIN = "within cadence"
# Mid-tone colours that read on Obsidian's light and dark backgrounds alike.
COLOURS = ("#4e8ff5", "#2fb37a", "#e8a33d", "#a87ce6", "#e4677d", "#8c96a3")
LINE_COLOUR = "#e0559b"
TEXT_COLOUR = "#8a8f98"
GUIDE_COLOUR = "rgba(138,143,152,0.45)"


@dataclass(frozen=True)
class ChartData:
    """What the chart shows: month labels, touches by channel, the share within cadence."""

    labels: tuple[str, ...]
    series: tuple[tuple[str, tuple[int, ...]], ...]
    within: tuple[float | None, ...]  # 0..1 per month (None: nobody known yet)

    def digest(self) -> str:
        """A digest of the data and of the drawing's version: what the SVG carries."""
        data = repr((CHART_VERSION, self.labels, self.series, self.within)).encode()
        return blake2b(data, digest_size=16).hexdigest()


def chart_data(figures: MonthFigures) -> ChartData:
    """The chart's data from the twelve months' figures (channels past the fifth as other)."""
    labels = tuple(
        f"{m:%b}" + (f" {m:%y}" if at == 0 or m.month == 1 else "")
        for at, m in enumerate(figures.months)
    )
    drawn = [c for c in figures.channels[:MAX_CHANNELS] if c != NO_CHANNEL]
    series = []
    for channel in figures.channels:
        values = tuple(month.get(channel, 0) for month in figures.touches)
        if channel in drawn and (any(values) or channel in figures.channels[:3]):
            series.append((channel, values))
    rest = tuple(sum(n for c, n in month.items() if c not in drawn) for month in figures.touches)
    if any(rest):
        series.append((NO_CHANNEL, rest))
    within = tuple(
        None if share is None else round(share, 3)
        for share in (figures.share(at) for at in range(len(figures.months)))
    )
    return ChartData(labels, tuple(series), within)


def digest_in(head: bytes) -> str | None:
    """The data digest written into a chart vtb drew (`head`: its first bytes), else None."""
    match = _DIGEST.search(head)
    return match.group(1).decode() if match else None


def is_chart(head: bytes) -> bool:
    """Whether a file's first bytes are those of a chart vtb drew (safe to draw over)."""
    return MARKER.encode() in head


def draw(data: ChartData) -> bytes:
    """The chart as SVG bytes: no script, no external font, a transparent background; the
    same data gives the same bytes (pygal's random id is replaced by the digest)."""
    import pygal
    from pygal.graph.line import Line
    from pygal.style import Style

    digest = data.digest()

    class BarsAndLine(pygal.StackedBar):  # type: ignore[misc]
        """Stacked bars on the left axis; the secondary series as a line on the right."""

        _self_close = False  # what `Line.line` reads (True only for a radar)
        _series_margin = 0.12  # a gap between the months' bars

        def _plot(self) -> None:
            lines: list[Any] = self.secondary_series  # type: ignore[has-type]
            self.secondary_series = []
            for serie in self.series:  # full-width bars: no secondary bars beside them
                self.bar(serie)
            self.secondary_series = lines
            for serie in lines:  # at the bars' centres, not their left edges
                serie.points = [
                    (x, y) for x, (_, y) in zip(self._x_pos, serie.points, strict=False)
                ]
                Line.line(self, serie, True)

    style = Style(
        background="transparent",
        plot_background="transparent",
        foreground=TEXT_COLOUR,
        foreground_strong=TEXT_COLOUR,
        foreground_subtle="rgba(138,143,152,0.35)",
        opacity="0.9",
        opacity_hover="0.9",
        colors=(*COLOURS[: len(data.series)], LINE_COLOUR),
        font_family="sans-serif",
        label_font_size=13,
        major_label_font_size=13,
        legend_font_size=13,
        title_font_size=15,
        value_font_size=12,
        stroke_width="3",
        guide_stroke_color=GUIDE_COLOUR,
        major_guide_stroke_color=GUIDE_COLOUR,
    )
    most = max((sum(month) for month in zip(*(v for _, v in data.series), strict=True)), default=0)
    step = max(-(-most // 4), 1)  # four steps up the left axis: 0, 25, 50, 75, 100 on the right
    chart = BarsAndLine(
        style=style,
        width=800,
        height=330,
        js=[],
        title="Touches per month",
        legend_at_bottom=True,
        legend_at_bottom_columns=len(data.series) + 1,
        x_labels=list(data.labels),
        y_labels=[step * n for n in range(5)],
        range=(0, step * 4),
        secondary_range=(0, 100),
        truncate_label=-1,
        truncate_legend=-1,
        value_formatter=lambda v: f"{v:g}",
        formatter=_formatter,
        show_y_guides=True,
        print_values=False,
        dots_size=3,
        margin=12,
    )
    chart.uuid = digest
    for channel, values in data.series:
        chart.add(channel, list(values))
    percents = [None if v is None else round(v * 100) for v in data.within]
    chart.add(f"% {WITHIN}", percents, secondary=True)
    chart.add_xml_filter(lambda root: _clean(root, digest))
    svg: bytes = chart.render()
    return svg


def _formatter(value: Any) -> str:
    return "" if value is None else f"{value:g}"


def _clean(root: Any, digest: str) -> Any:
    """No script (pygal's config for its tooltips) and no dated comment: our digest instead."""
    from pygal.etree import etree  # lxml's or the standard library's, as pygal's root

    for parent in list(root.iter()):
        for child in list(parent):
            if not isinstance(child.tag, str) or child.tag.endswith("script"):
                parent.remove(child)  # a comment's tag is a function; pygal's script
    root.insert(0, etree.Comment(f" {MARKER} {digest} "))
    return root
