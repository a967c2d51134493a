"""`vtb who`, `vtb news`, the needs in Now.md and the index's "Who can help you"."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from conftest import Vtb

from vault_touchbase.core.model import Contact, LogEntry
from vault_touchbase.core.settings import Settings
from vault_touchbase.features.drafts.news import parse_needs
from vault_touchbase.features.helpers import find_helpers, helpers_for_needs
from vault_touchbase.features.updates import topics
from vault_touchbase.notes.gist import gist_of_contact
from vault_touchbase.notes.parse import parse_note

TODAY = date(2026, 11, 26)

NOTES = {
    "Klaus Berg": """---
circle: neighbours
email: klaus@example.com
phone: "+49 30 1234"
---
Lives two doors down.

## Log
- 2026-11-01 visit: He just bought a van and offered help with moves
- 2026-10-02 call: his daughter started working on design systems at a bank
""",
    "Olga Petrov": """---
circle: friends
email: olga@example.com
---
## Log
- 2026-11-10 email: Working on design systems for the city council
- 2023-01-10 call: she helped her sister with moves across town
""",
    "Daniel Okafor": """---
circle: professional
email: daniel@example.com
offers: [bookkeeping]
---
## Log
- 2026-09-15 call: the design systems meetup was packed
""",
    "Tess Ray": """---
circle: professional
email: tess@example.com
tags: [photography, neighbours]
---
""",
    "Gene Ratt": """---
circle: friends
email: gene@example.com
---
## Log
- 2026-11-20 email: follow-up done: ask about the moving van
- 2026-11-19 email: ticked in Touch Base
""",
    "Fiona Grant": """---
email: fiona@example.com
company: Maplewood Community Foundation
title: Grant writer
---
""",
}

NOW = """# Now

## Needs
- help moving
- an accountant
- a photographer
- someone who ...

## News
- studio: I moved my studio.
"""


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    root = tmp_path / "vault"
    (root / "contacts").mkdir(parents=True)
    (root / "vtb.toml").write_text("", encoding="utf-8")
    for name, text in NOTES.items():
        (root / "contacts" / f"{name}.md").write_text(text, encoding="utf-8")
    (root / "Now.md").write_text(NOW, encoding="utf-8")
    return root


def contacts() -> list[Contact]:
    found = []
    for name, text in NOTES.items():
        contact, _ = parse_note(f"contacts/{name}.md", text.encode(), Settings())
        assert contact is not None
        found.append(contact)
    return found


def names(query: str) -> list[str]:
    return [h.contact.name for h in find_helpers(contacts(), query, Settings(), TODAY)]


def test_who_finds_by_offer_word_forms_and_synonyms() -> None:
    assert names("bookkeeper") == ["Daniel Okafor"]  # the offer, another word form
    assert names("accountant") == ["Daniel Okafor"]  # the built-in synonyms
    [helper] = find_helpers(contacts(), "accountant", Settings(), TODAY)
    assert helper.reasons[0].field == "offers"
    assert "built-in synonyms" in helper.reasons[0].matched


def test_who_finds_by_log_text_recent_above_old_never_generated() -> None:
    found = find_helpers(contacts(), "help moving", Settings(), TODAY)
    assert [h.contact.name for h in found] == ["Klaus Berg", "Olga Petrov"]
    assert found[0].reasons[0].field == "Log"
    assert found[0].reasons[0].day == date(2026, 11, 1)
    assert found[0].score > found[1].score  # 2026 above 2023
    # Gene's only mention of a moving van is in entries vtb wrote itself
    assert "Gene Ratt" not in names("moving van")
    assert "Gene Ratt" not in names("follow-up")


def test_who_finds_by_tag_circle_organisation_and_title() -> None:
    assert names("photographer") == ["Tess Ray"]  # a tag
    assert names("neighbours")[:2] == ["Tess Ray", "Klaus Berg"]  # a tag above a circle
    assert names("grant writing") == ["Fiona Grant"]  # `title:` read as the job title
    assert names("community foundation") == ["Fiona Grant"]  # `company:` as organisation


def test_the_recent_mention_wins_whatever_the_name_or_order() -> None:
    def told(name: str, day: date) -> Contact:
        text = f"---\nname: {name}\n---\n## Log\n- {day} call: offered help with moves\n"
        contact, _ = parse_note(f"contacts/{name}.md", text.encode(), Settings())
        assert contact is not None
        return contact

    old, new = told("Aaron Old", date(2022, 3, 1)), told("Zed New", date(2026, 10, 1))
    for order in ([old, new], [new, old]):
        found = find_helpers(order, "help moving", Settings(), TODAY)
        assert [h.contact.name for h in found] == ["Zed New", "Aaron Old"]
        assert found[0].score > found[1].score


def test_the_gist_leaves_out_generated_entries_and_keeps_accents_folded() -> None:
    text = "---\nname: Zoë\ncompany: Café Müller\n---\n## Log\n- 2026-01-01 email: ticked in Touch Base\n"
    contact, _ = parse_note("contacts/Zoë.md", text.encode(), Settings())
    assert contact is not None
    assert contact.gist is None  # worked out only when asked for
    gist = gist_of_contact(contact)
    assert "ticked" not in gist
    assert " cafe muller " in gist
    assert contact.gist == gist  # and kept
    assert contact.organization == "Café Müller"


def test_needs_in_now_md_leave_out_the_placeholder() -> None:
    from vault_touchbase.core.templates import NOW_NOTE

    assert parse_needs(NOW) == ["help moving", "an accountant", "a photographer"]
    assert parse_needs(NOW_NOTE) == []  # as `vtb init` writes it: nothing to match


def test_who_command_says_why_and_how_to_reach(vault: Path) -> None:
    result = Vtb(vault)("who", "help", "moving")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "1. Klaus Berg"
    assert lines[1] == (
        "   Log 2026-11-01: “He just bought a van and offered help with moves”"
        " — “moving” ~ “moves” (word forms)"
    )
    assert lines[2] == "   reach: email · klaus@example.com · +49 30 1234 · last contact 2026-11-01"
    data = json.loads(Vtb(vault)("who", "accountant", "--json").output)
    assert [row["name"] for row in data] == ["Daniel Okafor"]
    assert set(data[0]) >= {"name", "path", "why", "reach"}
    assert data[0]["reach"] == {
        "channel": "email",
        "email": "daniel@example.com",
        "phone": None,
        "last_contacted": "2026-09-15",
    }
    assert data[0]["why"][0]["field"] == "offers"
    nobody = Vtb(vault)("who", "astronaut")
    assert nobody.exit_code == 0 and "Nobody in your notes matches" in nobody.output


def test_the_index_lists_who_can_help_with_each_need(vault: Path) -> None:
    assert Vtb(vault)("refresh").exit_code == 0
    index = (vault / "Touch Base.md").read_text(encoding="utf-8")
    section = index.split("## Who can help you", 1)[1].split("\n## ", 1)[0]
    assert "4 people can help with your needs" in section
    assert "topics this quarter: design systems (3)" in section
    moving = next(line for line in section.splitlines() if line.startswith("- help moving"))
    assert moving.index("Klaus Berg") < moving.index("Olga Petrov")
    assert "Gene Ratt" not in section
    accountant = next(line for line in section.splitlines() if line.startswith("- an accountant"))
    assert "[[contacts/Daniel Okafor|Daniel Okafor]] (offers)" in accountant
    assert "someone who" not in section


def test_no_needs_no_section(vault: Path) -> None:
    (vault / "Now.md").write_text("# Now\n\n## News\n- a: b\n", encoding="utf-8")
    assert Vtb(vault)("refresh").exit_code == 0
    assert "Who can help you" not in (vault / "Touch Base.md").read_text(encoding="utf-8")


def test_news_groups_by_circle_and_finds_a_topic_three_people_mentioned(vault: Path) -> None:
    result = Vtb(vault)("news")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "the last 3 months (since 2026-08-26): 3 people" in out
    # groups: the newest update's circle first; Gene's generated entries are no news
    assert out.index("\nfriends\n") < out.index("\nneighbours\n") < out.index("\nprofessional\n")
    assert "Gene Ratt" not in out
    assert "design systems (3): Daniel Okafor, Klaus Berg, Olga Petrov" in out
    data = json.loads(Vtb(vault)("news", "--json").output)
    assert [p["name"] for p in data["people"]] == ["Olga Petrov", "Klaus Berg", "Daniel Okafor"]
    assert data["people"][0] == {
        "name": "Olga Petrov",
        "path": "contacts/Olga Petrov.md",
        "circle": "friends",
        "date": "2026-11-10",
        "channel": "email",
        "text": "Working on design systems for the city council",
    }
    assert data["topics"][0] == {
        "term": "design systems",
        "count": 3,
        "people": ["Daniel Okafor", "Klaus Berg", "Olga Petrov"],
    }
    short = json.loads(Vtb(vault)("news", "--months", "1", "--json").output)
    assert [p["name"] for p in short["people"]] == ["Olga Petrov", "Klaus Berg"]


def test_topics_count_people_not_mentions() -> None:
    one = Contact(
        path="a.md",
        name="A",
        log=(
            LogEntry(TODAY, "call", "grants grants grants", 1),
            LogEntry(TODAY, "call", "more grant news", 2),
        ),
    )
    two = Contact(path="b.md", name="B", log=(LogEntry(TODAY, "call", "a grant came", 1),))
    assert [(t.term, t.count) for t in topics([one, two], TODAY)] == [("grants", 2)]
    assert topics([one], TODAY) == []  # one person is no trend


def test_needs_share_one_search() -> None:
    found = helpers_for_needs(contacts(), ["help moving", "an accountant"], Settings(), TODAY)
    assert [h.contact.name for h in found["help moving"]] == ["Klaus Berg", "Olga Petrov"]
    assert [h.contact.name for h in found["an accountant"]] == ["Daniel Okafor"]


def test_the_hour_card_says_whom_to_ask_about_a_need(vault: Path) -> None:
    result = Vtb(vault)("hour", input="k\n" * 5 + "q\n")
    assert result.exit_code == 0, result.output
    card = result.output.split("· Tess Ray ·", 1)[1].split("> [d]raft", 1)[0]
    assert "  ask Tess about a photographer (your need in Now.md)" in card
    assert "ask Fiona" not in result.output


def test_the_readme_section_is_real_output(example_copy: Path) -> None:
    import re
    import shlex

    from conftest import ROOT
    from test_readme import matches

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Who can help, and what your people are up to", 1)[1]
    block = re.search(r"```console\n(.*?)```", section, re.S)
    assert block
    runs: list[tuple[str, list[str]]] = []
    for line in block.group(1).splitlines():
        if line.startswith("$ "):
            runs.append((line[2:], []))
        else:
            runs[-1][1].append(line)
    for command, shown in runs:
        args = shlex.split(command)
        assert args[:3] == ["vtb", "--today", "2026-11-26"], command
        result = Vtb(example_copy)(*args[3:])
        assert result.exit_code == 0, result.output
        problem = matches(shown, result.output.splitlines())
        assert problem is None, f"README, `{command}`: {problem}"
    assert len(runs) == 3
    assert Vtb(example_copy)("refresh").exit_code == 0
    index = (example_copy / "Touch Base.md").read_text(encoding="utf-8")
    line = re.search(r"`(4 people can help with your needs · [^`]*)`", section)
    assert line and line.group(1) in index


def test_a_refresh_after_a_change_stems_only_new_words(example_copy: Path) -> None:
    """The synonyms and word forms of the last rebuild are kept in `.vtb/`: the next
    refresh of a vault with needs imports no stemmer unless a new word needs one."""
    from test_startup import imported, top

    assert Vtb(example_copy)("refresh").exit_code == 0
    ana = example_copy / "contacts" / "Ana Lima.md"
    ana.write_text(ana.read_text(encoding="utf-8") + "\nA line.\n", encoding="utf-8")
    modules, output = imported("--vault", str(example_copy), "--today", "2026-11-26", "refresh")
    assert "Touch Base.md" in output
    assert "snowballstemmer" not in top(modules)
    index = (example_copy / "Touch Base.md").read_text(encoding="utf-8")
    assert "- someone to fix my bike: [[contacts/Liam O'Connor|Liam O'Connor]]" in index
    noor = example_copy / "contacts" / "Noor Haddad.md"  # a new word: stemmed, and kept
    text = noor.read_text(encoding="utf-8").replace(
        "## Log\n", "## Log\n- 2026-11-25 visit: she repaired bicycles all autumn\n", 1
    )
    noor.write_text(text, encoding="utf-8")
    modules, _ = imported("--vault", str(example_copy), "--today", "2026-11-26", "refresh")
    assert "snowballstemmer" in top(modules)  # this quarter's topics read the new words
    modules, _ = imported("--vault", str(example_copy), "--today", "2026-11-26", "refresh")
    assert "snowballstemmer" not in top(modules)  # and know them from then on


def test_news_and_show_print_what_people_said_as_plain_safe_text(example_repo: Path) -> None:
    note = example_repo / "contacts" / "Ben Carter.md"
    text = note.read_text(encoding="utf-8")
    said = "- 2026-11-25 call: a <b> #c & d \x1b]0;pwned\x07 end"
    note.write_text(text + f"\n## Log\n{said}\n", encoding="utf-8")
    vtb = Vtb(example_repo)
    for args in (["news"], ["show", "ben"]):
        result = vtb(*args)
        assert result.exit_code == 0, result.output
        # no Markdown escapes, and each terminal escape or bell became a space
        assert "a <b> #c & d  ]0;pwned  end" in result.output
        assert "\x1b" not in result.output and "\x07" not in result.output


def test_a_person_many_talked_about_is_no_topic() -> None:
    day = date(2026, 11, 1)

    def person(name: str, said: str) -> Contact:
        return Contact(f"contacts/{name}.md", name, log=(LogEntry(day, "call", said, 9),))

    people = [
        person("Ann Lee", "saw Jane Doe at the grant fair"),
        person("Bo Kim", "Jane Doe is moving; grant money came"),
        person("Cy Ray", "dinner with Jane Doe about the grant"),
        Contact("contacts/Jane Doe.md", "Jane Doe"),
    ]
    terms = [t.term for t in topics(people, date(2026, 11, 26))]
    assert "grant" in terms and not any("jane" in t.casefold() for t in terms)


def test_show_prints_a_field_with_a_line_break_on_its_own_line(example_repo: Path) -> None:
    note = example_repo / "contacts" / "Ben Carter.md"
    text = note.read_text(encoding="utf-8")
    note.write_text(
        text.replace("email: ben.carter@example.net", 'email: "ben@x.net\\nBcc: z@z.z"'), "utf-8"
    )
    result = Vtb(example_repo)("show", "ben")
    assert result.exit_code == 0, result.output
    assert "  email:         ben@x.net Bcc: z@z.z\n" in result.output
    assert "\nBcc:" not in result.output
