"""Choices the instructions mention by name (or, failing that, by meaning)."""

from __future__ import annotations

import re
from collections import defaultdict

import numpy as np

from nlactions.catalog import Choice
from nlactions.resolver import semantic
from nlactions.resolver.extract.context import Context
from nlactions.resolver.extract.cues import cue_near
from nlactions.resolver.extract.profile import NeedProfile
from nlactions.resolver.extract.proposal import Proposal
from nlactions.resolver.extract.text import STOPWORDS, Word, stem
from nlactions.resolver.normalise import fold, normalise

__all__ = ["find_choices"]

MAX_PHRASE = 6
NAMED = 0.88
NAMED_SHORT = 0.85
RESTATED = 0.8
INCOMPLETE = 0.7
SEMANTIC_MAX_CHOICES = 64
SEMANTIC_MIN_SIM = 0.45
SEMANTIC_MIN_LEAD = 0.2

Mention = tuple[Choice, int, int]


def _mentions(ctx: Context, need: NeedProfile) -> list[Mention]:
    """Phrases of the text equal (after normalising) to a choice label, longest first, no overlaps."""
    index = need.index
    assert index is not None
    words = ctx.view.words
    width = min(MAX_PHRASE, max(index.max_tokens, 1))
    found: list[Mention] = []
    # Mentions are runs of whole words, so two overlap exactly when they share a word.
    taken = bytearray(len(words))
    for n in range(width, 0, -1):
        for a in range(len(words) - n + 1):
            if any(taken[a : a + n]):
                continue
            if words[a + n - 1].segment != words[a].segment:
                continue
            start, end = words[a].start, words[a + n - 1].end
            phrase = ctx.text[start:end]
            norm = normalise(phrase)
            if not norm or norm in STOPWORDS:
                continue
            exact = index.lookup(norm)
            hits = exact or index.lookup_stemmed(norm)
            rejected = hits and _not_the_choice(ctx, need, a, a + n - 1, not exact)
            if hits and (_inside_name(ctx, a, a + n - 1, hits) or rejected):
                continue
            if len(hits) > 1:  # "Ab" vs "AB": only the exact spelling decides
                hits = [c for c in hits if c.label == phrase] or hits
            if len(hits) == 1:
                found.append((hits[0], start, end))
                taken[a : a + n] = b"\x01" * n
    return sorted(found, key=lambda m: m[1])


def _inside_name(ctx: Context, first: int, last: int, hits: list[Choice]) -> bool:
    """True for "Garden" in "Kew Garden Cafe" when the choice is a plain word ("garden")."""
    words = ctx.view.words
    if any(c.label[:1].isupper() for c in hits) or not words[first].capitalised:
        return False
    neighbours = [words[i] for i in (first - 1, last + 1) if 0 <= i < len(words)]
    return any(w.capitalised and w.segment == words[first].segment and w.index != 0 for w in neighbours)


def _not_the_choice(ctx: Context, need: NeedProfile, first: int, last: int, stemmed: bool) -> bool:
    """True when the words are a thing of the sentence, not the choice they spell.

    "issues I opened" is a verb (not the status "open"); "Rock Lobster", "Country Club Hills" are
    longer names with the label as one word ("Spanish Subtitles" is not: the need is subtitles).
    """
    words = ctx.view.words
    if stemmed and words[last].lower.endswith(("ed", "ing")):
        return True
    return first == last and _in_longer_name(ctx, need, words[first])


def _in_longer_name(ctx: Context, need: NeedProfile, word: Word) -> bool:
    """True for a capitalised word joined by a space to another capitalised word ("Rock Lobster")."""
    if not word.capitalised:
        return False
    words = ctx.view.words
    for i in (word.index - 1, word.index + 1):
        if not 0 <= i < len(words):
            continue
        other = words[i]
        left, right = (other, word) if i < word.index else (word, other)
        if other.segment != word.segment or other.lower in STOPWORDS or not other.capitalised:
            continue
        if ctx.text[left.end : right.start] != " " or need.cue(other.stem) > 0:
            continue  # "Pop, Rock" is a list; "Spanish Subtitles" names the need
        opens = other.index == 0 or words[other.index - 1].segment != other.segment
        if i < word.index and opens:
            continue  # a capital that only starts the sentence says nothing
        return True
    return False


_NEXT_ITEM = re.compile(r"^\s*(?:,\s*(?:and\s+|or\s+)?|and\s+|or\s+|&\s+)([A-Za-z][\w-]*)")
_PREV_ITEM = re.compile(r"([A-Za-z][\w-]*)\s*(?:,|\band|\bor|&)\s*$")


def _more_items(text: str, start: int, end: int) -> bool:
    """True when the named choices sit in a list with items that are not choices ("and a trailer")."""
    after = _NEXT_ITEM.match(text[end:])
    before = _PREV_ITEM.search(text[max(0, start - 40) : start])
    return any(m is not None and m.group(1).lower() not in STOPWORDS for m in (after, before))


def _by_name(ctx: Context, need: NeedProfile) -> list[Proposal]:
    mentions = _mentions(ctx, need)
    if not mentions:
        return []
    distinct: dict[str, list[Mention]] = defaultdict(list)
    for m in mentions:
        distinct[m[0].key].append(m)
    if need.need.list:
        keys = list(distinct)
        start, end = mentions[0][1], mentions[-1][2]
        if _more_items(ctx.text, start, end):
            return [Proposal(need.key, keys, INCOMPLETE, start, end, "choices named, list goes on")]
        return [Proposal(need.key, keys, NAMED_SHORT, start, end, "choices named")]
    if len(distinct) == 1:
        choice, start, end = mentions[-1]
        conf = NAMED if len(normalise(choice.label)) > 3 else NAMED_SHORT
        conf += 0.05 * cue_near(need, ctx.view, start, end)
        return [Proposal(need.key, choice.key, min(conf, 0.95), start, end, f"choice '{choice.label}' named")]
    last = mentions[-1]
    seg = ctx.view.segment_at(last[1])
    if all(ctx.view.segment_at(s) < seg for c, s, _ in mentions if c.key != last[0].key):
        return [Proposal(need.key, last[0].key, RESTATED, last[1], last[2], f"choice '{last[0].label}' restated")]
    scored = sorted(((cue_near(need, ctx.view, s, e), (c, s, e)) for c, s, e in mentions), key=lambda t: -t[0])
    top, (choice, start, end) = scored[0]
    rival = max((c for c, m in scored[1:] if m[0].key != choice.key), default=0.0)
    if top >= 0.5 and top >= rival + 0.3:
        return [Proposal(need.key, choice.key, NAMED_SHORT, start, end, f"choice '{choice.label}' named nearby")]
    return []


def _region_of_place(ctx: Context, word: Word) -> bool:
    """True for "Canada" in "Toronto, Canada": a capitalised word that qualifies the name before its comma."""
    if not word.capitalised or word.index == 0:
        return False
    prev = ctx.view.words[word.index - 1]
    return prev.capitalised and ctx.text[prev.end : word.start] == ", "


_PLACE_PREPOSITIONS = frozenset({"to", "from", "in", "at", "near", "via", "into"})


def _may_mean(ctx: Context, word: Word, labels: set[str], label_stems: set[str], label_words: set[str]) -> bool:
    """False for a word that spells a label, and for a word of a longer label that names a place.

    A word that spells a whole label ("open", "Close" for "closed") was seen by name: when that did
    not take it, meaning does not either. A word of a longer label after a place's preposition,
    when a need takes places, is the place ("to Alaska", "to the United States"), not the choice.
    """
    if word.lower in labels or word.stem in label_stems:
        return False
    if word.lower not in label_words or not ctx.of_kind("place"):
        return True
    before = [w.lower for w in ctx.view.before(word.start, 2)]  # nearest first
    if before and before[0] in ("the", "a", "an"):
        before = before[1:]
    return not (before and before[0] in _PLACE_PREPOSITIONS)


def _by_meaning(ctx: Context, need: NeedProfile) -> list[Proposal]:
    """A word of the text much nearer in meaning to one label than to any other ("recipes" -> Cooking)."""
    index = need.index
    assert index is not None
    if len(index) > SEMANTIC_MAX_CHOICES or len(index) < 2 or not semantic.available():
        return []
    if not all(any(ch.isalpha() for ch in c.label) and not any(ch.isdigit() for ch in c.label) for c in index.choices):
        return []
    labels = {fold(c.label).strip() for c in index.choices}
    label_stems = {stem(x) for x in labels if " " not in x}
    label_words = {w for x in labels for w in x.split()}
    words = [
        w
        for w in ctx.view.words
        if w.lower not in STOPWORDS
        and w.lower.isalpha()
        and len(w.lower) > 3
        and need.cue(w.stem) == 0
        and _may_mean(ctx, w, labels, label_stems, label_words)
    ]
    if not words:
        return []
    vectors = semantic.embed([w.text for w in words])
    sims = vectors @ index.vectors().T  # words x labels
    best_word = int(np.argmax(sims.max(axis=1)))
    row = sims[best_word]
    order = np.argsort(-row)
    top, second = float(row[order[0]]), float(row[order[1]])
    if top < SEMANTIC_MIN_SIM or top - second < SEMANTIC_MIN_LEAD:
        return []
    # The runner-up word must not point to a different label just as strongly.
    per_word_best = sims.argmax(axis=1)
    rivals = [float(sims[i].max()) for i in range(len(words)) if per_word_best[i] != order[0]]
    if rivals and max(rivals) > top - SEMANTIC_MIN_LEAD:
        return []
    conf = min(0.86, 0.42 + 0.5 * top + 0.55 * (top - second))
    word = words[best_word]
    choice = index.choices[int(order[0])]
    if word.lower in fold(choice.label).split() and _region_of_place(ctx, word):
        return []  # "Toronto, Canada": a place's region, not the choice "Air Canada" it is a word of
    return [Proposal(need.key, choice.key, conf, word.start, word.end, f"'{word.text}' means '{choice.label}'")]


def find_choices(ctx: Context) -> list[Proposal]:
    """Proposals for needs with text choices: labels named in the text, else one clear meaning."""
    out: list[Proposal] = []
    for need in ctx.of_kind("choice"):
        if need.choice_kind != "text" or need.index is None:
            continue
        named = _by_name(ctx, need)
        out += named
        if not named and not need.need.list:
            out += _by_meaning(ctx, need)
    return out
