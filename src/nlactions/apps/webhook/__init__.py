"""Webhooks: call any URL with GET, POST or PUT; no stored credentials (URLs carry their own tokens)."""

from __future__ import annotations

from nlactions.apps.webhook import get, post, put
from nlactions.catalog import App, NoAuth

__all__ = ["app"]

app = App(
    key="WebhookAPI",
    name="Webhooks",
    description="Send GET, POST and PUT requests to any public URL and get the response back.",
    actions=(get.action, post.action, put.action),
    auth=NoAuth(),
    keywords=("webhook", "http", "api", "request", "url"),
)
