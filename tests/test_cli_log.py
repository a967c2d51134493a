"""`vtb log`, `snooze`, `add`, `rename`, `history` and tick-to-log, driven through the CLI
on a copy of example-vault that is its own git repository.

The golden diffs compare whole files byte for byte with what a person would
write by hand, and check that the commit touched that one note.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import Vtb, git

CALL = ("-c", "call", "caught up")
ENTRY = b"- 2026-11-26 call: caught up"


def git_bytes(cwd: Path, *args: str) -> bytes:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True).stdout


def commit_note(repo: Path, rel: str, data: bytes) -> Path:
    """Add a note of our own to the repository, committed (so `HEAD~1` is before vtb)."""
    path = repo / rel
    path.write_bytes(data)
    git(repo, "add", "--", rel)
    git(repo, "commit", "-qm", f"add {rel}")
    return path


def commit_count(repo: Path) -> int:
    return int(git(repo, "rev-list", "--count", "HEAD"))


def last_commit(repo: Path) -> tuple[str, list[str]]:
    """The last commit's full message and the files it touched."""
    message = git(repo, "log", "-1", "--format=%B").strip()
    files = (
        git(repo, "show", "--no-renames", "--name-only", "--format=", "-z", "HEAD")
        .strip("\x00")
        .split("\x00")
    )
    return message, files


def diff_lines(repo: Path, rel: str) -> tuple[list[bytes], list[bytes]]:
    """Lines removed and added by the last commit in `rel`, as bytes (a CR stays visible)."""
    patch = git_bytes(repo, "diff", "-U0", "--no-color", "HEAD~1", "HEAD", "--", rel)
    removed, added = [], []
    for line in patch.split(b"\n"):
        if line.startswith((b"---", b"+++")):
            continue
        if line.startswith(b"-"):
            removed.append(line[1:])
        elif line.startswith(b"+"):
            added.append(line[1:])
    return removed, added


def log_ok(vtb: Vtb, *args: str) -> str:
    result = vtb("log", *args)
    assert result.exit_code == 0, result.output
    return result.output


# --- golden diffs ----------------------------------------------------------------------


def test_log_plain_note_is_one_entry_and_one_last_contacted_line(example_repo: Path) -> None:
    rel = "contacts/Jane Doe.md"
    before = (example_repo / rel).read_bytes()
    out = log_ok(Vtb(example_repo), "jane", "-c", "call", "talked", "about", "the", "new hire")
    assert out.startswith("Logged call with Jane Doe on 2026-11-26 (commit ")
    after = (example_repo / rel).read_bytes()
    assert after == before.replace(
        b"last_contacted: 2026-10-28\n", b"last_contacted: 2026-11-26\n"
    ).replace(b"## Log\n", b"## Log\n- 2026-11-26 call: talked about the new hire\n")
    assert diff_lines(example_repo, rel) == (
        [b"last_contacted: 2026-10-28"],
        [b"last_contacted: 2026-11-26", b"- 2026-11-26 call: talked about the new hire"],
    )
    message, files = last_commit(example_repo)
    assert files == [rel]
    assert message == (
        "touch: Jane Doe (call)\n\n2026-11-26 talked about the new hire\n\n"
        "Vtb-Contact: contacts/Jane Doe.md\nVtb-Channel: call"
    )
    assert git(example_repo, "status", "--porcelain", "--untracked-files=no") == ""


def test_log_crlf_bom_note_keeps_both(example_repo: Path) -> None:
    rel = "contacts/Bo Crlf.md"
    before = (
        "\ufeff---\r\nname: Bo Crlf\r\nlast_contacted: 2026-10-01\r\ncadence: monthly\r\n---\r\n"
        "Met at the fair.\r\n\r\n## Log\r\n- 2026-10-01 email: hello\r\n"
    ).encode()
    path = commit_note(example_repo, rel, before)
    log_ok(Vtb(example_repo), "bo crlf", *CALL)
    assert path.read_bytes() == before.replace(
        b"last_contacted: 2026-10-01\r\n", b"last_contacted: 2026-11-26\r\n"
    ).replace(b"## Log\r\n", b"## Log\r\n" + ENTRY + b"\r\n")
    assert diff_lines(example_repo, rel) == (
        [b"last_contacted: 2026-10-01\r"],
        [b"last_contacted: 2026-11-26\r", ENTRY + b"\r"],
    )
    assert last_commit(example_repo)[1] == [rel]


def test_log_keeps_comments_and_odd_quoting(example_repo: Path) -> None:
    rel = "contacts/Quill Odd.md"
    front = (
        "---\n"
        "# people from the fair\n"
        "name: 'Quill \"Q\" Odd'    # single-quoted on purpose\n"
        'aliases: ["Q. O.", quill]\n'
        "phone: '+49 170 1234'\n"
        "zip: 01234\n"
        "last_contacted: 2026-09-01 # keep this comment\n"
        'tags: [a, "b c"]\n'
        "---\n"
    )
    body = "Sells honey.\n\n## Log\n\n* 2026-09-01 — visit: bought honey\n* 2026-01-02: hello\n"
    path = commit_note(example_repo, rel, (front + body).encode())
    log_ok(Vtb(example_repo), "quill", *CALL)
    expected = front.replace(
        "last_contacted: 2026-09-01 # keep", "last_contacted: 2026-11-26 # keep"
    ) + body.replace("\n\n* 2026-09-01", "\n\n* 2026-11-26 call: caught up\n* 2026-09-01")
    assert path.read_text(encoding="utf-8") == expected  # the list's `*` bullet is reused
    assert diff_lines(example_repo, rel) == (
        [b"last_contacted: 2026-09-01 # keep this comment"],
        [b"last_contacted: 2026-11-26 # keep this comment", b"* 2026-11-26 call: caught up"],
    )


@pytest.mark.parametrize("final_newline", [True, False])
def test_log_without_a_log_section_creates_it_at_the_end(
    example_repo: Path, final_newline: bool
) -> None:
    """The diff: the changed last_contacted line, then a blank line, `## Log` and the
    entry added at the end. Without a final newline the old last line gains one (git
    shows it as changed) and the new last line goes without, as the note was."""
    rel = "contacts/Nora Nolog.md"
    before = "---\nname: Nora Nolog\nlast_contacted: 2026-08-01\n---\nA neighbour."
    before += "\n" if final_newline else ""
    path = commit_note(example_repo, rel, before.encode())
    log_ok(Vtb(example_repo), "nora", *CALL)
    tail = "" if final_newline else "\n"
    expected = before.replace("2026-08-01", "2026-11-26") + tail + "\n## Log\n" + ENTRY.decode()
    expected += "\n" if final_newline else ""
    assert path.read_text(encoding="utf-8") == expected
    removed, added = diff_lines(example_repo, rel)
    assert removed == [b"last_contacted: 2026-08-01"] + ([] if final_newline else [b"A neighbour."])
    assert added == [b"last_contacted: 2026-11-26"] + (
        [b"", b"## Log", ENTRY] if final_newline else [b"A neighbour.", b"", b"## Log", ENTRY]
    )


@pytest.mark.parametrize(
    ("name", "rel", "old", "new"),
    [
        ("ingrid", "contacts/Ingrid Sørensen.md", "last_chat: 2026-10-24", "last_chat: 2026-11-26"),
        (
            "liam",
            "contacts/Liam O'Connor.md",
            "prm-last-contacted: 2026-11-10",
            "prm-last-contacted: 2026-11-26",
        ),
        (
            "chloe",
            "contacts/Chloé Dubois.md",
            "lastContacted: 2026-09-10",
            "lastContacted: 2026-11-26",
        ),
        (
            "marcus",
            "contacts/Marcus Bell.md",
            "last_contact: 2026-03-14",
            "last_contact: 2026-11-26",
        ),
    ],
)
def test_log_updates_the_dialect_key_the_note_uses(
    example_repo: Path, name: str, rel: str, old: str, new: str
) -> None:
    before = (example_repo / rel).read_text(encoding="utf-8")
    log_ok(Vtb(example_repo), name, *CALL)
    after = (example_repo / rel).read_text(encoding="utf-8")
    assert "last_contacted" not in after
    assert after == before.replace(f"{old}", f"{new}", 1).replace(
        "## Log\n", "## Log\n" + ENTRY.decode() + "\n", 1
    )
    assert diff_lines(example_repo, rel) == ([old.encode()], [new.encode(), ENTRY])
    assert last_commit(example_repo)[1] == [rel]


# --- dates, channels and names -----------------------------------------------------------


def test_an_older_date_adds_the_entry_in_order_but_never_moves_last_contacted_back(
    example_repo: Path,
) -> None:
    rel = "contacts/Jane Doe.md"
    before = (example_repo / rel).read_text(encoding="utf-8")
    out = log_ok(Vtb(example_repo), "jane", "-d", "2026-10-01", "-c", "email", "late note")
    assert "on 2026-10-01" in out
    after = (example_repo / rel).read_text(encoding="utf-8")
    assert "last_contacted: 2026-10-28\n" in after
    assert after == before.replace(
        "- 2026-09-24 meet", "- 2026-10-01 email: late note\n- 2026-09-24 meet"
    )
    assert diff_lines(example_repo, rel) == ([], [b"- 2026-10-01 email: late note"])
    log_ok(Vtb(example_repo), "jane", "-d", "3d", "-c", "call", "three days ago")
    assert "last_contacted: 2026-11-23\n" in (example_repo / rel).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("-d", "2026-11-27"), "2026-11-27 is in the future"),
        (("-d", "next week"), "is neither a date nor a span"),
        (("-d", "2026-02-30"), "is neither a date nor a span"),
        (("-c", "call:"), "'call:' is not a channel"),
        (("-c", "two words"), "give one word"),
        (("-c", "—"), "is not a channel"),
        (("--due", "1w"), "--due needs --follow-up"),
    ],
)
def test_usage_errors_exit_2_and_change_nothing(
    example_repo: Path, args: tuple[str, ...], said: str
) -> None:
    before = (example_repo / "contacts/Jane Doe.md").read_bytes()
    result = Vtb(example_repo)("log", "jane", *args, "text")
    assert result.exit_code == 2, result.output
    assert said in result.output
    assert (example_repo / "contacts/Jane Doe.md").read_bytes() == before
    assert commit_count(example_repo) == 1


def test_an_unknown_name_exits_1_with_did_you_mean(example_repo: Path) -> None:
    vtb = Vtb(example_repo)
    for typo in ("janw", "Jane Doh", "olwaseun"):
        result = vtb("log", typo, "hello")
        assert result.exit_code == 1, result.output
        assert f"nobody called {typo!r}" in result.stderr
        assert "did you mean" in result.stderr
    assert "did you mean 'Jane Doe'" in vtb("log", "janw", "x").stderr
    nobody = vtb("log", "zzzz", "hello")
    assert nobody.exit_code == 1 and "`vtb due` lists people" in nobody.stderr
    assert commit_count(example_repo) == 1


def test_log_without_a_channel_uses_and_names_the_persons_own(example_repo: Path) -> None:
    out = log_ok(Vtb(example_repo), "seun", "quick", "check-in")
    assert out.startswith("Logged call with Oluwaseun Adeyemi")  # his channel is call
    assert "- 2026-11-26 call: quick check-in" in (
        example_repo / "contacts/Oluwaseun Adeyemi.md"
    ).read_text(encoding="utf-8")
    assert (
        git(example_repo, "log", "-1", "--format=%s").strip() == "touch: Oluwaseun Adeyemi (call)"
    )


# --- snooze ------------------------------------------------------------------------------


def test_snooze_edits_one_line_of_the_dialect_key_and_commits(example_repo: Path) -> None:
    vtb = Vtb(example_repo)
    result = vtb("snooze", "kenji", "2027-02-01")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        "Snoozed Kenji Watanabe until 2027-02-01 (was until 2027-01-10) (commit "
    )
    rel = "contacts/Kenji Watanabe.md"
    assert diff_lines(example_repo, rel) == (
        [b"prm-snooze-until: 2027-01-10   # on paternity leave until January"],
        [b"prm-snooze-until: 2027-02-01   # on paternity leave until January"],
    )
    message, files = last_commit(example_repo)
    assert files == [rel] and message.startswith("snooze: Kenji Watanabe until 2027-02-01\n\n")
    assert vtb("snooze", "jane", "2w").exit_code == 0
    assert "snooze_until: 2026-12-10\n" in (example_repo / "contacts/Jane Doe.md").read_text()
    for bad in ("yesterday", "2026-11-26", "soon"):
        assert vtb("snooze", "jane", bad).exit_code == 2
    assert commit_count(example_repo) == 3


# --- add ---------------------------------------------------------------------------------


def test_add_commits_the_new_note_and_a_second_one_gets_a_distinct_file(
    example_repo: Path,
) -> None:
    vtb = Vtb(example_repo)
    first = vtb("add", "Zoe Quinn", "--email", "zoe@example.com", "--channel", "call")
    assert first.exit_code == 0, first.output
    assert first.stdout.startswith("Added Zoe Quinn: contacts/Zoe Quinn.md (commit ")
    message, files = last_commit(example_repo)
    assert files == ["contacts/Zoe Quinn.md"]
    assert message == "add: Zoe Quinn\n\nVtb-Contact: contacts/Zoe Quinn.md"
    text = (example_repo / "contacts/Zoe Quinn.md").read_text(encoding="utf-8")
    assert 'name: "Zoe Quinn"' in text or "name: Zoe Quinn" in text
    assert "email: zoe@example.com" in text and "channel: call" in text

    second = vtb("add", "Jane Doe")
    assert second.exit_code == 0, second.output
    assert "contacts/Jane Doe (2).md" in second.stdout
    assert "contacts/Jane Doe.md already exists" in second.stderr
    assert last_commit(example_repo)[1] == ["contacts/Jane Doe (2).md"]
    assert git(example_repo, "show", "HEAD~1:contacts/Jane Doe.md")  # the first one is intact
    assert commit_count(example_repo) == 3


@pytest.mark.parametrize(
    ("name", "stem"),
    [
        ("../../etc/passwd", "etc passwd"),
        ("..", "Unnamed"),
        ("a/b:c", "a b c"),
        (".hidden", "hidden"),
        ("C:\\Users\\x", "C Users x"),
        ("Con", "Con (contact)"),  # a device on Windows, whatever the extension
        ("nul", "nul (contact)"),
        ("COM1. Jr", "COM1 (contact). Jr"),
        ("Connor", "Connor"),
    ],
)
def test_add_never_escapes_the_contacts_folder_nor_hides_the_note(
    example_repo: Path, name: str, stem: str
) -> None:
    vtb = Vtb(example_repo)
    result = vtb("add", name)
    assert result.exit_code == 0, result.output
    rel = f"contacts/{stem}.md"
    assert (example_repo / rel).is_file()
    assert last_commit(example_repo)[1] == [rel]
    show = json.loads(vtb("show", stem, "--json").stdout)  # a contact vtb reads back
    assert show["path"] == rel
    assert not (example_repo.parent / "etc").exists()


def test_add_refuses_a_folder_outside_and_a_bad_cadence(example_repo: Path) -> None:
    vtb = Vtb(example_repo)
    for args in (("--folder", "../x"), ("--folder", ".hidden"), ("--cadence", "often")):
        result = vtb("add", "Zed", *args)
        assert result.exit_code == 2, result.output
    assert vtb("add", "   ").exit_code == 2
    assert commit_count(example_repo) == 1
    assert not (example_repo / "x").exists()


def test_add_refuses_what_is_no_email_address_and_keeps_each_value_on_one_line(
    example_repo: Path,
) -> None:
    vtb = Vtb(example_repo)
    for bad in ("a@b.c\nBcc: evil@example.org", "not an email", "a@b"):
        result = vtb("add", "Zed", "--email", bad)
        assert result.exit_code == 2, result.output
        assert "is not an email address" in result.output
    assert commit_count(example_repo) == 1
    result = vtb(
        "add", "Zed", "--email", " zed@example.org ", "--phone", "123\n456", "--tag", "a\nb"
    )
    assert result.exit_code == 0, result.output
    shown = json.loads(vtb("show", "zed", "--json").stdout)
    assert (shown["emails"], shown["phones"], shown["tags"]) == (
        ["zed@example.org"],
        ["123 456"],
        ["a b"],
    )


def test_add_takes_the_usual_fields(example_repo: Path) -> None:
    vtb = Vtb(example_repo)
    args = ["--email", "ines@example.com", "--phone", "+49 30 1234", "--offers", "bookkeeping"]
    args += ["--offers", "tax returns", "--needs", "a dog sitter", "--birthday", "1988-04-02"]
    args += ["--channel", "call", "--cadence", "2m", "--circle", "community", "--nearby"]
    args += ["--tag", "neighbour"]
    result = vtb("add", "Ines Ortega", *args)
    assert result.exit_code == 0, result.output
    show = json.loads(vtb("show", "ines", "--json").stdout)
    assert show["emails"] == ["ines@example.com"] and show["phones"] == ["+49 30 1234"]
    assert show["offers"] == ["bookkeeping", "tax returns"]
    assert show["needs"] == ["a dog sitter"]
    assert show["birthday"] == "1988-04-02"
    assert (show["channel"], show["cadence"], show["circle"]) == ("call", "bimonthly", "community")
    assert show["nearby"] is True and show["tags"] == ["neighbour"]
    assert vtb("add", "No Year", "--birthday", "04-02").exit_code == 0
    assert json.loads(vtb("show", "no year", "--json").stdout)["birthday"] == "04-02"
    bad = vtb("add", "Bad Day", "--birthday", "soon")
    assert bad.exit_code == 2 and "--birthday" in bad.output


# --- rename and history ----------------------------------------------------------------


def test_rename_is_one_commit_and_history_follows_it(example_repo: Path) -> None:
    vtb = Vtb(example_repo)
    log_ok(vtb, "jane", "-c", "call", "before the rename")
    result = vtb("rename", "jane", "Jane Smith")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        "Renamed Jane Doe to Jane Smith: contacts/Jane Doe.md → contacts/Jane Smith.md; "
        "links fixed in 1 other note (commit "
    )
    assert "Meetings.md still links [[Jane Doe]]" in result.stderr
    message, files = last_commit(example_repo)
    assert sorted(files) == [
        "contacts/Jane Doe.md",
        "contacts/Jane Smith.md",
        "contacts/Léa Fontaine.md",
    ]
    assert message.startswith("rename: Jane Doe → Jane Smith\n\n")
    assert "Vtb-Renamed-From: contacts/Jane Doe.md" in message
    assert "[[Jane Smith]]'s studio" in (example_repo / "contacts/Léa Fontaine.md").read_text()
    assert "[[Jane Doe]]" in (example_repo / "Meetings.md").read_text()  # the user's note

    log_ok(vtb, "jane smith", "-c", "email", "after the rename")
    history = vtb("history", "jane smith")
    assert history.exit_code == 0, history.output
    subjects = [
        line.split(None, 3)[3] for line in history.stdout.splitlines() if " commit " in line
    ]
    assert subjects == [
        "touch: Jane Smith (email)",
        "rename: Jane Doe → Jane Smith",
        "touch: Jane Doe (call)",
        "initial",
    ]
    assert "+ name: Jane Smith" in history.stdout and "- name: Jane Doe" in history.stdout
    assert "log     call: before the rename" in history.stdout
    events = json.loads(vtb("history", "jane smith", "--json").stdout)
    touch = next(e for e in events if e["text"] == "touch: Jane Doe (call)")
    assert touch["added_lines"] == [
        "last_contacted: 2026-11-26",
        "- 2026-11-26 call: before the rename",
    ]
    assert touch["removed_lines"] == ["last_contacted: 2026-10-28"]
    assert [e["kind"] for e in events].count("log") == 7  # 5 in example-vault, 2 here


def test_rename_refuses_what_it_cannot_do_cleanly(example_repo: Path) -> None:
    vtb = Vtb(example_repo)
    same = vtb("rename", "jane", "Jane Doe")
    assert same.exit_code == 2 and "already called that" in same.output
    taken = vtb("rename", "jane", "Maria Costa")
    assert taken.exit_code == 1 and "contacts/Maria Costa.md already exists" in taken.output
    split = vtb("rename", "rachel", "Rachel Gold")  # name: {first, last} is not flattened
    assert split.exit_code == 1 and "split into parts (first, last)" in split.output
    assert commit_count(example_repo) == 1
    assert git(example_repo, "status", "--porcelain", "--untracked-files=no") == ""
    # Once the parts are changed by hand, rename moves the file and keeps them.
    path = example_repo / "contacts/Ana Lima.md"
    path.write_text(path.read_text().replace("last: Lima}", "last: Souza}"))
    moved = vtb("rename", "ana", "Ana Souza")
    assert moved.exit_code == 0, moved.output
    assert "name: {first: Ana, last: Souza}" in (example_repo / "contacts/Ana Souza.md").read_text()
    assert git(example_repo, "log", "-1", "--format=%s").strip() == "rename: Ana Lima → Ana Souza"


def test_rename_to_an_unsafe_name_stays_a_visible_contact(example_repo: Path) -> None:
    vtb = Vtb(example_repo)
    assert vtb("rename", "jane", "../../x/Jane").exit_code == 0
    assert (example_repo / "contacts/x Jane.md").is_file()
    assert vtb("show", "x jane").exit_code == 0


# --- tick to log ---------------------------------------------------------------------------


def tick(index: Path, link: str, suffix: str = "") -> None:
    """Tick the box of the line that links `link`, as Obsidian would."""
    lines = index.read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith(f"- [ ] [[{link}|"))
    lines[at] = lines[at].replace("- [ ]", "- [x]", 1) + suffix
    index.write_text("\n".join(lines), encoding="utf-8")


def test_tick_to_log_end_to_end(example_repo: Path) -> None:
    vtb = Vtb(example_repo)
    index = example_repo / "Touch Base.md"
    assert vtb("refresh").exit_code == 0
    text = index.read_text(encoding="utf-8")
    call = text[text.index("## Call") : text.index("## Visit")]  # the plan is spent: Call
    assert "- [ ] [[contacts/Oluwaseun Adeyemi|Oluwaseun Adeyemi]] — overdue" in call
    email = text[text.index("## Email") :]
    assert "- [ ] [[contacts/Ben Carter|" in email and "- [ ] [[contacts/Sofia Petrov|" in email
    tick(index, "contacts/Oluwaseun Adeyemi")
    tick(index, "contacts/Ben Carter", " ✅ 2026-11-26")  # as the Tasks plugin does
    tick(index, "contacts/Sofia Petrov")
    git(example_repo, "rm", "-q", "--", "contacts/Sofia Petrov.md")
    git(example_repo, "commit", "-qm", "Sofia moved away")
    start = commit_count(example_repo)

    result = vtb("refresh")
    assert result.exit_code == 0, result.output
    assert "logged Oluwaseun Adeyemi (call): ticked in Touch Base.md" in result.stdout
    assert "logged Ben Carter (email): ticked in Touch Base.md" in result.stdout
    gone = "ticked contacts/Sofia Petrov.md, which does not exist; not logged"
    assert gone in result.stderr
    assert commit_count(example_repo) == start + 2
    for sha, (rel, channel) in zip(
        git(example_repo, "rev-list", "-2", "--reverse", "HEAD").split(),
        [("contacts/Oluwaseun Adeyemi.md", "call"), ("contacts/Ben Carter.md", "email")],
        strict=True,
    ):
        files = git(example_repo, "show", "--name-only", "--format=", sha).split("\n")
        assert [f for f in files if f] == [rel]
        body = git(example_repo, "log", "-1", "--format=%B", sha)
        assert f"Vtb-Channel: {channel}" in body and f"Vtb-Contact: {rel}" in body
        assert f"- 2026-11-26 {channel}: ticked in Touch Base" in (example_repo / rel).read_text()
    text = index.read_text(encoding="utf-8")
    assert "- [ ] [[contacts/Oluwaseun Adeyemi|" not in text
    assert "- [ ] [[contacts/Ben Carter|" not in text
    assert "- [x]" not in text
    problems = text[text.index("## Problems") :]
    assert gone in problems
    assert not (example_repo / "contacts/Sofia Petrov.md").exists()  # nothing guessed

    again = vtb("refresh")
    assert "logged" not in again.output
    assert commit_count(example_repo) == start + 2


def test_a_tick_is_logged_by_any_command_that_rebuilds_the_index(example_repo: Path) -> None:
    """A rebuild after `vtb snooze` (or log, add, rename) must not drop a ticked box."""
    vtb = Vtb(example_repo)
    vtb("refresh")
    index = example_repo / "Touch Base.md"
    tick(index, "contacts/José Müller")
    result = vtb("snooze", "priya", "2w")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Snoozed Priya Raman until 2026-12-10 (commit ")
    assert "logged José Müller (email): ticked in Touch Base.md" in result.stderr
    subjects = git(example_repo, "log", "--format=%s").split("\n")
    assert subjects[:2] == ["touch: José Müller (email)", "snooze: Priya Raman until 2026-12-10"]
    assert "- [ ] [[contacts/José Müller|" not in index.read_text(encoding="utf-8")


def test_a_tick_for_a_touch_logged_by_hand_meanwhile_is_not_logged_twice(
    example_repo: Path,
) -> None:
    vtb = Vtb(example_repo)
    vtb("refresh")
    tick(example_repo / "Touch Base.md", "contacts/José Müller")
    log_ok(vtb, "jose", "-c", "email", "sent him the illustrator's name")
    note = (example_repo / "contacts/José Müller.md").read_text(encoding="utf-8")
    assert note.count("- 2026-11-26 ") == 1
    assert commit_count(example_repo) == 2


# --- the index follows every change --------------------------------------------------------


def test_every_command_that_changes_notes_updates_the_index(example_repo: Path) -> None:
    vtb = Vtb(example_repo)
    index = example_repo / "Touch Base.md"

    def listed(link: str) -> bool:  # as a box to tick (Introductions may name them too)
        return f"- [ ] [[{link}|" in index.read_text(encoding="utf-8")

    vtb("refresh")
    assert listed("contacts/José Müller") and listed("contacts/Priya Raman")
    log_ok(vtb, "jose", "-c", "email", "hello")
    assert not listed("contacts/José Müller")
    assert vtb("snooze", "priya", "1m").exit_code == 0
    assert not listed("contacts/Priya Raman")
    assert vtb("add", "Zoe Quinn").exit_code == 0
    assert listed("contacts/Zoe Quinn")  # never contacted: due now
    assert vtb("rename", "zoe", "Zoe Quinn-Hart").exit_code == 0
    assert listed("contacts/Zoe Quinn-Hart") and not listed("contacts/Zoe Quinn")
    # The index is derived data: git-ignored in this vault, never committed.
    assert "Touch Base.md" not in git(example_repo, "log", "--name-only", "--format=")


def test_a_broken_note_is_named_rather_than_nobody(example_repo: Path) -> None:
    (example_repo / "contacts/Broken Bob.md").write_text(
        "---\nname: Broken Bob\nlast_contacted: [2026-10-01\n---\nbody\n"
    )
    result = Vtb(example_repo)("log", "bob", "hello")
    assert result.exit_code == 1
    assert (
        "nobody called 'bob', but contacts/Broken Bob.md cannot be read: bad YAML" in result.stderr
    )
    assert "fix contacts/Broken Bob.md:" in result.stderr


def test_show_names_a_broken_note_rather_than_offering_to_add_it(example_repo: Path) -> None:
    (example_repo / "contacts/Eva Schmidt.md").write_text(
        "---\nname: Eva Schmidt\nlast_contacted: [2026-10-01\n---\nbody\n"
    )
    for args in (("show", "eva"), ("show", "eva", "--json")):
        result = Vtb(example_repo)(*args)
        assert result.exit_code == 1
        assert "contacts/Eva Schmidt.md cannot be read: bad YAML" in result.stderr
        assert "vtb add" not in result.stderr


def test_a_value_vtb_cannot_edit_is_refused_naming_the_note(example_repo: Path) -> None:
    rel = "contacts/Multi Mo.md"
    before = "---\nname: Multi Mo\nlast_contacted:\n  2026-10-01\n---\nbody\n\n## Log\n- 2026-10-01 call: x\n"
    commit_note(example_repo, rel, before.encode())
    result = Vtb(example_repo)("log", "multi", "-c", "call", "hello")
    assert result.exit_code == 1
    assert f"{rel}: `last_contacted` spans several lines" in result.stderr
    assert "nothing changed" in result.stderr
    assert (example_repo / rel).read_text() == before
    assert commit_count(example_repo) == 2


def test_people_who_share_a_name_are_told_apart_by_the_notes_path(example_repo: Path) -> None:
    vtb = Vtb(example_repo)
    assert vtb("add", "Jane Doe").exit_code == 0  # contacts/Jane Doe (2).md
    ambiguous = vtb("log", "jane doe", "hello")
    assert ambiguous.exit_code == 1
    assert "contacts/Jane Doe (2).md" in ambiguous.stderr and "the note's path" in ambiguous.stderr
    for query in ("contacts/Jane Doe (2).md", "jane doe (2)"):
        result = vtb("log", query, "-c", "call", "the second one")
        assert result.exit_code == 0, result.output
        assert last_commit(example_repo)[1] == ["contacts/Jane Doe (2).md"]


def test_an_index_that_cannot_be_written_does_not_fail_a_done_log(example_repo: Path) -> None:
    (example_repo / "Touch Base.md").write_text("my own note, not vtb's\n")
    result = Vtb(example_repo)("log", "jane", "-c", "call", "hello")
    assert result.exit_code == 0, result.output  # the touch is logged and committed
    assert result.stdout.startswith("Logged call with Jane Doe on 2026-11-26 (commit ")
    assert (
        "Touch Base.md not updated: Touch Base.md exists and was not made by vtb" in result.stderr
    )
    assert (example_repo / "Touch Base.md").read_text() == "my own note, not vtb's\n"
    assert commit_count(example_repo) == 2


def test_a_tick_never_writes_into_a_note_that_is_not_a_contact(example_repo: Path) -> None:
    vtb = Vtb(example_repo)
    vtb("refresh")
    index = example_repo / "Touch Base.md"
    index.write_text(
        index.read_text(encoding="utf-8")
        + "\n- [x] [[Meetings]]\n- [x] [[contacts/../Now|Now]]\n- [x] [[templates/contact]]\n",
        encoding="utf-8",
    )
    before = {rel: (example_repo / rel).read_bytes() for rel in ("Meetings.md", "Now.md")}
    result = vtb("refresh")
    assert result.exit_code == 0, result.output
    for rel in ("Meetings.md", "contacts/../Now.md", "templates/contact.md"):
        assert f"ticked {rel}, which is not a contact note; not logged" in result.stderr
    assert {rel: (example_repo / rel).read_bytes() for rel in before} == before
    assert commit_count(example_repo) == 1


def git_hook(repo: Path, name: str, script: str) -> Path:
    """Install an executable git hook (`pre-commit`, `commit-msg`) in `repo`."""
    hook = repo / ".git" / "hooks" / name
    hook.write_text(script)
    hook.chmod(0o755)
    return hook


def settle_notes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loads run as if ten seconds from now: notes just copied count as settled, so the
    first refresh fills the parse cache (as a user's older notes do)."""
    import time

    import vault_touchbase.vault.stamp as stamps

    monkeypatch.setattr(stamps, "now_ns", lambda: time.time_ns() + 10_000_000_000)


def test_log_with_a_box_ticked_in_the_index_logs_both_in_order(
    example_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import vault_touchbase.vault.cache as cache

    settle_notes(monkeypatch)
    vtb = Vtb(example_repo)
    index = example_repo / "Touch Base.md"
    assert vtb("refresh").exit_code == 0
    tick(index, "contacts/Ben Carter")
    start = commit_count(example_repo)
    loads = []
    real_read = cache.read_notes  # every load of the vault goes through it
    monkeypatch.setattr(cache, "read_notes", lambda *a, **k: loads.append(1) or real_read(*a, **k))

    result = vtb("log", "oluwaseun", "-c", "call", "caught up")

    assert result.exit_code == 0, result.output
    assert len(loads) == 1  # found, edited and the index rebuilt from one load
    assert commit_count(example_repo) == start + 2
    log_sha, tick_sha = git(example_repo, "rev-list", "-2", "--reverse", "HEAD").split()
    assert f"(commit {log_sha[:7]})" in result.stdout  # the touch's own commit is named
    assert "touch: Oluwaseun Adeyemi (call)" in git(
        example_repo, "log", "-1", "--format=%s", log_sha
    )
    assert "touch: Ben Carter" in git(example_repo, "log", "-1", "--format=%s", tick_sha)
    text = index.read_text(encoding="utf-8")
    assert "[[contacts/Oluwaseun Adeyemi|" not in text.split("## Email")[0]  # not planned now
    assert "- [ ] [[contacts/Ben Carter|" not in text and "- [x]" not in text
    assert text == (vtb("refresh"), index.read_text(encoding="utf-8"))[1]  # as a full rebuild


def test_a_commit_refused_by_a_hook_leaves_the_note_written_and_the_index_current(
    example_repo: Path,
) -> None:
    vtb = Vtb(example_repo)
    index = example_repo / "Touch Base.md"
    assert vtb("refresh").exit_code == 0
    git_hook(example_repo, "pre-commit", "#!/bin/sh\necho 'hook says no' >&2\nexit 1\n")
    start = commit_count(example_repo)

    result = vtb("log", "oluwaseun", "-c", "call", "caught up")

    assert result.exit_code == 1
    assert "contacts/Oluwaseun Adeyemi.md written but not committed" in result.stderr
    assert "hook says no" in result.stderr
    assert "Traceback" not in result.output
    assert commit_count(example_repo) == start
    note = (example_repo / "contacts/Oluwaseun Adeyemi.md").read_text(encoding="utf-8")
    assert "- 2026-11-26 call: caught up" in note
    text = index.read_text(encoding="utf-8")
    assert "[[contacts/Oluwaseun Adeyemi|" not in text.split("## Email")[0]


def test_a_refused_touch_is_reported_and_a_ticked_box_waits_for_the_next_refresh(
    example_repo: Path,
) -> None:
    vtb = Vtb(example_repo)
    index = example_repo / "Touch Base.md"
    assert vtb("refresh").exit_code == 0
    tick(index, "contacts/Ben Carter")
    ben = (example_repo / "contacts/Ben Carter.md").read_bytes()
    hook = git_hook(
        example_repo,
        "commit-msg",
        '#!/bin/sh\nif grep -q Oluwaseun "$1"; then echo "no Oluwaseun" >&2; exit 1; fi\n',
    )
    start = commit_count(example_repo)

    result = vtb("log", "oluwaseun", "-c", "call", "caught up")

    assert result.exit_code == 1
    assert "contacts/Oluwaseun Adeyemi.md written but not committed" in result.stderr
    assert "no Oluwaseun" in result.stderr
    assert commit_count(example_repo) == start  # nothing done on top of a failed commit
    assert (example_repo / "contacts/Ben Carter.md").read_bytes() == ben
    assert "- [x] [[contacts/Ben Carter|" in index.read_text(encoding="utf-8")  # kept

    hook.unlink()
    result = vtb("refresh")
    assert result.exit_code == 0, result.output
    assert "logged Ben Carter (email): ticked in Touch Base.md" in result.stdout
    assert "- [x]" not in index.read_text(encoding="utf-8")


def test_a_tick_whose_commit_fails_leaves_the_index_as_a_full_rebuild_would(
    example_repo: Path,
) -> None:
    vtb = Vtb(example_repo)
    index = example_repo / "Touch Base.md"
    assert vtb("refresh").exit_code == 0
    tick(index, "contacts/Ben Carter")
    hook = git_hook(
        example_repo,
        "commit-msg",
        '#!/bin/sh\nif grep -q Ben "$1"; then echo "no Ben" >&2; exit 1; fi\n',
    )

    result = vtb("log", "oluwaseun", "-c", "call", "caught up")

    assert result.exit_code == 0, result.output
    assert "ticked Ben Carter" in result.output and "no Ben" in result.output
    # as a full rebuild would (Ben's new entry counted), but for the tick's own problem
    after = [line for line in index.read_text(encoding="utf-8").split("\n")]
    tick_problem = [line for line in after if line.startswith("- `Touch Base.md:")]
    assert len(tick_problem) == 1 and "written but not committed" in tick_problem[0]
    hook.unlink()
    assert vtb("refresh").exit_code == 0
    rebuilt = index.read_text(encoding="utf-8").split("\n")
    kept = [line for line in after if line not in tick_problem]
    # up to the Problems section (which, without the tick's, says there are none)
    assert kept[: kept.index("## Problems")] == rebuilt[: rebuilt.index("## Problems")]
    assert rebuilt[rebuilt.index("## Problems") + 2] == "_None: every note could be read._"


def test_a_note_linked_as_another_note_is_read_again_with_it(example_repo: Path) -> None:
    vtb = Vtb(example_repo)
    (example_repo / "contacts" / "HL alias.md").symlink_to("Hannah Lindqvist.md")
    index = example_repo / "Touch Base.md"
    assert vtb("refresh").exit_code == 0

    result = vtb("log", "contacts/Hannah Lindqvist", "-c", "call", "hi")

    assert result.exit_code == 0, result.output
    after = index.read_text(encoding="utf-8")
    assert vtb("refresh").exit_code == 0
    assert after == index.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["snooze", "oluwaseun", "2w"], "Snoozed Oluwaseun Adeyemi until 2026-12-10"),
        (["done", "tomás", "-c", "email"], "Done: Tomás Ferreira: send Tomás the revised"),
        (["intro", "maria costa", "tomás", "--log"], "Introduced Maria Costa and Tomás Ferreira"),
    ],
)
def test_snooze_done_and_intro_read_the_vault_once_and_leave_the_index_as_a_rebuild_would(
    example_repo: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], said: str
) -> None:
    import vault_touchbase.vault.cache as cache

    settle_notes(monkeypatch)
    vtb = Vtb(example_repo)
    index = example_repo / "Touch Base.md"
    assert vtb("refresh").exit_code == 0
    loads: list[int] = []
    real_read = cache.read_notes  # every load of the vault goes through it
    monkeypatch.setattr(cache, "read_notes", lambda *a, **k: loads.append(1) or real_read(*a, **k))

    result = vtb(*args)

    assert result.exit_code == 0, result.output
    assert said in result.stdout
    assert len(loads) == 1
    after = index.read_text(encoding="utf-8")
    monkeypatch.undo()
    assert vtb("refresh").exit_code == 0
    assert after == index.read_text(encoding="utf-8")


def test_a_first_run_parses_the_notes_before_it_takes_the_lock(
    example_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no parse cache yet, every note is parsed: other vtb processes (the watcher)
    should not wait on the lock for that, so it happens before the lock is taken."""
    import contextlib

    import vault_touchbase.vault.cache as cache
    import vault_touchbase.vault.store as store

    events: list[str] = []
    real_read, real_lock = cache.read_notes, store.vault_lock

    def read(*args: object, **kwargs: object) -> object:
        events.append("load")
        return real_read(*args, **kwargs)  # type: ignore[arg-type]

    @contextlib.contextmanager
    def lock(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        events.append("lock")
        with real_lock(*args, **kwargs):  # type: ignore[arg-type]
            yield

    monkeypatch.setattr(cache, "read_notes", read)
    monkeypatch.setattr(store, "vault_lock", lock)
    assert not (example_repo / ".vtb" / "parse-cache").exists()

    result = Vtb(example_repo)("log", "oluwaseun", "-c", "call", "hi")

    assert result.exit_code == 0, result.output
    assert events[:3] == ["load", "lock", "load"]


def test_an_answer_logged_the_same_day_as_their_reply_clears_it(example_repo: Path) -> None:
    """The Log is newest first within a day too: what was logged last is on top, and the
    reply owed is cleared by an answer logged after it on the same day."""
    vtb = Vtb(example_repo)

    def jane_status() -> str:
        rows = json.loads(vtb("due", "--json").output)
        return next((r["status"] for r in rows if r["name"] == "Jane Doe"), "not due")

    log_ok(vtb, "jane", "-c", "reply", "she thanked me for the referral")
    assert jane_status() == "reply"
    log_ok(vtb, "jane", "-c", "email", "wrote back: glad it worked")
    assert jane_status() != "reply"
    note = (example_repo / "contacts" / "Jane Doe.md").read_text(encoding="utf-8")
    day = note.split("## Log", 1)[1]
    assert day.index("email: wrote back") < day.index("reply: she thanked me")


def test_add_never_makes_a_name_that_differs_only_by_case(example_repo: Path) -> None:
    """`jane doe.md` beside `Jane Doe.md` is one file on macOS and Windows, where a synced
    vault is checked out too: the new note gets a name of its own."""
    result = Vtb(example_repo)("add", "jane doe")
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (example_repo / "contacts").glob("*.md"))
    folded = [name.casefold() for name in names]
    assert len(folded) == len(set(folded)), names
    assert "jane doe (2).md" in names
