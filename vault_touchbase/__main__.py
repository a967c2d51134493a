"""`python -m vault_touchbase` runs the `vtb` command."""

from .cli import main

main()
