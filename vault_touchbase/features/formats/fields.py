"""Which field of a person a table's column header or a list's `Label:` line names."""

from __future__ import annotations

import re

# A table's header cell, or a `Label: value` line in a list, names one of these fields.
FIELD_WORDS: dict[str, str] = {
    **dict.fromkeys(["name", "full name", "contact", "person", "who", "display name"], "name"),
    **dict.fromkeys(["first name", "given name", "first", "firstname"], "first_name"),
    **dict.fromkeys(["last name", "family name", "surname", "last", "lastname"], "last_name"),
    **dict.fromkeys(["middle name", "additional name"], "middle_name"),
    **dict.fromkeys(
        ["email", "e-mail", "mail", "emails", "e-mails", "email address", "e-mail address"],
        "emails",
    ),
    **dict.fromkeys(
        ["phone", "phones", "telephone", "tel", "mobile", "cell", "phone number", "mobile phone"],
        "phones",
    ),
    **dict.fromkeys(
        ["notes", "note", "comments", "comment", "reminder", "reminders", "remarks", "about"],
        "notes",
    ),
    **dict.fromkeys(
        ["organization", "organisation", "company", "org", "employer", "organization name"],
        "organization",
    ),
    **dict.fromkeys(["job title", "job_title", "title", "position", "role"], "job_title"),
    **dict.fromkeys(["birthday", "bday", "birth date", "date of birth", "born"], "birthday"),
    **dict.fromkeys(["address", "home address", "postal address"], "address"),
    **dict.fromkeys(["tags", "tag", "labels", "label", "categories", "groups"], "tags"),
    **dict.fromkeys(["circle"], "circle"),
    **dict.fromkeys(
        ["website", "websites", "url", "web", "homepage", "site", "web page"], "websites"
    ),
    **dict.fromkeys(["linkedin", "linkedin url"], "linkedin"),
    **dict.fromkeys(["nickname", "nicknames", "alias", "aliases", "also known as"], "aliases"),
    **dict.fromkeys(["cadence"], "cadence"),
    **dict.fromkeys(["channel"], "channel"),
    **dict.fromkeys(["offers", "offer", "can help with"], "offers"),
    **dict.fromkeys(["needs", "need", "looking for"], "needs"),
    **dict.fromkeys(["connected on", "connected_on"], "connected_on"),
    **dict.fromkeys(["source"], "source"),
}
# Columns vtb's own CSV export writes that are worked out from the notes, not imported.
DERIVED_WORDS = {"last_contacted", "last contacted", "next_due", "next due", "path"}


def field_of(label: str) -> str | None:
    """The field a header cell or line label names (`E-mail` → emails), else None."""
    word = " ".join(label.strip().strip(":").replace("_", " ").split()).casefold()
    found = FIELD_WORDS.get(word)
    if found or re.search(r"\b(type|label|display|kind)\b", word):
        return found
    # Outlook's and others' numbered columns: "E-mail 2 Address", "Business Phone", "Home Fax"
    if re.search(r"\be-?mail\b", word):
        return "emails"
    if re.search(r"\b(phone|mobile|cell|fax|telephone)\b", word):
        return "phones"
    return None
