"""Faults of the disk and the system: a full disk, a read-only file system or note, no permission."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from conftest import Vtb, git, snapshot_bytes


def _refuse(monkeypatch: pytest.MonkeyPatch, call: str, code: int) -> None:
    """`os.<call>` fails with `code`; `os.open` only for vtb's temp files (the lock still opens)."""
    real = getattr(os, call)

    def refuse(*args: object, **kwargs: object) -> object:
        if call == "open" and not str(args[0]).endswith(".vtb-tmp"):
            return real(*args, **kwargs)
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, call, refuse)


@pytest.mark.parametrize(
    ("call", "code", "cause"),
    [
        ("write", errno.ENOSPC, "no space left on device"),
        ("open", errno.EROFS, "read-only file system"),
        ("open", errno.EACCES, "permission denied"),
    ],
)
def test_a_refused_write_says_what_and_where_and_changes_nothing(
    example_repo: Path, monkeypatch: pytest.MonkeyPatch, call: str, code: int, cause: str
) -> None:
    vtb = Vtb(example_repo)
    vtb("refresh")  # the index note written (and committed) first, so no write is left
    before = snapshot_bytes(example_repo)
    head = git(example_repo, "rev-parse", "HEAD")
    _refuse(monkeypatch, call, code)
    result = vtb("log", "ana", "hello")
    monkeypatch.undo()
    assert result.exit_code == 1, result.output
    assert f"vtb: error: cannot write contacts/Ana Lima.md: {cause}\n" in result.output
    assert "free some space or make it writable" in result.output
    assert "unexpected" not in result.output and "report" not in result.output
    assert snapshot_bytes(example_repo) == before
    assert git(example_repo, "rev-parse", "HEAD") == head
    assert not [p for p in example_repo.rglob("*.vtb-tmp")]


def test_a_refused_index_write_names_the_index_note(
    example_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _refuse(monkeypatch, "write", errno.ENOSPC)
    result = Vtb(example_copy)("refresh")
    monkeypatch.undo()
    assert result.exit_code == 1
    assert "vtb: error: cannot write Touch Base.md: no space left on device" in result.output
    assert not (example_copy / "Touch Base.md").exists()


def test_any_other_os_error_says_what_and_where(
    example_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = example_copy / ".vtb"

    def refuse(self: Path, *args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))

    monkeypatch.setattr(Path, "mkdir", refuse)
    result = Vtb(example_copy)("log", "ana", "hello")
    monkeypatch.undo()
    assert result.exit_code == 1
    assert f"vtb: error: {state}: read-only file system\n" in result.output
    assert "unexpected" not in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["log", "ana", "hello"],
        ["snooze", "ana", "2w"],
        ["log", "ana", "--follow-up", "send the article"],
    ],
)
def test_a_read_only_note_is_refused_even_for_root(example_repo: Path, args: list[str]) -> None:
    note = example_repo / "contacts" / "Ana Lima.md"
    note.chmod(0o444)
    before = snapshot_bytes(example_repo)
    head = git(example_repo, "rev-parse", "HEAD")
    result = Vtb(example_repo)(*args)
    assert result.exit_code == 1, result.output
    assert "vtb: error: cannot write contacts/Ana Lima.md: the file is read-only" in result.output
    assert "chmod u+w" in result.output
    after = snapshot_bytes(example_repo)
    after.pop("Touch Base.md", None)  # no index note before, and the index is no note
    assert after == before
    assert git(example_repo, "rev-parse", "HEAD") == head
    assert os.stat(note).st_mode & 0o777 == 0o444


def test_an_intro_with_one_read_only_note_changes_neither(example_repo: Path) -> None:
    mei = example_repo / "contacts" / "garden club" / "Mei Chen.md"
    mei.chmod(0o444)
    before = snapshot_bytes(example_repo)
    head = git(example_repo, "rev-parse", "HEAD")
    result = Vtb(example_repo)("intro", "ruth", "mei", "both", "love", "compost")
    assert result.exit_code == 1, result.output
    assert "cannot write contacts/garden club/Mei Chen.md: the file is read-only" in result.output
    after = snapshot_bytes(example_repo)
    after.pop("Touch Base.md", None)
    assert after == before  # Ruth's note is not written either
    assert git(example_repo, "rev-parse", "HEAD") == head
