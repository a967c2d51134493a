"""A draft handed on: an RFC 5322 message, `.eml` bytes, a `mailto:` link, or terminal text.

Every header value vtb builds goes through `header_text`: one line, and no `=?`
(the start of an RFC 2047 encoded word, which CPython's `email` decodes back into
CR LF when it folds a header: CVE-2024-6923, fixed in Python 3.12.5 and 3.13).
`eml_bytes` then reads its own bytes back and refuses a message whose headers are
not the ones it set (a check of its own, as the `verify_generated_headers` policy
of fixed Pythons does, which it also turns on where it exists).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vault_touchbase.core.errors import VtbError
from vault_touchbase.core.oneline import single_line
from vault_touchbase.features.drafts.draft import ADDRESS

if TYPE_CHECKING:
    from vault_touchbase.features.drafts.draft import Draft


def header_text(value: str) -> str:
    """A header value that cannot become another header: one line (`single_line`), and
    `=?` written `= ?` so no part of it is ever read as an RFC 2047 encoded word."""
    return single_line(value, squeeze=True).replace("=?", "= ?")


def to_message(draft: Draft) -> Any:
    """The draft as an RFC 5322 message (`email.message.EmailMessage`), marked unsent."""
    from email.headerregistry import Address
    from email.message import EmailMessage
    from email.utils import parseaddr

    message = EmailMessage()
    name = header_text(draft.contact.name)
    message["To"] = [Address(display_name=name, addr_spec=a) for a in draft.to[:1]]
    sender_name, sender_address = parseaddr(draft.sender)
    if sender_address and ADDRESS.match(sender_address):
        message["From"] = Address(display_name=header_text(sender_name), addr_spec=sender_address)
    message["Subject"] = header_text(draft.subject)
    message["X-Unsent"] = "1"  # mail programs open it as a draft to edit and send
    message.set_content(draft.body)
    return message


def eml_bytes(draft: Draft) -> bytes:
    """The `.eml` file's bytes (CRLF line ends, as RFC 5322 has them), checked: read
    back, it has exactly the headers vtb set (VtbError otherwise, nothing written)."""
    from email import message_from_bytes
    from email.errors import MessageError
    from email.policy import SMTP, default

    name = single_line(draft.contact.name, squeeze=True)  # for the messages below
    policy = SMTP
    if hasattr(SMTP, "verify_generated_headers"):  # Python 3.12.5+, 3.13, backports
        policy = SMTP.clone(verify_generated_headers=True)
    try:
        message = to_message(draft)
        data = bytes(message.as_bytes(policy=policy))
        read = message_from_bytes(data, policy=default)
        same = [key.lower() for key in read] == [key.lower() for key in message]
    except (MessageError, ValueError) as exc:  # `email` refusing a header it would mangle
        raise VtbError(
            f"the draft for {name!r} cannot be written as an email: {exc}; nothing was written",
            "check the person's name and addresses, and the `from` of templates/email.md",
        ) from None
    if not same:
        raise VtbError(
            f"the draft for {name!r} would carry headers vtb did not set"
            f" ({', '.join(read.keys())}); nothing was written",
            "check the person's name and the subject in templates/email.md for odd text",
        )
    return data


def mailto(draft: Draft) -> str:
    """A `mailto:` link (RFC 6068) that opens the draft in the mail program."""
    from urllib.parse import quote

    to = ",".join(quote(a, safe="@") for a in draft.to[:1])
    body = draft.body.replace("\r\n", "\n").replace("\n", "\r\n")
    query = f"subject={quote(header_text(draft.subject), safe='')}&body={quote(body, safe='')}"
    return f"mailto:{to}?{query}"


def as_text(draft: Draft) -> str:
    """The draft as the terminal shows it: a few headers, a blank line, the body; someone
    without an email address gets a line saying to tell them in person or by phone."""
    if not draft.to:
        phone = next(iter(draft.contact.phones), "")
        how = f"by phone ({phone})" if phone else "by phone"
        note = f"(no email address for {draft.contact.name}: tell them in person or {how})"
        return f"{note}\n\n{draft.body}"
    to = ", ".join(f"{draft.contact.name} <{a}>" for a in draft.to[:1])
    return f"To: {to}\nSubject: {draft.subject}\n\n{draft.body}"
