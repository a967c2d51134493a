"""The chart's SVG, from golden data: valid XML, one series per channel and the line, the digest."""

from __future__ import annotations

import re
from datetime import date
from xml.etree import ElementTree

from vault_touchbase.features.stats.chart import (
    ChartData,
    chart_data,
    digest_in,
    draw,
    is_chart,
)
from vault_touchbase.features.stats.months import MonthFigures

SVG = "{http://www.w3.org/2000/svg}"
LABELS = ("Dec 25", "Jan 26", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov")
GOLDEN = ChartData(
    LABELS,
    (
        ("call", (1, 1, 2, 2, 0, 2, 1, 6, 2, 3, 2, 1)),
        ("visit", (0, 0, 0, 0, 0, 1, 1, 0, 2, 1, 4, 3)),
        ("email", (1, 3, 2, 2, 1, 1, 1, 2, 4, 5, 4, 1)),
        ("other", (1, 0, 0, 2, 4, 4, 3, 2, 0, 4, 3, 1)),
    ),
    (1.0, 0.833, 0.875, 1.0, 0.818, 0.938, 0.889, 0.9, 0.87, 0.92, 0.897, 0.733),
)


def test_the_golden_chart_is_valid_svg_with_one_series_per_channel_and_the_line() -> None:
    svg = draw(GOLDEN)
    root = ElementTree.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    series = {
        match
        for node in root.iter(f"{SVG}g")
        for match in re.findall(r"\bserie-(\d+)\b", node.get("class", ""))
    }
    assert series == {"0", "1", "2", "3", "4"}  # four channels and the within-cadence line
    legend = [t.text for t in root.iter(f"{SVG}text") if t.text and t.text in _LEGEND]
    assert legend == list(_LEGEND)
    texts = {t.text for t in root.iter(f"{SVG}text")}
    assert set(LABELS) <= texts  # the months
    assert {"0", "25", "50", "75", "100"} <= texts  # the share's axis
    lines = [p for p in root.iter(f"{SVG}path") if p.get("class") == "line reactive nofill"]
    assert len(lines) == 1  # the share within cadence, as one line
    bars = [r for r in root.iter(f"{SVG}rect") if "rect" in r.get("class", "").split()]
    assert len(bars) == len(GOLDEN.series) * len(LABELS)  # a bar a channel a month (0: flat)


def test_the_digest_is_inside_and_the_same_data_gives_the_same_bytes() -> None:
    svg = draw(GOLDEN)
    assert digest_in(svg[:1024]) == GOLDEN.digest() and is_chart(svg[:1024])
    assert draw(GOLDEN) == svg  # pygal's random id replaced, no date in a comment
    other = ChartData(GOLDEN.labels, GOLDEN.series, (*GOLDEN.within[:-1], 0.5))
    assert other.digest() != GOLDEN.digest() and draw(other) != svg


def test_no_script_no_external_font_and_a_transparent_background() -> None:
    svg = draw(GOLDEN).decode("utf-8")
    assert "<script" not in svg and "googleapis" not in svg and "@import" not in svg
    assert "xml-stylesheet" not in svg
    assert re.findall(r"https?://[^\s\"')]+", svg) == [
        "http://www.w3.org/2000/svg",
        "http://www.w3.org/1999/xlink",
    ]
    assert "fill:transparent" in svg.replace(" ", "")


def test_chart_data_from_month_figures() -> None:
    months = tuple(date(2026, m, 1) for m in range(1, 13))
    touches = tuple(
        {"call": 1, "visit": 0, "email": 2, "meet": m % 2, "text": 0, "sms": 1, "other": 1}
        for m in range(12)
    )
    figures = MonthFigures(
        months,
        ("call", "visit", "email", "meet", "sms", "text", "other"),
        touches,
        (0,) * 12,
        (1,) * 11 + (0,),
        (2,) * 11 + (0,),
    )
    data = chart_data(figures)
    assert data.labels[:2] == ("Jan 26", "Feb")
    # the first five channels, a channel of the first three even when empty; the rest summed
    assert [name for name, _ in data.series] == ["call", "visit", "email", "meet", "sms", "other"]
    assert dict(data.series)["other"] == (1,) * 12  # "text" (0) and entries without a channel
    assert data.within == (0.5,) * 11 + (None,)


_LEGEND = ("call", "visit", "email", "other", "% within cadence")
