"""The systemd user unit that runs `vtb watch` as a service."""

from __future__ import annotations

from collections.abc import Iterable


def systemd_unit(python: str, vault: str, extra_args: Iterable[str] = ()) -> str:
    """A systemd user unit that runs `vtb watch` on `vault` with this Python."""
    args = [python, "-m", "vault_touchbase", "--vault", vault, "watch", *extra_args]
    command = " ".join(_systemd_quote(arg) for arg in args)
    return f"""\
# vtb watch as a systemd user service. Save as
#   ~/.config/systemd/user/vtb-watch.service
# then run
#   systemctl --user daemon-reload && systemctl --user enable --now vtb-watch
# and read what it did with `journalctl --user -u vtb-watch`.
[Unit]
Description=vault-touchbase: keep {_systemd_quote(vault)[1:-1]} current (vtb watch)

[Service]
Type=simple
ExecStart={command}
Environment=PYTHONUNBUFFERED=1
Restart=on-failure
RestartSec=10

[Install]
WantedBy=default.target
"""


def _systemd_quote(text: str) -> str:
    """One argument of ExecStart: double-quoted, with `\\`, `"` and systemd's `%` escaped."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%") + '"'
