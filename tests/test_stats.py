"""`vtb stats` and the chart in the index: counts per month, drift, cadence hints, the SVG."""

from __future__ import annotations

import json
import os
import sys
from datetime import date
from pathlib import Path
from xml.etree import ElementTree

import pytest
from conftest import Vtb, git

from vault_touchbase.core.model import LogEntry

TODAY = "2026-11-26"


def note(vault: Path, name: str, cadence: str, log: list[str], extra: str = "") -> None:
    """A contact note with `cadence` and these Log lines (newest first)."""
    text = f"---\nname: {name}\nemail: {name.split()[0].lower()}@example.com\n"
    text += f"cadence: {cadence}\n{extra}---\n{name}.\n\n## Log\n" + "".join(
        f"- {line}\n" for line in log
    )
    (vault / "contacts" / f"{name}.md").write_text(text, encoding="utf-8")


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    """A constructed vault: one person drifting though not due, one whose rhythm is
    quarterly on a monthly cadence, one who replied, and entries outside the year."""
    root = tmp_path / "vault"
    (root / "contacts").mkdir(parents=True)
    (root / "vtb.toml").write_text('contacts = "contacts"\n')
    # monthly calls until April, then nothing: 230 days, usually 31; yearly is not due
    note(
        root,
        "Ann Drift",
        "yearly",
        [
            "2026-04-10 call: the garden",
            "2026-03-10 call: her trip",
            "2026-02-10 call: the new job",
            "2026-01-10 call: new year",
        ],
    )
    # set monthly, but every touch is three months apart: quarterly, or overdue each time
    note(
        root,
        "Bob Slow",
        "monthly",
        [
            "2026-09-01 email: ticked in Touch Base",  # vtb's own words: still a touch
            "2026-06-01 email: sent the drafted email",
            "2026-03-02 email: his move",
            "2025-12-01 email: the holidays",
            "2025-11-30 email: outside the twelve months",
        ],
    )
    # a reply is received, not made; an entry after today does not count
    note(
        root,
        "Cleo Reply",
        "monthly",
        [
            "2026-12-24 visit: planned, after today",
            "2026-11-20 reply: thanks for the photos",
            "2026-11-02 visit: photos of the wedding",
            "2026-10-05 lunch at the market",
        ],
    )
    return root


def stats_of(vault: Path) -> dict:
    result = Vtb(vault)("stats", "--json", today=TODAY)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_stats_json_counts_touches_per_month_by_channel(vault: Path) -> None:
    data = stats_of(vault)
    months = {m["month"]: m for m in data["months"]}
    assert list(months) == ["2025-12", *(f"2026-{n:02d}" for n in range(1, 12))]
    assert data["channels"] == ["call", "visit", "email", "other"]
    assert months["2025-12"] == {"month": "2025-12", "call": 0, "visit": 0, "email": 1, "other": 0}
    assert months["2026-02"]["call"] == 1 and months["2026-04"]["call"] == 1
    assert months["2026-09"]["email"] == 1  # a tick is a touch
    assert months["2026-06"]["email"] == 1  # and so is a logged draft
    assert months["2026-10"]["other"] == 1  # an entry without a channel
    assert months["2026-11"] == {"month": "2026-11", "call": 0, "visit": 1, "email": 0, "other": 0}
    assert data["touches"] == 4 + 4 + 2  # not the reply, nor 2025-11-30, nor 2026-12-24
    assert data["replies"] == 1
    assert [t["replies"] for t in data["trend"]][-1] == 1


def test_stats_json_names_the_drifting_person_and_the_suggestion(vault: Path) -> None:
    data = stats_of(vault)
    assert data["drifting"] == [
        {
            "name": "Ann Drift",
            "path": "contacts/Ann Drift.md",
            "usual_gap_days": 31,
            "current_gap_days": 230,
            "last_contacted": "2026-04-10",
        }
    ]
    hints = {h["name"]: h for h in data["suggestions"]}
    assert hints["Bob Slow"]["cadence"] == "monthly"
    assert hints["Bob Slow"]["suggested"] == "quarterly"
    assert "overdue every time" in hints["Bob Slow"]["why"]
    assert hints["Ann Drift"]["cadence"] == "yearly"  # talks every month, set to yearly
    assert hints["Ann Drift"]["suggested"] == "monthly"
    assert "Cleo Reply" not in hints  # two touches: no rhythm yet
    assert data["budget"] == 60 and data["forecast_minutes"] > 0


def test_within_cadence_now_and_at_each_months_end(vault: Path) -> None:
    data = stats_of(vault)
    # today: Cleo (replied on the 20th, monthly) is within; Ann (yearly since April) is
    # within; Bob (monthly, last on 1 September) is not
    assert data["within_cadence"] == pytest.approx(2 / 3, abs=0.001)
    shares = {t["month"]: t["within_cadence"] for t in data["trend"]}
    assert shares["2025-12"] == 1.0  # only Bob was known: touched on 1 December
    assert shares["2026-01"] == 0.5  # Bob overdue since 1 January; Ann within
    assert shares["2026-10"] == pytest.approx(2 / 3, abs=0.001)  # Cleo from 5 October
    assert data["trend"][-1]["within_cadence"] == data["within_cadence"]


def test_stats_in_the_terminal_has_a_sparkline(vault: Path) -> None:
    result = Vtb(vault)("stats", today=TODAY)
    assert result.exit_code == 0, result.output
    assert "10 touches made, 1 reply received" in result.output
    assert "touches a month  ▅▅▅█▅▁▅▁▁▅▅▅  1 1 1 2 1 0 1 0 0 1 1 1" in result.output
    assert "Ann Drift  230 days since the last contact; usually about 31" in result.output
    assert "monthly → quarterly" in result.output


def test_sparkline() -> None:
    from vault_touchbase.features.stats.report import sparkline

    assert sparkline([0, 1, 2, 4]) == "▁▃▅█"
    assert sparkline([0, 0]) == "▁▁"
    assert sparkline([]) == ""


def test_usual_gap_is_the_median_of_the_newest_touch_days() -> None:
    from vault_touchbase.core.rhythm import usual_gap

    def log(*days: str, channel: str = "call") -> list[LogEntry]:
        return [LogEntry(date.fromisoformat(d), channel, "", 1) for d in days]

    assert usual_gap(log("2026-03-01", "2026-02-01")) == 0  # two days: no rhythm
    assert usual_gap(log("2026-03-31", "2026-03-01", "2026-02-01", "2026-01-01")) == 30
    same_day = log("2026-03-01", "2026-03-01", "2026-02-01")
    assert usual_gap(same_day) == 0  # three entries but two days
    touches = log("2026-03-01", "2026-02-01", "2026-01-01")  # 28 and 31 days apart
    replies = log("2026-03-02", "2026-02-02", channel="reply")  # theirs: not touches
    both = sorted([*touches, *replies], key=lambda e: e.date, reverse=True)
    assert usual_gap(both) == 30


def test_refresh_embeds_the_chart_with_the_drifting_people(vault: Path) -> None:
    result = Vtb(vault)("refresh", today=TODAY)
    assert result.exit_code == 0, result.output
    index = (vault / "Touch Base.md").read_text(encoding="utf-8")
    section = index.split("## How it is going\n", 1)[1].split("\n## ", 1)[0]
    assert "![[touch-base-chart.svg]]" in section
    assert "- [[contacts/Ann Drift|Ann Drift]] — 230 days, usually about 31" in section
    svg = (vault / "touch-base-chart.svg").read_bytes()
    root = ElementTree.fromstring(svg)  # valid XML
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert b"<script" not in svg and b"http://" not in svg.replace(
        b'"http://www.w3.org/2000/svg"', b""
    ).replace(b'"http://www.w3.org/1999/xlink"', b"")


def test_log_does_not_draw_the_chart(vault: Path) -> None:
    result = Vtb(vault)("log", "Cleo Reply", "-c", "call", "hello", today=TODAY)
    assert result.exit_code == 0, result.output
    assert (vault / "Touch Base.md").exists()
    assert not (vault / "touch-base-chart.svg").exists()


def test_an_unchanged_refresh_leaves_the_chart_alone(vault: Path, settled: None) -> None:
    run = Vtb(vault)
    assert run("refresh", today=TODAY).exit_code == 0
    chart = vault / "touch-base-chart.svg"
    before, stamp = chart.read_bytes(), chart.stat().st_mtime_ns
    os.utime(chart, ns=(stamp - 10**9, stamp - 10**9))  # an hour-old mtime, to tell
    stamp = chart.stat().st_mtime_ns
    (vault / ".vtb" / "refresh-memo.pickle").unlink(missing_ok=True)  # the long way
    assert run("refresh", today=TODAY).exit_code == 0
    assert chart.read_bytes() == before and chart.stat().st_mtime_ns == stamp
    assert run("refresh", today=TODAY).exit_code == 0  # the memo's short way
    assert (vault / ".vtb" / "refresh-memo.pickle").exists()
    assert chart.stat().st_mtime_ns == stamp
    assert run("log", "Bob Slow", "-c", "call", "at last", today=TODAY).exit_code == 0
    assert chart.stat().st_mtime_ns == stamp  # `vtb log` draws no chart...
    assert run("refresh", today=TODAY).exit_code == 0
    assert chart.read_bytes() != before  # ...the next refresh does


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Notes written just now count as settled, so the refresh memo is kept (its short way)."""
    import time

    from vault_touchbase.vault import stamp

    monkeypatch.setattr(stamp, "now_ns", lambda: time.time_ns() + 10**10)


def test_a_deleted_chart_is_drawn_again(vault: Path, settled: None) -> None:
    run = Vtb(vault)
    assert run("refresh", today=TODAY).exit_code == 0
    assert (vault / ".vtb" / "refresh-memo.pickle").exists()  # the next one is the short way...
    chart = vault / "touch-base-chart.svg"
    before = chart.read_bytes()
    chart.unlink()
    assert run("refresh", today=TODAY).exit_code == 0
    assert chart.read_bytes() == before  # ...but not without the chart


def test_pygal_is_imported_only_to_draw_a_changed_chart(vault: Path) -> None:
    from vault_touchbase.actions.chart import write_chart
    from vault_touchbase.vault.folder import open_vault
    from vault_touchbase.vault.load import load_vault

    opened = open_vault(vault)
    contacts = load_vault(opened).contacts
    today = date.fromisoformat(TODAY)
    assert write_chart(opened, contacts, today) is True
    for name in [m for m in sys.modules if m == "pygal" or m.startswith("pygal.")]:
        del sys.modules[name]
    assert write_chart(opened, contacts, today) is False
    assert "pygal" not in sys.modules


def test_a_file_of_the_users_is_never_drawn_over(vault: Path) -> None:
    mine = b"<svg xmlns='http://www.w3.org/2000/svg'><!-- my drawing --></svg>"
    (vault / "touch-base-chart.svg").write_bytes(mine)
    result = Vtb(vault)("refresh", today=TODAY)
    assert result.exit_code == 0, result.output
    assert (vault / "touch-base-chart.svg").read_bytes() == mine
    assert "touch-base-chart.svg not drawn: touch-base-chart.svg exists and was not drawn" in (
        result.output
    )


def test_a_folder_named_as_the_chart_is_said_and_left(vault: Path) -> None:
    (vault / "touch-base-chart.svg").mkdir()
    result = Vtb(vault)("refresh", today=TODAY)
    assert result.exit_code == 0, result.output
    assert (vault / "Touch Base.md").is_file(), "the index note is written all the same"
    assert "touch-base-chart.svg not drawn: touch-base-chart.svg is a folder" in result.output
    assert "rename it, or set `chart" in result.output
    assert (vault / "touch-base-chart.svg").is_dir()
    assert not any((vault / "touch-base-chart.svg").iterdir())


def test_chart_setting_off_and_checked(vault: Path) -> None:
    (vault / "vtb.toml").write_text('contacts = "contacts"\nchart = ""\n')
    assert Vtb(vault)("refresh", today=TODAY).exit_code == 0
    assert not (vault / "touch-base-chart.svg").exists()
    index = (vault / "Touch Base.md").read_text(encoding="utf-8")
    assert "![[" not in index and "Ann Drift|Ann Drift]] — 230 days" in index
    (vault / "vtb.toml").write_text('chart = "charts/a.png"\n')
    result = Vtb(vault)("refresh", today=TODAY)
    assert result.exit_code != 0
    assert "must be a file name ending in .svg" in result.output


def test_the_chart_sits_next_to_an_index_in_a_folder(vault: Path) -> None:
    (vault / "vtb.toml").write_text('contacts = "contacts"\nindex = "meta/Touch Base.md"\n')
    assert Vtb(vault)("refresh", today=TODAY).exit_code == 0
    assert (vault / "meta" / "touch-base-chart.svg").exists()
    index = (vault / "meta" / "Touch Base.md").read_text(encoding="utf-8")
    assert "![[meta/touch-base-chart.svg]]" in index


def test_the_chart_is_ignored_by_git_unless_commit_index(vault: Path) -> None:
    from vault_touchbase.core.settings import parse_settings
    from vault_touchbase.git.attributes import gitattributes_text, gitignore_text

    assert Vtb(vault)("init", str(vault), today=TODAY).exit_code == 0
    assert "/touch-base-chart.svg" in (vault / ".gitignore").read_text().split("\n")
    assert Vtb(vault)("refresh", today=TODAY).exit_code == 0
    assert git(vault, "check-ignore", "touch-base-chart.svg").strip() == "touch-base-chart.svg"
    assert "touch-base-chart.svg" not in git(vault, "status", "--porcelain", "--ignored=no")
    committed = parse_settings("commit_index = true\n")
    assert "/touch-base-chart.svg" not in gitignore_text(committed)
    assert "/touch-base-chart.svg merge=vtb-index" in gitattributes_text(committed)


def test_with_commit_index_the_chart_is_committed_with_the_index(vault: Path) -> None:
    (vault / "vtb.toml").write_text('contacts = "contacts"\ncommit_index = true\n')
    assert Vtb(vault)("init", str(vault), today=TODAY).exit_code == 0
    assert Vtb(vault)("refresh", today=TODAY).exit_code == 0
    files = git(vault, "ls-files").split("\n")
    assert "touch-base-chart.svg" in files and "Touch Base.md" in files
    assert git(vault, "status", "--porcelain") == ""
    assert git(vault, "check-attr", "merge", "touch-base-chart.svg").strip().endswith("vtb-index")


def test_the_index_merge_driver_keeps_our_chart() -> None:
    from vault_touchbase.index.merge import merge_index

    base, ours, theirs = (f"<svg><!-- vtb-chart-data {n * 32} --></svg>\n" for n in "abc")
    assert merge_index(base, ours, theirs).text == ours
    assert merge_index(base, ours, theirs).clashes == []


def test_a_burst_of_touches_suggests_no_shorter_cadence() -> None:
    from vault_touchbase.core.cadence import parse_cadence
    from vault_touchbase.core.model import Contact, LogEntry
    from vault_touchbase.core.rhythm import usual_gap
    from vault_touchbase.core.settings import Settings
    from vault_touchbase.features.stats.rhythm import cadence_hints

    def person(name: str, days: list[str]) -> Contact:
        log = tuple(LogEntry(date.fromisoformat(d), "email", "hi", 1) for d in days)
        return Contact(
            f"contacts/{name}.md",
            name,
            cadence=parse_cadence("quarterly"),
            last_contacted=log[0].date,
            log=log,
            rhythm=usual_gap(log),
        )

    burst = person("Keisha", ["2026-10-02", "2026-09-25", "2026-09-17"])
    steady = person("Ruth", ["2026-11-01", "2026-10-01", "2026-09-01", "2026-08-01"])
    hints = cadence_hints([burst, steady], Settings())
    assert burst.rhythm == 0 and steady.rhythm == 31  # a burst: no rhythm at all
    assert [(h.contact.name, str(h.suggested)) for h in hints] == [("Ruth", "monthly")]


def test_a_burst_of_touches_is_no_rhythm() -> None:
    from vault_touchbase.core.rhythm import usual_gap

    burst = [
        LogEntry(date.fromisoformat(d), "email", "", 1)
        for d in ("2026-10-02", "2026-09-25", "2026-09-17")
    ]
    assert usual_gap(burst) == 0  # fifteen days: nobody drifts from it, nothing is suggested
