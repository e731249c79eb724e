"""GitHub: issues, comments, labels, pull requests and repositories through GitHub's REST API.

Authentication is a personal access token (OAuth2 through a connect flow has not landed); the
optional ``api_base_url`` points the app at GitHub Enterprise Server (``https://HOST/api/v3``).
"""

from __future__ import annotations

from nlactions.apps.github import (
    add_labels,
    create_comment,
    create_issue,
    create_pull_request,
    find_issue,
    find_repository,
    update_issue,
)
from nlactions.apps.github.auth import auth
from nlactions.catalog import App

__all__ = ["app"]

app = App(
    key="GitHubAPI",
    name="GitHub",
    description="Open, find and update GitHub issues, comment on them, label them, open pull requests and "
    "find repositories, with a personal access token.",
    actions=(
        create_issue.action,
        find_issue.action,
        update_issue.action,
        create_comment.action,
        add_labels.action,
        create_pull_request.action,
        find_repository.action,
    ),
    auth=auth,
    keywords=("github", "issue", "pull request", "repository", "git", "code"),
)
