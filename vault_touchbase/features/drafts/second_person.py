"""A Log line about someone, said to them: he/she → you (the verb agrees), his/her → your."""

from __future__ import annotations

import re

from vault_touchbase.core.model import Contact
from vault_touchbase.features.drafts.news import NEWS_MARK

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
