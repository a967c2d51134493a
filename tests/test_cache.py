"""The parse cache never serves a stale or wrong contact, and never crashes.

Changed, deleted, new, corrupt, foreign (another version, other settings, a
forbidden class) and concurrently written caches; the racy-clock guard; parsing
in worker processes and listing in a child, only when the front end asks for it.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import shutil
import time
from pathlib import Path

import msgspec
import pytest
from conftest import Vtb

from vault_touchbase.core.model import LoadResult
from vault_touchbase.notes.parse import parse_note
from vault_touchbase.vault import cache, memo, parallel, shards
from vault_touchbase.vault import stamp as stamps
from vault_touchbase.vault.folder import Vault, open_vault
from vault_touchbase.vault.listing import note_files
from vault_touchbase.vault.load import load_vault

LATER = 10_000_000_000  # ten seconds: every note written so far counts as settled


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend the load runs ten seconds from now, so notes just written get cached."""
    monkeypatch.setattr(stamps, "now_ns", lambda: time.time_ns() + LATER)


def fresh(vault: Vault) -> LoadResult:
    """What a load without any cache gives (the truth to compare against)."""
    return load_vault(vault, use_cache=False)


def same(a: LoadResult, b: LoadResult) -> bool:
    """Equal contacts and problems, including the fields equality skips (`keys`)."""
    return a == b and [c.keys for c in a.contacts] == [c.keys for c in b.contacts]


def cached_paths(vault: Vault) -> set[str]:
    """The notes the shard files on disk hold results for."""
    key = shards.cache_key(vault)
    found = set()
    for path in (vault.state_dir / shards.CACHE_DIR).glob(f"*.{shards.SUFFIX}"):
        entries, _results = shards.read_shard(path, key)  # the results decode too
        found |= {rel for rel, _ in entries}
    return found


def all_notes(vault: Vault) -> set[str]:
    return {rel for rel, stat, _ in note_files(vault) if stat is not None}


def rewrite(path: Path, text: str, keep_mtime: bool = True) -> None:
    """Change a note's bytes, keeping its size and (by default) its mtime, and wait until
    its ctime moved on: the hardest edit for a cache to notice."""
    before = path.stat()
    assert len(text.encode()) == before.st_size
    deadline = time.monotonic() + 5
    while True:
        path.write_text(text, encoding="utf-8")
        if keep_mtime:
            os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
        if path.stat().st_ctime_ns != before.st_ctime_ns or time.monotonic() > deadline:
            break


def note(vault: Vault, stem: str) -> Path:
    return vault.contacts_dir / f"{stem}.md"


def test_a_warm_load_equals_a_cold_one(example_copy: Path, settled: None) -> None:
    vault = open_vault(example_copy)
    truth = fresh(vault)
    first = load_vault(vault)
    assert same(first, truth)
    assert cached_paths(vault) == all_notes(vault)
    assert same(load_vault(vault), truth)
    assert same(load_vault(vault), truth)  # and again: nothing rewritten or lost


def test_a_changed_note_is_read_again_even_with_the_same_size_and_mtime(
    example_copy: Path, settled: None
) -> None:
    vault = open_vault(example_copy)
    load_vault(vault)
    path = note(vault, "Jane Doe")
    text = path.read_text(encoding="utf-8")
    assert "Jane Doe" in text
    rewrite(path, text.replace("Jane Doe", "Jane Roe"))
    for _again in range(2):  # from the shard rewritten by the first, then again
        loaded = load_vault(vault)
        assert same(loaded, fresh(vault))
        assert any(c.name == "Jane Roe" for c in loaded.contacts)


def test_a_note_changed_twice_in_one_clock_tick_is_never_served_stale(example_copy: Path) -> None:
    """Without the racy guard, the first version would be cached and, the second edit
    keeping size, mtime and (within one tick) ctime, served for the second."""
    vault = open_vault(example_copy)
    path = note(vault, "Jane Doe")
    text = path.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")  # just written: not settled
    load_vault(vault)
    assert path.relative_to(example_copy).as_posix() not in cached_paths(vault)
    stat = path.stat()
    path.write_text(text.replace("Jane Doe", "Jane Roe"), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert any(c.name == "Jane Roe" for c in load_vault(vault).contacts)


def test_deleted_and_new_notes(example_copy: Path, settled: None) -> None:
    vault = open_vault(example_copy)
    load_vault(vault)
    note(vault, "Jane Doe").unlink()
    (vault.contacts_dir / "Zed New.md").write_text("---\nname: Zed New\n---\nHi.\n")
    for _again in range(2):  # from the shard rewritten by the first, then again
        loaded = load_vault(vault)
        names = {c.name for c in loaded.contacts}
        assert "Zed New" in names and "Jane Doe" not in names
        assert same(loaded, fresh(vault))
    # The new note is cached; the deleted one's result stays in its shard file, never
    # served, until that file is next rewritten.
    assert all_notes(vault) <= cached_paths(vault)


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"",
        lambda data: data[: len(data) // 2],
        lambda data: data[:-1],
        lambda data: data[:40] + bytes(200) + data[240:],
        lambda data: bytes(b ^ 0x55 for b in data),
        lambda data: shards.MAGIC_BYTES + b"not a shard at all" + shards.TRAILER,
    ],
    ids=["empty", "half", "no-trailer", "zeroed", "garbled", "text"],
)
def test_a_corrupt_cache_is_ignored_and_rebuilt(
    example_copy: Path, settled: None, damage: object
) -> None:
    vault = open_vault(example_copy)
    truth = fresh(vault)
    load_vault(vault)
    for path in (vault.state_dir / shards.CACHE_DIR).glob(f"*.{shards.SUFFIX}"):
        path.write_bytes(damage(path.read_bytes()))  # type: ignore[operator]
    assert same(load_vault(vault), truth)
    assert cached_paths(vault) == all_notes(vault)  # rebuilt, readable again


def test_a_cache_from_another_version_or_python_or_code_is_ignored(
    example_copy: Path, settled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = open_vault(example_copy)
    load_vault(vault)
    path = note(vault, "Jane Doe")
    rewrite(path, path.read_text(encoding="utf-8").replace("Jane Doe", "Jane Roe"))
    monkeypatch.setattr(stamps, "now_ns", lambda: 0)  # nothing new is cached from here on
    stale = shards.cache_key(vault)
    for part, value in [(2, "0.0.1"), (3, "another source"), (4, "cpython-99")]:
        key = (*stale[:part], value, *stale[part + 1 :])
        monkeypatch.setattr(cache, "cache_key", lambda _vault, key=key: key)
        # The shards on disk hold the note's *old* stamp, so nothing stale can come from them;
        # what matters is that a foreign key makes the whole file a miss, not a crash.
        loaded = load_vault(vault)
        assert any(c.name == "Jane Roe" for c in loaded.contacts)


def test_other_settings_are_a_different_cache(example_copy: Path, settled: None) -> None:
    (example_copy / "contacts" / "Pat Seen.md").write_text(
        "---\nname: Pat Seen\nlast_seen: 2026-11-01\n---\nMet at the market.\n"
    )
    vault = open_vault(example_copy)
    before = {c.name: c for c in load_vault(vault).contacts}["Pat Seen"]
    assert before.last_contacted is None
    with open(example_copy / "vtb.toml", "a", encoding="utf-8") as handle:
        handle.write('\n[aliases]\nlast_contacted = ["last_seen"]\n')
    vault = open_vault(example_copy)
    after = {c.name: c for c in load_vault(vault).contacts}["Pat Seen"]
    assert str(after.last_contacted) == "2026-11-01"
    assert same(load_vault(vault), fresh(vault))


class Boom:
    """Unpickling this would run a shell command that leaves a file behind."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


@pytest.mark.parametrize("where", ["header", "results"])
def test_a_pickle_in_a_shard_file_is_never_run(
    example_copy: Path, settled: None, tmp_path: Path, where: str
) -> None:
    """Shard files are msgpack decoded into vtb's types: a pickle planted in one (say by
    an older vtb, or an attacker) is a miss, never unpickled."""
    vault = open_vault(example_copy)
    truth = fresh(vault)
    load_vault(vault)
    marker = tmp_path / "pwned"
    key = shards.cache_key(vault)
    for path in (vault.state_dir / shards.CACHE_DIR).glob(f"*.{shards.SUFFIX}"):
        entries, found = shards.read_shard(path, key)
        header = msgspec.msgpack.encode((list(key), entries))
        blob = shards.dumps(found)
        if where == "header":
            header = pickle.dumps(Boom(marker))
        else:
            blob = pickle.dumps([Boom(marker)] * len(entries))
        length = len(header).to_bytes(4, "little")
        path.write_bytes(shards.MAGIC_BYTES + length + header + blob + shards.TRAILER)
    assert same(load_vault(vault), truth)
    assert not marker.exists()
    assert cached_paths(vault) == all_notes(vault)  # rebuilt, readable again


def test_a_shard_results_for_the_wrong_note_are_not_used(example_copy: Path, settled: None) -> None:
    """A file whose index and results disagree (swapped results) is a miss as a whole
    only if they fail to check out; results listed under another path never are served."""
    vault = open_vault(example_copy)
    truth = fresh(vault)
    load_vault(vault)
    key = shards.cache_key(vault)
    for path in (vault.state_dir / shards.CACHE_DIR).glob(f"*.{shards.SUFFIX}"):
        entries, found = shards.read_shard(path, key)
        if len(entries) < 2:
            continue
        swapped = [(entries[1][0], entries[0][1]), (entries[0][0], entries[1][1]), *entries[2:]]
        shards.write_shard(path.parent, int(path.stem), key, swapped, shards.dumps(found))
    assert same(load_vault(vault), truth)


@pytest.mark.parametrize(
    "forge",
    [
        lambda found: [(123, [])] * len(found),  # not a contact
        lambda found: [(None, ["not a problem"])] * len(found),
        lambda found: found[:-1],  # one result short of the index
        lambda found: [*found, (None, [])],  # one too many
        lambda found: {"results": found},
    ],
    ids=["not-a-contact", "not-a-problem", "short", "long", "not-a-list"],
)
def test_results_that_do_not_match_the_index_are_not_used(
    example_copy: Path, settled: None, forge: object
) -> None:
    vault = open_vault(example_copy)
    truth = fresh(vault)
    load_vault(vault)
    key = shards.cache_key(vault)
    for path in (vault.state_dir / shards.CACHE_DIR).glob(f"*.{shards.SUFFIX}"):
        entries, results = shards.read_shard(path, key)
        forged = forge(results)  # type: ignore[operator]
        blob = msgspec.msgpack.encode(forged)
        shards.write_shard(path.parent, int(path.stem), key, entries, blob)
    assert same(load_vault(vault), truth)


def test_the_cache_is_git_ignored(example_copy: Path, settled: None) -> None:
    vault = open_vault(example_copy)
    load_vault(vault)
    assert "*" in (vault.state_dir / ".gitignore").read_text().split()
    assert list((vault.state_dir / shards.CACHE_DIR).glob(f"*.{shards.SUFFIX}"))


def test_a_cache_that_cannot_be_written_still_loads(example_copy: Path, settled: None) -> None:
    vault = open_vault(example_copy)
    vault.state_dir.mkdir(exist_ok=True)
    (vault.state_dir / shards.CACHE_DIR).write_text("a file where the cache folder goes")
    loaded, truth = load_vault(vault), fresh(vault)
    said = [p for p in loaded.problems if p.path == ".vtb/parse-cache"]
    assert [(p.severity, p.hint) for p in said] == [
        ("warning", "delete .vtb/ (it holds only vtb's caches, made again when needed)")
    ]
    assert "could not be saved (file exists)" in said[0].message
    assert loaded.contacts == truth.contacts
    assert [p for p in loaded.problems if p not in said] == list(truth.problems)


def test_parsing_in_worker_processes_gives_the_same_answer(
    example_copy: Path, settled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = open_vault(example_copy)
    truth = fresh(vault)
    vault = open_vault(example_copy, parse_workers=2)
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 1)
    used = []
    real = parallel.parse_in_workers
    monkeypatch.setattr(
        parallel,
        "parse_in_workers",
        lambda *args: used.append(1) or real(*args),  # type: ignore[func-returns-value]
    )
    assert same(load_vault(vault), truth)
    assert used, "the worker processes were not used"
    assert cached_paths(vault) == all_notes(vault)
    assert same(load_vault(vault), truth)


def test_this_process_parses_beside_its_workers(
    example_copy: Path, settled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The loading process takes shards no worker has started (from the back) and parses
    them itself, so no third process competes for two cores; results and cache the same."""
    vault = open_vault(example_copy)
    truth = fresh(vault)
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 1)
    vault = open_vault(example_copy, parse_workers=2)
    here = os.getpid()
    parsed_here: list[str] = []
    real = cache._Load._parse_serially

    def counted(load: cache._Load, rels: list[str]) -> None:
        if os.getpid() == here:
            parsed_here.extend(rels)
        real(load, rels)

    monkeypatch.setattr(cache._Load, "_parse_serially", counted)
    assert same(load_vault(vault), truth)
    assert parsed_here  # (how many the worker took first depends on how fast it started)
    assert cached_paths(vault) == all_notes(vault)
    assert same(load_vault(vault), truth)


def _dies(number: int, job: object) -> None:
    os._exit(9)  # a worker process killed


def test_a_worker_that_dies_leaves_its_shards_to_this_process(
    example_copy: Path, settled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker killed mid-load (out of memory, a signal) costs time, never a note."""
    vault = open_vault(example_copy)
    truth = fresh(vault)
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 1)
    vault = open_vault(example_copy, parse_workers=2)
    monkeypatch.setattr(parallel, "_parse_shard", _dies)
    assert same(load_vault(vault), truth)
    assert cached_paths(vault) == all_notes(vault)


def _slow_job(number: int, job: parallel.Job) -> tuple[int, bytes | None]:
    """A worker's job (unless the loading process took it) that takes a while and leaves
    a line `pid:shard` in a file named by the test."""
    if not parallel._take(number):
        return job.shard, None
    with open(os.environ["VTB_TEST_JOBS_RUN"], "a") as handle:
        handle.write(f"{os.getpid()}:{job.shard}\n")
    time.sleep(0.1)
    return job.shard, b""


def test_a_load_stopped_early_starts_no_more_work_in_the_workers(
    example_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C (or an error) in the loading process: the workers start no job after it,
    so vtb stops at once instead of waiting for them to parse the whole vault."""
    ran = tmp_path / "jobs-run"
    monkeypatch.setenv("VTB_TEST_JOBS_RUN", str(ran))
    monkeypatch.setattr(parallel, "_parse_shard", _slow_job)
    vault = open_vault(example_copy, parse_workers=2)
    jobs = [parallel.Job(shard, [], None) for shard in range(30)]
    work = parallel.parse_in_workers(vault, jobs, ("key",), tmp_path)
    job, blob = next(work)  # this process's first job, taken from the back
    assert (job.shard, blob) == (29, None)
    work.close()  # as when that job's parsing was interrupted
    started = ran.read_text().split() if ran.exists() else []
    assert len(started) <= 3  # what was running or queued already, not the other 29


def test_ctrl_c_is_the_loading_processs_to_handle_not_a_workers(
    example_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C reaches every process of the terminal's group: a worker ignores it and
    finishes its job (one cut short once left `yaml` half imported, and the notes of
    every later job cached as broken); the loading process stops handing out jobs."""
    import signal

    ran = tmp_path / "jobs-run"
    monkeypatch.setenv("VTB_TEST_JOBS_RUN", str(ran))
    monkeypatch.setattr(parallel, "_parse_shard", _slow_job)
    vault = open_vault(example_copy, parse_workers=2)
    jobs = [parallel.Job(shard, [], None) for shard in range(12)]
    given: dict[int, bytes | None] = {}
    for job, blob in parallel.parse_in_workers(vault, jobs, ("key",), tmp_path):
        if not given:
            deadline = time.monotonic() + 10
            while not ran.exists() and time.monotonic() < deadline:
                time.sleep(0.01)
            worker = int(ran.read_text().split()[0].split(":")[0])
            os.kill(worker, signal.SIGINT)  # what Ctrl-C does to the worker
        given[job.shard] = blob
        if blob is None:
            time.sleep(0.1)  # this process parses its own
    assert sorted(given) == list(range(12))
    by_worker = {int(line.split(":")[1]) for line in ran.read_text().split()}
    assert by_worker and all(given[shard] == b"" for shard in by_worker)


def test_workers_write_only_whole_settled_shards(
    example_copy: Path, settled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker writes its shard file itself only when every note in it is new and
    settled; a note changed just now stays out of the cache, and a shard that keeps
    results from its old file is written with them (by the parent)."""
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 1)
    vault = open_vault(example_copy, parse_workers=2)
    jane = note(vault, "Jane Doe")
    rel = jane.relative_to(example_copy).as_posix()
    in_a_while = time.time_ns() + 2 * LATER  # changed "just now" for the shifted clock
    os.utime(jane, ns=(in_a_while, in_a_while))
    truth = fresh(vault)
    assert same(load_vault(vault), truth)
    assert cached_paths(vault) == all_notes(vault) - {rel}
    os.utime(jane, ns=(time.time_ns(), time.time_ns()))  # settled now
    assert same(load_vault(vault), truth)  # Jane's shard: kept results and her new one
    assert cached_paths(vault) == all_notes(vault)
    assert same(load_vault(vault), truth)


@pytest.mark.parametrize("workers", [1, 2])
def test_gists_are_worked_out_and_kept_only_when_asked_for(
    example_copy: Path, settled: None, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    """A plain load leaves each note's gist out (of the contacts and the shard files); a
    load that asks for gists gives every contact its own and keeps them in the shards,
    for the next load, which asks or not."""
    from vault_touchbase.notes.gist import gist_of, gist_of_contact

    monkeypatch.setattr(parallel, "PARALLEL_MIN", 1)
    vault = open_vault(example_copy, parse_workers=workers)
    plain = load_vault(vault)
    assert all(c.gist is None for c in plain.contacts)
    with_gists = load_vault(vault, gists=True)  # from the shards, the gists worked out
    assert same(with_gists, plain)
    for contact in with_gists.contacts:
        fields = (contact.offers, contact.tags, contact.circle, contact.organization)
        assert contact.gist == gist_of(*fields, contact.job_title, contact.log)
    again = load_vault(open_vault(example_copy, parse_workers=workers))
    assert [c.gist for c in again.contacts] == [c.gist for c in with_gists.contacts]
    shutil.rmtree(vault.state_dir / shards.CACHE_DIR)  # cold, asked for: parsed with them
    cold = load_vault(vault, gists=True)
    assert [c.gist for c in cold.contacts] == [gist_of_contact(c) for c in plain.contacts]


def test_a_rebuild_while_now_md_lists_needs_keeps_the_gists(vtb: Vtb, settled: None) -> None:
    now = vtb.vault / "Now.md"
    text = now.read_text(encoding="utf-8")
    now.write_text(text.replace("## Needs", "## Not needed now"), encoding="utf-8")
    say(vtb)
    vault = open_vault(vtb.vault)
    assert all(c.gist is None for c in load_vault(vault).contacts)
    now.write_text(text, encoding="utf-8")  # the needs back
    say(vtb)
    assert "can help with your needs" in (vtb.vault / "Touch Base.md").read_text(encoding="utf-8")
    assert all(c.gist is not None for c in load_vault(vault).contacts)


def test_a_broken_note_is_cached_with_its_problems(example_copy: Path, settled: None) -> None:
    bad = example_copy / "contacts" / "Broken.md"
    bad.write_text("---\nname: [unclosed\n---\n")
    vault = open_vault(example_copy)
    first = load_vault(vault)
    assert any(p.path == "contacts/Broken.md" for p in first.errors)
    assert same(load_vault(vault), first)
    assert "contacts/Broken.md" in cached_paths(vault)


# --- two processes at once ---------------------------------------------------------------

VERSIONS = ("Jane Doe", "Jane Roe")


def _load_many(root: str, rounds: int, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    """In a child: load the vault again and again; report each answer for Jane."""
    vault = open_vault(Path(root))
    seen = []
    for _ in range(rounds):
        names = [c.name for c in load_vault(vault).contacts if c.path.endswith("Jane Doe.md")]
        seen.append(names[0] if names else "")
    queue.put(seen)


def replace(path: Path, text: str) -> None:
    """Save as most editors do: a new file renamed over the old one."""
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


def test_two_processes_loading_while_a_note_changes(example_copy: Path, settled: None) -> None:
    """Three processes load (and write the cache) again and again while a note changes:
    each answer is one of the note's versions, and the cache they leave is sound."""
    vault = open_vault(example_copy)
    path = note(vault, "Jane Doe")
    texts = [path.read_text(encoding="utf-8").replace("Jane Doe", name) for name in VERSIONS]
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    children = [
        context.Process(target=_load_many, args=(str(example_copy), 15, queue)) for _ in range(3)
    ]
    for child in children:
        child.start()
    for turn in range(30):  # the note changes under the readers' feet
        replace(path, texts[turn % 2])
    answers = [queue.get(timeout=60) for _ in children]
    for child in children:
        child.join(timeout=60)
        assert child.exitcode == 0
    assert all(name in VERSIONS for seen in answers for name in seen)  # never anything else
    replace(path, texts[0].replace("Jane Doe", "Jane Last"))  # a version no child saw
    loaded = load_vault(vault)
    assert same(loaded, fresh(vault))
    assert "Jane Last" in {c.name for c in loaded.contacts}
    # and every shard file the children left behind is whole and readable
    for shard in (vault.state_dir / shards.CACHE_DIR).glob(f"*.{shards.SUFFIX}"):
        entries, results = shards.read_shard(shard, shards.cache_key(vault))
        assert len(results) == len(entries)


def test_parse_note_is_what_the_cache_stores(example_copy: Path, settled: None) -> None:
    """The cache is a pure function of the bytes: every cached result is parse_note's."""
    vault = open_vault(example_copy)
    load_vault(vault)
    for contact in load_vault(vault).contacts:
        data = (example_copy / contact.path).read_bytes()
        assert parse_note(contact.path, data, vault.settings)[0] == contact


# --- the refresh memo: nothing changed, nothing to do -------------------------------------


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the refreshes that really load and rebuild (not the quick answer)."""
    from vault_touchbase.actions import refresh as actions

    calls: list[int] = []
    real = actions.refresh
    monkeypatch.setattr(actions, "refresh", lambda *a, **k: calls.append(1) or real(*a, **k))
    return calls


def say(vtb: Vtb, *args: str) -> str:
    result = vtb("refresh", *args)
    assert result.exit_code == 0, result.output
    return result.output


def test_a_second_refresh_with_nothing_changed_loads_nothing(
    vtb: Vtb, settled: None, counted: list[int]
) -> None:
    first = say(vtb)
    assert "written" in first and len(counted) == 1
    index = (vtb.vault / "Touch Base.md").read_bytes()
    second = say(vtb)
    assert len(counted) == 1, "the second refresh loaded the vault"
    assert second == first.replace(" written:", " unchanged:")
    assert (vtb.vault / "Touch Base.md").read_bytes() == index


@pytest.mark.parametrize(
    "change",
    [
        "note",
        "new note",
        "deleted note",
        "settings",
        "needs in Now.md",
        "index edited",
        "index deleted",
        "tick",
        "today",
    ],
)
def test_any_change_means_a_real_refresh(
    vtb: Vtb, settled: None, counted: list[int], change: str
) -> None:
    say(vtb)
    index = vtb.vault / "Touch Base.md"
    jane = vtb.vault / "contacts" / "Jane Doe.md"
    args: tuple[str, ...] = ()
    if change == "note":
        jane.write_text(jane.read_text(encoding="utf-8").replace("Jane Doe", "Jane Roe"))
    elif change == "new note":
        (vtb.vault / "contacts" / "Zed New.md").write_text("---\nname: Zed New\n---\nHi.\n")
    elif change == "deleted note":
        jane.unlink()
    elif change == "settings":
        with open(vtb.vault / "vtb.toml", "a", encoding="utf-8") as handle:
            handle.write('\n[channel.by_circle]\ncommunity = "call"\n')
    elif change == "needs in Now.md":
        with open(vtb.vault / "Now.md", "a", encoding="utf-8") as handle:
            handle.write("\n## Needs\n- a plumber\n")
    elif change == "index edited":
        index.write_text(index.read_text(encoding="utf-8").replace("## Email", "## Mail"))
    elif change == "index deleted":
        index.unlink()
    elif change == "tick":
        text = index.read_text(encoding="utf-8")
        index.write_text(text.replace("- [ ] [[contacts/", "- [x] [[contacts/", 1))
    else:
        args = ("--today", "2026-11-27")
    output = vtb("refresh", *args) if args else None
    if output is None:
        output = vtb("refresh")
    assert output.exit_code == 0, output.output
    assert len(counted) == 2, f"{change}: the refresh answered from its memo"
    if change == "tick":
        assert "logged" in output.output or "done:" in output.output
    if change in ("index edited", "index deleted"):
        assert "## Email" in index.read_text(encoding="utf-8")
    assert len(counted) == 2


def test_a_refresh_lists_the_notes_once(
    vtb: Vtb, settled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The listing that checks the refresh memo is the one the load goes by."""
    from vault_touchbase.vault import listing

    say(vtb)
    calls: list[int] = []
    real = listing.note_files
    monkeypatch.setattr(listing, "note_files", lambda v: calls.append(1) or real(v))
    result = vtb("refresh", "--today", "2026-11-27")  # another day: the memo cannot answer
    assert result.exit_code == 0, result.output
    assert "written" in result.output
    assert len(calls) == 1


def test_a_tick_logged_by_a_refresh_shows_in_the_index_it_writes(vtb: Vtb, settled: None) -> None:
    """Logging the tick writes the note after the notes were listed: the load lists them
    again, so the rebuilt index never serves the cached result of the note as it was."""
    say(vtb)
    index = vtb.vault / "Touch Base.md"
    text = index.read_text(encoding="utf-8")
    line = next(x for x in text.split("\n") if x.startswith("- [ ] [[contacts/"))
    link = line[len("- [ ] ") : line.index("|")]
    index.write_text(text.replace(line, line.replace("- [ ]", "- [x]", 1)), encoding="utf-8")
    result = vtb("refresh")
    assert result.exit_code == 0, result.output
    assert "logged" in result.output
    assert f"- [ ] {link}|" not in index.read_text(encoding="utf-8")


def test_notes_changed_just_now_leave_no_memo(vtb: Vtb, counted: list[int]) -> None:
    """The copied notes are seconds old: a second edit could hide in their clock tick."""
    say(vtb)
    say(vtb)
    assert len(counted) == 2


def test_a_corrupt_memo_is_ignored(vtb: Vtb, settled: None, counted: list[int]) -> None:
    first = say(vtb)
    (vtb.vault / ".vtb" / memo.MEMO_FILE).write_bytes(b"\x80\x05garbage")
    assert say(vtb) == first.replace(" written:", " unchanged:")
    assert len(counted) == 2
    say(vtb)
    assert len(counted) == 2  # the rebuild wrote a good memo again


@pytest.mark.parametrize(
    "damage",
    [b"", b"not a pickle", pickle.dumps(("another key", ["- a kept line"])), pickle.dumps(1)],
)
def test_a_damaged_or_foreign_memo_of_lines_is_computed_again(
    example_copy: Path, damage: bytes
) -> None:
    vault = open_vault(example_copy)
    computed: list[int] = []

    def remembered(inputs: object) -> list[str]:
        recalled = memo.recall(vault, "test", inputs)
        if recalled.lines is not None:
            return recalled.lines
        computed.append(1)
        memo.remember(vault, "test", recalled, ["- a line"])
        return ["- a line"]

    assert remembered(("inputs", 1)) == ["- a line"]
    assert remembered(("inputs", 1)) == ["- a line"]
    assert len(computed) == 1
    assert remembered(("inputs", 2)) == ["- a line"]
    assert len(computed) == 2  # other inputs: computed again
    (example_copy / ".vtb" / "test-memo.pickle").write_bytes(damage)
    assert remembered(("inputs", 2)) == ["- a line"]
    assert len(computed) == 3


# --- the listing made by a forked child -------------------------------------------------------


def with_shards(folder: Path) -> tuple[Vault, LoadResult]:
    """The vault with its shard files written, opened as `vtb` opens it (asking for a
    worker per core: two here); and what a full parse gives."""
    vault = open_vault(folder, parse_workers=2)
    truth = fresh(vault)
    load_vault(vault)
    return vault, truth


def test_a_fresh_process_lists_in_a_child_and_loads_the_same(
    example_copy: Path, settled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault, _ = with_shards(example_copy)
    forks: list[int] = []
    real_fork = os.fork
    monkeypatch.setattr(os, "fork", lambda: forks.append(1) or real_fork())
    (example_copy / "contacts" / "New Person.md").write_text("---\nname: New Person\n---\n")
    note(vault, "Jane Doe").unlink()
    truth = fresh(vault)
    assert same(load_vault(vault), truth)
    assert forks == [1]  # one child listed the notes


def test_a_library_load_never_forks(
    example_copy: Path, settled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A script's `open_vault(path)` parses in its own process: no child, no worker."""
    vault = open_vault(example_copy)
    truth = fresh(vault)
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 1)

    def no_fork() -> int:
        raise AssertionError("a library load forked")

    monkeypatch.setattr(os, "fork", no_fork)
    assert same(load_vault(vault), truth)  # parses every note
    assert same(load_vault(vault), truth)  # reads every shard


def test_a_child_that_fails_leaves_the_listing_to_the_parent(
    example_copy: Path, settled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault, truth = with_shards(example_copy)
    parent = os.getpid()
    real_listing = cache._listing

    def listing_that_fails_in_the_child(*args: object) -> object:
        if os.getpid() != parent:
            raise OSError("the child could not list")
        return real_listing(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(cache, "_listing", listing_that_fails_in_the_child)
    assert same(load_vault(vault), truth)


def test_no_child_is_forked_while_threads_run(
    example_copy: Path, settled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    vault, truth = with_shards(example_copy)

    def no_fork() -> int:
        raise AssertionError("forked while another thread runs")

    monkeypatch.setattr(os, "fork", no_fork)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert same(load_vault(vault), truth)
    finally:
        stop.set()
        other.join()


def test_a_child_reaped_by_someone_else_still_gives_its_listing(
    example_copy: Path, settled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With SIGCHLD ignored (inherited from whoever started vtb), the system reaps the
    child itself and waitpid finds nothing to wait for."""
    import signal

    vault, truth = with_shards(example_copy)
    previous = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        assert same(load_vault(vault), truth)
    finally:
        signal.signal(signal.SIGCHLD, previous)


def test_links_between_notes_are_known_to_the_load(example_copy: Path) -> None:
    vault = open_vault(example_copy)
    assert not load_vault(vault).linked
    os.link(example_copy / "contacts" / "Jane Doe.md", example_copy / "contacts" / "Jane again.md")
    assert load_vault(vault).linked  # a hard link: two names, one file (symlinks are not read)


def test_each_keys_mapping_is_written_once_and_read_back_shared(example_copy: Path) -> None:
    """`dumps` writes each distinct `keys` mapping once and leaves the contacts as they
    were (one listed twice too); `loads` gives every contact its mapping, shared."""
    vault = open_vault(example_copy)
    results = [
        parse_note(f"contacts/{n}.md", b"---\nname: A\nmail: a@x.org\n---\n", vault.settings)
        for n in ("a", "b")
    ]
    other = parse_note("contacts/c.md", b"---\nname: C\ntel: '1'\n---\n", vault.settings)
    own = parse_note("contacts/d.md", b"---\nname: D\nemail: d@x.org\n---\n", vault.settings)
    assert own[0] is not None and own[0].keys == {}  # vtb's own keys: nothing to remember
    results += [other, other, own, (None, [])]
    before = [(c.keys if c else None) for c, _ in results]
    blob = shards.dumps(results)
    assert [(c.keys if c else None) for c, _ in results] == before
    maps, which, found = msgspec.msgpack.decode(blob)
    assert maps == [{"email": "mail"}, {"phone": "tel"}]
    assert which == [0, 0, 1, 1, -1, -1]  # each mapping once, named by number
    assert all(c is None or c["keys"] == {} for c, _ in found)
    back = shards.loads(blob, len(results))
    assert [(c.keys if c else None) for c, _ in back] == before
    assert back[0][0] is not None and back[1][0] is not None
    assert back[0][0].keys is back[1][0].keys  # shared, as parsed contacts share theirs
    corrupt = msgspec.msgpack.encode((maps, [7] * len(which), found))
    with pytest.raises(ValueError):
        shards.loads(corrupt, len(results))


def test_any_edit_to_vtbs_code_is_a_new_cache_key(tmp_path: Path) -> None:
    """The code's digest goes by each module's stamp: an edit that keeps the size and puts
    the mtime back still changes it (ctime), a new module changes it, bytecode does not."""
    package = tmp_path / "package"
    (package / "sub" / "__pycache__").mkdir(parents=True)
    module = package / "sub" / "rules.py"
    module.write_text("LIMIT = 1\n")
    (package / "data.toml").write_text("a = 1\n")
    before = shards.digest_of_code(package)
    assert shards.digest_of_code(package) == before
    (package / "sub" / "__pycache__" / "rules.cpython-311.pyc").write_bytes(b"\0")
    assert shards.digest_of_code(package) == before
    old = module.stat()
    time.sleep(0.05)  # past the file system's clock tick
    module.write_text("LIMIT = 2\n")  # same size
    os.utime(module, ns=(old.st_atime_ns, old.st_mtime_ns))
    edited = shards.digest_of_code(package)
    assert edited != before
    (package / "sub" / "more.py").write_text("")
    assert shards.digest_of_code(package) != edited
