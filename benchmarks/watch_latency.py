"""How long after a note is saved does a running `vtb watch` rewrite the index note?

    python benchmarks/watch_latency.py VAULT [--rounds 5] [--today 2026-11-26]

The vault is copied to a temporary folder first (and made a git repository if
it is not one), because the watcher commits each touch. A watcher runs there
with its default pacing (0.3 s of quiet, at most 2 s); then, `--rounds`
times, a due person's note is saved in place with a new Log line dated today,
and the time until the index note's bytes change is measured. That span holds
the debounce, the look at the note, the touch commit and the index rebuild.
The target (SPEC §10) is at most 1 s on a 10,000-note vault.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

from vault_touchbase.actions.index_note import snapshot
from vault_touchbase.vault.folder import open_vault
from vault_touchbase.watch.watcher import Watcher

POLL = 0.002
TIMEOUT = 30.0


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def _copy(vault_path: Path, into: Path) -> Path:
    """A copy of the vault that is the top of its own git repository, all committed."""
    target = into / "vault"
    shutil.copytree(vault_path, target, symlinks=True, ignore=shutil.ignore_patterns(".vtb"))
    if not (target / ".git").exists():
        _git(target, "init", "-q")
        _git(target, "add", "-A")
        _git(target, "commit", "-qm", "benchmark copy")
    return target


def _wait(check: object, what: str) -> float:
    deadline = time.perf_counter() + TIMEOUT
    while time.perf_counter() < deadline:
        if check():  # type: ignore[operator]
            return time.perf_counter()
        time.sleep(POLL)
    raise RuntimeError(f"timed out after {TIMEOUT:g} s waiting for {what}")


def _quiet(watcher: Watcher, seconds: float = 0.8) -> None:
    """Wait until the watcher has run no batch for `seconds` (its own writes are done)."""
    last, since = watcher.stats.batches, time.perf_counter()
    while time.perf_counter() - since < seconds:
        time.sleep(0.05)
        if watcher.stats.batches != last:
            last, since = watcher.stats.batches, time.perf_counter()


def _with_entry(text: str, day: date, round_no: int) -> str:
    line = f"- {day} call: watch latency benchmark, round {round_no}"
    if "\n## Log\n" in text:
        return text.replace("\n## Log\n", f"\n## Log\n{line}\n", 1)
    return text.rstrip("\n") + f"\n\n## Log\n{line}\n"


def measure(vault_path: str | Path, rounds: int = 5, today: date | None = None) -> float:
    """The median time (seconds) from a note's save to the index note being rewritten."""
    for key, value in (("NAME", "vtb benchmark"), ("EMAIL", "benchmark@example.com")):
        os.environ.setdefault(f"GIT_AUTHOR_{key}", value)
        os.environ.setdefault(f"GIT_COMMITTER_{key}", value)
    day = today or date.today()
    with tempfile.TemporaryDirectory(prefix="vtb-watch-latency-") as tmp:
        root = _copy(Path(vault_path), Path(tmp))
        vault = open_vault(root)
        watcher = Watcher(vault, clock=lambda: day)
        watcher.start()
        stop = threading.Event()
        thread = threading.Thread(target=watcher.run, args=(stop,), daemon=True)
        thread.start()
        try:
            due = [item.contact.path for item in snapshot(vault, day).items]
            if len(due) < rounds:
                raise RuntimeError(f"only {len(due)} people are due on {day}; pass --today")
            times = []
            for round_no, rel in enumerate(due[:rounds], 1):
                _quiet(watcher)
                index = vault.index_path.read_bytes()
                note = vault.path_of(rel)
                text = note.read_text(encoding="utf-8")
                with open(note, "w", encoding="utf-8", newline="") as handle:  # in place
                    handle.write(_with_entry(text, day, round_no))
                saved = time.perf_counter()
                done = _wait(lambda old=index: vault.index_path.read_bytes() != old, "the index")
                times.append(done - saved)
                print(f"  round {round_no}: {times[-1]:.3f} s  ({rel})", file=sys.stderr)
        finally:
            stop.set()
            watcher.wake()
            thread.join(timeout=10)
            watcher.close()
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("vault", type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--today", type=date.fromisoformat, default=None)
    args = parser.parse_args()
    notes = sum(1 for _ in (args.vault / "contacts").rglob("*.md"))
    median = measure(args.vault, args.rounds, args.today)
    print(
        f"watch: save → index rewritten: median {median:.3f} s over {args.rounds} saves, "
        f"{notes} notes (target ≤ 1 s)"
    )


if __name__ == "__main__":
    main()
