"""Custom needs: input fields that exist only once other needs are known (a table's columns).

An action declares ``Action(custom_needs=loader)`` where ``async def loader(ctx: ChoiceContext) ->
Sequence[NeedSpec]`` receives, in ``ctx.params``, the values of the needs flagged
``alters_custom_fields=True`` and returns the extra needs. The server then treats them like declared
needs, in one place each:

- **execute**: a request param naming a custom need is accepted; unknown keys are a 400 listing the
  valid needs, custom ones included, once the custom needs could be loaded (the resolver checks).
- **resolution**: custom needs form the last layer, after every declared need, and are resolved from
  locked values, hints and the instructions like any other.
- **validation**: custom values are validated against a pydantic model built from their specs
  (``custom_model``) and reach ``perform`` as ``params.custom`` (a read-only dict); the declared input
  model is unchanged.
- **discovery**: the action-details endpoint appends them (``custom_field: true``) when the params
  they depend on are given.
- **caching**: the loader is called through the choice cache, as the choices of the synthetic need
  ``custom_loader_need(action)`` (key ``__custom_needs__``), each spec encoded as one ``Choice``. So
  custom needs carry static choices only (no loader of their own), and a declared need keeps its key
  when a custom need would shadow it.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, cast, get_args

from pydantic import BaseModel, ConfigDict, Field, create_model

from nlactions.catalog.fields import PYTHON_TYPES, Choice, ChoicePage, NeedSpec, NeedType

if TYPE_CHECKING:
    from nlactions.catalog.action import Action
    from nlactions.catalog.context import ChoiceContext

CustomNeedsLoader = Callable[["ChoiceContext"], Awaitable[Sequence[NeedSpec]]]
"""``loader(ctx) -> [NeedSpec, ...]``; ``ctx.params`` holds the ``alters_custom_fields`` needs' values."""

CUSTOM_LOADER_KEY = "__custom_needs__"

_TYPES = frozenset(get_args(NeedType))


def custom_depends_on(action: Action) -> tuple[str, ...]:
    """Keys of the action's needs flagged ``alters_custom_fields``, which its custom needs depend on."""
    return tuple(need.key for need in action.needs if need.alters_custom_fields)


def encode(spec: NeedSpec) -> Choice:
    """A custom need as one ``Choice`` (key, label, everything else as JSON in ``sample``) for the cache."""
    rest = {
        "type": spec.type,
        "required": spec.required,
        "help_text": spec.help_text,
        "default": spec.default if spec.has_default else None,
        "has_default": spec.has_default,
        "choices": None if spec.choices is None else [[c.key, c.label] for c in spec.choices],
        "list": spec.list,
        "secret": spec.secret,
        "placeholder": spec.placeholder,
        "examples": list(spec.examples),
    }
    return Choice(key=spec.key, label=spec.label, sample=json.dumps(rest, default=str))


def decode(choice: Choice, depends_on: tuple[str, ...] = ()) -> NeedSpec:
    """The custom need ``encode`` stored as ``choice``; it depends on ``depends_on``."""
    rest = json.loads(choice.sample or "{}")
    type_ = rest.get("type") if rest.get("type") in _TYPES else "any"
    choices = rest.get("choices")
    return NeedSpec(
        key=choice.key,
        label=choice.label,
        type=cast(NeedType, type_),
        required=bool(rest.get("required")),
        help_text=str(rest.get("help_text") or ""),
        default=rest.get("default"),
        has_default=bool(rest.get("has_default")),
        choices=None if choices is None else tuple(Choice(key=str(k), label=str(v)) for k, v in choices),
        depends_on=depends_on,
        list=bool(rest.get("list")),
        secret=bool(rest.get("secret")),
        placeholder=rest.get("placeholder"),
        examples=tuple(rest.get("examples") or ()),
    )


def custom_loader_need(action: Action) -> NeedSpec | None:
    """The synthetic need whose "choices" are the action's custom needs, or None without a loader.

    Loading its choices (with ``ctx.params`` = the values of its ``depends_on``) calls the action's
    custom-needs loader, so the choice cache, its keys and its background loads apply unchanged.
    """
    loader = action.custom_needs
    if loader is None:
        return None

    async def page(ctx: ChoiceContext) -> ChoicePage:
        return ChoicePage([encode(spec) for spec in await loader(ctx)])

    return NeedSpec(
        key=CUSTOM_LOADER_KEY,
        label=f"Custom fields of {action.name}",
        type="str",
        required=False,
        loader=page,
        depends_on=custom_depends_on(action),
    )


def custom_needs_from(
    choices: Sequence[Choice], declared: Collection[str], depends_on: tuple[str, ...]
) -> list[NeedSpec]:
    """The custom needs a loaded list encodes; one shadowing a ``declared`` need's key is dropped."""
    out: list[NeedSpec] = []
    seen: set[str] = set()
    for choice in choices:
        if choice.key in declared or choice.key in seen:
            continue
        seen.add(choice.key)
        out.append(decode(choice, depends_on))
    return out


def can_load(action: Action, values: Mapping[str, Any]) -> bool:
    """True when every need the custom needs depend on has a value in ``values``."""
    return action.custom_needs is not None and all(
        values.get(key) not in (None, "") for key in custom_depends_on(action)
    )


def _annotation(spec: NeedSpec) -> Any:
    base = PYTHON_TYPES.get(spec.type, Any)
    if spec.choices is not None and spec.type == "str":
        keys = tuple(c.key for c in spec.choices)
        if keys:
            base = Literal[keys]
    return list[base] if spec.list else base  # type: ignore[valid-type]


def custom_model(specs: Sequence[NeedSpec]) -> type[BaseModel]:
    """A pydantic model of the custom needs, typed from ``spec.type``; fields are aliased by need key.

    Keys are aliases, so any column name (``order id``, ``_id``, ``class``) is a valid need key.
    """
    fields: dict[str, Any] = {}
    for index, spec in enumerate(specs):
        annotation = _annotation(spec)
        if spec.required:
            fields[f"f{index}"] = (annotation, Field(alias=spec.key))
        else:
            default = spec.default if spec.has_default else None
            fields[f"f{index}"] = (annotation | None, Field(default, alias=spec.key))
    return create_model("CustomNeeds", __config__=ConfigDict(extra="forbid"), **fields)


def validate_custom(specs: Sequence[NeedSpec], values: Mapping[str, Any]) -> dict[str, Any]:
    """The given custom values validated against their specs' types; raises pydantic's ``ValidationError``.

    Error locations name the need key. Only keys present in ``values`` are returned.
    """
    keys = {spec.key for spec in specs}
    given = {key: value for key, value in values.items() if key in keys}
    dumped = custom_model(specs).model_validate(given).model_dump(by_alias=True)
    return {key: dumped[key] for key in given}
