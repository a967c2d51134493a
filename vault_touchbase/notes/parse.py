"""A note's bytes → a Contact and its Problems. Pure: bytes and settings in.

Dialects of other tools (obsidian-contacts, Personal CRM, ...) are read
through the key lists in `settings.DIALECT_KEYS`; nothing is rewritten here.
"""

from __future__ import annotations

import re
import sys
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from vault_touchbase.core.cadence import LAST_DAY, parse_cadence
from vault_touchbase.core.model import Birthday, Cadence, Contact, Problem, Severity, shared_keys
from vault_touchbase.core.naming import stem_is_a_name
from vault_touchbase.core.oneline import single_line
from vault_touchbase.core.rhythm import usual_gap
from vault_touchbase.core.settings import CHANNELS, Settings
from vault_touchbase.notes.contact_table import (
    MARK,
    ROW_FIELDS,
    TABLE_KEY,
    read_table,
    without_table,
)
from vault_touchbase.notes.followups import read_followups
from vault_touchbase.notes.log import read_log
from vault_touchbase.notes.text import (
    NoteSyntaxError,
    decode,
    linked_date,
    load_yaml_counting_keys,
    repeats_a_key,
    split_note,
    top_level_keys,
)

_MONTH_DAY = re.compile(r"^-{0,2}(\d{1,2})-(\d{1,2})$")
_TRUE = {"true", "yes", "y", "on", "1"}
_FALSE = {"false", "no", "n", "off", "0", ""}


class _Reader:
    """Collects problems for one note while its values are read."""

    def __init__(
        self, path: str, meta: dict[str, Any], front: tuple[str | None, int], settings: Settings
    ) -> None:
        self.path = path
        self.meta = meta
        self.front = front  # the frontmatter's text and first line: where key lines are read
        self._key_lines: dict[str, int] | None = None
        self.problems: list[Problem] = []
        self.keys: dict[str, str] = {}
        # canonical field → (rank, key) of the first of its keys (settings.keys_for order)
        # that this note has: found by looking up the note's own keys, not every dialect's
        self.found = dict(settings.fields_of(frozenset(meta)))

    @property
    def key_lines(self) -> dict[str, int]:
        """The file line of each top-level key (its first line), found when first needed:
        only a note with a problem or a table needs them."""
        if self._key_lines is None:
            frontmatter, first_line = self.front
            self._key_lines = {}
            for key, line in top_level_keys(frontmatter or "", first_line):
                self._key_lines.setdefault(key, line)
        return self._key_lines

    def problem(self, key: str | None, severity: Severity, message: str, hint: str = "") -> None:
        line = self.key_lines.get(key, 1) if key else 1
        self.problems.append(Problem(self.path, line, severity, message, hint))

    def raw(self, canonical: str, settings: Settings) -> tuple[str | None, Any]:
        """The value of `canonical` under the first of its keys the note has, and that key."""
        hit = self.found.get(canonical)
        if hit is None:
            return None, None
        key = hit[1]
        if key != canonical:  # where writing back must go elsewhere than vtb's own key
            self.keys[canonical] = key
        return key, self.meta[key]

    def text(self, key: str | None, value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return str(value).strip()
        self.problem(key, "warning", f"{key}: expected text, got {_kind(value)}; ignored")
        return ""

    def texts(self, key: str | None, value: Any, split: str | None = None) -> tuple[str, ...]:
        """A string or a list of strings; `split` splits a single string (e.g. commas)."""
        if value is None:
            return ()
        if isinstance(value, str):  # the usual case, without the loop below
            if split is None:
                text = value.strip()
                return (text,) if text else ()
            return tuple(part.strip() for part in value.split(split) if part.strip())
        if type(value) is list and all(type(item) is str for item in value):  # `[a, b]`
            return tuple(filter(None, map(str.strip, value)))
        items = value if isinstance(value, list) else [value]
        out: list[str] = []
        for item in items:
            if isinstance(item, list):  # `[[Link]]` unquoted in YAML is a nested list
                item = "[[" + ", ".join(map(str, _flatten(item))) + "]]"
            if isinstance(item, dict) or item is None:
                self.problem(key, "warning", f"{key}: cannot read {_kind(item)} as text; ignored")
                continue
            text = str(item).strip()
            parts = text.split(split) if split and not isinstance(value, list) else [text]
            out.extend(p.strip() for p in parts if p.strip())
        return tuple(out)

    def flag(self, key: str | None, value: Any) -> bool:
        if value is None or isinstance(value, bool):
            return bool(value)
        if str(value).strip().lower() in _TRUE:
            return True
        if str(value).strip().lower() not in _FALSE:
            self.problem(key, "warning", f"{key}: {value!r} is not true or false; false is used")
        return False

    def day(self, key: str | None, value: Any) -> date | None:
        if value is None or value == "":
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        linked = linked_date(value)  # contacts-ng: "[[2024-03-15]]", a daily note's link
        if linked is not None:
            return linked
        try:
            return datetime.fromisoformat(str(value).strip()).date()
        except ValueError:
            self.problem(key, "error", f"{key}: {value!r} is not a date", "write it as YYYY-MM-DD")
            return None


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    return "a list" if isinstance(value, list) else type(value).__name__


def _flatten(items: list[Any]) -> list[Any]:
    flat: list[Any] = []
    for item in items:
        flat.extend(_flatten(item) if isinstance(item, list) else [item])
    return flat


_NAME_PARTS = ("prefix", "first", "middle", "last", "suffix")
# obsidian-vcf-contacts splits the name as vCard's N does; its N.FN is the family name
_VCF_NAME_PARTS = ("N.PREFIX", "N.GN", "N.MN", "N.FN", "N.SUFFIX")
# obsidian-vcf-contacts' `EMAIL`, `"EMAIL[HOME]"`, `"TEL[CELL]"`, `"TEL[1:WORK]"`, ...
VCF_LIST_KEY = re.compile(r"^(EMAIL|TEL)(?:\[[^\]]*\])?$")


def _name(reader: _Reader, settings: Settings, stem: str) -> str:
    key, value = reader.raw("name", settings)
    if isinstance(value, dict):  # obsidian-contacts' `name: {first: Ana, last: Lima}`, any case
        parts = {str(k).strip().lower(): v for k, v in value.items()}
        name = " ".join(str(parts[k]).strip() for k in _NAME_PARTS if parts.get(k))
    elif value is None and any(k in reader.meta for k in _VCF_NAME_PARTS):
        pieces = [reader.meta.get(k) for k in _VCF_NAME_PARTS]
        name = " ".join(str(p).strip() for p in pieces if p not in (None, ""))
    else:
        name = reader.text(key, value)
    name = single_line(name, squeeze=True)  # no line break or terminal escape, anywhere
    if not name:
        if not stem_is_a_name(stem):  # in Obsidian the file name is the name: said if it can't be
            reader.problem(
                key,
                "warning",
                f"no name, and the file name {stem!r} is not one; it is used as the name",
                "add a `name:` property, or rename the file to the person's name",
            )
        return stem
    return name


def _birthday(reader: _Reader, key: str | None, value: Any) -> Birthday | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return Birthday(value.month, value.day, value.year)
    match = _MONTH_DAY.match(str(value).strip())
    if match:
        month, day = int(match.group(1)), int(match.group(2))
        try:
            date(2000, month, day)  # a leap year, so 02-29 is allowed
            return Birthday(month, day)
        except ValueError:
            pass
    parsed = reader.day(key, value)
    return Birthday(parsed.month, parsed.day, parsed.year) if parsed else None


def _summary(body: str) -> str:
    """The first paragraph's lines before any heading (read line by line up to there, not
    by splitting the whole body: a Log can be long)."""
    lines: list[str] = []
    start, size = 0, len(body)
    while start <= size:
        end = body.find("\n", start)
        end = size if end < 0 else end
        stripped = body[start:end].strip()
        if stripped.startswith("#") or (lines and not stripped):
            break
        if stripped:
            lines.append(stripped)
        start = end + 1
    return single_line(" ".join(lines))[:300]  # (a terminal escape in it is no escape)


def parse_note(path: str, data: bytes, settings: Settings) -> tuple[Contact | None, list[Problem]]:
    """Read one contact note. Returns the contact (None when unusable) and its problems.

    Pure: the same bytes and settings always give the same answer, so results
    can be cached by (path, mtime, size).
    """
    stem = path.rsplit("/", 1)[-1].removesuffix(".md")
    try:
        parts = split_note(decode(data))
    except NoteSyntaxError as exc:
        return None, [Problem(path, exc.line, "error", exc.message, exc.hint)]
    if parts.frontmatter is None and not parts.body.strip():
        return None, [Problem(path, 1, "warning", "empty note; not read as a contact")]
    meta: Any = {}
    written: int | None = 0
    problems: list[Problem] = []
    if "\r" in parts.body or "\r" in (parts.frontmatter or ""):  # (CRLF is read as LF)
        problems.append(_lone_cr_problem(path))
    if parts.frontmatter is not None:
        try:
            meta, written = load_yaml_counting_keys(parts.frontmatter)
        except Exception as exc:  # yaml.YAMLError; yaml itself is imported lazily
            return None, [_yaml_problem(path, parts.frontmatter_line, exc)]
        meta = {} if meta is None else meta
        if not isinstance(meta, dict):
            return None, [
                Problem(
                    path,
                    parts.frontmatter_line,
                    "error",
                    f"frontmatter is {_kind(meta)}, not a set of properties",
                    "write properties as `key: value` lines",
                )
            ]
    # (YAML may give a key as a number or a date: as text, as Obsidian shows it)
    properties = meta if all(type(k) is str for k in meta) else {str(k): v for k, v in meta.items()}
    # a key written twice leaves fewer keys than were written (as text keys: `1` and `'1'`
    # are one): only then are the lines searched for it
    front = parts.frontmatter
    if front is not None and written != len(properties) and repeats_a_key(front):
        seen: set[str] = set()
        for key, line in top_level_keys(front, parts.frontmatter_line):
            if key in seen and key in meta:  # a `key:` line in a multi-line value is no key
                message = f"duplicate key {key!r}; the last one is used"
                problems.append(Problem(path, line, "warning", message))
            seen.add(key)
    meta = properties
    reader = _Reader(path, meta, (parts.frontmatter, parts.frontmatter_line), settings)
    if MARK in parts.body:
        _table_fields(reader, parts.body, parts.body_line)
    contact = _build(reader, settings, stem, parts.body, parts.body_line)
    problems += reader.problems
    if CONFLICT_PREFIX in (parts.frontmatter or "") or CALLOUT_MARK in parts.body:
        problems += _sync_clashes(path, reader.key_lines, parts.body, parts.body_line)
    return contact, problems


def _lone_cr_problem(path: str) -> Problem:
    return Problem(
        path,
        1,
        "warning",
        "the note has a carriage return (CR) that does not end a CRLF line (old Mac line "
        "ends?): its lines may not be read as an editor shows them, and vtb will not edit it",
        "re-save the note with LF or CRLF line ends",
    )


# A clash `vtb sync`'s merge driver (merge.py) kept visibly, until the user resolves it.
CONFLICT_PREFIX = "conflict_"
CALLOUT_MARK = "> [!warning] vtb merge"


def _sync_clashes(path: str, key_lines: dict[str, int], body: str, body_line: int) -> list[Problem]:
    found = [
        Problem(
            path,
            line,
            "error",
            f"conflicting values from a sync: keep one and delete {key}",
            f"the other device had this value of `{key.removeprefix(CONFLICT_PREFIX)}`",
        )
        for key, line in key_lines.items()
        if key.startswith(CONFLICT_PREFIX)
    ]
    if CALLOUT_MARK in body:
        found += [
            Problem(
                path,
                body_line + offset,
                "error",
                "the other device's version of these lines, from a sync: keep what you want "
                "and delete the callout",
            )
            for offset, line in enumerate(body.split("\n"))
            if line.startswith(CALLOUT_MARK)
        ]
    return found


def _build(reader: _Reader, settings: Settings, stem: str, body: str, body_line: int) -> Contact:
    get = reader.raw
    name = _name(reader, settings, stem)
    cadence_key, cadence_value = get("cadence", settings)
    cadence = None
    if cadence_value is not None and cadence_value != "":
        try:
            cadence = _cadence(cadence_value)
        except ValueError as exc:
            reader.problem(
                cadence_key, "error", f"{cadence_key}: {exc}", "the default cadence is used"
            )
    channel_key, channel_value = get("channel", settings)
    channel = sys.intern(reader.text(channel_key, channel_value).lower()) or None
    if channel and channel not in CHANNELS:
        reader.problem(
            channel_key,
            "warning",
            f"{channel_key}: {channel!r} is not one of {', '.join(CHANNELS)}; the default is used",
        )
        channel = None
    last_key, last_value = get("last_contacted", settings)
    last = reader.day(last_key, last_value)
    if last is not None and last > LAST_DAY:
        reader.problem(last_key, "error", f"{last_key}: {_too_late(last)}", _FIX_YEAR)
        last = None
    entries, bad = read_log(body, body_line)
    followups, bad_tasks = read_followups(body, body_line)
    for line, message in bad + bad_tasks:
        reader.problems.append(Problem(reader.path, line, "error", message, "use YYYY-MM-DD"))
    newest = entries[0].date if entries else None
    if newest is not None and newest > LAST_DAY:  # rare: find the newest date vtb counts from
        for entry in entries:
            if entry.date > LAST_DAY:
                message = f"a Log entry: {_too_late(entry.date)}"
                problem = Problem(reader.path, entry.line, "error", message, _FIX_YEAR)
                reader.problems.append(problem)
        newest = next((e.date for e in entries if e.date <= LAST_DAY), None)
    if newest is not None and (last is None or newest > last):
        last = newest
    found = reader.found  # a field the note does not have is its default: no call for it
    tags = _tags(reader, settings) if "tags" in found else ()
    emails = reader.texts(*get("email", settings), split=",") if "email" in found else ()
    phones = reader.texts(*get("phone", settings)) if "phone" in found else ()
    if not emails and not phones:  # obsidian-vcf-contacts: one key per address, by its type
        emails, phones = _vcf_lists(reader)
    circle = _circle(reader, settings) if "circle" in found else ""
    offers = reader.texts(*get("offers", settings), split=",") if "offers" in found else ()
    organization = _joined(reader, "organization", settings) if "organization" in found else ""
    job_title = _joined(reader, "job_title", settings) if "job_title" in found else ""
    return Contact(
        path=reader.path,
        name=name,
        aliases=reader.texts(*get("aliases", settings)) if "aliases" in found else (),
        emails=emails,
        phones=phones,
        circle=circle,
        tags=tags,
        cadence=cadence,
        channel=channel,
        nearby=reader.flag(*get("nearby", settings)) if "nearby" in found else False,
        last_contacted=last,
        snooze_until=reader.day(*get("snooze_until", settings))
        if "snooze_until" in found
        else None,
        paused=reader.flag(*get("paused", settings)) if "paused" in found else False,
        offers=offers,
        needs=reader.texts(*get("needs", settings), split=",") if "needs" in found else (),
        birthday=_birthday(reader, *get("birthday", settings)) if "birthday" in found else None,
        log=tuple(entries),
        followups=tuple(followups),
        summary=_summary(without_table(body) if MARK in body else body),
        keys=shared_keys(reader.keys),
        uid=reader.text(*get("uid", settings)) if "uid" in found else "",
        rhythm=usual_gap(entries),
        organization=organization,
        job_title=job_title,
    )


# A vault writes a few cadences (`monthly`, `182`) thousands of times: each read once, and
# the one Cadence shared (a text or a number: `True` and `1` apart; anything else each time)
_CACHED_CADENCE = lru_cache(maxsize=512, typed=True)(parse_cadence)


def _cadence(value: Any) -> Cadence:
    return _CACHED_CADENCE(value) if type(value) in (str, int) else parse_cadence(value)


def _circle(reader: _Reader, settings: Settings) -> str:
    return sys.intern(reader.text(*reader.raw("circle", settings)).lower())  # shared, not copied


def _joined(reader: _Reader, canonical: str, settings: Settings) -> str:
    return ", ".join(reader.texts(*reader.raw(canonical, settings)))


def _tags(reader: _Reader, settings: Settings) -> tuple[str, ...]:
    return tuple(t.lstrip("#") for t in reader.texts(*reader.raw("tags", settings), split=","))


_FIX_YEAR = "fix the year; until then vtb counts as if the date were not there"


def _too_late(day: date) -> str:
    return f"{day} is after {LAST_DAY}, the last date vtb counts from"


_TABLE_RANK = 1000  # after every frontmatter key (only fields no key gives are filled)


def _table_fields(reader: _Reader, body: str, body_line: int) -> None:
    """obsidian-contacts' table rows as fields the frontmatter does not give, each under
    a pseudo-key (`/---contact---/Last chat`) that says where to write it back."""
    names: dict[str, tuple[str, int]] = {}
    for row in read_table(body):
        field = ROW_FIELDS.get(row.key.casefold())
        if field is None:
            continue
        key = TABLE_KEY + row.key
        reader.key_lines[key] = body_line + row.index
        if field in ("first", "last"):
            names.setdefault(field, (row.value, body_line + row.index))
            continue
        value = row.value
        if field == "tags":  # `#contacts #family`
            value = ", ".join(tag.lstrip("#") for tag in value.replace(",", " ").split())
        if field not in reader.found and (value or field == "last_contacted"):
            reader.meta[key] = value or None  # an empty `Last chat` is still where touches go
            reader.found[field] = (_TABLE_RANK, key)
    name = " ".join(names[p][0] for p in ("first", "last") if p in names and names[p][0])
    if name and "name" not in reader.found:
        key = TABLE_KEY + "Name"
        reader.meta[key], reader.key_lines[key] = name, names.get("first", names["last"])[1]
        reader.found["name"] = (_TABLE_RANK, key)


def _vcf_lists(reader: _Reader) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """obsidian-vcf-contacts' e-mail addresses and phones: `"EMAIL[HOME]"`, `"TEL[CELL]"`..."""
    found: dict[str, list[str]] = {"EMAIL": [], "TEL": []}
    for key, value in reader.meta.items():
        match = VCF_LIST_KEY.match(key)
        if match and value not in (None, ""):
            found[match.group(1)].extend(reader.texts(key, value))
    return tuple(found["EMAIL"]), tuple(found["TEL"])


def _yaml_problem(path: str, first_line: int, exc: Exception) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = first_line + (mark.line if mark is not None else 0)
    problem = getattr(exc, "problem", None) or str(exc).split("\n")[0]
    if "python/" in str(exc) or "could not determine a constructor" in str(exc):
        found = re.search(r"'(!![^']*|tag:[^']*)'", str(exc))
        tag = found.group(1).replace("tag:yaml.org,2002:", "!!") if found else "!!python"
        return Problem(
            path,
            line,
            "error",
            f"unsafe YAML tag {tag} (vtb reads YAML safely)",
            "remove the tag",
        )
    if type(exc).__name__ == "AliasExpansionError":  # yaml_loader's bound on aliases
        return Problem(
            path,
            line,
            "error",
            f"frontmatter refused: {problem}",
            "write the values out instead of repeating anchors (&) through aliases (*)",
        )
    return Problem(
        path, line, "error", f"bad YAML in frontmatter: {problem}", "fix the property syntax"
    )
