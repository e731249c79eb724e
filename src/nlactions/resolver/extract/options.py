"""Values a need's help text lists ("Can be 'summary' or 'detailed'", "e.g. oil, acrylic, etc.") named in the text."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

from nlactions.resolver.extract.context import Context
from nlactions.resolver.extract.profile import NeedProfile
from nlactions.resolver.extract.proposal import Proposal
from nlactions.resolver.extract.text import STOPWORDS, TextView
from nlactions.resolver.normalise import stem

__all__ = ["HelpOptions", "find_options", "options_of"]

CLOSED = 0.88  # "one of 'a', 'b'": the value must be one of them
EXAMPLE = 0.84  # "e.g. 'a'": an example the text repeats word for word
MAX_WORDS = 3

_QUOTED = re.compile(r"'([^'\n]{1,40})'|\"([^\"\n]{1,40})\"")
_CLOSING = re.compile(
    r"\b(?:one of|can be|could be|must be|either|options?|choices?|possible values?|allowed values?|"
    r"accepted values?|valid values?|supported|available)\b|\bor\s*['\"]",
    re.I,
)
_INTRODUCER = re.compile(
    r"\b(?:e\.g\.|i\.e\.|eg\.?|ie\.?|such as|like|for example|for instance|including|options?|choices?|"
    r"one of|can be|either)\s*[,:]?\s+",
    re.I,
)
_LIST_END = re.compile(r"[.;)\n]\s|[.;)\n]?$|\betc\b|\s-\s|\s\(", re.I)
_ITEM_SPLIT = re.compile(r"\s*,\s*(?:or\s+|and\s+)?|\s+or\s+|\s+and\s+", re.I)
_ITEM = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:[ -][A-Za-z0-9]+){0,2}$")
_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")


@dataclass(frozen=True, slots=True)
class HelpOptions:
    """The values a help text lists, and whether the list is closed ("one of") or examples."""

    items: tuple[str, ...]
    closed: bool


def _usable(item: str) -> bool:
    words = item.split()
    return (
        bool(_ITEM.match(item))
        and len(words) <= MAX_WORDS
        and len(item) > 1
        and not all(w.lower() in STOPWORDS for w in words)
    )


@lru_cache(maxsize=4096)
def options_of(help_text: str) -> HelpOptions:
    """Quoted values of the help text, else a plain list after "e.g." / "such as" / "i.e."."""
    quoted = [next(g for g in m.groups() if g is not None).strip() for m in _QUOTED.finditer(help_text)]
    if quoted:
        items = tuple(dict.fromkeys(q for q in quoted if _usable(q)))
        return HelpOptions(items, closed=bool(_CLOSING.search(help_text)) and len(items) >= 2)
    found: list[str] = []
    for m in _INTRODUCER.finditer(help_text):
        end = _LIST_END.search(help_text, m.end())
        chunk = help_text[m.end() : end.start() if end else len(help_text)]
        parts = [p.strip() for p in _ITEM_SPLIT.split(chunk) if p.strip()]
        if parts and all(_usable(p) for p in parts):
            found += parts
    return HelpOptions(tuple(dict.fromkeys(found)), closed=False)


def _stems(text: str) -> tuple[str, ...]:
    return tuple(stem(m.group()) for m in _WORD.finditer(text))


def _occurrences(view: TextView, option: str) -> list[tuple[int, int]]:
    """Where the option's words occur in a row in the text (by stem), as character spans."""
    wanted = _stems(option)
    if not wanted:
        return []
    words = view.words
    out = []
    for i in range(len(words) - len(wanted) + 1):
        run = words[i : i + len(wanted)]
        if any(w.stem != s for w, s in zip(run, wanted, strict=True)):
            continue
        if any(view.text[a.end : b.start] not in (" ", "-") for a, b in itertools.pairwise(run)):
            continue
        out.append((run[0].start, run[-1].end))
    return out


# Words before an option that change it: a degree ("very spicy") belongs to the value, a negation undoes it.
_DEGREE = frozenset({"very", "extremely", "really", "super", "slightly", "mildly", "moderately", "somewhat",
                     "quite", "fairly", "highly", "incredibly", "too", "more", "less", "most", "least",
                     "pretty"})  # fmt: skip
_NEGATIONS = frozenset({"not", "no", "non", "without", "never"})


def _eligible(need: NeedProfile) -> bool:
    return need.kind in ("text", "any") and not need.need.list and need.need.type in ("str", "any")


def find_options(ctx: Context) -> list[Proposal]:
    """The one value the help text lists that the instructions also name."""
    out: list[Proposal] = []
    for need in ctx.profiles:
        if not _eligible(need) or not need.need.help_text:
            continue
        options = options_of(need.need.help_text)
        hits = [(o, span) for o in options.items for span in _occurrences(ctx.view, o)]
        named = {o.casefold() for o, _ in hits}
        if len(named) != 1:
            continue
        option, (start, end) = hits[-1]
        before = ctx.view.before(start, 1)
        word = before[0].lower if before and ctx.text[before[0].end : start] == " " else ""
        if word in _NEGATIONS:
            continue  # "not spicy" names the option to leave out
        if word in _DEGREE:
            if options.closed:
                continue  # "very spicy" is not one of the listed values, nor is "spicy" what was said
            option, start = ctx.text[before[0].start : end], before[0].start  # the adjective with its adverb
        conf = CLOSED if options.closed else EXAMPLE
        kind = "listed in the help" if options.closed else "an example in the help"
        out.append(Proposal(need.key, option, conf, start, end, f"'{option}' {kind}"))
    return out
