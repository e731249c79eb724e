"""Rendering server-side pages: one Jinja2 environment (autoescaped) and the headers every page carries."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


def content_security_policy(form_action: str = "'self'") -> str:
    """The pages' CSP: our own scripts and styles only, nothing inline, no framing."""
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        f"form-action {form_action}; frame-ancestors 'none'; base-uri 'none'"
    )


def secure_headers(response: Response, *, form_action: str = "'self'") -> Response:
    """Add the CSP and the other headers every page and page redirect carries."""
    response.headers["Content-Security-Policy"] = content_security_policy(form_action)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return response


def pretty(value: Any) -> str:
    """A value as a person reads it: text as is, anything else as indented JSON (escaped by the template)."""
    if isinstance(value, str):
        return value
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The templates' environment (HTML autoescaped)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pretty"] = pretty
    return env


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """Render ``template`` with ``context`` (plus ``request``) as a page with the security headers."""
    html = environment().get_template(template).render({"request": request, **(context or {})})
    response = HTMLResponse(html, status_code=status_code, headers=dict(headers or {}))
    return secure_headers(response)  # type: ignore[return-value]


def redirect(url: str) -> RedirectResponse:
    """A 303 to ``url`` (after a form post the browser follows it with GET), with the security headers."""
    response = RedirectResponse(url, status_code=303)
    return secure_headers(response)  # type: ignore[return-value]
