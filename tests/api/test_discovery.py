"""Discovery over HTTP: search apps and actions, app and action details, guess actions."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

NEED_FIELDS = {
    "key",
    "type",
    "label",
    "required",
    "help_text",
    "default",
    "placeholder",
    "list",
    "choices",
    "prefill",
    "depends_on",
    "alters_custom_fields",
    "custom_field",
}


async def details(client: httpx.AsyncClient, app: str, action: str, **body: Any) -> httpx.Response:
    return await client.post(f"/api/v2/apps/{app}/actions/{action}/", json=body or None)


def needs_by_key(response: httpx.Response) -> dict[str, dict[str, Any]]:
    assert response.status_code == 200, response.text
    return {need["key"]: need for need in response.json()["results"][0]["action_needs"]}


# -- search apps --------------------------------------------------------------------------------


async def test_search_apps_without_query_lists_every_app_with_action_counts(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v2/apps/search/")
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    by_key = {item["app"]: item for item in results}
    assert {"FormatterAPI", "WebhookAPI", "TestAPI", "KeyedAPI"} <= set(by_key)
    assert [item["name"].lower() for item in results] == sorted(item["name"].lower() for item in results)
    formatter = by_key["FormatterAPI"]
    assert set(formatter) >= {"app", "name", "logo_url", "auth_type", "actions"}
    assert formatter["actions"]["write"] == 3
    assert formatter["actions"]["search"] == 0
    assert by_key["TestAPI"]["actions"]["search"] == 1
    assert by_key["KeyedAPI"]["auth_type"] == "api_key"
    assert by_key["FormatterAPI"]["auth_type"] == "none"


@pytest.mark.parametrize(
    ("query", "first"),
    [("uppercase text", "FormatterAPI"), ("send an http request", "WebhookAPI"), ("who am i", "KeyedAPI")],
)
async def test_search_apps_ranks_the_app_that_does_it_first(client: httpx.AsyncClient, query: str, first: str) -> None:
    results = (await client.get("/api/v2/apps/search/", params={"query": query})).json()["results"]
    assert results[0]["app"] == first


async def test_search_apps_with_an_unrelated_query_finds_nothing(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v2/apps/search", params={"query": "zzzz qqqq"})
    assert response.status_code == 200
    assert response.json() == {"results": []}


# -- app details --------------------------------------------------------------------------------


async def test_app_details_describe_the_implementation_and_its_actions(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v2/apps/FormatterAPI/")
    assert response.status_code == 200, response.text
    [result] = response.json()["results"]
    assert result["app_needs_auth"] is False
    impl = result["implementation"]
    assert impl["selected_api"] == "FormatterAPI"
    assert isinstance(impl["app_id"], int)
    assert impl["name"] == "Formatter by nlactions"
    assert impl["slug"] == "formatter-by-nlactions"
    assert (impl["is_deprecated"], impl["is_private_only"], impl["is_invite_only"]) == (False, False, False)
    assert impl["auth_fields"] == []
    assert [a["key"] for a in impl["actions"]] == ["text", "number", "date"]
    text = impl["actions"][0]
    assert {"type", "key", "name", "noun", "description", "is_important", "is_hidden", "needs", "meta"} <= set(text)
    assert text["app_name"] == "Formatter by nlactions"
    transform = next(n for n in text["needs"] if n["key"] == "transform")
    assert set(transform) >= NEED_FIELDS
    assert {"key": "uppercase", "label": "Uppercase", "sample": None} in transform["choices"]


async def test_app_details_of_an_app_needing_auth_list_its_fields(client: httpx.AsyncClient) -> None:
    [result] = (await client.get("/api/v2/apps/KeyedAPI/")).json()["results"]
    assert result["app_needs_auth"] is True
    assert result["implementation"]["auth_type"] == "api_key"
    [field] = result["implementation"]["auth_fields"]
    assert (field["key"], field["type"], field["required"]) == ("api_key", "password", True)


async def test_the_same_app_id_every_time(client: httpx.AsyncClient) -> None:
    first = (await client.get("/api/v2/apps/TestAPI/")).json()["results"][0]["implementation"]["app_id"]
    again = (await client.get("/api/v2/apps/TestAPI")).json()["results"][0]["implementation"]["app_id"]
    other = (await client.get("/api/v2/apps/KeyedAPI/")).json()["results"][0]["implementation"]["app_id"]
    assert first == again != other


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v2/apps/NoSuchAPI/"),
        ("GET", "/api/v2/apps/NoSuchAPI/actions/"),
        ("POST", "/api/v2/apps/NoSuchAPI/actions/echo/"),
    ],
)
async def test_unknown_app_is_404_naming_it_and_the_valid_apps(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    response = await client.request(method, path)
    assert response.status_code == 404
    body = response.json()
    assert "NoSuchAPI" in body["error"]
    assert "FormatterAPI" in body["hint"] and "TestAPI" in body["hint"]
    assert body["code"] == "unknown_app"


# -- search actions -----------------------------------------------------------------------------


async def test_search_actions_without_query_returns_write_and_search_actions(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v2/apps/TestAPI/actions/")
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["action"] for r in results] == ["echo", "find", "boom", "assign"]
    echo = results[0]
    assert echo == {
        "app": "TestAPI",
        "action": "echo",
        "type": "write",
        "display_name": "Send Message",
        "description": "Post a message to a channel.",
        "search_relevancy_score": 1.0,
        "app_needs_auth": False,
        "app_info": {"app": "TestAPI", "name": "Test", "logo_url": "", "auth_type": "none"},
    }
    # A read action is not among the defaults.
    assert (await client.get("/api/v2/apps/KeyedAPI/actions/")).json()["results"] == []


async def test_filter_action_type_is_repeatable(client: httpx.AsyncClient) -> None:
    only_read = await client.get("/api/v2/apps/KeyedAPI/actions/", params={"filter_action_type": "read"})
    assert [r["action"] for r in only_read.json()["results"]] == ["whoami"]
    search_or_read = await client.get(
        "/api/v2/apps/TestAPI/actions/", params=[("filter_action_type", "search"), ("filter_action_type", "read")]
    )
    assert [r["action"] for r in search_or_read.json()["results"]] == ["find"]


async def test_filter_action_type_rejects_unknown_types(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v2/apps/TestAPI/actions/", params={"filter_action_type": "trigger"})
    assert response.status_code == 422
    assert "filter_action_type" in response.json()["error"]


@pytest.mark.parametrize(
    ("app_key", "query", "first"),
    [
        ("TestAPI", "send a note to a channel", "echo"),
        ("TestAPI", "put someone on a team", "assign"),
        ("FormatterAPI", "make text uppercase", "text"),
        ("FormatterAPI", "add 3 days to a date", "date"),
        ("FormatterAPI", "format an amount of money", "number"),
    ],
)
async def test_search_actions_orders_by_relevancy(
    client: httpx.AsyncClient, app_key: str, query: str, first: str
) -> None:
    results = (await client.get(f"/api/v2/apps/{app_key}/actions/", params={"query": query})).json()["results"]
    assert results[0]["action"] == first
    scores = [r["search_relevancy_score"] for r in results]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s <= 1 for s in scores)
    if len(results) > 1:
        assert scores[0] > scores[1]


# -- action details -----------------------------------------------------------------------------


async def test_action_details_shape(client: httpx.AsyncClient) -> None:
    response = await details(client, "TestAPI", "echo")
    assert response.status_code == 200, response.text
    [result] = response.json()["results"]
    assert set(result) == {
        "action_has_custom_needs_probability",
        "action",
        "action_needs",
        "action_gives",
        "action_sample",
    }
    assert result["action"]["key"] == "echo" and result["action"]["name"] == "Send Message"
    needs = {n["key"]: n for n in result["action_needs"]}
    assert list(needs) == ["channel", "text", "count", "note", "password"]
    assert needs["channel"]["choices"][0] == {"key": "C001", "label": "general", "sample": None}
    assert needs["channel"]["prefill"] is None
    assert needs["channel"]["help_text"] == "Where to post"
    assert (needs["text"]["required"], needs["text"]["type"], needs["text"]["default"]) == (True, "str", None)
    assert (needs["count"]["required"], needs["count"]["type"], needs["count"]["default"]) == (False, "int", 1)
    assert needs["password"]["type"] == "password"
    gives = {g["key"]: g for g in result["action_gives"]}
    assert gives["text"]["label"] == "Message Text" and gives["text"]["important"] is True
    assert gives["channel"]["label"] == "Channel ID"


async def test_action_sample_is_the_actions_sample(client: httpx.AsyncClient) -> None:
    [result] = (await details(client, "FormatterAPI", "text")).json()["results"]
    assert result["action_sample"] == {"output": "HELLO WORLD"}
    gives = {g["key"]: g for g in result["action_gives"]}
    assert gives["output"]["zap_meta_sample"] == "HELLO WORLD"


async def test_action_extra_picks_what_is_returned(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v2/apps/FormatterAPI/actions/text/", params={"action_extra": "action_gives"}, json={"params": {}}
    )
    [result] = response.json()["results"]
    assert "action_gives" in result
    assert "action_needs" not in result and "action_sample" not in result


async def test_needs_with_a_loader_point_to_their_prefill(client: httpx.AsyncClient) -> None:
    needs = needs_by_key(await details(client, "TestAPI", "assign"))
    assert needs["team"]["prefill"] == "assign.team"
    assert needs["team"]["choices"] is None
    assert needs["member"]["prefill"] == "assign.member"
    assert needs["member"]["depends_on"] == ["team"]
    assert needs["member"]["choices"] is None
    # The prefill named is the one the choices endpoint answers to.
    choices = await client.post("/api/v2/apps/TestAPI/choices/assign.team/", json={"params": {}})
    assert [c["label"] for c in choices.json()["results"]] == ["Platform", "Growth", "Design"]


@pytest.mark.parametrize(
    ("team", "members"),
    [("T1", ["Ada", "Linus"]), ("T3", ["Dieter", "Jony"]), ({"mode": "locked", "value": "T2"}, ["Grace"])],
)
async def test_dependent_needs_come_back_with_choices_for_the_params_given(
    client: httpx.AsyncClient, team: Any, members: list[str]
) -> None:
    needs = needs_by_key(await details(client, "TestAPI", "assign", params={"team": team}))
    assert [c["label"] for c in needs["member"]["choices"]] == members
    assert needs["team"]["choices"] is None  # depends on nothing: ask the choices endpoint


async def test_action_details_param_errors_name_the_field(client: httpx.AsyncClient) -> None:
    response = await details(client, "TestAPI", "assign", params={"squad": "T1"})
    assert response.status_code == 400
    assert "'squad'" in response.json()["error"]
    assert "team" in response.json()["hint"] and "member" in response.json()["hint"]
    unknown = await details(client, "TestAPI", "nope")
    assert unknown.status_code == 404
    assert "nope" in unknown.json()["error"] and "echo" in unknown.json()["hint"]


async def test_action_details_in_another_account_is_403(client: httpx.AsyncClient, runtime: Any) -> None:
    from conftest import make_key

    other = await make_key(runtime, account="other", user="someone@else.test")
    response = await client.post(
        "/api/v2/apps/TestAPI/actions/echo/", params={"account_id": other.account_id}, json={"params": {}}
    )
    assert response.status_code == 403


# -- guess actions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "app_key", "action"),
    [
        ("make text uppercase", "FormatterAPI", "text"),
        ("send a note to a channel", "TestAPI", "echo"),
        ("send a POST request with JSON", "WebhookAPI", "post"),
    ],
)
async def test_guess_actions_returns_a_bare_array_best_first(
    client: httpx.AsyncClient, query: str, app_key: str, action: str
) -> None:
    response = await client.post("/api/v2/guess-actions/", json={"query": query})
    assert response.status_code == 200, response.text
    guesses = response.json()
    assert isinstance(guesses, list)
    assert (guesses[0]["app"], guesses[0]["action"]) == (app_key, action)
    assert set(guesses[0]) == {"app", "action", "action_type", "name", "description", "image", "score"}
    scores = [g["score"] for g in guesses]
    assert scores == sorted(scores, reverse=True)
    assert scores[0] > scores[-1] or len(scores) == 1


async def test_guess_name_is_app_and_action(client: httpx.AsyncClient) -> None:
    [guess] = (await client.post("/api/v2/guess-actions/", json={"query": "uppercase", "count": 1})).json()
    assert guess["name"] == "Formatter by nlactions: Text"
    assert guess["action_type"] == "write"


async def test_guess_actions_filters_types_and_counts(client: httpx.AsyncClient) -> None:
    reads = (
        await client.post("/api/v2/guess-actions/", json={"query": "show who I am", "action_types": ["read"]})
    ).json()
    assert reads and {g["action_type"] for g in reads} == {"read"}
    everything = (await client.post("/api/v2/guess-actions/")).json()
    assert isinstance(everything, list) and 0 < len(everything) <= 25
    assert {g["action_type"] for g in everything} <= {"write", "search", "read"}
    two = (await client.post("/api/v2/guess-actions/", json={"query": "send", "count": 2})).json()
    assert len(two) <= 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action_types": ["write"]}, "query"),
        ({"query": "x", "action_types": ["trigger"]}, "action_types"),
        ({"query": "x", "count": 0}, "count"),
    ],
)
async def test_guess_actions_validation(client: httpx.AsyncClient, body: dict[str, Any], field: str) -> None:
    response = await client.post("/api/v2/guess-actions/", json=body)
    assert response.status_code == 422
    assert field in response.json()["error"]


async def test_discovery_needs_an_api_key(app: Any) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        assert (await http.get("/api/v2/apps/search/")).status_code == 401
        assert (await http.post("/api/v2/guess-actions/", json={"query": "x"})).status_code == 401


# -- OpenAPI ------------------------------------------------------------------------------------


async def test_openapi_documents_every_discovery_endpoint(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    paths = spec["paths"]
    expected = {
        ("/api/v2/apps/search/", "get"): {"401"},
        ("/api/v2/apps/{app}/", "get"): {"404"},
        ("/api/v2/apps/{app}/actions/", "get"): {"404", "422"},
        ("/api/v2/apps/{app}/actions/{action}/", "post"): {"400", "404", "412", "502"},
        ("/api/v2/guess-actions/", "post"): {"422"},
        ("/api/v2/apps/{app}/choices/{prefill}/", "post"): {"400", "404", "412", "502"},
    }
    for (path, method), codes in expected.items():
        operation = paths[path][method]
        assert operation["summary"], path
        assert codes <= set(operation["responses"]), path
    choices = paths["/api/v2/apps/{app}/choices/{prefill}/"]["post"]
    assert "<action>.<need>" in choices["description"]
    schemas = spec["components"]["schemas"]
    for name in ("ChoicesRequest", "ActionDetailsRequest", "GuessRequest"):
        assert schemas[name].get("examples"), name
