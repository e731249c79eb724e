"""Order needs into layers so every need comes after the needs it ``depends_on``."""

from __future__ import annotations

from collections.abc import Sequence

from nlactions.catalog import NeedSpec


def layers(needs: Sequence[NeedSpec]) -> list[list[NeedSpec]]:
    """Group needs into dependency layers, keeping declaration order within a layer."""
    keys = {need.key for need in needs}
    pending = {need.key: {d for d in need.depends_on if d in keys} for need in needs}
    done: set[str] = set()
    out: list[list[NeedSpec]] = []
    while pending:
        ready = [need for need in needs if need.key in pending and pending[need.key] <= done]
        if not ready:
            cycle = ", ".join(sorted(pending))
            raise ValueError(f"needs depend on each other in a cycle: {cycle}")
        out.append(ready)
        for need in ready:
            done.add(need.key)
            del pending[need.key]
    return out
