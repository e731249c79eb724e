"""Stored config params: their forms, their validation, and their precedence over a request's params.

A stored value is a guess hint (a string or number), a list of choice ids (choose_from), or a
``{"mode", "value"}`` object. ``locked`` and ``ignored`` are the owner's decisions: a request cannot
change them. Guess hints and choice lists are defaults a request's params replace.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nlactions.catalog import Action, App
from nlactions.errors import BadRequest
from nlactions.execute.schemas import ParamConstraint
from nlactions.resolver.coerce import CoercionError, coerce

OWNER_MODES = frozenset({"locked", "ignored"})


def _valid_needs(action: Action) -> str:
    return ", ".join(need.key for need in action.needs)


def constraint_of(value: Any) -> ParamConstraint | None:
    """The constraint a stored value stands for; None when it leaves the need to the instructions."""
    if isinstance(value, ParamConstraint):
        return value
    if isinstance(value, Mapping):
        return ParamConstraint.model_validate(dict(value), strict=False)
    if isinstance(value, list):
        return ParamConstraint(mode="choose_from", value=[str(v) for v in value])
    if value is None or value == "":
        return None
    return ParamConstraint(mode="guess", value=value)


def _empty(value: Any) -> bool:
    return value in (None, "", [], {})


def validate(app: App, action: Action, params: Mapping[str, Any]) -> None:
    """400 naming the param when a stored value cannot work for its need.

    An action with custom needs (a table's columns) learns their keys only once the params deciding them
    are known: keys it does not declare are stored as given and checked when the AI action runs.
    """
    unknown = [key for key in params if key not in action.needs_by_key]
    if unknown and action.custom_needs is None:
        raise BadRequest(
            f"params: {', '.join(repr(k) for k in unknown)} "
            f"{'is not a need' if len(unknown) == 1 else 'are not needs'} of {app.key}.{action.key}.",
            hint=f"Valid needs: {_valid_needs(action)}.",
            code="unknown_need",
        )
    for key, value in params.items():
        constraint = constraint_of(value)
        if constraint is None:
            continue
        need = action.needs_by_key.get(key)
        if constraint.mode == "choose_from":
            ids = constraint.value
            if not isinstance(ids, list) or not ids:
                raise BadRequest(
                    f"params.{key}: a choice list must be a non-empty list of choice ids.",
                    hint=f'Send e.g. ["ID1", "ID2"] for \'{key}\', or a string to guess from.',
                )
            if need is not None:
                _check_choice_ids(key, need.choices, [str(i) for i in ids])
        elif constraint.mode == "locked":
            if constraint.value is None:
                raise BadRequest(
                    f"params.{key}.value is required for mode 'locked'.",
                    hint=f"Send the exact value for '{key}', or use mode 'ignored' to leave it unset.",
                )
            if need is None:
                continue
            try:
                locked = coerce(constraint.value, need)
            except CoercionError as exc:
                raise BadRequest(
                    f"params.{key}.value: {exc} for need '{need.label}' (type {need.type}).",
                    hint=f"Lock '{key}' to a value of type {need.type}.",
                    code="invalid_param",
                ) from exc
            _check_choice_ids(key, need.choices, [str(v) for v in (locked if need.list else [locked])])


def _check_choice_ids(key: str, choices: Any, ids: list[str]) -> None:
    if choices is None:
        return
    valid = [c.key for c in choices]
    unknown = [i for i in ids if i not in valid]
    if unknown:
        raise BadRequest(
            f"params.{key}: {', '.join(map(repr, unknown))} "
            f"{'is' if len(unknown) == 1 else 'are'} not among the choices of '{key}'.",
            hint=f"Valid choice ids: {', '.join(valid[:40])}.",
            code="invalid_param",
        )


def merge(stored: Mapping[str, Any], request: Mapping[str, ParamConstraint]) -> dict[str, ParamConstraint]:
    """One constraint per need: stored locked/ignored > request params > stored hints > instructions.

    A request guess for a need the owner fixed is dropped (the owner's value wins); a request that
    locks, ignores or narrows such a need differently is a 400 naming it. A request guess with no
    value does not replace a stored hint.
    """
    merged: dict[str, ParamConstraint] = {}
    for key, value in stored.items():
        constraint = constraint_of(value)
        if constraint is not None:
            merged[key] = constraint
    for key, wanted in request.items():
        owner = merged.get(key)
        if owner is not None and owner.mode in OWNER_MODES:
            if wanted.mode == "guess" or (wanted.mode == owner.mode and wanted.value == owner.value):
                continue
            fixed = "locked to a fixed value" if owner.mode == "locked" else "turned off (ignored)"
            raise BadRequest(
                f"params.{key}: '{key}' is {fixed} by this AI action's owner; a request cannot change it.",
                hint=f"Remove '{key}' from params, or ask the owner to unlock it (PUT /api/v2/ai-actions/{{id}}/).",
                code="param_locked",
            )
        if owner is not None and wanted.mode == "guess" and _empty(wanted.value):
            continue
        merged[key] = wanted
    return merged
