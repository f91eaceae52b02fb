"""What the runner needs from somewhere else to play its chunks (a Dask cluster, say).

The runner keeps its own pool of local processes; an ``Executor`` replaces that pool
when the work should run elsewhere. It receives the job once (the chunk function, the
scenario and the seed) and the replication ranges to play, and hands back the chunks in
range order. Replication r always uses the streams of index r, so where, in which order
and how many times a chunk ran changes nothing in the result.

Implementations live above the library (``whorunsit.distribute``); the engine only
knows this shape.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

from whorunsit.model import Scenario

T = TypeVar("T")
R = TypeVar("R")
#: a ``runner.Chunk``, named loosely so this module needs nothing from the runner
Chunk = Any


class Executor(Protocol):
    #: chunks it can play at once (worker threads across the cluster); the runner cuts
    #: its ranges for this many
    slots: int

    def run_chunks(self, chunk: Callable[..., Chunk], scenario: Scenario, seed: int,
                   ranges: Sequence[tuple[int, int]],
                   progress: Callable[[int], None] | None = None) -> list[Chunk]:
        """``chunk(scenario, seed, a, b)`` for every (a, b) of ``ranges``, in range order;
        ``progress(done)`` counts the replications finished so far."""
        ...

    def map(self, fn: Callable[[T], R], items: Sequence[T],
            progress: Callable[[int], None] | None = None) -> list[R]:
        """``fn(item)`` for every item, in item order (e.g. the points of a sweep, each
        seeded by its own index); ``progress(done)`` counts items finished."""
        ...

