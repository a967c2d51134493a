"""`vtb init`: make a vault's layout, or add only what an existing vault lacks."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from vault_touchbase.core.errors import GitError
from vault_touchbase.core.settings import CONFIG_NAME, TEMPLATE_TOML, load_settings
from vault_touchbase.core.templates import CONTACT_TEMPLATE, EMAIL_TEMPLATE, NOW_NOTE
from vault_touchbase.git.attributes import gitattributes_text, gitignore_text


@dataclass
class InitResult:
    added: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    committed: list[str] = field(default_factory=list)
    error: GitError | None = None  # the files are written, but could not be committed


def _add(root: Path, rel: str, text: str, result: InitResult) -> None:
    path = root / rel
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")
    result.added.append(rel)


def init_vault(root: Path) -> InitResult:
    """Create what is missing; never change an existing file. Lists what it added."""
    from vault_touchbase.git import repo as gitrepo

    result = InitResult()
    root.mkdir(parents=True, exist_ok=True)
    _add(root, CONFIG_NAME, TEMPLATE_TOML, result)
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
    _add(root, ".gitignore", gitignore_text(settings), result)
    _add(root, ".gitattributes", gitattributes_text(settings), result)
    result.notices += gitrepo.init_repo(root, settings)
    from vault_touchbase.git.attributes import register_for_vault

    result.added += register_for_vault(root, settings)  # .git/config is not cloned
    _commit_setup(root, [f"{settings.contacts}/.gitkeep", *SETUP_FILES], result)
    return result


# What `init` writes outside .git/ (besides the contacts folder's .gitkeep).
SETUP_FILES = (
    CONFIG_NAME,
    "templates/contact.md",
    "templates/email.md",
    "Now.md",
    ".gitignore",
    ".gitattributes",
)


def _commit_setup(root: Path, setup: list[str], result: InitResult) -> None:
    """One commit of the setup files that git does not track yet (nothing of the user's).

    These are the files this run added and, after a run that could not commit
    (git did not know who commits), the ones that run left untracked.
    """
    from vault_touchbase.actions.committing import Committer, Outcome
    from vault_touchbase.vault.folder import Vault

    committer = Committer(Vault(root, load_settings(root)))
    added = [rel for rel in result.added if not rel.endswith("/") and not rel.startswith(".git/")]
    if committer.repo is None:
        files = added
    else:
        present = [rel for rel in setup if (root / rel).is_file()]
        codes = committer.repo.status([root / rel for rel in present]) if present else {}
        top = committer.repo.top.resolve()
        untracked = {
            rel
            for rel in present
            if codes.get((root / rel).resolve().relative_to(top).as_posix()) == "??"
        }
        files = [rel for rel in setup if rel in untracked or rel in added]
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
