"""``put``: send a PUT request with a JSON, form or raw body and return what the server answered."""

from __future__ import annotations

from nlactions.apps.webhook.body import body_action

action = body_action("PUT")
