"""``?next=`` targets: only paths of this site, never another host."""

from __future__ import annotations

from urllib.parse import urlsplit

DEFAULT_NEXT = "/console/"


def safe_next(target: str | None, default: str = DEFAULT_NEXT) -> str:
    """``target`` when it is a path on this site (``/console/runs/?page=2``), else ``default``."""
    if not target or len(target) > 2000:
        return default
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    if any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
