"""Case- and accent-insensitive text (`normalize`), the one folding names and words share."""

from __future__ import annotations

import re
import unicodedata

WORD = re.compile(r"[^\W_]+")  # a word of any script: letters and digits, no underscore

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
