"""``/oauth/…`` (authorize, token, revoke, register, jwks), discovery, and ``/api/v2/oauth/clients/``.

Thin: each route reads the request (async), lets authlib decide inside one transaction
(``AsyncSession.run_sync``), and turns authlib's (status, body, headers) into a response.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar
from urllib.parse import quote, urlsplit

from authlib.common.security import is_secure_transport
from authlib.oauth2 import OAuth2Error
from fastapi import APIRouter, Path, Request
from sqlalchemy.orm import Session
from starlette.responses import JSONResponse, RedirectResponse, Response

from nlactions.api.deps import CallerDep, RuntimeDep, limits_of, public_base_url, runtime_of
from nlactions.api.responses import FastJSONResponse, error_responses, example_response
from nlactions.errors import RateLimited
from nlactions.kit.ids import new_ulid
from nlactions.oauth import service
from nlactions.oauth.clients import ClientView
from nlactions.oauth.documents import ClientDocuments, DocumentRefused, is_document_url
from nlactions.oauth.keys import ALG, SigningKey
from nlactions.oauth.schemas import ClientCreate, ClientCreated, ClientList, ClientOut
from nlactions.oauth.scopes import SCOPES, split_scope
from nlactions.oauth.server import AUTH_METHODS, BodyRequest, FormRequest, Grantee, Lifetimes, OAuthServer, RaceLost
from nlactions.ratelimits.headers import client_address
from nlactions.signin.deps import current_user, require_user, web_session
from nlactions.signin.service import SignedIn
from nlactions.web.csrf import FIELD, check_csrf
from nlactions.web.pages import render, secure_headers

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v2/oauth", tags=["oauth"])

T = TypeVar("T")
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
OUR_FIELDS = frozenset({FIELD, "decision", "account_id"})
MAX_PARAM = 4096


@dataclass
class OAuthState:
    """What the OAuth routes keep for the app's life: the id_token key and the metadata-document cache."""

    signing: SigningKey
    documents: ClientDocuments


def state_of(request: Request) -> OAuthState:
    """The app's OAuth state, made on first use (the signing key is read or generated then)."""
    state = request.app.state
    found = getattr(state, "oauth", None)
    if found is None:
        # authlib logs issued token dicts at debug level: never let a debug log carry tokens.
        logging.getLogger("authlib").setLevel(max(logging.INFO, logging.getLogger("authlib").getEffectiveLevel()))
        runtime = runtime_of(request)
        settings = runtime.settings
        found = state.oauth = OAuthState(
            SigningKey.load(settings.oauth_signing_key, settings.data_dir),
            ClientDocuments(runtime.http_client, settings.oauth_client_metadata_cache_seconds),
        )
    return found


def issuer_of(request: Request) -> str:
    """The issuer: ``NLACTIONS_PUBLIC_URL``, else the scheme and host the request came to."""
    return public_base_url(request)


def oauth_uri(request: Request) -> str | None:
    """The request's URL as the issuer sees it (``NLACTIONS_PUBLIC_URL`` first), or None when it is not https.

    OAuth needs https, except on loopback hosts (RFC 8252): plain http elsewhere gets no code and no token.
    """
    query = f"?{request.url.query}" if request.url.query else ""
    uri = issuer_of(request) + request.url.path + query
    return uri if is_secure_transport(uri) else None


INSECURE = (
    "This server was reached over plain http, and OAuth needs https (http works on localhost and 127.0.0.1 only). "
    "Serve nlactions over https, or behind a TLS proxy set NLACTIONS_PUBLIC_URL to its https address."
)


def server_metadata(request: Request, *, openid: bool = False) -> dict[str, Any]:
    """RFC 8414 metadata (plus OpenID Connect discovery's fields when ``openid``)."""
    issuer = issuer_of(request)
    settings = runtime_of(request).settings
    meta: dict[str, Any] = {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/oauth/authorize/",
        "token_endpoint": f"{issuer}/oauth/token/",
        "revocation_endpoint": f"{issuer}/oauth/revoke/",
        "jwks_uri": f"{issuer}/oauth/jwks/",
        "scopes_supported": list(SCOPES),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "token_endpoint_auth_methods_supported": AUTH_METHODS,
        "revocation_endpoint_auth_methods_supported": AUTH_METHODS,
        "code_challenge_methods_supported": ["S256"],
        "client_id_metadata_document_supported": True,
    }
    if settings.oauth_dynamic_registration:
        meta["registration_endpoint"] = f"{issuer}/oauth/register/"
    if openid:
        meta.update(
            {
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": [ALG],
                "claims_supported": ["iss", "sub", "aud", "exp", "iat", "nonce", "email", "name"],
            }
        )
    return meta


async def _documents(request: Request, client_id: str | None) -> dict[str, ClientView]:
    """The metadata-document client named by ``client_id``, fetched now (authlib's callbacks cannot wait)."""
    if not is_document_url(client_id):
        return {}
    assert client_id is not None
    return {client_id: await state_of(request).documents.client(client_id)}


async def _run(request: Request, documents: dict[str, ClientView], work: Callable[[OAuthServer], T]) -> T:
    """Run ``work`` on a server over one transaction (committed when ``work`` returns)."""
    runtime = runtime_of(request)
    settings = runtime.settings
    lifetimes = Lifetimes(
        settings.oauth_code_seconds, settings.oauth_access_token_seconds, settings.oauth_refresh_token_seconds
    )
    issuer, signing, meta = issuer_of(request), state_of(request).signing, server_metadata(request)

    def sync(db: Session) -> T:
        return work(OAuthServer(db, lifetimes, issuer, signing, meta, documents))

    async with runtime.sessions() as db, db.begin():
        return await db.run_sync(sync)


def _pairs(items: list[tuple[str, Any]]) -> list[tuple[str, str]]:
    return [(k, v[:MAX_PARAM]) for k, v in items if isinstance(v, str)]


DESCRIPTIONS = {
    "unsupported_grant_type": "grant_type: send authorization_code or refresh_token, form-encoded.",
    "invalid_grant": "The code or refresh token is not valid for this client; start again at /oauth/authorize/.",
    "invalid_request": "A required parameter is missing or repeated; see the token endpoint's parameters (RFC 6749).",
    "unsupported_token_type": "token_type_hint: send access_token or refresh_token, or leave it out.",
}
"""Words for the errors authlib raises without a description (RFC 6749's body is still the protocol's own)."""


def _json(status: int, body: Any, headers: list[tuple[str, str]] | None = None) -> JSONResponse:
    if isinstance(body, dict) and body.get("error") in DESCRIPTIONS and not body.get("error_description"):
        body = {**body, "error_description": DESCRIPTIONS[body["error"]]}
    merged = {**dict(headers or []), **NO_STORE}
    return JSONResponse(body, status_code=status, headers=merged)


def _oauth_error(status: int, error: str, description: str) -> JSONResponse:
    return _json(status, {"error": error, "error_description": description})


def _error_page(request: Request, message: str, status: int = 400) -> Response:
    return render(
        request, "signin/error.html", {"title": "Sign-in request refused", "message": message}, status_code=status
    )


def _redirect(status: int, headers: list[tuple[str, str]]) -> Response:
    location = dict(headers).get("Location", "/")
    return secure_headers(RedirectResponse(location, status_code=303 if status in (302, 303) else status))


def _origin(uri: str) -> str:
    parts = urlsplit(uri)
    if parts.scheme in ("http", "https"):
        return f"{parts.scheme}://{parts.netloc}"
    return f"{parts.scheme}:"


# -- discovery ---------------------------------------------------------------------------------------------


@router.get("/.well-known/oauth-authorization-server")
async def authorization_server_metadata(request: Request) -> JSONResponse:
    """RFC 8414 authorization server metadata."""
    return JSONResponse(server_metadata(request))


@router.get("/.well-known/openid-configuration")
async def openid_configuration(request: Request) -> JSONResponse:
    """OpenID Connect discovery (the same server, with id_token fields)."""
    return JSONResponse(server_metadata(request, openid=True))


@router.get("/oauth/jwks/")
@router.get("/oauth/jwks")
async def jwks(request: Request) -> JSONResponse:
    """The public key id_tokens are signed with."""
    return JSONResponse(state_of(request).signing.jwks())


# -- authorize -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Consent:
    """A valid authorization request, as the consent page shows it."""

    client: ClientView
    scope: str
    redirect_uri: str


def _consent(server: OAuthServer, req: FormRequest) -> Consent | OAuth2Error:
    try:
        grant = server.get_consent_grant(req)
    except OAuth2Error as error:
        return error
    return Consent(grant.client, req.scope or "", grant.redirect_uri)


def _refusal(request: Request, error: OAuth2Error) -> Response:
    """An invalid request: back to the client when its redirect URI is verified, else a page saying why."""
    status, _body, headers = error()
    if error.redirect_uri and status == 302:
        return _redirect(status, list(headers))
    what = error.description or error.error
    return _error_page(request, f"{error.error}: {what}")


@router.get("/oauth/authorize/")
@router.get("/oauth/authorize")
async def authorize_page(request: Request) -> Response:
    """Check the request, make sure someone is signed in, and ask them to approve it."""
    params = _pairs(list(request.query_params.multi_items()))
    try:
        documents = await _documents(request, dict(params).get("client_id"))
    except DocumentRefused as exc:
        return _error_page(request, str(exc))
    uri = oauth_uri(request)
    if uri is None:
        return _error_page(request, INSECURE)
    found = await _run(request, documents, lambda s: _consent(s, FormRequest("GET", uri, request.headers, params)))
    if isinstance(found, OAuth2Error):
        return _refusal(request, found)
    user = await current_user(request)
    if user is None:
        target = request.url.path + "?" + request.url.query
        return secure_headers(RedirectResponse("/signin/?next=" + quote(target, safe="/"), status_code=303))
    return _consent_page(request, user, found, params, bool(documents))


def _consent_page(
    request: Request, user: SignedIn, consent: Consent, params: list[tuple[str, str]], from_document: bool
) -> Response:
    client = consent.client
    page = render(
        request,
        "oauth/consent.html",
        {
            "client_name": client.name,
            "client_known": client.origin in ("cli", "api"),
            "document_host": urlsplit(client.client_id).netloc if from_document else "",
            "redirect_host": urlsplit(consent.redirect_uri).netloc or consent.redirect_uri,
            "email": user.email,
            "accounts": user.accounts,
            "account_id": user.account_id,
            "scopes": [(s, SCOPES[s]) for s in split_scope(consent.scope) if s in SCOPES],
            "params": [(k, v) for k, v in params if k not in OUR_FIELDS],
            "csrf": user.csrf,
            "field": FIELD,
        },
    )
    # The approval is a form post answered by a redirect to the client: the page's form-action must allow it.
    return secure_headers(page, form_action=f"'self' {_origin(consent.redirect_uri)}")


@router.post("/oauth/authorize/")
@router.post("/oauth/authorize")
async def authorize_decision(request: Request) -> Response:
    """The consent form: approve (a code for the chosen account) or deny, back to the client either way."""
    form = await request.form()
    check_csrf(web_session(request), form.get(FIELD))
    user = await require_user(request)
    params = _pairs([(k, v) for k, v in form.multi_items() if k not in OUR_FIELDS])
    approve = form.get("decision") == "approve"
    wanted = form.get("account_id")
    account_id = int(wanted) if isinstance(wanted, str) and wanted.isdigit() else None
    if approve and account_id not in {a.id for a in user.accounts}:
        return _error_page(request, "account_id: choose one of your accounts on the consent page.", 403)
    try:
        documents = await _documents(request, dict(params).get("client_id"))
    except DocumentRefused as exc:
        return _error_page(request, str(exc))
    uri = oauth_uri(request)
    if uri is None:
        return _error_page(request, INSECURE)
    grantee = Grantee(user.user_id, account_id, new_ulid(), user.email, user.name) if approve and account_id else None

    def decide(server: OAuthServer) -> tuple[int, Any, list[tuple[str, str]]] | OAuth2Error:
        req = FormRequest("POST", uri, request.headers, params)
        try:
            grant = server.get_consent_grant(req)
        except OAuth2Error as error:
            return error
        return server.create_authorization_response(req, grant_user=grantee, grant=grant)

    decided = await _run(request, documents, decide)
    if isinstance(decided, OAuth2Error):
        return _refusal(request, decided)
    status, _body, headers = decided
    return _redirect(status, headers)


# -- token, revoke, register -------------------------------------------------------------------------------------


async def _form_pairs(request: Request) -> list[tuple[str, str]]:
    form = await request.form()
    return _pairs(list(form.multi_items()))


@dataclass(frozen=True, slots=True)
class _ClientPost:
    """A client's form post to the token or revocation endpoint, read once."""

    pairs: list[tuple[str, str]]
    documents: dict[str, ClientView]
    uri: str

    def form(self, request: Request) -> FormRequest:
        """The post as authlib's request."""
        return FormRequest("POST", self.uri, request.headers, self.pairs)


async def _client_post(request: Request) -> _ClientPost | Response:
    """The post with its metadata-document client fetched, or the RFC 6749 error refusing it."""
    pairs = await _form_pairs(request)
    try:
        documents = await _documents(request, dict(pairs).get("client_id"))
    except DocumentRefused as exc:
        return _oauth_error(400, "invalid_client", str(exc))
    uri = oauth_uri(request)
    if uri is None:
        return _oauth_error(400, "insecure_transport", INSECURE)
    return _ClientPost(pairs, documents, uri)


@router.post("/oauth/token/")
@router.post("/oauth/token")
async def token(request: Request) -> Response:
    """Exchange a code (with its PKCE verifier) or a refresh token (rotated) for tokens; RFC 6749 errors."""
    post = await _client_post(request)
    if isinstance(post, Response):
        return post
    try:
        status, body, headers = await _run(
            request, post.documents, lambda s: s.create_token_response(post.form(request))
        )
    except RaceLost:
        return _oauth_error(400, "invalid_grant", "refresh_token: a concurrent request used it first.")
    return _json(status, body, headers)


@router.post("/oauth/revoke/")
@router.post("/oauth/revoke")
async def revoke(request: Request) -> Response:
    """RFC 7009: revoke an access or refresh token (and the rest of its grant)."""
    post = await _client_post(request)
    if isinstance(post, Response):
        return post
    status, body, headers = await _run(
        request, post.documents, lambda s: s.create_endpoint_response("revocation", post.form(request))
    )
    return _json(status, body, headers)


@router.post("/oauth/register/")
@router.post("/oauth/register")
async def register(request: Request) -> Response:
    """RFC 7591 dynamic client registration (public clients with PKCE)."""
    if not runtime_of(request).settings.oauth_dynamic_registration:
        return _oauth_error(
            403,
            "access_denied",
            "Dynamic client registration is off on this server (NLACTIONS_OAUTH_DYNAMIC_REGISTRATION).",
        )
    try:
        data = json.loads(await request.body())
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return _oauth_error(400, "invalid_client_metadata", "body: send the client's metadata as a JSON object.")
    try:
        await limits_of(request).registration.take(client_address(request.scope))
    except RateLimited as exc:
        refused = _oauth_error(429, "temporarily_unavailable", exc.message)
        refused.headers["Retry-After"] = str(exc.retry_after)
        return refused
    uri = oauth_uri(request)
    if uri is None:
        return _oauth_error(400, "insecure_transport", INSECURE)
    status, body, headers = await _run(
        request,
        {},
        lambda s: s.create_endpoint_response("client_registration", BodyRequest(uri, request.headers, data)),
    )
    return _json(status, body, headers)


# -- the account's clients over the API ----------------------------------------------------------------------------


CLIENT_EXAMPLE = {
    "client_id": "nlc_3kTq0b1mYx2L9pQw7rVd8A",
    "name": "Build bot",
    "redirect_uris": ["https://bot.example/oauth/callback"],
    "scope": "nla:exposed_actions:execute openid email profile",
    "public": False,
    "token_endpoint_auth_method": "client_secret_basic",
    "account_id": 1,
    "created_at": "2026-12-01T23:50:00Z",
}


@api.get(
    "/clients/",
    summary="List OAuth Clients",
    responses={200: example_response({"results": [CLIENT_EXAMPLE]}), **error_responses(401)},
)
async def list_clients(caller: CallerDep, rt: RuntimeDep) -> ClientList:
    """The OAuth clients registered in the caller's account (secrets are never shown)."""
    async with rt.sessions() as session:
        rows = await service.list_clients(session, caller.default_account_id)
    return ClientList(results=[ClientOut.of(r) for r in rows])


@api.post("/clients/", status_code=201, summary="Register OAuth Client", responses=error_responses(400, 401, 422))
async def create_client(body: ClientCreate, caller: CallerDep, rt: RuntimeDep) -> ClientCreated:
    """Register a client in the caller's account; its secret (confidential clients) is in this answer only."""
    async with rt.sessions() as session, session.begin():
        created = await service.create_client(
            session,
            account_id=caller.default_account_id,
            name=body.name,
            redirect_uris=body.redirect_uris,
            public=body.public,
            scope=body.scope,
            origin="api",
        )
    return ClientCreated(**ClientOut.of(created.row).model_dump(), client_secret=created.client_secret)


@api.delete(
    "/clients/{client_id}/",
    summary="Revoke OAuth Client",
    responses={200: example_response(True), **error_responses(401, 404, 422)},
)
async def delete_client(
    client_id: Annotated[str, Path(max_length=64, examples=["nlc_3kTq0b1mYx2L9pQw7rVd8A"])],
    caller: CallerDep,
    rt: RuntimeDep,
) -> FastJSONResponse:
    """Revoke a client of the caller's account and every token it holds; answers ``true``."""
    async with rt.sessions() as session, session.begin():
        await service.revoke_client(session, client_id, caller.default_account_id)
    return FastJSONResponse(True)
