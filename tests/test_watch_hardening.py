"""`vtb watch` under rough handling: a contacts folder replaced, a folder that vanishes with
autocommit = "all", and a burst of new touches (issue 15, items 15–17)."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import TODAY, git
from test_watch import (
    CHLOE,
    DAY,
    FAST,
    JANE,
    FakeTime,
    Running,
    add_log_line,
    committed_touch,
    index_is_current,
    save_in_place,
    start_watcher,
    subjects,
)

from vault_touchbase.actions import burst
from vault_touchbase.vault.folder import open_vault
from vault_touchbase.watch.options import WatchOptions
from vault_touchbase.watch.paths import RESCAN
from vault_touchbase.watch.watcher import Watcher

__all__ = ["start_watcher"]  # the fixture, shared with test_watch


def replace_folder(folder: Path, keep_old: bool = False) -> None:
    """What a sync tool or a restore does: the folder moved away, a copy put in its place
    (and the old one deleted, or kept as a backup)."""
    away = folder.with_name(folder.name + ".old")
    folder.rename(away)
    shutil.copytree(away, folder)
    if not keep_old:
        shutil.rmtree(away)


def test_a_replaced_contacts_folder_is_watched_again_at_once(
    example_repo: Path, start_watcher: Callable[..., Running]
) -> None:
    run = start_watcher(example_repo, loop=False)
    replace_folder(example_repo / "contacts")
    run.next_batch("the batch of the replacement")
    note = example_repo / CHLOE
    save_in_place(note, add_log_line(note.read_text(), "- 2026-11-25 call: in the new folder"))
    run.batches_until(committed_touch(example_repo, "touch: Chloé Dubois (call)"), "the touch")
    assert index_is_current(example_repo)()
    assert git(example_repo, "status", "--porcelain", "--", "contacts") == ""
    assert "contacts/ was replaced or came back: watching it again" in run.lines("info")


def test_a_replaced_folder_above_the_contacts_folder_is_watched_again(
    example_repo: Path, start_watcher: Callable[..., Running]
) -> None:
    """contacts = "people/friends": a sync tool replaces `people/`, two levels up."""
    (example_repo / "people").mkdir()
    (example_repo / "contacts").rename(example_repo / "people" / "friends")
    settings = example_repo / "vtb.toml"
    settings.write_text(settings.read_text().replace('"contacts"', '"people/friends"'))
    git(example_repo, "add", "-A")
    git(example_repo, "commit", "-qm", "moved")
    run = start_watcher(example_repo, loop=False)
    replace_folder(example_repo / "people", keep_old=True)
    run.next_batch("the batch of the replacement")
    note = example_repo / "people" / "friends" / "Chloé Dubois.md"
    save_in_place(note, add_log_line(note.read_text(), "- 2026-11-25 call: two levels down"))
    run.batches_until(committed_touch(example_repo, "touch: Chloé Dubois (call)"), "the touch")
    assert "people/ was replaced or came back: watching it again" in run.lines("info")


# --- autocommit = "all": deletions --------------------------------------------------------

ALL = WatchOptions(settle=0.3, rescan_every=3600, autocommit="all", mass_settle=60)


def by_hand(vault: Path, options: WatchOptions = ALL) -> tuple[Watcher, FakeTime, list[str]]:
    """A watcher whose batches the test runs with its own clock (no observer)."""
    clock, said = FakeTime(), []
    watcher = Watcher(
        open_vault(vault),
        clock=lambda: DAY,
        options=options,
        monotonic=clock,
        say=lambda level, text: said.append(text),
    )
    watcher.handle([RESCAN], clock())
    return watcher, clock, said


def later(watcher: Watcher, clock: FakeTime, seconds: float, *paths: str) -> None:
    clock.now += seconds
    watcher.handle(list(paths), clock())


def test_no_deletion_is_committed_while_the_contacts_folder_is_missing(
    example_repo: Path,
) -> None:
    watcher, clock, said = by_hand(example_repo)
    folder = example_repo / "contacts"
    folder.rename(example_repo / "contacts.away")
    later(watcher, clock, 1, RESCAN)  # every note gone
    later(watcher, clock, 1000)  # settled: a mass deletion, but the folder is missing
    later(watcher, clock, 1000)  # long past the settle periods
    assert subjects(example_repo) == ["initial"]
    assert "the folder contacts/ is missing: no deletion is committed while it is gone" in said
    (example_repo / "contacts.away").rename(folder)
    later(watcher, clock, 1, RESCAN)
    later(watcher, clock, 1000)
    assert subjects(example_repo) == ["initial"]
    assert git(example_repo, "status", "--porcelain") == ""


def test_a_mass_deletion_is_committed_once_it_has_lasted_as_one_commit(
    example_repo: Path,
) -> None:
    watcher, clock, said = by_hand(example_repo)
    notes = sorted((example_repo / "contacts").glob("*.md"))[:5]
    for note in notes:
        note.unlink()
    later(watcher, clock, 1, RESCAN)
    later(watcher, clock, 1)  # settled, but a mass deletion: it waits
    assert subjects(example_repo) == ["initial"]
    wait = "5 of 36 notes in contacts/ were deleted: committed as one commit only if they stay "
    assert wait + "deleted for 60 s" in said
    later(watcher, clock, 30)
    assert subjects(example_repo) == ["initial"]
    later(watcher, clock, 31)
    assert subjects(example_repo) == ["delete: 5 notes", "initial"]
    trailers = git(example_repo, "show", "-s", "--format=%(trailers:key=Vtb-Contact)", "HEAD")
    assert trailers.split() == [
        word for note in notes for word in f"Vtb-Contact: contacts/{note.name}".split()
    ]
    assert git(example_repo, "status", "--porcelain") == ""
    (example_repo / JANE).unlink()  # one note: an ordinary deletion, after the usual settle
    later(watcher, clock, 1, RESCAN)
    later(watcher, clock, 1)
    assert subjects(example_repo)[0] == "delete: Jane Doe"


# --- a burst of new touches --------------------------------------------------------------


def write_people(vault: Path, count: int) -> list[Path]:
    """`count` new notes, each with a Log entry: an import by another tool, or a sync."""
    folder = vault / "contacts" / "bulk"
    folder.mkdir()
    paths = []
    for i in range(count):
        path = folder / f"Person {i:04d}.md"
        path.write_text(
            f"---\nname: Person {i:04d}\ncadence: monthly\n---\n"
            f"## Log\n- 2026-11-2{i % 5} call: met at the fair ({i})\n"
        )
        paths.append(path)
    return paths


def test_a_burst_of_new_touches_is_one_commit_after_the_index(example_repo: Path) -> None:
    watcher, clock, said = by_hand(example_repo, WatchOptions(rescan_every=3600))
    write_people(example_repo, 300)
    later(watcher, clock, 1, RESCAN)
    assert subjects(example_repo) == ["touch: 300 people", "initial"]
    refreshed = said.index("refreshed: 300 notes changed, 16 due")
    progress = said.index("committing: 300 of 300 changed notes looked at")
    assert refreshed < progress < said.index("committed touch: 300 people")
    note = "contacts/bulk/Person 0123.md"
    assert git(example_repo, "log", "--format=%s", "--", note).split("\n")[0] == (
        "touch: 300 people"
    )
    body = git(example_repo, "show", "-s", "--format=%B", "HEAD")
    assert "touch: Person 0123 (call)\n  2026-11-23 met at the fair (123)" in body
    assert body.count("Vtb-Contact: contacts/bulk/Person ") == 300
    assert "last_contacted: 2026-11-23" in (example_repo / note).read_text()
    assert git(example_repo, "status", "--porcelain") == ""
    assert index_is_current(example_repo)()
    from vault_touchbase.cli.main import cli

    history = CliRunner().invoke(
        cli, ["--vault", str(example_repo), "--today", TODAY, "history", "Person 0123"]
    )
    assert history.exit_code == 0, history.output
    assert "touch: 300 people" in history.output


def test_a_burst_stops_soon_after_it_is_asked_and_the_next_start_commits_the_rest(
    example_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The loop's `stop` (what Ctrl-C and SIGTERM set) ends a burst after the note it is at."""
    monkeypatch.setattr(burst, "CHUNK", 100)
    said: list[str] = []
    stop = threading.Event()

    def say(level: str, text: str) -> None:
        said.append(text)
        if text.startswith("committing:"):
            stop.set()  # SIGTERM comes after the first 100 are committed

    watcher = Watcher(open_vault(example_repo), clock=lambda: DAY, say=say, options=FAST)
    watcher.handle([RESCAN], time.monotonic())
    write_people(example_repo, 300)
    watcher.notice(RESCAN)
    watcher.run(stop)  # returns once the burst has stopped
    assert subjects(example_repo) == ["touch: 100 people", "initial"]
    assert "stopped: 200 changed notes left to commit at the next start" in said
    watcher.close()
    by_hand(example_repo, WatchOptions(rescan_every=3600))  # the next start: 2 more commits
    assert subjects(example_repo) == ["touch: 100 people"] * 3 + ["initial"]
    assert git(example_repo, "status", "--porcelain") == ""
