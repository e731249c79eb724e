"""Calling GitHub's REST API with ``ctx.http``: the base URL, the documented headers, JSON or a clear error."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import httpx

from nlactions.apps.github.errors import github_error
from nlactions.catalog import InvalidInput, ServiceContext, UpstreamError, read_base_url

DEFAULT_API_BASE_URL = "https://api.github.com"
HEADERS = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
PAGE_SIZE = 100

_REPO = re.compile(r"^(?P<owner>[A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))/(?P<name>[A-Za-z0-9._-]{1,100})$")
_REPO_URL = re.compile(
    r"^(?:https?://)?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?::\d+)?/(?P<path>[^/\s]+/[^/\s]+?)(?:\.git)?/?$"
)


def api_base(ctx: ServiceContext) -> str:
    """The API root of this connection: ``api_base_url`` when set (GitHub Enterprise), else api.github.com."""
    return read_base_url(ctx.credentials, DEFAULT_API_BASE_URL)


def split_repo(value: str, need: str = "repo") -> tuple[str, str]:
    """``("owner", "name")`` from ``owner/name`` (or a github.com URL of the repository); else InvalidInput."""
    text = value.strip()
    found = _REPO.match(text)
    if found is None and "/" in text:
        url = _REPO_URL.match(text)
        found = _REPO.match(url.group("path")) if url else None
    if found is None:
        raise InvalidInput(
            need,
            f"{value!r} is not a repository given as owner/name.",
            hint="Give the repository as owner/name, e.g. octocat/Hello-World.",
        )
    return found.group("owner"), found.group("name")


def repo_path(repo: str, *rest: str | int, need: str = "repo") -> str:
    """``/repos/{owner}/{name}/...`` with every segment URL-quoted."""
    owner, name = split_repo(repo, need)
    segments = [owner, name, *(str(part) for part in rest)]
    return "/repos/" + "/".join(quote(segment, safe="") for segment in segments)


def issue_number(value: int, need: str = "issue_number") -> int:
    """The issue or pull request number, which GitHub counts from 1."""
    if value < 1:
        raise InvalidInput(need, f"{value} is not an issue number; GitHub numbers issues from 1.")
    return value


async def send(
    ctx: ServiceContext,
    method: str,
    path: str,
    *,
    params: Mapping[str, Any] | httpx.QueryParams | None = None,
    json: Any = None,
) -> httpx.Response:
    """Send one request to ``path`` on this connection's API root with GitHub's headers; no status check."""
    return await ctx.http.request(method, api_base(ctx) + path, params=params, json=json, headers=HEADERS)


async def call(
    ctx: ServiceContext,
    method: str,
    path: str,
    *,
    params: Mapping[str, Any] | httpx.QueryParams | None = None,
    json: Any = None,
    repo: str | None = None,
    fields: Mapping[str, str] | None = None,
    not_found: str | None = None,
) -> httpx.Response:
    """Send one request to GitHub; a failed answer becomes the catalog error that says how to fix it.

    ``fields`` maps GitHub's request field names to the action's need keys, so a 422 names the need.
    """
    response = await send(ctx, method, path, params=params, json=json)
    if response.is_success:
        return response
    raise github_error(response, repo=repo, fields=fields or {}, not_found=not_found)


def body_of(response: httpx.Response) -> Any:
    """The response's JSON body; an UpstreamError when the server at the base URL does not speak GitHub's API."""
    try:
        return response.json()
    except ValueError:
        raise UpstreamError(
            f"{response.url.host} answered {response.status_code} with a body that is not JSON, "
            "so it is not GitHub's REST API.",
            hint="Check api_base_url: https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server.",
            status_code=response.status_code,
        ) from None


def one_of_each(items: Any) -> list[dict[str, Any]]:
    """The dict items of a JSON list (anything else is dropped)."""
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []
