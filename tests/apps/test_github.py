"""The GitHub app against a local peer of GitHub's REST API on 127.0.0.1, directly and through the API."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from helpers.apps import loader_of
from helpers.github_server import GitHubServer
from nlactions.apps.github import app
from nlactions.apps.github.client import body_of
from nlactions.catalog import (
    Action,
    ActionContext,
    AppError,
    AuthExpired,
    AuthTestFailed,
    ChoiceContext,
    InvalidInput,
    UpstreamError,
    load_registry,
)
from nlactions.catalog.testing import conformance_suite, load_all_choices
from nlactions.kit.http import make_client
from nlactions.kit.ssrf import SSRFGuard
from nlactions.resolver.match import match_hint
from nlactions.settings import Settings

TOKEN = "ghp_TESTtoken0123456789abcdefghijABCDEF"
READ_ONLY = "github_pat_READONLY0123456789abcdefghij"
LOGIN = "octocat"
AUTHS = "/api/v2/apps/GitHubAPI/auths/"

test_conformance = conformance_suite(app)


@pytest.fixture(scope="module")
def github() -> Iterator[GitHubServer]:
    """One GitHub peer for the module; ``store`` refills it before each test."""
    with GitHubServer() as server:
        yield server


@pytest.fixture(autouse=True)
def store(github: GitHubServer) -> GitHubServer:
    """octocat's token, acme's widgets and gadgets, a private repo octocat cannot see, a public one."""
    github.reset()
    github.add_token(TOKEN, LOGIN)
    github.add_token(READ_ONLY, LOGIN, read_only=True)
    github.add_repo(
        "acme/widgets",
        org=True,
        description="Widgets for everyone",
        collaborators=[LOGIN, "hubot"],
        labels=["bug", "enhancement", "good first issue"],
        milestones=["v1.0", "v2.0"],
        branches=["main", "fix-crash"],
    )
    github.add_repo("acme/gadgets", org=True, collaborators=[LOGIN], private=True)
    github.add_repo("acme/secret-plans", org=True, private=True, collaborators=["someone-else"])
    github.add_repo("torvalds/linux", description="Linux kernel source tree")
    return github


def creds(github: GitHubServer, token: str = TOKEN) -> dict[str, str]:
    """The stored fields of an authentication against the peer."""
    return {"token": token, "api_base_url": github.base_url}


@pytest.fixture
async def ctx(github: GitHubServer) -> AsyncIterator[ActionContext]:
    """An action context whose client carries the token and may reach 127.0.0.1."""
    fields = creds(github)
    async with make_client(guard=SSRFGuard(["127.0.0.1:*"]), auth=app.auth.httpx_auth(fields), timeout=5) as http:
        yield ActionContext(http=http, credentials=fields)


async def context_with(github: GitHubServer, token: str) -> tuple[httpx.AsyncClient, ActionContext]:
    """A client and context for another token (close the client)."""
    fields = creds(github, token)
    http = make_client(guard=SSRFGuard(["127.0.0.1:*"]), auth=app.auth.httpx_auth(fields), timeout=5)
    return http, ActionContext(http=http, credentials=fields)


async def run(ctx: ActionContext, key: str, **params: Any) -> Any:
    """Validate ``params`` with the action's input model and perform it."""
    action: Action | None = app.action(key)
    assert action is not None
    return await action.perform(ctx, action.input.model_validate(params))


def choice_ctx(ctx: ActionContext, **params: Any) -> ChoiceContext:
    return ChoiceContext(http=ctx.http, credentials=ctx.credentials, params=params)


# --- the app's shape ----------------------------------------------------------------------------


def test_registered_as_a_builtin_with_token_auth() -> None:
    assert load_registry(include_entry_points=False).get("GitHubAPI") is app
    assert app.auth.kind == "api_key"
    fields = {f.key: f for f in app.auth.fields}
    assert fields["token"].secret and fields["token"].required
    base = fields["api_base_url"]
    assert not base.secret and not base.required
    assert "https://api.github.com" in base.help_text and "/api/v3" in base.help_text
    assert sorted(a.key for a in app.actions) == [
        "add_labels",
        "create_comment",
        "create_issue",
        "create_pull_request",
        "find_issue",
        "find_repository",
        "update_issue",
    ]
    create = app.action("create_issue")
    assert create is not None
    needs = create.needs_by_key
    assert [k for k in ("labels", "assignees", "milestone") if needs[k].depends_on == ("repo",)] == [
        "labels",
        "assignees",
        "milestone",
    ]


def test_the_base_url_field_does_not_break_the_header_template() -> None:
    request = httpx.Request("GET", "https://api.github.com/user")
    flow = app.auth.httpx_auth({"token": TOKEN, "api_base_url": "https://ghe.example.com/api/v3"})
    assert flow is not None
    sent = next(flow.auth_flow(request))
    assert sent.headers["authorization"] == f"Bearer {TOKEN}"
    without = app.auth.httpx_auth({"token": TOKEN})
    assert without is not None
    assert (
        next(without.auth_flow(httpx.Request("GET", "https://x.test/"))).headers["authorization"] == f"Bearer {TOKEN}"
    )


# --- auth ---------------------------------------------------------------------------------------


async def test_auth_test_gives_the_login_and_sends_githubs_headers(ctx: ActionContext, github: GitHubServer) -> None:
    assert app.auth.test is not None
    assert await app.auth.test(ctx) == LOGIN
    seen = github.requests[-1]
    assert seen.path == "/user"
    assert seen.headers["authorization"] == f"Bearer {TOKEN}"
    assert seen.headers["accept"] == "application/vnd.github+json"
    assert seen.headers["x-github-api-version"] == "2022-11-28"


async def test_auth_test_with_a_bad_token_fails_saying_so(github: GitHubServer) -> None:
    assert app.auth.test is not None
    http, ctx = await context_with(github, "ghp_wrong")
    async with http:
        with pytest.raises(AuthTestFailed) as caught:
            await app.auth.test(ctx)
    assert "401" in caught.value.message and "Bad credentials" in caught.value.message
    assert "personal access token" in (caught.value.hint or "")


async def test_enterprise_base_url_keeps_its_path() -> None:
    with GitHubServer(prefix="/api/v3") as enterprise:
        enterprise.add_token(TOKEN, "mona")
        enterprise.add_repo("corp/tools", collaborators=["mona"])
        fields = {"token": TOKEN, "api_base_url": enterprise.base_url + "/"}
        async with make_client(guard=SSRFGuard(["127.0.0.1:*"]), auth=app.auth.httpx_auth(fields), timeout=5) as http:
            ctx = ActionContext(http=http, credentials=fields)
            assert app.auth.test is not None
            assert await app.auth.test(ctx) == "mona"
            [issue] = [await run(ctx, "create_issue", repo="corp/tools", title="On the enterprise server")]
        assert issue["number"] == 1
        assert [s.path for s in enterprise.requests] == ["/api/v3/user", "/api/v3/repos/corp/tools/issues"]


async def test_an_enterprise_url_without_api_v3_is_named_by_the_auth_test(github: GitHubServer) -> None:
    with GitHubServer(prefix="/api/v3") as enterprise:
        enterprise.add_token(TOKEN, "mona")
        fields = {"token": TOKEN, "api_base_url": f"http://127.0.0.1:{enterprise.port}"}
        async with make_client(guard=SSRFGuard(["127.0.0.1:*"]), auth=app.auth.httpx_auth(fields), timeout=5) as http:
            assert app.auth.test is not None
            with pytest.raises(AuthTestFailed) as caught:
                await app.auth.test(ActionContext(http=http, credentials=fields))
    assert "is not GitHub's REST API root" in caught.value.message
    assert "https://HOST/api/v3" in (caught.value.hint or "")


@pytest.mark.parametrize("bad", ["ftp://ghe.example.com", "not a url", "https://ghe.example.com/api/v3?x=1"])
async def test_a_bad_base_url_names_the_field(bad: str) -> None:
    fields = {"token": TOKEN, "api_base_url": bad}
    async with make_client(guard=SSRFGuard(["127.0.0.1:*"]), auth=app.auth.httpx_auth(fields), timeout=5) as http:
        with pytest.raises(AppError) as caught:
            await run(ActionContext(http=http, credentials=fields), "find_repository", full_name="acme/widgets")
    assert caught.value.message.startswith("api_base_url: ")
    assert "https://api.github.com" in (caught.value.hint or "")


# --- choices --------------------------------------------------------------------------------------


async def test_repositories_page_through_link_headers_to_the_end(ctx: ActionContext, github: GitHubServer) -> None:
    for i in range(250):
        github.add_repo(f"octocat/repo-{i:03d}")
    github.requests.clear()
    choices = await load_all_choices(loader_of(app, "create_issue", "repo"), choice_ctx(ctx))
    keys = [c.key for c in choices]
    assert len(keys) == 252  # 250 of octocat's own, plus acme/gadgets and acme/widgets; not the invisible ones
    assert len(set(keys)) == 252
    assert keys[:2] == ["acme/gadgets", "acme/widgets"] and keys[-1] == "octocat/repo-249"
    assert "acme/secret-plans" not in keys and "torvalds/linux" not in keys
    assert [(s.path, s.query.get("page"), s.query.get("per_page")) for s in github.requests] == [
        ("/user/repos", None, "100"),
        ("/user/repos", "2", "100"),
        ("/user/repos", "3", "100"),
    ]
    gadgets = next(c for c in choices if c.key == "acme/gadgets")
    assert gadgets.label == "acme/gadgets (private)"


@pytest.mark.parametrize(("hint", "expected"), [("widgets", "acme/widgets"), ("acme/widgets", "acme/widgets")])
async def test_a_repository_guess_matches_its_choice(ctx: ActionContext, hint: str, expected: str) -> None:
    choices = await load_all_choices(loader_of(app, "create_issue", "repo"), choice_ctx(ctx))
    best, _ = match_hint(hint, choices, threshold=0.8)
    assert best is not None and best.choice.key == expected


async def test_labels_assignees_and_milestones_of_the_repository(ctx: ActionContext, github: GitHubServer) -> None:
    for i in range(130):
        github.repos["acme/widgets"].labels[f"area-{i}"] = {"id": i, "name": f"area-{i:03d}", "description": ""}
    labels = await load_all_choices(loader_of(app, "create_issue", "labels"), choice_ctx(ctx, repo="acme/widgets"))
    assert len(labels) == 133
    assert {"bug", "enhancement", "good first issue"} <= {c.key for c in labels}
    people = await load_all_choices(loader_of(app, "create_issue", "assignees"), choice_ctx(ctx, repo="acme/widgets"))
    assert [c.key for c in people] == ["hubot", LOGIN]
    milestone = loader_of(app, "create_issue", "milestone")
    milestones = await load_all_choices(milestone, choice_ctx(ctx, repo="acme/widgets"))
    assert [(c.key, c.label) for c in milestones] == [("1", "v1.0"), ("2", "v2.0")]
    assert await load_all_choices(loader_of(app, "create_issue", "labels"), choice_ctx(ctx)) == []


async def test_a_loader_for_an_invisible_repository_says_why(ctx: ActionContext) -> None:
    with pytest.raises(UpstreamError) as caught:
        await load_all_choices(loader_of(app, "create_issue", "labels"), choice_ctx(ctx, repo="acme/secret-plans"))
    assert "acme/secret-plans was not found or the token cannot see it" in caught.value.message


# --- actions --------------------------------------------------------------------------------------


async def test_create_issue_with_labels_assignees_and_milestone(ctx: ActionContext, github: GitHubServer) -> None:
    issue = await run(
        ctx,
        "create_issue",
        repo="acme/widgets",
        title="Crash on start",
        body="The app crashes.",
        labels=["bug"],
        assignees=["hubot"],
        milestone="2",
    )
    assert issue["number"] == 1
    assert issue["html_url"] == "https://github.com/acme/widgets/issues/1"
    assert issue["repository"] == "acme/widgets"
    assert (issue["labels"], issue["assignees"], issue["milestone"], issue["milestone_number"]) == (
        ["bug"],
        ["hubot"],
        "v2.0",
        2,
    )
    assert issue["author"] == LOGIN and issue["state"] == "open" and issue["is_pull_request"] is False
    assert github.requests[-1].json == {
        "title": "Crash on start",
        "body": "The app crashes.",
        "labels": ["bug"],
        "assignees": ["hubot"],
        "milestone": 2,
    }
    assert github.repos["acme/widgets"].issue(1) is not None


async def test_create_issue_sends_only_what_was_given(ctx: ActionContext, github: GitHubServer) -> None:
    await run(ctx, "create_issue", repo="acme/widgets", title="Just a title")
    assert github.requests[-1].json == {"title": "Just a title"}


async def test_find_issue_by_number_title_query_and_latest(ctx: ActionContext, github: GitHubServer) -> None:
    for title, body in [("Crash on start", "boom"), ("Crash on start page", "the page"), ("Dark mode", "please")]:
        await run(ctx, "create_issue", repo="acme/widgets", title=title, body=body)
    await run(ctx, "create_pull_request", repo="acme/widgets", head="fix-crash", title="Fix crash")
    await run(ctx, "update_issue", repo="acme/widgets", issue_number=3, state="closed")

    [one] = await run(ctx, "find_issue", repo="acme/widgets", number=2)
    assert one["title"] == "Crash on start page"
    assert await run(ctx, "find_issue", repo="acme/widgets", number=99) == []

    by_title = await run(ctx, "find_issue", repo="acme/widgets", title="crash on start")
    assert [i["number"] for i in by_title] == [1, 2]  # the exact title first; the pull request not at all
    query = github.requests[-1].query["q"]
    assert query == 'repo:acme/widgets is:issue "crash on start" in:title'

    assert [i["number"] for i in await run(ctx, "find_issue", repo="acme/widgets", query="please")] == [3]
    open_only = await run(ctx, "find_issue", repo="acme/widgets", query="please", state="open")
    assert open_only == []

    latest = await run(ctx, "find_issue", repo="acme/widgets", state="open")
    assert [i["number"] for i in latest] == [2, 1]
    assert all(not i["is_pull_request"] for i in latest)


@pytest.mark.parametrize("params", [{"number": 1}, {"query": "x"}, {}])
async def test_find_issue_in_an_invisible_repository_says_so(ctx: ActionContext, params: dict[str, Any]) -> None:
    with pytest.raises(UpstreamError) as caught:
        await run(ctx, "find_issue", repo="acme/secret-plans", **params)
    assert "not found or the token cannot see it" in caught.value.message
    assert caught.value.status_code == 404


async def test_update_issue_changes_only_what_is_given(ctx: ActionContext, github: GitHubServer) -> None:
    await run(ctx, "create_issue", repo="acme/widgets", title="Old", labels=["bug"], milestone="1")
    updated = await run(
        ctx,
        "update_issue",
        repo="acme/widgets",
        issue_number=1,
        title="New",
        state="closed",
        state_reason="not_planned",
        labels=["enhancement"],
        assignees=["hubot"],
        milestone="none",
    )
    assert github.requests[-1].json == {
        "title": "New",
        "state": "closed",
        "state_reason": "not_planned",
        "labels": ["enhancement"],
        "assignees": ["hubot"],
        "milestone": None,
    }
    assert (updated["title"], updated["state"], updated["state_reason"]) == ("New", "closed", "not_planned")
    assert (updated["labels"], updated["assignees"], updated["milestone"]) == (["enhancement"], ["hubot"], None)
    assert updated["closed_at"] is not None


async def test_update_issue_with_nothing_to_change_says_which_fields(ctx: ActionContext) -> None:
    with pytest.raises(AppError, match=r"Nothing to update: none of params\.title"):
        await run(ctx, "update_issue", repo="acme/widgets", issue_number=1)


async def test_update_of_a_missing_issue_names_it(ctx: ActionContext) -> None:
    with pytest.raises(UpstreamError) as caught:
        await run(ctx, "update_issue", repo="acme/widgets", issue_number=7, title="x")
    assert caught.value.message.startswith("GitHub answered 404 Not Found: Issue #7 in acme/widgets was not found")


async def test_create_comment(ctx: ActionContext, github: GitHubServer) -> None:
    await run(ctx, "create_issue", repo="acme/widgets", title="Crash")
    comment = await run(ctx, "create_comment", repo="acme/widgets", issue_number=1, body="Fixed in **1.0.1**.")
    assert comment["body"] == "Fixed in **1.0.1**."
    assert comment["html_url"].startswith("https://github.com/acme/widgets/issues/1#issuecomment-")
    assert (comment["issue_number"], comment["repository"], comment["author"]) == (1, "acme/widgets", LOGIN)
    assert github.repos["acme/widgets"].issue(1)["comments"] == 1  # type: ignore[index]


async def test_add_labels_keeps_the_existing_ones(ctx: ActionContext) -> None:
    await run(ctx, "create_issue", repo="acme/widgets", title="Crash", labels=["bug"])
    added = await run(ctx, "add_labels", repo="acme/widgets", issue_number=1, labels=["good first issue", "urgent"])
    assert added == {"issue_number": 1, "repository": "acme/widgets", "labels": ["bug", "good first issue", "urgent"]}


async def test_create_pull_request_into_the_default_branch(ctx: ActionContext, github: GitHubServer) -> None:
    pull = await run(
        ctx,
        "create_pull_request",
        repo="acme/widgets",
        head="fix-crash",
        title="Fix crash",
        body="Fixes #1",
        draft=True,
    )
    assert (pull["number"], pull["head"], pull["base"], pull["draft"]) == (1, "fix-crash", "main", True)
    assert pull["html_url"] == "https://github.com/acme/widgets/pull/1"
    assert github.requests[-2].path == "/repos/acme/widgets"  # the default branch was looked up
    assert github.requests[-1].json == {
        "title": "Fix crash",
        "head": "fix-crash",
        "base": "main",
        "draft": True,
        "body": "Fixes #1",
    }


async def test_create_pull_request_refusals(ctx: ActionContext) -> None:
    with pytest.raises(InvalidInput) as caught:
        await run(ctx, "create_pull_request", repo="acme/widgets", head="no-such-branch", title="x", base="main")
    assert caught.value.need == "head"
    with pytest.raises(UpstreamError, match="No commits between main and main"):
        await run(ctx, "create_pull_request", repo="acme/widgets", head="main", title="x", base="main")


async def test_find_repository_by_name_and_by_search(ctx: ActionContext) -> None:
    [found] = await run(ctx, "find_repository", full_name="acme/widgets")
    assert (found["full_name"], found["default_branch"], found["owner"]) == ("acme/widgets", "main", "acme")
    assert found["description"] == "Widgets for everyone"
    assert await run(ctx, "find_repository", full_name="acme/secret-plans") == []
    searched = await run(ctx, "find_repository", query="kernel")
    assert [r["full_name"] for r in searched] == ["torvalds/linux"]
    assert [r["full_name"] for r in await run(ctx, "find_repository", owner="acme")] == ["acme/gadgets", "acme/widgets"]
    with pytest.raises(InvalidInput) as caught:
        await run(ctx, "find_repository")
    assert caught.value.need == "full_name"


@pytest.mark.parametrize("repo", ["widgets", "acme/", "acme/wid gets", "../etc/passwd"])
async def test_a_repository_not_given_as_owner_name_names_the_need(ctx: ActionContext, repo: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        await run(ctx, "create_issue", repo=repo, title="x")
    assert caught.value.need == "repo"
    assert "owner/name" in caught.value.message


async def test_a_github_url_is_accepted_as_the_repository(ctx: ActionContext) -> None:
    issue = await run(ctx, "create_issue", repo="https://github.com/acme/widgets.git", title="From a URL")
    assert issue["repository"] == "acme/widgets"


# --- errors ---------------------------------------------------------------------------------------


async def test_404_for_a_private_repository_says_what_to_check(ctx: ActionContext) -> None:
    with pytest.raises(UpstreamError) as caught:
        await run(ctx, "create_issue", repo="acme/secret-plans", title="x")
    message = caught.value.message
    assert "acme/secret-plans was not found or the token cannot see it" in message
    assert "check owner/repo and that the token has the `repo` scope" in message
    assert caught.value.status_code == 404


async def test_401_is_auth_expired(github: GitHubServer) -> None:
    http, ctx = await context_with(github, "ghp_revoked")
    async with http:
        with pytest.raises(AuthExpired, match="Bad credentials"):
            await run(ctx, "create_issue", repo="acme/widgets", title="x")


async def test_403_without_permission_names_the_scopes(github: GitHubServer) -> None:
    http, ctx = await context_with(github, READ_ONLY)
    async with http:
        with pytest.raises(UpstreamError) as caught:
            await run(ctx, "create_comment", repo="acme/widgets", issue_number=1, body="x")
    assert "403" in caught.value.message and "Resource not accessible by personal access token" in caught.value.message
    assert "Issues: Read and write" in (caught.value.hint or "")
    assert "`repo` scope" in (caught.value.hint or "")


@pytest.mark.parametrize(("status", "retry_after", "wait"), [(403, 120, "in 120 s"), (429, None, "in 60 s")])
async def test_a_secondary_rate_limit_says_when_to_retry(
    ctx: ActionContext, github: GitHubServer, status: int, retry_after: int | None, wait: str
) -> None:
    github.limit_secondary(status, retry_after)
    with pytest.raises(UpstreamError) as caught:
        await run(ctx, "create_issue", repo="acme/widgets", title="x")
    message = caught.value.message
    assert "GitHub is rate limiting" in message and "secondary rate limit" in message
    assert "retry after " in message and wait in message
    assert caught.value.status_code == status


async def test_a_spent_primary_rate_limit_says_when_it_resets(ctx: ActionContext, github: GitHubServer) -> None:
    github.exhaust_primary(reset_in=1800)
    with pytest.raises(UpstreamError) as caught:
        await run(ctx, "find_issue", repo="acme/widgets")
    message = caught.value.message
    assert "API rate limit exceeded" in message
    seconds = int(message.split("(in ")[1].split(" s)")[0])
    assert 1700 <= seconds <= 1800


@pytest.mark.parametrize(
    ("params", "need", "fragment"),
    [
        ({"title": "   "}, "title", "is required by GitHub"),
        ({"title": "x", "assignees": ["nobody"]}, "assignees", "'nobody'"),
        ({"title": "x", "labels": ["x" * 60]}, "labels", "rejected the value"),
        ({"title": "x", "milestone": "9"}, "milestone", "9"),
    ],
)
async def test_422_names_the_need(ctx: ActionContext, params: dict[str, Any], need: str, fragment: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        await run(ctx, "create_issue", repo="acme/widgets", **params)
    assert caught.value.need == need
    assert fragment in caught.value.message
    assert "422 Validation Failed" in (caught.value.hint or "")


def test_an_answer_that_is_not_json_points_at_the_base_url() -> None:
    request = httpx.Request("GET", "https://ghe.example.com/repos/a/b")
    with pytest.raises(UpstreamError) as caught:
        body_of(httpx.Response(200, text="<html>sign in</html>", request=request))
    assert "not JSON" in caught.value.message
    assert "api_base_url" in (caught.value.hint or "")


# --- through POST /api/v2/execute/ ------------------------------------------------------------------


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shared settings, with outbound HTTP to 127.0.0.1 allowed (the GitHub peer lives there)."""
    return settings.model_copy(update={"ssrf_allow": ["127.0.0.1:*"]})


async def connect(client: httpx.AsyncClient, github: GitHubServer, token: str = TOKEN) -> dict[str, Any]:
    response = await client.post(
        AUTHS, json={"title": "GitHub", "fields": {"token": token, "api_base_url": github.base_url}}
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def execute(action: str, instructions: str = "", **params: Any) -> dict[str, Any]:
    return {"instructions": instructions, "app": "GitHubAPI", "action": action, "params": params}


def guess(value: Any) -> dict[str, Any]:
    return {"mode": "guess", "value": value}


def locked(value: Any) -> dict[str, Any]:
    return {"mode": "locked", "value": value}


async def test_open_an_issue_from_plain_english(
    client: httpx.AsyncClient, github: GitHubServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    created = await connect(client, github)
    assert created["label"] == LOGIN
    response = await client.post(
        "/api/v2/execute/",
        json=execute("create_issue", "Open an issue in acme/widgets titled 'Crash on start' saying the app crashes"),
    )
    data = response.json()
    assert data["status"] == "success", data
    resolved = data["resolved_params"]
    assert resolved["repo"] == "acme/widgets"
    assert resolved["title"] == "Crash on start"
    assert "the app crashes" in resolved["body"]
    assert resolved.get("labels") is None and resolved.get("assignees") is None and resolved.get("milestone") is None
    [result] = data["results"]
    assert result["html_url"] == "https://github.com/acme/widgets/issues/1"
    assert data["result_field_labels"]["html_url"] == "Issue URL"
    stored = github.repos["acme/widgets"].issue(1)
    assert stored is not None and stored["title"] == "Crash on start"
    assert TOKEN not in response.text and TOKEN not in caplog.text
    assert all(s.headers["authorization"] == f"Bearer {TOKEN}" for s in github.requests)


@pytest.mark.parametrize("hint", ["widgets", "acme/widgets", "Widgets"])
async def test_a_guessed_repository_resolves_through_the_prefill_loader(
    client: httpx.AsyncClient, github: GitHubServer, hint: str
) -> None:
    await connect(client, github)
    data = (
        await client.post(
            "/api/v2/execute/?preview_only=true",
            json=execute("create_issue", repo=guess(hint), title=locked("Crash on start")),
        )
    ).json()
    assert data["status"] == "preview", data
    assert data["resolved_params"]["repo"] == "acme/widgets"


async def test_the_prefill_endpoint_lists_every_repository(client: httpx.AsyncClient, github: GitHubServer) -> None:
    for i in range(250):
        github.add_repo(f"octocat/repo-{i:03d}")
    await connect(client, github)
    response = await client.post("/api/v2/apps/GitHubAPI/choices/repo.full_name.full_name/", json={"params": {}})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["is_loading"] is False
    assert len(body["results"]) == 252


async def test_a_422_through_execute_names_the_param(client: httpx.AsyncClient, github: GitHubServer) -> None:
    await connect(client, github)
    data = (
        await client.post(
            "/api/v2/execute/",
            json=execute("create_issue", repo=locked("acme/widgets"), title=locked("x"), assignees=locked(["nobody"])),
        )
    ).json()
    assert data["status"] == "error"
    assert data["error"].startswith("params.assignees: GitHub rejected the value 'nobody'")


async def test_a_revoked_token_marks_the_authentication_stale(
    client: httpx.AsyncClient, github: GitHubServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    created = await connect(client, github)
    github.tokens.pop(TOKEN)
    response = await client.post(
        "/api/v2/execute/", json=execute("create_issue", repo=locked("acme/widgets"), title=locked("x"))
    )
    data = response.json()
    assert data["status"] == "error"
    assert "GitHub refused the stored authentication" in data["error"] and "Bad credentials" in data["error"]
    listed = (await client.get(AUTHS)).json()["results"]
    assert [a["is_stale"] for a in listed if a["id"] == created["id"]] == [True]
    assert TOKEN not in response.text and TOKEN not in caplog.text


async def test_connecting_with_a_bad_token_is_a_400_without_the_token(
    client: httpx.AsyncClient, github: GitHubServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    response = await client.post(
        AUTHS, json={"title": "GitHub", "fields": {"token": "ghp_wrong_token_123", "api_base_url": github.base_url}}
    )
    assert response.status_code == 400
    assert "Bad credentials" in response.json()["error"]
    assert "ghp_wrong_token_123" not in response.text and "ghp_wrong_token_123" not in caplog.text


async def test_a_secondary_limit_through_execute_says_when(client: httpx.AsyncClient, github: GitHubServer) -> None:
    await connect(client, github)
    github.limit_secondary(403, 90)
    data = (
        await client.post(
            "/api/v2/execute/", json=execute("create_issue", repo=locked("acme/widgets"), title=locked("x"))
        )
    ).json()
    assert data["status"] == "error"
    assert "retry after" in data["error"] and "(in 90 s)" in data["error"]


async def test_the_owner_in_owner_name_is_not_taken_as_an_assignee(
    client: httpx.AsyncClient, github: GitHubServer
) -> None:
    github.add_repo(f"{LOGIN}/Hello-World")
    await connect(client, github)
    data = (
        await client.post(
            "/api/v2/execute/?preview_only=true",
            json=execute("create_issue", f"Open an issue in {LOGIN}/Hello-World titled 'Typo in README'"),
        )
    ).json()
    assert data["resolved_params"]["repo"] == f"{LOGIN}/Hello-World", data
    assert data["resolved_params"].get("assignees") is None, data["resolved_params"]
