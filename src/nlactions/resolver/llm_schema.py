"""The output model a language model fills: one optional field per open need, built at runtime."""

from __future__ import annotations

import importlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model
from rapidfuzz import fuzz, utils

from nlactions.catalog import Choice, NeedSpec
from nlactions.catalog.fields import PYTHON_TYPES
from nlactions.resolver.base import ExtractionRequest, ResolvedValue, ValueSource

MAX_CHOICES = 50
"""Choice needs with more candidates than this are narrowed to the most similar ones."""

_SCALAR_TYPES: dict[str, Any] = {**PYTHON_TYPES, "any": str | int | float | bool}
"""A model is asked for JSON scalars: an ``any`` need takes one of them."""

_TYPE_NOTES: dict[str, str] = {
    "datetime": "An ISO 8601 date-time with its UTC offset.",
    "date": "A date as YYYY-MM-DD.",
    "dict": "A JSON object.",
    "bool": "true or false.",
    "int": "A whole number.",
    "float": "A number.",
}

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


ChoiceValues = Literal["id", "label"]
"""What a choice field's enum holds: choice ids, or labels (mapped back to ids) for small models."""


@dataclass(frozen=True, slots=True)
class AskedNeed:
    """One need the model is asked for: its spec, its property name and its allowed choices."""

    need: NeedSpec
    prop: str
    choices: tuple[Choice, ...] | None
    narrowed: bool = False
    by_label: bool = False

    @property
    def options(self) -> tuple[str, ...]:
        """The values the model may answer for a choice need (ids, or unambiguous labels)."""
        return tuple(self._option_map())

    def choice_key(self, option: str) -> str:
        """The choice id an answered option stands for."""
        return self._option_map().get(option, option)

    def _option_map(self) -> dict[str, str]:
        choices = self.choices or ()
        if not self.by_label:
            return {c.key: c.key for c in choices}
        folded = [c.label.strip().casefold() for c in choices]
        unique = len(set(folded)) == len(folded) and all(folded)
        return {(c.label.strip() if unique else f"{c.label.strip()} [{c.key}]"): c.key for c in choices}


@dataclass(frozen=True, slots=True)
class OutputPlan:
    """The runtime output model and how its fields map back to needs."""

    model: type[BaseModel]
    asked: tuple[AskedNeed, ...]

    def values(self, output: BaseModel, *, source: ValueSource, confidence: float) -> dict[str, ResolvedValue]:
        """The non-null fields of ``output`` as resolved values by need key (nulls are abstentions)."""
        found: dict[str, ResolvedValue] = {}
        for index, item in enumerate(self.asked):
            value: Any = getattr(output, _field_name(index), None)
            if _is_blank(value):
                continue
            if item.choices is not None:
                value = [item.choice_key(v) for v in value] if item.need.list else item.choice_key(value)
            detail = _choice_detail(value, item.choices)
            found[item.need.key] = ResolvedValue(value, confidence, source, detail)
        return found


def build_output_plan(
    request: ExtractionRequest, *, max_choices: int = MAX_CHOICES, choice_values: ChoiceValues = "id"
) -> OutputPlan:
    """Build the output model for the open needs (skipping known ones and choice needs with no choices)."""
    asked: list[AskedNeed] = []
    taken: set[str] = set()
    for need in request.needs:
        if need.key in request.known:
            continue
        hint = request.hints.get(need.key)
        keep = _keys_of(hint.value) if hint is not None else ()
        choices, narrowed = _choices_for(need, request.candidates, request.instructions, max_choices, keep)
        if need.has_choices and not choices:
            continue
        prop = _property_name(need.key, taken)
        asked.append(AskedNeed(need, prop, choices, narrowed, by_label=choice_values == "label"))
    fields: dict[str, Any] = {
        _field_name(index): (
            _annotation(item) | None,
            Field(None, alias=item.prop, description=_describe(item)),
        )
        for index, item in enumerate(asked)
    }
    model = create_model("NeedValues", __config__=ConfigDict(extra="ignore"), **fields)
    return OutputPlan(model=model, asked=tuple(asked))


def top_choices(text: str, choices: Sequence[Choice], limit: int) -> list[Choice]:
    """The ``limit`` choices most like ``text``: the shared matcher's ranking, topped up by fuzzy ranking."""
    ranked: list[Choice] = []
    matcher = _shared_matcher()
    if matcher is not None:
        ranked = [m.choice for m in matcher.index_for(choices).rank(text, limit)]
    seen = {c.key for c in ranked}
    for choice in _fuzzy_rank(text, choices):
        if len(ranked) >= limit:
            break
        if choice.key not in seen:
            seen.add(choice.key)
            ranked.append(choice)
    return ranked[:limit]


def _shared_matcher() -> Any:
    """The resolver's ``match`` module when it is importable, else None (fuzzy ranking alone)."""
    try:
        return importlib.import_module("nlactions.resolver.match")
    except ImportError:
        return None


def _fuzzy_rank(text: str, choices: Sequence[Choice]) -> list[Choice]:
    """Choices ordered by how well their label (or id) appears in ``text``; phrase hits first."""
    haystack = f" {utils.default_process(text)} "

    def score(choice: Choice) -> float:
        best = 0.0
        for probe in (choice.label, choice.key):
            needle = utils.default_process(probe)
            if not needle:
                continue
            if f" {needle} " in haystack:
                return 200.0 + len(needle)
            best = max(best, fuzz.WRatio(needle, haystack, processor=None))
        return best

    return sorted(choices, key=score, reverse=True)


def _keys_of(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else (str(value),)


def _choices_for(
    need: NeedSpec,
    candidates: Mapping[str, Sequence[Choice]],
    instructions: str,
    limit: int,
    keep: Sequence[str] = (),
) -> tuple[tuple[Choice, ...] | None, bool]:
    """The choices offered for ``need``: all, or the ``limit`` closest plus the ``keep`` ids (a hint's)."""
    if not need.has_choices:
        return None, False
    pool = list(candidates.get(need.key, need.choices or ()))
    by_key = {c.key: c for c in pool}
    unique = list(by_key.values())
    if len(unique) <= limit:
        return tuple(unique), False
    top = top_choices(instructions, unique, limit)
    shown = {c.key for c in top}
    kept = [by_key[k] for k in keep if k in by_key and k not in shown]
    return tuple(kept + top[: limit - len(kept)]), True


def _annotation(item: AskedNeed) -> Any:
    if item.choices is not None:
        inner: Any = Literal.__getitem__(item.options)
    else:
        inner = _SCALAR_TYPES.get(item.need.type, str)
    return list[inner] if item.need.list else inner


def _describe(item: AskedNeed) -> str:
    need = item.need
    parts = [need.label.strip() or need.key]
    if need.help_text:
        parts.append(need.help_text.strip())
    if item.choices is not None:
        what = "choice labels" if item.by_label else "choice ids"
        parts.append(f"One or more {what} from the list." if need.list else f"One of the {what} listed.")
    else:
        note = _TYPE_NOTES.get(need.type)
        if note:
            parts.append(f"Each item: {note}" if need.list else note)
        elif need.list:
            parts.append("A list of values.")
    parts.append("null unless the instructions state it.")
    return " ".join(p if p.endswith(".") else f"{p}." for p in parts)


def _property_name(key: str, taken: set[str]) -> str:
    base = _UNSAFE.sub("_", key)[:60] or "field"
    name = base
    counter = 2
    while name in taken:
        name = f"{base}_{counter}"
        counter += 1
    taken.add(name)
    return name


def _field_name(index: int) -> str:
    return f"f{index}"


def _is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, list | dict) and not value


def _choice_detail(value: Any, choices: tuple[Choice, ...] | None) -> str:
    if choices is None:
        return ""
    labels = {c.key: c.label for c in choices}
    keys = value if isinstance(value, list) else [value]
    return ", ".join(labels.get(str(k), str(k)) for k in keys)
