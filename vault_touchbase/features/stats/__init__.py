"""`vtb stats` and the index's chart: `months.py` (a year of touches by channel, the
share within cadence), `rhythm.py` (drifting, cadence hints), `chart.py` (the SVG),
`going.py` (the index's lines), `report.py` (`compute_stats`, `stats_json`, `sparkline`).

Empty of code, so the index's few lines (`going.py`) import only what they use.
"""
