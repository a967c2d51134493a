"""`vtb harvest` end to end: a vault with a Maildir and an mbox gives exactly the expected
proposals; `--accept` logs them in one commit; a second `--accept` changes nothing; an
answer you send clears "Replies to answer"."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FIXTURES, Vtb, git, snapshot_bytes
from harvest_vault import EXPECTED, ME, make_vault, send

TODAY = "2026-11-26"


@pytest.fixture(autouse=True)
def _utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A message's day is its local date: these tests read them in UTC."""
    import time

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    return make_vault(tmp_path)


def listed(vtb: Vtb, *args: str) -> list[tuple[str, str, str, str]]:
    result = vtb("harvest", "--json", *args)
    assert result.exit_code == 0, result.output
    return [(p["name"], p["date"], p["channel"], p["text"]) for p in json.loads(result.stdout)]


def test_the_dry_run_lists_exactly_the_expected_touches_and_changes_no_note(vault: Path) -> None:
    before = snapshot_bytes(vault)
    vtb = Vtb(vault)
    assert listed(vtb) == EXPECTED
    text = vtb("harvest")
    assert text.exit_code == 0
    assert (
        "Ana Lima\n  2026-11-12 email: Lunch? - 2026-01-01 call: fake[31m  (maildir " in text.output
    )
    assert "4 touches with 2 people to log" in text.output
    assert "1 bulk, 1 unreadable" in text.output
    assert "SECRET" not in text.output
    assert snapshot_bytes(vault) == before


def test_accept_logs_every_touch_in_one_commit_and_a_second_accept_changes_nothing(
    vault: Path,
) -> None:
    vtb = Vtb(vault)
    result = vtb("harvest", "--accept")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Harvest: 4 touches, 2 people logged (commit ")
    assert git(vault, "rev-list", "--count", "HEAD").strip() == "2"
    message = git(vault, "log", "-1", "--format=%B")
    assert message.startswith("harvest: 4 touches, 2 people\n")
    assert "Vtb-Contact: contacts/Ana Lima.md\nVtb-Contact: contacts/Cleo Poe.md" in message
    changed = git(vault, "show", "--name-only", "--format=", "HEAD").split("\n")
    assert sorted(filter(None, changed)) == ["contacts/Ana Lima.md", "contacts/Cleo Poe.md"]
    cleo = (vault / "contacts" / "Cleo Poe.md").read_text()
    assert "last_contacted: 2026-11-15\n" in cleo
    log = cleo.split("## Log\n")[1].splitlines()
    assert log[0].startswith("- 2026-11-15 email: Dinner plans ^h-")
    assert log[1].startswith("- 2026-11-10 email: Re: the grant ^h-")
    assert log[2] == "- 2026-10-01 call: caught up"
    assert "SECRET" not in cleo
    # the block ids are kept out of what vtb shows
    shown = vtb("show", "Cleo").output
    assert "2026-11-15 email: Dinner plans\n" in shown and "^h-" not in shown
    assert "^h-" not in (vault / "Touch Base.md").read_text()
    history = vtb("history", "Ana").output
    assert "+ - 2026-11-20 reply: Photos from the trip\n" in history and "^h-" not in history

    before = snapshot_bytes(vault)
    again = vtb("harvest", "--accept")
    assert again.exit_code == 0
    assert "Nothing new to log" in again.output and "2 logged already" in again.output
    assert snapshot_bytes(vault) == before
    assert git(vault, "rev-list", "--count", "HEAD").strip() == "2"


def test_the_notes_are_the_record_not_the_local_state(vault: Path) -> None:
    """Another device (no `.vtb/`) after sync proposes nothing already logged."""
    import shutil

    vtb = Vtb(vault)
    assert vtb("harvest", "--accept").exit_code == 0
    shutil.rmtree(vault / ".vtb")
    assert listed(vtb) == []


def test_an_answer_you_send_clears_the_reply(vault: Path) -> None:
    vtb = Vtb(vault)
    vtb("harvest", "--accept")
    assert "[[contacts/Ana Lima|Ana Lima]]" in _replies(vault)
    send(vault, "ana@example.org", "Re: Photos from the trip", 25, "<answer@x>")
    assert listed(vtb) == [("Ana Lima", "2026-11-25", "email", "Re: Photos from the trip")]
    assert vtb("harvest", "--accept").exit_code == 0
    assert "Ana Lima" not in _replies(vault)


def test_a_reply_answered_before_the_harvest_is_never_proposed(vault: Path) -> None:
    """Cleo's "The grant" (9 Nov) was answered on 10 Nov: only the answer is a touch."""
    assert ("Cleo Poe", "2026-11-09", "reply", "The grant") not in listed(Vtb(vault))


def test_accept_with_names_logs_only_theirs(vault: Path) -> None:
    vtb = Vtb(vault)
    result = vtb("harvest", "--accept", "Ana")
    assert result.output.startswith("Harvest: 2 touches, 1 person logged")
    assert "^h-" not in (vault / "contacts" / "Cleo Poe.md").read_text()
    assert [p[0] for p in listed(vtb)] == ["Cleo Poe", "Cleo Poe"]


def test_the_window_starts_at_the_last_contact_minus_the_overlap(vault: Path) -> None:
    note = vault / "contacts" / "Cleo Poe.md"
    note.write_text(
        note.read_text().replace("last_contacted: 2026-10-01", "last_contacted: 2026-11-14")
    )
    names = [(p[0], p[1]) for p in listed(Vtb(vault))]
    assert ("Cleo Poe", "2026-11-15") in names  # newer than 14 Nov - 3 days
    assert ("Cleo Poe", "2026-11-10") not in names


def test_since_bounds_a_first_run(vault: Path) -> None:
    config = vault / "vtb.toml"
    config.write_text(config.read_text() + 'since = "2w"\n')
    assert [p[1] for p in listed(Vtb(vault))] == ["2026-11-12", "2026-11-20", "2026-11-15"]


def test_sources_on_the_command_line_replace_the_settings(vault: Path) -> None:
    got = listed(Vtb(vault), "--mbox", str(vault / "archive.mbox"))
    assert got == [EXPECTED[2], EXPECTED[3]]


def test_me_defaults_to_gits_user_email(vault: Path) -> None:
    """conftest's git identity is test@example.com: mail from it is yours, sam's is not."""
    config = vault / "vtb.toml"
    config.write_text(config.read_text().replace(f'me = ["{ME}"]\n', ""))
    send(vault, "ana@example.org", "From git's address", 24, "<git@x>", sender="test@example.com")
    assert listed(Vtb(vault)) == [
        ("Ana Lima", "2026-11-24", "email", "From git's address"),  # answers her photos
        ("Cleo Poe", "2026-11-09", "reply", "The grant"),  # sam's answer is not yours now
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--maildir", "/nonexistent/Mail"], "/nonexistent/Mail is no folder (maildir)"),
        (["--maildir", "{vault}/contacts"], "/contacts is no Maildir folder (it has no cur/"),
        (["--mbox", "{vault}/contacts"], "/contacts is no file (mbox)"),
        (["--ics", "/nonexistent.ics"], "/nonexistent.ics is no file or folder (ics)"),
    ],
)
def test_a_missing_source_is_an_error_naming_it(vault: Path, args: list[str], message: str) -> None:
    result = Vtb(vault)("harvest", *(arg.format(vault=vault) for arg in args))
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_no_sources_is_an_error_that_says_where_to_name_them(tmp_path: Path) -> None:
    vault = tmp_path / "v"
    (vault / "contacts").mkdir(parents=True)
    (vault / "vtb.toml").write_text("")
    result = Vtb(vault)("harvest")
    assert result.exit_code != 0
    assert "no sources to harvest" in result.output and "[harvest]" in result.output


def test_a_real_mbox_from_another_project(tmp_path: Path) -> None:
    """Mail::MboxParser's test mailbox (tests/fixtures/harvest/README.md): one reply from
    Mark Overmeer in the window; Robin Friedrich's 1998 mail is older than `since`."""
    vault = tmp_path / "v"
    (vault / "contacts").mkdir(parents=True)
    (vault / "vtb.toml").write_text(
        '[harvest]\nme = ["tassilo.parseval@post.rwth-aachen.de"]\nsince = "2001-01-01"\n'
        f'mbox = ["{FIXTURES / "harvest" / "mboxparser-testbox.mbox"}"]\n'
    )
    (vault / "contacts" / "Mark Overmeer.md").write_text(
        "---\nname: Mark Overmeer\nemail: markov@atcomputing.nl\n---\n"
    )
    (vault / "contacts" / "Robin Friedrich.md").write_text(
        "---\nname: Robin Friedrich\nemail: friedrich@pythonpros.com\n---\n"
    )
    vtb = Vtb(vault)
    result = vtb("harvest", "--json", today="2001-07-10")
    got = json.loads(result.stdout)
    assert [(p["name"], p["date"], p["channel"], p["text"], p["source_id"]) for p in got] == [
        (
            "Mark Overmeer",
            "2001-07-06",
            "reply",
            "Re: Mail::MboxParser",
            "20010706164307.B12625@atcmpg.ATComputing.nl",
        )
    ]
    assert "9 messages" in result.stderr


def _replies(vault: Path) -> str:
    index = (vault / "Touch Base.md").read_text()
    if "## Replies to answer" not in index:
        return ""
    return index.split("## Replies to answer", 1)[1].split("\n## ", 1)[0]


def test_the_hour_shows_a_persons_found_touches_and_one_key_logs_them(vault: Path) -> None:
    result = Vtb(vault)("hour", input="a\nk\n")
    assert result.exit_code == 0, result.output
    card = result.output.split("── 1/2 · Ana Lima", 1)[1].split("> ", 1)[0]
    assert "found, not logged yet (a logs them):" in card
    assert "    2026-11-20 reply: Photos from the trip" in card
    assert "Logged what was found with Ana Lima (commit " in result.output
    assert "[a]ccept found  s[k]ip" in card + result.output.split(card, 1)[1][:200]
    # her last found touch is her reply: the card stays, to draft the answer; k skips her
    assert "Ana wrote to you: an answer is owed." in result.output
    assert "Skipped Ana Lima." in result.output
    assert git(vault, "log", "-1", "--format=%s").strip() == "harvest: 2 touches, 1 person"
    assert "^h-" in (vault / "contacts" / "Ana Lima.md").read_text()
    assert "^h-" not in (vault / "contacts" / "Cleo Poe.md").read_text()  # not on the plan
    assert "found, not logged yet" not in result.output.split("── 2/2", 1)[1]  # Ben: nothing


def test_accept_with_json_says_what_was_logged_and_the_commit(vault: Path) -> None:
    result = Vtb(vault)("harvest", "--accept", "--json")
    data = json.loads(result.stdout)
    assert [(p["name"], p["date"], p["channel"], p["text"]) for p in data["logged"]] == EXPECTED
    assert data["commits"] == [git(vault, "rev-parse", "HEAD").strip()]
    assert data["problems"] == []


def test_a_broken_note_is_named_in_every_form_of_the_listing(vault: Path) -> None:
    """Touches with a person whose note cannot be read are not found: the note is named."""
    (vault / "contacts" / "Broken.md").write_text("---\nname: [unclosed\n---\n")
    said = "contacts/Broken.md:3: error: bad YAML in frontmatter"
    listing = Vtb(vault)("harvest", "--json")
    assert listing.exit_code == 0, listing.output
    assert said in listing.stderr and json.loads(listing.stdout)
    assert said in Vtb(vault)("harvest").stderr
    accepted = Vtb(vault)("harvest", "--accept", "--json")
    problems = json.loads(accepted.stdout)["problems"]
    assert [p["path"] for p in problems] == ["contacts/Broken.md"]
    assert accepted.exit_code == 0  # the touches found are logged; the note was broken before


def test_a_note_that_cannot_be_changed_is_reported_and_the_others_are_logged(vault: Path) -> None:
    cleo = vault / "contacts" / "Cleo Poe.md"
    cleo.chmod(0o444)
    before = cleo.read_bytes()
    result = Vtb(vault)("harvest", "--accept")
    assert result.exit_code == 1
    assert result.stdout.startswith("Harvest: 2 touches, 1 person logged (commit ")
    assert "contacts/Cleo Poe.md:1: error: cannot write contacts/Cleo Poe.md" in result.stderr
    assert cleo.read_bytes() == before
    assert "Vtb-Contact: contacts/Ana Lima.md\n" in git(vault, "log", "-1", "--format=%B")


def test_an_unreadable_source_is_an_error_naming_it(
    vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vault_touchbase.features.harvest import state

    def refuse(*args: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(state, "read_mbox", refuse)
    result = Vtb(vault)("harvest")
    assert result.exit_code != 0
    assert f"cannot read the mbox {vault / 'archive.mbox'}: Permission denied" in result.output
    assert "Traceback" not in result.output


def test_real_messages_from_cpythons_email_tests_in_a_maildir(tmp_path: Path) -> None:
    """tests/fixtures/harvest/README.md: a comment-form sender and a forwarded message
    whose inner headers are never read; a message without a date is unreadable."""
    import shutil

    vault = tmp_path / "v"
    (vault / "contacts").mkdir(parents=True)
    (vault / "contacts" / "Barry Warsaw.md").write_text(
        "---\nname: Barry Warsaw\nemail: barry@python.org\n---\n"
    )
    (vault / "contacts" / "A Person.md").write_text(
        "---\nname: A Person\nemail: aperson@dom.ain\n---\n"
    )
    (vault / "vtb.toml").write_text('[harvest]\nme = ["bperson@dom.ain"]\nsince = "2001-01-01"\n')
    maildir = tmp_path / "Mail"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    for name in ("msg_06.txt", "msg_35.txt"):
        shutil.copy(
            FIXTURES / "harvest" / "cpython-maildir" / name, maildir / "cur" / f"{name}:2,S"
        )
    result = Vtb(vault)("harvest", "--json", "--maildir", str(maildir), today="2001-09-20")
    got = json.loads(result.stdout)
    assert [(p["name"], p["date"], p["channel"], p["text"], p["source_id"]) for p in got] == [
        (
            "Barry Warsaw",
            "2001-09-13",
            "reply",
            "forwarded message from Barry A. Warsaw",
            "15265.9482.641338.555352@python.org",
        )
    ]
    assert "2 messages, 1 unreadable (skipped)" in result.stderr


def test_a_harvest_of_many_people_names_fifty_in_its_message_and_every_one_in_a_trailer(
    tmp_path: Path,
) -> None:
    import mailbox

    from harvest_vault import message

    vault = tmp_path / "v"
    (vault / "contacts").mkdir(parents=True)
    (vault / "vtb.toml").write_text(f'[harvest]\nme = ["{ME}"]\nmbox = ["sent.mbox"]\n')
    (vault / ".gitignore").write_text("sent.mbox\nTouch Base.md\n")
    box = mailbox.mbox(vault / "sent.mbox")
    people = 60
    for number in range(people):
        (vault / "contacts" / f"Person {number:02d}.md").write_text(
            f"---\nname: Person {number:02d}\nemail: p{number}@example.org\n---\n"
        )
        when = "Tue, 10 Nov 2026 12:00:00 +0000"
        box.add(message(ME, f"p{number}@example.org", "Hello", when, f"<{number}@x>"))
    box.close()
    git(vault, "init", "-q")
    git(vault, "add", "-A")
    git(vault, "commit", "-qm", "initial")
    result = Vtb(vault)("harvest", "--accept")
    assert result.output.startswith("Harvest: 60 touches, 60 people logged (commit ")
    body = git(vault, "log", "-1", "--format=%B")
    assert body.count("Vtb-Contact: contacts/Person ") == people
    assert "Person 49: 1 touch\n… and 10 people more\n" in body
    assert git(vault, "status", "--porcelain").strip() == ""


def test_a_subject_never_becomes_a_live_image_embed_link_or_html_in_notes_or_index(
    vault: Path,
) -> None:
    hostile = 'hi ![t](https://tracker.example/p.png) <img src="https://tracker.example/q.png"> ![[Ben Carter]] [[Ben Carter]] #tag'
    send(vault, "Cleo <cleo@example.org>", hostile, 22, "<hostile@x>")
    vtb = Vtb(vault)
    assert vtb("harvest", "--accept").exit_code == 0
    assert vtb("refresh").exit_code == 0
    note = (vault / "contacts" / "Cleo Poe.md").read_text(encoding="utf-8")
    line = next(line for line in note.splitlines() if "tracker.example/p.png" in line)
    assert "\\![t](" in line and "\\<img" in line and "\\!\\[[Ben" in line
    assert " \\[[Ben Carter]]" in line and "\\#tag" in line
    for text in (note, (vault / "Touch Base.md").read_text(encoding="utf-8")):
        assert "](https://tracker" not in text.replace("\\![t](", "")
        assert "<img" not in text.replace("\\<img", "").replace("&lt;img", "")
        assert "![[Ben" not in text.replace("\\!\\[[", "")


def test_a_log_line_never_carries_control_characters_or_bidi_overrides(vault: Path) -> None:
    vtb = Vtb(vault)
    result = vtb("log", "cleo", "-c", "call", "bell\x07 esc\x1b]0;pwned\x07 bidi\u202eevil\u2028x")
    assert result.exit_code == 0, result.output
    note = (vault / "contacts" / "Cleo Poe.md").read_text(encoding="utf-8")
    line = next(line for line in note.splitlines() if "bell" in line)
    assert " ".join(line.split()).endswith("call: bell esc ]0;pwned bidi evil x")
    assert line.isprintable()  # the escape, the bell, the override and the separator gone


def test_the_listing_names_the_calendar_files_it_could_not_read(vault: Path) -> None:
    (vault / "cut.ics").write_bytes(b"BEGIN:VCALENDAR\r\nBEGIN:VEV")
    result = Vtb(vault)("harvest", "--ics", str(vault / "cut.ics"))
    assert result.exit_code == 0, result.output
    assert "unreadable (skipped)" in result.output
    assert f"  skipped {vault / 'cut.ics'}: " in result.output
