"""`vtb init`: make a vault's layout, or add only what an existing vault lacks."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from vault_touchbase.core.errors import GitError
from vault_touchbase.core.settings import CONFIG_NAME, TEMPLATE_TOML, Settings, load_settings
from vault_touchbase.core.templates import CONTACT_TEMPLATE, EMAIL_TEMPLATE, NOW_NOTE
from vault_touchbase.git.attributes import gitattributes_text, gitignore_text, missing_ignores
from vault_touchbase.notes.parse import VCF_LIST_KEY


@dataclass
class InitResult:
    added: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    uids: list[str] = field(default_factory=list)  # notes given a `uid`, in their own commit
    committed: list[str] = field(default_factory=list)
    error: GitError | None = None  # the files are written, but could not be committed


def _add(root: Path, rel: str, text: str, result: InitResult, instead: str = "") -> None:
    """Write `text` to `rel` unless something is there. A link, even one to nothing, is
    left as it is (vtb never writes through links) with a notice, and `instead`: what the
    user could do."""
    path = root / rel
    if path.is_symlink():
        result.notices.append(
            f"{rel} is a link; left as it is (vtb never writes through links){instead}"
        )
        return
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")
    result.added.append(rel)


def init_vault(root: Path) -> InitResult:
    """Create what is missing; change no existing file but `.gitignore`, which gets the lines
    of vtb's own it lacks appended. Lists what it added."""
    from vault_touchbase.git import repo as gitrepo

    result = InitResult()
    root.mkdir(parents=True, exist_ok=True)
    toml = TEMPLATE_TOML
    if not (root / CONFIG_NAME).exists() and not (root / Settings().contacts).exists():
        found = people_folder(root)  # an Obsidian vault with its people in `People/`
        if found is not None:
            folder, count = found
            toml = toml.replace('# contacts = "contacts"', f"contacts = {json.dumps(folder)}")
            result.notices.append(
                f"{count} notes about people found in {folder}/: vtb reads its contacts from"
                f' there (`contacts = "{folder}"` in {CONFIG_NAME}; change it if that is wrong)'
            )
    _add(root, CONFIG_NAME, toml, result)
    settings = load_settings(root)
    contacts = root / settings.contacts
    if not contacts.is_dir():
        contacts.mkdir(parents=True)
        result.added.append(settings.contacts + "/")
        # git keeps no empty folders: without this a fresh clone would lack contacts/
        _add(root, f"{settings.contacts}/.gitkeep", "", result)
    _add(root, "templates/contact.md", CONTACT_TEMPLATE, result)
    _add(root, "templates/email.md", EMAIL_TEMPLATE, result)
    _add(root, "Now.md", NOW_NOTE, result)
    appended = _append_ignores(root, settings, result)
    wanted = ", ".join(missing_ignores("", settings))
    _add(root, ".gitignore", gitignore_text(settings), result, f": add what it lacks of {wanted}")
    _add(root, ".gitattributes", gitattributes_text(settings), result)
    result.notices += gitrepo.init_repo(root, settings)
    also: list[str] = []  # an existing .gitignore init appended to, when git holds it as it was
    if appended is not None:
        _, before = appended
        held = _held_in_git(root, settings, ".gitignore", before)
        if held == "as it was":
            also.append(".gitignore")
        elif held == "changed":  # (one git never held is committed with the setup files)
            result.notices.append(
                ".gitignore has changes that are not committed, so vtb did not commit its "
                "lines either: commit the file when you like"
            )
    also += _obsidian_files(root, settings, result)
    from vault_touchbase.git.attributes import register_for_vault

    result.added += register_for_vault(root, settings)  # .git/config is not cloned
    setup = [f"{settings.contacts}/.gitkeep", *SETUP_FILES]
    from vault_touchbase.actions.obsidian import is_vtbs_base

    if settings.bases and is_vtbs_base(root, settings):  # never a file of the user's
        setup.append(settings.bases_file)
    _commit_setup(root, setup, result, also)
    if result.error is None:
        _give_uids(root, result)
    return result


# The fields that make a note a note about a person (in any dialect vtb reads).
_PERSON_FIELDS = ("email", "phone", "birthday", "last_contacted", "cadence")
_KEY_LINE = re.compile(r"^([^\s#:'\"-][^:]*?)\s*:", re.MULTILINE)
_SCANNED = 5000  # notes looked at, at most: a vault of daily notes is not read whole


def people_folder(root: Path) -> tuple[str, int] | None:
    """The folder (not the vault's top, not hidden; its subfolders count) holding the most
    notes whose frontmatter has a person's field (an email, phone, birthday, last contact
    or cadence, under any dialect's key), and how many; None when no note has one."""
    index = Settings().key_index
    keys = {key for key, fields in index.items() if any(f in _PERSON_FIELDS for f, _ in fields)}
    counts: dict[str, int] = {}
    scanned = 0
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "templates")
        rel = Path(folder).relative_to(root).as_posix()
        for name in files:
            if not name.endswith(".md") or rel == "." or scanned >= _SCANNED:
                continue
            scanned += 1
            try:
                with open(os.path.join(folder, name), "rb") as handle:
                    head = handle.read(4096).decode("utf-8", "replace")
            except OSError:
                continue
            if head.startswith("---") and "\n---" in head:
                front = head.split("\n---", 1)[0]
                found = [m.group(1) for m in _KEY_LINE.finditer(front)]
                if keys.intersection(found) or any(map(VCF_LIST_KEY.match, found)):
                    parts = rel.split("/")  # counted in each folder it is in
                    for depth in range(1, len(parts) + 1):
                        above = "/".join(parts[:depth])
                        counts[above] = counts.get(above, 0) + 1
    if not counts:
        return None
    # the most notes; of folders with as many, the innermost (`Areas/People`, not `Areas`)
    best = max(counts, key=lambda folder: (counts[folder], folder.count("/"), folder))
    return best, counts[best]


# What `init` writes outside .git/ (besides the contacts folder's .gitkeep).
SETUP_FILES = (
    CONFIG_NAME,
    "templates/contact.md",
    "templates/email.md",
    "Now.md",
    ".gitignore",
    ".gitattributes",
)


def _obsidian_files(root: Path, settings: Settings, result: InitResult) -> list[str]:
    """`People.base` and the property types in `.obsidian/types.json` (actions/obsidian.py).
    Returns the files changed that init commits besides its setup files: one git held as
    it was before, and a new `types.json` git does not ignore."""
    from vault_touchbase.actions.obsidian import ObsidianFiles, people_base, property_types
    from vault_touchbase.core.errors import VtbError
    from vault_touchbase.git.repo import open_repo
    from vault_touchbase.vault.folder import Vault
    from vault_touchbase.vault.load import load_vault

    out = ObsidianFiles()
    try:
        contacts = load_vault(Vault(root, settings)).contacts
    except VtbError as exc:
        result.notices.append(f"no Obsidian views written: {exc.message}")
        return []
    people_base(root, settings, contacts, out)
    property_types(root, settings, contacts, out)
    result.added += out.added
    result.notices += out.notices
    repo = open_repo(root, settings.git)
    also: list[str] = []
    for rel, before in out.written.items():
        if repo is None or (before is None and rel == settings.bases_file):
            continue  # a new People.base is one of the setup files
        if before is None:
            path = root / rel
            if repo.status([path]).get(repo.relpath(path)) == "??":  # not ignored
                also.append(rel)
        elif repo.show_head(root / rel) == before:
            also.append(rel)
    return also


def _append_ignores(root: Path, settings: Settings, result: InitResult) -> tuple[str, bytes] | None:
    """Append to an existing `.gitignore` the lines of vtb's own that it lacks (its
    other lines are kept byte for byte). Returns the entry listed in `result.added`
    and the file's bytes before."""
    from vault_touchbase.vault.store import atomic_write

    path = root / ".gitignore"
    if path.is_symlink() or not path.is_file():  # (a link: `_add` says so)
        return None
    old = path.read_bytes()
    missing = missing_ignores(old.decode("utf-8", "replace"), settings)
    if not missing:
        return None
    newline = b"\r\n" if b"\r\n" in old else b"\n"
    lines = ["# added by vtb init", *missing]
    tail = newline.join(line.encode("utf-8") for line in lines) + newline
    atomic_write(path, old + (newline if old and not old.endswith(b"\n") else b"") + tail)
    entry = f".gitignore (appended: {', '.join(missing)})"
    result.added.append(entry)
    return entry, old


def _held_in_git(root: Path, settings: Settings, rel: str, before: bytes) -> str | None:
    """How HEAD holds the file whose bytes were `before` until init changed it: "as it
    was" (committing it commits only init's lines), "changed", or "not at all" (never
    committed); None when vtb commits nothing here."""
    from vault_touchbase.git.repo import open_repo

    repo = open_repo(root, settings.git)
    if repo is None:
        return None
    held = repo.show_head(root / rel)
    return "not at all" if held is None else "as it was" if held == before else "changed"


def _give_uids(root: Path, result: InitResult) -> None:
    """Give every contact note without a `uid` the one vtb has exported it under so far
    (made from its path), so a rename no longer changes it: one commit, listing them."""
    from vault_touchbase.actions.committing import Committer, Outcome, edit_named
    from vault_touchbase.actions.exporter import note_uid
    from vault_touchbase.core.errors import VtbError
    from vault_touchbase.core.model import Contact
    from vault_touchbase.notes.edit_frontmatter import set_scalar
    from vault_touchbase.vault.folder import Vault
    from vault_touchbase.vault.load import load_vault
    from vault_touchbase.vault.store import vault_lock

    vault = Vault(root, load_settings(root))
    with vault_lock(root):
        missing = [c for c in load_vault(vault).contacts if not c.uid]
        for contact in missing:

            def give(text: str, contact: Contact = contact) -> str:
                return set_scalar(text, contact.keys.get("uid", "uid"), note_uid(contact))

            try:
                if edit_named(vault, contact.path, give):
                    result.uids.append(contact.path)
            except VtbError as exc:
                hint = f" ({exc.hint})" if exc.hint else ""
                result.notices.append(f"no uid given: {exc.message}{hint}")
        if not result.uids:
            return
        count = len(result.uids)
        message = f"init: a stable uid for {count} note{'s' * (count != 1)}\n\n" + "\n".join(
            result.uids
        )
        outcome = Outcome()
        Committer(vault).commit(result.uids, message, {"Vtb-Init": "uid"}, outcome)
        result.notices += [n for n in outcome.notices if "is not the top of a git" not in n]


def _commit_setup(root: Path, setup: list[str], result: InitResult, also: list[str]) -> None:
    """One commit of the setup files that git does not track yet (nothing of the user's).

    These are the files this run added and, after a run that could not commit
    (git did not know who commits), the ones that run left untracked; and `also`.
    """
    from vault_touchbase.actions.committing import Committer, Outcome
    from vault_touchbase.vault.folder import Vault

    committer = Committer(Vault(root, load_settings(root)))

    def is_file(rel: str) -> bool:  # (a link is the user's: init wrote nothing through it)
        return (root / rel).is_file() and not (root / rel).is_symlink()

    added = [rel for rel in result.added if is_file(rel) and not rel.startswith(".git/")]
    if committer.repo is None:
        files = added
    else:
        present = [rel for rel in setup if is_file(rel)]
        codes = committer.repo.status([root / rel for rel in present]) if present else {}
        top = committer.repo.top.resolve()
        untracked = {
            rel
            for rel in present
            if codes.get((root / rel).resolve().relative_to(top).as_posix()) == "??"
        }
        files = [rel for rel in setup if rel in untracked or rel in added]
    files += [rel for rel in also if rel not in files]
    if not files:
        return
    try:
        committer.ready()  # git knows who commits: else say so, and how to finish
    except GitError as exc:
        result.error = GitError(
            f"the vault's files are written but not committed: {exc.message}",
            f"{exc.hint}; then run `vtb init` again: it commits them",
        )
        return
    outcome = Outcome()
    committer.commit(files, "init: vault-touchbase vault", {"Vtb-Init": ", ".join(files)}, outcome)
    result.committed = files
    result.notices += [n for n in outcome.notices if "is not the top of a git" not in n]
