"""Values of secret needs in stored params: encrypted at rest, redacted in responses.

At rest a secret need's value (in whichever stored form) is replaced by ``{"$sealed": <token>}``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from nlactions.ai_actions.params import constraint_of
from nlactions.catalog import Action
from nlactions.kit.crypto import SecretBox
from nlactions.kit.redact import REDACTED, looks_secret

SEALED = "$sealed"


def secret_keys(action: Action) -> frozenset[str]:
    """Need keys whose values must never be shown: declared secret, or named like a secret."""
    return frozenset(n.key for n in action.needs if n.secret or looks_secret(n.key))


def _holds_value(value: Any) -> bool:
    constraint = constraint_of(value)
    return constraint is not None and constraint.value not in (None, "")


def is_redacted(value: Any) -> bool:
    """True for the redaction marker, bare or as the value of a ``{"mode", "value"}`` object."""
    if isinstance(value, Mapping):
        return value.get("value") == REDACTED
    return value == REDACTED


def is_sealed(value: Any) -> bool:
    """True for a value stored encrypted."""
    return isinstance(value, Mapping) and set(value) == {SEALED}


def seal(params: Mapping[str, Any], secrets: Collection[str], box: SecretBox) -> dict[str, Any]:
    """Copy of ``params`` with the values of secret needs encrypted."""
    return {
        key: {SEALED: box.seal(value)} if key in secrets and _holds_value(value) else value
        for key, value in params.items()
    }


def unseal(params: Mapping[str, Any], box: SecretBox) -> dict[str, Any]:
    """Copy of ``params`` with encrypted values decrypted (raises ValueError for a foreign key)."""
    return {key: box.open(value[SEALED]) if is_sealed(value) else value for key, value in params.items()}


def redacted(params: Mapping[str, Any], secrets: Collection[str]) -> dict[str, Any]:
    """Copy of stored params (sealed or not) fit to show: secret values become the marker."""
    shown: dict[str, Any] = {}
    for key, value in params.items():
        if is_sealed(value) or (key in secrets and _holds_value(value)):
            shown[key] = REDACTED
        else:
            shown[key] = value
    return shown
