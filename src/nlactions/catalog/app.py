"""An app: a key, a name, an auth kind and its actions."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from nlactions.catalog.action import Action
from nlactions.catalog.auth import AuthKind, NoAuth
from nlactions.kit.redact import secret_forms


@dataclass(frozen=True)
class App:
    """An integration; ``key`` follows Zapier's where one exists (``SlackAPI``)."""

    key: str
    name: str
    description: str
    actions: tuple[Action, ...]
    auth: AuthKind = field(default_factory=NoAuth)
    logo_url: str = ""
    keywords: tuple[str, ...] = ()

    @cached_property
    def actions_by_key(self) -> dict[str, Action]:
        """The app's actions by key."""
        return {action.key: action for action in self.actions}

    def action(self, key: str) -> Action | None:
        """The action with this key, or None."""
        return self.actions_by_key.get(key)

    @property
    def needs_auth(self) -> bool:
        """True when running an action needs a stored authentication."""
        return self.auth.kind != "none"

    def secret_values(self, credentials: Mapping[str, str]) -> tuple[str, ...]:
        """The values of the secret credential fields, in every form logs, errors and results may carry them."""
        values = [credentials[f.key] for f in self.auth.fields if f.secret and credentials.get(f.key)]
        if self.auth.kind == "basic" and credentials.get("password"):
            pair = f"{credentials.get('username', '')}:{credentials['password']}"
            values.append(base64.b64encode(pair.encode()).decode())
        return secret_forms(values)
