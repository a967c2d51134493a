"""`python -m vault_touchbase` and the `vtb` script run the `vtb` command (`run`)."""

from __future__ import annotations

import sys


def run() -> None:
    """The `vtb` command, with a Ctrl-C pressed while its code is still being imported
    (the first tenth of a second) ending it as one later does: a line, exit code 130."""
    try:
        from vault_touchbase.cli.main import main
    except KeyboardInterrupt:
        sys.stderr.write("vtb: interrupted.\n")
        raise SystemExit(130) from None
    main()


if __name__ == "__main__":
    run()
