"""Harvest's calendar and daily-note sources, and the Directory's links and names."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from vault_touchbase.core.model import Contact
from vault_touchbase.features.harvest.calendar import calendar_proposals
from vault_touchbase.features.harvest.daily import channel_of, daily_proposals, linked_lines
from vault_touchbase.features.harvest.found import Directory, Proposal, one_line

FIXTURES = Path(__file__).parent / "fixtures" / "harvest"
BERLIN = ZoneInfo("Europe/Berlin")
CLEO = Contact(
    "contacts/Cleo Poe.md", "Cleo Poe", aliases=("Cleopatra",), emails=("cleo@example.com",)
)
BOB = Contact("contacts/Bob Ray.md", "Bob Ray", aliases=("Bobby",), emails=("bob@example.com",))


def people(*more: Contact) -> Directory:
    return Directory([CLEO, BOB, *more])


def rows(found: list[Proposal]) -> list[tuple[str, str, str, str]]:
    return [(p.day.isoformat(), p.name, p.channel, p.text) for p in found]


# ---- Directory: links and names ------------------------------------------------------


def test_by_link_resolves_as_obsidian_does() -> None:
    jose = Contact("people/friends/José Müller.md", "José Müller", aliases=("Pepe",))
    directory = people(jose)
    for target in (
        "Cleo Poe",
        "cleo poe",
        "Cleo Poe.md",
        "contacts/Cleo Poe",
        "contacts/Cleo Poe.md",
        "Cleo Poe#Log",
        "Cleo Poe#^abc123",
        "Cleo Poe|Cleo",
        "Cleopatra",
    ):
        assert directory.by_link(target) is CLEO, target
    for target in ("friends/José Müller", "Jose Muller", "JOSÉ MÜLLER", "pepe"):
        assert directory.by_link(target) is jose, target
    assert directory.by_link("Cleo") is None  # a first name is no link
    assert directory.by_link("Nobody") is None


def test_by_link_never_guesses_between_two_notes() -> None:
    other = Contact("family/Cleo Poe.md", "Cleo Poe")
    directory = people(other)
    assert directory.by_link("Cleo Poe") is None
    assert directory.by_link("family/Cleo Poe") is other
    assert directory.by_link("contacts/Cleo Poe") is CLEO


def test_named_in_whole_names_and_aliases_not_first_names() -> None:
    mom = Contact("contacts/Mom.md", "Mom")
    directory = people(mom)
    assert directory.named_in("Lunch with cleo POE and Bobby") == (CLEO, BOB)
    assert directory.named_in("Call Mom") == (mom,)  # a one-word name is the whole name
    assert directory.named_in("Drinks with Cleo") == ()  # a first name alone
    assert directory.named_in("Cleo Poet reading, Bobbyfest") == ()  # whole words only
    assert directory.named_in("Café with Cléopatra") == (CLEO,)  # accents
    short = Directory([Contact("contacts/ada.md", "Ada Lovelace")])  # a note named by first name
    assert short.named_in("Tea with Ada") == ()
    assert short.by_link("ada") is short.contacts[0]  # a link to the file is clear


def test_named_in_takes_the_longest_name() -> None:
    cleo_smith = Contact("contacts/Cleo Poe Smith.md", "Cleo Poe Smith")
    assert people(cleo_smith).named_in("Tea with Cleo Poe Smith") == (cleo_smith,)


def test_directory_of_ten_thousand_is_quick() -> None:
    import time

    many = [Contact(f"c/P{n}.md", f"Person{n} Family{n % 97}") for n in range(10_000)]
    started = time.perf_counter()
    directory = Directory(many)
    built = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(1000):
        directory.named_in("Lunch with Person5000 Family53 and someone else at noon")
        directory.by_link("c/P5000")
    looked = time.perf_counter() - started
    assert directory.by_link("P5000") is many[5000]
    assert built < 2.0 and looked < 1.0


def test_one_line() -> None:
    assert one_line("a\nb\t c\x07\u202e d") == "a b c d"
    long = one_line("word " * 100, 40)
    assert len(long) <= 40 and long.endswith("…")


# ---- Calendars -------------------------------------------------------------------------


def harvest_ics(*paths: Path, directory: Directory | None = None, **kw):  # type: ignore[no-untyped-def]
    read = calendar_proposals(
        list(paths),
        directory or people(),
        kw.pop("since", date(2026, 1, 1)),
        kw.pop("today", date(2026, 11, 20)),
        zone=kw.pop("zone", BERLIN),
        **kw,
    )
    return list(read), read.skipped


def test_constructed_calendar_gives_exactly_the_past_touches() -> None:
    found, skipped = harvest_ics(FIXTURES / "constructed.ics")
    chess = [
        (d, "Bob Ray", "meet", "Weekly chess with Bob Ray")
        for d in ("2026-10-01", "2026-10-08", "2026-10-22", "2026-10-29")
        + ("2026-11-05", "2026-11-12", "2026-11-19")
    ]  # weekly, 10 times from 1 October: 15 October excluded (EXDATE), 26 November ahead
    assert sorted(rows(found)) == sorted(
        [
            ("2026-11-10", "Cleo Poe", "meet", "Planning the garden"),  # attendee, MAILTO:CLEO@
            ("2026-11-12", "Bob Ray", "meet", "Lunch with Bob Ray"),  # all-day, in the summary
            ("2026-11-05", "Cleo Poe", "call", "Zoom: Cleo Poe"),
            ("2026-11-06", "Bob Ray", "call", "Catch-up"),  # a web address as its location
            ("2026-11-04", "Bob Ray", "meet", "Walk with bobby by the river"),  # an alias
            ("2026-11-10", "Cleo Poe", "call", "Phone call with Cleo Poe"),  # 00:30 in Berlin
            ("2026-11-13", "Bob Ray", "meet", "Lunch with Bob Ray and more"),
            ("2026-11-15", "Bob Ray", "meet", "Birthday dinner with Bob Ray"),  # timed: a dinner
            ("2026-11-17", "Cleo Poe", "meet", "Talk by Cleo Poe"),  # named, not Bob among 13
            *chess,
        ]
    )
    # Not there: the future coffee, today's dinner, the cancelled call, "Drinks with Cleo"
    # (a first name), a declined attendee, an event before `since`; reminders: vtb's own
    # export, an all-day birthday, an all-day yearly event; Bob as one of 13 attendees.
    assert skipped == []
    ids = {p.source_id for p in found}
    assert "weekly/2026-10-08" in ids and "attendee/2026-11-10" in ids
    assert {p.source for p in found} == {"ics constructed.ics"}


def test_the_date_is_the_local_one() -> None:
    found, _ = harvest_ics(FIXTURES / "constructed.ics", zone=ZoneInfo("UTC"))
    assert ("2026-11-09", "Cleo Poe", "call", "Phone call with Cleo Poe") in rows(found)


def test_an_event_counts_once_it_is_over() -> None:
    before, _ = harvest_ics(FIXTURES / "constructed.ics", now=datetime(2026, 11, 20, 15, 30, 0))
    after, _ = harvest_ics(
        FIXTURES / "constructed.ics", now=datetime(2026, 11, 20, 16, 0, tzinfo=BERLIN)
    )
    dinner = ("2026-11-20", "Bob Ray", "meet", "Dinner with Bob Ray")
    assert dinner not in rows(before) and dinner in rows(after)


def test_khal_attendees_by_email_not_those_who_declined() -> None:
    jane = Contact("contacts/Jane Doe.md", "Jane Doe", emails=("JDoe@example.com",))
    henry = Contact("contacts/Henry Cabot.md", "Henry Cabot", emails=("hcabot@example.com",))
    ann = Contact("contacts/Ann Other.md", "Ann Other", emails=("another@example.com",))
    found, _ = harvest_ics(
        FIXTURES / "khal_event_dt_partstat.ics",
        directory=Directory([jane, henry, ann]),
        since=date(2014, 1, 1),
    )
    assert sorted(rows(found)) == [
        ("2014-04-09", "Henry Cabot", "meet", "An Event"),  # his address folded mid-way
        ("2014-04-09", "Jane Doe", "meet", "An Event"),
    ]
    assert found[0].source_id == "V042MJ8B3SJNFXQOJL6P53OFMHJE8Z3VZWOU/2014-04-09"


def test_khal_recurring_with_moved_cancelled_and_excluded_occurrences() -> None:
    team = Contact("contacts/Team.md", "Work Team", aliases=("Arbeit", "event_dtr_exdatez"))
    directory = Directory([team])
    found, _ = harvest_ics(
        FIXTURES / "khal_event_rrule_recuid_cancelled.ics",
        FIXTURES / "khal_event_dtr_exdatez.ics",
        directory=directory,
        since=date(2014, 1, 1),
    )
    days = [(p.text, p.day.isoformat()) for p in found]
    assert days == [  # 14 July cancelled; 7 July moved to 09:00
        *[("Arbeit", d) for d in ("2014-06-30", "2014-07-07", "2014-07-21")],
        *[("Arbeit", d) for d in ("2014-07-28", "2014-08-04")],
        *[("event_dtr_exdatez", d) for d in ("2014-06-30", "2014-07-07", "2014-07-14")],
    ]  # 21 July excluded by an EXDATE in UTC


def test_windows_time_zone_name_and_local_day() -> None:
    team = Contact("contacts/Team.md", "Work Team", aliases=("Windows TZ",))
    kw = {"directory": Directory([team]), "since": date(2019, 1, 1)}
    berlin, _ = harvest_ics(FIXTURES / "khal_tz_windows_format.ics", **kw)
    kiritimati, _ = harvest_ics(
        FIXTURES / "khal_tz_windows_format.ics", zone=ZoneInfo("Pacific/Kiritimati"), **kw
    )
    # The file's own VTIMEZONE is what counts (+01:00 that day, whatever its name says):
    # 13:00 there is 12:00 UTC, 13:00 in Berlin and 02:00 the next day at UTC+14.
    assert [p.day for p in berlin] == [date(2019, 11, 20)]
    assert [p.day for p in kiritimati] == [date(2019, 11, 21)]


def test_google_export_alarm_recipient_is_no_attendee() -> None:
    nicco = Contact("contacts/Nicco.md", "Nicco K", emails=("niccokunzmann@googlemail.com",))
    found, skipped = harvest_ics(
        FIXTURES / "icalendar_alarm_google_future.ics",
        directory=Directory([nicco]),
        since=date(2024, 1, 1),
    )
    assert found == [] and skipped == []


def test_broken_files_are_counted_and_skipped() -> None:
    found, skipped = harvest_ics(
        FIXTURES / "icalendar_broken_ical.ics",
        FIXTURES / "missing.ics",
        FIXTURES / "constructed.ics",
        since=date(2014, 1, 1),
    )
    assert len(found) > 10  # the good file is read all the same
    reasons = {Path(s.path).name: s.reason for s in skipped}
    assert set(reasons) == {"icalendar_broken_ical.ics", "missing.ics"}
    assert reasons["icalendar_broken_ical.ics"].startswith("1 event left out: Content line")
    assert reasons["missing.ics"] == "No such file or directory"


def test_vdirsyncer_folders_one_event_per_file() -> None:
    progress: list[tuple[int, int]] = []
    read = calendar_proposals(
        [FIXTURES / "vdir"],
        people(),
        date(2026, 1, 1),
        date(2026, 11, 20),
        lambda done, total: progress.append((done, total)),
        zone=BERLIN,
    )
    found = list(read)
    assert [p.source for p in found] == [
        "ics vdir/personal/3f2a-lunch.ics",
        "ics vdir/work/9c1d-call.ics",
    ]
    assert rows(found) == [
        ("2026-11-01", "Cleo Poe", "meet", "Brunch with Cleo Poe"),
        ("2026-11-02", "Bob Ray", "call", "Call"),  # a floating time, an attendee
    ]  # the hidden folder's event and README.txt are not read
    assert [Path(s.path).name for s in read.skipped] == ["cut-short.ics"]
    assert progress == [(1, 3), (2, 3), (3, 3)]


# ---- Daily notes -----------------------------------------------------------------------


def harvest_daily(since: date = date(2026, 1, 1), today: date = date(2026, 11, 20)):  # type: ignore[no-untyped-def]
    read = daily_proposals(FIXTURES / "vault", [Path("Daily")], people(), since, today)
    return list(read), read.skipped


def test_daily_notes_give_exactly_the_linked_lines() -> None:
    found, skipped = harvest_daily()
    assert rows(found) == [
        ("2026-11-10", "Cleo Poe", "call", "Called Cleo Poe about the move"),
        ("2026-11-10", "Bob Ray", "meet", "Lunch with Bob and Cleopatra"),
        ("2026-11-10", "Cleo Poe", "meet", "Lunch with Bob and Cleopatra"),
        ("2026-11-10", "Bob Ray", "note", "Sent the photos to Bob Ray > Log"),
        ("2026-11-10", "Cleo Poe", "email", "Emailed Cleo Poe the recipe,"),
        ("2026-11-10", "Bob Ray", "meet", "then met Bob Ray for coffee."),
        ("2026-11-10", "Cleo Poe", "meet", "Cleo dinner"),  # a table row
        ("2026-11-12", "Cleo Poe", "note", "Cleo Poe rang, then I emailed her the plan"),
        ("2026-11-13", "Bob Ray", "meet", "visited Bob Ray"),  # BOM and CRLF
    ]
    # Not there: the heading, the open task, code spans, the embed, fenced and indented
    # code, a link to no contact; notes before `since`, after `today`, 30 February,
    # ideas.md, the trash.
    assert [(s.path, s.reason) for s in skipped] == [
        ("Daily/2026-11-09.md", "line 1: not UTF-8 text (byte 0xe9)")
    ]
    first = found[0].source_id
    assert first.startswith("Daily/2026-11-10.md#") and len(first.split("#")[1]) == 12
    assert found[1].source_id == found[2].source_id  # one line, two people
    assert {p.source for p in found[:7]} == {"daily Daily/2026-11-10.md"}


def test_a_missing_daily_folder_is_listed() -> None:
    root = FIXTURES / "vault"
    read = daily_proposals(root, [Path("Journal")], people(), date(2026, 1, 1), date(2026, 12, 1))
    assert list(read) == []
    assert [(s.path, s.reason) for s in read.skipped] == [("Journal", "no such folder")]
    assert next(read, None) is None  # an iterator: spent once read


def test_daily_window() -> None:
    found, _ = harvest_daily(since=date(2025, 12, 1), today=date(2026, 11, 10))
    days = sorted({p.day.isoformat() for p in found})
    assert days == ["2025-12-01", "2026-11-10"]


def test_line_id_is_stable_and_follows_the_text() -> None:
    directory = people()
    one = linked_lines("- met [[Bob Ray]]\n- other\n", directory)
    moved = linked_lines("intro\n\n- other\n- met [[Bob Ray]] ^blockid\n", directory)
    assert one == moved == [("met Bob Ray", (BOB,))]


def test_channel_words() -> None:
    assert channel_of("Phoned Cleo") == "call"
    assert channel_of("rang her") == "call"
    assert channel_of("coffee with Bob") == "meet"
    assert channel_of("Wrote to Bob") == "email"
    assert channel_of("Bob's birthday") == "note"
    assert channel_of("emailed Bob to set up lunch") == "note"  # two channels: not clear


def test_frontmatter_links_are_no_touches() -> None:
    root = FIXTURES / "vault"
    read = daily_proposals(root, [root / "Daily"], people(), date(2026, 11, 10), date(2026, 11, 10))
    texts = [p.text for p in read]
    assert len(texts) == 7 and not any('"' in text for text in texts)  # `met: - "[[Bob Ray]]"`


def test_series_repeating_more_than_daily_are_left_out_quickly() -> None:
    import time

    started = time.perf_counter()
    found, skipped = harvest_ics(FIXTURES / "hostile_repeats.ics")
    assert time.perf_counter() - started < 10  # not 31 million seconds expanded
    assert rows(found) == [("2026-11-01", "Bob Ray", "meet", "Tea with Bob Ray")]
    # The two series, and the one with `FREQ=FOO` (icalendar's error), the first reason shown.
    assert [s.reason for s in skipped] == ["3 events left out: it repeats more often than daily"]


def test_a_table_in_an_open_task_hides_no_later_line() -> None:
    text = "- [ ] plan\n\n  | who | what |\n  |---|---|\n  | [[Bob Ray]] | lunch |\n\nmet [[Cleo Poe]]\n"
    assert linked_lines(text, people()) == [("met Cleo Poe", (CLEO,))]


def test_an_unchanged_calendar_is_not_parsed_again_the_same_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    import icalendar

    calendar = tmp_path / "cal.ics"
    shutil.copy(FIXTURES / "constructed.ics", calendar)
    state_dir = tmp_path / "vault" / ".vtb"
    parsed: list[object] = []
    real = icalendar.Calendar.from_ical

    def counting(*args: object, **kwargs: object) -> object:
        parsed.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(icalendar.Calendar, "from_ical", counting)
    first, _ = harvest_ics(calendar, state_dir=state_dir)
    assert first and len(parsed) == 1
    # the same file, the same day: from the state, with the same proposals (new contacts
    # are still looked up: only the events are kept)
    assert harvest_ics(calendar, state_dir=state_dir)[0] == first and len(parsed) == 1
    fewer = Directory([c for c in people().contacts if c.name != "Bob Ray"])
    without_bob = harvest_ics(calendar, state_dir=state_dir, directory=fewer)[0]
    assert len(parsed) == 1 and without_bob == [p for p in first if p.name != "Bob Ray"]
    harvest_ics(calendar, state_dir=state_dir, today=date(2026, 11, 21))  # a new day
    assert len(parsed) == 2
    calendar.write_bytes(calendar.read_bytes().replace(b"Weekly chess", b"Weekly CHESS"))
    changed, _ = harvest_ics(calendar, state_dir=state_dir)
    assert len(parsed) == 3 and any("Weekly CHESS" in p.text for p in changed)
