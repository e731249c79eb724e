"""Naming the closest valid values, and a per-request bearer token for apps holding two tokens."""

from __future__ import annotations

import httpx

from nlactions.catalog import Choice, OAuth2Auth, bearer_auth, closest_choices, named_choices

CHANNELS = [Choice("C1", "#general"), Choice("C2", "#random"), Choice("C3", "#general-chat"), Choice("C4", "#ops")]


def test_closest_choices_ignore_the_prefix_and_rank_best_first() -> None:
    assert [c.key for c in closest_choices("#genral", CHANNELS, limit=2)] == ["C1", "C3"]
    assert [c.key for c in closest_choices("random", CHANNELS, limit=1)] == ["C2"]


def test_nothing_alike_or_nothing_given_suggests_nothing() -> None:
    assert closest_choices("zzzzqqq", CHANNELS) == []
    assert closest_choices("  ", CHANNELS) == []
    assert closest_choices("general", []) == []


def test_named_choices_show_labels_with_ids() -> None:
    assert named_choices(CHANNELS[:2]) == "#general (C1), #random (C2)"
    assert named_choices([Choice("x", "x")]) == "x"


def test_a_per_request_bearer_token_replaces_the_clients() -> None:
    client_auth = OAuth2Auth().httpx_auth({"access_token": "bot"})
    assert client_auth is not None
    request = httpx.Request("POST", "https://slack.example/api/search.messages")
    sent = next(bearer_auth("user").auth_flow(request))
    assert sent.headers["authorization"] == "Bearer user"
    assert OAuth2Auth().user_scopes == ()
