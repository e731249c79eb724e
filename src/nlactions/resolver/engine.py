"""The layered resolver: applies each need's mode, then asks extractors, in ``depends_on`` order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from nlactions.catalog import Choice, NeedSpec
from nlactions.catalog.custom import custom_needs_from
from nlactions.resolver.base import (
    ExtractionRequest,
    Extractor,
    ParamHint,
    Resolution,
    ResolutionInputError,
    ResolutionRequest,
    ResolvedValue,
    UnresolvedNeed,
)
from nlactions.resolver.coerce import CoercionError, coerce
from nlactions.resolver.match import index_for, match_hint
from nlactions.resolver.plan import layers

CLOSEST = 5


def _has_value(hint: ParamHint) -> bool:
    return hint.value not in (None, "", [], {})


def _is_open(need: NeedSpec, resolution: Resolution) -> bool:
    return need.key not in resolution.values and need.key not in resolution.unresolved


def _closest(choices: Sequence[Choice], text: str) -> tuple[Choice, ...]:
    if not choices:
        return ()
    if not text.strip() or len(choices) <= CLOSEST:
        return tuple(choices[:CLOSEST])
    ranked = index_for(choices).rank(text, CLOSEST)
    return tuple(m.choice for m in ranked) or tuple(choices[:CLOSEST])


class _Layer:
    """Needs of one layer still open after modes were applied, with their candidate choices."""

    def __init__(self) -> None:
        self.open: list[NeedSpec] = []
        self.candidates: dict[str, Sequence[Choice]] = {}
        self.guess_text: dict[str, str] = {}


class LayeredResolver:
    """Resolve needs layer by layer: locked, ignored, choose_from, guess hints, then extractors."""

    def __init__(self, extractors: Sequence[Extractor] = (), *, threshold: float = 0.8):
        self.extractors = tuple(extractors)
        self.threshold = threshold

    async def resolve(self, request: ResolutionRequest) -> Resolution:
        """Resolve every need of ``request``; never invents a value."""
        resolution = Resolution()
        for layer_needs in layers(request.needs):
            await self._layer(request, layer_needs, resolution)
        custom = await self._custom_needs(request, resolution)
        if custom:
            resolution.custom_needs = custom
            for layer_needs in layers(custom):
                await self._layer(request, layer_needs, resolution)
        return resolution

    async def _layer(self, request: ResolutionRequest, needs: Sequence[NeedSpec], resolution: Resolution) -> None:
        layer = _Layer()
        for need in needs:
            await self._apply_mode(request, need, resolution, layer)
        if layer.open and request.guess and request.instructions.strip():
            await self._extract(request, layer, resolution)
        self._finish(layer, resolution, request.instructions)

    async def _custom_needs(self, request: ResolutionRequest, resolution: Resolution) -> list[NeedSpec]:
        """The custom needs for the resolved values, after checking every param names a need."""
        declared = {need.key for need in request.needs}
        extra = [key for key in request.params if key not in declared]
        loader = request.custom_loader
        custom: list[NeedSpec] = []
        known = loader is not None and all(resolution.params.get(k) not in (None, "") for k in loader.depends_on)
        if loader is not None and known:
            loaded = await request.choices.choices(loader, resolution.params)
            custom = custom_needs_from(loaded, declared, loader.depends_on)
        unknown = [key for key in extra if key not in {need.key for need in custom}]
        # Without the needs the custom ones depend on, a run halts on those; say that, not "unknown".
        if unknown and (known or loader is None or not resolution.unresolved):
            valid = [need.key for need in (*request.needs, *custom)]
            label = request.action_label or "this action"
            raise ResolutionInputError(
                unknown[0],
                f"params: {', '.join(repr(k) for k in unknown)} "
                f"{'is not a need' if len(unknown) == 1 else 'are not needs'} of {label}.",
                hint=f"Valid needs: {', '.join(valid)}.",
                code="unknown_need",
            )
        return custom

    async def _apply_mode(
        self, request: ResolutionRequest, need: NeedSpec, resolution: Resolution, layer: _Layer
    ) -> None:
        hint = request.params.get(need.key)
        if hint is not None and hint.mode == "ignored":
            return
        if hint is not None and hint.mode == "locked":
            resolution.values[need.key] = ResolvedValue(self._coerce(hint.value, need), 1.0, "locked")
            return
        if not request.guess:
            layer.open.append(need)
            return
        choices: Sequence[Choice] | None = None
        if need.has_choices:
            choices = await request.choices.choices(need, resolution.params)
        if hint is not None and hint.mode == "choose_from":
            self._choose_from(need, hint, choices, resolution, layer)
            return
        if hint is not None and hint.mode == "guess" and _has_value(hint):
            self._guess(need, hint, choices, resolution, request.now)
            return
        if choices is not None:
            layer.candidates[need.key] = choices
        layer.open.append(need)

    def _coerce(self, value: Any, need: NeedSpec) -> Any:
        try:
            return coerce(value, need)
        except CoercionError as exc:
            raise ResolutionInputError(
                need.key,
                f"params.{need.key}: {exc} for need '{need.label}' (type {need.type}"
                f"{', a list' if need.list else ''}).",
                hint=f"Send a value of type {need.type} for '{need.key}'.",
            ) from exc

    def _choose_from(
        self,
        need: NeedSpec,
        hint: ParamHint,
        choices: Sequence[Choice] | None,
        resolution: Resolution,
        layer: _Layer,
    ) -> None:
        ids = [str(v) for v in (hint.value if isinstance(hint.value, list) else [hint.value])]
        if choices is None:
            subset: list[Choice] = [Choice(key=i, label=i) for i in ids]
        else:
            by_key = {c.key: c for c in choices}
            unknown = [i for i in ids if i not in by_key]
            if unknown:
                valid = ", ".join(c.key for c in choices[:10])
                raise ResolutionInputError(
                    need.key,
                    f"params.{need.key}.value: {', '.join(map(repr, unknown))} "
                    f"{'is' if len(unknown) == 1 else 'are'} not among the choices of '{need.label}'.",
                    hint=f"Use ids from the prefill choices of '{need.key}', e.g. {valid}.",
                )
            subset = [by_key[i] for i in ids]
        if len(subset) == 1:
            value: Any = [subset[0].key] if need.list else subset[0].key
            resolution.values[need.key] = ResolvedValue(value, 1.0, "choose_from")
            return
        layer.candidates[need.key] = subset
        layer.open.append(need)

    def _guess(
        self,
        need: NeedSpec,
        hint: ParamHint,
        choices: Sequence[Choice] | None,
        resolution: Resolution,
        now: dt.datetime,
    ) -> None:
        if choices is None:
            resolution.values[need.key] = ResolvedValue(self._coerce(hint.value, need), 1.0, "hint")
            return
        hints = hint.value if isinstance(hint.value, list) else [hint.value]
        picked: list[str] = []
        confidence = 1.0
        for text in hints:
            best, closest = match_hint(str(text), choices, threshold=self.threshold, now=now)
            if best is None:
                resolution.unresolved[need.key] = UnresolvedNeed(
                    need.key,
                    f"no choice of '{need.label}' matches {str(text)!r} closely enough",
                    tuple(m.choice for m in closest) or _closest(choices, str(text)),
                )
                return
            picked.append(best.choice.key)
            confidence = min(confidence, best.score)
        value: Any = picked if need.list else picked[0]
        resolution.values[need.key] = ResolvedValue(value, confidence, "hint")

    async def _extract(self, request: ResolutionRequest, layer: _Layer, resolution: Resolution) -> None:
        secret = {n.key for n in (*request.needs, *resolution.custom_needs) if n.secret}
        found_here: dict[str, ResolvedValue] = {}  # extracted in this layer: the only values a review may change
        for extractor in self.extractors:
            reviews = bool(getattr(extractor, "reviews", False))
            if reviews:  # every need extracted or still open, but secret ones: their values never reach a model
                asked = [
                    n for n in layer.open if n.key not in secret and (n.key in found_here or _is_open(n, resolution))
                ]
            else:
                asked = [n for n in layer.open if _is_open(n, resolution)]
            if not asked:
                continue
            asked_keys = {n.key for n in asked}
            extraction = await extractor.extract(
                ExtractionRequest(
                    instructions=request.instructions,
                    needs=asked,
                    candidates={n.key: layer.candidates[n.key] for n in asked if n.key in layer.candidates},
                    known={k: v for k, v in resolution.params.items() if k not in secret and k not in asked_keys},
                    now=request.now,
                    action_label=request.action_label,
                    action_description=request.action_description,
                    hints={n.key: found_here[n.key] for n in asked if n.key in found_here} if reviews else {},
                    taken=[v.span for k, v in resolution.values.items() if v.span is not None and k not in asked_keys],
                )
            )
            resolution.usage.add(extraction.usage)
            if extraction.failure:
                resolution.notes.append(f"{extractor.name}: {extraction.failure}")
            by_key = {n.key: n for n in asked}
            for key, found in extraction.values.items():
                need = by_key.get(key)
                if need is None or found.confidence < self.threshold:
                    continue
                value = self._accept(need, found.value, layer.candidates.get(key))
                if value is None:
                    continue
                earlier = found_here.get(key)
                if earlier is not None and earlier.value == value:
                    continue  # confirmed: the value stays, credited to whoever found it first
                found_here[key] = resolution.values[key] = ResolvedValue(
                    value, found.confidence, found.source, found.detail, found.span
                )

    @staticmethod
    def _accept(need: NeedSpec, value: Any, candidates: Sequence[Choice] | None) -> Any:
        """The extracted value coerced to the need, or None when it is not acceptable."""
        try:
            value = coerce(value, need)
        except CoercionError:
            return None
        if candidates is not None:
            index = index_for(candidates)
            items = value if need.list else [value]
            if not items or any(index.by_key(str(item)) is None for item in items):
                return None
        return value

    def _finish(self, layer: _Layer, resolution: Resolution, instructions: str) -> None:
        for need in layer.open:
            if need.key in resolution.values or need.key in resolution.unresolved:
                continue
            if need.has_default:
                resolution.values[need.key] = ResolvedValue(need.default, 1.0, "default")
            elif need.required:
                candidates = layer.candidates.get(need.key, ())
                reason = (
                    f"could not tell which choice of '{need.label}' the instructions mean"
                    if candidates
                    else f"the instructions do not state a value for '{need.label}'"
                )
                resolution.unresolved[need.key] = UnresolvedNeed(need.key, reason, _closest(candidates, instructions))
