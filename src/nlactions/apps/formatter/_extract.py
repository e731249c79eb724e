"""Find the first email address, URL, number or phone number in free text."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'`]+", re.IGNORECASE)
_URL_TRAILING = ".,;:!?'\""
_NUMBER = re.compile(r"(?:(?<![\w.])[-+])?(?<![\w.])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\w])")
_PHONE = re.compile(r"(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]?\d{2,4}){1,4}(?![\w])")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def first_email(text: str) -> str:
    """The first email address in ``text``, or ""."""
    found = _EMAIL.search(text)
    return found.group() if found else ""


def _trim_url(url: str) -> str:
    """Drop trailing punctuation and closing brackets that the URL did not open."""
    while url and (url[-1] in _URL_TRAILING or _unmatched_close(url)):
        url = url[:-1]
    return url


def _unmatched_close(url: str) -> bool:
    opener = {")": "(", "]": "["}.get(url[-1])
    return opener is not None and url.count(opener) < url.count(url[-1])


def first_url(text: str) -> str:
    """The first http(s) or www. URL in ``text`` without trailing punctuation, or ""."""
    found = _URL.search(text)
    return _trim_url(found.group()) if found else ""


def first_number(text: str) -> str:
    """The first number in ``text`` as written there (sign, thousands separators, decimals), or ""."""
    found = _NUMBER.search(text)
    return found.group() if found else ""


def first_phone(text: str) -> str:
    """The first phone number in ``text`` (7 to 15 digits, not a date) as written there, or ""."""
    for found in _PHONE.finditer(text):
        candidate = found.group().strip()
        digits = sum(ch.isdigit() for ch in candidate)
        if 7 <= digits <= 15 and not _ISO_DATE.fullmatch(candidate):
            return candidate
    return ""
