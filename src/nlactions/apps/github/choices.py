"""Choice loaders: the token's repositories, and a repository's labels, assignees and milestones.

Every loader pages through GitHub's ``Link`` headers to the last page; the cursor is the next link's
query string, so it is always applied to this connection's own API root.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nlactions.apps.github.client import PAGE_SIZE, body_of, call, one_of_each, repo_path
from nlactions.catalog import Choice, ChoiceContext, ChoicePage, cursor_params, link_cursor


def _repository(item: dict[str, Any]) -> Choice | None:
    name = item.get("full_name")
    if not isinstance(name, str):
        return None
    private = " (private)" if item.get("private") else ""
    return Choice(name, name + private, item.get("description") or None)


def _label(item: dict[str, Any]) -> Choice | None:
    name = item.get("name")
    return Choice(name, name, item.get("description") or None) if isinstance(name, str) else None


def _assignee(item: dict[str, Any]) -> Choice | None:
    login = item.get("login")
    return Choice(login, login) if isinstance(login, str) else None


def _milestone(item: dict[str, Any]) -> Choice | None:
    number, title = item.get("number"), item.get("title")
    if not isinstance(number, int) or not isinstance(title, str):
        return None
    return Choice(str(number), title, item.get("due_on") or item.get("description") or None)


async def _page(
    ctx: ChoiceContext,
    path: str,
    first: dict[str, Any],
    shape: Callable[[dict[str, Any]], Choice | None],
    repo: str | None,
) -> ChoicePage:
    params = cursor_params(ctx.cursor) if ctx.cursor else {**first, "per_page": PAGE_SIZE}
    response = await call(ctx, "GET", path, params=params, repo=repo)
    choices = [choice for item in one_of_each(body_of(response)) if (choice := shape(item)) is not None]
    return ChoicePage(choices, link_cursor(response))


async def repositories(ctx: ChoiceContext) -> ChoicePage:
    """Every repository the token can reach (owned, collaborator, organisation member), by full name."""
    return await _page(ctx, "/user/repos", {"sort": "full_name", "direction": "asc"}, _repository, None)


def _repo(ctx: ChoiceContext) -> str | None:
    value = ctx.params.get("repo")
    return value if isinstance(value, str) and value.strip() else None


async def labels(ctx: ChoiceContext) -> ChoicePage:
    """The repository's labels, by name."""
    repo = _repo(ctx)
    if repo is None:
        return ChoicePage([])
    return await _page(ctx, repo_path(repo, "labels"), {}, _label, repo)


async def assignees(ctx: ChoiceContext) -> ChoicePage:
    """The people who can be assigned in the repository, by login."""
    repo = _repo(ctx)
    if repo is None:
        return ChoicePage([])
    return await _page(ctx, repo_path(repo, "assignees"), {}, _assignee, repo)


async def milestones(ctx: ChoiceContext) -> ChoicePage:
    """The repository's open milestones, by number (labelled with their titles)."""
    repo = _repo(ctx)
    if repo is None:
        return ChoicePage([])
    return await _page(ctx, repo_path(repo, "milestones"), {"state": "open"}, _milestone, repo)
