"""The OpenAPI document and the error shape: every operation has a summary, an example and its error
responses declared as ``{"error": ...}``; every bad request, to every router, answers in that shape."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import jsonschema
import pytest
from fastapi import FastAPI

from nlactions.api.app import create_app
from nlactions.kit.ids import new_ulid
from nlactions.settings import Settings

METHODS = ("get", "put", "post", "delete", "patch")
Operation = tuple[str, str, dict[str, Any]]


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    """Our /openapi.json (rendering it needs no lifespan)."""
    return create_app(Settings(_env_file=None), migrate=False).openapi()  # type: ignore[call-arg]


def operations(spec: dict[str, Any]) -> Iterator[Operation]:
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method.upper(), path, operation


def resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def variants(spec: dict[str, Any], schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The schema and, for a union (an optional body), each of its members, resolved."""
    schema = resolve(spec, schema)
    return [schema, *(resolve(spec, s) for s in schema.get("anyOf", []) + schema.get("oneOf", []))]


def json_media(part: dict[str, Any]) -> dict[str, Any]:
    return part.get("content", {}).get("application/json", {})


def media_examples(media: dict[str, Any]) -> list[Any]:
    found = [media["example"]] if "example" in media else []
    return found + [e["value"] for e in media.get("examples", {}).values() if "value" in e]


def schema_examples(spec: dict[str, Any], schema: dict[str, Any]) -> list[Any]:
    found: list[Any] = []
    for part in variants(spec, schema):
        found += part.get("examples", []) + ([part["example"]] if "example" in part else [])
    return found


def parameter_examples(parameter: dict[str, Any]) -> list[Any]:
    found = [parameter["example"]] if "example" in parameter else []
    return found + [e["value"] for e in parameter.get("examples", {}).values() if "value" in e]


def success(operation: dict[str, Any]) -> dict[str, Any]:
    codes = sorted(code for code in operation["responses"] if code.startswith("2"))
    return operation["responses"][codes[0]]


def is_secured(operation: dict[str, Any]) -> bool:
    return bool(operation.get("security"))


def validator(spec: dict[str, Any], schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    """OpenAPI 3.1 schemas are JSON Schema 2020-12; ``#/components/...`` resolves against the document."""
    return jsonschema.Draft202012Validator({**schema, "components": spec["components"]})


# -- the document --------------------------------------------------------------------------------------


def test_every_operation_has_a_summary_and_a_description(spec: dict[str, Any]) -> None:
    missing = [(m, p) for m, p, op in operations(spec) if not op.get("summary") or not op.get("description")]
    assert missing == []


def test_every_error_response_is_the_error_shape(spec: dict[str, Any]) -> None:
    wrong = []
    for method, path, operation in operations(spec):
        for code, response in operation["responses"].items():
            if code[0] not in "45":
                continue
            schema = resolve(spec, json_media(response).get("schema", {}))
            if "error" not in schema.get("required", []) or schema["properties"]["error"].get("type") != "string":
                wrong.append((method, path, code, schema.get("title")))
    assert wrong == []


def test_operations_declare_the_errors_they_can_return(spec: dict[str, Any]) -> None:
    """401 and 429 when a key is needed; 400 (malformed JSON) and 422 with a body; 422 with any parameter."""
    missing = []
    for method, path, operation in operations(spec):
        expected = set()
        if is_secured(operation):
            expected |= {"401", "429"}
        if "requestBody" in operation:
            expected |= {"400", "422"}
        if operation.get("parameters"):
            expected.add("422")
        if undeclared := expected - set(operation["responses"]):
            missing.append((method, path, sorted(undeclared)))
    assert missing == []


def test_every_operation_has_an_example(spec: dict[str, Any]) -> None:
    """A request example where there is a body; else an example of the answer or of a parameter."""
    missing = []
    for method, path, operation in operations(spec):
        if "requestBody" in operation:
            media = json_media(operation["requestBody"])
            found = media_examples(media) + schema_examples(spec, media["schema"])
        else:
            answer = json_media(success(operation))
            found = media_examples(answer) + schema_examples(spec, answer.get("schema", {}))
            for parameter in operation.get("parameters", []):
                found += parameter_examples(parameter)
        if not found:
            missing.append((method, path))
    assert missing == []


def test_examples_match_their_schemas(spec: dict[str, Any]) -> None:
    """An example that its own schema refuses would teach clients the wrong shape."""
    checked = 0
    wrong: list[tuple[str, ...]] = []
    for method, path, operation in operations(spec):
        media_parts = [json_media(operation.get("requestBody", {})), json_media(success(operation))]
        media_parts += [json_media(r) for code, r in operation["responses"].items() if code[0] in "45"]
        for media in media_parts:
            if "schema" not in media:
                continue
            examples = media_examples(media) + schema_examples(spec, media["schema"])
            for example in examples:
                checked += 1
                errors = [e.message for e in validator(spec, media["schema"]).iter_errors(example)]
                if errors:
                    wrong.append((method, path, *errors[:2]))
        for parameter in operation.get("parameters", []):
            for example in parameter_examples(parameter):
                checked += 1
                if errors := [e.message for e in validator(spec, parameter["schema"]).iter_errors(example)]:
                    wrong.append((method, path, parameter["name"], *errors[:2]))
    assert wrong == []
    assert checked >= len(list(operations(spec)))


# -- real bad requests -----------------------------------------------------------------------------------

SAMPLE_PATH_VALUES = {
    "app": "TestAPI",
    "action": "echo",
    "prefill": "echo.channel",
    "auth_id": "1",
}


def fill(path: str, value: str | None = None) -> str:
    """A concrete path: sample values (a fresh ULID for object ids), or ``value`` for every parameter."""
    return re.sub(r"{(\w+)}", lambda m: value or SAMPLE_PATH_VALUES.get(m.group(1), new_ulid()), path)


def problems(response: httpx.Response, status: int) -> list[str]:
    """How ``response`` falls short of a ``status`` answer in the error shape."""
    found = []
    if response.status_code != status:
        found.append(f"status {response.status_code}, not {status}")
    if "Traceback" in response.text or 'File "' in response.text:
        found.append("a stack trace")
    if not response.headers.get("content-type", "").startswith("application/json"):
        return [*found, f"content-type {response.headers.get('content-type')}"]
    body = response.json()
    if not isinstance(body, dict) or not isinstance(body.get("error"), str) or not body["error"].strip():
        return [*found, f"no error message: {response.text[:200]}"]
    if set(body) == {"detail"}:
        found.append("only a detail")
    for key in ("code", "hint"):
        if key in body and not isinstance(body[key], str):
            found.append(f"{key} is not a string")
    return found


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """This module sends bad keys by the dozen on purpose; their throttling is tested in test_rate_limits."""
    return settings.model_copy(update={"rate_limit_failed_auth": "0"})


@pytest.fixture
async def anonymous(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client with no API key."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://nlactions.test") as http:
        yield http


UNKNOWN_ROUTES = [
    ("GET", "/nope"),
    ("GET", "/api/nope/"),
    ("GET", "/api/v2/nope/"),
    ("GET", "/api/v2/auth/nope/"),
    ("GET", "/api/v2/execute/logs/"),
    ("POST", "/api/v2/execute/log/01ARZ3NDEKTSV4RRFFQ69G5FAV/nope/"),
    ("GET", "/api/v2/ai-actions/01ARZ3NDEKTSV4RRFFQ69G5FAV/nope/"),
    ("GET", "/api/v2/apps/TestAPI/auths/1/nope/"),
    ("GET", "/api/v2/apps/TestAPI/actions/echo/nope/"),
    ("POST", "/api/v2/apps/TestAPI/choices/"),
    ("GET", "/api/v1/nope/"),
    ("POST", "/api/v1/exposed/01ARZ3NDEKTSV4RRFFQ69G5FAV/"),
    ("GET", "/api/v1/execution-log/"),
]


async def test_unknown_routes_are_404_in_the_error_shape(client: httpx.AsyncClient) -> None:
    wrong = []
    for method, path in UNKNOWN_ROUTES:
        response = await client.request(method, path, json={})
        if found := problems(response, 404):
            wrong.append((method, path, found))
    assert wrong == []


async def test_wrong_methods_are_405_in_the_error_shape(client: httpx.AsyncClient, spec: dict[str, Any]) -> None:
    wrong = []
    for path, item in spec["paths"].items():
        method = next(m for m in ("patch", "put", "delete", "post") if m not in item)
        response = await client.request(method.upper(), fill(path), json={})
        if found := problems(response, 405):
            wrong.append((method, path, found))
    assert len(spec["paths"]) > 20
    assert wrong == []


async def test_malformed_json_is_400_in_the_error_shape(client: httpx.AsyncClient, spec: dict[str, Any]) -> None:
    wrong, sent = [], 0
    for method, path, operation in operations(spec):
        if "requestBody" not in operation:
            continue
        response = await client.request(
            method, fill(path), content=b'{"instructions": ', headers={"content-type": "application/json"}
        )
        sent += 1
        if found := problems(response, 400):
            wrong.append((method, path, found))
        elif response.json().get("code") != "malformed_json":
            wrong.append((method, path, [f"code {response.json().get('code')}"]))
    assert sent > 10
    assert wrong == []


async def test_missing_or_bad_keys_are_401_in_the_error_shape(
    anonymous: httpx.AsyncClient, spec: dict[str, Any]
) -> None:
    wrong, sent = [], 0
    for method, path, operation in operations(spec):
        if not is_secured(operation):
            continue
        for headers in ({}, {"x-api-key": "nla_not-a-key"}, {"Authorization": "Bearer nla_not-a-key"}):
            response = await anonymous.request(method, fill(path), json={"instructions": "x"}, headers=headers)
            sent += 1
            if found := problems(response, 401):
                wrong.append((method, path, headers, found))
    assert sent > 60
    assert wrong == []


async def test_validation_errors_are_422_in_the_error_shape(client: httpx.AsyncClient, spec: dict[str, Any]) -> None:
    """A body of the wrong type, an over-long path parameter, query values of the wrong type or length."""
    wrong, sent = [], 0
    for method, path, operation in operations(spec):
        queries = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
        if "requestBody" in operation:
            response = await client.request(method, fill(path), json=["not", "an", "object"])
        elif "{" in path:
            response = await client.request(method, fill(path, "x" * 300))
        elif queries:
            response = await client.request(method, path, params={name: "x" * 2000 for name in queries})
        else:
            continue
        sent += 1
        found = problems(response, 422)
        if not found and not isinstance(response.json().get("detail"), list):
            found = ["no detail list"]
        if found:
            wrong.append((method, path, found))
    assert sent > 20
    assert wrong == []
