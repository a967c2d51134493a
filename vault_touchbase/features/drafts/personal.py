"""What only this person gets in a draft: a reply owed, a follow-up, the last talk, a birthday."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING

from vault_touchbase.core.model import Contact, LogEntry
from vault_touchbase.features.drafts.second_person import ADVERBS, second_person
from vault_touchbase.notes.log import is_generated

if TYPE_CHECKING:
    from vault_touchbase.features.intros import Intro

_WE_VERBS = {"talked", "met", "discussed", "chatted", "caught", "walked", "spoke", "agreed"}
_WE_VERBS |= {"planned", "shared", "went", "had", "visited", "celebrated", "watched", "worked"}
_I_VERBS = {"sent", "gave", "told", "lent", "borrowed", "brought", "made", "wrote", "took"}
_I_VERBS |= {"bought", "paid", "got", "left", "showed", "put", "asked", "emailed", "introduced"}
_AGENT = ("er", "or", "ist", "ant", "ian", "ent")
_PAST = {"was", "were", "had", "did", "got", "gave", "told", "said", "went", "made", "took"}
_PAST |= {"brought", "came", "found", "left", "met", "ran", "sent", "thought", "wrote", "won"}
_PAST |= {"became", "began", "bought", "built", "caught", "felt", "fell", "held", "kept", "knew"}
_PAST |= {"lost", "paid", "put", "sold", "spent", "taught", "understood", "passed", "grew"}
_REPORTING_VERBS = {"told", "said", "say", "says"}
_YOU = {"you", "you're", "you'd", "you'll", "you've"}
_SPOKEN = {None, "call", "visit", "meet", "phone", "coffee", "lunch", "dinner", "walk"}
_QUOTED = re.compile(r'^\s*["“«]([^"”»\n]{1,120})["”»]')
_REPORTING = re.compile(
    r"^(?:you\s+)?(?:asked|wrote|wondered|wants to know|wanted to know)"
    r"(?:\s+(?:if|whether|about|for))?(?:\s+I\s+(?:could|can|would|might))?\s+",
    re.IGNORECASE,
)
_SUBJECT_LENGTH = 60
_PREPOSITIONS = {"for", "with", "of", "in", "on", "at", "to", "from", "who", "that"}
# Needs that are things to find, not work to be helped with: "studio space", not "help with".
_THINGS = {"advice", "space", "room", "tips", "feedback", "ideas", "recommendations", "funding"}
_THINGS |= {"leads", "contacts", "introductions", "work", "job", "jobs", "place", "venue"}
_ABOUT_ME = re.compile(r"\b(?:I|my)\b")  # their words about the user: advice, not news
_FUTURE = re.compile(r"\byou(?:'ll| will)\b")
_WORD = re.compile(r"[^\W\d_]{4,}")


def _month(day: date, today: date) -> str:
    return f"{day:%B}" if day.year == today.year or (today - day).days < 300 else f"{day:%B %Y}"


def article(need: str) -> str:
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
    if head in _THINGS:
        return need
    return need if need.lower().startswith("help") else f"help with {need}"


def conversation_line(entry: LogEntry, contact: Contact, today: date) -> str:
    """A sentence tied to one Log entry: what they said, what we did, or where we were.

    The entry is cut into its clauses (`;`); a clause about them (`she is …`, `Klaus
    wants …`) is preferred and said to them in a form whose tense fits (`In August you
    told me you are …`, `I was thinking of June, when you signed …`); other clauses only
    in forms a subjectless note cannot break."""
    if entry.channel == "reply":
        return _thanks(entry, contact)
    said = second_person(entry.text, contact)
    if not said:
        return ""
    month = _month(entry.date, today)
    clauses = [c.strip(" ,") for c in said.split(";") if c.strip(" ,")]
    first = said.split()[0].casefold()
    if entry.channel == "intro" and first == "introduced":
        return f"How did things work out after I {said}?"
    theirs = next((c for c in clauses if _lower_first(c).split()[0] in _YOU), None)
    if theirs is not None:
        return _their_line(_lower_first(theirs), month, entry.channel)
    clause = clauses[0]
    head = clause.split()[0].casefold()
    after = clause.split()[1].casefold() if len(clause.split()) > 1 else ""
    if _past(head) and after in ("me", "us"):  # "helped me prepare the pitch"
        return _their_line(f"you {clause}", month, entry.channel)
    whole = len(clauses) == 1 and len(clause.split()) > 1  # "sent" alone says nothing
    if head in _WE_VERBS and whole:
        return f"In {month} we {clause}; how has it all been going since?"
    if (head in _I_VERBS or (_past(head) and len(head) > 4)) and whole:
        return f"In {month} I {clause}; how has it all been going since?"
    where = {
        "call": f"our call in {month}",
        "visit": f"my visit in {month}",
        "email": f"my email in {month}",
        "text": f"my message in {month}",
        "reply": f"your note in {month}",
    }.get(entry.channel or "", f"when we met in {month}")
    return f"I was thinking back to {where} ({_lower_first(said)}). How are things now?"


def _their_reply(entry: LogEntry, contact: Contact, today: date) -> str:
    """A reply of theirs the user has answered since, told as what they wrote: its
    subjectless note ("asked if I could review her portfolio") has them as its subject."""
    quoted = _QUOTED.match(entry.text)
    rest = entry.text[quoted.end() :].lstrip(" —–-:") if quoted else entry.text
    said = _lower_first(second_person(rest, contact))
    if not said:
        return ""
    if said.split()[0].casefold() not in _YOU:
        said = f"you {said}"
    return _their_line(said, _month(entry.date, today), "reply")


def _thanks(entry: LogEntry, contact: Contact) -> str:
    """Their reply thanked for, and a visible place for the answer; the subject of their
    mail, when the entry starts with it in quotes, is named rather than retold."""
    quoted = _QUOTED.match(entry.text)
    rest = entry.text[quoted.end() :].lstrip(" —–-:") if quoted else entry.text
    said = _lower_first(second_person(rest, contact))
    if said and said.split()[0].casefold() not in ("you", "your"):
        said = f"you {said}"
    about = f" about “{quoted.group(1).strip()}”" if quoted else ""
    thanks = f"Thank you for your note of {entry.date.day} {entry.date:%B}{about}"
    return f"{thanks}: {said}. [your answer]" if said else f"{thanks}. [your answer]"


def _lower_first(clause: str) -> str:
    """`You are …` → `you are …` (a clause that will sit inside a sentence)."""
    word, _, rest = clause.partition(" ")
    lower = f"{word[:1].lower()}{word[1:]} {rest}".strip()
    return lower if word.casefold() in _YOU or word == "Your" else clause


def _verb(words: list[str]) -> tuple[int, str]:
    """Where the verb after the subject is, and the verb (adverbs and punctuation skipped)."""
    for i, word in enumerate(words[1:], 1):
        plain = word.casefold().strip(",.!?:()")
        if plain not in ADVERBS:
            return i, plain
    return 0, ""


def _past_after(words: list[str], at: int) -> bool:
    """Nothing joined after the verb at `at` could stay in the present (`and want me
    to …`), so the clause can move into the past as a whole."""
    for before, word in zip(words[at:], words[at + 1 :], strict=False):
        plain = word.casefold().strip(",.!?:()")
        joined = before.casefold() in ("and", "but") or before.endswith(",")
        if joined and plain != "are" and not _past(plain):
            return False
    return True


def _their_line(clause: str, month: str, channel: str | None) -> str:
    """A clause about them (`you …`) in a sentence whose tense fits it."""
    clause = clause.rstrip(" .")
    end = "" if clause.endswith(("!", "?")) else "."
    words = clause.split()
    at, verb = _verb(words)
    if verb in _REPORTING_VERBS and len(words) > at + 2:  # "she told me she is leaving …"
        rest = " ".join(words[at + 1 :])
        rest = rest.removeprefix("me ").removeprefix("that ").strip()
        if rest.split()[0].casefold() not in _YOU:  # "Klaus says the kids are well"
            return f"In {month} you told me {rest} — how is that going?"
        words = rest.split()
        clause, (at, verb) = rest, _verb(words)
    if _past(verb):
        return f"I was thinking of {month}, when {clause}{end} How are things now?"
    if words[0] == "you" and verb == "are" and channel in _SPOKEN and _past_after(words, at):
        words[at] = words[at].replace("are", "were")
        said = " ".join(words).replace(" and are ", " and were ").replace(" were now ", " were ")
        return f"When we spoke in {month} {said}{end} How is that going?"
    if _ABOUT_ME.search(clause):  # "you think I should raise my rate": not theirs to report on
        return f"In {month} you told me {clause} — thank you, I've been thinking about it since."
    if _FUTURE.search(clause):  # "you will bring jars": not going yet
        return f"In {month} you told me {clause} — I'm looking forward to it."
    return f"In {month} you told me {clause} — how is that going?"


def _past(verb: str) -> bool:
    """`finished`, `got`, `was`: a verb in the past (`needs` → `need` is not)."""
    regular = verb.endswith("ed") and len(verb) > 3 and not verb.endswith("eed")
    return verb in _PAST or (regular and verb not in ("shed", "embed", "shred"))


def last_conversation(contact: Contact) -> LogEntry | None:
    """The newest Log entry that says something the user or the person said: none of
    vtb's own (`notes.log.is_generated`: ticks, logged drafts, introductions), none empty."""
    return next((e for e in contact.log if e.text.strip() and not is_generated(e)), None)


def reply_owed(contact: Contact) -> LogEntry | None:
    """Their reply, when it is the newest Log entry: the user owes them an answer
    (as the plan has it, `core.plan`)."""
    last = contact.last_entry
    return last if last is not None and last.channel == "reply" and last.text.strip() else None


def reply_subject(entry: LogEntry, contact: Contact) -> str:
    """`Re:` and what their reply was about: the subject of their mail when the entry starts
    with it in quotes (`reply: "Portfolio review" — asked if …`), else its first words."""
    quoted = _QUOTED.match(entry.text)
    if quoted:
        return f"Re: {quoted.group(1).strip()}"
    about = second_person(entry.text, contact).split(";")[0].strip(" ,.")
    about = _REPORTING.sub("", about).strip() or about
    if len(about) > _SUBJECT_LENGTH:
        about = about[: _SUBJECT_LENGTH + 1].rsplit(" ", 1)[0].rstrip(" ,;:") + " …"
    return f"Re: {about[:1].upper()}{about[1:]}"


def personal_lines(
    contact: Contact, intros: Sequence[Intro], today: date, limit: int = 2
) -> list[str]:
    """What only this person gets: a reply owed (the answer first), a follow-up, the last
    conversation, a need someone can meet, a birthday. At most `limit`, most pressing first.
    Only what the user or the person said: never vtb's own Log entries."""
    lines: list[str] = []
    owed = reply_owed(contact)
    last = last_conversation(contact)
    for followup in contact.open_followups[:1]:
        lines.append(
            f"I haven't forgotten: I still mean to {second_person(followup.text, contact)}."
        )
    if last is not None:
        if last.channel == "reply" and owed is None:  # answered since: not thanked again,
            line = _their_reply(last, contact, today)  # but still what *they* wrote
        else:
            line = conversation_line(last, contact, today)
        if line:
            lines.insert(0 if owed is not None else len(lines), line)
    met: dict[str, Intro] = {}
    for intro in intros:  # best first: keep each need's best
        if intro.taker.path == contact.path:
            met.setdefault(intro.need, intro)
    # A need an introduction was made for is not offered again; one a line above already
    # talks about is not asked about again (but someone who can meet it is still named).
    introduced = [e.text for e in contact.log if e.channel == "intro"]
    needs = [need for need in contact.needs if not _mentioned(need, introduced)]
    for need in needs:
        if need in met:
            lines.append(
                f"Are you still looking for {article(need)}? I know someone who offers "
                f"{met[need].offer} and would be glad to introduce you."
            )
            break
    else:
        open_needs = [need for need in needs if not _mentioned(need, lines)]
        if open_needs and owed is None:  # an answer is not the place for small talk
            need = article(open_needs[0])
            lines.append(f"Are you still looking for {need}? I'll keep my ears open.")
        elif contact.offers and not lines:
            offers = " and ".join(contact.offers[:2])
            lines.append(f"How is your work on {offers} going?")
    birthday = _birthday_line(contact, today)
    return lines[:limit] + ([birthday] if birthday else [])


def _mentioned(phrase: str, texts: Sequence[str]) -> bool:
    """Whether a word of `phrase` (four letters or more) is in one of `texts`."""
    words = set(_WORD.findall(phrase.casefold()))
    return any(words & set(_WORD.findall(text.casefold())) for text in texts)


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
