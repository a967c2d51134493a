"""Running the git command line: its environment, errors, and the wait for a held index.lock.

vtb drives git through `subprocess`, never GitPython: committing one note is
~7× faster this way, and git itself applies `.gitattributes`, runs the
user's hooks and refuses to commit without an identity. Rules kept here:

- a held `.git/index.lock` is waited for briefly and never deleted;
- paths are passed after `--` as literal pathspecs (`:(literal)`), so names
  with spaces, `#`, `[`, `*` or quotes work;
- variables such as `GIT_DIR` and `GIT_INDEX_FILE` inherited from a git hook
  are dropped: git finds the repository from the vault folder alone.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from vault_touchbase.core.errors import GitError

LOCK_RETRY_SECONDS = 2.0
LOCK_RETRY_SLEEP = 0.1

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
_LOCK_HELD = re.compile(r"Unable to create '([^']+\.lock)': File exists")


def _debug(message: str, *args: object) -> None:
    """A debug line for whoever set up logging; with no `logging` imported, nobody did
    (and `vtb log` need not import it)."""
    logging = sys.modules.get("logging")
    if logging is not None:
        logging.getLogger(__name__).debug(message, *args)


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


def pathspec_input(rels: Iterable[str]) -> bytes:
    """NUL-separated literal pathspecs for `--pathspec-from-file=- --pathspec-file-nul`."""
    return b"\x00".join(os.fsencode(literal(r)) for r in rels)


def git_output(proc: subprocess.CompletedProcess[bytes]) -> str:
    """What git said (stderr, then stdout), without blank lines."""
    said = (proc.stderr + b"\n" + proc.stdout).decode("utf-8", "replace")
    return "\n".join(line for line in said.splitlines() if line.strip())


class GitRunner:
    """Runs git commands in the work tree `top` with the `git` executable found on PATH."""

    def __init__(self, top: Path, git: str = "git") -> None:
        self.top = Path(top)
        self.git = git

    def run(
        self, args: Sequence[str], *, read_only: bool, input: bytes | None = None
    ) -> subprocess.CompletedProcess[bytes]:
        """Run `git ARGS` and return what it did, whatever its exit code."""
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

    def read(
        self, args: Sequence[str], *, ok: Iterable[int] = (0,)
    ) -> subprocess.CompletedProcess[bytes]:
        """Run a read-only git command; an exit code outside `ok` raises GitError."""
        proc = self.run(args, read_only=True)
        if proc.returncode not in tuple(ok):
            raise self.failure(args, proc)
        return proc

    def write(
        self, args: Sequence[str], *, input: bytes | None = None, ok: Iterable[int] = (0,)
    ) -> subprocess.CompletedProcess[bytes]:
        """Run a git command that changes the repository, waiting briefly for a held lock."""
        allowed = tuple(ok)
        deadline = time.monotonic() + LOCK_RETRY_SECONDS
        while True:
            proc = self.run(args, read_only=False, input=input)
            if proc.returncode in allowed:
                return proc
            held = _LOCK_HELD.search(proc.stderr.decode("utf-8", "replace"))
            if held is None:
                raise self.failure(args, proc)
            if time.monotonic() >= deadline:
                lock = held.group(1)
                raise GitError(
                    f"another git process is running in {self.top} ({lock} exists); "
                    f"vtb waited {LOCK_RETRY_SECONDS:g} s for it",
                    "wait for it to finish and try again; if no git process is running, "
                    f"a crashed one left the lock behind: then delete {lock} yourself",
                )
            time.sleep(LOCK_RETRY_SLEEP)

    def failure(self, args: Sequence[str], proc: subprocess.CompletedProcess[bytes]) -> GitError:
        """The GitError for a git command that failed: the command, its exit code, its words."""
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
