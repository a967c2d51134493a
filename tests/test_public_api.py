"""The public API, used exactly as a script would: `from vault_touchbase import ...`."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from conftest import TODAY, Vtb

import vault_touchbase


def test_a_script_gets_the_people_vtb_due_lists_in_the_same_order(example_copy: Path) -> None:
    from vault_touchbase import due_items, load_vault, open_vault

    vault = open_vault(str(example_copy))  # a script passes a plain string
    loaded = load_vault(vault)
    items = due_items(vault, loaded, date.fromisoformat(TODAY))

    listed = json.loads(Vtb(example_copy)("due", "--json").stdout)
    assert listed  # the example vault has people due: the comparison means something
    assert [(i.name, i.contact.path, i.status, i.due.isoformat()) for i in items] == [
        (row["name"], row["path"], row["status"], row["due"]) for row in listed
    ]
    assert loaded.contacts and all(c.path.startswith("contacts/") for c in loaded.contacts)
    assert isinstance(loaded, vault_touchbase.LoadResult)
    assert all(isinstance(p, vault_touchbase.Problem) for p in loaded.problems)


def test_due_items_defaults_to_today(example_copy: Path) -> None:
    from vault_touchbase import due_items, load_vault, open_vault

    vault = open_vault(example_copy)
    loaded = load_vault(vault)
    assert due_items(vault, loaded) == due_items(vault, loaded, date.today())


def test_every_name_in___all___imports() -> None:
    assert set(vault_touchbase.__all__) >= {"open_vault", "load_vault", "due_items"}
    for name in vault_touchbase.__all__:
        namespace: dict[str, object] = {}
        exec(f"from vault_touchbase import {name}", namespace)  # noqa: S102 - as a script does
        assert namespace[name] is getattr(vault_touchbase, name)
    assert set(vault_touchbase.__all__) <= set(dir(vault_touchbase))


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_thing"):
        getattr(vault_touchbase, "no_such_thing")  # noqa: B009


def test_importing_the_package_imports_none_of_it() -> None:
    """`import vault_touchbase` (and so `vtb --help`) loads the API only when it is used."""
    code = "import sys, vault_touchbase; print(sorted(m for m in sys.modules if m.startswith('vault_touchbase')))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(out.replace("'", '"')) == ["vault_touchbase"]
