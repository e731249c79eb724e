"""Property tests: schemathesis drives the app against its own OpenAPI and against the seed spec.

Every operation gets its documented examples, positive and negative generated cases, and
``POST /api/v2/execute/`` also gets "targeted" cases whose bodies name real apps, actions and needs
(random strings never reach the executor). Checks on every response: no 5xx, the body matches the
documented schema, the content type is documented; for our own OpenAPI also that the status code is
documented. The seed's shapes come from ``tests/contract/seed_shapes.py`` (carried in the repository);
its ``ExecuteResponse.status`` enum lacks ``halted`` (which Zapier's current v2 returns), so the seed
is tested with that one value added.

Counts (operations, test cases, failures, statuses) are printed once at the end of the session.
``NLACTIONS_SCHEMATHESIS_EXAMPLES`` (default 5) scales the number of examples; see MAX_EXAMPLES.
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from contract.seed_shapes import seed_spec
from helpers.apps import keyed_app, test_app
from nlactions.accounts.service import CreatedKey
from nlactions.api.app import create_app
from nlactions.catalog import Action, NeedSpec, Registry, load_registry
from nlactions.settings import Settings

# Examples per operation and mode; ``POST /api/v2/execute/`` gets four times as many (and its
# targeted phase twelve times), as every other endpoint only guards the way to the same services.
MAX_EXAMPLES = int(os.environ.get("NLACTIONS_SCHEMATHESIS_EXAMPLES", "5"))
EXECUTE_EXAMPLES = MAX_EXAMPLES * 4
TARGETED_EXAMPLES = MAX_EXAMPLES * 12
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
EXECUTE = "POST /api/v2/execute/"

# What the targeted bodies run. WebhookAPI is left out: its SSRF guard resolves the URL's host,
# and these tests stay off the network.
TARGETS = [
    ("FormatterAPI", "text"),
    ("FormatterAPI", "number"),
    ("FormatterAPI", "date"),
    ("TestAPI", "echo"),
    ("TestAPI", "find"),
    ("TestAPI", "boom"),
    ("TestAPI", "assign"),
    ("KeyedAPI", "whoami"),
]
SLOW = "slow"  # TestAPI.boom's "slow" mode sleeps 5 s; nothing to learn from it here

HYPOTHESIS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=list(HealthCheck),
)


# -- counts -----------------------------------------------------------------------------------


@dataclass
class Tally:
    """Operations, test cases, failures and statuses per schema run."""

    operations: dict[str, set[str]] = field(default_factory=dict)
    phases: dict[str, Counter[str]] = field(default_factory=dict)
    statuses: dict[str, Counter[str]] = field(default_factory=dict)
    failures: Counter[str] = field(default_factory=Counter)

    def record(self, run: str, operation: str, phase: str, status: int, body: Any) -> None:
        """Count one case; a 200 execute body also counts by its ``status`` field."""
        self.operations.setdefault(run, set()).add(operation)
        self.phases.setdefault(run, Counter())[phase] += 1
        shown = str(status)
        if status == 200 and isinstance(body, dict) and isinstance(body.get("status"), str):
            shown = f"200/{body['status']}"
        self.statuses.setdefault(run, Counter())[shown] += 1

    def lines(self) -> list[str]:
        """One summary line per schema run."""
        out = []
        for run, operations in sorted(self.operations.items()):
            phases = self.phases[run]
            out.append(
                f"schemathesis {run}: {len(operations)} operations, {sum(phases.values())} test cases "
                f"({', '.join(f'{p} {n}' for p, n in sorted(phases.items()))}), "
                f"{self.failures[run]} failures; statuses "
                + ", ".join(f"{s}×{n}" for s, n in sorted(self.statuses[run].items()))
            )
        return out


@pytest.fixture(scope="session")
def tally(request: pytest.FixtureRequest) -> Iterator[Tally]:
    """The session's counts, printed (outside output capture) after the last test."""
    counts = Tally()
    yield counts
    if lines := counts.lines():
        capture = request.config.pluginmanager.getplugin("capturemanager")
        with capture.global_and_fixture_disabled():
            print("\n" + "\n".join(lines))


# -- the schemas and the app ------------------------------------------------------------------


def full_registry() -> Registry:
    """The built-in apps plus the test apps of ``helpers.apps``."""
    registry = load_registry()
    registry.add(test_app)
    registry.add(keyed_app)
    return registry


@pytest.fixture
def served(settings: Settings, key: CreatedKey) -> Iterator[FastAPI]:
    """A second app on the test database (where ``key`` lives); schemathesis's client starts it.

    Its bad-key cases would spend the address's failed-auth budget and turn every later case into a 429,
    so that throttle is off here (test_rate_limits covers it)."""
    throttle_off = settings.model_copy(update={"rate_limit_failed_auth": "0"})
    application = create_app(throttle_off, registry=full_registry(), migrate=False)
    yield application
    asgi.shutdown_lifespans()


# -- targeted execute cases -------------------------------------------------------------------


def _values(need: NeedSpec | None) -> st.SearchStrategy[Any]:
    """Plausible and hostile values for a need: its choice ids, typed values, junk of every type."""
    own = [*(c.key for c in need.choices or ()), *need.examples] if need else []
    known = [v for v in [*own, "C001", "T1", "T1-ada"] if v != SLOW]
    return st.one_of(
        st.sampled_from(known),
        st.text(max_size=30).filter(lambda v: v != SLOW),
        st.sampled_from(["12.5", "-3", "1e309", "2024-02-29", "next friday", "a@b.co", "<b>x</b>", ""]),
        st.integers(min_value=-(10**20), max_value=10**20),
        st.floats(allow_nan=False, allow_infinity=False),  # JSON has neither
        st.booleans(),
        st.none(),
        st.lists(st.sampled_from([*known, "zzz"]), max_size=3),
        st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
    )


def _params(action: Action) -> st.SearchStrategy[dict[str, Any]]:
    needs = {n.key: n for n in action.needs}
    modes = st.sampled_from(["locked", "locked", "locked", "guess", "guess", "choose_from", "ignored"])
    known = st.lists(st.sampled_from(list(needs)), unique=True) if needs else st.just([])
    unknown = st.sampled_from([[], [], [], [], ["not_a_need"]])
    names = st.tuples(known, unknown).map(lambda pair: pair[0] + pair[1])
    return names.flatmap(
        lambda chosen: st.fixed_dictionaries(
            {k: st.fixed_dictionaries({"mode": modes, "value": _values(needs.get(k))}) for k in chosen}
        )
    )


def _valid_value(need: NeedSpec) -> st.SearchStrategy[Any]:
    """A value of the need's type (a real choice id where it has static choices)."""
    if need.choices:
        return st.sampled_from([c.key for c in need.choices if c.key != SLOW])
    if need.loader is not None:
        return st.sampled_from(["T1", "T2", "T1-ada", "T2-grace"])
    typed: dict[str, st.SearchStrategy[Any]] = {
        "int": st.integers(min_value=-5, max_value=50),
        "float": st.floats(min_value=-1e6, max_value=1e6),
        "bool": st.booleans(),
        "dict": st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
    }
    realistic = ["Hello World", "  a@b.co and c@d.org ", "<p>x</p>", "2024-02-29", "1,234.5", "a,b,c", "$3"]
    return typed.get(str(need.type), st.one_of(st.text(max_size=40), st.sampled_from(realistic)))


def _valid_params(action: Action) -> st.SearchStrategy[dict[str, Any]]:
    """Every required need and some optional ones, locked to values of their type: the action runs."""
    required = [n for n in action.needs if n.required]
    optional = st.lists(st.sampled_from([n for n in action.needs if not n.required] or [None]), unique=True)
    return optional.flatmap(
        lambda extra: st.fixed_dictionaries(
            {
                n.key: st.fixed_dictionaries({"mode": st.just("locked"), "value": _valid_value(n)})
                for n in [*required, *(e for e in extra if e is not None)]
            }
        )
    )


def execute_bodies(registry: Registry) -> st.SearchStrategy[dict[str, Any]]:
    """Bodies that name real apps, actions and needs, so generated requests reach the executor."""

    def body(target: tuple[str, str]) -> st.SearchStrategy[dict[str, Any]]:
        app = registry.get(target[0])
        action = app.action(target[1]) if app else None
        assert action is not None, target
        return st.fixed_dictionaries(
            {
                "instructions": st.one_of(
                    st.text(max_size=60),
                    st.sampled_from(["uppercase 'hello world'", "add 5 to 10", "post hi to #general"]),
                ),
                "app": st.just(target[0]),
                "action": st.just(target[1]),
                "params": st.one_of(_params(action), _valid_params(action)),
            },
            optional={"action_type": st.sampled_from(["write", "search", "read"])},
        )

    return st.sampled_from(TARGETS).flatmap(body)


def execute_queries() -> st.SearchStrategy[dict[str, str]]:
    """All four query flags, mostly within the rules (the random phases cover the rest)."""
    flag = st.sampled_from(["false", "false", "true"])
    return st.fixed_dictionaries(
        {
            "preview_only": flag,
            "skip_param_guessing": flag,
            "token_budget": st.integers(min_value=1, max_value=5000).map(str),
            "provider_id": st.sampled_from(["", "provider-1"]),
        }
    )


# -- the runner -------------------------------------------------------------------------------


def _strategies(
    operation: schemathesis.APIOperation, registry: Registry
) -> list[tuple[str, st.SearchStrategy[schemathesis.Case], int]]:
    """(phase, strategy, max examples) for one operation."""
    budget = EXECUTE_EXAMPLES if operation.label == EXECUTE else MAX_EXAMPLES
    out = []
    if examples := operation.get_strategies_from_examples():
        out.append(("examples", st.one_of(examples), budget))
    out += [(m.value, operation.as_strategy(generation_mode=m), budget) for m in GenerationMode]
    if operation.label == EXECUTE:
        cases = st.tuples(execute_bodies(registry), execute_queries()).flatmap(
            lambda pair: operation.as_strategy(body=pair[0], query=pair[1])
        )
        out.append(("targeted", cases, TARGETED_EXAMPLES))
    return out


def _hypothesis_test(
    strategy: st.SearchStrategy[schemathesis.Case],
    max_examples: int,
    run: str,
    phase: str,
    checks: list[Any],
    tally: Tally,
) -> Any:
    @settings(HYPOTHESIS, max_examples=max_examples)
    @given(case=strategy)
    def call(case: schemathesis.Case) -> None:
        response = case.call()
        try:
            body = response.json()
        except ValueError:
            body = None
        tally.record(run, case.operation.label, phase, response.status_code, body)
        case.validate_response(response, checks=checks)

    return call


def exercise(schema: schemathesis.BaseSchema, run: str, checks: list[Any], tally: Tally) -> list[str]:
    """Run every operation's strategies against the app; the failures, one paragraph each."""
    registry = full_registry()
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for phase, strategy, max_examples in _strategies(operation, registry):
            call = _hypothesis_test(strategy, max_examples, run, phase, checks, tally)
            try:
                call()
            except Unsatisfiable:
                continue  # no case of this mode exists, e.g. negative for an operation without inputs
            except Exception as exc:
                tally.failures[run] += 1
                failures.append(f"{operation.label} ({phase}): {type(exc).__name__}: {exc}")
    return failures


def unexpected_app_failures(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Exceptions a built-in app raised that the executor had to turn into a generic error (its bugs)."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == "nlactions.execution.executor"
        and record.levelno >= logging.ERROR
        and "TestAPI" not in record.getMessage()  # TestAPI.boom crashes on purpose
    ]


def _backend(settings: Settings) -> str:
    return "postgres" if settings.effective_database_url.startswith("postgresql") else "sqlite"


def test_own_openapi(
    served: FastAPI, key: CreatedKey, settings: Settings, tally: Tally, caplog: pytest.LogCaptureFixture
) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", served)
    schema.config.update(headers={"x-api-key": key.key})
    run = f"own-openapi[{_backend(settings)}]"
    failures = exercise(schema, run, [*CHECKS, status_code_conformance], tally)
    assert not failures, "\n\n".join(failures)
    assert unexpected_app_failures(caplog) == []
    assert tally.operations.get(run), "no operation was exercised"


def test_seed_spec(
    served: FastAPI, key: CreatedKey, settings: Settings, tally: Tally, caplog: pytest.LogCaptureFixture
) -> None:
    schema = schemathesis.openapi.from_dict(seed_spec(halted=True))
    schema.app = served
    schema.config.update(headers={"x-api-key": key.key}, base_url="http://testserver")
    run = f"seed-spec[{_backend(settings)}]"
    failures = exercise(schema, run, CHECKS, tally)
    assert not failures, "\n\n".join(failures)
    assert unexpected_app_failures(caplog) == []
    assert tally.operations.get(run) == {EXECUTE}


# -- what the fuzzing found, pinned as plain tests ----------------------------------------------


async def test_integer_beyond_64_bits_is_echoed_not_a_500(client: httpx.AsyncClient) -> None:
    huge = 10**20
    payload = {
        "instructions": "",
        "app": "TestAPI",
        "action": "echo",
        "params": {
            "channel": {"mode": "locked", "value": "C001"},
            "text": {"mode": "locked", "value": "x"},
            "note": {"mode": "ignored", "value": huge},
        },
    }
    response = await client.post("/api/v2/execute/", json=payload)
    assert response.status_code == 200, response.text
    assert response.json()["input_params"]["note"]["value"] == huge


async def test_empty_idempotency_key_is_refused_not_a_500(client: httpx.AsyncClient) -> None:
    payload = {
        "instructions": "",
        "app": "FormatterAPI",
        "action": "text",
        "params": {"transform": {"mode": "locked", "value": "uppercase"}, "input": {"mode": "locked", "value": "a"}},
    }
    for _ in range(2):  # the second identical call used to hit the unique index: a 500
        response = await client.post("/api/v2/execute/", json=payload, headers={"Idempotency-Key": ""})
        assert response.status_code == 422, response.text
        assert "Idempotency-Key" in response.json()["error"]


async def test_every_operation_with_a_body_documents_400_for_malformed_json(
    client: httpx.AsyncClient,
) -> None:
    spec = (await client.get("/openapi.json")).json()
    undocumented = [
        f"{method.upper()} {path}"
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if "requestBody" in operation and "400" not in operation["responses"]
    ]
    assert undocumented == []
    malformed = await client.post(
        "/api/v2/guess-actions/", content=b"\x00", headers={"Content-Type": "application/json"}
    )
    assert malformed.status_code == 400
    assert malformed.json()["code"] == "malformed_json"


async def test_nul_characters_in_stored_text_are_not_a_500(client: httpx.AsyncClient) -> None:
    # PostgreSQL text columns refuse NUL; the engine stores U+FFFD in its place.
    payload = {
        "instructions": "post\x00it",
        "app": "TestAPI",
        "action": "echo",
        "params": {"channel": {"mode": "locked", "value": "C001"}, "text": {"mode": "locked", "value": "x\x00"}},
    }
    ran = await client.post("/api/v2/execute/", json=payload)
    assert ran.status_code == 200, ran.text
    assert ran.json()["results"][0]["text"] == "x\x00"
    log_id = ran.json()["execution_log_id"]
    rated = await client.post(f"/api/v2/execute/log/{log_id}/rate/", params={"rating": 1, "feedback": "ok\x00"})
    assert rated.status_code == 200, rated.text
    added = await client.post("/api/v2/apps/KeyedAPI/auths/", json={"title": "work\x00", "fields": {"api_key": "k"}})
    assert added.status_code == 201, added.text
