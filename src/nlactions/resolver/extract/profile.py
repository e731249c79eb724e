"""What the extractor knows about a need: the kind of value it takes and the words that name it."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from nlactions.catalog import Choice, NeedSpec
from nlactions.resolver.extract.text import STOPWORDS, stem
from nlactions.resolver.match import ChoiceIndex, index_for
from nlactions.resolver.normalise import fold

__all__ = ["Kind", "NeedProfile", "Role", "profile_of", "words_of"]

Kind = Literal[
    "choice", "bool", "int", "float", "date", "datetime", "time", "email", "url", "phone",
    "channel", "user", "place", "person", "number", "text", "dict", "any",
]  # fmt: skip
Role = Literal["origin", "destination"] | None
ChoiceKind = Literal["number", "date", "time", "bool", "text"]

# Generic vocabulary: words that say what kind of value a field holds. They describe types of
# data (a date, a place, an email address), never a particular service or data set.
_DATE_WORDS = {"date", "day", "birthday", "deadline", "due", "dob"}
_TIME_WORDS = {"time", "hour", "clock"}
_NOT_TIME = {"zone", "timezone", "frame", "period", "span", "limit", "out", "duration", "unit"}
_PLACE_WORDS = {
    "city", "town", "location", "place", "area", "address", "destination", "origin", "region",
    "country", "venue", "county", "village", "where", "airport", "station", "state", "neighborhood",
    "neighbourhood", "locality", "province",
}  # fmt: skip
_ORIGIN_WORDS = {"from", "origin", "depart", "departure", "departing", "leave", "leaving", "start",
                 "starting", "source", "pickup", "outbound"}  # fmt: skip
_DEST_WORDS = {"to", "destination", "arrive", "arrival", "arriving", "end", "ending", "going", "dest",
               "target", "dropoff", "inbound"}  # fmt: skip
_EMAIL_WORDS = {"email", "mail", "e-mail"}
_URL_WORDS = {"url", "link", "website", "uri", "webpage", "homepage", "href"}
_PHONE_WORDS = {"phone", "telephone", "mobile", "cell", "sms"}
_USER_WORDS = {"user", "username", "assignee", "mention", "handle", "member"}
_PERSON_WORDS = {"receiver", "recipient", "sender", "payee", "payer", "contact", "person", "friend", "attendee",
                 "invitee", "participant", "customer", "client", "buyer", "seller", "requester"}  # fmt: skip
# Text fields that hold a number: an amount of money, a rating, a quantity.
_NUMBER_WORDS = {"amount", "price", "cost", "fee", "total", "budget", "salary", "rating", "score", "quantity"}
_MONEY_WORDS = {"amount", "price", "cost", "fee", "money", "payment", "budget", "salary", "dollars", "total",
                "charge", "balance"}  # fmt: skip
# Words in labels and help texts that say nothing about which value is meant.
_GENERIC = {
    "name", "value", "type", "id", "string", "default", "optional", "specified", "eg", "ie", "etc",
    "given", "used", "use", "provided", "specific", "required", "parameter", "field", "input",
    "whether", "flag", "boolean", "indicating", "indicate", "true", "false", "list", "array",
    "number", "amount", "count", "data", "information", "info", "details", "detail", "format",
}  # fmt: skip
_AUX = {"is", "has", "have", "include", "includes", "including", "with", "enable", "enabled", "allow",
        "allows", "use", "should", "can", "want", "show", "return", "get", "fetch", "need"}  # fmt: skip

_SPLIT = re.compile(r"[^0-9A-Za-z]+|(?<=[a-z])(?=[A-Z])|(?<=[A-Za-z])(?=[0-9])")


def words_of(text: str) -> list[str]:
    """Lower-case words of a key, label or help text ("numberOfSeats" -> number, of, seats)."""
    return [fold(w) for w in _SPLIT.split(text) if w]


@dataclass(frozen=True, slots=True)
class NeedProfile:
    """A need seen by the extractor: kind, naming words (stems with weights), role and format."""

    need: NeedSpec
    kind: Kind
    cues: dict[str, float] = field(default_factory=dict)
    pairs: frozenset[tuple[str, str]] = frozenset()
    phrase: tuple[str, ...] = ()
    role: Role = None
    date_format: str | None = None
    time_format: str | None = None
    counts: bool = False
    money: bool = False
    percent_as_fraction: bool = True
    index: ChoiceIndex | None = None
    choice_kind: ChoiceKind | None = None

    @property
    def key(self) -> str:
        """The need's key."""
        return self.need.key

    def cue(self, stem_: str) -> float:
        """How strongly one stemmed word names this need (0..1)."""
        return self.cues.get(stem_, 0.0)


def _has(words: Sequence[str], vocab: set[str]) -> bool:
    return any(w in vocab for w in words)


def _role(name_words: Sequence[str], help_words: Sequence[str]) -> Role:
    origin = 2 * sum(w in _ORIGIN_WORDS for w in name_words) + sum(w in _ORIGIN_WORDS for w in help_words)
    dest = 2 * sum(w in _DEST_WORDS for w in name_words) + sum(w in _DEST_WORDS for w in help_words)
    if origin > dest:
        return "origin"
    if dest > origin:
        return "destination"
    return None


_FORMAT_HINTS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(?:yyyy|year)[-/](?:mm|month)[-/](?:dd|day)\b", re.I), "%Y-%m-%d"),
    (re.compile(r"\b(?:mm|month)[-/](?:dd|day)[-/](?:yyyy|year)\b", re.I), "%m-%d-%Y"),
    (re.compile(r"\b(?:dd|day)[-/](?:mm|month)[-/](?:yyyy|year)\b", re.I), "%d-%m-%Y"),
    (re.compile(r"\b(?:mm|month)[-/](?:yyyy|year)\b", re.I), "%m-%Y"),
    (re.compile(r"\b(?:yyyy|year)[-/](?:mm|month)\b(?![-/])", re.I), "%Y-%m"),
]


def _date_format(help_text: str) -> str | None:
    """A date format the help text asks for ("in 'mm-dd-yyyy' format"), with its separator."""
    for pattern, fmt in _FORMAT_HINTS:
        m = pattern.search(help_text)
        if m:
            sep = "/" if "/" in m.group() else "-"
            return fmt.replace("-", sep)
    return None


_TIME_EXAMPLE = re.compile(r"\b\d{1,2}(?P<minutes>:\d\d)?(?P<space>\s?)(?P<ampm>am|pm|AM|PM)\b")


def _time_format(help_text: str) -> str | None:
    """A 12-hour style the help text shows by example ("e.g. 3pm"), as a strftime-like recipe."""
    m = _TIME_EXAMPLE.search(help_text)
    if not m:
        return None
    return (
        ("{h}:{m}" if m.group("minutes") else "{h}")
        + m.group("space")
        + ("{ampm}" if m.group("ampm").islower() else "{AMPM}")
    )


def _counts(label_words: Sequence[str], key_words: Sequence[str], help_words: Sequence[str]) -> bool:
    """True for needs that count things ("Number of seats", "num_guests", "How many ...")."""
    for words in (label_words, key_words, help_words[:4]):
        text = " ".join(words)
        if text.startswith(("number of", "num ", "count", "how many", "quantity")) or " count" in text:
            return True
    return False


def _choice_kind(index: ChoiceIndex, choices: Sequence[Choice]) -> ChoiceKind:
    if index.yes_no:
        return "bool"
    if index.typed:
        kinds = index.value_kinds()
        for kind in ("date", "time", "number"):
            if kinds.get(kind, 0) >= 0.8 * len(choices):
                return kind
    return "text"


def profile_of(need: NeedSpec, candidates: Sequence[Choice] | None) -> NeedProfile:
    """Work out a need's kind, naming words, role and output format from its declaration."""
    key_words = words_of(need.key)
    label_words = words_of(need.label)
    help_words = words_of(need.help_text)
    name_words = [*label_words, *key_words]
    cues: dict[str, float] = {}
    for w in help_words:
        if w not in STOPWORDS and w not in _GENERIC and len(w) > 1:
            cues[stem(w)] = 0.5
    name_cues: dict[str, float] = {}
    for words in (label_words, key_words):
        after_per = False  # "visits per week": the words after "per" are a unit
        for w in words:
            if w == "per":
                after_per = True
            elif w not in STOPWORDS and w not in _GENERIC and len(w) > 1:
                name_cues[stem(w)] = max(name_cues.get(stem(w), 0.0), 0.5 if after_per else 1.0)
    cues.update(name_cues)
    # Two-word names keep words a single-word cue loses ("check in" vs "check out").
    pairs = frozenset(
        (stem(a), stem(b))
        for words in (label_words, key_words)
        for a, b in itertools.pairwise(words)
        if (a not in STOPWORDS) != (b not in STOPWORDS) or (a not in STOPWORDS and b not in STOPWORDS)
    )
    phrase = tuple(w for w in (label_words or key_words) if w not in STOPWORDS and w not in _AUX)
    lead_help = [w for w in help_words if w not in STOPWORDS][:3]
    kind: Kind
    index = None
    choice_kind: ChoiceKind | None = None
    if candidates:
        kind = "choice"
        index = index_for(candidates)
        choice_kind = _choice_kind(index, candidates)
    elif need.type in ("bool", "int", "float", "date", "datetime", "dict"):
        kind = need.type
    elif _has(name_words, _EMAIL_WORDS) or _has(lead_help, _EMAIL_WORDS):
        kind = "email"
    elif _has(name_words, _URL_WORDS):
        kind = "url"
    elif _has(name_words, _PHONE_WORDS):
        kind = "phone"
    elif "channel" in name_words:
        kind = "channel"
    elif _has(name_words, _DATE_WORDS):
        kind = "date"
    elif _has(name_words, _TIME_WORDS) and not _has(name_words, _NOT_TIME):
        kind = "time"
    elif _has(name_words, _PLACE_WORDS) or _has(lead_help, _PLACE_WORDS - {"state", "where", "area"}):
        kind = "place"
    elif _has(name_words, _USER_WORDS):
        kind = "user"
    elif _has(name_words, _PERSON_WORDS) or _has(lead_help, _PERSON_WORDS):
        kind = "person"
    elif _has(name_words, _NUMBER_WORDS) and not _has(name_words, {"name", "type", "id", "currency", "unit"}):
        kind = "number"
    else:
        kind = "text"
    help_lower = need.help_text.lower()
    return NeedProfile(
        need=need,
        kind=kind,
        cues=cues,
        pairs=pairs,
        phrase=phrase,
        role=_role(name_words, help_words),
        date_format=_date_format(need.help_text),
        time_format=_time_format(need.help_text),
        counts=_counts(label_words, key_words, help_words),
        money=_has(name_words, _MONEY_WORDS) or _has(lead_help, _MONEY_WORDS),
        percent_as_fraction="decimal" in help_lower or "percent" not in help_lower,
        index=index,
        choice_kind=choice_kind,
    )
