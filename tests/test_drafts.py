"""Personal email drafts: context, news pieces, the template, .eml, mailto and safety."""

from __future__ import annotations

import email
import email.policy
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from conftest import FIXTURES, Vtb, git

from vault_touchbase.core.errors import VtbError
from vault_touchbase.core.model import Contact, LogEntry
from vault_touchbase.features.drafts.draft import PLACEHOLDER, Draft, similarity
from vault_touchbase.features.drafts.news import NewsPiece, choose_news, heard, parse_news
from vault_touchbase.features.drafts.output import eml_bytes
from vault_touchbase.features.drafts.second_person import second_person
from vault_touchbase.features.drafts.template import parse_template, render_template

TODAY = date(2026, 11, 26)


def body_of(output: str) -> str:
    """The draft's body (after the To/Subject lines)."""
    return output.split("\n\n", 1)[1]


def test_drafts_for_several_people_differ_beyond_the_name_and_carry_context(vtb: Vtb) -> None:
    expected = {
        "jose": ["four-day weeks", "illustrator"],
        "chloe": ["ceramics article", "logo files"],
        "lea": ["review your portfolio", "[your answer]"],
        "fatima": ["Walter Kim", "raised beds"],
        "priya": ["web developer", "I know someone who offers web development"],
    }
    bodies = {}
    for name, bits in expected.items():
        result = vtb("draft", name)
        assert result.exit_code == 0, result.output
        assert PLACEHOLDER not in result.output
        for bit in bits:
            assert bit in result.output, (name, bit)
        body = body_of(result.stdout)
        first_line, rest = body.split("\n", 1)
        assert first_line.startswith("Hi ")
        bodies[name] = rest
    names = list(bodies)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            assert bodies[a] != bodies[b]
            assert similarity(bodies[a], bodies[b]) < 0.8, (a, b)


def test_news_pieces_come_from_now_md_and_prefer_unheard(vtb: Vtb) -> None:
    # Jane heard "studio move" (her Log says so): it is not offered again
    result = vtb("draft", "jane")
    assert "moved my studio" not in result.output
    now = (vtb.vault / "Now.md").read_text(encoding="utf-8")
    pieces = parse_news(now)
    assert [p.label for p in pieces][:2] == ["studio move", "accessibility course"]
    used = [p for p in pieces if p.text in result.output]
    assert len(used) == 2


def test_logged_draft_names_its_pieces_and_the_next_draft_avoids_them(example_repo: Path) -> None:
    vtb = Vtb(example_repo)
    first = vtb("draft", "ben", "--log")
    assert first.exit_code == 0, first.output
    note = (example_repo / "contacts/Ben Carter.md").read_text(encoding="utf-8")
    entry = next(line for line in note.splitlines() if line.startswith("- 2026-11-26 email:"))
    assert "(news: " in entry
    labels = entry.split("(news: ", 1)[1].rstrip(")").split(", ")
    assert len(labels) == 2
    assert git(example_repo, "log", "-1", "--format=%s").strip() == "touch: Ben Carter (email)"
    pieces = {p.label: p.text for p in parse_news((example_repo / "Now.md").read_text("utf-8"))}
    second = vtb("draft", "ben")
    for label in labels:
        assert pieces[label] not in second.output
    assert sum(text in second.output for text in pieces.values()) == 2


def test_choose_news_prefers_unheard_then_relevant() -> None:
    pieces = [
        NewsPiece("studio move", "I moved my studio."),
        NewsPiece("garden", "The garden plot gave us squash."),
        NewsPiece("course", "I teach a course."),
    ]
    gardener = Contact("c/G.md", "G", tags=("garden-club",))
    assert [p.label for p in choose_news(pieces, gardener, 2)] == ["garden", "studio move"]
    told = (LogEntry(TODAY, "email", "hello (news: garden, Studio Move)", 9),)
    heard_it = Contact("c/G.md", "G", tags=("garden-club",), log=told)
    assert heard(heard_it) == {"garden", "studio move"}
    assert [p.label for p in choose_news(pieces, heard_it, 2)] == ["course"]


def test_nothing_personal_gets_a_visible_placeholder_and_a_warning(example_copy: Path) -> None:
    note = example_copy / "contacts" / "Zed Blank.md"
    note.write_text("---\nname: Zed Blank\nemail: zed@example.com\n---\n", encoding="utf-8")
    result = Vtb(example_copy)("draft", "zed")
    assert result.exit_code == 0
    assert PLACEHOLDER in result.stdout
    assert "warning: nothing personal to say to Zed Blank" in result.stderr


def test_eml_is_real_rfc5322_that_the_standard_library_reads_back(vtb: Vtb, tmp_path: Path) -> None:
    target = tmp_path / "jose.eml"
    result = vtb("draft", "jose", "--eml", str(target))
    assert result.exit_code == 0, result.output
    data = target.read_bytes()
    assert b"\r\n" in data
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert message["To"].addresses[0].addr_spec == "jose.muller@example.net"
    assert message["To"].addresses[0].display_name == "José Müller"
    assert message["Subject"] == "Catching up"
    assert message["From"].addresses[0].addr_spec == "sam@example.com"
    assert message["X-Unsent"] == "1"
    text = message.get_content()
    assert text.startswith("Hi José,") and "four-day weeks" in text


def test_a_newline_in_a_name_or_address_cannot_inject_a_header() -> None:
    evil = Contact(
        "c/Evil.md",
        "Eve\nBcc: victim@example.com",
        emails=("eve@example.com\nBcc: other@example.com", "eve@example.org"),
    )
    template = parse_template('---\nsubject: "Hi\\nBcc: x@example.com"\n---\nHi {{ first_name }}\n')
    subject, body = render_template(template, {"first_name": "Eve"})
    draft = Draft(
        evil, ("eve@example.org",), subject, body, "Me\r\nBcc: y@x.com <me@x.com>", (), True
    )
    data = eml_bytes(draft)
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert message.get_all("Bcc") is None
    headers = data.split(b"\r\n\r\n", 1)[0].decode()
    assert "\nBcc" not in headers
    assert message["Subject"] == "Hi Bcc: x@example.com"
    assert [a.addr_spec for a in message["To"].addresses] == ["eve@example.org"]
    from vault_touchbase.features.drafts.draft import addresses

    good, warnings = addresses(evil)
    assert good == ("eve@example.org",) and len(warnings) == 1


def test_mailto_link_holds_address_subject_and_body(
    vtb: Vtb, monkeypatch: pytest.MonkeyPatch
) -> None:
    launched: list[str] = []
    monkeypatch.setattr("click.launch", lambda url, **kw: launched.append(url) or 0)
    result = vtb("draft", "priya", "--open")
    assert result.exit_code == 0, result.output
    link = result.stdout.strip().splitlines()[0]
    assert launched == [link]
    parts = urlsplit(link)
    assert parts.scheme == "mailto" and unquote(parts.path) == "priya.raman@example.com"
    query = parse_qs(parts.query)
    assert query["subject"] == ["Catching up"]
    assert query["body"][0].startswith("Hi Priya,\r\n\r\n")
    assert "\n" not in link and " " not in link


def test_the_template_is_the_users_note(vtb: Vtb) -> None:
    (vtb.vault / "templates/email.md").write_text(
        "---\nsubject: 'News for {{ first_name }}'\nnews: 1\n---\nDear {{ name }}!\n{{ personal }}\n"
        "{% for piece in news %}* {{ piece }}\n{% endfor %}",
        encoding="utf-8",
    )
    result = vtb("draft", "jose")
    assert "Subject: News for José" in result.output
    assert "Dear José Müller!" in result.output
    assert result.output.count("\n* ") == 1


def test_a_broken_template_is_a_clear_error(vtb: Vtb) -> None:
    path = vtb.vault / "templates/email.md"
    path.write_text("---\nsubject: x\n---\nHi {{ first_nam }}\n", encoding="utf-8")
    result = vtb("draft", "jose")
    assert result.exit_code == 1
    assert "templates/email.md" in result.output and "first_nam" in result.output
    assert "first_name" in result.output  # the hint lists what it may use
    path.write_text("---\nsubject: x\n---\nline\n{% for %}\n", encoding="utf-8")
    result = vtb("draft", "jose")
    assert result.exit_code == 1 and "templates/email.md:5:" in result.output


def test_the_template_is_sandboxed() -> None:
    template = parse_template("{{ ''.__class__.__mro__[1].__subclasses__() }}\n")
    with pytest.raises(VtbError):
        render_template(template, {})


def test_no_template_uses_the_built_in_one_with_a_notice(vtb: Vtb) -> None:
    (vtb.vault / "templates/email.md").unlink()
    result = vtb("draft", "jose")
    assert result.exit_code == 0
    assert "Hi José," in result.stdout and "built-in template" in result.stderr


def test_second_person() -> None:
    lea = Contact("c/Léa.md", "Léa Fontaine")
    assert (
        second_person(
            "asked if I could review her portfolio before she applies to [[Jane Doe]]'s studio", lea
        )
        == "asked if I could review your portfolio before you apply to Jane Doe's studio"
    )
    assert (
        second_person("he is moving and has a new dog", lea) == "you are moving and have a new dog"
    )
    assert second_person("introduced her to [[Walter Kim]]", lea) == "introduced you to Walter Kim"
    assert second_person("send Léa the article (news: x)", lea) == "send you the article"


EVIL_NAME = "Mallory =?utf-8?q?=0D=0ABcc=3A_spy=40evil.example?="


def test_an_encoded_word_in_a_name_or_subject_cannot_inject_a_header() -> None:
    # CPython's email (before 3.12.5) decodes an RFC 2047 word back into CR LF when it
    # folds the header: CVE-2024-6923. Checked on Python 3.11.7.
    mallory = Contact("c/Mallory.md", EVIL_NAME, emails=("mallory@example.com",))
    template = parse_template("---\nsubject: 'Hi {{ name }}'\n---\nHi {{ name }}\n")
    subject, body = render_template(template, {"name": EVIL_NAME})
    sender = "=?utf-8?q?Me=0D=0ABcc=3A_y=40evil.example?= <me@example.com>"
    draft = Draft(mallory, ("mallory@example.com",), subject, body, sender, (), True)
    data = eml_bytes(draft)
    headers = data.split(b"\r\n\r\n", 1)[0].decode()
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert message.get_all("Bcc") is None
    assert [k.lower() for k in message][:4] == ["to", "from", "subject", "x-unsent"]
    assert "\nBcc" not in headers and "\rBcc" not in headers
    assert message["To"].addresses[0].display_name == (
        "Mallory = ?utf-8?q?=0D=0ABcc=3A_spy=40evil.example?="
    )
    assert message["Subject"] == "Hi Mallory = ?utf-8?q?=0D=0ABcc=3A_spy=40evil.example?="


def test_an_imported_vcard_name_cannot_inject_a_header(vtb: Vtb, tmp_path: Path) -> None:
    card = FIXTURES / "hostile" / "mallory.vcf"  # FN carries an RFC 2047 word with CR LF
    assert EVIL_NAME in card.read_text()
    assert vtb("import", str(card)).exit_code == 0
    target = tmp_path / "m.eml"
    result = vtb("draft", "mallory", "--eml", str(target))
    assert result.exit_code == 0, result.output
    message = email.message_from_bytes(target.read_bytes(), policy=email.policy.default)
    assert message.get_all("Bcc") is None
    assert [a.addr_spec for a in message["To"].addresses] == ["mallory@example.com"]


def test_an_encoded_word_in_an_address_is_no_usable_address() -> None:
    word = "=?utf-8?q?=0D=0ABcc=3A_x=40y.example?=@evil.example"
    contact = Contact("c/M.md", "M", emails=(word, "m@example.org"))
    from vault_touchbase.features.drafts.draft import addresses

    good, warnings = addresses(contact)
    assert good == ("m@example.org",) and "not a usable email address" in warnings[0]
    draft = Draft(contact, good, "s", "b", f"Me <{word}>", (), True)
    message = email.message_from_bytes(eml_bytes(draft), policy=email.policy.default)
    assert message.get_all("Bcc") is None and message["From"] is None


def test_a_draft_for_someone_without_an_email_says_how_to_reach_them(example_repo: Path) -> None:
    """Eleanor has no email address: the draft says to tell her in person or by phone,
    never `To: (no address)`."""
    result = Vtb(example_repo)("draft", "eleanor")
    assert result.exit_code == 0, result.output
    assert "(no address)" not in result.output
    assert "no email address for Eleanor" in result.output and "by phone" in result.output
