"""Dependencies are honest: every package vtb declares, vtb imports, and the reverse."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).parent.parent
PACKAGE = ROOT / "vault_touchbase"
# The name a distribution is imported by, where it differs from the distribution's.
IMPORT_NAMES = {
    "PyYAML": "yaml",
    "markdown-it-py": "markdown_it",
    "python-docx": "docx",
    "Jinja2": "jinja2",
    "snowballstemmer": "snowballstemmer",
}


def declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {re.split(r"[<>=!~ \[;]", spec, maxsplit=1)[0] for spec in project["dependencies"]}
    return {IMPORT_NAMES.get(name, name.lower().replace("-", "_")) for name in names}


def imported() -> set[str]:
    """Top-level modules the package imports anywhere (inside functions too)."""
    found: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"vault_touchbase", "_blake2"}


def test_every_declared_dependency_is_imported_by_the_package() -> None:
    assert declared() - imported() == set()


def test_every_imported_package_is_declared() -> None:
    assert imported() - declared() == set()
