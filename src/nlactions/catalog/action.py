"""An action: a typed input model, an optional output model, one async ``perform`` and optional custom needs."""

from __future__ import annotations

import builtins
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from nlactions.catalog.context import ActionContext
from nlactions.catalog.custom import CustomNeedsLoader
from nlactions.catalog.fields import Gives, GiveSpec, Needs, NeedSpec, gives_of, needs_of

ActionType = Literal["read", "write", "search", "read_bulk"]
Perform = Callable[[ActionContext, Any], Awaitable[Any]]
"""``perform(ctx, params)`` returns a dict, a pydantic model, a list of either, or None."""


@dataclass(frozen=True)
class Action:
    """One thing an app can do; needs and gives are derived from ``input`` and ``output``."""

    key: str
    type: ActionType
    noun: str
    name: str
    description: str
    input: builtins.type[Needs]
    perform: Perform = field(compare=False)
    output: builtins.type[Gives] | None = None
    sample: Mapping[str, Any] | None = None
    important: bool = True
    custom_needs: CustomNeedsLoader | None = field(default=None, compare=False)
    """Loads needs that exist once the ``alters_custom_fields`` needs are known; see ``catalog.custom``."""

    @cached_property
    def needs(self) -> list[NeedSpec]:
        """The action's input fields in declaration order."""
        return needs_of(self.input)

    @cached_property
    def needs_by_key(self) -> dict[str, NeedSpec]:
        """The action's input fields by key."""
        return {need.key: need for need in self.needs}

    @cached_property
    def gives(self) -> list[GiveSpec]:
        """The action's output fields."""
        return gives_of(self.output)

    @cached_property
    def secret_keys(self) -> frozenset[str]:
        """Keys of needs and gives whose values must never be shown."""
        return frozenset({n.key for n in self.needs if n.secret} | {g.key for g in self.gives if g.secret})
