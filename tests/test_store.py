"""store.py: atomic writes, exclusive creates, changed-on-disk detection and the vault lock."""

from __future__ import annotations

import errno
import multiprocessing
import os
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from vault_touchbase.core.errors import NoteError, VtbError, WriteFailed
from vault_touchbase.vault import store
from vault_touchbase.vault.store import (
    ChangedOnDisk,
    InputRefused,
    atomic_write,
    create_new,
    ensure_state_dir,
    read_limited,
    read_snapshot,
    replace_if_unchanged,
    vault_lock,
)

REPO = Path(__file__).resolve().parents[1]
NOTE = "\ufeff---\r\nname: Jane Doe\r\n---\r\nNo final newline".encode()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# -- create_new ----------------------------------------------------------------------


def test_create_new_writes_exact_bytes_with_the_umask_mode_and_leaves_no_temp(
    tmp_path: Path,
) -> None:
    path = tmp_path / "Jane Doe.md"
    create_new(path, NOTE)
    assert path.read_bytes() == NOTE
    assert _mode(path) == 0o666 & ~_current_umask()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Jane Doe.md"]


def test_create_new_never_overwrites_and_leaves_no_temp(tmp_path: Path) -> None:
    path = tmp_path / "Jane Doe.md"
    path.write_bytes(b"the user's note")
    with pytest.raises(FileExistsError):
        create_new(path, NOTE)
    assert path.read_bytes() == b"the user's note"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Jane Doe.md"]


def test_create_new_does_not_write_through_a_dangling_symlink(tmp_path: Path) -> None:
    path = tmp_path / "Jane Doe.md"
    path.symlink_to(tmp_path / "elsewhere.md")
    with pytest.raises(FileExistsError):
        create_new(path, NOTE)
    assert not (tmp_path / "elsewhere.md").exists()


def test_contact_note_predicate(tmp_path: Path) -> None:
    from vault_touchbase.vault.folder import open_vault
    from vault_touchbase.vault.listing import is_contact_note, leads_outside

    (tmp_path / "contacts").mkdir()
    (tmp_path / "vtb.toml").write_text("")
    vault = open_vault(tmp_path)
    assert is_contact_note(vault, "contacts/Jane Doe.md")
    assert is_contact_note(vault, "contacts/sub/Jane Doe.md")
    assert not is_contact_note(vault, "contacts/.trash/Jane Doe.md")
    assert not is_contact_note(vault, "contacts/../Now.md")
    assert not is_contact_note(vault, "../contacts/Jane Doe.md")
    assert not is_contact_note(vault, "Now.md")
    assert not is_contact_note(vault, "contacts/Jane Doe.txt")
    (tmp_path / "contacts" / "Out.md").symlink_to(tmp_path.parent)
    assert leads_outside(vault, tmp_path / "contacts" / "Out.md")
    assert not leads_outside(vault, tmp_path / "contacts" / "Jane Doe.md")


# -- atomic_write --------------------------------------------------------------------


def test_atomic_write_writes_exact_bytes_and_leaves_no_temp(tmp_path: Path) -> None:
    note = tmp_path / "Jane Doe.md"
    note.write_bytes(b"old\n")
    atomic_write(note, NOTE)
    assert note.read_bytes() == NOTE  # BOM, CRLF and the missing final newline untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Jane Doe.md"]


def test_atomic_write_keeps_the_mode_of_the_existing_file(tmp_path: Path) -> None:
    note = tmp_path / "note.md"
    note.write_bytes(b"old\n")
    note.chmod(0o640)
    atomic_write(note, b"new\n")
    assert _mode(note) == 0o640
    note.chmod(0o604)
    atomic_write(note, b"newer\n")
    assert _mode(note) == 0o604


def test_atomic_write_new_file_gets_the_umask_mode(tmp_path: Path) -> None:
    note = tmp_path / "new.md"
    atomic_write(note, b"hello\n")
    assert note.read_bytes() == b"hello\n"
    assert _mode(note) == 0o666 & ~_current_umask()


def test_atomic_write_failing_replace_keeps_original_and_removes_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    note = tmp_path / "note.md"
    note.write_bytes(b"original\n")
    seen: list[str] = []

    def broken_replace(src: str, dst: str) -> None:
        seen.append(os.path.basename(src))
        raise OSError("disk on fire")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(WriteFailed, match="cannot write .*note.md: disk on fire"):
        atomic_write(note, b"new content\n")
    monkeypatch.undo()
    assert note.read_bytes() == b"original\n"
    assert [p.name for p in tmp_path.iterdir()] == ["note.md"]
    # The temp file was in the same folder, hidden, and named for watchers to skip.
    assert seen and seen[0].startswith(".note.md.") and seen[0].endswith(".vtb-tmp")
    assert store.is_temp_file(seen[0])


def test_atomic_write_failing_fsync_keeps_original_and_removes_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    note = tmp_path / "note.md"
    note.write_bytes(b"original\n")

    def broken_fsync(fd: int) -> None:
        raise OSError("no space left")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(WriteFailed, match="no space"):
        atomic_write(note, b"x" * 10_000)
    monkeypatch.undo()
    assert note.read_bytes() == b"original\n"
    assert [p.name for p in tmp_path.iterdir()] == ["note.md"]


@pytest.mark.parametrize(
    ("call", "code"),
    [("write", errno.ENOSPC), ("open", errno.EROFS), ("open", errno.EACCES), ("fsync", errno.EIO)],
)
def test_a_refused_write_names_the_file_and_the_cause_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, call: str, code: int
) -> None:
    note = tmp_path / "note.md"
    note.write_bytes(b"original\n")

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, call, refuse)
    with pytest.raises(WriteFailed) as caught:
        atomic_write(note, b"new\n")
    with pytest.raises(WriteFailed) as created:
        create_new(tmp_path / "other.md", b"new\n")
    monkeypatch.undo()
    cause = os.strerror(code)[0].lower() + os.strerror(code)[1:]
    assert caught.value.message == f"cannot write {note}: {cause}"
    assert created.value.message == f"cannot write {tmp_path / 'other.md'}: {cause}"
    assert caught.value.hint and caught.value.exit_code == 1
    assert note.read_bytes() == b"original\n"
    assert [p.name for p in tmp_path.iterdir()] == ["note.md"]


@pytest.mark.parametrize("mode", [0o444, 0o400, 0o555, 0o000])
def test_a_read_only_file_is_refused_by_its_mode_even_for_root(tmp_path: Path, mode: int) -> None:
    note = tmp_path / "note.md"
    note.write_bytes(b"original\n")
    note.chmod(mode)
    with pytest.raises(WriteFailed, match="note.md: the file is read-only") as caught:
        atomic_write(note, b"new\n")
    assert "chmod u+w" in caught.value.hint
    note.chmod(0o644)
    assert note.read_bytes() == b"original\n"
    assert [p.name for p in tmp_path.iterdir()] == ["note.md"]
    for writable in (0o644, 0o464, 0o446):
        note.chmod(writable)
        atomic_write(note, b"new\n")
        assert _mode(note) == writable


def test_atomic_write_through_a_symlink_keeps_the_link(tmp_path: Path) -> None:
    real = tmp_path / "real.md"
    real.write_bytes(b"old\n")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    atomic_write(link, b"new\n")
    assert link.is_symlink()
    assert real.read_bytes() == b"new\n"


# -- snapshots -----------------------------------------------------------------------


def test_read_snapshot_records_bytes_size_and_mtime(tmp_path: Path) -> None:
    note = tmp_path / "note.md"
    note.write_bytes(NOTE)
    snap = read_snapshot(note)
    assert snap.data == NOTE
    assert snap.size == len(NOTE)
    assert snap.mtime_ns == note.stat().st_mtime_ns
    assert snap.path == note


def test_replace_if_unchanged_writes_when_nothing_changed(tmp_path: Path) -> None:
    note = tmp_path / "note.md"
    note.write_bytes(b"a\n")
    replace_if_unchanged(read_snapshot(note), b"a\nb\n")
    assert note.read_bytes() == b"a\nb\n"


def test_replace_if_unchanged_refuses_when_another_writer_saved(tmp_path: Path) -> None:
    note = tmp_path / "note.md"
    note.write_bytes(b"a\n")
    snap = read_snapshot(note)
    note.write_bytes(b"a\nedited in Obsidian\n")  # same size class, different bytes
    with pytest.raises(ChangedOnDisk) as caught:
        replace_if_unchanged(snap, b"a\nfrom vtb\n")
    assert isinstance(caught.value, NoteError)
    assert "changed on disk" in caught.value.message
    assert "try again" in caught.value.message
    assert note.read_bytes() == b"a\nedited in Obsidian\n"


def test_replace_if_unchanged_same_size_same_mtime_edit_is_still_seen(tmp_path: Path) -> None:
    note = tmp_path / "note.md"
    note.write_bytes(b"aaaa\n")
    snap = read_snapshot(note)
    note.write_bytes(b"bbbb\n")
    os.utime(note, ns=(snap.mtime_ns, snap.mtime_ns))  # a coarse-clock file system
    with pytest.raises(ChangedOnDisk):
        replace_if_unchanged(snap, b"cccc\n")
    assert note.read_bytes() == b"bbbb\n"


def test_replace_if_unchanged_does_not_recreate_a_deleted_note(tmp_path: Path) -> None:
    note = tmp_path / "note.md"
    note.write_bytes(b"a\n")
    snap = read_snapshot(note)
    note.unlink()
    with pytest.raises(ChangedOnDisk, match="deleted"):
        replace_if_unchanged(snap, b"b\n")
    assert not note.exists()


# -- the vault lock ------------------------------------------------------------------

_TRY_LOCK = """
import sys
from pathlib import Path
from vault_touchbase.core.errors import VtbError
from vault_touchbase.vault.store import vault_lock
try:
    with vault_lock(Path(sys.argv[1]), timeout=float(sys.argv[2])):
        print("acquired")
except VtbError as exc:
    print("busy:", exc.message, "|", exc.hint)
"""


def _try_lock_elsewhere(vault: Path, timeout: float = 0.3) -> str:
    """Try to take the vault lock from another Python process; its one line of output."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        [sys.executable, "-c", _TRY_LOCK, str(vault), str(timeout)],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_vault_lock_excludes_another_process_and_names_the_holder(tmp_path: Path) -> None:
    with vault_lock(tmp_path):
        started = time.monotonic()
        answer = _try_lock_elsewhere(tmp_path, timeout=0.5)
        waited = time.monotonic() - started
    assert answer.startswith("busy:"), answer
    assert f"pid {os.getpid()}" in answer
    assert "wait for it to finish" in answer
    assert waited >= 0.5
    assert _try_lock_elsewhere(tmp_path) == "acquired"  # released on exit


def test_vault_lock_times_out_with_vtb_error_in_process(tmp_path: Path) -> None:
    result: list[BaseException | None] = []
    with vault_lock(tmp_path):

        def other_thread() -> None:
            try:
                with vault_lock(tmp_path, timeout=0.2):
                    result.append(None)
            except VtbError as exc:
                result.append(exc)

        worker = threading.Thread(target=other_thread)
        worker.start()
        worker.join(10)
    assert len(result) == 1 and isinstance(result[0], VtbError)


def test_vault_lock_waits_for_the_holder_to_finish(tmp_path: Path) -> None:
    held = threading.Event()
    release = threading.Event()

    def holder() -> None:
        with vault_lock(tmp_path):
            held.set()
            release.wait(10)

    worker = threading.Thread(target=holder)
    worker.start()
    held.wait(10)
    threading.Timer(0.3, release.set).start()
    started = time.monotonic()
    with vault_lock(tmp_path, timeout=5):
        waited = time.monotonic() - started
    worker.join(10)
    assert 0.2 <= waited < 5


def test_vault_lock_is_reentrant_and_held_until_the_outer_block_ends(tmp_path: Path) -> None:
    with vault_lock(tmp_path):
        # Each inner block would time out if the lock were not re-entrant.
        with vault_lock(tmp_path, timeout=0.1), vault_lock(tmp_path, timeout=0.1):
            pass
        assert _try_lock_elsewhere(tmp_path).startswith("busy:")
    assert _try_lock_elsewhere(tmp_path) == "acquired"


def _child_tries_lock(vault: str, queue: multiprocessing.Queue[str]) -> None:
    try:
        with vault_lock(Path(vault), timeout=0.3):
            queue.put("acquired")
    except VtbError:
        queue.put("busy")


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs os.fork")
def test_vault_lock_held_by_parent_is_not_inherited_by_a_forked_child(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    queue: multiprocessing.Queue[str] = ctx.Queue()
    with vault_lock(tmp_path):
        child = ctx.Process(target=_child_tries_lock, args=(str(tmp_path), queue))
        child.start()
        answer = queue.get(timeout=20)
        child.join(20)
    assert answer == "busy"
    assert _try_lock_elsewhere(tmp_path) == "acquired"  # the child did not keep it


def test_vault_lock_creates_a_state_dir_git_ignores(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    with vault_lock(tmp_path):
        pass
    assert (tmp_path / ".vtb" / "lock").exists()
    assert (tmp_path / ".vtb" / ".gitignore").read_text().splitlines()[-1] == "*"
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert status.stdout == ""  # nothing in .vtb/ shows up for git


def test_ensure_state_dir_keeps_an_existing_gitignore(tmp_path: Path) -> None:
    (tmp_path / ".vtb").mkdir()
    (tmp_path / ".vtb" / ".gitignore").write_text("cache\n")
    assert ensure_state_dir(tmp_path) == tmp_path / ".vtb"
    assert (tmp_path / ".vtb" / ".gitignore").read_text() == "cache\n"


def test_read_limited_reads_a_file_up_to_its_limit(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(b"x" * 10)
    assert read_limited(path, 10) == b"x" * 10
    with pytest.raises(InputRefused, match=r"^people.csv is over the 9-byte limit; not read$"):
        read_limited(path, 9, "people.csv")
    path.write_bytes(b"x" * 3 * 1024 * 1024)
    with pytest.raises(InputRefused, match=r"over the 2 MB limit"):
        read_limited(path, 2 * 1024 * 1024)


def test_read_limited_does_not_trust_the_size_a_file_claims() -> None:
    status = Path("/proc/self/status")  # a regular file whose stat size is 0
    assert os.stat(status).st_size == 0
    assert read_limited(status, 100_000).startswith(b"Name:")
    with pytest.raises(InputRefused, match="over the 10-byte limit"):
        read_limited(status, 10)


def test_read_limited_refuses_what_is_not_a_regular_file(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for path, kind in ((tmp_path, "a folder"), (fifo, "a pipe"), (Path("/dev/zero"), "a device")):
        with pytest.raises(InputRefused, match=f"is {kind}, not a file vtb reads"):
            read_limited(path, 1 << 30)  # a pipe without a writer: refused at once
    link = tmp_path / "zero.md"
    link.symlink_to("/dev/zero")
    with pytest.raises(InputRefused, match="^Now.md is a device"):
        read_limited(link, 1 << 30, "Now.md")
    with pytest.raises(FileNotFoundError):
        read_limited(tmp_path / "missing", 10)


def test_a_file_where_the_state_folder_goes_is_named_with_what_to_do(tmp_path: Path) -> None:
    (tmp_path / ".vtb").write_text("not a folder")
    with pytest.raises(VtbError) as caught, vault_lock(tmp_path):
        pass
    assert ".vtb is a file" in caught.value.message
    assert "move or delete that file" in caught.value.hint
