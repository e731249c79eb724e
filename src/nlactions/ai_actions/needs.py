"""An action's needs in Zapier's Need shape, derived from the catalog's ``NeedSpec``."""

from __future__ import annotations

from typing import Any

from nlactions.catalog import NeedSpec


def need_shape(need: NeedSpec) -> dict[str, Any]:
    """One need as Zapier's Need: key, type, label, required, help text, default and static choices."""
    return {
        "key": need.key,
        "type": need.type,
        "label": need.label,
        "required": need.required,
        "help_text": need.help_text or None,
        "default": need.default if need.has_default and not need.secret else None,
        "choices": [c.as_dict() for c in need.choices] if need.choices is not None else None,
        "list": need.list,
        "depends_on": list(need.depends_on),
        "prefill": need.prefill,
        "placeholder": need.placeholder,
        "custom_field": False,
        "alters_custom_fields": need.alters_custom_fields,
        "secret": need.secret,
    }


def needs_shape(needs: list[NeedSpec]) -> list[dict[str, Any]]:
    """Every need of an action, in declaration order."""
    return [need_shape(need) for need in needs]
