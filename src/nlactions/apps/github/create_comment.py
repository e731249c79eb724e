"""``create_comment``: comment on an issue or a pull request."""

from __future__ import annotations

from typing import Any

from nlactions.apps.github import shapes
from nlactions.apps.github.client import body_of, call, issue_number, repo_path
from nlactions.apps.github.needs import issue_number_need, repo_need
from nlactions.catalog import Action, ActionContext, Needs, need


class Input(Needs):
    """What commenting needs."""

    repo: str = repo_need()
    issue_number: int = issue_number_need("issue or pull request")
    body: str = need(label="Comment", help_text="The comment's text, in Markdown.")


async def perform(ctx: ActionContext, params: Input) -> dict[str, Any]:
    """``POST /repos/{owner}/{repo}/issues/{issue_number}/comments``."""
    number = issue_number(params.issue_number)
    response = await call(
        ctx,
        "POST",
        repo_path(params.repo, "issues", number, "comments"),
        json={"body": params.body},
        repo=params.repo,
        fields={"body": "body"},
        not_found=f"Issue or pull request #{number} in {params.repo}",
    )
    return shapes.comment(body_of(response), params.repo, number)


action = Action(
    key="create_comment",
    type="write",
    noun="Comment",
    name="Create Comment",
    description="Add a Markdown comment to an issue or pull request in a GitHub repository.",
    input=Input,
    perform=perform,
    output=shapes.Comment,
    sample=shapes.COMMENT_SAMPLE,
)
