"""The "tiers3" reference network written the way one would in plain SimPy.

Poisson arrivals at 20/h -> L1 (4 responders) -> L2 (10) -> L3 (7), all 24x7, FIFO,
exponential work with means 0.15 h, 0.5 h and 1 h; resolved at L1 with 30% and at L2
with 60% probability, otherwise escalated at once. This is the yardstick whorunsit's
speed is measured against, so it is deliberately idiomatic SimPy (one process per
incident, a Resource per tier), not tuned.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

import simpy

ARRIVAL_RATE = 20.0
TIERS = (
    # name, responders, mean work (h), chance to resolve there
    ("l1", 4, 0.15, 0.30),
    ("l2", 10, 0.50, 0.60),
    ("l3", 7, 1.00, 1.00),
)


@dataclass
class SimpyRun:
    incidents: int
    #: incidents that started after warm-up (what whorunsit's incidents.count counts)
    incidents_measured: int
    seconds: float
    #: mean queue wait per tier (hours), over tickets of incidents that started after warm-up
    mean_wait: dict[str, float]
    tickets: dict[str, int]


def run(horizon: float, warmup: float = 0.0, seed: int = 1) -> SimpyRun:
    """One replication: incidents arrive during [0, horizon) and are all played to the end."""
    rng = random.Random(seed)
    env = simpy.Environment()
    resources = [simpy.Resource(env, capacity=c) for _, c, _, _ in TIERS]
    wait_sum = [0.0] * len(TIERS)
    tickets = [0] * len(TIERS)

    def incident(start: float):
        for i, (_, _, mean_work, resolve) in enumerate(TIERS):
            queued = env.now
            with resources[i].request() as req:
                yield req
                if start >= warmup:
                    wait_sum[i] += env.now - queued
                    tickets[i] += 1
                yield env.timeout(rng.expovariate(1.0 / mean_work))
            if rng.random() < resolve:
                return

    def arrivals():
        while True:
            yield env.timeout(rng.expovariate(ARRIVAL_RATE))
            if env.now >= horizon:
                return
            counter[0] += 1
            counter[1] += env.now >= warmup
            env.process(incident(env.now))

    counter = [0, 0]
    began = time.perf_counter()
    env.process(arrivals())
    env.run()
    seconds = time.perf_counter() - began
    names = [name for name, _, _, _ in TIERS]
    return SimpyRun(
        incidents=counter[0],
        incidents_measured=counter[1],
        seconds=seconds,
        mean_wait={n: wait_sum[i] / tickets[i] if tickets[i] else float("nan") for i, n in enumerate(names)},
        tickets=dict(zip(names, tickets, strict=True)),
    )


def main(argv: list[str] | None = None) -> None:
    """As a process, the way `make bench` times it against `whorunsit simulate`:
    ``--replications`` runs of ``--horizon`` hours, one JSON line with the totals."""
    import argparse
    import json

    parser = argparse.ArgumentParser(description="the tiers3 network in SimPy")
    parser.add_argument("--replications", type=int, default=1)
    parser.add_argument("--horizon", type=float, default=24 * 7 * 4)
    parser.add_argument("--warmup", type=float, default=24.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    runs = [run(args.horizon, args.warmup, seed=args.seed + r) for r in range(args.replications)]
    print(json.dumps({"incidents_measured": sum(r.incidents_measured for r in runs),
                      "incidents": sum(r.incidents for r in runs),
                      "seconds": sum(r.seconds for r in runs)}))


if __name__ == "__main__":
    main()
