"""What a user does, shared by every front end: touches (log, snooze, done, intro, ticks),
refresh, people (add, rename), import, export, sync, init, the watcher's commits.
The one layer that writes and commits; it never prints.
"""
