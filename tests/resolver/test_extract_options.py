"""Values listed in a need's help text and named in the instructions."""

from __future__ import annotations

from helpers.extraction import need, values
from nlactions.resolver.extract.options import options_of


def test_quoted_options_form_a_closed_list() -> None:
    options = options_of("Paper finish. Can be 'matte', 'glossy' or 'satin'. Default is 'matte'.")
    assert options.items == ("matte", "glossy", "satin")
    assert options.closed


def test_plain_examples_after_such_as() -> None:
    options = options_of("The fabric, such as linen, wool, etc.")
    assert options.items == ("linen", "wool")
    assert not options.closed


def test_the_one_listed_value_the_text_names() -> None:
    finish = need("finish", help_text="Paper finish, one of 'matte', 'glossy' or 'satin'.")
    assert values("Print forty posters on glossy paper.", finish) == {"finish": "glossy"}


def test_an_example_repeated_word_for_word() -> None:
    fabric = need("fabric", help_text="The fabric, such as linen, wool, etc.")
    assert values("Quote me a linen tablecloth.", fabric) == {"fabric": "linen"}


def test_plural_of_a_listed_value() -> None:
    shape = need("shape", help_text="Either 'circle' or 'square'.")
    assert values("Cut out some squares.", shape) == {"shape": "square"}


def test_two_listed_values_named_is_ambiguous() -> None:
    finish = need("finish", help_text="Paper finish, one of 'matte', 'glossy' or 'satin'.")
    assert values("Glossy or matte, I cannot decide.", finish) == {}


def test_common_words_are_not_options() -> None:
    scope = need("scope", help_text="Either 'all' or 'mine'.")
    assert values("Show all the tickets.", scope) == {}
