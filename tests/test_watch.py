"""`vtb watch`: real watchers on temp git vaults, every way an editor saves, git moving under it.

Outcomes (a file's content, a commit, a line said) are polled for with a deadline;
nothing waits a fixed time. A test that counts what the watcher did runs its batches
itself (`loop=False`, `Running.batches_until`), so the counters are read on the thread
that writes them; the observer thread only gathers events.
"""

from __future__ import annotations

import errno
import logging
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import TODAY, git

from vault_touchbase.actions.autocommit import commit_note_changes, gained_entries
from vault_touchbase.actions.index_note import index_input, snapshot
from vault_touchbase.core.model import LogEntry
from vault_touchbase.index.render import render
from vault_touchbase.vault.folder import open_vault
from vault_touchbase.watch import commits as watch_commits
from vault_touchbase.watch import observer as watch_observer
from vault_touchbase.watch.observer import OVERFLOW_LOGGER
from vault_touchbase.watch.options import WatchOptions
from vault_touchbase.watch.paths import RESCAN
from vault_touchbase.watch.watcher import Watcher

DAY = date.fromisoformat(TODAY)
DEADLINE = 20.0
JANE = "contacts/Jane Doe.md"
CHLOE = "contacts/Chloé Dubois.md"
FAST = WatchOptions(quiet=0.1, max_wait=1.0, settle=0.3, rescan_every=3600)


def wait_for(check: Callable[[], object], what: str, timeout: float = DEADLINE) -> object:
    """Poll `check` until it returns something true; fail with `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def subjects(vault: Path) -> list[str]:
    return git(vault, "log", "--format=%s").splitlines()


def add_log_line(text: str, line: str) -> str:
    return text.replace("## Log\n", f"## Log\n{line}\n", 1)


@dataclass
class Running:
    """A started watcher (its loop in a thread, or driven by the test), and all it said."""

    watcher: Watcher
    vault: Path
    said: list[tuple[str, str]] = field(default_factory=list)

    def lines(self, level: str | None = None) -> list[str]:
        return [text for lvl, text in list(self.said) if level in (None, lvl)]

    def index(self) -> str:
        return (self.vault / "Touch Base.md").read_text(encoding="utf-8")

    def batches_until(
        self, done: Callable[[], object], what: str, timeout: float = DEADLINE
    ) -> None:
        """Run the watcher's batches on this thread, as its loop would, until one has run
        and `done()` is true (only for a watcher started with `loop=False`)."""
        ran = False

        def check() -> object:
            nonlocal ran
            ran = self.watcher.step() or ran
            return ran and done()

        wait_for(check, what, timeout)

    def next_batch(self, what: str) -> None:
        """Run the next batch on this thread, once its events have come and gone quiet."""
        self.batches_until(lambda: True, what)


@pytest.fixture
def start_watcher() -> Iterator[Callable[..., Running]]:
    started: list[Watcher] = []
    loops: list[tuple[threading.Event, threading.Thread]] = []

    def start(
        vault: Path,
        options: WatchOptions = FAST,
        clock: Callable[[], date] = lambda: DAY,
        loop: bool = True,
    ) -> Running:
        said: list[tuple[str, str]] = []
        watcher = Watcher(
            open_vault(vault),
            clock=clock,
            say=lambda level, text: said.append((level, text)),
            options=options,
        )
        started.append(watcher)
        watcher.start()
        if loop:
            stop = threading.Event()
            thread = threading.Thread(target=watcher.run, args=(stop,), daemon=True)
            thread.start()
            loops.append((stop, thread))
        return Running(watcher, vault, said)

    yield start
    for stop, thread in loops:
        stop.set()
        for watcher in started:
            watcher.wake()
        thread.join(timeout=10)
        assert not thread.is_alive()
    for watcher in started:
        watcher.close()


def committed_touch(vault: Path, subject: str) -> Callable[[], bool]:
    return lambda: subject in subjects(vault)


def index_is_current(vault: Path) -> Callable[[], bool]:
    """True once the index note is what `vtb refresh` would write for the notes now."""

    def check() -> bool:
        fresh = open_vault(vault)
        expected = render(index_input(fresh, snapshot(fresh, DAY), DAY))
        return (vault / "Touch Base.md").read_text(encoding="utf-8") == expected

    return check


# --- every way an editor saves ----------------------------------------------------------


def save_in_place(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)


def save_rename_over(path: Path, text: str) -> None:
    temp = path.with_name(f".{path.name}.tmp-editor")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


def save_delete_create(path: Path, text: str) -> None:
    path.unlink()
    path.write_text(text, encoding="utf-8")


def save_like_vim(path: Path, text: str) -> None:
    """vim's `backupcopy=auto` dance: probe file 4913, note → note~, write a new note."""
    probe = path.with_name("4913")
    probe.write_text("")
    probe.unlink()
    backup = path.with_name(path.name + "~")
    os.rename(path, backup)
    path.write_text(text, encoding="utf-8")
    backup.unlink()


@pytest.mark.parametrize(
    "save", [save_in_place, save_rename_over, save_delete_create, save_like_vim]
)
def test_each_kind_of_save_commits_the_touch(
    example_repo: Path, start_watcher: Callable[..., Running], save: Callable[[Path, str], None]
) -> None:
    run = start_watcher(example_repo)
    note = example_repo / CHLOE
    assert "Chloé Dubois" in run.index()  # overdue: listed
    save(note, add_log_line(note.read_text(encoding="utf-8"), "- 2026-11-25 call: caught up"))
    wait_for(committed_touch(example_repo, "touch: Chloé Dubois (call)"), "the touch commit")
    wait_for(index_is_current(example_repo), "the index to drop her")
    diff = git(example_repo, "show", "--format=%B", "HEAD")
    assert "Vtb-Contact: contacts/Chloé Dubois.md" in diff and "Vtb-Channel: call" in diff
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in "+++---"]
    assert changed == [
        "-lastContacted: 2026-09-10",
        "+lastContacted: 2026-11-25",
        "+- 2026-11-25 call: caught up",
    ]
    assert git(example_repo, "status", "--porcelain", "--", "contacts") == ""
    assert not list(example_repo.glob("contacts/*~")) and "4913" not in diff
    assert subjects(example_repo) == ["touch: Chloé Dubois (call)", "initial"]


@pytest.mark.skipif(shutil.which("vim") is None, reason="vim is not installed")
def test_real_vim_save(example_repo: Path, start_watcher: Callable[..., Running]) -> None:
    start_watcher(example_repo)
    entry = "- 2026-11-24 visit: walked over with the seed catalogue"
    subprocess.run(
        ["vim", "-u", "NONE", "-i", "NONE", "-es", "-c", f"/^## Log/put ='{entry}'", "-c", "wq"]
        + [str(example_repo / CHLOE)],
        check=True,
        stdin=subprocess.DEVNULL,
        capture_output=True,
    )
    wait_for(committed_touch(example_repo, "touch: Chloé Dubois (visit)"), "vim's save")
    wait_for(index_is_current(example_repo), "the index")


# --- ticks, own writes ------------------------------------------------------------------


def test_a_tick_in_the_index_is_logged_and_committed(
    example_repo: Path, start_watcher: Callable[..., Running]
) -> None:
    run = start_watcher(example_repo)
    index = example_repo / "Touch Base.md"
    text = index.read_text(encoding="utf-8")
    box = next(line for line in text.splitlines() if "[[contacts/José Müller|" in line)
    assert box.startswith("- [ ] ") and " — overdue since" in box  # under Email
    save_in_place(index, text.replace(box, box.replace("- [ ]", "- [x]", 1)))
    wait_for(committed_touch(example_repo, "touch: José Müller (email)"), "the tick's commit")
    wait_for(lambda: "- [x]" not in run.index(), "the index regenerated without the tick")
    note = (example_repo / "contacts/José Müller.md").read_text()
    assert "- 2026-11-26 email: ticked in Touch Base" in note
    logged = "logged José Müller (email): ticked in Touch Base.md"
    wait_for(lambda: logged in run.lines("done"), "the watcher to say so")


def test_its_own_writes_do_not_start_another_refresh(
    example_repo: Path, start_watcher: Callable[..., Running]
) -> None:
    run = start_watcher(example_repo, loop=False)
    stats = run.watcher.stats
    note = example_repo / CHLOE
    save_in_place(note, add_log_line(note.read_text(), "- 2026-11-25 email: sent the invoice"))
    # (a batch of the start's own writes may come first: it finds nothing and is fine)
    run.batches_until(committed_touch(example_repo, "touch: Chloé Dubois (email)"), "the save")
    assert subjects(example_repo)[0] == "touch: Chloé Dubois (email)"
    assert stats.index_writes == 2 and index_is_current(example_repo)()
    rebuilds, index = stats.rebuilds, run.index()
    # The note (last_contacted), the index and the commit each made events: they are
    # looked at in one more batch, which finds nothing new.
    run.next_batch("the batch of vtb's own writes")
    assert stats.rebuilds == rebuilds and stats.commits == 1 and run.index() == index
    assert sum(line.startswith("refreshed:") for line in run.lines("done")) == 2  # start + save
    assert "batch: 0 changed" in run.lines("detail")


# --- git moving HEAD ------------------------------------------------------------------


def test_checkout_with_new_log_lines_is_not_committed_again(
    example_repo: Path, start_watcher: Callable[..., Running]
) -> None:
    note = example_repo / CHLOE
    git(example_repo, "checkout", "-qb", "phone")
    note.write_text(add_log_line(note.read_text(), "- 2026-11-25 call: logged on the phone"))
    git(example_repo, "commit", "-qam", "from the phone")
    pulled = note.read_bytes()
    git(example_repo, "checkout", "-q", "main")
    run = start_watcher(example_repo)
    head = git(example_repo, "rev-parse", "phone").strip()
    git(example_repo, "checkout", "-q", "phone")
    wait_for(index_is_current(example_repo), "the index after the checkout")
    assert git(example_repo, "rev-parse", "HEAD").strip() == head
    assert note.read_bytes() == pulled
    assert git(example_repo, "status", "--porcelain", "--", "contacts") == ""
    assert subjects(example_repo) == ["from the phone", "initial"]
    assert not [line for line in run.lines("done") if line.startswith("committed")]


def test_pull_with_new_log_lines_is_not_committed_again(
    example_repo: Path, tmp_path: Path, start_watcher: Callable[..., Running]
) -> None:
    phone = tmp_path / "phone"
    git(tmp_path, "clone", "-q", str(example_repo), str(phone))
    note = phone / CHLOE
    note.write_text(add_log_line(note.read_text(), "- 2026-11-25 visit: logged on the phone"))
    git(phone, "commit", "-qam", "vault backup")
    run = start_watcher(example_repo)
    git(example_repo, "pull", "-q", "--ff-only", str(phone), "main")
    wait_for(index_is_current(example_repo), "the index after the pull")
    assert subjects(example_repo) == ["vault backup", "initial"]
    assert git(example_repo, "status", "--porcelain", "--", "contacts") == ""
    assert not [line for line in run.lines("done") if line.startswith("committed")]


def test_a_tick_pulled_from_a_phone_is_logged(
    example_repo: Path, tmp_path: Path, start_watcher: Callable[..., Running]
) -> None:
    """commit_index = true: the index travels through git, and so do ticks made on a phone."""
    settings = example_repo / "vtb.toml"
    settings.write_text("commit_index = true\n" + settings.read_text())
    ignore = example_repo / ".gitignore"
    ignore.write_text(ignore.read_text().replace("/Touch Base.md\n", ""))
    git(example_repo, "commit", "-qam", "track the index")
    run = start_watcher(example_repo)
    wait_for(committed_touch(example_repo, "index: November 2026"), "the index committed")
    phone = tmp_path / "phone"
    git(tmp_path, "clone", "-q", str(example_repo), str(phone))
    index = phone / "Touch Base.md"
    text = index.read_text(encoding="utf-8")
    box = next(line for line in text.splitlines() if "[[contacts/José Müller|" in line)
    index.write_text(text.replace(box, box.replace("- [ ]", "- [x]", 1)), encoding="utf-8")
    git(phone, "commit", "-qam", "vault backup from the phone")
    git(example_repo, "pull", "-q", "--ff-only", str(phone), "main")
    wait_for(committed_touch(example_repo, "touch: José Müller (email)"), "the pulled tick logged")
    wait_for(lambda: "- [x]" not in run.index(), "the index regenerated")
    wait_for(lambda: git(example_repo, "status", "--porcelain") == "", "everything committed")
    assert subjects(example_repo)[:2] == ["index: November 2026", "touch: José Müller (email)"]


def test_nothing_is_committed_during_a_rebase_and_it_catches_up_after(
    example_repo: Path, start_watcher: Callable[..., Running]
) -> None:
    start_watcher(example_repo)
    rebase = example_repo / ".git" / "rebase-merge"
    rebase.mkdir()
    note = example_repo / CHLOE
    save_in_place(note, add_log_line(note.read_text(), "- 2026-11-25 call: mid-rebase"))
    wait_for(index_is_current(example_repo), "the index (git-ignored) rebuilt")
    assert not committed_touch(example_repo, "touch: Chloé Dubois (call)")()
    shutil.rmtree(rebase)  # the rebase ends: the deferred touch is committed
    wait_for(committed_touch(example_repo, "touch: Chloé Dubois (call)"), "the deferred commit")


def make_big_branch(vault: Path, count: int) -> None:
    """A branch `big` with `count` more contact notes, committed; main stays checked out."""
    git(vault, "checkout", "-qb", "big")
    folder = vault / "contacts" / "bulk"
    folder.mkdir()
    for i in range(count):
        (folder / f"Person {i:04d}.md").write_text(
            f"---\nname: Person {i:04d}\ncadence: monthly\n---\n## Log\n- 2026-09-01 email: hi\n"
        )
    git(vault, "add", "contacts/bulk")
    git(vault, "commit", "-qm", f"{count} people")
    git(vault, "checkout", "-q", "main")


def test_a_checkout_of_1000_notes_is_one_rescan_not_1000_rebuilds(
    example_repo: Path, start_watcher: Callable[..., Running]
) -> None:
    make_big_branch(example_repo, 1000)
    options = WatchOptions(quiet=0.3, max_wait=2.0, rescan_every=3600)
    run = start_watcher(example_repo, options, loop=False)
    stats = run.watcher.stats
    rebuilds, rescans, writes = stats.rebuilds, stats.rescans, stats.index_writes
    git(example_repo, "checkout", "-q", "big")
    run.batches_until(lambda: "Person 0999" in run.index(), "the index with the new people", 60)
    git(example_repo, "checkout", "-q", "main")  # and back: 1,000 deletions
    run.batches_until(lambda: "Person 0999" not in run.index(), "the index without them", 60)
    # Each checkout (~14,000 events): one rescan and one rebuild of the index, even when the
    # kernel's event queue overflows mid-checkout (the rescan after it finds nothing new).
    assert stats.rebuilds - rebuilds == 2, stats
    assert stats.index_writes - writes == 2, stats
    assert stats.rescans - rescans >= 2
    assert stats.commits == 0 and subjects(example_repo)[0] == "initial"


# --- robustness -----------------------------------------------------------------------


def test_a_broken_note_is_reported_once_and_never_stops_it(
    example_repo: Path, start_watcher: Callable[..., Running]
) -> None:
    run = start_watcher(example_repo, loop=False)
    note = example_repo / JANE
    text = note.read_text()
    for i in range(3):
        # rename-over: a batch must not read a half-written file, which would be another problem
        save_rename_over(note, text.replace("name: Jane Doe", "name: [Jane Doe", 1) + f"\n{i}\n")
        run.next_batch(f"save {i} looked at")
    chloe = example_repo / CHLOE
    save_in_place(chloe, add_log_line(chloe.read_text(), "- 2026-11-25 call: still working"))
    run.batches_until(committed_touch(example_repo, "touch: Chloé Dubois (call)"), "the touch")
    reports = [line for line in run.lines("problem") if line.startswith(JANE)]
    assert len(reports) == 1 and ": error:" in reports[0]
    assert f"{JANE}:" in run.index()  # the Problems section shows it too
    assert run.watcher.stats.errors == 0


def test_a_batch_the_disk_refuses_says_what_and_where_as_the_cli_does(
    example_repo: Path, start_watcher: Callable[..., Running]
) -> None:
    """The index note made a folder: the watcher says the file and the cause in words,
    with what to do, as `vtb refresh` does; never "unexpected error: IsADirectoryError"."""
    run = start_watcher(example_repo, loop=False)
    index = example_repo / "Touch Base.md"
    index.unlink()
    index.mkdir()
    note = example_repo / CHLOE
    save_in_place(note, add_log_line(note.read_text(), "- 2026-11-25 call: caught up"))
    run.batches_until(lambda: run.watcher.stats.errors, "the batch that fails")
    errors = run.lines("error")
    assert errors and "unexpected" not in errors[-1], errors
    assert "Touch Base.md is a folder" in errors[-1] and "rename it" in errors[-1]


def test_an_exception_in_a_batch_is_reported_and_the_next_batch_runs(
    example_repo: Path, start_watcher: Callable[..., Running], monkeypatch: pytest.MonkeyPatch
) -> None:
    run = start_watcher(example_repo, loop=False)
    calls = []

    def flaky(*args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("disk on fire")
        return commit_note_changes(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(watch_commits, "commit_note_changes", flaky)
    note = example_repo / CHLOE
    save_in_place(note, add_log_line(note.read_text(), "- 2026-11-25 call: second try"))
    run.next_batch("the batch that fails")
    assert run.watcher.stats.errors == 1 and len(calls) == 1
    assert [line for line in run.lines("error") if "disk on fire" in line]
    run.batches_until(committed_touch(example_repo, "touch: Chloé Dubois (call)"), "the retry")
    assert run.watcher.stats.errors == 1
    assert index_is_current(example_repo)()


def test_an_inotify_overflow_makes_it_rescan(
    example_repo: Path, start_watcher: Callable[..., Running]
) -> None:
    run = start_watcher(example_repo, loop=False)
    rescans = run.watcher.stats.rescans
    note = example_repo / CHLOE
    text = add_log_line(note.read_text(), "- 2026-11-25 call: lost event")
    with open(note, "w", encoding="utf-8") as handle:  # written, not yet closed: no event yet
        handle.write(text)
        handle.flush()
        logging.getLogger(OVERFLOW_LOGGER).warning("Inotify queue overflowed; events were lost")
        run.next_batch("the rescan")
    assert run.watcher.stats.rescans == rescans + 1
    assert subjects(example_repo)[0] == "touch: Chloé Dubois (call)"
    assert any("fs.inotify.max_queued_events" in line for line in run.lines("info"))


def test_an_inotify_limit_falls_back_to_polling(
    example_repo: Path, start_watcher: Callable[..., Running], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = watch_observer.make_observer

    def limited(poll: bool, interval: float) -> object:
        observer = real(poll, interval)
        if not poll:

            def start() -> None:
                raise OSError(errno.ENOSPC, "inotify watch limit reached")

            observer.start = start  # type: ignore[method-assign]
        return observer

    monkeypatch.setattr(watch_observer, "make_observer", limited)
    options = WatchOptions(quiet=0.1, max_wait=1.0, rescan_every=3600, poll_interval=0.2)
    run = start_watcher(example_repo, options)
    assert run.watcher.mode.startswith("polling")
    assert any("fs.inotify.max_user_watches" in line for line in run.lines("info"))
    note = example_repo / CHLOE
    save_in_place(note, add_log_line(note.read_text(), "- 2026-11-25 call: polled"))
    wait_for(committed_touch(example_repo, "touch: Chloé Dubois (call)"), "the polled touch")


def test_a_deleted_note_leaves_the_index_and_is_not_committed(
    example_repo: Path, start_watcher: Callable[..., Running]
) -> None:
    run = start_watcher(example_repo)
    (example_repo / CHLOE).unlink()
    wait_for(index_is_current(example_repo), "the index without her")
    assert "Chloé Dubois" not in run.index() and subjects(example_repo) == ["initial"]


def test_a_changed_vtb_toml_is_read_again(
    example_repo: Path, start_watcher: Callable[..., Running]
) -> None:
    run = start_watcher(example_repo)
    settings = example_repo / "vtb.toml"
    original = settings.read_text()
    (example_repo / "people").mkdir()
    (example_repo / "people" / "Zed Zero.md").write_text("---\nname: Zed Zero\n---\n")
    settings.write_text(original.replace('contacts = "contacts"', 'contacts = "people"'))
    wait_for(lambda: "Zed Zero" in run.index(), "the index of the new folder")
    (example_repo / "people" / "Yan Young.md").write_text("---\nname: Yan Young\n---\n")
    wait_for(lambda: "Yan Young" in run.index(), "the new folder watched")
    settings.write_text(original)
    wait_for(index_is_current(example_repo), "the index of the old folder again")
    assert "Zed Zero" not in run.index()
    assert any("vtb.toml changed" in line for line in run.lines("info"))


# --- autocommit policies ----------------------------------------------------------------


def test_autocommit_all_commits_a_settled_edit(
    example_repo: Path, start_watcher: Callable[..., Running]
) -> None:
    options = WatchOptions(quiet=0.1, max_wait=1.0, settle=0.3, rescan_every=3600, autocommit="all")
    start_watcher(example_repo, options)
    note = example_repo / JANE
    save_in_place(note, note.read_text().replace("Two kids,", "Two kids and a dog,", 1))
    wait_for(committed_touch(example_repo, "edit: Jane Doe"), "the edit commit")
    assert git(example_repo, "status", "--porcelain", "--", "contacts") == ""


def test_autocommit_logs_leaves_other_edits_alone(
    example_repo: Path, start_watcher: Callable[..., Running]
) -> None:
    start_watcher(example_repo)
    jane = example_repo / JANE
    save_in_place(jane, jane.read_text() + "\nLikes oat milk.\n")
    chloe = example_repo / CHLOE
    save_in_place(chloe, add_log_line(chloe.read_text(), "- 2026-11-25 call: after the edit"))
    wait_for(committed_touch(example_repo, "touch: Chloé Dubois (call)"), "the touch")
    assert subjects(example_repo)[1:] == ["initial"]
    assert "Jane Doe.md" in git(example_repo, "status", "--porcelain", "--", "contacts")


def test_a_note_renamed_in_obsidian_is_not_a_touch(
    example_repo: Path, start_watcher: Callable[..., Running]
) -> None:
    """Obsidian renames by moving the file: the new path is new to git, its Log is not."""
    start_watcher(example_repo)
    renamed = example_repo / "contacts" / "Chloé Dubois-Martin.md"
    os.rename(example_repo / CHLOE, renamed)
    wait_for(index_is_current(example_repo), "the index after the rename")
    assert subjects(example_repo) == ["initial"]  # "logs": a rename is left to the user
    save_in_place(renamed, add_log_line(renamed.read_text(), "- 2026-11-25 call: renamed"))
    wait_for(committed_touch(example_repo, "touch: Chloé Dubois (call)"), "the touch")
    stat = git(example_repo, "show", "--stat", "--format=%B", "-M", "HEAD")
    assert "Vtb-Renamed-From: contacts/Chloé Dubois.md" in stat
    assert git(example_repo, "status", "--porcelain", "--", "contacts") == ""
    history = git(example_repo, "log", "--follow", "--format=%s", "--", str(renamed))
    assert history.splitlines() == ["touch: Chloé Dubois (call)", "initial"]
    assert subjects(example_repo) == ["touch: Chloé Dubois (call)", "initial"]


def test_autocommit_all_commits_a_rename_as_one_commit(
    example_repo: Path, start_watcher: Callable[..., Running]
) -> None:
    options = WatchOptions(quiet=0.1, max_wait=1.0, settle=0.3, rescan_every=3600, autocommit="all")
    start_watcher(example_repo, options)
    os.rename(example_repo / CHLOE, example_repo / "contacts" / "Chloé D.md")
    wait_for(committed_touch(example_repo, "rename: Chloé Dubois → Chloé D"), "the rename")
    assert git(example_repo, "status", "--porcelain", "--", "contacts") == ""
    assert subjects(example_repo) == ["rename: Chloé Dubois → Chloé D", "initial"]


# --- the loop, driven by hand: index.lock, the day turning ---------------------------------


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_batches_wait_while_git_holds_its_index_lock(example_repo: Path) -> None:
    clock = FakeTime()
    watcher = Watcher(open_vault(example_repo), clock=lambda: DAY, options=FAST, monotonic=clock)
    watcher.handle([RESCAN], clock())
    note = example_repo / CHLOE
    save_in_place(note, add_log_line(note.read_text(), "- 2026-11-25 call: after git"))
    watcher.notice(str(note))
    lock = example_repo / ".git" / "index.lock"
    lock.write_text("")
    clock.now += 5
    assert watcher.step() is False  # git is writing: wait
    lock.unlink()
    clock.now += 0.05
    assert watcher.step() is False  # and then for a quiet moment
    clock.now += 0.2
    assert watcher.step() is True
    assert subjects(example_repo)[0] == "touch: Chloé Dubois (call)"


def test_the_index_is_redrawn_when_the_month_turns(example_repo: Path) -> None:
    today = [DAY]
    clock = FakeTime()
    watcher = Watcher(
        open_vault(example_repo), clock=lambda: today[0], options=FAST, monotonic=clock
    )
    watcher.handle([RESCAN], clock())
    index = example_repo / "Touch Base.md"
    assert "November 2026" in index.read_text()
    clock.now += 1
    assert watcher.step() is False  # nothing to do
    today[0] = date(2026, 12, 1)
    assert watcher.step() is True
    assert "December 2026" in index.read_text()


# --- the shared action ------------------------------------------------------------------


def entry(day: str, channel: str | None, text: str) -> LogEntry:
    return LogEntry(date.fromisoformat(day), channel, text, 1)


def test_gained_entries_are_new_touches_not_edits_of_old_ones() -> None:
    old = [entry("2026-11-20", "call", "hi"), entry("2026-10-01", "email", "x")]
    new = [
        entry("2026-11-25", "visit", "new"),
        entry("2026-11-20", "call", "hi, and more typed later"),  # an edit of an entry
        entry("2026-10-01", "email", "x"),
        entry("2026-12-24", "call", "planned"),  # after today: not a touch
    ]
    assert gained_entries(old, new, DAY) == [new[0]]
    assert gained_entries(new, new, DAY) == []
    assert gained_entries([], [old[0], old[0]], DAY) == [old[0], old[0]]


def test_commit_note_changes_against_head(example_repo: Path) -> None:
    vault = open_vault(example_repo)
    note = example_repo / JANE
    assert commit_note_changes(vault, DAY, JANE, "all").commits == []  # equals HEAD
    text = note.read_text()
    note.write_text(add_log_line(text, "- 2026-01-02 email: an old one, written late"))
    assert commit_note_changes(vault, DAY, JANE, "off").commits == []
    done = commit_note_changes(vault, DAY, JANE, "logs")
    assert done.done == ["committed touch: Jane Doe (email)"]
    assert "last_contacted: 2026-10-28" in note.read_text()  # never backwards
    note.write_text(note.read_text().replace("Two kids,", "Two kids and a cat,", 1))
    assert commit_note_changes(vault, DAY, JANE, "logs").commits == []
    assert commit_note_changes(vault, DAY, JANE, "all").done == ["committed edit: Jane Doe"]
    note.unlink()
    assert commit_note_changes(vault, DAY, JANE, "all").done == ["committed delete: Jane Doe"]
    assert subjects(example_repo)[:3] == [
        "delete: Jane Doe",
        "edit: Jane Doe",
        "touch: Jane Doe (email)",
    ]


# --- the command -------------------------------------------------------------------------


def test_sigterm_finishes_and_exits_0(example_repo: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "vault_touchbase", "--vault", str(example_repo)]
        + ["--today", TODAY, "watch"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        lines: queue.Queue[str] = queue.Queue()
        reader = threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout], daemon=True)
        reader.start()
        seen = [lines.get(timeout=DEADLINE) for _ in range(2)]  # the first refresh, then:
        assert "watching" in seen[1], seen
        note = example_repo / CHLOE
        save_in_place(note, add_log_line(note.read_text(), "- 2026-11-25 call: then stop"))
        wait_for(committed_touch(example_repo, "touch: Chloé Dubois (call)"), "the touch")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=DEADLINE) == 0, proc.stderr.read() if proc.stderr else ""
        reader.join(timeout=DEADLINE)
        out = "".join(lines.queue)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "committed touch: Chloé Dubois (call)" in out and out.rstrip().endswith("stopped")


def test_once_catches_up_and_the_systemd_unit(example_repo: Path) -> None:
    from vault_touchbase.cli.main import cli

    note = example_repo / CHLOE
    note.write_text(add_log_line(note.read_text(), "- 2026-11-25 call: while vtb was off"))
    runner = CliRunner()
    base = ["--vault", str(example_repo), "--today", TODAY, "watch"]
    result = runner.invoke(cli, [*base, "--once"])
    assert result.exit_code == 0, result.output
    assert "committed touch: Chloé Dubois (call)" in result.output
    assert subjects(example_repo)[0] == "touch: Chloé Dubois (call)"
    unit = runner.invoke(cli, [*base, "--autocommit", "all", "--print-systemd-unit"])
    assert unit.exit_code == 0
    exec_start = next(line for line in unit.output.splitlines() if line.startswith("ExecStart="))
    assert exec_start == (
        f'ExecStart="{sys.executable}" "-m" "vault_touchbase" "--vault" "{example_repo}" '
        '"watch" "--autocommit" "all"'
    )
    assert "WantedBy=default.target" in unit.output
    bad = runner.invoke(cli, [*base, "--settle", "0"])
    assert bad.exit_code == 2 and "--settle" in bad.output


def test_an_editors_save_while_the_watcher_commits_is_not_taken_for_its_own_write(
    example_repo: Path, start_watcher: Callable[..., Running], monkeypatch: pytest.MonkeyPatch
) -> None:
    """vim's "write anyway" can land between the watcher's write of `lastContacted` and the
    end of its commit: that save is the editor's, seen in the next batch (and its older
    date put back), not recorded as the stamp of the watcher's own write."""
    import vault_touchbase.actions.autocommit as autocommit

    run = start_watcher(example_repo, loop=False)
    note = example_repo / CHLOE
    with_entry = add_log_line(note.read_text(encoding="utf-8"), "- 2026-11-25 call: caught up")
    assert "lastContacted: 2026-09-10" in with_entry
    real_commit = autocommit._commit_watched

    def commit_while_the_editor_saves(*args: object) -> None:
        if "lastContacted: 2026-11-25" in note.read_text(encoding="utf-8"):  # the watcher's
            save_in_place(note, with_entry)  # the editor's buffer, with the old date
        real_commit(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(autocommit, "_commit_watched", commit_while_the_editor_saves)
    save_in_place(note, with_entry)
    run.batches_until(committed_touch(example_repo, "touch: Chloé Dubois (call)"), "the touch")
    assert "lastContacted: 2026-09-10" in note.read_text(encoding="utf-8")  # the editor's
    monkeypatch.setattr(autocommit, "_commit_watched", real_commit)
    run.batches_until(
        lambda: "lastContacted: 2026-11-25" in note.read_text(encoding="utf-8"), "the put back"
    )
    assert any("put lastContacted: 2026-11-25 back" in line for line in run.lines())
    # the touch commit took the note as the editor had saved it; putting the date back is
    # the one difference from it, left for the user as any edit is under "logs"
    changed = [
        line
        for line in git(example_repo, "diff", "-U0", "--", CHLOE).splitlines()
        if line[:1] in "+-" and line[:3] not in ("+++", "---")
    ]
    assert changed == ["-lastContacted: 2026-09-10", "+lastContacted: 2026-11-25"]


def test_what_it_puts_back_is_the_date_it_wrote_not_one_an_editor_saved_meanwhile(
    example_repo: Path, start_watcher: Callable[..., Running], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An editor saves a second entry (and its buffer's old date) while the watcher commits
    the first: the date put back is the one the watcher wrote (11-25), never the editor's
    newer entry (11-26), and no entry is lost. (The commit takes the file as it is when
    git reads it, so the second entry goes into the first touch commit: a known limit.)"""
    import vault_touchbase.actions.autocommit as autocommit

    run = start_watcher(example_repo, loop=False)
    note = example_repo / CHLOE
    first = add_log_line(note.read_text(encoding="utf-8"), "- 2026-11-25 call: caught up")
    second = add_log_line(first, "- 2026-11-26 email: sent the link")
    real_commit = autocommit._commit_watched
    saved: list[bool] = []

    def commit_while_the_editor_saves(*args: object) -> None:
        if not saved:
            saved.append(True)
            save_in_place(note, second)  # its buffer: both entries, the old date
        real_commit(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(autocommit, "_commit_watched", commit_while_the_editor_saves)
    save_in_place(note, first)
    run.batches_until(lambda: saved, "the first touch")
    monkeypatch.setattr(autocommit, "_commit_watched", real_commit)
    run.batches_until(lambda: any(" back (" in line for line in run.lines()), "the put back")
    said = [line for line in run.lines() if " back (" in line]
    assert said == [
        f"{CHLOE}: put lastContacted: 2026-11-25 back (an editor saved an older date over it)"
    ]
    committed = git(example_repo, "show", f"HEAD:{CHLOE}")
    assert "- 2026-11-25 call: caught up" in committed
    assert "- 2026-11-26 email: sent the link" in committed


def test_a_last_contacted_it_moved_is_put_back_when_an_editor_saves_an_older_one(
    example_repo: Path, start_watcher: Callable[..., Running]
) -> None:
    run = start_watcher(example_repo)
    note = example_repo / CHLOE
    before = note.read_text(encoding="utf-8")
    with_entry = add_log_line(before, "- 2026-11-25 call: caught up")
    save_in_place(note, with_entry)
    wait_for(committed_touch(example_repo, "touch: Chloé Dubois (call)"), "the touch commit")
    assert "lastContacted: 2026-11-25" in note.read_text(encoding="utf-8")
    # another note's older date is not the watcher's to fix (no value it wrote)
    jose = example_repo / "contacts/José Müller.md"
    jose_text = jose.read_text(encoding="utf-8").replace(
        "last_contacted: 2026-06-03", "last_contacted: 2026-05-01"
    )
    save_in_place(jose, jose_text)
    # vim, answered "write anyway": its buffer's old lastContacted over the watcher's
    assert "lastContacted: 2026-09-10" in with_entry
    save_in_place(note, with_entry)
    wait_for(
        lambda: "lastContacted: 2026-11-25" in note.read_text(encoding="utf-8"), "the put back"
    )
    wait_for(lambda: any("put lastContacted: 2026-11-25 back" in x for x in run.lines()), "a word")
    assert git(example_repo, "status", "--porcelain", "--", CHLOE) == ""  # HEAD's again
    assert subjects(example_repo) == ["touch: Chloé Dubois (call)", "initial"]
    assert jose.read_text(encoding="utf-8") == jose_text


def test_a_tick_on_a_read_only_note_stays_ticked_through_other_rebuilds(
    example_repo: Path, start_watcher: Callable[..., Running]
) -> None:
    run = start_watcher(example_repo)
    index = example_repo / "Touch Base.md"
    note = example_repo / "contacts/José Müller.md"
    text = index.read_text(encoding="utf-8")
    box = next(line for line in text.splitlines() if "[[contacts/José Müller|" in line)
    note.chmod(0o444)
    try:
        save_in_place(index, text.replace(box, box.replace("- [ ]", "- [x]", 1)))
        wait_for(lambda: any("read-only" in t for _, t in run.said), "the tick's problem")
        assert "- [x] [[contacts/José Müller|" in run.index()
        rebuilds = run.watcher.stats.rebuilds
        chloe = example_repo / CHLOE  # another note's change rebuilds the index again
        save_in_place(chloe, add_log_line(chloe.read_text(), "- 2026-11-25 email: the invoice"))
        wait_for(committed_touch(example_repo, "touch: Chloé Dubois (email)"), "Chloé's touch")
        wait_for(lambda: run.watcher.stats.rebuilds > rebuilds, "the index rebuilt")
        assert "- [x] [[contacts/José Müller|" in run.index()
        assert "touch: José Müller (email)" not in subjects(example_repo)
    finally:
        note.chmod(0o644)
    save_in_place(chloe, chloe.read_text() + "\nMet her at the market.\n")  # any rebuild
    wait_for(committed_touch(example_repo, "touch: José Müller (email)"), "the waiting tick logged")


def test_the_watcher_draws_the_chart_and_redraws_it_on_a_touch(
    example_repo: Path, start_watcher: Callable[..., Running]
) -> None:
    chart = example_repo / "touch-base-chart.svg"
    run = start_watcher(example_repo)
    assert chart.exists() and b"vtb-chart-data" in chart.read_bytes()[:1024]
    before = chart.read_bytes()
    note = example_repo / CHLOE
    save_in_place(note, add_log_line(note.read_text(encoding="utf-8"), "- 2026-11-25 call: hi"))
    wait_for(committed_touch(example_repo, "touch: Chloé Dubois (call)"), "the touch commit")
    wait_for(lambda: chart.read_bytes() != before, "the chart to be drawn again")
    assert "![[touch-base-chart.svg]]" in run.index()
    assert git(example_repo, "status", "--porcelain") == ""  # ignored, as the index is


def test_saving_now_md_rebuilds_the_index(
    example_repo: Path, start_watcher: Callable[..., Running]
) -> None:
    run = start_watcher(example_repo)
    now = example_repo / "Now.md"
    assert "## Who can help you" in run.index()
    text = now.read_text(encoding="utf-8")
    needs = text[text.index("## Needs") :].split("\n\n")[0]
    save_in_place(now, text.replace(needs, "## Needs\n"))
    wait_for(lambda: "## Who can help you" not in run.index(), "the index without the needs")
    assert "Now.md changed" in " ".join(run.lines())
