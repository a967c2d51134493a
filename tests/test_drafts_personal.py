"""Drafts as a person reads them: never vtb's own Log words, no placeholder news, correct
sentences, replies answered, signed with the user's name (SPEC §6)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from conftest import EXAMPLE, Vtb, git

from vault_touchbase.core.model import Contact, LogEntry
from vault_touchbase.features.drafts.personal import conversation_line
from vault_touchbase.notes.log import is_generated

TODAY = date(2026, 11, 26)
AUGUST = date(2026, 8, 10)

# What vtb writes into a Log itself, and what must never reach a draft.
GENERATED = ("ticked in", "drafted email", "introduced to [[", "follow-up done", "↔")
# Sentences the second-person rewrite used to break.
BROKEN = [
    r"\byou (?:is|was|has|does|isn't|wasn't|hasn't|doesn't)\b",
    r"\b(?:you|and) (?:needs|wants|asks|thinks|likes|knows) (?:someone|me|to|a|the|more)\b",
    r"\bI \w+ me\b",  # "I helped me prepare"
    r"\byou told me you told me\b",
    r"\byour (?:move|prepare|go|be|get|do)\b",  # "helped your move"
    r"\byou (?:famous|own) ",  # "brought you famous plum cake"
    r"[;,] (?:wants|needs|asked|brought|is|has) ",  # a verb that lost its subject
    r"help with (?:\w+ )?(?:advice|space|tips|feedback)\b",  # "help with composting advice"
    r"someone who does ",  # "who does composting advice"
    r"\bI should .* how is that going\?",  # their advice to the user, asked back about
    r"you will .* how is that going\?",  # a plan not begun, asked how it goes
    r"How is the .* work going\?",  # "the frontend development and accessibility audits work"
]


def broken(sentence: str) -> list[str]:
    return [pattern for pattern in BROKEN if re.search(pattern, sentence)]


@pytest.mark.parametrize(
    ("channel", "text", "channel_generated"),
    [
        ("email", "ticked in Touch Base", True),
        ("email", "sent the drafted email (news: studio move, garden)", True),
        ("email", "sent the drafted email", True),
        ("intro", "introduced to [[Linda Gray]] — dog sitting ↔ dog sitter", True),
        ("intro", "introduced to [[contacts/x/Linda Gray|Linda Gray]]", True),
        ("email", "follow-up done: send the article", True),
        ("intro", "introduced her to [[Walter Kim]] for the raised beds", False),
        ("email", "sent the drafted email and a photo of the mill", False),
        ("call", "she ticked in at the gym", False),
        ("call", "introduced to [[Linda]] at the party, by her sister", False),
    ],
)
def test_generated_entries_are_told_apart(channel: str, text: str, channel_generated: bool) -> None:
    assert is_generated(LogEntry(TODAY, channel, text, 9)) is channel_generated


def _tick(repo: Path, name: str) -> None:
    index = repo / "Touch Base.md"
    lines = index.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("- [ ]") and name in line)
    lines[at] = lines[at].replace("- [ ]", "- [x]", 1)
    index.write_text("".join(lines), encoding="utf-8")


def test_vtbs_own_log_entries_never_become_the_personal_line(example_repo: Path) -> None:
    vtb = Vtb(example_repo)
    assert vtb("refresh").exit_code == 0
    _tick(example_repo, "Hannah Lindqvist")
    assert vtb("refresh").exit_code == 0
    assert vtb("draft", "tom", "--log").exit_code == 0
    assert vtb("intro", "daniel", "jane", "--log").exit_code == 0
    assert vtb("done", "chloe", "send", "-c", "email").exit_code == 0
    hannah = (example_repo / "contacts/Hannah Lindqvist.md").read_text(encoding="utf-8")
    assert "- 2026-11-26 email: ticked in Touch Base" in hannah
    expected = {  # the last real conversation, said to them
        "hannah": "In August you told me you have room for two more small businesses",
        "tom": "(repair café; 31 items fixed, the second anniversary is next month)",
        "jane": "I congratulated you on the studio's fifth birthday",
        "chloe": "I sent the final logo files and the brand sheet",
    }
    for name, line in expected.items():
        result = vtb("draft", name)
        assert result.exit_code == 0, result.output
        assert line in result.stdout, (name, result.stdout)
        for words in GENERATED:
            assert words not in result.stdout, (name, words)
    _drafts_of_everyone_read_well(example_repo)


def _drafts_of_everyone_read_well(vault_path: Path) -> None:
    """Every person's draft: none of vtb's Log words, no placeholder news, no broken
    sentence, no `[your name]`."""
    from vault_touchbase.features.drafts.draft import make_draft
    from vault_touchbase.features.intros import find_intros
    from vault_touchbase.vault.folder import open_vault
    from vault_touchbase.vault.load import load_vault

    vault = open_vault(vault_path)
    contacts = load_vault(vault).contacts
    intros = find_intros(contacts, vault.settings, TODAY)
    assert len(contacts) > 30
    for contact in contacts:
        draft = make_draft(vault, contact, intros, TODAY)
        for words in (*GENERATED, "I started working on", "[your name]"):
            assert words not in draft.body, (contact.name, words, draft.body)
        assert not broken(draft.body), (contact.name, broken(draft.body), draft.body)


def test_drafts_of_every_person_in_example_vault(example_copy: Path) -> None:
    _drafts_of_everyone_read_well(example_copy)


LINES = [  # (channel, Log line, the sentence the draft says)
    (
        "call",
        "Klaus is thinking about changing jobs",
        "When we spoke in August you were thinking about changing jobs. How is that going?",
    ),
    (
        "call",
        "she is away in January and needs someone for Biscuit",
        "In August you told me you are away in January and need someone for Biscuit — "
        "how is that going?",
    ),
    (
        "call",
        "she told me she is leaving Northlight after eleven years",
        "When we spoke in August you were leaving Northlight after eleven years. "
        "How is that going?",
    ),
    (
        "email",
        "he is moving to four-day weeks from September",
        "In August you told me you are moving to four-day weeks from September — "
        "how is that going?",
    ),
    (
        "call",
        "she finished her third picture book; wants to visit the US next autumn",
        "I was thinking of August, when you finished your third picture book. How are things now?",
    ),
    (
        "call",
        "helped me prepare the food bank pitch",
        "I was thinking of August, when you helped me prepare the food bank pitch. "
        "How are things now?",
    ),
    (
        "visit",
        "helped her move the leaf mould bins",
        "In August I helped you move the leaf mould bins; how has it all been going since?",
    ),
    (
        "meet",
        "Northlight alumni picnic; she brought her famous plum cake",
        "I was thinking of August, when you brought your famous plum cake. How are things now?",
    ),
    (
        "call",
        "she is writing a short book on design teams, wants me to read chapter 3",
        "In August you told me you are writing a short book on design teams and want me to "
        "read chapter 3 — how is that going?",
    ),
    (
        "call",
        "he is going on paternity leave; asked me to ping him in January",
        "When we spoke in August you were going on paternity leave. How is that going?",
    ),
    (
        "email",
        "sent her the list of studios hiring juniors",
        "In August I sent you the list of studios hiring juniors; how has it all been going since?",
    ),
    (
        "visit",
        "tea and the crossword",
        "I was thinking back to my visit in August (tea and the crossword). How are things now?",
    ),
    (
        "visit",
        "dropped off our spare key before the trip; she'd like more babysitting work",
        "In August you told me you'd like more babysitting work — how is that going?",
    ),
    (
        "call",
        "Klaus says the kids are doing well",
        "In August you told me the kids are doing well — how is that going?",
    ),
    (
        "call",
        "she got the grant!",
        "I was thinking of August, when you got the grant! How are things now?",
    ),
    (
        "call",
        "he still needs a photographer for the wedding",
        "In August you told me you still need a photographer for the wedding — how is that going?",
    ),
    (
        "call",
        "she is thinking about going back to school, asks for advice",
        "In August you told me you are thinking about going back to school and ask for "
        "advice — how is that going?",
    ),
    (
        "email",
        "sent (news: garden)",  # the hour's logged draft with one word of the user's
        "I was thinking back to my email in August (sent). How are things now?",
    ),
    (
        "call",
        "walk-and-talk; she thinks I should raise my day rate by 15% in January",
        "In August you told me you think I should raise my day rate by 15% in January — "
        "thank you, I've been thinking about it since.",
    ),
    (
        "email",
        "he will bring jars to the repair café",
        "In August you told me you will bring jars to the repair café — I'm looking forward to it.",
    ),
    (
        "call",
        "Klaus's mother is in hospital",
        "I was thinking back to our call in August (your mother is in hospital). "
        "How are things now?",
    ),
]


@pytest.mark.parametrize(("channel", "text", "sentence"), LINES)
def test_a_log_line_said_to_them_is_a_correct_sentence(
    channel: str, text: str, sentence: str
) -> None:
    klaus = Contact("contacts/Klaus Weber.md", "Klaus Weber")
    assert conversation_line(LogEntry(AUGUST, channel, text, 9), klaus, TODAY) == sentence


def test_no_log_line_of_example_vault_makes_a_broken_sentence(example_copy: Path) -> None:
    from vault_touchbase.vault.folder import open_vault
    from vault_touchbase.vault.load import load_vault

    said = 0
    for contact in load_vault(open_vault(EXAMPLE)).contacts:
        for entry in contact.log:
            sentence = conversation_line(entry, contact, TODAY)
            assert not broken(sentence), (entry.text, sentence)
            said += 1
    assert said > 100


def test_placeholder_news_is_never_used_and_the_draft_says_to_add_news(
    example_copy: Path,
) -> None:
    from vault_touchbase.core.templates import NOW_NOTE

    vtb = Vtb(example_copy)
    now = example_copy / "Now.md"
    now.write_text(NOW_NOTE, encoding="utf-8")  # as `vtb init` writes it
    result = vtb("draft", "jose")
    assert result.exit_code == 0, result.output
    assert "I started working on" not in result.stdout
    assert "warning: add your news to Now.md" in result.stderr
    now.write_text(NOW_NOTE + "- garden: The squash took over the plot.\n", encoding="utf-8")
    result = vtb("draft", "jose")
    assert "The squash took over the plot." in result.stdout
    assert "I started working on" not in result.stdout
    assert "new project is still the placeholder" in result.stderr


def test_a_reply_owed_makes_the_draft_an_answer(example_copy: Path) -> None:
    vtb = Vtb(example_copy)
    result = vtb("draft", "lea")
    assert result.exit_code == 0, result.output
    subject = result.stdout.splitlines()[1]
    assert subject == "Subject: Re: Review your portfolio before you apply to Jane Doe's studio"
    body = result.stdout.split("\n\n", 1)[1]
    assert body.split("\n\n")[1].startswith("Thank you for your note of 20 November")
    assert "Are you still looking" not in body and "keep my ears open" not in body
    # the subject of their mail, when the Log names it in quotes
    note = example_copy / "contacts/Léa Fontaine.md"
    text = note.read_text(encoding="utf-8")
    note.write_text(
        text.replace("reply: asked", 'reply: "Portfolio before Friday?" — asked'),
        encoding="utf-8",
    )
    quoted = vtb("draft", "lea").stdout
    assert quoted.splitlines()[1] == "Subject: Re: Portfolio before Friday?"
    assert (
        "Thank you for your note of 20 November about “Portfolio before Friday?”: you asked "
        "if I could review your portfolio" in quoted
    )
    # answered since: no longer a reply
    note.write_text(
        text.replace("## Log\n", "## Log\n- 2026-11-22 email: sent my notes on it\n"),
        encoding="utf-8",
    )
    again = vtb("draft", "lea")
    assert "Subject: Re:" not in again.stdout and "Thank you for your note" not in again.stdout


def test_the_draft_is_signed_with_gits_name_when_no_identity_is_set(
    example_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    template = example_copy / "templates/email.md"
    text = template.read_text(encoding="utf-8")
    template.write_text(text.replace('from: "Sam Rivera <sam@example.com>"', 'from: ""'))
    git(example_copy, "init", "-q")
    vtb = Vtb(example_copy)
    result = vtb("draft", "jose")
    assert result.stdout.rstrip().endswith("All the best,\nTest User")  # conftest's git name
    assert "sign with your name" not in result.stderr
    config = tmp_path / "empty.gitconfig"
    config.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    nameless = vtb("draft", "jose")
    assert nameless.stdout.rstrip().endswith("[your name]")
    assert "warning: sign with your name" in nameless.stderr


def test_a_reply_answered_since_is_still_what_they_wrote() -> None:
    """Once the user answered (an entry with no text, as `vtb hour` writes on Enter), their
    reply is no longer thanked for, and never turned into something the user did."""
    from vault_touchbase.features.drafts.personal import personal_lines

    lea = Contact(
        path="contacts/Léa Fontaine.md",
        name="Léa Fontaine",
        log=(
            LogEntry(date(2026, 11, 26), "email", "", 12),
            LogEntry(date(2026, 11, 20), "reply", "asked if I could review her portfolio", 13),
        ),
    )
    lines = personal_lines(lea, [], date(2026, 11, 26))
    assert "you asked if I could review your portfolio" in lines[0], lines
    assert not any("I asked" in line or "Thank you for your note" in line for line in lines)


def test_a_need_is_not_asked_about_again_once_talked_about_or_introduced() -> None:
    from vault_touchbase.features.drafts.personal import article, personal_lines

    assert article("composting advice") == "composting advice"
    assert article("bookkeeper") == "a bookkeeper"
    eleanor = Contact(
        path="contacts/Eleanor.md",
        name="Eleanor Price",
        needs=("help with groceries in winter",),
        log=(
            LogEntry(date(2026, 11, 2), "call", "she wants help with groceries when it snows", 9),
        ),
    )
    lines = personal_lines(eleanor, [], date(2026, 11, 26))
    assert sum("groceries" in line for line in lines) == 1, lines
    jose = Contact(
        path="contacts/José.md",
        name="José Müller",
        needs=("illustrator",),
        log=(
            LogEntry(
                date(2026, 11, 20),
                "intro",
                "introduced to [[Josefine Berg]] — illustration ↔ illustrator",
                9,
            ),
        ),
    )
    assert not any("illustrator" in line for line in personal_lines(jose, [], date(2026, 11, 26)))
