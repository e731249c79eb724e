"""Identifiers: ULIDs for logs and AI actions; a UUID in a path is accepted as the same id."""

from __future__ import annotations

import re
import uuid

from ulid import ULID

_ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")


def new_ulid() -> str:
    """A new 26-character ULID string."""
    return str(ULID())


def parse_id(text: str) -> str | None:
    """Normalise a path id (ULID in any case, or the UUID form of a ULID) to the ULID string."""
    candidate = text.strip().upper()
    if _ULID.match(candidate):
        return candidate
    try:
        as_uuid = uuid.UUID(text.strip())
    except ValueError:
        return None
    return str(ULID.from_bytes(as_uuid.bytes))
