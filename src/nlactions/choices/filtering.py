"""Filtering a loaded list of choices by a query, best matches first; fast on 100,000 choices.

Tiers, each kept in list order: the label or key equals the query; the label starts with it; a word
of the label starts with it; the label or key contains it; the label contains every word of it (any
order). Then typo-tolerant matches (rapidfuzz), and for short lists the resolver's match index
(fuzzy and semantic) for matches in meaning.
"""

from __future__ import annotations

from rapidfuzz import fuzz, process

from nlactions.catalog import Choice
from nlactions.choices.entry import CachedChoices
from nlactions.resolver.match import index_for

FUZZY_LIMIT = 25
FUZZY_CUTOFF = 85.0
# Above this many choices the typo tier compares whole labels only (WRatio costs ~2 µs a label).
PARTIAL_FUZZY_MAX_CHOICES = 20_000
SEMANTIC_MAX_CHOICES = 2_000
SEMANTIC_LIMIT = 5
SEMANTIC_MIN_SCORE = 0.6
_WORD_BOUNDARY = frozenset(" -#@_/.([")


def _tier(label: str, key: str, text: str) -> int:
    if label == text or key == text:
        return 0
    if label.startswith(text):
        return 1
    at = label.find(text)
    while at > 0:
        if label[at - 1] in _WORD_BOUNDARY:
            return 2
        at = label.find(text, at + 1)
    return 3


def filter_choices(entry: CachedChoices, query: str | None) -> list[Choice]:
    """The entry's choices matching ``query`` (all of them, in order, when there is no query)."""
    choices = entry.choices
    text = " ".join((query or "").casefold().split())
    if not text:
        return list(choices)
    folded = entry.folded()
    hits = folded.containing(text)
    picked = sorted(hits, key=lambda i: (_tier(folded.labels[i], folded.keys[i], text), i))
    words = text.split()
    if len(words) > 1:
        every = folded.containing_all(words) - hits
        picked += sorted(every)
    seen = set(picked)
    scorer = fuzz.WRatio if len(choices) <= PARTIAL_FUZZY_MAX_CHOICES else fuzz.ratio
    for _label, _score, i in process.extract(
        text, folded.labels, scorer=scorer, limit=FUZZY_LIMIT, score_cutoff=FUZZY_CUTOFF
    ):
        if i not in seen:
            seen.add(i)
            picked.append(i)
    out = [choices[i] for i in picked]
    if len(choices) <= SEMANTIC_MAX_CHOICES:
        known = {choices[i].key for i in seen}
        for match in index_for(choices).rank(query or "", SEMANTIC_LIMIT):
            if match.score >= SEMANTIC_MIN_SCORE and match.choice.key not in known:
                known.add(match.choice.key)
                out.append(match.choice)
    return out
