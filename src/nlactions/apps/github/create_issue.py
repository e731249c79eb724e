"""``create_issue``: open an issue in a repository, with labels, assignees and a milestone if given."""

from __future__ import annotations

from typing import Any

from nlactions.apps.github import shapes
from nlactions.apps.github.client import body_of, call, repo_path
from nlactions.apps.github.needs import assignees_need, labels_need, milestone_need, repo_need
from nlactions.catalog import Action, ActionContext, InvalidInput, Needs, need

ISSUE_FIELDS = {
    "title": "title",
    "body": "body",
    "labels": "labels",
    "assignees": "assignees",
    "assignee": "assignees",
    "milestone": "milestone",
}


class Input(Needs):
    """What opening an issue needs."""

    repo: str = repo_need()
    title: str = need(label="Title", help_text="The issue's title: a short summary of the problem or request.")
    body: str | None = need(
        None,
        label="Body",
        help_text="The issue's description in Markdown: what happens, what was expected, how to reproduce it.",
    )
    labels: list[str] | None = labels_need()
    assignees: list[str] | None = assignees_need()
    milestone: str | None = milestone_need()


def milestone_number(value: str, need: str = "milestone") -> int:
    """A milestone choice id (its number) as GitHub's integer."""
    text = value.strip().lstrip("#")
    if not text.isdigit() or int(text) < 1:
        raise InvalidInput(
            need, f"{value!r} is not a milestone number.", hint="Choose one of the repository's milestones."
        )
    return int(text)


async def perform(ctx: ActionContext, params: Input) -> dict[str, Any]:
    """``POST /repos/{owner}/{repo}/issues``."""
    payload: dict[str, Any] = {"title": params.title}
    if params.body is not None:
        payload["body"] = params.body
    if params.labels:
        payload["labels"] = params.labels
    if params.assignees:
        payload["assignees"] = params.assignees
    if params.milestone:
        payload["milestone"] = milestone_number(params.milestone)
    response = await call(
        ctx, "POST", repo_path(params.repo, "issues"), json=payload, repo=params.repo, fields=ISSUE_FIELDS
    )
    return shapes.issue(body_of(response), params.repo)


action = Action(
    key="create_issue",
    type="write",
    noun="Issue",
    name="Create Issue",
    description="Open a new issue in a GitHub repository with a title and an optional Markdown body, labels, "
    "assignees and milestone.",
    input=Input,
    perform=perform,
    output=shapes.Issue,
    sample=shapes.ISSUE_SAMPLE,
)
