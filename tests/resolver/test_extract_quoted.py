"""Quoted spans and a colon's tail that no naming word claimed, placed by the word that introduces them."""

from __future__ import annotations

from helpers.extraction import need, values
from nlactions.catalog import NeedSpec


def _rewrite_needs() -> list[NeedSpec]:
    return [
        need("mode", "Mode", choices=[("shout", "Shout"), ("swap", "Swap Words"), ("tidy", "Tidy Up")]),
        need("body", "Body", help_text="The passage to work on."),
        need("pattern", "Pattern", help_text="Swap Words: the word to look for.", required=False),
        need("swap_to", "Swap To", help_text="Swap Words: what goes in its place.", required=False),
    ]


def test_the_lone_quoted_span_goes_to_the_lone_required_text_need() -> None:
    found = values("Shout the passage 'good morning team'", *_rewrite_needs())
    assert found == {"mode": "shout", "body": "good morning team"}


def test_a_quoted_span_keeps_its_spaces() -> None:
    assert values('Tidy up "  spaced out  " please', *_rewrite_needs())["body"] == "  spaced out  "


def test_spans_are_placed_by_the_preposition_and_verb_before_them() -> None:
    found = values("Swap 'red' to 'blue' inside 'a red car'", *_rewrite_needs())
    assert found == {"mode": "swap", "pattern": "red", "swap_to": "blue", "body": "a red car"}


def test_a_label_ending_in_a_preposition_takes_the_span_after_it_not_after_its_verb() -> None:
    found = values(
        "Forward 'the weekly report' to 'ops@example.org'",
        need("document", "Document", help_text="What to send."),
        need("forward_to", "Forward To", help_text="Who receives it."),
    )
    assert found == {"forward_to": "ops@example.org", "document": "the weekly report"}


def test_the_text_after_a_final_colon_goes_to_the_lone_required_text_need() -> None:
    found = values("Please tidy up the following: some   messy text here", *_rewrite_needs())
    assert found == {"mode": "tidy", "body": "some   messy text here"}


def test_a_colon_after_a_need_label_is_not_a_content_tail() -> None:
    found = values(
        "Post it. Pattern: 'x'",
        need("body", "Body", help_text="The passage to work on."),
        need("pattern", "Pattern", required=False),
    )
    assert "body" not in found


def test_two_required_text_needs_without_a_cue_abstain() -> None:
    needs = [need("first", "First"), need("second", "Second")]
    assert values("Join 'alpha' and 'beta'", *needs) == {}
    assert values("Join these: alpha beta", *needs) == {}


def test_a_noun_before_the_span_that_names_something_else_abstains() -> None:
    found = values(
        "Look up statistics on Switch for account 'Kim'",
        need("title", "Title", help_text="The game to look up."),
        need("console", "Console", help_text="Where the account plays.", required=False),
    )
    assert found == {}


def test_two_spans_cued_to_one_need_give_nothing() -> None:
    found = values(
        "Use pattern 'a' or pattern 'b' on 'abc'",
        need("body", "Body", help_text="The passage to work on."),
        need("pattern", "Pattern", help_text="Swap Words: the word to look for.", required=False),
    )
    assert found == {}  # and with two spans unplaced, the rest is not guessed either
