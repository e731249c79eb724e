"""POST /api/v2/execute/ for FormatterAPI text with only instructions: the offline resolver fills every need."""

from __future__ import annotations

from typing import Any

import httpx
import pytest


async def run(client: httpx.AsyncClient, instructions: str) -> dict[str, Any]:
    response = await client.post(
        "/api/v2/execute/", json={"instructions": instructions, "app": "FormatterAPI", "action": "text"}
    )
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


@pytest.mark.parametrize(
    ("instructions", "output"),
    [
        ("Uppercase the text 'hello world'", "HELLO WORLD"),
        ('Please make "Quiet Please" lowercase', "quiet please"),
        ("Lowercase the following: LOUD NOISES", "loud noises"),
        ("Replace 'cat' with 'dog' in 'the cat sat'", "the dog sat"),
    ],
)
async def test_instructions_alone_run_the_transform(client: httpx.AsyncClient, instructions: str, output: str) -> None:
    data = await run(client, instructions)
    assert data["status"] == "success", data
    assert data["results"][0]["output"] == output


async def test_replace_reads_find_and_replacement_by_their_words(client: httpx.AsyncClient) -> None:
    data = await run(client, "Replace 'cat' with 'dog' in 'the cat sat'")
    params = data["resolved_params"]
    assert (params["find"], params["replace_with"], params["input"]) == ("cat", "dog", "the cat sat")


async def test_two_quoted_texts_without_a_cue_halt_naming_input(client: httpx.AsyncClient) -> None:
    data = await run(client, "Uppercase 'hi' and 'bye'")
    assert data["status"] == "halted", data
    assert "'input'" in data["error"]
