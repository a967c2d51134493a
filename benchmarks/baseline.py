"""The baseline vtb is measured against: a plain python-frontmatter loop.

    python benchmarks/baseline.py VAULT [--today 2026-11-26] [--json]

It does what a user would script by hand: walk `contacts/`, `frontmatter.load`
every note, take the last contact from the frontmatter (vtb's key or a
dialect's) or the newest `## Log` line, and list who is due by the end of
the month. It prints the due list (paths with `--json`), so the benchmark can
check that it finds the same people as `vtb due`.
"""

from __future__ import annotations

import argparse
import calendar
import json
import os
import re
import sys
from datetime import date, datetime, timedelta

import frontmatter

LAST_KEYS = ("last_contacted", "last_chat", "prm-last-contacted", "last_contact", "lastContacted")
SNOOZE_KEYS = ("snooze_until", "prm-snooze-until")
CADENCE_KEYS = ("cadence", "prm-cadence")
PHONE_KEYS = ("phone", "phones", "tel", "telephone", "mobile")
EMAIL_KEYS = ("email", "emails", "e-mail", "mail")
NAMED = {"weekly": (1, "w"), "biweekly": (2, "w"), "monthly": (1, "m"), "bimonthly": (2, "m")}
NAMED |= {"quarterly": (3, "m"), "yearly": (1, "y"), "annually": (1, "y"), "never": (0, "d")}
LOG_LINE = re.compile(r"^ ?[-*+][ \t]+(\d{4}-\d{2}-\d{2})", re.MULTILINE)
SPAN = re.compile(r"^(\d+)\s*([dwmy]?)$")


def as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()) if value else None
    except ValueError:
        return None


def first(meta: dict[str, object], keys: tuple[str, ...]) -> object:
    return next((meta[k] for k in keys if k in meta), None)


def channel_of(meta: dict[str, object]) -> str:
    """vtb's rule: the note's channel, else visit when nearby, else email; when that is not
    possible (a call without a phone number), the first of call, visit, email that is."""
    wanted = meta.get("channel") or ("visit" if meta.get("nearby") is True else "email")
    possible = {
        "call": bool(first(meta, PHONE_KEYS)),
        "visit": meta.get("nearby") is True or meta.get("channel") == "visit",
        "email": bool(first(meta, EMAIL_KEYS)),
    }
    if possible.get(str(wanted), True):
        return str(wanted)
    return next((way for way in ("call", "visit", "email") if possible[way]), str(wanted))


def cadence(meta: dict[str, object]) -> tuple[int, str]:
    value = first(meta, CADENCE_KEYS)
    channel = channel_of(meta)
    if value is None or value == "":  # vtb's defaults: monthly for calls, visits, close circles
        close = str(meta.get("circle") or "").lower() in ("close", "family", "friends")
        return (1, "m") if channel in ("call", "visit") or close else (3, "m")
    if isinstance(value, int):
        return value, "d"
    text = str(value).strip().lower()
    if text in NAMED:
        return NAMED[text]
    match = SPAN.match(text)
    return (int(match.group(1)), match.group(2) or "d") if match else (3, "m")


def add(start: date, count: int, unit: str) -> date:
    if unit in ("d", "w"):
        return start + timedelta(days=count * (7 if unit == "w" else 1))
    months = start.month - 1 + count * (12 if unit == "y" else 1)
    year, month = start.year + months // 12, months % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def newest_log(body: str) -> tuple[date | None, bool]:
    """The newest Log date, and whether that entry is their reply."""
    at = body.lower().find("## log")
    if at < 0:
        return None, False
    newest: date | None = None
    reply = False
    for match in LOG_LINE.finditer(body, at):
        day = as_date(match.group(1))
        if day and (newest is None or day > newest):
            rest = body[match.end() : body.find("\n", match.end())].lstrip()
            newest, reply = day, rest.lower().startswith("reply")
    return newest, reply


def due_list(vault: str, today: date) -> list[tuple[date, str]]:
    end = today.replace(day=calendar.monthrange(today.year, today.month)[1])
    due = []
    for folder, dirs, files in os.walk(os.path.join(vault, "contacts")):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if not name.endswith(".md") or name.startswith("."):
                continue
            path = os.path.join(folder, name)
            try:
                post = frontmatter.load(path)
            except Exception:  # a broken note: skipped
                continue
            meta = post.metadata
            logged, reply = newest_log(post.content)
            last = max((d for d in (as_date(first(meta, LAST_KEYS)), logged) if d), default=None)
            count, unit = cadence(meta)
            snooze = as_date(first(meta, SNOOZE_KEYS))
            snoozed = snooze is not None and snooze > today
            when: date | None = None
            if meta.get("paused") is not True and count > 0:
                when = today if last is None else add(last, count, unit)
                when = max(when, snooze) if snooze and snoozed else when
            if last is not None and last >= today.replace(day=1):
                when = None  # touched this month: not due again before next month
            if reply and not snoozed:  # they replied: an answer is due now
                when = min(when or today, today)
            if when is not None and when <= end:
                due.append((when, os.path.relpath(path, vault).replace(os.sep, "/")))
    due.sort()
    return due


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("vault")
    parser.add_argument("--today", type=date.fromisoformat, default=date.today())
    parser.add_argument("--json", action="store_true", help="print the due notes' paths")
    args = parser.parse_args()
    due = due_list(args.vault, args.today)
    if args.json:
        print(json.dumps([path for _, path in due]))
    else:
        print(f"{len(due)} due")
    return 0


if __name__ == "__main__":
    sys.exit(main())
