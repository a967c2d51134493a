"""`vtb init`: make a vault's layout, or add only what an existing vault lacks."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .settings import CONFIG_NAME, STATE_DIR, TEMPLATE_TOML, Settings, load_settings

CONTACT_TEMPLATE = """\
---
name: "{{title}}"
aliases: []
email:
phone:
circle: professional
tags: []
cadence:
channel:
nearby: false
last_contacted:
offers: []
needs: []
birthday:
---
How we met, what matters to them.

## Log
"""

EMAIL_TEMPLATE = """\
---
# The template `vtb draft` and `vtb hour` fill in for each person (Jinja2).
subject: "Catching up"
from: ""        # you, for the drafts: "Sam Rivera <sam@example.com>"
news: 2         # how many pieces of your news (Now.md) go into one email
---
Hi {{ first_name }},

{{ personal }}

{% for piece in news %}
{{ piece }}

{% endfor %}
How are things with you?

Best,
{{ me }}

{#
Names you can use: first_name, name, personal (the lines only this person gets),
personal_lines, news (the pieces of Now.md chosen for them), news_labels, needs,
offers, followups, last (their last Log entry: last.date, last.channel, last.text),
me, today. This comment is not part of the email.
#}
"""

NOW_NOTE = """\
# Now

What I am up to, in short pieces that `vtb draft` can reuse in emails.
Each list item under News is one piece: a short label, a colon, the news.

## News
- new project: I started working on ...
"""


def gitignore_text(settings: Settings) -> str:
    lines = ["# vault-touchbase state (caches, locks)", f"{STATE_DIR}/"]
    if not settings.commit_index:
        lines += ["# the generated index note (vtb refresh rebuilds it)", "/" + settings.index]
    lines += [".obsidian/workspace*.json", ".trash/"]
    return "\n".join(lines) + "\n"


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
    return "\n".join(lines) + "\n"


def _escape_pattern(text: str) -> str:
    """gitattributes patterns are globs that end at any whitespace (even inside `[ ]`):
    glob characters are escaped and a space is matched by `?`."""
    escaped = "".join("\\" + char if char in "*?[\\" else char for char in text)
    return escaped.replace(" ", "?")


@dataclass
class InitResult:
    added: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def _add(root: Path, rel: str, text: str, result: InitResult) -> None:
    path = root / rel
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")
    result.added.append(rel)


def init_vault(root: Path) -> InitResult:
    """Create what is missing; never change an existing file. Lists what it added."""
    from . import gitrepo

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
    files = [rel for rel in result.added if not rel.endswith("/")]
    if files:
        _commit_setup(root, files, result)
    from .syncing import register_for_vault

    result.added += register_for_vault(root, settings)  # .git/config is not cloned
    return result


def _commit_setup(root: Path, files: list[str], result: InitResult) -> None:
    """One commit of exactly the files `init` added (nothing of the user's)."""
    from .committing import Committer, Outcome
    from .vault import Vault

    outcome = Outcome()
    Committer(Vault(root, load_settings(root))).commit(
        files, "init: vault-touchbase vault", {"Vtb-Init": ", ".join(files)}, outcome
    )
    result.notices += [n for n in outcome.notices if "is not the top of a git" not in n]
