"""Find the vault, list its contact notes, load them, and look people up by name."""

from __future__ import annotations

import bisect
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path

from .errors import NameNotFound, VaultNotFound, VtbError
from .model import Contact, LoadResult, Problem
from .settings import CONFIG_NAME, STATE_DIR, Settings, load_settings

Progress = Callable[[int, int], None]  # (done, total)


@dataclass(frozen=True)
class Vault:
    """A vault folder and its settings."""

    root: Path
    settings: Settings

    @property
    def contacts_dir(self) -> Path:
        return self.root / self.settings.contacts

    @property
    def index_path(self) -> Path:
        return self.root / self.settings.index

    @property
    def state_dir(self) -> Path:
        return self.root / STATE_DIR

    def rel(self, path: Path) -> str:
        """A path inside the vault as the vault-relative, `/`-separated form notes use."""
        return path.relative_to(self.root).as_posix()

    def path_of(self, rel: str) -> Path:
        return self.root / rel


def find_vault(explicit: str | None, env: Mapping[str, str], cwd: Path) -> Path:
    """--vault, else VTB_VAULT, else the first folder up from `cwd` holding vtb.toml."""
    given = explicit or env.get("VTB_VAULT")
    if given:
        path = Path(given).expanduser()
        if not path.is_dir():
            source = "--vault" if explicit else "VTB_VAULT"
            raise VaultNotFound(
                f"{source}: {given} is not a folder",
                "give the vault's folder, or run `vtb init PATH`",
            )
        return path.resolve()
    for folder in (cwd, *cwd.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise VaultNotFound(
        f"no vault here: no {CONFIG_NAME} in {cwd} or any folder above it",
        "run `vtb init` to make one, or pass --vault PATH (or set VTB_VAULT)",
    )


def open_vault(root: Path) -> Vault:
    """The vault at `root` with its settings; a missing contacts folder is an error."""
    vault = Vault(root, load_settings(root))
    if not vault.contacts_dir.is_dir():
        raise VtbError(
            f"the contacts folder {vault.settings.contacts!r} does not exist in {root}",
            f'create it, or set `contacts = "..."` in {CONFIG_NAME} to your notes\' folder',
        )
    return vault


def _hidden(name: str) -> bool:
    return name.startswith(".")


def note_files(vault: Vault) -> Iterator[tuple[str, os.stat_result | None, str]]:
    """(vault-relative path, stat, problem message or "") for every `*.md` contact note.

    Hidden folders (.git, .obsidian, .trash, .vtb, ...) are skipped wherever they are;
    the index note and links leading out of the vault are never contacts.
    """
    root = vault.root
    real_root = os.path.realpath(root)
    skip = {vault.settings.index}
    stack = [vault.contacts_dir]
    while stack:
        folder = stack.pop()
        prefix = Path(folder).relative_to(root).as_posix()
        prefix = "" if prefix == "." else prefix + "/"  # rels are built as strings: 10k notes
        try:
            entries = sorted(os.scandir(folder), key=attrgetter("name"))
        except OSError as exc:
            yield (prefix.rstrip("/") or ".", None, f"cannot read folder: {exc.strerror}")
            continue
        subfolders = []
        for entry in entries:
            if _hidden(entry.name):
                continue
            rel = prefix + entry.name
            if entry.is_symlink():
                target = os.path.realpath(entry.path)
                if os.path.commonpath([real_root, target]) != real_root:
                    yield (rel, None, "link leads outside the vault; not read")
                    continue
            if entry.is_dir():
                subfolders.append(Path(entry.path))
            elif entry.name.endswith(".md") and rel not in skip:
                try:
                    yield (rel, entry.stat(), "")
                except OSError as exc:
                    yield (rel, None, f"cannot read: {exc.strerror}")
        stack.extend(reversed(subfolders))


def read_note(vault: Vault, rel: str, size: int) -> tuple[Contact | None, list[Problem]]:
    """Read and parse one note, refusing files over the size limit."""
    limit = vault.settings.max_note_bytes
    if size > limit:
        return None, [
            Problem(
                rel,
                1,
                "error",
                f"note is {size / 1048576:.1f} MB, over the {limit / 1048576:g} MB limit; not read",
                "raise max_note_mb in vtb.toml, or split the note",
            )
        ]
    try:
        data = vault.path_of(rel).read_bytes()
    except OSError as exc:
        return None, [Problem(rel, 1, "error", f"cannot read: {exc.strerror}")]
    from .contacts import parse_note  # imported when first needed: `vtb refresh` may not

    return parse_note(rel, data, vault.settings)


def load_vault(
    vault: Vault, progress: Progress | None = None, use_cache: bool = True
) -> LoadResult:
    """Every contact and every problem. A broken note never hides the others.

    With `use_cache`, notes unchanged since the last run (same mtime, size,
    ctime and inode) are taken from the parse cache in `.vtb/` instead of
    being parsed again (see `cache.py`).
    """
    from .cache import read_notes

    contacts: list[Contact] = []
    problems: list[Problem] = []
    results, linked = read_notes(vault, note_files(vault), progress, use_cache)
    for contact, found in results:
        if contact is not None:
            contacts.append(contact)
        problems.extend(found)
    contacts.sort(key=attrgetter("path"))
    problems.sort()
    return LoadResult(tuple(contacts), tuple(problems), linked)


def reload_notes(vault: Vault, loaded: LoadResult, rels: Iterable[str]) -> LoadResult:
    """`loaded` with the notes at `rels` read again, as `load_vault` would read them now.

    For a command that loaded the vault, changed a few notes and rebuilds the index
    while it holds the vault lock: no other vtb process wrote in between, so only
    what it changed itself needs reading again. A note no longer there drops out;
    a path that is not a contact note is left alone. A link among them is left to a
    full `load_vault`, which decides whether it leads outside the vault.
    """
    wanted = {rel for rel in rels if _is_note_path(vault, rel)}
    if not wanted:
        return loaded
    if loaded.linked:  # a changed note may be another note too
        return load_vault(vault)
    contacts = list(loaded.contacts)  # sorted by path: each changed one is found by bisection
    problems = [p for p in loaded.problems if p.path not in wanted]
    for rel in sorted(wanted):
        at = bisect.bisect_left(contacts, rel, key=attrgetter("path"))
        if at < len(contacts) and contacts[at].path == rel:
            del contacts[at]
        path = vault.path_of(rel)
        if path.is_symlink():
            return load_vault(vault)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            continue
        except OSError as exc:
            problems.append(Problem(rel, 1, "error", f"cannot read: {exc.strerror}"))
            continue
        contact, found = read_note(vault, rel, size)
        if contact is not None:
            contacts.insert(at, contact)
        problems.extend(found)
    problems.sort()
    return LoadResult(tuple(contacts), tuple(problems))


def _is_note_path(vault: Vault, rel: str) -> bool:
    """True for a path `note_files` would list: a `.md` note in the contacts folder,
    in no hidden folder, and not the index note."""
    folder = vault.contacts_dir.relative_to(vault.root).as_posix()
    if folder != ".":
        if not rel.startswith(folder + "/"):
            return False
        rel_inside = rel[len(folder) + 1 :]
    else:
        rel_inside = rel
    return (
        rel.endswith(".md")
        and rel != vault.settings.index
        and not any(_hidden(part) for part in rel_inside.split("/"))
    )


# The combining accents of Latin script (U+0300-U+036F) but U+034F, the one among them
# whose combining class is 0: `unicodedata.combining` is true for exactly these.
_LATIN_MARKS = re.compile("[\u0300-\u034e\u0350-\u036f]")


def normalize(text: str) -> str:
    """Case- and accent-insensitive form of a name: `José  Müller` → `jose muller`."""
    if text.isascii():  # nothing to decompose (the common case, 10,000 times a look-up)
        return " ".join(text.casefold().split())
    plain = _LATIN_MARKS.sub("", unicodedata.normalize("NFKD", text))  # é → e at C speed
    if not plain.isascii():  # other scripts' marks: the exact (slower) test
        plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return " ".join(plain.casefold().split())


def _names(contact: Contact) -> list[str]:
    return [normalize(n) for n in (contact.name, contact.stem, *contact.aliases) if n.strip()]


def _may_hold(contact: Contact, word: str) -> bool:
    """False only when no normalized name of the contact can contain `word` (a quick
    test before normalizing: a plain-ASCII name normalizes to its casefold)."""
    names = "\n".join((contact.name, contact.path, *contact.aliases))
    return word in (names.casefold() if names.isascii() else normalize(names))


def _paths(contact: Contact) -> tuple[str, str]:
    """The note's path without `.md`, whole and without its first folder, normalized."""
    path = contact.path.removesuffix(".md")
    return normalize(path), normalize(path.partition("/")[2])


def find_contact(contacts: tuple[Contact, ...] | list[Contact], query: str) -> Contact:
    """The one person `query` names: whole name, file name or alias; else a unique
    first word; else a unique prefix. Raises NameNotFound with suggestions or choices."""
    wanted = normalize(query.removesuffix(".md"))
    if not wanted:
        raise NameNotFound("no name given", "give part of a person's name")
    # A note's path (as the lists show it, with or without the contacts folder) names
    # one note even when several people share a name.
    by_path = [c for c in contacts if wanted in _paths(c)] if "/" in wanted else []
    if len(by_path) == 1:
        return by_path[0]
    rules: list[Callable[[str], bool]] = [
        lambda name: name == wanted,
        lambda name: name.split()[0] == wanted if name.split() else False,
        lambda name: name.startswith(wanted),
        lambda name: any(word.startswith(wanted) for word in name.split()),
    ]
    # Every rule needs `wanted` inside a normalized name: only those notes are normalized
    # (a plain-ASCII name normalizes to its casefold, so a substring test finds them).
    first = wanted.split()[0]
    named = [(c, _names(c)) for c in contacts if _may_hold(c, first)]
    for number, rule in enumerate(rules):
        found = {
            c.path: c
            for c, names in named
            if (wanted in names if number == 0 else any(rule(n) for n in names))
        }
        if len(found) == 1:
            return next(iter(found.values()))
        if len(found) > 1:
            choices = sorted(found.values(), key=lambda c: c.name.casefold())
            listing = "\n".join(f"  {c.name}  ({c.path})" for c in choices[:20])
            raise NameNotFound(
                f"{query!r} matches {len(found)} people:\n{listing}",
                "give more of the name, or the note's path as listed",
            )
    everyone: dict[str, str] = {}  # every name, alias and first name → the person's name
    for contact, names in ((c, _names(c)) for c in contacts):
        for name in names:
            everyone.setdefault(name, contact.name)
            everyone.setdefault(name.split()[0], contact.name)
    import difflib

    close = difflib.get_close_matches(wanted, list(everyone), n=6, cutoff=0.6)
    suggested = list(dict.fromkeys(everyone[n] for n in close))[:3]
    hint = (
        ("did you mean " + " or ".join(map(repr, suggested)) + "?")
        if close
        else "`vtb due` lists people; `vtb add NAME` adds one"
    )
    raise NameNotFound(f"nobody called {query!r}", hint)
