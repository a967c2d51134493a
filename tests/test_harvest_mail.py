"""Harvest's parts: block ids in the Log, reading one message's headers, the read state
that makes a second run fast, and `[harvest]` in vtb.toml."""

from __future__ import annotations

import io
import mailbox
from datetime import date
from pathlib import Path

import pytest
from harvest_vault import message

from vault_touchbase.core.errors import SettingsError
from vault_touchbase.core.settings import parse_settings
from vault_touchbase.features.harvest import mailread, state
from vault_touchbase.features.harvest.found import Proposal, block_id
from vault_touchbase.notes.edit_log import add_log_entry
from vault_touchbase.notes.log import parse_log, read_log, scan_log

DAY = "Tue, 10 Nov 2026 12:00:00 +0000"

# --- block ids in the Log -------------------------------------------------------------------


def test_a_block_id_is_kept_out_of_the_entrys_text_by_the_scan_and_the_parser() -> None:
    body = "## Log\n- 2026-11-10 email: Re: the grant ^h-3f9a2c1b0d\n- 2026-11-09 call: x^2 ^\n"
    scanned, _ = scan_log(body, 1)
    parsed, _ = parse_log(body, 1)
    assert scanned == parsed
    assert [(e.text, e.block) for e in scanned] == [
        ("Re: the grant", "h-3f9a2c1b0d"),
        ("x^2 ^", ""),
    ]


def test_a_block_id_alone_and_on_a_channel_less_entry() -> None:
    entries, _ = read_log("## Log\n- 2026-11-10 ^abc\n- 2026-11-09: met ^Ref-2\n", 1)
    assert [(e.channel, e.text, e.block) for e in entries] == [
        (None, "", "abc"),
        (None, "met", "Ref-2"),
    ]


def test_add_log_entry_writes_the_block_id_at_the_end_of_the_line() -> None:
    text = "---\nname: A\n---\n## Log\n- 2026-10-01 call: hi\n"
    new = add_log_entry(text, date(2026, 11, 10), "email", "Re: grant", "h-0123456789")
    assert new == (
        "---\nname: A\n---\n## Log\n- 2026-11-10 email: Re: grant ^h-0123456789\n"
        "- 2026-10-01 call: hi\n"
    )
    assert read_log(new.split("---\n", 2)[2], 4)[0][0].block == "h-0123456789"


def test_the_block_id_is_a_short_digest_of_the_source_id_the_same_everywhere() -> None:
    assert block_id("m1@x") == block_id("m1@x") != block_id("m2@x")
    assert block_id("m1@x").startswith("h-") and len(block_id("m1@x")) == 12
    proposal = Proposal("p.md", "P", date(2026, 1, 1), "email", "t", "m1@x", "mbox x")
    assert proposal.block == block_id("m1@x")


# --- one message ----------------------------------------------------------------------------


def test_one_line_removes_controls_and_bidi_overrides_and_caps_the_length() -> None:
    assert mailread.one_line("a\r\nb\x1b[0m\u202ec\td") == "a b[0mc d"
    long = mailread.one_line("word " * 100)
    assert len(long) == mailread.MAX_TEXT and long.endswith("…")


@pytest.mark.parametrize(
    "extra",
    [
        {"List_Id": "<list.example.org>"},
        {"Precedence": "bulk"},
        {"Precedence": "junk"},
        {"Auto_Submitted": "auto-replied"},
        {"List_Unsubscribe": "<mailto:x@y>"},
    ],
)
def test_bulk_mail_is_never_a_touch(extra: dict[str, str]) -> None:
    data = message("a@x.org", "b@y.org", "News", DAY, "<n@x>", **extra).as_bytes()
    assert mailread.read_mail(data) == ("bulk", None)


def test_a_message_without_a_sender_or_a_date_cannot_be_read() -> None:
    assert mailread.read_mail(b"Subject: hi\n") == ("bad", None)
    assert mailread.read_mail(b"From: a@x.org\nDate: not a date\n") == ("bad", None)
    assert mailread.read_mail(b"\x00\xff\xfe") == ("bad", None)


def test_a_message_without_a_message_id_gets_a_stable_one() -> None:
    data = message("A <A@X.org>", "b@y.org, C <c@z.org>", "Hi", DAY, None, cc="d@w.org").as_bytes()
    kind, mail = mailread.read_mail(data)
    assert kind == "mail" and mail is not None
    assert (
        mail.message_id.startswith("vtb-")
        and mail.message_id == mailread.read_mail(data)[1].message_id
    )  # type: ignore[union-attr]
    assert (mail.sender, mail.recipients, mail.day) == (
        "a@x.org",
        ("b@y.org", "c@z.org", "d@w.org"),
        date(2026, 11, 10),
    )


def test_a_huge_header_is_read_only_up_to_the_cap() -> None:
    head = b"From: a@x.org\nDate: " + DAY.encode() + b"\nX-Junk: " + b"j" * 5_000_000 + b"\n"
    block = mailread.header_block(io.BytesIO(head + b"\nbody\n"))
    assert len(block) < mailread.MAX_HEADER_BYTES + 70_000
    assert mailread.read_mail(block)[0] == "mail"


# --- the read state ------------------------------------------------------------------------


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Every header block `read_mail` is given, in order."""
    seen: list[bytes] = []
    real = mailread.read_mail

    def spy(data: bytes) -> tuple[str, object]:
        seen.append(data)
        return real(data)  # type: ignore[return-value]

    monkeypatch.setattr(mailread, "read_mail", spy)
    return seen


def _mbox(path: Path, *subjects: str) -> None:
    box = mailbox.mbox(path)
    for subject in subjects:
        box.add(message("a@x.org", "b@y.org", subject, DAY, f"<{subject}@x>"))
    box.close()


def test_an_unchanged_mbox_is_not_read_again_and_a_grown_one_only_from_its_end(
    tmp_path: Path, reads: list[bytes]
) -> None:
    box, state_dir = tmp_path / "a.mbox", tmp_path / "vault" / ".vtb"
    _mbox(box, "one", "two", "three")
    first = state.mbox_source(box, state_dir)
    assert [m.subject for m in first.mails] == ["one", "two", "three"] and len(reads) == 3
    assert [m.subject for m in state.mbox_source(box, state_dir).mails] == ["one", "two", "three"]
    assert len(reads) == 3  # nothing read again
    _mbox(box, "four")
    assert [m.subject for m in state.mbox_source(box, state_dir).mails][-1] == "four"
    assert len(reads) == 5  # the last message read before (it may have been cut short) and the new
    box.write_bytes(box.read_bytes().replace(b"Subject: one", b"Subject: One"))
    assert state.mbox_source(box, state_dir).mails[0].subject == "One"  # rewritten: all again
    assert len(reads) == 9


def test_a_maildir_reads_only_new_files_and_forgets_deleted_ones(
    tmp_path: Path, reads: list[bytes]
) -> None:
    folder, state_dir = tmp_path / "Mail", tmp_path / "vault" / ".vtb"
    box = mailbox.Maildir(folder)
    key = box.add(message("a@x.org", "b@y.org", "one", DAY, "<1@x>"))
    assert len(state.maildir_source(folder, state_dir).mails) == 1 and len(reads) == 1
    box.add(message("a@x.org", "b@y.org", "two", DAY, "<2@x>"))
    assert len(state.maildir_source(folder, state_dir).mails) == 2 and len(reads) == 2
    box.remove(key)
    assert [m.subject for m in state.maildir_source(folder, state_dir).mails] == ["two"]
    assert len(reads) == 2


def test_a_fifo_in_a_maildir_is_counted_unreadable_not_waited_on(tmp_path: Path) -> None:
    import os

    folder, state_dir = tmp_path / "Mail", tmp_path / "vault" / ".vtb"
    box = mailbox.Maildir(folder)
    box.add(message("a@x.org", "b@y.org", "one", DAY, "<1@x>"))
    os.mkfifo(folder / "new" / "1700000000.fifo.host")
    (folder / "cur" / "1700000001.dir.host:2,S").mkdir()  # a folder: mailbox skips it
    read = state.maildir_source(folder, state_dir)  # returns: nothing blocks on the FIFO
    assert [m.subject for m in read.mails] == ["one"] and read.unparsable == 1  # the FIFO


def test_a_corrupt_state_is_a_miss_never_an_error(tmp_path: Path, reads: list[bytes]) -> None:
    box, state_dir = tmp_path / "a.mbox", tmp_path / "vault" / ".vtb"
    _mbox(box, "one")
    state.mbox_source(box, state_dir)
    for kept in (state_dir / state.STATE_FOLDER).iterdir():
        kept.write_bytes(b"\x93garbage")
    assert len(state.mbox_source(box, state_dir).mails) == 1 and len(reads) == 2


# --- settings --------------------------------------------------------------------------------


def test_harvest_settings_take_a_string_or_a_list() -> None:
    harvest = parse_settings(
        '[harvest]\nme = "sam@example.com"\nmaildir = ["~/Mail/INBOX", "~/Mail/Sent"]\n'
        'daily_notes = "Daily"\nsince = "6m"\n'
    ).harvest
    assert harvest.me == ("sam@example.com",)
    assert harvest.maildir == ("~/Mail/INBOX", "~/Mail/Sent")
    assert (harvest.daily_notes, harvest.since, harvest.mbox) == (("Daily",), "6m", ())
    assert parse_settings("").harvest.since == "1y"


@pytest.mark.parametrize(
    ("toml", "message_part"),
    [
        ('[harvest]\nsince = "soon"', "since = 'soon'"),
        ("[harvest]\nmbox = 3", "mbox must be a string or a list of strings"),
        ('[harvest]\nmaildirs = ["x"]', "unknown key 'maildirs'"),
    ],
)
def test_bad_harvest_settings_name_the_key(toml: str, message_part: str) -> None:
    with pytest.raises(SettingsError) as caught:
        parse_settings(toml)
    assert message_part in caught.value.message


def test_long_reads_report_progress(tmp_path: Path) -> None:
    box = tmp_path / "a.mbox"
    _mbox(box, *(f"m{n}" for n in range(450)))
    calls: list[tuple[int, int]] = []
    state.mbox_source(
        box, tmp_path / "vault" / ".vtb", lambda done, total: calls.append((done, total))
    )
    assert calls == [(200, 450), (400, 450), (450, 450)]


def test_raw_8bit_headers_are_read_as_utf8_and_kept_encodable(tmp_path: Path) -> None:
    data = (
        b"From: J\xc3\xb6rg <J@X.org>\nDate: "
        + DAY.encode()
        + b"\nSubject: Gr\xc3\xbc\xc3\x9fe \xff\n"
    )
    kind, mail = mailread.read_mail(data)
    assert kind == "mail" and mail is not None
    assert (mail.sender, mail.subject) == ("j@x.org", "Grüße \ufffd")
    box = tmp_path / "a.mbox"
    box.write_bytes(b"From j@x.org Tue Nov 10 12:00:00 2026\n" + data + b"\nbody\n")
    state.mbox_source(box, tmp_path / "vault" / ".vtb")  # kept in the state without an error
    assert list((tmp_path / "vault" / ".vtb" / state.STATE_FOLDER).iterdir())


def test_the_commented_block_vtb_init_writes_reads_back_when_uncommented() -> None:
    from vault_touchbase.core.settings import TEMPLATE_TOML

    block = TEMPLATE_TOML[TEMPLATE_TOML.index("# [harvest]") :]
    harvest = parse_settings("\n".join(line[2:] for line in block.splitlines())).harvest
    assert harvest.maildir == ("~/Mail/INBOX", "~/Mail/Sent")
    assert (harvest.daily_notes, harvest.since) == (("Daily",), "1y")


# --- calendars and daily notes, through find_proposals -----------------------------------


def test_calendars_and_daily_notes_join_the_mail_in_one_harvest(tmp_path: Path) -> None:
    from vault_touchbase.core.model import Contact
    from vault_touchbase.features.harvest import collect

    cleo = Contact("contacts/Cleo Poe.md", "Cleo Poe", emails=("c@x.org",))
    calendar = tmp_path / "cal.ics"
    calendar.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
        "BEGIN:VEVENT\r\nUID:uid-1\r\nDTSTAMP:20261101T000000Z\r\n"
        "DTSTART:20261103T120000Z\r\nDTEND:20261103T130000Z\r\nSUMMARY:Lunch\r\n"
        "ATTENDEE:mailto:C@X.org\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:uid-2\r\nDTSTAMP:20261101T000000Z\r\n"
        "DTSTART:20261203T120000Z\r\nSUMMARY:Future lunch with Cleo Poe\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n",
        encoding="utf-8",
    )
    (tmp_path / "cut.ics").write_bytes(b"BEGIN:VCALENDAR\r\nBEGIN:VEV")
    daily = tmp_path / "vault" / "Daily"
    daily.mkdir(parents=True)
    (daily / "2026-11-10.md").write_text("- called [[Cleo Poe]] about the fair\n", "utf-8")
    # the calendar's lunch, written in the daily note too: one touch, not two
    (daily / "2026-11-03.md").write_text("Lunch with [[Cleo Poe]] at the mill.\n", "utf-8")
    sources = collect.Sources(ics=(calendar, tmp_path / "cut.ics"), daily=(daily,))
    found = collect.find_proposals(
        [cleo],
        sources,
        (),
        date(2025, 11, 26),
        date(2026, 11, 26),
        tmp_path / "vault" / ".vtb",
        vault_root=tmp_path / "vault",
    )
    assert [(p.day, p.channel, p.text, p.source_id) for p in found.proposals] == [
        (date(2026, 11, 3), "meet", "Lunch", "uid-1/2026-11-03"),
        (
            date(2026, 11, 10),
            "call",
            "called Cleo Poe about the fair",
            found.proposals[1].source_id,
        ),
    ]
    assert found.proposals[1].source_id.startswith("Daily/2026-11-10.md#")
    assert found.unparsable == 1 and found.skipped[0].path.endswith("cut.ics")
    assert found.logged == 1
