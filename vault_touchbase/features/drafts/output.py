"""A draft handed on: an RFC 5322 message, `.eml` bytes, a `mailto:` link, or terminal text."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vault_touchbase.features.drafts.draft import ADDRESS
from vault_touchbase.features.drafts.template import one_line

if TYPE_CHECKING:
    from vault_touchbase.features.drafts.draft import Draft


def to_message(draft: Draft) -> Any:
    """The draft as an RFC 5322 message (`email.message.EmailMessage`), marked unsent."""
    from email.headerregistry import Address
    from email.message import EmailMessage
    from email.utils import parseaddr

    message = EmailMessage()
    name = one_line(draft.contact.name)
    message["To"] = [Address(display_name=name, addr_spec=a) for a in draft.to[:1]]
    sender_name, sender_address = parseaddr(draft.sender)
    if sender_address and ADDRESS.match(sender_address):
        message["From"] = Address(display_name=one_line(sender_name), addr_spec=sender_address)
    message["Subject"] = one_line(draft.subject)
    message["X-Unsent"] = "1"  # mail programs open it as a draft to edit and send
    message.set_content(draft.body)
    return message


def eml_bytes(draft: Draft) -> bytes:
    """The `.eml` file's bytes (CRLF line ends, as RFC 5322 has them)."""
    from email.policy import SMTP

    return bytes(to_message(draft).as_bytes(policy=SMTP))


def mailto(draft: Draft) -> str:
    """A `mailto:` link (RFC 6068) that opens the draft in the mail program."""
    from urllib.parse import quote

    to = ",".join(quote(a, safe="@") for a in draft.to[:1])
    body = draft.body.replace("\r\n", "\n").replace("\n", "\r\n")
    query = f"subject={quote(one_line(draft.subject), safe='')}&body={quote(body, safe='')}"
    return f"mailto:{to}?{query}"


def as_text(draft: Draft) -> str:
    """The draft as the terminal shows it: a few headers, a blank line, the body."""
    to = ", ".join(f"{draft.contact.name} <{a}>" for a in draft.to[:1]) or "(no address)"
    return f"To: {to}\nSubject: {draft.subject}\n\n{draft.body}"


def intro_as_text(draft: Draft) -> str:
    """A double opt-in email as the terminal shows it; someone without an email address
    gets a line saying to tell them in person or by phone, not `To: (no address)`."""
    if draft.to:
        return as_text(draft)
    phone = next(iter(draft.contact.phones), "")
    how = f"by phone ({phone})" if phone else "by phone"
    return (
        f"(no email address for {draft.contact.name}: tell them in person or {how})\n\n{draft.body}"
    )
