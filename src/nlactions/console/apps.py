"""Apps: the installed apps with search, and each action's needs and gives."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from nlactions.catalog_api.endpoints import catalog
from nlactions.catalog_api.shapes import auth_type, give_shape, need_shape
from nlactions.console.common import page, rt
from nlactions.signin.deps import UserDep

router = APIRouter()


@router.get("/apps/")
async def apps(request: Request, user: UserDep, q: Annotated[str, Query(max_length=1000)] = "") -> Response:
    """Every app, or those matching ``q`` best first (the API's Search Apps)."""
    found = catalog(rt(request)).search_apps(q.strip() or None)
    return page(request, user, "console/apps.html", "apps", {"apps": found, "query": q.strip()})


@router.get("/apps/{app_key}/")
async def app_page(request: Request, user: UserDep, app_key: str) -> Response:
    """One app: its authentication kind and what each action needs and gives."""
    app = rt(request).registry.get(app_key[:100])
    if app is None:
        return page(
            request,
            user,
            "console/error.html",
            "apps",
            {"title": "No such app", "message": f"There is no app {app_key[:100]!r}.", "back_url": "/console/apps/"},
            status_code=404,
        )
    actions = [
        {
            "key": action.key,
            "name": action.name,
            "type": action.type,
            "description": action.description,
            "needs": [need_shape(action, need) for need in action.needs],
            "gives": [give_shape(action, give) for give in action.gives],
        }
        for action in app.actions
    ]
    return page(
        request, user, "console/app.html", "apps", {"app": app, "auth_type": auth_type(app), "actions": actions}
    )
