"""vCard 2.1, 3.0 and 4.0 in, vCard 3.0 out, through vobject.

The file is cut into cards at their BEGIN/END lines only so that one broken
card is reported with its number and line and the others still come in. Each
card's lines are parsed by vobject's line reader (`getLogicalLines` with
`allowQP=True`, `textLineToContentLine`): folding, parameters, Android's
quoted-printable and CHARSET. vobject's vCard *behaviours* are not used:
whether or not it is asked to transform, they keep only what comes before
the first unescaped comma of a text value (a 2.1 `NOTE:Met at the market,
sells honey` would lose "sells honey"). Values are unescaped with vobject's
own `stringToTextValues` instead.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from vault_touchbase.core.model import Problem
from vault_touchbase.features.formats.builder import PersonBuilder, Whole
from vault_touchbase.features.formats.person import ImportedPerson, Progress, ReadResult

if TYPE_CHECKING:
    from vobject.base import ContentLine

_BEGIN = re.compile(r"^\s*BEGIN\s*:\s*VCARD\s*$", re.IGNORECASE)
_END = re.compile(r"^\s*END\s*:\s*VCARD\s*$", re.IGNORECASE)
_APPLE_LABEL = re.compile(r"^_\$!<(.*)>!\$_$")
PRODID = "-//vault-touchbase//vtb export//EN"


def looks_like_vcard(text: str) -> bool:
    first = next((line for line in text.split("\n") if line.strip()), "")
    return _BEGIN.match(first) is not None


def split_cards(text: str, file: str) -> tuple[list[tuple[int, str]], list[Problem]]:
    """(first line, card text) for every BEGIN:VCARD ... END:VCARD, and warnings for text
    outside any card. A card that is never ended comes back with empty text."""
    cards: list[tuple[int, str]] = []
    problems: list[Problem] = []
    lines = text.split("\n")
    start: int | None = None
    depth = 0
    for number, line in enumerate(lines, 1):
        if _BEGIN.match(line):
            if depth == 0:
                start = number
            depth += 1
        elif _END.match(line) and depth:
            depth -= 1
            if depth == 0 and start is not None:
                cards.append((start, "\n".join(lines[start - 1 : number]) + "\n"))
                start = None
        elif depth == 0 and line.strip():
            problems.append(
                Problem(
                    file, number, "warning", f"text outside any card ignored: {line.strip()[:40]!r}"
                )
            )
    if start is not None:
        cards.append((start, ""))  # never ended: reported by the reader with its number
    return cards, problems


def read_vcards(text: str, file: str, progress: Progress | None = None) -> ReadResult:
    """Every card in a .vcf file as an ImportedPerson; a bad card is a problem, not a stop."""
    cards, outside = split_cards(text, file)
    result = ReadResult("vCard", problems=outside)
    versions: set[str] = set()
    for number, (line, card) in enumerate(cards, 1):
        result.records += 1
        where = f"card {number}"
        if not card:
            result.problems.append(
                Problem(file, line, "error", f"{where}: no END:VCARD; not imported", "end the card")
            )
            continue
        try:
            lines = content_lines(card)
        except Exception as exc:  # vobject's ParseError, or a codec error in a CHARSET
            at = line + max(int(getattr(exc, "lineNumber", 1) or 1) - 1, 0)
            message = getattr(exc, "msg", None) or str(exc).split("\n")[0]
            result.problems.append(
                Problem(
                    file, at, "error", f"{where}: cannot read the card: {message}; not imported"
                )
            )
            continue
        builder = PersonBuilder(file, where, line, "vcard")
        versions.add(_card_to_builder(lines, builder))
        person = builder.build()
        result.problems += builder.problems
        if person is not None:
            result.people.append(person)
        if progress:
            progress(number, len(cards))
    known = sorted(v for v in versions if v)
    if known:
        result.format = f"vCard {'/'.join(known)}"
    return result


def content_lines(card: str) -> list[ContentLine]:
    """The properties of one card, parsed by vobject (folded lines joined, 2.1
    quoted-printable and CHARSET decoded), without the BEGIN/END lines."""
    from io import StringIO

    from vobject.base import getLogicalLines, textLineToContentLine

    lines = [textLineToContentLine(text, n) for text, n in getLogicalLines(StringIO(card), True)]
    return [line for line in lines if line.name not in ("BEGIN", "END")]


def _text(line: ContentLine) -> str:
    """A text value unescaped; unescaped commas (vCard 2.1) are kept as commas."""
    from vobject.icalendar import stringToTextValues

    value = line.value if isinstance(line.value, str) else ""
    return ",".join(stringToTextValues(value))


def _items(line: ContentLine) -> list[str]:
    """A comma-separated list value (CATEGORIES, NICKNAME), unescaped."""
    from vobject.icalendar import stringToTextValues

    value = line.value if isinstance(line.value, str) else ""
    return [v.strip() for v in stringToTextValues(value) if v.strip()]


def _fields(line: ContentLine) -> list[str]:
    """A structured value (N, ADR, ORG): its `;`-separated components, unescaped."""
    from vobject.icalendar import stringToTextValues

    value = line.value if isinstance(line.value, str) else ""
    parts = stringToTextValues(value, listSeparator=";", charList=";")
    return [",".join(stringToTextValues(part)).strip() for part in parts]


def _params(line: ContentLine) -> set[str]:
    """TYPE values and bare 2.1 parameters, lower case: {"cell", "home", "pref"}."""
    found = {p.lower() for p in line.singletonparams}
    for value in line.params.get("TYPE", []):
        found.update(v.strip().lower() for v in value.split(","))
    return found


def _labels(lines: list[ContentLine]) -> dict[str, str]:
    """Apple's `itemN.X-ABLabel` for each group: {"item3": "HomePage"}."""
    labels = {}
    for line in lines:
        if line.name.upper() == "X-ABLABEL" and line.group:
            text = _text(line)
            match = _APPLE_LABEL.match(text)
            labels[line.group.lower()] = match.group(1) if match else text
    return labels


def _card_to_builder(lines: list[ContentLine], builder: PersonBuilder) -> str:
    """Fill `builder` from one card's properties; returns the card's VERSION."""
    labels = _labels(lines)
    version = ""
    addresses: list[str] = []
    for line in lines:
        name = line.name.upper()
        label = labels.get((line.group or "").lower(), "")
        if name == "VERSION":
            version = _text(line)
        elif name == "FN":
            builder.add("name", _text(line))
        elif name == "N":
            parts = [*_fields(line), "", "", "", "", ""]
            family, given, middle, prefix, suffix = parts[:5]
            builder.add("last_name", family)
            builder.add("first_name", given)
            builder.add("middle_name", middle)
            builder.add("prefix", prefix)
            builder.add("suffix", suffix)
        else:
            _property(builder, name, line, label, addresses)
    if addresses:
        builder.add("address", addresses[0])
        for extra in addresses[1:]:
            builder.add("detail", f"address: {extra}")
    return version


def _property(
    builder: PersonBuilder, name: str, line: ContentLine, label: str, addresses: list[str]
) -> None:
    simple = {
        "EMAIL": "email",
        "TEL": "phone",
        "TITLE": "job_title",
        "NOTE": "note",
        "X-VTB-CIRCLE": "circle",
        "X-VTB-CADENCE": "cadence",
        "X-VTB-CHANNEL": "channel",
        "X-VTB-SOURCE": "source",
        "X-VTB-CONNECTED-ON": "connected_on",
        "X-VTB-NEARBY": "nearby",
        "X-VTB-PAUSED": "paused",
        "X-VTB-SNOOZE-UNTIL": "snooze_until",
        "X-VTB-LAST-CONTACTED": "last_contacted",
    }
    if name in simple:
        builder.add(simple[name], _text(line))
    elif name in ("NICKNAME", "CATEGORIES", "X-VTB-OFFERS", "X-VTB-NEEDS"):
        field = {"NICKNAME": "alias", "CATEGORIES": "tag", "X-VTB-OFFERS": "offer"}.get(
            name, "need"
        )
        for item in _items(line):
            builder.add(field, Whole(item))
    elif name == "ORG":
        parts = [p for p in _fields(line) if p]
        if parts:
            builder.add("organization", parts[0])
            for unit in parts[1:]:
                builder.add("detail", f"department: {unit}")
    elif name == "BDAY":
        value = _text(line)
        if "X-APPLE-OMIT-YEAR" in line.params and len(value) >= 10:
            value = "--" + value[5:10]
        builder.add("birthday", value)
    elif name == "ADR":
        text = _address(_fields(line)) or ", ".join(line.params.get("LABEL", []))
        if text:
            addresses.append(text)
    elif name in ("URL", "X-SOCIALPROFILE"):
        _url(builder, _text(line), label or ",".join(sorted(_params(line))))
    elif name == "UID":
        builder.uid = _text(line)
    elif name in ("ANNIVERSARY", "X-ABDATE", "X-ABRELATEDNAMES", "RELATED", "IMPP", "ROLE"):
        what = (label or name.removeprefix("X-AB")).lower()
        builder.add("detail", f"{what}: {_text(line)}")
    elif name == "X-ANDROID-CUSTOM":
        _android_custom(builder, _fields(line))


def _address(parts: list[str]) -> str:
    """ADR's post box; extended; street; locality; region; code; country as one line:
    `200 Main St, Suite 4, Riverton, OR 97000, USA`."""
    box, extended, street, locality, region, code, country = [*parts, *[""] * 7][:7]
    pieces = [street, extended, box, locality, " ".join(p for p in (region, code) if p), country]
    return ", ".join(p for p in pieces if p)


def _url(builder: PersonBuilder, url: str, label: str) -> None:
    is_linkedin = "linkedin" in url.lower() or label.lower() == "linkedin"
    builder.add(
        "linkedin" if is_linkedin and not builder.has("linkedin") else "website", Whole(url)
    )


def _android_custom(builder: PersonBuilder, parts: list[str]) -> None:
    """Android's `X-ANDROID-CUSTOM:vnd.android.cursor.item/nickname;Jay;...` lines."""
    kind = parts[0].rsplit("/", 1)[-1] if parts else ""
    value = parts[1] if len(parts) > 1 else ""
    if kind == "nickname":
        builder.add("alias", value)
    elif kind in ("relation", "contact_event") and value:
        builder.add("detail", f"{kind.replace('_', ' ')}: {value}")


# --- writing ---------------------------------------------------------------------------


def write_vcards(people: list[ImportedPerson]) -> str:
    """One vCard 3.0 file for everyone, as vobject writes it (CRLF, folded lines)."""
    return "".join(_card(person) for person in people)


def _card(person: ImportedPerson) -> str:
    import vobject
    from vobject.vcard import Address, Name

    card = vobject.vCard()
    card.add("prodid").value = PRODID
    if person.uid:
        card.add("uid").value = person.uid
    words = person.name.split()
    family, given = (words[-1], " ".join(words[:-1])) if len(words) > 1 else ("", person.name)
    card.add("n").value = Name(family=family, given=given)
    card.add("fn").value = person.name
    for alias in person.aliases:
        card.add("nickname").value = alias
    for email in person.emails:
        line = card.add("email")
        line.value = email
        line.type_param = "INTERNET"
    for phone in person.phones:
        card.add("tel").value = phone
    if person.organization:
        card.add("org").value = [person.organization]
    if person.job_title:
        card.add("title").value = person.job_title
    if person.birthday:
        _birthday(card, person)
    if person.address:
        card.add("adr").value = Address(street=person.address)
    for url in (person.linkedin, *person.websites):
        if url:
            card.add("url").value = url
    if person.tags:
        card.add("categories").value = list(person.tags)
    if person.notes:
        card.add("note").value = "\n".join(person.notes)
    _vtb_fields(card, person)
    return str(card.serialize())


def _birthday(card: Any, person: ImportedPerson) -> None:
    birthday = person.birthday
    assert birthday is not None
    line = card.add("bday")
    if birthday.year:
        line.value = f"{birthday.year:04d}-{birthday.month:02d}-{birthday.day:02d}"
    else:  # Apple's way of a birthday without a year, read by vtb and most apps
        line.value = f"1604-{birthday.month:02d}-{birthday.day:02d}"
        line.params["X-APPLE-OMIT-YEAR"] = ["1604"]


def _vtb_fields(card: Any, person: ImportedPerson) -> None:
    """vtb's own fields as X- properties, which other apps keep and ignore."""
    scalars = {
        "x-vtb-circle": person.circle,
        "x-vtb-cadence": person.cadence,
        "x-vtb-channel": person.channel,
        "x-vtb-source": person.source,
        "x-vtb-connected-on": person.connected_on.isoformat() if person.connected_on else "",
        "x-vtb-nearby": "true" if person.nearby else "",
        "x-vtb-paused": "true" if person.paused else "",
        "x-vtb-snooze-until": person.snooze_until.isoformat() if person.snooze_until else "",
        "x-vtb-last-contacted": (
            person.last_contacted.isoformat() if person.last_contacted else ""
        ),
    }
    for name, value in scalars.items():
        if value:
            card.add(name).value = value
    for name, items in (("x-vtb-offers", person.offers), ("x-vtb-needs", person.needs)):
        for item in items:  # one line each: vobject escapes a comma inside an item
            card.add(name).value = item
