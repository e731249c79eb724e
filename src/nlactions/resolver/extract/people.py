"""People for the needs that name one: "pay Nadia", "a payment to Omar", "Keiko owes me"."""

from __future__ import annotations

from nlactions.resolver.extract.context import Context
from nlactions.resolver.extract.names import name_at
from nlactions.resolver.extract.places import NOT_OPENERS
from nlactions.resolver.extract.profile import NeedProfile
from nlactions.resolver.extract.proposal import Proposal
from nlactions.resolver.extract.slots import Span, fill_slots
from nlactions.resolver.extract.text import STOPWORDS
from nlactions.resolver.spans import SpanSet

__all__ = ["find_people"]

# Words after which a proper name is usually a person.
_TRIGGERS = frozenset(
    {"to", "with", "from", "pay", "paying", "send", "sending", "request", "requesting", "ask", "asking", "invite",
     "inviting", "email", "call", "text", "message", "tell", "remind", "cc", "owe", "owes", "meet", "meeting",
     "named", "called"}
)  # fmt: skip
# Nouns for a person: "the person I'm paying is Rachel", "my contact is Omar".
_PERSON_NOUNS = frozenset({"person", "contact", "recipient", "receiver", "payee", "friend", "name", "user"})
NAMED_REACH = 5  # words back from "is" to the noun it completes
MAX_NAME_WORDS = 2
AFTER_TRIGGER = 0.82
NAMED = 0.86  # "the recipient is Priya"
OPENING = 0.8


def person_spans(ctx: Context) -> list[Span]:
    """Short proper names after a word that introduces a person, or opening a sentence ("Keiko owes me")."""
    view = ctx.view
    out: list[Span] = []
    for word in view.words:
        opens = word.index == 0 or view.words[word.index - 1].segment != word.segment
        named = word.lower == "is" and any(
            w.lower in _PERSON_NOUNS or any(p.cue(w.stem) > 0 for p in ctx.of_kind("person"))
            for w in view.before(word.start, NAMED_REACH)
        )  # "the contact is Priya", "the person I'm paying is Rachel"
        if word.lower in _TRIGGERS or word.lower == "for" or named:
            span = name_at(view, word.index + 1, skip_article=False)
            conf = NAMED if named else AFTER_TRIGGER
        elif opens and word.lower not in NOT_OPENERS and word.lower not in STOPWORDS:
            span, conf = name_at(view, word.index, skip_article=False), OPENING
            nxt = view.after(span[1], 1) if span else []
            if not nxt or nxt[0].capitalised or nxt[0].lower not in _VERBS_AFTER_NAME:
                span = None  # only "<Name> owes / is / wants ...", not any capitalised opener
        else:
            continue
        if span is None or view.segment_at(span[0]) != word.segment:
            continue
        start, end = span
        if len(ctx.text[start:end].split()) > MAX_NAME_WORDS:
            continue
        out.append(Span(start, end, ctx.text[start:end], conf, None, word.segment))
    return out


_VERBS_AFTER_NAME = frozenset({"owes", "is", "wants", "needs", "paid", "sent", "asked", "will", "should", "has"})


def _render(need: NeedProfile, span: Span) -> str:
    return str(span.value)


def find_people(ctx: Context, taken: list[tuple[int, int]]) -> list[Proposal]:
    """Proposals for person needs; spans other finders already use (``taken``) are skipped."""
    needs = ctx.of_kind("person")
    if not needs:
        return []
    used = SpanSet(taken)
    spans = [s for s in person_spans(ctx) if not used.overlaps(s.start, s.end)]
    return fill_slots(ctx.view, needs, spans, _render, "person")
