"""A personal access token (fine-grained or classic), sent as a bearer token; ``GET /user`` tests it."""

from __future__ import annotations

from nlactions.apps.github.client import DEFAULT_API_BASE_URL, api_base, body_of, call
from nlactions.catalog import (
    ActionContext,
    ApiKeyAuth,
    AuthExpired,
    AuthField,
    AuthTestFailed,
    UpstreamError,
    base_url_field,
)


async def test(ctx: ActionContext) -> str:
    """The token must open ``GET /user``; the account's login becomes the connection's label."""
    try:
        response = await call(ctx, "GET", "/user")
    except AuthExpired as exc:
        raise AuthTestFailed(exc.message, hint=exc.hint) from None
    except UpstreamError as exc:
        if exc.status_code != 404:
            raise
        raise AuthTestFailed(
            f"{api_base(ctx)}/user was not found, so {api_base(ctx)} is not GitHub's REST API root.",
            hint="Leave api_base_url empty for github.com; for GitHub Enterprise Server give https://HOST/api/v3.",
        ) from None
    profile = body_of(response)
    login = profile.get("login") if isinstance(profile, dict) else None
    if not isinstance(login, str) or not login:
        raise AuthTestFailed(
            "GitHub's /user answer has no login, so the token's account is unknown.",
            hint="Check api_base_url: it must be GitHub's REST API root.",
        )
    return login


auth = ApiKeyAuth(
    fields=(
        AuthField(
            "token",
            "Personal Access Token",
            help_text="A fine-grained token (github_pat_…) with access to the repositories, or a classic "
            "token (ghp_…) with the repo scope.",
        ),
        base_url_field(
            DEFAULT_API_BASE_URL,
            help_text="For GitHub Enterprise Server, https://HOST/api/v3.",
        ),
    ),
    name="Authorization",
    template="Bearer {token}",
    test=test,
)
