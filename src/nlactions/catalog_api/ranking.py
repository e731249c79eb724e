"""Relevance of apps and actions to a plain-English query: lexical coverage plus meaning.

Lexical: each query word is matched against the words of a document's fields (action name and noun,
app name, key and keywords, description, need labels and static choice labels), exactly, by prefix or
with a typo; the field's weight and the word's rarity across the catalog (idf) make a coverage score
in 0..1. Semantic: cosine similarity of wordllama embeddings of the query and of "App: Action.
Description". The two are blended so that "send a note to a channel" finds "Post a message to a
channel" although they share one word.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz

from nlactions.catalog import Action, App, Registry
from nlactions.resolver import semantic
from nlactions.resolver.normalise import FUNCTION_WORDS, stem

LEXICAL_WEIGHT = 0.6
SEMANTIC_WEIGHT = 0.4
# Cosine similarities of unrelated short texts sit around 0..0.15 with wordllama.
SEMANTIC_FLOOR = 0.1
SEMANTIC_CEILING = 0.6
MIN_SCORE = 0.2
PARTIAL_MATCH = 0.85
CHOICE_LABELS_PER_NEED = 50

# Question and request words also say nothing about which action is meant.
STOPWORDS = FUNCTION_WORDS | frozenset(
    ["can", "could", "would", "should", "will", "do", "does", "how", "what", "which", "into", "up"]
)
_WORD = re.compile(r"[^\W_]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_API_SUFFIX = re.compile(r"(V\d+)?API$")


def key_words(app: App) -> str:
    """The app key without Zapier's ``API``/``V2API`` suffix, which every key shares ("Slack")."""
    return _API_SUFFIX.sub("", app.key)


def terms(text: str) -> list[str]:
    """Content words of ``text``, lower-cased and stemmed; CamelCase keys are split ("SlackAPI")."""
    spaced = _CAMEL.sub(" ", text)
    return [stem(w) for w in _WORD.findall(spaced.lower()) if w not in STOPWORDS]


@dataclass(frozen=True, slots=True)
class Document:
    """One searchable thing: an action (``action`` set) or a whole app."""

    app: App
    action: Action | None
    fields: tuple[tuple[float, frozenset[str]], ...]
    text: str


def _action_document(app: App, action: Action) -> Document:
    labels: list[str] = []
    for need in action.needs:
        labels.append(need.label)
        labels.extend(c.label for c in (need.choices or ())[:CHOICE_LABELS_PER_NEED])
    fields = (
        (1.0, frozenset(terms(f"{action.name} {action.noun} {action.key}"))),
        (0.8, frozenset(terms(f"{app.name} {key_words(app)} {' '.join(app.keywords)}"))),
        (0.7, frozenset(terms(action.description))),
        (0.5, frozenset(terms(" ".join(labels)))),
    )
    return Document(app, action, fields, f"{app.name}: {action.name}. {action.description}")


def _app_document(app: App) -> Document:
    fields = (
        (1.0, frozenset(terms(f"{app.name} {key_words(app)}"))),
        (0.9, frozenset(terms(" ".join(app.keywords)))),
        (0.7, frozenset(terms(app.description))),
        (0.6, frozenset(terms(" ".join(f"{a.name} {a.noun}" for a in app.actions)))),
    )
    return Document(app, None, fields, f"{app.name}. {app.description}")


def _word_similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) >= 4 and 2 * len(short) >= len(long_) and long_.startswith(short):
        return PARTIAL_MATCH
    if len(short) >= 5 and fuzz.ratio(a, b) >= 85:
        return PARTIAL_MATCH
    return 0.0


class SearchIndex:
    """Documents of every app and action of a registry, with word statistics and embeddings."""

    def __init__(self, registry: Registry):
        apps = sorted(registry, key=lambda a: a.key)
        self.actions = [_action_document(app, action) for app in apps for action in app.actions]
        self.apps = [_app_document(app) for app in apps]
        documents = self.actions + self.apps
        self._df: dict[str, int] = {}
        for doc in documents:
            for word in set().union(*(words for _, words in doc.fields)):
                self._df[word] = self._df.get(word, 0) + 1
        self._n = len(documents)
        self._vocabulary = sorted(self._df)
        self._documents = documents
        self._row = {id(doc): i for i, doc in enumerate(documents)}
        self._vectors: np.ndarray | None = None
        self.size = len(registry)

    def _idf(self, word: str) -> float:
        return math.log(1 + self._n / (1 + self._df.get(word, 0)))

    def _vectors_of(self, documents: Sequence[Document]) -> np.ndarray:
        """Embeddings of ``documents`` (every document is embedded once, on first use)."""
        if self._vectors is None:
            self._vectors = semantic.embed([doc.text for doc in self._documents])
        return self._vectors[[self._row[id(doc)] for doc in documents]]

    def _lexical(self, query: list[str], documents: Sequence[Document]) -> list[float]:
        if not query:
            return [0.0] * len(documents)
        similar = {word: {v: s for v in self._vocabulary if (s := _word_similarity(word, v)) > 0} for word in query}
        weights = [self._idf(word) for word in query]
        total = sum(weights)
        out = []
        for doc in documents:
            covered = 0.0
            for word, idf in zip(query, weights, strict=True):
                best = 0.0
                for weight, words in doc.fields:
                    for match, sim in similar[word].items():
                        if match in words and weight * sim > best:
                            best = weight * sim
                covered += idf * best
            out.append(covered / total)
        return out

    def _semantic(self, query: str, documents: Sequence[Document]) -> list[float]:
        if not documents or not semantic.available():
            return [0.0] * len(documents)
        vector = semantic.embed([query])[0]
        sims = self._vectors_of(documents) @ vector
        span = SEMANTIC_CEILING - SEMANTIC_FLOOR
        return [min(1.0, max(0.0, (float(s) - SEMANTIC_FLOOR) / span)) for s in sims]

    def _score(self, query: str, documents: Sequence[Document]) -> list[float]:
        lexical = self._lexical(terms(query), documents)
        meaning = self._semantic(query, documents)
        return [
            round(LEXICAL_WEIGHT * lex + SEMANTIC_WEIGHT * sem, 4) for lex, sem in zip(lexical, meaning, strict=True)
        ]

    def rank_actions(self, query: str, keep: Iterable[tuple[App, Action]]) -> list[tuple[App, Action, float]]:
        """The actions in ``keep`` relevant to ``query``, best first, with a 0..1 score."""
        wanted = {(app.key, action.key) for app, action in keep}
        documents = [d for d in self.actions if d.action is not None and (d.app.key, d.action.key) in wanted]
        ranked = [
            (d.app, d.action, score)
            for d, score in zip(documents, self._score(query, documents), strict=True)
            if d.action is not None and score >= MIN_SCORE
        ]
        return sorted(ranked, key=lambda r: (-r[2], r[0].key, r[1].key))

    def rank_apps(self, query: str) -> list[tuple[App, float]]:
        """Apps relevant to ``query`` (by the app itself or its best action), best first."""
        best: dict[str, float] = {}
        for doc, score in zip(self.apps, self._score(query, self.apps), strict=True):
            best[doc.app.key] = score
        for doc, score in zip(self.actions, self._score(query, self.actions), strict=True):
            best[doc.app.key] = max(best.get(doc.app.key, 0.0), score)
        apps = {doc.app.key: doc.app for doc in self.apps}
        ranked = [(apps[key], score) for key, score in best.items() if score >= MIN_SCORE]
        return sorted(ranked, key=lambda r: (-r[1], r[0].key))
