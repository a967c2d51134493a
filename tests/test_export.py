"""`vtb export vcf|csv|ics|json`: round trips, calendars read back with icalendar."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from conftest import Vtb

from vault_touchbase.actions.init import init_vault
from vault_touchbase.core.model import Birthday
from vault_touchbase.features.formats.csvfiles import CSV_COLUMNS
from vault_touchbase.features.formats.ics import CalendarEvent, write_ics
from vault_touchbase.features.formats.person import ImportedPerson
from vault_touchbase.features.formats.vcard import read_vcards, write_vcards
from vault_touchbase.vault.folder import open_vault
from vault_touchbase.vault.load import load_vault


def comparable(person: ImportedPerson) -> ImportedPerson:
    """A person without what only says where a record sat (and where it came from)."""
    return replace(person, where="", line=1, uid="", source="")


def people_of(vcf: str) -> list[ImportedPerson]:
    read = read_vcards(vcf, "x.vcf")
    assert read.problems == []
    return sorted((comparable(p) for p in read.people), key=lambda p: p.name)


def test_vcard_export_round_trips_through_import(vtb: Vtb, tmp_path: Path) -> None:
    first = vtb("export", "vcf")
    assert first.exit_code == 0
    exported = people_of(first.stdout)
    assert len(exported) == 36
    jose = next(p for p in exported if p.name == "José Müller")
    assert jose.offers == ("web development", "Shopify themes")
    assert jose.notes[0].startswith("Grew up between Valencia and Hamburg")
    assert next(p for p in exported if p.name == "Liam O'Connor").cadence == "30d"  # prm-cadence
    fresh = tmp_path / "fresh"
    init_vault(fresh)
    vcf = tmp_path / "everyone.vcf"
    vcf.write_text(first.stdout, encoding="utf-8", newline="")
    imported = Vtb(fresh)("import", str(vcf))
    assert "36 new, 0 merged, 0 skipped" in imported.output
    again = Vtb(fresh)("export", "vcf")
    assert people_of(again.stdout) == exported
    # and importing the same file once more changes nothing
    assert "0 new, 0 merged, 36 skipped" in Vtb(fresh)("import", str(vcf)).output


def test_vcard_holds_commas_newlines_and_birthdays_without_a_year() -> None:
    person = ImportedPerson(
        name="Ana María de la Cruz",
        aliases=("Ani, the elder", "AMC"),
        emails=("ana@example.com",),
        phones=("+34 600 000 000",),
        organization="Cruz, Hijos; y Cía",
        job_title="Owner\\Founder",
        birthday=Birthday(2, 29),
        address="Calle Mayor 1, 28013 Madrid, Spain",
        websites=("https://cruz.example/a,b",),
        linkedin="https://www.linkedin.com/in/anacruz",
        tags=("family", "madrid"),
        circle="community",
        cadence="6w",
        channel="call",
        offers=("tapas, paella",),
        needs=("a plumber",),
        notes=("First line; with a semicolon", "Second: \\n is not a newline"),
        connected_on=date(2020, 1, 2),
    )
    (back,) = people_of(write_vcards([person]))
    assert back == comparable(person)


def test_ics_events_read_back_with_icalendar(example_copy: Path) -> None:
    from icalendar import Calendar

    vtb = Vtb(example_copy)
    result = vtb("export", "ics")
    assert result.exit_code == 0
    calendar = Calendar.from_ical(result.stdout)
    assert calendar["VERSION"] == "2.0" and "PRODID" in calendar
    events = list(calendar.walk("VEVENT"))
    touches = [e for e in events if str(e["SUMMARY"]).startswith("Touch base: ")]
    birthdays = [e for e in events if str(e["SUMMARY"]).endswith("'s birthday")]
    assert len(touches) + len(birthdays) == len(events)
    contacts = load_vault(open_vault(example_copy)).contacts
    assert len(birthdays) == sum(1 for c in contacts if c.birthday)
    for event in events:
        start = event.decoded("DTSTART")
        assert type(start) is date  # all-day
        assert event.decoded("DTEND") == date.fromordinal(start.toordinal() + 1)
    for event in birthdays:
        assert event["RRULE"]["FREQ"] == ["YEARLY"]
    today, horizon = date(2026, 11, 26), date(2027, 2, 26)
    assert all(today <= e.decoded("DTSTART") <= horizon for e in touches)
    jose = next(e for e in touches if "José Müller" in str(e["SUMMARY"]))
    assert jose.decoded("DTSTART") == today  # overdue since 2026-09-03: on today, not the past
    assert "Overdue since 2026-09-03" in str(jose["DESCRIPTION"])
    assert str(jose["URL"]).startswith("obsidian://open?vault=vault&file=contacts%2FJos")
    # a later export (another day) keeps every event's identity
    later = Calendar.from_ical(vtb("export", "ics", today="2026-12-03").stdout)
    uids = {str(e["UID"]) for e in events}
    assert uids <= {str(e["UID"]) for e in later.walk("VEVENT")} | {str(e["UID"]) for e in touches}
    assert len(uids) == len(events)  # unique


def test_ics_birthday_on_29_february() -> None:
    from icalendar import Calendar

    event = CalendarEvent("b@x", date(2026, 2, 28), "Leap's birthday", yearly=True, feb29=True)
    parsed = Calendar.from_ical(write_ics([event], date(2026, 1, 1)))
    (vevent,) = parsed.walk("VEVENT")
    rule = vevent["RRULE"]
    assert rule["FREQ"] == ["YEARLY"] and rule["BYMONTH"] == [2] and rule["BYMONTHDAY"] == [-1]
    assert str(vevent["DTSTAMP"].to_ical().decode()) == "20260101T000000Z"


def test_csv_export_has_the_documented_header_and_one_row_per_person(vtb: Vtb) -> None:
    result = vtb("export", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 36
    jose = next(r for r in rows if r["name"] == "José Müller")
    assert jose["offers"] == "web development; Shopify themes"
    assert jose["next_due"] == "2026-09-03" and jose["last_contacted"] == "2026-06-03"
    assert "\n" in jose["notes"]  # several lines in one quoted cell
    doc = (Path(__file__).parent.parent / "docs" / "import-export.md").read_text(encoding="utf-8")
    for column in CSV_COLUMNS:
        assert f"`{column}`" in doc, f"docs/import-export.md does not describe {column}"


def test_json_export_is_the_whole_vault(vtb: Vtb) -> None:
    data = json.loads(vtb("export", "json").stdout)
    assert len(data) == 36
    jose = next(d for d in data if d["name"] == "José Müller")
    assert jose["log"][0]["text"] == "he is moving to four-day weeks from September"
    assert jose["properties"]["needs"] == ["illustrator"]


def test_export_to_a_file(vtb: Vtb, tmp_path: Path) -> None:
    target = tmp_path / "out.vcf"
    result = vtb("export", "vcf", "-o", str(target))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "Exported 36 people to" in result.stderr
    assert target.read_bytes().count(b"BEGIN:VCARD\r\n") == 36


def test_export_into_a_pipe_writes_into_it_and_leaves_it_a_pipe(vtb: Vtb, tmp_path: Path) -> None:
    """`-o /dev/stdout`, `/dev/null` or a FIFO another program reads: written into, never
    replaced by a file (as root, replacing /dev/null would break the whole machine)."""
    import os
    import stat
    import threading

    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(pipe.read_bytes()), daemon=True)
    reader.start()
    result = vtb("export", "csv", "-o", str(pipe))
    reader.join(10)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode), "still a pipe"
    assert got and got[0].decode("utf-8").count("\n") > 36


def test_export_to_a_dash_is_the_standard_output(
    vtb: Vtb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = vtb("export", "json", "-o", "-")
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)) == 36
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize("fmt", ["xml", "vcard"])
def test_unknown_export_format_is_a_usage_error(vtb: Vtb, fmt: str) -> None:
    result = vtb("export", fmt)
    assert result.exit_code == 2
    assert "vcf" in result.output


def test_ics_puts_a_backlog_on_the_months_the_index_plans_it_for(tmp_path: Path) -> None:
    from icalendar import Calendar

    vault = tmp_path / "v"
    (vault / "contacts").mkdir(parents=True)
    for number in range(20):  # 20 people never contacted, yearly: a one-off backlog
        (vault / "contacts" / f"New {number:02d}.md").write_text(
            f"---\nname: New {number:02d}\ncadence: yearly\n---\n"
        )
    vtb = Vtb(vault)
    vtb("refresh")
    index = (vault / "Touch Base.md").read_text(encoding="utf-8")
    assert "> - December 2026: " in index
    calendar = Calendar.from_ical(vtb("export", "ics").stdout)
    starts = sorted(
        event.decoded("dtstart")
        for event in calendar.walk("VEVENT")
        if str(event["summary"]).startswith("Touch base")
    )
    assert starts.count(date(2026, 11, 26)) == 12  # this hour: 60 min / 5
    assert date(2026, 12, 1) in starts and len(starts) == 20
