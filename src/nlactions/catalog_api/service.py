"""Rules of discovery: finding apps and actions, and describing an action's needs for given params."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from nlactions.catalog import Action, App, Choice, NeedSpec, Registry
from nlactions.catalog.custom import can_load, custom_depends_on, custom_loader_need, custom_needs_from
from nlactions.catalog_api import shapes
from nlactions.catalog_api.ranking import SearchIndex
from nlactions.choices.keys import param_value
from nlactions.choices.prefill import PrefillTarget, prefill_name
from nlactions.choices.service import ChoiceService
from nlactions.errors import BadRequest, NotFound, listing

ALL_EXTRAS = ("action_needs", "action_gives", "action_sample")


class CatalogService:
    """Apps and actions of the registry in Zapier's shapes; relevance search over them."""

    def __init__(self, registry: Registry, choices: ChoiceService):
        self.registry = registry
        self.choices = choices
        self._index: SearchIndex | None = None

    @property
    def index(self) -> SearchIndex:
        """The search index, rebuilt when apps were added to the registry since it was built."""
        if self._index is None or self._index.size != len(self.registry):
            self._index = SearchIndex(self.registry)
        return self._index

    def app(self, key: str) -> App:
        """The app with this key; 404 naming it and listing the valid keys otherwise."""
        app = self.registry.get(key)
        if app is None:
            raise NotFound(
                f"app '{key}' is not an installed app.",
                hint=f"Valid apps: {listing(self.registry.keys(), limit=30)}. GET /api/v2/apps/search/?query=... "
                "finds apps by what they do.",
                code="unknown_app",
            )
        return app

    def action(self, app: App, key: str) -> Action:
        """The app's action with this key; 404 listing the valid ones otherwise."""
        action = app.action(key)
        if action is None:
            raise NotFound(
                f"action '{key}' is not an action of {app.key}.",
                hint=f"Valid actions: {listing(sorted(app.actions_by_key), limit=30)}.",
                code="unknown_action",
            )
        return action

    def search_apps(self, query: str | None) -> list[dict[str, Any]]:
        """Apps matching ``query`` (best first), or every app by name."""
        if not (query or "").strip():
            return [shapes.app_summary(app) for app in sorted(self.registry, key=lambda a: a.name.lower())]
        return [shapes.app_summary(app) for app, _score in self.index.rank_apps(query or "")]

    def app_details(self, key: str) -> list[dict[str, Any]]:
        """Get App Details' results."""
        return [shapes.app_details(self.app(key))]

    def search_actions(self, key: str, query: str | None, types: Iterable[str]) -> list[dict[str, Any]]:
        """The app's actions of ``types``; with a query, the relevant ones, best first."""
        app = self.app(key)
        wanted = set(types)
        actions = [action for action in app.actions if action.type in wanted]
        if not (query or "").strip():
            return [shapes.action_hit(app, action, 1.0) for action in actions]
        ranked = self.index.rank_actions(query or "", [(app, action) for action in actions])
        return [shapes.action_hit(a, action, score) for a, action, score in ranked]

    def guess_actions(self, query: str, types: Iterable[str], count: int) -> list[dict[str, Any]]:
        """Actions of any app that do what ``query`` says, best first, at most ``count``."""
        wanted = set(types)
        keep = [(app, action) for app in self.registry for action in app.actions if action.type in wanted]
        if not query.strip():
            ordered = sorted(keep, key=lambda pair: (pair[0].key, pair[1].key))
            return [shapes.guess(app, action, 0.0) for app, action in ordered[:count]]
        ranked = self.index.rank_actions(query, keep)
        return [shapes.guess(app, action, score) for app, action, score in ranked[:count]]

    async def action_details(
        self,
        *,
        app_key: str,
        action_key: str,
        account_id: int,
        authentication_id: int | None,
        params: Mapping[str, Any],
        extras: Sequence[str],
    ) -> list[dict[str, Any]]:
        """Get Action Details' results; needs whose ``depends_on`` are all in ``params`` get choices."""
        app = self.app(app_key)
        action = self.action(app, action_key)
        values = {key: param_value(value) for key, value in params.items()}
        custom = await self._custom_needs(app, action, account_id, authentication_id, values)
        valid = [need.key for need in (*action.needs, *custom)]
        unknown = [key for key in values if key not in valid]
        if unknown:
            waiting = [key for key in custom_depends_on(action) if values.get(key) in (None, "")]
            later = ""
            if action.custom_needs is not None and waiting:
                later = (
                    f" Custom needs are listed once {listing(waiting)} {'is' if len(waiting) == 1 else 'are'} given."
                )
            raise BadRequest(
                f"params: {', '.join(repr(k) for k in unknown)} "
                f"{'is not a need' if len(unknown) == 1 else 'are not needs'} of {app.key}.{action.key}.",
                hint=f"Valid needs: {listing(valid, limit=30)}.{later}",
                code="unknown_need",
            )
        wanted = set(extras or ALL_EXTRAS)
        result: dict[str, Any] = {
            "action_has_custom_needs_probability": 1.0 if any(n.alters_custom_fields for n in action.needs) else 0.0,
            "action": shapes.action_schema(app, action),
        }
        if "action_needs" in wanted:
            needs = await self._needs(app, action, account_id, authentication_id, values)
            result["action_needs"] = needs + [shapes.need_shape(action, need, custom=True) for need in custom]
        if "action_gives" in wanted:
            result["action_gives"] = [shapes.give_shape(action, give) for give in action.gives]
        if "action_sample" in wanted:
            result["action_sample"] = shapes.action_sample(action)
        return [result]

    async def _custom_needs(
        self, app: App, action: Action, account_id: int, authentication_id: int | None, values: Mapping[str, Any]
    ) -> list[NeedSpec]:
        """The action's custom needs for these params (through the choice cache), or [] until they are given."""
        loader = custom_loader_need(action)
        if loader is None or not can_load(action, values):
            return []
        target = PrefillTarget(app, action, loader, prefill_name(action, loader))
        loaded = await self.choices.loaded(
            account_id=account_id, authentication_id=authentication_id, target=target, params=values
        )
        return custom_needs_from(loaded, action.needs_by_key, loader.depends_on)

    async def _needs(
        self,
        app: App,
        action: Action,
        account_id: int,
        authentication_id: int | None,
        values: Mapping[str, Any],
    ) -> list[dict[str, Any]]:
        out = []
        for need in action.needs:
            loaded: list[Choice] | None = None
            given = need.depends_on and all(values.get(key) not in (None, "") for key in need.depends_on)
            if need.loader is not None and given:
                target = PrefillTarget(app, action, need, prefill_name(action, need))
                loaded = await self.choices.loaded(
                    account_id=account_id, authentication_id=authentication_id, target=target, params=values
                )
            out.append(shapes.need_shape(action, need, loaded))
        return out
