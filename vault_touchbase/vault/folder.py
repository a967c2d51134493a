"""The vault folder: find it (--vault, VTB_VAULT, vtb.toml above) and open it with its settings."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from vault_touchbase.core.errors import VaultNotFound, VtbError
from vault_touchbase.core.settings import CONFIG_NAME, STATE_DIR, Settings, load_settings

Progress = Callable[[int, int], None]  # (done, total)


@dataclass(frozen=True)
class Vault:
    """A vault folder and its settings."""

    root: Path
    settings: Settings
    parse_workers: int = 1
    """Processes a load may parse in: 1 (the default) never forks; the `vtb` command
    asks for one per core (see `parallel.py`)."""

    @property
    def contacts_dir(self) -> Path:
        return self.root / self.settings.contacts

    @property
    def index_path(self) -> Path:
        return self.root / self.settings.index

    @property
    def chart_path(self) -> Path | None:
        """The chart `vtb refresh` draws next to the index note; None when `chart = ""`."""
        return self.root / self.settings.chart_file if self.settings.chart else None

    @property
    def state_dir(self) -> Path:
        return self.root / STATE_DIR

    def rel(self, path: Path) -> str:
        """A path inside the vault as the vault-relative, `/`-separated form notes use."""
        return path.relative_to(self.root).as_posix()

    def path_of(self, rel: str) -> Path:
        return self.root / rel


def find_vault(explicit: str | None, env: Mapping[str, str], cwd: Path) -> Path:
    """--vault, else VTB_VAULT, else the first folder up from `cwd` holding vtb.toml."""
    given = explicit or env.get("VTB_VAULT")
    if given:
        path = Path(given).expanduser()
        if not path.is_dir():
            source = "--vault" if explicit else "VTB_VAULT"
            raise VaultNotFound(
                f"{source}: {given} is not a folder",
                "give the vault's folder, or run `vtb init PATH`",
            )
        return path.resolve()
    for folder in (cwd, *cwd.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise VaultNotFound(
        f"no vault here: no {CONFIG_NAME} in {cwd} or any folder above it",
        "run `vtb init` to make one, or pass --vault PATH (or set VTB_VAULT)",
    )


def open_vault(root: Path, parse_workers: int = 1) -> Vault:
    """The vault at `root` with its settings; a missing contacts folder is an error.
    `parse_workers` > 1 lets a load parse in that many processes (see `Vault`)."""
    vault = Vault(root, load_settings(root), parse_workers)
    if not vault.contacts_dir.is_dir():
        raise VtbError(
            f"the contacts folder {vault.settings.contacts!r} does not exist in {root}",
            f'create it, or set `contacts = "..."` in {CONFIG_NAME} to your notes\' folder',
        )
    _refuse_linked_contacts(vault)
    return vault


def _refuse_linked_contacts(vault: Vault) -> None:
    """A contacts folder reached through a link is refused: vtb would write through it,
    maybe outside the vault, and git would not see the notes where vtb does."""
    real_root = os.path.realpath(vault.root)
    wanted = os.path.normpath(os.path.join(real_root, vault.settings.contacts))
    real = os.path.realpath(wanted)
    if real == wanted:
        return
    name = vault.settings.contacts
    if os.path.commonpath([real_root, real]) == real_root:
        inside = Path(os.path.relpath(real, real_root)).as_posix()
        raise VtbError(
            f"the contacts folder {name!r} is a link to {inside!r} in the vault;"
            " vtb never reads or writes notes through a link",
            f'set `contacts = "{inside}"` in {CONFIG_NAME} (the real folder)',
        )
    raise VtbError(
        f"the contacts folder {name!r} is a link to {real}, outside the vault;"
        " vtb never writes outside the vault through a link",
        f"put the folder itself in the vault in place of the link (`contacts` in"
        f" {CONFIG_NAME} names a real folder inside the vault), or keep the notes at"
        f" {real} and make that folder's own vault (`vtb init {real}`)",
    )
