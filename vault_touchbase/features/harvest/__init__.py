"""Harvest: touches found in the user's own mail, calendars and daily notes (SPEC §11).

`found.py` holds what every source yields (a `Proposal` for one contact) and the
`Directory` that tells which contact an address, a link or a name in a text is.
"""
