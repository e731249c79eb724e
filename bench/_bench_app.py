"""``BenchAPI``: an app whose choice loader says which server process loaded it (bench/load.py's probe).

bench/load.py installs it as an ``nlactions.apps`` plugin of the servers it starts. A choices answer
whose ids name another process's pid came from the shared choice cache, not from a load of its own.
"""

from __future__ import annotations

import os

from nlactions.catalog import Action, ActionContext, App, Choice, ChoiceContext, ChoicePage, Needs, NoAuth, need


async def items(ctx: ChoiceContext) -> ChoicePage:
    """Three choices whose ids carry this process's pid (and the run id, so runs never share entries)."""
    run = str(ctx.params.get("run"))
    return ChoicePage([Choice(f"{run}-pid{os.getpid()}-{n}", f"Item {n}") for n in (1, 2, 3)])


class PickInput(Needs):
    """A run id and an item of that run."""

    run: str = need(label="Run")
    item: str = need(label="Item", choices=items, depends_on=["run"])


async def pick(ctx: ActionContext, params: PickInput) -> dict[str, str]:
    """Echo the picked item."""
    return {"item": params.item}


app = App(
    key="BenchAPI",
    name="Bench probe",
    description="Choices that name the process that loaded them.",
    actions=(Action("pick", "write", "Item", "Pick Item", "Pick an item.", PickInput, pick),),
    auth=NoAuth(),
)
