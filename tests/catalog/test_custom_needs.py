"""Custom needs: an action whose inputs depend on another need, with no database behind it.

``FormsAPI.submit`` has a ``form`` need; each form has its own fields, loaded by a custom-needs loader.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError

from nlactions.api.app import create_app
from nlactions.catalog import (
    Action,
    ActionContext,
    App,
    Choice,
    ChoiceContext,
    ChoicePage,
    Needs,
    NeedSpec,
    load_registry,
    need,
)
from nlactions.catalog.custom import custom_model, decode, encode, validate_custom
from nlactions.catalog.testing import conformance_suite
from nlactions.settings import Settings

FORMS = {
    "signup": [
        NeedSpec(key="name", label="Name", type="str", required=True, help_text="The person's name."),
        NeedSpec(key="email", label="Email", type="str", required=False),
        NeedSpec(key="age", label="Age", type="int", required=False),
        NeedSpec(
            key="plan", label="Plan", type="str", required=False, choices=(Choice("free", "Free"), Choice("pro", "Pro"))
        ),
    ],
    "feedback": [NeedSpec(key="rating", label="Rating", type="int", required=True)],
}
loads: list[dict[str, Any]] = []
performed: list[dict[str, Any]] = []


async def forms(ctx: ChoiceContext) -> ChoicePage:
    return ChoicePage([Choice(key, key.title()) for key in FORMS])


async def form_fields(ctx: ChoiceContext) -> list[NeedSpec]:
    loads.append(dict(ctx.params))
    return FORMS.get(str(ctx.params.get("form")), [])


class SubmitInput(Needs):
    form: str = need(label="Form", choices=forms, alters_custom_fields=True)
    note: str | None = need(None, label="Note")


async def submit(ctx: ActionContext, params: SubmitInput) -> dict[str, Any]:
    performed.append({"form": params.form, **params.custom})
    return {"form": params.form, **params.custom}


SUBMIT = Action(
    key="submit",
    type="write",
    noun="Submission",
    name="Submit Form",
    description="Submit a form; each form has its own fields.",
    input=SubmitInput,
    perform=submit,
    custom_needs=form_fields,
)
FORMS_APP = App(key="FormsAPI", name="Forms", description="Forms with fields of their own.", actions=(SUBMIT,))

test_forms_conformance = conformance_suite(FORMS_APP)


@pytest.fixture(autouse=True)
def clear() -> None:
    loads.clear()
    performed.clear()


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    """The server with FormsAPI installed."""
    registry = load_registry()
    registry.add(FORMS_APP)
    application = create_app(settings, registry=registry, migrate=False)
    async with application.router.lifespan_context(application):
        yield application


def locked(value: Any) -> dict[str, Any]:
    return {"mode": "locked", "value": value}


async def run(client: httpx.AsyncClient, instructions: str = "", **params: Any) -> httpx.Response:
    return await client.post(
        "/api/v2/execute/", json={"app": "FormsAPI", "action": "submit", "instructions": instructions, "params": params}
    )


def test_a_spec_survives_the_cache_encoding() -> None:
    spec = FORMS["signup"][3]
    assert decode(encode(spec), ("form",)) == NeedSpec(
        key="plan", label="Plan", type="str", required=False, choices=spec.choices, depends_on=("form",)
    )


def test_custom_values_are_validated_against_their_types() -> None:
    specs = [*FORMS["signup"], NeedSpec(key="order id", label="Order", type="int", required=False)]
    assert validate_custom(specs, {"name": "Ana", "age": "31", "order id": 7}) == {
        "name": "Ana",
        "age": 31,
        "order id": 7,
    }
    with pytest.raises(ValidationError) as raised:
        validate_custom(specs, {"name": "Ana", "plan": "gold"})
    assert raised.value.errors()[0]["loc"] == ("plan",)
    with pytest.raises(ValidationError):
        custom_model(specs).model_validate({"email": "x"})  # name is required


async def test_custom_needs_are_resolved_from_the_instructions(client: httpx.AsyncClient) -> None:
    response = await run(client, "sign up someone named Ana with email ana@example.com", form=locked("signup"))
    data = response.json()
    assert data["status"] == "success", data
    assert performed == [{"form": "signup", "name": "Ana", "email": "ana@example.com"}]
    assert data["resolved_params"] == {"form": "signup", "name": "Ana", "email": "ana@example.com"}


async def test_custom_values_reach_perform_typed(client: httpx.AsyncClient) -> None:
    response = await run(client, form=locked("signup"), name=locked("Bo"), age={"mode": "guess", "value": "40"})
    assert response.json()["status"] == "success", response.text
    assert performed == [{"form": "signup", "name": "Bo", "age": 40}]


async def test_the_custom_needs_follow_the_form(client: httpx.AsyncClient) -> None:
    response = await run(client, form=locked("feedback"), rating=locked(5))
    assert response.json()["status"] == "success"
    assert performed == [{"form": "feedback", "rating": 5}]
    assert loads == [{"form": "feedback"}]


async def test_a_missing_required_custom_need_halts_naming_it(client: httpx.AsyncClient) -> None:
    data = (await run(client, form=locked("signup"), email=locked("x@example.com"))).json()
    assert data["status"] == "halted"
    assert "'name' (Name, a str value)" in data["error"]
    assert performed == []


async def test_an_unknown_key_is_a_400_listing_custom_needs(client: httpx.AsyncClient) -> None:
    response = await run(client, form=locked("feedback"), name=locked("Ana"))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "unknown_need"
    assert "'name' is not a need" in body["error"]
    assert body["hint"] == "Valid needs: form, note, rating."


async def test_a_bad_custom_value_is_a_400_naming_it(client: httpx.AsyncClient) -> None:
    response = await run(client, form=locked("feedback"), rating=locked("five"))
    assert response.status_code == 400
    assert "params.rating" in response.json()["error"]


async def test_action_details_list_custom_needs_once_the_form_is_given(client: httpx.AsyncClient) -> None:
    path = "/api/v2/apps/FormsAPI/actions/submit/"
    bare = (await client.post(path, json={"params": {}})).json()["results"][0]
    assert [n["key"] for n in bare["action_needs"]] == ["form", "note"]
    refused = await client.post(path, json={"params": {"rating": 3}})
    assert refused.status_code == 400
    assert "once form is given" in refused.json()["hint"]
    given = (await client.post(path, json={"params": {"form": "signup"}})).json()["results"][0]
    needs = {n["key"]: n for n in given["action_needs"]}
    assert list(needs) == ["form", "note", "name", "email", "age", "plan"]
    assert needs["name"]["custom_field"] is True and needs["name"]["required"] is True
    assert needs["form"]["custom_field"] is False
    assert needs["age"]["type"] == "int"
    assert [c["key"] for c in needs["plan"]["choices"]] == ["free", "pro"]
    with_value = await client.post(path, json={"params": {"form": "signup", "name": "Ana"}})
    assert with_value.status_code == 200


async def test_the_loader_is_cached_between_details_and_executions(client: httpx.AsyncClient) -> None:
    path = "/api/v2/apps/FormsAPI/actions/submit/"
    await client.post(path, json={"params": {"form": "feedback"}})
    await client.post(path, json={"params": {"form": "feedback"}})
    assert (await run(client, form=locked("feedback"), rating=locked(4))).json()["status"] == "success"
    assert loads == [{"form": "feedback"}]


async def test_skip_param_guessing_takes_locked_custom_values(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v2/execute/?skip_param_guessing=true",
        json={
            "app": "FormsAPI",
            "action": "submit",
            "instructions": "",
            "params": {"form": locked("feedback"), "rating": locked(2)},
        },
    )
    assert response.json()["status"] == "success", response.text
    assert performed == [{"form": "feedback", "rating": 2}]


async def test_a_stored_ai_action_keeps_custom_params_and_runs_with_them(client: httpx.AsyncClient) -> None:
    """Column-like needs can be fixed or hinted in a stored AI action; they are checked when it runs."""
    created = await client.post(
        "/api/v2/ai-actions/",
        json={"app": "FormsAPI", "action": "submit", "params": {"form": locked("signup"), "plan": locked("pro")}},
    )
    assert created.status_code == 200, created.text
    action_id = created.json()["id"]
    body = {"instructions": "sign up someone named Ana"}
    ran = await client.post(f"/api/v2/ai-actions/{action_id}/execute/", json=body)
    data = ran.json()
    assert data["status"] == "success", data
    assert performed == [{"form": "signup", "name": "Ana", "plan": "pro"}]

    stale = await client.post(
        "/api/v2/ai-actions/",
        json={"app": "FormsAPI", "action": "submit", "params": {"form": locked("feedback"), "plan": locked("pro")}},
    )
    assert stale.status_code == 200, stale.text
    refused = await client.post(f"/api/v2/ai-actions/{stale.json()['id']}/execute/", json={"instructions": "rate 5"})
    assert refused.status_code == 400
    assert refused.json()["code"] == "unknown_need"
