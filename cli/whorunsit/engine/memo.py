"""Values worked out once per object (a scenario, its plan) and kept while it is in use."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def once_per(store: dict, owner, build: Callable[..., T]) -> T:
    """``build(owner)``, computed once per ``owner`` by identity. An entry holds its owner,
    so no other object can take its id while it is kept; past sixteen owners (a long-lived
    process comparing scenarios) the store starts again."""
    hit = store.get(id(owner))
    if hit is not None and hit[0] is owner:
        return hit[1]
    if len(store) > 16:
        store.clear()
    value = build(owner)
    store[id(owner)] = (owner, value)
    return value
