"""One cell of obsidian-contacts' table rewritten (its `Last chat`), verified by re-reading."""

from __future__ import annotations

from vault_touchbase.notes.contact_table import bounds, cell_spans, read_table
from vault_touchbase.notes.edit_rows import EditError, Rows


def set_table_cell(text: str, row: str, value: str) -> str:
    """The note with the value cell of the table row named `row` (any case) set to `value`,
    padded to the cell's old width; nothing else changes (checked by reading it back)."""
    notes = Rows.of(text)
    body = notes.rows[notes.body_start :]
    found = bounds(body)
    rows = [r for r in read_table("\n".join(body)) if r.key.casefold() == row.casefold()]
    if found is None or len(rows) != 1:
        raise EditError(f"cannot find one `{row}` row in the contact table", f"set `{row}` by hand")
    at = notes.body_start + rows[0].index
    line = notes.rows[at]
    spans = cell_spans(line)
    assert spans is not None  # read_table found the row
    start, end = spans[1]
    cell = f" {value} "
    notes.rows[at] = line[:start] + cell.ljust(end - start) + line[end:]
    new = notes.text()
    _verify(text, new, row, value)
    return new


def _verify(old: str, new: str, row: str, value: str) -> None:
    old_rows, new_rows = Rows.of(old), Rows.of(new)
    before = read_table("\n".join(old_rows.rows[old_rows.body_start :]))
    after = read_table("\n".join(new_rows.rows[new_rows.body_start :]))
    expected = [(r.key, value if r.key.casefold() == row.casefold() else r.value) for r in before]
    same_length = len(old_rows.rows) == len(new_rows.rows)
    pairs = zip(old_rows.rows, new_rows.rows, strict=True) if same_length else iter(())
    changed = [a for a, b in pairs if a != b]
    if [(r.key, r.value) for r in after] != expected or len(changed) != 1:
        raise EditError(
            f"setting `{row}` in the contact table would change more than that cell",
            f"set `{row}` by hand",
        )
