"""The Slack app against a local peer of Slack's Web API on 127.0.0.1, directly and through the API."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic_ai import models
from pydantic_ai.messages import ModelMessage, ModelRequest, ModelResponse, ToolCallPart, UserPromptPart
from pydantic_ai.models.function import AgentInfo, FunctionModel

from conftest import make_key
from helpers.apps import loader_of
from helpers.slack_server import SlackServer
from nlactions.api.app import create_app
from nlactions.apps.slack import app
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
from nlactions.kit.ssrf import BlockedDestination, SSRFGuard
from nlactions.resolver.engine import LayeredResolver
from nlactions.resolver.extract import OfflineExtractor
from nlactions.resolver.llm import LLMExtractor
from nlactions.resolver.match import match_hint
from nlactions.settings import Settings

models.ALLOW_MODEL_REQUESTS = False

BOT = "xoxb-1111-2222-TESTbottokenABCDEFGHIJ"
USER = "xoxp-1111-3333-TESTusertokenKLMNOPQRS"
BOT_ID = "U0BOT"
ANA = "U0ANA"
AUTHS = "/api/v2/apps/SlackAPI/auths/"
EXECUTE = "/api/v2/execute/"
SEED = "Send a message with a joke about pirates delivering pizza to the #general Slack channel"
JOKE = "Why did the pirate deliver pizza? Because it was a pie-rate's treasure, with extra arrr-tichokes!"

test_conformance = conformance_suite(app)


@pytest.fixture(scope="module")
def slack() -> Iterator[SlackServer]:
    """One Slack peer for the module; ``workspace`` refills it before each test."""
    with SlackServer() as server:
        yield server


@pytest.fixture(autouse=True)
def workspace(slack: SlackServer) -> SlackServer:
    """Acme: the bot and ana's tokens, #general, #random, private #leadership, archived #old-news, people."""
    slack.reset()
    slack.add_member(BOT_ID, "nlbot", real_name="nlactions bot", is_bot=True)
    slack.add_member(ANA, "ana", real_name="Ana Lima", email="ana@acme.test")
    slack.add_member("U0BOB", "bob", real_name="Bob Stone", email="bob@acme.test")
    slack.add_member("U0GONE", "gone", real_name="Gone Away", email="gone@acme.test", deleted=True)
    slack.add_member("USLACKBOT", "slackbot", real_name="Slackbot", is_bot=False)
    slack.add_token(BOT, BOT_ID, kind="bot")
    slack.add_token(USER, ANA, kind="user")
    slack.add_channel("C0GENERAL", "general", members=[BOT_ID, ANA, "U0BOB"], purpose="Company-wide")
    slack.add_channel("C0RANDOM", "random", members=[ANA])
    slack.add_channel("G0LEAD", "leadership", is_private=True, members=[BOT_ID, ANA])
    slack.add_channel("G0HIDDEN", "hr-private", is_private=True, members=[ANA])
    slack.add_channel("C0OLD", "old-news", is_archived=True, members=[BOT_ID])
    return slack


def creds(slack: SlackServer, token: str = BOT, user_token: str | None = USER) -> dict[str, str]:
    """The stored fields of an authentication against the peer."""
    fields = {"access_token": token, "api_base_url": slack.base_url}
    if user_token:
        fields["user_token"] = user_token
    return fields


def guard(slack: SlackServer) -> SSRFGuard:
    return SSRFGuard([f"127.0.0.1:{slack.port}"])


@pytest.fixture
async def ctx(slack: SlackServer) -> AsyncIterator[ActionContext]:
    """An action context whose client carries the bot token and may reach the peer's port only."""
    fields = creds(slack)
    async with make_client(guard=guard(slack), auth=app.auth.httpx_auth(fields), timeout=5) as http:
        yield ActionContext(http=http, credentials=fields)


@pytest.fixture
async def bot_only(slack: SlackServer) -> AsyncIterator[ActionContext]:
    """A context of an authentication holding only the bot token."""
    fields = creds(slack, user_token=None)
    async with make_client(guard=guard(slack), auth=app.auth.httpx_auth(fields), timeout=5) as http:
        yield ActionContext(http=http, credentials=fields)


async def with_token(slack: SlackServer, token: str, user_token: str | None = None) -> tuple[Any, ActionContext]:
    fields = creds(slack, token, user_token)
    http = make_client(guard=guard(slack), auth=app.auth.httpx_auth(fields), timeout=5)
    return http, ActionContext(http=http, credentials=fields)


async def run(ctx: ActionContext, key: str, **params: Any) -> Any:
    """Validate ``params`` with the action's input model and perform it."""
    action: Action | None = app.action(key)
    assert action is not None
    return await action.perform(ctx, action.input.model_validate(params))


def choice_ctx(ctx: ActionContext) -> ChoiceContext:
    return ChoiceContext(http=ctx.http, credentials=ctx.credentials)


# --- the app's shape ----------------------------------------------------------------------------


def test_registered_with_oauth2_fields_and_slack_scopes() -> None:
    assert load_registry(include_entry_points=False).get("SlackAPI") is app
    assert app.auth.kind == "oauth2"
    fields = {f.key: f for f in app.auth.fields}
    assert fields["access_token"].secret and fields["access_token"].required
    assert fields["user_token"].secret and not fields["user_token"].required
    assert not fields["api_base_url"].secret and not fields["api_base_url"].required
    auth = app.auth
    assert auth.kind == "oauth2"
    assert auth.authorize_url == "https://slack.com/oauth/v2/authorize"
    assert auth.token_url == "https://slack.com/api/oauth.v2.access"
    assert {"chat:write", "channels:read", "groups:read", "users:read", "users:read.email", "reactions:write"} <= set(
        auth.scopes
    )
    assert {"search:read", "users.profile:write"} <= set(auth.user_scopes)
    assert sorted(a.key for a in app.actions) == [
        "add_reaction",
        "channel_message",
        "direct_message",
        "find_message",
        "find_user_by_email",
        "set_status",
    ]


# --- auth ---------------------------------------------------------------------------------------


async def test_auth_test_labels_team_and_user_and_checks_the_user_token(ctx: ActionContext, slack: SlackServer) -> None:
    assert app.auth.test is not None
    assert await app.auth.test(ctx) == "Acme / nlbot"
    assert [(s.method, s.token) for s in slack.requests] == [("auth.test", BOT), ("auth.test", USER)]


async def test_auth_test_with_a_bad_token_fails_saying_so(slack: SlackServer) -> None:
    assert app.auth.test is not None
    http, ctx = await with_token(slack, "xoxb-wrong")
    async with http:
        with pytest.raises(AuthTestFailed) as caught:
            await app.auth.test(ctx)
    assert "invalid_auth" in caught.value.message
    assert "Bot User OAuth Token" in (caught.value.hint or "")


async def test_auth_test_with_a_revoked_user_token_names_the_field(slack: SlackServer) -> None:
    assert app.auth.test is not None
    slack.revoked.add(USER)
    http, ctx = await with_token(slack, BOT, USER)
    async with http:
        with pytest.raises(AuthTestFailed) as caught:
            await app.auth.test(ctx)
    assert caught.value.message.startswith("user_token: ") and "token_revoked" in caught.value.message


# --- choices --------------------------------------------------------------------------------------


async def test_channels_page_to_the_end_without_archived_or_hidden_ones(ctx: ActionContext, slack: SlackServer) -> None:
    for i in range(450):
        slack.add_channel(f"C1{i:04d}", f"team-{i:03d}", members=[BOT_ID])
    slack.requests.clear()
    choices = await load_all_choices(loader_of(app, "channel_message", "channel"), choice_ctx(ctx))
    keys = [c.key for c in choices]
    assert len(keys) == 453 and len(set(keys)) == 453  # 450 + general, random, leadership
    assert {"C0GENERAL", "C0RANDOM", "G0LEAD"} <= set(keys)
    assert "C0OLD" not in keys and "G0HIDDEN" not in keys
    assert [(s.method, s.args.get("limit"), bool(s.args.get("cursor"))) for s in slack.requests] == [
        ("conversations.list", "200", False),
        ("conversations.list", "200", True),
        ("conversations.list", "200", True),
    ]
    first = slack.requests[0].args
    assert first["types"] == "public_channel,private_channel" and first["exclude_archived"] == "true"
    lead = next(c for c in choices if c.key == "G0LEAD")
    assert lead.label == "#leadership" and lead.sample == "Private channel"


async def test_users_page_to_the_end_without_bots_or_deactivated_people(ctx: ActionContext, slack: SlackServer) -> None:
    for i in range(250):
        slack.add_member(f"U1{i:04d}", f"person{i:03d}")
    choices = await load_all_choices(loader_of(app, "direct_message", "user"), choice_ctx(ctx))
    keys = [c.key for c in choices]
    assert len(keys) == 252 and keys[:2] == [ANA, "U0BOB"]
    assert BOT_ID not in keys and "U0GONE" not in keys and "USLACKBOT" not in keys
    assert choices[0].label == "@ana (Ana Lima)"


@pytest.mark.parametrize(
    ("hint", "expected"), [("#general", "C0GENERAL"), ("general", "C0GENERAL"), ("#leadership", "G0LEAD")]
)
async def test_a_channel_name_guess_resolves_to_its_id(ctx: ActionContext, hint: str, expected: str) -> None:
    choices = await load_all_choices(loader_of(app, "channel_message", "channel"), choice_ctx(ctx))
    best, _ = match_hint(hint, choices, threshold=0.8)
    assert best is not None and best.choice.key == expected


@pytest.mark.parametrize(("hint", "expected"), [("@ana", ANA), ("Bob Stone", "U0BOB")])
async def test_a_user_guess_resolves_to_its_id(ctx: ActionContext, hint: str, expected: str) -> None:
    choices = await load_all_choices(loader_of(app, "direct_message", "user"), choice_ctx(ctx))
    best, _ = match_hint(hint, choices, threshold=0.8)
    assert best is not None and best.choice.key == expected


# --- actions --------------------------------------------------------------------------------------


async def test_channel_message_as_the_bot_with_name_icon_thread_and_unfurl(
    ctx: ActionContext, slack: SlackServer
) -> None:
    first = await run(ctx, "channel_message", channel="C0GENERAL", text="Ahoy")
    assert first["channel"] == "C0GENERAL" and first["text"] == "Ahoy" and first["user"] == BOT_ID
    reply = await run(
        ctx,
        "channel_message",
        channel="C0GENERAL",
        text="Reply",
        username="Pizza Pirate",
        icon=":pizza:",
        thread_ts=first["ts"],
        unfurl_links=False,
    )
    assert reply["thread_ts"] == first["ts"]
    posted = slack.posted("C0GENERAL")[-1]
    assert posted["username"] == "Pizza Pirate" and posted["icon_emoji"] == ":pizza:"
    assert posted["unfurl_links"] is False and posted["thread_ts"] == first["ts"]
    await run(ctx, "channel_message", channel="C0GENERAL", text="pic", icon="https://example.com/p.png")
    assert slack.posted("C0GENERAL")[-1]["icon_url"] == "https://example.com/p.png"
    assert all(s.token == BOT and s.content_type == "application/x-www-form-urlencoded" for s in slack.requests)


async def test_channel_message_as_the_user_uses_the_user_token(ctx: ActionContext, slack: SlackServer) -> None:
    sent = await run(ctx, "channel_message", channel="C0RANDOM", text="From me", as_bot=False)
    assert sent["user"] == ANA
    assert slack.requests[-1].token == USER
    assert "username" not in slack.posted("C0RANDOM")[-1]


async def test_posting_as_the_user_without_a_user_token_says_what_to_add(bot_only: ActionContext) -> None:
    with pytest.raises(AppError) as caught:
        await run(bot_only, "channel_message", channel="C0RANDOM", text="x", as_bot=False)
    assert "needs a Slack user token (xoxp-…)" in caught.value.message
    assert "user_token" in (caught.value.hint or "")


async def test_direct_message_opens_the_conversation_then_posts(ctx: ActionContext, slack: SlackServer) -> None:
    sent = await run(ctx, "direct_message", user=ANA, text="Psst")
    assert [s.method for s in slack.requests] == ["conversations.open", "chat.postMessage"]
    assert slack.requests[0].args["users"] == ANA
    assert sent["channel"].startswith("D") and slack.posted(sent["channel"])[-1]["text"] == "Psst"


async def test_find_user_by_email(ctx: ActionContext) -> None:
    [ana] = await run(ctx, "find_user_by_email", email="ana@acme.test")
    assert (ana["id"], ana["name"], ana["real_name"], ana["email"]) == (ANA, "ana", "Ana Lima", "ana@acme.test")
    assert await run(ctx, "find_user_by_email", email="nobody@acme.test") == []
    with pytest.raises(InvalidInput) as caught:
        await run(ctx, "find_user_by_email", email="not-an-email")
    assert caught.value.need == "email"


async def test_find_message_searches_with_the_user_token(ctx: ActionContext, slack: SlackServer) -> None:
    await run(ctx, "channel_message", channel="C0GENERAL", text="The release is out")
    await run(ctx, "channel_message", channel="C0GENERAL", text="Lunch?")
    [found] = await run(ctx, "find_message", query="release in:#general")
    assert found["text"] == "The release is out" and found["channel_id"] == "C0GENERAL"
    assert found["permalink"].startswith("https://acme.slack.com/archives/C0GENERAL/p")
    assert slack.requests[-1].method == "search.messages" and slack.requests[-1].token == USER


async def test_find_message_with_only_a_bot_token_says_it_needs_a_user_token(
    bot_only: ActionContext, slack: SlackServer
) -> None:
    with pytest.raises(AppError) as caught:
        await run(bot_only, "find_message", query="release")
    assert "search.messages" in caught.value.message and "user token (xoxp-…)" in caught.value.message
    assert "search:read" in (caught.value.hint or "")
    assert slack.requests == []


async def test_add_reaction(ctx: ActionContext, slack: SlackServer) -> None:
    sent = await run(ctx, "channel_message", channel="C0GENERAL", text="Ship it")
    done = await run(ctx, "add_reaction", channel="C0GENERAL", timestamp=sent["ts"], name=":tada:")
    assert done == {"channel": "C0GENERAL", "timestamp": sent["ts"], "name": "tada"}
    assert slack.posted("C0GENERAL")[-1]["reactions"] == {"tada": [BOT_ID]}
    with pytest.raises(AppError) as caught:
        await run(ctx, "add_reaction", channel="C0GENERAL", timestamp=sent["ts"], name="tada")
    assert "already_reacted" in caught.value.message
    with pytest.raises(AppError) as missing:
        await run(ctx, "add_reaction", channel="C0GENERAL", timestamp="1.000000", name="tada")
    assert "message_not_found" in missing.value.message


async def test_set_status_with_the_user_token(ctx: ActionContext, slack: SlackServer, bot_only: ActionContext) -> None:
    status = await run(
        ctx, "set_status", status_text="Sailing", status_emoji="sailboat", expiration="2030-01-01T00:00:00Z"
    )
    assert status == {"status_text": "Sailing", "status_emoji": ":sailboat:", "status_expiration": 1893456000}
    assert slack.members[ANA].profile["status_text"] == "Sailing"
    assert slack.requests[-1].token == USER
    with pytest.raises(AppError) as caught:
        await run(bot_only, "set_status", status_text="x")
    assert "user token" in caught.value.message


# --- Slack's refusals ----------------------------------------------------------------------------


async def test_channel_not_found_names_the_closest_channels(ctx: ActionContext) -> None:
    with pytest.raises(AppError) as caught:
        await run(ctx, "channel_message", channel="#genral", text="x")
    message = caught.value.message
    assert "channel_not_found" in message and "Closest channels the bot can see: #general (C0GENERAL)" in message


async def test_not_in_channel_says_how_to_invite_the_bot(ctx: ActionContext) -> None:
    with pytest.raises(AppError) as caught:
        await run(ctx, "channel_message", channel="C0RANDOM", text="x")
    assert "not_in_channel" in caught.value.message
    assert "/invite @nlbot" in (caught.value.hint or "")


@pytest.mark.parametrize("how", ["invalid_auth", "token_revoked", "account_inactive"])
async def test_refused_tokens_are_auth_expired(slack: SlackServer, how: str) -> None:
    token = BOT
    if how == "invalid_auth":
        token = "xoxb-unknown"
    elif how == "token_revoked":
        slack.revoked.add(BOT)
    else:
        slack.inactive.add(BOT)
    http, ctx = await with_token(slack, token)
    async with http:
        with pytest.raises(AuthExpired) as caught:
            await run(ctx, "channel_message", channel="C0GENERAL", text="x")
    assert how in caught.value.message


async def test_429_gives_retry_after(ctx: ActionContext, slack: SlackServer) -> None:
    slack.rate_limit(42)
    with pytest.raises(UpstreamError) as caught:
        await run(ctx, "channel_message", channel="C0GENERAL", text="x")
    assert caught.value.retry_after == 42 and caught.value.retryable
    assert "ratelimited" in caught.value.message and "(in 42 s)" in caught.value.message


async def test_missing_scope_names_the_needed_scope(slack: SlackServer) -> None:
    slack.add_token("xoxb-narrow", BOT_ID, scopes=["channels:read"])
    http, ctx = await with_token(slack, "xoxb-narrow")
    async with http:
        with pytest.raises(UpstreamError) as caught:
            await run(ctx, "channel_message", channel="C0GENERAL", text="x")
    assert "missing_scope" in caught.value.message and "`chat:write`" in caught.value.message
    assert "reinstall" in (caught.value.hint or "")


async def test_not_allowed_token_type_says_a_user_token_is_needed(slack: SlackServer) -> None:
    http, ctx = await with_token(slack, BOT, user_token=BOT)  # a bot token pasted as the user token
    async with http:
        with pytest.raises(AppError) as caught:
            await run(ctx, "find_message", query="x")
    assert "not_allowed_token_type" in caught.value.message and "user token" in caught.value.message


async def test_archived_channel(ctx: ActionContext) -> None:
    with pytest.raises(AppError) as caught:
        await run(ctx, "channel_message", channel="C0OLD", text="x")
    assert "is_archived" in caught.value.message


async def test_the_base_url_must_pass_the_ssrf_guard(slack: SlackServer) -> None:
    fields = creds(slack)
    async with make_client(guard=SSRFGuard([]), auth=app.auth.httpx_auth(fields), timeout=5) as http:
        with pytest.raises(BlockedDestination) as caught:
            await run(ActionContext(http=http, credentials=fields), "channel_message", channel="C0GENERAL", text="x")
    assert f"127.0.0.1:{slack.port} to NLACTIONS_SSRF_ALLOW" in str(caught.value)
    assert slack.requests == []


# --- through the API ------------------------------------------------------------------------------


@pytest.fixture
def settings(settings: Settings, slack: SlackServer) -> Settings:
    """The shared settings, with outbound HTTP to the peer's port allowed."""
    return settings.model_copy(update={"ssrf_allow": [f"127.0.0.1:{slack.port}"]})


async def connect(client: httpx.AsyncClient, slack: SlackServer, **extra: str) -> dict[str, Any]:
    fields = {"access_token": BOT, "api_base_url": slack.base_url, **extra}
    response = await client.post(AUTHS, json={"title": "Slack", "fields": fields})
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def seed(**params: Any) -> dict[str, Any]:
    return {
        "instructions": SEED,
        "app": "SlackAPI",
        "action": "channel_message",
        "params": {"channel": {"mode": "guess", "value": "#general"}, **params},
    }


class Model:
    """A FunctionModel body answering one fixed output through the output tool."""

    def __init__(self) -> None:
        self.answer: dict[str, Any] = {}
        self.prompts: list[str] = []

    def __call__(self, messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        first = messages[0]
        assert isinstance(first, ModelRequest)
        self.prompts.append("\n".join(str(p.content) for p in first.parts if isinstance(p, UserPromptPart)))
        return ModelResponse(parts=[ToolCallPart(info.output_tools[0].name, self.answer)])


@pytest.fixture
def model() -> Model:
    return Model()


@pytest.fixture
async def llm_client(settings: Settings, model: Model) -> AsyncIterator[httpx.AsyncClient]:
    """A client of a server whose resolver is the offline reader reviewed by the FunctionModel."""
    resolver = LayeredResolver([OfflineExtractor(), LLMExtractor(FunctionModel(model, model_name="scripted"))])
    server: FastAPI = create_app(settings, registry=load_registry(), resolver=resolver, migrate=False)
    async with server.router.lifespan_context(server):
        key = await make_key(server.state.runtime)
        transport = httpx.ASGITransport(app=server)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://nlactions.test", headers={"x-api-key": key.key}
        ) as http:
            yield http


async def test_the_seed_request_with_the_llm_writing_the_joke(
    llm_client: httpx.AsyncClient, slack: SlackServer, model: Model, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    created = await connect(llm_client, slack)
    assert created["label"] == "Acme / nlbot"
    model.answer = {"text": JOKE}
    response = await llm_client.post(EXECUTE, json=seed())
    data = response.json()
    assert data["status"] == "success", data
    assert data["resolved_params"]["channel"] == "C0GENERAL"
    assert data["resolved_params"]["text"] == JOKE
    [result] = data["results"]
    assert result["channel"] == "C0GENERAL" and result["text"] == JOKE
    assert [m["text"] for m in slack.posted("C0GENERAL")] == [JOKE]
    assert "pirates delivering pizza" in model.prompts[0]
    assert BOT not in response.text and BOT not in caplog.text and BOT not in " ".join(model.prompts)


async def test_the_seed_request_without_an_llm_halts_naming_the_text(
    client: httpx.AsyncClient, slack: SlackServer
) -> None:
    await connect(client, slack)
    data = (await client.post(EXECUTE, json=seed())).json()
    assert data["status"] == "halted", data
    assert "'text'" in data["error"]
    assert slack.posted("C0GENERAL") == []


async def test_the_seed_request_through_a_stored_action_and_v1(client: httpx.AsyncClient, slack: SlackServer) -> None:
    await connect(client, slack)
    body = {
        "app": "SlackAPI",
        "action": "channel_message",
        "params": {"channel": {"mode": "guess", "value": "#general"}, "text": {"mode": "guess", "value": ""}},
        "meta": {},
    }
    response = await client.post("/api/v2/ai-actions/", json=body)
    assert response.status_code == 200, response.text
    action_id = response.json()["id"]
    v2 = (
        await client.post(
            f"/api/v2/ai-actions/{action_id}/execute/",
            json={"instructions": SEED, "params": {"text": {"mode": "locked", "value": "Arr, v2"}}},
        )
    ).json()
    assert v2["status"] == "success", v2
    v1 = await client.post(f"/api/v1/exposed/{action_id}/execute/", json={"instructions": SEED, "text": "Arr, v1"})
    assert v1.status_code == 200, v1.text
    assert v1.json()["status"] == "success", v1.json()
    assert [m["text"] for m in slack.posted("C0GENERAL")] == ["Arr, v2", "Arr, v1"]


async def test_a_revoked_token_marks_the_authentication_stale(
    client: httpx.AsyncClient, slack: SlackServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    created = await connect(client, slack)
    slack.revoked.add(BOT)
    body = seed(text={"mode": "locked", "value": "x"})
    response = await client.post(EXECUTE, json=body)
    data = response.json()
    assert data["status"] == "error" and "token_revoked" in data["error"]
    listed = (await client.get(AUTHS)).json()["results"]
    assert [a["is_stale"] for a in listed if a["id"] == created["id"]] == [True]
    assert BOT not in response.text and BOT not in caplog.text


async def test_a_rate_limit_through_execute_says_when(client: httpx.AsyncClient, slack: SlackServer) -> None:
    await connect(client, slack)
    slack.rate_limit(90)
    data = (
        await client.post(
            EXECUTE, json=seed(channel={"mode": "locked", "value": "C0GENERAL"}, text={"mode": "locked", "value": "x"})
        )
    ).json()
    assert data["status"] == "error"
    assert "retry after" in data["error"] and "(in 90 s)" in data["error"]


async def test_connecting_with_a_bad_token_is_a_400_without_the_token(
    client: httpx.AsyncClient, slack: SlackServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    response = await client.post(
        AUTHS, json={"title": "Slack", "fields": {"access_token": "xoxb-wrong-999", "api_base_url": slack.base_url}}
    )
    assert response.status_code == 400
    assert "invalid_auth" in response.json()["error"]
    assert "xoxb-wrong-999" not in response.text and "xoxb-wrong-999" not in caplog.text


def test_oauth_answer_keeps_the_rotating_user_token_pair() -> None:
    from nlactions.apps.slack.auth import auth as slack_auth

    answer = {
        "ok": True,
        "access_token": "xoxe.xoxb-1",
        "refresh_token": "xoxe-1-bot",
        "expires_in": 43200,
        "authed_user": {"id": "U1", "access_token": "xoxe.xoxp-1", "refresh_token": "xoxe-1-user", "expires_in": 43200},
    }
    fields = slack_auth.token_fields(answer)
    assert fields["access_token"] == "xoxe.xoxb-1" and fields["refresh_token"] == "xoxe-1-bot"
    assert fields["user_token"] == "xoxe.xoxp-1" and fields["user_refresh_token"] == "xoxe-1-user"
    side = slack_auth.side_token("user")
    assert side is not None
    expires = side.expires_at(fields)
    assert expires is not None and 43000 < (expires - dt.datetime.now(dt.UTC)).total_seconds() <= 43200
    # Without rotation: no refresh token, no expiry, nothing to refresh.
    plain = slack_auth.token_fields({"access_token": "xoxb-2", "authed_user": {"access_token": "xoxp-2"}})
    assert plain == {"access_token": "xoxb-2", "user_token": "xoxp-2"}
    # A user token refresh answers the new pair at the top.
    refreshed = side.refreshed_fields({"access_token": "xoxp-3", "refresh_token": "xoxe-2", "expires_at": 1700000000})
    assert refreshed == {"user_token": "xoxp-3", "user_refresh_token": "xoxe-2", "user_token_expires_at": "1700000000"}
