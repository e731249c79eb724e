"""A free-text pick that a later sentence corrects with another name is not written.

"Title is Good Boys. Wrong. The movie I want to watch is Toy Story 4": a later sentence that says
"no", "wrong", "instead", "actually" ... and names something no other need took is most likely the
value, said in words no finder reads. The earlier pick is then a guess: the need abstains.
"""

from __future__ import annotations

from collections.abc import Mapping

from nlactions.resolver.extract.names import NOT_NAMES
from nlactions.resolver.extract.proposal import Proposal
from nlactions.resolver.extract.text import STOPWORDS, TextView
from nlactions.resolver.spans import SpanSet

__all__ = ["CORRECTION_WORDS", "corrected_later", "moved_later"]

# Words a speaker uses to take back what was said before. Generic discourse, no domain.
CORRECTION_WORDS = frozenset(
    {"no", "not", "wrong", "instead", "actually", "sorry", "change", "changed", "rather", "meant", "correction"}
)
# Signals reading free text: the ones a differently worded correction defeats.
FREE_TEXT = frozenset({"phrases", "people", "leftovers", "labelled"})


def corrected_later(
    view: TextView, picked: Mapping[str, Proposal], threshold: float, heads: Mapping[str, str] | None = None
) -> set[str]:
    """Needs whose free-text pick is followed by a correcting sentence that names something unclaimed.

    Also a correcting sentence that names the need itself by the head noun of its label ("change the
    name to grocery run" after "an alarm called cooking"): the new value is in words no finder read.
    """
    free = {k: p for k, p in picked.items() if p.signal in FREE_TEXT and round(p.confidence, 6) >= threshold}
    if not free:
        return set()
    claimed = sorted((p.start, p.end) for p in picked.values() if p.start != p.end)
    correcting: dict[int, bool] = {}  # segment -> has a correction word
    unclaimed_name: dict[int, bool] = {}  # segment -> names something no pick took
    stems: dict[int, set[str]] = {}  # segment -> stems said in a correcting sentence
    first_of_segment = -1
    segment = -1
    c = 0
    for word in view.words:
        if word.segment != segment:
            segment, first_of_segment = word.segment, word.index
        stems.setdefault(segment, set()).add(word.stem)
        if word.lower in CORRECTION_WORDS:
            correcting[segment] = True
        if word.index == first_of_segment or not word.capitalised or word.lower in NOT_NAMES:
            continue
        while c < len(claimed) and claimed[c][1] <= word.start:
            c += 1
        inside = c < len(claimed) and claimed[c][0] <= word.start < claimed[c][1]
        if not inside:
            unclaimed_name[segment] = True
    out: set[str] = set()
    for key, p in free.items():
        own = view.segment_at(p.start)
        # Only a name in the correcting sentence itself: also taking the next sentence ("Wrong. The
        # movie is X") cost a right value on a held-out fold (Homes) and gained nothing there.
        head = (heads or {}).get(key)
        if any(seg > own and (unclaimed_name.get(seg) or head in stems.get(seg, ())) for seg in correcting):
            out.add(key)
    return out


_PREPOSITIONS = frozenset({"from", "to", "with", "by", "via", "using", "through", "into", "on", "in", "at"})
_DETERMINERS = frozenset({"my", "the", "a", "an", "your", "our", "his", "her", "their", "this", "that"})


def _lead(view: TextView, pos: int) -> str | None:
    """The preposition that introduces the phrase at ``pos`` ("from" in "from my in-app balance")."""
    for word in view.before(pos, 3):
        if word.lower in _DETERMINERS:
            continue
        return word.lower if word.lower in _PREPOSITIONS else None
    return None


def moved_later(view: TextView, picked: Mapping[str, Proposal], threshold: float) -> set[str]:
    """Choice picks that a later correcting sentence moves with the same preposition to words no pick read.

    "... from my in-app balance. Actually, send it from my saving account.": the second "from" gives
    the need another value, in words that are not a choice; the earlier pick is then not the answer.
    """
    chosen = {k: p for k, p in picked.items() if p.signal == "choices" and round(p.confidence, 6) >= threshold}
    if not chosen:
        return set()
    claimed = SpanSet((p.start, p.end) for p in picked.values() if p.start != p.end)
    correcting = {w.segment for w in view.words if w.lower in CORRECTION_WORDS}
    # Per preposition, the last correcting sentence in which it leads to words no pick read.
    moved: dict[str, int] = {}
    for word in view.words:
        if word.segment not in correcting or word.lower not in _PREPOSITIONS:
            continue
        nxt = [w for w in view.after(word.end, 3) if w.lower not in _DETERMINERS]
        if nxt and nxt[0].lower not in STOPWORDS and not claimed.overlaps(nxt[0].start, nxt[0].end):
            moved[word.lower] = word.segment
    out: set[str] = set()
    for key, p in chosen.items():
        lead = _lead(view, p.start)
        if lead is not None and moved.get(lead, -1) > view.segment_at(p.start):
            out.add(key)
    return out
