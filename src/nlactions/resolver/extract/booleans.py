"""Yes/no needs: the need's own words in the text mean yes, negated they mean no."""

from __future__ import annotations

from nlactions.resolver.extract.context import Context
from nlactions.resolver.extract.phrases import quoted_spans
from nlactions.resolver.extract.profile import NeedProfile
from nlactions.resolver.extract.proposal import Proposal
from nlactions.resolver.extract.text import STOPWORDS, stem
from nlactions.resolver.normalise import fold
from nlactions.resolver.spans import SpanSet

__all__ = ["find_booleans"]

_NEGATIONS = frozenset({"no", "not", "without", "dont", "don't", "doesnt", "doesn't", "non", "never", "isnt",
                        "isn't", "exclude", "excluding", "nor", "neither", "cannot", "can't", "cant",
                        "shouldnt", "shouldn't", "wont", "won't", "skip", "avoid"})  # fmt: skip
# "has few interests", "rarely late": scarcity words that mean no ("a few", "a little" mean some).
_SCARCE = frozenset({"few", "little", "hardly", "rarely", "seldom", "barely", "scarcely", "lacks", "lacking"})
YES = 0.86
NO = 0.84
SLACK = 2  # other words allowed inside the phrase


def _value(need: NeedProfile, yes: bool) -> object:
    if need.kind == "bool":
        return yes
    assert need.index is not None
    wanted = ("true", "yes") if yes else ("false", "no")
    for choice in need.index.choices:
        if fold(choice.label).strip() in wanted:
            return choice.key
    return None


def _scarce(before: list[str]) -> bool:
    """True when a scarcity word ("few", "rarely") sits before the phrase, not as "a few" / "a little"."""
    for i, w in enumerate(before):
        if w in _SCARCE and not (w in ("few", "little") and i + 1 < len(before) and before[i + 1] in ("a", "quite")):
            return True
    return False


def _phrase_at(ctx: Context, stems: list[str], first: int) -> int | None:
    """Index of the last word when the phrase's stems all occur in order from word ``first``."""
    words = ctx.view.words
    i, k, skipped = first, 0, 0
    while i < len(words) and k < len(stems):
        if words[i].stem == stems[k] or words[i].lower.replace("-", "") == stems[k]:
            k += 1
        elif words[i].lower in STOPWORDS and skipped < SLACK:
            skipped += 1
        else:
            return None
        i += 1
    return i - 1 if k == len(stems) else None


# "Does it have a pool?", "Is the pool open?": a question about a thing already found. "Can you find
# a unisex salon?" and "Do you have ...?" are requests, and stay readings.
_QUESTION_OPENERS = frozenset({"is", "are", "does", "do", "has", "have"})
_FOUND_THING = frozenset({"it", "the", "this", "that", "its", "their", "they", "there"})


def _indifferent(before: list[str]) -> bool:
    """True for "don't care about the pool", "no preference on wifi": the speaker leaves the flag open."""
    for i, w in enumerate(before):
        if w in ("care", "preference", "matter") and any(x in _NEGATIONS for x in before[i + 1 : i + 3]):
            return True
        if w == "preference" and i + 1 < len(before) and before[i + 1] == "no":
            return True
    return False


def _segment_bounds(ctx: Context) -> dict[int, tuple[int, int]]:
    """Each segment's first and last word index, in one pass over the words."""
    bounds: dict[int, tuple[int, int]] = {}
    for w in ctx.view.words:
        first, _ = bounds.get(w.segment, (w.index, w.index))
        bounds[w.segment] = (first, w.index)
    return bounds


def _asked(ctx: Context, first: int, bounds: dict[int, tuple[int, int]]) -> bool:
    """True when the flag's words sit in a yes/no question ("Does it have a pool?"): asked, not requested."""
    words = ctx.view.words
    i, j = bounds[words[first].segment]
    if words[i].lower not in _QUESTION_OPENERS or i + 1 >= len(words) or words[i + 1].lower not in _FOUND_THING:
        return False
    return ctx.text[words[j].end : words[j].end + 1] == "?"


def _in_a_name(ctx: Context, first: int, last: int) -> bool:
    """True when the words are part of a capitalised name ("Active Directory", "Free Software Foundation")."""
    words = ctx.view.words
    if not words[first].capitalised:
        return False
    inside = first > 0 and words[first - 1].segment == words[first].segment
    if inside and words[first - 1].capitalised and words[first - 1].lower not in STOPWORDS:
        return True
    nxt = words[last + 1] if last + 1 < len(words) else None
    return nxt is not None and nxt.segment == words[last].segment and nxt.capitalised and nxt.lower not in STOPWORDS


def find_booleans(ctx: Context) -> list[Proposal]:
    """Proposals for bool needs and needs whose choices are true/false."""
    out: list[Proposal] = []
    words = ctx.view.words
    quoted: SpanSet | None = None
    bounds: dict[int, tuple[int, int]] | None = None
    for need in ctx.profiles:
        if not (need.kind == "bool" or (need.kind == "choice" and need.choice_kind == "bool")):
            continue
        stems = [stem(w) for w in need.phrase]
        if not stems or all(w in STOPWORDS for w in need.phrase):
            continue
        hits = []
        if quoted is None:
            quoted = SpanSet((a, b) for a, b, _ in quoted_spans(ctx.text))
        for first, word in enumerate(words):
            if word.stem != stems[0]:
                continue
            last = _phrase_at(ctx, stems, first)
            if last is None or _in_a_name(ctx, first, last) or quoted.overlaps(word.start, words[last].end):
                continue  # a name, or quoted text ("'async python'"), is a value, not the flag
            before = [w.lower for w in ctx.view.before(word.start, 5)]  # nearest first
            if bounds is None:
                bounds = _segment_bounds(ctx)
            if _indifferent(before) or _asked(ctx, first, bounds):
                continue  # "I don't care about the pool", "Does it have a pool?": the flag is not set
            before = before[:3]
            negated = any(w in _NEGATIONS for w in before) or _scarce(before)
            hits.append((not negated, word.start, words[last].end))
        if not hits or len({yes for yes, _, _ in hits}) != 1:
            continue
        yes, start, end = hits[-1]
        value = _value(need, yes)
        if value is not None:
            detail = f"'{ctx.text[start:end]}' {'stated' if yes else 'negated'}"
            out.append(Proposal(need.key, value, YES if yes else NO, start, end, detail))
    return out
