"""Fuzzing the note loader and the minimal editor with hostile and odd notes.

Random frontmatter (quoted and plain values, lists, dates, comments, anchors and
aliases, odd keys), random bodies (Logs, tasks, fences, unicode), CRLF and a BOM:

- loading never raises anything but gives a contact or problems;
- a touch recorded in a note either is refused with vtb's own error (the note left
  as it is) or changes only the bytes it means to: one Log line added and the
  `last_contacted` line rewritten, everything else byte for byte;
- the edited note reads back with the new entry and the new date.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vault_touchbase.core.errors import VtbError
from vault_touchbase.core.settings import Settings
from vault_touchbase.notes.edit_touch import record_touch
from vault_touchbase.notes.parse import parse_note

SETTINGS = Settings()
DAY = date(2026, 11, 26)

TEXT = st.text(alphabet=st.sampled_from(list("abcXYZ é—ü😀&*!|>'\"#:-[]{},?%@`\\\t")), max_size=12)
PLAIN = st.sampled_from(
    [
        "Jane Doe",
        "2026-10-12",
        "2026-02-30",
        "9999-12-31",
        "12:30",
        "01234",
        "yes",
        "No",
        "~",
        "",
        ".nan",
        "1e5",
        "[[Bob]]",
        "monthly",
        "6w",
        "-3",
        "email",
        "call",
    ]
)
VALUE = st.one_of(
    PLAIN,
    TEXT.map(lambda t: '"' + t.replace("\\", "\\\\").replace('"', '\\"') + '"'),
    TEXT.map(lambda t: "'" + t.replace("'", "''") + "'"),
    st.lists(PLAIN, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]"),
    st.sampled_from(["&a [x, y]", "*a", "&b 5", "*b", "!!str 7", "!!python/object:os.system"]),
    TEXT,
)
KEYS = st.sampled_from(
    [
        "name",
        "email",
        "tags",
        "cadence",
        "channel",
        "last_contacted",
        "last_chat",
        "prm-last-contacted",
        "lastContacted",
        "snooze_until",
        "nearby",
        "birthday",
        "offers",
        "needs",
        "aliases",
        "phone",
        "other",
        "Name",
        "a b",
        "1",
    ]
)


@st.composite
def frontmatters(draw: Any) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.integers(0, 9))
        key = draw(KEYS)
        if kind == 0:
            lines.append("# a comment " + draw(TEXT))
        elif kind == 1:
            lines.append(f"{key}:")
            lines += [f"  - {draw(PLAIN)}" for _ in range(draw(st.integers(1, 3)))]
        elif kind == 2:
            lines.append(f"{key}: {draw(VALUE)}  # note")
        else:
            lines.append(f"{key}: {draw(VALUE)}")
    if draw(st.booleans()):
        quote = draw(st.sampled_from(["", '"', "'"]))
        lines.append(f"last_contacted: {quote}2026-10-12{quote}")
    return "\n".join(lines)


BODY_LINES = st.sampled_from(
    [
        "Met at the meetup.",
        "## Log",
        "# Log",
        "## Follow-ups",
        "- 2026-11-20 email: asked about the studio",
        "- 2026-11-20: called",
        "- 2026-02-30 call: a bad date",
        "- 2026-07-01 call — talked",
        "- [ ] send the article 📅 2026-12-01",
        "- [x] done thing ✅ 2026-11-01",
        "```",
        "<div>",
        "  - nested 2026-01-01",
        "",
        "text with [[Jane Doe]] and é ü 😀",
        "> - 2026-01-01 quoted",
        "1. 2026-01-02 numbered",
    ]
)


@st.composite
def notes(draw: Any) -> str:
    body = "\n".join(draw(st.lists(BODY_LINES, max_size=10)))
    bare = draw(st.integers(0, 5)) == 0  # a note with no frontmatter at all
    text = body if bare else f"---\n{draw(frontmatters())}\n---\n{body}"
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    if draw(st.booleans()):
        text += "\n"
    if draw(st.integers(0, 4)) == 0:
        text = "\ufeff" + text
    return text


def load(text: str) -> Any:
    return parse_note("contacts/Fuzz.md", text.encode("utf-8"), SETTINGS)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(notes())
def test_loading_never_raises(text: str) -> None:
    contact, problems = load(text)
    assert contact is not None or problems
    for problem in problems:
        assert problem.path == "contacts/Fuzz.md" and problem.line >= 1


def _lines(text: str) -> list[str]:
    """The lines without the BOM (kept at the start of the file, whatever comes first)."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").split("\n")


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(notes(), st.sampled_from(["email", "call", None]), TEXT)
def test_a_touch_changes_only_what_it_means_to(text: str, channel: str | None, said: str) -> None:
    contact, _ = load(text)
    if contact is None:
        return
    key = contact.keys.get("last_contacted", "last_contacted")
    entry = " ".join(said.split()) or "hello"
    try:
        new = record_touch(text, key, DAY, channel, entry, known_last=contact.last_contacted)
    except VtbError:
        return  # refused with a message (a multi-line value, an odd structure): untouched
    old_lines, new_lines = _lines(text), _lines(new)
    assert new.startswith("\ufeff") == text.startswith("\ufeff")
    assert ("\r\n" in new) == ("\r\n" in text) or "\r\n" not in text
    # Every old line is still there in order, but the one holding the date.
    gone = [line for line in old_lines if line not in new_lines]
    assert len(gone) <= 1, gone
    if gone:
        assert gone[0].lstrip().startswith(key) or gone[0].startswith(('"', "'")), gone
    added = len(new_lines) - len(old_lines)
    assert 1 <= added <= 6, (text, new)  # the entry; a Log heading and a frontmatter if missing
    after, _ = load(new)
    assert after is not None
    newest = max(DAY, contact.last_contacted) if contact.last_contacted else DAY
    assert after.last_contacted == newest
    assert any(e.date == DAY and e.text == entry.strip() for e in after.log), after.log
    assert len(after.log) == len(contact.log) + 1
