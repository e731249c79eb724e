"""Text nothing else claimed: quoted spans placed by the word that introduces them, and a colon's tail.

These run after the other finders have been assigned. A quoted span goes to the open free-text
need that the word right before it names: a preposition ("with 'X'", "to 'X'") names the need
whose label or key has that preposition, a content word ("find 'X'", "the subject 'X'") the need
it is a cue of. What is left, one span or the text after a final colon, goes to the only open
required free-text need; with two such needs, or a cue that points elsewhere, nothing is given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from nlactions.resolver.extract.context import Context
from nlactions.resolver.extract.phrases import PREPOSITIONS, label_preposition, quoted_spans
from nlactions.resolver.extract.profile import NeedProfile, words_of
from nlactions.resolver.extract.proposal import Proposal
from nlactions.resolver.extract.text import Word, stem

__all__ = ["LEFTOVER_CONFIDENCE", "find_leftovers"]

# Just above the acceptance threshold: these readings rest on what is left, not on a naming word.
LEFTOVER_CONFIDENCE = 0.85
CUED_CONFIDENCE = 0.8
CUED_BONUS = 0.08
# Words between an introducing word and its value that say nothing ("in the text 'X'" reads "text").
_DETERMINERS = frozenset({"the", "a", "an", "this", "that", "these", "those", "my", "your", "our", "their", "its"})
# Prepositions that put a value in place without naming it ("in 'X'", "around 'X'").
_INTRODUCING = frozenset(
    {"in", "into", "inside", "within", "around", "on", "from", "to", "with", "for", "over", "through", "across"}
)
# A colon that ends a lead-in and starts the content: after a word, before space and more text.
_COLON = re.compile(r"(?<=[^\W_])[ \t]*:[ \t\n]+(?=\S)")


def _free(profile: NeedProfile) -> bool:
    """True for a need that takes one piece of free text (a string with no choices)."""
    return profile.kind == "text" and profile.need.type in ("str", "any") and not profile.need.list


def _introducer(ctx: Context, start: int) -> Word | None:
    """The word right before ``start`` that introduces it, past determiners; None at a clause start."""
    for word in ctx.view.before(start, 3):
        gap = ctx.text[word.end : start]
        if any(ch in gap for ch in ",;:.!?\n"):
            return None
        if word.lower in _DETERMINERS:
            continue
        return word
    return None


def _name_words(profile: NeedProfile) -> set[str]:
    return set(words_of(profile.need.label)) | set(words_of(profile.key))


def _score(profile: NeedProfile, word: Word | None, leading: bool) -> float:
    """How strongly ``word``, right before a span, says the span is this need's value.

    A preposition counts when the need's label or key has it ("with 'X'" for "Replace With"); a
    content word when it is one of the label's or key's words, or, only for the clause's verb
    (``leading``), a word of the help text.
    """
    if word is None:
        return 0.0
    if word.lower in PREPOSITIONS:
        return 1.0 if word.lower in _name_words(profile) else 0.0
    if label_preposition(profile) is not None and stem(words_of(profile.need.label or profile.key)[0]) == word.stem:
        return 0.0  # "Replace 'X' with 'Y'": a "Replace With" need takes what follows "with", not "replace"
    cue = profile.cue(word.stem)
    if cue >= 1.0 or word.lower in _name_words(profile):
        return 1.0
    return cue if leading else 0.0


def _leading(ctx: Context, word: Word | None, claimed: list[Proposal]) -> bool:
    """True for the clause's first (content) word or a word another need's value was read from (the action's verb)."""
    if word is None:
        return False
    if ctx.view.only_stopwords_before(word.index):
        return True  # "Please make 'X' ...", "Can you shout 'X'"
    return _overlaps(word.start, word.end, claimed)


def _claimed(chosen: Mapping[str, Proposal], threshold: float) -> list[Proposal]:
    return [p for p in chosen.values() if round(p.confidence, 6) >= threshold and p.start != p.end]


def _overlaps(start: int, end: int, spans: Iterable[Proposal]) -> bool:
    return any(start < p.end and p.start < end for p in spans)


def _quoted(ctx: Context, open_needs: list[NeedProfile], claimed: list[Proposal]) -> list[Proposal]:
    """Unclaimed quoted spans: by the word that introduces each, then the lone one left to the lone required need."""
    spans = [q for q in quoted_spans(ctx.text, strip=False) if not _overlaps(q[0], q[1], claimed)]
    if not spans or not open_needs:
        return []
    cued: dict[str, list[tuple[int, int, str, str, float]]] = {}
    left: list[tuple[int, int, str, dict[str, float], Word | None]] = []
    for s, e, inner in spans:
        word = _introducer(ctx, s)
        leading = _leading(ctx, word, claimed)
        scores = {p.key: _score(p, word, leading) for p in open_needs}
        ranked = sorted(scores.values(), reverse=True)
        best_key = max(scores, key=lambda k: scores[k])
        runner = ranked[1] if len(ranked) > 1 else 0.0
        if word is not None and scores[best_key] >= 0.5 and scores[best_key] > runner:
            cued.setdefault(best_key, []).append((s, e, inner, word.text, scores[best_key]))
        else:
            left.append((s, e, inner, scores, word))
    out: list[Proposal] = []
    for key, found in cued.items():
        if len(found) == 1:  # two spans cued to one need: neither is sure
            s, e, inner, text, score = found[0]
            out.append(Proposal(key, inner, CUED_CONFIDENCE + CUED_BONUS * score, s, e, f"quoted after '{text}'"))
    taken = {p.need for p in out}
    required = [p for p in open_needs if p.need.required and p.key not in taken]
    if len(left) != 1 or len(required) != 1 or len(cued) != len(out):
        return out
    s, e, inner, scores, word = left[0]
    need = required[0]
    if any(v > scores[need.key] for k, v in scores.items() if k != need.key and k not in taken):
        return out  # the introducing word names another need better
    if not _introduces(ctx, need, word, claimed):
        return out
    out.append(Proposal(need.key, inner, LEFTOVER_CONFIDENCE, s, e, "the quoted text left over"))
    return out


def _introduces(ctx: Context, need: NeedProfile, word: Word | None, claimed: list[Proposal]) -> bool:
    """True when ``word`` may introduce the need's value: no word, a preposition, the verb, a word it names.

    "the text 'X'", "in 'X'", "Capitalize 'X'" (a verb that names another need's choice, or the
    clause's first word) do; "user 'X'" or "job is 'X'" name some other thing and do not.
    """
    if word is None or word.lower in _INTRODUCING or _leading(ctx, word, claimed):
        return True
    return need.cue(word.stem) > 0 or word.lower in _name_words(need)


def _names_a_need(ctx: Context, lead: str) -> bool:
    """True when the text before a colon ends with a need's label or key, or with a word that names one."""
    lead_words = words_of(lead)
    if not lead_words:
        return True
    for profile in ctx.profiles:
        for name in (words_of(profile.need.label), words_of(profile.key)):
            if name and lead_words[-len(name) :] == name:
                return True
        if profile.cue(stem(lead_words[-1])) >= 1.0:
            return True
    return False


def _colon_tail(ctx: Context, open_needs: list[NeedProfile], claimed: list[Proposal]) -> list[Proposal]:
    """ "...: <text>" at the end goes to the only open required free-text need."""
    required = [p for p in open_needs if p.need.required]
    if len(required) != 1:
        return []
    for m in _COLON.finditer(ctx.text):
        if _names_a_need(ctx, ctx.text[max(0, m.start() - 60) : m.start()]):
            continue  # "subject: Hi" is a named value, read (or not) by the finders that know names
        start = m.end()
        tail = ctx.text[start:].rstrip()
        end = start + len(tail)
        if not tail or _overlaps(m.start(), end, claimed):
            return []
        return [Proposal(required[0].key, tail, LEFTOVER_CONFIDENCE, start, end, "the text after the colon")]
    return []


def find_leftovers(ctx: Context, chosen: Mapping[str, Proposal], threshold: float) -> list[Proposal]:
    """Values for open free-text needs from quoted spans and a colon's tail nothing else claimed."""
    claimed = _claimed(chosen, threshold)
    filled = {p.need for p in claimed} | {k for k, p in chosen.items() if round(p.confidence, 6) >= threshold}
    open_needs = [p for p in ctx.profiles if _free(p) and p.key not in filled]
    if not open_needs:
        return []
    out = _quoted(ctx, open_needs, claimed)
    taken = {p.need for p in out}
    rest = [p for p in open_needs if p.key not in taken]
    if not out:
        out += _colon_tail(ctx, rest, claimed)
    return out
