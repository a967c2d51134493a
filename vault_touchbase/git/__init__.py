"""The git command line: running it, commits, a note's history, the remote, attributes."""
