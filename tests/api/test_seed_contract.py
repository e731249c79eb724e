"""The seed spec as a contract: real response bodies validate against its schemas, and our OpenAPI
documents everything the seed's execute operation declares.

The seed's shapes come from ``tests/contract/seed_shapes.py`` (carried in the repository, so these
tests run on any checkout). The seed's ``ExecuteResponse.status`` enum lacks ``halted`` (Zapier's
current v2 has it): 200 bodies are validated against the shapes with ``halted`` added, and every
non-halted body also against the unmodified seed, so a client generated from the seed accepts them
as they are.
"""

from __future__ import annotations

from typing import Any

import httpx
import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from conftest import make_key
from contract.seed_shapes import EXECUTE_PATH as EXECUTE
from contract.seed_shapes import seed_spec
from nlactions.api.runtime import Runtime

SEED_URI = "urn:nlactions:seed"


# -- the seed and its validators --------------------------------------------------------------


@pytest.fixture(scope="module")
def seed() -> dict[str, Any]:
    """The seed contract's shapes, as an OpenAPI document."""
    return seed_spec()


def validator(spec: dict[str, Any], component: str) -> jsonschema.Draft202012Validator:
    """A JSON Schema 2020-12 validator (OpenAPI 3.1's dialect) for ``#/components/schemas/<component>``."""
    registry: Registry[Any] = Registry().with_resource(SEED_URI, Resource(spec, specification=DRAFT202012))
    return jsonschema.Draft202012Validator({"$ref": f"{SEED_URI}#/components/schemas/{component}"}, registry=registry)


def problems(validate: jsonschema.Draft202012Validator, body: Any) -> list[str]:
    """Every violation, as ``path: message``."""
    return [f"{'/'.join(map(str, e.absolute_path)) or '<body>'}: {e.message}" for e in validate.iter_errors(body)]


# -- request helpers --------------------------------------------------------------------------


def body(app: str, action: str, instructions: str = "", **params: Any) -> dict[str, Any]:
    return {"instructions": instructions, "app": app, "action": action, "params": params}


def locked(value: Any) -> dict[str, Any]:
    return {"mode": "locked", "value": value}


def guess(value: Any) -> dict[str, Any]:
    return {"mode": "guess", "value": value}


ECHO = {"channel": locked("C001"), "text": locked("hi")}

# (id, query, body, expected body status)
OUTCOMES = [
    ("success", "", body("FormatterAPI", "text", transform=locked("uppercase"), input=locked("abc")), "success"),
    (
        "success-guessed",
        "",
        body("TestAPI", "echo", "post hi to #engineering", channel=guess("engineering"), text=locked("hi")),
        "success",
    ),
    ("skip-guessing", "?skip_param_guessing=true", body("TestAPI", "echo", **ECHO), "success"),
    ("preview", "?preview_only=true", body("TestAPI", "echo", channel=guess("#general"), text=locked("x")), "preview"),
    ("empty", "", body("TestAPI", "find", query=locked("nothing")), "empty"),
    ("error-upstream", "", body("TestAPI", "boom", mode=locked("upstream")), "error"),
    ("error-crash", "", body("TestAPI", "boom", mode=locked("crash")), "error"),
    (
        "truncated",
        "?token_budget=1",
        body("TestAPI", "echo", channel=locked("C001"), text=locked("x " * 50)),
        "success",
    ),
    ("halted", "", body("TestAPI", "echo", channel=guess("zzqx"), text=locked("x")), "halted"),
]


@pytest.mark.parametrize(("query", "payload", "status"), [o[1:] for o in OUTCOMES], ids=[o[0] for o in OUTCOMES])
async def test_execute_200_bodies_match_the_seed(
    client: httpx.AsyncClient, seed: dict[str, Any], query: str, payload: dict[str, Any], status: str
) -> None:
    response = await client.post(EXECUTE + query, json=payload)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    data = response.json()
    assert data["status"] == status
    assert problems(validator(seed_spec(halted=True), "ExecuteResponse"), data) == []
    as_seeded = problems(validator(seed, "ExecuteResponse"), data)
    if "token_budget" in query:
        assert len(data["results"][0]["text"]) < len(data["full_results"][0]["text"])
    if status == "halted":
        # The one documented divergence: the seed's enum has no "halted".
        assert as_seeded == ["status: 'halted' is not one of ['success', 'error', 'empty', 'preview']"]
        assert data["error"], "a halted run says why"
    else:
        assert as_seeded == []


async def test_rated_log_still_matches_the_seed(client: httpx.AsyncClient, seed: dict[str, Any]) -> None:
    ran = (await client.post(EXECUTE, json=body("TestAPI", "echo", **ECHO))).json()
    rated = await client.post(f"{EXECUTE}log/{ran['execution_log_id']}/rate/?rating=1&feedback=good")
    assert rated.status_code == 200, rated.text
    assert rated.json()["rating"] == 1
    assert problems(validator(seed, "ExecuteResponse"), rated.json()) == []


# -- every 4xx is an ErrorResponse ------------------------------------------------------------

ERRORS = [
    ("400-unknown-app", "", body("NoSuchAPI", "x"), 400),
    ("400-unknown-action", "", body("TestAPI", "nope"), 400),
    ("400-unknown-need", "", body("TestAPI", "echo", bogus=locked("x")), 400),
    ("400-preview-and-skip", "?preview_only=true&skip_param_guessing=true", body("TestAPI", "echo", **ECHO), 400),
    ("400-guess-under-skip", "?skip_param_guessing=true", body("TestAPI", "echo", channel=guess("general")), 400),
    ("400-choose-from-not-list", "", body("TestAPI", "echo", channel={"mode": "choose_from", "value": "C1"}), 400),
    ("400-locked-bad-type", "", body("TestAPI", "echo", **ECHO, count=locked("many")), 400),
    ("412-no-authentication", "", body("KeyedAPI", "whoami"), 412),
    ("422-missing-fields", "", {"instructions": "x"}, 422),
    ("422-bad-mode", "", body("TestAPI", "echo", channel={"mode": "sometimes"}), 422),
    ("422-bad-flag", "?preview_only=maybe", body("TestAPI", "echo", **ECHO), 422),
    ("422-bad-token-budget", "?token_budget=0", body("TestAPI", "echo", **ECHO), 422),
    ("422-int-as-string", "", body("TestAPI", "echo", **ECHO) | {"authentication_id": "7"}, 422),
]


@pytest.mark.parametrize(("query", "payload", "code"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
async def test_execute_error_bodies_match_the_seed(
    client: httpx.AsyncClient, seed: dict[str, Any], query: str, payload: dict[str, Any], code: int
) -> None:
    response = await client.post(EXECUTE + query, json=payload)
    assert response.status_code == code, response.text
    assert_error_body(response, seed)


async def test_other_4xx_bodies_match_the_seed(
    app: Any, client: httpx.AsyncClient, runtime: Runtime, seed: dict[str, Any]
) -> None:
    other = await make_key(runtime, account="other", user="someone@else.test")
    ok = body("TestAPI", "echo", **ECHO)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as anonymous:
        cases = {
            400: await client.post(EXECUTE, content=b"{not json", headers={"Content-Type": "application/json"}),
            401: await anonymous.post(EXECUTE, json=ok),
            403: await client.post(EXECUTE, json=ok | {"account_id": other.account_id}),
            404: await client.post(f"{EXECUTE}log/01ARZ3NDEKTSV4RRFFQ69G5FAV/rate/?rating=1"),
            405: await client.get(EXECUTE),
            413: await client.post(EXECUTE, content=b"{" + b" " * 2_000_000 + b"}"),
        }
    for code, response in cases.items():
        assert response.status_code == code, (code, response.text)
        assert_error_body(response, seed)
    assert cases[401].headers["WWW-Authenticate"] == "Bearer"


def assert_error_body(response: httpx.Response, seed: dict[str, Any]) -> None:
    """The body is the seed's ErrorResponse: an ``error`` string, plus our optional code and hint."""
    assert response.headers["content-type"].startswith("application/json")
    data = response.json()
    assert problems(validator(seed, "ErrorResponse"), data) == []
    assert data["error"].strip()
    assert all(isinstance(data[k], str) for k in ("code", "hint") if data.get(k) is not None)
    assert "Traceback" not in response.text


# -- our OpenAPI documents the seed's operation -----------------------------------------------


def _types(schema: dict[str, Any], spec: dict[str, Any]) -> set[str]:
    """The JSON types a (possibly $ref'd, anyOf'd or allOf'd) schema admits; enums become ``enum:...``."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return _types(spec["components"]["schemas"][name], spec)
    for combinator in ("anyOf", "oneOf", "allOf"):
        if combinator in schema:
            return set().union(*(_types(s, spec) for s in schema[combinator]))
    if "enum" in schema:
        return {f"enum:{v}" for v in schema["enum"]}
    return {schema["type"]} if "type" in schema else {"any"}


@pytest.fixture(scope="module")
def ours() -> dict[str, Any]:
    """Our own /openapi.json (no lifespan needed to render it)."""
    from nlactions.api.app import create_app
    from nlactions.settings import Settings

    return create_app(Settings(_env_file=None), migrate=False).openapi()  # type: ignore[call-arg]


def test_openapi_documents_every_seed_query_flag(seed: dict[str, Any], ours: dict[str, Any]) -> None:
    theirs = {p["name"]: p for p in seed["paths"][EXECUTE]["post"]["parameters"]}
    mine = {p["name"]: p for p in ours["paths"][EXECUTE]["post"]["parameters"]}
    for name, param in theirs.items():
        assert name in mine, f"query flag {name!r} is not documented"
        assert mine[name]["in"] == "query"
        assert not mine[name].get("required", False)
        assert _types(param["schema"], seed) <= _types(mine[name]["schema"], ours), name
        if "default" in param["schema"]:
            assert mine[name]["schema"].get("default") == param["schema"]["default"], name


def test_openapi_documents_every_seed_body_field(seed: dict[str, Any], ours: dict[str, Any]) -> None:
    operation = ours["paths"][EXECUTE]["post"]
    assert operation["operationId"] == seed["paths"][EXECUTE]["post"]["operationId"]
    mine = operation["requestBody"]["content"]["application/json"]["schema"]
    theirs = seed["components"]["schemas"]["StatelessExecuteRequest"]
    mine = ours["components"]["schemas"][mine["$ref"].rsplit("/", 1)[-1]]
    assert set(mine["required"]) == set(theirs["required"])
    assert mine.get("additionalProperties", True) is not False, "the seed accepts unknown fields"
    for name, field in theirs["properties"].items():
        assert name in mine["properties"], f"body field {name!r} is not documented"
        assert _types(field, seed) <= _types(mine["properties"][name], ours), name
    constraint_mine = ours["components"]["schemas"]["ParamConstraint"]["properties"]
    constraint_theirs = seed["components"]["schemas"]["ParamConstraint"]["properties"]
    assert _types(constraint_theirs["mode"], seed) == _types(constraint_mine["mode"], ours)
    assert _types(constraint_theirs["value"], seed) <= _types(constraint_mine["value"], ours) | {"any"}


def test_openapi_documents_the_seed_responses(seed: dict[str, Any], ours: dict[str, Any]) -> None:
    responses = ours["paths"][EXECUTE]["post"]["responses"]
    assert set(seed["paths"][EXECUTE]["post"]["responses"]) <= set(responses)
    for code in ("400", "412", "422"):
        schema = responses[code]["content"]["application/json"]["schema"]
        error = ours["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
        assert error["required"] == ["error"]
        assert error["properties"]["error"]["type"] == "string"
    ok = responses["200"]["content"]["application/json"]["schema"]
    mine = ours["components"]["schemas"][ok["$ref"].rsplit("/", 1)[-1]]
    theirs = seed["components"]["schemas"]["ExecuteResponse"]
    assert set(mine["required"]) == set(theirs["required"])
    for name, field in theirs["properties"].items():
        assert _types(field, seed) <= _types(mine["properties"][name], ours), name
    assert _types(mine["properties"]["status"], ours) == _types(theirs["properties"]["status"], seed) | {"enum:halted"}


def test_openapi_documents_the_seed_api_key_header(seed: dict[str, Any], ours: dict[str, Any]) -> None:
    theirs = seed["components"]["securitySchemes"]["AccessPointApiKeyHeader"]
    assert ours["components"]["securitySchemes"]["AccessPointApiKeyHeader"] == theirs
