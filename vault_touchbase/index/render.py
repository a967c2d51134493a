"""The generated "due this month" note, rendered (its ticked boxes are read by `ticks.py`).

Made to be read in Obsidian. The same input gives the same bytes, and every
due person is exactly one task line, tied to their note by the link's path.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from urllib.parse import quote

from vault_touchbase.core.model import Contact, Problem
from vault_touchbase.core.plan import NO_WAY, DueItem, HourPlan, birthday_this_month, reachable
from vault_touchbase.core.settings import CHANNELS
from vault_touchbase.core.words import plural
from vault_touchbase.notes.followups import open_followups

MARKER_KEY = "generated-by"
MARKER = f"{MARKER_KEY}: vault-touchbase"
SECTION_TITLES = {
    "plan": "This hour's plan",
    "call": "Call",
    "visit": "Visit",
    "email": "Email",
    "replies": "Replies to answer",
    "followups": "Follow-ups",
    "intros": "Introductions to make",
    "helpers": "Who can help you",
    "birthdays": "Birthdays this month",
    "going": "How it is going",
    "problems": "Problems",
}
_UNSAFE_TARGET = re.compile(r"[\[\]|#^]")


@lru_cache(maxsize=64)
def month_title(day: date) -> str:
    return day.strftime("%B %Y")  # thousands of lines are planned for the same few months


def display(text: str) -> str:
    """A name or phrase from a note made safe for one line of Markdown in Obsidian:
    no line breaks, no `[[`/`]]`/`|` to break a link, no HTML, no `#tags`."""
    text = " ".join(text.split())
    if "&" in text or "<" in text or ">" in text:  # thousands of lines: escape only if needed
        text = html.escape(text, quote=False)
    return text.replace("[", "(").replace("]", ")").replace("|", "/").replace("#", "\\#")


def inline(text: str, limit: int = 90) -> str:
    """Context text (a Log entry, a need) on one safe line, shortened to `limit` characters."""
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    if "&" in text or "<" in text or ">" in text:
        text = html.escape(text, quote=False)
    return text.replace("#", "\\#").replace("![", "!\\[")  # no embed, no remote image


def link(contact: Contact) -> str:
    """`[[contacts/Jane Doe|Jane Doe]]`, or a Markdown link when the path cannot be a wikilink."""
    target = contact.path.removesuffix(".md")
    name = display(contact.name)
    if _UNSAFE_TARGET.search(target):
        return f"[{name}]({quote(contact.path)})"
    return f"[[{target}|{name}]]"


def status_text(item: DueItem) -> str:
    if item.status == "never":
        return "never contacted"
    if item.status == "overdue":
        return f"overdue since {item.due.isoformat()}"
    if item.status == "reply":
        return "replied, waiting for your answer"
    if item.status == "followup":
        return "follow-up due" + (f" {item.due.isoformat()}" if item.followups[0].due else "")
    return f"due {item.due.isoformat()}"


def context(item: DueItem, today: date, planned: date | None = None) -> list[str]:
    """What to talk about: the last Log entry, needs, offers, a birthday this month."""
    contact = item.contact
    parts = [] if reachable(contact) else [NO_WAY]
    last = contact.last_entry
    if last:
        channel = f" {last.channel}" if last.channel else ""
        said = f' "{inline(last.text)}"' if last.text else ""
        parts.append(f"last: {last.date.isoformat()}{channel}{said}")
    elif contact.last_contacted:
        parts.append(f"last: {contact.last_contacted.isoformat()}")
    if item.followups:
        parts.append("follow-up: " + inline(item.followups[0].text, 60))
    if contact.needs:
        parts.append("needs: " + inline(", ".join(contact.needs)))
    if contact.offers:
        parts.append("offers: " + inline(", ".join(contact.offers)))
    if birthday_this_month(contact, today) and contact.birthday:
        parts.append(f"birthday {contact.birthday.month:02d}-{contact.birthday.day:02d}")
    if planned:
        parts.append(f"planned for {month_title(planned)}")
    return parts


def task_line(item: DueItem, today: date, with_channel: bool, planned: date | None = None) -> str:
    head = [item.channel] if with_channel else []
    parts = head + [status_text(item)] + context(item, today, planned)
    return f"- [ ] {link(item.contact)} — " + " · ".join(parts)


@dataclass(frozen=True)
class IndexInput:
    """Everything the index note shows. Built by `actions.refresh`."""

    today: date
    items: Sequence[DueItem]
    plan: HourPlan
    contacts: Sequence[Contact]
    problems: Sequence[Problem]
    intros: Sequence[str] | Callable[[], Sequence[str]] = ()
    """Ready-made Markdown lines from intros.py, or a function that waits for them (matched
    in a child process): `render` calls it at their section, after the due lists."""
    followups: Sequence[str] = ()  # ready-made task lines from followups.py
    replies: Sequence[DueItem] = field(default=())
    going: Sequence[str] = ()  # ready-made lines from features/stats/going.py
    helpers: Sequence[str] = ()  # ready-made lines from helpers.py, when Now.md has needs


def _section(lines: list[str], key: str, body: list[str], empty: str) -> None:
    lines += ["", f"## {SECTION_TITLES[key]}", ""]
    lines += body if body else [f"_{empty}_"]


def render(data: IndexInput) -> str:
    """The whole index note as text (LF line ends, one final newline)."""
    today, plan = data.today, data.plan
    in_plan = {item.contact.path for item in plan.this_hour}
    overdue = sum(1 for i in data.items if i.status == "overdue")
    never = sum(1 for i in data.items if i.status == "never")
    lines = [
        "---",
        MARKER,
        "---",
        "*Made by vtb from your contact notes: edits here are overwritten on the next refresh, "
        "except ticked boxes, which are logged as touches.*",
        "",
        f"# Touch base — {month_title(today)}",
        "",
        f"**{len(data.items)} due** · {overdue} overdue · {never} never contacted",
    ]
    if data.replies:
        _section(lines, "replies", [_reply_line(i.contact) for i in data.replies], "")
    if data.followups:
        _section(lines, "followups", list(data.followups), "")
    header = plan_header(plan)
    header = header[0].upper() + header[1:] + "."
    plan_body = [
        header,
        *_left_out(plan),
        "",
        *(task_line(item, today, with_channel=True) for item in plan.this_hour),
    ]
    if plan.this_hour:
        _section(lines, "plan", plan_body, "")
    elif data.items and plan.spent:
        _section(lines, "plan", [header + " Who is due is listed below."], "")
    else:
        _section(lines, "plan", [], "Nobody is due this month.")
    lines += _load_notes(plan)
    for channel in CHANNELS:
        rest = [i for i in data.items if i.channel == channel and i.contact.path not in in_plan]
        body = [task_line(i, today, with_channel=False, planned=plan.month_of(i)) for i in rest]
        _section(lines, channel, body, f"Nobody else to {channel} this month.")
    others = [i for i in data.items if i.channel not in CHANNELS and i.contact.path not in in_plan]
    for item in others:  # channels vtb does not know still get one line each, under Email
        lines.append(task_line(item, today, with_channel=True, planned=plan.month_of(item)))
    intros = data.intros() if callable(data.intros) else data.intros
    _section(lines, "intros", list(intros), "No offers and needs that match right now.")
    if data.helpers:
        _section(lines, "helpers", list(data.helpers), "")
    birthdays = [
        f"- {b.month:02d}-{b.day:02d} {link(c)}"
        + (f" (turns {today.year - b.year})" if b.year else "")
        for c in data.contacts
        if (b := c.birthday) and b.month == today.month
    ]
    birthdays.sort()
    _section(lines, "birthdays", birthdays, "No birthdays this month.")
    if data.going:
        _section(lines, "going", list(data.going), "")
    problems = [
        f"- `{display(p.path)}:{p.line}` {p.severity}: {inline(p.message, 200)}"
        for p in data.problems
    ]
    _section(lines, "problems", problems, "None: every note could be read.")
    return "\n".join(lines) + "\n"


def plan_header(plan: HourPlan) -> str:
    """The plan's first line: the minutes it takes, and what is left of this month's hour."""
    if not plan.spent:
        return f"about {plan.minutes_used} of your {plan.budget} minutes, most pressing first"
    spent = f"{plan.spent} spent on {plural(plan.touches, 'touch', 'touches')}"
    if not plan.this_hour:
        return (
            f"your {plan.budget} minutes this month are spent ({spent}): nothing more is "
            "planned until next month"
        )
    return (
        f"about {plan.left} of your {plan.budget} minutes left this month ({spent}); "
        f"this plan takes about {plan.minutes_used}, most pressing first"
    )


def _left_out(plan: HourPlan) -> list[str]:
    """Who was passed over for someone less pressing, and why (the minutes did not hold them)."""
    if not plan.left_out:
        return []
    people = "; ".join(
        f"{display(item.contact.name)} ({item.channel}, {item.minutes} min; {left} were left)"
        for item, left in plan.left_out
    )
    return ["", f"Left out, longer than the minutes left when their turn came: {people}."]


def _reply_line(contact: Contact) -> str:
    """A reply to answer: a plain item (their task line is in the plan or a channel list)."""
    last = contact.last_entry
    said = f"{inline(last.text)} ({last.date.isoformat()})" if last else ""
    return f"- {link(contact)} — {said}"


def _load_notes(plan: HourPlan) -> list[str]:
    out: list[str] = []
    if plan.later:
        out += [
            "",
            "> [!note] More is due than one hour holds",
            "> The rest is planned for the next months:",
        ]
        for month, people in plan.later:
            names = ", ".join(display(i.contact.name) for i in people)
            out.append(f"> - {month_title(month)}: {names}")
    if plan.overloaded:
        out += [
            "",
            "> [!warning] Your cadences ask for more than the hour",
            f"> About {plan.steady_minutes:.0f} minutes a month are due on average, "
            f"more than your {plan.budget}. Lengthen some cadences (or raise `[hour] budget`):",
        ]
        out += [f"> - {display(str(s))}" for s in plan.suggestions]
    return out


def is_generated(text: str) -> bool:
    """True when `text` is an index note vtb made (it carries the marker)."""
    head = text.lstrip("\ufeff").split("\n", 4)[:4]
    return any(line.strip() == MARKER for line in head)


def followup_lines(contacts: Iterable[Contact], today: date, month_end: date) -> list[str]:
    """Task lines for the index note's Follow-ups section: overdue, due this month, undated.

    `- [ ] [[contacts/Jane Doe|Jane Doe]]: send the article · due 2026-12-01`. Ticking
    one ticks the task in the note (matched by person and text, never by line).
    """
    pass

    lines = []
    for contact, followup in open_followups(contacts, today, month_end):
        when = ""
        if followup.due:
            state = "overdue since" if followup.due < today else "due"
            when = f" · {state} {followup.due.isoformat()}"
        lines.append(f"- [ ] {link(contact)}: {inline(followup.text, 500)}{when}")
    return lines
