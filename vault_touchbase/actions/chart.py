"""The chart beside the index note, drawn by `vtb refresh` and the watcher on new data."""

from __future__ import annotations

from datetime import date

from vault_touchbase.core.errors import InTheWay, VtbError, WriteFailed
from vault_touchbase.core.model import Contact
from vault_touchbase.vault.folder import Vault


def write_chart(vault: Vault, contacts: tuple[Contact, ...] | list[Contact], today: date) -> bool:
    """Draw the chart when its data differs from the digest in the one on disk (only then is
    pygal imported); True when written. Never over a file vtb did not draw, nor through a
    link: a VtbError says so."""
    from vault_touchbase.features.stats.chart import (
        HEAD_BYTES,
        chart_data,
        digest_in,
        draw,
        is_chart,
    )
    from vault_touchbase.features.stats.months import month_figures

    path, name = vault.chart_path, vault.settings.chart_file
    if path is None:
        return False
    from vault_touchbase.vault.listing import through_link
    from vault_touchbase.vault.store import atomic_write, cause_of, kind_of

    data = chart_data(month_figures(contacts, vault.settings, today))
    kind = kind_of(path)
    if kind is not None:
        raise InTheWay(name, kind, "the chart", "chart")
    try:
        with open(path, "rb") as handle:
            head: bytes | None = handle.read(HEAD_BYTES)
    except FileNotFoundError:
        head = None
    except OSError:
        head = b""  # not readable: not a chart vtb drew, and left as it is
    if head is not None and digest_in(head) == data.digest():
        return False
    if head is not None and not is_chart(head):
        raise VtbError(
            f"{name} exists and was not drawn by vtb; it is left as it is",
            'rename that file, or set `chart = "..."` in vtb.toml to another name ("" for none)',
        )
    if through_link(vault, name):
        raise VtbError(
            f"{name} is reached through a link; vtb never writes through links",
            'replace the link with the file itself, or set `chart = "..."` in vtb.toml',
        )
    svg = draw(data)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, svg)
    except WriteFailed as exc:
        raise exc.naming(name) from exc
    except OSError as exc:
        raise WriteFailed(name, cause_of(exc)) from exc
    return True
