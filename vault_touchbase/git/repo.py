"""The only module that runs git.

It drives the git command line through `subprocess`: GitPython's
`index.add`/`index.commit` are ~7× slower, ignore `.gitattributes` and commit
as `root` when no identity is set. Rules kept everywhere here:

- every commit touches only the paths vtb changed (`git commit --only`), so
  the user's other staged work stays staged and out of vtb's commits;
- the user's hooks run (no `--no-verify`); their identity is required;
- a held `.git/index.lock` is waited for briefly and never deleted;
- paths are passed relative to the work tree top, after `--`, as literal
  pathspecs (`:(literal)`), so names with spaces, `#`, `[`, `*` or quotes work;
- variables such as `GIT_DIR` and `GIT_INDEX_FILE` inherited from a git hook
  are dropped: git finds the repository from the vault folder alone.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from vault_touchbase.core.errors import GitError, NoteError

if TYPE_CHECKING:
    from vault_touchbase.core.settings import Settings


def _debug(message: str, *args: object) -> None:
    """A debug line for whoever set up logging; with no `logging` imported, nobody did
    (and `vtb log` need not import it)."""
    logging = sys.modules.get("logging")
    if logging is not None:
        logging.getLogger(__name__).debug(message, *args)


LOCK_RETRY_SECONDS = 2.0
LOCK_RETRY_SLEEP = 0.1
GIT_MODES = ("auto", "parent", "off")

# Inherited from a hook or a wrapper, these would point git at another repository or index.
_REPO_ENV = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_COMMON_DIR",
    "GIT_PREFIX",
    "GIT_NAMESPACE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_LITERAL_PATHSPECS",
    "GIT_GLOB_PATHSPECS",
    "GIT_NOGLOB_PATHSPECS",
    "GIT_ICASE_PATHSPECS",
)
_STATUS_CHUNK = 500  # paths per `git status` call (argv stays far below the OS limit)
_LOCK_HELD = re.compile(r"Unable to create '([^']+\.lock)': File exists")
_TRAILER_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")
_COMMIT_MARK = b"\x00\x00vtb-commit\x00"
_LOG_FORMAT = "%x00%x00vtb-commit%x00%H%x00%P%x00%aI%x00%an%x00%s%x00%(trailers:only,unfold)%x00"
# What `git commit` (LC_ALL=C) says, with exit 1, when the paths hold no change against HEAD.
_NOTHING_TO_COMMIT = ("nothing to commit", "nothing added to commit", "no changes added to commit")
_STATE_PHRASE = {
    "rebase": "a rebase",
    "merge": "a merge",
    "cherry-pick": "a cherry-pick",
    "revert": "a revert",
    "am": "a `git am`",
}


@dataclass(frozen=True)
class CommitResult:
    """What `GitRepo.commit` did: the new commit's `sha`, or why it `skipped` committing."""

    sha: str | None = None
    skipped: str | None = None


@dataclass(frozen=True)
class HistoryCommit:
    """One commit in a note's history, with the lines it added to and removed from the note."""

    sha: str
    date: datetime  # author date, with its time zone
    author: str
    subject: str
    body_trailers: dict[str, str]  # e.g. {"Vtb-Contact": "contacts/Jane Doe.md"}
    path_at_commit: str  # the note's path (relative to the work tree top) in this commit
    added_lines: list[str] = field(default_factory=list)
    removed_lines: list[str] = field(default_factory=list)


def git_env(read_only: bool) -> dict[str, str]:
    """The environment for a git call: C locale, never a prompt, no inherited repository."""
    env = {k: v for k, v in os.environ.items() if k not in _REPO_ENV}
    env["LC_ALL"] = "C"
    env["GIT_TERMINAL_PROMPT"] = "0"
    if read_only:
        env["GIT_OPTIONAL_LOCKS"] = "0"  # `git status` must not take index.lock behind our back
    return env


def literal(rel: str) -> str:
    """A pathspec that matches exactly this path (no globbing of `*`, `?`, `[`; no `:` magic)."""
    return f":(literal){rel}"


def open_repo(vault: Path, mode: str) -> GitRepo | None:
    """The git repository vtb commits into for `vault`, or None when vtb should not use git.

    `mode` is the `git` setting: `"off"` → None; `"auto"` → a repository only
    when the vault folder is itself the top of a git work tree (a vault that
    sits inside someone else's project gets no commits there); `"parent"` →
    the enclosing work tree, wherever its top is. No git installed, or no
    repository → None. A repository git refuses to use (`safe.directory`)
    raises `GitError`.
    """
    if mode not in GIT_MODES:
        raise ValueError(f"git mode must be one of {', '.join(GIT_MODES)}, not {mode!r}")
    if mode == "off":
        return None
    git = shutil.which("git")
    if git is None:
        return None
    root = Path(vault).resolve()
    args = [git, "rev-parse", "--show-toplevel", "--absolute-git-dir", "--git-common-dir"]
    try:
        proc = subprocess.run(
            args, cwd=root, env=git_env(True), capture_output=True, stdin=subprocess.DEVNULL
        )
    except OSError:
        return None
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip()
        if "safe.directory" in err or "dubious ownership" in err:
            raise GitError(
                f"git refuses to use the repository at {root}: {err}",
                'follow git\'s advice above, or set git = "off" in vtb.toml',
            )
        return None
    lines = os.fsdecode(proc.stdout).splitlines()
    if len(lines) < 3:
        return None
    top = Path(lines[0]).resolve()
    if mode == "auto" and top != root:
        return None
    common = Path(lines[2])
    common_dir = common if common.is_absolute() else (root / common).resolve()
    return GitRepo(root, top, git_dir=Path(lines[1]), common_dir=common_dir, git=git)


def init_repo(vault: Path, settings: Settings) -> list[str]:
    """`vtb init`'s git step: `git init` the vault unless git is off or a repository is there.

    Returns notices for the user. A vault inside a bigger work tree (with
    `git = "auto"`) gets no nested repository: vtb says it will not commit
    there and how to change that. Registering the merge driver is not done
    here (see `GitRepo.ensure_config`).
    """
    if settings.git == "off":
        return ['git = "off" in vtb.toml: vtb writes notes but commits nothing']
    git = shutil.which("git")
    if git is None:
        return ["git is not installed: vtb works without it, but commits nothing"]
    root = Path(vault).resolve()
    if open_repo(root, settings.git) is not None:
        return []
    enclosing = open_repo(root, "parent")
    if enclosing is not None:
        return [
            f"{root} is inside the git repository at {enclosing.top}; vtb will not commit "
            'there (set git = "parent" in vtb.toml to commit into it, or run `git init` here '
            "to give the vault its own history)"
        ]
    proc = subprocess.run(
        [git, "init", "-q"],
        cwd=root,
        env=git_env(False),
        capture_output=True,
        stdin=subprocess.DEVNULL,
    )
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip()
        raise GitError(f"`git init` failed in {root}: {err}", "fix what git says and try again")
    return [f"initialised a git repository in {root}"]


class GitRepo:
    """A git work tree holding a vault. `root` is the vault folder, `top` the work tree top.

    Build it with `open_repo`. Paths given to its methods are absolute or
    relative to `root`; they must lie inside `top`.
    """

    def __init__(
        self,
        root: Path,
        top: Path,
        *,
        git_dir: Path | None = None,
        common_dir: Path | None = None,
        git: str = "git",
    ) -> None:
        self.root = Path(root)
        self.top = Path(top)
        self.git = git
        self._git_dir = git_dir
        self._common_dir = common_dir
        self._graph_checked = False
        self._identities_ok: set[tuple[str, str]] = set()  # checked once per repository

    def __repr__(self) -> str:
        return f"GitRepo(root={str(self.root)!r}, top={str(self.top)!r})"

    # -- running git -------------------------------------------------------------------

    def _exec(
        self, args: Sequence[str], *, read_only: bool, input: bytes | None = None
    ) -> subprocess.CompletedProcess[bytes]:
        started = time.perf_counter()
        proc = subprocess.run(
            [self.git, *args],
            cwd=self.top,
            env=git_env(read_only),
            input=input,
            stdin=None if input is not None else subprocess.DEVNULL,
            capture_output=True,
        )
        _debug(
            "git %s → %d (%.0f ms)",
            shlex.join(args)[:300],
            proc.returncode,
            (time.perf_counter() - started) * 1000,
        )
        return proc

    def _read(
        self, args: Sequence[str], *, ok: Iterable[int] = (0,)
    ) -> subprocess.CompletedProcess[bytes]:
        """Run a read-only git command; an exit code outside `ok` raises GitError."""
        proc = self._exec(args, read_only=True)
        if proc.returncode not in tuple(ok):
            raise self._failure(args, proc)
        return proc

    def _write(
        self, args: Sequence[str], *, input: bytes | None = None, ok: Iterable[int] = (0,)
    ) -> subprocess.CompletedProcess[bytes]:
        """Run a git command that changes the repository, waiting briefly for a held lock."""
        allowed = tuple(ok)
        deadline = time.monotonic() + LOCK_RETRY_SECONDS
        while True:
            proc = self._exec(args, read_only=False, input=input)
            if proc.returncode in allowed:
                return proc
            held = _LOCK_HELD.search(proc.stderr.decode("utf-8", "replace"))
            if held is None:
                raise self._failure(args, proc)
            if time.monotonic() >= deadline:
                lock = held.group(1)
                raise GitError(
                    f"another git process is running in {self.top} ({lock} exists); "
                    f"vtb waited {LOCK_RETRY_SECONDS:g} s for it",
                    "wait for it to finish and try again; if no git process is running, "
                    f"a crashed one left the lock behind: then delete {lock} yourself",
                )
            time.sleep(LOCK_RETRY_SLEEP)

    def _failure(self, args: Sequence[str], proc: subprocess.CompletedProcess[bytes]) -> GitError:
        output = proc.stderr.decode("utf-8", "replace").strip()
        if not output:
            output = proc.stdout.decode("utf-8", "replace").strip()
        output = "\n".join(output.splitlines()[-20:]) or "(no output)"
        shown = shlex.join(["git", *args])
        if len(shown) > 200:
            shown = shown[:200] + " …"
        return GitError(
            f"`{shown}` failed in {self.top} (exit {proc.returncode}):\n{output}",
            "fix what git says above and try again",
        )

    # -- paths and state ---------------------------------------------------------------

    def relpath(self, path: Path | str) -> str:
        """`path` (absolute, or relative to the vault) as a `/` path relative to `top`."""
        given = Path(path)
        full = Path(os.path.normpath(given if given.is_absolute() else self.root / given))
        # Resolve the folder, not the file: a symlinked vault still maps into `top`.
        full = full.parent.resolve() / full.name
        try:
            rel = full.relative_to(self.top)
        except ValueError:
            raise GitError(f"{path} is outside the git work tree {self.top}") from None
        if not rel.parts:
            raise GitError(f"{path} is the work tree itself, not a file in it")
        return rel.as_posix()

    @property
    def git_dir(self) -> Path:
        """This work tree's git folder (`.git`, or `.git/worktrees/NAME` in a linked worktree)."""
        if self._git_dir is None:
            out = self._read(["rev-parse", "--absolute-git-dir"]).stdout
            self._git_dir = Path(os.fsdecode(out).strip())
        return self._git_dir

    @property
    def common_dir(self) -> Path:
        """The git folder shared by all worktrees (it holds the objects)."""
        if self._common_dir is None:
            out = os.fsdecode(self._read(["rev-parse", "--git-common-dir"]).stdout).strip()
            self._common_dir = (self.top / out).resolve()
        return self._common_dir

    def in_progress(self) -> str | None:
        """What is under way: "rebase", "merge", "cherry-pick", "revert", "am", or None."""
        gd = self.git_dir
        if (gd / "rebase-merge").is_dir():
            return "rebase"
        if (gd / "rebase-apply").is_dir():
            return "am" if (gd / "rebase-apply" / "applying").exists() else "rebase"
        for name, state in (
            ("MERGE_HEAD", "merge"),
            ("CHERRY_PICK_HEAD", "cherry-pick"),
            ("REVERT_HEAD", "revert"),
        ):
            if (gd / name).exists():
                return state
        return None

    def head(self) -> str | None:
        """The sha of the commit HEAD points at, or None in a repository with no commits yet."""
        proc = self._read(["rev-parse", "-q", "--verify", "HEAD^{commit}"], ok=(0, 1, 128))
        sha = proc.stdout.decode().strip()
        return sha if proc.returncode == 0 and sha else None

    def is_tracked(self, path: Path | str) -> bool:
        """True when git tracks the file (it is in the index)."""
        rel = self.relpath(path)
        out = self._read(["ls-files", "-z", "--", literal(rel)]).stdout
        return os.fsencode(rel) in out.split(b"\x00")

    def show_head(self, path: Path | str) -> bytes | None:
        """The file's bytes as committed at HEAD (as checkout would write them), or None.

        None when there are no commits yet or HEAD has no such file.
        """
        rel = self.relpath(path)
        args = ["ls-tree", "-z", "--full-tree", "HEAD", "--", literal(rel)]
        proc = self._read(args, ok=(0, 128))
        if proc.returncode != 0:
            if self.head() is None:
                return None
            raise self._failure(args, proc)
        for entry in proc.stdout.split(b"\x00"):
            meta, _, name = entry.partition(b"\t")
            kind_and_sha = meta.split()
            if name == os.fsencode(rel) and len(kind_and_sha) == 3 and kind_and_sha[1] == b"blob":
                blob = kind_and_sha[2].decode("ascii")
                return self._read(["cat-file", "--filters", f"--path={rel}", blob]).stdout
        return None

    # -- identity and config ----------------------------------------------------------

    def check_identity(self, name: str = "", email: str = "") -> None:
        """Make sure commits will have an author; raise GitError naming the fix if not.

        `name`/`email` come from the `[identity]` table of vtb.toml and, when
        given, are used for vtb's commits. Otherwise git's own configuration
        (or the GIT_AUTHOR_*/GIT_COMMITTER_* and EMAIL variables) must name
        both: vtb does not let git guess an address from the host name.
        """
        if (name and email) or (name, email) in self._identities_ok:
            return
        proc = self._read(
            ["config", "--get-regexp", r"^(user|author|committer)\.(name|email)$"], ok=(0, 1)
        )
        configured = set()
        for line in proc.stdout.decode("utf-8", "replace").splitlines():
            key, _, value = line.partition(" ")
            if value.strip():
                configured.add(key.lower())
        missing = []
        for kind, given in (("name", name), ("email", email)):
            for role in ("author", "committer"):
                found = (
                    given
                    or os.environ.get(f"GIT_{role.upper()}_{kind.upper()}")
                    or f"{role}.{kind}" in configured
                    or f"user.{kind}" in configured
                    or (kind == "email" and os.environ.get("EMAIL"))
                )
                if not found:
                    missing.append(f"user.{kind}")
                    break
        if missing:
            raise GitError(
                f"git does not know who you are ({' and '.join(missing)} not set), "
                "so vtb cannot commit",
                'run `git config --global user.name "Your Name"` and '
                '`git config --global user.email "you@example.com"`, '
                "or set name and email in the [identity] table of vtb.toml",
            )
        self._identities_ok.add((name, email))

    def ensure_config(self, key: str, value: str) -> bool:
        """Set `key` to `value` in this repository's `.git/config`; True if it changed."""
        proc = self._read(["config", "--local", "--get", key], ok=(0, 1))
        if proc.returncode == 0 and proc.stdout.decode("utf-8", "replace").rstrip("\n") == value:
            return False
        self._write(["config", "--local", "--replace-all", key, value])
        return True

    # -- committing -------------------------------------------------------------------

    def commit(
        self,
        paths: Sequence[Path | str],
        message: str,
        trailers: Mapping[str, str] | None = None,
        identity: tuple[str, str] = ("", ""),
    ) -> CommitResult:
        """Commit exactly these files as they are on disk, and nothing else.

        New files are added first and deleted files are recorded as deleted.
        The user's other staged changes stay staged and out of the commit;
        their hooks run. `trailers` end the message as its last paragraph
        (`Vtb-Contact: contacts/Jane Doe.md`). `identity` is `(name, email)`
        from vtb.toml's `[identity]`, or empty to use git's configuration.

        Returns the new commit's sha, or `skipped` with a reason when nothing
        is committed: a rebase or merge under way (the files stay written), or
        no change to commit. Raises GitError when git fails, when no identity
        is set, or when `.git/index.lock` stays held for about 2 s.
        """
        state = self.in_progress()
        if state:
            phrase = _STATE_PHRASE.get(state, f"a {state}")
            return CommitResult(
                skipped=f"{phrase} is in progress in {self.top}; the note is written "
                f"but not committed — commit it after the {state}"
            )
        text = _with_trailers(message, trailers or {})
        rels = list(dict.fromkeys(self.relpath(p) for p in paths))
        name, email = identity
        self.check_identity(name, email)
        status = self._status(rels)
        ignored = [r for r in rels if status.get(r) == "!!"]
        untracked = [r for r in rels if status.get(r) == "??"]
        changed = [r for r in rels if r in status and status[r] != "!!"]
        if not changed:
            reason = "nothing to commit"
            if ignored:
                reason += f" (git ignores {', '.join(ignored)}; see .gitignore)"
            return CommitResult(skipped=reason)
        if untracked:
            self._write(
                ["add", "--pathspec-from-file=-", "--pathspec-file-nul"],
                input=_pathspec_input(untracked),
            )
        args = [*_identity_args(name, email), "commit", "--only", "-q", "-m", text]
        args += ["--pathspec-from-file=-", "--pathspec-file-nul"]
        proc = self._write(args, input=_pathspec_input(changed), ok=(0, 1))
        if proc.returncode == 1:
            said = (proc.stdout + proc.stderr).decode("utf-8", "replace")
            if any(phrase in said for phrase in _NOTHING_TO_COMMIT):
                return CommitResult(skipped="nothing to commit")
            raise self._failure(args, proc)
        return CommitResult(sha=self.head())

    def _status(self, rels: Sequence[str]) -> dict[str, str]:
        """`git status` two-letter codes for the paths that differ from HEAD (`??` untracked,
        `!!` ignored); a path missing from the result is clean."""
        codes: dict[str, str] = {}
        for start in range(0, len(rels), _STATUS_CHUNK):
            chunk = rels[start : start + _STATUS_CHUNK]
            args = ["status", "--porcelain=v1", "-z", "--no-renames", "--untracked-files=all"]
            args += ["--ignored=matching", "--", *map(literal, chunk)]
            for entry in self._read(args).stdout.split(b"\x00"):
                if len(entry) > 3:
                    codes[os.fsdecode(entry[3:])] = entry[:2].decode("ascii", "replace")
        return codes

    def mv(self, old: Path | str, new: Path | str) -> None:
        """Move a note, with `git mv` when git tracks it (so history follows), else a rename.

        The new folder is created if needed. An existing file at `new` is
        never overwritten: NoteError. Commit both paths afterwards.
        """
        src, dst = self.relpath(old), self.relpath(new)
        src_path, dst_path = self.top / src, self.top / dst
        if os.path.lexists(dst_path) and not _same_file(src_path, dst_path):
            raise NoteError(
                f"{dst} already exists; vtb will not overwrite it",
                "choose another name, or move that file away first",
            )
        dst_path.parent.mkdir(parents=True, exist_ok=True)
        if self.is_tracked(src):
            self._write(["mv", "--", src, dst])
        else:
            os.rename(src_path, dst_path)

    # -- history ----------------------------------------------------------------------

    def file_history(self, path: Path | str, max_count: int = 200) -> list[HistoryCommit]:
        """The commits that changed a note, newest first, following renames; at most `max_count`.

        Each carries the lines it added to and removed from the note (diff
        lines of a binary file are skipped). A rename commit shows only the
        lines changed along with the rename.
        """
        if max_count <= 0 or self.head() is None:
            return []
        self._ensure_commit_graph()
        rel = self.relpath(path)
        rev = "HEAD"
        history: list[HistoryCommit] = []
        while len(history) < max_count:
            renamed_from = None
            for commit, status, parents in self._log_segment(rev, rel, max_count - len(history)):
                if status == "A" and len(parents) == 1:
                    renamed_from = self._rename_source(commit.sha, rel)
                    if renamed_from is not None:
                        history.append(self._rename_commit(commit, renamed_from, rel))
                        break
                history.append(commit)
            if renamed_from is None:
                break
            rev, rel = f"{history[-1].sha}^", renamed_from
        return history

    def _log_segment(
        self, rev: str, rel: str, max_count: int
    ) -> list[tuple[HistoryCommit, str, list[str]]]:
        """`git log` of one path from `rev`, without `--follow`.

        `--follow` makes git diff every commit; a plain path-limited log can
        skip most of them with the commit-graph's changed-path filters (about
        40× faster on a 2,000-commit, 10,000-note vault). Renames are followed
        by `file_history` itself.
        """
        args = [
            "-c",
            "log.follow=false",
            "-c",
            "log.showSignature=false",
            "log",
            f"--max-count={max_count}",
            f"--format={_LOG_FORMAT}",
            "--encoding=UTF-8",
            "--root",
            "--raw",
            "-z",
            "-p",
            "--unified=0",
            "--no-renames",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            rev,
            "--",
            literal(rel),
        ]
        out = self._read(args).stdout
        return [_parse_log_record(chunk) for chunk in out.split(_COMMIT_MARK)[1:]]

    def _rename_source(self, sha: str, rel: str) -> str | None:
        """The path `rel` was renamed from in commit `sha` (which added `rel`), if any."""
        args = ["diff-tree", "-r", "-M", "-z", "--raw", "--no-commit-id", "--diff-filter=R", sha]
        fields = self._read(args).stdout.split(b"\x00")
        target = os.fsencode(rel)
        for i in range(0, len(fields) - 2, 3):
            if fields[i].startswith(b":") and fields[i + 2] == target:
                return os.fsdecode(fields[i + 1])
        return None

    def _rename_commit(self, commit: HistoryCommit, src: str, dst: str) -> HistoryCommit:
        """The rename commit with the diff between the old and the new path (not the whole file)."""
        args = ["diff-tree", "-M", "-p", "--unified=0", "--no-commit-id", "--no-color"]
        args += ["--no-ext-diff", "--no-textconv", commit.sha, "--", literal(src), literal(dst)]
        added, removed = _hunk_lines(self._read(args).stdout)
        return HistoryCommit(
            sha=commit.sha,
            date=commit.date,
            author=commit.author,
            subject=commit.subject,
            body_trailers=commit.body_trailers,
            path_at_commit=dst,
            added_lines=added,
            removed_lines=removed,
        )

    def _ensure_commit_graph(self) -> None:
        """Write git's commit-graph with changed-path filters once, if the repository has none.

        It makes a note's history fast on a big vault. Errors are ignored: the
        history still works without it, only slower.
        """
        if self._graph_checked:
            return
        self._graph_checked = True
        info = self.common_dir / "objects" / "info"
        if (info / "commit-graphs" / "commit-graph-chain").exists():
            return  # a split graph, kept up to date by git's own maintenance
        graph = info / "commit-graph"
        if graph.exists() and _graph_has_bloom(graph):
            return
        with contextlib.suppress(OSError):
            self._exec(["commit-graph", "write", "--reachable", "--changed-paths"], read_only=False)

    # -- syncing with a remote (vtb sync) ----------------------------------------------

    def branch(self) -> str | None:
        """The checked-out branch's short name, or None when HEAD is detached."""
        proc = self._read(["symbolic-ref", "-q", "--short", "HEAD"], ok=(0, 1, 128))
        name = proc.stdout.decode("utf-8", "replace").strip()
        return name if proc.returncode == 0 and name else None

    def remotes(self) -> list[str]:
        """The names of the configured remotes."""
        return self._read(["remote"]).stdout.decode("utf-8", "replace").split()

    def remote_url(self, remote: str) -> str:
        """The fetch URL of `remote` ("" when it has none)."""
        proc = self._read(["remote", "get-url", "--", remote], ok=(0, 2, 128))
        return proc.stdout.decode("utf-8", "replace").strip() if proc.returncode == 0 else ""

    def upstream(self, branch: str) -> Upstream | None:
        """The branch `branch` pulls from and pushes to, or None when it has none."""
        fmt = "%(upstream:remotename)%00%(upstream:remoteref)%00%(upstream:short)"
        out = self._read(["for-each-ref", f"--format={fmt}", f"refs/heads/{branch}"]).stdout
        fields = out.decode("utf-8", "replace").rstrip("\n").split("\x00")
        if len(fields) != 3 or not all(fields):
            return None
        return Upstream(remote=fields[0], ref=fields[1], name=fields[2])

    def count(self, revisions: str) -> int:
        """How many commits `git rev-list --count REVISIONS` finds (e.g. `origin/main..HEAD`)."""
        return int(self._read(["rev-list", "--count", revisions, "--"]).stdout.strip() or 0)

    def rev(self, name: str) -> str | None:
        """The commit sha `name` points at, or None."""
        proc = self._read(["rev-parse", "-q", "--verify", f"{name}^{{commit}}"], ok=(0, 1, 128))
        sha = proc.stdout.decode().strip()
        return sha if proc.returncode == 0 and sha else None

    def fetch(self, remote: str) -> RemoteResult:
        """`git fetch REMOTE`; never prompts (a password it needs is a failure, not a hang)."""
        proc = self._exec(["fetch", "--quiet", "--no-progress", "--", remote], read_only=False)
        return RemoteResult(proc.returncode == 0, _output(proc))

    def push(self, remote: str, ref: str) -> RemoteResult:
        """Push HEAD to `ref` (e.g. `refs/heads/main`) of `remote`, never forced."""
        args = ["push", "--quiet", "--no-progress", "--", remote, f"HEAD:{ref}"]
        proc = self._exec(args, read_only=False)
        said = _output(proc)
        rejected = proc.returncode != 0 and any(w in said for w in _PUSH_REJECTED)
        return RemoteResult(proc.returncode == 0, said, rejected)

    def merge(self, rev: str, message: str, identity: tuple[str, str] = ("", "")) -> RemoteResult:
        """`git merge REV`: a fast-forward when possible, else a merge commit with `message`.

        Merge drivers from `.gitattributes` run. `ok` is False when git stopped;
        `in_progress()` then says whether a merge is under way (conflicts to
        resolve) or git refused to start (say, uncommitted changes in the way).
        """
        name, email = identity
        self.check_identity(name, email)
        args = [*_identity_args(name, email), "merge", "--ff", "--no-edit", "--no-stat"]
        args += ["-m", message, rev]
        proc = self._exec(args, read_only=False)
        return RemoteResult(proc.returncode == 0, _output(proc))

    def abort_merge(self) -> None:
        """`git merge --abort`: back to the state before the merge started."""
        self._write(["merge", "--abort"])

    def unmerged(self) -> list[tuple[str, str]]:
        """(two-letter `git status` code, path) of every path a merge left unresolved.

        `UU` both changed, `AA` both added, `DU`/`UD` deleted on one side and
        changed on the other, `AU`/`UA`/`DD` left by rename conflicts.
        """
        args = ["status", "--porcelain=v1", "-z", "--no-renames", "--untracked-files=no"]
        found = []
        for entry in self._read(args).stdout.split(b"\x00"):
            code = entry[:2].decode("ascii", "replace")
            if len(entry) > 3 and code in _UNMERGED:
                found.append((code, os.fsdecode(entry[3:])))
        return found

    def status(self, paths: Sequence[Path | str]) -> dict[str, str]:
        """`git status` codes of the files under `paths` that differ from HEAD, by path
        relative to `top` (`??` untracked, `!!` ignored); a clean file is not listed.
        The work tree's top itself may be given (a vault whose contacts folder is `.`)."""
        top = self.top.resolve()
        rels = ["." if Path(p).resolve() == top else self.relpath(p) for p in paths]
        return self._status(rels)

    def attribute(self, path: Path | str, name: str) -> str:
        """The value of a gitattributes attribute for a path (`unspecified` when none is set)."""
        args = ["check-attr", "-z", name, "--", self.relpath(path)]
        fields = self._read(args).stdout.split(b"\x00")
        return fields[2].decode("utf-8", "replace") if len(fields) > 2 else "unspecified"


@dataclass(frozen=True)
class Upstream:
    """Where a branch syncs: `remote` (e.g. origin), `ref` there (refs/heads/main), and
    `name` (origin/main)."""

    remote: str
    ref: str
    name: str


@dataclass(frozen=True)
class RemoteResult:
    """What a fetch, merge or push did: `ok`, git's own words, and whether a push was
    `rejected` because the remote has commits this clone lacks."""

    ok: bool
    output: str
    rejected: bool = False


_UNMERGED = {"DD", "AU", "UD", "UA", "DU", "AA", "UU"}
_PUSH_REJECTED = ("[rejected]", "non-fast-forward", "fetch first", "[remote rejected]")


def _output(proc: subprocess.CompletedProcess[bytes]) -> str:
    said = (proc.stderr + b"\n" + proc.stdout).decode("utf-8", "replace")
    return "\n".join(line for line in said.splitlines() if line.strip())


def merge_file(
    base: bytes, ours: bytes, theirs: bytes, labels: Sequence[str] = ()
) -> tuple[bytes, int]:
    """`git merge-file -p`: a textual three-way merge and how many conflicts it has.

    Conflicts are marked in the text with `<<<<<<<`, `=======` and `>>>>>>>`
    (`labels`: names for ours, base and theirs). Needs git, not a repository.
    """
    import tempfile

    git = shutil.which("git")
    if git is None:
        raise GitError("git is not installed", "install git")
    with tempfile.TemporaryDirectory(prefix="vtb-merge-") as folder:
        names = []
        for name, data in (("ours", ours), ("base", base), ("theirs", theirs)):
            path = Path(folder) / name
            path.write_bytes(data)
            names.append(str(path))
        args = [git, "merge-file", "-p"]
        for label in list(labels)[:3]:
            args += ["-L", label]
        proc = subprocess.run(
            [*args, *names], env=git_env(True), capture_output=True, stdin=subprocess.DEVNULL
        )
    if not 0 <= proc.returncode <= 127:
        err = proc.stderr.decode("utf-8", "replace").strip()
        raise GitError(f"`git merge-file` failed: {err}", "merge the note by hand")
    return proc.stdout, proc.returncode


def _parse_log_record(chunk: bytes) -> tuple[HistoryCommit, str, list[str]]:
    """One commit of `_log_segment`'s output: header fields, raw diff records, then the patch."""
    sha, parents, date, author, subject, trailers, rest = chunk.split(b"\x00", 6)
    rest = rest.lstrip(b"\x00\n")
    status, path = "", ""
    while rest.startswith(b":"):
        meta, _, rest = rest.partition(b"\x00")
        status = meta.split()[-1].decode("ascii", "replace")[:1]
        count = 2 if status in ("R", "C") else 1
        names = rest.split(b"\x00", count)
        path, rest = os.fsdecode(names[count - 1]), names[-1] if len(names) > count else b""
        rest = rest.lstrip(b"\x00\n")
    added, removed = _hunk_lines(rest)
    commit = HistoryCommit(
        sha=sha.decode("ascii"),
        date=datetime.fromisoformat(date.decode("ascii")),
        author=author.decode("utf-8", "replace"),
        subject=subject.decode("utf-8", "replace"),
        body_trailers=_parse_trailers(trailers.decode("utf-8", "replace")),
        path_at_commit=path,
        added_lines=added,
        removed_lines=removed,
    )
    return commit, status, parents.decode("ascii").split()


def _hunk_lines(patch: bytes) -> tuple[list[str], list[str]]:
    """The added and removed lines of a unified diff (headers skipped; CR of CRLF dropped)."""
    added: list[str] = []
    removed: list[str] = []
    in_hunk = False
    for line in patch.split(b"\n"):
        if line.startswith(b"@@"):
            in_hunk = True
        elif line.startswith(b"diff --git"):
            in_hunk = False
        elif in_hunk and line[:1] in (b"+", b"-"):
            text = line[1:].decode("utf-8", "replace").rstrip("\r")
            (added if line[:1] == b"+" else removed).append(text)
    return added, removed


def _parse_trailers(text: str) -> dict[str, str]:
    trailers: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            trailers.setdefault(key.strip(), value.strip())
    return trailers


def _with_trailers(message: str, trailers: Mapping[str, str]) -> str:
    """The commit message with `Key: value` trailers as its final paragraph."""
    text = message.strip()
    lines = []
    for key, value in trailers.items():
        if not _TRAILER_KEY.fullmatch(key):
            raise ValueError(f"not a valid git trailer key: {key!r}")
        lines.append(f"{key}: {' '.join(str(value).split())}")
    return f"{text}\n\n" + "\n".join(lines) if lines else text


def _identity_args(name: str, email: str) -> list[str]:
    args: list[str] = []
    if name:
        args += ["-c", f"user.name={name}"]
    if email:
        args += ["-c", f"user.email={email}"]
    return args


def _pathspec_input(rels: Iterable[str]) -> bytes:
    """NUL-separated literal pathspecs for `--pathspec-from-file=- --pathspec-file-nul`."""
    return b"\x00".join(os.fsencode(literal(r)) for r in rels)


def _same_file(a: Path, b: Path) -> bool:
    """True when two names are one file (a case-only rename on a case-insensitive disk)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _graph_has_bloom(graph: Path) -> bool:
    """True when a commit-graph file carries changed-path (Bloom) filters (chunk `BIDX`)."""
    try:
        with open(graph, "rb") as handle:
            header = handle.read(8)
            if len(header) < 8 or header[:4] != b"CGPH":
                return False
            table = handle.read((header[6] + 1) * 12)
    except OSError:
        return False
    return any(table[i : i + 4] == b"BIDX" for i in range(0, len(table), 12))
