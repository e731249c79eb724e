"""Proper names in running text: "Buenos Aires", "Bank of Montreal", "St. Ives", "Area 51"."""

from __future__ import annotations

from nlactions.resolver.dates import MONTHS, WEEKDAYS
from nlactions.resolver.extract.text import STOPWORDS, TextView, Word

__all__ = ["NOT_NAMES", "name_around", "name_at", "settled_end"]

_JOINERS = frozenset({"of", "de", "del", "la", "le", "du", "von", "van", "da", "di", "upon", "the", "y"})
# Capitalised words that are not names on their own.
NOT_NAMES = frozenset({"i", "im", "ive", "id", "ill", *MONTHS, *WEEKDAYS, "today", "tomorrow", "tonight"})
MAX_WORDS = 7


def _namey(word: Word) -> bool:
    return word.capitalised and word.lower not in NOT_NAMES


def _abbreviation(word: Word) -> bool:
    """ "St", "Mt", "Dr": a short capitalised word that takes a dot (not an acronym like "LA")."""
    return word.capitalised and len(word.text) <= 3 and word.text.isalpha() and word.text[1:].islower()


def _name_number(view: TextView, word: Word) -> bool:
    """A number that ends a name ("Area 51", "Apollo 13"), not one that starts an amount ("40 dollars")."""
    if not word.text.isdigit() or len(word.text) > 4 or view.text[word.end : word.end + 1] in ("/", ":", "-"):
        return False
    nxt = view.words[word.index + 1] if word.index + 1 < len(view.words) else None
    if nxt is None or nxt.segment != word.segment or view.text[word.end : nxt.start] != " ":
        return True
    return nxt.capitalised or nxt.lower in STOPWORDS


def name_at(
    view: TextView, index: int, *, skip_article: bool = True, allow_and: bool = False
) -> tuple[int, int] | None:
    """Character span of the proper name starting at word ``index`` (after an optional "the"), or None."""
    words = view.words
    if index >= len(words):
        return None
    if skip_article and words[index].lower == "the" and index + 1 < len(words):
        index += 1
    first = words[index]
    if not _namey(first):
        return None
    last = first
    i = index + 1
    count = 1
    while i < len(words) and count < MAX_WORDS:
        word = words[i]
        gap = view.text[last.end : word.start]
        if word.segment != first.segment and not (gap == ". " and _abbreviation(last)):
            break
        if gap not in (" ", "-", ".", ". ", "&", " & "):
            break
        if "." in gap and not (_abbreviation(last) or len(word.text) <= 2):
            break
        if _namey(word) or gap == "-" or ("." in gap and word.capitalised) or _name_number(view, word):
            last = word
            count += 1
            i += 1
            continue
        joiner = word.lower in _JOINERS or (allow_and and word.lower == "and")
        if (
            joiner
            and gap == " "
            and i + 1 < len(words)
            and _namey(words[i + 1])
            and view.text[word.end : words[i + 1].start] == " "
        ):
            last = words[i + 1]
            count += 2
            i += 2
            continue
        break
    end = last.end
    # Keep the last dot of initials ("D.C.", "U.S."), not a full stop after a word ("LA.", "NY.").
    initials = len(last.text) == 1 and last.index > first.index and view.text[last.start - 1] == "."
    if end < len(view.text) and view.text[end] == "." and last.text.isupper() and initials:
        end += 1
    return first.start, end


def _after_sentence_end(text: str, pos: int) -> bool:
    """``text[:pos].rstrip().endswith((".", "!", "?"))`` without copying the text before ``pos``."""
    i = pos - 1
    while i >= 0 and text[i].isspace():
        i -= 1
    return i >= 0 and text[i] in ".!?"


def name_around(view: TextView, index: int) -> tuple[int, int] | None:
    """The proper name that contains word ``index`` ("Gallery" in "the National Gallery of Ireland")."""
    words = view.words
    if not _namey(words[index]):
        return None
    start = index
    while start > 0:
        prev = words[start - 1]
        gap = view.text[prev.end : words[start].start]
        if gap != " " or prev.segment != words[index].segment:
            break
        if _namey(prev) and not (start - 1 == 0 or _after_sentence_end(view.text, prev.start)):
            start -= 1
        elif prev.lower in _JOINERS and start - 2 >= 0 and _namey(words[start - 2]):
            start -= 2
        else:
            break
    span = name_at(view, start, skip_article=False, allow_and=True)
    if span is None or span[1] < words[index].end:
        return None
    return span


# Nouns for a kind of place: written in lower case right after a name they still belong to it
# ("Cape town", "Menlo park", "the Amazon rainforest"). Generic geography, no particular place;
# "city", "county" and "state" are left out: after a name they mostly describe it ("Sacramento city").
PLACE_NOUNS = frozenset({
    "town", "park", "beach", "bay", "island", "islands", "valley", "springs", "falls", "heights",
    "hills", "hill", "lake", "river", "mountain", "mountains", "village", "forest", "rainforest",
    "desert", "canyon", "harbor", "harbour", "port", "point", "coast", "creek", "gardens", "square",
    "peninsula", "sea", "ocean", "gulf", "glacier", "reef", "plains", "delta", "basin",
})  # fmt: skip
# First words of many place names that never stand alone ("San diego", "Las vegas", "Ciudad de mexico").
_PREFIXES = frozenset({
    "san", "santa", "santo", "sao", "los", "las", "el", "la", "le", "st", "saint", "fort", "ft", "mount", "mt",
    "ciudad", "puerto", "porto", "villa", "cape", "costa", "rio",
})  # fmt: skip


def _unit_after(view: TextView, index: int) -> bool:
    """True when word ``index`` (a number) is followed by a capitalised word: "1st Floor", "2 B"."""
    return index + 1 < len(view.words) and view.words[index + 1].capitalised


def _long_name(view: TextView, start: int, end: int) -> bool:
    """True for a name with a joiner inside ("Museum of Astronomy"): one that "and" may continue."""
    return any(w.lower in _JOINERS for w in view.starting_within(start, end))


def _lower_word(word: Word) -> bool:
    return word.text.isalpha() and word.text[:1].islower()


def settled_end(view: TextView, start: int, end: int) -> int | None:
    """Where the name at ``start:end`` ends once a lower-case tail is weighed: None when that is unclear.

    "Cape town" and "the Amazon rainforest" take their place noun; "San diego" takes the word a lone
    place prefix needs. A joiner before a lower-case word ("Ciudad de mexico") leaves the end a
    guess, and a guess is not written. Any other lower-case word ("Los Angeles court", "Boston
    driving") is not part of the name.
    """
    i = view.index_at(end)
    if i >= len(view.words) or i == 0:
        return end
    nxt, last = view.words[i], view.words[i - 1]
    gap = view.text[end : nxt.start]
    if nxt.segment == last.segment and gap.strip() in ("#", "") and len(gap) <= 3:
        if gap.strip() == "#" or (nxt.text[:1].isdigit() and last.text[:1].isupper() and _unit_after(view, i)):
            return None  # "491 30th Street #103", "... Drive 1st Floor": the address goes on
        if nxt.lower == "and" and _long_name(view, start, end) and i + 1 < len(view.words):
            following = view.words[i + 1]
            if following.capitalised and following.segment == nxt.segment:
                return None  # "the Museum of Astronomy and Related Sciences"
    if gap != " " or nxt.segment != last.segment or not _lower_word(nxt):
        return end
    if nxt.lower in PLACE_NOUNS:
        return nxt.end
    if nxt.lower in _JOINERS and nxt.lower not in STOPWORDS:
        after = view.words[i + 1] if i + 1 < len(view.words) else None
        if after is not None and after.segment == nxt.segment and _lower_word(after) and after.lower not in STOPWORDS:
            return None  # "Ciudad de mexico": the name goes on in lower case
        return end
    first = view.words[view.index_at(start)]
    titled = first.text[:1].isupper() and first.text[1:].islower()  # "San", not the acronym "LA"
    if first.index == last.index and titled and first.lower in _PREFIXES and nxt.lower not in STOPWORDS:
        return nxt.end  # "San diego"
    return end
