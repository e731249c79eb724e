"""Runs: the execution log newest first with filters and pages, one run in full, and its rating."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from nlactions.ai_actions.endpoints import ai_action_service
from nlactions.console.common import back, page, posted, rt, text
from nlactions.errors import NLActionsError, NotFound
from nlactions.execute.repository import LogFilters
from nlactions.signin.deps import UserDep

router = APIRouter()
STATUSES = ("success", "empty", "preview", "halted", "error", "running", "interrupted")
PAGE_SIZE = 25
FEEDBACK_MAX = 10_000


@router.get("/runs/")
async def runs(
    request: Request,
    user: UserDep,
    status: Annotated[str, Query(max_length=20)] = "",
    app: Annotated[str, Query(max_length=100)] = "",
    action: Annotated[str, Query(max_length=100)] = "",
    ai_action_id: Annotated[str, Query(max_length=64)] = "",
    cursor: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """A page of the account's runs, filtered as the API's log listing filters them."""
    runtime = rt(request)
    filters = LogFilters(
        status=status if status in STATUSES else None,
        app=app.strip() or None,
        action=action.strip() or None,
        ai_action_id=ai_action_id.strip() or None,
    )
    error, listing = "", dict[str, Any](results=[], next=None)
    try:
        listing = await runtime.execute.list_logs(user.account_id, filters, cursor or None, PAGE_SIZE)
    except NLActionsError as exc:
        error = exc.message
    async with runtime.sessions() as session:
        ai_actions = await ai_action_service(runtime).list_for(session, user.caller(), user.account_id)
    chosen = {"status": status, "app": app, "action": action, "ai_action_id": ai_action_id}
    query = {k: v for k, v in chosen.items() if v}
    next_url = f"/console/runs/?{urlencode({**query, 'cursor': listing['next']})}" if listing["next"] else ""
    return page(
        request,
        user,
        "console/runs.html",
        "runs",
        {
            "runs": listing["results"],
            "next_url": next_url,
            "first_url": f"/console/runs/?{urlencode(query)}" if cursor else "",
            "statuses": STATUSES,
            "apps": sorted(runtime.registry, key=lambda a: a.name.lower()),
            "ai_actions": ai_actions,
            "described": {row.id: row.description for row in ai_actions},
            "chosen": chosen,
        },
        error=error,
        status_code=400 if error else 200,
    )


async def _run(request: Request, account_id: int, log_id: str) -> tuple[dict[str, Any], Any] | None:
    runtime = rt(request)
    try:
        row = await runtime.execute.get_log(account_id, log_id[:64])
    except NotFound:
        return None
    return await runtime.execute.log_detail(account_id, row.id), row


@router.get("/runs/{log_id}/")
async def run(request: Request, user: UserDep, log_id: str) -> Response:
    """One run: instructions, input and resolved params (with who resolved each), results, error, timings."""
    found = await _run(request, user.account_id, log_id)
    if found is None:
        return page(
            request,
            user,
            "console/error.html",
            "runs",
            {"title": "No such run", "message": "This account has no run with that id.", "back_url": "/console/runs/"},
            status_code=404,
        )
    item, row = found
    entry = rt(request).registry.get(row.app)
    action = entry.action(row.action) if entry is not None else None
    labels = {need.key: need.label for need in action.needs} if action is not None else {}
    return page(request, user, "console/run.html", "runs", {"item": item, "row": row, "labels": labels})


@router.post("/runs/{log_id}/rate/")
async def rate(request: Request, user: UserDep, log_id: str) -> Response:
    """Rate a run -1, 0 or 1 with optional feedback (the API's Rate Execution Log)."""
    form = await posted(request)
    rating = text(form, "rating", 3)
    feedback = text(form, "feedback", FEEDBACK_MAX + 1)
    found = await _run(request, user.account_id, log_id)
    if found is None:
        return await run(request, user, log_id)
    item, row = found
    problem = ""
    if rating not in ("-1", "0", "1"):
        problem = "rating: choose good (1), neutral (0) or bad (-1)."
    elif len(feedback) > FEEDBACK_MAX:
        problem = f"feedback: write at most {FEEDBACK_MAX:,} characters."
    if problem:
        return page(
            request,
            user,
            "console/run.html",
            "runs",
            {"item": item, "row": row, "labels": {}},
            error=problem,
            status_code=400,
        )
    await rt(request).execute.rate(user.caller(), user.account_id, row.id, int(rating), feedback.strip() or None)
    return back(f"/console/runs/{row.id}/", "run-rated")
