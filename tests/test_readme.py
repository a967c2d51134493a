"""The README's tour is real output: its console examples are run on example-vault and
its excerpt of `Touch Base.md` is checked against the real file, so neither can drift.

In an example, a line `...` stands for any lines left out, and ` ...` inside a line
for any text left out (its end, or a long quote); blank lines do not count.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from conftest import ROOT, Vtb

README = ROOT / "README.md"


def _block(kind: str) -> list[str]:
    """The tour's first fenced block of one kind (`console`, `markdown`), as lines."""
    tour = README.read_text(encoding="utf-8").split("## A short tour", 1)[1]
    found = re.search(rf"```{kind}\n(.*?)```", tour, re.S)
    assert found, f"no {kind} block in the README's tour"
    return found.group(1).splitlines()


def _pattern(line: str) -> re.Pattern[str]:
    parts = [re.escape(part) for part in line.rstrip().split(" ...")]
    return re.compile(".*".join(parts) + (".*" if line.rstrip().endswith(" ...") else ""))


def matches(shown: list[str], real: list[str]) -> str | None:
    """None when `shown` is `real` with lines or text left out as the module says, in
    order; else the first shown line that does not match where it should."""
    want = [line for line in shown if line.strip()]
    have = [line.rstrip() for line in real if line.strip()]
    at, skipping = 0, False
    for line in want:
        if line.strip() == "...":
            skipping = True
            continue
        pattern = _pattern(line)
        while at < len(have) and not pattern.fullmatch(have[at]):
            if not skipping:
                return f"{line!r} where the real output has {have[at]!r}"
            at += 1
        if at == len(have):
            return f"{line!r} is not in the real output (or not in this order)"
        at, skipping = at + 1, False
    if at < len(have) and not skipping:
        return f"the real output goes on: {have[at]!r}"
    return None


def test_the_console_examples_are_real_output(example_copy: Path) -> None:
    vtb = Vtb(example_copy)
    block = _block("console")
    runs: list[tuple[str, list[str]]] = []
    for line in block:
        if line.startswith("$ "):
            runs.append((line[2:], []))
        else:
            runs[-1][1].append(line)
    checked = 0
    for command, shown in runs:
        args = shlex.split(command)
        if args[0] == "cd":
            continue
        assert args[:3] == ["vtb", "--today", "2026-11-26"], command
        result = vtb(*args[3:])
        assert result.exit_code == 0, result.output
        problem = matches(shown, result.output.splitlines())
        assert problem is None, f"README, `{command}`: {problem}"
        checked += 1
    assert checked == 3


def test_the_index_note_excerpt_is_the_real_file() -> None:
    block = _block("markdown")
    golden = (ROOT / "tests" / "golden" / "example-index.md").read_text(encoding="utf-8")
    real = golden.split("\n# Touch base", 1)[1]
    problem = matches(block, ["# Touch base" + real.split("\n", 1)[0], *real.splitlines()[1:]])
    assert problem is None, f"README, Touch Base.md: {problem}"


def test_the_matcher_catches_drift() -> None:
    real = ["* Léa  replied", "* Keisha  follow-up", "  Chloé  overdue", "  Tom  due"]
    assert matches(["* Léa ...", "...", "  Tom  due"], real) is None
    assert matches(["* Léa ...", "  Chloé  overdue", "..."], real) is not None  # not second
    assert matches(["...", "  Tom  due", "  Chloé  overdue"], real) is not None  # order
    assert matches(["* Léa  replied", "* Keisha  follow-up"], real) is not None  # cut short
