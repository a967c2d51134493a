"""The `vtb` command line: one module per group of commands, each command thin."""
