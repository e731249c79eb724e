"""Read numbers the way people write them and render them back; exact decimal arithmetic throughout."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Literal, NamedTuple

Currency = Literal["USD", "EUR", "GBP", "JPY", "CAD", "AUD", "CHF", "INR", "CNY"]


class CurrencyStyle(NamedTuple):
    """How amounts in one currency are written."""

    name: str
    symbol: str
    decimals: int


CURRENCIES: dict[Currency, CurrencyStyle] = {
    "USD": CurrencyStyle("US Dollar", "$", 2),
    "EUR": CurrencyStyle("Euro", "€", 2),
    "GBP": CurrencyStyle("British Pound", "£", 2),
    "JPY": CurrencyStyle("Japanese Yen", "¥", 0),
    "CAD": CurrencyStyle("Canadian Dollar", "CA$", 2),
    "AUD": CurrencyStyle("Australian Dollar", "A$", 2),
    "CHF": CurrencyStyle("Swiss Franc", "CHF ", 2),
    "INR": CurrencyStyle("Indian Rupee", "₹", 2),
    "CNY": CurrencyStyle("Chinese Yuan", "CN¥", 2),
}

_CODES = "|".join(CURRENCIES)
_NOISE = re.compile(rf"^(?:{_CODES})|(?:{_CODES})$|^(?:CA|A|CN)(?=[$¥])|[\s\u00a0\u202f'_$€£¥₹]", re.IGNORECASE)
_PLAIN = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def _normalise_separators(text: str) -> str:
    """Turn "1,234.5", "1.234,5", "1,5" and "1.234.567" into "1234.5", "1234.5", "1.5", "1234567"."""
    if "," in text and "." in text:
        if text.rfind(",") > text.rfind("."):
            return text.replace(".", "").replace(",", ".")
        return text.replace(",", "")
    if "," in text:
        head, *groups = text.split(",")
        digits = head.lstrip("+-")
        if all(len(g) == 3 for g in groups) and 0 < len(digits) <= 3 and digits != "0":
            return text.replace(",", "")
        return text.replace(",", ".") if len(groups) == 1 else text
    if text.count(".") > 1:
        return text.replace(".", "")
    return text


def parse_number(text: str) -> Decimal | None:
    """The number written in ``text`` ("1,234.5", "$1,234.50", "(12)", "1.234,5 EUR"), or None."""
    value = text.strip()
    negative = value.startswith("(") and value.endswith(")")
    if negative:
        value = value[1:-1]
    value = _normalise_separators(_NOISE.sub("", value.strip()))
    if not _PLAIN.fullmatch(value):
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    return -number if negative else number


def rounded(number: Decimal, decimals: int) -> Decimal:
    """``number`` rounded half away from zero to ``decimals`` places (negative: tens, hundreds…)."""
    result = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return abs(result) if result == 0 else result


def plain(number: Decimal) -> str:
    """``number`` without exponent or trailing zeros: 1E+3 → "1000", 2.50 → "2.5"."""
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0", "+0") else text


def currency(number: Decimal, code: Currency, decimals: int | None) -> str:
    """``number`` as an amount of ``code``: "$1,234.50", "-€3.00", "¥1,235"."""
    style = CURRENCIES[code]
    places = style.decimals if decimals is None else decimals
    text = grouped(number, places)
    sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
    return f"{sign}{style.symbol}{digits}"


def fixed(number: Decimal, decimals: int) -> str:
    """``number`` rounded to exactly ``decimals`` places: (2.5, 2) → "2.50"."""
    return f"{rounded(number, decimals):.{max(decimals, 0)}f}"


def grouped(number: Decimal, decimals: int | None) -> str:
    """``number`` with comma thousands separators, to ``decimals`` places if given: "1,234.50"."""
    if decimals is not None:
        return f"{rounded(number, decimals):,.{max(decimals, 0)}f}"
    whole, _, fraction = plain(number).partition(".")
    head = whole if whole == "-0" else f"{int(whole):,}"
    return f"{head}.{fraction}" if fraction else head
