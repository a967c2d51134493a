"""The harvest case of the benchmark (SPEC §10): `vtb harvest` over an mbox of 20,000
messages addressed to the benchmark vault's contacts, first run and unchanged second run.

    python benchmarks/run.py --only harvest          # just this case
    python benchmarks/harvest_case.py VAULT 20000    # the mbox alone, into VAULT/bench.mbox

The messages are the same every time: 40 % sent by you to a contact, 35 % from a
contact to you, 15 % newsletters (List-Id) and 10 % from strangers, each with a
body of 1-3 KB, dated over the 300 days before the benchmark's today.
"""

from __future__ import annotations

import random
import sys
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import make_vault  # noqa: E402 - the generator next to this file

ME = "me@bench.example"
FIRST_LIMIT = 20.0  # seconds, SPEC §10
SECOND_LIMIT = 1.5


def write_mbox(path: Path, people: list[make_vault.Person], count: int, seed: int = 7) -> int:
    """An mbox of `count` messages to and from `people`; returns its size in bytes."""
    rng = random.Random(seed)
    emails = [str(p.fields.get("email") or "") for p in people]
    emails = [e for e in emails if "@" in e] or ["nobody@example.org"]
    end = datetime(*make_vault.TODAY.timetuple()[:3], 18, 0, tzinfo=timezone.utc)  # noqa: UP017
    words = make_vault.WORDS
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        for number in range(count):
            when = end - timedelta(minutes=rng.randrange(300 * 24 * 60))
            roll = rng.random()
            contact = rng.choice(emails)
            extra = ""
            if roll < 0.40:
                sender, to = ME, contact
            elif roll < 0.75:
                sender, to = contact, ME
            elif roll < 0.90:
                sender, to = "news@shop.example", ME
                extra = (
                    "List-Id: <weekly.shop.example>\nList-Unsubscribe: <mailto:u@shop.example>\n"
                )
            else:
                sender, to = f"stranger{number}@elsewhere.example", ME
            subject = " ".join(rng.choice(words) for _ in range(rng.randrange(2, 8))).capitalize()
            body = "\n".join(
                " ".join(rng.choice(words) for _ in range(12)) for _ in range(rng.randrange(12, 36))
            )
            out.write(
                f"From {sender} {when.strftime('%a %b %d %H:%M:%S %Y')}\n"
                f"Received: from mx.example by mail.example; {format_datetime(when)}\n"
                f"From: {sender}\nTo: {to}\nSubject: {subject}\n"
                f"Date: {format_datetime(when)}\n"
                f"Message-ID: <{number}.{seed}@bench.example>\n{extra}"
                "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n"
                f"{body}\n\n"
            )
    return path.stat().st_size


def set_up(vault: Path, people: list[make_vault.Person], count: int) -> Path:
    """Write the mbox into the vault and name it (and `me`) in its vtb.toml."""
    mbox = vault / "bench.mbox"
    write_mbox(mbox, people, count)
    config = vault / "vtb.toml"
    text = config.read_text(encoding="utf-8") if config.exists() else ""
    if "[harvest]" not in text:
        config.write_text(
            text + f'\n[harvest]\nme = ["{ME}"]\nmbox = ["bench.mbox"]\n', encoding="utf-8"
        )
    ignore = vault / ".gitignore"
    ignore.write_text(
        (ignore.read_text() if ignore.exists() else "") + "bench.mbox\n", encoding="utf-8"
    )
    return mbox


def measure(run: Any, args: Any, vault: Path | None = None) -> tuple[list[Any], list[Any]]:
    """The case's rows and targets, with `run.py`'s own helpers (`run`) and options
    (`args`), on a working copy of the benchmark vault (`vault`, else a new one): `vtb
    harvest` over the mbox with no read state (first run), then again (unchanged)."""
    import shutil

    count, runs = args.harvest, args.runs
    if not count:
        return [run.Row("vtb harvest", note="not measured (--harvest 0)")], []
    if vault is None:
        pristine = run.vault_at(args.workdir, args.notes, args.commits)
        vault = run.working_copy(pristine, args.workdir)
    set_up(vault, make_vault.make_people(args.notes, 1), count)
    vtb = [*run.vtb_command(), "--vault", str(vault), "--today", run.TODAY]
    run.measure_once([*vtb, "refresh"], vault, run.Row("settle"))  # the notes' parse cache
    state = vault / ".vtb" / "harvest"
    rows = []
    for name, before in (
        ("first run", lambda n: shutil.rmtree(state, ignore_errors=True)),
        ("unchanged", None),
    ):
        spent = _cpu()
        rows.append(
            run.repeat(
                f"vtb harvest, {count:,} messages, {name}",
                runs,
                lambda n: [*vtb, "harvest", "--json"],
                vault,
                before,
            )
        )
        # the CPU a run took (user + system): what a quiet machine's wall time comes near
        rows[-1].note = f"{(_cpu() - spent) / runs:.2f} s CPU a run"
    first, second = rows
    first.compare = second.compare = False
    targets = [
        run.Target("harvest, first run", first.median, FIRST_LIMIT, "s"),
        run.Target("harvest, unchanged source", second.median, SECOND_LIMIT, "s"),
    ]
    return [first, second], targets


def _cpu() -> float:
    """The CPU time of every finished child process so far (each run's launcher waits
    for its vtb, so vtb's time is in it)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    vault, count = Path(sys.argv[1]), int(sys.argv[2])
    notes = sum(1 for _ in (vault / "contacts").rglob("*.md"))
    made = set_up(vault, make_vault.make_people(notes, 1), count)
    print(f"{made}: {made.stat().st_size / 1e6:.1f} MB, {count:,} messages")
