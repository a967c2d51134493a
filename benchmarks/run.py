"""The benchmark of SPEC §10: vtb against a plain python-frontmatter loop, in one run.

    python benchmarks/run.py                      # 10,000 notes, 3,000 commits, 100,000 for memory
    python benchmarks/run.py --runs 7 --markdown   # and a Markdown table for docs/performance.md
    python benchmarks/run.py --notes 50 --commits 60 --big 0 --runs 1   # a smoke run

Every measurement runs a fresh process (as a user runs `vtb`), timed from start
to exit, with its peak memory (`ru_maxrss` of that process, from `wait4`).
Each row gives the median (and the fastest) of `--runs` runs and the 1-minute
load average while they ran: compare the ratios, which are measured side by
side in the same run, when the machine is busy. The vaults are made by
`make_vault.py` (the same every time) in `--workdir` and reused while the
generator and the parameters stay the same.
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import harvest_case  # noqa: E402 - the harvest case, next to this file
import make_vault  # noqa: E402 - the generator next to this file

TODAY = make_vault.TODAY.isoformat()
SETTLE = 2.2  # seconds: vtb caches a note only when it last changed longer ago than 2 s


@dataclass
class Row:
    """One measurement: its runs' times (s), peak memory (KB) and load averages."""

    name: str
    times: list[float] = field(default_factory=list)
    peaks: list[int] = field(default_factory=list)
    loads: list[float] = field(default_factory=list)
    note: str = ""
    compare: bool = True  # show its ratio to the baseline (same vault)
    base: list[float] = field(default_factory=list)  # baseline runs interleaved with these

    @property
    def ratio(self) -> float:
        """The median run ÷ the median of the baseline runs taken between this row's runs:
        the machine's speed drifts 2-3 x from hour to hour, and other work comes and goes."""
        return self.median / statistics.median(self.base) if self.base else float("nan")

    @property
    def median(self) -> float:
        return statistics.median(self.times) if self.times else float("nan")

    @property
    def best(self) -> float:
        return min(self.times) if self.times else float("nan")

    @property
    def peak_mb(self) -> float:
        return max(self.peaks) / 1024 if self.peaks else float("nan")

    @property
    def load(self) -> float:
        return statistics.median(self.loads) if self.loads else float("nan")


@dataclass
class Target:
    """A goal of SPEC §10, met when `value` is at most `limit`."""

    what: str
    value: float | None
    limit: float
    unit: str

    @property
    def met(self) -> bool | None:
        return None if self.value is None else self.value <= self.limit


# --- running a process ------------------------------------------------------------------


def vtb_command() -> list[str]:
    script = Path(sys.executable).with_name("vtb")
    return [str(script)] if script.exists() else [sys.executable, "-m", "vault_touchbase"]


CODE: Path | None = None  # a frozen copy of vault_touchbase to run, when made


def freeze_code(workdir: Path) -> Path:
    """Copy vtb's package so that edits made to the tree while the benchmark runs (which
    change vtb's cache key) do not turn a warm run into a cold one halfway through."""
    import vault_touchbase

    source = Path(vault_touchbase.__file__).resolve().parent
    target = workdir / "code"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(
        source, target / "vault_touchbase", ignore=shutil.ignore_patterns("__pycache__")
    )
    # Byte-compiled as `pip install` leaves an installed package: without this, a machine
    # with PYTHONDONTWRITEBYTECODE set would compile vtb's source on every single run.
    compileall.compile_dir(target, quiet=1)
    sys.path.insert(0, str(target))  # the watcher runs in this process
    for name in [m for m in sys.modules if m.split(".")[0] == "vault_touchbase"]:
        del sys.modules[name]
    return target


# Linux counts a process's peak memory from before its `exec` too, so a process started
# by this (big) one would report this one's size: a small launcher starts it instead,
# and reports the wall time and the peak memory (ru_maxrss, KB) of its child.
LAUNCHER = """
import os, subprocess, sys, time
started = time.perf_counter()
child = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(child.pid, 0)
took = time.perf_counter() - started
with open(sys.argv[1], "w") as report:
    report.write(f"{took} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}")
"""


def measure_once(command: Sequence[str], cwd: Path, row: Row, check: bool = True) -> str:
    """Run one process; add its wall time, peak memory and the load to `row`; its stdout."""
    env = {**os.environ, "NO_COLOR": "1"}
    if CODE is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(CODE), env.get("PYTHONPATH")]))
    with tempfile.TemporaryDirectory() as tmp:
        out, err, report = (Path(tmp) / name for name in ("out", "err", "report"))
        row.loads.append(os.getloadavg()[0])
        with open(out, "wb") as stdout, open(err, "wb") as stderr:
            subprocess.run(
                [sys.executable, "-S", "-c", LAUNCHER, str(report), *command],
                cwd=cwd,
                env=env,
                stdout=stdout,
                stderr=stderr,
                check=False,
            )
        took, peak, code = report.read_text().split()
        row.times.append(float(took))
        row.peaks.append(int(peak))
        if check and int(code) != 0:
            text = err.read_text(errors="replace")[-2000:]
            raise SystemExit(f"{' '.join(command)} failed ({code}):\n{text}")
        return out.read_text(errors="replace")


def repeat(
    name: str,
    runs: int,
    command: Callable[[int], Sequence[str]],
    cwd: Path,
    before: Callable[[int], None] | None = None,
    baseline: Sequence[str] | None = None,
) -> Row:
    """`runs` runs of `command`; with `baseline`, each run follows a run of the baseline,
    whose times are kept in `row.base` for the row's ratio."""
    row = Row(name)
    for number in range(runs):
        if baseline is not None:
            base = Row("baseline")
            measure_once(baseline, cwd, base)
            row.base += base.times
        if before:
            before(number)
        measure_once(command(number), cwd, row)
    return row


# --- the vaults ---------------------------------------------------------------------------


def vault_at(workdir: Path, notes: int, commits: int) -> Path:
    """The generated vault for these parameters, made once and kept (a pristine copy)."""
    source = (HERE / "make_vault.py").read_bytes()
    tag = hashlib.sha1(source + f"{notes}/{commits}".encode()).hexdigest()[:10]
    path = workdir / f"vault-{notes}-{commits}-{tag}"
    if not (path / ".made").exists():
        shutil.rmtree(path, ignore_errors=True)
        started = time.perf_counter()
        make_vault.make_vault(notes, path, commits)
        (path / ".made").write_text(f"{time.perf_counter() - started:.1f} s\n")
    return path


def working_copy(pristine: Path, workdir: Path) -> Path:
    """A copy to change (logs commit, notes are edited), settled past vtb's racy window."""
    target = workdir / f"{pristine.name}-work"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(pristine, target, symlinks=True)
    time.sleep(SETTLE)  # a copy's ctimes are new: let them settle, as a user's notes are
    return target


def people_to_log(notes: int, count: int) -> list[str]:
    """Names that name one person each, to `vtb log` one after another."""
    names = [person.name for person in make_vault.make_people(notes, 1)]
    counted: dict[str, int] = {}
    for name in names:
        counted[name] = counted.get(name, 0) + 1
    return [name for name in names if counted[name] == 1][:count]


def busiest_note(notes: int, commits: int) -> str:
    """The note with the most touch commits in the generated history (for `vtb history`)."""
    people = make_vault.make_people(notes, 1)
    touches = make_vault.plan_commits(people, commits, 1)
    counts: dict[int, int] = {}
    for person, _ in touches:
        counts[person] = counts.get(person, 0) + 1
    best = max(counts, key=lambda p: (counts[p], -p)) if counts else 0
    return people[best].rel


# --- the measurements -------------------------------------------------------------------


def benchmark(args: argparse.Namespace) -> tuple[list[Row], list[Target], dict[str, str]]:
    workdir: Path = args.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    vtb = vtb_command()
    runs = args.runs
    pristine = vault_at(workdir, args.notes, args.commits)
    vault = working_copy(pristine, workdir)
    at = ["--vault", str(vault), "--today", TODAY]
    baseline = [sys.executable, str(HERE / "baseline.py"), str(vault), "--today", TODAY]
    rows: list[Row] = []
    info: dict[str, str] = {}

    def cold(number: int) -> None:
        shutil.rmtree(vault / ".vtb", ignore_errors=True)
        (vault / "Touch Base.md").unlink(missing_ok=True)

    rows.append(repeat("baseline: python-frontmatter loop", runs, lambda n: baseline, vault))
    rows.append(
        repeat(
            "vtb refresh, cold (no .vtb)",
            runs,
            lambda n: [*vtb, *at, "refresh"],
            vault,
            cold,
            baseline,
        )
    )
    measure_once([*vtb, *at, "refresh"], vault, Row("settle"))  # the memo of a settled vault
    rows.append(
        repeat(
            "vtb refresh, warm (nothing changed)",
            runs,
            lambda n: [*vtb, *at, "refresh"],
            vault,
            baseline=baseline,
        )
    )
    rows.append(repeat("vtb due (warm)", runs, lambda n: [*vtb, *at, "due"], vault))
    rows.append(repeat("vtb --help", runs, lambda n: [*vtb, "--help"], vault, baseline=baseline))

    names = people_to_log(args.notes, 2 * runs + 1)
    rows.append(
        repeat(
            "vtb log NAME (with its commit)",
            runs,
            lambda n: [*vtb, *at, "log", names[n], "-c", "call", "benchmark touch"],
            vault,
            baseline=baseline,
        )
    )
    history_of = busiest_note(args.notes, args.commits)
    rows.append(
        repeat("vtb history NAME", runs, lambda n: [*vtb, *at, "history", history_of], vault)
    )

    notes = sorted((vault / "contacts").rglob("*.md"))

    def touch_one(number: int) -> None:
        path = notes[(number * 7919) % len(notes)]
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(f"\nEdited for the benchmark, run {number}.\n")

    rows.append(
        repeat(
            "vtb refresh, one note changed",
            runs,
            lambda n: [*vtb, *at, "refresh"],
            vault,
            touch_one,
            baseline,
        )
    )
    info["same due list"] = same_due_list(vtb, at, baseline, vault)
    info["vault"] = describe_vault(vault, args)

    watch = Row("watch: save → index rewritten", compare=False)
    rounds = max(runs, 3)
    latency = watch_latency(pristine, rounds) if args.watch else None
    if latency is None:
        watch.note = "not measured" + ("" if args.watch else " (--no-watch)")
    else:
        watch.times.append(latency)
        watch.note = f"median of {rounds} saves"
    rows.append(watch)

    if args.big:
        large = working_copy(vault_at(workdir, args.big, 0), workdir)
        shutil.rmtree(large / ".vtb", ignore_errors=True)
        for name, day in [
            ("cold (no .vtb)", TODAY),
            ("another day", "2026-11-27"),
            ("unchanged", "2026-11-27"),
        ]:
            row = Row(f"vtb refresh, {args.big:,} notes, {name}", compare=False)
            measure_once([*vtb, "--vault", str(large), "--today", day, "refresh"], large, row)
            rows.append(row)
        shutil.rmtree(large, ignore_errors=True)
    else:
        rows.append(Row(f"vtb refresh, {args.big:,} notes", note="not measured (--big 0)"))
    big_peak = max(
        (r.peak_mb for r in rows if r.name.startswith(f"vtb refresh, {args.big:,}") and r.peaks),
        default=None,
    )

    harvested, harvest_targets = harvest_case.measure(sys.modules[__name__], args, vault)
    rows += harvested
    shutil.rmtree(vault, ignore_errors=True)
    by_name = {row.name: row for row in rows}

    def ratio(name: str) -> float:
        return by_name[name].ratio

    targets = [
        Target("cold refresh ÷ baseline", ratio("vtb refresh, cold (no .vtb)"), 0.7, "×"),
        Target("warm refresh ÷ baseline", ratio("vtb refresh, warm (nothing changed)"), 0.12, "×"),
        Target("one note changed ÷ baseline", ratio("vtb refresh, one note changed"), 0.3, "×"),
        Target(
            "vtb log with its commit ÷ baseline", ratio("vtb log NAME (with its commit)"), 0.35, "×"
        ),
        Target("vtb --help ÷ baseline", ratio("vtb --help"), 0.06, "×"),
        Target("save → index (watcher)", latency, 1.0, "s"),
        Target(f"peak memory, refresh of {args.big:,} notes", big_peak, 500, "MB"),
        *harvest_targets,
    ]
    return rows, targets, info


def same_due_list(vtb: list[str], at: list[str], baseline: list[str], vault: Path) -> str:
    mine = json.loads(measure_once([*vtb, *at, "due", "--json"], vault, Row("due --json")))
    theirs = json.loads(measure_once([*baseline, "--json"], vault, Row("baseline --json")))
    a, b = {row["path"] for row in mine}, set(theirs)
    if a == b:
        return f"yes: both list the same {len(a)} people"
    return f"NO: {len(a - b)} only in vtb, {len(b - a)} only in the baseline"


def describe_vault(vault: Path, args: argparse.Namespace) -> str:
    sizes = sorted(p.stat().st_size for p in (vault / "contacts").rglob("*.md"))
    commits = subprocess.run(
        ["git", "rev-list", "--count", "HEAD"], cwd=vault, capture_output=True, text=True
    ).stdout.strip()
    return (
        f"{len(sizes):,} notes (median {sizes[len(sizes) // 2]:,} B, largest {sizes[-1]:,} B), "
        f"{commits or 0} commits"
    )


def watch_latency(vault: Path, rounds: int) -> float | None:
    """`measure(vault)` of benchmarks/watch_latency.py, when that script is there."""
    path = HERE / "watch_latency.py"
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location("watch_latency", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    try:
        return float(module.measure(vault, rounds=rounds, today=make_vault.TODAY))
    except TypeError:
        return float(module.measure(vault))


# --- the report ---------------------------------------------------------------------------


def machine() -> dict[str, str]:
    def out(*command: str) -> str:
        try:
            return subprocess.run(command, capture_output=True, text=True).stdout.strip()
        except OSError:
            return "?"

    return {
        "cpus (nproc)": out("nproc"),
        "memory (free -h)": " ".join(out("free", "-h").splitlines()[1].split()[:4])
        if out("free", "-h")
        else "?",
        "python": platform.python_version(),
        "system": platform.platform(),
        "load (uptime)": out("uptime"),
    }


def report(rows: list[Row], targets: list[Target], info: dict[str, str], markdown: bool) -> str:
    baselines = [t for row in rows if row.name.startswith("baseline") for t in row.times]
    base = statistics.median(baselines) if baselines else float("nan")
    lines = []
    if markdown:
        lines += [
            "| measurement | median | fastest | ÷ baseline (interleaved) | peak memory "
            "| load (1 min) |",
            "|---|---:|---:|---:|---:|---:|",
        ]
    for row in rows:
        if not row.times:
            cells = [row.name, "—", "—", "—", "—", "—"]
        else:
            cells = [
                row.name,
                f"{row.median:.3f} s",
                f"{row.best:.3f} s",
                (f"{row.ratio:.2f}" if row.base else f"({row.median / base:.2f})")
                if row is not rows[0] and row.compare
                else "",
                f"{row.peak_mb:.0f} MB" if row.peaks else "",
                f"{row.load:.2f}" if row.loads else "",
            ]
        if row.note:
            cells[0] += f" ({row.note})"
        if markdown:
            lines.append("| " + " | ".join(cells) + " |")
        else:
            lines.append(
                f"{cells[0]:<64} {cells[1]:>9} {cells[2]:>9} {cells[3]:>6} {cells[4]:>7} "
                f"{cells[5]:>5}"
            )
    lines.append("")
    if markdown:
        lines += ["| target (SPEC §10) | measured | limit | met |", "|---|---:|---:|:---:|"]
    for target in targets:
        value = "not measured" if target.value is None else f"{target.value:.3f} {target.unit}"
        met = {True: "yes", False: "NO", None: "—"}[target.met]
        limit = f"≤ {target.limit:g} {target.unit}"
        if markdown:
            lines.append(f"| {target.what} | {value} | {limit} | {met} |")
        else:
            lines.append(f"{target.what:<42} {value:>16} {limit:>12}  {met}")
    lines.append("")
    lines += [f"{key}: {value}" for key, value in info.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--commits", type=int, default=3_000)
    parser.add_argument(
        "--big", type=int, default=100_000, help="notes for the memory run (0: skip)"
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--harvest", type=int, default=20_000, help="messages in the harvest case (0: skip)"
    )
    parser.add_argument("--only", choices=["harvest"], help="run only this case")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "vtb-bench")
    parser.add_argument("--no-watch", dest="watch", action="store_false", help="skip the watcher")
    parser.add_argument(
        "--no-freeze", dest="freeze", action="store_false", help="run the tree's vtb, not a copy"
    )
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)
    global CODE
    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.freeze:
        CODE = freeze_code(args.workdir)
    before = machine()
    if args.only == "harvest":
        args.workdir.mkdir(parents=True, exist_ok=True)
        rows, targets = harvest_case.measure(sys.modules[__name__], args)
        info: dict[str, str] = {}
    else:
        rows, targets, info = benchmark(args)
    after = machine()
    info = {
        **info,
        **{k: v for k, v in before.items() if k != "load (uptime)"},
        "load before": before["load (uptime)"],
        "load after": after["load (uptime)"],
        "runs": str(args.runs),
    }
    print(report(rows, targets, info, args.markdown))
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "rows": [row.__dict__ | {"median": row.median} for row in rows],
                    "targets": [t.__dict__ | {"met": t.met} for t in targets],
                    "info": info,
                },
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
