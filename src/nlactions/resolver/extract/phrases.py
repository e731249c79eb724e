"""Free text the instructions spell out: "key: value", quotes, "called X", "saying X", "artist X"."""

from __future__ import annotations

import bisect
import itertools
import json
import re
from typing import Any

from nlactions.resolver.extract.context import Context
from nlactions.resolver.extract.cues import cue_before
from nlactions.resolver.extract.names import name_around, name_at, settled_end
from nlactions.resolver.extract.profile import NeedProfile, words_of
from nlactions.resolver.extract.proposal import Proposal
from nlactions.resolver.extract.text import STOPWORDS, Word, stem
from nlactions.resolver.normalise import normalise
from nlactions.resolver.numbers import parse_number
from nlactions.resolver.spans import NextMatch

__all__ = ["PREPOSITIONS", "find_phrases", "label_preposition", "quoted_spans"]

FREE_KINDS = ("text", "place", "user", "person", "any")
_QUOTES = re.compile(
    r"\"([^\"\n]{1,500})\"|“([^”\n]{1,500})”|(?<![\w'])'((?:[^'\n]|(?<=\w)'(?=\w)){1,500}?)'(?![\w])|`([^`\n]{1,500})`"
)
_ASSIGN = re.compile(
    r"(?<![\w.])(?P<name>[A-Za-z_][\w]*(?:[ _][A-Za-z]\w*){0,3})\s*(?P<op>=|:)\s*"
    r"(?P<value>\"[^\"\n]*\"|'[^'\n]*'|\[[^\]\n]*\]|\{[^}\n]*\}|[^\s,;]+)"
)
_CLAUSE_END = re.compile(r"[.;!?\n]|,\s|\s+and\s+(?:then\s+)?(?:also\s+)?(?=[a-z]+\s)")
# What introduces a name or a message, and the label words of the needs that take it.
_NAME_WORDS = frozenset({"name", "title", "subject", "summary", "label", "headline", "caption", "nickname"})
_TEXT_WORDS = frozenset({"message", "text", "body", "content", "comment", "note", "reply", "description"})
_NAMING = re.compile(
    r"\b(?:(?:called|named|titled|entitled)"
    r"|(?:name|call|title|label|rename|retitle)\s+(?:it|this|that|them|(?:the|my)\s+\w+)(?:\s+(?:as|to))?"
    r"|(?:in|under)\s+the\s+name\s+of)\s+",
    re.I,
)
_SAYING = re.compile(r"\b(?:saying|that\s+says|which\s+says|reading|with\s+the\s+(?:message|text))\s*:?\s+", re.I)
# Words that end a name given in running text ("called Team sync at 5 pm").
_NAME_STOP = re.compile(
    r"\s+(?:at|for|on|with|to|from|in|by|please|instead|thanks|thank|now|and|but|so|which|that|because|"
    r"if|when|tomorrow|today|tonight|every|each|then)\b|[.,;:!?\n]",
    re.I,
)
_GENERIC_NAME = frozenset({"name", "title", "id", "value"})
_INTRODUCING = frozenset({"called", "named", "titled", "entitled", "saying", "says", "reading"})
_KIND_WORDS = frozenset({"genre", "category", "cuisine", "style", "kind", "type", "flavor", "flavour", "theme"})
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)|\n")
_CONNECTORS = frozenset(
    {"is", "was", "are", "be", "called", "named", "titled", "as", "by", "of", "for", "the", "name", "title"}
)
_TOKEN = re.compile(r"\S+")
_DOT_WORD = re.compile(r"\.(?=[A-Za-z])")
_ID_LIKE = re.compile(r"^(?=.*\d)[A-Za-z0-9][\w/.-]*$|^[a-z]+(?:_[a-z0-9]+)+$|^[\w.:~-]*[/\\][\w./\\:~-]+$")


def quoted_spans(text: str, *, strip: bool = True) -> list[tuple[int, int, str]]:
    """Quoted strings: (start, end, inner text), the inner text stripped of spaces unless ``strip`` is False."""
    out = []
    for m in _QUOTES.finditer(text):
        inner = next(g for g in m.groups() if g is not None)
        if inner.strip():
            out.append((m.start(), m.end(), inner.strip() if strip else inner))
    return out


def _typed(need: NeedProfile, raw: str) -> Any:
    """``raw`` read as the need's type, or None when it does not fit."""
    text = raw.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        text = text[1:-1]
    t = need.need.type
    if need.need.list:
        if text.startswith("["):
            try:
                parsed = json.loads(text.replace("'", '"'))
            except json.JSONDecodeError:
                return None
            return parsed if isinstance(parsed, list) else None
        return None
    if need.kind == "choice":
        if need.index is None:
            return None
        ranked = need.index.rank(text, 2)
        if ranked and ranked[0].score >= 0.9:
            return ranked[0].choice.key
        return None
    if t in ("int", "float"):
        number = parse_number(text)
        if number is None:
            return None
        if t == "int":
            return int(number) if float(number).is_integer() else None
        return number
    if t == "bool":
        low = text.lower()
        return True if low in ("true", "yes") else False if low in ("false", "no") else None
    if t == "dict":
        try:
            parsed = json.loads(text.replace("'", '"'))
        except json.JSONDecodeError:
            return None
        return parsed if isinstance(parsed, dict) else None
    return text or None


def _names_need(name: str, need: NeedProfile) -> float:
    """How exactly ``name`` (left of "=" or ":") names a need: 1 its key, 0.9 its label."""
    if name == need.key or normalise(name) == normalise(need.key):
        return 1.0
    if normalise(name) == normalise(need.need.label):
        return 0.9
    return 0.0


def _assignments(ctx: Context) -> list[Proposal]:
    out = []
    clause_end = NextMatch(_CLAUSE_END, ctx.text)
    for m in _ASSIGN.finditer(ctx.text):
        name = m.group("name")
        raw = m.group("value")
        if m.group("op") == ":" and raw[0] not in "\"'[{":
            found = clause_end.search(m.start("value"))
            end = found.start() if found else len(ctx.text)
            raw = ctx.text[m.start("value") : end].strip()
        elif raw[0] not in "\"'[{":
            raw = raw.rstrip(".!?")  # "c=2." ends a sentence; the dot is not part of the value
        for need in ctx.profiles:
            # "name of the last word": "set the subject: Hi" names "subject".
            strength = max(_names_need(name, need), _names_need(name.split()[-1], need) * 0.95)
            if strength <= 0:
                continue
            value = _typed(need, raw)
            if value is None:
                continue
            start = m.start("value")
            out.append(Proposal(need.key, value, 0.9 + 0.05 * strength, start, start + len(raw), "named value"))
    return out


def _label_words(need: NeedProfile) -> set[str]:
    return set(words_of(need.need.label)) | set(words_of(need.key))


def _name_end(text: str, start: int, stop: NextMatch) -> int:
    m = stop.search(start)
    end = m.start() if m else len(text)
    words = [w.group() for w in itertools.islice(_TOKEN.finditer(text, start, end), 9)]
    if len(words) > 8:
        return start + len(" ".join(words[:8]))
    return end


# A name that stops while its sentence goes on ("Leave" of "Leave for home please") may be cut
# short; the calibration measures such reads apart from names that end their sentence.
MID_SENTENCE = ", sentence goes on"


TAIL_REACH = 6  # words looked at after the preposition: the check stays constant per name
_TAIL_PREPOSITIONS = frozenset({"for", "of", "with", "by"})  # not "in", "at", "on": they bring a place or time


def _tail_uncertain(ctx: Context, end: int) -> bool:
    """True for "Leave" in "for Leave for home please.": a preposition and a word or two end the sentence.

    Such a tail may belong to the name ("Leave for home"), or not; either way the end is a guess.
    """
    words = ctx.view.words
    i = ctx.view.index_at(end)
    if i == 0 or i >= len(words) or words[i].segment != words[i - 1].segment:
        return False
    if words[i].lower not in _TAIL_PREPOSITIONS:
        return False
    rest: list[Word] = []
    j = i + 1
    while j < len(words) and words[j].segment == words[i].segment and len(rest) <= 2 and j - i <= TAIL_REACH:
        if words[j].lower not in STOPWORDS:
            rest.append(words[j])
        j += 1
    ends = j >= len(words) or words[j].segment != words[i].segment
    return ends and 1 <= len(rest) <= 2


# Words that open a verb's object: "and set it", "and change the time" start a new clause.
_OBJECT_OPENERS = frozenset({"it", "the", "a", "an", "this", "that", "them", "me", "my", "his", "her", "our",
                             "their", "its", "your", "him", "us", "up", "off"})  # fmt: skip
# Verbs an instruction goes on with after "and" ("call it X and set ..."): a new clause, not the name.
_CLAUSE_VERBS = frozenset({"set", "change", "make", "add", "put", "send", "call", "remind", "move", "turn",
                           "schedule", "book", "let", "tell", "give", "get", "show", "find", "remove", "delete",
                           "update", "use", "wake", "start", "stop", "keep", "ask"})  # fmt: skip


def _past_own_noun(need: NeedProfile, start: int, value: str) -> tuple[int, str]:
    """ "call the new alarm Music practice": the need's own noun ("alarm") is not part of the name."""
    first, _, rest = value.partition(" ")
    own = {w for w in words_of(need.need.label) if w not in STOPWORDS and w not in _NAME_WORDS}
    if rest and first.lower() in own and first[:1].islower():
        return start + len(first) + 1 + (len(rest) - len(rest.lstrip())), rest.strip()
    return start, value


def _and_goes_on(ctx: Context, end: int) -> bool:
    """True for "Buy milk" in "called Buy milk and eggs": "and" and a lower-case word may be more of the name.

    "and set it for 4", "and change the time" are a new clause (a verb and its object): the name ended.
    """
    after = ctx.view.after(end, 3)
    if len(after) < 2 or after[0].lower not in ("and", "or", "&"):
        return False
    nxt = after[1]
    if nxt.lower in STOPWORDS or nxt.lower in _CLAUSE_VERBS or nxt.capitalised or not nxt.lower.isalpha():
        return False
    return not (len(after) >= 3 and after[2].lower in _OBJECT_OPENERS)


def _mid_sentence(ctx: Context, end: int) -> bool:
    """True when more words of the same sentence follow ``end``."""
    i = ctx.view.index_at(end)
    return i < len(ctx.view.words) and i > 0 and ctx.view.words[i].segment == ctx.view.words[i - 1].segment


def _introduced(ctx: Context) -> list[Proposal]:
    """ "called X", "name it X", "titled 'X'", "saying X" for the one need whose label fits."""
    out = []
    text = ctx.text
    for pattern, wanted, naming in ((_NAMING, _NAME_WORDS, True), (_SAYING, _TEXT_WORDS, False)):
        needs = [p for p in ctx.profiles if p.kind in FREE_KINDS and not p.need.list and _label_words(p) & wanted]
        if len(needs) != 1:
            continue
        need = needs[0]
        stop = NextMatch(_NAME_STOP if naming else _SENTENCE_END, text)
        for m in pattern.finditer(text):
            start = m.end()
            # A quote opening right here (the introducer ends in a space, as a quote's lead-in must).
            quote = _QUOTES.match(text, start)
            inner = next(g for g in quote.groups() if g is not None).strip() if quote else ""
            if quote and inner:
                out.append(Proposal(need.key, inner, 0.9, start, quote.end(), f"quoted after '{m.group().strip()}'"))
                continue
            if naming:
                end = _name_end(text, start, stop)
            else:
                sentence = stop.search(start)
                end = sentence.start() if sentence else len(text)
            value = text[start:end].strip()
            if naming:
                start, value = _past_own_noun(need, start, value)
            if value and value.lower() not in STOPWORDS:
                if naming and (_tail_uncertain(ctx, start + len(value)) or _and_goes_on(ctx, start + len(value))):
                    continue  # "in the name of Leave for home", "Buy milk and eggs": where the name ends is a guess
                cut = MID_SENTENCE if naming and _mid_sentence(ctx, start + len(value)) else ""
                detail = f"text after '{m.group().strip()}'{cut}"
                out.append(Proposal(need.key, value, 0.9, start, start + len(value), detail))
    return out


def _after_cue(ctx: Context) -> list[Proposal]:
    """A quoted string, a proper name or an id right after a word that names the need ("owner Dana")."""
    view = ctx.view
    quotes = _Quotes(quoted_spans(ctx.text))
    out = []
    for need in ctx.profiles:
        if need.kind not in FREE_KINDS or need.need.list:
            continue
        name_stems = {s for s, w in need.cues.items() if w >= 1.0}
        if not name_stems:
            continue
        prep = label_preposition(need)
        for word in view.words:
            if word.stem not in name_stems or word.lower in _INTRODUCING:
                continue
            around = name_around(view, word.index) if need.kind != "place" else None
            if around is not None:
                s, e = around
                inside = view.starting_within(s, e)
                if any(need.cue(w.stem) == 0 and w.lower not in STOPWORDS for w in inside):
                    if inside[-1].index == word.index and len(inside) >= 2 and _qualifies(need, word.stem):
                        e = inside[-2].end  # "Hilton Hotel" for a hotel chain: the noun is not part of the value
                    out.append(Proposal(need.key, ctx.text[s:e], 0.84, s, e, f"name containing '{word.text}'"))
                    continue
            i = word.index + 1
            while i < len(view.words) and view.words[i].lower in _CONNECTORS and i - word.index <= 2:
                if view.words[i].text == "The" and view.words[i].segment == word.segment:
                    break  # "the album The New Classic": a capital "The" mid-sentence starts the name
                i += 1
            if i >= len(view.words):
                continue
            gap = ctx.text[word.end : view.words[i].start]
            if any(ch in gap for ch in ".!?;\n"):
                continue
            quoted = quotes.first_from(word.end)
            if quoted is not None and quoted[0] > view.words[i].start:
                quoted = None
            if quoted is not None and prep is not None and prep not in words_of(ctx.view.gap(word.end, quoted[0])):
                # "Replace 'X' with 'Y'": a "Replace With" need takes the value its own preposition introduces.
                out += _after_preposition(ctx, need, word, prep, quotes)
                continue
            if quoted is not None:
                s, e, inner = quoted
                out.append(Proposal(need.key, inner, 0.9, s, e, f"quoted after '{word.text}'"))
                continue
            nxt = view.words[i]
            token_end = nxt.end
            while token_end < len(ctx.text) and not ctx.text[token_end].isspace() and ctx.text[token_end] not in ",;?!":
                token_end += 1
            raw_token = ctx.text[nxt.start : token_end].rstrip(".")
            pathlike = "/" in raw_token or "\\" in raw_token
            token = raw_token if pathlike else _DOT_WORD.split(raw_token)[0]
            longer_name = name_at(view, i, skip_article=False)
            if longer_name is not None and longer_name[1] > nxt.start + len(token):
                token = ""  # "Q2 Hiring Plan" is a name, not the id "Q2"
            if (_ID_LIKE.match(token) and not token.isdigit()) or (token.isdigit() and len(token) >= 5):
                out.append(
                    Proposal(need.key, token, 0.86, nxt.start, nxt.start + len(token), f"id after '{word.text}'")
                )
                continue
            span = name_at(view, i, skip_article=False)
            if span is not None and need.cue(view.words[i].stem) > 0:
                continue  # "a new Task ..." names the need again rather than giving a value
            if span is not None and need.kind != "place":
                s, e = span
                settled = settled_end(view, s, e)
                if settled is None:
                    continue  # "Leave for home": the name goes on in lower case, its end is a guess
                e = settled
                if _tail_uncertain(ctx, e):
                    continue  # "an alarm for Leave for home please"
                cut = MID_SENTENCE if _mid_sentence(ctx, e) else ""
                out.append(Proposal(need.key, ctx.text[s:e], 0.82, s, e, f"name after '{word.text}'{cut}"))
    return out


PREPOSITIONS = frozenset(
    {"with", "in", "into", "to", "from", "by", "as", "for", "on", "onto", "using", "via", "at", "of", "after", "before"}
)


def label_preposition(need: NeedProfile) -> str | None:
    """The preposition a need's label or key ends in ("Replace With" -> "with"), if it has more words."""
    for words in (words_of(need.need.label), words_of(need.key)):
        if len(words) >= 2 and words[-1] in PREPOSITIONS:
            return words[-1]
    return None


class _Quotes:
    """The quoted spans of a text (in order, never overlapping), found by offset in logarithmic time."""

    def __init__(self, spans: list[tuple[int, int, str]]):
        self.spans = spans
        self._starts = [s for s, _, _ in spans]

    def first_from(self, pos: int) -> tuple[int, int, str] | None:
        """The first span starting at or after ``pos``."""
        k = bisect.bisect_left(self._starts, pos)
        return self.spans[k] if k < len(self.spans) else None

    def inside(self, pos: int) -> bool:
        """True when ``pos`` falls strictly inside a span (``start < pos < end``)."""
        k = bisect.bisect_left(self._starts, pos)
        return k > 0 and pos < self.spans[k - 1][1]


def _after_preposition(ctx: Context, need: NeedProfile, word: Word, prep: str, quotes: _Quotes) -> list[Proposal]:
    """The quoted span right after the first ``prep`` that follows ``word`` in its clause, if any."""
    view = ctx.view
    for nxt in view.words[word.index + 1 : word.index + 9]:
        if nxt.segment != word.segment or any(ch in ctx.view.gap(word.end, nxt.start) for ch in ";!?\n"):
            return []
        if nxt.lower != prep or quotes.inside(nxt.start):
            continue
        # Only the first span after the preposition can follow it with nothing but spaces between.
        first = quotes.first_from(nxt.end)
        if first is not None and not ctx.view.gap(nxt.end, first[0]).strip():
            s, e, inner = first
            return [Proposal(need.key, inner, 0.9, s, e, f"quoted after '{word.text} ... {nxt.text}'")]
        return []
    return []


_SORT_OF = re.compile(r"\b(?:type|kind|sort|style|colou?r|brand|chain)\s+of\s+(?:the\s+|a\s+)?(\w+)", re.I)


def _qualifies(need: NeedProfile, noun: str) -> bool:
    """True when the need is a kind or part of the thing ``noun`` names ("hotel chain", "type of finish").

    A name ending in that noun ("Hilton Hotel") then gives the need the words before the noun; a need
    that is the thing itself ("museum", "park name") keeps the whole name.
    """
    head = [stem(w) for w in words_of(need.need.label or need.key) if w not in _GENERIC_NAME]
    if head and head[-1] != noun:
        return True
    return any(stem(m.group(1)) == noun for m in _SORT_OF.finditer(need.need.help_text))


def _lone_quote(ctx: Context, found: list[Proposal]) -> list[Proposal]:
    """The only quoted string goes to the only free-text need nothing else filled."""
    quotes = quoted_spans(ctx.text)
    free = [p for p in ctx.profiles if p.kind == "text" and not p.need.list]
    filled = {p.need for p in found if p.confidence >= 0.8}
    open_needs = [p for p in free if p.key not in filled]
    if len(quotes) != 1 or len(free) != 1 or len(open_needs) != 1:
        return []
    s, e, inner = quotes[0]
    cue = cue_before(open_needs[0], ctx.view, s)
    return [Proposal(open_needs[0].key, inner, 0.75 + 0.15 * cue, s, e, "the only quoted text")]


def _kind_of_thing(ctx: Context) -> list[Proposal]:
    """ "a Gothic novel", "Thai food": a capitalised word before the noun the help text names.

    Only for a need whose label is a kind or category ("Genre", "Cuisine", "Category").
    """
    view = ctx.view
    out = []
    for need in ctx.profiles:
        if need.kind != "text" or need.need.list or not (_label_words(need) & _KIND_WORDS):
            continue
        nouns = {s for s, w in need.cues.items() if w < 1.0}
        for word in view.words[1:]:
            if word.stem not in nouns or word.capitalised:
                continue
            prev = view.words[word.index - 1]
            opens = prev.index == 0 or view.words[prev.index - 1].segment != prev.segment
            if ctx.text[prev.end : word.start] != " " or not prev.capitalised or opens or prev.lower in STOPWORDS:
                continue
            before = view.words[prev.index - 1]
            if before.capitalised or len(prev.text) < 3 or not prev.text.isalpha():
                continue  # part of a longer name ("Ada Lovelace biography") or not a word ("X", "Turing's")
            out.append(Proposal(need.key, prev.text, 0.82, prev.start, prev.end, f"kind of '{word.text}'"))
    return out


def find_phrases(ctx: Context) -> list[Proposal]:
    """Proposals from named values, introducers, quotes and words that name a need."""
    out = _assignments(ctx)
    out += _introduced(ctx)
    out += _after_cue(ctx)
    out += _kind_of_thing(ctx)
    out += _lone_quote(ctx, out)
    return out
