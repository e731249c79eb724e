"""Small apps used by the API tests, to exercise every status and mode of the executor."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from nlactions.catalog import (
    Action,
    ActionContext,
    ApiKeyAuth,
    App,
    AuthExpired,
    AuthField,
    AuthTestFailed,
    BasicAuth,
    Choice,
    ChoiceContext,
    ChoicePage,
    Gives,
    Needs,
    UpstreamError,
    give,
    need,
)


@dataclass
class Recorder:
    """What the test actions saw; tests assert on it."""

    calls: list[dict[str, object]] = field(default_factory=list)
    gate: asyncio.Event | None = None
    entered: asyncio.Event | None = None


recorder = Recorder()

CHANNELS = [("C001", "general"), ("C002", "random"), ("C003", "engineering"), ("C004", "sales-team")]


class EchoInput(Needs):
    channel: str = need(label="Channel", choices=CHANNELS, help_text="Where to post")
    text: str = need(label="Message Text")
    count: int = need(1, label="Count")
    note: str | None = need(None, label="Note")
    password: str | None = need(None, label="Password", secret=True)


class EchoOutput(Gives):
    channel: str = give(label="Channel ID")
    text: str = give(label="Message Text", important=True)


async def echo(ctx: ActionContext, params: EchoInput) -> dict[str, object]:
    recorder.calls.append(params.model_dump())
    if recorder.entered is not None:
        recorder.entered.set()
    if recorder.gate is not None:
        await recorder.gate.wait()
    return {
        "channel": params.channel,
        "text": params.text * params.count,
        "meta": {"author": {"name": "bot"}},
    }


class FindInput(Needs):
    query: str = need(label="Query")


async def find(ctx: ActionContext, params: FindInput) -> list[dict[str, str]]:
    if params.query == "nothing":
        return []
    return [{"id": "1", "title": params.query}]


class BoomInput(Needs):
    mode: str = need("upstream", label="Mode", choices=["upstream", "crash", "slow", "expired"])


async def boom(ctx: ActionContext, params: BoomInput) -> dict[str, str]:
    if params.mode == "upstream":
        raise UpstreamError("The service answered 503 Service Unavailable.", hint="Try again later.", status_code=503)
    if params.mode == "slow":
        await asyncio.sleep(5)
    if params.mode == "expired":
        raise AuthExpired("token revoked.")
    raise RuntimeError("secret internal detail")


async def teams(ctx: ChoiceContext) -> ChoicePage:
    pages = {
        None: ([Choice("T1", "Platform"), Choice("T2", "Growth")], "p2"),
        "p2": ([Choice("T3", "Design")], None),
    }
    choices, nxt = pages[ctx.cursor]  # type: ignore[index]
    return ChoicePage(choices, nxt)


async def members(ctx: ChoiceContext) -> ChoicePage:
    team = ctx.params.get("team")
    people = {"T1": ["Ada", "Linus"], "T2": ["Grace"], "T3": ["Dieter", "Jony"]}.get(str(team), [])
    return ChoicePage([Choice(f"{team}-{p.lower()}", p) for p in people])


class AssignInput(Needs):
    team: str = need(label="Team", choices=teams)
    member: str = need(label="Member", choices=members, depends_on=["team"])


async def assign(ctx: ActionContext, params: AssignInput) -> dict[str, str]:
    return {"team": params.team, "member": params.member}


test_app = App(
    key="TestAPI",
    name="Test",
    description="Actions for tests.",
    actions=(
        Action(
            "echo",
            "write",
            "Message",
            "Send Message",
            "Post a message to a channel.",
            EchoInput,
            echo,
            EchoOutput,
        ),
        Action("find", "search", "Record", "Find Record", "Find a record by query.", FindInput, find),
        Action("boom", "write", "Failure", "Fail", "Fail in a chosen way.", BoomInput, boom),
        Action("assign", "write", "Assignment", "Assign Member", "Assign a team member.", AssignInput, assign),
    ),
)


class WhoInput(Needs):
    pass


async def whoami(ctx: ActionContext, params: WhoInput) -> dict[str, str]:
    return {"key_seen": ctx.credentials.get("api_key", "")[-4:]}


keyed_app = App(
    key="KeyedAPI",
    name="Keyed",
    description="An app that needs an API key.",
    auth=ApiKeyAuth(),
    actions=(Action("whoami", "read", "Identity", "Who Am I", "Show the caller.", WhoInput, whoami),),
)


async def _profile(ctx: ActionContext) -> dict[str, str] | None:
    """The signed-in user at the Basic-auth server named in the credentials; None when refused."""
    response = await ctx.http.get(ctx.credentials["server"].rstrip("/") + "/me")
    if response.status_code == 401:
        return None
    if response.is_error:
        raise UpstreamError(f"The service answered {response.status_code}.", status_code=response.status_code)
    profile: dict[str, str] = response.json()
    return profile


async def basic_test(ctx: ActionContext) -> str:
    """Auth test: the server must accept the username and password; its user name is the label."""
    profile = await _profile(ctx)
    if profile is None:
        raise AuthTestFailed(
            "The service answered 401 Unauthorized: Invalid username or password.",
            hint="Check the username and password.",
        )
    return profile["name"]


class ProfileInput(Needs):
    pass


async def profile(ctx: ActionContext, params: ProfileInput) -> dict[str, str]:
    found = await _profile(ctx)
    if found is None:
        raise AuthExpired("The service answered 401 Unauthorized.")
    return found


loopback_app = App(
    key="LoopbackAPI",
    name="Loopback",
    description="An app on a Basic-auth server on 127.0.0.1 (tests.helpers.basic_server).",
    auth=BasicAuth(
        fields=(
            AuthField("server", "Server URL", secret=False, help_text="e.g. http://127.0.0.1:8080"),
            AuthField("username", "Username", secret=False),
            AuthField("password", "Password"),
        ),
        test=basic_test,
    ),
    actions=(Action("profile", "read", "Profile", "Get Profile", "Show the signed-in user.", ProfileInput, profile),),
)


# --- DirectoryAPI: choice loaders that page, depend on other needs, fail, or wait (choices tests) ---


CITIES = ("Berlin", "Lisbon", "Oslo", "Nairobi", "Lima", "Osaka", "Quebec")


@dataclass
class Directory:
    """The directory service the DirectoryAPI loaders read; tests set its size and count its calls."""

    customers: int = 250
    page_size: int = 100
    edition: str = "v1"
    calls: list[tuple[str, str | None]] = field(default_factory=list)
    params_seen: list[dict[str, object]] = field(default_factory=list)
    credentials_seen: list[str] = field(default_factory=list)
    gate: asyncio.Event | None = None
    fail_after_gate: bool = False
    vault_refuses: bool = False

    def first_pages(self, loader: str) -> int:
        """How many times ``loader`` was asked for its first page (one per full load)."""
        return sum(1 for name, cursor in self.calls if name == loader and cursor is None)

    def reset(self) -> None:
        """Back to defaults between tests."""
        fresh = Directory()
        for name in fresh.__dataclass_fields__:
            setattr(self, name, getattr(fresh, name))


directory = Directory()


def customer_label(i: int) -> str:
    """The label of customer ``i`` in the directory."""
    return f"Customer {i:05d} {CITIES[i % len(CITIES)]} ({directory.edition})"


async def customers(ctx: ChoiceContext) -> ChoicePage:
    directory.calls.append(("customers", ctx.cursor))
    start = int(ctx.cursor or 0)
    if start and directory.gate is not None:
        await directory.gate.wait()
        if directory.fail_after_gate:
            raise UpstreamError(f"The service answered 500 Internal Server Error for the page at {start}.")
    end = min(start + directory.page_size, directory.customers)
    page = [Choice(f"cust-{i}", customer_label(i)) for i in range(start, end)]
    return ChoicePage(page, str(end) if end < directory.customers else None)


async def projects(ctx: ChoiceContext) -> ChoicePage:
    directory.calls.append(("projects", ctx.cursor))
    directory.params_seen.append(dict(ctx.params))
    owner = str(ctx.params.get("customer"))
    return ChoicePage([Choice(f"{owner}/p{n}", f"Project {n} of {owner}") for n in (1, 2)])


async def boards(ctx: ChoiceContext) -> ChoicePage:
    directory.calls.append(("boards", ctx.cursor))
    return ChoicePage([Choice("B1", "Roadmap"), Choice("B2", "Bugs")])


async def queues(ctx: ChoiceContext) -> ChoicePage:
    directory.calls.append(("queues", ctx.cursor))
    raise UpstreamError(
        "The service answered 503 Service Unavailable: maintenance until 14:00 UTC.",
        hint="Try again after 14:00 UTC.",
        status_code=503,
    )


class TicketInput(Needs):
    customer: str = need(label="Customer", choices=customers, help_text="Who the ticket is for")
    project: str | None = need(None, label="Project", choices=projects, depends_on=["customer"])
    board: str | None = need(None, label="Board", choices=boards, prefill="board.id.name")
    priority: str = need("normal", label="Priority", choices=["low", "normal", "high"])
    title: str = need(label="Title")


async def open_ticket(ctx: ActionContext, params: TicketInput) -> dict[str, object]:
    return params.model_dump()


class RouteInput(Needs):
    queue: str = need(label="Queue", choices=queues)


async def route(ctx: ActionContext, params: RouteInput) -> dict[str, str]:
    return {"queue": params.queue}


directory_app = App(
    key="DirectoryAPI",
    name="Directory",
    description="Customer tickets, for choice tests.",
    actions=(
        Action("open_ticket", "write", "Ticket", "Open Ticket", "Open a support ticket.", TicketInput, open_ticket),
        Action("route", "write", "Route", "Route Ticket", "Send a ticket to a queue.", RouteInput, route),
    ),
)


async def vault_items(ctx: ChoiceContext) -> ChoicePage:
    directory.credentials_seen.append(ctx.credentials.get("api_key", ""))
    if directory.vault_refuses:
        raise AuthExpired("The service answered 401 Unauthorized: the key was revoked.")
    return ChoicePage([Choice("I1", "Passport scan"), Choice("I2", "Lease")])


class VaultInput(Needs):
    item: str = need(label="Item", choices=vault_items)


async def fetch_item(ctx: ActionContext, params: VaultInput) -> dict[str, str]:
    return {"item": params.item}


vault_app = App(
    key="VaultAPI",
    name="Vault",
    description="Stored documents behind an API key, for choice tests.",
    auth=ApiKeyAuth(),
    actions=(Action("fetch_item", "read", "Item", "Fetch Item", "Fetch a stored item.", VaultInput, fetch_item),),
)


def loader_of(app: App, action: str, need: str) -> Any:
    """The choice loader ``app`` declares on ``action``'s ``need`` (the test fails when there is none)."""
    found = app.action(action)
    assert found is not None, f"{app.key} has no action {action!r}"
    return found.needs_by_key[need].loader
