"""The vault's .gitignore and .gitattributes lines, built from the settings."""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from vault_touchbase.core.settings import STATE_DIR, TEMP_SUFFIX, Settings

if TYPE_CHECKING:
    from vault_touchbase.git.repo import GitRepo


def gitignore_text(settings: Settings) -> str:
    """The vault's `.gitignore`: vtb's state folder, the index note when it is not committed,
    and temp files (vtb's own, left by a write cut short, and editors' swap and backup files)."""
    lines = ["# vault-touchbase state (caches, locks)", f"{STATE_DIR}/"]
    if not settings.commit_index:
        lines += ["# the generated index note (vtb refresh rebuilds it)", "/" + settings.index]
        if settings.chart:  # and its chart, drawn next to it
            lines.append("/" + settings.chart_file)
    lines += [".obsidian/workspace*.json", ".trash/"]
    lines += [
        "# temp files: vtb's (a write cut short) and editors' (Vim, Emacs, backups)",
        f".*{TEMP_SUFFIX}",
        ".*.sw[a-p]",
        "*~",
        ".#*",
    ]
    return "\n".join(lines) + "\n"


def missing_ignores(existing: str, settings: Settings) -> list[str]:
    """The patterns of `gitignore_text` that an existing `.gitignore` lacks, in order."""
    have = {line.strip() for line in existing.splitlines()}
    wanted = gitignore_text(settings).splitlines()
    return [line for line in wanted if line and not line.startswith("#") and line not in have]


def gitattributes_text(settings: Settings) -> str:
    """The merge driver's pattern, from the settings. No text/eol rules: they would
    rewrite CRLF notes."""
    folder = "" if settings.contacts in ("", ".") else settings.contacts.rstrip("/") + "/"
    lines = [
        "# vault-touchbase: merge contact notes entry by entry (see `vtb sync`)",
        f"{_escape_pattern(folder)}**/*.md merge=vtb",
    ]
    if settings.commit_index:
        lines.append(f"/{_escape_pattern(settings.index)} merge=vtb-index")
        if settings.chart:  # the driver keeps OURS (no ticks in it); the next refresh redraws
            lines.append(f"/{_escape_pattern(settings.chart_file)} merge=vtb-index")
    return "\n".join(lines) + "\n"


def _escape_pattern(text: str) -> str:
    """gitattributes patterns are globs that end at any whitespace (even inside `[ ]`):
    glob characters are escaped and a space is matched by `?`."""
    escaped = "".join("\\" + char if char in "*?[\\" else char for char in text)
    return escaped.replace(" ", "?")


DRIVER = "vtb"


INDEX_DRIVER = "vtb-index"


def driver_command(python: str, index: bool = False) -> str:
    """The shell command git runs to merge a note: this Python, by absolute path."""
    flag = " --index" if index else ""
    return f"{shlex.quote(python)} -m vault_touchbase merge-note{flag} %O %A %B %P"


def register_merge_driver(repo: GitRepo, python: str | None = None) -> bool:
    """Make sure `[merge "vtb"]` and `[merge "vtb-index"]` are in `.git/config`, set to
    run the Python that runs vtb now. True when the config changed."""
    python = os.path.abspath(python or sys.executable or "python3")
    changed = False
    for name, index, label in (
        (DRIVER, False, "vault-touchbase: contact notes, entry by entry"),
        (INDEX_DRIVER, True, "vault-touchbase: the index note, every tick kept"),
    ):
        changed |= repo.ensure_config(f"merge.{name}.name", label)
        changed |= repo.ensure_config(f"merge.{name}.driver", driver_command(python, index))
    return changed


def register_for_vault(root: Path, settings: Settings) -> list[str]:
    """`vtb init`'s step: register the merge driver when the vault is in git.
    Returns what was added, for init's list."""
    from vault_touchbase.git.repo import open_repo

    repo = open_repo(root, settings.git)
    if repo is None or not register_merge_driver(repo):
        return []
    return ['.git/config (merge driver "vtb", used by vtb sync and git pull)']
