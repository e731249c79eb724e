"""v1 hint params: top-level body keys named after a need's label ("Message_Text") or its key."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from typing import Any

from nlactions.ai_actions.params import OWNER_MODES, constraint_of
from nlactions.catalog import Action, NeedSpec
from nlactions.errors import BadRequest
from nlactions.execute.schemas import ParamConstraint

RESERVED = frozenset({"instructions", "preview_only"})
_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]")


def label_name(label: str) -> str:
    """A label as a v1 hint name: every non-alphanumeric character becomes "_"."""
    return _NOT_ALNUM.sub("_", label)


def hint_names(action: Action) -> dict[str, str]:
    """Need key → v1 name: the label form, or the key when that form is empty, reserved or taken."""
    counts = Counter(label_name(n.label) for n in action.needs)
    keys = set(action.needs_by_key)
    names: dict[str, str] = {}
    for need in action.needs:
        name = label_name(need.label)
        taken = counts[name] > 1 or (name in keys and name != need.key)
        if not name.strip("_") or name in RESERVED or taken:
            name = need.key
        names[need.key] = name
    return names


def exposed_hints(action: Action, stored: Mapping[str, Any]) -> dict[str, NeedSpec]:
    """v1 name → need, for the needs a caller may hint (all but those the owner locked or ignored)."""
    fixed = set()
    for key, value in stored.items():
        constraint = constraint_of(value)
        if constraint is not None and constraint.mode in OWNER_MODES:
            fixed.add(key)
    needs = action.needs_by_key
    return {name: needs[key] for key, name in hint_names(action).items() if key not in fixed}


def read_hints(action: Action, body: Mapping[str, Any]) -> dict[str, ParamConstraint]:
    """The hint params of a v1 body as guess constraints by need key; 400 naming unknown ones."""
    names = hint_names(action)
    lookup = {name: key for key, name in names.items()} | {key: key for key in names}
    folded = {name.casefold(): key for name, key in lookup.items()}
    hints: dict[str, ParamConstraint] = {}
    unknown: list[str] = []
    for name, value in body.items():
        key = lookup.get(name) or folded.get(name.casefold())
        if key is None:
            unknown.append(name)
        elif value is not None:
            hints[key] = ParamConstraint(mode="guess", value=value)
    if unknown:
        valid = ", ".join(names.values()) or "none"
        verb = "is not a hint param" if len(unknown) == 1 else "are not hint params"
        raise BadRequest(
            f"{', '.join(repr(n) for n in unknown)} {verb} of this action.",
            hint=f"Hint params: {valid}. Put anything else in instructions.",
            code="unknown_need",
        )
    return hints
