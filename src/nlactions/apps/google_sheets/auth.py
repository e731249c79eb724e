"""Google's OAuth 2 (the server's connect flow, or a pasted access token), or a service account's JSON key.

``test()`` reads Drive's ``about.get`` (the account's email) with the connection's token.
"""

from __future__ import annotations

from nlactions.apps.google_sheets.client import DEFAULT_API_BASE_URL, DEFAULT_DRIVE_BASE_URL, DRIVE_KEY, call, drive_url
from nlactions.apps.google_sheets.tokens import SCOPES
from nlactions.catalog import ActionContext, AppError, AuthField, AuthTestFailed, OAuth2Auth, base_url_field


async def test(ctx: ActionContext) -> str:
    """``about.get?fields=user``; the label is the account's (or service account's) email."""
    try:
        body = await call(ctx, "GET", drive_url(ctx, "about"), params={"fields": "user"}, what="about.get")
    except AppError as exc:
        raise AuthTestFailed(exc.message, hint=exc.hint) from None
    user = body.get("user") if isinstance(body.get("user"), dict) else {}
    email = user.get("emailAddress") if isinstance(user, dict) else None
    if not isinstance(email, str) or not email:
        raise AuthTestFailed(
            "Drive's about.get answer names no account email, so the connection's account is unknown.",
            hint="Check drive_base_url: leave it empty for https://www.googleapis.com.",
        )
    return email


auth = OAuth2Auth(
    authorize_url="https://accounts.google.com/o/oauth2/v2/auth",
    token_url="https://oauth2.googleapis.com/token",
    scopes=SCOPES,
    pkce=True,
    # A refresh token comes only with offline access; consent again so a reconnect gets a new one.
    authorize_params=(("access_type", "offline"), ("prompt", "consent"), ("include_granted_scopes", "true")),
    fields=(
        AuthField(
            "access_token",
            "Access Token",
            required=False,
            help_text="An OAuth access token with the spreadsheets and drive.readonly scopes; leave empty when "
            "pasting a service account key.",
        ),
        AuthField("refresh_token", "Refresh Token", required=False, help_text="Optional: the OAuth refresh token."),
        AuthField(
            "service_account_json",
            "Service Account Key (JSON)",
            required=False,
            help_text="The service account's JSON key file, pasted whole; share each spreadsheet with its "
            "client_email. Leave empty when pasting an access token.",
        ),
        base_url_field(DEFAULT_API_BASE_URL, help_text="The Sheets API root."),
        base_url_field(DEFAULT_DRIVE_BASE_URL, key=DRIVE_KEY, label="Drive Base URL", help_text="The Drive API root."),
    ),
    test=test,
)
