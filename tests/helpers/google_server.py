"""A local peer of Google's token endpoint, Drive v3 and Sheets v4 on 127.0.0.1, for the Google Sheets tests.

- ``POST /token``: the service-account JWT bearer grant; the assertion's signature is checked with the
  account's public key (``google.auth.jwt.decode``), and its ``aud`` (this endpoint), ``iss`` (a known
  account) and ``scope`` (must hold the spreadsheets scope); answers a bearer token with ``expires_in``.
- ``GET /drive/v3/about`` (``user.emailAddress``) and ``GET /drive/v3/files`` (spreadsheets only, paged with
  ``pageSize`` and ``pageToken``/``nextPageToken``).
- Sheets: ``POST /v4/spreadsheets``, ``GET /v4/spreadsheets/{id}``, ``POST /v4/spreadsheets/{id}:batchUpdate``
  (``addSheet``), ``GET|PUT /v4/spreadsheets/{id}/values/{range}``, ``POST …/values/{range}:append``.

Errors have Google's shape ``{"error": {"code", "message", "status", "errors"}}``: 401 UNAUTHENTICATED, 403
PERMISSION_DENIED (a spreadsheet not shared with the caller), 404 NOT_FOUND, 400 INVALID_ARGUMENT ("Unable to
parse range"), and 429 RESOURCE_EXHAUSTED with ``Retry-After`` while ``server.rate_limit(seconds)`` is on.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from google.auth import jwt
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from helpers.threaded_server import ThreadedServer

__all__ = ["GoogleServer", "Seen", "Sheet", "Spreadsheet"]

SPREADSHEETS_SCOPE = "https://www.googleapis.com/auth/spreadsheets"
SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
MAX_PAGE = 1000
_IDS = itertools.count(1)


class Refusal(Exception):
    """A Google-shaped error, raised from inside a handler."""

    def __init__(self, code: int, status: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.response = JSONResponse(
            {
                "error": {
                    "code": code,
                    "message": message,
                    "status": status,
                    "errors": [{"message": message, "domain": "global", "reason": status.lower()}],
                }
            },
            status_code=code,
            headers=headers,
        )


@dataclass
class Seen:
    """One request the server received (the bearer token kept apart)."""

    method: str
    path: str
    params: dict[str, str]
    token: str


@dataclass
class Sheet:
    """A worksheet: its gid, position and cells (rows of strings)."""

    id: int
    index: int
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Spreadsheet:
    """A spreadsheet; ``shared`` is who may open it (None: everyone with a token)."""

    id: str
    title: str
    sheets: dict[str, Sheet] = field(default_factory=dict)
    shared: set[str] | None = None
    trashed: bool = False


def _letter(number: int) -> str:
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters or "A"


def parse_range(text: str) -> tuple[str, int | None]:
    """``'My Sheet'!A5:C5`` → ("My Sheet", 5); no cells → (title, None)."""
    if text.startswith("'"):
        i, title = 1, ""
        while i < len(text):
            if text[i] == "'":
                if text[i + 1 : i + 2] == "'":
                    title += "'"
                    i += 2
                    continue
                break
            title += text[i]
            i += 1
        rest = text[i + 1 :]
    else:
        title, _, rest = text.partition("!")
        rest = "!" + rest if rest else ""
    cells = rest[1:] if rest.startswith("!") else ""
    digits = "".join(c for c in cells.split(":")[0] if c.isdigit())
    return title, int(digits) if digits else None


class GoogleServer(ThreadedServer):
    """Google's token endpoint, Drive and Sheets on a free loopback port, with an in-memory store."""

    label = "Google peer"

    def __init__(self) -> None:
        super().__init__()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.token_url = f"{self.base_url}/token"
        self._lock = threading.Lock()
        self.reset()
        self.serve(
            Starlette(
                routes=[
                    Route("/token", self._token, methods=["POST"]),
                    Route("/drive/v3/about", self._about, methods=["GET"]),
                    Route("/drive/v3/files", self._files, methods=["GET"]),
                    Route("/v4/spreadsheets", self._sheets, methods=["POST"]),
                    Route("/v4/spreadsheets/{rest:path}", self._sheets, methods=["GET", "POST", "PUT"]),
                ]
            )
        )

    def reset(self) -> None:
        """Forget every account, token, spreadsheet and request; no rate limit."""
        self.accounts: dict[str, str] = {}  # client_email -> public key PEM
        self.tokens: dict[str, str] = {}  # bearer token -> account email
        self.spreadsheets: dict[str, Spreadsheet] = {}
        self.requests: list[Seen] = []
        self.token_requests: list[dict[str, Any]] = []  # the verified claims of each assertion
        self.retry_after: int | None = None
        self.expires_in = 3599

    # --- set-up ----------------------------------------------------------------------------------

    def add_account(self, email: str, public_key_pem: str) -> None:
        """A service account whose assertions are signed by the private half of ``public_key_pem``."""
        self.accounts[email] = public_key_pem

    def add_token(self, token: str, email: str) -> None:
        """An OAuth access token of ``email`` (as if granted through the consent screen)."""
        self.tokens[token] = email

    def add_spreadsheet(
        self, title: str, sheets: dict[str, list[list[str]]] | None = None, *, shared: set[str] | None = None
    ) -> Spreadsheet:
        """A spreadsheet with worksheets (title → rows); the id is generated."""
        sid = f"sheet{next(_IDS):05d}"
        book = Spreadsheet(sid, title, shared=shared)
        for index, (name, rows) in enumerate((sheets or {"Sheet1": []}).items()):
            book.sheets[name] = Sheet(id=index * 1000 + 1, index=index, rows=[list(r) for r in rows])
        self.spreadsheets[sid] = book
        return book

    def rate_limit(self, retry_after: int | None) -> None:
        """Answer every Sheets and Drive request with 429 RESOURCE_EXHAUSTED (None turns it off)."""
        self.retry_after = retry_after

    # --- handlers --------------------------------------------------------------------------------

    async def _token(self, request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode()))
        if form.get("grant_type") != JWT_BEARER:
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        assertion = str(form.get("assertion") or "")
        try:
            unverified = jwt.decode(assertion, verify=False)
            email = str(unverified.get("iss"))
            key = self.accounts[email]
            claims = jwt.decode(assertion, certs=key, audience=self.token_url)
        except (KeyError, ValueError) as exc:
            return JSONResponse({"error": "invalid_grant", "error_description": f"Invalid JWT: {exc}"}, status_code=400)
        if SPREADSHEETS_SCOPE not in str(claims.get("scope", "")).split():
            return JSONResponse({"error": "invalid_scope", "error_description": "no spreadsheets scope"}, 400)
        with self._lock:
            self.token_requests.append(claims)
            token = f"ya29.peer-{len(self.token_requests)}-{email.split('@')[0]}"
            self.tokens[token] = email
        return JSONResponse({"access_token": token, "expires_in": self.expires_in, "token_type": "Bearer"})

    def _caller(self, request: Request) -> str:
        auth = request.headers.get("authorization", "")
        token = auth.removeprefix("Bearer ").strip()
        self.requests.append(Seen(request.method, request.url.path, dict(request.query_params), token))
        if self.retry_after is not None:
            raise Refusal(
                429,
                "RESOURCE_EXHAUSTED",
                "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute per user'.",
                headers={"Retry-After": str(self.retry_after)},
            )
        email = self.tokens.get(token)
        if email is None:
            raise Refusal(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.")
        return email

    async def _about(self, request: Request) -> Response:
        try:
            email = self._caller(request)
        except Refusal as refusal:
            return refusal.response
        return JSONResponse({"user": {"emailAddress": email, "displayName": email.split("@")[0]}})

    async def _files(self, request: Request) -> Response:
        try:
            email = self._caller(request)
        except Refusal as refusal:
            return refusal.response
        q = request.query_params.get("q", "")
        size = min(int(request.query_params.get("pageSize") or 100), MAX_PAGE)
        start = int(request.query_params.get("pageToken") or 0)
        books = [
            b
            for b in self.spreadsheets.values()
            if (b.shared is None or email in b.shared)
            and (f"mimeType='{SPREADSHEET_MIME}'" in q)
            and not (b.trashed and "trashed=false" in q)
        ]
        page = books[start : start + size]
        body: dict[str, Any] = {"files": [{"id": b.id, "name": b.title, "mimeType": SPREADSHEET_MIME} for b in page]}
        if start + size < len(books):
            body["nextPageToken"] = str(start + size)
        return JSONResponse(body)

    async def _sheets(self, request: Request) -> Response:
        try:
            email = self._caller(request)
            return await self._sheets_call(request, email, str(request.path_params.get("rest", "")))
        except Refusal as refusal:
            return refusal.response

    def _book(self, sid: str, email: str) -> Spreadsheet:
        book = self.spreadsheets.get(sid)
        if book is None:
            raise Refusal(404, "NOT_FOUND", "Requested entity was not found.")
        if book.shared is not None and email not in book.shared:
            raise Refusal(403, "PERMISSION_DENIED", "The caller does not have permission")
        return book

    def _sheet(self, book: Spreadsheet, text: str) -> tuple[str, Sheet, int | None]:
        title, row = parse_range(text)
        sheet = book.sheets.get(title)
        if sheet is None:
            raise Refusal(400, "INVALID_ARGUMENT", f"Unable to parse range: {text}")
        return title, sheet, row

    def _json(self, book: Spreadsheet) -> dict[str, Any]:
        return {
            "spreadsheetId": book.id,
            "properties": {"title": book.title},
            "sheets": [
                {"properties": {"sheetId": s.id, "title": t, "index": s.index, "sheetType": "GRID"}}
                for t, s in sorted(book.sheets.items(), key=lambda item: item[1].index)
            ],
            "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{book.id}/edit",
        }

    async def _sheets_call(self, request: Request, email: str, rest: str) -> Response:
        body: Any = await request.json() if request.method in ("POST", "PUT") else None
        if not rest:
            props = (body or {}).get("properties", {})
            names = [s.get("properties", {}).get("title") for s in (body or {}).get("sheets", [])] or ["Sheet1"]
            book = self.add_spreadsheet(str(props.get("title") or "Untitled spreadsheet"), {n: [] for n in names})
            book.shared = {email}
            return JSONResponse(self._json(book))
        sid, _, tail = rest.partition("/")
        if sid.endswith(":batchUpdate"):
            book = self._book(sid.removesuffix(":batchUpdate"), email)
            replies = []
            for item in (body or {}).get("requests", []):
                title = str(
                    item.get("addSheet", {}).get("properties", {}).get("title") or f"Sheet{len(book.sheets) + 1}"
                )
                if title in book.sheets:
                    raise Refusal(
                        400,
                        "INVALID_ARGUMENT",
                        f'Invalid requests[0].addSheet: A sheet with the name "{title}" already exists.',
                    )
                sheet = Sheet(id=len(book.sheets) * 1000 + 7, index=len(book.sheets))
                book.sheets[title] = sheet
                replies.append(
                    {"addSheet": {"properties": {"sheetId": sheet.id, "title": title, "index": sheet.index}}}
                )
            return JSONResponse({"spreadsheetId": book.id, "replies": replies})
        book = self._book(sid, email)
        if not tail:
            return JSONResponse(self._json(book))
        if not tail.startswith("values/"):
            raise Refusal(404, "NOT_FOUND", "Requested entity was not found.")
        text = tail.removeprefix("values/")
        if text.endswith(":append") and request.method == "POST":
            return self._append(book, text.removesuffix(":append"), body or {})
        title, sheet, row = self._sheet(book, text)
        if request.method == "GET":
            rows = sheet.rows[row - 1 : row] if row else sheet.rows
            found = [r for r in rows]
            while found and not any(found[-1]):
                found.pop()
            return JSONResponse({"range": text, "majorDimension": "ROWS", **({"values": found} if found else {})})
        values = [[str(v) for v in r] for r in (body or {}).get("values", [])]
        start = row or 1
        while len(sheet.rows) < start - 1 + len(values):
            sheet.rows.append([])
        for offset, new in enumerate(values):
            sheet.rows[start - 1 + offset] = new
        width = max((len(r) for r in values), default=1)
        updated = f"'{title}'!A{start}:{_letter(width)}{start + len(values) - 1}"
        answer: dict[str, Any] = {"spreadsheetId": book.id, "updatedRange": updated, "updatedRows": len(values)}
        if request.query_params.get("includeValuesInResponse") == "true":
            answer["updatedData"] = {"range": updated, "values": values}
        return JSONResponse(answer)

    def _append(self, book: Spreadsheet, text: str, body: dict[str, Any]) -> Response:
        title, sheet, _ = self._sheet(book, text)
        values = [[str(v) for v in r] for r in body.get("values", [])]
        last = len(sheet.rows)
        while last and not any(sheet.rows[last - 1]):
            last -= 1
        del sheet.rows[last:]
        sheet.rows.extend(values)
        width = max((len(r) for r in values), default=1)
        updated = f"'{title}'!A{last + 1}:{_letter(width)}{last + len(values)}"
        return JSONResponse(
            {
                "spreadsheetId": book.id,
                "tableRange": f"'{title}'!A1:{_letter(width)}{last}",
                "updates": {
                    "spreadsheetId": book.id,
                    "updatedRange": updated,
                    "updatedRows": len(values),
                    "updatedData": {"range": updated, "values": values},
                },
            }
        )

    def rows(self, sid: str, sheet: str = "Sheet1") -> list[list[str]]:
        """The cells of a worksheet as stored."""
        return self.spreadsheets[sid].sheets[sheet].rows
