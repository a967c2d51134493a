"""Reading a note's history: the commits that changed it, following renames, with their lines.

`git log --follow` would diff every commit; a plain path-limited log can skip
most of them with the commit-graph's changed-path filters (about 40× faster
on a 2,000-commit, 10,000-note vault), so renames are followed here, one
`git log` segment per name the note had.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from vault_touchbase.git.runner import literal

if TYPE_CHECKING:
    from vault_touchbase.git.repo import GitRepo

_COMMIT_MARK = b"\x00\x00vtb-commit\x00"
_LOG_FORMAT = "%x00%x00vtb-commit%x00%H%x00%P%x00%aI%x00%an%x00%s%x00%(trailers:only,unfold)%x00"


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


def file_history(repo: GitRepo, path: Path | str, max_count: int = 200) -> list[HistoryCommit]:
    """The commits that changed a note, newest first, following renames; at most `max_count`.

    Each carries the lines it added to and removed from the note (diff
    lines of a binary file are skipped). A rename commit shows only the
    lines changed along with the rename.
    """
    if max_count <= 0 or repo.head() is None:
        return []
    ensure_commit_graph(repo)
    rel = repo.relpath(path)
    rev = "HEAD"
    history: list[HistoryCommit] = []
    while len(history) < max_count:
        renamed_from = None
        for commit, status, parents in _log_segment(repo, rev, rel, max_count - len(history)):
            if status == "A" and len(parents) == 1:
                renamed_from = _rename_source(repo, commit.sha, rel)
                if renamed_from is not None:
                    history.append(_rename_commit(repo, commit, renamed_from, rel))
                    break
            history.append(commit)
        if renamed_from is None:
            break
        rev, rel = f"{history[-1].sha}^", renamed_from
    return history


def ensure_commit_graph(repo: GitRepo) -> None:
    """Write git's commit-graph with changed-path filters once, if the repository has none.

    It makes a note's history fast on a big vault. Errors are ignored: the
    history still works without it, only slower.
    """
    if repo.commit_graph_checked:
        return
    repo.commit_graph_checked = True
    info = repo.common_dir / "objects" / "info"
    if (info / "commit-graphs" / "commit-graph-chain").exists():
        return  # a split graph, kept up to date by git's own maintenance
    graph = info / "commit-graph"
    if graph.exists() and _graph_has_bloom(graph):
        return
    with contextlib.suppress(OSError):
        repo.runner.run(
            ["commit-graph", "write", "--reachable", "--changed-paths"], read_only=False
        )


def _log_segment(
    repo: GitRepo, rev: str, rel: str, max_count: int
) -> list[tuple[HistoryCommit, str, list[str]]]:
    """`git log` of one path from `rev`, without `--follow`: (commit, status, parents)."""
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
    out = repo.runner.read(args).stdout
    return [_parse_log_record(chunk) for chunk in out.split(_COMMIT_MARK)[1:]]


def _rename_source(repo: GitRepo, sha: str, rel: str) -> str | None:
    """The path `rel` was renamed from in commit `sha` (which added `rel`), if any."""
    args = ["diff-tree", "-r", "-M", "-z", "--raw", "--no-commit-id", "--diff-filter=R", sha]
    fields = repo.runner.read(args).stdout.split(b"\x00")
    target = os.fsencode(rel)
    for i in range(0, len(fields) - 2, 3):
        if fields[i].startswith(b":") and fields[i + 2] == target:
            return os.fsdecode(fields[i + 1])
    return None


def _rename_commit(repo: GitRepo, commit: HistoryCommit, src: str, dst: str) -> HistoryCommit:
    """The rename commit with the diff between the old and the new path (not the whole file)."""
    args = ["diff-tree", "-M", "-p", "--unified=0", "--no-commit-id", "--no-color"]
    args += ["--no-ext-diff", "--no-textconv", commit.sha, "--", literal(src), literal(dst)]
    added, removed = _hunk_lines(repo.runner.read(args).stdout)
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
    """`Key: value` trailers by key (the first of a repeated key wins)."""
    trailers: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            trailers.setdefault(key.strip(), value.strip())
    return trailers


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
