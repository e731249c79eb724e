"""``update_issue``: change an issue's title, body, state, labels, assignees or milestone."""

from __future__ import annotations

from typing import Any, Literal

from nlactions.apps.github import shapes
from nlactions.apps.github.client import body_of, call, issue_number, repo_path
from nlactions.apps.github.create_issue import ISSUE_FIELDS, milestone_number
from nlactions.apps.github.needs import assignees_need, issue_number_need, labels_need, milestone_need, repo_need
from nlactions.catalog import Action, ActionContext, AppError, Needs, need

NO_MILESTONE = "none"


class Input(Needs):
    """What updating an issue needs; only the fields given are changed."""

    repo: str = repo_need()
    issue_number: int = issue_number_need()
    title: str | None = need(None, label="Title", help_text="A new title for the issue.")
    body: str | None = need(None, label="Body", help_text="A new Markdown body; it replaces the whole body.")
    state: Literal["open", "closed"] | None = need(
        None,
        label="State",
        help_text="open to reopen the issue, closed to close it.",
        choices=[("open", "Open"), ("closed", "Closed")],
    )
    state_reason: Literal["completed", "not_planned", "reopened"] | None = need(
        None,
        label="State Reason",
        help_text="Why the state changes: completed or not_planned when closing, reopened when reopening.",
        choices=[("completed", "Completed"), ("not_planned", "Not planned"), ("reopened", "Reopened")],
    )
    labels: list[str] | None = labels_need(
        help_text="Label names the issue should have; they replace its current labels (use Add Labels to add)."
    )
    assignees: list[str] | None = assignees_need(
        help_text="GitHub logins the issue should be assigned to; they replace its current assignees."
    )
    milestone: str | None = milestone_need(
        help_text=f"The milestone to move the issue to, by number; {NO_MILESTONE!r} removes its milestone."
    )


def _payload(params: Input) -> dict[str, Any]:
    payload: dict[str, Any] = {}
    for key in ("title", "body", "state", "state_reason", "labels", "assignees"):
        value = getattr(params, key)
        if value is not None:
            payload[key] = value
    if params.milestone is not None:
        removed = params.milestone.strip().lower() == NO_MILESTONE
        payload["milestone"] = None if removed else milestone_number(params.milestone)
    return payload


async def perform(ctx: ActionContext, params: Input) -> dict[str, Any]:
    """``PATCH /repos/{owner}/{repo}/issues/{issue_number}`` with the fields given."""
    number = issue_number(params.issue_number)
    payload = _payload(params)
    if not payload:
        raise AppError(
            "Nothing to update: none of params.title, params.body, params.state, params.state_reason, "
            "params.labels, params.assignees or params.milestone was given.",
            hint="Say what should change on the issue.",
        )
    response = await call(
        ctx,
        "PATCH",
        repo_path(params.repo, "issues", number),
        json=payload,
        repo=params.repo,
        fields={**ISSUE_FIELDS, "state": "state", "state_reason": "state_reason"},
        not_found=f"Issue #{number} in {params.repo}",
    )
    return shapes.issue(body_of(response), params.repo)


action = Action(
    key="update_issue",
    type="write",
    noun="Issue",
    name="Update Issue",
    description="Change an existing GitHub issue: its title, body, open/closed state, labels, assignees or "
    "milestone. Only the fields given change; labels and assignees given replace the current ones.",
    input=Input,
    perform=perform,
    output=shapes.Issue,
    sample=shapes.ISSUE_SAMPLE,
)
