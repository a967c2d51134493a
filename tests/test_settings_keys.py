"""vtb.toml's keys: a typo or a setting written inside the wrong table is an error that
names it, never a setting silently ignored."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Vtb

from vault_touchbase.core.errors import SettingsError
from vault_touchbase.core.settings import TEMPLATE_TOML, parse_settings


@pytest.mark.parametrize(
    ("text", "message", "hint"),
    [
        ('contact = "People"\n', "unknown setting 'contact'", "did you mean 'contacts'?"),
        ("[hour]\nbudgett = 30\n", "unknown setting 'budgett' in [hour]", "'budget'"),
        ("[identity]\nmail = 'a@b.org'\n", "unknown setting 'mail' in [identity]", "'email'"),
        ("zzz = 1\n", "unknown setting 'zzz'", "the settings are aliases, autocommit"),
        (
            '[synonyms]\nbookkeeping = ["taxes"]\nindex = "Dash/Touch Base.md"\n',
            "index is inside [synonyms]",
            "above the first [table]",
        ),
    ],
)
def test_an_unknown_or_misplaced_setting_is_named(text: str, message: str, hint: str) -> None:
    with pytest.raises(SettingsError) as caught:
        parse_settings(text)
    assert message in caught.value.message
    assert hint in caught.value.hint


def test_every_setting_the_template_shows_is_known() -> None:
    """The template's commented lines, uncommented, are all settings vtb reads."""
    lines = [line[2:] if line.startswith("# ") else line for line in TEMPLATE_TOML.splitlines()]
    active = [line for line in lines if "=" in line or line.startswith("[")]
    text = "\n".join(line for line in active if not line.startswith("#"))
    settings = parse_settings(text)
    assert settings.hour_budget == 60 and settings.synonyms["bookkeeping"] == ("receipts",)


def test_the_error_reaches_the_user_as_a_message_not_a_traceback(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    (vault / "contacts").mkdir(parents=True)
    (vault / "vtb.toml").write_text("[hour]\nbudget = 60\ncontacts = 'People'\n")
    result = Vtb(vault)("refresh")
    assert result.exit_code != 0
    assert "unknown setting 'contacts' in [hour]" in result.output
    assert "Traceback" not in result.output
