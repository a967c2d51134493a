"""Personal email drafts: a template note, the person's context and the user's news.

The template is `templates/email.md` in the vault (Jinja2, sandboxed; plain text,
so nothing is HTML-escaped: `template`). The draft (`draft`) gets the person's
first name, a line tied to the last real conversation (never vtb's own Log
entries: `notes.log.is_generated`) or to their follow-ups and needs
(`personal`, said to them by `second_person`; a reply owed makes it an
answer), and pieces of the user's news from `Now.md` (`news`: each list item
under `## News` is one piece, `- label: text`; never the placeholder),
preferring pieces this person has not heard: a logged draft names the pieces
it used, `(news: studio move)`, in the Log entry. A person with nothing
personal to say gets a visible placeholder and a warning, never a form letter.

Nothing here sends mail: drafts are text, an `.eml` file or a `mailto:` link (`output`).
"""
