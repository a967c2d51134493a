"""The git merge driver's logic: a three-way merge of one note. Pure: text in, text out.

`note.merge_note(base, ours, theirs)` merges a contact note so that two devices
that each logged touches never see a conflict:

- the frontmatter (`frontmatter`), key by key against the base: a key changed
  (or added, or deleted) on one side only takes that side; `last_contacted`
  (and its dialect keys) takes the newer date; lists are united in order; a
  real clash (two different values) keeps OURS and records theirs as
  `conflict_<key>`;
- the body (`body`), line by line like `git merge-file` (a diff3 over
  difflib's matches). Where both sides changed the same spot: Log entries are
  united (`log_entries`: newest first, exact duplicates once), lines that both
  sides only added are all kept, and anything else keeps OURS' lines followed
  by an Obsidian callout holding theirs (`> [!warning] vtb merge: ...`).

The result starts from OURS' text: its BOM, its line ends (CRLF or LF), its
fences, and the raw lines of every key it keeps, comments included. A value
taken from theirs is copied as they wrote it; nothing is dumped through a
YAML dumper. The merged frontmatter is re-read and checked against what the
merge meant; every Log entry the merge must keep is checked to be there.
The generated index note has its own merge: `index/merge.py`.
"""

from __future__ import annotations

from vault_touchbase.core.errors import NoteError


class MergeError(NoteError):
    """A side cannot be merged entry by entry (e.g. its YAML is broken): merge it as text."""
