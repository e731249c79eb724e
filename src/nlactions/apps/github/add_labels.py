"""``add_labels``: add labels to an issue or pull request, keeping the ones it has."""

from __future__ import annotations

from typing import Any

from nlactions.apps.github import shapes
from nlactions.apps.github.client import body_of, call, issue_number, one_of_each, repo_path
from nlactions.apps.github.needs import issue_number_need, labels_need, repo_need
from nlactions.catalog import Action, ActionContext, InvalidInput, Needs


class Input(Needs):
    """What adding labels needs."""

    repo: str = repo_need()
    issue_number: int = issue_number_need("issue or pull request")
    labels: list[str] = labels_need(
        required=True,
        help_text="Names of labels to add (e.g. bug, urgent); the issue keeps the labels it already has.",
    )


async def perform(ctx: ActionContext, params: Input) -> dict[str, Any]:
    """``POST /repos/{owner}/{repo}/issues/{issue_number}/labels``; gives every label now on the issue."""
    number = issue_number(params.issue_number)
    names = [name.strip() for name in params.labels if name.strip()]
    if not names:
        raise InvalidInput("labels", "No label names were given.", hint="Name at least one label to add.")
    response = await call(
        ctx,
        "POST",
        repo_path(params.repo, "issues", number, "labels"),
        json={"labels": names},
        repo=params.repo,
        fields={"labels": "labels"},
        not_found=f"Issue or pull request #{number} in {params.repo}",
    )
    now_on = [str(item["name"]) for item in one_of_each(body_of(response)) if "name" in item]
    return {"issue_number": number, "repository": params.repo, "labels": now_on}


action = Action(
    key="add_labels",
    type="write",
    noun="Labels",
    name="Add Labels to Issue",
    description="Add one or more labels to a GitHub issue or pull request without removing its other labels.",
    input=Input,
    perform=perform,
    output=shapes.IssueLabels,
    sample=shapes.LABELS_SAMPLE,
)
