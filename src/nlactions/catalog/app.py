"""An app: a key, a name, an auth kind and its actions."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from nlactions.catalog.action import Action
from nlactions.catalog.auth import AuthKind, NoAuth


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
