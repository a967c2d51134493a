"""The git repository holding a vault: finding it, `git init`, and what its work tree holds.

`GitRepo` is what the other layers use: paths relative to the work tree,
the state of HEAD and of the files, `commit` (in `git.commits`) and `mv`.
Reading a note's history is `git.history`, talking to a remote
`git.remote`; the command runner under all of them is `git.runner`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from vault_touchbase.core.errors import GitError, NoteError
from vault_touchbase.git.commits import CommitResult, Trailers, check_identity, commit_paths
from vault_touchbase.git.runner import GitRunner, git_env, literal

if TYPE_CHECKING:
    from vault_touchbase.core.settings import Settings

GIT_MODES = ("auto", "parent", "off")
_STATUS_CHUNK = 500  # paths per `git status` call (argv stays far below the OS limit)


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
        self.runner = GitRunner(self.top, git)
        self.commit_graph_checked = False  # set by `git.history` once it made sure of one
        self._git_dir = git_dir
        self._common_dir = common_dir
        self._identities_ok: set[tuple[str, str]] = set()  # checked once per repository

    def __repr__(self) -> str:
        return f"GitRepo(root={str(self.root)!r}, top={str(self.top)!r})"

    # -- paths -------------------------------------------------------------------------

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
            out = self.runner.read(["rev-parse", "--absolute-git-dir"]).stdout
            self._git_dir = Path(os.fsdecode(out).strip())
        return self._git_dir

    @property
    def common_dir(self) -> Path:
        """The git folder shared by all worktrees (it holds the objects)."""
        if self._common_dir is None:
            out = os.fsdecode(self.runner.read(["rev-parse", "--git-common-dir"]).stdout).strip()
            self._common_dir = (self.top / out).resolve()
        return self._common_dir

    # -- state -------------------------------------------------------------------------

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
        return self.rev("HEAD")

    def rev(self, name: str) -> str | None:
        """The commit sha `name` points at, or None."""
        args = ["rev-parse", "-q", "--verify", f"{name}^{{commit}}"]
        proc = self.runner.read(args, ok=(0, 1, 128))
        sha = proc.stdout.decode().strip()
        return sha if proc.returncode == 0 and sha else None

    def is_tracked(self, path: Path | str) -> bool:
        """True when git tracks the file (it is in the index)."""
        rel = self.relpath(path)
        out = self.runner.read(["ls-files", "-z", "--", literal(rel)]).stdout
        return os.fsencode(rel) in out.split(b"\x00")

    def show_head(self, path: Path | str) -> bytes | None:
        """The file's bytes as committed at HEAD (as checkout would write them), or None.

        None when there are no commits yet or HEAD has no such file.
        """
        rel = self.relpath(path)
        args = ["ls-tree", "-z", "--full-tree", "HEAD", "--", literal(rel)]
        proc = self.runner.read(args, ok=(0, 128))
        if proc.returncode != 0:
            if self.head() is None:
                return None
            raise self.runner.failure(args, proc)
        for entry in proc.stdout.split(b"\x00"):
            meta, _, name = entry.partition(b"\t")
            kind_and_sha = meta.split()
            if name == os.fsencode(rel) and len(kind_and_sha) == 3 and kind_and_sha[1] == b"blob":
                blob = kind_and_sha[2].decode("ascii")
                return self.runner.read(["cat-file", "--filters", f"--path={rel}", blob]).stdout
        return None

    def status(self, paths: Sequence[Path | str]) -> dict[str, str]:
        """`git status` codes of the files under `paths` that differ from HEAD, by path
        relative to `top` (`??` untracked, `!!` ignored); a clean file is not listed.
        The work tree's top itself may be given (a vault whose contacts folder is `.`)."""
        top = self.top.resolve()
        rels = ["." if Path(p).resolve() == top else self.relpath(p) for p in paths]
        return self.status_codes(rels)

    def status_codes(self, rels: Sequence[str]) -> dict[str, str]:
        """`git status` two-letter codes for the paths (relative to `top`) that differ from
        HEAD (`??` untracked, `!!` ignored); a path missing from the result is clean."""
        codes: dict[str, str] = {}
        for start in range(0, len(rels), _STATUS_CHUNK):
            chunk = rels[start : start + _STATUS_CHUNK]
            args = ["status", "--porcelain=v1", "-z", "--no-renames", "--untracked-files=all"]
            args += ["--ignored=matching", "--", *map(literal, chunk)]
            for entry in self.runner.read(args).stdout.split(b"\x00"):
                if len(entry) > 3:
                    codes[os.fsdecode(entry[3:])] = entry[:2].decode("ascii", "replace")
        return codes

    def attribute(self, path: Path | str, name: str) -> str:
        """The value of a gitattributes attribute for a path (`unspecified` when none is set)."""
        args = ["check-attr", "-z", name, "--", self.relpath(path)]
        fields = self.runner.read(args).stdout.split(b"\x00")
        return fields[2].decode("utf-8", "replace") if len(fields) > 2 else "unspecified"

    # -- identity and config -----------------------------------------------------------

    def check_identity(self, name: str = "", email: str = "") -> None:
        """Make sure commits will have an author; raise GitError naming the fix if not.

        `name`/`email` come from vtb.toml's `[identity]`; without them git's
        own configuration must name both (`git.commits.check_identity`).
        Asked of git once per repository.
        """
        if (name, email) in self._identities_ok:
            return
        check_identity(self.runner, name, email)
        self._identities_ok.add((name, email))

    def ensure_config(self, key: str, value: str) -> bool:
        """Set `key` to `value` in this repository's `.git/config`; True if it changed."""
        proc = self.runner.read(["config", "--local", "--get", key], ok=(0, 1))
        if proc.returncode == 0 and proc.stdout.decode("utf-8", "replace").rstrip("\n") == value:
            return False
        self.runner.write(["config", "--local", "--replace-all", key, value])
        return True

    # -- changing files ----------------------------------------------------------------

    def commit(
        self,
        paths: Sequence[Path | str],
        message: str,
        trailers: Trailers | None = None,
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
        return commit_paths(self, paths, message, trailers, identity)

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
            self.runner.write(["mv", "--", src, dst])
        else:
            os.rename(src_path, dst_path)


def _same_file(a: Path, b: Path) -> bool:
    """True when two names are one file (a case-only rename on a case-insensitive disk)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False
