"""Which engine plays a scenario: the most specialised one that says it applies.

Each engine declares why it cannot play a scenario (nothing, when it can), the way
scikit-learn asks each of its backends, and the first that can, plays:

1. ``fastpath``: 24x7 first-come-first-served networks with one priority, no
   deployments, swarms or policies, solved many replications at a time by the
   Kiefer-Wolfowitz recursion. Bit-identical to the general engine
   (tests/test_fastpath.py), and several times faster where it applies.
2. ``kernel``: the compiled event loop, which plays every scenario.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from whorunsit.engine import chunks
from whorunsit.engine.fastpath import fastpath
from whorunsit.engine.loop import kernel
from whorunsit.engine.plan.plan import plan_for
from whorunsit.model import Scenario


@dataclass(frozen=True)
class Engine:
    name: str
    #: why it cannot play a scenario; empty when it can
    why_not: Callable[[Scenario], list[str]]
    #: plays replications start..stop-1: (scenario, seed, start, stop) -> chunks.Chunk
    run_chunk: Callable[..., chunks.Chunk]
    #: whether it solves many replications at once (it wants big chunks)
    batched: bool = False


def _kernel_why_not(scenario: Scenario) -> list[str]:
    reason = kernel.ineligible(plan_for(scenario))
    return [] if reason is None else [reason]


# looked up when called, so a test may stand in for an engine (and workers can unpickle
# them by name)
def _fast_chunk(*args) -> chunks.Chunk:
    return fastpath.run_chunk(*args)


def _general_chunk(*args) -> chunks.Chunk:
    return chunks.run_chunk(*args)


FAST_PATH = Engine("fastpath", fastpath.why_not, _fast_chunk, batched=True)
GENERAL = Engine("kernel", _kernel_why_not, _general_chunk)
#: most specialised first; the last plays everything
ENGINES = (FAST_PATH, GENERAL)


def choose(scenario: Scenario, fast: bool | None = None) -> Engine:
    """The engine for ``scenario``: the first that applies (``fast=False`` skips the
    fast path, ``True`` insists on it)."""
    if fast is True:
        return FAST_PATH
    for engine in ENGINES:
        if engine is FAST_PATH and fast is False:
            continue
        if not engine.why_not(scenario):
            return engine
    raise ValueError("no engine plays this scenario: "
                     + "; ".join(r for e in ENGINES for r in e.why_not(scenario)))


def reasons(scenario: Scenario) -> dict[str, list[str]]:
    """Every engine's reasons not to play ``scenario`` (for docs and debugging)."""
    return {engine.name: engine.why_not(scenario) for engine in ENGINES}
