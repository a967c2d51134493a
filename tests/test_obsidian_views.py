"""`vtb init`'s files for Obsidian: People.base (Bases views) and .obsidian/types.json."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import yaml
from click.testing import CliRunner
from conftest import EXAMPLE, FIXTURES, Vtb, git, snapshot_bytes

from vault_touchbase.cli.main import cli
from vault_touchbase.core.errors import SettingsError
from vault_touchbase.core.settings import DIALECT_KEYS, load_settings, parse_settings
from vault_touchbase.features.people_base import unchanged_since_vtb

if TYPE_CHECKING:
    from bases_expr import Note

    from vault_touchbase.core.model import Contact

OBSIDIAN = FIXTURES / "obsidian"


@pytest.fixture
def fresh(example_copy: Path) -> Path:
    """example-vault as the top of its own repository, as it was before Obsidian and
    `vtb init` gave it People.base and .obsidian/."""
    (example_copy / "People.base").unlink()
    shutil.rmtree(example_copy / ".obsidian")
    git(example_copy, "init", "-q")
    git(example_copy, "add", "-A")
    git(example_copy, "commit", "-qm", "initial")
    return example_copy


def init(target: Path) -> str:
    result = CliRunner().invoke(cli, ["init", str(target)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def committed(vault: Path, rel: str) -> bool:
    """`rel` is in git as it is on disk."""
    tracked = git(vault, "ls-files", "--", rel).strip() == rel
    return tracked and git(vault, "status", "--porcelain", "--", rel).strip() == ""


def refs(text: str, pattern: str) -> set[str]:
    return set(re.findall(pattern, text))


def every_string(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for k, v in node.items() for s in (k, *every_string(v))]
    if isinstance(node, list):
        return [s for item in node for s in every_string(item)]
    return []


def check_base(vault: Path) -> dict[str, object]:
    """People.base parses as YAML, and every key, formula and folder it names is real."""
    settings = load_settings(vault)
    text = (vault / settings.bases_file).read_text(encoding="utf-8")
    base = yaml.safe_load(text)
    assert set(base) == {"filters", "formulas", "properties", "views"}
    assert f'file.inFolder("{settings.contacts}")' in base["filters"]["and"]
    formulas = base["formulas"]
    strings = every_string(base)
    # every formula named anywhere is defined
    named = {m for s in strings for m in refs(s, r"formula\.([a-z_]+)")}
    assert named <= set(formulas), named - set(formulas)
    # every frontmatter key read is one vtb reads for one of its fields
    readable = {key for canonical in DIALECT_KEYS for key in settings.keys_for(canonical)}
    read = {m for s in formulas.values() for m in refs(s, r'note\["([^"]+)"\]')}
    assert read and read <= readable, read - readable
    # Bases' `m` is a minute: a month must be `M`
    assert not re.search(r'"\d+m"', formulas["every"])
    views = {view["name"]: view for view in base["views"]}
    assert set(views) - {"Map"} == {"Everyone", "Due this month", "By circle"}
    assert views["Everyone"]["type"] == "table"
    assert views["Everyone"]["order"] == [
        "formula.name",
        "formula.circle",
        "formula.channel",
        "formula.cadence",
        "formula.last_contact",
        "formula.days_since",
        "formula.next_due",
    ]
    assert views["By circle"]["type"] == "cards"
    assert views["By circle"]["groupBy"] == {"property": "formula.circle", "direction": "ASC"}
    assert "formula.next_due" in views["Due this month"]["filters"]["and"][0]
    return base


def test_people_base_on_the_example_vault_reads_its_keys_and_cadences(
    fresh: Path,
) -> None:
    output = init(fresh)
    assert "added People.base" in output
    base = check_base(fresh)
    formulas = base["formulas"]
    assert isinstance(formulas, dict)
    # the dialects the example's notes use, in vtb's order
    last = formulas["last_contact"]
    for key in ("last_contacted", "last_chat", "prm-last-contacted", "last_contact"):
        assert f'date(note["{key}"])' in last
    assert last.index('"last_contacted"') < last.index('"last_chat"')
    assert 'note["prm-cadence"]' in formulas["cadence"]
    assert 'note["prm-snooze-until"]' in formulas["snooze_until"]
    # the vault's own cadences and defaults (vtb.toml: visit quarterly, call monthly)
    assert '== "bimonthly", "2M"' in formulas["every"]
    assert '== "quarterly", "3M"' in formulas["every"]
    assert 'formula.channel == "call", "monthly", "quarterly"' in formulas["cadence"]
    # committed with what init writes
    assert committed(fresh, "People.base")


def test_people_base_follows_the_settings(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "vtb.toml").write_text(
        'contacts = "People/friends"\nbases_file = "Views/Friends.base"\n'
        '[aliases]\nlast_contacted = ["last_seen"]\n'
        '[cadence]\ndefault = "6w"\n[channel.by_circle]\nneighbours = "visit"\n'
    )
    init(vault)
    assert not (vault / "People.base").exists()
    base = check_base(vault)
    formulas = base["formulas"]
    assert isinstance(formulas, dict)
    assert 'date(note["last_seen"])' in formulas["last_contact"]
    assert '"6w"' in formulas["cadence"]
    assert 'formula.circle == "neighbours", "visit", "email"' in formulas["channel"]
    assert committed(vault, "Views/Friends.base")


def test_a_map_view_only_where_notes_have_coordinates(fresh: Path) -> None:
    init(fresh)
    base = check_base(fresh)
    assert "Map" not in [view["name"] for view in base["views"]]  # addresses, no coordinates
    (fresh / "People.base").unlink()
    jane = fresh / "contacts" / "Jane Doe.md"
    jane.write_text(jane.read_text().replace("---\n", '---\ncoordinates: "42.52, -92.45"\n', 1))
    init(fresh)
    base = check_base(fresh)
    (view,) = [view for view in base["views"] if view["name"] == "Map"]
    assert view["type"] == "map" and view["coordinates"] == "note.coordinates"


def test_bases_false_writes_no_base(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "vtb.toml").write_text("bases = false\n")
    init(vault)
    assert not list(vault.glob("*.base"))


@pytest.mark.parametrize(
    "line", ['bases = "yes"', 'bases_file = "People.md"', 'bases_file = "../People.base"']
)
def test_bad_bases_settings_are_named(line: str) -> None:
    with pytest.raises(SettingsError, match="bases"):
        parse_settings(line + "\n")


def test_init_twice_changes_nothing(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    (vault / ".obsidian").mkdir(parents=True)
    init(vault)
    before = snapshot_bytes(vault)
    head = git(vault, "rev-parse", "HEAD")
    assert "nothing changed" in init(vault)
    assert snapshot_bytes(vault) == before
    assert git(vault, "rev-parse", "HEAD") == head


def test_a_base_the_user_changed_is_left_alone_and_said_so(fresh: Path) -> None:
    init(fresh)
    path = fresh / "People.base"
    # Obsidian saves a view it changed as its own YAML: vtb's first line is gone
    edited = path.read_text().split("\n", 1)[1].replace("name: Everyone", "name: All of them")
    path.write_text(edited)
    (fresh / "contacts" / "New.md").write_text("---\nlast_seen_at: 2026-01-01\n---\n")
    output = init(fresh)
    assert path.read_text() == edited
    assert "People.base is not as vtb wrote it" in output
    assert "leaves it alone" in output
    # a small edit below vtb's first line counts as well
    git(fresh, "checkout", "--", "People.base")
    mine = path.read_text().replace("direction: ASC", "direction: DESC", 1)
    path.write_text(mine)
    assert "is not as vtb wrote it" in init(fresh)
    assert path.read_text() == mine


def test_a_base_of_the_users_own_is_never_replaced(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    mine = "views:\n  - type: table\n    name: My people\n"
    (vault / "People.base").write_text(mine)
    output = init(vault)
    assert (vault / "People.base").read_text() == mine
    assert "People.base is not as vtb wrote it" in output
    assert "added People.base" not in output
    assert git(vault, "ls-files", "People.base").strip() == ""  # nor committed


def test_vtbs_own_base_is_rewritten_when_the_vault_changes_and_committed(
    fresh: Path,
) -> None:
    init(fresh)
    path = fresh / "People.base"
    assert "lastSeen" not in path.read_text()
    (fresh / "vtb.toml").write_text(
        (fresh / "vtb.toml").read_text() + '\n[aliases]\nlast_contacted = ["lastSeen"]\n'
    )
    git(fresh, "commit", "-qam", "alias")
    output = init(fresh)
    assert "People.base (updated" in output
    assert 'note["lastSeen"]' in path.read_text()
    assert unchanged_since_vtb(path.read_text())
    assert "People.base" in git(fresh, "show", "--name-only", "--format=", "HEAD")
    assert git(fresh, "status", "--porcelain").strip() == ""


def test_the_digest_survives_a_crlf_checkout(fresh: Path) -> None:
    init(fresh)
    text = (fresh / "People.base").read_text()
    assert unchanged_since_vtb(text.replace("\n", "\r\n"))
    assert not unchanged_since_vtb(text.replace("Everyone", "Everybody"))
    assert not unchanged_since_vtb(text.split("\n", 1)[1])


def test_refresh_never_touches_the_base(fresh: Path) -> None:
    init(fresh)
    before = (fresh / "People.base").read_bytes()
    (fresh / "People.base").write_bytes(before + b"# mine\n")
    assert Vtb(fresh)("refresh").exit_code == 0
    assert (fresh / "People.base").read_bytes() == before + b"# mine\n"


# --- .obsidian/types.json ---------------------------------------------------


def test_types_are_added_and_the_users_kept_in_place(fresh: Path) -> None:
    (fresh / ".obsidian").mkdir()
    original = (OBSIDIAN / "types.json").read_text()
    (fresh / ".obsidian" / "types.json").write_text(original)
    git(fresh, "add", "-A")
    git(fresh, "commit", "-qm", "obsidian")
    output = init(fresh)
    text = (fresh / ".obsidian" / "types.json").read_text()
    types = json.loads(text)["types"]
    # the user's types are theirs, even where vtb would say otherwise
    assert types["cadence"] == "number" and types["circle"] == "multitext"
    assert types["lastTalk"] == "date" and types["tags"] == "tags"
    assert types["last_contacted"] == "date" and types["snooze_until"] == "date"
    assert types["offers"] == "multitext" and types["needs"] == "multitext"
    assert types["nearby"] == "checkbox" and types["paused"] == "checkbox"
    assert types["channel"] == "text"
    # the dialects the notes use for vtb's dates and switches
    assert types["last_chat"] == types["prm-last-contacted"] == "date"
    assert types["prm-snooze-until"] == "date"
    assert "prm-cadence" not in types  # a number of days, not text
    assert "last_contact" not in types  # contacts-ng's: often a link to a daily note
    assert "birthday" not in types  # MM-DD is no date to Obsidian
    # a minimal edit: the old text, its last entry followed by vtb's, in Obsidian's layout
    head = original[: original.rindex('"lastTalk": "date"') + len('"lastTalk": "date"')]
    assert text.startswith(head + ',\n    "last_contacted": "date",\n')
    assert text.endswith('"\n  }\n}')
    assert ".obsidian/types.json (property types added: last_contacted" in output
    assert committed(fresh, ".obsidian/types.json")
    assert "nothing changed" in init(fresh)


def test_a_new_types_json_where_obsidian_has_none_yet(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    (vault / ".obsidian").mkdir(parents=True)
    (vault / ".obsidian" / "app.json").write_text("{}")
    init(vault)
    text = (vault / ".obsidian" / "types.json").read_text()
    assert json.loads(text)["types"]["last_contacted"] == "date"
    assert text.startswith('{\n  "types": {\n    "last_contacted": "date",')
    assert git(vault, "status", "--porcelain").strip() == "?? .obsidian/app.json"


def test_a_broken_types_json_is_reported_and_left_alone(fresh: Path) -> None:
    (fresh / ".obsidian").mkdir()
    shutil.copy(OBSIDIAN / "types-broken.json", fresh / ".obsidian" / "types.json")
    before = (fresh / ".obsidian" / "types.json").read_bytes()
    output = init(fresh)
    assert (fresh / ".obsidian" / "types.json").read_bytes() == before
    assert ".obsidian/types.json left alone: it is not valid JSON" in output
    assert "fix it" in output


def test_example_vaults_files_are_what_init_writes_now(example_repo: Path) -> None:
    before = snapshot_bytes(example_repo)
    output = init(example_repo)
    assert "People.base" not in output and "types.json" not in output
    for rel in ("People.base", ".obsidian/types.json"):
        assert (example_repo / rel).read_bytes() == before[rel] == (EXAMPLE / rel).read_bytes()
    assert unchanged_since_vtb((EXAMPLE / "People.base").read_text())


def test_no_obsidian_folder_is_made(fresh: Path) -> None:
    init(fresh)
    assert not (fresh / ".obsidian").exists()


# --- what the formulas compute, against vtb's own rules --------------------------


def evaluated(vault: Path, today: date) -> list[tuple[Contact, Note]]:
    """Each contact of the vault, and its note as the generated People.base sees it."""
    from bases_expr import Note

    from vault_touchbase.features.people_base import base_text
    from vault_touchbase.notes.text import frontmatter_of
    from vault_touchbase.vault.folder import Vault
    from vault_touchbase.vault.load import load_vault

    settings = load_settings(vault)
    contacts = load_vault(Vault(vault, settings)).contacts
    formulas = yaml.safe_load(base_text(contacts, settings))["formulas"]
    return [
        (c, Note(c.path, frontmatter_of((vault / c.path).read_text()), formulas, today))
        for c in contacts
    ]


def check_against_vtb(vault: Path, today: date) -> int:
    """The views' last contact, channel, cadence, next due and "due this month" are vtb's
    for every note (from its frontmatter: Bases cannot read the Log). Returns how many
    notes' channels differ (vtb falls back to a channel the note makes possible)."""
    from bases_expr import _duration

    from vault_touchbase.core import plan
    from vault_touchbase.core.cadence import month_end
    from vault_touchbase.features.people_base import THIS_MONTH, TOUCHED, duration

    settings = load_settings(vault)
    differ = 0
    for contact, note in evaluated(vault, today):
        meta = note.meta
        keys = [k for k in settings.keys_for("last_contacted") if meta.get(k)]
        last = meta[keys[0]] if keys else None
        assert note.formula("last_contact") == last, contact.path
        assert note.formula("name").display in (contact.name, contact.stem)
        mine = replace(contact, last_contacted=last)
        channel = note.formula("channel")
        if channel != plan.channel_of(contact, settings):
            assert not plan._possible(contact, channel), contact.path
            differ += 1
        cadence = plan.cadence_of(mine, settings, channel)
        every = note.formula("every")
        assert (_duration(every) if every else None) == (
            _duration(duration(cadence)) if not cadence.never else None
        ), (contact.path, every, cadence)
        due = plan.next_due(mine, cadence, today)
        assert note.formula("next_due") == due, (contact.path, due)
        touched = last is not None and last >= today.replace(day=1)
        in_view = due is not None and due <= month_end(today) and not touched
        assert (note.eval(THIS_MONTH) and not note.eval(TOUCHED)) == in_view, contact.path
        if last is not None:
            assert note.formula("days_since") == (today - last).days
    return differ


@pytest.mark.parametrize("today", [date(2026, 11, 26), date(2027, 1, 31)])
def test_the_formulas_compute_what_vtb_does_on_the_example(today: date) -> None:
    assert check_against_vtb(EXAMPLE, today) <= 3


def test_the_formulas_follow_the_defaults_of_the_settings(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    (vault / "people").mkdir(parents=True)
    (vault / "vtb.toml").write_text(
        'contacts = "people"\n[cadence]\ndefault = "yearly"\n'
        '[cadence.by_channel]\ncall = "2w"\nvisit = "6w"\n'
        '[cadence.by_circle]\nwork = "6m"\nclose = "1w"\n'
        '[channel.by_circle]\nwork = "call"\n'
    )
    notes = {
        "a": "circle: work\nphone: '1'\nlast_contacted: 2026-10-01",
        "b": "circle: work\nchannel: email\nemail: b@x\nlast_contacted: 2026-05-31",
        "c": "circle: close\nchannel: visit\nnearby: true\nlast_contacted: 2026-11-20",
        "d": "circle: other\nnearby: true\nlast_contacted: 2026-09-30",
        "e": "email: e@x\nlast_contacted: 2025-12-31",
        "f": "cadence: 3 weeks\nemail: f@x\nlast_contacted: 2026-11-01",
        "g": "prm-cadence: 45\nemail: g@x\nprm-last-contacted: 2026-10-20",
        "h": "cadence: Fortnightly\nemail: h@x\nlast_contacted: 2026-11-01\n"
        "snooze_until: 2026-12-24",
        "i": "email: i@x\npaused: true\nlast_contacted: 2020-01-01",
        "j": "email: j@x",
        "k": "cadence: 2m\nemail: k@x\nlast_contacted: 2026-09-30",
    }
    for name, meta in notes.items():
        (vault / "people" / f"{name}.md").write_text(f"---\n{meta}\n---\n")
    for today in (date(2026, 11, 26), date(2026, 12, 31)):
        assert check_against_vtb(vault, today) == 0
