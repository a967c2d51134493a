"""`vtb sync` across clones of one bare remote, with vtb's merge driver."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import EXAMPLE, GENERATED, TODAY, Vtb, git
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from vault_touchbase.notes.edit_frontmatter import set_scalar
from vault_touchbase.notes.edit_log import add_log_entry
from vault_touchbase.notes.log import read_log
from vault_touchbase.notes.text import load_yaml, split_note

JANE = "contacts/Jane Doe.md"


def make_remote(seed: Path, where: Path) -> Path:
    """A bare repository holding `seed`'s history, as a server would."""
    bare = where / "remote.git"
    git(where, "clone", "-q", "--bare", str(seed), str(bare))
    return bare


def clone(remote: Path, where: Path) -> Path:
    git(where.parent, "clone", "-q", str(remote), str(where))
    return where


def entries(vault: Path, rel: str) -> list[tuple[date, str | None, str]]:
    text = (vault / rel).read_bytes().decode("utf-8")
    found, _ = read_log(split_note(text).body, 1)
    return [(e.date, e.channel, e.text) for e in found]


def front(vault: Path, rel: str) -> dict[str, object]:
    data = load_yaml(split_note((vault / rel).read_bytes().decode("utf-8")).frontmatter or "")
    assert isinstance(data, dict)
    return data


def notes(vault: Path) -> dict[str, bytes]:
    return {
        p.relative_to(vault).as_posix(): p.read_bytes()
        for p in sorted((vault / "contacts").rglob("*"))
        if p.is_file()
    }


def commit_edit(vault: Path, rel: str, key: str, value: object) -> None:
    """The user's own edit of a property, committed with git (as Obsidian's git plugin would)."""
    path = vault / rel
    text = path.read_bytes().decode("utf-8")
    new = set_scalar(text, key, value)  # type: ignore[arg-type]
    if new != text:
        path.write_bytes(new.encode("utf-8"))
        git(vault, "commit", "-qam", f"edit {key}")


@pytest.fixture
def remote(example_repo: Path, tmp_path: Path) -> Path:
    return make_remote(example_repo, tmp_path)


@pytest.fixture
def devices(remote: Path, tmp_path: Path) -> tuple[Path, Path]:
    return clone(remote, tmp_path / "laptop"), clone(remote, tmp_path / "phone")


# --- touches on two devices ----------------------------------------------------------------


def test_touches_on_both_devices_merge_without_conflict(devices: tuple[Path, Path]) -> None:
    laptop, phone = devices
    # a fresh clone has no merge driver: .git/config is not cloned
    probe = subprocess.run(["git", "config", "merge.vtb.driver"], cwd=phone, capture_output=True)
    assert probe.returncode == 1
    assert Vtb(laptop)("log", "jane", "-c", "call", "called about the bookkeeper").exit_code == 0
    assert (
        Vtb(phone)(
            "log", "jane", "-c", "email", "-d", "2026-11-20", "sent the invoice template"
        ).exit_code
        == 0
    )
    first = Vtb(laptop)("sync")
    assert first.exit_code == 0, first.output
    assert "pushed 1 commit to origin/main" in first.output
    second = Vtb(phone)("sync")
    assert second.exit_code == 0, second.output
    assert 'registered the merge driver "vtb"' in second.output
    assert "pulled 1 commit from origin/main (merged)" in second.output
    assert "pushed 2 commits" in second.output
    third = Vtb(laptop)("sync")
    assert third.exit_code == 0 and "(fast-forward)" in third.output
    assert notes(laptop) == notes(phone)
    got = entries(laptop, JANE)
    assert got[:3] == [
        (date(2026, 11, 26), "call", "called about the bookkeeper"),
        (date(2026, 11, 20), "email", "sent the invoice template"),
        (date(2026, 10, 28), "email", got[2][2]),
    ]
    assert front(laptop, JANE)["last_contacted"] == date(2026, 11, 26)
    assert b"<<<<<<<" not in (laptop / JANE).read_bytes()
    history = git(laptop, "log", "--format=%s", "--", JANE)
    assert "touch: Jane Doe (call)" in history and "touch: Jane Doe (email)" in history
    assert git(laptop, "rev-parse", "HEAD") == git(phone, "rev-parse", "HEAD")
    assert git(phone, "status", "--porcelain") == ""
    again = Vtb(phone)("sync")
    assert again.exit_code == 0 and "already in sync with origin/main" in again.output


def test_a_fresh_clone_after_vtb_sync_pulls_with_plain_git(devices: tuple[Path, Path]) -> None:
    """Once `vtb sync` registered the driver, Obsidian's git plugin (plain `git pull`) merges too."""
    laptop, phone = devices
    assert Vtb(phone)("sync").exit_code == 0  # registers the driver; nothing to pull
    assert "vault_touchbase merge-note %O %A %B %P" in git(phone, "config", "merge.vtb.driver")
    Vtb(laptop)("log", "tom", "-c", "visit", "fixed the lamp")  # CRLF note
    Vtb(laptop)("log", "dorothy", "-c", "call", "booked the room")  # BOM note
    assert Vtb(laptop)("sync").exit_code == 0
    Vtb(phone)("log", "tom", "-c", "email", "-d", "2026-11-24", "sent the poster")
    Vtb(phone)("log", "dorothy", "-c", "email", "-d", "2026-11-25", "thanked her")
    pulled = subprocess.run(
        ["git", "pull", "--no-rebase", "--no-edit"], cwd=phone, capture_output=True, text=True
    )
    assert pulled.returncode == 0, pulled.stdout + pulled.stderr
    tom = (phone / "contacts/Tom Brennan.md").read_bytes()
    assert tom.count(b"\r\n") == tom.count(b"\n")  # still CRLF throughout
    assert [e[2] for e in entries(phone, "contacts/Tom Brennan.md")[:2]] == [
        "fixed the lamp",
        "sent the poster",
    ]
    dorothy = (phone / "contacts/Dorothy Hughes.md").read_bytes()
    assert dorothy.startswith(b"\xef\xbb\xbf---") and dorothy.count(b"\xef\xbb\xbf") == 1
    assert [e[2] for e in entries(phone, "contacts/Dorothy Hughes.md")[:2]] == [
        "booked the room",
        "thanked her",
    ]


def test_a_true_clash_merges_cleanly_and_check_reports_it(devices: tuple[Path, Path]) -> None:
    laptop, phone = devices
    commit_edit(laptop, JANE, "phone", "+1 555 0101")
    commit_edit(phone, JANE, "phone", "+1 555 0199")
    line = "studio in Cedar Falls, mostly bakeries and cafés. Two kids, Ivy and Theo."
    for device, kids in ((laptop, "Two kids, Ivy and Theo, and a dog."), (phone, "Three kids.")):
        path = device / JANE
        path.write_text(
            path.read_text(encoding="utf-8").replace(
                line, line.replace("Two kids, Ivy and Theo.", kids)
            ),
            encoding="utf-8",
        )
        git(device, "commit", "-qam", "kids")
    Vtb(phone)("log", "jane", "-c", "call", "new number")
    assert Vtb(laptop)("sync").exit_code == 0
    result = Vtb(phone)("sync")
    assert result.exit_code == 0, result.output
    assert "a sync kept both versions of a change in 1 note" in result.stderr
    assert "conflict_phone" in result.stderr
    data = front(phone, JANE)
    assert data["phone"] == "+1 555 0199"  # this device's value is kept...
    assert data["conflict_phone"] == "+1 555 0101"  # ...and the other's is visible
    assert entries(phone, JANE)[0][2] == "new number"
    assert git(phone, "status", "--porcelain") == ""
    check = Vtb(phone)("check")
    assert check.exit_code == 1
    assert (
        f"{JANE}:6: error: conflicting values from a sync: keep one and delete conflict_phone"
        in check.output
    )
    assert (
        f"{JANE}:20: error: the other device's version of these lines, from a sync" in check.output
    )
    text = (phone / JANE).read_text(encoding="utf-8")
    assert (
        "Three kids.\n\n> [!warning] vtb merge: the other device's version\n> studio in Cedar Falls, mostly bakeries and cafés. Two kids, Ivy and Theo, and a dog.\n\n"
        in text
    )
    # resolving it (deleting the key and the callout) makes check happy again
    text = text.replace('conflict_phone: "+1 555 0101"\n', "")
    text = text.split("\n\n> [!warning]")[0] + "\n" + text.split("and a dog.\n\n")[1]
    (phone / JANE).write_text(text, encoding="utf-8")
    assert f"{JANE}:" not in Vtb(phone)("check").output


# --- what git cannot merge, and what is missing --------------------------------------------------


def test_no_remote_says_how_to_add_one(example_repo: Path) -> None:
    result = Vtb(example_repo)("sync")
    assert result.exit_code == 1
    assert "no git remote" in result.stderr and "git remote add origin URL" in result.stderr


def test_no_upstream_says_how_to_set_one(devices: tuple[Path, Path]) -> None:
    laptop, _ = devices
    git(laptop, "switch", "-qc", "elsewhere")
    result = Vtb(laptop)("sync")
    assert result.exit_code == 1
    assert "the branch elsewhere has no upstream" in result.stderr
    assert "git push -u origin elsewhere" in result.stderr


def test_not_a_repository(example_copy: Path) -> None:
    result = Vtb(example_copy)("sync")
    assert result.exit_code == 1 and "is not a git repository" in result.stderr


def test_an_unreachable_remote_and_a_login_are_clear(
    devices: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    laptop, _ = devices
    git(laptop, "remote", "set-url", "origin", str(tmp_path / "gone.git"))
    path = laptop / JANE
    path.write_text(
        add_log_entry(path.read_text(encoding="utf-8"), date(2026, 11, 26), "call", "x"),
        encoding="utf-8",
    )
    result = Vtb(laptop)("sync")
    assert result.exit_code == 1
    assert "could not reach origin" in result.stderr and "git remote -v" in result.stderr
    assert "vtb committed 1 pending change here, safe in this clone" in result.stderr
    assert git(laptop, "status", "--porcelain") == ""
    # a remote that wants a password: vtb never prompts, it says what to set up
    helper = tmp_path / "bin" / "git-remote-vtbtest"
    helper.parent.mkdir()
    helper.write_text(
        "#!/bin/sh\necho \"fatal: could not read Username for 'https://example.invalid': "
        'terminal prompts disabled" >&2\nexit 128\n'
    )
    helper.chmod(helper.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{helper.parent}{os.pathsep}{os.environ['PATH']}")
    git(laptop, "remote", "set-url", "origin", "vtbtest::https://example.invalid/vault.git")
    login = Vtb(laptop)("sync")
    assert login.exit_code == 1
    assert "wants a login vtb cannot give" in login.stderr
    assert "SSH key or a git credential helper" in login.stderr


def test_delete_modify_stops_with_the_merge_explained(devices: tuple[Path, Path]) -> None:
    laptop, phone = devices
    git(laptop, "rm", "-q", JANE)
    git(laptop, "commit", "-qm", "Jane moved away")
    assert Vtb(laptop)("sync").exit_code == 0
    Vtb(phone)("log", "jane", "-c", "call", "said goodbye")
    result = Vtb(phone)("sync")
    assert result.exit_code == 1
    assert f"{JANE}: changed here, deleted on the other device" in result.stderr
    assert "git add -- 'contacts/Jane Doe.md'" in result.stderr
    assert "git merge --abort" in result.stderr
    assert "deleted by them" in git(phone, "status")
    assert (phone / ".git" / "MERGE_HEAD").exists()
    again = Vtb(phone)("sync")
    assert again.exit_code == 1 and "a git merge is in progress" in again.stderr
    # the user keeps the note, commits the merge, and syncs again
    git(phone, "add", "--", JANE)
    git(phone, "commit", "-q", "--no-edit")
    done = Vtb(phone)("sync")
    assert done.exit_code == 0, done.output
    assert "pushed" in done.output


def test_a_conflict_in_another_file_is_explained(devices: tuple[Path, Path]) -> None:
    laptop, phone = devices
    for device, news in ((laptop, "a new job"), (phone, "a new flat")):
        now = device / "Now.md"
        now.write_text(now.read_text().replace("## News\n", f"## News\n- {news}\n"))
        git(device, "commit", "-qam", "news")
    assert Vtb(laptop)("sync").exit_code == 0
    result = Vtb(phone)("sync")
    assert result.exit_code == 1
    assert "Now.md: a file, changed on both devices" in result.stderr
    assert "Unmerged paths" in git(phone, "status")


def test_uncommitted_changes_in_the_way_change_nothing(devices: tuple[Path, Path]) -> None:
    laptop, phone = devices
    now = laptop / "Now.md"
    now.write_text(now.read_text() + "\nmore\n")
    git(laptop, "commit", "-qam", "news")
    assert Vtb(laptop)("sync").exit_code == 0
    (phone / "Now.md").write_text("my draft\n")
    head = git(phone, "rev-parse", "HEAD")
    result = Vtb(phone)("sync")
    assert result.exit_code == 1
    assert (
        "would overwrite your uncommitted changes to: Now.md; nothing was changed" in result.stderr
    )
    assert git(phone, "rev-parse", "HEAD") == head
    assert not (phone / ".git" / "MERGE_HEAD").exists()
    assert (phone / "Now.md").read_text() == "my draft\n"


def test_pending_touches_are_committed_before_the_pull(devices: tuple[Path, Path]) -> None:
    laptop, phone = devices
    path = phone / JANE
    text = path.read_text(encoding="utf-8")
    path.write_text(
        add_log_entry(text, date(2026, 11, 25), "text", "typed in Obsidian"), encoding="utf-8"
    )
    other = phone / "contacts/Ben Carter.md"
    other.write_text(other.read_text(encoding="utf-8") + "\nA line of my own.\n", encoding="utf-8")
    new = phone / "contacts/Sam Rivera.md"
    new.write_text(
        "---\nname: Sam Rivera\n---\nMet at the fair.\n\n## Log\n- 2026-11-24 meet: the fair\n"
    )
    result = Vtb(phone)("sync")
    assert result.exit_code == 0, result.output
    assert "committed touch: Jane Doe (text)" in result.output  # as `vtb watch` says it
    assert (
        git(phone, "log", "-1", "--format=%s", "--", "contacts/Sam Rivera.md")
        == "touch: Sam Rivera (meet)\n"
    )
    assert (
        "not committed: contacts/Ben Carter.md has changes other than new Log entries"
        in result.stderr
    )
    assert git(phone, "log", "-1", "--format=%s%n%b", "--", JANE).startswith(
        "touch: Jane Doe (text)"
    )
    assert front(phone, JANE)["last_contacted"] == date(2026, 11, 25)
    assert git(phone, "status", "--porcelain", "--", JANE) == ""
    assert Vtb(laptop)("sync").exit_code == 0
    assert entries(laptop, JANE)[0][2] == "typed in Obsidian"
    assert (laptop / "contacts/Sam Rivera.md").read_bytes() == new.read_bytes()


def test_ticks_from_a_phone_are_kept_with_commit_index(example_copy: Path, tmp_path: Path) -> None:
    (example_copy / "vtb.toml").write_text(
        (example_copy / "vtb.toml")
        .read_text()
        .replace('index = "Touch Base.md"', 'index = "Touch Base.md"\ncommit_index = true')
    )
    ignore = example_copy / ".gitignore"
    ignore.write_text(ignore.read_text().replace("/Touch Base.md\n", ""))
    from vault_touchbase.core.settings import load_settings
    from vault_touchbase.git.attributes import gitattributes_text

    (example_copy / ".gitattributes").write_text(gitattributes_text(load_settings(example_copy)))
    git(example_copy, "init", "-q")
    assert Vtb(example_copy)("refresh").exit_code == 0
    git(example_copy, "add", "-A")
    git(example_copy, "commit", "-qm", "seed")
    remote = make_remote(example_copy, tmp_path)
    desktop, phone = clone(remote, tmp_path / "desktop"), clone(remote, tmp_path / "phone")
    assert Vtb(desktop)("sync").exit_code == 0  # registers the drivers
    index = phone / "Touch Base.md"
    lines = index.read_text(encoding="utf-8").split("\n")
    ticked = [i for i, line in enumerate(lines) if line.startswith("- [ ] [[contacts/")][:2]
    names = [lines[i].split("|")[1].split("]]")[0] for i in ticked]
    lines[ticked[0]] = lines[ticked[0]].replace("- [ ]", "- [x]", 1)  # on the phone
    index.write_text("\n".join(lines), encoding="utf-8")
    git(phone, "commit", "-qam", "ticked on the phone")
    git(phone, "push", "-q")
    desk_index = desktop / "Touch Base.md"
    desk_lines = desk_index.read_text(encoding="utf-8").split("\n")
    desk_lines[ticked[1]] = desk_lines[ticked[1]].replace("- [ ]", "- [x]", 1)  # on the desktop
    desk_index.write_text("\n".join(desk_lines), encoding="utf-8")
    result = Vtb(desktop)("sync")
    assert result.exit_code == 0, result.output
    subjects = git(desktop, "log", "--format=%s", "origin/main")
    for name in names:  # both ticks were logged (and committed, and pushed)
        assert name in result.output
        assert f": {name}" in subjects
    assert git(desktop, "status", "--porcelain") == ""


# --- random days of two devices -------------------------------------------------------------------

PEOPLE = {"jane": JANE, "tom": "contacts/Tom Brennan.md", "dorothy": "contacts/Dorothy Hughes.md"}
step = st.one_of(
    st.tuples(
        st.just("log"), st.integers(0, 1), st.sampled_from(sorted(PEOPLE)), st.integers(0, 20)
    ),
    st.tuples(
        st.just("snooze"), st.integers(0, 1), st.sampled_from(sorted(PEOPLE)), st.integers(1, 60)
    ),
    st.tuples(
        st.just("note"), st.integers(0, 1), st.sampled_from(sorted(PEOPLE)), st.integers(0, 9)
    ),
    st.tuples(
        st.just("phone"), st.integers(0, 1), st.sampled_from(sorted(PEOPLE)), st.integers(0, 9)
    ),
    st.tuples(st.just("sync"), st.integers(0, 1), st.just(""), st.just(0)),
)


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("seed") / "vault"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns(*GENERATED))
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@e",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@e",
    }
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "seed"]):
        subprocess.run(["git", *args], cwd=folder, check=True, env=env, capture_output=True)
    return folder


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(step, min_size=1, max_size=6))
def test_random_days_never_lose_a_touch_and_converge(
    seed: Path, steps: list[tuple[str, int, str, int]]
) -> None:
    from vault_touchbase.actions.touch import add_note_line, contact_named
    from vault_touchbase.vault.folder import open_vault

    today = date.fromisoformat(TODAY)
    with tempfile.TemporaryDirectory() as folder:
        where = Path(folder)
        remote = make_remote(seed, where)
        devices = [clone(remote, where / "a"), clone(remote, where / "b")]
        logged: dict[str, list[str]] = {rel: [] for rel in PEOPLE.values()}
        for number, (kind, device, person, n) in enumerate(steps):
            vault = devices[device]
            if kind == "log":
                said = f"touch {number}"
                day = (today - timedelta(days=n)).isoformat()
                assert Vtb(vault)("log", person, "-c", "call", "-d", day, said).exit_code == 0
                logged[PEOPLE[person]].append(said)
            elif kind == "snooze":
                assert (
                    Vtb(vault)("snooze", person, (today + timedelta(days=n)).isoformat()).exit_code
                    == 0
                )
            elif kind == "note":
                opened = open_vault(vault)
                add_note_line(opened, today, contact_named(opened, person), f"note {number} {n}")
            elif kind == "phone":
                commit_edit(vault, PEOPLE[person], "phone", f"+1 555 02{n:02d}")
            else:
                result = Vtb(vault)("sync")
                assert result.exit_code == 0, result.output
        for vault in (devices[0], devices[1], devices[0]):
            result = Vtb(vault)("sync")
            assert result.exit_code == 0, result.output
            if "(merged)" in result.output:
                event("a merge commit")
            if "from a sync" in result.stderr:
                event("a clash kept visibly")
        assert notes(devices[0]) == notes(devices[1])
        for vault in devices:
            assert git(vault, "status", "--porcelain") == ""
            for rel, said in logged.items():
                got = [e[2] for e in entries(vault, rel)]
                assert all(text in got for text in said), (rel, said, got)
                assert b"<<<<<<<" not in (vault / rel).read_bytes()


def test_a_push_that_loses_a_race_pulls_again_and_pushes(devices: tuple[Path, Path]) -> None:
    laptop, phone = devices
    Vtb(laptop)("log", "jane", "-c", "call", "from the laptop")
    Vtb(phone)("log", "jane", "-c", "email", "-d", "2026-11-25", "from the phone")
    # while the phone pushes, the laptop pushes first (once): the phone's push is rejected
    hook = phone / ".git" / "hooks" / "pre-push"
    hook.write_text(
        "#!/bin/sh\n"
        f"if [ ! -e '{phone}/.git/raced' ]; then touch '{phone}/.git/raced'\n"
        "  unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE\n"
        f"  git -C '{laptop}' push -q origin HEAD:refs/heads/main || exit 1\n"
        "fi\nexit 0\n"
    )
    hook.chmod(hook.stat().st_mode | stat.S_IEXEC)
    result = Vtb(phone)("sync")
    assert result.exit_code == 0, result.output
    assert (phone / ".git" / "raced").exists()
    assert "pulled 1 commit from origin/main (merged)" in result.output
    got = [e[2] for e in entries(phone, JANE)[:2]]
    assert got == ["from the laptop", "from the phone"]
    assert git(phone, "rev-parse", "HEAD") == git(phone, "rev-parse", "origin/main")


def test_vtb_init_in_a_clone_registers_the_driver(devices: tuple[Path, Path]) -> None:
    from click.testing import CliRunner

    from vault_touchbase.cli.main import cli

    _, phone = devices
    result = CliRunner().invoke(cli, ["init", str(phone)])
    assert result.exit_code == 0, result.output
    assert "added .git/config (merge driver" in result.output
    assert "merge-note --index %O %A %B %P" in git(phone, "config", "merge.vtb-index.driver")
    assert git(phone, "status", "--porcelain") == ""  # nothing else added or committed
    again = CliRunner().invoke(cli, ["init", str(phone)])
    assert "nothing changed" in again.output


def test_unrelated_histories_change_nothing(devices: tuple[Path, Path], tmp_path: Path) -> None:
    laptop, _ = devices
    other = tmp_path / "other"
    shutil.copytree(laptop, other, ignore=shutil.ignore_patterns(".git"))
    git(other, "init", "-q")
    git(other, "add", "-A")
    git(other, "commit", "-qm", "a second start")
    git(other, "remote", "add", "origin", str(tmp_path / "remote.git"))
    git(other, "fetch", "-q", "origin")
    git(other, "branch", "-q", "--set-upstream-to=origin/main")
    head = git(other, "rev-parse", "HEAD")
    result = Vtb(other)("sync")
    assert result.exit_code == 1
    assert "share no history" in result.stderr and "--allow-unrelated-histories" in result.stderr
    assert git(other, "rev-parse", "HEAD") == head
