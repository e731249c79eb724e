"""How strongly the words around a stretch of text name a need."""

from __future__ import annotations

from nlactions.resolver.extract.profile import NeedProfile
from nlactions.resolver.extract.text import STOPWORDS, TextView, Word, stem
from nlactions.resolver.normalise import NUMBER_WORDS

__all__ = ["PEOPLE", "counts_people", "cue_after", "cue_before", "cue_near", "people_counted"]

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
    if len(words) == 2 and _is_one(view, end) and profile.cue(words[0].stem) == 0:
        words = words[:1]  # "one way tickets", "one bedroom flat": "one" qualifies the next word
    best = 0.0
    for i, word in enumerate(words):
        best = max(best, profile.cue(word.stem) * _DECAY_AFTER[i])
    if len(words) == 2:
        best = max(best, profile.cue(stem(words[0].lower + words[1].lower)))
    counts_people = any(profile.cue(c) >= 1.0 for c in _COUNTED)
    if words and words[0].stem in PEOPLE and counts_people:
        best = max(best, 0.85)
    if not words and counts_people:
        # "a cabin for 4", "a boat for two": a bare count after "for" counts people, when "for"
        # follows the thing counted; "looking for one" is a pronoun after a verb.
        before = view.before(end, 3)
        if len(before) >= 2 and before[1].lower == "for" and before[0].end == end and _thing_before(before):
            best = max(best, 0.85)
    return best


def _is_one(view: TextView, end: int) -> bool:
    """True when the word ending at ``end`` is the word "one" (also an article or a pronoun)."""
    before = view.before(end, 1)
    return bool(before) and before[0].end == end and before[0].lower == "one"


# Verbs that take "for" and an object: "looking for one" asks for a thing, it counts no one.
_SEEK = frozenset({"look", "search", "wait", "ask", "hunt", "hope", "shop"})


def _thing_before(before: list[Word]) -> bool:
    """False when the word before "for" (``before[2]``) is a verb of seeking or in -ing ("looking for one")."""
    if len(before) < 3:
        return True
    word = before[2].lower
    return not (word.isalpha() and (word.endswith("ing") or word in _SEEK))


def counts_people(profile: NeedProfile) -> bool:
    """True when the need counts people, seats or tickets (its words name one of them)."""
    return any(profile.cue(c) > 0 for c in _COUNTED)


def people_counted(view: TextView, end: int) -> bool:
    """True when the number ending at ``end`` is followed by a noun for people ("1 person", "4 guests")."""
    after = view.after(end, 1)
    return bool(after) and after[0].stem in PEOPLE


def cue_near(profile: NeedProfile, view: TextView, start: int, end: int) -> float:
    """The stronger of the words before and after a span naming the need, plus a little for both."""
    before = cue_before(profile, view, start)
    after = cue_after(profile, view, end)
    return min(1.0, max(before, after) + 0.1 * min(before, after))
