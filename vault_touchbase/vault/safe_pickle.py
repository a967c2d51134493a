"""Reading back vtb's own small state files (`.vtb/*-memo.pickle`) without running code.

An unpickler that builds only builtin values, and one that also builds `Problem` and
dates; anything else in the file is refused, and the caller treats the file as missing.
"""

from __future__ import annotations

import pickle
from typing import Any

from vault_touchbase.core import model

_ALLOWED = {("datetime", "date"), (model.__name__, "Problem")}


class BuiltinsUnpickler(pickle.Unpickler):
    """Builds only builtin values (tuples, strings, numbers)."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed here")


class ProblemsUnpickler(pickle.Unpickler):
    """Builds builtin values, dates and `Problem`s; anything else is refused."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed here")
        return super().find_class(module, name)
