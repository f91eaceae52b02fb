"""Many replications: in this process or across a pool of worker processes, in chunks
(``chunks``) whose results do not depend on where they ran.

The compiled engines cost a fixed second or so to load before the first replication
(numba, then their machine code from the disk cache), and starting workers costs more.
A run whose whole work is small (``SMALL_RUN_ITEMS``) plays in this process; larger runs
load the compiled code once here, before the workers fork (they inherit it), and say so
on stderr the one time it is compiled.
"""

from __future__ import annotations

import math
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

from whorunsit.engine import dispatch
from whorunsit.engine.chunks import Chunk, chunk_ranges
from whorunsit.engine.executors import Executor
from whorunsit.engine.fastpath import fastpath
from whorunsit.engine.loop import kernel
from whorunsit.model import Scenario

#: a worker's job, set once when it starts (``_adopt``): chunks then carry only their range
_JOB: dict[str, tuple] = {}


def _adopt(chunk: Callable[..., Chunk], scenario: Scenario, seed: int) -> None:
    """Pool initializer: a chunk then sends two numbers, not the scenario. With fork the
    scenario is the parent's own object, so the plan the parent compiled and warmed is
    found by every chunk instead of being rebuilt from a fresh copy each time."""
    _JOB["job"] = (chunk, scenario, seed)


def _work(start: int, stop: int) -> Chunk:
    chunk, scenario, seed = _JOB["job"]
    return chunk(scenario, seed, start, stop)


#: incidents plus deployment requests below which a run plays in this process: starting
#: and feeding workers would cost more than they save (docs/performance.md)
SMALL_RUN_ITEMS = 20_000


def expected_items(scenario: Scenario, replications: int) -> float:
    """Incidents plus deployment requests ``replications`` replications are expected to play."""
    per_hour = sum(a.incident_rate + a.deployment_rate for a in scenario.applications)
    return replications * scenario.horizon * per_hour


def default_workers() -> int:
    return max(1, min(2, os.cpu_count() or 1))


class Runner:
    """Runs batches of replications of one scenario, keeping a worker pool between them."""

    def __init__(self, scenario: Scenario, seed: int, workers: int, fast: bool | None = None,
                 *, replications: int | None = None, executor: Executor | None = None):
        """``fast``: None plays on the engine ``dispatch`` chooses; False keeps off the
        fast path, True insists on it. ``replications``: how many the run is expected to
        play, when known: a small run (``SMALL_RUN_ITEMS``) then stays in this process.
        ``executor``: play the chunks there (a cluster) instead of in a local pool."""
        self.scenario = scenario
        self.seed = seed
        self.executor = executor
        # chunks are cut for the slots that play them, wherever those are
        self.workers = workers if executor is None else executor.slots
        if executor is None and replications is not None and \
                expected_items(scenario, replications) < SMALL_RUN_ITEMS:
            self.workers = 1
        self._pool: ProcessPoolExecutor | None = None
        self._warm = False
        chosen = dispatch.choose(scenario, fast)
        self.engine = chosen.name
        self.fast = chosen.batched
        self._chunk = chosen.run_chunk

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def warm(self) -> None:
        """Load the compiled code this run uses (compiling it the first time, with word
        on stderr), once, in this process: forked workers inherit it."""
        if self._warm:
            return
        self._warm = True
        if self.fast:
            fastpath.warm(self.scenario)
        else:
            kernel.warm(self.scenario)

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            methods = multiprocessing.get_all_start_methods()
            # fork starts workers in milliseconds with numpy already imported
            ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
            self._pool = ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=_adopt,
                                             initargs=(self._chunk, self.scenario, self.seed))
        return self._pool

    def _ranges(self, start: int, stop: int) -> list[tuple[int, int]]:
        if self.fast:  # the fast path solves a chunk's replications together: big ones
            size = math.ceil((stop - start) / (self.workers * 4))
            return [(a, min(a + size, stop)) for a in range(start, stop, size)]
        return chunk_ranges(start, stop, self.workers)

    def run(self, start: int, stop: int,
            progress: Callable[[int], None] | None = None) -> list[Chunk]:
        """Replications start..stop-1 as chunks in replication order; ``progress(done)``
        counts replications of this batch as they finish."""
        n = stop - start
        if n <= 0:
            return []
        if self.executor is not None:
            return self.executor.run_chunks(self._chunk, self.scenario, self.seed,
                                            self._ranges(start, stop), progress)
        self.warm()
        if self.workers <= 1 or n == 1:
            chunks = []
            step = math.ceil(n / 8) if self.fast else 1  # the fast path wants big batches
            for a in range(start, stop, step):
                chunks.append(self._chunk(self.scenario, self.seed, a, min(a + step, stop)))
                if progress:
                    progress(min(a + step, stop) - start)
            return chunks
        pool = self._executor()
        futures = {pool.submit(_work, a, b) for a, b in self._ranges(start, stop)}
        done_chunks: list[Chunk] = []
        done = 0
        pending = futures
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for f in finished:
                chunk = f.result()
                done_chunks.append(chunk)
                done += len(chunk.values)
            if progress:
                progress(done)
        done_chunks.sort(key=lambda c: c.start)
        return done_chunks
