"""A local peer of Slack's Web API on 127.0.0.1, with an in-memory workspace, for the Slack app's tests.

It follows Slack's documented Web API for the methods the app calls: ``auth.test``,
``conversations.list``, ``conversations.open``, ``users.list``, ``users.lookupByEmail``,
``chat.postMessage``, ``search.messages``, ``reactions.add``, ``users.profile.set``. Every method is
``POST /api/{method}`` (GET with query arguments also works) with a form-encoded or JSON body and
``Authorization: Bearer`` (a ``token`` argument also works). Answers are HTTP 200 with ``ok: true`` or
``ok: false`` and an ``error`` code: ``not_authed``, ``invalid_auth``, ``token_revoked``,
``account_inactive``, ``missing_scope`` (with ``needed`` and ``provided``), ``not_allowed_token_type``,
``channel_not_found``, ``not_in_channel``, ``is_archived``, ``users_not_found``, ``already_reacted``,
``message_not_found``, ``invalid_arguments``. Lists page with ``limit`` and ``cursor``;
``response_metadata.next_cursor`` is empty on the last page. ``server.rate_limit(retry_after)`` answers
every call with HTTP 429, ``Retry-After`` and ``{"ok": false, "error": "ratelimited"}``.

Use it as a context manager.
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from helpers.threaded_server import ThreadedServer

__all__ = ["Channel", "Member", "Seen", "SlackServer", "Token"]

BOT_SCOPES = frozenset(
    {"chat:write", "channels:read", "groups:read", "im:write", "users:read", "users:read.email", "reactions:write"}
)
USER_SCOPES = frozenset({"search:read", "users.profile:write", "chat:write"})
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
_TS = itertools.count(1)

# method -> (scope needed, token kinds allowed)
METHODS: dict[str, tuple[str | None, frozenset[str]]] = {
    "auth.test": (None, frozenset({"bot", "user"})),
    "conversations.list": ("channels:read", frozenset({"bot", "user"})),
    "conversations.open": ("im:write", frozenset({"bot", "user"})),
    "users.list": ("users:read", frozenset({"bot", "user"})),
    "users.lookupByEmail": ("users:read.email", frozenset({"bot", "user"})),
    "chat.postMessage": ("chat:write", frozenset({"bot", "user"})),
    "search.messages": ("search:read", frozenset({"user"})),
    "reactions.add": ("reactions:write", frozenset({"bot", "user"})),
    "users.profile.set": ("users.profile:write", frozenset({"user"})),
}


class Refusal(Exception):
    """An ``ok: false`` answer, raised from inside a handler."""

    def __init__(self, error: str, **extra: Any):
        super().__init__(error)
        self.body = {"ok": False, "error": error, **extra}


@dataclass
class Seen:
    """One call the server received (the token is kept apart from the arguments)."""

    method: str
    args: dict[str, Any]
    token: str
    content_type: str


@dataclass
class Token:
    """A token of the workspace: a bot's (``xoxb-``) or a user's (``xoxp-``)."""

    kind: str
    user_id: str
    scopes: frozenset[str]


@dataclass
class Channel:
    """A conversation: public or private channel, or a direct message (``im``)."""

    id: str
    name: str
    is_private: bool = False
    is_archived: bool = False
    is_im: bool = False
    members: set[str] = field(default_factory=set)
    purpose: str = ""
    messages: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Member:
    """A person (or a bot) of the workspace."""

    id: str
    name: str
    real_name: str = ""
    email: str = ""
    is_bot: bool = False
    deleted: bool = False
    profile: dict[str, Any] = field(default_factory=dict)


def _cursor(offset: int) -> str:
    return base64.b64encode(f"offset:{offset}".encode()).decode()


def _offset(cursor: str) -> int:
    try:
        kind, _, number = base64.b64decode(cursor.encode(), validate=True).decode().partition(":")
        if kind != "offset":
            raise ValueError(cursor)
        return int(number)
    except ValueError:
        raise Refusal("invalid_cursor") from None


class SlackServer(ThreadedServer):
    """The peer, served by uvicorn in a background thread on a free port of 127.0.0.1."""

    label = "Slack peer"

    def __init__(self, *, team: str = "Acme", team_id: str = "T0ACME") -> None:
        super().__init__()
        self.team = team
        self.team_id = team_id
        self.tokens: dict[str, Token] = {}
        self.revoked: set[str] = set()
        self.inactive: set[str] = set()
        self.channels: dict[str, Channel] = {}
        self.members: dict[str, Member] = {}
        self.requests: list[Seen] = []
        self.limited = False
        self.retry_after: int | None = None
        self._lock = threading.Lock()
        self.serve(self._build())

    # --- setting up the workspace ---

    @property
    def base_url(self) -> str:
        """The Web API root to give as ``api_base_url``."""
        return f"http://127.0.0.1:{self.port}/api"

    def reset(self) -> None:
        """Forget every token, channel, member, request and switch."""
        with self._lock:
            self.tokens.clear()
            self.revoked.clear()
            self.inactive.clear()
            self.channels.clear()
            self.members.clear()
            self.requests.clear()
            self.limited = False
            self.retry_after = None

    def add_token(self, token: str, user_id: str, *, kind: str = "bot", scopes: Iterable[str] | None = None) -> None:
        """Accept ``token`` for ``user_id``; ``scopes`` default to every scope of the token's kind."""
        default = BOT_SCOPES if kind == "bot" else USER_SCOPES
        self.tokens[token] = Token(kind, user_id, frozenset(default if scopes is None else scopes))

    def add_member(self, member_id: str, name: str, **fields: Any) -> Member:
        """Add a person (or with ``is_bot=True`` a bot) to the workspace."""
        member = Member(member_id, name, **fields)
        self.members[member_id] = member
        return member

    def add_channel(self, channel_id: str, name: str, *, members: Iterable[str] = (), **fields: Any) -> Channel:
        """Add a channel with its member ids."""
        channel = Channel(channel_id, name, members=set(members), **fields)
        self.channels[channel_id] = channel
        return channel

    def rate_limit(self, retry_after: int | None = 30, *, on: bool = True) -> None:
        """Answer every call with HTTP 429 (and ``Retry-After`` when given); ``on=False`` switches it off."""
        self.limited = on
        self.retry_after = retry_after

    def posted(self, channel_id: str) -> list[dict[str, Any]]:
        """The messages posted in a conversation, oldest first."""
        return list(self.channels[channel_id].messages)

    # --- plumbing ---

    def _build(self) -> Starlette:
        return Starlette(routes=[Route("/api/{method}", self._endpoint, methods=["GET", "POST"])])

    async def _args(self, request: Request) -> tuple[dict[str, Any], str]:
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        args: dict[str, Any] = dict(request.query_params)
        if request.method == "POST":
            if kind == "application/json":
                raw = await request.body()
                body = json.loads(raw) if raw else {}
                if not isinstance(body, dict):
                    raise Refusal("invalid_json")
                args.update(body)
            else:
                args.update(parse_qsl((await request.body()).decode(), keep_blank_values=True))
        return args, kind

    async def _endpoint(self, request: Request) -> Response:
        method = request.path_params["method"]
        try:
            args, kind = await self._args(request)
        except (Refusal, ValueError):
            return JSONResponse({"ok": False, "error": "invalid_json"})
        header = request.headers.get("authorization", "")
        token = header.partition(" ")[2].strip() if header.lower().startswith("bearer ") else ""
        token = token or str(args.pop("token", ""))
        with self._lock:
            self.requests.append(Seen(method, args, token, kind))
        if self.limited:
            headers = {"retry-after": str(self.retry_after)} if self.retry_after is not None else {}
            return JSONResponse({"ok": False, "error": "ratelimited"}, status_code=429, headers=headers)
        handler: Callable[[dict[str, Any], Token], dict[str, Any]] | None = getattr(
            self, "_" + method.replace(".", "_"), None
        )
        if handler is None or method not in METHODS:
            return JSONResponse({"ok": False, "error": "unknown_method"}, status_code=404)
        try:
            who = self._who(method, token)
            with self._lock:
                body = handler(args, who)
        except Refusal as refusal:
            return JSONResponse(refusal.body)
        return JSONResponse({"ok": True, **body})

    def _who(self, method: str, token: str) -> Token:
        if not token:
            raise Refusal("not_authed")
        if token in self.revoked:
            raise Refusal("token_revoked")
        if token in self.inactive:
            raise Refusal("account_inactive")
        who = self.tokens.get(token)
        if who is None:
            raise Refusal("invalid_auth")
        scope, kinds = METHODS[method]
        if who.kind not in kinds:
            raise Refusal("not_allowed_token_type")
        if scope is not None and scope not in who.scopes:
            raise Refusal("missing_scope", needed=scope, provided=",".join(sorted(who.scopes)))
        return who

    @staticmethod
    def _limit(args: dict[str, Any]) -> int:
        try:
            limit = int(args.get("limit") or DEFAULT_LIMIT)
        except ValueError:
            raise Refusal("invalid_limit") from None
        return min(max(limit, 1), MAX_LIMIT)

    def _page(self, args: dict[str, Any], found: Sequence[Any]) -> tuple[list[Any], str]:
        limit = self._limit(args)
        start = _offset(str(args["cursor"])) if args.get("cursor") else 0
        end = start + limit
        return list(found[start:end]), (_cursor(end) if end < len(found) else "")

    def _channel(self, args: dict[str, Any], who: Token) -> Channel:
        channel = self.channels.get(str(args.get("channel", "")))
        if channel is None or (channel.is_private and who.user_id not in channel.members):
            raise Refusal("channel_not_found")
        return channel

    @staticmethod
    def _flag(value: Any, default: bool = False) -> bool:
        if value is None or value == "":
            return default
        return value is True or str(value).lower() in ("true", "1")

    # --- JSON shapes ---

    def _channel_json(self, channel: Channel) -> dict[str, Any]:
        return {
            "id": channel.id,
            "name": channel.name,
            "is_channel": not channel.is_private and not channel.is_im,
            "is_group": channel.is_private,
            "is_im": channel.is_im,
            "is_private": channel.is_private,
            "is_archived": channel.is_archived,
            "is_member": False,
            "num_members": len(channel.members),
            "purpose": {"value": channel.purpose, "creator": "", "last_set": 0},
            "topic": {"value": "", "creator": "", "last_set": 0},
        }

    def _member_json(self, member: Member) -> dict[str, Any]:
        profile = {
            "real_name": member.real_name,
            "display_name": member.name,
            "email": member.email,
            "title": "",
            "status_text": "",
            "status_emoji": "",
            "status_expiration": 0,
            **member.profile,
        }
        return {
            "id": member.id,
            "team_id": self.team_id,
            "name": member.name,
            "real_name": member.real_name,
            "deleted": member.deleted,
            "is_bot": member.is_bot,
            "is_admin": False,
            "tz": "Europe/Lisbon",
            "profile": profile,
        }

    # --- methods ---

    def _auth_test(self, args: dict[str, Any], who: Token) -> dict[str, Any]:
        member = self.members.get(who.user_id)
        body = {
            "url": f"https://{self.team.lower()}.slack.com/",
            "team": self.team,
            "user": member.name if member else who.user_id,
            "team_id": self.team_id,
            "user_id": who.user_id,
        }
        if who.kind == "bot":
            body["bot_id"] = "B" + who.user_id
        return body

    def _conversations_list(self, args: dict[str, Any], who: Token) -> dict[str, Any]:
        types = set(str(args.get("types") or "public_channel").split(","))
        skip_archived = self._flag(args.get("exclude_archived"))
        found = []
        for channel in self.channels.values():
            if channel.is_im or (skip_archived and channel.is_archived):
                continue
            if channel.is_private and ("private_channel" not in types or who.user_id not in channel.members):
                continue
            if not channel.is_private and "public_channel" not in types:
                continue
            found.append(self._channel_json(channel))
        chunk, cursor = self._page(args, found)
        return {"channels": chunk, "response_metadata": {"next_cursor": cursor}}

    def _users_list(self, args: dict[str, Any], who: Token) -> dict[str, Any]:
        chunk, cursor = self._page(args, [self._member_json(m) for m in self.members.values()])
        return {"members": chunk, "cache_ts": int(time.time()), "response_metadata": {"next_cursor": cursor}}

    def _users_lookupByEmail(self, args: dict[str, Any], who: Token) -> dict[str, Any]:
        email = str(args.get("email", "")).lower()
        for member in self.members.values():
            if member.email.lower() == email and not member.deleted:
                return {"user": self._member_json(member)}
        raise Refusal("users_not_found")

    def _conversations_open(self, args: dict[str, Any], who: Token) -> dict[str, Any]:
        users = [u for u in str(args.get("users", "")).split(",") if u]
        if not users:
            raise Refusal("users_list_not_supplied")
        for user in users:
            if user not in self.members or self.members[user].deleted:
                raise Refusal("user_not_found")
        cid = "D" + "-".join(sorted(users))
        if cid not in self.channels:
            self.channels[cid] = Channel(cid, "", is_im=True, members={who.user_id, *users})
        return {"channel": {"id": cid}}

    def _chat_postMessage(self, args: dict[str, Any], who: Token) -> dict[str, Any]:
        channel = self._channel(args, who)
        if channel.is_archived:
            raise Refusal("is_archived")
        if who.user_id not in channel.members and (channel.is_private or who.kind == "bot"):
            raise Refusal("not_in_channel")
        text = str(args.get("text") or "")
        if not text and not args.get("blocks"):
            raise Refusal("no_text")
        ts = f"{int(time.time())}.{next(_TS):06d}"
        message: dict[str, Any] = {"type": "message", "ts": ts, "user": who.user_id, "text": text}
        for key in ("thread_ts", "username", "icon_emoji", "icon_url"):
            if args.get(key):
                message[key] = str(args[key])
        if args.get("unfurl_links") not in (None, ""):
            message["unfurl_links"] = self._flag(args.get("unfurl_links"))
        if who.kind == "bot":
            message["bot_id"] = "B" + who.user_id
        channel.messages.append(message)
        shown = {k: v for k, v in message.items() if k not in ("unfurl_links", "icon_emoji", "icon_url", "username")}
        return {"channel": channel.id, "ts": ts, "message": shown}

    def _search_messages(self, args: dict[str, Any], who: Token) -> dict[str, Any]:
        words = [w for w in str(args.get("query", "")).lower().split() if w]
        if not words:
            raise Refusal("no_query")
        wanted_in = [w[3:].lstrip("#") for w in words if w.startswith("in:")]
        words = [w for w in words if not w.startswith("in:")]
        matches = []
        for channel in self.channels.values():
            if channel.is_im or (wanted_in and channel.name not in wanted_in):
                continue
            if channel.is_private and who.user_id not in channel.members:
                continue
            for message in channel.messages:
                if all(word in message["text"].lower() for word in words):
                    member = self.members.get(message.get("user", ""))
                    matches.append(
                        {
                            "type": "message",
                            "ts": message["ts"],
                            "text": message["text"],
                            "user": message.get("user"),
                            "username": member.name if member else "",
                            "channel": {"id": channel.id, "name": channel.name},
                            "permalink": f"https://{self.team.lower()}.slack.com/archives/{channel.id}/"
                            f"p{message['ts'].replace('.', '')}",
                        }
                    )
        matches.sort(key=lambda m: m["ts"], reverse=str(args.get("sort_dir", "desc")) == "desc")
        count = int(args.get("count") or 20)
        return {
            "query": args.get("query"),
            "messages": {"total": len(matches), "matches": matches[:count], "pagination": {"page": 1}},
        }

    def _reactions_add(self, args: dict[str, Any], who: Token) -> dict[str, Any]:
        channel = self._channel(args, who)
        name = str(args.get("name") or "")
        if not name:
            raise Refusal("invalid_name")
        message = next((m for m in channel.messages if m["ts"] == args.get("timestamp")), None)
        if message is None:
            raise Refusal("message_not_found")
        reactions: dict[str, list[str]] = message.setdefault("reactions", {})
        if who.user_id in reactions.get(name, []):
            raise Refusal("already_reacted")
        reactions.setdefault(name, []).append(who.user_id)
        return {}

    def _users_profile_set(self, args: dict[str, Any], who: Token) -> dict[str, Any]:
        raw = args.get("profile")
        try:
            profile = json.loads(raw) if isinstance(raw, str) else raw
        except ValueError:
            raise Refusal("invalid_profile") from None
        if not isinstance(profile, dict):
            raise Refusal("invalid_profile")
        member = self.members[who.user_id]
        member.profile.update(profile)
        return {"profile": self._member_json(member)["profile"]}

    # --- running ---
