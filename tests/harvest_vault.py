"""A test vault for `vtb harvest`: three people, a Maildir (sent mail, replies, a
newsletter, an unparsable file, a huge header) and an mbox; the proposals it must give."""

from __future__ import annotations

import mailbox
import subprocess
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

ME = "sam@example.com"
EXPECTED = [  # (name, date, channel, text), as `vtb harvest --json` lists them
    ("Ana Lima", "2026-11-12", "email", "Lunch? - 2026-01-01 call: fake[31m"),
    ("Ana Lima", "2026-11-20", "reply", "Photos from the trip"),
    ("Cleo Poe", "2026-11-10", "email", "Re: the grant"),
    ("Cleo Poe", "2026-11-15", "email", "Dinner plans"),
]

CLEO = """---
name: Cleo Poe
emails: [cleo@example.org, Cleo.Poe@Work.example]
last_contacted: 2026-10-01
---
Grant writer.

## Log
- 2026-10-01 call: caught up
"""
ANA = """---
name: Ana Lima
email: ana@example.org
---
"""
BEN = """---
name: Ben Carter
---
No email address.
"""


def message(
    sender: str,
    to: str,
    subject: str,
    when: str,
    message_id: str | None,
    cc: str = "",
    **extra: str,
) -> EmailMessage:
    """One message with these headers and a body never to be copied anywhere."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    if cc:
        msg["Cc"] = cc
    msg["Subject"] = subject
    msg["Date"] = when
    if message_id:
        msg["Message-ID"] = message_id
    for key, value in extra.items():
        msg[key.replace("_", "-")] = value
    msg.set_content("SECRET BODY: never copied into a note\n")
    return msg


def make_vault(root: Path) -> Path:
    """The vault (its own git repository) with `Mail/` (a Maildir) and `archive.mbox`."""
    vault = root / "vault"
    (vault / "contacts").mkdir(parents=True)
    (vault / "vtb.toml").write_text(
        f'[harvest]\nme = ["{ME}"]\nmaildir = ["Mail/INBOX", "Mail/Sent"]\n'
        'mbox = ["archive.mbox"]\n'
    )
    (vault / ".gitignore").write_text("Mail/\narchive.mbox\n")
    for name, text in (("Cleo Poe", CLEO), ("Ana Lima", ANA), ("Ben Carter", BEN)):
        (vault / "contacts" / f"{name}.md").write_text(text)
    (vault / "Mail").mkdir()
    sent = mailbox.Maildir(vault / "Mail" / "Sent", create=True)
    sent.add(message(ME, "Cleo <cleo@example.org>", "Re: the grant", _day(10), "<m1@x>"))
    sent.add(  # a header injection and a terminal escape, encoded: one clean line
        f"From: {ME}\nTo: someone@else.example\nCc: ana@example.org\n"
        "Subject: =?utf-8?q?Lunch=3F=0D=0A-_2026-01-01_call=3A_fake=1B[31m?=\n"
        f"Date: {_day(12)}\nMessage-ID: <m2@x>\n\nSECRET BODY\n".encode()
    )
    inbox = mailbox.Maildir(vault / "Mail" / "INBOX", create=True)
    inbox.add(message("cleo.poe@work.example", ME, "The grant", _day(9), "<m3@x>"))  # answered
    inbox.add(message("Ana <ANA@example.org>", ME, "Photos from the trip", _day(20), "<m4@x>"))
    inbox.add(  # a newsletter, even from a contact's address
        message("ana@example.org", ME, "Weekly digest", _day(21), "<m5@x>", List_Id="<x.y>")
    )
    inbox.add(message("stranger@example.net", ME, "Hello", _day(22), "<m6@x>"))
    inbox.add(
        message("cleo@example.org", ME, "Old news", "Mon, 02 Sep 2024 12:00:00 +0000", "<m7@x>")
    )
    inbox.add(  # a header block of 300 KB: read up to the cap, never all of it
        message("stranger@example.net", ME, "Huge", _day(23), "<m8@x>", X_Junk="j" * 300_000)
    )
    (vault / "Mail" / "INBOX" / "new" / "1700000000.garbage.host").write_bytes(
        b"\x00\xff\xfe not a message at all\n\n\x00"
    )
    box = mailbox.mbox(vault / "archive.mbox", create=True)
    box.add(message(ME, "cleo@example.org", "Dinner plans", _day(15), "<m9@x>"))
    box.add(message(ME, "cleo@example.org", "Re: the grant", _day(10), "<m1@x>"))  # a copy of m1
    box.add(
        message(ME, "cleo@example.org", "Christmas", "Thu, 24 Dec 2026 12:00:00 +0000", "<m10@x>")
    )
    box.close()
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "initial"]):
        subprocess.run(["git", *args], cwd=vault, check=True, capture_output=True)
    return vault


def _day(day: int) -> str:
    return format_datetime(datetime(2026, 11, day, 12, 0, tzinfo=UTC))


def send(vault: Path, to: str, subject: str, day: int, message_id: str, sender: str = ME) -> None:
    """A message you sent, added to the Sent Maildir."""
    sent = mailbox.Maildir(vault / "Mail" / "Sent", create=False)
    sent.add(message(sender, to, subject, _day(day), message_id))
