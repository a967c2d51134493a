"""The texts `vtb init` writes: the contact and email templates and Now.md."""

from __future__ import annotations

CONTACT_TEMPLATE = """\
---
name: "{{title}}"
aliases: []
email:
phone:
circle: professional
tags: []
cadence:
channel:
nearby: false
last_contacted:
offers: []
needs: []
birthday:
---
How we met, what matters to them.

## Log
"""


EMAIL_TEMPLATE = """\
---
# The template `vtb draft` and `vtb hour` fill in for each person (Jinja2).
subject: "Catching up"
from: ""        # you, for the drafts: "Sam Rivera <sam@example.com>"
news: 2         # how many pieces of your news (Now.md) go into one email
---
Hi {{ first_name }},

{{ personal }}

{% for piece in news %}
{{ piece }}

{% endfor %}
How are things with you?

Best,
{{ me }}

{#
Names you can use: first_name, name, personal (the lines only this person gets),
personal_lines, news (the pieces of Now.md chosen for them), news_labels, needs,
offers, followups, last (their last Log entry: last.date, last.channel, last.text),
me, today. This comment is not part of the email.
#}
"""


NOW_PATH = "Now.md"  # the user's news and needs, at the top of the vault
NOW_NEWS_PLACEHOLDER = "I started working on ..."  # never put into an email (drafts/news.py)
NOW_NEEDS_PLACEHOLDER = "someone who ..."  # never matched (drafts/news.py: parse_needs)

NOW_NOTE = f"""\
# Now

What I am up to, in short pieces that `vtb draft` can reuse in emails.
Each list item under News is one piece: a short label, a colon, the news.
Each item under Needs is something you need help with: the index note says who can help.

## Needs
- {NOW_NEEDS_PLACEHOLDER}

## News
- new project: {NOW_NEWS_PLACEHOLDER}
"""
