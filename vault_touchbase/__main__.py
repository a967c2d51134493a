"""`python -m vault_touchbase` runs the `vtb` command."""

from vault_touchbase.cli.main import main

main()
