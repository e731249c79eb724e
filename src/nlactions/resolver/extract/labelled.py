"""A value written right after its need's own label: "with name Ana and amount 42", "set the status to done".

The value runs from the word after the label to a phrase boundary: another need's label, a joiner
("and", ",") or a preposition followed by another need's label, or the end of the sentence. Where
the end is a guess (a joiner, a preposition or any other small word not followed by a label, or a
long run of words) nothing is read. Numbers keep their sign and scale ("-42", "2 million").
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from nlactions.resolver.extract.context import Context
from nlactions.resolver.extract.phrases import PREPOSITIONS
from nlactions.resolver.extract.profile import NeedProfile, words_of
from nlactions.resolver.extract.proposal import Proposal
from nlactions.resolver.extract.text import STOPWORDS, TextView
from nlactions.resolver.numbers import Number

__all__ = ["LabelIndex", "find_labelled"]

# Kinds a label-and-value phrase can fill; dates, times, flags, addresses have finders of their own.
_TEXT_KINDS = frozenset({"text", "any", "person", "user", "place", "choice"})
_NUMBER_KINDS = frozenset({"int", "float", "number"})
# Words that may come right before a label used as a noun ("with name", "and amount", "the status").
_LEADS = frozenset(
    {"with", "and", "plus", "the", "a", "an", "its", "their", "his", "her", "my", "your", "our", "new"}
    | {"set", "change", "update", "reset", "switch"}
)
_SETTING = frozenset({"set", "change", "update", "reset", "switch"})
_ARTICLES = frozenset({"the", "a", "an", "its", "their", "his", "her", "my", "your", "our"})
_JOINERS = frozenset({"and", "plus", "or"})
# Above a name read only up to its capitals ("Weekly" of "title is Weekly sync."), 0.82, by more
# than the ambiguity margin: the span to the phrase boundary is the reading that respects it.
TEXT_CONFIDENCE = 0.9
NUMBER_CONFIDENCE = 0.88
MAX_WORDS = 6  # a longer run after a label is a sentence, not a value: its end is a guess
_INNER = frozenset(" -'/&.+#")  # what may sit between two words of one value ("Q3-report", "R&D")
_END = frozenset(" .!?;\n")  # what may follow a value that ends its sentence


@dataclass(frozen=True, slots=True)
class _Label:
    words: tuple[str, ...]
    need: NeedProfile


class LabelIndex:
    """Where the needs' labels (or keys, as words) are written in the text, by word index."""

    def __init__(self, view: TextView, profiles: Sequence[NeedProfile]):
        by_first: dict[str, list[_Label]] = defaultdict(list)
        for profile in profiles:
            phrases = {tuple(words_of(profile.need.label)), tuple(words_of(profile.key))}
            for words in phrases:
                if words and not all(w in STOPWORDS for w in words):
                    by_first[words[0]].append(_Label(words, profile))
        self.view = view
        self.at: dict[int, list[_Label]] = {}
        self.last: set[int] = set()  # indexes of the last word of a label
        ws = view.words
        for i, word in enumerate(ws):
            for label in by_first.get(word.lower, ()):
                n = len(label.words)
                inside = range(i, i + n)
                if i + n <= len(ws) and all(ws[k].lower == label.words[k - i] for k in inside):
                    if any(ws[k].segment != word.segment for k in inside):
                        continue  # a label does not run across a sentence break
                    self.at.setdefault(i, []).append(label)
                    self.last.add(i + n - 1)

    def starts(self, i: int, segment: int) -> bool:
        """True when a need's label starts at word ``i`` of ``segment``."""
        return i in self.at and i < len(self.view.words) and self.view.words[i].segment == segment


def _gap(view: TextView, i: int) -> str:
    """The text between word ``i`` and the next word (or the end of the text)."""
    ws = view.words
    end = ws[i + 1].start if i + 1 < len(ws) else len(view.text)
    return view.text[ws[i].end : end]


def _labelled_next(labels: LabelIndex, j: int, segment: int) -> bool:
    """True when word ``j`` (after an optional article) starts another need's label in ``segment``."""
    ws = labels.view.words
    if j < len(ws) and ws[j].lower in _ARTICLES and ws[j].segment == segment:
        j += 1
    return labels.starts(j, segment)


def _value_end(labels: LabelIndex, first: int) -> int | None:
    """Index of the last word of the value starting at word ``first``; None when where it ends is a guess."""
    view = labels.view
    ws = view.words
    segment = ws[first].segment
    if labels.starts(first, segment):
        return None  # "with name amount 42": the label's value is missing, not "amount 42"
    j = first
    while True:
        word = ws[j]
        if j > first and labels.starts(j, segment):
            return j - 1  # "name Ana amount 42": the next label ends it
        if j > first and (word.lower in _JOINERS or word.lower in PREPOSITIONS) and ws[j - 1].segment == segment:
            # "and amount 42", "with amount 42" end it; "and Bob", "for lunch" leave the end a guess.
            return j - 1 if _labelled_next(labels, j + 1, segment) else None
        if word.lower in STOPWORDS or j - first >= MAX_WORDS:
            return None
        gap = _gap(view, j)
        if j + 1 >= len(ws) or ws[j + 1].segment != segment:
            if gap.startswith(".") and _abbreviation(word.text) and j + 1 < len(ws) and ws[j + 1].capitalised:
                return None  # "The city is St. Helena": the stop may be an abbreviation's, not the sentence's
            return j if not gap or set(gap) <= _END | {"\t", "\r"} else None
        if "," in gap:
            if gap.strip() != ",":
                return None
            nxt = j + 1
            if ws[nxt].lower in _JOINERS:
                nxt += 1
            return j if _labelled_next(labels, nxt, segment) else None  # ", amount 42" ends it; ", thanks" no
        if not set(gap) <= _INNER or (gap.strip() and " " in gap):
            return None  # quotes, brackets, colons, a dash between spaces: not one plain value
        j += 1


def _abbreviation(word: str) -> bool:
    """True for a short capitalised word that a full stop may abbreviate ("St", "Dr", "Mt")."""
    return word[:1].isupper() and word.isalpha() and len(word) <= 3


class _Numbers:
    """The text's numbers (not in dates or times), found by offset in logarithmic time."""

    def __init__(self, ctx: Context):
        self.numbers = ctx.numbers()
        self._starts = [n.start for n in self.numbers]

    def at(self, start: int, first_word_start: int) -> Number | None:
        """The number whose text starts between ``start`` and the first value word (its sign or currency)."""
        k = bisect.bisect_right(self._starts, first_word_start) - 1
        if k < 0:
            return None
        n = self.numbers[k]
        return n if start <= n.start and first_word_start < n.end else None


def _as_number(profile: NeedProfile, n: Number, raw: str) -> Any:
    """The number as the need takes it: text as written for a string need, else int or float; None if unsure."""
    if n.kind not in ("plain", "money") or (n.kind == "money" and not profile.money):
        return None
    if raw[-1:].lower() in ("k", "m") and n.kind != "money":
        return None  # "1.5k": the scale letter is not read into the value
    if profile.need.type == "int":
        return int(n.value) if float(n.value).is_integer() else None
    if profile.need.type == "float":
        return n.value
    return raw


def _choice(profile: NeedProfile, raw: str) -> Any:
    if profile.index is None:
        return None
    ranked = profile.index.rank(raw, 2)
    return ranked[0].choice.key if ranked and ranked[0].score >= 0.9 else None


def _noun_use(labels: LabelIndex, i: int, after_value: bool) -> bool:
    """True when the label at word ``i`` is used as a noun.

    It comes first in its sentence, or after "with", "and", "the", a comma, another label or the
    value read after another label ("name Ana amount 42").
    """
    ws = labels.view.words
    if i == 0 or ws[i - 1].segment != ws[i].segment or after_value:
        return True
    prev = ws[i - 1]
    return prev.lower in _LEADS or "," in labels.view.gap(prev.end, ws[i].start) or i - 1 in labels.last


def _setting_verb_before(labels: LabelIndex, i: int) -> bool:
    """True for "set the status": a verb that sets comes before the label (past an article)."""
    ws = labels.view.words
    k = i - 1
    if k >= 0 and ws[k].lower in _ARTICLES:
        k -= 1
    return k >= 0 and ws[k].segment == ws[i].segment and ws[k].lower in _SETTING


def _read(
    ctx: Context, labels: LabelIndex, numbers: _Numbers, i: int, label: _Label, after_value: bool
) -> Proposal | None:
    """The value after the label at word ``i``, or None when the label is not a noun there or the end is a guess."""
    view = ctx.view
    ws = view.words
    need = label.need
    last_label = i + len(label.words) - 1
    first = last_label + 1
    if first >= len(ws) or ws[first].segment != ws[i].segment or not _noun_use(labels, i, after_value):
        return None
    if ws[first].lower == "is" or (ws[first].lower == "to" and _setting_verb_before(labels, i)):
        if view.gap(ws[last_label].end, ws[first].start) != " ":
            return None
        last_label, first = first, first + 1  # "the amount is 42", "set the status to done"
        if first >= len(ws) or ws[first].segment != ws[i].segment:
            return None
    lead = view.gap(ws[last_label].end, ws[first].start)
    name = " ".join(label.words)
    if need.kind in _NUMBER_KINDS:
        n = numbers.at(ws[last_label].end, ws[first].start)
        if n is None or view.gap(ws[last_label].end, n.start).strip():
            return None
        last = view.index_at(n.end) - 1  # the number's last word; what follows must end the value
        end = _value_end(labels, last) if last >= first else None
        if end != last:
            return None
        raw = ctx.text[n.start : n.end].strip()
        value = _as_number(need, n, raw)
        if value is None:
            return None
        return Proposal(need.key, value, NUMBER_CONFIDENCE, n.start, n.end, f"number after its label '{name}'")
    if need.kind not in _TEXT_KINDS or lead != " ":
        return None
    end = _value_end(labels, first)
    if end is None:
        return None
    s, e = ws[first].start, ws[end].end
    raw = ctx.text[s:e]
    value = _choice(need, raw) if need.kind == "choice" else raw
    if value is None:
        return None
    return Proposal(need.key, value, TEXT_CONFIDENCE, s, e, f"value after its label '{name}'")


def find_labelled(ctx: Context) -> list[Proposal]:
    """Values written right after their need's label, up to a phrase boundary."""
    labels = LabelIndex(ctx.view, ctx.profiles)
    if not labels.at:
        return []
    numbers = _Numbers(ctx)
    out = []
    ends: set[int] = set()  # where a value read after a label ended (the text offset)
    for i, found in sorted(labels.at.items()):
        previous = ctx.view.words[i - 1].end if i else -1
        for label in found:
            if label.need.need.list:
                continue
            p = _read(ctx, labels, numbers, i, label, previous in ends)
            if p is not None:
                out.append(p)
                ends.add(p.end)
    return out
