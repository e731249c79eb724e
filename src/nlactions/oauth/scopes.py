"""The scopes a caller's OAuth client may ask for, and how the consent page describes them."""

from __future__ import annotations

from nlactions.accounts.service import EXECUTE_SCOPE

SCOPES: dict[str, str] = {
    EXECUTE_SCOPE: "Run and preview actions in the account, with its stored connections.",
    "openid": "Confirm who you are to the application (an id_token).",
    "email": "Your email address.",
    "profile": "Your name.",
}
"""Every supported scope and its description. Any token may read the account's actions, apps and logs."""

DEFAULT_SCOPE = " ".join(SCOPES)
"""A client registered without a scope may ask for all of them."""


def split_scope(scope: str | None) -> list[str]:
    """The scope string's distinct scopes, in order."""
    seen: list[str] = []
    for part in (scope or "").split():
        if part not in seen:
            seen.append(part)
    return seen


def check_scope(scope: str | None) -> str:
    """``scope`` normalised (distinct, space-separated); ValueError naming unknown scopes."""
    parts = split_scope(scope)
    unknown = [s for s in parts if s not in SCOPES]
    if unknown:
        raise ValueError(f"scope: unknown scope {', '.join(unknown)}; supported: {', '.join(SCOPES)}")
    return " ".join(parts) or DEFAULT_SCOPE
