"""``find_issue``: find issues in a repository by number, by words in the title or text, or the latest."""

from __future__ import annotations

from typing import Any, Literal

from nlactions.apps.github import shapes
from nlactions.apps.github.client import body_of, call, one_of_each, repo_path, send, split_repo
from nlactions.apps.github.errors import github_error
from nlactions.apps.github.needs import repo_need
from nlactions.catalog import Action, ActionContext, InvalidInput, Needs, need

MAX_RESULTS = 100
_UNSEARCHABLE = "cannot be searched"


class Input(Needs):
    """What finding issues needs: a repository and a number, title words, search words or none of them."""

    repo: str = repo_need()
    number: int | None = need(
        None, label="Issue Number", help_text="The issue's number (the 42 of #42), to fetch that one issue."
    )
    title: str | None = need(None, label="Title", help_text="Words of the issue's title; exact titles come first.")
    query: str | None = need(
        None,
        label="Search Query",
        help_text="Words to look for in the title and body; GitHub search qualifiers such as label:bug or "
        "author:octocat also work.",
    )
    state: Literal["open", "closed", "all"] = need(
        "all",
        label="State",
        help_text="Only open issues, only closed ones, or all.",
        choices=[("open", "Open"), ("closed", "Closed"), ("all", "All")],
    )
    limit: int = need(10, label="Maximum Results", help_text=f"How many issues to give at most (1 to {MAX_RESULTS}).")


async def _by_number(ctx: ActionContext, repo: str, number: int) -> list[dict[str, Any]]:
    response = await send(ctx, "GET", repo_path(repo, "issues", number))
    if response.status_code == 404:
        await call(ctx, "GET", repo_path(repo), repo=repo)  # raises when the repository itself is out of reach
        return []
    if not response.is_success:
        raise github_error(response, repo=repo)
    return [shapes.issue(body_of(response), repo)]


def _search_terms(params: Input) -> str:
    owner, name = split_repo(params.repo)
    terms = [f"repo:{owner}/{name}", "is:issue"]
    if params.state != "all":
        terms.append(f"state:{params.state}")
    if params.title and params.title.strip():
        terms.append('"' + params.title.replace('"', " ").strip() + '" in:title')
    if params.query and params.query.strip():
        terms.append(params.query.strip())
    return " ".join(terms)


async def _search(ctx: ActionContext, params: Input, limit: int) -> list[dict[str, Any]]:
    try:
        response = await call(
            ctx,
            "GET",
            "/search/issues",
            params={"q": _search_terms(params), "per_page": limit, "sort": "updated", "order": "desc"},
            repo=params.repo,
            fields={"q": "query"},
        )
    except InvalidInput as exc:
        if _UNSEARCHABLE in exc.message:
            await call(ctx, "GET", repo_path(params.repo), repo=params.repo)
        raise
    found = body_of(response)
    items = [
        shapes.issue(item, params.repo) for item in one_of_each(found.get("items") if isinstance(found, dict) else [])
    ]
    if params.title:
        wanted = params.title.strip().casefold()
        items.sort(key=lambda item: str(item.get("title", "")).casefold() != wanted)
    return items[:limit]


async def _latest(ctx: ActionContext, params: Input, limit: int) -> list[dict[str, Any]]:
    response = await call(
        ctx,
        "GET",
        repo_path(params.repo, "issues"),
        params={"state": params.state, "per_page": limit, "sort": "updated", "direction": "desc"},
        repo=params.repo,
    )
    issues = [item for item in one_of_each(body_of(response)) if "pull_request" not in item]
    return [shapes.issue(item, params.repo) for item in issues]


async def perform(ctx: ActionContext, params: Input) -> list[dict[str, Any]]:
    """One issue by number; else GitHub's issue search; else the most recently updated issues."""
    if not 1 <= params.limit <= MAX_RESULTS:
        raise InvalidInput("limit", f"{params.limit} is not between 1 and {MAX_RESULTS}.")
    split_repo(params.repo)
    if params.number is not None:
        if params.number < 1:
            raise InvalidInput("number", f"{params.number} is not an issue number; GitHub numbers issues from 1.")
        return await _by_number(ctx, params.repo, params.number)
    if (params.title and params.title.strip()) or (params.query and params.query.strip()):
        return await _search(ctx, params, params.limit)
    return await _latest(ctx, params, params.limit)


action = Action(
    key="find_issue",
    type="search",
    noun="Issue",
    name="Find Issue",
    description="Find issues in a GitHub repository: one issue by its number, issues whose title or text "
    "match words (GitHub issue search), or the most recently updated ones; filter by open or closed.",
    input=Input,
    perform=perform,
    output=shapes.Issue,
    sample=shapes.ISSUE_SAMPLE,
)
