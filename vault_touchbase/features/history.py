"""A person's timeline: their note's git history merged with its Log entries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from vault_touchbase.core.model import Contact
from vault_touchbase.vault.folder import Vault


@dataclass(frozen=True)
class Event:
    """One line of a timeline: a commit of the note, or an entry in its Log."""

    date: date
    kind: str  # "commit" or "log"
    text: str
    channel: str | None = None
    sha: str = ""
    changes: tuple[str, ...] = field(default=())  # lines added to the note in that commit
    removed: tuple[str, ...] = field(default=())  # lines it removed from the note

    def line(self) -> str:
        if self.kind == "log":
            channel = f" {self.channel}:" if self.channel else ""
            return f"{self.date}  log     {channel.strip()} {self.text}".rstrip()
        return f"{self.date}  commit  {self.sha[:7]} {self.text}"

    def change_lines(self, limit: int = 4) -> list[str]:
        """What the commit changed in the note: `- old` / `+ new` lines, or a count (a
        line's Obsidian block id left out, as Obsidian hides it)."""
        from vault_touchbase.notes.log import split_block

        if len(self.changes) + len(self.removed) > limit:
            return [f"{len(self.changes)} lines added, {len(self.removed)} removed"]
        removed = [f"- {split_block(line)[0]}" for line in self.removed]
        return removed + [f"+ {split_block(line)[0]}" for line in self.changes]

    def to_json(self) -> dict[str, object]:
        return {
            "date": self.date.isoformat(),
            "kind": self.kind,
            "text": self.text,
            "channel": self.channel,
            "sha": self.sha or None,
            "added_lines": list(self.changes),
            "removed_lines": list(self.removed),
        }


def timeline(vault: Vault, contact: Contact, max_count: int = 200) -> list[Event]:
    """Commits of the note (following renames; none without git) and Log entries, newest first."""
    from vault_touchbase.git.history import file_history
    from vault_touchbase.git.repo import open_repo

    events = [Event(e.date, "log", e.text, e.channel) for e in contact.log]
    repo = open_repo(vault.root, vault.settings.git)
    if repo is not None:
        for commit in file_history(repo, vault.path_of(contact.path), max_count=max_count):
            events.append(
                Event(
                    commit.date.date(),
                    "commit",
                    commit.subject,
                    sha=commit.sha,
                    changes=tuple(commit.added_lines),
                    removed=tuple(commit.removed_lines),
                )
            )
    events.sort(key=lambda e: (e.date, e.kind == "commit"), reverse=True)
    return events
