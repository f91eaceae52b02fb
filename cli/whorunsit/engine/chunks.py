"""Replications in chunks: the unit of work sent to a worker, and their merging.

Replication r always uses the random streams of index r (see ``streams``), so splitting
the work into chunks and sending them anywhere changes nothing but the wall time: results
are identical for any number of workers. Each chunk returns a compact matrix
(replications x metrics) and summed histogram counts, never per-incident lists.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from whorunsit.engine.loop import kernel
from whorunsit.engine.plan.plan import plan_for
from whorunsit.model import Scenario


@dataclass
class Chunk:
    start: int
    names: list[str]
    values: np.ndarray  # (replications, metrics)
    histograms: dict[str, np.ndarray]


def run_chunk(scenario: Scenario, seed: int, start: int, stop: int,
              play: Callable | None = None) -> Chunk:
    """Replications start..stop-1 of ``scenario`` (the unit of work sent to a worker),
    played by the compiled event loop, or by ``play(plan, replication, seed)`` (another
    engine the tests compare with it)."""
    plan = plan_for(scenario)
    play = play or kernel.run_replication
    names: list[str] = []
    rows: list[list[float]] = []
    hists: dict[str, np.ndarray] = {}
    for r in range(start, stop):
        metrics, counts = play(plan, r, seed)
        if not names:
            names = list(metrics)
        rows.append([metrics[n] for n in names])
        for k, v in counts.items():
            hists[k] = hists[k] + v if k in hists else v.copy()
    return Chunk(start, names, np.asarray(rows, dtype=float).reshape(len(rows), len(names)),
                 hists)


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
