"""The index note built from the vault: load and plan (`snapshot`), render, write.

No ticks are read here (that is `ticks.py`, run first by `refresh.py`): this
module only turns the vault as loaded into the index note's text and file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

from vault_touchbase.actions.committing import Committer, Outcome
from vault_touchbase.core.errors import InTheWay, VtbError, WriteFailed
from vault_touchbase.core.model import Contact, LoadResult, Problem
from vault_touchbase.core.plan import DueItem, HourPlan, due_items, hour_plan
from vault_touchbase.index.render import IndexInput, is_generated, render
from vault_touchbase.index.ticks import Tick, keep_ticked
from vault_touchbase.vault.folder import Progress, Vault
from vault_touchbase.vault.load import load_vault

if TYPE_CHECKING:
    from vault_touchbase.vault.cache import Listing
    from vault_touchbase.vault.memo import Recalled
    from vault_touchbase.vault.parallel import Beside


@dataclass(frozen=True)
class Snapshot:
    """The vault loaded and planned for one `today`."""

    loaded: LoadResult
    items: list[DueItem]
    plan: HourPlan


def plan_for(vault: Vault, loaded: LoadResult, today: date) -> Snapshot:
    """Who is due and this hour's plan, for contacts already loaded."""
    items = due_items(loaded.contacts, vault.settings, today)
    return Snapshot(loaded, items, hour_plan(items, loaded.contacts, vault.settings, today))


def snapshot(
    vault: Vault, today: date, progress: Progress | None = None, listing: Listing | None = None
) -> Snapshot:
    """Load every contact and work out who is due and this hour's plan (`listing`: the
    notes as listed under the vault lock this process still holds)."""
    loaded = load_vault(vault, progress, listing=listing, gists=wants_gists(vault))
    return plan_for(vault, loaded, today)


def wants_gists(vault: Vault) -> bool:
    """Whether Now.md lists needs: then a load keeps each note's gist in the parse cache
    (see `notes/gist.py`), for "Who can help you", rather than work 10,000 out each time."""
    from vault_touchbase.features.drafts.news import read_needs

    try:
        return bool(read_needs(vault))
    except VtbError:
        return False


def unreachable_problems(contacts: Iterable[Contact]) -> list[Problem]:
    """A warning for each person the note gives no way to reach (no email, phone, nor
    nearby), for `vtb check`: their task line says so, but nothing can be planned."""
    from vault_touchbase.core.plan import NO_WAY, reachable

    return [
        Problem(
            contact.path,
            1,
            "warning",
            f"{NO_WAY} for {contact.name}",
            "add an email or phone, or `nearby: true` if you can walk over",
        )
        for contact in contacts
        if not contact.paused and not reachable(contact)
    ]


def future_date_problems(vault: Vault, contacts: Iterable[Contact], today: date) -> list[Problem]:
    """A last contact after `today` (a typo such as 2062 for 2026) hides a person for
    years: a warning with the line of the date, in `vtb check` and the index note."""
    from vault_touchbase.notes.text import decode, split_note, top_level_keys

    found: list[Problem] = []
    for contact in contacts:
        if contact.last_contacted is None or contact.last_contacted <= today:
            continue
        entry = next((e for e in contact.log if e.date > today), None)
        key = contact.keys.get("last_contacted", "last_contacted")
        line = entry.line if entry else 1
        if entry is None:
            try:
                parts = split_note(decode(vault.path_of(contact.path).read_bytes()))
                keys = dict(top_level_keys(parts.frontmatter or "", parts.frontmatter_line))
                line = keys.get(key, 1)
            except (OSError, ValueError):
                pass
        where = "a Log entry" if entry else key
        found.append(
            Problem(
                contact.path,
                line,
                "warning",
                f"{where} says {contact.last_contacted}, after today ({today}); "
                "they are not due until long after that",
                "fix the date if it is a typo",
            )
        )
    return found


def index_input(
    vault: Vault,
    snap: Snapshot,
    today: date,
    extra: Iterable[Problem] = (),
    intros: Introductions | None = None,
) -> IndexInput:
    """Everything the index note shows, from a snapshot. `intros`: waits for the
    introductions `start_intros` started, and is left for `render` to call at their
    section, so the due lists are rendered while a child matches them (without it, they
    are matched here)."""
    from vault_touchbase.core.cadence import month_end
    from vault_touchbase.features.stats.going import going_lines
    from vault_touchbase.index.render import followup_lines

    contacts = snap.loaded.contacts
    helpers = helper_lines(vault, contacts, today)
    followups = followup_lines(contacts, today, month_end(today))
    going = going_lines(contacts, vault.settings, today)
    return IndexInput(
        today=today,
        items=snap.items,
        plan=snap.plan,
        contacts=contacts,
        problems=sorted([*snap.loaded.problems, *extra, *helpers[1]]),
        replies=[i for i in snap.items if i.status == "reply"],
        followups=followups,
        going=going,
        intros=intros or start_intros(vault, contacts, today)(),
        helpers=helpers[0],
    )


def start_intros(vault: Vault, contacts: Sequence[Contact], today: date) -> Introductions:
    """Start on the index's "Introductions to make"; calling what is returned gives them.

    Matching 10,000 people's offers and needs takes a tenth of a second, so the lines
    are kept between runs by exactly what matching reads (`vault/memo.recall`). When they
    must be matched again (a first run, changed offers or needs, a new month), and the
    front end asked for parallel work, a forked child matches them while this process
    plans and works out the other sections.
    """
    from vault_touchbase.features import intros
    from vault_touchbase.vault.memo import recall
    from vault_touchbase.vault.parallel import Beside, can_fork

    views = [intros.matching_input(c) for c in contacts if c.offers or c.needs]
    recalled = recall(vault, "intros", (today, views))
    if recalled.lines is not None:
        return Introductions(vault, recalled, None, recalled.lines)  # kept: no matching

    def match() -> list[str]:
        return intros.index_lines([intros.matching_view(v) for v in views], vault.settings, today)

    return Introductions(vault, recalled, Beside(match, can_fork(vault)))


def _lines(value: object) -> bool:
    return isinstance(value, list) and all(type(line) is str for line in value)


class Introductions:
    """The index's introductions as `start_intros` started them: call it for the lines
    (matched beside this process, `vault.parallel.Beside`, kept for the next run once);
    `close` only waits for a child still matching them (a rebuild that failed)."""

    def __init__(
        self,
        vault: Vault,
        recalled: Recalled,
        matching: Beside[list[str]] | None,
        lines: list[str] | None = None,
    ) -> None:
        self._vault, self._recalled, self._matching, self._lines = vault, recalled, matching, lines

    def __call__(self) -> list[str]:
        if self._lines is None and self._matching is not None:
            from vault_touchbase.vault.memo import remember

            self._lines = self._matching.result(_lines)
            remember(self._vault, "intros", self._recalled, self._lines)
        return self._lines or []

    def close(self) -> None:
        if self._matching is not None:
            self._matching.close()


def helper_lines(
    vault: Vault, contacts: Sequence[Contact], today: date
) -> tuple[list[str], list[Problem]]:
    """The index's "Who can help you" for the needs in Now.md (none: no lines, and no
    work), and a warning when Now.md cannot be read."""
    from vault_touchbase.features.drafts.news import NOW_PATH, read_needs

    try:
        needs = read_needs(vault)
    except VtbError as exc:
        return [], [Problem(NOW_PATH, 1, "warning", exc.message, exc.hint)]
    if not needs:
        return [], []
    from vault_touchbase.features.helpers import index_lines  # only for real needs

    with known_words(vault):
        return index_lines(contacts, needs, vault.settings, today), []


@contextmanager
def known_words(vault: Vault) -> Iterator[None]:
    """The synonyms and word forms the last rebuild used, from `.vtb/who-memo.pickle`, and
    any new ones kept for the next: a refresh then stems (and imports the stemmer) only
    for words it has not met, not for every need and synonym each time."""
    from vault_touchbase.features import terms
    from vault_touchbase.vault.memo import keep, kept

    key = (repr(sorted(vault.settings.synonyms.items())),)
    state: Any = kept(vault, "who", key)
    known: dict[str, str] = {}
    try:
        synonyms, forms = state
        if all(type(k) is str and type(v) is str for k, v in forms.items()):
            terms.adopt_synonyms(vault.settings, synonyms)
            terms.learn_forms(forms)
            known = forms
    except (TypeError, ValueError, AttributeError):  # none kept, or not as kept: stemmed again
        pass
    yield
    if state is None or len(terms.known_forms()) != len(known):
        synonyms = terms.synonyms_state(terms.synonyms_of(vault.settings))
        keep(vault, "who", key, (synonyms, terms.known_forms()))


def write_index(vault: Vault, text: str) -> bool:
    """Write the index note only when its bytes change. Refuses to overwrite a
    note of the user's that vtb did not make. Returns True when written."""
    from vault_touchbase.vault.listing import through_link
    from vault_touchbase.vault.store import atomic_write, cause_of, kind_of

    path = vault.index_path
    data = text.encode("utf-8")
    kind = kind_of(path)
    if kind is not None:
        raise InTheWay(vault.settings.index, kind, "the index note", "index")
    try:
        old = path.read_bytes()
    except FileNotFoundError:
        old = None
    if old == data:
        return False
    if old is not None and not is_generated(old.decode("utf-8", "replace")):
        raise VtbError(
            f"{vault.settings.index} exists and was not made by vtb; it is left as it is",
            'rename that note, or set `index = "..."` in vtb.toml to another name',
        )
    if through_link(vault, vault.settings.index):
        raise VtbError(
            f"{vault.settings.index} is reached through a link; vtb never writes through"
            " links, so the index note was not written",
            'replace the link with the note itself, or set `index = "..."` in vtb.toml',
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, data)
    except WriteFailed as exc:
        raise exc.naming(vault.settings.index) from exc
    except OSError as exc:
        raise WriteFailed(vault.settings.index, cause_of(exc)) from exc
    return True


def _start_chart(
    vault: Vault, contacts: tuple[Contact, ...], today: date
) -> Beside[tuple[bool, str]]:
    """Start drawing the chart (if its data changed): where the front end asked for
    parallel work (`Vault.parse_workers`), in a forked child while this process plans,
    renders and writes the index note. `_chart_result` waits for it.

    The child is forked with the introductions' one, before this process plans: every
    page of the loaded contacts this process then writes (a reference count) is copied
    once for both children, not once more for a child forked later (7,000 page faults of
    a cold refresh, 4.5 µs each on the project's machines)."""
    from vault_touchbase.vault.parallel import Beside, can_fork

    return Beside(lambda: _draw_chart(vault, contacts, today), can_fork(vault))


def _chart_result(drawing: Beside[tuple[bool, str]]) -> tuple[bool, str]:
    """(written, a notice when it could not be: the index note is written all the same)."""
    written, notice = drawing.result(lambda got: isinstance(got, tuple) and len(got) == 2)
    return bool(written), str(notice)


def _draw_chart(vault: Vault, contacts: tuple[Contact, ...], today: date) -> tuple[bool, str]:
    from vault_touchbase.actions.chart import write_chart

    try:
        return write_chart(vault, contacts, today), ""
    except VtbError as exc:
        hint = f" ({exc.hint})" if exc.hint else ""
        return False, f"{vault.settings.chart_file} not drawn: {exc.message}{hint}"


class IndexSummary(NamedTuple):
    """The numbers `vtb refresh` reports about the index note."""

    due: int
    overdue: int
    never: int
    planned: int
    minutes_used: int
    budget: int

    @classmethod
    def of(cls, snap: Snapshot) -> IndexSummary:
        statuses = [item.status for item in snap.items]
        return cls(
            len(statuses),
            statuses.count("overdue"),
            statuses.count("never"),
            len(snap.plan.this_hour),
            snap.plan.minutes_used,
            snap.plan.budget,
        )


@dataclass(frozen=True)
class RefreshResult:
    """What `refresh` did: the plan it wrote, whether the file changed, and problems."""

    snap: Snapshot
    written: bool
    problems: tuple[Problem, ...]
    outcome: Outcome

    @property
    def notices(self) -> list[str]:
        return self.outcome.notices

    @property
    def summary(self) -> IndexSummary:
        return IndexSummary.of(self.snap)


def rebuild_index(
    vault: Vault,
    today: date,
    committer: Committer | None = None,
    progress: Progress | None = None,
    extra: Iterable[Problem] = (),
    loaded: LoadResult | None = None,
    chart: bool = False,
    waiting: Sequence[Tick] = (),
    listing: Listing | None = None,
) -> RefreshResult:
    """Load, plan and write the index note (and commit it when `commit_index` is on).
    `loaded`: the notes as already loaded (the watcher keeps them in memory); `listing`:
    the notes as listed under the vault lock still held, to load by. `chart`:
    draw the chart next to it too, when its data changed (`vtb refresh`, the watcher).
    `waiting`: ticks that could not be logged yet, kept ticked in the new note."""
    fresh = loaded is None
    if loaded is None:
        loaded = load_vault(vault, progress, listing=listing, gists=wants_gists(vault))
    intros = start_intros(vault, loaded.contacts, today)  # matched beside the plan, if at all
    drawing = None
    try:
        drawing = _start_chart(vault, loaded.contacts, today) if chart else None
        snap = plan_for(vault, loaded, today)
        extra = [*extra, *future_date_problems(vault, snap.loaded.contacts, today)]
        text = keep_ticked(render(index_input(vault, snap, today, extra, intros)), waiting)
        written = write_index(vault, text)
        chart_written, notice = _chart_result(drawing) if drawing else (False, "")
    finally:  # a child still at work is waited for whatever happened: none is left behind
        intros.close()
        if drawing is not None:
            drawing.close()
    outcome = Outcome(index_written=written)
    if notice:
        outcome.notices.append(notice)
    paths = [vault.settings.index] if written else []
    if chart_written:
        paths.append(vault.settings.chart_file)
    if paths and vault.settings.commit_index:
        (committer or Committer(vault)).commit(
            paths,
            f"index: {today:%B %Y}",
            {"Vtb-Index": vault.settings.index},
            outcome,
        )
    result = RefreshResult(snap, written, tuple(sorted([*snap.loaded.problems, *extra])), outcome)
    # what it was built from is what this process's load saw (and the chart is drawn)
    if fresh and (chart or vault.chart_path is None):
        from vault_touchbase.vault.memo import remember_index

        summary = (tuple(result.summary), result.problems)
        remember_index(vault, today.isoformat(), snap.loaded.listing, text, summary)
    return result
