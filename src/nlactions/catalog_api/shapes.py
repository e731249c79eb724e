"""Zapier's JSON shapes of apps, actions, needs and gives, derived from the catalog SDK."""

from __future__ import annotations

import re
import zlib
from collections import Counter
from collections.abc import Sequence
from typing import Any, get_args

from nlactions.catalog import Action, ActionType, App, Choice, GiveSpec, NeedSpec
from nlactions.choices.prefill import emitted_prefill
from nlactions.kit.redact import redact

ACTION_TYPES: tuple[str, ...] = get_args(ActionType)


def app_id(app: App) -> int:
    """A stable integer id for an app (Zapier's ``app_id``), derived from its key."""
    return zlib.crc32(app.key.encode()) & 0x7FFFFFFF


def slug(app: App) -> str:
    """A URL-friendly name of the app."""
    return re.sub(r"[^a-z0-9]+", "-", app.name.lower()).strip("-") or app.key.lower()


def auth_type(app: App) -> str:
    """The kind of authentication the app uses: none, api_key, basic or oauth2."""
    return app.auth.kind


def app_info(app: App) -> dict[str, Any]:
    """The short ``{app, name, logo_url, auth_type}`` block."""
    return {"app": app.key, "name": app.name, "logo_url": app.logo_url, "auth_type": auth_type(app)}


def action_counts(app: App) -> dict[str, int]:
    """How many actions of each type the app has."""
    counts: Counter[str] = Counter(action.type for action in app.actions)
    return {kind: counts.get(kind, 0) for kind in ACTION_TYPES}


def app_summary(app: App) -> dict[str, Any]:
    """An app in Search Apps: ``{app, name, logo_url, auth_type, actions: {type: count}}``."""
    return app_info(app) | {"description": app.description, "actions": action_counts(app)}


def need_shape(
    action: Action, need: NeedSpec, choices: Sequence[Choice] | None = None, *, custom: bool = False
) -> dict[str, Any]:
    """A need as Zapier describes it; ``choices`` overrides the static list; ``custom`` marks a custom need."""
    listed = choices if choices is not None else need.choices
    return {
        "key": need.key,
        "type": "password" if need.secret else need.type,
        "label": need.label,
        "required": need.required,
        "help_text": need.help_text,
        "default": None if need.secret or not need.has_default else need.default,
        "placeholder": need.placeholder,
        "list": need.list,
        "choices": None if listed is None else [c.as_dict() for c in listed],
        "prefill": None if custom else emitted_prefill(action, need),
        "depends_on": list(need.depends_on),
        "alters_custom_fields": need.alters_custom_fields,
        "custom_field": custom,
        "searchfill": None,
        "capabilities": [],
        "from_search": False,
        "from_write": False,
        "input_format": [],
        "language": None,
        "parent_key": None,
        "send_in_json": False,
        "regex": None,
        "default_guessable": not need.secret,
        "format": None,
    }


def give_shape(action: Action, give: GiveSpec) -> dict[str, Any]:
    """A give (output field) as Zapier describes it, with the action's sample value."""
    sample = None if give.secret or action.sample is None else action.sample.get(give.key)
    return {
        "key": give.key,
        "label": give.label,
        "type": give.type,
        "important": give.important,
        "score": 1.0 if give.important else 0.5,
        "subscore": 0.0,
        "zap_meta_sample": sample,
    }


def action_sample(action: Action) -> dict[str, Any] | None:
    """The action's sample result, secrets redacted."""
    return None if action.sample is None else redact(dict(action.sample), action.secret_keys)


def action_schema(app: App, action: Action) -> dict[str, Any]:
    """Zapier's ActionSchema of an action."""
    return {
        "type": action.type,
        "key": action.key,
        "name": action.name,
        "noun": action.noun,
        "description": action.description,
        "is_important": action.important,
        "is_hidden": False,
        "needs": [need_shape(action, need) for need in action.needs],
        "meta": {
            "hook": {
                "directions": None,
                "is_notification": False,
                "is_pollable": False,
                "is_polling_notification": False,
                "is_subscription": False,
                "url": None,
            }
        },
        "popularity": 0,
        "app_name": app.name,
    }


def app_details(app: App) -> dict[str, Any]:
    """One result of Get App Details: ``{app_needs_auth, implementation: {...}}``."""
    return {
        "app_needs_auth": app.needs_auth,
        "implementation": {
            "selected_api": app.key,
            "app_id": app_id(app),
            "name": app.name,
            "slug": slug(app),
            "description": app.description,
            "logo_url": app.logo_url,
            "actions": [action_schema(app, action) for action in app.actions],
            "auth_type": auth_type(app),
            "auth_fields": [f.as_dict() for f in app.auth.fields],
            "is_deprecated": False,
            "is_private_only": False,
            "is_invite_only": False,
        },
    }


def action_hit(app: App, action: Action, score: float) -> dict[str, Any]:
    """One result of Search Actions."""
    return {
        "app": app.key,
        "action": action.key,
        "type": action.type,
        "display_name": action.name,
        "description": action.description,
        "search_relevancy_score": score,
        "app_needs_auth": app.needs_auth,
        "app_info": app_info(app),
    }


def guess(app: App, action: Action, score: float) -> dict[str, Any]:
    """One item of Guess Actions."""
    return {
        "app": app.key,
        "action": action.key,
        "action_type": action.type,
        "name": f"{app.name}: {action.name}",
        "description": action.description,
        "image": app.logo_url,
        "score": score,
    }
