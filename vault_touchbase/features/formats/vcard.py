"""vCard 2.1, 3.0 and 4.0 in, vCard 3.0 out, through vobject.

The pre-pass in vcard_lines.py cuts the file's bytes into cards (one broken
card is reported with its number and line and the others still come in) and
has each line parsed by vobject's `parseLine`, its value decoded by its own
CHARSET. vobject's vCard *behaviours* are not used: whether or not it is asked
to transform, they keep only what comes before the first unescaped comma of a
text value (a 2.1 `NOTE:Met at the market, sells honey` would lose "sells
honey"). Text is unescaped here (`unescape`); structured values (N, ADR, ORG)
are split with vobject's own `stringToTextValues`. Properties vtb has no field
for are kept verbatim (`ImportedPerson.vcard`) and written back on export."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from vault_touchbase.core.model import Problem
from vault_touchbase.features.formats.builder import PersonBuilder, Whole
from vault_touchbase.features.formats.person import ImportedPerson, Progress, ReadResult
from vault_touchbase.features.formats.vcard_lines import (
    RawCard,
    content_lines,
    raw_line,
    split_cards,
)

if TYPE_CHECKING:
    from vobject.base import ContentLine

_BEGIN = re.compile(r"^\s*BEGIN\s*:\s*VCARD\s*$", re.IGNORECASE)
_APPLE_LABEL = re.compile(r"^_\$!<(.*)>!\$_$")
_ESCAPE = re.compile(r"\\([\\,;:nN])")  # RFC 6350's escapes, and Apple's and Google's `\:`
_NOT_PEOPLE = {"org": "a business card", "location": "a place", "group": "a group"}
PRODID = "-//vault-touchbase//vtb export//EN"
_SECOND = {"ORG": "organization", "TITLE": "job_title"}
_SPOUSE = ("X-SPOUSE", "X-EVOLUTION-SPOUSE", "X-KADDRESSBOOK-X-SPOUSENAME", "X-MS-SPOUSE")
_RELATED = ("X-ABRELATEDNAMES", "RELATED")
_ANNIVERSARY = (
    "ANNIVERSARY",
    "X-ANNIVERSARY",
    "X-EVOLUTION-ANNIVERSARY",
    "X-MS-ANNIVERSARY",
    "X-KADDRESSBOOK-X-ANNIVERSARY",
)
# Properties not kept, and why (docs/import-export.md lists them): the file's own
# bookkeeping, pictures and keys (too big for a note), what another property already
# holds (an address label, Apple's labels and country codes), and what vtb writes itself.
DROPPED = frozenset(
    (
        *("BEGIN", "END", "VERSION", "PRODID", "REV", "UID", "KIND", "X-ADDRESSBOOKSERVER-KIND"),
        *("PHOTO", "LOGO", "SOUND", "KEY", "X-MS-CARDPICTURE", "X-MS-OL-DESIGN"),
        *("CLIENTPIDMAP", "MAILER", "CLASS", "SOURCE", "NAME", "PROFILE", "AGENT"),
        *("LABEL", "X-ABLABEL", "X-ABADR", "X-ABUID", "X-ABSHOWAS", "X-ANDROID-CUSTOM"),
        *("X-EVOLUTION-FILE-AS", "X-MS-OL-DEFAULT-POSTAL-ADDRESS"),
    )
)
DROPPED_PREFIXES = ("X-VTB-", "X-COUCHDB-")


def looks_like_vcard(text: str) -> bool:
    first = next((line for line in text.split("\n") if line.strip()), "")
    return _BEGIN.match(first) is not None


def read_vcards(data: bytes | str, file: str, progress: Progress | None = None) -> ReadResult:
    """Every card in a .vcf file's bytes (or text) as an ImportedPerson; a bad card or line
    is a problem, not a stop (formats/vcard_lines.py does the pre-pass)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    cards, outside = split_cards(raw, file)
    result = ReadResult("vCard", problems=outside)
    versions: set[str] = set()
    for number, card in enumerate(cards, 1):
        result.records += 1
        versions.add(_read_card(card, f"card {number}", file, result))
        if progress:
            progress(number, len(cards))
    known = sorted(v for v in versions if v)
    if known:
        result.format = f"vCard {'/'.join(known)}"
    return result


def _read_card(card: RawCard, where: str, file: str, result: ReadResult) -> str:
    """Add one card's person (or its problems) to `result`; returns the card's VERSION."""
    if not card.ended:
        last = card.line + max(i for i, text in enumerate(card.lines) if text.strip())
        result.problems.append(
            Problem(
                file,
                card.line,
                "warning",
                f"{where}: no END:VCARD; read up to line {last}",
                "check that the person came in whole",
            )
        )
    lines, unread, problems = content_lines(card, file, where)
    result.problems += problems
    builder = PersonBuilder(file, where, card.line, "vcard")
    kinds = [_text(ln).lower() for ln in lines if ln.name.upper().endswith("KIND")]
    kind = next((k for k in kinds if k in _NOT_PEOPLE), "")
    if kind:
        builder.problem("warning", f"{_NOT_PEOPLE[kind]} (KIND:{kind}), not a person; skipped")
        result.problems += builder.problems
        return ""
    version = _card_to_builder(lines, builder)
    for text in unread:
        builder.add("detail", text)
    person = builder.build()
    result.problems += builder.problems
    if person is not None:
        result.people.append(_without_guessed_n(person))
    return version


def guessed_n(name: str) -> tuple[str, str]:
    """(family, given) as export guesses them from a name without a kept `N`."""
    words = name.split()
    return (words[-1], " ".join(words[:-1])) if len(words) > 1 else ("", name)


def _without_guessed_n(person: ImportedPerson) -> ImportedPerson:
    """The person without their card's `N` when export would write that `N` anyway."""
    guess = [*guessed_n(person.name), "", "", ""]
    return replace(person, vcard=tuple(ln for ln in person.vcard if _n_fields(ln) != guess))


def _n_fields(raw: str) -> list[str] | None:
    """A kept `N:family;given;middle;prefix;suffix` line's five parts, else None."""
    from vobject.icalendar import stringToTextValues

    head, _, value = raw.partition(":")
    if head.split(";")[0].upper() != "N":
        return None
    parts = stringToTextValues(value, listSeparator=";", charList=";")
    return [*(",".join(stringToTextValues(p)).strip() for p in parts), "", "", "", "", ""][:5]


def unescape(value: str) -> str:
    """A text value unescaped as RFC 6350 says (`\\n` a new line, `\\,` `\\;` `\\\\`), and
    Apple's and Google's `http\\://`; any other backslash is text (`C:\\Users` in a 2.1 note)."""
    return _ESCAPE.sub(lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def _text(line: ContentLine) -> str:
    """A text value unescaped; unescaped commas (vCard 2.1) are kept as commas."""
    return unescape(line.value if isinstance(line.value, str) else "")


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
            builder.add("vcard", Whole(raw_line(line)))  # dropped again if the name says it
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
    if name == "TEL":
        builder.add("phone", Whole(phone_of(_text(line))))
    elif name in simple:
        builder.add(simple[name], _text(line))
    elif name in ("NICKNAME", "CATEGORIES", "X-VTB-OFFERS", "X-VTB-NEEDS"):
        field = {"NICKNAME": "alias", "CATEGORIES": "tag", "X-VTB-OFFERS": "offer"}.get(
            name, "need"
        )
        for item in _items(line):
            builder.add(field, Whole(item))
    elif name in ("ORG", "TITLE") and builder.has(_SECOND[name]):
        builder.add("vcard", Whole(raw_line(line)))  # a second one, kept for export
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
    elif name in _SPOUSE or (name in _RELATED and _is(label, line, "spouse")):
        builder.add("spouse", _text(line))
    elif name in _ANNIVERSARY or (name == "X-ABDATE" and _is(label, line, "anniversary")):
        builder.add("anniversary", _text(line))
    elif name in ("X-ABDATE", "IMPP", "ROLE", *_RELATED):
        what = (label or name.removeprefix("X-AB")).lower()
        builder.add("detail", f"{what}: {_text(line)}")
    elif name == "X-ANDROID-CUSTOM":
        _android_custom(builder, _fields(line))
    elif name not in DROPPED and not name.startswith(DROPPED_PREFIXES):
        builder.add("vcard", Whole(raw_line(line)))  # kept verbatim, written back on export


def _is(label: str, line: ContentLine, what: str) -> bool:
    """Whether a related name or date is labelled `what` (Apple's label or a TYPE)."""
    return label.lower() == what or what in _params(line)


def phone_of(value: str) -> str:
    """A TEL value as a phone number: a `tel:` URI (RFC 3966) read, its extension kept with
    the number: `tel:+1-418-656-9254;ext=102` → `+1-418-656-9254 ext. 102`."""
    text = value.strip()
    if not text.lower().startswith("tel:"):
        return text
    number, *params = text[4:].split(";")
    ext = next((p.split("=", 1)[1] for p in params if p.lower().startswith("ext=")), "")
    return f"{number} ext. {ext}" if ext else number


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
    kept_n = next((f for f in map(_n_fields, person.vcard) if f is not None), None)
    if kept_n:  # the card's own N, as it came
        family, given, middle, prefix, suffix = kept_n
        card.add("n").value = Name(family, given, middle, prefix, suffix)
    else:
        family, given = guessed_n(person.name)
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
    _related(card, person)
    _vtb_fields(card, person)
    return _with_kept(str(card.serialize()), person.vcard)


def _related(card: Any, person: ImportedPerson) -> None:
    """Spouse and anniversary as Apple and Google write them (grouped with a label)."""
    for group, name, label, value in (
        ("spouse", "x-abrelatednames", "Spouse", person.spouse),
        ("anniversary", "x-abdate", "Anniversary", person.anniversary),
    ):
        if not value:
            continue
        line = card.add(name)
        line.group = group
        if name == "x-abdate" and len(value) == 5:  # no year: Apple's convention
            value = f"1604-{value}"
            line.params["X-APPLE-OMIT-YEAR"] = ["1604"]
        line.value = value
        tag = card.add("x-ablabel")
        tag.group = group
        tag.value = f"_$!<{label}>!$_"


def _with_kept(text: str, kept: tuple[str, ...]) -> str:
    """A serialized card with the properties vtb kept verbatim (not N) before its END."""
    from io import StringIO

    from vobject.base import foldOneLine

    out = StringIO()
    for line in kept:
        if _n_fields(line) is None:
            foldOneLine(out, line)
    end = text.rfind("END:VCARD")
    return text[:end] + out.getvalue() + text[end:]


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
