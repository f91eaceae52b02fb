"""Figures for docs/scale-out.md: speed-up on a LocalCluster of 1 and 2 workers, the
scheduler's cost per task, and a projection to 100 workers.

    .venv/bin/python benchmarks/dask_projection.py [--replications 200]

Measured here: the wall time of a reduced at-scale-30 run (``--replications``) on
LocalClusters of one and two single-threaded workers, hence the time per replication;
the scheduler's cost per task (the wall time of many no-op tasks, divided by their
number, both workers pulling); a task's round trip (one no-op at a time).

Projected, not measured: a small discrete-event simulation of one scheduler that
spends its cost per task serially and W workers that each wait a round trip between
chunks, playing N replications in chunks of c. It gives the overhead (wall time over
the ideal N x per-replication time / W, minus one) for each chunk size, and the smallest
chunk that keeps it under 5%. A simulation of a model, not a claim about any cluster.
"""

from __future__ import annotations

import argparse
import dataclasses
import heapq
import math
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AT_SCALE = ROOT / "benchmarks" / "at-scale-30.yaml"


def _noop(x: int) -> int:
    return x


def measure(replications: int) -> dict:
    import distributed

    from whorunsit import api
    from whorunsit.distribute import open_executor

    scenario = dataclasses.replace(api.load(AT_SCALE), replications=replications)
    figures: dict = {"replications": replications}
    for workers in (1, 2):
        with open_executor("dask", workers=workers) as ex:
            api.simulate(scenario, replications=2 * workers, executor=ex)  # workers warm
            began = time.perf_counter()
            api.simulate(scenario, executor=ex)
            figures[f"wall_{workers}"] = time.perf_counter() - began
            if workers == 2:
                client: distributed.Client = ex.client
                n = 2000
                began = time.perf_counter()
                client.gather(client.map(_noop, range(n), pure=False))
                figures["scheduler_per_task"] = (time.perf_counter() - began) / n
                began = time.perf_counter()
                for i in range(50):
                    client.submit(_noop, i, pure=False).result()
                figures["round_trip"] = (time.perf_counter() - began) / 50
    figures["per_replication"] = figures["wall_1"] / replications
    figures["speedup_2"] = figures["wall_1"] / figures["wall_2"]
    return figures


def simulate_cluster(replications: int, chunk: int, workers: int, per_replication: float,
                     scheduler_per_task: float, round_trip: float) -> float:
    """Wall time of ``replications`` in chunks of ``chunk`` on ``workers``: each chunk
    first takes the scheduler's cost (one task at a time), then a free worker's round trip
    and its replications."""
    tasks = math.ceil(replications / chunk)
    free = [0.0] * workers  # when each worker is next free
    heapq.heapify(free)
    scheduler = 0.0
    end = 0.0
    for t in range(tasks):
        size = min(chunk, replications - t * chunk)
        scheduler += scheduler_per_task
        worker = heapq.heappop(free)
        finish = max(worker, scheduler) + round_trip + size * per_replication
        end = max(end, finish)
        heapq.heappush(free, finish)
    return end


def project(figures: dict, replications: int = 1_000_000, workers: int = 100) -> list[tuple]:
    ideal = replications * figures["per_replication"] / workers
    rows = []
    for chunk in (1, 2, 4, 8, 16, 32, 64, 128, 256):
        wall = simulate_cluster(replications, chunk, workers, figures["per_replication"],
                                figures["scheduler_per_task"], figures["round_trip"])
        rows.append((chunk, wall, wall / ideal - 1))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=200)
    args = parser.parse_args(argv)
    f = measure(args.replications)
    print(f"at-scale-30, {f['replications']} replications on a LocalCluster:")
    print(f"  1 worker  {f['wall_1']:.2f} s ({f['per_replication'] * 1000:.1f} ms per replication)")
    print(f"  2 workers {f['wall_2']:.2f} s: speed-up {f['speedup_2']:.2f}x")
    print(f"  scheduler cost per task {f['scheduler_per_task'] * 1000:.2f} ms;"
          f" round trip of one task {f['round_trip'] * 1000:.2f} ms")
    print("projection (a simulation, not a measurement): 1,000,000 replications, 100 workers")
    best = None
    for chunk, wall, overhead in project(f):
        print(f"  chunk {chunk:>4}: {wall:8.1f} s, overhead {overhead * 100:6.1f}%")
        if best is None and overhead < 0.05:
            best = chunk
    print(f"  smallest chunk with overhead under 5%: {best}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
