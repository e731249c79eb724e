"""What the actions give back: GitHub's objects flattened to the fields an agent reads."""

from __future__ import annotations

from typing import Any

from nlactions.catalog import Gives, give


def _login(user: Any) -> str | None:
    return user.get("login") if isinstance(user, dict) else None


def _names(items: Any, key: str) -> list[str]:
    if not isinstance(items, list):
        return []
    return [str(item[key]) for item in items if isinstance(item, dict) and key in item]


def _repository_of(issue: dict[str, Any], fallback: str) -> str:
    url = issue.get("repository_url")
    if isinstance(url, str) and "/repos/" in url:
        return url.split("/repos/", 1)[1]
    return fallback


class Issue(Gives):
    """An issue (or a pull request seen through the issues API)."""

    number: int = give(label="Issue Number", important=True)
    title: str = give(label="Title", important=True)
    html_url: str = give(label="Issue URL", important=True)
    state: str = give(label="State (open or closed)", important=True)
    repository: str = give(label="Repository (owner/name)")
    body: str | None = give(label="Body")
    author: str | None = give(label="Author Login")
    labels: list[str] = give([], label="Label Names")
    assignees: list[str] = give([], label="Assignee Logins")
    milestone: str | None = give(label="Milestone Title")
    milestone_number: int | None = give(label="Milestone Number")
    comments: int = give(0, label="Comment Count")
    is_pull_request: bool = give(False, label="Is a Pull Request")
    state_reason: str | None = give(label="State Reason")
    id: int = give(label="Issue ID")
    created_at: str | None = give(label="Created At")
    updated_at: str | None = give(label="Updated At")
    closed_at: str | None = give(label="Closed At")


ISSUE_SAMPLE: dict[str, Any] = {
    "number": 42,
    "title": "Crash on start",
    "html_url": "https://github.com/octocat/Hello-World/issues/42",
    "state": "open",
    "repository": "octocat/Hello-World",
    "body": "The app crashes when it starts.",
    "author": "octocat",
    "labels": ["bug"],
    "assignees": ["octocat"],
    "milestone": "v1.0",
    "milestone_number": 1,
    "comments": 0,
    "is_pull_request": False,
    "state_reason": None,
    "id": 1,
    "created_at": "2026-01-05T10:00:00Z",
    "updated_at": "2026-01-05T10:00:00Z",
    "closed_at": None,
}


def issue(item: dict[str, Any], repo: str) -> dict[str, Any]:
    """An issue as the ``Issue`` gives."""
    milestone = item.get("milestone") if isinstance(item.get("milestone"), dict) else None
    return {
        "number": item.get("number"),
        "title": item.get("title"),
        "html_url": item.get("html_url"),
        "state": item.get("state"),
        "repository": _repository_of(item, repo),
        "body": item.get("body"),
        "author": _login(item.get("user")),
        "labels": _names(item.get("labels"), "name"),
        "assignees": _names(item.get("assignees"), "login"),
        "milestone": milestone.get("title") if milestone else None,
        "milestone_number": milestone.get("number") if milestone else None,
        "comments": item.get("comments", 0),
        "is_pull_request": "pull_request" in item,
        "state_reason": item.get("state_reason"),
        "id": item.get("id"),
        "created_at": item.get("created_at"),
        "updated_at": item.get("updated_at"),
        "closed_at": item.get("closed_at"),
    }


class Comment(Gives):
    """A comment on an issue or pull request."""

    id: int = give(label="Comment ID", important=True)
    html_url: str = give(label="Comment URL", important=True)
    body: str = give(label="Body", important=True)
    issue_number: int = give(label="Issue Number")
    repository: str = give(label="Repository (owner/name)")
    author: str | None = give(label="Author Login")
    created_at: str | None = give(label="Created At")


COMMENT_SAMPLE: dict[str, Any] = {
    "id": 1,
    "html_url": "https://github.com/octocat/Hello-World/issues/42#issuecomment-1",
    "body": "Fixed in the next release.",
    "issue_number": 42,
    "repository": "octocat/Hello-World",
    "author": "octocat",
    "created_at": "2026-01-05T10:00:00Z",
}


def comment(item: dict[str, Any], repo: str, number: int) -> dict[str, Any]:
    """A comment as the ``Comment`` gives."""
    return {
        "id": item.get("id"),
        "html_url": item.get("html_url"),
        "body": item.get("body"),
        "issue_number": number,
        "repository": repo,
        "author": _login(item.get("user")),
        "created_at": item.get("created_at"),
    }


class IssueLabels(Gives):
    """The labels an issue has after labels were added."""

    issue_number: int = give(label="Issue Number", important=True)
    repository: str = give(label="Repository (owner/name)")
    labels: list[str] = give([], label="Label Names (all labels now on the issue)", important=True)


LABELS_SAMPLE: dict[str, Any] = {"issue_number": 42, "repository": "octocat/Hello-World", "labels": ["bug", "urgent"]}


class PullRequest(Gives):
    """A pull request."""

    number: int = give(label="Pull Request Number", important=True)
    title: str = give(label="Title", important=True)
    html_url: str = give(label="Pull Request URL", important=True)
    state: str = give(label="State (open or closed)")
    draft: bool = give(False, label="Is a Draft")
    head: str | None = give(label="Head Branch")
    base: str | None = give(label="Base Branch")
    repository: str = give(label="Repository (owner/name)")
    body: str | None = give(label="Body")
    author: str | None = give(label="Author Login")
    id: int = give(label="Pull Request ID")
    created_at: str | None = give(label="Created At")


PULL_SAMPLE: dict[str, Any] = {
    "number": 43,
    "title": "Fix crash on start",
    "html_url": "https://github.com/octocat/Hello-World/pull/43",
    "state": "open",
    "draft": False,
    "head": "fix-crash",
    "base": "main",
    "repository": "octocat/Hello-World",
    "body": "Fixes #42.",
    "author": "octocat",
    "id": 2,
    "created_at": "2026-01-05T10:00:00Z",
}


def _ref(side: Any) -> str | None:
    return side.get("ref") if isinstance(side, dict) else None


def pull_request(item: dict[str, Any], repo: str) -> dict[str, Any]:
    """A pull request as the ``PullRequest`` gives."""
    return {
        "number": item.get("number"),
        "title": item.get("title"),
        "html_url": item.get("html_url"),
        "state": item.get("state"),
        "draft": bool(item.get("draft", False)),
        "head": _ref(item.get("head")),
        "base": _ref(item.get("base")),
        "repository": repo,
        "body": item.get("body"),
        "author": _login(item.get("user")),
        "id": item.get("id"),
        "created_at": item.get("created_at"),
    }


class Repository(Gives):
    """A repository."""

    full_name: str = give(label="Full Name (owner/name)", important=True)
    html_url: str = give(label="Repository URL", important=True)
    description: str | None = give(label="Description", important=True)
    name: str = give(label="Name")
    owner: str | None = give(label="Owner Login")
    private: bool = give(False, label="Is Private")
    default_branch: str | None = give(label="Default Branch")
    open_issues_count: int = give(0, label="Open Issues and Pull Requests")
    stargazers_count: int = give(0, label="Stars")
    language: str | None = give(label="Language")
    archived: bool = give(False, label="Is Archived")
    id: int = give(label="Repository ID")
    updated_at: str | None = give(label="Updated At")


REPOSITORY_SAMPLE: dict[str, Any] = {
    "full_name": "octocat/Hello-World",
    "html_url": "https://github.com/octocat/Hello-World",
    "description": "My first repository on GitHub!",
    "name": "Hello-World",
    "owner": "octocat",
    "private": False,
    "default_branch": "main",
    "open_issues_count": 3,
    "stargazers_count": 80,
    "language": "Python",
    "archived": False,
    "id": 1296269,
    "updated_at": "2026-01-05T10:00:00Z",
}


def repository(item: dict[str, Any]) -> dict[str, Any]:
    """A repository as the ``Repository`` gives."""
    return {
        "full_name": item.get("full_name"),
        "html_url": item.get("html_url"),
        "description": item.get("description"),
        "name": item.get("name"),
        "owner": _login(item.get("owner")),
        "private": bool(item.get("private", False)),
        "default_branch": item.get("default_branch"),
        "open_issues_count": item.get("open_issues_count", 0),
        "stargazers_count": item.get("stargazers_count", 0),
        "language": item.get("language"),
        "archived": bool(item.get("archived", False)),
        "id": item.get("id"),
        "updated_at": item.get("updated_at"),
    }
