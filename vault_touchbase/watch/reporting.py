"""Saying what the watcher did: each line once, each problem once while it lasts."""

from __future__ import annotations

from collections.abc import Iterable

from vault_touchbase.actions.committing import Outcome
from vault_touchbase.core.model import Problem
from vault_touchbase.watch.options import Say


class Reporter:
    """Passes what happened to `say`, without repeating notices and problems."""

    def __init__(self, say: Say) -> None:
        self.say = say
        self._reported: set[Problem] = set()
        self._notices: set[str] = set()

    def outcome(self, outcome: Outcome) -> None:
        """What a batch did; its notices and problems only when new."""
        for line in outcome.done:
            self.say("done", line)
        for notice in outcome.notices:
            if notice not in self._notices:
                self._notices.add(notice)
                self.say("info", notice)
        new = set(outcome.problems) - self._reported
        for problem in sorted(new):
            self.say("problem", str(problem))
        self._reported |= new

    def problems(self, problems: Iterable[Problem]) -> None:
        """The problems of the whole vault now: each said once while it lasts (a note fixed
        and broken again is said again), and a note fixed is said to be fine."""
        current = set(problems)
        for problem in sorted(current - self._reported):
            self.say("problem", str(problem))
        still = {p.path for p in current}
        for path in sorted({p.path for p in self._reported} - still):
            self.say("info", f"{path}: no problem any more")
        self._reported = current
