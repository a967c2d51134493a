"""`People.base`: Obsidian Bases views of the contacts, from the vault's keys and cadences."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence

from vault_touchbase.core.cadence import NAMED, parse_cadence
from vault_touchbase.core.model import Cadence, Contact
from vault_touchbase.core.settings import Settings

MARK = "# vtb: "
"""The first line of a People.base vtb wrote starts so, and ends with the digest of the rest."""
_MARK_LINE = re.compile(r"^# vtb: .*\(sha256 ([0-9a-f]{64})\)\s*$")
_UNIT = {"d": "d", "w": "w", "m": "M", "y": "y"}  # Bases: `M` is a month, `m` a minute
MS_PER_DAY = 86_400_000


def duration(cadence: Cadence) -> str:
    """A cadence as a Bases duration string (`1M`, `6w`, `90d`, `1y`); `""` for never."""
    return "" if cadence.never else f"{cadence.count}{_UNIT[cadence.unit]}"


def _quote(text: str) -> str:
    """A Bases string literal (double quotes)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _yaml(text: str) -> str:
    """A YAML single-quoted scalar: every character literal, `'` doubled."""
    return "'" + text.replace("'", "''") + "'"


def _prop(key: str) -> str:
    return f"note[{_quote(key)}]"


def used_keys(contacts: Iterable[Contact]) -> dict[str, set[str]]:
    """Canonical field → the frontmatter keys the notes use for it."""
    used: dict[str, set[str]] = {}
    for contact in contacts:
        for canonical, key in contact.keys.items():
            used.setdefault(canonical, set()).add(key)
    return used


def keys_read(canonical: str, settings: Settings, used: dict[str, set[str]]) -> list[str]:
    """The keys a formula reads for `canonical`, in vtb's order: its own name, the
    `[aliases]` of the settings, and the dialects' keys some note uses."""
    mine = {canonical, *settings.key_aliases.get(canonical, ()), *used.get(canonical, ())}
    return [key for key in dict.fromkeys(settings.keys_for(canonical)) if key in mine]


def _first_of(
    keys: Sequence[str], wrap: str = "{}", otherwise: str = "null", test: str = "{}"
) -> str:
    """`if(a, a, if(b, b, otherwise))` over the keys: the first one a note has."""
    text = otherwise
    for key in reversed(keys):
        prop = _prop(key)
        text = f"if({test.format(prop)}, {wrap.format(prop)}, {text})"
    return text


def _chain(subject: str, choices: dict[str, str], otherwise: str) -> str:
    """`if(subject == "a" || subject == "b", value, ...)`, equal values grouped."""
    by_value: dict[str, list[str]] = {}
    for choice, value in sorted(choices.items()):
        if value != otherwise:
            by_value.setdefault(value, []).append(choice)
    text = otherwise
    for value, names in reversed(list(by_value.items())):
        test = " || ".join(f"{subject} == {_quote(name)}" for name in names)
        text = f"if({test}, {value}, {text})"
    return text


def _default_cadence(settings: Settings) -> str:
    """The cadence of a note that names none, as vtb works it out (`plan.cadence_of`): the
    shorter of its channel's and its circle's defaults, else the vault's default."""
    by_channel = {k: parse_cadence(v) for k, v in settings.cadence_by_channel.items()}
    by_circle = {k: parse_cadence(v) for k, v in settings.cadence_by_circle.items()}

    def shorter(a: Cadence, b: Cadence) -> Cadence:
        return min(a, b, key=lambda c: c.approx_days or float("inf"))

    def words(cadence: Cadence) -> str:
        return _quote(str(cadence))

    outside = _chain(
        "formula.channel",
        {ch: words(c) for ch, c in by_channel.items()},
        words(parse_cadence(settings.default_cadence)),
    )
    inside = {
        circle: _chain(
            "formula.channel",
            {ch: words(shorter(c, own)) for ch, c in by_channel.items()},
            words(own),
        )
        for circle, own in by_circle.items()
    }
    return _chain("formula.circle", inside, outside)


def _cadences_used(contacts: Iterable[Contact], settings: Settings) -> set[Cadence]:
    found = {c.cadence for c in contacts if c.cadence is not None}
    found.add(parse_cadence(settings.default_cadence))
    found.update(parse_cadence(v) for v in settings.cadence_by_channel.values())
    found.update(parse_cadence(v) for v in settings.cadence_by_circle.values())
    return found


def _every(cadences: set[Cadence]) -> str:
    """The cadence's words as a Bases duration: the named cadences the vault uses by name,
    and `6m` → `6M`, `30` → `30d`; `6w`, `90d`, `2y`, `3 weeks` are durations already."""
    subject = "formula.cadence"
    words = {
        word: _quote(duration(cadence))
        for word, cadence in NAMED.items()
        if cadence in cadences or cadence.never
    }
    words["paused"] = '""'
    generic = subject + r'.replace(/^(\d+)\s*m$/, "$1M").replace(/^(\d+)$/, "$1d")'
    return _chain(subject, words, generic)


def formulas(contacts: Sequence[Contact], settings: Settings) -> dict[str, str]:
    """Each formula of the base, by name: what it computes from the vault's own keys."""
    used = used_keys(contacts)

    def date_of(canonical: str) -> str:
        return _first_of(keys_read(canonical, settings, used), "date({})")

    channel_by_circle = {k: _quote(v) for k, v in settings.channel_by_circle.items()}
    nearby = keys_read("nearby", settings, used)
    cadence_keys = keys_read("cadence", settings, used)
    days_since = (
        "if(formula.last_contact, "
        f"((number(today()) - number(formula.last_contact)) / {MS_PER_DAY}).round())"
    )
    due = "if(formula.last_contact, formula.last_contact + duration(formula.every), today())"
    return {
        "name": "file.asLink("
        + _first_of(
            keys_read("name", settings, used),
            otherwise="file.basename",
            test='{0}.isType("string") && {0}',  # a `{first, last}` name: the file name
        )
        + ")",
        "circle": _first_of(keys_read("circle", settings, used), otherwise='""'),
        "channel": _first_of(
            keys_read("channel", settings, used),
            otherwise=_first_of(
                nearby,
                '"visit"',
                _chain("formula.circle", channel_by_circle, _quote(settings.default_channel)),
            )
            if nearby
            else _chain("formula.circle", channel_by_circle, _quote(settings.default_channel)),
        ),
        "paused": _first_of(keys_read("paused", settings, used), otherwise="false"),
        "cadence": 'if(formula.paused, "paused", '
        + _first_of(cadence_keys, "{}.toString().lower().trim()", _default_cadence(settings))
        + ")",
        "every": _every(_cadences_used(contacts, settings)),
        "last_contact": date_of("last_contacted"),
        "snooze_until": date_of("snooze_until"),
        "days_since": days_since,
        "due_by_cadence": f"if(formula.every, {due})",
        "next_due": "if(formula.due_by_cadence, if(formula.snooze_until, "
        "if(formula.snooze_until > today() && formula.snooze_until > formula.due_by_cadence, "
        "formula.snooze_until, formula.due_by_cadence), formula.due_by_cadence))",
    }


DISPLAY = {
    "formula.name": "Name",
    "formula.circle": "Circle",
    "formula.channel": "Channel",
    "formula.cadence": "Cadence",
    "formula.last_contact": "Last contact",
    "formula.days_since": "Days since",
    "formula.next_due": "Next due",
}
COLUMNS = list(DISPLAY)
MONTH_START = 'date(today().format("YYYY-MM") + "-01")'
THIS_MONTH = f'formula.next_due < {MONTH_START} + "1M"'
"""Due by the end of this month: before the first day of the next."""
TOUCHED = f"formula.last_contact >= {MONTH_START}"
"""Touched this month: not due again before the next (`plan.due_items`)."""


def _filters(settings: Settings) -> list[str]:
    """The base's filters: the notes vtb reads as contacts (`vault.listing.is_contact_note`)."""
    folder = settings.contacts
    found = ['file.ext == "md"']
    if folder not in ("", "."):
        found.insert(0, f"file.inFolder({_quote(folder)})")
    if folder in ("", ".") or settings.index.startswith(folder.rstrip("/") + "/"):
        found.append(f"file.path != {_quote(settings.index)}")
    return found


COORDINATES = "coordinates"
"""The key Obsidian's Maps plugin places a note by (`"lat, lng"` or a list of the two)."""


def body(contacts: Sequence[Contact], settings: Settings, with_map: bool = False) -> str:
    """The base's YAML, without the first (digest) line; a map view `with_map` (when notes
    have coordinates: Bases cannot place a postal address)."""
    lines = ["filters:", "  and:"]
    lines += [f"    - {_yaml(f)}" for f in _filters(settings)]
    lines.append("formulas:")
    lines += [f"  {name}: {_yaml(text)}" for name, text in formulas(contacts, settings).items()]
    lines.append("properties:")
    for prop, shown in DISPLAY.items():
        lines += [f"  {prop}:", f"    displayName: {shown}"]
    lines.append("views:")

    def view(kind: str, name: str, columns: list[str], extra: list[str]) -> None:
        lines.extend([f"  - type: {kind}", f"    name: {name}", *extra, "    order:"])
        lines.extend(f"      - {column}" for column in columns)

    by_due = ["    sort:", "      - property: formula.next_due", "        direction: ASC"]
    view("table", "Everyone", COLUMNS, by_due)
    this_month = ["    filters:", "      and:", f"        - {_yaml(THIS_MONTH)}"]
    this_month += ["        - not:", f"            - {_yaml(TOUCHED)}", *by_due]
    view("table", "Due this month", COLUMNS, this_month)
    group = ["    groupBy:", "      property: formula.circle", "      direction: ASC"]
    view("cards", "By circle", ["formula.name", "formula.channel", "formula.next_due"], group)
    if with_map:
        where = [f"    {COORDINATES}: note.{COORDINATES}"]
        view("map", "Map", ["formula.name", "formula.channel", "formula.next_due"], where)
    return "\n".join(lines) + "\n"


def digest(text: str) -> str:
    """The digest vtb keeps in the first line: of the rest, line ends made `\\n` (a checkout
    with `core.autocrlf` does not make the file look changed)."""
    return hashlib.sha256(text.replace("\r\n", "\n").encode("utf-8")).hexdigest()


def base_text(contacts: Sequence[Contact], settings: Settings, with_map: bool = False) -> str:
    """The whole file: the digest line, then the YAML."""
    rest = body(contacts, settings, with_map)
    head = (
        f"{MARK}written by `vtb init`, which rewrites it only while it is unchanged; "
        f"edit it and vtb leaves it alone (sha256 {digest(rest)})"
    )
    return head + "\n" + rest


def unchanged_since_vtb(text: str) -> bool:
    """True when `text` is a People.base as vtb wrote it: its first line's digest is the
    digest of the rest. Any edit (by hand, or Obsidian saving a view) makes it False."""
    head, _, rest = text.partition("\n")
    match = _MARK_LINE.match(head)
    return match is not None and match.group(1) == digest(rest)
