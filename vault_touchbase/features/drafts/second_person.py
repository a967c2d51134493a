"""A Log line about someone, said to them: he/she → you (the verb agrees), his/her → your."""

from __future__ import annotations

import re

from vault_touchbase.core.model import Contact
from vault_touchbase.features.drafts.news import NEWS_MARK

_SUBJECTS = {"he", "she"}
_IRREGULAR = {"is": "are", "was": "were", "has": "have", "does": "do", "isn't": "aren't"}
_IRREGULAR |= {"wasn't": "weren't", "hasn't": "haven't", "doesn't": "don't"}
ADVERBS = {"also", "still", "now", "just", "really", "finally", "already", "often", "never"}
_OBJECT_AFTER = {
    "to", "for", "about", "with", "at", "in", "on", "from", "and", "or", "a", "an", "the",
    "that", "this", "if", "when", "what", "how", "some", "know", "again", "back", "up",
}  # fmt: skip
# Verbs whose `her` is the person, not her things: "sent her the list" → "sent you the list".
_TO_HER = {"sent", "gave", "took", "brought", "showed", "lent", "bought", "told", "asked"}
_TO_HER |= {"offered", "wrote", "emailed", "helped", "thanked", "introduced", "congratulated"}
_TO_HER |= {"reminded", "invited", "called", "visited", "met", "texted", "paid", "owe", "owed"}
# What follows a verb of theirs joined to the first one ("is away and needs someone",
# "is writing a book, wants me to read it"): its third person agrees too.
_VERB_OBJECT = {"to", "me", "us", "a", "an", "the", "someone", "something", "some", "more"}
_VERB_OBJECT |= {"help", "his", "her", "their", "it", "them", "your", "my", "our", "new"}
_JOINED = {"and", "but", "or", ","}
# Common verbs in the third person, agreed after `and` or a comma whatever follows them.
_THIRD_PERSON = {"asks", "wants", "needs", "likes", "loves", "hopes", "plans", "says", "thinks"}
_THIRD_PERSON |= {"knows", "works", "lives", "runs", "teaches", "writes", "sends", "makes"}
_THIRD_PERSON |= {"takes", "gets", "keeps", "seems", "feels", "offers", "misses", "wishes"}
_THIRD_PERSON |= {"looks", "goes", "tries", "helps", "wonders", "sounds", "enjoys", "hates"}
_CONTRACTIONS = {"he's": "you're", "she's": "you're", "he'll": "you'll", "she'll": "you'll"}
_CONTRACTIONS |= {"he'd": "you'd", "she'd": "you'd"}
_TOKEN = re.compile(r"[A-Za-zÀ-ÿ']+|[^A-Za-zÀ-ÿ']+")
_WIKILINK = re.compile(r"\[\[([^\[\]|#\n]+)(?:#[^\[\]|\n]*)?(?:\|([^\[\]\n]+))?\]\]")


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
    text = NEWS_MARK.sub("", text).strip()
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
        following = next((t for t in tokens[i + 1 :] if t.strip()), "")
        if agree_next and lower not in ADVERBS:
            new, agree_next = _agree(token), False
            said_you = True
        elif said_you and _joined(out) and _third_person(lower, following.casefold()):
            new = _agree(token)  # "you are away and needs someone" → "and need someone"
            if out[-1].strip() == ",":  # "is writing a book, wants me to" → "and want me to"
                out[-1] = " and "
        elif lower in _SUBJECTS or (lower in names and _clause_start(out)):
            new, agree_next = "you", True
        elif lower in _CONTRACTIONS:
            new = _CONTRACTIONS[lower]
        elif lower in ("him", "himself", "herself"):
            new = "yourself" if lower.endswith("self") else "you"
        elif lower == "his":
            new = "your"
        elif lower == "her":
            word = following.casefold()
            to_her = not said_you and _last_word(out) in _TO_HER  # "she brought her cake"
            new = (
                "you" if to_her or not following[:1].isalpha() or word in _OBJECT_AFTER else "your"
            )
        elif lower.removesuffix("'s") in names and lower.endswith("'s"):
            new = "your"
        elif lower in names:
            new = "you"
        if token[:1].isupper() and new != token and not out:
            new = new[:1].upper() + new[1:]
        out.append(new)
    return " ".join("".join(out).split()).strip(" ;,")


def _last_word(out: list[str]) -> str:
    """The last word written (punctuation counts as a word), folded."""
    words = [t.strip() for t in out if t.strip()]
    return words[-1].casefold() if words else ""


def _joined(out: list[str]) -> bool:
    """The last word written joins a second verb to the first: `and`, `but`, `or`, a comma."""
    return _last_word(out) in _JOINED


def _clause_start(out: list[str]) -> bool:
    """Nothing written yet, or the last thing written ends a clause (`;`, `.`, `,`)."""
    last = _last_word(out)
    return not last or last[-1:] in ";.,!?:"


def _third_person(word: str, following: str) -> bool:
    """`is`, `has`, or a word in -s followed by what follows a verb (`needs someone`,
    `wants me`): a verb of theirs, in the third person."""
    if word in _IRREGULAR or word in _THIRD_PERSON:
        return True
    plain = word.isalpha() and len(word) > 3 and word.endswith("s")
    return plain and not word.endswith(("ss", "us", "is")) and following in _VERB_OBJECT
