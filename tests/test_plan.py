"""Due dates, priorities, the hour budget, the backlog spread and the overload warning."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from vault_touchbase.core.model import Cadence, Contact, LogEntry
from vault_touchbase.core.plan import cadence_of, channel_of, due_items, hour_plan, next_due
from vault_touchbase.core.settings import Settings, parse_settings

TODAY = date(2026, 11, 26)
S = Settings()


def person(name: str, last: date | None = None, **kw: object) -> Contact:
    """A contact with an email address and a phone number unless told otherwise."""
    kw.setdefault("emails", (f"{name}@example.com",))
    kw.setdefault("phones", ("+1 555 0100",))
    return Contact(path=f"contacts/{name}.md", name=name, last_contacted=last, **kw)  # type: ignore[arg-type]


def test_defaults_for_channel_and_cadence() -> None:
    assert channel_of(person("a"), S) == "email"
    assert channel_of(person("b", nearby=True), S) == "visit"
    assert channel_of(person("c", channel="call", nearby=True), S) == "call"
    settings = parse_settings(
        '[channel.by_circle]\ncommunity = "visit"\n[cadence.by_circle]\ncommunity = "2m"\n'
    )
    assert channel_of(person("d", circle="community", nearby=True), settings) == "visit"
    assert cadence_of(person("e", circle="community", channel="email"), settings) == Cadence(2, "m")
    assert cadence_of(person("f"), S) == Cadence(3, "m")  # the default
    assert cadence_of(person("g", channel="call"), S) == Cadence(1, "m")
    assert cadence_of(person("h", paused=True), S).never


def test_next_due() -> None:
    monthly = Cadence(1, "m")
    assert next_due(person("a", date(2026, 1, 31)), monthly, TODAY) == date(2026, 2, 28)
    assert next_due(person("never"), monthly, TODAY) == TODAY
    snoozed = person("s", date(2026, 9, 1), snooze_until=date(2026, 12, 10))
    assert next_due(snoozed, monthly, TODAY) == date(2026, 12, 10)
    old_snooze = person("o", date(2026, 9, 1), snooze_until=date(2026, 10, 1))
    assert next_due(old_snooze, monthly, TODAY) == date(2026, 10, 1)
    assert next_due(person("p", date(2026, 1, 1), paused=True), monthly, TODAY) is None
    assert next_due(person("n", date(2026, 1, 1)), Cadence(0, "d"), TODAY) is None


def test_due_this_month_means_by_the_last_day_of_the_month() -> None:
    monthly = {"cadence": Cadence(1, "m")}
    people = [
        person("overdue", date(2026, 10, 1), **monthly),
        person("today", date(2026, 10, 26), **monthly),
        person("end of month", date(2026, 10, 30), **monthly),
        person("next month", date(2026, 11, 1), **monthly),
        person("never contacted"),
        person("snoozed", date(2026, 9, 1), snooze_until=date(2026, 12, 2), **monthly),
    ]
    items = {i.contact.name: i.status for i in due_items(people, S, TODAY)}
    assert items == {
        "overdue": "overdue",
        "today": "due",
        "end of month": "due",
        "never contacted": "never",
    }


def test_priority_replies_then_overdue_by_cadence_then_closeness() -> None:
    reply = LogEntry(date(2026, 11, 20), "reply", "asked about X", 9)
    people = [
        person("Email late", date(2026, 8, 1), cadence=Cadence(1, "m")),  # ~3 cadences late
        person("Yearly late", date(2025, 9, 1), cadence=Cadence(1, "y")),  # under 1 cadence late
        person("Replied", date(2026, 11, 20), log=(reply,)),
        person("Email due", date(2026, 10, 28), cadence=Cadence(1, "m")),
        person("Call due", date(2026, 10, 28), cadence=Cadence(1, "m"), channel="call"),
    ]
    order = [i.contact.name for i in due_items(people, S, TODAY)]
    assert order == ["Replied", "Email late", "Yearly late", "Call due", "Email due"]


def test_the_plan_fits_the_budget() -> None:
    people = [person(f"P{n:02d}", channel="call") for n in range(10)]  # 10 min each
    settings = parse_settings("[hour]\nbudget = 45\n")
    items = due_items(people, settings, TODAY)
    plan = hour_plan(items, people, settings, TODAY)
    assert [i.contact.name for i in plan.this_hour] == ["P00", "P01", "P02", "P03"]
    assert plan.minutes_used == 40


def test_a_one_off_backlog_is_spread_over_the_next_months() -> None:
    # 40 people imported at once, never contacted, emailed yearly: the steady load is small
    people = [person(f"New {n:02d}", cadence=Cadence(1, "y")) for n in range(40)]
    items = due_items(people, S, TODAY)
    plan = hour_plan(items, people, S, TODAY)
    assert len(plan.this_hour) == 12  # 60 min / 5 min
    assert not plan.overloaded
    months = [m for m, _ in plan.later]
    assert months == [date(2026, 12, 1), date(2027, 1, 1)]
    later = [i for _, people_ in plan.later for i in people_]
    assert len(later) == 28 and not plan.unplanned
    assert set(plan.this_hour).isdisjoint(later)


def test_an_overloaded_hour_says_so_and_suggests_longer_cadences() -> None:
    people = [
        person(f"Friend {n}", TODAY - timedelta(days=40), channel="call", cadence=Cadence(1, "w"))
        for n in range(3)
    ]
    people += [
        person(f"Pal {n}", TODAY - timedelta(days=40), cadence=Cadence(1, "m")) for n in range(10)
    ]
    items = due_items(people, S, TODAY)
    plan = hour_plan(items, people, S, TODAY)
    assert plan.overloaded
    assert plan.steady_minutes > 60
    assert plan.suggestions[0].cadence == "weekly" and plan.suggestions[0].channel == "call"
    assert "3 people on a weekly call cadence" in str(plan.suggestions[0])
    assert plan.unplanned  # no spare hour in the next months to hold them


def _entry(day: date, channel: str, text: str = "") -> LogEntry:
    return LogEntry(day, channel, text, 9)


def test_the_monthly_hour_shrinks_as_it_is_spent() -> None:
    # two emails and a call this month (5 + 5 + 10): 40 of 60 minutes are left
    touched = [
        person("Emailed 1", date(2026, 11, 3), log=(_entry(date(2026, 11, 3), "email"),)),
        person("Emailed 2", date(2026, 11, 9), log=(_entry(date(2026, 11, 9), "email"),)),
        person(
            "Called",
            date(2026, 11, 12),
            channel="call",
            cadence=Cadence(1, "w"),  # weekly: due again, but touched this month already
            log=(_entry(date(2026, 11, 12), "call"), _entry(date(2026, 10, 30), "call")),
        ),
        person(  # their reply is theirs, not the user's time; and it is owed an answer
            "Replied",
            date(2026, 11, 20),
            log=(_entry(date(2026, 11, 20), "reply"), _entry(date(2026, 11, 1), "email")),
        ),
    ]
    waiting = [person(f"Due {n}", channel="call") for n in range(6)]  # 10 min each
    people = touched + waiting
    items = due_items(people, S, TODAY)
    names = [i.contact.name for i in items]
    assert "Called" not in names and "Emailed 1" not in names  # not planned again
    assert names[0] == "Replied"
    plan = hour_plan(items, people, S, TODAY)
    assert (plan.spent, plan.touches, plan.left) == (25, 4, 35)
    assert plan.minutes_used <= 35
    assert [i.contact.name for i in plan.this_hour] == ["Replied", "Due 0", "Due 1", "Due 2"]
    # the whole hour spent: nothing more is planned this month
    busy = [
        person(f"Visited {n}", date(2026, 11, n + 1), log=(_entry(date(2026, 11, n + 1), "visit"),))
        for n in range(3)
    ]
    plan = hour_plan(items, people + busy, S, TODAY)
    assert plan.left == 0 and plan.this_hour == ()


def test_the_spent_minutes_count_only_this_month_up_to_today() -> None:
    from vault_touchbase.core.plan import spent_this_month

    log = (
        _entry(date(2026, 12, 1), "call"),  # after today (a typo): not spent yet
        _entry(date(2026, 11, 26), "visit"),
        _entry(date(2026, 11, 1), "meet"),  # a channel without minutes: email's
        _entry(date(2026, 10, 31), "call"),  # last month
    )
    # (a note's last contact is the newest of its property and its Log, as parsed)
    assert spent_this_month([person("a", date(2026, 12, 1), log=log)], S, TODAY) == (20 + 5, 2)


def test_the_most_pressing_go_first_and_who_is_left_out_is_said() -> None:
    from vault_touchbase.core.model import Birthday

    friend = person(  # a close friend's overdue call, birthday in three days
        "Close Friend",
        date(2026, 10, 1),
        channel="call",
        birthday=Birthday(11, 29),
        cadence=Cadence(1, "m"),
    )
    fry = [person(f"New {n:02d}") for n in range(12)]  # never contacted: 5 min emails
    people = [*fry, friend]
    settings = parse_settings("[hour]\nbudget = 30\n")
    items = due_items(people, settings, TODAY)
    assert items[0].contact.name == "Close Friend"
    plan = hour_plan(items, people, settings, TODAY)
    assert plan.this_hour[0].contact.name == "Close Friend"
    assert plan.minutes_used == 30 and len(plan.this_hour) == 5
    # a call longer than the minutes left is passed over for a shorter email, and named
    settings = parse_settings("[hour]\nbudget = 12\n[hour.minutes]\ncall = 15\n")
    items = due_items(people, settings, TODAY)
    plan = hour_plan(items, people, settings, TODAY)
    assert [i.contact.name for i in plan.this_hour] == ["New 00", "New 01"]
    assert [(i.contact.name, left) for i, left in plan.left_out] == [("Close Friend", 12)]


def test_a_birthday_within_a_week_comes_before_lateness() -> None:
    from vault_touchbase.core.model import Birthday

    late = person("Very Late", date(2026, 5, 1), cadence=Cadence(1, "m"))
    monthly = {"cadence": Cadence(1, "m")}
    birthday = person("Birthday", date(2026, 10, 20), birthday=Birthday(12, 2), **monthly)
    far = person("Birthday Later", date(2026, 10, 20), birthday=Birthday(12, 10), **monthly)
    order = [i.contact.name for i in due_items([late, far, birthday], S, TODAY)]
    assert order == ["Birthday", "Very Late", "Birthday Later"]


def test_channels_follow_what_is_possible() -> None:
    phone_only = person("Phone Only", emails=(), phones=("+1 555 0100",))
    assert channel_of(phone_only, S) == "call"
    assert channel_of(person("Near", emails=(), phones=(), nearby=True), S) == "visit"
    nothing = person("Nobody Knows", emails=(), phones=())
    assert channel_of(nothing, S) == "email"  # kept, with the task line saying why
    email_only = person("Email Only", channel="call", phones=())
    assert channel_of(email_only, S) == "email"  # a call without a number: an email
    assert channel_of(person("Signal", channel="signal", emails=(), phones=()), S) == "signal"


def test_the_index_says_who_cannot_be_reached_and_check_warns(tmp_path: Path) -> None:
    from conftest import Vtb

    contacts = tmp_path / "contacts"
    contacts.mkdir()
    (contacts / "Pat Phone.md").write_text("---\nname: Pat Phone\nphone: '+1 555 0101'\n---\n")
    (contacts / "Nina Nowhere.md").write_text("---\nname: Nina Nowhere\n---\n")
    vtb = Vtb(tmp_path)
    assert vtb("refresh").exit_code == 0
    index = (tmp_path / "Touch Base.md").read_text(encoding="utf-8")
    assert "[[contacts/Pat Phone|Pat Phone]] — call · never contacted" in index
    assert "Nina Nowhere]] — email · never contacted · no way to reach on file" in index
    check = vtb("check")
    assert check.exit_code == 0
    assert "contacts/Nina Nowhere.md:1: warning: no way to reach on file" in check.output
    assert "Pat Phone" not in check.output
    assert "2 contacts read: 0 errors, 1 warning" in check.output


def test_closer_circles_default_to_shorter_cadences() -> None:
    assert cadence_of(person("Friend", circle="friends"), S) == Cadence(1, "m")
    assert cadence_of(person("Family", circle="family"), S) == Cadence(1, "m")
    assert cadence_of(person("Colleague", circle="professional"), S) == Cadence(3, "m")
    settings = parse_settings('[cadence.by_circle]\nneighbours = "2w"\n')
    assert settings.cadence_by_circle["friends"] == "monthly"  # the built-ins stay
    # the shorter of the channel's and the circle's default
    assert cadence_of(person("N", circle="neighbours", channel="call"), settings) == Cadence(2, "w")
    settings = parse_settings('[cadence.by_circle]\nfriends = "never"\n')
    assert cadence_of(person("F", circle="friends", channel="call"), settings) == Cadence(1, "m")
    assert cadence_of(person("F", circle="friends"), settings).never


def test_the_overload_warning_names_the_people_with_correct_plurals() -> None:
    from vault_touchbase.core.plan import steady_load

    people = [
        person(name, channel="visit", nearby=True, cadence=Cadence(1, "m"))
        for name in ("Klaus", "Anna", "Bea", "Dora")
    ]
    people.append(person("Solo", channel="call", cadence=Cadence(1, "w")))
    _, suggestions = steady_load(people, S)
    text = {s.channel: str(s) for s in suggestions}
    assert text["visit"].startswith(
        "4 people on a monthly visit cadence (Anna, Bea, Klaus, …) take 80 min a month"
    )
    assert text["call"].startswith("1 person on a weekly call cadence (Solo) takes 43 min")
