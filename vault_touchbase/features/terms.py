"""Offers and needs as terms: words normalised (accents, case, small words, the Snowball
stemmer plus agent-noun rules) and synonym groups (a built-in list, extended by
`[synonyms]` in vtb.toml) as one token; how well two terms meet (`strength`) and why
(`explain_match`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from vault_touchbase.core.fold import WORD as _WORD
from vault_touchbase.core.fold import normalize
from vault_touchbase.core.settings import Settings

SYNONYMS_FILE = "synonyms.toml"  # package data: the built-in synonym groups

STOPWORDS = frozenset(
    {
        "a", "an", "and", "or", "the", "for", "with", "of", "in", "on", "to", "at", "by",
        "from", "as", "my", "our", "your", "their", "his", "her", "its", "some", "someone",
        "somebody", "any", "help", "helping", "advice", "support", "service", "services",
        "looking", "need", "needs", "new", "good", "who", "can",
    }
)  # fmt: skip
SYNONYM_MARK = "="  # tokens standing for a synonym group start with this
_VOWELS = set("aeiouy")


# --- words -----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _stemmer() -> object:
    import snowballstemmer

    return snowballstemmer.stemmer("english")


# Word → its form, for every word this process has met (at most `_FORMS_KEPT`). A refresh
# starts with the forms the last one met (`known_forms`, `learn_forms`: kept in `.vtb/` by
# `actions/index_note.py`), so it stems, and imports the stemmer, only for new words.
_FORMS: dict[str, str] = {}
_FORMS_KEPT = 65536


def word_form(word: str) -> str:
    """One word's normalised form: the Snowball stem, then agent-noun endings folded
    (photographi → photograph, teacher → teach, babysitt → babysit, write → writ)."""
    form = _FORMS.get(word)
    if form is None:
        if len(_FORMS) >= _FORMS_KEPT:
            _FORMS.clear()
        form = _FORMS[word] = _stemmed(word)
    return form


def _stemmed(word: str) -> str:
    stem: str = _stemmer().stemWord(word)  # type: ignore[attr-defined]
    if len(stem) > 4 and stem.endswith("i") and stem[-2] not in _VOWELS:
        stem = stem[:-1]  # photography → photographi → photograph
    if len(stem) > 5 and stem.endswith(("er", "or")) and stem[-3] not in _VOWELS:
        stem = stem[:-2]  # teacher, writer, translator: the stemmer keeps -er outside R2
    if len(stem) > 5 and stem.endswith("r") and stem[-2] not in _VOWELS:
        stem = stem[:-1]  # carpentry → carpentr → carpent (= carpenter)
    if len(stem) > 3 and stem.endswith("e"):
        stem = stem[:-1]  # write → writ (= writer, writing)
    if len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in _VOWELS:
        stem = stem[:-1]  # babysitter → babysitt → babysit
    return stem


def known_forms() -> dict[str, str]:
    """The word forms this process has met (to keep for the next run)."""
    return dict(_FORMS)


def learn_forms(forms: dict[str, str]) -> None:
    """Word forms met before (as `known_forms` gave them, by this same code)."""
    if len(_FORMS) + len(forms) < _FORMS_KEPT:
        _FORMS.update(forms)


def words(phrase: str) -> list[str]:
    """The normalised content words of a phrase; its small words only when nothing else."""
    plain = _WORD.findall(normalize(phrase))
    content = [w for w in plain if w not in STOPWORDS] or plain
    return [word_form(w) for w in content]


class Synonyms:
    """Groups of words or phrases that count as one term: the built-in list
    (`features/synonyms.toml`) and `[synonyms]` from vtb.toml. A group of the user's
    that shares a phrase with another joins it, so the user's list extends the built-in one."""

    def __init__(self, table: dict[str, tuple[str, ...]], builtin: bool = True) -> None:
        self.by_first: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
        self.builtin: set[tuple[str, ...]] = set()  # the phrases of the built-in list
        groups: list[list[tuple[str, ...]]] = []
        sources = [(builtin_synonyms() if builtin else {}, False), (table, True)]
        for source, user in sources:
            for canonical, alternatives in sorted(source.items()):
                phrases = [tuple(words(p)) for p in (canonical, *alternatives)]
                groups.append([f for f in phrases if f])
                if not user:
                    self.builtin.update(f for f in phrases if f)
        for group in _joined(groups):
            mark = SYNONYM_MARK + " ".join(group[0])
            for forms in group:
                self.by_first[forms[0]].append((forms, mark))
        for options in self.by_first.values():
            options.sort(key=lambda option: -len(option[0]))  # longest phrase first

    def apply(self, forms: list[str]) -> tuple[list[str], dict[str, str]]:
        """Words with synonym phrases replaced by their group's token, and what each
        group token stood for here (to tell a synonym match from a plain one)."""
        out: list[str] = []
        stood: dict[str, str] = {}
        i = 0
        while i < len(forms):
            for option, mark in self.by_first.get(forms[i], ()):
                if tuple(forms[i : i + len(option)]) == option:
                    out.append(mark)
                    stood[mark] = " ".join(option)
                    i += len(option)
                    break
            else:
                out.append(forms[i])
                i += 1
        return out, stood


def _joined(groups: list[list[tuple[str, ...]]]) -> list[list[tuple[str, ...]]]:
    """Groups that share a phrase joined into one (in their first group's order)."""
    owner: dict[tuple[str, ...], int] = {}
    merged: list[list[tuple[str, ...]] | None] = []
    for group in groups:
        targets = sorted({owner[f] for f in group if f in owner})
        into = targets[0] if targets else len(merged)
        if not targets:
            merged.append([])
        kept = merged[into]
        assert kept is not None
        for other in targets[1:]:
            for forms in merged[other] or []:
                if forms not in kept:
                    kept.append(forms)
                owner[forms] = into
            merged[other] = None
        for forms in group:
            if forms not in kept:
                kept.append(forms)
            owner[forms] = into
    return [group for group in merged if group]


@lru_cache(maxsize=1)
def builtin_synonyms() -> dict[str, tuple[str, ...]]:
    """The built-in groups of `features/synonyms.toml` (common professions and services)."""
    import tomllib
    from importlib.resources import files

    text = files("vault_touchbase.features").joinpath(SYNONYMS_FILE).read_text("utf-8")
    return {key: tuple(value) for key, value in tomllib.loads(text).items()}


@lru_cache(maxsize=16)
def _synonyms(table: tuple[tuple[str, tuple[str, ...]], ...]) -> Synonyms:
    return _ADOPTED.get(table) or Synonyms(dict(table))


_ADOPTED: dict[tuple[tuple[str, tuple[str, ...]], ...], Synonyms] = {}


def synonyms_of(settings: Settings) -> Synonyms:
    """The built-in synonyms extended by the settings' `[synonyms]` (built once per table)."""
    return _synonyms(tuple(sorted(settings.synonyms.items())))


def synonyms_state(synonyms: Synonyms) -> tuple[object, ...]:
    """A `Synonyms` as plain values (to keep in `.vtb/` and `adopt_synonyms` next run)."""
    by_first = {
        first: [(list(forms), mark) for forms, mark in o] for first, o in synonyms.by_first.items()
    }
    return (by_first, [list(forms) for forms in sorted(synonyms.builtin)])


def adopt_synonyms(settings: Settings, state: tuple[object, ...]) -> None:
    """The settings' synonyms as `synonyms_state` kept them, built by this same code for
    the same `[synonyms]`: no phrase is stemmed again."""
    by_first, builtin = state
    kept = Synonyms.__new__(Synonyms)
    kept.by_first = defaultdict(list)
    for first, options in by_first.items():  # type: ignore[attr-defined]
        kept.by_first[first] = [(tuple(forms), mark) for forms, mark in options]
    kept.builtin = {tuple(forms) for forms in builtin}  # type: ignore[attr-defined]
    _ADOPTED[tuple(sorted(settings.synonyms.items()))] = kept


@dataclass(frozen=True)
class Term:
    """A phrase from `offers` or `needs`, normalised: its set of words (synonym groups as
    one token) and, for each group token, the words it stood for."""

    key: frozenset[str]
    stood: tuple[tuple[str, str], ...] = ()


def term(phrase: str, synonyms: Synonyms) -> Term:
    forms, stood = synonyms.apply(words(phrase))
    return Term(frozenset(forms), tuple(sorted(stood.items())))


def strength(need: Term, offer: Term) -> float:
    """How well `offer` meets `need`, 0 (not at all) to 1 (the same words).

    They meet when one holds all the other's words or they share two or more;
    a match only through a synonym group counts a little less."""
    shared = need.key & offer.key
    if not shared:
        return 0.0
    if not (shared == need.key or shared == offer.key or len(shared) >= 2):
        return 0.0
    score = 0.75 * len(shared) / len(need.key) + 0.25 * len(shared) / len(offer.key)
    need_stood, offer_stood = dict(need.stood), dict(offer.stood)
    if any(t.startswith(SYNONYM_MARK) and need_stood.get(t) != offer_stood.get(t) for t in shared):
        score *= 0.9
    return round(score, 3)


def explain_match(need: str, offer: str, synonyms: Synonyms) -> str:
    """Why `offer` meets `need`, in words: `“bookkeeper” ~ “bookkeeping” (word forms)`,
    `“accountant” ~ “tax returns” (built-in synonyms)`, joined by `; `."""
    need_term, offer_term = term(need, synonyms), term(offer, synonyms)
    need_stood, offer_stood = dict(need_term.stood), dict(offer_term.stood)
    reasons = []
    for token in sorted(need_term.key & offer_term.key):
        if token.startswith(SYNONYM_MARK):
            a, b = need_stood[token], offer_stood[token]
            builtin = {tuple(a.split()), tuple(b.split())} <= synonyms.builtin
            how = "word forms" if a == b else "built-in synonyms" if builtin else "[synonyms]"
            left, right = _said(need, a), _said(offer, b)
        else:
            how, left, right = "word forms", _said(need, token), _said(offer, token)
        same = left.casefold() == right.casefold()
        reasons.append(f"“{left}”" + ("" if same else f" ~ “{right}” ({how})"))
    return "; ".join(reasons)


def _said(phrase: str, forms: str) -> str:
    """The words of `phrase` whose normalised forms are `forms` (space-separated), as written."""
    wanted = forms.split()
    plain = _WORD.findall(phrase)
    found = [
        w for w in plain if normalize(w) not in STOPWORDS and word_form(normalize(w)) in wanted
    ]
    return " ".join(found) or forms
