"""The registry of apps: the built-ins plus any installed under the ``nlactions.apps`` entry points."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable, Iterator
from importlib.metadata import entry_points

from nlactions.catalog.app import App

ENTRY_POINT_GROUP = "nlactions.apps"
BUILTIN_APPS = (
    "nlactions.apps.formatter:app",
    "nlactions.apps.github:app",
    "nlactions.apps.slack:app",
    "nlactions.apps.google_sheets:app",
    "nlactions.apps.webhook:app",
    "nlactions.apps.email:app",
    "nlactions.apps.postgresql:app",
    "nlactions.apps.mysql:app",
    "nlactions.apps.sqlite:app",
)

log = logging.getLogger(__name__)


class Registry:
    """Apps by key; lookups are case-sensitive as in Zapier's API."""

    def __init__(self, apps: Iterable[App] = ()):
        self._apps: dict[str, App] = {}
        for app in apps:
            self.add(app)

    def add(self, app: App) -> None:
        """Register an app; a second app with the same key is refused."""
        if app.key in self._apps:
            raise ValueError(f"duplicate app key {app.key!r}")
        self._apps[app.key] = app

    def get(self, key: str) -> App | None:
        """The app with this key, or None."""
        return self._apps.get(key)

    def keys(self) -> list[str]:
        """Every app key, sorted."""
        return sorted(self._apps)

    def __iter__(self) -> Iterator[App]:
        return iter(self._apps.values())

    def __len__(self) -> int:
        return len(self._apps)


def _load(target: str) -> App:
    module_name, _, attr = target.partition(":")
    app = getattr(importlib.import_module(module_name), attr or "app")
    if not isinstance(app, App):
        raise TypeError(f"{target} is not an App")
    return app


def load_registry(*, include_entry_points: bool = True) -> Registry:
    """Build the registry of built-in apps and installed entry points."""
    registry = Registry(_load(target) for target in BUILTIN_APPS)
    if include_entry_points:
        for point in entry_points(group=ENTRY_POINT_GROUP):
            try:
                app = point.load()
            except Exception:
                log.exception("could not load app entry point %s", point.name)
                continue
            if isinstance(app, App) and registry.get(app.key) is None:
                registry.add(app)
    return registry
