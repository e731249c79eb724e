"""Two accounts, every endpoint: account B reads, changes and uses nothing of account A's.

A (acme) stores one of everything: an authentication, an AI action, execution logs (one rated), cached
choices. B then calls every operation of the app's OpenAPI document, twice over: B is globex (another
user with its own key), and B is acme-labs (A's own user, a member of both accounts, with a key made
for acme-labs: a key reaches the account it was made for only). The tables below are checked against
that document: every operation needs a case, every path parameter naming a stored object needs an id
case, and every ``*_id`` query or body parameter needs a case that passes it A's value, so an endpoint
added later without one fails ``test_every_operation_has_a_tenancy_case``.

What B may learn of A: nothing. An id of A's answers exactly as an id that exists nowhere (same status,
same body once the id B sent is masked); A's account in ``account_id`` is a 403 like any account B is
not in; no answer to B contains A's titles, descriptions, credentials, results, feedback, labels or ids.
Afterwards A re-reads everything and finds it unchanged. Only a key made for all of its user's
accounts on purpose acts in A as well (``test_an_all_accounts_key_reaches_every_account_of_its_user``).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx
import httpx2
import pytest
from fastapi import FastAPI
from mcp.client.streamable_http import streamable_http_client
from pydantic import SecretStr
from sqlalchemy import select
from ulid import ULID

from conftest import make_key
from helpers.apps import directory, directory_app, recorder
from helpers.oauth import mint_token
from helpers.web import csrf_of, page_client, sign_in
from mcp import Client
from nlactions.accounts.service import CreatedKey, create_key
from nlactions.api.runtime import Runtime
from nlactions.catalog import (
    Action,
    ActionContext,
    ApiKeyAuth,
    App,
    Choice,
    ChoiceContext,
    ChoicePage,
    Needs,
    OAuth2Auth,
    need,
)
from nlactions.db.models import ExecutionLog, User
from nlactions.kit.ids import new_ulid
from nlactions.settings import ConnectClientSetting, Settings
from nlactions.signin.service import set_password

Op = tuple[str, str]
METHODS = ("get", "put", "post", "delete", "patch")
CATALOG_PATH_PARAMS = frozenset({"app", "action", "prefill"})
"""Path parameters that name catalog entries (the same for every account), not stored objects."""
NOT_TENANT_PARAMS = frozenset({"provider_id"})
"""``*_id`` parameters that name nothing stored (execute's ``provider_id`` is accepted and unused)."""
UNKNOWN_INT = 2**40
"""An authentication or account id that exists nowhere (within BIGINT, so it is a lookup, not a 422)."""

# -- LedgerAPI: an app behind an API key whose choices say whose key loaded them ----------------------

A_KEY = "sk-ledger-acmebooks"
B_KEY = "sk-ledger-globexbooks"
ledger_loads: list[tuple[str, str]] = []
"""(loader, owner of the key it ran with), one per load."""


def _owner(ctx: ChoiceContext) -> str:
    return ctx.credentials.get("api_key", "").rsplit("-", 1)[-1]


async def books(ctx: ChoiceContext) -> ChoicePage:
    owner = _owner(ctx)
    ledger_loads.append(("books", owner))
    return ChoicePage([Choice(f"book-{owner}", f"Books of {owner}")])


async def entries(ctx: ChoiceContext) -> ChoicePage:
    owner = _owner(ctx)
    ledger_loads.append(("entries", owner))
    return ChoicePage([Choice(f"{ctx.params.get('book')}/1", f"Opening balance of {owner}")])


class PostInput(Needs):
    book: str = need(label="Book", choices=books)
    entry: str | None = need(None, label="Entry", choices=entries, depends_on=["book"])
    memo: str = need(label="Memo")


async def post_entry(ctx: ActionContext, params: PostInput) -> dict[str, str]:
    return {"book": params.book, "memo": params.memo}


ledger_app = App(
    key="LedgerAPI",
    name="Ledger",
    description="Books behind an API key, for tenancy tests.",
    auth=ApiKeyAuth(),
    actions=(Action("post_entry", "write", "Entry", "Post Entry", "Post an entry to a book.", PostInput, post_entry),),
)

# An app connected with OAuth: its client is registered in settings, so connect links can be made for it.
oauth_ledger_app = App(
    key="OAuthLedgerAPI",
    name="OAuth Ledger",
    description="Books behind OAuth, for tenancy tests of the connect flow.",
    auth=OAuth2Auth(authorize_url="https://auth.example/authorize", token_url="https://auth.example/token"),
    actions=(),
)
CONNECT = "/api/v2/apps/{app}/auths/connect/"
OAUTH_CONNECT = "/api/v2/apps/OAuthLedgerAPI/auths/connect/"

# -- what A stores: every string here is A's and must never reach B -------------------------------

A_MARKERS = (
    "Acme ledger key",  # authentication title
    "acmebooks",  # credential, and the choices and book ids it loads
    "Acme month-end posting",  # stored AI action description
    "acme-confidential-memo",  # locked param, in results and logs
    "acme-private-feedback",  # rating feedback
    "owner@acme.test",  # A's user
    "(acme)",  # DirectoryAPI labels loaded for A
    "Acme private agent",  # OAuth client name
    "acme-agent.example",  # its redirect URI
)


def locked(value: Any) -> dict[str, Any]:
    return {"mode": "locked", "value": value}


def as_uuid(ulid: str) -> str:
    return str(uuid.UUID(bytes=ULID.from_str(ulid).bytes))


ULID_FORMS: tuple[Callable[[str], str], ...] = (str, str.lower, as_uuid)
"""A ULID as a path accepts it: as issued, lower case, and its UUID form."""

ECHO_RUN = {
    "instructions": "say hello",
    "app": "TestAPI",
    "action": "echo",
    "params": {"channel": locked("C001"), "text": locked("hello")},
}
ECHO_ACTION = {"app": "TestAPI", "action": "echo", "action_type": "write", "params": {}, "meta": {}}
B_ACTION = {**ECHO_ACTION, "params": {"channel": locked("C002"), "text": locked("globex")}, "description": "Greet"}
LEDGER_RUN = {
    "instructions": "post the globex memo",
    "app": "LedgerAPI",
    "action": "post_entry",
    "params": {"book": locked("book-globexbooks"), "memo": locked("globex memo")},
}
LEDGER_ACTION = {
    "app": "LedgerAPI",
    "action": "post_entry",
    "action_type": "write",
    "params": {"book": locked("book-globexbooks"), "memo": locked("globex memo")},
    "meta": {},
}
CUSTOMERS = "/api/v2/apps/DirectoryAPI/choices/open_ticket.customer/"
BOOKS = "/api/v2/apps/LedgerAPI/choices/post_entry.book/"
DETAILS = "/api/v2/apps/LedgerAPI/actions/post_entry/"


@dataclass(frozen=True)
class Call:
    """One request B (or A) sends."""

    method: str
    path: str
    params: dict[str, Any] = field(default_factory=dict)
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    def line(self) -> str:
        query = f"?{httpx.QueryParams(self.params)}" if self.params else ""
        return f"{self.method} {self.path}{query}"

    def sent(self) -> str:
        """Everything the caller put in the request: echoing it back reveals nothing."""
        return f"{self.line()} {json.dumps(self.body)} {self.headers}"


@dataclass
class Tenant:
    """One account's key and client and what it stored."""

    key: CreatedKey
    http: httpx.AsyncClient
    auth: int = 0
    oauth: int = 0  # an authentication of OAuthLedgerAPI (the connect flow's app)
    actions: list[str] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)
    clients: list[str] = field(default_factory=list)

    async def send(self, call: Call) -> httpx.Response:
        return await self.http.request(call.method, call.path, params=call.params, json=call.body, headers=call.headers)

    async def ok(self, call: Call) -> Any:
        response = await self.send(call)
        assert response.is_success, (call.line(), response.status_code, response.text)
        return response.json()


def mask(text: str, value: str) -> str:
    """``text`` with the id ``value`` (as sent) replaced, to compare answers about different ids."""
    if value.isdigit():
        return re.sub(rf"(?<!\d){value}(?!\d)", "<id>", text)
    return text.replace(value, "<id>")


@dataclass
class World:
    """A's objects, B's, and every answer B got (for the leak check)."""

    runtime: Runtime
    a: Tenant
    b: Tenant
    before: dict[str, Any] = field(default_factory=dict)
    loads_before: int = 0
    runs_before: int = 0
    answers: list[tuple[Call, httpx.Response]] = field(default_factory=list)
    markers: tuple[str, ...] = A_MARKERS
    """What of A's must never reach B (A's user's email is B's own when B is the same user)."""
    spare_auth: int = 0
    spare_action: str = ""

    async def as_b(self, call: Call) -> httpx.Response:
        """Send ``call`` as B and keep the answer for ``assert_no_leaks``."""
        response = await self.b.send(call)
        self.answers.append((call, response))
        return response

    def a_ids(self) -> list[str]:
        return [form(i) for i in [*self.a.actions, *self.a.logs] for form in ULID_FORMS]

    def leaks(self, call: Call, text: str) -> list[str]:
        """A's markers and ids in ``text`` that B did not send itself."""
        sent = call.sent().lower()
        found = [m for m in self.markers if m.lower() in text.lower()]
        for ulid in [*self.a.actions, *self.a.logs]:
            forms = [form(ulid) for form in ULID_FORMS]
            if not any(f.lower() in sent for f in forms):
                found += [f for f in forms if f in text]
        return found

    def assert_no_leaks(self) -> None:
        assert self.answers
        leaked = [(c.line(), self.leaks(c, r.text)) for c, r in self.answers if self.leaks(c, r.text)]
        assert leaked == []

    async def setup(self) -> None:
        a, b = self.a, self.b
        # A: an authentication, an AI action using it, two executions (one rated), cached choices.
        created = await a.ok(
            Call(
                "POST", "/api/v2/apps/LedgerAPI/auths/", body={"title": "Acme ledger key", "fields": {"api_key": A_KEY}}
            )
        )
        a.auth = created["id"]
        for tenant, token in ((a, "acmebooks-oauth-token"), (b, "globex-oauth-token")):
            tenant.oauth = (
                await tenant.ok(
                    Call(
                        "POST",
                        "/api/v2/apps/OAuthLedgerAPI/auths/",
                        body={"title": "OAuth ledger", "fields": {"access_token": token}},
                    )
                )
            )["id"]
        stored = {
            **LEDGER_ACTION,
            "params": {"book": locked("book-acmebooks"), "memo": locked("acme-confidential-memo")},
            "description": "Acme month-end posting",
        }
        action = await a.ok(Call("POST", "/api/v2/ai-actions/", params={"authentication_id": a.auth}, body=stored))
        a.actions.append(action["id"])
        ran = await a.ok(
            Call(
                "POST",
                f"/api/v2/ai-actions/{action['id']}/execute/",
                body={"instructions": "post it"},
                headers={"Idempotency-Key": "retry-2"},
            )
        )
        assert ran["status"] == "success", ran
        assert ran["results"] == [{"book": "book-acmebooks", "memo": "acme-confidential-memo"}]
        echoed = await a.ok(Call("POST", "/api/v2/execute/", body=ECHO_RUN, headers={"Idempotency-Key": "retry-1"}))
        a.logs += [ran["execution_log_id"], echoed["execution_log_id"]]
        rated = await a.ok(
            Call(
                "POST",
                f"/api/v2/execute/log/{echoed['execution_log_id']}/rate/",
                params={"rating": 1, "feedback": "acme-private-feedback"},
            )
        )
        assert (rated["rating"], rated["feedback"]) == (1, "acme-private-feedback")
        directory.edition = "acme"
        customers = await a.ok(Call("POST", CUSTOMERS, body={"params": {}}))
        assert customers["results"][0]["label"].endswith("(acme)")
        assert [c["key"] for c in (await a.ok(Call("POST", BOOKS, body={"params": {}})))["results"]] == [
            "book-acmebooks"
        ]
        agent = {"name": "Acme private agent", "redirect_uris": ["https://acme-agent.example/cb"]}
        a.clients.append((await a.ok(Call("POST", "/api/v2/oauth/clients/", body=agent)))["client_id"])
        self.before = await self.snapshot()
        self.loads_before = len(ledger_loads)
        # B: its own authentication, AI action and execution; the directory now answers B's way.
        directory.edition = "globex"
        b.auth = (
            await b.ok(
                Call(
                    "POST", "/api/v2/apps/LedgerAPI/auths/", body={"title": "Globex key", "fields": {"api_key": B_KEY}}
                )
            )
        )["id"]
        b.actions.append((await b.ok(Call("POST", "/api/v2/ai-actions/", body=B_ACTION)))["id"])
        ran_b = await b.ok(Call("POST", f"/api/v2/ai-actions/{b.actions[0]}/execute/", body={"instructions": "hi"}))
        assert ran_b["status"] == "success", ran_b
        b.logs.append(ran_b["execution_log_id"])
        own = {"name": "Globex agent", "redirect_uris": ["https://globex-agent.example/cb"], "public": True}
        b.clients.append((await b.ok(Call("POST", "/api/v2/oauth/clients/", body=own)))["client_id"])
        self.runs_before = len(recorder.calls)

    async def snapshot(self) -> dict[str, Any]:
        """Everything A can read about its objects, and its log rows as stored."""
        a = self.a
        state: dict[str, Any] = {
            "ai_actions": await a.ok(Call("GET", "/api/v2/ai-actions/")),
            "action": [await a.ok(Call("GET", f"/api/v2/ai-actions/{i}/")) for i in a.actions],
            "auths": await a.ok(Call("GET", "/api/v2/apps/LedgerAPI/auths/")),
            "exposed": await a.ok(Call("GET", "/api/v1/exposed/")),
            "logs": [await a.ok(Call("GET", f"/api/v1/execution-log/{i}/")) for i in a.logs],
            "accounts": await a.ok(Call("GET", "/api/v2/auth/accounts/")),
            "oauth_clients": await a.ok(Call("GET", "/api/v2/oauth/clients/")),
        }
        async with self.runtime.sessions() as session:
            rows = await session.scalars(
                select(ExecutionLog).where(ExecutionLog.account_id == a.key.account_id).order_by(ExecutionLog.id)
            )
            state["log_rows"] = [(r.id, r.status, r.rating, r.feedback, r.response) for r in rows]
        return state

    async def assert_a_unchanged(self) -> None:
        """A re-reads everything as it was, its cached choices are still its own, and its action still runs."""
        assert await self.snapshot() == self.before
        assert ("books", "acmebooks") not in ledger_loads[self.loads_before :], "something ran with A's key for B"
        first_pages = directory.first_pages("customers")
        customers = await self.a.ok(Call("POST", CUSTOMERS, body={"params": {}}))
        assert all(c["label"].endswith("(acme)") for c in customers["results"])
        assert directory.first_pages("customers") == first_pages, "A's cached choices were dropped"
        assert (await self.a.ok(Call("POST", BOOKS, body={"params": {}})))["results"][0]["key"] == "book-acmebooks"
        ran = await self.a.ok(
            Call("POST", f"/api/v2/ai-actions/{self.a.actions[0]}/execute/", body={"instructions": "x"})
        )
        assert ran["results"] == [{"book": "book-acmebooks", "memo": "acme-confidential-memo"}]


@pytest.fixture
def app(app: FastAPI) -> FastAPI:
    """The shared started app with LedgerAPI and DirectoryAPI installed."""
    app.state.runtime.registry.add(ledger_app)
    app.state.runtime.registry.add(directory_app)
    app.state.runtime.registry.add(oauth_ledger_app)
    return app


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shared settings, with an OAuth client registered for OAuthLedgerAPI."""
    client = ConnectClientSetting(client_id="ledger-client", client_secret=SecretStr("ledger-secret"))
    return settings.model_copy(update={"connect_clients": {"OAuthLedgerAPI": client}})


@pytest.fixture(autouse=True)
def fresh_loaders() -> Iterator[None]:
    directory.reset()
    ledger_loads.clear()
    recorder.calls.clear()
    yield
    directory.reset()
    ledger_loads.clear()


B_KINDS: dict[str, tuple[str, str]] = {
    "another user": ("globex", "hank@globex.test"),
    "the same user": ("acme-labs", "owner@acme.test"),
    "the same user's OAuth token": ("acme-labs", "owner@acme.test"),
}
"""Who B is: (B's account, B's user). The same user's key is made for B's account only; the OAuth kind sends
an access token granted for B's account (with the execute scope) instead of the key."""


@pytest.fixture(params=list(B_KINDS))
async def world(
    request: pytest.FixtureRequest, app: FastAPI, client: httpx.AsyncClient, key: CreatedKey, runtime: Runtime
) -> AsyncIterator[World]:
    """A (the ``client`` fixture's acme) and B (see ``B_KINDS``) with their objects stored."""
    b_account, b_user = B_KINDS[request.param]
    b_key = await make_key(runtime, account=b_account, user=b_user)
    markers = tuple(m for m in A_MARKERS if m != b_user)
    transport = httpx.ASGITransport(app=app)
    headers = {"x-api-key": b_key.key}
    if "OAuth" in request.param:
        user_id = await _user_id(runtime, b_user)
        headers = {"Authorization": f"Bearer {await mint_token(runtime, user_id, b_key.account_id)}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://nlactions.test", headers=headers) as b_http:
        built = World(runtime, Tenant(key, client), Tenant(b_key, b_http), markers=markers)
        await built.setup()
        yield built


async def _user_id(runtime: Runtime, email: str) -> int:
    async with runtime.sessions() as session:
        user = await session.scalar(select(User).where(User.email == email))
        assert user is not None
        return user.id


# -- reading the OpenAPI document --------------------------------------------------------------------


def operations(spec: dict[str, Any]) -> list[Op]:
    """Every (METHOD, path template) the document declares."""
    return [(m.upper(), path) for path, item in spec["paths"].items() for m in item if m in METHODS]


def object_params(path: str) -> set[str]:
    """Path parameters that name a stored object."""
    return set(re.findall(r"{(\w+)}", path)) - CATALOG_PATH_PARAMS


def _properties(spec: dict[str, Any], schema: dict[str, Any]) -> set[str]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return _properties(spec, spec["components"]["schemas"][name])
    found = set(schema.get("properties", {}))
    for key in ("anyOf", "oneOf", "allOf"):
        for part in schema.get(key, []):
            found |= _properties(spec, part)
    return found


def id_params(spec: dict[str, Any]) -> set[tuple[str, str, str]]:
    """(METHOD, path, name) of every query, header or body parameter named ``*_id`` that names a stored thing."""
    found: set[tuple[str, str, str]] = set()
    for method, path in operations(spec):
        operation = spec["paths"][path][method.lower()]
        names = {p["name"] for p in operation.get("parameters", []) if p["in"] != "path"}
        body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
        if body is not None:
            names |= _properties(spec, body)
        found |= {(method, path, n) for n in names if n.endswith("_id") and n not in NOT_TENANT_PARAMS}
    return found


# -- (a) lists: each account sees exactly its own -----------------------------------------------------


@dataclass(frozen=True)
class ListCase:
    call: Call
    ids: Callable[[Any], list[Any]]
    own: Callable[[Tenant], list[Any]]


def _result_ids(body: Any) -> list[Any]:
    return [r["id"] for r in body["results"]]


def _documented_actions(body: Any) -> list[str]:
    return [p.split("/")[5] for p in body["paths"] if p.endswith("/execute/")]


LIST_CASES: dict[Op, ListCase] = {
    ("GET", "/api/v2/auth/accounts/"): ListCase(
        Call("GET", "/api/v2/auth/accounts/"), _result_ids, lambda t: [t.key.account_id]
    ),
    ("GET", "/api/v2/ai-actions/"): ListCase(Call("GET", "/api/v2/ai-actions/"), _result_ids, lambda t: t.actions),
    ("GET", "/api/v2/apps/{app}/auths/"): ListCase(
        Call("GET", "/api/v2/apps/LedgerAPI/auths/"), _result_ids, lambda t: [t.auth]
    ),
    ("GET", "/api/v1/exposed/"): ListCase(Call("GET", "/api/v1/exposed/"), _result_ids, lambda t: t.actions),
    ("GET", "/api/v1/dynamic/exposed/"): ListCase(
        Call("GET", "/api/v1/dynamic/exposed/"), _result_ids, lambda t: t.actions
    ),
    ("GET", "/api/v1/dynamic/openapi.json"): ListCase(
        Call("GET", "/api/v1/dynamic/openapi.json"), _documented_actions, lambda t: t.actions
    ),
    ("GET", "/api/v2/oauth/clients/"): ListCase(
        Call("GET", "/api/v2/oauth/clients/"), lambda b: [r["client_id"] for r in b["results"]], lambda t: t.clients
    ),
    ("GET", "/api/v2/execute/log/"): ListCase(
        Call("GET", "/api/v2/execute/log/"),
        lambda b: [r["execution_log_id"] for r in b["results"]],
        lambda t: t.logs[::-1],
    ),
}


# -- (b) ids of A's objects in a path: 404 exactly as an id that exists nowhere ---------------------


@dataclass(frozen=True)
class IdCase:
    kind: Literal["ai_action", "auth", "log", "oauth_client"]
    calls: Callable[[str], list[Call]]
    refusal: Literal["404", "false"] = "404"
    """``false``: DELETE of an AI action answers a bare ``false`` for an id not in your accounts (spec)."""


AI_ACTION = "/api/v2/ai-actions/{ai_action_id}/"
AUTH = "/api/v2/apps/{app}/auths/{auth_id}/"

ID_CASES: dict[Op, IdCase] = {
    ("GET", AI_ACTION): IdCase("ai_action", lambda i: [Call("GET", f"/api/v2/ai-actions/{i}/")]),
    ("PUT", AI_ACTION): IdCase("ai_action", lambda i: [Call("PUT", f"/api/v2/ai-actions/{i}/", body=ECHO_ACTION)]),
    ("DELETE", AI_ACTION): IdCase("ai_action", lambda i: [Call("DELETE", f"/api/v2/ai-actions/{i}/")], "false"),
    ("POST", AI_ACTION + "execute/"): IdCase(
        "ai_action",
        lambda i: [
            Call("POST", f"/api/v2/ai-actions/{i}/execute/", body={"instructions": "post it"}),
            Call(
                "POST",
                f"/api/v2/ai-actions/{i}/execute/",
                body={"instructions": "post it"},
                headers={"Idempotency-Key": "retry-2"},
            ),
            Call(
                "POST", f"/api/v2/ai-actions/{i}/execute/", params={"preview_only": "true"}, body={"instructions": ""}
            ),
        ],
    ),
    ("POST", AI_ACTION + "preview/"): IdCase(
        "ai_action", lambda i: [Call("POST", f"/api/v2/ai-actions/{i}/preview/", body={"instructions": "post it"})]
    ),
    ("PUT", AUTH): IdCase(
        "auth",
        lambda i: [
            Call("PUT", f"/api/v2/apps/LedgerAPI/auths/{i}/", body={"title": "Globex now"}),
            Call("PUT", f"/api/v2/apps/LedgerAPI/auths/{i}/", body={"fields": {"api_key": B_KEY}}),
        ],
    ),
    ("DELETE", AUTH): IdCase("auth", lambda i: [Call("DELETE", f"/api/v2/apps/LedgerAPI/auths/{i}/")]),
    ("POST", "/api/v2/execute/log/{execution_log_id}/rate/"): IdCase(
        "log",
        lambda i: [
            Call("POST", f"/api/v2/execute/log/{i}/rate/", params={"rating": -1, "feedback": "globex was here"}),
            Call("POST", f"/api/v2/execute/log/{i}/rate/"),
        ],
    ),
    ("POST", "/api/v1/exposed/{exposed_app_action_id}/execute/"): IdCase(
        "ai_action",
        lambda i: [
            Call("POST", f"/api/v1/exposed/{i}/execute/", body={"instructions": "post it"}),
            Call("POST", f"/api/v1/exposed/{i}/execute/", body={"instructions": "post it", "preview_only": True}),
        ],
    ),
    ("POST", "/api/v1/dynamic/exposed/{exposed_app_action_id}/execute/"): IdCase(
        "ai_action", lambda i: [Call("POST", f"/api/v1/dynamic/exposed/{i}/execute/", body={"instructions": "post it"})]
    ),
    ("GET", "/api/v1/execution-log/{execution_log_id}/"): IdCase(
        "log", lambda i: [Call("GET", f"/api/v1/execution-log/{i}/")]
    ),
    ("GET", "/api/v2/execute/log/{execution_log_id}/"): IdCase(
        "log", lambda i: [Call("GET", f"/api/v2/execute/log/{i}/")]
    ),
    ("DELETE", "/api/v2/oauth/clients/{client_id}/"): IdCase(
        "oauth_client", lambda i: [Call("DELETE", f"/api/v2/oauth/clients/{i}/")]
    ),
}


def id_pairs(world: World, kind: str) -> list[tuple[str, str]]:
    """(A's id, an id that exists nowhere), in every form a path accepts."""
    if kind == "auth":
        return [(str(world.a.auth), str(UNKNOWN_INT))]
    if kind == "oauth_client":
        return [(world.a.clients[0], "nlc_" + new_ulid())]
    ids = world.a.actions if kind == "ai_action" else world.a.logs
    return [(form(theirs), form(new_ulid())) for theirs in ids for form in ULID_FORMS]


# -- (c) A's account or authentication in a query or body: refused as one that does not exist --------


@dataclass(frozen=True)
class ParamCase:
    """A request of B's own that becomes A's when ``value`` is A's; ``refusal`` is the status it gets then."""

    call: Callable[[World, int], Call]
    refusal: int


def _tenant_values(world: World, name: str) -> tuple[int, int]:
    """(A's value, B's own value) of an ``account_id`` or ``authentication_id``."""
    if name == "account_id":
        return world.a.key.account_id, world.b.key.account_id
    return world.a.auth, world.b.auth


RATE = "/api/v2/execute/log/{execution_log_id}/rate/"
AUTHS = "/api/v2/apps/{app}/auths/"
AI_ACTIONS = "/api/v2/ai-actions/"
ACTION_DETAILS = "/api/v2/apps/{app}/actions/{action}/"
CHOICES = "/api/v2/apps/{app}/choices/{prefill}/"

LOGS = "/api/v2/execute/log/"

PARAM_CASES: dict[tuple[str, str, str], ParamCase] = {
    ("GET", LOGS, "account_id"): ParamCase(lambda w, v: Call("GET", LOGS, params={"account_id": v}), 403),
    ("GET", LOGS + "{execution_log_id}/", "account_id"): ParamCase(
        lambda w, v: Call("GET", f"{LOGS}{w.b.logs[0]}/", params={"account_id": v}), 403
    ),
    # A's AI action as a filter finds none of B's logs, as an id that exists nowhere (or B's own, its runs).
    ("GET", LOGS, "ai_action_id"): ParamCase(
        lambda w, v: Call(
            "GET",
            LOGS,
            params={"ai_action_id": {w.a.auth: w.a.actions[0], w.b.auth: w.b.actions[0]}.get(v, new_ulid())},
        ),
        200,
    ),
    ("POST", "/api/v2/execute/", "account_id"): ParamCase(
        lambda w, v: Call("POST", "/api/v2/execute/", body={**ECHO_RUN, "account_id": v}), 403
    ),
    # A's authentication id (its OAuthLedgerAPI one) cannot be reconnected by B: 404 as for an unknown id.
    ("POST", CONNECT, "authentication_id"): ParamCase(
        lambda w, v: Call(
            "POST", OAUTH_CONNECT, body={"authentication_id": {w.a.auth: w.a.oauth, w.b.auth: w.b.oauth}.get(v, v)}
        ),
        404,
    ),
    ("POST", CONNECT, "account_id"): ParamCase(
        lambda w, v: Call("POST", OAUTH_CONNECT, params={"account_id": v}, body={}), 403
    ),
    ("POST", "/api/v2/execute/", "authentication_id"): ParamCase(
        lambda w, v: Call("POST", "/api/v2/execute/", body={**LEDGER_RUN, "authentication_id": v}), 412
    ),
    ("POST", RATE, "account_id"): ParamCase(
        lambda w, v: Call("POST", f"/api/v2/execute/log/{w.b.logs[0]}/rate/", params={"rating": 1, "account_id": v}),
        403,
    ),
    ("GET", AUTHS, "account_id"): ParamCase(
        lambda w, v: Call("GET", "/api/v2/apps/LedgerAPI/auths/", params={"account_id": v}), 403
    ),
    ("POST", AUTHS, "account_id"): ParamCase(
        lambda w, v: Call(
            "POST",
            "/api/v2/apps/KeyedAPI/auths/",
            params={"account_id": v},
            body={"title": "Globex keyed", "fields": {"api_key": "sk-keyed-globex"}},
        ),
        403,
    ),
    ("PUT", AUTH, "account_id"): ParamCase(
        lambda w, v: Call(
            "PUT", f"/api/v2/apps/LedgerAPI/auths/{w.b.auth}/", params={"account_id": v}, body={"title": "Globex key"}
        ),
        403,
    ),
    ("DELETE", AUTH, "account_id"): ParamCase(
        lambda w, v: Call("DELETE", f"/api/v2/apps/KeyedAPI/auths/{w.spare_auth}/", params={"account_id": v}), 403
    ),
    ("GET", AI_ACTIONS, "account_id"): ParamCase(lambda w, v: Call("GET", AI_ACTIONS, params={"account_id": v}), 403),
    ("POST", AI_ACTIONS, "account_id"): ParamCase(
        lambda w, v: Call("POST", AI_ACTIONS, params={"account_id": v}, body=ECHO_ACTION), 403
    ),
    ("POST", AI_ACTIONS, "authentication_id"): ParamCase(
        lambda w, v: Call("POST", AI_ACTIONS, params={"authentication_id": v}, body=LEDGER_ACTION), 400
    ),
    ("PUT", AI_ACTION, "account_id"): ParamCase(
        lambda w, v: Call("PUT", f"{AI_ACTIONS}{w.b.actions[0]}/", params={"account_id": v}, body=ECHO_ACTION), 403
    ),
    ("PUT", AI_ACTION, "authentication_id"): ParamCase(
        lambda w, v: Call("PUT", f"{AI_ACTIONS}{w.spare_action}/", params={"authentication_id": v}, body=LEDGER_ACTION),
        400,
    ),
    ("POST", ACTION_DETAILS, "account_id"): ParamCase(
        lambda w, v: Call("POST", DETAILS, params={"account_id": v}, body={"params": {}}), 403
    ),
    ("POST", ACTION_DETAILS, "authentication_id"): ParamCase(
        lambda w, v: Call(
            "POST", DETAILS, params={"authentication_id": v}, body={"params": {"book": "book-globexbooks"}}
        ),
        412,
    ),
    ("POST", CHOICES, "account_id"): ParamCase(
        lambda w, v: Call("POST", CUSTOMERS, params={"account_id": v}, body={"params": {}}), 403
    ),
    ("POST", CHOICES, "authentication_id"): ParamCase(
        lambda w, v: Call("POST", BOOKS, params={"authentication_id": v}, body={"params": {}}), 412
    ),
}


# -- the other operations: B uses them normally and gets only its own or the catalog's data ----------


async def _health(w: World) -> None:
    assert (await w.as_b(Call("GET", "/api/v2/health/"))).json() == "OK"


async def _check(w: World, path: str) -> None:
    body = (await w.as_b(Call("GET", path))).json()
    assert body["email"] == w.b.key.user_email


async def _configuration_link(w: World) -> None:
    response = await w.as_b(Call("GET", "/api/v1/configuration-link/"))
    assert response.status_code == 200


async def _execute(w: World) -> None:
    # An Idempotency-Key A used is B's to use too: B's run is its own, not a replay of A's ...
    same = await w.as_b(Call("POST", "/api/v2/execute/", body=ECHO_RUN, headers={"Idempotency-Key": "retry-1"}))
    assert same.status_code == 200, same.text
    assert same.json()["status"] == "success"
    assert same.json()["execution_log_id"] not in w.a.logs
    assert len(recorder.calls) == w.runs_before + 1
    # ... and not "already used for a different request", which would tell B that A sent it.
    other = {**ECHO_RUN, "params": {"channel": locked("C002"), "text": locked("bye")}}
    again = await w.as_b(Call("POST", "/api/v2/execute/", body=other, headers={"Idempotency-Key": "retry-2"}))
    assert again.status_code == 200, again.text
    ledger = await w.as_b(Call("POST", "/api/v2/execute/", body={**LEDGER_RUN, "authentication_id": w.b.auth}))
    assert ledger.json()["results"] == [{"book": "book-globexbooks", "memo": "globex memo"}]


async def _create_ai_action(w: World) -> None:
    created = await w.as_b(Call("POST", AI_ACTIONS, body={**ECHO_ACTION, "action": "find"}))
    assert created.json()["account_id"] == w.b.key.account_id


async def _create_authentication(w: World) -> None:
    created = await w.as_b(
        Call("POST", "/api/v2/apps/KeyedAPI/auths/", body={"title": "Globex keyed", "fields": {"api_key": "sk-k-9"}})
    )
    assert created.status_code == 201 and created.json()["account_id"] == w.b.key.account_id


async def _search_apps(w: World) -> None:
    found = await w.as_b(Call("GET", "/api/v2/apps/search/", params={"query": "ledger books"}))
    assert "LedgerAPI" in [a["app"] for a in found.json()["results"]]


async def _app_details(w: World) -> None:
    assert (await w.as_b(Call("GET", "/api/v2/apps/LedgerAPI/"))).status_code == 200


async def _search_actions(w: World) -> None:
    found = await w.as_b(Call("GET", "/api/v2/apps/LedgerAPI/actions/"))
    assert [a["action"] for a in found.json()["results"]] == ["post_entry"]


async def _action_details(w: World) -> None:
    response = await w.as_b(
        Call("POST", DETAILS, params={"authentication_id": w.b.auth}, body={"params": {"book": "book-globexbooks"}})
    )
    needs = {n["key"]: n for n in response.json()["results"][0]["action_needs"]}
    assert [c["label"] for c in needs["entry"]["choices"]] == ["Opening balance of globexbooks"]


async def _guess_actions(w: World) -> None:
    guessed = await w.as_b(Call("POST", "/api/v2/guess-actions/", body={"query": "post an entry to a ledger book"}))
    assert guessed.status_code == 200


async def _choices(w: World) -> None:
    # (d) A's customers are cached for A; B loads its own list rather than getting A's.
    customers = await w.as_b(Call("POST", CUSTOMERS, body={"params": {}}))
    assert customers.status_code == 200, customers.text
    assert all(c["label"].endswith("(globex)") for c in customers.json()["results"])
    assert directory.first_pages("customers") == 2
    booked = await w.as_b(Call("POST", BOOKS, body={"params": {}}))
    assert [c["key"] for c in booked.json()["results"]] == ["book-globexbooks"]
    assert ledger_loads[-1] == ("books", "globexbooks")


async def _create_oauth_client(w: World) -> None:
    body = {"name": "Globex second agent", "redirect_uris": ["https://globex-agent.example/two"]}
    created = await w.as_b(Call("POST", "/api/v2/oauth/clients/", body=body))
    assert created.status_code == 201 and created.json()["account_id"] == w.b.key.account_id
    assert created.json()["client_secret"].startswith("nlcs_")


async def _connect(w: World) -> None:
    link = await w.as_b(Call("POST", OAUTH_CONNECT, body={"authentication_id": w.b.oauth}))
    assert link.status_code == 201 and "/connect/OAuthLedgerAPI/?state=" in link.json()["connect_url"]


PLAIN_CASES: dict[Op, Callable[[World], Any]] = {
    ("GET", "/api/v2/health/"): _health,
    ("GET", "/api/v2/auth/check/"): lambda w: _check(w, "/api/v2/auth/check/"),
    ("GET", "/api/v1/check/"): lambda w: _check(w, "/api/v1/check/"),
    ("GET", "/api/v1/configuration-link/"): _configuration_link,
    ("POST", "/api/v2/execute/"): _execute,
    ("POST", AI_ACTIONS): _create_ai_action,
    ("POST", AUTHS): _create_authentication,
    ("GET", "/api/v2/apps/search/"): _search_apps,
    ("GET", "/api/v2/apps/{app}/"): _app_details,
    ("GET", "/api/v2/apps/{app}/actions/"): _search_actions,
    ("POST", ACTION_DETAILS): _action_details,
    ("POST", "/api/v2/guess-actions/"): _guess_actions,
    ("POST", CHOICES): _choices,
    ("POST", "/api/v2/oauth/clients/"): _create_oauth_client,
    ("POST", CONNECT): _connect,
}


# -- the tests -------------------------------------------------------------------------------------


async def test_every_operation_has_a_tenancy_case(app: FastAPI) -> None:
    spec = app.openapi()
    ops = operations(spec)
    tables = [set(LIST_CASES), set(ID_CASES), set(PLAIN_CASES)]
    assert sorted(set(ops) - set().union(*tables)) == [], "operations without a tenancy case: add one"
    assert sorted(set().union(*tables) - set(ops)) == [], "cases for operations the API no longer has"
    assert sum(len(t) for t in tables) == len(set(ops)), "an operation is in two tables"
    assert {op for op in ops if object_params(op[1])} == set(ID_CASES), "a path naming a stored object needs an id case"
    assert id_params(spec) == set(PARAM_CASES), "an *_id parameter needs a case passing it A's value"


async def test_lists_show_each_account_only_its_own(world: World) -> None:
    spec = (await world.a.http.get("/openapi.json")).json()
    for op in operations(spec):
        if op not in LIST_CASES:
            continue
        case = LIST_CASES[op]
        assert case.ids(await world.a.ok(case.call)) == case.own(world.a), op
        response = await world.as_b(case.call)
        assert response.status_code == 200, (op, response.text)
        assert case.ids(response.json()) == case.own(world.b), op
    accounts = (await world.b.ok(Call("GET", "/api/v2/auth/accounts/")))["results"]
    assert [a["name"] for a in accounts] == [world.b.key.account_name]
    world.assert_no_leaks()
    await world.assert_a_unchanged()


async def test_ids_of_another_account_answer_as_ids_that_do_not_exist(world: World) -> None:
    spec = (await world.a.http.get("/openapi.json")).json()
    swept = 0
    for op in operations(spec):
        if not object_params(op[1]):
            continue
        case = ID_CASES[op]
        for theirs, unknown in id_pairs(world, case.kind):
            for call, control in zip(case.calls(theirs), case.calls(unknown), strict=True):
                response = await world.as_b(call)
                nowhere = await world.as_b(control)
                if case.refusal == "false":
                    assert (response.status_code, response.json()) == (200, False), call.line()
                else:
                    assert response.status_code == 404, (call.line(), response.status_code, response.text)
                    assert isinstance(response.json()["error"], str)
                assert mask(response.text, theirs) == mask(nowhere.text, unknown), call.line()
                swept += 1
    assert swept > 50
    assert len(recorder.calls) == world.runs_before, "an action ran for B"
    world.assert_no_leaks()
    await world.assert_a_unchanged()


async def test_another_accounts_account_or_authentication_in_a_request_is_refused(world: World) -> None:
    world.spare_auth = (
        await world.b.ok(
            Call("POST", "/api/v2/apps/KeyedAPI/auths/", body={"title": "spare", "fields": {"api_key": "sk-spare"}})
        )
    )["id"]
    world.spare_action = (await world.b.ok(Call("POST", AI_ACTIONS, body=ECHO_ACTION)))["id"]
    spec = (await world.a.http.get("/openapi.json")).json()
    for method, path, name in sorted(id_params(spec)):
        case = PARAM_CASES[(method, path, name)]
        theirs, own = _tenant_values(world, name)
        call = case.call(world, theirs)
        response = await world.as_b(call)
        nowhere = await world.as_b(case.call(world, UNKNOWN_INT))
        assert response.status_code == case.refusal, (call.line(), response.status_code, response.text)
        assert mask(response.text, str(theirs)) == mask(nowhere.text, str(UNKNOWN_INT)), call.line()
        control = await world.as_b(case.call(world, own))
        assert control.is_success, ("B's own value should work", control.request.url, control.text)
    world.assert_no_leaks()
    await world.assert_a_unchanged()


async def test_other_endpoints_give_b_its_own_data_and_never_as(world: World) -> None:
    spec = (await world.a.http.get("/openapi.json")).json()
    for op in operations(spec):
        if op in PLAIN_CASES:
            await PLAIN_CASES[op](world)
    unexpected = [(c.line(), r.status_code, r.text) for c, r in world.answers if not r.is_success]
    assert unexpected == []
    world.assert_no_leaks()
    await world.assert_a_unchanged()


@pytest.mark.parametrize("world", ["the same user"], indirect=True)
async def test_an_all_accounts_key_reaches_every_account_of_its_user(app: FastAPI, world: World) -> None:
    async with world.runtime.sessions() as session, session.begin():
        wide = await create_key(
            session, account_name=world.b.key.account_name, user_email=world.b.key.user_email, all_accounts=True
        )
    a_id = world.a.key.account_id
    spare_body = {"title": "Acme spare", "fields": {"api_key": "sk-k-acme"}}
    spare = await world.a.ok(Call("POST", "/api/v2/apps/KeyedAPI/auths/", body=spare_body))
    transport = httpx.ASGITransport(app=app)
    headers = {"x-api-key": wide.key}
    async with httpx.AsyncClient(transport=transport, base_url="http://nlactions.test", headers=headers) as http:
        both = Tenant(wide, http)
        accounts = await both.ok(Call("GET", "/api/v2/auth/accounts/"))
        assert sorted(a["id"] for a in accounts["results"]) == sorted([a_id, world.b.key.account_id])
        # Without account_id it acts in the account it was made in; with A's, in A.
        assert _result_ids(await both.ok(Call("GET", "/api/v2/apps/LedgerAPI/auths/"))) == [world.b.auth]
        listed = await both.ok(Call("GET", "/api/v2/apps/LedgerAPI/auths/", params={"account_id": a_id}))
        assert _result_ids(listed) == [world.a.auth]
        assert _result_ids(await both.ok(Call("GET", AI_ACTIONS, params={"account_id": a_id}))) == world.a.actions
        books = await both.ok(Call("POST", BOOKS, params={"account_id": a_id}, body={"params": {}}))
        assert [c["key"] for c in books["results"]] == ["book-acmebooks"]
        ran = await both.ok(Call("POST", "/api/v2/execute/", body={**ECHO_RUN, "account_id": a_id}))
        assert ran["status"] == "success", ran
        for log_id in [*world.a.logs, ran["execution_log_id"]]:
            assert (await both.ok(Call("GET", f"/api/v1/execution-log/{log_id}/")))["id"] == log_id
        deleted = await both.ok(
            Call("DELETE", f"/api/v2/apps/KeyedAPI/auths/{spare['id']}/", params={"account_id": a_id})
        )
        assert deleted is True
    assert _result_ids(await world.a.ok(Call("GET", "/api/v2/apps/KeyedAPI/auths/"))) == []
    # The key made for B's account alone still reaches none of this.
    refused = await world.as_b(Call("GET", "/api/v2/apps/LedgerAPI/auths/", params={"account_id": a_id}))
    assert refused.status_code == 403


# -- the console: B signed in to the web pages ---------------------------------------------------------

CONSOLE_ID_ROUTES: dict[tuple[str, str], str] = {
    ("GET", "/console/connections/{auth_id}/"): "auth",
    ("POST", "/console/connections/{auth_id}/{verb}/"): "auth",
    ("GET", "/console/ai-actions/{ai_action_id}/"): "action",
    ("POST", "/console/ai-actions/{ai_action_id}/"): "action",
    ("POST", "/console/ai-actions/{ai_action_id}/delete/"): "action",
    ("POST", "/console/ai-actions/{ai_action_id}/try/"): "action",
    ("GET", "/console/runs/{log_id}/"): "log",
    ("POST", "/console/runs/{log_id}/rate/"): "log",
    ("POST", "/console/keys/{key_id}/revoke/"): "key",
}
"""Console routes naming a stored object, and which kind of A's ids B sends them."""
CONSOLE_CATALOG_ROUTES = frozenset({("GET", "/console/apps/{app_key}/")})
CONSOLE_PAGES: dict[tuple[str, str], list[str]] = {
    ("GET", "/console/"): ["/console/"],
    ("GET", "/console/apps/"): ["/console/apps/", "/console/apps/?q=ledger"],
    ("GET", "/console/connections/"): ["/console/connections/"],
    ("GET", "/console/connections/new/"): ["/console/connections/new/?app=LedgerAPI"],
    ("GET", "/console/ai-actions/"): ["/console/ai-actions/"],
    ("GET", "/console/ai-actions/new/"): ["/console/ai-actions/new/?app=LedgerAPI&action=post_entry"],
    ("GET", "/console/runs/"): ["/console/runs/", "/console/runs/?app=LedgerAPI", "/console/runs/?status=success"],
    ("GET", "/console/keys/"): ["/console/keys/"],
}
"""Console pages without an id, as B reads them (their choices load with B's connection)."""
CONSOLE_FORMS = frozenset(
    {
        ("POST", "/console/connections/new/"),
        ("POST", "/console/connections/connect/"),  # the connect service scopes authentication_id itself
        ("POST", "/console/ai-actions/new/"),
        ("POST", "/console/keys/"),
    }
)
"""Console forms that create B's own objects (``test_b_creates_in_its_own_account_from_the_console``)."""
VERBS = ("rename", "reconnect", "test", "delete")


def console_routes() -> set[tuple[str, str]]:
    """Every (METHOD, path template) the console serves: its own router's and each page module's."""
    from nlactions.console import endpoints

    found = set()
    routers = [(endpoints.router, ""), *((module.router, endpoints.PREFIX) for module in endpoints.PAGE_MODULES)]
    for router, prefix in routers:
        for route in router.routes:
            path, methods = getattr(route, "path", None), getattr(route, "methods", None)
            if path is not None and methods is not None:
                found |= {(method, prefix + path) for method in methods - {"HEAD"}}
    return found


async def test_every_console_route_has_a_tenancy_case(app: FastAPI) -> None:
    known = set(CONSOLE_ID_ROUTES) | CONSOLE_CATALOG_ROUTES | set(CONSOLE_PAGES) | CONSOLE_FORMS
    assert console_routes() == known
    for (method, template), _kind in CONSOLE_ID_ROUTES.items():  # each is really served where the table says
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://nlactions.test") as http:
            path = re.sub(r"\{[a-z_]+\}", "x", template)
            answer = await http.request(method, path)
        assert answer.status_code in (303, 403), (method, path, answer.status_code)


async def _console_as_b(world: World, http: httpx.AsyncClient) -> str:
    """Sign ``http`` in as B with B's account current (A's user is a member of both when B is A's); its token."""
    async with world.runtime.sessions() as session, session.begin():
        await set_password(session, email=world.b.key.user_email, password="b's passphrase")
    assert (await sign_in(http, world.b.key.user_email, "b's passphrase")).status_code == 303
    page = await http.get("/console/keys/")
    moved = await http.post(
        "/signin/account/", data={"csrf_token": csrf_of(page.text), "account_id": str(world.b.key.account_id)}
    )
    assert moved.status_code == 303
    keys = await http.get("/console/keys/")
    assert f"API keys of {world.b.key.account_name}<" in keys.text
    return csrf_of(keys.text)


def _console_ids(world: World, kind: str) -> list[tuple[str, str]]:
    """(A's id, an id of that kind that exists nowhere), in every form a path accepts."""
    if kind == "auth":
        return [(str(world.a.auth), str(UNKNOWN_INT))]
    if kind == "key":
        return [(str(world.a.key.key_id), str(UNKNOWN_INT))]
    own = world.a.actions if kind == "action" else world.a.logs
    unknown = new_ulid()
    return [(form(ident), form(unknown)) for ident in own for form in ULID_FORMS]


async def test_console_ids_of_another_account_answer_as_ids_that_do_not_exist(world: World, app: FastAPI) -> None:
    async with page_client(app) as http:
        token = await _console_as_b(world, http)
        form = {
            "csrf_token": token,
            "title": "Globex takes it",
            "field__api_key": "sk-globex-takeover",
            "intent": "save",
            "description": "Globex took it",
            "mode__book": "fixed",
            "fixed__book": "book-globexbooks",
            "instructions": "post it",
            "rating": "-1",
            "feedback": "globex was here",
        }
        swept = 0
        for (method, template), kind in sorted(CONSOLE_ID_ROUTES.items()):
            for verb in VERBS if "{verb}" in template else ("",):
                for theirs, unknown in _console_ids(world, kind):
                    answers = []
                    for ident in (theirs, unknown):
                        path = re.sub(r"\{(auth_id|ai_action_id|log_id|key_id)\}", ident, template)
                        path = path.replace("{verb}", verb)
                        call = Call(method, path)
                        response = await (http.get(path) if method == "GET" else http.post(path, data=form))
                        world.answers.append((call, response))
                        answers.append(response)
                    response, nowhere = answers
                    assert response.status_code == 404, (method, template, verb, response.status_code)
                    # A page names the id only inside its own path (the account switcher's ``next``).
                    seen, control = (
                        response.text.replace(f"/{theirs}/", "/<id>/"),
                        nowhere.text.replace(f"/{unknown}/", "/<id>/"),
                    )
                    assert seen == control, (method, template, verb)
                    swept += 1
        assert swept > 20
        for pages in CONSOLE_PAGES.values():
            for path in pages:
                response = await http.get(path, follow_redirects=True)
                assert response.status_code == 200, (path, response.text)
                world.answers.append((Call("GET", path), response))
        # B's own objects are on B's pages; A's never are.
        assert "Globex key" in (await http.get("/console/connections/")).text
        assert "Greet" in (await http.get("/console/ai-actions/")).text
    assert len(recorder.calls) == world.runs_before, "an action ran for B"
    world.assert_no_leaks()
    await world.assert_a_unchanged()


async def test_b_creates_in_its_own_account_from_the_console(world: World, app: FastAPI) -> None:
    async with page_client(app) as http:
        token = await _console_as_b(world, http)
        added = await http.post(
            "/console/connections/new/",
            data={"csrf_token": token, "app": "KeyedAPI", "title": "B console key", "field__api_key": "sk-b-console"},
        )
        assert added.status_code == 303, added.text
        saved = await http.post(
            "/console/ai-actions/new/",
            data={"csrf_token": token, "app": "TestAPI", "action": "echo", "description": "B console action"},
        )
        assert saved.status_code == 303, saved.text
        made = await http.post("/console/keys/", data={"csrf_token": token, "name": "B console"})
        assert made.status_code == 200
    keyed = await world.b.ok(Call("GET", "/api/v2/apps/KeyedAPI/auths/"))
    assert [a["title"] for a in keyed["results"]] == ["B console key"]
    assert "B console action" in [a["description"] for a in (await world.b.ok(Call("GET", AI_ACTIONS)))["results"]]
    assert await world.a.ok(Call("GET", "/api/v2/apps/KeyedAPI/auths/")) == {
        "last_refresh_seconds_ago": None,
        "results": [],
        "message": None,
    }
    await world.assert_a_unchanged()


# -- MCP: the same two accounts through the MCP front door ---------------------------------------------


@asynccontextmanager
async def mcp_client(app: FastAPI, key: str, path: str = "/mcp/") -> AsyncIterator[Client]:
    """The MCP SDK's client over the app in process (its ASGI app, lifespan already running)."""
    transport = httpx2.ASGITransport(app=app)
    async with (
        httpx2.AsyncClient(transport=transport, headers={"x-api-key": key}) as http,
        Client(streamable_http_client(f"http://nlactions.test{path}", http_client=http)) as client,
    ):
        yield client


async def test_mcp_lists_and_runs_only_bs_own_ai_actions(app: FastAPI, world: World) -> None:
    async with mcp_client(app, world.a.key.key) as a_mcp:
        a_names = {tool.name for tool in (await a_mcp.list_tools()).tools}
    async with mcp_client(app, world.b.key.key) as b_mcp:
        listed = await b_mcp.list_tools()
        b_names = {tool.name for tool in listed.tools}
        assert len(b_names) == len(world.b.actions) == 1
        shown = listed.model_dump_json()
        assert [m for m in world.markers if m.lower() in shown.lower()] == []
        for name in sorted(a_names - b_names):
            result = await b_mcp.call_tool(name, {"instructions": "post it"})
            assert result.is_error and result.structured_content is not None
            assert result.structured_content["code"] == "unknown_tool"
    run = {"instructions": "post the memo", "app": "LedgerAPI", "action": "post_entry"}
    async with mcp_client(app, world.b.key.key, "/mcp/agentic/") as agentic:
        theirs = await agentic.call_tool("execute_write_action", run | {"authentication_id": world.a.auth})
        nowhere = await agentic.call_tool("execute_write_action", run | {"authentication_id": UNKNOWN_INT})
    assert theirs.is_error and theirs.structured_content is not None and nowhere.structured_content is not None
    assert mask(json.dumps(theirs.structured_content), str(world.a.auth)) == mask(
        json.dumps(nowhere.structured_content), str(UNKNOWN_INT)
    )
    assert [m for m in world.markers if m.lower() in json.dumps(theirs.structured_content).lower()] == []
    assert len(recorder.calls) == world.runs_before, "an action ran for B"
    await world.assert_a_unchanged()
