"""Counts in words: `1 person`, `3 people`, the same everywhere vtb says a number."""

from __future__ import annotations


def plural(count: int, word: str, many: str = "") -> str:
    """`1 problem`, `2 problems`; `plural(n, "person", "people")`."""
    return f"{count} {word if count == 1 else many or word + 's'}"
