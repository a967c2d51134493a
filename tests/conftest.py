"""Shared fixtures: temporary vaults and a CLI runner."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "example-vault"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TODAY = "2026-11-26"


@pytest.fixture(autouse=True)
def _isolated_git(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Tests never read the machine's git config; they get a known identity."""
    home = tmp_path_factory.mktemp("home")
    config = home / ".gitconfig"
    config.write_text(
        "[user]\n\tname = Test User\n\temail = test@example.com\n[init]\n\tdefaultBranch = main\n"
    )
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("VTB_VAULT", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")


def git(cwd: Path, *args: str) -> str:
    """Run git in `cwd` and return its output (raises on failure)."""
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


# What `vtb refresh` leaves in example-vault (README command 1), never part of a copy.
GENERATED = (".vtb", "Touch Base.md", "touch-base-chart.svg")


@pytest.fixture
def example_copy(tmp_path: Path) -> Path:
    """A copy of example-vault, not in git."""
    target = tmp_path / "vault"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(*GENERATED))
    return target


@pytest.fixture
def example_repo(example_copy: Path) -> Path:
    """A copy of example-vault as the top of its own git repository, all committed."""
    git(example_copy, "init", "-q")
    git(example_copy, "add", "-A")
    git(example_copy, "commit", "-qm", "initial")
    return example_copy


class Vtb:
    """Runs `vtb` in-process on one vault with a fixed --today."""

    def __init__(self, vault: Path) -> None:
        self.vault = vault
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None, today: str = TODAY) -> Result:
        from vault_touchbase.cli.main import cli

        return self.runner.invoke(
            cli,
            ["--vault", str(self.vault), "--today", today, *args],
            input=input,
            catch_exceptions=False,
        )


@pytest.fixture
def vtb(example_copy: Path) -> Vtb:
    return Vtb(example_copy)


def snapshot_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (outside .git and .vtb) and its bytes."""
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_file() and not rel.startswith((".git/", ".vtb/")):
            out[rel] = path.read_bytes()
    return out


@pytest.fixture
def chdir(tmp_path: Path) -> Iterator[Path]:
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(old)
