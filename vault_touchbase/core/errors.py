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


class WriteFailed(VtbError):
    """A file could not be written (disk full, read-only, no permission); it is left as it was."""

    def __init__(self, path: str, cause: str, hint: str = "") -> None:
        super().__init__(
            f"cannot write {path}: {cause}",
            hint or "free some space or make it writable, then run the command again",
        )
        self.path = path
        self.cause = cause

    def naming(self, path: str) -> WriteFailed:
        """The same failure, naming the file as the user knows it (`contacts/Jane Doe.md`)."""
        return WriteFailed(path, self.cause, self.hint)


class InTheWay(VtbError):
    """Something that is no file (a folder, a pipe, a device) has the name of a file vtb
    writes (the index note, the chart): it is left as it is, and nothing is written there."""

    def __init__(self, name: str, kind: str, what: str, setting: str) -> None:
        super().__init__(
            f"{name} is {kind}, so {what} cannot be written there; it is left as it is",
            f'rename it, or set `{setting} = "..."` in vtb.toml to another name',
        )


class GitError(VtbError):
    """Git refused or failed; the message says why and what to do."""


class UsageProblem(VtbError):
    """A value given on the command line is not usable (exit code 2)."""

    exit_code = 2
