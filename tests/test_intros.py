"""Introductions: matching offers and needs, the index section, `vtb intros`, `vtb intro`."""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path

import pytest
from conftest import Vtb, git

from vault_touchbase.core.model import Cadence, Contact, LogEntry
from vault_touchbase.core.settings import Settings
from vault_touchbase.features.intros import find_intros, index_lines, match_pair
from vault_touchbase.features.terms import word_form, words
from vault_touchbase.vault.folder import Vault, open_vault
from vault_touchbase.vault.load import load_vault

TODAY = date(2026, 11, 26)


def person(
    name: str, offers: tuple[str, ...] = (), needs: tuple[str, ...] = (), **kw: object
) -> Contact:
    return Contact(path=f"contacts/{name}.md", name=name, offers=offers, needs=needs, **kw)


def pairs(contacts: list[Contact], settings: Settings | None = None) -> set[tuple[str, str]]:
    found = find_intros(contacts, settings or Settings(), TODAY)
    return {(i.giver.name, i.taker.name) for i in found}


@pytest.mark.parametrize(
    ("offer", "need"),
    [
        ("bookkeeping", "bookkeeper"),
        ("bookkeeping", "bookkeepers"),
        ("Bookkeeping", "BOOKKEEPER"),  # case
        ("accounting", "accountant"),
        ("accounting", "accountants"),
        ("photography", "photographer"),
        ("illustration", "illustrator"),
        ("babysitting", "babysitter"),
        ("piano teaching", "piano teacher"),
        ("web development", "web developer"),
        ("product design", "product designers"),
        ("carpentry", "carpenter"),
        ("café consulting", "cafe consulting"),  # accents
        ("Übersetzung", "ubersetzung"),
        ("composting advice", "composting advice"),
        ("volunteer coordination", "volunteers"),  # the need is part of the offer
        ("design job leads", "junior design job"),  # two words in common
        ("tax returns for freelancers", "taxes"),
    ],
)
def test_word_forms_case_and_accents_match(offer: str, need: str) -> None:
    found = pairs([person("Giver", offers=(offer,)), person("Taker", needs=(need,))])
    assert found == {("Giver", "Taker")}


@pytest.mark.parametrize(
    ("offer", "need"),
    [
        ("brand design", "poster design"),  # one word in common is not a match
        ("frontend development", "web developer"),
        ("UX writing", "grant writing"),
        ("ceramics classes", "accountant"),
        ("honey", "help with groceries in winter"),
        ("bike repair", "piano teacher"),
        ("translation", "transport"),
    ],
)
def test_no_false_pairs(offer: str, need: str) -> None:
    assert pairs([person("Giver", offers=(offer,)), person("Taker", needs=(need,))]) == set()


def test_synonyms_from_settings_match_and_count_a_little_less() -> None:
    settings = Settings(
        synonyms={"bookkeeping": ("accounting", "taxes"), "carpentry": ("raised beds",)}
    )
    contacts = [
        person("Daniel", offers=("bookkeeping",)),
        person("Elena", needs=("taxes",)),
        person("Walter", offers=("carpentry",)),
        person("Fatima", needs=("help with raised beds",)),
        person("Jane", needs=("bookkeeper",)),
    ]
    found = {(i.giver.name, i.taker.name): i for i in find_intros(contacts, settings, TODAY)}
    assert set(found) == {("Daniel", "Elena"), ("Walter", "Fatima"), ("Daniel", "Jane")}
    assert found["Daniel", "Jane"].strength == 1.0
    assert found["Daniel", "Elena"].strength < 1.0
    # without [synonyms]: the word form, and the built-in list's taxes ↔ bookkeeping
    assert pairs(contacts) == {("Daniel", "Jane"), ("Daniel", "Elena")}


def test_already_introduced_either_side_is_left_out() -> None:
    intro = (LogEntry(TODAY, "intro", "introduced her to [[Walter Kim]] for the beds", 10),)
    walter = Contact("contacts/garden/Walter Kim.md", "Walter Kim", offers=("carpentry",))
    fatima = Contact("contacts/Fatima.md", "Fatima", needs=("carpentry",), log=intro)
    other = Contact("contacts/Omar.md", "Omar", needs=("carpentry",))
    assert pairs([walter, fatima, other]) == {("Walter Kim", "Omar")}
    linked = (LogEntry(TODAY, "call", "told him about [[contacts/Omar|Omar]]", 10),)
    walter = Contact(walter.path, walter.name, offers=("carpentry",), log=linked)
    assert pairs([walter, other]) == set()


def test_snoozed_and_paused_people_are_left_out() -> None:
    giver = person("Giver", offers=("bookkeeping",))
    contacts = [
        giver,
        person("Snoozed", needs=("bookkeeper",), snooze_until=date(2026, 12, 8)),
        person("Paused", needs=("bookkeeper",), paused=True),
        person("Never", needs=("bookkeeper",), cadence=Cadence(0, "d")),
        person("Woke", needs=("bookkeeper",), snooze_until=date(2026, 11, 1)),
        person("Self", offers=("bookkeeping",), needs=("bookkeeper",)),
    ]
    assert pairs(contacts) == {("Giver", "Woke"), ("Giver", "Self"), ("Self", "Woke")}


def test_best_first_by_strength_then_closeness() -> None:
    contacts = [
        person("Far", offers=("bookkeeping",), channel="email"),
        person("Near", offers=("bookkeeping",), channel="call"),
        person("Loose", offers=("bookkeeping for artists",), channel="call"),
        person("Jane", needs=("bookkeeper",), channel="email"),
    ]
    order = [i.giver.name for i in find_intros(contacts, Settings(), TODAY)]
    assert order == ["Near", "Far", "Loose"]


def test_per_need_keeps_the_best_few_and_all_gives_everyone() -> None:
    contacts = [person(f"Giver {n:02d}", offers=("bookkeeping",)) for n in range(10)]
    contacts.append(person("Jane", needs=("bookkeeper",)))
    assert len(find_intros(contacts, Settings(), TODAY)) == 3
    assert len(find_intros(contacts, Settings(), TODAY, per_need=None)) == 10


def test_stemmer_folds_agent_nouns() -> None:
    assert word_form("photographer") == word_form("photography")
    assert word_form("writer") == word_form("writing")
    assert words("help with raised beds") == [word_form("raised"), word_form("beds")]
    assert words("help") == ["help"]  # only small words: they are kept


def test_ten_thousand_contacts_match_through_the_index_fast() -> None:
    skills = ["bookkeeping", "brand design", "illustration", "carpentry", "piano lessons"]
    needs = ["bookkeeper", "brand designer", "illustrator", "carpenter", "piano teacher"]
    contacts = [
        person(
            f"P{n:05d}",
            offers=(skills[n % 5],) if n % 3 == 0 else (),
            needs=(needs[n % 5],) if n % 3 == 1 else (),
        )
        for n in range(10_000)
    ]
    start = time.perf_counter()
    lines = index_lines(contacts, Settings(), TODAY)
    elapsed = time.perf_counter() - start
    assert len([line for line in lines if line.startswith("- [[")]) == 12
    assert elapsed < 2.0  # all pairs would be ~11 million comparisons


def test_match_pair_either_direction() -> None:
    a = person("A", needs=("illustrator",))
    b = person("B", offers=("illustration",))
    found = match_pair(a, b, Settings())
    assert found is not None and found.giver.name == "B" and found.need == "illustrator"
    assert match_pair(a, person("C", offers=("honey",)), Settings()) is None


# --- the index note and the commands -----------------------------------------------------------


def test_index_note_lists_introductions(vtb: Vtb) -> None:
    assert vtb("refresh").exit_code == 0
    text = (vtb.vault / "Touch Base.md").read_text(encoding="utf-8")
    section = text.split("## Introductions to make\n", 1)[1].split("\n## ", 1)[0]
    assert (
        "- [[contacts/Josefine Berg|Josefine Berg]] offers illustration → "
        "[[contacts/José Müller|José Müller]] needs illustrator"
    ) in section
    assert "- [ ]" not in section  # plain items, not task boxes
    assert "Walter Kim" not in section  # already introduced to Fatima
    assert "Carla Reyes" not in section  # snoozed


def test_vtb_intros_lists_and_json(vtb: Vtb) -> None:
    result = vtb("intros")
    assert result.exit_code == 0, result.output
    first = result.stdout.splitlines()[0]
    assert "Josefine Berg" in first and "José Müller" in first
    assert "introductions to make" in result.output
    data = json.loads(vtb("intros", "--json").stdout)
    assert {"giver", "taker", "offer", "need", "strength", "closeness"} <= set(data[0])
    givers = {row["giver"]["name"] for row in data if row["taker"]["name"] == "Jane Doe"}
    assert givers == {"Daniel Okafor", "Hannah Lindqvist"}
    only = vtb("intros", "jane")
    rows = only.stdout.splitlines()[:-2]
    assert len(rows) == 3 and all("Jane Doe" in line for line in rows)


def test_vtb_intro_logs_both_notes_in_one_commit(example_repo: Path) -> None:
    vtb = Vtb(example_repo)
    before = git(example_repo, "rev-list", "--count", "HEAD")
    jane_before = (example_repo / "contacts/Jane Doe.md").read_bytes()
    drafted = vtb("intro", "daniel", "jane")  # drafted, not sent: nothing changes
    assert drafted.exit_code == 0, drafted.output
    assert "--- to Daniel Okafor" in drafted.output and "--- to Jane Doe" in drafted.output
    assert "Nothing is logged yet" in drafted.output and "--log" in drafted.output
    assert git(example_repo, "rev-list", "--count", "HEAD") == before
    assert (example_repo / "contacts/Jane Doe.md").read_bytes() == jane_before
    assert git(example_repo, "status", "--porcelain") == ""
    result = vtb("intro", "daniel", "jane", "--log")
    assert result.exit_code == 0, result.output
    assert int(git(example_repo, "rev-list", "--count", "HEAD")) == int(before) + 1
    show = git(example_repo, "show", "--stat", "--format=%s%n%b", "HEAD")
    assert show.startswith("intro: Daniel Okafor ↔ Jane Doe")
    assert "contacts/Daniel Okafor.md" in show and "contacts/Jane Doe.md" in show
    jane = (example_repo / "contacts/Jane Doe.md").read_text(encoding="utf-8")
    daniel = (example_repo / "contacts/Daniel Okafor.md").read_text(encoding="utf-8")
    assert (
        "- 2026-11-26 intro: introduced to [[Daniel Okafor]] — bookkeeping ↔ bookkeeper\n" in jane
    )
    assert "- 2026-11-26 intro: introduced to [[Jane Doe]] — bookkeeping ↔ bookkeeper\n" in daniel
    assert "last_contacted: 2026-11-26" in jane
    # the double opt-in drafts, one to each
    assert "--- to Daniel Okafor" in result.output and "--- to Jane Doe" in result.output
    assert "Would you like me to?" in result.output
    # and the pair is no longer suggested
    after = json.loads(vtb("intros", "--json").stdout)
    assert not any(
        {r["giver"]["name"], r["taker"]["name"]} == {"Daniel Okafor", "Jane Doe"} for r in after
    )
    index = (example_repo / "Touch Base.md").read_text(encoding="utf-8")
    assert (
        "[[contacts/Daniel Okafor|Daniel Okafor]] offers bookkeeping → [[contacts/Jane Doe"
        not in index
    )


def test_vtb_intro_with_text_and_wrong_names(example_repo: Path) -> None:
    vtb = Vtb(example_repo)
    result = vtb("intro", "ruth", "mei", "both", "love", "compost", "--log")
    assert result.exit_code == 0, result.output
    mei = (example_repo / "contacts/garden club/Mei Chen.md").read_text(encoding="utf-8")
    assert "intro: introduced to [[Ruth Abernathy]] — both love compost" in mei
    assert vtb("intro", "ruth", "nobody-here").exit_code == 1
    same = vtb("intro", "ruth", "ruth", "--log")
    assert same.exit_code == 2 and "two different people" in same.output


def test_kept_introductions_are_what_matching_gives_after_every_kind_of_change(
    example_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index's intros are kept by what matching reads (`intros.matching_input`): each
    change that alters matching must give the freshly matched lines."""
    import vault_touchbase.features.intros as intros_module
    from vault_touchbase.actions.index_note import index_input, plan_for
    from vault_touchbase.vault.folder import open_vault
    from vault_touchbase.vault.load import load_vault

    vault = open_vault(example_repo)
    matched: list[int] = []
    real = intros_module.index_lines
    monkeypatch.setattr(
        intros_module, "index_lines", lambda *a, **k: matched.append(1) or real(*a, **k)
    )

    def index_intros(today: date = TODAY) -> list[str]:
        loaded = load_vault(vault)
        kept = list(index_input(vault, plan_for(vault, loaded, today), today).intros)
        assert kept == real(loaded.contacts, vault.settings, today)
        return kept

    def edit(name: str, old: str, new: str) -> None:
        note = example_repo / "contacts" / f"{name}.md"
        text = note.read_text(encoding="utf-8")
        assert old in text, old
        note.write_text(text.replace(old, new, 1), encoding="utf-8")

    before = index_intros()
    assert index_intros() == before and len(matched) == 1  # the second time, kept
    maria_tomas = "- [[contacts/Maria Costa|Maria Costa]] offers photography → "
    assert any(line.startswith(maria_tomas) for line in before)

    changes = [
        ("Tomás Ferreira", "needs: [photographer]", "needs: [photographer, bookkeeper]"),
        ("Maria Costa", "name: Maria Costa", "name: Maria Costa-Silva"),
        ("Maria Costa", "offers: [photography,", "offers: [pottery,"),
        ("Tomás Ferreira", "channel: email", "channel: call"),
        ("Tomás Ferreira", "## Log\n", "## Log\n- 2026-11-20 intro: met [[Daniel Okafor]]\n"),
        ("Tomás Ferreira", "last_contacted: 2026-10-16", "snooze_until: 2026-12-20"),
    ]
    seen = [before]
    for name, old, new in changes:
        edit(name, old, new)
        now = index_intros()
        assert now not in seen, f"{new!r} changed nothing: the test would prove nothing"
        seen.append(now)
    assert len(matched) == 1 + len(changes)
    assert index_intros(date(2026, 12, 21)) != seen[-1]  # the snooze is over: back in


def test_the_matching_view_holds_what_matching_reads_and_nothing_else(example_repo: Path) -> None:
    """`matching_input` is a contact's matching fields by name, in order; the view built
    from it has those (Log entries that link someone, without line numbers) and defaults."""
    from vault_touchbase.core.model import Contact
    from vault_touchbase.features.intros import MATCHING_FIELDS, matching_input, matching_view
    from vault_touchbase.vault.folder import open_vault
    from vault_touchbase.vault.load import load_vault

    loaded = load_vault(open_vault(example_repo))
    for contact in loaded.contacts:
        view = matching_view(matching_input(contact))
        for name in MATCHING_FIELDS:
            if name != "log":
                assert getattr(view, name) == getattr(contact, name), name
        linked = [e for e in contact.log if "[[" in e.text]
        assert [e._replace(line=contact.log[0].line) for e in view.log] == [
            e._replace(line=contact.log[0].line) for e in linked
        ]
        assert all(e.line == 0 for e in view.log)
        others = {"emails", "phones", "tags", "aliases", "birthday", "followups", "summary"}
        assert all(getattr(view, f) == getattr(Contact("", ""), f) for f in others)


def test_vtb_intro_to_someone_without_email_says_to_tell_them_in_person(vtb: Vtb) -> None:
    result = vtb("intro", "eleanor", "liam")
    assert result.exit_code == 0, result.output
    to_eleanor = result.stdout.split("--- to Eleanor Whitfield", 1)[1].split("--- to ", 1)[0]
    assert "(no address)" not in result.stdout
    assert "no email address for Eleanor Whitfield: tell them in person or by phone" in to_eleanor
    assert "+1 555 0175" in to_eleanor and "I'll put you two in touch." in to_eleanor
    to_liam = result.stdout.split("--- to Liam O'Connor", 1)[1]
    assert "To: Liam O'Connor <liam.oconnor@example.com>" in to_liam


@pytest.mark.parametrize(
    ("need", "offer"),
    [
        ("accountant", "bookkeeping"),
        ("accountant", "tax returns"),
        ("website", "web development"),
        ("a new website", "web design"),
        ("childcare", "babysitting"),
        ("dog sitter", "dog walking"),
    ],
)
def test_the_obvious_matches_are_found_without_settings(need: str, offer: str) -> None:
    found = pairs([person("Giver", offers=(offer,)), person("Taker", needs=(need,))])
    assert found == {("Giver", "Taker")}


def test_synonyms_in_settings_extend_the_built_in_groups() -> None:
    from vault_touchbase.features.terms import Synonyms, explain_match

    contacts = [person("Bob", offers=("tax returns",)), person("Ann", needs=("receipts",))]
    assert find_intros(contacts, Settings(), TODAY) == []
    extended = Settings(synonyms={"bookkeeping": ("receipts",)})  # joins the accountant group
    assert [(i.giver.name, i.taker.name) for i in find_intros(contacts, extended, TODAY)] == [
        ("Bob", "Ann")
    ]
    synonyms = Synonyms(dict(extended.synonyms))
    assert explain_match("receipts", "tax returns", synonyms) == (
        "“receipts” ~ “tax returns” ([synonyms])"
    )
    assert explain_match("accountant", "bookkeeping", synonyms) == (
        "“accountant” ~ “bookkeeping” (built-in synonyms)"
    )
    assert explain_match("bookkeeper", "bookkeeping", synonyms) == (
        "“bookkeeper” ~ “bookkeeping” (word forms)"
    )


def _vault_of(tmp_path: Path, notes: dict[str, str]) -> Vtb:
    vault = tmp_path / "v"
    (vault / "contacts").mkdir(parents=True)
    (vault / "vtb.toml").write_text("", encoding="utf-8")
    for name, line in notes.items():
        text = f"---\nname: {name}\n{line}\n---\n"
        (vault / "contacts" / f"{name}.md").write_text(text, encoding="utf-8")
    return Vtb(vault)


def test_vtb_intros_explain_says_why_and_no_match_points_to_synonyms(tmp_path: Path) -> None:
    vtb = _vault_of(
        tmp_path,
        {"Ann": "needs: [accountant]", "Bob": "offers: [bookkeeping]", "Cat": "needs: [website]"},
    )
    result = vtb("intros", "--explain")
    assert result.exit_code == 0, result.output
    assert "Bob  offers bookkeeping  →  Ann needs accountant" in result.stdout
    assert "why: “accountant” ~ “bookkeeping” (built-in synonyms)" in result.stdout
    rows = json.loads(vtb("intros", "--explain", "--json").stdout)
    assert rows[0]["why"] == "“accountant” ~ “bookkeeping” (built-in synonyms)"
    none = vtb("intros", "cat")
    assert "No offers and needs that match right now." in none.stdout
    assert "[synonyms] in vtb.toml" in none.stdout


def test_the_built_in_synonyms_ship_in_the_wheel() -> None:
    import tomllib

    from conftest import ROOT

    from vault_touchbase.features.terms import SYNONYMS_FILE, builtin_synonyms

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert (
        f"features/{SYNONYMS_FILE}"
        in project["tool"]["setuptools"]["package-data"]["vault_touchbase"]
    )
    assert "babysitting" in builtin_synonyms()["childcare"]


# --- the index's introductions, matched beside the plan -------------------------------------


def _index_intros(vault_path: Path, workers: int) -> tuple[Vault, tuple[Contact, ...]]:
    vault = open_vault(vault_path, parse_workers=workers)
    return vault, load_vault(vault).contacts


def test_the_index_introductions_are_matched_in_a_child_and_kept(
    example_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the front end asked for parallel work, a forked child matches the index's
    introductions while the plan is made; the lines are the same, and kept for next time."""
    import os

    from vault_touchbase.actions.index_note import start_intros

    today = date(2026, 11, 26)
    vault, contacts = _index_intros(example_copy, 1)
    here = start_intros(vault, contacts, today)()
    assert here, "example-vault has introductions to make"
    (example_copy / ".vtb" / "intros-memo.pickle").unlink()
    forks: list[int] = []
    real_fork = os.fork
    monkeypatch.setattr(os, "fork", lambda: forks.append(1) or real_fork())
    vault, contacts = _index_intros(example_copy, 2)
    assert start_intros(vault, contacts, today)() == here
    assert forks == [1]
    assert start_intros(vault, contacts, today)() == here
    assert forks == [1], "kept lines need no child"


def test_a_child_that_fails_to_match_leaves_it_to_the_parent(
    example_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from vault_touchbase.actions.index_note import start_intros
    from vault_touchbase.features import intros

    today = date(2026, 11, 26)
    vault, contacts = _index_intros(example_copy, 1)
    here = start_intros(vault, contacts, today)()
    (example_copy / ".vtb" / "intros-memo.pickle").unlink()
    parent, real = os.getpid(), intros.index_lines

    def dies_in_a_child(*args: object, **kwargs: object) -> list[str]:
        if os.getpid() != parent:
            os._exit(3)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(intros, "index_lines", dies_in_a_child)
    vault, contacts = _index_intros(example_copy, 2)
    assert start_intros(vault, contacts, today)() == here


def test_a_rebuild_that_fails_leaves_no_child_behind(
    example_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The children a rebuild forks (the introductions, the chart) are waited for even
    when rendering fails before it needs their work: the watcher, which lives for days,
    would otherwise keep one more zombie and open pipe per failed refresh."""
    import errno
    import os

    from vault_touchbase.actions import index_note

    vault, _ = _index_intros(example_copy, 2)
    (example_copy / ".vtb" / "intros-memo.pickle").unlink(missing_ok=True)

    def fails(data: object) -> str:
        raise RuntimeError("a bug in render")

    monkeypatch.setattr(index_note, "render", fails)
    with pytest.raises(RuntimeError):
        index_note.rebuild_index(vault, date(2026, 11, 26), chart=True)
    with pytest.raises(ChildProcessError) as none_left:
        os.waitpid(-1, os.WNOHANG)
    assert none_left.value.errno == errno.ECHILD
