"""Touches in mail: what you sent a contact (`email`) and what they sent you (`reply`).

A message from one of your own addresses to a contact's (To or Cc) is an
`email` touch on its date, its subject as the text. A message from a contact is
a `reply` (they wrote, you owe an answer) unless you wrote to them after it, in
any of the sources read. Mail from anyone else is no touch; bulk and unparsable
messages were left out when read (`mailread.py`). The Message-ID is the source id.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from vault_touchbase.core.model import Contact
from vault_touchbase.features.harvest.found import Directory, Proposal
from vault_touchbase.features.harvest.mailread import Mail, MailRead

NO_SUBJECT = "(no subject)"


def mail_proposals(
    reads: Iterable[MailRead], directory: Directory, me: Collection[str]
) -> list[Proposal]:
    """The `email` and `reply` touches in the messages read, oldest first."""
    mine = {address.strip().lower() for address in me}
    sent: list[tuple[Mail, Contact, str]] = []
    received: list[tuple[Mail, Contact, str]] = []
    last_sent: dict[str, float] = {}  # contact's path → the newest time you wrote to them
    for read in reads:
        for mail in read.mails:
            if mail.sender in mine:
                for contact in _contacts_of(mail.recipients, directory, mine):
                    sent.append((mail, contact, read.source))
                    last_sent[contact.path] = max(last_sent.get(contact.path, 0.0), mail.when)
            else:
                writer = directory.by_email(mail.sender)
                if writer is not None:
                    received.append((mail, writer, read.source))
    found = [(mail, contact, source, "email") for mail, contact, source in sent]
    found += [
        (mail, contact, source, "reply")
        for mail, contact, source in received
        if last_sent.get(contact.path, float("-inf")) <= mail.when  # not answered since
    ]
    found.sort(key=lambda item: item[0].when)
    return [
        Proposal(
            contact.path,
            contact.name,
            mail.day,
            channel,
            mail.subject or NO_SUBJECT,
            mail.message_id,
            source,
        )
        for mail, contact, source, channel in found
    ]


def _contacts_of(
    recipients: Iterable[str], directory: Directory, mine: Collection[str]
) -> list[Contact]:
    """The contacts among `recipients` (not yourself), each once."""
    found: dict[str, Contact] = {}
    for address in recipients:
        if address in mine:
            continue
        contact = directory.by_email(address)
        if contact is not None:
            found.setdefault(contact.path, contact)
    return list(found.values())
