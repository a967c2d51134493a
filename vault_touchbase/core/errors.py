"""The project's own exceptions. The CLI's one error handler turns them into a message."""

from __future__ import annotations


class VtbError(Exception):
    """Something vtb could not do. `hint` tells the user what to do about it."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class VaultNotFound(VtbError):
    """No vault could be found from --vault, VTB_VAULT or the current folder."""


class SettingsError(VtbError):
    """vtb.toml is unreadable or holds a value vtb cannot use."""


class NameNotFound(VtbError):
    """A NAME on the command line matches nobody, or more than one person."""


class NoteError(VtbError):
    """A note cannot be edited safely; it is left untouched."""


class GitError(VtbError):
    """Git refused or failed; the message says why and what to do."""


class UsageProblem(VtbError):
    """A value given on the command line is not usable (exit code 2)."""

    exit_code = 2
