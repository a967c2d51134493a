"""The index note ("Touch Base.md"): render it, read its ticked boxes, merge it."""
