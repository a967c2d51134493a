"""hour."""
