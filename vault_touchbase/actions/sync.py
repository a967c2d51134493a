"""Syncing a vault through its git remote (`vtb sync`), and the merge driver behind it.

`vtb sync` commits pending touches, fetches, merges the upstream branch
(`git merge`, a fast-forward when it can be), brings the index note up to
date and pushes. Contact notes merge through vtb's merge driver
(`features/merge/`), registered in `.git/config` by `register_merge_driver`
and chosen for the notes by `.gitattributes` (written by `vtb init`). Why a
merge and not a rebase: docs/sync.md.

Nothing here prints: results come back as values, failures as `SyncError`
with a message saying what happened and a hint saying what to do.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from vault_touchbase.core.errors import VtbError
from vault_touchbase.git import remote as git_remote
from vault_touchbase.git.attributes import DRIVER, INDEX_DRIVER, register_merge_driver

if TYPE_CHECKING:
    from vault_touchbase.actions.committing import Committer, Outcome
    from vault_touchbase.actions.index_note import RefreshResult
    from vault_touchbase.core.model import Problem
    from vault_touchbase.core.settings import Settings
    from vault_touchbase.git.remote import RemoteResult, Upstream
    from vault_touchbase.git.repo import GitRepo
    from vault_touchbase.vault.folder import Vault

PUSH_ATTEMPTS = 3
SYNC_CLASH = "from a sync"  # in the messages of contacts.py's clash problems

_AUTH = (
    "authentication failed",
    "could not read username",
    "could not read password",
    "terminal prompts disabled",
    "permission denied",
    "access denied",
    "invalid username or password",
    "returned error: 401",
    "returned error: 403",
)
_UNREACHABLE = (
    "could not resolve host",
    "unable to access",
    "connection refused",
    "connection timed out",
    "network is unreachable",
    "does not appear to be a git repository",
    "repository not found",
    "no such file or directory",
    "could not read from remote repository",
)


class SyncError(VtbError):
    """`vtb sync` stopped; the message says where things stand, the hint what to do."""


# --- the merge driver ----------------------------------------------------------------


def attributes_notice(vault: Vault, repo: GitRepo) -> str | None:
    """A notice when `.gitattributes` does not send the notes to vtb's merge drivers."""
    from vault_touchbase.git.attributes import gitattributes_text

    probes = [(vault.contacts_dir / "Someone.md", DRIVER)]
    if vault.settings.commit_index:
        probes.append((vault.index_path, INDEX_DRIVER))
        if vault.chart_path is not None:
            probes.append((vault.chart_path, INDEX_DRIVER))
    if all(repo.attribute(path, "merge") == driver for path, driver in probes):
        return None
    lines = [line for line in gitattributes_text(vault.settings).splitlines() if "merge=" in line]
    return (
        "notes are not merged by vtb's drivers: .gitattributes (in the vault) needs the "
        f"line{'s' if len(lines) > 1 else ''} " + " and ".join(f"`{line}`" for line in lines)
    )


@dataclass(frozen=True)
class DriverResult:
    """What the merge driver did: git's exit code (0 merged) and lines for git to show."""

    code: int
    messages: list[str]


def run_driver(
    base: Path, ours: Path, theirs: Path, note: str, index: bool = False
) -> DriverResult:
    """Merge `theirs` into `ours` (git's temp files; `note` is the note's path) and write the
    result to `ours`. A note that cannot be merged entry by entry (not UTF-8, broken
    frontmatter) is merged as text by `git merge-file`; only its conflicts fail."""
    from vault_touchbase.features.merge import MergeError
    from vault_touchbase.features.merge.note import merge_note
    from vault_touchbase.index.merge import merge_index
    from vault_touchbase.notes.text import NoteSyntaxError, decode

    datas = [Path(p).read_bytes() for p in (base, ours, theirs)]
    try:
        texts = [decode(data) for data in datas]
        if index:
            result = merge_index(texts[0], texts[1], texts[2])
        else:
            keys = _settings(note).keys_for("last_contacted")
            result = merge_note(texts[0], texts[1], texts[2], date_keys=keys)
    except (NoteSyntaxError, MergeError) as exc:
        return _merge_as_text(datas, ours, note, getattr(exc, "message", str(exc)))
    Path(ours).write_bytes(result.text.encode("utf-8"))
    return DriverResult(0, [f"vtb merge: {note}: {clash}" for clash in result.clashes])


def _merge_as_text(datas: list[bytes], ours: Path, note: str, why: str) -> DriverResult:
    from vault_touchbase.git.runner import merge_file

    merged, conflicts = merge_file(datas[0], datas[1], datas[2], ("this device", "base", "other"))
    Path(ours).write_bytes(merged)
    said = f"vtb merge: {note}: merged as plain text ({why})"
    if conflicts:
        return DriverResult(1, [f"{said}; {conflicts} conflict(s) to resolve by hand"])
    return DriverResult(0, [said])


def _settings(note: str) -> Settings:
    """The settings of the vault holding `note` (git runs drivers at the work tree top)."""
    from vault_touchbase.core.settings import Settings, load_settings
    from vault_touchbase.vault.folder import find_vault

    try:
        start = (Path.cwd() / note).parent if note else Path.cwd()
        return load_settings(find_vault(None, {}, start))
    except (VtbError, OSError):
        return Settings()


# --- committing what is pending ---------------------------------------------------------


def commit_pending(vault: Vault, today: date, committer: Committer) -> Outcome:
    """Commit contact notes changed outside vtb, following `autocommit`, through the same
    code as `vtb watch` (`autocommit.commit_note_changes`, which judges each note against HEAD).

    `"logs"` (the default): notes whose Log gained entries, one `touch: NAME` commit each
    (with `last_contacted` moved forward when it lags behind the Log). `"all"`: also
    every other changed note, as `edit: NAME`. `"off"`: nothing. Other files are the
    user's to commit.
    """
    from vault_touchbase.actions.autocommit import commit_note_changes, notes_unlike_head
    from vault_touchbase.actions.committing import Outcome

    outcome = Outcome()
    repo = committer.repo
    policy = vault.settings.autocommit
    if repo is None or policy == "off" or not vault.contacts_dir.is_dir():
        return outcome
    for top_rel, code in sorted(repo.status([vault.contacts_dir]).items()):
        path = repo.top / top_rel
        if code == "!!" or not top_rel.endswith(".md"):
            continue
        rel = vault.rel(path)
        if any(part.startswith(".") for part in Path(rel).parts):
            continue
        if not path.exists() and not notes_unlike_head(vault, [rel], committer):
            continue  # a deleted note already committed with its rename
        done = commit_note_changes(vault, today, rel, policy, committer)
        outcome.merge(done)
        if done.problems:
            outcome.notices.append(f"not committed: {rel} cannot be read (see `vtb check`)")
        elif path.is_file() and not done.commits and notes_unlike_head(vault, [rel], committer):
            outcome.notices.append(
                f"not committed: {rel} has changes other than new Log entries "
                '(autocommit = "logs"); commit them yourself if they block the pull'
            )
    return outcome


# --- vtb sync ----------------------------------------------------------------------------


@dataclass
class SyncResult:
    """What `vtb sync` did, for the front end to tell."""

    upstream: str = ""
    pulled: int = 0  # commits that came in
    merged: str = ""  # "fast-forward", "merge", or "" when nothing came in
    pushed: int = 0  # commits sent
    registered: bool = False  # the merge driver was (re)registered
    done: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    clashes: list[Problem] = field(default_factory=list)
    other_errors: int = 0  # errors in the notes other than clashes (a note broken by a merge?)
    index_written: bool = False


def sync(vault: Vault, today: date, python: str | None = None) -> SyncResult:
    """Commit pending touches, pull (merge) from the upstream branch, refresh the index,
    push. Raises SyncError, leaving the repository as `git status` explains."""
    from vault_touchbase.actions.committing import Committer, Outcome
    from vault_touchbase.actions.refresh import refresh
    from vault_touchbase.vault.store import vault_lock

    repo = _repo(vault)
    result = SyncResult()
    result.registered = register_merge_driver(repo, python)
    notice = attributes_notice(vault, repo)
    if notice:
        result.notices.append(notice)
    up = _upstream(repo)
    result.upstream = up.name
    outcome = Outcome()
    with vault_lock(vault.root):
        outcome.merge(commit_pending(vault, today, Committer(vault)))
        refreshed = refresh(vault, today)
        outcome.merge(refreshed.outcome)
    try:
        refreshed = _exchange(vault, today, repo, up, result, outcome) or refreshed
    except SyncError as exc:
        if outcome.commits:
            exc.message += (
                f"\n(before that, vtb committed {len(outcome.commits)} pending change"
                f"{'s' if len(outcome.commits) > 1 else ''} here, safe in this clone)"
            )
        raise
    result.done += outcome.done
    result.notices += outcome.notices
    result.index_written = outcome.index_written
    result.clashes = [p for p in refreshed.problems if SYNC_CLASH in p.message]
    errors = [p for p in refreshed.problems if p.severity == "error"]
    result.other_errors = len(errors) - len([p for p in errors if p in result.clashes])
    return result


def _exchange(
    vault: Vault, today: date, repo: GitRepo, up: Upstream, result: SyncResult, outcome: Outcome
) -> RefreshResult | None:
    """Fetch, merge, refresh, push; again when a push loses a race. The last refresh, if any."""
    from vault_touchbase.actions.refresh import refresh
    from vault_touchbase.vault.store import vault_lock

    refreshed = None
    for _ in range(PUSH_ATTEMPTS):
        fetched = git_remote.fetch(repo, up.remote)
        if not fetched.ok:
            raise _remote_error("fetch from", repo, up, fetched)
        if repo.rev(up.name) is None:
            branch = git_remote.branch(repo)
            raise SyncError(
                f"the remote {up.remote} has no branch {up.ref.removeprefix('refs/heads/')}",
                f"push it once with `git push -u {up.remote} {branch}`, then run vtb sync",
            )
        behind = git_remote.count(repo, f"HEAD..{up.name}")
        if behind:
            with vault_lock(vault.root):
                _pull(vault, repo, up, behind, result)
                refreshed = refresh(vault, today)
                outcome.merge(refreshed.outcome)
        ahead = git_remote.count(repo, f"{up.name}..HEAD")
        if not ahead:
            break
        pushed = git_remote.push(repo, up.remote, up.ref)
        if pushed.ok:
            result.pushed += ahead
            break
        if not pushed.rejected:
            raise _remote_error("push to", repo, up, pushed)
    else:
        raise SyncError(
            f"{up.remote} kept receiving new commits while vtb pushed; yours are not pushed yet",
            "run vtb sync again",
        )
    return refreshed


def _repo(vault: Vault) -> GitRepo:
    from vault_touchbase.git.repo import open_repo

    if vault.settings.git == "off":
        raise SyncError(
            'git = "off" in vtb.toml, so there is nothing to sync', "vtb sync needs git"
        )
    repo = open_repo(vault.root, vault.settings.git)
    if repo is None:
        raise SyncError(
            f"{vault.root} is not a git repository, so there is nothing to sync",
            "run `git init` there (or clone your vault), add a remote, and push once",
        )
    state = repo.in_progress()
    if state:
        raise SyncError(
            f"a git {state} is in progress in {repo.top}; vtb sync changed nothing",
            f"finish it (`git status` says how) or undo it (`git {state} --abort`), "
            "then run vtb sync again",
        )
    if repo.head() is None:
        raise SyncError("the repository has no commits yet", "commit your notes first")
    return repo


def _upstream(repo: GitRepo) -> Upstream:
    branch = git_remote.branch(repo)
    if branch is None:
        raise SyncError(
            "HEAD is detached (no branch is checked out), so vtb does not know what to sync",
            "check out your branch, e.g. `git switch main`, then run vtb sync",
        )
    up = git_remote.upstream(repo, branch)
    if up is not None:
        return up
    remotes = git_remote.remotes(repo)
    if not remotes:
        raise SyncError(
            "this vault has no git remote, so there is nothing to sync with",
            "add one with `git remote add origin URL` and push once with "
            f"`git push -u origin {branch}`; after that vtb sync does the rest",
        )
    remote = "origin" if "origin" in remotes else remotes[0]
    raise SyncError(
        f"the branch {branch} has no upstream, so vtb does not know where to sync it",
        f"push it once with `git push -u {remote} {branch}` (or, when {remote} has it "
        f"already, `git branch --set-upstream-to={remote}/{branch}`), then run vtb sync",
    )


def _pull(vault: Vault, repo: GitRepo, up: Upstream, behind: int, result: SyncResult) -> None:
    """Merge the upstream branch; stop with an explanation when git cannot finish."""
    ahead = git_remote.count(repo, f"{up.name}..HEAD")
    settings = vault.settings
    merged = git_remote.merge(
        repo,
        up.name,
        f"sync: merge {up.name}",
        identity=(settings.identity_name, settings.identity_email),
    )
    if merged.ok:
        result.pulled += behind
        result.merged = "merge" if ahead else "fast-forward"
        return
    if repo.in_progress() == "merge":
        raise SyncError(_conflicts_message(vault, repo, up), _conflicts_hint())
    raise _refused(merged.output, up)


def _conflicts_message(vault: Vault, repo: GitRepo, up: Upstream) -> str:
    contacts = repo.relpath(vault.contacts_dir) + "/" if vault.settings.contacts != "." else ""
    lines = [f"the pull from {up.name} stopped: git needs you to decide about these files"]
    for code, path in git_remote.unmerged(repo):
        quoted = shlex.quote(path)
        keep_or_drop = f"keep it (`git add -- {quoted}`) or delete it (`git rm -- {quoted}`)"
        if code == "DU":
            lines.append(f"  {path}: deleted here, changed on the other device: {keep_or_drop}")
        elif code == "UD":
            lines.append(f"  {path}: changed here, deleted on the other device: {keep_or_drop}")
        elif code in ("AU", "UA", "DD"):
            lines.append(
                f"  {path}: renamed differently on the two devices (or renamed on one and "
                f"deleted on the other): {keep_or_drop}"
            )
        else:
            what = "a contact note vtb could not merge" if path.startswith(contacts) else "a file"
            lines.append(
                f"  {path}: {what}, changed on both devices: edit it, keep what you want "
                f"between the <<<<<<< and >>>>>>> lines, then `git add -- {quoted}`"
            )
    return "\n".join(lines)


def _conflicts_hint() -> str:
    return (
        "then `git commit --no-edit` and run vtb sync again; or undo the pull with "
        "`git merge --abort` (`git status` shows where things stand)"
    )


def _refused(output: str, up: Upstream) -> SyncError:
    files = [line.strip() for line in output.splitlines() if line.startswith(("\t", "    "))]
    listing = ", ".join(files[:10]) + (" ..." if len(files) > 10 else "")
    if "would be overwritten" in output and "untracked" in output:
        return SyncError(
            f"the pull from {up.name} would overwrite files here that git does not track: "
            f"{listing}; nothing was changed",
            "move them away (or commit them), then run vtb sync again",
        )
    if "unrelated histories" in output:
        return SyncError(
            f"this vault and {up.name} share no history (two separate `git init`s?); "
            "nothing was changed",
            "clone the remote and move your notes into the clone, or join the two once with "
            f"`git merge --allow-unrelated-histories {up.name}`",
        )
    if "would be overwritten" in output:
        return SyncError(
            f"the pull from {up.name} would overwrite your uncommitted changes to: {listing}; "
            "nothing was changed",
            "commit them (`git commit -- PATH`) or undo them, then run vtb sync again",
        )
    return SyncError(f"`git merge {up.name}` failed:\n{_tail(output)}", "fix what git says")


def _remote_error(action: str, repo: GitRepo, up: Upstream, result: RemoteResult) -> SyncError:
    url = git_remote.remote_url(repo, up.remote)
    where = f"{up.remote} ({url})" if url else up.remote
    said = result.output.lower()
    if any(word in said for word in _AUTH):
        return SyncError(
            f"could not {action} {where}: it wants a login vtb cannot give\n{_tail(result.output)}",
            "vtb never asks for passwords: set up an SSH key or a git credential helper so that "
            f"`git fetch {up.remote}` works without a prompt, then run vtb sync again",
        )
    if any(word in said for word in _UNREACHABLE):
        return SyncError(
            f"could not reach {where}\n{_tail(result.output)}",
            "check the address (`git remote -v`) and your connection, then run vtb sync again",
        )
    return SyncError(f"could not {action} {where}:\n{_tail(result.output)}", "fix what git says")


def _tail(output: str, lines: int = 6) -> str:
    kept = output.strip().splitlines()[-lines:]
    return "\n".join("  " + line for line in kept) or "  (git said nothing)"
