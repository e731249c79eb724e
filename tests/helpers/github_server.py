"""A local peer of GitHub's REST API on 127.0.0.1, with an in-memory store, for the GitHub app's tests.

It follows GitHub's documented shapes for the calls the app makes:

- ``GET /user``; ``GET /user/repos`` (paginated); ``GET /repos/{o}/{r}``;
- ``GET|POST /repos/{o}/{r}/issues``, ``GET|PATCH /repos/{o}/{r}/issues/{n}``,
  ``POST /repos/{o}/{r}/issues/{n}/comments``, ``POST /repos/{o}/{r}/issues/{n}/labels``;
- ``GET /repos/{o}/{r}/labels|assignees|milestones`` (paginated), ``POST /repos/{o}/{r}/pulls``;
- ``GET /search/issues``, ``GET /search/repositories``.

Pagination: ``per_page`` (default 30, at most 100) and ``page``, with a ``Link`` header carrying
``rel="next"``, ``"last"``, ``"first"`` and ``"prev"`` as GitHub sends them. Errors: 401 ``Bad
credentials`` / ``Requires authentication``; 404 ``Not Found`` for a repository the token cannot see
(private and not a collaborator, or absent); 403 ``Resource not accessible by personal access token``
for a write with a read-only token; 422 ``Validation Failed`` with ``errors[]``. Every answer carries
``x-ratelimit-*`` headers. Switches: ``server.limit_secondary(status, retry_after)`` answers every
request with a secondary rate limit, ``server.exhaust_primary(reset_in)`` with a spent primary limit.

Serve it under ``prefix="/api/v3"`` to play GitHub Enterprise Server. Use it as a context manager.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from helpers.threaded_server import ThreadedServer

__all__ = ["GitHubServer", "Repo", "Seen"]

DOCS = "https://docs.github.com/rest"
RATE_LIMIT = 5000
_IDS = itertools.count(1000)
_SEARCH_TERM = re.compile(r'(\w+:"[^"]*"|\w+:\S+|"[^"]*"|\S+)')

Handler = Callable[[Request, str], Any]


class Answer(Exception):
    """A ready error answer, raised from deep inside a handler."""

    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None):
        super().__init__(body.get("message"))
        self.status = status
        self.body = body
        self.headers = headers or {}


def _not_found(doc: str = "repos/repos#get-a-repository") -> Answer:
    return Answer(404, {"message": "Not Found", "documentation_url": f"{DOCS}/{doc}", "status": "404"})


def _invalid(resource: str, *errors: dict[str, Any]) -> Answer:
    return Answer(
        422,
        {
            "message": "Validation Failed",
            "errors": [{"resource": resource, **error} for error in errors],
            "documentation_url": f"{DOCS}/issues/issues#create-an-issue",
            "status": "422",
        },
    )


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass
class Seen:
    """One request the server received."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    json: Any = None


@dataclass
class Repo:
    """A repository in the store."""

    owner: str
    name: str
    private: bool = False
    description: str = ""
    default_branch: str = "main"
    org: bool = False
    collaborators: set[str] = field(default_factory=set)
    branches: set[str] = field(default_factory=lambda: {"main"})
    labels: dict[str, dict[str, Any]] = field(default_factory=dict)
    milestones: list[dict[str, Any]] = field(default_factory=list)
    issues: list[dict[str, Any]] = field(default_factory=list)
    id: int = field(default_factory=lambda: next(_IDS))

    @property
    def full_name(self) -> str:
        """``owner/name``."""
        return f"{self.owner}/{self.name}"

    def visible_to(self, login: str) -> bool:
        """Public, or the login owns it or collaborates on it."""
        return not self.private or login == self.owner or login in self.collaborators

    def assignable(self) -> set[str]:
        """Logins that can be assigned: the collaborators, and the owner unless it is an organisation."""
        return set(self.collaborators) if self.org else {self.owner, *self.collaborators}

    def issue(self, number: int) -> dict[str, Any] | None:
        """The issue or pull request with this number."""
        return next((item for item in self.issues if item["number"] == number), None)


class GitHubServer(ThreadedServer):
    """The peer, served by uvicorn in a background thread on a free port of 127.0.0.1."""

    label = "GitHub peer"

    def __init__(self, *, prefix: str = ""):
        super().__init__()
        self.prefix = prefix.rstrip("/")
        self.tokens: dict[str, str] = {}
        self.read_only_tokens: set[str] = set()
        self.repos: dict[str, Repo] = {}
        self.requests: list[Seen] = []
        self.secondary: tuple[int, int | None] | None = None
        self.primary_reset_in: int | None = None
        self._lock = threading.Lock()
        self.serve(self._build())

    # --- setting up the store ---

    @property
    def base_url(self) -> str:
        """The API root to give as ``api_base_url``: ``http://127.0.0.1:port`` plus the prefix."""
        return f"http://127.0.0.1:{self.port}{self.prefix}"

    def reset(self) -> None:
        """Forget every token, repository, request and switch."""
        with self._lock:
            self.tokens.clear()
            self.read_only_tokens.clear()
            self.repos.clear()
            self.requests.clear()
            self.secondary = None
            self.primary_reset_in = None

    def add_token(self, token: str, login: str, *, read_only: bool = False) -> None:
        """Accept ``token`` as ``login``; a read-only token is refused every write with a 403."""
        self.tokens[token] = login
        if read_only:
            self.read_only_tokens.add(token)

    def add_repo(
        self,
        full_name: str,
        *,
        private: bool = False,
        org: bool = False,
        description: str = "",
        collaborators: Iterable[str] = (),
        labels: Iterable[str] = (),
        milestones: Iterable[str] = (),
        branches: Iterable[str] = ("main",),
    ) -> Repo:
        """Add a repository with labels, open milestones (numbered from 1) and branches; ``org``: an organisation's."""
        owner, name = full_name.split("/")
        repo = Repo(
            owner, name, private, description, org=org, collaborators=set(collaborators), branches=set(branches)
        )
        for label in labels:
            repo.labels[label.lower()] = self._label(label)
        for number, title in enumerate(milestones, start=1):
            repo.milestones.append({"id": next(_IDS), "number": number, "title": title, "state": "open"})
        self.repos[full_name.lower()] = repo
        return repo

    def limit_secondary(self, status: int = 403, retry_after: int | None = 60) -> None:
        """Answer every request with a secondary rate limit (``retry-after`` when given)."""
        self.secondary = (status, retry_after)

    def exhaust_primary(self, reset_in: int = 1800) -> None:
        """Answer every request with a spent primary rate limit that resets in ``reset_in`` seconds."""
        self.primary_reset_in = reset_in

    # --- plumbing ---

    def _build(self) -> Starlette:
        p = self.prefix
        routes = [
            Route(f"{p}/user", self._wrap(self._user)),
            Route(f"{p}/user/repos", self._wrap(self._user_repos)),
            Route(f"{p}/search/issues", self._wrap(self._search_issues)),
            Route(f"{p}/search/repositories", self._wrap(self._search_repositories)),
            Route(f"{p}/repos/{{owner}}/{{name}}", self._wrap(self._repo)),
            Route(f"{p}/repos/{{owner}}/{{name}}/issues", self._wrap(self._issues), methods=["GET", "POST"]),
            Route(
                f"{p}/repos/{{owner}}/{{name}}/issues/{{number:int}}",
                self._wrap(self._issue),
                methods=["GET", "PATCH"],
            ),
            Route(
                f"{p}/repos/{{owner}}/{{name}}/issues/{{number:int}}/comments",
                self._wrap(self._comment),
                methods=["POST"],
            ),
            Route(
                f"{p}/repos/{{owner}}/{{name}}/issues/{{number:int}}/labels",
                self._wrap(self._add_labels),
                methods=["POST"],
            ),
            Route(f"{p}/repos/{{owner}}/{{name}}/labels", self._wrap(self._labels)),
            Route(f"{p}/repos/{{owner}}/{{name}}/assignees", self._wrap(self._assignees)),
            Route(f"{p}/repos/{{owner}}/{{name}}/milestones", self._wrap(self._milestones)),
            Route(f"{p}/repos/{{owner}}/{{name}}/pulls", self._wrap(self._pulls), methods=["POST"]),
        ]
        return Starlette(routes=routes)

    def _rate_headers(self, resource: str, remaining: int | None = None) -> dict[str, str]:
        used = len(self.requests)
        left = max(RATE_LIMIT - used, 0) if remaining is None else remaining
        reset = int(time.time()) + (self.primary_reset_in or 3600)
        return {
            "x-ratelimit-limit": str(RATE_LIMIT),
            "x-ratelimit-remaining": str(left),
            "x-ratelimit-reset": str(reset),
            "x-ratelimit-used": str(used),
            "x-ratelimit-resource": resource,
        }

    def _wrap(self, handler: Handler) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            raw = await request.body()
            try:
                payload = (await request.json()) if raw else None
            except ValueError:
                return JSONResponse({"message": "Problems parsing JSON", "documentation_url": DOCS}, status_code=400)
            headers = {name.lower(): value for name, value in request.headers.items()}
            with self._lock:
                self.requests.append(
                    Seen(request.method, request.url.path, dict(request.query_params), headers, payload)
                )
            resource = "search" if "/search/" in request.url.path else "core"
            if self.secondary is not None:
                status, retry_after = self.secondary
                extra = {"retry-after": str(retry_after)} if retry_after is not None else {}
                body = {
                    "message": "You have exceeded a secondary rate limit. Please wait a few minutes before you "
                    "try again. If you reach out to GitHub Support for help, please include the request ID.",
                    "documentation_url": f"{DOCS}/using-the-rest-api/rate-limits-for-the-rest-api"
                    "#about-secondary-rate-limits",
                    "status": str(status),
                }
                return JSONResponse(body, status_code=status, headers={**self._rate_headers(resource), **extra})
            if self.primary_reset_in is not None:
                body = {
                    "message": "API rate limit exceeded for user ID 1. If you reach out to GitHub Support for "
                    "help, please include the request ID.",
                    "documentation_url": f"{DOCS}/using-the-rest-api/rate-limits-for-the-rest-api",
                    "status": "403",
                }
                return JSONResponse(body, status_code=403, headers=self._rate_headers(resource, remaining=0))
            try:
                login = self._login(headers.get("authorization", ""))
                request.state.payload = payload
                status, body, extra = handler(request, login)
            except Answer as answer:
                return JSONResponse(
                    answer.body, status_code=answer.status, headers={**self._rate_headers(resource), **answer.headers}
                )
            return JSONResponse(body, status_code=status, headers={**self._rate_headers(resource), **extra})

        return endpoint

    def _login(self, header: str) -> str:
        scheme, _, token = header.partition(" ")
        if not header:
            raise Answer(401, {"message": "Requires authentication", "documentation_url": DOCS, "status": "401"})
        login = self.tokens.get(token.strip()) if scheme.lower() in ("bearer", "token") else None
        if login is None:
            raise Answer(401, {"message": "Bad credentials", "documentation_url": DOCS, "status": "401"})
        return login

    def _payload(self, request: Request) -> dict[str, Any]:
        payload = request.state.payload
        return payload if isinstance(payload, dict) else {}

    def _token_of(self, request: Request) -> str:
        return request.headers.get("authorization", "").partition(" ")[2].strip()

    def _repo_for(self, request: Request, login: str, *, write: bool = False) -> Repo:
        key = f"{request.path_params['owner']}/{request.path_params['name']}".lower()
        repo = self.repos.get(key)
        if repo is None or not repo.visible_to(login):
            raise _not_found()
        if write and self._token_of(request) in self.read_only_tokens:
            raise Answer(
                403,
                {
                    "message": "Resource not accessible by personal access token",
                    "documentation_url": f"{DOCS}/issues/issues#create-an-issue",
                    "status": "403",
                },
            )
        return repo

    def _page(self, request: Request, items: Sequence[Any]) -> tuple[list[Any], dict[str, str]]:
        query = request.query_params
        try:
            per_page = min(max(int(query.get("per_page", "30")), 1), 100)
            page = max(int(query.get("page", "1")), 1)
        except ValueError:
            per_page, page = 30, 1
        last = max((len(items) + per_page - 1) // per_page, 1)
        links = []
        if page < last:
            links.append(f'<{request.url.include_query_params(per_page=per_page, page=page + 1)}>; rel="next"')
            links.append(f'<{request.url.include_query_params(per_page=per_page, page=last)}>; rel="last"')
        if page > 1:
            links.append(f'<{request.url.include_query_params(per_page=per_page, page=page - 1)}>; rel="prev"')
            links.append(f'<{request.url.include_query_params(per_page=per_page, page=1)}>; rel="first"')
        chunk = list(items[(page - 1) * per_page : page * per_page])
        return chunk, ({"link": ", ".join(links)} if links else {})

    # --- JSON shapes ---

    def _api(self) -> str:
        return self.base_url

    def _user_json(self, login: str) -> dict[str, Any]:
        return {
            "login": login,
            "id": abs(hash(login)) % 10**6,
            "type": "User",
            "html_url": f"https://github.com/{login}",
        }

    @staticmethod
    def _label(name: str) -> dict[str, Any]:
        return {"id": next(_IDS), "name": name, "color": "ededed", "description": f"{name} label", "default": False}

    def _repo_json(self, repo: Repo) -> dict[str, Any]:
        open_count = sum(1 for item in repo.issues if item["state"] == "open")
        return {
            "id": repo.id,
            "name": repo.name,
            "full_name": repo.full_name,
            "owner": self._user_json(repo.owner),
            "private": repo.private,
            "visibility": "private" if repo.private else "public",
            "description": repo.description or None,
            "html_url": f"https://github.com/{repo.full_name}",
            "url": f"{self._api()}/repos/{repo.full_name}",
            "default_branch": repo.default_branch,
            "open_issues_count": open_count,
            "stargazers_count": 0,
            "language": "Python",
            "archived": False,
            "updated_at": _now(),
        }

    # --- handlers: (status, body, extra headers) ---

    def _user(self, request: Request, login: str) -> tuple[int, Any, dict[str, str]]:
        return 200, {**self._user_json(login), "name": login.title()}, {}

    def _user_repos(self, request: Request, login: str) -> tuple[int, Any, dict[str, str]]:
        mine = sorted(
            (r for r in self.repos.values() if login == r.owner or login in r.collaborators),
            key=lambda r: r.full_name.lower(),
        )
        chunk, links = self._page(request, mine)
        return 200, [self._repo_json(r) for r in chunk], links

    def _repo(self, request: Request, login: str) -> tuple[int, Any, dict[str, str]]:
        return 200, self._repo_json(self._repo_for(request, login)), {}

    def _issues(self, request: Request, login: str) -> tuple[int, Any, dict[str, str]]:
        if request.method == "POST":
            repo = self._repo_for(request, login, write=True)
            return 201, self._create_issue(repo, login, self._payload(request)), {}
        repo = self._repo_for(request, login)
        state = request.query_params.get("state", "open")
        found = [i for i in reversed(repo.issues) if state == "all" or i["state"] == state]
        chunk, links = self._page(request, found)
        return 200, chunk, links

    def _check_people_and_milestone(self, repo: Repo, payload: dict[str, Any]) -> None:
        assignees = payload.get("assignees")
        if assignees is not None:
            for person in assignees:
                if person not in repo.assignable():
                    raise _invalid("Issue", {"field": "assignees", "code": "invalid", "value": person})
        milestone = payload.get("milestone")
        if milestone is not None and not any(m["number"] == milestone for m in repo.milestones):
            raise _invalid("Issue", {"field": "milestone", "code": "invalid", "value": milestone})
        for name in payload.get("labels") or []:
            if not isinstance(name, str) or not name.strip() or len(name) > 50:
                raise _invalid("Label", {"field": "labels", "code": "invalid", "value": name})

    def _labels_of(self, repo: Repo, names: Iterable[str]) -> list[dict[str, Any]]:
        out = []
        for name in names:
            label = repo.labels.setdefault(name.lower(), self._label(name))
            if label not in out:
                out.append(label)
        return out

    def _milestone(self, repo: Repo, number: int | None) -> dict[str, Any] | None:
        return next((m for m in repo.milestones if m["number"] == number), None)

    def _create_issue(self, repo: Repo, login: str, payload: dict[str, Any]) -> dict[str, Any]:
        title = payload.get("title")
        if not isinstance(title, str) or not title.strip():
            raise _invalid("Issue", {"field": "title", "code": "missing_field"})
        self._check_people_and_milestone(repo, payload)
        number = len(repo.issues) + 1
        issue = {
            "id": next(_IDS),
            "number": number,
            "title": title,
            "body": payload.get("body"),
            "state": "open",
            "state_reason": None,
            "html_url": f"https://github.com/{repo.full_name}/issues/{number}",
            "url": f"{self._api()}/repos/{repo.full_name}/issues/{number}",
            "repository_url": f"{self._api()}/repos/{repo.full_name}",
            "user": self._user_json(login),
            "labels": self._labels_of(repo, payload.get("labels") or []),
            "assignees": [self._user_json(p) for p in payload.get("assignees") or []],
            "milestone": self._milestone(repo, payload.get("milestone")),
            "comments": 0,
            "created_at": _now(),
            "updated_at": _now(),
            "closed_at": None,
        }
        repo.issues.append(issue)
        return issue

    def _issue_of(self, request: Request, repo: Repo) -> dict[str, Any]:
        issue = repo.issue(int(request.path_params["number"]))
        if issue is None:
            raise _not_found("issues/issues#get-an-issue")
        return issue

    def _issue(self, request: Request, login: str) -> tuple[int, Any, dict[str, str]]:
        repo = self._repo_for(request, login, write=request.method == "PATCH")
        issue = self._issue_of(request, repo)
        if request.method == "GET":
            return 200, issue, {}
        payload = self._payload(request)
        if "title" in payload and (not isinstance(payload["title"], str) or not payload["title"].strip()):
            raise _invalid("Issue", {"field": "title", "code": "missing_field"})
        state = payload.get("state")
        if state is not None and state not in ("open", "closed"):
            raise _invalid("Issue", {"field": "state", "code": "invalid", "value": state})
        self._check_people_and_milestone(repo, payload)
        for key in ("title", "body"):
            if key in payload:
                issue[key] = payload[key]
        if state is not None and state != issue["state"]:
            issue["state"] = state
            issue["closed_at"] = _now() if state == "closed" else None
            issue["state_reason"] = payload.get("state_reason") or ("completed" if state == "closed" else "reopened")
        if "labels" in payload:
            issue["labels"] = self._labels_of(repo, payload["labels"] or [])
        if "assignees" in payload:
            issue["assignees"] = [self._user_json(p) for p in payload["assignees"] or []]
        if "milestone" in payload:
            issue["milestone"] = self._milestone(repo, payload["milestone"])
        issue["updated_at"] = _now()
        return 200, issue, {}

    def _comment(self, request: Request, login: str) -> tuple[int, Any, dict[str, str]]:
        repo = self._repo_for(request, login, write=True)
        issue = self._issue_of(request, repo)
        body = self._payload(request).get("body")
        if not isinstance(body, str) or not body.strip():
            raise _invalid("IssueComment", {"field": "body", "code": "missing_field"})
        issue["comments"] += 1
        comment_id = next(_IDS)
        return (
            201,
            {
                "id": comment_id,
                "body": body,
                "user": self._user_json(login),
                "html_url": f"{issue['html_url']}#issuecomment-{comment_id}",
                "issue_url": issue["url"],
                "created_at": _now(),
                "updated_at": _now(),
            },
            {},
        )

    def _add_labels(self, request: Request, login: str) -> tuple[int, Any, dict[str, str]]:
        repo = self._repo_for(request, login, write=True)
        issue = self._issue_of(request, repo)
        names = self._payload(request).get("labels")
        if not isinstance(names, list) or not names:
            raise _invalid("Label", {"field": "labels", "code": "missing_field"})
        self._check_people_and_milestone(repo, {"labels": names})
        for label in self._labels_of(repo, names):
            if label not in issue["labels"]:
                issue["labels"].append(label)
        return 200, issue["labels"], {}

    def _labels(self, request: Request, login: str) -> tuple[int, Any, dict[str, str]]:
        repo = self._repo_for(request, login)
        chunk, links = self._page(request, sorted(repo.labels.values(), key=lambda label: label["name"].lower()))
        return 200, chunk, links

    def _assignees(self, request: Request, login: str) -> tuple[int, Any, dict[str, str]]:
        repo = self._repo_for(request, login)
        chunk, links = self._page(request, [self._user_json(p) for p in sorted(repo.assignable())])
        return 200, chunk, links

    def _milestones(self, request: Request, login: str) -> tuple[int, Any, dict[str, str]]:
        repo = self._repo_for(request, login)
        state = request.query_params.get("state", "open")
        chunk, links = self._page(request, [m for m in repo.milestones if state == "all" or m["state"] == state])
        return 200, chunk, links

    def _pulls(self, request: Request, login: str) -> tuple[int, Any, dict[str, str]]:
        repo = self._repo_for(request, login, write=True)
        payload = self._payload(request)
        missing = [key for key in ("title", "head", "base") if not payload.get(key)]
        if missing:
            raise _invalid("PullRequest", *({"field": key, "code": "missing_field"} for key in missing))
        head = str(payload["head"])
        owner, _, branch = head.rpartition(":")
        if (owner and owner != repo.owner) or branch not in repo.branches:
            raise _invalid("PullRequest", {"field": "head", "code": "invalid"})
        if payload["base"] not in repo.branches:
            raise _invalid("PullRequest", {"field": "base", "code": "invalid"})
        if branch == payload["base"]:
            raise _invalid("PullRequest", {"code": "custom", "message": f"No commits between {branch} and {branch}"})
        for item in repo.issues:
            if item.get("head", {}).get("ref") == branch and item["state"] == "open":
                raise _invalid(
                    "PullRequest",
                    {"code": "custom", "message": f"A pull request already exists for {repo.owner}:{branch}."},
                )
        number = len(repo.issues) + 1
        pull = {
            "id": next(_IDS),
            "number": number,
            "title": payload["title"],
            "body": payload.get("body"),
            "state": "open",
            "draft": bool(payload.get("draft", False)),
            "html_url": f"https://github.com/{repo.full_name}/pull/{number}",
            "url": f"{self._api()}/repos/{repo.full_name}/pulls/{number}",
            "repository_url": f"{self._api()}/repos/{repo.full_name}",
            "user": self._user_json(login),
            "head": {"ref": branch, "label": f"{repo.owner}:{branch}"},
            "base": {"ref": payload["base"], "label": f"{repo.owner}:{payload['base']}"},
            "labels": [],
            "assignees": [],
            "milestone": None,
            "comments": 0,
            "pull_request": {"url": f"{self._api()}/repos/{repo.full_name}/pulls/{number}"},
            "created_at": _now(),
            "updated_at": _now(),
            "closed_at": None,
        }
        repo.issues.append(pull)
        return 201, pull, {}

    # --- search ---

    @staticmethod
    def _terms(q: str) -> tuple[dict[str, list[str]], list[str]]:
        qualifiers: dict[str, list[str]] = {}
        words: list[str] = []
        for term in _SEARCH_TERM.findall(q):
            key, colon, value = term.partition(":")
            if colon and not term.startswith('"') and key.isalpha():
                qualifiers.setdefault(key.lower(), []).append(value.strip('"'))
            else:
                words.extend(term.strip('"').lower().split())
        return qualifiers, words

    def _search_issues(self, request: Request, login: str) -> tuple[int, Any, dict[str, str]]:
        qualifiers, words = self._terms(request.query_params.get("q", ""))
        repos = []
        for name in qualifiers.get("repo", []):
            repo = self.repos.get(name.lower())
            if repo is None or not repo.visible_to(login):
                raise _invalid(
                    "Search",
                    {
                        "field": "q",
                        "code": "invalid",
                        "message": "The listed users and repositories cannot be searched either because the "
                        "resources do not exist or you do not have permission to view them.",
                    },
                )
            repos.append(repo)
        if not repos:
            repos = [r for r in self.repos.values() if r.visible_to(login)]
        title_only = "title" in qualifiers.get("in", [])
        kinds = qualifiers.get("is", [])
        states = qualifiers.get("state", [])
        labels = {name.lower() for name in qualifiers.get("label", [])}
        found = []
        for repo in repos:
            for item in reversed(repo.issues):
                is_pull = "pull_request" in item
                if ("issue" in kinds and is_pull) or (("pr" in kinds or "pull-request" in kinds) and not is_pull):
                    continue
                if states and item["state"] not in states:
                    continue
                if labels and not labels <= {label["name"].lower() for label in item["labels"]}:
                    continue
                text = item["title"] if title_only else f"{item['title']} {item.get('body') or ''}"
                if all(word in text.lower() for word in words):
                    found.append(item)
        chunk, links = self._page(request, found)
        return 200, {"total_count": len(found), "incomplete_results": False, "items": chunk}, links

    def _search_repositories(self, request: Request, login: str) -> tuple[int, Any, dict[str, str]]:
        qualifiers, words = self._terms(request.query_params.get("q", ""))
        if not words and not qualifiers:
            raise _invalid("Search", {"field": "q", "code": "missing"})
        users = {u.lower() for u in qualifiers.get("user", []) + qualifiers.get("org", [])}
        found = [
            repo
            for repo in sorted(self.repos.values(), key=lambda r: r.full_name.lower())
            if repo.visible_to(login)
            and (not users or repo.owner.lower() in users)
            and all(word in f"{repo.full_name} {repo.description}".lower() for word in words)
        ]
        chunk, links = self._page(request, found)
        items = [self._repo_json(repo) for repo in chunk]
        return 200, {"total_count": len(found), "incomplete_results": False, "items": items}, links

    # --- running ---
