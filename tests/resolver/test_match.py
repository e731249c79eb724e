"""Choice matching: each stage of the cascade, ties, the threshold, and large indexed lists."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from nlactions.catalog import Choice
from nlactions.resolver.match import ChoiceIndex, Match, index_for, match_hint

THRESHOLD = 0.8
MONDAY = dt.datetime(2024, 5, 6, 9, 0)


def choices(*labels: str) -> list[Choice]:
    """Choices with opaque ids, so that echoing a hint cannot pass for a match."""
    return [Choice(key=f"k{i}", label=label) for i, label in enumerate(labels)]


def best(hint: str, options: list[Choice], **kw: object) -> Match | None:
    found, _closest = match_hint(hint, options, threshold=THRESHOLD, **kw)  # type: ignore[arg-type]
    return found


def test_exact_id_wins_and_scores_one() -> None:
    options = [Choice(key="C024", label="Ops"), Choice(key="C025", label="C024")]
    found = best("C024", options)
    assert found is not None
    assert (found.choice.key, found.score, found.method) == ("C024", 1.0, "id")


def test_exact_label() -> None:
    found = best("Quarterly Review", choices("Weekly sync", "Quarterly Review"))
    assert found is not None
    assert (found.choice.key, found.score, found.method) == ("k1", 1.0, "label")


def test_label_ignoring_case_scores_just_below_exact() -> None:
    found = best("quarterly review", choices("Weekly sync", "Quarterly Review"))
    assert found is not None and found.choice.key == "k1" and found.method == "label"
    assert 0.95 <= found.score < 1.0


@pytest.mark.parametrize(
    ("hint", "labels", "expected"),
    [
        ("#ops-alerts", ("ops alerts", "ops", "alerts-archive"), "k0"),
        ("@Maria", ("maria", "mario", "marta"), "k0"),
        ("The Hobbit", ("Hobbit", "Silmarillion"), "k0"),
        ("chapter two", ("Chapter 2", "Chapter 3"), "k0"),
        ("Café Müller", ("Cafe Muller", "Cafe Roma"), "k0"),
    ],
)
def test_normalised_label(hint: str, labels: tuple[str, ...], expected: str) -> None:
    found = best(hint, choices(*labels))
    assert found is not None
    assert (found.choice.key, found.method) == (expected, "normalised")


@pytest.mark.parametrize(
    ("hint", "labels", "expected"),
    [
        ("4.3", ("4.10", "4.30", "4.50"), "k1"),
        ("three", ("1", "2", "3"), "k2"),
        ("half past two in the afternoon", ("14:00", "14:30", "15:00"), "k1"),
        ("this Friday", ("2024-05-03", "2024-05-10", "2024-05-17"), "k1"),
        ("next Friday", ("2024-05-03", "2024-05-10", "2024-05-17"), "k2"),
        ("tomorrow", ("2024-05-06", "2024-05-07"), "k1"),
    ],
)
def test_same_value_in_another_format(hint: str, labels: tuple[str, ...], expected: str) -> None:
    found = best(hint, choices(*labels), now=MONDAY)
    assert found is not None
    assert (found.choice.key, found.method) == (expected, "normalised")


def test_relative_dates_need_a_now() -> None:
    assert best("next Friday", choices("2024-05-03", "2024-05-10")) is None


@pytest.mark.parametrize(
    ("hint", "labels", "expected"),
    [
        ("Lakeside", ("Harbor Cinema 8", "Lakeside Cinema 14", "Downtown Screens"), "k1"),
        ("Lyon, France", ("Nantes", "Lyon"), "k1"),
        ("BA", ("Lima", "Buenos Aires"), "k1"),
        ("grocries", ("groceries", "hardware", "pharmacy"), "k0"),
    ],
)
def test_fuzzy(hint: str, labels: tuple[str, ...], expected: str) -> None:
    found = best(hint, choices(*labels))
    assert found is not None
    assert found.choice.key == expected
    assert found.method in ("fuzzy", "semantic")
    assert found.score < 0.97  # never as sure as an exact match


@pytest.mark.parametrize(
    ("hint", "labels", "expected"),
    [
        ("recipes", ("Sports", "Cooking", "Finance"), "Cooking"),
        ("football", ("Sports", "Cooking", "Finance"), "Sports"),
    ],
)
def test_semantic(hint: str, labels: tuple[str, ...], expected: str) -> None:
    found = best(hint, choices(*labels))
    assert found is not None
    assert (found.choice.label, found.method) == (expected, "semantic")


def test_two_choices_with_one_label_are_a_tie() -> None:
    found, closest = match_hint("Design", choices("Design", "Design", "Sales"), threshold=THRESHOLD)
    assert found is None
    assert {m.choice.key for m in closest} == {"k0", "k1"}


def test_a_hint_shared_by_two_labels_is_ambiguous() -> None:
    found, closest = match_hint("new", choices("New York", "New Orleans"), threshold=THRESHOLD)
    assert found is None
    assert {m.choice.label for m in closest} == {"New York", "New Orleans"}


def test_near_tie_lowers_the_leader() -> None:
    ranked = index_for(choices("Q3 planning board", "Q4 planning board", "Roadmap")).rank("planning board")
    assert ranked[0].score < THRESHOLD
    assert ranked[0].score >= ranked[1].score


def test_unrelated_hint_abstains_but_still_lists_the_closest() -> None:
    found, closest = match_hint("qwerty", choices("Sports", "Cooking", "Finance"), threshold=THRESHOLD)
    assert found is None
    assert all(m.score < THRESHOLD for m in closest)


def test_threshold_is_the_callers() -> None:
    options = choices("Sports", "Cooking", "Finance")
    loose, _ = match_hint("soccer news", options, threshold=0.5)
    strict, _ = match_hint("soccer news", options, threshold=0.95)
    assert loose is not None and loose.choice.label == "Sports"
    assert strict is None


def test_scores_are_between_zero_and_one_and_sorted() -> None:
    ranked = index_for(choices("alpha", "alpine", "alps", "beta")).rank("alp", limit=4)
    assert all(0.0 <= m.score <= 1.0 for m in ranked)
    assert [m.score for m in ranked] == sorted((m.score for m in ranked), reverse=True)


def test_match_is_a_frozen_value() -> None:
    match = Match(Choice(key="a", label="A"), 0.9, "fuzzy")
    with pytest.raises(dataclasses.FrozenInstanceError):
        match.score = 1.0  # type: ignore[misc]


def test_empty_inputs() -> None:
    assert match_hint("anything", [], threshold=THRESHOLD) == (None, [])
    assert match_hint("   ", choices("a"), threshold=THRESHOLD) == (None, [])


@pytest.fixture(scope="module")
def big() -> list[Choice]:
    """100,000 look-alike labels ("Project 1 bravo alpha" ...) and one that stands out."""
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"]
    out = [Choice(key=f"p{i}", label=f"Project {i} {words[i % 8]} {words[(i // 8) % 8]}") for i in range(100_000)]
    out[50_000] = Choice(key="odd", label="Zanzibar launch plan")
    return out


def test_100k_choices_index_once_and_match(big: list[Choice]) -> None:
    index = index_for(big)
    assert isinstance(index, ChoiceIndex) and len(index) == 100_000
    assert index_for(big) is index  # the same list: found by identity
    assert index_for(list(big)) is index  # an equal list: found by fingerprint
    label = big[73512].label
    found = best(label, big)
    assert found is not None and found.choice.key == "p73512" and found.score == 1.0
    found = best(label.lower(), big)
    assert found is not None and found.choice.key == "p73512"
    found = best("p73512", big)
    assert found is not None and found.method == "id"


def test_100k_fuzzy_hint_finds_the_rare_word(big: list[Choice]) -> None:
    for hint in ("zanzibar launch", "Zanzibr launch plan"):
        found = best(hint, big)
        assert found is not None and found.choice.key == "odd"


def test_100k_look_alikes_do_not_match_by_meaning(big: list[Choice]) -> None:
    found, _closest = match_hint("project alpha", big, threshold=THRESHOLD)
    assert found is None


def test_a_changed_list_gets_a_new_index() -> None:
    first = choices("a", "b", "c")
    second = [*first[:2], Choice(key="k2", label="changed")]
    assert index_for(first) is not index_for(second)
