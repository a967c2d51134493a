"""One note's text: split it, read its YAML, Log and follow-ups into a Contact, and edit it
minimally (each edit verified by reading it back). Pure: text in, text out.
"""
