"""Match a hint to one of a need's choices: exact id, exact label, normalised, fuzzy, semantic.

Scores run from 0 to 1 and are calibrated against the resolver's threshold (0.80 by default):
exact matches score 1, a normalised or same-value match 0.95-0.97, fuzzy and semantic matches
what their evidence supports, and a near tie between two choices lowers the leader's score so
that an ambiguous hint falls below the threshold instead of picking one at random.
"""

from __future__ import annotations

import datetime as dt
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from nlactions.catalog import Choice
from nlactions.resolver import semantic
from nlactions.resolver.dates import parse_date, parse_time
from nlactions.resolver.normalise import FUNCTION_WORDS, normalise, semantic_text, stemmed
from nlactions.resolver.numbers import parse_number

__all__ = ["ChoiceIndex", "Match", "MatchMethod", "index_for", "match_hint"]

MatchMethod = Literal["id", "label", "normalised", "fuzzy", "semantic"]

# Scores of the exact stages.
ID_SCORE = 1.0
LABEL_SCORE = 1.0
FOLDED_SCORE = 0.99
NORMALISED_SCORE = 0.97
VALUE_SCORE = 0.95
# A lead smaller than this over the runner-up (a different choice) is a near tie ...
TIE_MARGIN = 0.1
# ... and costs the leader up to this much.
TIE_PENALTY = 0.25
# Tokens in more labels than this do not generate candidates on their own (they still score).
COMMON_TOKEN = 400
FUZZY_CANDIDATES = 12
FUZZY_SCORED = 40  # candidates scored word by word (the rest are ranked by rapidfuzz first)
SEMANTIC_CANDIDATES = 8
SEMANTIC_CAP = 0.93
SEMANTIC_FULL = 20_000  # lists up to this size are ranked by meaning in full
SEMANTIC_AMONG = 2_000
CLEAR_FUZZY = 0.88  # a fuzzy leader this good, clear of the rest, needs no semantic check
STOPWORDS = FUNCTION_WORDS


@dataclass(frozen=True, slots=True)
class Match:
    """A choice that matches a hint, how well (0..1) and by which stage of the cascade."""

    choice: Choice
    score: float
    method: MatchMethod


ValueKey = tuple[str, str]


def _value_keys(text: str, now: dt.datetime | None) -> list[ValueKey]:
    """Typed readings of ``text`` (a number, a date, a time) used to compare formats, not spellings."""
    keys: list[ValueKey] = []
    number = parse_number(text)
    if number is not None:
        keys.append(("number", repr(float(number))))
    time = parse_time(text)
    if time is not None:
        keys.append(("time", time))
    if now is not None or _looks_absolute(text):
        date = parse_date(text, now or dt.datetime(2000, 1, 1))
        if date is not None:
            keys.append(("date", date))
    return keys


def _casefold(text: str) -> str:
    """Case and Unicode form folded, accents kept (dropping them is the normalised stage's job)."""
    return unicodedata.normalize("NFKC", text).casefold().strip()


def _looks_absolute(text: str) -> bool:
    return any(ch.isdigit() for ch in text) and len(text) <= 40


def _token_sim(a: str, b: str) -> float:
    """How alike two word tokens are: 1 equal, 0.9 one a prefix of the other, else a typo score."""
    if a == b:
        return 1.0
    if a.isdigit() or b.isdigit():
        return 0.0
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) >= 4 and long_.startswith(short):
        return 0.9 if len(short) * 2 >= len(long_) else 0.0
    if len(short) >= 5:
        r = fuzz.ratio(a, b) / 100
        return r if r >= 0.8 else 0.0
    return 0.0


def _is_abbreviation(abbr: str, label_tokens: Sequence[str]) -> bool:
    """True when ``abbr`` ("uk", "usa", "nyk") spells the initials of every label word in order."""
    if len(label_tokens) < 2 or not 2 <= len(abbr) <= 5 or not abbr.isalpha():
        return False
    pos = 0
    for word in label_tokens:
        if pos >= len(abbr) or word[0] != abbr[pos]:
            return False
        pos += 1
        inner = 1
        while pos < len(abbr) and inner < len(word) and (nxt := word.find(abbr[pos], inner)) != -1:
            if len(label_tokens) > 1 and word is not label_tokens[-1]:
                break  # extra letters only come from the last word ("NYK" -> New YorK)
            inner = nxt + 1
            pos += 1
    return pos == len(abbr)


class ChoiceIndex:
    """Lookup tables over one list of choices, built once and reused for every hint."""

    def __init__(self, choices: Sequence[Choice]):
        self.choices: tuple[Choice, ...] = tuple(choices)
        self._lock = threading.Lock()
        self._by_id: dict[str, int] = {}
        self._by_label: dict[str, list[int]] = {}
        self._by_fold: dict[str, list[int]] = {}
        self._by_norm: dict[str, list[int]] = {}
        self._by_value: dict[ValueKey, list[int]] = {}
        self._postings: dict[str, list[int]] = {}
        self._prefixes: dict[str, list[int]] = {}
        self._initials: dict[str, list[int]] = {}
        self.norm: list[str] = []
        self.label_tokens: list[tuple[str, ...]] = []
        for i, choice in enumerate(self.choices):
            self._by_id.setdefault(choice.key, i)
            self._by_label.setdefault(choice.label, []).append(i)
            self._by_fold.setdefault(_casefold(choice.label), []).append(i)
            norm = normalise(choice.label)
            self.norm.append(norm)
            self._by_norm.setdefault(norm, []).append(i)
            toks = tuple(norm.split())
            self.label_tokens.append(toks)
            for tok in set(toks):
                self._postings.setdefault(tok, []).append(i)
                if len(tok) >= 4 and not tok.isdigit():
                    self._prefixes.setdefault(tok[:4], []).append(i)
            if len(toks) >= 2:
                self._initials.setdefault("".join(t[0] for t in toks), []).append(i)
        sample = self.choices[:200]
        typed = sum(1 for c in sample if _value_keys(c.label, None))
        # Labels that are values (dates, times, numbers) match by value, never by spelling.
        self.typed = bool(sample) and typed / len(sample) >= 0.8
        self._kind_counts: dict[str, int] = {}
        if self.typed or len(self.choices) <= 5000:
            for i, choice in enumerate(self.choices):
                for key in _value_keys(choice.label, None):
                    self._by_value.setdefault(key, []).append(i)
                    self._kind_counts[key[0]] = self._kind_counts.get(key[0], 0) + 1
        self.max_tokens = max((len(t) for t in self.label_tokens), default=0)
        # True for a yes/no list ("True"/"False", "Yes"/"No").
        self.yes_no = 0 < len(self.choices) <= 4 and all(n in ("true", "false", "yes", "no") for n in self.norm)
        # For large lists, a misspelt hint is compared only with labels of about its length and first letter.
        self._first = np.array([ord(n[0]) if n else 0 for n in self.norm], dtype=np.int32)
        self._lengths = np.array([len(n) for n in self.norm], dtype=np.int32)
        self._vectors: semantic.Vectors | None = None
        self._by_stem: dict[str, list[int]] | None = None
        self._row_vectors: dict[int, npt.NDArray[np.float32]] = {}

    def value_kinds(self) -> dict[str, int]:
        """How many labels read as a number, a date or a time."""
        return dict(self._kind_counts)

    def by_value(self, kind: str, value: str) -> list[Choice]:
        """Choices whose label has this typed value (``("number", repr(float))``, date, time)."""
        return [self.choices[i] for i in self._by_value.get((kind, value), ())]

    def by_key(self, key: str) -> Choice | None:
        """The choice with this id, if any (a dict lookup: cheap on 100,000 choices)."""
        i = self._by_id.get(key)
        return None if i is None else self.choices[i]

    def lookup(self, norm: str) -> list[Choice]:
        """Choices whose normalised label is exactly ``norm`` (see ``normalise``)."""
        return [self.choices[i] for i in self._by_norm.get(norm, ())]

    def lookup_stemmed(self, norm: str) -> list[Choice]:
        """Choices whose normalised label, word by word stemmed, equals ``norm`` stemmed."""
        if self._by_stem is None:
            with self._lock:
                if self._by_stem is None:
                    table: dict[str, list[int]] = {}
                    for i, label in enumerate(self.norm):
                        table.setdefault(stemmed(label), []).append(i)
                    self._by_stem = table
        return [self.choices[i] for i in self._by_stem.get(stemmed(norm), ())]

    def __len__(self) -> int:
        return len(self.choices)

    # -- exact stages -------------------------------------------------------------------------

    def exact(self, text: str, *, now: dt.datetime | None = None) -> list[Match]:
        """Matches from the exact stages (id, label, normalised label, same value), best first."""
        raw = text.strip()
        if raw in self._by_id:
            return [Match(self.choices[self._by_id[raw]], ID_SCORE, "id")]
        for table, score, method in (
            (self._by_label, LABEL_SCORE, "label"),
            (self._by_fold, FOLDED_SCORE, "label"),
        ):
            hits = table.get(raw if table is self._by_label else _casefold(raw))
            if hits:
                return self._tied(hits, score, method)  # type: ignore[arg-type]
        norm = normalise(raw)
        if norm and norm in self._by_norm:
            return self._tied(self._by_norm[norm], NORMALISED_SCORE, "normalised")
        if self._by_value:
            for key in _value_keys(raw, now):
                if key[0] == "date" and now is None and not _looks_absolute(raw):
                    continue
                hits = self._by_value.get(key)
                if hits:
                    return self._tied(hits, VALUE_SCORE, "normalised")
        return []

    def _tied(self, hits: list[int], score: float, method: MatchMethod) -> list[Match]:
        """Several choices with the same label are a tie: none is chosen with confidence."""
        distinct = list(dict.fromkeys(hits))
        if len(distinct) > 1:
            score -= TIE_PENALTY
        return [Match(self.choices[i], score, method) for i in distinct]

    # -- fuzzy stage --------------------------------------------------------------------------

    def _candidates(self, norm: str, toks: Sequence[str]) -> set[int]:
        out: set[int] = set()
        content = [t for t in toks if t not in STOPWORDS] or list(toks)
        common: list[list[int]] = []
        for tok in content:
            exact: list[int] = self._postings.get(tok, [])
            prefix: list[int] = self._prefixes.get(tok[:4], []) if len(tok) >= 4 and not tok.isdigit() else []
            if len(exact) + len(prefix) <= COMMON_TOKEN:
                out.update(exact)
                out.update(prefix)
            else:
                common.append(exact)
        if common and not out:
            # Only common words: keep the labels that contain all of them.
            common.sort(key=len)
            inter = set(common[0])
            for hits in common[1:]:
                inter.intersection_update(hits)
            out.update(sorted(inter)[: COMMON_TOKEN * 4])
        if 2 <= len(norm) <= 5 and norm.isalpha():
            for k in range(len(norm), 1, -1):
                out.update(self._initials.get(norm[:k], ()))
        return out

    def _misspelt(self, norm: str) -> list[int]:
        """Labels spelt like the whole hint ("grocries" -> "groceries")."""
        if len(self.choices) <= SEMANTIC_FULL:
            found = process.extract(norm, self.norm, scorer=fuzz.ratio, limit=FUZZY_CANDIDATES, score_cutoff=60)
            return [i for _label, _score, i in found]
        # Large lists: only labels that start with the same letter and are about as long.
        near = np.flatnonzero((self._first == ord(norm[0])) & (np.abs(self._lengths - len(norm)) <= 3))
        subset = {int(i): self.norm[int(i)] for i in near}
        found_sub = process.extract(norm, subset, scorer=fuzz.ratio, limit=FUZZY_CANDIDATES, score_cutoff=75)
        return [int(key) for _label, _score, key in found_sub]

    def _fuzzy_score(self, norm: str, toks: Sequence[str], i: int) -> float:
        label = self.norm[i]
        ltoks = self.label_tokens[i]
        if not ltoks or not toks:
            return 0.0
        if len(toks) == 1 and _is_abbreviation(toks[0], ltoks):
            return 0.86
        # Align each hint word with its most alike label word.
        hint_sims = [max(_token_sim(t, lt) for lt in ltoks) for t in toks]
        label_sims = [max(_token_sim(lt, t) for t in toks) for lt in ltoks]
        hint_content = [s for t, s in zip(toks, hint_sims, strict=True) if t not in STOPWORDS] or hint_sims
        label_content = [s for t, s in zip(ltoks, label_sims, strict=True) if t not in STOPWORDS] or label_sims
        hint_cov = sum(hint_content) / len(hint_content)
        label_cov = sum(label_content) / len(label_content)
        whole = fuzz.ratio(norm, label) / 100
        score = 0.0
        if hint_cov >= 0.8 and label_cov >= 0.8:
            score = 0.9 * min(hint_cov, label_cov) + 0.05 * whole
        elif hint_cov >= 0.85 and any(s == 1.0 for s in hint_content):
            # Every word of the hint is in the label ("Harbor" -> "Harbor Cinema 8").
            score = 0.84 + 0.04 * hint_cov + 0.04 * label_cov
        elif label_cov >= 0.85 and any(s == 1.0 for s in label_content):
            # The label is inside a longer hint ("Lyon, France" -> "Lyon").
            score = 0.8 + 0.08 * label_cov * (len(label) / max(len(norm), 1)) + 0.04 * whole
        else:
            score = 0.75 * max(whole, fuzz.token_set_ratio(norm, label) / 100) * min(1.0, hint_cov + 0.3)
        if len(norm) <= 3 and score < 0.95:
            score -= 0.1  # very short hints are weak evidence
        return max(0.0, min(score, 0.95))

    # -- semantic stage -----------------------------------------------------------------------

    def vectors(self) -> semantic.Vectors:
        """Embeddings of the labels (computed on first use, then kept with the index)."""
        if self._vectors is None:
            with self._lock:
                if self._vectors is None:
                    self._vectors = semantic.embed([semantic_text(c.label) for c in self.choices])
        return self._vectors

    def _rows(self, rows: Sequence[int]) -> semantic.Vectors:
        """Embeddings of some labels of a large list, computed as they are first needed."""
        missing = [i for i in rows if i not in self._row_vectors]
        if missing:
            vectors = semantic.embed([semantic_text(self.choices[i].label) for i in missing])
            with self._lock:
                for i, vector in zip(missing, vectors, strict=True):
                    self._row_vectors[i] = vector
        return np.stack([self._row_vectors[i] for i in rows])

    def semantic(
        self, text: str, limit: int = SEMANTIC_CANDIDATES, among: Sequence[int] | None = None
    ) -> list[tuple[int, float]]:
        """The labels (of all, or of ``among``) nearest in meaning to ``text``, with cosine similarity."""
        if not self.choices or not semantic.available() or (among is not None and not among):
            return []
        query = semantic.embed([semantic_text(text)])[0]
        if not query.any():
            return []
        if among is None:
            ids = np.arange(len(self.choices))
            sims = self.vectors() @ query
        else:
            ids = np.asarray(among)
            sims = self._rows(among) @ query
        k = min(limit, len(sims))
        top = np.argpartition(sims, len(sims) - k)[-k:] if k < len(sims) else np.arange(len(sims))
        return sorted(((int(ids[i]), float(sims[i])) for i in top), key=lambda p: -p[1])

    @staticmethod
    def _semantic_scores(near: list[tuple[int, float]], norms: list[str]) -> dict[int, float]:
        """Confidence from similarity and, above all, the lead over the nearest different label.

        Many look-alike labels are all similar to a hint; only a clear lead means the hint
        picks one of them.
        """
        out: dict[int, float] = {}
        for i, sim in near:
            rival = next((s for j, s in near if j != i and norms[j] != norms[i]), 0.0)
            out[i] = max(0.0, min(SEMANTIC_CAP, 0.35 + 0.35 * sim + 0.9 * (sim - rival)))
        return out

    # -- ranking ------------------------------------------------------------------------------

    def rank(self, text: str, limit: int = 5, *, now: dt.datetime | None = None) -> list[Match]:
        """The choices that best match ``text``, best first, with calibrated scores."""
        if not self.choices or not text.strip():
            return []
        exact = self.exact(text, now=now)
        if exact:
            return exact[:limit] if len(exact) > 1 else exact
        if self.typed:
            return []
        return self._rank_inexact(text, limit)

    def _rank_inexact(self, text: str, limit: int) -> list[Match]:
        norm = normalise(text)
        toks = tuple(norm.split())
        scores: dict[int, tuple[float, MatchMethod]] = {}
        candidates = self._candidates(norm, toks) if toks else set()
        if len(candidates) > FUZZY_SCORED:
            pool = {i: self.norm[i] for i in candidates}
            best = process.extract(norm, pool, scorer=fuzz.token_set_ratio, limit=FUZZY_SCORED)
            candidates = {int(key) for _label, _score, key in best}
        for i in candidates:
            s = self._fuzzy_score(norm, toks, i)
            if s > 0:
                scores[i] = (s, "fuzzy")
        if toks and (len(self.choices) <= SEMANTIC_FULL or max((s for s, _ in scores.values()), default=0) < 0.85):
            for i in self._misspelt(norm):
                if i not in scores:
                    candidates.add(i)
                    s = self._fuzzy_score(norm, toks, i)
                    if s > 0:
                        scores[i] = (s, "fuzzy")
        fuzzy = sorted((s for s, _ in scores.values()), reverse=True)
        clear = bool(fuzzy) and fuzzy[0] >= CLEAR_FUZZY and (len(fuzzy) == 1 or fuzzy[1] < fuzzy[0] - TIE_MARGIN)
        near: list[tuple[int, float]] = []
        if not clear and len(text) <= 200:
            # Large lists: meaning only among the spelling candidates (embedding all would be slow).
            among = None if len(self.choices) <= SEMANTIC_FULL else sorted(candidates)[:SEMANTIC_AMONG]
            near = self.semantic(text, among=among)
        for i, s in self._semantic_scores(near, self.norm).items():
            if s > scores.get(i, (0.0, "fuzzy"))[0]:
                scores[i] = (s, "semantic")
        ranked = sorted(scores.items(), key=lambda kv: -kv[1][0])
        return _penalise_ties([Match(self.choices[i], round(s, 4), m) for i, (s, m) in ranked], limit)


def _penalise_ties(matches: list[Match], limit: int) -> list[Match]:
    """Lower the leader's score when a different choice is nearly as good; keep the order."""
    if len(matches) >= 2:
        lead, second = matches[0], matches[1]
        margin = lead.score - second.score
        if margin < TIE_MARGIN:
            penalty = TIE_PENALTY * (1 - margin / TIE_MARGIN)
            top = max(0.0, lead.score - penalty)
            matches = [Match(lead.choice, round(top, 4), lead.method)] + [
                Match(m.choice, min(m.score, top), m.method) for m in matches[1:]
            ]
    return matches[:limit]


class _IndexCache:
    """A small LRU of choice indexes.

    A list seen before (the same object, which the cache keeps alive so its id cannot be reused)
    is found by identity; another list with the same ids and a matching sample of choices is
    found by a fingerprint that costs one pass over the ids.
    """

    def __init__(self, max_choices: int = 400_000, max_entries: int = 256):
        self.max_choices = max_choices
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple[object, ...], ChoiceIndex] = OrderedDict()
        self._by_identity: OrderedDict[int, tuple[Sequence[Choice], int, tuple[object, ...]]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def fingerprint(choices: Sequence[Choice]) -> tuple[object, ...]:
        """Length, every id, and a sample of whole choices (labels included)."""
        n = len(choices)
        step = max(1, n // 64)
        sample = tuple(choices[i] for i in range(0, n, step))
        return (n, hash(tuple(c.key for c in choices)), hash(sample), choices[-1] if n else None)

    def get(self, choices: Sequence[Choice]) -> ChoiceIndex:
        """The index of ``choices``, built on first sight."""
        with self._lock:
            seen = self._by_identity.get(id(choices))
            if seen is not None and seen[0] is choices and seen[1] == len(choices):
                index = self._entries.get(seen[2])
                if index is not None:
                    self._entries.move_to_end(seen[2])
                    self._by_identity.move_to_end(id(choices))
                    return index
        key = self.fingerprint(choices)
        with self._lock:
            index = self._entries.get(key)
        if index is None:
            index = ChoiceIndex(choices)
        with self._lock:
            self._entries[key] = index
            self._entries.move_to_end(key)
            self._by_identity[id(choices)] = (choices, len(choices), key)
            self._by_identity.move_to_end(id(choices))
            while len(self._by_identity) > self.max_entries * 4:
                self._by_identity.popitem(last=False)
            total = sum(len(i) for i in self._entries.values())
            while len(self._entries) > 1 and (total > self.max_choices or len(self._entries) > self.max_entries):
                _, dropped = self._entries.popitem(last=False)
                total -= len(dropped)
        return index

    def clear(self) -> None:
        """Forget every index."""
        with self._lock:
            self._entries.clear()
            self._by_identity.clear()


_cache = _IndexCache()


def index_for(choices: Sequence[Choice]) -> ChoiceIndex:
    """The (cached) index of a choice list; building it once makes later lookups fast."""
    return _cache.get(choices)


def match_hint(
    hint: str, choices: Sequence[Choice], *, threshold: float, now: dt.datetime | None = None
) -> tuple[Match | None, list[Match]]:
    """Best match at or above threshold (or None) and the closest few, for error messages.

    ``now`` lets relative dates ("next Tuesday") match choices that are ISO dates.
    """
    ranked = index_for(choices).rank(str(hint), 5, now=now)
    best = ranked[0] if ranked and ranked[0].score >= threshold else None
    return best, ranked
