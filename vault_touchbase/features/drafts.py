"""Personal email drafts: a template note, the person's context and the user's news.

The template is `templates/email.md` in the vault (Jinja2, sandboxed; plain text,
so nothing is HTML-escaped). The draft gets the person's first name, a line tied
to the last conversation or to their follow-ups and needs, and pieces of the
user's news from `Now.md` (each list item under `## News` is one piece, `- label:
text`), preferring pieces this person has not heard: a logged draft names the
pieces it used, `(news: studio move)`, in the Log entry. A person with nothing
personal to say gets a visible placeholder and a warning, never a form letter.

Nothing here sends mail: drafts are text, an `.eml` file or a `mailto:` link.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from vault_touchbase.core.errors import VtbError
from vault_touchbase.core.model import Contact, LogEntry

if TYPE_CHECKING:
    from vault_touchbase.features.intros import Intro
    from vault_touchbase.vault.folder import Vault

TEMPLATE_PATH = "templates/email.md"
NOW_PATH = "Now.md"
PLACEHOLDER = "[add something personal]"
NEWS_PIECES = 2  # pieces of news per draft, unless the template's `news:` says otherwise
_NEWS_MARK = re.compile(r"\(news:\s*([^)]*)\)", re.IGNORECASE)
_NEWS_HEADING = re.compile(r"^#{1,6}\s+news\s*#*\s*$", re.IGNORECASE)
_HEADING = re.compile(r"^#{1,6}\s")
_ITEM = re.compile(r"^\s{0,3}[-*+]\s+(?:\[[ xX]\]\s+)?(.+?)\s*$")
_WIKILINK = re.compile(r"\[\[([^\[\]|#\n]+)(?:#[^\[\]|\n]*)?(?:\|([^\[\]\n]+))?\]\]")
_ADDRESS = re.compile(r"^[^@\s<>(),;:\"\[\]\\]+@[^@\s<>(),;:\"\[\]\\]+\.[^@\s<>(),;:\"\[\]\\]+$")


# --- the user's news -------------------------------------------------------------------


@dataclass(frozen=True)
class NewsPiece:
    """One reusable piece of the user's news: `- label: text` under `## News` in Now.md."""

    label: str
    text: str


def parse_news(text: str) -> list[NewsPiece]:
    """The list items under the `## News` heading (until the next heading)."""
    pieces: list[NewsPiece] = []
    inside = False
    for line in text.replace("\r\n", "\n").split("\n"):
        if _HEADING.match(line):
            inside = bool(_NEWS_HEADING.match(line.strip()))
            continue
        item = _ITEM.match(line) if inside else None
        if not item:
            continue
        label, colon, rest = item.group(1).partition(":")
        if colon and rest.strip() and len(label.split()) <= 6:
            pieces.append(NewsPiece(_clean_label(label), rest.strip()))
        else:  # no label: the first words stand for it
            pieces.append(NewsPiece(_clean_label(" ".join(label.split()[:3])), item.group(1)))
    return [p for p in pieces if p.label and p.text]


def _clean_label(label: str) -> str:
    """A label as it can sit inside `(news: a, b)`: no commas or brackets."""
    return " ".join(re.sub(r"[(),\[\]]", " ", label).split()).lower()


def read_news(vault: Vault) -> list[NewsPiece]:
    """The pieces in the vault's Now.md; none when it is missing."""
    try:
        return parse_news(vault.path_of(NOW_PATH).read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise VtbError(f"cannot read {NOW_PATH}: {exc}", "save it as UTF-8 text") from None


def heard(contact: Contact) -> set[str]:
    """Labels of the news this person has heard: `(news: a, b)` in their Log entries."""
    found: set[str] = set()
    for entry in contact.log:
        for match in _NEWS_MARK.finditer(entry.text):
            found |= {_clean_label(label) for label in match.group(1).split(",")}
    return found - {""}


def choose_news(pieces: Sequence[NewsPiece], contact: Contact, count: int) -> list[NewsPiece]:
    """Up to `count` pieces this person has not heard, those closest to what we know of
    them first (tags, needs, offers, their Log), then in Now.md's order."""
    from vault_touchbase.features.intros import words

    known = heard(contact)
    fresh = [p for p in pieces if p.label not in known]
    context = " ".join(
        [contact.circle, *contact.tags, *contact.needs, *contact.offers, contact.summary]
        + [e.text for e in contact.log[:5]]
        + [contact.path.rsplit("/", 1)[0] if "/" in contact.path else ""]
    )
    theirs = set(words(context.replace("-", " ")))

    def overlap(piece: NewsPiece) -> int:
        return len(theirs & set(words(f"{piece.label} {piece.text}")))

    ranked = sorted(enumerate(fresh), key=lambda pair: (-overlap(pair[1]), pair[0]))
    return [piece for _, piece in ranked[: max(count, 0)]]


# --- saying it to them ---------------------------------------------------------------------

_SUBJECTS = {"he", "she"}
_IRREGULAR = {"is": "are", "was": "were", "has": "have", "does": "do", "isn't": "aren't"}
_IRREGULAR |= {"wasn't": "weren't", "hasn't": "haven't", "doesn't": "don't"}
_ADVERBS = {"also", "still", "now", "just", "really", "finally", "already", "often", "never"}
_OBJECT_AFTER = {
    "to", "for", "about", "with", "at", "in", "on", "from", "and", "or", "a", "an", "the",
    "that", "this", "if", "when", "what", "how", "some", "know", "again", "back", "up",
}  # fmt: skip
_CONTRACTIONS = {"he's": "you're", "she's": "you're", "he'll": "you'll", "she'll": "you'll"}
_CONTRACTIONS |= {"he'd": "you'd", "she'd": "you'd"}
_TOKEN = re.compile(r"[A-Za-zÀ-ÿ']+|[^A-Za-zÀ-ÿ']+")
_WE_VERBS = {"talked", "met", "discussed", "chatted", "caught", "walked", "spoke", "agreed"}
_WE_VERBS |= {"planned", "shared", "went", "had", "visited", "celebrated", "watched", "worked"}
_I_VERBS = {"sent", "gave", "told", "lent", "borrowed", "brought", "made", "wrote", "took"}
_I_VERBS |= {"bought", "paid", "got", "left", "showed", "put", "asked", "emailed", "introduced"}


def _agree(verb: str) -> str:
    """`applies` → `apply`, `wants` → `want`, `is` → `are`: the verb after a new `you`."""
    lower = verb.lower()
    if lower in _IRREGULAR:
        return _IRREGULAR[lower]
    if not lower.isalpha() or len(lower) < 3 or lower.endswith(("ss", "us", "is")):
        return verb
    if lower.endswith("ies") and len(lower) > 4:
        return verb[:-3] + "y"
    if lower.endswith(("ches", "shes", "sses", "xes", "zes", "oes")):
        return verb[:-2]
    if lower.endswith("s"):
        return verb[:-1]
    return verb


def second_person(text: str, contact: Contact) -> str:
    """A Log line written about someone, said to them: he/she → you (the verb agrees),
    his/her → your, their name → you; `[[links]]` become plain names."""
    text = _WIKILINK.sub(lambda m: (m.group(2) or m.group(1).rsplit("/", 1)[-1]).strip(), text)
    text = _NEWS_MARK.sub("", text).strip()
    names = {n.casefold() for n in (contact.first_name, contact.name) if n}
    tokens = _TOKEN.findall(text)
    out: list[str] = []
    agree_next = said_you = False
    for i, token in enumerate(tokens):
        lower = token.casefold()
        new = token
        if not token.strip() or not token[0].isalpha():
            said_you = said_you and not any(ch in token for ch in ".;!?")
            out.append(token)
            continue
        if agree_next and lower not in _ADVERBS:
            new, agree_next = _agree(token), False
            said_you = True
        elif said_you and lower in _IRREGULAR and out and out[-1].strip() == "" and _and(out):
            new = _IRREGULAR[lower]  # "you want ... and is looking" → "and are looking"
        elif lower in _SUBJECTS:
            new, agree_next = "you", True
        elif lower in _CONTRACTIONS:
            new = _CONTRACTIONS[lower]
        elif lower in ("him", "himself", "herself"):
            new = "yourself" if lower.endswith("self") else "you"
        elif lower == "his":
            new = "your"
        elif lower == "her":
            following = next((t for t in tokens[i + 1 :] if t.strip()), "")
            word = following.casefold()
            new = "you" if not following[:1].isalpha() or word in _OBJECT_AFTER else "your"
        elif lower.removesuffix("'s") in names and lower.endswith("'s"):
            new = "your"
        elif lower in names:
            new = "you"
        if token[:1].isupper() and new != token and not out:
            new = new[:1].upper() + new[1:]
        out.append(new)
    return " ".join("".join(out).split()).strip(" ;,")


def _and(out: list[str]) -> bool:
    """The last word written is `and` (or `but`)."""
    words = [t for t in out if t.strip()]
    return bool(words) and words[-1].casefold() in ("and", "but")


def _month(day: date, today: date) -> str:
    return f"{day:%B}" if day.year == today.year or (today - day).days < 300 else f"{day:%B %Y}"


_AGENT = ("er", "or", "ist", "ant", "ian", "ent")
_PREPOSITIONS = {"for", "with", "of", "in", "on", "at", "to", "from", "who", "that"}


def _article(need: str) -> str:
    """`a bookkeeper`, `an illustrator`, `a co-speaker for a talk`, `volunteers`;
    `help with brand design` when the need is not a person."""
    words = need.split()
    head = ""
    for word in words:
        if word.lower() in _PREPOSITIONS:
            break
        head = word.lower()
    if head.endswith("s") and head[:-1].endswith(_AGENT):
        return need  # people, plural: "volunteers", "product designers"
    if head.endswith(_AGENT) and not head.endswith("ment"):
        return ("an " if need[:1].lower() in "aeiou" else "a ") + need
    return need if need.lower().startswith("help") else f"help with {need}"


def conversation_line(entry: LogEntry, contact: Contact, today: date) -> str:
    """A sentence tied to one Log entry: what they said, what we did, or where we were."""
    said = second_person(entry.text, contact)
    month = _month(entry.date, today)
    if not said:
        return ""
    first = said.split()[0].casefold()
    if entry.channel == "reply":
        if first != "you":
            said = f"you {said}"
        return f"Thank you for your note of {entry.date.day} {entry.date:%B}: {said}. [your answer]"
    if entry.channel == "intro":
        return f"How did things work out after I {said}?"
    if first == "you":
        return f"In {month} you told me {said} — how is that going?"
    if first in _WE_VERBS:
        return f"In {month} we {said}; how has it all been going since?"
    if first in _I_VERBS or (first.endswith("ed") and len(first) > 4):
        return f"In {month} I {said}; how has it all been going since?"
    where = {
        "call": f"our call in {month}",
        "visit": f"my visit in {month}",
        "email": f"my email in {month}",
    }.get(entry.channel or "", f"when we met in {month}")
    return f"I was thinking back to {where} ({said}). How are things now?"


def personal_lines(
    contact: Contact, intros: Sequence[Intro], today: date, limit: int = 2
) -> list[str]:
    """What only this person gets: a reply owed, a follow-up, the last conversation,
    a need someone can meet, a birthday. At most `limit`, most pressing first."""
    lines: list[str] = []
    last = contact.last_entry
    for followup in contact.open_followups[:1]:
        lines.append(
            f"I haven't forgotten: I still mean to {second_person(followup.text, contact)}."
        )
    if last and last.text.strip():
        line = conversation_line(last, contact, today)
        if line:
            lines.insert(0 if last.channel == "reply" else len(lines), line)
    met: dict[str, Intro] = {}
    for intro in intros:  # best first: keep each need's best
        if intro.taker.path == contact.path:
            met.setdefault(intro.need, intro)
    for need in contact.needs:
        if need in met:
            lines.append(
                f"Are you still looking for {_article(need)}? I know someone who does "
                f"{met[need].offer} and would be glad to introduce you."
            )
            break
    else:
        if contact.needs:
            lines.append(
                f"Are you still looking for {_article(contact.needs[0])}? I'll keep my ears open."
            )
        elif contact.offers and not lines:
            offers = " and ".join(contact.offers[:2])
            lines.append(f"How is the {offers} work going?")
    birthday = _birthday_line(contact, today)
    return lines[:limit] + ([birthday] if birthday else [])


def _birthday_line(contact: Contact, today: date) -> str:
    birthday = contact.birthday
    if birthday is None:
        return ""
    for year in (today.year, today.year + 1):
        try:
            day = date(year, birthday.month, birthday.day)
        except ValueError:  # 29 February in a common year
            day = date(year, 3, 1)
        if timedelta(0) <= day - today <= timedelta(days=14):
            return f"And happy early birthday for the {_ordinal(day.day)}!"
        if timedelta(0) < today - day <= timedelta(days=7):
            return "And a belated happy birthday!"
    return ""


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# --- the template ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Template:
    """The email template note: Jinja2 body, and its frontmatter (`subject`, `from`, `news`)."""

    subject: str
    sender: str  # `Sam Rivera <sam@example.com>`, or ""
    news: int
    body: str
    body_line: int  # file line where the body starts (for error messages)
    where: str


def parse_template(text: str, where: str = TEMPLATE_PATH) -> Template:
    """Read a template note; a broken frontmatter raises VtbError naming the line."""
    from vault_touchbase.notes.text import NoteSyntaxError, frontmatter_of, split_note

    try:
        parts = split_note(text)
        meta = frontmatter_of(text)
    except NoteSyntaxError as exc:
        raise VtbError(f"{where}:{exc.line}: {exc.message}", exc.hint) from None
    except Exception as exc:  # yaml.YAMLError
        raise VtbError(f"{where}: cannot read its frontmatter: {exc}", "fix the YAML") from None
    if not isinstance(meta, dict):
        meta = {}
    news = meta.get("news", NEWS_PIECES)
    if isinstance(news, bool) or not isinstance(news, int) or news < 0:
        raise VtbError(f"{where}: news: {news!r} must be a whole number", "e.g. news: 2")
    return Template(
        subject=_one_line(str(meta.get("subject") or "Catching up")),
        sender=_one_line(str(meta.get("from") or "")),
        news=news,
        body=parts.body,
        body_line=parts.body_line,
        where=where,
    )


def load_template(vault: Vault) -> tuple[Template, list[str]]:
    """The vault's `templates/email.md`, else the built-in one (with a notice)."""
    from vault_touchbase.core.templates import EMAIL_TEMPLATE

    path = vault.path_of(TEMPLATE_PATH)
    try:
        return parse_template(path.read_text(encoding="utf-8-sig")), []
    except FileNotFoundError:
        notice = (
            f"no {TEMPLATE_PATH} in the vault: the built-in template is used (`vtb init` adds it)"
        )
        return parse_template(EMAIL_TEMPLATE, "built-in template"), [notice]
    except (OSError, UnicodeDecodeError) as exc:
        raise VtbError(f"cannot read {TEMPLATE_PATH}: {exc}", "save it as UTF-8 text") from None


def _one_line(text: str) -> str:
    """Header-safe: no line breaks or other control characters survive."""
    return " ".join("".join(" " if ord(ch) < 32 or ord(ch) == 127 else ch for ch in text).split())


def render_template(template: Template, values: dict[str, Any]) -> tuple[str, str]:
    """(subject, body) rendered in a sandbox. A mistake in the template raises VtbError
    with its line and the names it may use."""
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(
        autoescape=False,  # plain text, not HTML
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    names = ", ".join(sorted(values))
    try:
        body = env.from_string(template.body).render(values)
        subject = env.from_string(template.subject).render(values)
    except jinja2.TemplateSyntaxError as exc:
        line = template.body_line + (exc.lineno or 1) - 1
        raise VtbError(f"{template.where}:{line}: {exc.message}", "fix the template") from None
    except jinja2.UndefinedError as exc:
        raise VtbError(f"{template.where}: {exc.message}", f"it may use: {names}") from None
    except jinja2.TemplateError as exc:
        raise VtbError(f"{template.where}: {exc}", "fix the template") from None
    body = re.sub(r"[ \t]+\n", "\n", body)
    body = re.sub(r"\n{3,}", "\n\n", body).strip("\n") + "\n"
    return _one_line(subject), body


# --- the draft -------------------------------------------------------------------------------


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
        text = " ".join(text.split()) or "sent the drafted email"
        return f"{text} (news: {', '.join(self.news)})" if self.news else text


def addresses(contact: Contact) -> tuple[tuple[str, ...], list[str]]:
    """The contact's usable email addresses, and a warning for each unusable one
    (a value with spaces or line breaks could smuggle in a header)."""
    good: list[str] = []
    warnings = []
    for value in contact.emails:
        value = value.strip()
        if _ADDRESS.match(value):
            good.append(value)
        else:
            warnings.append(f"{contact.path}: {_one_line(value)!r} is not a usable email address")
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
    chosen = choose_news(pieces, contact, template.news)
    if pieces and not chosen and template.news:
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
    sender = template.sender or _identity(vault)
    me = _display_name(sender) or "[your name]"
    if not sender:
        warnings.append(
            f'sign with your name: set from: "Your Name <you@example.com>" in {template.where}'
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
    return Draft(
        contact, to, subject, body, sender, tuple(p.label for p in chosen), bool(lines),
        tuple(warnings),
    )  # fmt: skip


def _entry_values(entry: LogEntry | None) -> dict[str, Any] | None:
    if entry is None:
        return None
    return {"date": entry.date, "channel": entry.channel or "", "text": entry.text}


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


# --- output ----------------------------------------------------------------------------------


def to_message(draft: Draft) -> Any:
    """The draft as an RFC 5322 message (`email.message.EmailMessage`), marked unsent."""
    from email.headerregistry import Address
    from email.message import EmailMessage
    from email.utils import parseaddr

    message = EmailMessage()
    name = _one_line(draft.contact.name)
    message["To"] = [Address(display_name=name, addr_spec=a) for a in draft.to[:1]]
    sender_name, sender_address = parseaddr(draft.sender)
    if sender_address and _ADDRESS.match(sender_address):
        message["From"] = Address(display_name=_one_line(sender_name), addr_spec=sender_address)
    message["Subject"] = _one_line(draft.subject)
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
    query = f"subject={quote(_one_line(draft.subject), safe='')}&body={quote(body, safe='')}"
    return f"mailto:{to}?{query}"


def as_text(draft: Draft) -> str:
    """The draft as the terminal shows it: a few headers, a blank line, the body."""
    to = ", ".join(f"{draft.contact.name} <{a}>" for a in draft.to[:1]) or "(no address)"
    return f"To: {to}\nSubject: {draft.subject}\n\n{draft.body}"


# --- introductions -----------------------------------------------------------------------------


def intro_drafts(
    vault: Vault, a: Contact, b: Contact, intro: Intro | None, text: str
) -> list[Draft]:
    """Double opt-in: a short note to each of the two, asking whether they would like
    the introduction, before the user connects them."""
    template, _ = load_template(vault)
    sender = template.sender or _identity(vault)
    me = _display_name(sender) or "[your name]"
    drafts = []
    for one, other in ((a, b), (b, a)):
        why = _why(one, other, intro, text)
        body = (
            f"Hi {one.first_name},\n\n"
            f"I'd like to introduce you to {other.name}{why}. I think you two would get on.\n\n"
            f"Would you like me to? If you say yes (and {other.first_name} does too), "
            "I'll send you both an email to connect you.\n\n"
            f"Best,\n{me}\n"
        )
        to, warnings = addresses(one)
        drafts.append(
            Draft(
                one, to, f"An introduction: {other.name}", body, sender, (), True, tuple(warnings)
            )
        )
    return drafts


def _why(one: Contact, other: Contact, intro: Intro | None, text: str) -> str:
    if intro is not None and intro.taker.path == one.path:
        return f", who offers {intro.offer} (you mentioned needing {_article(intro.need)})"
    if intro is not None and intro.giver.path == one.path:
        return f", who is looking for {_article(intro.need)} (you offer {intro.offer})"
    return f" ({' '.join(text.split())})" if text.strip() else ""
