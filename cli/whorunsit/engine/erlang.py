"""Closed forms for M/M/c queues and Jackson tandem networks.

These are the yardsticks the fast path, the benchmarks and the theory tests hold the
simulation to: a 24x7 tier with Poisson arrivals, exponential work and c responders is
an M/M/c queue, and a chain of such tiers joined by random resolve-or-escalate routing
is a Jackson network, so every tier is again M/M/c with the thinned arrival rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


def erlang_c(servers: int, load: float) -> float:
    """Probability an arrival has to wait in an M/M/c queue (``load`` = lambda / mu)."""
    if servers < 1:
        raise ValueError("an M/M/c queue needs at least one server")
    if load >= servers:
        return 1.0
    if load <= 0:
        return 0.0
    # Erlang B by its stable recursion, then C from B (no factorials, no overflow).
    b = 1.0
    for k in range(1, servers + 1):
        b = load * b / (k + load * b)
    rho = load / servers
    return b / (1.0 - rho * (1.0 - b))


def mmc_mean_wait(servers: int, arrival_rate: float, mean_service: float) -> float:
    """Mean time in queue (before service) of an M/M/c queue; inf when unstable."""
    load = arrival_rate * mean_service
    if load >= servers:
        return math.inf
    if arrival_rate <= 0:
        return 0.0
    return erlang_c(servers, load) * mean_service / (servers - load)


@dataclass(frozen=True)
class TierTheory:
    """What queueing theory says about one tier of a Jackson tandem network."""

    name: str
    servers: int
    arrival_rate: float
    mean_service: float

    @property
    def utilisation(self) -> float:
        return self.arrival_rate * self.mean_service / self.servers

    @property
    def mean_wait(self) -> float:
        return mmc_mean_wait(self.servers, self.arrival_rate, self.mean_service)


def jackson_tandem(
    arrival_rate: float,
    tiers: list[tuple[str, int, float, float]],
) -> list[TierTheory]:
    """Per-tier M/M/c figures of a resolve-or-escalate chain.

    ``tiers`` lists (name, servers, mean service, chance to resolve there); whatever is
    not resolved moves on, so the next tier sees the Bernoulli-thinned (still Poisson)
    stream of departures.
    """
    out = []
    rate = arrival_rate
    for name, servers, mean_service, resolve in tiers:
        out.append(TierTheory(name, servers, rate, mean_service))
        rate *= 1.0 - resolve
    return out
