"""Many replications: in this process or across a pool of worker processes.

Replication r always uses the random streams of index r (see ``streams``), so splitting
the work into chunks and sending them to workers changes nothing but the wall time:
results are identical for any number of workers. Each chunk returns a compact matrix
(replications x metrics) and summed histogram counts, never per-incident lists.
"""

from __future__ import annotations

import math
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from functools import partial

import numpy as np

from whorunsit.engine import fastpath, kernel
from whorunsit.engine.executors import Executor
from whorunsit.engine.replication import Replication, plan_for
from whorunsit.model import Scenario


@dataclass
class Chunk:
    start: int
    names: list[str]
    values: np.ndarray  # (replications, metrics)
    histograms: dict[str, np.ndarray]


def run_chunk(scenario: Scenario, seed: int, start: int, stop: int,
              engine: str = "python") -> Chunk:
    """Replications start..stop-1 of ``scenario`` (the unit of work sent to a worker),
    played by the compiled ``kernel`` or the Python ``replication`` engine (the same
    values either way)."""
    plan = plan_for(scenario)
    names: list[str] = []
    rows: list[list[float]] = []
    hists: dict[str, np.ndarray] = {}
    for r in range(start, stop):
        if engine == "kernel":
            metrics, counts = kernel.run_replication(plan, r, seed)
        else:
            metrics, counts = Replication(plan, r, seed).run()
        if not names:
            names = list(metrics)
        rows.append([metrics[n] for n in names])
        for k, v in counts.items():
            hists[k] = hists[k] + v if k in hists else v.copy()
    return Chunk(start, names, np.asarray(rows, dtype=float).reshape(len(rows), len(names)),
                 hists)


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


def default_workers() -> int:
    return max(1, min(2, os.cpu_count() or 1))


class Runner:
    """Runs batches of replications of one scenario, keeping a worker pool between them."""

    def __init__(self, scenario: Scenario, seed: int, workers: int, fast: bool | None = None,
                 engine: str | None = None, executor: Executor | None = None):
        """``fast``: play on ``fastpath`` (None: whenever the scenario is eligible).
        ``engine``: "kernel" (compiled) or "python" (the reference) for replications the
        fast path does not take; None: the kernel whenever it plays the scenario.
        ``executor``: play the chunks there (a cluster) instead of in a local pool."""
        self.scenario = scenario
        self.seed = seed
        self.executor = executor
        # chunks are cut for the slots that play them, wherever those are
        self.workers = workers if executor is None else executor.slots
        self._pool: ProcessPoolExecutor | None = None
        # 24x7 FIFO networks take the fast path: same values, solved many at a time
        self.fast = fastpath.eligible(scenario) if fast is None else fast
        if engine is None:
            engine = "kernel" if not self.fast and kernel.eligible(scenario) else "python"
        self.engine = engine
        self._chunk = fastpath.run_chunk if self.fast else partial(run_chunk, engine=engine)

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            if not self.fast and self.engine == "kernel":
                # load the compiled loop once here: forked workers inherit it
                kernel.warm(self.scenario)
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


def chunk_ranges(start: int, stop: int, workers: int, most: int = 32) -> list[tuple[int, int]]:
    """Replications start..stop-1 cut into chunks that shrink towards the end (guided
    scheduling): a quarter of each worker's share of what is left, at most ``most``. Big
    chunks early cost nothing to send; small ones at the end let the workers finish
    together, since the last chunk running is the others' idle time."""
    out = []
    a = start
    while a < stop:
        size = max(1, min(most, math.ceil((stop - a) / (workers * 4))))
        out.append((a, min(a + size, stop)))
        a += size
    return out


def merge(chunks: list[Chunk]) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Samples by metric name (replication order) and pooled histograms."""
    if not chunks:
        return {}, {}
    names = chunks[0].names
    values = np.concatenate([c.values for c in chunks], axis=0)
    samples = {name: values[:, i].copy() for i, name in enumerate(names)}
    hists: dict[str, np.ndarray] = {}
    for c in chunks:
        for k, v in c.histograms.items():
            hists[k] = hists[k] + v if k in hists else v.copy()
    return samples, hists
