"""The needs several GitHub actions share, declared once so their labels and help read the same."""

from __future__ import annotations

from typing import Any

from nlactions.apps.github import choices
from nlactions.catalog import need

REPO_PREFILL = "repo.full_name.full_name"


def repo_need() -> Any:
    """The repository, chosen among the token's repositories."""
    return need(
        label="Repository",
        help_text="The GitHub repository as owner/name (e.g. octocat/Hello-World); one of the repositories "
        "the token can reach. A bare name such as Hello-World is matched against them.",
        choices=choices.repositories,
        prefill=REPO_PREFILL,
        examples=["octocat/Hello-World"],
    )


def issue_number_need(what: str = "issue") -> Any:
    """The number of an issue or pull request in the repository (the #123 in its URL)."""
    return need(
        label="Issue Number",
        help_text=f"The number of the {what} in the repository, as shown after # (e.g. 42 for #42).",
        examples=["42"],
    )


def labels_need(*, required: bool = False, help_text: str = "") -> Any:
    """Label names of the repository."""
    declared: dict[str, Any] = {
        "label": "Labels",
        "help_text": help_text or "Names of labels to put on the issue (e.g. bug, enhancement).",
        "choices": choices.labels,
        "depends_on": ["repo"],
        "prefill": "label.name.name",
    }
    return need(**declared) if required else need(None, **declared)


def assignees_need(help_text: str = "") -> Any:
    """Logins of people to assign."""
    return need(
        None,
        label="Assignees",
        help_text=help_text or "GitHub logins of the people to assign (they must be able to work in the repository).",
        choices=choices.assignees,
        depends_on=["repo"],
        prefill="assignee.login.login",
    )


def milestone_need(help_text: str = "") -> Any:
    """A milestone of the repository, by number."""
    return need(
        None,
        label="Milestone",
        help_text=help_text or "The milestone to file the issue under, by its number (choose among its titles).",
        choices=choices.milestones,
        depends_on=["repo"],
        prefill="milestone.number.title",
    )
