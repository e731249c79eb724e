"""How strongly the words around a stretch of text name a need."""

from __future__ import annotations

from nlactions.resolver.extract.profile import NeedProfile
from nlactions.resolver.extract.text import STOPWORDS, TextView, stem
from nlactions.resolver.normalise import NUMBER_WORDS

__all__ = ["PEOPLE", "cue_after", "cue_before", "cue_near"]

# Nouns that count people; a need that counts seats, tickets or guests is often given as "for 3 people".
PEOPLE = frozenset(
    stem(w)
    for w in [
        "people",
        "persons",
        "person",
        "adults",
        "guests",
        "passengers",
        "travelers",
        "travellers",
        "attendees",
        "participants",
        "individuals",
        "pax",
        "folks",
    ]
)
_COUNTED = frozenset(
    stem(w)
    for w in [
        "seats",
        "tickets",
        "passengers",
        "adults",
        "guests",
        "people",
        "persons",
        "travelers",
        "travellers",
        "attendees",
        "participants",
        "spots",
        "places",
        "pax",
    ]
)
# Words that end the phrase a value belongs to.
_BARRIERS = frozenset({"and", "or", "but", "while", "whereas", "then", "also", "plus"})
_DECAY_BEFORE = (1.0, 0.9, 0.8)
# Words that may link a naming phrase to its value: "rate of 5%", "age is 30", "set to 4".
_LINKS = frozenset(
    [
        "of",
        "is",
        "are",
        "was",
        "were",
        "be",
        "being",
        "as",
        "at",
        "to",
        "about",
        "approximately",
        "around",
        "roughly",
        "exactly",
        "only",
        "just",
        "by",
        "with",
        "for",
        "from",
        "a",
        "an",
        "the",
        "its",
        "their",
        "his",
        "her",
        "my",
        "your",
        "our",
        "than",
        "over",
        "under",
        "least",
        "most",
        "up",
        "into",
        "per",
        "equal",
        "equals",
        "equaling",
        "totaling",
        "totalling",
        "set",
        "on",
        "in",
        "until",
        "till",
        "after",
        "before",
    ]
)
_DECAY_AFTER = (1.0, 0.85)


def cue_before(profile: NeedProfile, view: TextView, start: int, *, reach: int = 3) -> float:
    """Naming strength of the noun phrase just before ``start`` ("a monthly storage fee of 12 dollars").

    Linking words ("of", "is", "at", "the") may sit between the phrase and the value; the phrase
    itself is a run of content words, read nearest first, that ends at the next other word.
    """
    best = 0.0
    n = 0
    nearer: str | None = None
    for word in view.before(start, reach + 8):
        low = word.lower
        if low in _BARRIERS or low.isdigit() or low in NUMBER_WORDS:
            break  # the words before another number name that number
        if nearer is not None and (word.stem, nearer) in profile.pairs:
            best = max(best, 1.0)
        nearer = word.stem
        if low in STOPWORDS:
            if n == 0 and low in _LINKS:
                continue
            break
        if n >= min(reach, len(_DECAY_BEFORE)):
            break
        best = max(best, profile.cue(word.stem) * _DECAY_BEFORE[n])
        n += 1
    return best


def cue_after(profile: NeedProfile, view: TextView, end: int) -> float:
    """Naming strength of the one or two words just after ``end`` ("3 crates", "2 guest rooms")."""
    words = []
    for word in view.after(end, 3):
        if word.lower in _BARRIERS or (word.lower in STOPWORDS and word.lower != "of") or word.lower.isdigit():
            break
        if word.lower == "of":
            continue
        words.append(word)
        if len(words) == 2:
            break
    best = 0.0
    for i, word in enumerate(words):
        best = max(best, profile.cue(word.stem) * _DECAY_AFTER[i])
    if len(words) == 2:
        best = max(best, profile.cue(stem(words[0].lower + words[1].lower)))
    counts_people = any(profile.cue(c) >= 1.0 for c in _COUNTED)
    if words and words[0].stem in PEOPLE and counts_people:
        best = max(best, 0.85)
    if not words and counts_people:
        # "a cabin for 4", "a boat for two": a bare count after "for" counts people.
        before = view.before(end, 3)
        if len(before) >= 2 and before[1].lower == "for" and before[0].end == end:
            best = max(best, 0.85)
    return best


def cue_near(profile: NeedProfile, view: TextView, start: int, end: int) -> float:
    """The stronger of the words before and after a span naming the need, plus a little for both."""
    before = cue_before(profile, view, start)
    after = cue_after(profile, view, end)
    return min(1.0, max(before, after) + 0.1 * min(before, after))
