"""Settings from `vtb.toml` (every key optional) as one frozen dataclass.

The defaults here are the documented defaults; `docs/settings.md` and the
commented `vtb.toml` that `vtb init` writes list the same keys.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from vault_touchbase.core.errors import SettingsError

CONFIG_NAME = "vtb.toml"
STATE_DIR = ".vtb"
MAX_IMPORT_BYTES = 100 * 1024 * 1024
"""The largest file `vtb import` reads (a vCard export with photos stays well under it)."""
MAX_TEMPLATE_BYTES = 1024 * 1024
"""The largest template (`templates/contact.md`, `templates/email.md`) vtb reads."""
TEMP_SUFFIX = ".vtb-tmp"
"""vtb's temp files are named `.<name>.<random>.vtb-tmp`: hidden, ignored by git and watchers."""
CHANNELS = ("call", "visit", "email")

# Frontmatter keys other tools use for vtb's fields, in the order they are tried: obsidian-
# contacts, contacts-ng, Personal CRM (`prm-*`), a Templater `Name:`, obsidian-vcf-contacts
# (upper case; its `EMAIL[HOME]`-style keys and `N.GN`/`N.FN` are read in notes/parse.py).
DIALECT_KEYS: dict[str, tuple[str, ...]] = {
    "name": ("name", "Name", "full_name", "fullname", "FN"),
    "aliases": ("aliases", "alias", "NICKNAME"),
    "email": ("email", "emails", "e-mail", "mail"),
    "phone": ("phone", "phones", "tel", "telephone", "mobile"),
    "circle": ("circle", "prm-tier"),
    "tags": ("tags", "tag", "CATEGORIES"),
    "cadence": ("cadence", "prm-cadence", "frequency"),
    "channel": ("channel",),
    "nearby": ("nearby",),
    "last_contacted": (
        "last_contacted",
        "last_chat",
        "prm-last-contacted",
        "last_contact",
        "lastContacted",
        "last-contacted",
    ),
    "snooze_until": ("snooze_until", "prm-snooze-until", "snooze"),
    "paused": ("paused", "prm-paused"),
    "offers": ("offers",),
    "needs": ("needs",),
    "birthday": ("birthday", "birth_date", "bday", "prm-birthday", "BDAY"),
    "uid": ("uid", "UID"),
    "organization": ("organization", "company", "org", "organisation"),
    "job_title": ("job_title", "title", "role", "position", "jobtitle"),
}

TEMPLATE_TOML = """\
# vault-touchbase settings. Every key is optional; the values shown are the defaults.

# Folder (inside the vault) holding one note per person; nested folders are fine.
# contacts = "contacts"

# The generated "due this month" note, relative to the vault.
# index = "Touch Base.md"

# How new notes are named: "obsidian" (Jane Doe.md) or "slug" (jane-doe.md).
# filenames = "obsidian"

# Git: "auto" (use git when this folder is the top of a work tree),
# "parent" (a vault inside a bigger repository), or "off".
# git = "auto"

# Commit the index note too (for a phone that ticks boxes through a git plugin).
# commit_index = false

# The chart of touches per month `vtb refresh` draws next to the index note ("" for none).
# chart = "touch-base-chart.svg"

# What `vtb watch` commits: "all" (also other edits), "logs" (touches only) or "off".
# autocommit = "logs"

# Notes bigger than this are reported and skipped.
# max_note_mb = 10

# Obsidian Bases views of your contacts (Obsidian 1.9+), written by `vtb init` and
# kept up to date by it until you change the file; false: vtb writes none.
# bases = true
# bases_file = "People.base"

# [identity]            # author of vtb's commits when git has none configured
# name = "Sam Rivera"
# email = "sam@example.com"

# [hour]
# budget = 60           # minutes in the monthly hour

# [hour.minutes]        # minutes one touch takes, by channel
# email = 5
# call = 10
# visit = 20

# [cadence]
# default = "quarterly" # weekly, biweekly, monthly, bimonthly, quarterly, yearly, never, 6w, 90d

# [cadence.by_channel]  # with the circle's: the shorter of the two, else the default
# call = "monthly"
# visit = "monthly"

# [cadence.by_circle]
# community = "bimonthly"

# [channel]
# default = "email"     # how to touch base someone whose note names no channel

# [channel.by_circle]
# community = "visit"

# [aliases]             # more frontmatter keys that mean one of vtb's fields
# last_contacted = ["last_seen"]

# [synonyms]            # more words that count as the same offer or need (a built-in
# bookkeeping = ["receipts"]   # list knows accountant ↔ bookkeeping, website ↔ web design...)

# [harvest]             # `vtb harvest`: touches found in your own mail, calendars, daily notes
# me = ["sam@example.com"]          # your addresses (default: git's user.email and [identity])
# maildir = ["~/Mail/INBOX", "~/Mail/Sent"]  # Maildir folders (mbsync, offlineimap, notmuch)
# mbox = ["~/mail/archive.mbox"]    # mbox files (Thunderbird, Google Takeout, mutt)
# calendars = ["~/calendars/personal"]  # .ics files or folders of them (vdirsyncer, khal)
# daily_notes = "Daily"             # a vault folder of daily notes named YYYY-MM-DD.md
# since = "1y"                      # never older than this (a span such as 6m, or a date)
"""


@dataclass(frozen=True)
class HarvestSettings:
    """`[harvest]` of `vtb.toml`: where `vtb harvest` looks, and who the user is."""

    me: tuple[str, ...] = ()
    maildir: tuple[str, ...] = ()
    mbox: tuple[str, ...] = ()
    calendars: tuple[str, ...] = ()
    daily_notes: tuple[str, ...] = ()
    since: str = "1y"


@dataclass(frozen=True)
class Settings:
    """Everything configurable. Build with `load_settings(vault)`; never a global."""

    contacts: str = "contacts"
    index: str = "Touch Base.md"
    filenames: str = "obsidian"
    git: str = "auto"
    commit_index: bool = False
    chart: str = "touch-base-chart.svg"
    autocommit: str = "logs"
    max_note_bytes: int = 10 * 1024 * 1024
    bases: bool = True
    bases_file: str = "People.base"
    identity_name: str = ""
    identity_email: str = ""
    hour_budget: int = 60
    minutes: dict[str, int] = field(default_factory=lambda: {"email": 5, "call": 10, "visit": 20})
    default_cadence: str = "quarterly"
    cadence_by_channel: dict[str, str] = field(
        default_factory=lambda: {"call": "monthly", "visit": "monthly"}
    )
    cadence_by_circle: dict[str, str] = field(
        default_factory=lambda: {"close": "monthly", "family": "monthly", "friends": "monthly"}
    )  # closer circles, shorter cadences
    default_channel: str = "email"
    channel_by_circle: dict[str, str] = field(default_factory=dict)
    key_aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    harvest: HarvestSettings = field(default_factory=HarvestSettings)

    def keys_for(self, canonical: str) -> tuple[str, ...]:
        """Every frontmatter key read as `canonical`, the built-in dialects first."""
        return DIALECT_KEYS.get(canonical, (canonical,)) + self.key_aliases.get(canonical, ())

    @cached_property
    def key_index(self) -> dict[str, tuple[tuple[str, int], ...]]:
        """Frontmatter key → each (canonical field, rank) it is read as; rank 0 is tried first.

        Built once per settings, so reading a note looks up its own keys instead of
        trying every dialect's keys in turn.
        """
        index: dict[str, list[tuple[str, int]]] = {}
        for canonical in {*DIALECT_KEYS, *self.key_aliases}:
            for rank, key in enumerate(self.keys_for(canonical)):
                index.setdefault(key, []).append((canonical, rank))
        return {key: tuple(pairs) for key, pairs in index.items()}

    @cached_property
    def _fields_by_keys(self) -> dict[frozenset[str], dict[str, tuple[int, str]]]:
        return {}

    def fields_of(self, keys: frozenset[str]) -> dict[str, tuple[int, str]]:
        """Canonical field → (rank, key) of the first of its keys (`keys_for` order) among
        a note's `keys`: worked out once for each set of keys (10,000 notes have a few
        hundred), by looking up the note's own keys in `key_index`. Never changed."""
        found = self._fields_by_keys.get(keys)
        if found is None:
            found = {}
            index = self.key_index
            for key in keys:
                for canonical, rank in index.get(key, ()):
                    old = found.get(canonical)
                    if old is None or rank < old[0]:
                        found[canonical] = (rank, key)
            self._fields_by_keys[keys] = found
        return found

    def minutes_for(self, channel: str) -> int:
        return self.minutes.get(channel, self.minutes.get("email", 5))

    @property
    def chart_file(self) -> str:
        """The chart's path in the vault (next to the index note); "" when it is off."""
        if not self.chart:
            return ""
        folder = self.index.rpartition("/")[0]
        return f"{folder}/{self.chart}" if folder else self.chart

    def fingerprint(self) -> str:
        """A stable string of everything that changes how a note is parsed (for caches)."""
        return repr((self.key_aliases, self.max_note_bytes))


def _table(data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise SettingsError(f"{where}: [{key}] must be a table", "see docs/settings.md")
    return value


def _typed(data: dict[str, Any], key: str, kind: type, where: str, default: Any) -> Any:
    if key not in data:
        return default
    value = data[key]
    if kind is int and isinstance(value, bool) or not isinstance(value, kind):
        raise SettingsError(
            f"{where}: {key} = {value!r} must be a {kind.__name__}",
            "fix the value or delete the line to use the default",
        )
    return value


def _str_map(table: dict[str, Any], where: str) -> dict[str, str]:
    for key, value in table.items():
        if not isinstance(value, str):
            raise SettingsError(f"{where}: {key} = {value!r} must be a string")
    return dict(table)


def _list_map(table: dict[str, Any], where: str) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for key, value in table.items():
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise SettingsError(f"{where}: {key} must be a string or a list of strings")
        out[key] = tuple(values)
    return out


def _max_note_bytes(data: dict[str, Any], where: str) -> int:
    value = data.get("max_note_mb", 10)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise SettingsError(f"{where}: max_note_mb = {value!r} must be a positive number")
    return int(value * 1024 * 1024)


def parse_settings(text: str, where: str = CONFIG_NAME) -> Settings:
    """Settings from the text of a `vtb.toml`; a bad value raises SettingsError naming it."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{where}: {exc}", "fix the TOML syntax") from None
    _known_keys(data, where)
    base = Settings()
    hour = _table(data, "hour", where)
    cadence = _table(data, "cadence", where)
    channel = _table(data, "channel", where)
    identity = _table(data, "identity", where)
    minutes = dict(base.minutes)
    for key, value in _table(hour, "minutes", where).items():
        minutes[key] = _typed({key: value}, key, int, f"{where} [hour.minutes]", 0)
    settings = Settings(
        contacts=_typed(data, "contacts", str, where, base.contacts).strip("/") or ".",
        index=_typed(data, "index", str, where, base.index),
        filenames=_typed(data, "filenames", str, where, base.filenames),
        git=_typed(data, "git", str, where, base.git),
        commit_index=_typed(data, "commit_index", bool, where, base.commit_index),
        chart=_typed(data, "chart", str, where, base.chart).strip(),
        autocommit=_typed(data, "autocommit", str, where, base.autocommit),
        max_note_bytes=_max_note_bytes(data, where),
        bases=_typed(data, "bases", bool, where, base.bases),
        bases_file=_typed(data, "bases_file", str, where, base.bases_file),
        identity_name=_typed(identity, "name", str, where, ""),
        identity_email=_typed(identity, "email", str, where, ""),
        hour_budget=_typed(hour, "budget", int, f"{where} [hour]", base.hour_budget),
        minutes=minutes,
        default_cadence=_typed(cadence, "default", str, f"{where} [cadence]", "quarterly"),
        cadence_by_channel={
            **base.cadence_by_channel,
            **_str_map(_table(cadence, "by_channel", where), where),
        },
        cadence_by_circle={
            **base.cadence_by_circle,
            **_str_map(_table(cadence, "by_circle", where), where),
        },
        default_channel=_typed(channel, "default", str, f"{where} [channel]", "email"),
        channel_by_circle=_str_map(_table(channel, "by_circle", where), where),
        key_aliases=_list_map(_table(data, "aliases", where), where),
        synonyms=_list_map(_table(data, "synonyms", where), where),
        harvest=_harvest(_table(data, "harvest", where), f"{where} [harvest]"),
    )
    _check_choices(settings, where)
    return settings


# The keys of vtb.toml's top level and of its tables with fixed keys ([harvest] checks its
# own); the other tables ([synonyms], [aliases], [hour.minutes], ...) take any key.
_KNOWN_KEYS: dict[str, frozenset[str]] = {
    "": frozenset(
        [
            "contacts",
            "index",
            "filenames",
            "git",
            "commit_index",
            "chart",
            "autocommit",
            "max_note_mb",
            "bases",
            "bases_file",
            "identity",
            "hour",
            "cadence",
            "channel",
            "aliases",
            "synonyms",
            "harvest",
        ]
    ),
    "hour": frozenset({"budget", "minutes"}),
    "cadence": frozenset({"default", "by_channel", "by_circle"}),
    "channel": frozenset({"default", "by_circle"}),
    "identity": frozenset({"name", "email"}),
}
_OPEN_TABLES = ("synonyms", "aliases")


def _known_keys(data: dict[str, Any], where: str) -> None:
    """A key vtb does not know is an error naming it (a typo would be ignored silently),
    and so is a top-level setting written below a table that takes any key (a line added
    at the end of the file lands in the last table: `index = ...` under [synonyms])."""
    for table, known in _KNOWN_KEYS.items():
        values = data.get(table, {}) if table else data
        if not isinstance(values, dict):
            continue  # `_table` says what is wrong with it
        for key in values:
            if key not in known:
                from difflib import get_close_matches  # only for a key it does not know

                close = get_close_matches(key, sorted(known), n=1)
                section = f" in [{table}]" if table else ""
                raise SettingsError(
                    f"{where}: unknown setting {key!r}{section}",
                    f"did you mean {close[0]!r}?"
                    if close
                    else f"the settings{section} are {', '.join(sorted(known))}",
                )
    for table in _OPEN_TABLES:
        values = data.get(table)
        misplaced = sorted(set(values) & _KNOWN_KEYS[""]) if isinstance(values, dict) else []
        if misplaced:
            raise SettingsError(
                f"{where}: {misplaced[0]} is inside [{table}], where it means something else",
                f"move the `{misplaced[0]} = ...` line above the first [table] of the file",
            )


def _harvest(table: dict[str, Any], where: str) -> HarvestSettings:
    """`[harvest]`: each source key a string or a list of strings; `since` a span or date."""
    from vault_touchbase.core.cadence import parse_day_or_span

    known = {"me", "maildir", "mbox", "calendars", "daily_notes", "since"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise SettingsError(
            f"{where}: unknown key {unknown[0]!r}", f"the keys are {', '.join(sorted(known))}"
        )
    lists = _list_map({k: v for k, v in table.items() if k != "since"}, where)
    since = _typed(table, "since", str, where, "1y")
    try:
        parse_day_or_span(since, date(2000, 1, 1), "ago")
    except ValueError as exc:
        raise SettingsError(
            f"{where}: since = {since!r}: {exc}", "e.g. 1y, 6m or 2025-01-01"
        ) from None
    return HarvestSettings(**lists, since=since)  # type: ignore[arg-type]


def _check_choices(settings: Settings, where: str) -> None:
    from vault_touchbase.core.cadence import parse_cadence

    choices = {
        "filenames": ("obsidian", "slug"),
        "git": ("auto", "parent", "off"),
        "autocommit": ("all", "logs", "off"),
    }
    for key, allowed in choices.items():
        if getattr(settings, key) not in allowed:
            raise SettingsError(
                f"{where}: {key} = {getattr(settings, key)!r} is not one of {', '.join(allowed)}"
            )
    if settings.index.startswith("/") or ".." in Path(settings.index).parts:
        raise SettingsError(f"{where}: index = {settings.index!r} must be inside the vault")
    if settings.chart and (
        not settings.chart.lower().endswith(".svg")
        or "/" in settings.chart
        or "\\" in settings.chart
    ):
        raise SettingsError(
            f"{where}: chart = {settings.chart!r} must be a file name ending in .svg",
            'it is written next to the index note; chart = "" draws none',
        )
    base_file = settings.bases_file
    if (
        base_file.startswith("/")
        or ".." in Path(base_file).parts
        or not base_file.endswith(".base")
    ):
        raise SettingsError(
            f"{where}: bases_file = {base_file!r} must be a `.base` file inside the vault",
            'for example bases_file = "People.base"',
        )
    if ".." in Path(settings.contacts).parts or settings.contacts.startswith("/"):
        raise SettingsError(f"{where}: contacts = {settings.contacts!r} must be inside the vault")
    if settings.hour_budget <= 0:
        raise SettingsError(f"{where}: [hour] budget must be a positive number of minutes")
    for label, value in [
        ("[cadence] default", settings.default_cadence),
        *((f"[cadence.by_channel] {k}", v) for k, v in settings.cadence_by_channel.items()),
        *((f"[cadence.by_circle] {k}", v) for k, v in settings.cadence_by_circle.items()),
    ]:
        try:
            parse_cadence(value)
        except ValueError as exc:
            raise SettingsError(f"{where}: {label}: {exc}") from None


def _not_a_file(path: Path) -> str | None:
    """What stands at `path` when something is there but no file to read (a pipe would
    wait for a writer forever; a link to nothing would silently give the defaults)."""
    if path.is_symlink() and not path.exists():
        return "a link that leads to no file"
    if path.exists() and not path.is_file():
        return "a folder" if path.is_dir() else "no regular file (a pipe or a device)"
    return None


def load_settings(vault: Path) -> Settings:
    """Read `vtb.toml` in `vault`; a vault without one uses every default."""
    path = vault / CONFIG_NAME
    what = _not_a_file(path)
    if what is not None:
        raise SettingsError(
            f"{path} is {what}, not a settings file",
            f"make {CONFIG_NAME} a text file of settings, or remove it to use the defaults",
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return Settings()
    except UnicodeDecodeError:
        raise SettingsError(f"{path} is not UTF-8 text", "save it as UTF-8") from None
    except OSError as exc:
        raise SettingsError(
            f"cannot read {path}: {(exc.strerror or str(exc)).lower()}",
            f"check that {CONFIG_NAME} is a file of yours to read",
        ) from None
    return parse_settings(text, str(path))
