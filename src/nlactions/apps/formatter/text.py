"""The ``text`` action: change case, trim, count, extract, replace, truncate, split, encode, strip HTML.

Every transform returns ``{"output": <text>}`` (plus ``length``/``words`` or ``segments`` where they
apply). This is a write action, so an extract transform that finds nothing still succeeds, with
``output`` set to ""; it never returns an empty list.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Literal
from urllib.parse import quote, unquote_plus

from pydantic import ConfigDict

from nlactions.apps.formatter import _extract
from nlactions.apps.formatter._html import strip_html
from nlactions.catalog import Action, ActionContext, Gives, InvalidInput, Needs, give, need

Transform = Literal[
    "uppercase",
    "lowercase",
    "titlecase",
    "capitalize",
    "trim",
    "length",
    "extract_email",
    "extract_url",
    "extract_number",
    "extract_phone",
    "replace",
    "truncate",
    "split",
    "url_encode",
    "url_decode",
    "strip_html",
]

TRANSFORMS: dict[Transform, str] = {
    "uppercase": "Uppercase",
    "lowercase": "Lowercase",
    "titlecase": "Title Case",
    "capitalize": "Capitalize Every Word",
    "trim": "Trim Whitespace",
    "length": "Count Characters and Words",
    "extract_email": "Extract Email Address",
    "extract_url": "Extract URL",
    "extract_number": "Extract Number",
    "extract_phone": "Extract Phone Number",
    "replace": "Replace Text",
    "truncate": "Truncate",
    "split": "Split Text",
    "url_encode": "URL Encode",
    "url_decode": "URL Decode",
    "strip_html": "Remove HTML Tags",
}

_SEPARATOR_ALIASES = {"[:space:]": " ", "[:newline:]": "\n", "\\n": "\n", "[:tab:]": "\t", "\\t": "\t"}
_SMALL_WORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "as",
        "at",
        "but",
        "by",
        "for",
        "if",
        "in",
        "nor",
        "of",
        "on",
        "or",
        "per",
        "the",
        "to",
    }
    | {"v", "vs", "via"}
)


class Input(Needs):
    """What to do with which text."""

    model_config = ConfigDict(coerce_numbers_to_str=True)

    transform: Transform = need(
        label="Transform", help_text="What to do with the text.", choices=list(TRANSFORMS.items())
    )
    input: str = need(label="Input", help_text="The text to transform.")
    find: str | None = need(None, label="Find", help_text="Replace Text: the text to look for (case-sensitive).")
    replace_with: str = need("", label="Replace With", help_text="Replace Text: what to put instead (may be empty).")
    max_length: int | None = need(None, label="Max Length", help_text="Truncate: keep at most this many characters.")
    separator: str | None = need(
        None,
        label="Separator",
        help_text="Split Text: where to cut (empty: at whitespace); [:newline:] and [:tab:] are understood.",
    )
    segment_index: int = need(
        0, label="Segment Index", help_text="Split Text: which piece to return; 0 is the first, -1 the last."
    )


class Output(Gives):
    """The transformed text and, for some transforms, figures about it."""

    output: str = give("", label="Output", important=True)
    length: int | None = give(label="Characters")
    words: int | None = give(label="Words")
    segments: list[str] | None = give(label="Segments")


def _upper_first(word: str) -> str:
    return re.sub(r"[^\W\d_]", lambda m: m.group().upper(), word, count=1)


def titlecase(text: str) -> str:
    """Title Case: capitalise words except small ones ("of", "the") inside the title; keep acronyms."""
    if text.isupper():
        text = text.lower()
    pieces = re.split(r"(\s+)", text)
    word_at = [i for i, piece in enumerate(pieces) if piece and not piece.isspace()]
    for n, i in enumerate(word_at):
        word = pieces[i]
        inner = 0 < n < len(word_at) - 1
        if inner and word.lower() in _SMALL_WORDS:
            pieces[i] = word.lower()
        elif word.islower():
            pieces[i] = _upper_first(word)
    return "".join(pieces)


def capitalize(text: str) -> str:
    """Upper-case the first letter of every word and leave the other letters as they are."""
    return re.sub(r"(?<![\w'’])[^\W\d_]", lambda m: m.group().upper(), text)


_SIMPLE: dict[str, Callable[[str], str]] = {
    "uppercase": str.upper,
    "lowercase": str.lower,
    "titlecase": titlecase,
    "capitalize": capitalize,
    "trim": str.strip,
    "extract_email": _extract.first_email,
    "extract_url": _extract.first_url,
    "extract_number": _extract.first_number,
    "extract_phone": _extract.first_phone,
    "url_encode": lambda text: quote(text, safe=""),
    "url_decode": unquote_plus,
    "strip_html": strip_html,
}


def _length(params: Input) -> dict[str, Any]:
    chars = len(params.input)
    return {"output": str(chars), "length": chars, "words": len(params.input.split())}


def _replace(params: Input) -> dict[str, Any]:
    if not params.find:
        raise InvalidInput("find", "Replace Text needs the text to find.", hint="Set find to the text to replace.")
    return {"output": params.input.replace(params.find, params.replace_with)}


def _truncate(params: Input) -> dict[str, Any]:
    if params.max_length is None or params.max_length < 0:
        raise InvalidInput(
            "max_length",
            "Truncate needs a max length of 0 or more characters.",
            hint="Set max_length to the number of characters to keep, e.g. 100.",
        )
    return {"output": params.input[: params.max_length]}


def _split(params: Input) -> dict[str, Any]:
    separator = _SEPARATOR_ALIASES.get(params.separator or "", params.separator) or None
    segments = params.input.split(separator)
    try:
        chosen = segments[params.segment_index]
    except IndexError:
        raise InvalidInput(
            "segment_index",
            f"The text splits into {len(segments)} segments; there is no segment {params.segment_index}.",
            hint="Use 0 for the first segment and -1 for the last.",
        ) from None
    return {"output": chosen, "segments": segments}


_WITH_OPTIONS: dict[str, Callable[[Input], dict[str, Any]]] = {
    "length": _length,
    "replace": _replace,
    "truncate": _truncate,
    "split": _split,
}


async def perform(ctx: ActionContext, params: Input) -> dict[str, Any]:
    """Apply the chosen transform; an extract that finds nothing gives an empty ``output``."""
    if params.transform in _WITH_OPTIONS:
        return _WITH_OPTIONS[params.transform](params)
    return {"output": _SIMPLE[params.transform](params.input)}


action = Action(
    key="text",
    type="write",
    noun="Text",
    name="Text",
    description="Transform text: change case, trim, count, extract an email/URL/number/phone, replace, "
    "truncate, split, URL-encode or decode, or remove HTML tags.",
    input=Input,
    output=Output,
    perform=perform,
    sample={"output": "HELLO WORLD"},
)
