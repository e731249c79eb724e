"""``find_repository``: a repository by owner/name, or GitHub's repository search."""

from __future__ import annotations

from typing import Any

from nlactions.apps.github import shapes
from nlactions.apps.github.client import body_of, call, one_of_each, repo_path, send, split_repo
from nlactions.apps.github.errors import github_error
from nlactions.catalog import Action, ActionContext, InvalidInput, Needs, need

MAX_RESULTS = 100


class Input(Needs):
    """What finding a repository needs: its full name, or words to search for."""

    full_name: str | None = need(
        None,
        label="Repository (owner/name)",
        help_text="The repository's full name, e.g. octocat/Hello-World, to fetch exactly that one.",
        examples=["octocat/Hello-World"],
    )
    query: str | None = need(
        None,
        label="Search Query",
        help_text="Words in the repository's name or description; GitHub search qualifiers such as "
        "language:python or user:octocat also work.",
    )
    owner: str | None = need(
        None, label="Owner", help_text="Only repositories of this user or organisation login (with Search Query)."
    )
    limit: int = need(
        10, label="Maximum Results", help_text=f"How many repositories to give at most (1 to {MAX_RESULTS})."
    )


async def _by_name(ctx: ActionContext, full_name: str) -> list[dict[str, Any]]:
    split_repo(full_name, "full_name")
    response = await send(ctx, "GET", repo_path(full_name, need="full_name"))
    if response.status_code == 404:
        return []
    if not response.is_success:
        raise github_error(response, repo=full_name)
    return [shapes.repository(body_of(response))]


async def _search(ctx: ActionContext, params: Input) -> list[dict[str, Any]]:
    terms = [params.query.strip() if params.query else ""]
    if params.owner and params.owner.strip():
        terms.append(f"user:{params.owner.strip()}")
    response = await call(
        ctx,
        "GET",
        "/search/repositories",
        params={"q": " ".join(t for t in terms if t), "per_page": params.limit},
        fields={"q": "query"},
    )
    found = body_of(response)
    return [shapes.repository(item) for item in one_of_each(found.get("items") if isinstance(found, dict) else [])]


async def perform(ctx: ActionContext, params: Input) -> list[dict[str, Any]]:
    """The named repository (none when GitHub does not show it to the token), else the search's best matches."""
    if not 1 <= params.limit <= MAX_RESULTS:
        raise InvalidInput("limit", f"{params.limit} is not between 1 and {MAX_RESULTS}.")
    if params.full_name and params.full_name.strip():
        return await _by_name(ctx, params.full_name)
    if (params.query and params.query.strip()) or (params.owner and params.owner.strip()):
        return (await _search(ctx, params))[: params.limit]
    raise InvalidInput(
        "full_name",
        "Give the repository's full name (owner/name) or a Search Query.",
        hint="e.g. full_name octocat/Hello-World, or query 'hello world language:python'.",
    )


action = Action(
    key="find_repository",
    type="search",
    noun="Repository",
    name="Find Repository",
    description="Find a GitHub repository by its full name (owner/name), or search repositories by words in "
    "their name or description, optionally only one owner's. Gives its URL, description and default branch.",
    input=Input,
    perform=perform,
    output=shapes.Repository,
    sample=shapes.REPOSITORY_SAMPLE,
)
