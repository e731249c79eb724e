"""Reading tool arguments: each wrong one is an ``isError`` result naming the argument and how to fix it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import mcp_types as types
from pydantic import ValidationError

from nlactions.catalog import NeedSpec
from nlactions.errors import listing
from nlactions.execute.schemas import ParamConstraint
from nlactions.mcp.results import problem

RESERVED = frozenset({"instructions", "output_hint"})


class ArgumentError(Exception):
    """A tool argument that cannot be used; ``result()`` is the ``isError`` answer."""

    def __init__(self, message: str, hint: str, code: str = "invalid_argument"):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.code = code

    def result(self) -> types.CallToolResult:
        """The ``isError`` tool result."""
        return problem(self.message, self.hint, self.code)


def text_argument(arguments: Mapping[str, Any], name: str, *, required: bool = False) -> str | None:
    """A string argument; missing (when required) or not a string is an ``ArgumentError``."""
    value = arguments.get(name)
    if value is None:
        if required:
            raise ArgumentError(f"{name}: required.", f"Send '{name}' as a string.", "missing_argument")
        return None
    if not isinstance(value, str):
        raise ArgumentError(f"{name}: must be a string, not {type(value).__name__}.", f"Send '{name}' as a string.")
    return value


def need_params(
    arguments: Mapping[str, Any], needs: Iterable[NeedSpec], fixed: Mapping[str, str]
) -> dict[str, ParamConstraint]:
    """The need arguments of a managed tool as ``guess`` hints; a fixed or unknown key is an ``ArgumentError``."""
    open_keys = {need.key for need in needs}
    params: dict[str, ParamConstraint] = {}
    for key, value in arguments.items():
        if key in RESERVED or value is None:
            continue
        if key in fixed:
            raise ArgumentError(
                f"{key}: fixed by this AI action's owner ({fixed[key]}); a call cannot change it.",
                f"Leave '{key}' out, or ask the owner to unlock it.",
                "param_locked",
            )
        if key not in open_keys:
            raise ArgumentError(
                f"{key}: not an argument of this tool.",
                f"Valid arguments: {listing(['instructions', *sorted(open_keys), 'output_hint'])}.",
                "unknown_argument",
            )
        params[key] = _constraint(key, {"mode": "guess", "value": value})
    return params


def constraint_params(arguments: Mapping[str, Any], name: str = "params") -> dict[str, ParamConstraint]:
    """An agentic ``params`` object: a plain value is a hint; ``{"mode": …, "value": …}`` is used as given."""
    raw = arguments.get(name)
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ArgumentError(
            f"{name}: must be an object of need key to value.", f'Send e.g. {{"{name}": {{"channel": "#general"}}}}.'
        )
    params: dict[str, ParamConstraint] = {}
    for key, value in raw.items():
        if value is None:
            continue
        spec = value if isinstance(value, Mapping) and "mode" in value else {"mode": "guess", "value": value}
        params[str(key)] = _constraint(f"{name}.{key}", spec)
    return params


def _constraint(where: str, spec: Mapping[str, Any]) -> ParamConstraint:
    try:
        return ParamConstraint.model_validate(dict(spec), strict=False)
    except ValidationError:
        raise ArgumentError(
            f"{where}: not a usable value.",
            'Send a string, number, boolean, list or object; or {"mode": "locked"|"guess"|"choose_from"|'
            '"ignored", "value": …}.',
        ) from None
