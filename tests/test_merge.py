"""The pure three-way merge of a note (the git merge driver's logic)."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest
from conftest import EXAMPLE
from hypothesis import given, settings
from hypothesis import strategies as st

from vault_touchbase.core.settings import Settings
from vault_touchbase.features.merge import MergeError
from vault_touchbase.features.merge.body import CALLOUT, diff3, merge_body
from vault_touchbase.features.merge.note import merge_note
from vault_touchbase.index.merge import merge_index
from vault_touchbase.notes.edit_frontmatter import set_scalar
from vault_touchbase.notes.edit_log import add_log_entry
from vault_touchbase.notes.log import read_log
from vault_touchbase.notes.parse import parse_note
from vault_touchbase.notes.text import load_yaml, split_note

JANE = (EXAMPLE / "contacts" / "Jane Doe.md").read_text(encoding="utf-8")
TOM_CRLF = (EXAMPLE / "contacts" / "Tom Brennan.md").read_bytes().decode("utf-8")
DOROTHY_BOM = (EXAMPLE / "contacts" / "Dorothy Hughes.md").read_bytes().decode("utf-8")
ANA_NO_LOG = (EXAMPLE / "contacts" / "Ana Lima.md").read_text(encoding="utf-8")


def touch(text: str, day: date, channel: str, said: str, key: str = "last_contacted") -> str:
    """What `vtb log` does to a note's text."""
    text = add_log_entry(text, day, channel, said)
    meta = load_yaml(split_note(text).frontmatter or "") or {}
    current = meta.get(key) if isinstance(meta, dict) else None
    if current is None or current < day:
        text = set_scalar(text, key, day)
    return text


def entries(text: str) -> list[tuple[date, str | None, str]]:
    found, _ = read_log(split_note(text).body, 1)
    return [(e.date, e.channel, e.text) for e in found]


def meta(text: str) -> dict[str, object]:
    data = load_yaml(split_note(text).frontmatter or "")
    assert isinstance(data, dict)
    return {str(k): v for k, v in data.items()}


def check(text: str) -> list[str]:
    _, problems = parse_note("contacts/x.md", text.encode("utf-8"), Settings())
    return [str(p) for p in problems if p.severity == "error"]


# --- concurrent touches ---------------------------------------------------------------


def test_touches_on_both_sides_are_united_newest_first() -> None:
    ours = touch(JANE, date(2026, 11, 26), "call", "called about the bookkeeper")
    theirs = touch(JANE, date(2026, 11, 20), "email", "sent the invoice template")
    result = merge_note(JANE, ours, theirs)
    assert result.clashes == []
    assert entries(result.text)[:3] == [
        (date(2026, 11, 26), "call", "called about the bookkeeper"),
        (date(2026, 11, 20), "email", "sent the invoice template"),
        (date(2026, 10, 28), "email", entries(JANE)[0][2]),
    ]
    assert meta(result.text)["last_contacted"] == date(2026, 11, 26)
    # the other way round gives the same note: both devices converge
    assert merge_note(JANE, theirs, ours).text == result.text
    # only the two new lines and last_contacted differ from the base
    assert len(result.text.splitlines()) == len(JANE.splitlines()) + 2
    assert check(result.text) == []


def test_newer_last_contacted_comes_from_their_side_as_they_wrote_it() -> None:
    ours = touch(JANE, date(2026, 11, 2), "call", "ours")
    theirs = touch(JANE, date(2026, 11, 20), "email", "theirs")
    theirs = theirs.replace("last_contacted: 2026-11-20", "last_contacted: 2026-11-20  # theirs")
    result = merge_note(JANE, ours, theirs)
    assert "last_contacted: 2026-11-20  # theirs\n" in result.text
    assert result.clashes == []


def test_the_same_entry_on_both_sides_is_kept_once() -> None:
    both = touch(JANE, date(2026, 11, 26), "call", "the same call")
    ours = set_scalar(both, "phone", "+1 555 0101")  # and one more change on our side
    result = merge_note(JANE, ours, both)
    assert entries(result.text).count((date(2026, 11, 26), "call", "the same call")) == 1
    assert meta(result.text)["phone"] == "+1 555 0101"


def test_a_note_without_a_log_gets_one_log_with_both_entries() -> None:
    ours = touch(ANA_NO_LOG, date(2026, 11, 26), "call", "ours", key="last_chat")
    theirs = touch(ANA_NO_LOG, date(2026, 11, 25), "email", "theirs", key="last_chat")
    result = merge_note(ANA_NO_LOG, ours, theirs)
    assert result.text.count("## Log") == 1
    assert [e[2] for e in entries(result.text)] == ["ours", "theirs"]
    assert meta(result.text)["last_chat"] == date(2026, 11, 26)  # a dialect key takes the newest
    assert meta(result.text)["name"] == {"first": "Ana", "last": "Lima"}


def test_an_entry_one_side_deleted_stays_deleted() -> None:
    first = JANE.splitlines(keepends=True)
    typo_line = next(line for line in first if line.startswith("- 2026-09-24"))
    ours = JANE.replace(typo_line, typo_line.replace("portfolio night", "portfolio evening"))
    theirs = touch(JANE, date(2026, 11, 26), "call", "new")
    result = merge_note(JANE, ours, theirs)
    said = [e[2] for e in entries(result.text)]
    assert "new" in said
    assert any("portfolio evening" in s for s in said)
    assert not any("portfolio night" in s for s in said)


# --- the bytes: BOM, CRLF, comments, final newline -----------------------------------------


def test_bom_and_crlf_of_our_side_are_kept() -> None:
    ours = touch(TOM_CRLF, date(2026, 11, 26), "call", "ours")
    theirs_lf = touch(TOM_CRLF.replace("\r\n", "\n"), date(2026, 11, 20), "email", "theirs")
    result = merge_note(TOM_CRLF, ours, theirs_lf)
    assert result.text.count("\r\n") == result.text.count("\n")  # every line still CRLF
    assert [e[2] for e in entries(result.text)][:2] == ["ours", "theirs"]

    ours = touch(DOROTHY_BOM, date(2026, 11, 26), "call", "ours")
    theirs = touch(DOROTHY_BOM, date(2026, 11, 20), "email", "theirs")
    merged = merge_note(DOROTHY_BOM, ours, theirs.removeprefix("\ufeff")).text
    assert merged.startswith("\ufeff---\n") and merged.count("\ufeff") == 1
    assert merged.replace("- 2026-11-20 email: theirs\n", "") == ours


def test_comments_quotes_and_key_order_of_our_side_are_kept() -> None:
    base = (
        "---\nname: Sam  # my neighbour\nphone: '+1 555 0100'  # mobile\n"
        "# where they live\ncity: Maplewood\ntags: [a, b]\n---\nBody.\n"
    )
    ours = base.replace("city: Maplewood", "city: Cedar Falls")
    theirs = base.replace("tags: [a, b]", "tags: [a, b, c]  # more")
    result = merge_note(base, ours, theirs)
    assert result.text == (
        "---\nname: Sam  # my neighbour\nphone: '+1 555 0100'  # mobile\n"
        "# where they live\ncity: Cedar Falls\ntags: [a, b, c]  # more\n---\nBody.\n"
    )


def test_a_missing_final_newline_is_kept() -> None:
    base = "---\nname: Sam\nphone: '1'\n---\nBody"
    ours = base.replace("Sam", "Sam Rivera")
    theirs = base.replace("'1'", "'2'")
    assert merge_note(base, ours, theirs).text == "---\nname: Sam Rivera\nphone: '2'\n---\nBody"
    fence_only = "---\nname: Sam\nphone: '1'\n---"
    merged = merge_note(fence_only, fence_only.replace("Sam", "Ann"), fence_only.replace("1", "2"))
    assert merged.text == "---\nname: Ann\nphone: '2'\n---"


# --- frontmatter, key by key ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ours_change", "theirs_change", "want"),
    [
        # a key changed on one side only takes that side
        ({}, {"circle": "community"}, {"circle": "community"}),
        ({"circle": "community"}, {}, {"circle": "community"}),
        # a key added on one side is added
        ({}, {"city": "Maplewood"}, {"city": "Maplewood"}),
        # a key deleted on one side (unchanged on the other) is deleted
        ({}, {"birthday": None}, {"birthday": "<missing>"}),
        # deleted on one side, changed on the other: the change is kept
        ({"birthday": None}, {"birthday": date(1988, 4, 3)}, {"birthday": date(1988, 4, 3)}),
        ({"cadence": "monthly"}, {"cadence": None}, {"cadence": "monthly"}),
        # the same change on both sides
        ({"channel": "call"}, {"channel": "call"}, {"channel": "call"}),
        # lists united in order; an item removed on one side stays removed
        (
            {"tags": ["freelancer", "meetup", "cafe"]},
            {"tags": ["freelancer", "design", "meetup", "bakery"]},
            {"tags": ["freelancer", "meetup", "cafe", "bakery"]},
        ),
        # a string that became a list on one side unites with the other's change
        (
            {"email": ["jane@example.com", "jane@studio.example"]},
            {"email": "jane@example.org"},
            {"email": ["jane@studio.example", "jane@example.org"]},
        ),
    ],
)
def test_frontmatter_merges_key_by_key(
    ours_change: dict[str, object], theirs_change: dict[str, object], want: dict[str, object]
) -> None:
    ours, theirs = JANE, JANE
    for key, value in ours_change.items():
        ours = set_scalar(ours, key, value)  # type: ignore[arg-type]
    for key, value in theirs_change.items():
        theirs = set_scalar(theirs, key, value)  # type: ignore[arg-type]
    result = merge_note(JANE, ours, theirs)
    merged = meta(result.text)
    for key, value in want.items():
        assert merged.get(key, "<missing>") == value
    assert result.clashes == []
    untouched = {k: v for k, v in meta(JANE).items() if k not in {*ours_change, *theirs_change}}
    assert {k: merged[k] for k in untouched} == untouched
    assert split_note(result.text).body == split_note(JANE).body


def test_a_key_theirs_added_goes_after_the_key_before_it() -> None:
    theirs = JANE.replace("phone: ", "mobile: '+1 555 0199'\nphone: ")
    result = merge_note(JANE, set_scalar(JANE, "circle", "community"), theirs)
    lines = result.text.splitlines()
    assert lines[lines.index("mobile: '+1 555 0199'") - 1] == "email: jane@example.com"


def test_a_block_list_in_ours_is_united_as_one_flow_list() -> None:
    base = "---\nname: Sam\ntags:\n  - a\n  - b\nphone: '1'\n---\nBody\n"
    ours = base.replace("  - b\n", "  - b\n  - c\n")
    theirs = base.replace("tags:\n  - a\n  - b\n", "tags: [a, b, d]\n")
    result = merge_note(base, ours, theirs)
    assert meta(result.text)["tags"] == ["a", "b", "c", "d"]
    assert "phone: '1'\n" in result.text and result.clashes == []


# --- real clashes -----------------------------------------------------------------------------


def test_a_scalar_clash_keeps_ours_and_records_theirs_visibly() -> None:
    ours = set_scalar(JANE, "phone", "+1 555 0101")
    theirs = set_scalar(JANE, "phone", "+1 555 0199")
    result = merge_note(JANE, ours, theirs)
    merged = meta(result.text)
    assert merged["phone"] == "+1 555 0101"
    assert merged["conflict_phone"] == "+1 555 0199"
    assert 'phone: "+1 555 0101"\nconflict_phone: "+1 555 0199"\n' in result.text
    assert len(result.clashes) == 1 and "conflict_phone" in result.clashes[0]
    errors = check(result.text)
    assert errors == [
        "contacts/x.md:6: error: conflicting values from a sync: keep one and delete "
        "conflict_phone (the other device had this value of `phone`)"
    ]
    # a later clash on the same key replaces the recorded value, never adds a second key
    again = merge_note(result.text, result.text, result.text.replace("0199", "0177"))
    assert meta(again.text)["conflict_phone"] == "+1 555 0177"


def test_a_body_clash_keeps_ours_and_shows_theirs_in_a_callout() -> None:
    line = "studio in Cedar Falls, mostly bakeries and cafés. Two kids, Ivy and Theo."
    ours = JANE.replace(line, line.replace("Two kids", "Two children"))
    theirs = touch(
        JANE.replace(line, line.replace("Two kids, Ivy and Theo", "Three kids")),
        date(2026, 11, 26),
        "call",
        "theirs",
    )
    result = merge_note(JANE, ours, theirs)
    body = split_note(result.text).body.split("\n")
    at = body.index(CALLOUT)
    assert body[at - 2] == line.replace("Two kids", "Two children")
    assert body[at - 1] == "" and body[at + 2] == ""
    assert body[at + 1] == "> " + line.replace("Two kids, Ivy and Theo", "Three kids")
    assert entries(result.text)[0][2] == "theirs"  # the rest still merges
    assert len(result.clashes) == 1
    errors = check(result.text)
    assert len(errors) == 1 and f":{split_note(result.text).body_line + at}: error:" in errors[0]
    assert "from a sync" in errors[0]


def test_lines_deleted_on_one_side_and_edited_on_the_other_are_shown() -> None:
    base = "---\nname: Sam\n---\nfirst\nsecond\nthird\n"
    result = merge_note(base, base.replace("second\n", ""), base.replace("second", "2nd"))
    assert result.text == (
        "---\nname: Sam\n---\nfirst\n\n> [!warning] vtb merge: the other device's version\n"
        "> 2nd\n\nthird\n"
    )
    other = merge_note(base, base.replace("second", "2nd"), base.replace("second\n", ""))
    assert "2nd\n\n> [!warning] vtb merge" in other.text
    assert "> (the other device deleted these lines)" in other.text


def test_lines_both_sides_added_at_one_spot_are_all_kept() -> None:
    base = "---\nname: Sam\n---\nIntro.\n\n## Log\n"
    ours = base.replace("Intro.\n", "Intro.\nLikes tea.\n")
    theirs = base.replace("Intro.\n", "Intro.\nHas a dog.\n")
    result = merge_note(base, ours, theirs)
    assert result.text == "---\nname: Sam\n---\nIntro.\nLikes tea.\nHas a dog.\n\n## Log\n"
    assert result.clashes == []


def test_changes_next_to_each_other_merge_where_git_would_conflict() -> None:
    base = "---\nname: Sam\n---\nfirst\nsecond\nthird\n\n## Log\n"
    # one side edits a line, the other adds a line right after it
    edited, added = base.replace("second", "2nd"), base.replace("second\n", "second\nmore\n")
    assert merge_note(base, edited, added) == merge_note(base, added, edited)
    assert merge_note(base, edited, added).text == base.replace("second\n", "2nd\nmore\n")
    # each side edits its own one of two neighbouring lines
    mine, yours = base.replace("first", "1st"), base.replace("second", "2nd")
    result = merge_note(base, mine, yours)
    assert result.text == base.replace("first\nsecond", "1st\n2nd") and result.clashes == []
    # a renamed heading and new entries right under it
    heading = base.replace("## Log", "## LOG")
    logged = touch(base, date(2026, 11, 26), "call", "x")
    assert merge_note(base, heading, logged).text.endswith(
        "third\n\n## LOG\n- 2026-11-26 call: x\n"
    )
    # a heading that no longer names a Log: the entry still lands in a Log
    other = merge_note(base, base.replace("## Log", "## Notes"), logged)
    assert other.text.endswith("## Notes\n- 2026-11-26 call: x\n\n## Log\n- 2026-11-26 call: x\n")


def test_both_added_the_note_with_different_entries() -> None:
    ours = "---\nname: Sam\n---\n## Log\n- 2026-11-26 call: ours\n"
    theirs = "---\nname: Sam\n---\n## Log\n- 2026-11-27 call: theirs\n"
    result = merge_note("", ours, theirs)
    assert [e[2] for e in entries(result.text)] == ["theirs", "ours"]


def test_a_broken_side_raises_merge_error() -> None:
    broken = "---\nname: [Sam\n---\nBody\n"
    with pytest.raises(MergeError):
        merge_note(JANE, broken, set_scalar(JANE, "phone", "1"))
    with pytest.raises(MergeError):
        merge_note(JANE, JANE + "More.\n", "---\nname: x\n")  # unclosed frontmatter


# --- diff3 and properties ----------------------------------------------------------------------


def test_diff3_cuts_stable_and_changed_chunks() -> None:
    chunks = diff3(list("abcde"), list("aXcde"), list("abcdY"))
    assert [(c.stable, "".join(c.base), "".join(c.ours), "".join(c.theirs)) for c in chunks] == [
        (True, "a", "a", "a"),
        (False, "b", "X", "b"),
        (True, "cd", "cd", "cd"),
        (False, "e", "e", "Y"),
    ]


lines = st.lists(st.sampled_from(["a", "b", "c", "", "- 2026-01-01 x", "d"]), max_size=8)


@settings(max_examples=200, deadline=None)
@given(lines, lines)
def test_merge_body_takes_the_only_change(base: list[str], theirs: list[str]) -> None:
    b, t = "\n".join(base), "\n".join(theirs)
    assert merge_body(b, b, t) == (theirs if theirs else [""], [])
    assert merge_body(b, t, b) == (theirs if theirs else [""], [])
    assert merge_body(b, t, t)[0] == (theirs if theirs else [""])


new_entry = st.tuples(
    st.integers(1, 28),
    st.sampled_from(["call", "email", "visit"]),
    st.text("abc xyz", min_size=1, max_size=6),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(new_entry, max_size=3), st.lists(new_entry, max_size=3))
def test_no_touch_is_ever_lost(
    ours_new: list[tuple[int, str, str]], theirs_new: list[tuple[int, str, str]]
) -> None:
    ours, theirs = JANE, JANE
    for day, channel, said in ours_new:
        ours = touch(ours, date(2026, 11, day), channel, said.strip() or "x")
    for day, channel, said in theirs_new:
        theirs = touch(theirs, date(2026, 11, day), channel, said.strip() or "x")
    result = merge_note(JANE, ours, theirs)
    got = entries(result.text)
    for side in (ours, theirs):
        for entry in entries(side):
            assert entry in got
    assert got == sorted(got, key=lambda e: e[0], reverse=True)
    assert meta(result.text)["last_contacted"] == max(e[0] for e in got)
    assert sorted(got) == sorted(entries(merge_note(JANE, theirs, ours).text))
    assert check(result.text) == []


# --- the index note -----------------------------------------------------------------------------

INDEX = """---
generated-by: vault-touchbase
---
# Touch base — November 2026

## This hour's plan

- [ ] [[contacts/Jane Doe|Jane Doe]] — email · overdue since 2026-11-14
- [x] [[contacts/Ben Carter|Ben Carter]] — call · due 2026-11-20

## Call

_Nobody else to call this month._

## Email

- [ ] [[contacts/Ana Lima|Ana Lima]] — due 2026-11-27
"""


def test_the_index_driver_keeps_every_new_tick() -> None:
    ours = INDEX.replace("- [ ] [[contacts/Ana", "- [x] [[contacts/Ana")
    theirs = INDEX.replace("- [ ] [[contacts/Jane", "- [x] [[contacts/Jane") + (
        "- [x] [[contacts/Kenji Watanabe|Kenji Watanabe]] — due 2026-11-30 ✅ 2026-11-26\n"
    )
    ours = ours.replace("- [x] [[contacts/Ben", "- [ ] [[contacts/Ben")  # harvested here
    result = merge_index(INDEX, ours, theirs)
    text = result.text
    assert "- [x] [[contacts/Jane Doe|Jane Doe]]" in text  # ticked there
    assert "- [x] [[contacts/Ana Lima|Ana Lima]]" in text  # ticked here
    assert "- [ ] [[contacts/Ben Carter|Ben Carter]]" in text  # an old tick is not revived
    email = text.split("## Email")[1]
    assert "- [x] [[contacts/Kenji Watanabe|Kenji Watanabe]]" in email  # a line only they had
    assert text.startswith("---\ngenerated-by: vault-touchbase\n---\n")


# --- the driver as git runs it ------------------------------------------------------------------


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)


def test_git_merge_runs_the_driver(tmp_path: Path) -> None:
    from vault_touchbase.git.attributes import register_merge_driver
    from vault_touchbase.git.repo import open_repo

    repo_dir = tmp_path / "v"
    (repo_dir / "contacts").mkdir(parents=True)
    note = repo_dir / "contacts" / "Jane Doe.md"
    note.write_text(JANE, encoding="utf-8")
    (repo_dir / ".gitattributes").write_text("contacts/**/*.md merge=vtb\n")
    _git(repo_dir, "init", "-q")
    _git(repo_dir, "add", "-A")
    _git(repo_dir, "commit", "-qm", "base")
    repo = open_repo(repo_dir, "auto")
    assert repo is not None and register_merge_driver(repo) is True
    assert register_merge_driver(repo) is False  # twice changes nothing
    _git(repo_dir, "switch", "-qc", "phone")
    note.write_text(touch(JANE, date(2026, 11, 20), "email", "theirs"), encoding="utf-8")
    _git(repo_dir, "commit", "-qam", "theirs")
    _git(repo_dir, "switch", "-q", "main")
    note.write_text(touch(JANE, date(2026, 11, 26), "call", "ours"), encoding="utf-8")
    _git(repo_dir, "commit", "-qam", "ours")
    merged = _git(repo_dir, "merge", "--no-edit", "phone")
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert [e[2] for e in entries(note.read_text(encoding="utf-8"))][:2] == ["ours", "theirs"]
    assert _git(repo_dir, "status", "--porcelain").stdout == ""


def test_the_driver_merges_a_broken_note_as_text(tmp_path: Path) -> None:
    from vault_touchbase.actions.sync import run_driver

    base = "---\nname: [Sam\n---\none\n\nmiddle\n\ntwo\n"
    files = {}
    for name, text in (
        ("o", base),
        ("a", base.replace("one", "ONE")),
        ("b", base.replace("two", "TWO")),
    ):
        files[name] = tmp_path / name
        files[name].write_text(text)
    result = run_driver(files["o"], files["a"], files["b"], "contacts/Sam.md")
    assert result.code == 0 and "merged as plain text" in result.messages[0]
    assert files["a"].read_text() == "---\nname: [Sam\n---\nONE\n\nmiddle\n\nTWO\n"
    files["b"].write_text(base.replace("one", "uno"))
    clash = run_driver(files["o"], files["a"], files["b"], "contacts/Sam.md")
    assert clash.code == 1 and "<<<<<<<" in files["a"].read_text()
