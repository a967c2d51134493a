"""Exchanging commits with a remote (`vtb sync`): the upstream, fetch, merge, push.

Nothing here prompts: a remote that wants a password fails (git runs with
`GIT_TERMINAL_PROMPT=0`) and says so in `RemoteResult.output`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vault_touchbase.git.commits import identity_args
from vault_touchbase.git.runner import git_output

if TYPE_CHECKING:
    from vault_touchbase.git.repo import GitRepo

_UNMERGED = {"DD", "AU", "UD", "UA", "DU", "AA", "UU"}
_PUSH_REJECTED = ("[rejected]", "non-fast-forward", "fetch first", "[remote rejected]")


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


def branch(repo: GitRepo) -> str | None:
    """The checked-out branch's short name, or None when HEAD is detached."""
    proc = repo.runner.read(["symbolic-ref", "-q", "--short", "HEAD"], ok=(0, 1, 128))
    name = proc.stdout.decode("utf-8", "replace").strip()
    return name if proc.returncode == 0 and name else None


def remotes(repo: GitRepo) -> list[str]:
    """The names of the configured remotes."""
    return repo.runner.read(["remote"]).stdout.decode("utf-8", "replace").split()


def remote_url(repo: GitRepo, remote: str) -> str:
    """The fetch URL of `remote` ("" when it has none)."""
    proc = repo.runner.read(["remote", "get-url", "--", remote], ok=(0, 2, 128))
    return proc.stdout.decode("utf-8", "replace").strip() if proc.returncode == 0 else ""


def upstream(repo: GitRepo, branch: str) -> Upstream | None:
    """The branch `branch` pulls from and pushes to, or None when it has none."""
    fmt = "%(upstream:remotename)%00%(upstream:remoteref)%00%(upstream:short)"
    out = repo.runner.read(["for-each-ref", f"--format={fmt}", f"refs/heads/{branch}"]).stdout
    fields = out.decode("utf-8", "replace").rstrip("\n").split("\x00")
    if len(fields) != 3 or not all(fields):
        return None
    return Upstream(remote=fields[0], ref=fields[1], name=fields[2])


def count(repo: GitRepo, revisions: str) -> int:
    """How many commits `git rev-list --count REVISIONS` finds (e.g. `origin/main..HEAD`)."""
    return int(repo.runner.read(["rev-list", "--count", revisions, "--"]).stdout.strip() or 0)


def fetch(repo: GitRepo, remote: str) -> RemoteResult:
    """`git fetch REMOTE`; never prompts (a password it needs is a failure, not a hang)."""
    proc = repo.runner.run(["fetch", "--quiet", "--no-progress", "--", remote], read_only=False)
    return RemoteResult(proc.returncode == 0, git_output(proc))


def push(repo: GitRepo, remote: str, ref: str) -> RemoteResult:
    """Push HEAD to `ref` (e.g. `refs/heads/main`) of `remote`, never forced."""
    args = ["push", "--quiet", "--no-progress", "--", remote, f"HEAD:{ref}"]
    proc = repo.runner.run(args, read_only=False)
    said = git_output(proc)
    rejected = proc.returncode != 0 and any(w in said for w in _PUSH_REJECTED)
    return RemoteResult(proc.returncode == 0, said, rejected)


def merge(
    repo: GitRepo, rev: str, message: str, identity: tuple[str, str] = ("", "")
) -> RemoteResult:
    """`git merge REV`: a fast-forward when possible, else a merge commit with `message`.

    Merge drivers from `.gitattributes` run. `ok` is False when git stopped;
    `repo.in_progress()` then says whether a merge is under way (conflicts to
    resolve) or git refused to start (say, uncommitted changes in the way).
    """
    name, email = identity
    repo.check_identity(name, email)
    args = [*identity_args(name, email), "merge", "--ff", "--no-edit", "--no-stat"]
    args += ["-m", message, rev]
    proc = repo.runner.run(args, read_only=False)
    return RemoteResult(proc.returncode == 0, git_output(proc))


def unmerged(repo: GitRepo) -> list[tuple[str, str]]:
    """(two-letter `git status` code, path) of every path a merge left unresolved.

    `UU` both changed, `AA` both added, `DU`/`UD` deleted on one side and
    changed on the other, `AU`/`UA`/`DD` left by rename conflicts.
    """
    args = ["status", "--porcelain=v1", "-z", "--no-renames", "--untracked-files=no"]
    found = []
    for entry in repo.runner.read(args).stdout.split(b"\x00"):
        code = entry[:2].decode("ascii", "replace")
        if len(entry) > 3 and code in _UNMERGED:
            found.append((code, os.fsdecode(entry[3:])))
    return found
