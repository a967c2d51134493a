"""Due dates, priorities, the hour budget, the backlog spread and the overload warning."""

from __future__ import annotations

from datetime import date, timedelta

from vault_touchbase.core.model import Cadence, Contact, LogEntry
from vault_touchbase.core.plan import cadence_of, channel_of, due_items, hour_plan, next_due
from vault_touchbase.core.settings import Settings, parse_settings

TODAY = date(2026, 11, 26)
S = Settings()


def person(name: str, last: date | None = None, **kw: object) -> Contact:
    return Contact(path=f"contacts/{name}.md", name=name, last_contacted=last, **kw)  # type: ignore[arg-type]


def test_defaults_for_channel_and_cadence() -> None:
    assert channel_of(person("a"), S) == "email"
    assert channel_of(person("b", nearby=True), S) == "visit"
    assert channel_of(person("c", channel="call", nearby=True), S) == "call"
    settings = parse_settings(
        '[channel.by_circle]\ncommunity = "visit"\n[cadence.by_circle]\ncommunity = "2m"\n'
    )
    assert channel_of(person("d", circle="community"), settings) == "visit"
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
