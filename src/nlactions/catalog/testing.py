"""The conformance suite every app passes, and helpers for testing apps.

An app's test module runs the whole suite with one line::

    test_conformance = conformance_suite(app)

``check_app(app)`` runs the same checks outside pytest and raises ``AssertionError`` listing every
problem found. ``pytest`` is imported only by ``conformance_suite``, so the rest of this module works
without it.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import re
import types
import typing
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from nlactions.catalog.action import Action, ActionType
from nlactions.catalog.app import App
from nlactions.catalog.context import ChoiceContext
from nlactions.catalog.fields import Choice, ChoiceLoader, Gives, Needs, NeedSpec

__all__ = ["CHECKS", "check_app", "conformance_suite", "load_all_choices", "problems"]

Check = Callable[[App], list[str]]

_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_ACTION_TYPES = frozenset(get_args(ActionType))
_SECRET_WORDS = frozenset({"password", "passwd", "secret", "token", "apikey", "credential", "credentials"})


def _blank(value: object) -> bool:
    return not isinstance(value, str) or not value.strip()


def _where(action: Action, need: str | None = None) -> str:
    return f"action {action.key!r}" + (f", need {need!r}" if need else "")


def _is_async_callable(obj: object) -> bool:
    while isinstance(obj, functools.partial):
        obj = obj.func
    if inspect.iscoroutinefunction(obj):
        return True
    # an instance whose __call__ is async
    return callable(obj) and not inspect.isroutine(obj) and inspect.iscoroutinefunction(obj.__call__)


def _needs(action: Action) -> list[NeedSpec] | None:
    """The action's needs, or None when its input model cannot be read (reported by ``check_schemas``)."""
    try:
        return action.needs
    except Exception:
        return None


def check_app_identity(app: App) -> list[str]:
    """The app has an identifier-like key, a name and a description."""
    out = []
    if _blank(app.key) or not _IDENTIFIER.match(app.key):
        out.append(f"app key {app.key!r} is not identifier-like (letters, digits, _; starting with a letter)")
    if _blank(app.name):
        out.append(f"app {app.key!r} has no name")
    if _blank(app.description):
        out.append(f"app {app.key!r} has no description")
    if not app.actions:
        out.append(f"app {app.key!r} has no actions")
    return out


def check_action_keys(app: App) -> list[str]:
    """Action keys are identifier-like and unique within the app."""
    out = []
    for action in app.actions:
        if _blank(action.key) or not _IDENTIFIER.match(action.key):
            out.append(f"action key {action.key!r} is not identifier-like")
    for key, count in Counter(a.key for a in app.actions).items():
        if count > 1:
            out.append(f"duplicate action key {key!r} ({count} actions share it)")
    return out


def check_action_metadata(app: App) -> list[str]:
    """Every action has a name, a noun, a description and a known type."""
    out = []
    for action in app.actions:
        for attr in ("name", "noun", "description"):
            if _blank(getattr(action, attr)):
                out.append(f"{_where(action)} has no {attr}")
        if action.type not in _ACTION_TYPES:
            out.append(f"{_where(action)} has type {action.type!r}; expected one of {sorted(_ACTION_TYPES)}")
    return out


def check_need_labels(app: App) -> list[str]:
    """Every need has a non-empty label."""
    out = []
    for action in app.actions:
        for need in _needs(action) or []:
            if _blank(need.label):
                out.append(f"{_where(action, need.key)} has no label")
    return out


def _cycle(graph: dict[str, tuple[str, ...]]) -> list[str] | None:
    """A cycle in ``graph`` as a path that ends where it starts, or None."""
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> list[str] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in done:
            return None
        for nxt in graph.get(node, ()):
            found = visit(nxt, [*path, node])
            if found:
                return found
        done.add(node)
        return None

    for start in graph:
        found = visit(start, [])
        if found:
            return found
    return None


def check_depends_on(app: App) -> list[str]:
    """``depends_on`` names real needs of the same action and has no cycle."""
    out = []
    for action in app.actions:
        needs = _needs(action) or []
        keys = {n.key for n in needs}
        for need in needs:
            for dep in need.depends_on:
                if dep not in keys:
                    out.append(
                        f"{_where(action, need.key)} depends_on {dep!r}, which is not a need of the action "
                        f"(needs: {sorted(keys)})"
                    )
        cycle = _cycle({n.key: tuple(d for d in n.depends_on if d in keys) for n in needs})
        if cycle:
            out.append(f"{_where(action)} has a depends_on cycle: {' -> '.join(cycle)}")
    return out


def _literal_values(annotation: Any) -> list[str] | None:
    """The values of a ``Literal`` annotation (under Optional or a list), as strings, or None."""
    origin = get_origin(annotation)
    if origin is Literal:
        return [str(v) for v in get_args(annotation)]
    if origin in (Union, types.UnionType, list, tuple, set, Sequence, typing.Sequence):
        for arg in get_args(annotation):
            found = _literal_values(arg)
            if found is not None:
                return found
    return None


def _check_static_choices(action: Action, need: NeedSpec, choices: Sequence[Choice]) -> list[str]:
    out = []
    where = _where(action, need.key)
    if not choices:
        out.append(f"{where} has an empty list of choices")
    for choice in choices:
        if _blank(choice.key):
            out.append(f"{where} has a choice with an empty key")
        if _blank(choice.label):
            out.append(f"{where} has choice {choice.key!r} with an empty label")
    for key, count in Counter(c.key for c in choices).items():
        if count > 1:
            out.append(f"{where} has duplicate choice key {key!r}")
    field = action.input.model_fields.get(need.key)
    allowed = _literal_values(field.annotation) if field else None
    if allowed is not None:
        offered = {c.key for c in choices}
        if offered - set(allowed):
            out.append(f"{where} offers choices its type rejects: {sorted(offered - set(allowed))}")
        if set(allowed) - offered:
            out.append(f"{where} accepts values not offered as choices: {sorted(set(allowed) - offered)}")
    return out


def check_choices(app: App) -> list[str]:
    """Static choices have unique non-empty keys; a choice loader is an async callable."""
    out = []
    for action in app.actions:
        for need in _needs(action) or []:
            if need.choices is not None:
                out.extend(_check_static_choices(action, need, need.choices))
            if need.loader is not None and not _is_async_callable(need.loader):
                out.append(f"{_where(action, need.key)} has a choice loader that is not an async callable")
    return out


def check_custom_needs(app: App) -> list[str]:
    """A need flagged ``alters_custom_fields`` has a custom-needs loader to alter; the loader is async."""
    out = []
    for action in app.actions:
        flagged = [n.key for n in _needs(action) or [] if n.alters_custom_fields]
        if flagged and action.custom_needs is None:
            out.append(
                f"{_where(action)} flags {flagged} alters_custom_fields but has no custom_needs loader "
                "(set Action(custom_needs=...), or drop the flag)"
            )
        if action.custom_needs is not None and not _is_async_callable(action.custom_needs):
            out.append(f"{_where(action)} has a custom_needs loader that is not an async callable")
    return out


def _secret_like(key: str) -> bool:
    """True for names ending in a secret word: ``password``, ``access_token``, ``apiKey``, ``secret``."""
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", key).lower()
    parts = [p for p in re.split(r"[^a-z0-9]+", words) if p]
    return bool(parts) and (parts[-1] in _SECRET_WORDS or "".join(parts[-2:]) in _SECRET_WORDS)


def check_gives_not_secret(app: App) -> list[str]:
    """No give is flagged secret or named like a password, token or secret."""
    out = []
    for action in app.actions:
        try:
            gives = action.gives
        except Exception:
            continue
        for give in gives:
            if give.secret:
                out.append(f"{_where(action)} gives secret field {give.key!r} (results never carry secrets)")
            elif _secret_like(give.key):
                out.append(f"{_where(action)} gives {give.key!r}, named like a secret (rename it, or drop it)")
    return out


def _schema_problem(label: str, model: type[BaseModel]) -> str | None:
    try:
        model.model_json_schema()
    except Exception as exc:
        return f"{label} cannot build a JSON schema: {exc}"
    return None


def check_schemas(app: App) -> list[str]:
    """Input and output models build a JSON schema and the sample validates against the output model."""
    out = []
    for action in app.actions:
        where = _where(action)
        if not (isinstance(action.input, type) and issubclass(action.input, Needs)):
            out.append(f"{where} input is not a subclass of Needs")
            continue
        if action.output is not None and not (isinstance(action.output, type) and issubclass(action.output, Gives)):
            out.append(f"{where} output is not a subclass of Gives")
            continue
        models: dict[str, type[BaseModel] | None] = {"input": action.input, "output": action.output}
        for label, model in models.items():
            problem = _schema_problem(f"{where} {label}", model) if model is not None else None
            if problem:
                out.append(problem)
        try:
            action.needs  # noqa: B018 - deriving the needs is the check
            action.gives  # noqa: B018
        except Exception as exc:
            out.append(f"{where} needs or gives cannot be derived: {exc}")
        if action.sample is not None and action.output is not None:
            try:
                action.output.model_validate(dict(action.sample))
            except ValidationError as exc:
                out.append(f"{where} sample does not validate against its output model: {exc}")
    return out


def check_perform(app: App) -> list[str]:
    """Every action's ``perform`` is an async function."""
    return [
        f"{_where(action)} perform is not an async function"
        for action in app.actions
        if not _is_async_callable(action.perform)
    ]


CHECKS: dict[str, Check] = {
    "app_identity": check_app_identity,
    "action_keys": check_action_keys,
    "action_metadata": check_action_metadata,
    "need_labels": check_need_labels,
    "depends_on": check_depends_on,
    "choices": check_choices,
    "custom_needs": check_custom_needs,
    "gives_not_secret": check_gives_not_secret,
    "schemas": check_schemas,
    "perform": check_perform,
}
"""Every conformance check by name; each returns the problems it found (empty when the app passes)."""


def problems(app: App) -> list[str]:
    """Every conformance problem of ``app``, in check order."""
    return [problem for check in CHECKS.values() for problem in check(app)]


def _fail(app: App, found: list[str]) -> None:
    if found:
        raise AssertionError(f"app {app.key!r} fails conformance:\n" + "\n".join(f"- {p}" for p in found))


def check_app(app: App) -> None:
    """Raise ``AssertionError`` naming every conformance problem of ``app``."""
    _fail(app, problems(app))


def conformance_suite(app: App) -> Callable[[str], None]:
    """A pytest test, parametrized by check name; ``test_conformance = conformance_suite(app)``."""
    import pytest

    @pytest.mark.parametrize("check", list(CHECKS))
    def test_conformance(check: str) -> None:
        _fail(app, CHECKS[check](app))

    return test_conformance


async def load_all_choices(loader: ChoiceLoader, ctx: ChoiceContext, *, max_pages: int = 1000) -> list[Choice]:
    """Page through ``loader`` from ``ctx.cursor`` until ``next_cursor`` is None; raise if it never ends."""
    choices: list[Choice] = []
    cursor = ctx.cursor
    seen: set[str | None] = {cursor}
    for _ in range(max_pages):
        page = await loader(dataclasses.replace(ctx, cursor=cursor))
        choices.extend(page.choices)
        if page.next_cursor is None:
            return choices
        if page.next_cursor in seen:
            raise AssertionError(f"choice loader returned cursor {page.next_cursor!r} again; it would page forever")
        seen.add(page.next_cursor)
        cursor = page.next_cursor
    raise AssertionError(f"choice loader did not finish within {max_pages} pages")
