"""Types of resolution: what a resolver is asked, what it answers, and the seams it depends on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from nlactions.catalog import Choice, NeedSpec

ParamMode = Literal["locked", "guess", "choose_from", "ignored"]
ValueSource = Literal["locked", "hint", "choose_from", "instructions", "default", "llm", "local_model"]


@dataclass(frozen=True, slots=True)
class ParamHint:
    """A caller's constraint on one need: a mode and a value."""

    mode: ParamMode
    value: Any = None


@dataclass(frozen=True, slots=True)
class ResolvedValue:
    """A need's value with how sure the resolver is and where the value came from."""

    value: Any
    confidence: float
    source: ValueSource
    detail: str = ""
    span: tuple[int, int] | None = None
    """Where in the instructions the value was read (start, end), when an extractor knows."""


@dataclass(frozen=True, slots=True)
class UnresolvedNeed:
    """A need nobody could fill honestly, with why and the closest choices (if it has any)."""

    key: str
    reason: str
    closest: tuple[Choice, ...] = ()


@dataclass(slots=True)
class Usage:
    """What resolution cost: model calls, tokens and time."""

    model: str | None = None
    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    seconds: float = 0.0

    def add(self, other: Usage) -> None:
        """Accumulate another usage record into this one."""
        self.model = other.model or self.model
        self.requests += other.requests
        self.input_tokens += other.input_tokens
        self.output_tokens += other.output_tokens
        self.seconds += other.seconds


class ChoiceSource(Protocol):
    """Loads a need's choices given the values resolved so far (implemented outside the resolver)."""

    async def choices(self, need: NeedSpec, resolved: Mapping[str, Any]) -> Sequence[Choice]:
        """Every choice of ``need`` (all pages), for the ``depends_on`` values in ``resolved``."""
        ...


@dataclass(frozen=True, slots=True)
class ExtractionRequest:
    """One dependency layer's needs to fill from the instructions.

    ``candidates`` holds, for each need with choices, the choices it may take (already narrowed
    by ``choose_from`` where the caller gave a list). ``known`` are values resolved so far.
    """

    instructions: str
    needs: Sequence[NeedSpec]
    candidates: Mapping[str, Sequence[Choice]]
    known: Mapping[str, Any]
    now: dt.datetime
    action_label: str = ""
    action_description: str = ""
    hints: Mapping[str, ResolvedValue] = field(default_factory=dict)
    """For a reviewing extractor: the values earlier extractors found for some of ``needs``."""
    taken: Sequence[tuple[int, int]] = ()
    """Spans of the instructions that earlier layers read other needs' values from: not this layer's."""


@dataclass(slots=True)
class Extraction:
    """What an extractor found: values it is confident of, its cost, and why it gave nothing if it failed."""

    values: dict[str, ResolvedValue] = field(default_factory=dict)
    usage: Usage = field(default_factory=Usage)
    failure: str = ""


class Extractor(Protocol):
    """Finds need values in instructions; abstains (leaves a need out) when it is not sure.

    An extractor with ``reviews = True`` is asked about every open need, with what earlier extractors
    found as ``hints``, and its values replace theirs; others are asked only about needs still empty.
    """

    name: str

    async def extract(self, request: ExtractionRequest) -> Extraction:
        """Values for some of ``request.needs``; never invents one."""
        ...


@dataclass(frozen=True, slots=True)
class ResolutionRequest:
    """Everything needed to resolve an action's needs."""

    instructions: str
    needs: Sequence[NeedSpec]
    params: Mapping[str, ParamHint]
    choices: ChoiceSource
    now: dt.datetime
    action_label: str = ""
    action_description: str = ""
    guess: bool = True
    custom_loader: NeedSpec | None = None
    """The action's custom-needs loader as a need (``catalog.custom.custom_loader_need``), or None."""


@dataclass(slots=True)
class Resolution:
    """Per need, a value or the reason it is unresolved; ignored needs are in neither."""

    values: dict[str, ResolvedValue] = field(default_factory=dict)
    unresolved: dict[str, UnresolvedNeed] = field(default_factory=dict)
    usage: Usage = field(default_factory=Usage)
    custom_needs: list[NeedSpec] = field(default_factory=list)
    """The custom needs loaded for this resolution (resolved as the last layer)."""
    notes: list[str] = field(default_factory=list)
    """What went wrong on the way without stopping resolution (an LLM call that failed)."""

    @property
    def params(self) -> dict[str, Any]:
        """The plain resolved values by need key."""
        return {key: rv.value for key, rv in self.values.items()}

    @property
    def sources(self) -> dict[str, str]:
        """Which resolver decided each resolved need (locked, hint, instructions, llm, default, ...)."""
        return {key: rv.source for key, rv in self.values.items()}


class Resolver(Protocol):
    """Turns a request's instructions and hints into need values."""

    async def resolve(self, request: ResolutionRequest) -> Resolution:
        """Resolve every need of the request."""
        ...


class ResolutionInputError(ValueError):
    """A caller's param is unusable (bad locked value, unknown choice id); names the need."""

    def __init__(self, need: str, message: str, *, hint: str | None = None, code: str = "invalid_param"):
        super().__init__(message)
        self.need = need
        self.message = message
        self.hint = hint
        self.code = code
