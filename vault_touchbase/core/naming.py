"""File names for new notes, as Obsidian names them (pure)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

# Characters Obsidian (and Windows, macOS, Linux) will not have in a note's file name.
_UNSAFE = re.compile(r'[\\/:*?"<>|#^\[\]\x00-\x1f\x7f]')


def note_stem(name: str, style: str = "obsidian") -> str:
    """`Jane Doe` → `Jane Doe` (obsidian) or `jane-doe` (slug); never empty, never a path."""
    if style == "slug":
        plain = unicodedata.normalize("NFKD", name)
        plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).lower()
        stem = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")
    else:
        stem = " ".join(_UNSAFE.sub(" ", name).split())
    # Leading dots and spaces go (after `/` became a space, `../x` is `.. x`): a name
    # starting with a dot would be a hidden file, which is never a contact.
    stem = stem.lstrip(". ")[:120].rstrip()
    base, dot, rest = stem.partition(".")
    if base.rstrip(" ").upper() in _DEVICES:  # `Con`: a device on Windows (a synced vault)
        stem = base.rstrip(" ") + ("-contact" if style == "slug" else " (contact)") + dot + rest
    return stem or "Unnamed"


# Names Windows keeps for devices, whatever the extension (`con.md`, `nul.tar.md`).
_DEVICES = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
    + [f"{port}{n}" for port in ("COM", "LPT") for n in [*"123456789", "¹", "²", "³"]]
)


def unique_stem(stem: str, taken: Callable[[str], bool]) -> str:
    """`stem`, or `stem (2)`, `stem (3)` ... the first one not `taken`."""
    if not taken(stem):
        return stem
    number = 2
    while taken(f"{stem} ({number})"):
        number += 1
    return f"{stem} ({number})"


# File names that say nothing about who the note is about: Obsidian's new-note names,
# vtb's own fallback, a Zettelkasten id or date, a slug (`jane-doe`).
_NOT_A_NAME = re.compile(
    r"(?:untitled|unnamed|new note|sans titre|unbenannt)(?: ?\(?\d+\)?)?"
    r"|[\d\W_]*",
    re.IGNORECASE,
)


def stem_is_a_name(stem: str) -> bool:
    """Whether a note's file name can stand for the person's name, as it does in Obsidian
    (`Liam O'Connor`), unlike `Untitled 2`, `202311051230` or the slug `jane-doe`."""
    text = " ".join(stem.split())
    if not text or _NOT_A_NAME.fullmatch(text):
        return False
    slug = " " not in text and ("-" in text or "_" in text) and text.islower()
    return not slug  # `Jean-Luc` and `Anne-Marie Roy` are names; `jane-doe` is a slug
