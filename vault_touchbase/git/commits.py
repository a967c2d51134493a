"""Committing notes: `git commit --only` of exactly vtb's paths, trailers, and the identity check.

Every commit touches only the paths vtb changed, so the user's other staged
work stays staged and out of vtb's commits; the user's hooks run (no
`--no-verify`); an author must be known (vtb never lets git guess one).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from vault_touchbase.core.errors import GitError
from vault_touchbase.git.runner import pathspec_input

if TYPE_CHECKING:
    from vault_touchbase.git.repo import GitRepo
    from vault_touchbase.git.runner import GitRunner

Trailers = Mapping[str, str | Sequence[str]]
"""`Key: value` trailers; a sequence of values gives one line each (a commit of several
people has a `Vtb-Contact:` line for each)."""

_TRAILER_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")
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


def commit_paths(
    repo: GitRepo,
    paths: Sequence[Path | str],
    message: str,
    trailers: Trailers | None = None,
    identity: tuple[str, str] = ("", ""),
) -> CommitResult:
    """Commit exactly these files as they are on disk, and nothing else (see `GitRepo.commit`)."""
    state = repo.in_progress()
    if state:
        phrase = _STATE_PHRASE.get(state, f"a {state}")
        return CommitResult(
            skipped=f"{phrase} is in progress in {repo.top}; the note is written "
            f"but not committed — commit it after the {state}"
        )
    text = with_trailers(message, trailers or {})
    rels = list(dict.fromkeys(repo.relpath(p) for p in paths))
    name, email = identity
    repo.check_identity(name, email)
    status = repo.status_codes(rels)
    ignored = [r for r in rels if status.get(r) == "!!"]
    untracked = [r for r in rels if status.get(r) == "??"]
    changed = [r for r in rels if r in status and status[r] != "!!"]
    if not changed:
        reason = "nothing to commit"
        if ignored:
            reason += f" (git ignores {', '.join(ignored)}; see .gitignore)"
        return CommitResult(skipped=reason)
    if untracked:
        repo.runner.write(
            ["add", "--pathspec-from-file=-", "--pathspec-file-nul"],
            input=pathspec_input(untracked),
        )
    with _message_args(text) as given:
        args = [*identity_args(name, email), "commit", "--only", "-q", *given]
        args += ["--pathspec-from-file=-", "--pathspec-file-nul"]
        proc = repo.runner.write(args, input=pathspec_input(changed), ok=(0, 1))
    if proc.returncode == 1:
        said = (proc.stdout + proc.stderr).decode("utf-8", "replace")
        if any(phrase in said for phrase in _NOTHING_TO_COMMIT):
            return CommitResult(skipped="nothing to commit")
        raise repo.runner.failure(args, proc)
    return CommitResult(sha=repo.head())


MAX_MESSAGE_ARG = 64 * 1024
"""A longer commit message goes to git in a file: one argument may be at most 128 KB
(Linux's MAX_ARG_STRLEN), and a commit of thousands of people has a trailer each."""


@contextmanager
def _message_args(text: str) -> Iterator[list[str]]:
    """`-m TEXT`, or `-F FILE` (a temporary file, removed after) for a long message."""
    if len(text.encode("utf-8")) <= MAX_MESSAGE_ARG:
        yield ["-m", text]
        return
    import tempfile

    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".vtb-msg") as handle:
        handle.write(text)
        handle.flush()
        yield ["-F", handle.name]  # cleaned up as `-m` is (whitespace only)


def check_identity(runner: GitRunner, name: str = "", email: str = "") -> None:
    """Make sure commits will have an author; raise GitError naming the fix if not.

    `name`/`email` come from the `[identity]` table of vtb.toml and, when
    given, are used for vtb's commits. Otherwise git's own configuration
    (or the GIT_AUTHOR_*/GIT_COMMITTER_* and EMAIL variables) must name
    both: vtb does not let git guess an address from the host name.
    """
    if name and email:
        return
    proc = runner.read(
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


def user_name(folder: Path) -> str:
    """The name git would write as the author in `folder` (`GIT_AUTHOR_NAME`, else
    `user.name` from git's configuration); "" when none is set or git is missing."""
    return _identity_part(folder, "GIT_AUTHOR_NAME", "user.name")


def user_email(folder: Path) -> str:
    """The email git would write as the author in `folder` (`GIT_AUTHOR_EMAIL`, else
    `user.email` from git's configuration); "" when none is set or git is missing."""
    return _identity_part(folder, "GIT_AUTHOR_EMAIL", "user.email")


def _identity_part(folder: Path, variable: str, key: str) -> str:
    import subprocess

    from vault_touchbase.git.runner import GitRunner

    if os.environ.get(variable, "").strip():
        return os.environ[variable].strip()
    try:
        proc = GitRunner(folder).run(["config", "--get", key], read_only=True)
    except (OSError, subprocess.SubprocessError):
        return ""
    return proc.stdout.decode("utf-8", "replace").strip() if proc.returncode == 0 else ""


def identity_args(name: str, email: str) -> list[str]:
    """`-c user.name=… -c user.email=…` for the parts of vtb.toml's `[identity]` that are set."""
    args: list[str] = []
    if name:
        args += ["-c", f"user.name={name}"]
    if email:
        args += ["-c", f"user.email={email}"]
    return args


def with_trailers(message: str, trailers: Trailers) -> str:
    """The commit message with `Key: value` trailers as its final paragraph (a key with
    several values gives one line for each)."""
    text = message.strip()
    lines = []
    for key, value in trailers.items():
        if not _TRAILER_KEY.fullmatch(key):
            raise ValueError(f"not a valid git trailer key: {key!r}")
        for one in [value] if isinstance(value, str) else value:
            lines.append(f"{key}: {' '.join(str(one).split())}")
    return f"{text}\n\n" + "\n".join(lines) if lines else text
