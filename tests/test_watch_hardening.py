"""`vtb watch` under rough handling: a contacts folder replaced, a folder that vanishes with
autocommit = "all", and a burst of new touches (issue 15, items 15–17)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from conftest import git
from test_watch import (
    CHLOE,
    Running,
    add_log_line,
    committed_touch,
    index_is_current,
    save_in_place,
    start_watcher,
)

__all__ = ["start_watcher"]  # the fixture, shared with test_watch


def replace_folder(folder: Path) -> None:
    """What a sync tool or a restore does: the folder moved away, a copy put in its place."""
    away = folder.with_name(folder.name + ".old")
    folder.rename(away)
    shutil.copytree(away, folder)
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
