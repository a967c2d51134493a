"""One person's draft put together (and the two notes of a double opt-in introduction)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from vault_touchbase.core.model import Contact, LogEntry
from vault_touchbase.core.oneline import single_line
from vault_touchbase.features.drafts.news import (
    NOW_PATH,
    NewsPiece,
    choose_news,
    is_placeholder,
    read_news,
)
from vault_touchbase.features.drafts.personal import (
    article,
    personal_lines,
    reply_owed,
    reply_subject,
)
from vault_touchbase.features.drafts.template import (
    Template,
    load_template,
    render_template,
)
from vault_touchbase.notes.log import DRAFT_TEXT

if TYPE_CHECKING:
    from vault_touchbase.features.intros import Intro
    from vault_touchbase.vault.folder import Vault

PLACEHOLDER = "[add something personal]"
UNSIGNED = "[your name]"
# An address with `=?` (an RFC 2047 encoded word, which `email` may decode into a line
# break) is not usable either.
ADDRESS = re.compile(
    r"^(?!.*=\?)[^@\s<>(),;:\"\[\]\\]+@[^@\s<>(),;:\"\[\]\\]+\.[^@\s<>(),;:\"\[\]\\]+$"
)


@dataclass(frozen=True)
class Draft:
    """One person's email, ready to copy, save as .eml or open as a mailto: link."""

    contact: Contact
    to: tuple[str, ...]  # usable addresses
    subject: str
    body: str
    sender: str
    news: tuple[str, ...]  # labels of the news pieces used
    personal: bool  # False: the placeholder is in it
    warnings: tuple[str, ...] = field(default=())

    def log_text(self, text: str = "") -> str:
        """The Log entry's text when this draft is sent: `TEXT (news: a, b)`."""
        text = " ".join(text.split()) or DRAFT_TEXT
        return f"{text} (news: {', '.join(self.news)})" if self.news else text


def usable_address(value: str) -> bool:
    """Whether `value` is one plain email address a draft may put in its To: header."""
    return ADDRESS.match(value.strip()) is not None


def addresses(contact: Contact) -> tuple[tuple[str, ...], list[str]]:
    """The contact's usable email addresses, and a warning for each unusable one
    (a value with spaces or line breaks could smuggle in a header)."""
    good: list[str] = []
    warnings = []
    for value in contact.emails:
        value = value.strip()
        if usable_address(value):
            good.append(value)
        else:
            shown = single_line(value, squeeze=True)
            warnings.append(f"{contact.path}: {shown!r} is not a usable email address")
    return tuple(good), warnings


def make_draft(
    vault: Vault,
    contact: Contact,
    intros: Sequence[Intro],
    today: date,
    template: Template | None = None,
    news: Sequence[NewsPiece] | None = None,
) -> Draft:
    """The personal draft for one person (see the module's docstring)."""
    warnings: list[str] = []
    if template is None:
        template, notices = load_template(vault)
        warnings += notices
    pieces = list(read_news(vault) if news is None else news)
    blanks = [p.label for p in pieces if is_placeholder(p)]
    pieces = [p for p in pieces if not is_placeholder(p)]
    chosen = choose_news(pieces, contact, template.news)
    if blanks and template.news:
        warnings.append(
            f"add your news to {NOW_PATH}: {', '.join(blanks)} is still the placeholder "
            "`vtb init` wrote, so it is left out of the draft"
        )
    elif not pieces and template.news:
        warnings.append(f"add your news to {NOW_PATH} (list items under ## News)")
    elif not chosen and template.news:
        warnings.append(f"{contact.name} has heard all your news in {NOW_PATH}; add something new")
    lines = personal_lines(contact, intros, today)
    if not lines:
        warnings.append(
            f"nothing personal to say to {contact.name}: replace {PLACEHOLDER} in the draft "
            "(a Log entry, needs or offers in their note give vtb something to go on)"
        )
    to, bad = addresses(contact)
    warnings += bad
    if not to:
        warnings.append(f"{contact.name} has no email address in {contact.path}")
    sender, me = signature(vault, template)
    if me == UNSIGNED:
        warnings.append(
            f'sign with your name: set from: "Your Name <you@example.com>" in {template.where}, '
            'or git\'s name: git config --global user.name "Your Name"'
        )
    values: dict[str, Any] = {
        "name": contact.name,
        "first_name": contact.first_name,
        "personal": "\n\n".join(lines) if lines else PLACEHOLDER,
        "personal_lines": lines,
        "news": [p.text for p in chosen],
        "news_labels": [p.label for p in chosen],
        "needs": list(contact.needs),
        "offers": list(contact.offers),
        "followups": [f.text for f in contact.open_followups],
        "last": _entry_values(contact.last_entry),
        "me": me,
        "today": today,
    }
    subject, body = render_template(template, values)
    owed = reply_owed(contact)
    if owed is not None:  # the draft is an answer
        subject = single_line(reply_subject(owed, contact), squeeze=True)
    return Draft(
        contact, to, subject, body, sender, tuple(p.label for p in chosen), bool(lines),
        tuple(warnings),
    )  # fmt: skip


def _entry_values(entry: LogEntry | None) -> dict[str, Any] | None:
    if entry is None:
        return None
    return {"date": entry.date, "channel": entry.channel or "", "text": entry.text}


def signature(vault: Vault, template: Template) -> tuple[str, str]:
    """Who the draft is from (`Name <address>`, or "") and the name it is signed with: the
    template's `from:`, else `[identity]` in vtb.toml, else git's `user.name`; UNSIGNED
    only when no name is known anywhere."""
    from vault_touchbase.git.commits import user_name

    sender = template.sender or _identity(vault)
    return sender, _display_name(sender) or user_name(vault.root) or UNSIGNED


def _identity(vault: Vault) -> str:
    name, email = vault.settings.identity_name, vault.settings.identity_email
    if name and email:
        return f"{name} <{email}>"
    return name


def _display_name(sender: str) -> str:
    from email.utils import parseaddr

    name, address = parseaddr(sender)
    return name or ("" if "@" in sender else sender)


def similarity(a: str, b: str) -> float:
    """How alike two drafts are (0 to 1), leaving out the greeting line with the name."""
    import difflib

    def core(text: str) -> str:
        return text.split("\n", 1)[1] if "\n" in text else text

    matcher = difflib.SequenceMatcher(None, core(a), core(b), autojunk=False)
    if matcher.real_quick_ratio() < 0.5 or matcher.quick_ratio() < 0.5:
        return matcher.quick_ratio()
    return matcher.ratio()


def intro_drafts(
    vault: Vault, a: Contact, b: Contact, intro: Intro | None, text: str
) -> list[Draft]:
    """Double opt-in: a short note to each of the two, asking whether they would like
    the introduction, before the user connects them."""
    template, _ = load_template(vault)
    sender, me = signature(vault, template)
    drafts = []
    for one, other in ((a, b), (b, a)):
        why = _why(one, other, intro, text)
        to, warnings = addresses(one)
        connect = "send you both an email to connect you" if to else "put you two in touch"
        body = (
            f"Hi {one.first_name},\n\n"
            f"I'd like to introduce you to {other.name}{why}. I think you two would get on.\n\n"
            f"Would you like me to? If you say yes (and {other.first_name} does too), "
            f"I'll {connect}.\n\n"
            f"Best,\n{me}\n"
        )
        drafts.append(
            Draft(
                one, to, f"An introduction: {other.name}", body, sender, (), True, tuple(warnings)
            )
        )
    return drafts


def _why(one: Contact, other: Contact, intro: Intro | None, text: str) -> str:
    if intro is not None and intro.taker.path == one.path:
        return f", who offers {intro.offer} (you mentioned needing {article(intro.need)})"
    if intro is not None and intro.giver.path == one.path:
        return f", who is looking for {article(intro.need)} (you offer {intro.offer})"
    return f" ({' '.join(text.split())})" if text.strip() else ""
