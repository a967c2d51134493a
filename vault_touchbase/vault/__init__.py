"""The vault's files: find and open the vault, the one contact-note test and listing,
loading with the parse cache, name look-ups, safe writes and the vault lock.
"""
