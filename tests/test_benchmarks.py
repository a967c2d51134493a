"""A smoke run of the benchmark on 50 notes: the generator and the script work.

(The benchmark itself is run by hand, not by CI: see docs/performance.md.)
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import ROOT

BENCH = ROOT / "benchmarks"


def test_make_vault_is_deterministic_and_has_its_history(tmp_path: Path) -> None:
    for name in ("a", "b"):
        subprocess.run(
            [
                sys.executable,
                str(BENCH / "make_vault.py"),
                "40",
                str(tmp_path / name),
                "--commits",
                "30",
            ],
            check=True,
            capture_output=True,
        )
    a, b = tmp_path / "a", tmp_path / "b"
    notes = sorted(p.relative_to(a) for p in (a / "contacts").rglob("*.md"))
    assert len(notes) == 40
    assert all((a / n).read_bytes() == (b / n).read_bytes() for n in notes)
    heads = [
        subprocess.run(["git", "rev-parse", "HEAD"], cwd=v, capture_output=True, text=True).stdout
        for v in (a, b)
    ]
    assert heads[0] == heads[1]
    count = subprocess.run(
        ["git", "rev-list", "--count", "HEAD"], cwd=a, capture_output=True, text=True
    ).stdout
    assert int(count) == 30
    status = subprocess.run(["git", "status", "--porcelain"], cwd=a, capture_output=True, text=True)
    assert status.stdout == ""  # the work tree is the last commit


def test_the_benchmark_runs_on_a_small_vault(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            str(BENCH / "run.py"),
            "--notes", "50", "--commits", "60", "--big", "0", "--runs", "1", "--harvest", "200",
            "--no-watch", "--workdir", str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    for row in ("baseline", "cold", "warm", "vtb log", "vtb history", "vtb --help", "one note"):
        assert row in out
    assert "same due list: yes" in out
    assert "cold refresh ÷ baseline" in out
