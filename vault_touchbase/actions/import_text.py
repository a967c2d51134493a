"""A person read from an import file, as note text: a new note from the template, or
what the person adds to an existing note (missing values, united lists, new lines).

Pure text in, text out; every change is a minimal, verified edit.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

from vault_touchbase.actions.people import NewContact, birthday_value, new_note_text
from vault_touchbase.core.model import Birthday, Contact
from vault_touchbase.features.formats.person import (
    EXTRA_KEYS,
    PLACEHOLDER,
    ImportedPerson,
    same_value,
)
from vault_touchbase.notes.contact_table import TABLE_KEY
from vault_touchbase.notes.edit_body import add_body_line
from vault_touchbase.notes.edit_frontmatter import set_scalar
from vault_touchbase.notes.edit_rows import EditError
from vault_touchbase.notes.text import frontmatter_of, split_note

if TYPE_CHECKING:
    from vault_touchbase.vault.folder import Vault


def _safe_line(line: str) -> str:
    """A note line that cannot turn into a heading, a code fence or an HTML block."""
    stripped = line.lstrip()
    if stripped[:1] in ("#", "<") or stripped.startswith(("```", "~~~")):
        return "\\" + stripped
    if stripped and set(stripped) <= set("-=*_ ") and len(stripped.replace(" ", "")) >= 3:
        return "\\" + stripped
    return line


def _day_value(text: str) -> date | str:
    """`2011-09-03` as a date (written unquoted, as birthdays are); `09-03` as it is."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        return text


def _list_value(items: tuple[str, ...] | list[str], key: str) -> str | list[str]:
    always_list = key in ("tags", "aliases", "offers", "needs", "vcard")
    return items[0] if len(items) == 1 and not always_list else list(items)


def new_person_text(template: str, person: ImportedPerson, today: date) -> str:
    """A new note for `person`: the vault's template filled in by verified edits."""
    new = NewContact(
        name=person.name,
        emails=person.emails,
        phones=person.phones,
        cadence=person.cadence or None,
        channel=person.channel or None,
        circle=person.circle or None,
        tags=person.tags,
        nearby=True if person.nearby else None,
        uid=person.uid,
        offers=person.offers,
        needs=person.needs,
        birthday=person.birthday,
    )
    text = new_note_text(template, new, today)
    values: list[tuple[str, object]] = [
        ("aliases", list(person.aliases) if person.aliases else None),
        ("organization", person.organization),
        ("job_title", person.job_title),
        ("address", person.address),
        ("website", _list_value(person.websites, "website") if person.websites else None),
        ("linkedin", person.linkedin),
        ("connected_on", person.connected_on),
        ("source", person.source),
        ("spouse", person.spouse),
        ("anniversary", _day_value(person.anniversary)),
        ("vcard", list(person.vcard) if person.vcard else None),
        ("paused", person.paused),
        ("snooze_until", person.snooze_until),
        ("last_contacted", person.last_contacted),
    ]
    for key, value in values:
        if value:
            text = set_scalar(text, key, value)  # type: ignore[arg-type]
    if f"\n{PLACEHOLDER}\n" in text:
        text = text.replace(f"\n{PLACEHOLDER}\n", "\n", 1)  # the template's hint, not theirs
    text = _without_prompts(text)  # `How we met:` left empty: the template asking, not theirs
    paragraph = False  # a blank line in the file's note starts a new paragraph
    for line in person.notes:
        if line.strip():
            text = add_body_line(text, _safe_line(line), paragraph)
        paragraph = not line.strip()
    return text


_PROMPT = re.compile(r"^[^\W\d_][^:\n]{0,60}:[ \t]*$")  # `How we met:` with nothing after


def _without_prompts(text: str) -> str:
    """The note without the template's empty prompt lines (`How we met:`) before the body's
    first heading: a user's template asks there; an imported person's note should not."""
    start = 0
    for _ in range(split_note(text).body_line - 1):  # the body's offset in the text
        start = text.index("\n", start) + 1
    lines = text[start:].split("\n")
    heading = next((at for at, line in enumerate(lines) if line.startswith("#")), len(lines))
    kept = [line for line in lines[:heading] if not _PROMPT.match(line.rstrip("\r"))]
    return text[:start] + "\n".join(kept + lines[heading:])


def _items(value: object) -> list[str] | None:
    """A frontmatter value as a list of strings; None when it is not text or a list of text."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        if all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in value):
            return [str(v) for v in value]
        return None
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return [str(value)]
    return None


_COMMA_LISTS = ("emails", "tags", "offers", "needs")  # split at commas by notes.parse


def merge_text(
    text: str, person: ImportedPerson, contact: Contact, vault: Vault
) -> tuple[str, list[str]]:
    """`text` with what `person` adds: missing values set, lists united, new note lines.

    The note's own values are never changed; each change is one verified edit.
    Raises EditError when a value cannot be merged safely.
    """
    meta = frontmatter_of(text)
    changes: list[str] = []

    def key_for(canonical: str, keys: tuple[str, ...]) -> str:
        return contact.keys.get(canonical) or next((k for k in keys if k in meta), keys[0])

    settings = vault.settings
    lists = [
        ("emails", key_for("email", settings.keys_for("email")), person.emails),
        ("phones", key_for("phone", settings.keys_for("phone")), person.phones),
        ("aliases", key_for("aliases", settings.keys_for("aliases")), person.aliases),
        ("tags", key_for("tags", settings.keys_for("tags")), person.tags),
        ("offers", key_for("offers", settings.keys_for("offers")), person.offers),
        ("needs", key_for("needs", settings.keys_for("needs")), person.needs),
        ("websites", key_for("websites", EXTRA_KEYS["websites"]), person.websites),
        ("vcard", key_for("vcard", EXTRA_KEYS["vcard"]), person.vcard),
    ]
    for name, key, values in lists:
        if not values:
            continue
        if key.startswith(TABLE_KEY):  # obsidian-contacts' table: read, never rewritten
            held: tuple[str, ...] = getattr(contact, name, ())
            new = [v for v in values if not any(same_value(name, v, c) for c in held)]
            if new:
                raise EditError(
                    f"the note keeps {name} in its contact table (obsidian-contacts), "
                    f"which vtb does not rewrite; {', '.join(new)} not added",
                    "add them to the table by hand",
                )
            continue
        current = _items(meta.get(key))
        if current is None:
            raise EditError(f"`{key}` is not text or a list of text", f"edit `{key}` by hand")
        if name in _COMMA_LISTS and isinstance(meta.get(key), str):  # `tags: a, b` reads as two
            current = [c.strip() for c in current[0].split(",") if c.strip()]
        skip = [contact.name] if name == "aliases" else []
        added = [v for v in values if not any(same_value(name, v, c) for c in [*current, *skip])]
        if added:
            united = [*current, *added]
            value = united if isinstance(meta.get(key), list) else _list_value(united, key)
            text = set_scalar(text, key, value)
            one = {"aliases": "alias", "emails": "email"}.get(name, name.removesuffix("s"))
            changes.append(f"+ {one if len(added) == 1 else name} {', '.join(added)}")
    scalars: list[tuple[str, tuple[str, ...], object]] = [
        ("circle", settings.keys_for("circle"), person.circle),
        ("cadence", settings.keys_for("cadence"), person.cadence),
        ("channel", settings.keys_for("channel"), person.channel),
        ("birthday", settings.keys_for("birthday"), person.birthday),
        ("uid", settings.keys_for("uid"), person.uid),
        ("snooze_until", settings.keys_for("snooze_until"), person.snooze_until),
        ("last_contacted", settings.keys_for("last_contacted"), person.last_contacted),
        ("organization", settings.keys_for("organization"), person.organization),
        ("job_title", settings.keys_for("job_title"), person.job_title),
        *(
            (name, EXTRA_KEYS[name], getattr(person, name))
            for name in (
                "address",
                "linkedin",
                "connected_on",
                "spouse",
                "anniversary",
            )  # not `source`: a person already in the vault did not come from this file
        ),
    ]
    for name, keys, scalar in scalars:
        if not scalar:
            continue
        key = key_for(name, keys)
        if meta.get(key) not in (None, "", []) or key.startswith(TABLE_KEY):
            continue
        written = birthday_value(scalar) if isinstance(scalar, Birthday) else scalar
        if name == "anniversary":
            written = _day_value(str(scalar))
        text = set_scalar(text, key, written)  # type: ignore[arg-type]
        changes.append(f"+ {name.replace('_', ' ')} {scalar}")
    body = split_note(text).body
    paragraph = False
    for line in person.notes:
        safe = _safe_line(line)
        if not line.strip() or safe.strip() in body or line.strip() in body:
            paragraph = paragraph or not line.strip()
            continue
        text = add_body_line(text, safe, paragraph)
        paragraph = False
        body = split_note(text).body
        changes.append(f'+ note "{line if len(line) <= 50 else line[:47] + "..."}"')
    return text, changes
