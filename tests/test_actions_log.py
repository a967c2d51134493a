"""The log actions against real git in temporary repositories, and a property test
that `log_touch` changes exactly the entry line and the last-contacted line.

The CLI tests of the same commands (golden diffs, ticks, messages) are in
tests/test_cli_log.py.
"""

from __future__ import annotations

import difflib
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from conftest import TODAY, Vtb, git
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from vault_touchbase.actions.committing import Committer, Outcome
from vault_touchbase.actions.touch import log_touch
from vault_touchbase.core.errors import GitError
from vault_touchbase.notes.parse import parse_note
from vault_touchbase.vault.folder import open_vault
from vault_touchbase.vault.listing import read_note

IDENTITY_VARS = (
    "GIT_AUTHOR_NAME",
    "GIT_AUTHOR_EMAIL",
    "GIT_COMMITTER_NAME",
    "GIT_COMMITTER_EMAIL",
    "EMAIL",
)
JANE = "contacts/Jane Doe.md"


@pytest.fixture(autouse=True)
def _no_repository_above(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """git never finds a repository above the test's folder, nor an identity in the env."""
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    for name in IDENTITY_VARS:
        monkeypatch.delenv(name, raising=False)


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").strip()


def files_of(repo: Path, rev: str = "HEAD") -> list[str]:
    out = git(repo, "show", "--no-renames", "--name-only", "--format=", "-z", rev)
    return [f for f in out.split("\x00") if f]


# --- the user's own git work ----------------------------------------------------------------


def test_the_users_staged_and_unstaged_work_stays_as_it_was(example_repo: Path) -> None:
    meetings = example_repo / "Meetings.md"
    meetings.write_text(meetings.read_text() + "\n- staged by the user\n")
    maria = example_repo / "contacts/Maria Costa.md"
    maria.write_text(maria.read_text().replace("Maria", "Mária", 1))
    git(example_repo, "add", "--", "Meetings.md", "contacts/Maria Costa.md")
    staged = {
        rel: git(example_repo, "show", f":{rel}")
        for rel in ("Meetings.md", "contacts/Maria Costa.md")
    }
    now = example_repo / "Now.md"
    now.write_text(now.read_text() + "\nunstaged line\n")

    result = Vtb(example_repo)("log", "jane", "-c", "call", "hello")
    assert result.exit_code == 0, result.output
    assert files_of(example_repo) == [JANE]
    assert git(example_repo, "diff", "--cached", "--name-only").split("\n")[:2] == [
        "Meetings.md",
        "contacts/Maria Costa.md",
    ]
    for rel, text in staged.items():
        assert git(example_repo, "show", f":{rel}") == text
    assert git(example_repo, "diff", "--name-only").strip() == "Now.md"


# --- identity, lock, rebase --------------------------------------------------------------------


def test_no_identity_is_a_clear_error_before_anything_is_written(
    example_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    before = (example_repo / JANE).read_bytes()
    result = Vtb(example_repo)("log", "jane", "-c", "call", "hello")
    assert result.exit_code == 1
    assert "git does not know who you are" in result.stderr
    assert "git config --global user.name" in result.stderr and "[identity]" in result.stderr
    assert (example_repo / JANE).read_bytes() == before  # nothing half done
    assert git(example_repo, "rev-list", "--count", "HEAD").strip() == "1"
    for args in (("snooze", "jane", "2w"), ("add", "Zoe Quinn"), ("rename", "jane", "Jane S")):
        assert Vtb(example_repo)(*args).exit_code == 1
    assert git(example_repo, "status", "--porcelain") == ""


def test_the_identity_in_vtb_toml_is_used_when_git_has_none(
    example_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    toml = example_repo / "vtb.toml"
    toml.write_text(
        toml.read_text() + '\n[identity]\nname = "Sam Owner"\nemail = "sam@example.com"\n'
    )
    result = Vtb(example_repo)("log", "jane", "-c", "call", "hello")
    assert result.exit_code == 0, result.output
    assert (
        git(example_repo, "log", "-1", "--format=%an <%ae>").strip()
        == "Sam Owner <sam@example.com>"
    )


def test_a_held_index_lock_is_waited_for_then_reported_and_never_deleted(
    example_repo: Path,
) -> None:
    lock = example_repo / ".git" / "index.lock"
    lock.write_bytes(b"")
    before = (example_repo / JANE).read_bytes()
    started = time.monotonic()
    result = Vtb(example_repo)("log", "jane", "-c", "call", "hello")
    waited = time.monotonic() - started
    assert result.exit_code == 1
    assert "index.lock exists" in result.stderr and "changed nothing" in result.stderr
    assert "delete" in result.stderr  # says what to do if it was left by a crash
    assert 1.5 <= waited < 10
    assert lock.exists()
    assert (example_repo / JANE).read_bytes() == before


def test_a_lock_released_while_waiting_lets_the_log_go_through(example_repo: Path) -> None:
    lock = example_repo / ".git" / "index.lock"
    lock.write_bytes(b"")
    timer = threading.Timer(0.3, lock.unlink)
    timer.start()
    try:
        result = Vtb(example_repo)("log", "jane", "-c", "call", "hello")
    finally:
        timer.join()
    assert result.exit_code == 0, result.output
    assert files_of(example_repo) == [JANE]


def test_a_commit_that_fails_after_the_write_says_the_note_is_written(
    example_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    committer = Committer(open_vault(example_repo))
    assert committer.repo is not None

    def fail(*args: object, **kwargs: object) -> None:
        raise GitError("the hook said no", "fix the hook")

    monkeypatch.setattr(committer.repo, "commit", fail)
    with pytest.raises(GitError) as caught:
        committer.commit([JANE], "touch: Jane Doe", {}, Outcome())
    assert caught.value.message == f"{JANE} written but not committed: the hook said no"
    assert caught.value.hint == "fix the hook; then commit it: git commit -- 'contacts/Jane Doe.md'"


def start_a_conflicting_rebase(repo: Path) -> None:
    meetings = repo / "Meetings.md"
    original = meetings.read_text()
    git(repo, "checkout", "-q", "-b", "side")
    meetings.write_text("side\n" + original)
    git(repo, "commit", "-qam", "side")
    git(repo, "checkout", "-q", "main")
    meetings.write_text("main\n" + original)
    git(repo, "commit", "-qam", "main")
    git(repo, "checkout", "-q", "side")
    rebase = subprocess.run(["git", "rebase", "main"], cwd=repo, capture_output=True)
    assert rebase.returncode != 0 and (repo / ".git" / "rebase-merge").is_dir()


def test_mid_rebase_the_note_is_written_and_the_commit_skipped_with_a_message(
    example_repo: Path,
) -> None:
    start_a_conflicting_rebase(example_repo)
    before = head(example_repo)
    result = Vtb(example_repo)("log", "jane", "-c", "call", "during the rebase")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Logged call with Jane Doe on 2026-11-26\n")  # no commit
    assert "a rebase is in progress" in result.stderr
    assert "not committed" in result.stderr and "contacts/Jane Doe.md" in result.stderr
    assert head(example_repo) == before
    assert "- 2026-11-26 call: during the rebase" in (example_repo / JANE).read_text()
    assert (example_repo / ".git" / "rebase-merge").is_dir()  # the rebase is left alone


# --- where the repository is -------------------------------------------------------------------

NO_REPO = "is not the top of a git repository, so nothing is committed"


def test_no_repository_writes_and_says_so_once(example_copy: Path) -> None:
    vtb = Vtb(example_copy)
    first = vtb("log", "jane", "-c", "call", "one")
    assert first.exit_code == 0, first.output
    assert first.stdout == "Logged call with Jane Doe on 2026-11-26\n"
    assert NO_REPO in first.stderr and "git init" in first.stderr
    second = vtb("log", "jane", "-c", "email", "two")
    assert second.exit_code == 0 and second.stderr == ""
    assert vtb("snooze", "jane", "2w").stderr == ""
    text = (example_copy / JANE).read_text()
    assert "- 2026-11-26 call: one" in text and "- 2026-11-26 email: two" in text
    assert not (example_copy / ".git").exists()


@pytest.fixture
def outer(tmp_path: Path, example_copy: Path) -> Iterator[Path]:
    """A bigger repository (tmp_path) holding the vault folder `vault/`, all committed."""
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "project")
    yield tmp_path


def test_a_vault_inside_a_bigger_repository_gets_no_commits_there(
    outer: Path, example_copy: Path
) -> None:
    before = head(outer)
    result = Vtb(example_copy)("log", "jane", "-c", "call", "hello")
    assert result.exit_code == 0, result.output
    assert head(outer) == before
    assert f"inside the git repository at {outer}" in result.stderr
    assert 'git = "parent"' in result.stderr
    assert git(outer, "status", "--porcelain", "--untracked-files=no").strip() == (
        'M "vault/contacts/Jane Doe.md"'
    )


def test_git_parent_commits_into_the_enclosing_repository(outer: Path, example_copy: Path) -> None:
    toml = example_copy / "vtb.toml"
    toml.write_text('git = "parent"\n' + toml.read_text())
    git(outer, "commit", "-qam", "commit into the project")
    result = Vtb(example_copy)("log", "jane", "-c", "call", "hello")
    assert result.exit_code == 0, result.output
    assert files_of(outer) == ["vault/contacts/Jane Doe.md"]
    message = git(outer, "log", "-1", "--format=%B")
    assert "Vtb-Contact: contacts/Jane Doe.md" in message
    assert git(outer, "status", "--porcelain", "--untracked-files=no") == ""


# --- two processes at once ---------------------------------------------------------------------


def test_log_processes_started_together_keep_every_entry(example_repo: Path) -> None:
    channels = ("call", "email", "visit")
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "vault_touchbase", "--vault", str(example_repo)]
            + ["--today", TODAY, "log", "jane", "-c", channel, f"at once by {channel}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for channel in channels
    ]
    outputs = [proc.communicate(timeout=60) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0, 0], outputs
    text = (example_repo / JANE).read_text()
    for channel in channels:
        assert text.count(f"- 2026-11-26 {channel}: at once by {channel}\n") == 1
    assert text.count("last_contacted: 2026-11-26\n") == 1
    assert git(example_repo, "rev-list", "--count", "HEAD").strip() == "4"
    for rev in ("HEAD", "HEAD~1", "HEAD~2"):
        assert files_of(example_repo, rev) == [JANE]
    assert git(example_repo, "status", "--porcelain", "--untracked-files=no") == ""


# --- the property: a log edit changes exactly two lines ------------------------------------------

LAST_KEYS = ["last_contacted", "last_chat", "prm-last-contacted", "lastContacted", "last_contact"]
FRONT_EXTRAS = [
    "# a comment line",
    "aliases: [Gen, 'G. P.']",
    "email: gen@example.com   # work",
    "phone: '+49 170 1234'",
    'phone2: "+1 555 0100"',
    "zip: 01234",
    "nearby: no",
    'tags: [a, "b c", d-e]',
    "cadence: 6w",
    "offers:\n  - design\n  - 'printing'",
    "empty:",
    "note: >-\n  folded text\n  over two lines",
]
BODY_LINES = [
    "Met at the fair.",
    "Two kids; likes **bold** coffee.",
    "> a quote",
    "A link to [[Jane Doe]] and #tag",
    "- a list item before the Log",
    "",
    "Ünïcödé — “quotes”",
]
WORDS = st.builds(
    lambda first, rest: " ".join((first + rest).split()),
    st.sampled_from("aZéЖ"),
    st.text(st.characters(categories=["L", "Nd"], include_characters=" ,;'()—"), max_size=30),
)
DAYS = st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 11, 26))
CHANNELS = st.sampled_from(["email", "call", "visit", "meet", "text"])


@st.composite
def notes(draw: st.DrawFn) -> tuple[str, str | None]:
    """A contact note's text (any line ends, BOM, final newline) and its last-contact key."""
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    key = draw(st.sampled_from([None, *LAST_KEYS]))
    front = [
        draw(st.sampled_from(["name: Gen Person", "name: 'Gen Person'", 'name: "Gen Person"']))
    ]
    front += draw(st.lists(st.sampled_from(FRONT_EXTRAS), unique=True, max_size=5))
    if key:
        comment = draw(st.sampled_from(["", "  # kept in step", " #x"]))
        front.append(f"{key}: {draw(DAYS).isoformat()}{comment}")
    front = draw(st.permutations(front))
    body = draw(st.lists(st.sampled_from(BODY_LINES), max_size=4))
    bullet = draw(st.sampled_from(["-", "*"]))
    log = ["## Log"] + ([""] if draw(st.booleans()) else [])
    for day, channel, text in draw(st.lists(st.tuples(DAYS, CHANNELS, WORDS), max_size=5)):
        log.append(f"{bullet} {day.isoformat()} {channel}: {text}")
    after = ["", "## Later", "more text"] if draw(st.booleans()) else []
    lines = ["---", *"\n".join(front).split("\n"), "---", *body, "", *log, *after]
    text = eol.join(lines) + (eol if draw(st.booleans()) else "")
    return ("\ufeff" if draw(st.booleans()) else "") + text, key


@pytest.fixture(scope="module")
def gen_vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("gen") / "vault"
    (root / "contacts").mkdir(parents=True)
    (root / "vtb.toml").write_text('git = "off"\n')
    return root


def rows(text: str) -> list[str]:
    return text.lstrip("\ufeff").replace("\r\n", "\n").split("\n")


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(notes(), DAYS, CHANNELS, WORDS)
def test_log_touch_changes_only_the_entry_and_the_last_contacted_line(
    gen_vault: Path, note: tuple[str, str | None], day: date, channel: str, words: str
) -> None:
    text, key = note
    rel = "contacts/Gen Person.md"
    path = gen_vault / rel
    path.write_bytes(text.encode("utf-8"))
    vault = open_vault(gen_vault)
    contact, problems = read_note(vault, rel, path.stat().st_size)
    assert contact is not None, problems

    log_touch(vault, date(2026, 11, 26), contact, channel, day, words, refresh_index=False)
    new = path.read_bytes().decode("utf-8")

    # Bytes kept: the BOM, the line ends, the (missing) final newline.
    eol = "\r\n" if "\r\n" in text else "\n"
    assert new.startswith("\ufeff") == text.startswith("\ufeff")
    assert new.endswith(eol) == text.endswith(eol)
    assert new.count("\n") == new.count("\r\n") if eol == "\r\n" else "\r" not in new

    # Lines: one entry added in the body, the last-contacted line changed or added.
    written = key or "last_contacted"
    old_date = _front_date(text, written)
    newest = max(d for d in (old_date, contact.last_contacted, day) if d is not None)
    before, after = rows(text), rows(new)
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    changes = [op for op in matcher.get_opcodes() if op[0] != "equal"]
    fence = before.index("---", 1)
    body = [(tag, after[j1:j2]) for tag, i1, _, j1, j2 in changes if i1 > fence]
    entry = f"{day.isoformat()} {channel}: {words}"
    assert body in ([("insert", [f"- {entry}"])], [("insert", [f"* {entry}"])]), changes
    front = [(tag, before[i1:i2], after[j1:j2]) for tag, i1, i2, j1, j2 in changes if i1 <= fence]
    event("key: " + ("absent" if old_date is None else "moved" if newest > old_date else "kept"))
    if old_date is not None and newest <= old_date:
        assert front == []  # never moved back, not rewritten
    elif old_date is None and key is None:  # the key is added before the closing fence
        assert front == [("insert", [], [f"last_contacted: {newest.isoformat()}"])]
    else:
        assert old_date is not None
        [(tag, old_lines, new_lines)] = front
        assert tag == "replace" and len(old_lines) == len(new_lines) == 1
        assert old_lines[0].startswith(f"{written}: ")
        assert new_lines[0] == old_lines[0].replace(old_date.isoformat(), newest.isoformat(), 1)
    reread, _ = parse_note(rel, new.encode(), vault.settings)
    assert reread is not None and reread.last_contacted == newest


def _front_date(text: str, key: str) -> date | None:
    for line in rows(text)[1:]:
        if line == "---":
            return None
        if line.startswith(f"{key}: "):
            return date.fromisoformat(line.split(": ", 1)[1][:10])
    return None


def test_a_touch_leaves_the_switch_interval_as_it_found_it(example_repo: Path) -> None:
    before = sys.getswitchinterval()
    result = Vtb(example_repo)("log", "jane", "-c", "call", "hello")
    assert result.exit_code == 0, result.output
    assert sys.getswitchinterval() == before
    assert files_of(example_repo) == [JANE]
