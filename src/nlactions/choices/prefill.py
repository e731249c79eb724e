"""Prefill names: how a need with choices is addressed on ``/api/v2/apps/{app}/choices/{prefill}/``.

Every need with choices answers to ``"<action key>.<need key>"`` (``"assign.member"``). A need may
also declare its own ``prefill`` name (Zapier-style, e.g. ``"channel.id.name"``); that name is then the
one emitted in ``action_needs[].prefill`` and the one cached under, so actions that share a loader
under one prefill name also share its cache. Needs with a loader emit a prefill; needs with a
static list carry their ``choices`` inline but still answer to ``"<action>.<need>"``.
"""

from __future__ import annotations

from dataclasses import dataclass

from nlactions.catalog import Action, App, NeedSpec


@dataclass(frozen=True, slots=True)
class PrefillTarget:
    """The need a prefill name points at, and the canonical name its choices are cached under."""

    app: App
    action: Action
    need: NeedSpec
    name: str


def prefill_name(action: Action, need: NeedSpec) -> str:
    """The canonical prefill name of a need: its declared ``prefill``, else ``"<action>.<need>"``."""
    return need.prefill or f"{action.key}.{need.key}"


def emitted_prefill(action: Action, need: NeedSpec) -> str | None:
    """What ``action_needs[].prefill`` shows: the canonical name for loader-backed needs, else None."""
    return prefill_name(action, need) if need.loader is not None else None


def valid_prefills(app: App) -> list[str]:
    """Every name the app's choices answer to, sorted."""
    names: set[str] = set()
    for action in app.actions:
        for need in action.needs:
            if need.has_choices:
                names.add(f"{action.key}.{need.key}")
                if need.prefill:
                    names.add(need.prefill)
    return sorted(names)


def find_prefill(app: App, name: str) -> PrefillTarget | None:
    """The need ``name`` points at: a declared prefill name first, then ``"<action>.<need>"``."""
    for action in app.actions:
        for need in action.needs:
            if need.has_choices and need.prefill == name:
                return PrefillTarget(app, action, need, name)
    action_key, dot, need_key = name.partition(".")
    if not dot:
        return None
    owner = app.action(action_key)
    found = owner.needs_by_key.get(need_key) if owner is not None else None
    if owner is None or found is None or not found.has_choices:
        return None
    return PrefillTarget(app, owner, found, prefill_name(owner, found))
