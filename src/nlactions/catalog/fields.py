"""Field declarations for action inputs (``need``) and outputs (``give``), and choices."""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, Self, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

if TYPE_CHECKING:
    from nlactions.catalog.context import ChoiceContext

NeedType = Literal["str", "int", "float", "bool", "datetime", "date", "dict", "any"]

PYTHON_TYPES: dict[str, Any] = {
    "str": str,
    "int": int,
    "float": float,
    "bool": bool,
    "datetime": dt.datetime,
    "date": dt.date,
    "dict": dict[str, Any],
    "any": Any,
}
"""The Python type a value of each ``NeedType`` has once validated."""


@dataclass(frozen=True, slots=True)
class Choice:
    """One selectable value of a need: its id (``key``), a human label and an optional sample."""

    key: str
    label: str
    sample: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        """The Zapier ``{key, label, sample}`` shape."""
        return {"key": self.key, "label": self.label, "sample": self.sample}


@dataclass(frozen=True, slots=True)
class ChoicePage:
    """One page of choices from a loader; ``next_cursor`` is None on the last page."""

    choices: Sequence[Choice]
    next_cursor: str | None = None


ChoiceLoader = Callable[["ChoiceContext"], Awaitable[ChoicePage]]


@dataclass(frozen=True, slots=True)
class NeedMeta:
    """What ``need()`` records about an input field beyond its pydantic type."""

    label: str
    help_text: str = ""
    choices: tuple[Choice, ...] | None = None
    loader: ChoiceLoader | None = None
    depends_on: tuple[str, ...] = ()
    secret: bool = False
    placeholder: str | None = None
    prefill: str | None = None
    alters_custom_fields: bool = False
    examples: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class GiveMeta:
    """What ``give()`` records about an output field."""

    label: str
    important: bool = False
    secret: bool = False


@dataclass(frozen=True, slots=True)
class NeedSpec:
    """Everything the resolver and the API need to know about one input field."""

    key: str
    label: str
    type: NeedType
    required: bool
    help_text: str = ""
    default: Any = None
    has_default: bool = False
    choices: tuple[Choice, ...] | None = None
    loader: ChoiceLoader | None = field(default=None, compare=False)
    depends_on: tuple[str, ...] = ()
    list: bool = False
    secret: bool = False
    placeholder: str | None = None
    prefill: str | None = None
    alters_custom_fields: bool = False
    examples: tuple[str, ...] = ()

    @property
    def has_choices(self) -> bool:
        """True when the need's value must be one of a list of choice ids."""
        return self.choices is not None or self.loader is not None


@dataclass(frozen=True, slots=True)
class GiveSpec:
    """One output field as Zapier ``gives`` describe it."""

    key: str
    label: str
    type: NeedType
    important: bool = False
    secret: bool = False


def _as_choices(values: Sequence[Choice | str | tuple[str, str]]) -> tuple[Choice, ...]:
    out: list[Choice] = []
    for value in values:
        if isinstance(value, Choice):
            out.append(value)
        elif isinstance(value, tuple):
            out.append(Choice(key=value[0], label=value[1]))
        else:
            out.append(Choice(key=value, label=value))
    return tuple(out)


def need(
    default: Any = PydanticUndefined,
    *,
    label: str,
    help_text: str = "",
    choices: Sequence[Choice | str | tuple[str, str]] | ChoiceLoader | None = None,
    depends_on: Sequence[str] = (),
    secret: bool = False,
    placeholder: str | None = None,
    prefill: str | None = None,
    alters_custom_fields: bool = False,
    examples: Sequence[str] = (),
) -> Any:
    """Declare an input field of an action; omit ``default`` to make it required.

    ``choices`` is either a static list (``Choice``, plain strings, or ``(key, label)`` pairs)
    or an async loader ``loader(ctx) -> ChoicePage`` that pages through the service's values.
    """
    static = None
    loader = None
    if callable(choices):
        loader = choices
    elif choices is not None:
        static = _as_choices(choices)
    info: FieldInfo = Field(default, title=label, description=help_text or None)
    info.metadata.append(
        NeedMeta(
            label=label,
            help_text=help_text,
            choices=static,
            loader=loader,
            depends_on=tuple(depends_on),
            secret=secret,
            placeholder=placeholder,
            prefill=prefill,
            alters_custom_fields=alters_custom_fields,
            examples=tuple(examples),
        )
    )
    return info


def give(default: Any = None, *, label: str, important: bool = False, secret: bool = False) -> Any:
    """Declare an output field of an action."""
    info: FieldInfo = Field(default, title=label)
    info.metadata.append(GiveMeta(label=label, important=important, secret=secret))
    return info


class Needs(BaseModel):
    """Base model of an action's input: one field per need; ``custom`` holds the custom needs' values."""

    model_config = ConfigDict(extra="forbid")
    _custom: dict[str, Any] = PrivateAttr(default_factory=dict)

    @property
    def custom(self) -> Mapping[str, Any]:
        """Values of the action's custom needs by key (validated against their types), read-only."""
        return MappingProxyType(self._custom)

    def with_custom(self, values: Mapping[str, Any]) -> Self:
        """This input with the custom needs' values set (the executor calls it after validating them)."""
        self._custom = dict(values)
        return self


class Gives(BaseModel):
    """Base model of an action's output: one field per give."""

    model_config = ConfigDict(extra="allow")


_SCALARS: dict[Any, NeedType] = {
    str: "str",
    int: "int",
    float: "float",
    bool: "bool",
    dt.datetime: "datetime",
    dt.date: "date",
    dict: "dict",
}


def _unwrap(annotation: Any) -> tuple[NeedType, bool]:
    """Return (scalar type, is_list) for a field annotation."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return _unwrap(args[0])
        return "any", False
    if origin in (list, tuple, set, Sequence, typing.Sequence):
        items = get_args(annotation)
        inner, _ = _unwrap(items[0]) if items else ("any", False)
        return inner, True
    if origin is dict or annotation is dict:
        return "dict", False
    if origin is Literal:
        return "str", False
    return _SCALARS.get(annotation, "any"), False


def _meta(info: FieldInfo, kind: type[Any]) -> Any:
    for item in info.metadata:
        if isinstance(item, kind):
            return item
    return None


def needs_of(model: type[BaseModel]) -> list[NeedSpec]:
    """Derive the needs of an action input model, in declaration order."""
    specs: list[NeedSpec] = []
    for key, info in model.model_fields.items():
        meta: NeedMeta | None = _meta(info, NeedMeta)
        if meta is None:
            meta = NeedMeta(label=info.title or key.replace("_", " ").title(), help_text=info.description or "")
        type_, is_list = _unwrap(info.annotation)
        choices = meta.choices
        if choices is None and get_origin(info.annotation) is Literal:
            choices = _as_choices([str(v) for v in get_args(info.annotation)])
        has_default = not info.is_required()
        default = None
        if has_default:
            default = info.get_default(call_default_factory=True)
        specs.append(
            NeedSpec(
                key=key,
                label=meta.label,
                type=type_,
                required=info.is_required(),
                help_text=meta.help_text,
                default=default,
                has_default=has_default and default is not None,
                choices=choices,
                loader=meta.loader,
                depends_on=meta.depends_on,
                list=is_list,
                secret=meta.secret,
                placeholder=meta.placeholder,
                prefill=meta.prefill,
                alters_custom_fields=meta.alters_custom_fields,
                examples=meta.examples,
            )
        )
    return specs


def gives_of(model: type[BaseModel] | None) -> list[GiveSpec]:
    """Derive the gives of an action output model."""
    if model is None:
        return []
    specs: list[GiveSpec] = []
    for key, info in model.model_fields.items():
        meta: GiveMeta | None = _meta(info, GiveMeta)
        label = meta.label if meta else (info.title or key.replace("_", " ").title())
        type_, _ = _unwrap(info.annotation)
        specs.append(
            GiveSpec(
                key=key,
                label=label,
                type=type_,
                important=bool(meta and meta.important),
                secret=bool(meta and meta.secret),
            )
        )
    return specs
