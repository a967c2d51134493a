"""Make a realistic vault of N contact notes, the same every time (for the benchmark).

    python benchmarks/make_vault.py 10000 /tmp/vault10k --commits 3000

The notes mix the dialects vtb reads (vtb's own keys ~70 %, obsidian-contacts
~10 %, Personal CRM ~10 %, `lastContacted` ~10 %), sit in nested folders, are
300 B to ~30 KB, and have Log sections of 0 to 40 entries (a few with fenced
code or tabs, which send the Log reader to markdown-it). With `--commits K`
the vault is the top of a git repository whose history holds K commits: one
that adds every note, then K - 1 touches that each add one Log entry to one
note (as `vtb log` would), written in one go with `git fast-import`. Notes'
mtimes are set to their last change, as in a vault edited over the years.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path


def _listed(text: str, sep: str | None = None) -> list[str]:
    return [item for item in text.split(sep) if item]


TODAY = date(2026, 11, 26)
START = date(2019, 1, 1)
FIRST = _listed(
    "Ana Ben Carla Daniel Elena Farid Grace Hannah Imran Jane José Keisha Kenji Léa Liam "
    "Marcus Maria Noor Oluwaseun Pierre Priya Rachel Sofia Tom Tomás Ingrid Chloé Zofia "
    "Agnieszka Dorothy Eleanor Björn Mateo Aisha Yuki Olga Ravi Fatima Lars Nina Omar Paula "
    "Quentin Rosa Samuel Tereza Ugo Valentina Wei Xavier Yara Zeynep "
)
LAST = _listed(
    "Lima Carter Reyes Okafor Hughes Whitfield Vasquez Nakamura Lindqvist Qureshi Sørensen "
    "Doe Berg Müller Thompson Watanabe O'Connor Fontaine Bell Costa Schmidt Haddad Adeyemi "
    "Lambert Raman Goldberg Petrov Brennan Ferreira Dubois Nowak Kowalski García Rossi Novák "
    "Yılmaz Andersson Nguyen Kim Singh Cohen Murphy Dubois Ivanova Hansen Silva Tanaka Jensen "
    "Moreau Weber "
)
WORDS = _listed(
    "design bookkeeping studio garden meetup conference portfolio client kids school move "
    "project launch coffee lunch repair café library bike lease contract talk accessibility "
    "newsletter workshop hiring junior freelance invoice mentoring podcast choir marathon "
    "sourdough renovation festival grant museum volunteer "
)
SKILLS = _listed(
    "brand design,bookkeeping,web development,illustration,copywriting,photography,"
    "tax advice,carpentry,childcare,piano lessons,translation,contract review,"
    "accessibility audits,video editing,data analysis,sewing,bike repair,tutoring",
    ",",
)
CHANNELS = ["email", "email", "email", "call", "visit", "meet", "text", "reply"]
# How often people want to hear from each other, for a network of thousands: most
# yearly or twice a year, a few monthly; "" leaves it to vtb's default.
CADENCES = {
    "monthly": 4,
    "6w": 3,
    "2m": 5,
    "quarterly": 20,
    "6m": 18,
    "yearly": 30,
    "never": 8,
    "": 12,
}
CADENCE_DAYS = {"monthly": 30, "6w": 42, "2m": 61, "quarterly": 91, "6m": 182, "yearly": 365}
FOLDERS = [
    "",
    "professional",
    "professional/design",
    "professional/clients",
    "professional/clients/2024",
    "community",
    "community/school",
    "community/garden club",
    "community/neighbours",
    "family and friends",
]


@dataclass
class Person:
    """One generated person: where their note lives and what it says."""

    rel: str
    name: str
    dialect: str
    fields: dict[str, object]
    summary: str
    extra: str
    log: list[tuple[date, str, str]] = field(default_factory=list)  # newest first


def _words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(count))


def _day(rng: random.Random, start: date = START, end: date = TODAY) -> date:
    return start + timedelta(days=rng.randrange((end - start).days))


def _log_days(rng: random.Random, count: int, every: int) -> list[date]:
    """Newest first. Most people are kept up with (the last touch within about one
    cadence, `every` days); some have lapsed; entries lie about a cadence apart."""
    days: list[date] = []
    if rng.random() < 0.8:
        ago = rng.randrange(1, int(every * 1.15) + 2)
    else:
        ago = min(int(rng.expovariate(1 / 400)) + 1, 2500)
    day = TODAY - timedelta(days=ago)
    for _ in range(count):
        if day < START:
            break
        days.append(day)
        day -= timedelta(days=max(7, int(rng.gauss(every, every / 3))))
    return days


def _email(first: str, last: str, number: int) -> str:
    local = "".join(ch for ch in f"{first}.{last}".lower() if ch.isalnum() or ch in ".-")
    return f"{local.replace('..', '.')}{number}@example.com"


def _names(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """Mostly distinct names, as in a real network: a middle initial or a double-barrelled
    surname tells apart people whose first and last names are common; a few are namesakes."""
    names: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    while len(names) < count:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        if (first, last) in seen and rng.random() < 0.97:
            roll = rng.random()
            if roll < 0.5:
                first = f"{first} {chr(65 + rng.randrange(26))}."
            else:
                last = f"{last}-{rng.choice(LAST)}"
            if (first, last) in seen:
                continue
        seen.add((first, last))
        names.append((first, last))
    return names


def make_people(count: int, seed: int) -> list[Person]:
    """`count` people, deterministic for a seed."""
    rng = random.Random(seed)
    used: dict[str, int] = {}
    people = []
    names = _names(rng, count)
    for number in range(count):
        first, last = names[number]
        name = f"{first} {last}"
        folder = rng.choice(FOLDERS)
        key = f"{folder}/{name}".casefold()
        used[key] = used.get(key, 0) + 1
        stem = name if used[key] == 1 else f"{name} ({used[key]})"
        rel = "/".join(p for p in ("contacts", folder, f"{stem}.md") if p)
        roll = rng.random()
        dialect = (
            "vtb"
            if roll < 0.7
            else "obsidian-contacts"
            if roll < 0.8
            else "personal-crm"
            if roll < 0.9
            else "lastContacted"
        )
        cadence = rng.choices(list(CADENCES), weights=list(CADENCES.values()))[0]
        entries = 0 if rng.random() < 0.05 else min(int(rng.expovariate(1 / 5)) + 1, 40)
        days = _log_days(rng, entries, CADENCE_DAYS.get(cadence, 91))
        log = [(d, rng.choice(CHANNELS), _words(rng, rng.randrange(3, 18))) for d in days]
        fields: dict[str, object] = {
            "email": _email(first, last, number),
            "circle": "community" if folder.startswith("community") else "professional",
        }
        if rng.random() < 0.5:
            fields["phone"] = f'"+1 555 {rng.randrange(10000):04d}"'
        if rng.random() < 0.6:
            fields["tags"] = "[" + ", ".join(rng.sample(WORDS, rng.randrange(1, 4))) + "]"
        if cadence:
            fields["cadence"] = cadence
        if rng.random() < 0.3:
            fields["channel"] = rng.choice(["email", "call", "visit"])
        if rng.random() < 0.1:
            fields["nearby"] = "true"
        if rng.random() < 0.3:
            fields["offers"] = "[" + ", ".join(rng.sample(SKILLS, rng.randrange(1, 3))) + "]"
        if rng.random() < 0.3:
            fields["needs"] = "[" + ", ".join(rng.sample(SKILLS, rng.randrange(1, 3))) + "]"
        if rng.random() < 0.4:
            born = _day(rng, date(1950, 1, 1), date(2005, 1, 1))
            fields["birthday"] = born.isoformat() if rng.random() < 0.7 else f'"{born:%m-%d}"'
        if rng.random() < 0.05:
            fields["snooze_until"] = (TODAY + timedelta(days=rng.randrange(-30, 90))).isoformat()
        if rng.random() < 0.2:
            fields["company"] = f"{rng.choice(LAST)} & {rng.choice(LAST)}"
        summary = textwrap.fill(" ".join(_words(rng, 12) for _ in range(rng.randrange(1, 4))))
        extra = ""
        if rng.random() < 0.3:
            extra = "## Notes\n" + "".join(f"- {_words(rng, 10)}\n" for _ in range(5)) + "\n"
        if rng.random() < 0.01:  # meeting minutes pasted in: a big note
            extra += "## Minutes\n" + "\n\n".join(_words(rng, 60) for _ in range(60)) + "\n\n"
        if rng.random() < 0.01:  # fenced code: the Log is read with markdown-it
            extra += "## Snippet\n```\n- 2020-01-01 not: a log entry\n```\n\n"
        people.append(Person(rel, name, dialect, fields, summary, extra, log))
    return people


def render(person: Person, dropped: int = 0) -> str:
    """The note's text, without its `dropped` newest Log entries (the state before them)."""
    log = person.log[dropped:]
    last = log[0][0].isoformat() if log else None
    first, _, last_name = person.name.partition(" ")
    lines = ["---"]
    fields = dict(person.fields)
    if person.dialect == "obsidian-contacts":
        lines += ["type: contact", f"name: {{first: {first}, last: {_yaml(last_name)}}}"]
        fields["emails"] = f"[{fields.pop('email')}]"
        if last:
            fields["last_chat"] = last
    elif person.dialect == "personal-crm":
        lines.append(f"name: {_yaml(person.name)}")
        if "cadence" in fields:
            cadence = str(fields.pop("cadence"))
            fields["prm-cadence"] = CADENCE_DAYS.get(cadence, 0) if cadence != "never" else 0
        if last:
            fields["prm-last-contacted"] = last
        if "snooze_until" in fields:
            fields["prm-snooze-until"] = fields.pop("snooze_until")
    else:
        lines.append(f"name: {_yaml(person.name)}")
        if last:
            fields["lastContacted" if person.dialect == "lastContacted" else "last_contacted"] = (
                last
            )
    lines += [f"{key}: {value}" for key, value in fields.items() if value != ""]
    lines += ["---", person.summary]
    if person.extra:
        lines += ["", person.extra.rstrip("\n")]
    lines += ["", "## Log"]
    lines += [f"- {d.isoformat()} {channel}: {text}" for d, channel, text in log]
    return "\n".join(lines) + "\n"


def _yaml(text: str) -> str:
    return f'"{text}"' if "'" in text or ":" in text else text


def write_notes(root: Path, people: list[Person]) -> None:
    """Every note in its final state, with its mtime set to its last Log entry (or 2019)."""
    for person in people:
        path = root / person.rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(person), encoding="utf-8")
        when = person.log[0][0] if person.log else START
        stamp = datetime(when.year, when.month, when.day, 12, tzinfo=UTC).timestamp()
        os.utime(path, (stamp, stamp))


def plan_commits(people: list[Person], commits: int, seed: int) -> list[tuple[int, int]]:
    """(person index, entry index) of each touch commit, oldest first."""
    rng = random.Random(seed + 1)
    candidates = [(i, j) for i, p in enumerate(people) for j in range(len(p.log))]
    chosen = rng.sample(candidates, min(max(commits - 1, 0), len(candidates)))
    # a person's touches must be committed oldest first: entry j is older than j - 1
    chosen.sort(key=lambda pair: (people[pair[0]].log[pair[1]][0], -pair[1], pair[0]))
    return chosen


def fast_import(root: Path, people: list[Person], touches: list[tuple[int, int]]) -> None:
    """The whole history in one `git fast-import` stream, then a work tree that matches it."""
    dropped = [0] * len(people)
    for person, _ in touches:
        dropped[person] += 1
    stream: list[bytes] = []
    initial = [(p, dropped[i]) for i, p in enumerate(people)]
    stamp = int(datetime(2019, 1, 1, 12, tzinfo=UTC).timestamp())
    data = b"import contacts"
    stream.append(b"commit refs/heads/main\nmark :1\n")
    stream.append(f"committer Bench Mark <bench@example.com> {stamp} +0000\n".encode())
    stream.append(f"data {len(data)}\n".encode() + data + b"\n")
    for rel in ("vtb.toml", ".gitignore"):
        text = (root / rel).read_bytes()
        stream.append(f"M 100644 inline {rel}\ndata {len(text)}\n".encode() + text + b"\n")
    for person, drop in initial:
        text = render(person, drop).encode()
        stream.append(f"M 100644 inline {person.rel}\ndata {len(text)}\n".encode())
        stream.append(text + b"\n")
    for mark, (person_index, entry) in enumerate(touches, 2):
        person = people[person_index]
        dropped[person_index] -= 1
        when, channel, text = person.log[entry]
        message = (
            f"touch: {person.name} ({channel})\n\n{when} {text}\n\n"
            f"Vtb-Contact: {person.rel}\nVtb-Channel: {channel}\n"
        )
        stamp = int(datetime(when.year, when.month, when.day, 12, tzinfo=UTC).timestamp())
        body = render(person, dropped[person_index]).encode()
        stream.append(b"commit refs/heads/main\n")
        stream.append(f"mark :{mark}\n".encode())
        stream.append(f"committer Bench Mark <bench@example.com> {stamp} +0000\n".encode())
        data = message.encode()
        stream.append(f"data {len(data)}\n".encode() + data + b"\n")
        stream.append(f"from :{mark - 1}\n".encode())
        stream.append(f"M 100644 inline {person.rel}\ndata {len(body)}\n".encode())
        stream.append(body + b"\n")
    git = ["git", "-c", "init.defaultBranch=main"]
    subprocess.run([*git, "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=b"".join(stream), check=True)
    subprocess.run(["git", "symbolic-ref", "HEAD", "refs/heads/main"], cwd=root, check=True)
    subprocess.run(["git", "reset", "-q"], cwd=root, check=True)  # index = HEAD, stat refreshed
    subprocess.run(["git", "config", "user.name", "Bench Mark"], cwd=root, check=True)
    subprocess.run(["git", "config", "user.email", "bench@example.com"], cwd=root, check=True)


def make_vault(count: int, root: Path, commits: int = 0, seed: int = 1) -> list[Person]:
    """Write the vault at `root` (which must not exist or be empty); return its people."""
    if root.exists() and any(root.iterdir()):
        raise SystemExit(f"{root} is not empty; give a new folder")
    root.mkdir(parents=True, exist_ok=True)
    (root / "vtb.toml").write_text('contacts = "contacts"\n\n[hour]\nbudget = 60\n')
    (root / ".gitignore").write_text(".vtb/\n/Touch Base.md\n")
    people = make_people(count, seed)
    write_notes(root, people)
    if commits > 0:
        if shutil.which("git") is None:
            raise SystemExit("git is not installed")
        fast_import(root, people, plan_commits(people, commits, seed))
    return people


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("count", type=int, help="how many contact notes")
    parser.add_argument("path", type=Path, help="a new folder for the vault")
    parser.add_argument("--commits", type=int, default=0, help="git history length (0: no git)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    make_vault(args.count, args.path, args.commits, args.seed)
    took = time.perf_counter() - started
    print(f"{args.count} notes, {args.commits} commits in {args.path} ({took:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
