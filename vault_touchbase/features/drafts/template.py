"""The email template note (`templates/email.md`): read, and rendered in a Jinja2 sandbox."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vault_touchbase.core.errors import VtbError
from vault_touchbase.core.oneline import single_line

if TYPE_CHECKING:
    from vault_touchbase.vault.folder import Vault

TEMPLATE_PATH = "templates/email.md"
NEWS_PIECES = 2  # pieces of news per draft, unless the template's `news:` says otherwise


@dataclass(frozen=True)
class Template:
    """The email template note: Jinja2 body, and its frontmatter (`subject`, `from`, `news`)."""

    subject: str
    sender: str  # `Sam Rivera <sam@example.com>`, or ""
    news: int
    body: str
    body_line: int  # file line where the body starts (for error messages)
    where: str


def parse_template(text: str, where: str = TEMPLATE_PATH) -> Template:
    """Read a template note; a broken frontmatter raises VtbError naming the line."""
    from vault_touchbase.notes.text import NoteSyntaxError, frontmatter_of, split_note

    try:
        parts = split_note(text)
        meta = frontmatter_of(text)
    except NoteSyntaxError as exc:
        raise VtbError(f"{where}:{exc.line}: {exc.message}", exc.hint) from None
    except Exception as exc:  # yaml.YAMLError
        raise VtbError(f"{where}: cannot read its frontmatter: {exc}", "fix the YAML") from None
    if not isinstance(meta, dict):
        meta = {}
    news = meta.get("news", NEWS_PIECES)
    if isinstance(news, bool) or not isinstance(news, int) or news < 0:
        raise VtbError(f"{where}: news: {news!r} must be a whole number", "e.g. news: 2")
    return Template(
        subject=single_line(str(meta.get("subject") or "Catching up"), squeeze=True),
        sender=single_line(str(meta.get("from") or ""), squeeze=True),
        news=news,
        body=parts.body,
        body_line=parts.body_line,
        where=where,
    )


def load_template(vault: Vault) -> tuple[Template, list[str]]:
    """The vault's `templates/email.md`, else the built-in one (with a notice)."""
    from vault_touchbase.core.settings import MAX_TEMPLATE_BYTES
    from vault_touchbase.core.templates import EMAIL_TEMPLATE
    from vault_touchbase.vault.store import read_limited

    path = vault.path_of(TEMPLATE_PATH)
    try:
        data = read_limited(path, MAX_TEMPLATE_BYTES, TEMPLATE_PATH)  # InputRefused: said as is
        return parse_template(data.decode("utf-8-sig")), []
    except FileNotFoundError:
        notice = (
            f"no {TEMPLATE_PATH} in the vault: the built-in template is used (`vtb init` adds it)"
        )
        return parse_template(EMAIL_TEMPLATE, "built-in template"), [notice]
    except (OSError, UnicodeDecodeError) as exc:
        raise VtbError(f"cannot read {TEMPLATE_PATH}: {exc}", "save it as UTF-8 text") from None


def render_template(template: Template, values: dict[str, Any]) -> tuple[str, str]:
    """(subject, body) rendered in a sandbox. A mistake in the template raises VtbError
    with its line and the names it may use."""
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(
        autoescape=False,  # plain text, not HTML
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    names = ", ".join(sorted(values))
    try:
        body = env.from_string(template.body).render(values)
        subject = env.from_string(template.subject).render(values)
    except jinja2.TemplateSyntaxError as exc:
        line = template.body_line + (exc.lineno or 1) - 1
        raise VtbError(f"{template.where}:{line}: {exc.message}", "fix the template") from None
    except jinja2.UndefinedError as exc:
        raise VtbError(f"{template.where}: {exc.message}", f"it may use: {names}") from None
    except jinja2.TemplateError as exc:
        raise VtbError(f"{template.where}: {exc}", "fix the template") from None
    body = re.sub(r"[ \t]+\n", "\n", body)
    body = re.sub(r"\n{3,}", "\n\n", body).strip("\n") + "\n"
    return single_line(subject, squeeze=True), body
