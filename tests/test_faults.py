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
    result = Vtb(example_repo)("intro", "ruth", "mei", "--log", "both", "love", "compost")
    assert result.exit_code == 1, result.output
    assert "cannot write contacts/garden club/Mei Chen.md: the file is read-only" in result.output
    after = snapshot_bytes(example_repo)
    after.pop("Touch Base.md", None)
    assert after == before  # Ruth's note is not written either
    assert git(example_repo, "rev-parse", "HEAD") == head


LEFTOVERS = [
    "contacts/.Jane Doe.md.1a2b3c4d.vtb-tmp",  # a write cut short by a kill
    ".Touch Base.md.5e6f7a8b.vtb-tmp",
    "contacts/.Jane Doe.md.swp",  # Vim
    "contacts/.Jane Doe.md.swo",
    "contacts/Jane Doe.md~",  # Emacs, gedit, ... backups
    "contacts/.#Jane Doe.md",  # Emacs locks
]


def _ignored(vault: Path, rels: list[str]) -> list[str]:
    import subprocess

    proc = subprocess.run(
        ["git", "check-ignore", "--no-index", "--stdin"],
        cwd=vault,
        input="\n".join(rels) + "\n",
        capture_output=True,
        text=True,
    )
    return proc.stdout.splitlines()


def test_a_new_vault_ignores_temp_and_swap_files(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from vault_touchbase.cli.main import cli

    target = tmp_path / "vault"
    assert CliRunner().invoke(cli, ["init", str(target)]).exit_code == 0
    assert _ignored(target, LEFTOVERS) == LEFTOVERS
    assert _ignored(target, ["contacts/Jane Doe.md", "Now.md"]) == []
    for rel in LEFTOVERS:
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        (target / rel).write_text("left over\n")
    assert git(target, "status", "--porcelain").strip() == ""


def test_init_appends_its_missing_lines_to_an_existing_gitignore_and_says_so(
    example_repo: Path,
) -> None:
    from click.testing import CliRunner

    from vault_touchbase.cli.main import cli

    mine = b"# mine\r\n.vtb/\r\nsecret.txt"  # CRLF, no final newline
    (example_repo / ".gitignore").write_bytes(mine)
    git(example_repo, "add", ".gitignore")
    git(example_repo, "commit", "-qm", "my ignores")
    before = snapshot_bytes(example_repo)
    result = CliRunner().invoke(cli, ["init", str(example_repo)])
    assert result.exit_code == 0, result.output
    text = (example_repo / ".gitignore").read_bytes()
    assert text.startswith(mine + b"\r\n# added by vtb init\r\n")
    appended = text[len(mine) :].decode().split("\r\n")
    assert ".vtb/" not in appended  # what the file had is not repeated
    assert {".*.vtb-tmp", ".*.sw[a-p]", "*~", ".#*"} <= set(appended)
    assert "added .gitignore (appended: " in result.output and ".*.vtb-tmp" in result.output
    after = snapshot_bytes(example_repo)
    changed = {rel for rel in after if after[rel] != before.get(rel)}
    for rel in [r for r in changed if r.startswith("contacts/") and r.endswith(".md")]:
        added = set(after[rel].split(b"\n")) - set(before[rel].split(b"\n"))
        assert all(line.startswith(b"uid: ") for line in added), rel  # init's stable uid only
        changed.discard(rel)
    assert changed <= {".gitignore", ".gitattributes", "contacts/.gitkeep"}
    assert git(example_repo, "status", "--porcelain", "--", ".gitignore") == ""  # committed
    assert _ignored(example_repo, LEFTOVERS) == LEFTOVERS
    again = CliRunner().invoke(cli, ["init", str(example_repo)])
    assert ".gitignore" not in again.output
    assert (example_repo / ".gitignore").read_bytes() == text


def test_init_does_not_commit_a_gitignore_with_changes_of_the_user(example_repo: Path) -> None:
    from click.testing import CliRunner

    from vault_touchbase.cli.main import cli

    (example_repo / ".gitignore").write_text("drafts/\n")  # not committed
    result = CliRunner().invoke(cli, ["init", str(example_repo)])
    assert result.exit_code == 0, result.output
    assert (example_repo / ".gitignore").read_text().startswith("drafts/\n# added by vtb init\n")
    assert ".gitignore has changes that are not committed" in result.output
    assert git(example_repo, "status", "--porcelain", "--", ".gitignore") == " M .gitignore\n"


def test_init_commits_a_gitignore_git_never_held_without_a_word_of_changes(
    example_copy: Path,
) -> None:
    """A repository just made with `git init`: the user's .gitignore was never committed,
    so it has no "changes" to keep apart; it is committed with init's setup files."""
    from click.testing import CliRunner

    from vault_touchbase.cli.main import cli

    git(example_copy, "init", "-q")
    (example_copy / ".gitignore").write_text("drafts/\n")
    result = CliRunner().invoke(cli, ["init", str(example_copy)])
    assert result.exit_code == 0, result.output
    assert "has changes" not in result.output and "did not commit" not in result.output
    assert git(example_copy, "status", "--porcelain", "--", ".gitignore") == ""
    assert git(example_copy, "show", "HEAD~1:.gitignore").startswith("drafts/\n")


# --- inputs other than notes: a regular file, and at most its limit ------------------------


def _vtb_limited(vault: Path, *args: str) -> tuple[int, str]:
    """`vtb` in a child process held to 1 GB of memory and 60 s, so that reading a device
    or a pipe without end fails the test instead of the machine."""
    import resource
    import subprocess
    import sys

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    proc = subprocess.run(
        [sys.executable, "-m", "vault_touchbase", "--vault", str(vault), *args],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=limit,
    )
    return proc.returncode, proc.stdout + proc.stderr


def test_import_refuses_a_device_a_pipe_and_a_folder_at_once(
    example_copy: Path, tmp_path: Path
) -> None:
    fifo = tmp_path / "people.vcf"
    os.mkfifo(fifo)
    before = snapshot_bytes(example_copy)
    for path, kind in (
        ("/dev/zero", "a device"),
        (str(fifo), "a pipe"),
        (str(tmp_path), "a folder"),
    ):
        code, output = _vtb_limited(example_copy, "import", path)
        assert code == 1, output
        assert f"vtb: error: {path} is {kind}, not a file vtb reads" in output
        assert "unexpected" not in output
    assert snapshot_bytes(example_copy) == before


def test_import_reads_at_most_its_limit(
    example_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vault_touchbase.core import settings

    people = tmp_path / "people.csv"
    people.write_text("Name,Email\n" + "Jo Smith,jo@example.com\n" * 100)
    monkeypatch.setattr(settings, "MAX_IMPORT_BYTES", 1024)
    result = Vtb(example_copy)("import", str(people))
    assert result.exit_code == 1
    assert f"vtb: error: {people} is over the 1 KB limit; not read" in result.output


def test_a_template_or_now_md_that_is_no_file_or_too_long_is_refused(example_copy: Path) -> None:
    vtb = Vtb(example_copy)
    template = example_copy / "templates" / "email.md"
    good = template.read_bytes()
    template.write_bytes(good + b"x" * (1024 * 1024))
    result = vtb("draft", "jane")
    assert result.exit_code == 1
    assert "vtb: error: templates/email.md is over the 1 MB limit; not read" in result.output
    template.write_bytes(good)
    (example_copy / "vtb.toml").write_text("max_note_mb = 0.015625\n")  # 16 KB
    (example_copy / "Now.md").write_text("## Now\n" + "- working on things\n" * 1000)
    result = vtb("draft", "jane")
    assert result.exit_code == 1
    assert "vtb: error: Now.md is over the 16 KB limit; not read" in result.output


def test_a_now_md_linked_to_a_device_is_refused(example_copy: Path) -> None:
    now = example_copy / "Now.md"
    now.unlink()
    now.symlink_to("/dev/zero")
    code, output = _vtb_limited(example_copy, "--today", "2026-11-26", "draft", "jane")
    assert code == 1, output
    assert "vtb: error: Now.md is a device, not a file vtb reads" in output


def test_a_rename_keeps_the_links_in_a_read_only_note_and_says_so(example_repo: Path) -> None:
    lea = example_repo / "contacts" / "Léa Fontaine.md"
    lea.chmod(0o444)
    before = lea.read_bytes()
    result = Vtb(example_repo)("rename", "jane doe", "Jane Smith")
    assert result.exit_code == 0, result.output
    assert (
        "cannot write contacts/Léa Fontaine.md: the file is read-only: "
        "its links to Jane Doe are kept"
    ) in result.output
    assert lea.read_bytes() == before
    assert (example_repo / "contacts" / "Jane Smith.md").exists()
    assert git(example_repo, "status", "--porcelain", "--", "contacts").strip() == ""


def test_a_pipe_named_like_a_note_is_reported_not_waited_on(example_copy: Path) -> None:
    os.mkfifo(example_copy / "contacts" / "pipe.md")
    code, output = _vtb_limited(example_copy, "--today", "2026-11-26", "refresh")
    assert code == 0, output
    assert "contacts/pipe.md:1: error: is a pipe, not a file vtb reads" in output
    code, output = _vtb_limited(example_copy, "--today", "2026-11-26", "log", "ana", "hi")
    assert code == 0, output


def _lock_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """The vault lock's file cannot be opened: a read-only vault (or `.vtb` not the user's)."""
    real = os.open

    def refuse(path: object, *args: object, **kwargs: object) -> int:
        if str(path).endswith(os.path.join(".vtb", "lock")):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", refuse)


def test_a_refresh_of_a_read_only_vault_with_nothing_changed_still_answers(
    vtb: Vtb, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing to write: the refresh memo answers, as before the refresh took the lock."""
    from vault_touchbase.vault import stamp

    real_now = stamp.now_ns
    monkeypatch.setattr(stamp, "now_ns", lambda: real_now() + 10_000_000_000)  # all settled
    first = vtb("refresh")
    assert first.exit_code == 0, first.output
    before = snapshot_bytes(vtb.vault)
    _lock_refused(monkeypatch)
    again = vtb("refresh")
    assert again.exit_code == 0, again.output
    assert again.output == first.output.replace(" written:", " unchanged:")
    assert snapshot_bytes(vtb.vault) == before


def test_a_refresh_of_a_read_only_vault_that_must_rebuild_says_why_it_cannot(
    vtb: Vtb, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert vtb("refresh").exit_code == 0
    _lock_refused(monkeypatch)
    result = vtb("refresh", today="2026-12-01")  # another day: the index must change
    assert result.exit_code == 1
    assert "lock: read-only file system" in result.output
    assert "Traceback" not in result.output


def test_a_refresh_with_nothing_changed_does_not_wait_for_a_busy_vault(
    vtb: Vtb, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process holding the lock (a watcher's first load of a big vault, an import)
    does not hold up the memo's answer; a refresh that must rebuild still waits."""
    import subprocess
    import sys
    import time

    from vault_touchbase.vault import stamp

    real_now = stamp.now_ns
    monkeypatch.setattr(stamp, "now_ns", lambda: real_now() + 10_000_000_000)  # all settled
    first = vtb("refresh")
    assert first.exit_code == 0, first.output
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from vault_touchbase.vault.store import vault_lock\n"
            "with vault_lock(sys.argv[1]):\n"
            "    print('held', flush=True)\n"
            "    time.sleep(30)\n",
            str(vtb.vault),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        started = time.monotonic()
        again = vtb("refresh")
        took = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert again.exit_code == 0, again.output
    assert again.output == first.output.replace(" written:", " unchanged:")
    assert took < 5, f"the refresh waited {took:.1f} s for the lock"


@pytest.mark.parametrize(
    ("code", "said"), [(errno.ENOSPC, "no space left on device"), (errno.EROFS, "")]
)
def test_a_parse_cache_that_cannot_be_saved_is_said_unless_the_vault_is_read_only(
    example_copy: Path, monkeypatch: pytest.MonkeyPatch, code: int, said: str
) -> None:
    """A full disk leaves every command reading every note again: said, with the fix. A
    vault kept read-only on purpose works as well, without a word on every command."""
    import time

    from vault_touchbase.vault import stamp

    later = time.time_ns() + 10_000_000_000  # every note written so far counts as settled
    monkeypatch.setattr(stamp, "now_ns", lambda: later)
    real = os.replace

    def refuse(source: str, target: str) -> None:
        if "parse-cache" in str(target):
            raise OSError(code, os.strerror(code))
        real(source, target)

    monkeypatch.setattr(os, "replace", refuse)
    faulty = Vtb(example_copy)("check")
    monkeypatch.setattr(os, "replace", real)
    warning = f".vtb/parse-cache:1: warning: the parse cache could not be saved ({said})"
    assert (warning in faulty.output) == bool(said), faulty.output
    assert "free some disk space" in faulty.output or not said
    cache = example_copy / ".vtb" / "parse-cache"
    assert not list(cache.glob("*.tmp")) and not list(cache.glob(".*.tmp"))
    again = Vtb(example_copy)("check")  # room again: saved, and nothing more said
    assert "parse cache" not in again.output
    assert list(cache.glob("*.msgpack"))
    # every note was read with the fault as without it ("36 contacts read: ...")
    assert (
        faulty.output.splitlines()[-1].split(":")[0] == again.output.splitlines()[-1].split(":")[0]
    )


def test_a_lock_file_that_cannot_record_the_pid_still_locks(
    example_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a full disk the pid vtb records in `.vtb/lock` (for the "busy" message) cannot be
    written: the lock is held all the same, and a command needing no space still runs
    (one that does names the file it cannot write)."""
    _refuse(monkeypatch, "pwrite", errno.ENOSPC)
    result = Vtb(example_copy)("--today", "2026-11-26", "refresh")
    monkeypatch.undo()
    assert result.exit_code == 0, result.output
    assert (example_copy / "Touch Base.md").is_file()
