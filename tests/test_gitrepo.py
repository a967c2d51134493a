"""The git layer (repo, commits, history) against real git repositories in tmp_path."""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path

import pytest

from vault_touchbase.core.errors import GitError, NoteError
from vault_touchbase.core.settings import Settings
from vault_touchbase.git.history import file_history
from vault_touchbase.git.repo import GitRepo, init_repo, open_repo

IDENTITY_VARS = (
    "GIT_AUTHOR_NAME",
    "GIT_AUTHOR_EMAIL",
    "GIT_COMMITTER_NAME",
    "GIT_COMMITTER_EMAIL",
    "EMAIL",
)


@pytest.fixture(autouse=True)
def isolated_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No machine-wide git configuration or identity leaks into the tests."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    for name in (*IDENTITY_VARS, "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(name, raising=False)


def git(cwd: Path, *args: str, check: bool = True) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if check and proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr}")
    return proc.stdout


def make_repo(path: Path, identity: bool = True) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    if identity:
        git(path, "config", "user.name", "Test User")
        git(path, "config", "user.email", "test@example.com")
    return path


def commit_all(path: Path, message: str) -> None:
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", message)


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    """A vault that is the top of its own repository, with three committed notes."""
    root = make_repo(tmp_path / "vault")
    contacts = root / "contacts"
    contacts.mkdir()
    for name in ("Ann", "Bob", "Cat"):
        (contacts / f"{name}.md").write_text(f"---\nname: {name}\n---\n## Log\n")
    commit_all(root, "start")
    return root


@pytest.fixture
def repo(vault: Path) -> GitRepo:
    found = open_repo(vault, "auto")
    assert found is not None
    return found


def head_files(path: Path) -> list[str]:
    out = git(path, "show", "-z", "--name-only", "--format=", "HEAD")
    return sorted(name for name in out.strip("\n").split("\0") if name)


# -- open_repo -----------------------------------------------------------------------


def test_open_repo_auto_on_the_top_of_a_work_tree(vault: Path) -> None:
    repo = open_repo(vault, "auto")
    assert repo is not None
    assert repo.top == vault.resolve()
    assert repo.root == vault.resolve()
    assert repo.git_dir == vault.resolve() / ".git"
    assert repo.in_progress() is None


def test_open_repo_vault_inside_a_bigger_repository(tmp_path: Path) -> None:
    project = make_repo(tmp_path / "project")
    inner = project / "example-vault"
    (inner / "contacts").mkdir(parents=True)
    (inner / "contacts" / "Ann.md").write_text("x\n")
    assert open_repo(inner, "auto") is None  # never commit into someone else's project
    parent = open_repo(inner, "parent")
    assert parent is not None
    assert parent.top == project.resolve()
    assert parent.root == inner.resolve()
    assert parent.relpath("contacts/Ann.md") == "example-vault/contacts/Ann.md"
    result = parent.commit(["contacts/Ann.md"], "add Ann")
    assert result.sha is not None
    assert head_files(project) == ["example-vault/contacts/Ann.md"]


def test_open_repo_without_a_repository(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    assert open_repo(plain, "auto") is None
    assert open_repo(plain, "parent") is None


def test_open_repo_off_and_no_git_installed(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert open_repo(vault, "off") is None
    monkeypatch.setenv("PATH", str(vault / "no-such-bin"))
    assert open_repo(vault, "auto") is None


def test_open_repo_rejects_an_unknown_mode(vault: Path) -> None:
    with pytest.raises(ValueError):
        open_repo(vault, "sometimes")


# -- commit --------------------------------------------------------------------------


def test_commit_only_the_given_paths_and_leave_other_work_alone(vault: Path, repo: GitRepo) -> None:
    contacts = vault / "contacts"
    (contacts / "Bob.md").write_text("Bob staged by the user\n")
    git(vault, "add", "contacts/Bob.md")
    (contacts / "Cat.md").write_text("Cat edited, not staged\n")
    (contacts / "Ann.md").write_text("---\nname: Ann\n---\n## Log\n- 2026-11-20 call: hi\n")

    result = repo.commit([contacts / "Ann.md"], "touch: Ann (call)")

    assert result.skipped is None and result.sha == git(vault, "rev-parse", "HEAD").strip()
    assert head_files(vault) == ["contacts/Ann.md"]
    assert git(vault, "diff", "--cached", "--name-only") == "contacts/Bob.md\n"
    assert git(vault, "show", ":contacts/Bob.md") == "Bob staged by the user\n"
    assert git(vault, "diff", "--name-only") == "contacts/Cat.md\n"
    assert (contacts / "Cat.md").read_text() == "Cat edited, not staged\n"


def test_commit_message_and_trailers(vault: Path, repo: GitRepo) -> None:
    (vault / "contacts" / "Ann.md").write_text("changed\n")
    trailers = {"Vtb-Contact": "contacts/Ann.md", "Vtb-Channel": "call"}
    repo.commit(["contacts/Ann.md"], "touch: Ann (call)", trailers)
    body = git(vault, "log", "-1", "--format=%B")
    assert body == "touch: Ann (call)\n\nVtb-Contact: contacts/Ann.md\nVtb-Channel: call\n\n"
    assert git(vault, "log", "-1", "--format=%(trailers:key=Vtb-Channel,valueonly)") == "call\n\n"


def test_commit_a_new_untracked_file(vault: Path, repo: GitRepo) -> None:
    note = vault / "contacts" / "Dee.md"
    note.write_text("new\n")
    result = repo.commit([note], "add: Dee")
    assert result.sha is not None
    assert head_files(vault) == ["contacts/Dee.md"]
    assert git(vault, "status", "--porcelain") == ""


def test_commit_names_with_spaces_accents_and_quotes(vault: Path, repo: GitRepo) -> None:
    names = ["José Müller.md", 'Jane "JJ" Doe #2.md', "O'Brien.md"]
    for name in names:
        (vault / "contacts" / name).write_text(f"{name}\n")
    result = repo.commit([f"contacts/{n}" for n in names], "add: three")
    assert result.sha is not None
    assert head_files(vault) == sorted(f"contacts/{n}" for n in names)
    assert repo.is_tracked("contacts/José Müller.md")
    assert repo.show_head("contacts/José Müller.md") == b"Jos\xc3\xa9 M\xc3\xbcller.md\n"


def test_commit_treats_brackets_and_stars_literally(vault: Path, repo: GitRepo) -> None:
    (vault / "contacts" / "Ann [1].md").write_text("bracket\n")
    (vault / "contacts" / "Ann 1.md").write_text("plain\n")  # matches the glob `Ann [1].md`
    (vault / "contacts" / "Bob.md").write_text("bob changed\n")
    repo.commit(["contacts/Ann [1].md"], "add: Ann [1]")
    assert head_files(vault) == ["contacts/Ann [1].md"]
    repo.commit(["contacts/*.md"], "nothing matches literally")
    assert head_files(vault) == ["contacts/Ann [1].md"]
    assert not repo.is_tracked("contacts/Ann 1.md")


def test_commit_a_deleted_file(vault: Path, repo: GitRepo) -> None:
    (vault / "contacts" / "Cat.md").unlink()
    result = repo.commit(["contacts/Cat.md"], "remove: Cat")
    assert result.sha is not None
    assert git(vault, "show", "--name-status", "--format=", "HEAD") == "D\tcontacts/Cat.md\n"
    assert not repo.is_tracked("contacts/Cat.md")


def test_commit_a_deletion_the_user_already_staged(vault: Path, repo: GitRepo) -> None:
    git(vault, "rm", "-q", "contacts/Cat.md")
    (vault / "contacts" / "Dee.md").write_text("d\n")
    git(vault, "add", "contacts/Dee.md")
    (vault / "contacts" / "Dee.md").unlink()  # added, then deleted: nothing against HEAD
    assert repo.commit(["contacts/Dee.md"], "Dee is gone").skipped == "nothing to commit"
    result = repo.commit(["contacts/Cat.md", "contacts/Dee.md"], "remove: Cat")
    assert result.sha is not None
    assert git(vault, "show", "--name-status", "--format=", "HEAD") == "D\tcontacts/Cat.md\n"
    assert git(vault, "status", "--porcelain") == ""


def test_commit_with_nothing_to_commit_is_skipped(vault: Path, repo: GitRepo) -> None:
    before = repo.head()
    result = repo.commit(["contacts/Ann.md", "contacts/Gone.md"], "touch: Ann")
    assert result.sha is None and result.skipped == "nothing to commit"
    assert repo.head() == before
    assert repo.commit([], "empty").skipped == "nothing to commit"


def test_commit_skips_an_ignored_file_and_says_why(vault: Path, repo: GitRepo) -> None:
    (vault / ".gitignore").write_text("Touch Base.md\n")
    commit_all(vault, "ignore the index")
    (vault / "Touch Base.md").write_text("index\n")
    result = repo.commit(["Touch Base.md"], "index")
    assert result.sha is None
    assert result.skipped is not None and "ignores Touch Base.md" in result.skipped


def test_commit_in_a_repository_with_no_commits_yet(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "fresh")
    (root / "Ann.md").write_text("a\n")
    (root / "user-staged.md").write_text("s\n")
    git(root, "add", "user-staged.md")
    repo = open_repo(root, "auto")
    assert repo is not None and repo.head() is None
    assert repo.show_head("Ann.md") is None
    result = repo.commit(["Ann.md"], "add: Ann")
    assert result.sha is not None and repo.head() == result.sha
    assert head_files(root) == ["Ann.md"]
    assert git(root, "diff", "--cached", "--name-only") == "user-staged.md\n"


def test_commit_without_identity_names_the_fix(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "anon", identity=False)
    (root / "Ann.md").write_text("a\n")
    repo = open_repo(root, "auto")
    assert repo is not None
    with pytest.raises(GitError) as caught:
        repo.commit(["Ann.md"], "add: Ann")
    assert "user.email" in caught.value.message
    assert 'git config --global user.name "Your Name"' in caught.value.hint
    assert "[identity]" in caught.value.hint
    assert repo.head() is None
    assert git(root, "status", "--porcelain") == "?? Ann.md\n"  # nothing staged either


def test_commit_with_identity_from_vtb_toml(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "anon", identity=False)
    (root / "Ann.md").write_text("a\n")
    repo = open_repo(root, "auto")
    assert repo is not None
    result = repo.commit(["Ann.md"], "add: Ann", identity=("Sam Rivera", "sam@example.com"))
    assert result.sha is not None
    assert git(root, "log", "-1", "--format=%an <%ae> / %cn <%ce>") == (
        "Sam Rivera <sam@example.com> / Sam Rivera <sam@example.com>\n"
    )


def test_commit_waits_for_index_lock_then_fails_without_deleting_it(
    vault: Path, repo: GitRepo
) -> None:
    (vault / "contacts" / "Ann.md").write_text("changed\n")
    lock = vault / ".git" / "index.lock"
    lock.write_text("")
    started = time.monotonic()
    with pytest.raises(GitError) as caught:
        repo.commit(["contacts/Ann.md"], "touch: Ann")
    waited = time.monotonic() - started
    assert 1.8 <= waited < 10
    assert "another git process is running" in caught.value.message
    assert "index.lock" in caught.value.message
    assert lock.exists()  # never deleted by vtb
    assert git(vault, "log", "--format=%s") == "start\n"


def test_commit_succeeds_when_the_index_lock_goes_away(vault: Path, repo: GitRepo) -> None:
    (vault / "contacts" / "Ann.md").write_text("changed\n")
    lock = vault / ".git" / "index.lock"
    lock.write_text("")
    remover = threading.Timer(0.5, lock.unlink)
    remover.start()
    started = time.monotonic()
    result = repo.commit(["contacts/Ann.md"], "touch: Ann")
    remover.join()
    assert result.sha is not None
    assert time.monotonic() - started >= 0.4
    assert head_files(vault) == ["contacts/Ann.md"]


def _conflicting_branches(vault: Path) -> None:
    git(vault, "checkout", "-q", "-b", "topic")
    (vault / "contacts" / "Ann.md").write_text("topic version\n")
    commit_all(vault, "topic edit")
    git(vault, "checkout", "-q", "main")
    (vault / "contacts" / "Ann.md").write_text("main version\n")
    commit_all(vault, "main edit")


def test_commit_is_skipped_during_a_rebase(vault: Path, repo: GitRepo) -> None:
    _conflicting_branches(vault)
    git(vault, "checkout", "-q", "topic")
    rebase = subprocess.run(["git", "rebase", "main"], cwd=vault, capture_output=True)
    assert rebase.returncode != 0  # stopped on the conflict
    assert repo.in_progress() == "rebase"
    before = repo.head()
    (vault / "contacts" / "Bob.md").write_text("logged during the rebase\n")
    result = repo.commit(["contacts/Bob.md"], "touch: Bob")
    assert result.sha is None
    assert result.skipped is not None and "rebase is in progress" in result.skipped
    assert repo.head() == before
    assert (vault / "contacts" / "Bob.md").read_text() == "logged during the rebase\n"


def test_commit_is_skipped_during_a_merge(vault: Path, repo: GitRepo) -> None:
    _conflicting_branches(vault)
    merge = subprocess.run(["git", "merge", "topic"], cwd=vault, capture_output=True)
    assert merge.returncode != 0
    assert repo.in_progress() == "merge"
    (vault / "contacts" / "Bob.md").write_text("x\n")
    result = repo.commit(["contacts/Bob.md"], "touch: Bob")
    assert result.skipped is not None and "merge is in progress" in result.skipped


def test_commit_runs_the_users_hooks(vault: Path, repo: GitRepo) -> None:
    hook = vault / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'hook says no' >&2\nexit 1\n")
    hook.chmod(0o755)
    (vault / "contacts" / "Ann.md").write_text("changed\n")
    with pytest.raises(GitError) as caught:
        repo.commit(["contacts/Ann.md"], "touch: Ann")
    assert "hook says no" in caught.value.message
    assert git(vault, "log", "--format=%s") == "start\n"


def test_commit_ignores_git_variables_inherited_from_a_hook(
    vault: Path, repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = make_repo(tmp_path / "other")
    (other / "x").write_text("x\n")
    commit_all(other, "other start")
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_INDEX_FILE", str(other / ".git" / "index"))
    (vault / "contacts" / "Ann.md").write_text("changed\n")
    assert repo.commit(["contacts/Ann.md"], "touch: Ann").sha is not None
    monkeypatch.delenv("GIT_DIR")
    monkeypatch.delenv("GIT_INDEX_FILE")
    assert git(vault, "log", "-1", "--format=%s") == "touch: Ann\n"
    assert git(other, "log", "--format=%s") == "other start\n"


def test_paths_outside_the_work_tree_are_refused(repo: GitRepo, tmp_path: Path) -> None:
    with pytest.raises(GitError, match="outside"):
        repo.commit([tmp_path / "elsewhere.md"], "nope")


# -- reading -------------------------------------------------------------------------


def test_show_head_returns_committed_bytes(vault: Path, repo: GitRepo) -> None:
    note = vault / "contacts" / "Ann.md"
    committed = note.read_bytes()
    note.write_text("edited on disk\n")
    assert repo.show_head(note) == committed
    assert repo.show_head("contacts/Nobody.md") is None
    assert repo.show_head("contacts") is None  # a folder is not a note
    crlf = b"---\r\nname: Dee\r\n---\r\n"
    (vault / "contacts" / "Dee.md").write_bytes(crlf)
    repo.commit(["contacts/Dee.md"], "add: Dee")
    assert repo.show_head("contacts/Dee.md") == crlf


def test_head_and_is_tracked(vault: Path, repo: GitRepo) -> None:
    assert repo.head() == git(vault, "rev-parse", "HEAD").strip()
    assert repo.is_tracked("contacts/Ann.md")
    (vault / "contacts" / "New.md").write_text("n\n")
    assert not repo.is_tracked("contacts/New.md")
    assert not repo.is_tracked("contacts/Nobody.md")


def test_ensure_config(vault: Path, repo: GitRepo) -> None:
    key = "merge.vtb-note.driver"
    assert repo.ensure_config(key, "python -m vault_touchbase.features.merge %O %A %B") is True
    assert repo.ensure_config(key, "python -m vault_touchbase.features.merge %O %A %B") is False
    assert git(vault, "config", "--local", "--get", key) == (
        "python -m vault_touchbase.features.merge %O %A %B\n"
    )


# -- mv and history ------------------------------------------------------------------


def _append(note: Path, line: str) -> None:
    with open(note, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")


def test_mv_and_history_follow_a_rename(vault: Path, repo: GitRepo) -> None:
    old = vault / "contacts" / "Jane Smith.md"
    old.write_text("---\nname: Jane Smith\n---\n## Log\n")
    repo.commit([old], "add: Jane Smith", {"Vtb-Contact": "contacts/Jane Smith.md"})
    _append(old, "- 2026-10-01 call: first")
    repo.commit([old], "touch: Jane Smith (call)")
    new = vault / "contacts" / "friends" / "Jane Doe.md"
    repo.mv(old, new)
    assert not old.exists() and new.exists()
    result = repo.commit([old, new], "rename: Jane Smith → Jane Doe")
    assert result.sha is not None
    _append(new, "- 2026-11-01 email: after the rename")
    repo.commit([new], "touch: Jane Doe (email)")

    history = file_history(repo, new)

    assert [c.subject for c in history] == [
        "touch: Jane Doe (email)",
        "rename: Jane Smith → Jane Doe",
        "touch: Jane Smith (call)",
        "add: Jane Smith",
    ]
    assert [c.path_at_commit for c in history] == [
        "contacts/friends/Jane Doe.md",
        "contacts/friends/Jane Doe.md",
        "contacts/Jane Smith.md",
        "contacts/Jane Smith.md",
    ]
    assert history[0].added_lines == ["- 2026-11-01 email: after the rename"]
    assert history[1].added_lines == [] and history[1].removed_lines == []  # a pure rename
    assert history[2].added_lines == ["- 2026-10-01 call: first"]
    assert history[3].added_lines[:2] == ["---", "name: Jane Smith"]
    assert history[3].body_trailers == {"Vtb-Contact": "contacts/Jane Smith.md"}
    assert history[0].sha == repo.head()
    assert history[0].author == "Test User"
    assert history[0].date.tzinfo is not None
    assert [c.sha for c in history] == git(
        vault, "log", "--follow", "--format=%H", "--", "contacts/friends/Jane Doe.md"
    ).split()


def test_history_of_a_rename_with_an_edit_shows_only_the_edit(vault: Path, repo: GitRepo) -> None:
    old = vault / "contacts" / "Ann.md"
    new = vault / "contacts" / "Ann Lee.md"
    repo.mv(old, new)
    new.write_text(new.read_text().replace("name: Ann", "name: Ann Lee"))
    repo.commit([old, new], "rename: Ann → Ann Lee")
    history = file_history(repo, new)
    assert [c.subject for c in history] == ["rename: Ann → Ann Lee", "start"]
    assert history[0].removed_lines == ["name: Ann"]
    assert history[0].added_lines == ["name: Ann Lee"]


def test_history_respects_max_count_across_many_commits(vault: Path, repo: GitRepo) -> None:
    note = vault / "contacts" / "Bob.md"
    for i in range(25):
        _append(note, f"- 2026-01-{i + 1:02d} email: entry {i}")
        repo.commit([note], f"touch {i}")
    history = file_history(repo, note, max_count=10)
    assert [c.subject for c in history] == [f"touch {i}" for i in range(24, 14, -1)]
    assert len(file_history(repo, note)) == 26
    assert file_history(repo, note, max_count=0) == []


def test_history_max_count_across_a_rename(vault: Path, repo: GitRepo) -> None:
    old, new = vault / "contacts" / "Cat.md", vault / "contacts" / "Catherine.md"
    for i in range(3):
        _append(old, f"old {i}")
        repo.commit([old], f"old {i}")
    repo.mv(old, new)
    repo.commit([old, new], "rename")
    assert [c.subject for c in file_history(repo, new, max_count=3)] == [
        "rename",
        "old 2",
        "old 1",
    ]


def test_history_writes_a_commit_graph_with_changed_paths(vault: Path, repo: GitRepo) -> None:
    graph = vault / ".git" / "objects" / "info" / "commit-graph"
    assert not graph.exists()
    file_history(repo, "contacts/Ann.md")
    assert graph.exists()
    assert b"BIDX" in graph.read_bytes()[:200]  # the changed-path filters


def test_history_in_an_empty_repository(tmp_path: Path) -> None:
    repo = open_repo(make_repo(tmp_path / "empty"), "auto")
    assert repo is not None
    assert file_history(repo, "Ann.md") == []


def test_mv_an_untracked_file_renames_it(vault: Path, repo: GitRepo) -> None:
    draft = vault / "contacts" / "Draft.md"
    draft.write_text("d\n")
    repo.mv(draft, vault / "contacts" / "Dee.md")
    assert (vault / "contacts" / "Dee.md").read_text() == "d\n"
    assert not draft.exists()
    assert not repo.is_tracked("contacts/Dee.md")


def test_mv_never_overwrites(vault: Path, repo: GitRepo) -> None:
    with pytest.raises(NoteError, match="already exists"):
        repo.mv("contacts/Ann.md", "contacts/Bob.md")
    assert (vault / "contacts" / "Ann.md").read_text().startswith("---\nname: Ann")
    assert (vault / "contacts" / "Bob.md").read_text().startswith("---\nname: Bob")


def test_a_vault_in_a_linked_worktree(vault: Path, tmp_path: Path) -> None:
    linked = tmp_path / "linked"
    git(vault, "worktree", "add", "-q", "-b", "side", str(linked))
    repo = open_repo(linked, "auto")
    assert repo is not None
    assert repo.top == linked.resolve()
    assert repo.git_dir == (vault / ".git" / "worktrees" / "linked").resolve()
    assert repo.common_dir == (vault / ".git").resolve()
    (linked / "contacts" / "Ann.md").write_text("from the worktree\n")
    assert (
        repo.commit(["contacts/Ann.md"], "touch: Ann").sha
        == git(linked, "rev-parse", "HEAD").strip()
    )
    assert git(vault, "log", "-1", "--format=%s", "side") == "touch: Ann\n"
    assert [c.subject for c in file_history(repo, "contacts/Ann.md")] == ["touch: Ann", "start"]
    assert (vault / ".git" / "objects" / "info" / "commit-graph").exists()
    (vault / ".git" / "worktrees" / "linked" / "MERGE_HEAD").write_text(repo.head() or "")
    assert repo.in_progress() == "merge"
    assert open_repo(vault, "auto").in_progress() is None  # type: ignore[union-attr]


# -- init_repo (vtb init) ------------------------------------------------------------


def test_init_repo_creates_a_repository_once(tmp_path: Path) -> None:
    root = tmp_path / "new-vault"
    root.mkdir()
    notices = init_repo(root, Settings())
    assert len(notices) == 1 and "initialised a git repository" in notices[0]
    repo = open_repo(root, "auto")
    assert repo is not None and repo.top == root.resolve()
    assert init_repo(root, Settings()) == []  # already a repository: nothing to do


def test_init_repo_never_nests_inside_a_bigger_repository(tmp_path: Path) -> None:
    project = make_repo(tmp_path / "project")
    inner = project / "example-vault"
    inner.mkdir()
    notices = init_repo(inner, Settings())
    assert not (inner / ".git").exists()
    assert len(notices) == 1 and 'git = "parent"' in notices[0]
    assert init_repo(inner, Settings(git="parent")) == []


def test_init_repo_with_git_off(tmp_path: Path) -> None:
    notices = init_repo(tmp_path, Settings(git="off"))
    assert not (tmp_path / ".git").exists()
    assert notices and "commits nothing" in notices[0]


def test_the_identity_is_asked_of_git_once_per_repository(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[list[str]] = []
    real_read = repo.runner.read
    monkeypatch.setattr(
        repo.runner, "read", lambda args, **k: asked.append(args) or real_read(args, **k)
    )
    repo.check_identity()
    repo.check_identity()
    assert [a[0] for a in asked] == ["config"]
    repo.check_identity("Vault Owner", "owner@example.org")  # given in vtb.toml: no git
    assert len(asked) == 1


def test_a_commit_message_longer_than_one_argument_may_be_goes_to_git_in_a_file(
    vault: Path, repo: GitRepo
) -> None:
    """A harvest of thousands of people has a `Vtb-Contact:` trailer each: 200 KB here,
    more than Linux lets one argument be (128 KB)."""
    (vault / "contacts" / "Ann.md").write_text("---\nname: Ann\n---\n## Log\n- 2026-11-26 call\n")
    people = [f"contacts/Person {n:05d} with a long name for the test.md" for n in range(3000)]
    result = repo.commit(["contacts/Ann.md"], "harvest: many", {"Vtb-Contact": people})
    assert result.sha
    body = git(vault, "log", "-1", "--format=%B")
    assert body.startswith("harvest: many\n\nVtb-Contact: contacts/Person 00000 with")
    assert body.count("Vtb-Contact:") == 3000
    assert head_files(vault) == ["contacts/Ann.md"]
