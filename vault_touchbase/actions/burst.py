"""Many notes changed at once (an import by another tool, a sync): a few commits listing each."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from vault_touchbase.actions.autocommit import (
    Change,
    DeletedNotes,
    check_policy,
    judge_change,
    ready_to_commit,
)
from vault_touchbase.actions.committing import Committer, Outcome
from vault_touchbase.vault.folder import Vault

CHUNK = 500
"""At most this many notes in one commit: a commit is a moment to stop, and its message
stays readable."""

Progress = Callable[[int, int], None]
"""(notes looked at, notes in all): called after each commit of a burst."""


def commit_many(
    vault: Vault,
    today: date,
    rels: Iterable[str],
    policy: str,
    committer: Committer,
    *,
    progress: Progress | None = None,
    stopped: Callable[[], bool] | None = None,
) -> Outcome:
    """Commit what the user (or another tool) changed in many notes, judged against HEAD
    note by note exactly as `commit_note_changes` judges one, but in a few commits:
    one `touch: N people` for the touches and (`policy` "all") one for the other
    changes, per CHUNK notes. Each commit has a `Vtb-Contact:` trailer per note, so
    `git log -- NOTE` and `vtb history` still show each person's touch.

    `stopped()` is asked before each note: once it is true, what was judged is
    committed and the rest left as it is (a notice says how many); the next catch-up
    (`vtb watch` at start, `vtb sync`) finds those notes unlike HEAD and commits them.
    Runs under the vault lock.
    """
    from vault_touchbase.vault.store import vault_lock

    check_policy(policy)
    todo = sorted(set(rels))
    outcome = Outcome()
    if policy == "off" or not todo:
        return outcome
    with vault_lock(vault.root):
        repo = committer.repo
        if repo is None or not ready_to_commit(committer, todo, outcome):
            return outcome
        codes = repo.status([vault.path_of(rel) for rel in todo])
        untracked = {rel for rel in todo if codes.get(repo.relpath(vault.path_of(rel))) == "??"}
        deleted = DeletedNotes(vault, repo)
        touches: list[Change] = []
        others: list[Change] = []
        for count, rel in enumerate(todo):
            if stopped is not None and stopped():
                outcome.notices.append(
                    f"stopped: {len(todo) - count} changed notes left to commit at the next start"
                )
                break
            change = judge_change(
                vault, repo, today, rel, policy, deleted, outcome, new=rel in untracked
            )
            if change is not None:
                (touches if change.kind == "touch" else others).append(change)
            if len(touches) + len(others) >= CHUNK:
                _commit_group(committer, touches, others, outcome)
                touches, others = [], []
                if progress is not None:
                    progress(count + 1, len(todo))
        else:
            count = len(todo)
        _commit_group(committer, touches, others, outcome)
        if progress is not None and count:
            progress(count, len(todo))
    return outcome


def _commit_group(
    committer: Committer, touches: list[Change], others: list[Change], outcome: Outcome
) -> None:
    for changes in (touches, others):
        if changes:
            _commit_changes(committer, changes, outcome)


def _commit_changes(committer: Committer, changes: list[Change], outcome: Outcome) -> None:
    """One commit of several notes' changes of one sort (touches, or other changes)."""
    kinds = sorted({c.kind for c in changes})
    count = len(changes)
    if kinds == ["touch"]:
        subject = f"touch: {count} {'person' if count == 1 else 'people'}"
    else:
        noun = "note" if count == 1 else "notes"
        subject = f"{kinds[0]}: {count} {noun}" if len(kinds) == 1 else f"edit: {count} {noun}"
    lines = []
    for change in changes:
        head = f"{change.kind}: {change.name}" + (f" ({change.channel})" if change.channel else "")
        lines.append(head + "".join(f"\n  {line}" for line in change.lines))
    paths = [path for change in changes for path in change.paths]
    trailers = {
        "Vtb-Contact": [change.paths[0] for change in changes],
        "Vtb-Renamed-From": [c.renamed_from for c in changes if c.renamed_from],
    }
    before = len(outcome.commits)
    committer.commit(paths, subject + "\n\n" + "\n".join(lines), trailers, outcome)
    if len(outcome.commits) > before:
        outcome.done.append(f"committed {subject}")
