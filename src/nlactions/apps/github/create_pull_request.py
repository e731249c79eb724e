"""``create_pull_request``: open a pull request from a head branch into a base branch."""

from __future__ import annotations

from typing import Any

from nlactions.apps.github import shapes
from nlactions.apps.github.client import body_of, call, repo_path
from nlactions.apps.github.needs import repo_need
from nlactions.catalog import Action, ActionContext, Needs, UpstreamError, need

PULL_FIELDS = {"head": "head", "base": "base", "title": "title", "body": "body", "draft": "draft"}


class Input(Needs):
    """What opening a pull request needs."""

    repo: str = repo_need()
    head: str = need(
        label="Head Branch",
        help_text="The branch with the changes. For a branch in a fork, give it as fork-owner:branch.",
        examples=["fix-crash", "octocat:fix-crash"],
    )
    title: str = need(label="Title", help_text="The pull request's title: what the change does.")
    base: str | None = need(
        None,
        label="Base Branch",
        help_text="The branch to merge the changes into; the repository's default branch when not given.",
        examples=["main"],
    )
    body: str | None = need(None, label="Body", help_text="The pull request's description, in Markdown.")
    draft: bool = need(False, label="Draft", help_text="True to open it as a draft, not yet ready for review.")


async def default_branch(ctx: ActionContext, repo: str) -> str:
    """The repository's default branch (``GET /repos/{owner}/{repo}``)."""
    found = body_of(await call(ctx, "GET", repo_path(repo), repo=repo))
    branch = found.get("default_branch") if isinstance(found, dict) else None
    if not isinstance(branch, str) or not branch:
        raise UpstreamError(f"GitHub did not say which branch is the default of {repo}.", hint="Give the Base Branch.")
    return branch


async def perform(ctx: ActionContext, params: Input) -> dict[str, Any]:
    """``POST /repos/{owner}/{repo}/pulls``."""
    base = params.base.strip() if params.base and params.base.strip() else await default_branch(ctx, params.repo)
    payload: dict[str, Any] = {"title": params.title, "head": params.head.strip(), "base": base, "draft": params.draft}
    if params.body is not None:
        payload["body"] = params.body
    response = await call(
        ctx, "POST", repo_path(params.repo, "pulls"), json=payload, repo=params.repo, fields=PULL_FIELDS
    )
    return shapes.pull_request(body_of(response), params.repo)


action = Action(
    key="create_pull_request",
    type="write",
    noun="Pull Request",
    name="Create Pull Request",
    description="Open a pull request in a GitHub repository that merges a head branch into a base branch "
    "(the default branch unless given), optionally as a draft.",
    input=Input,
    perform=perform,
    output=shapes.PullRequest,
    sample=shapes.PULL_SAMPLE,
)
