"""Resolve and misroute shares per tier, fitted to the handoffs a log records.

A ticket's route through a support path does not depend on queues or clocks: at each
tier but the last it is resolved (share ``resolve``), misrouted (``misroute``: handed to
a wrong team and back, then escalated: three handoffs and a return to a group already
left) or escalated (one handoff); the last tier resolves. So the distribution of
handoffs per incident (0/1/2/3+), the highest line reached and the ping-pong share are
exact functions of those shares (``distribution``), and the shares are fitted to the
log's by least squares without simulating (``fit``). Their interval is a bootstrap over
the log's cases.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

#: handoffs counted separately before "3 or more"
MAX_SHOWN = 3


@dataclass(frozen=True)
class Routing:
    resolve: tuple[float, ...]   # per tier but the last
    misroute: tuple[float, ...]


@dataclass(frozen=True)
class RouteShares:
    handoffs: np.ndarray    # 0, 1, 2, 3+
    highest: np.ndarray     # per tier
    ping_pong: float

    def vector(self) -> np.ndarray:
        return np.concatenate([self.handoffs, self.highest, [self.ping_pong]])


def distribution(routing: Routing, tiers: int, entry: float = 0.0,
                 entry_tier: int = 0) -> RouteShares:
    """Shares of handoffs, highest tier and ping-pong; a share ``entry`` of tickets (the
    alerts) starts at ``entry_tier``, the rest at the first tier."""
    hand = np.zeros(MAX_SHOWN + 1)
    high = np.zeros(tiers)
    ping = 0.0
    starts = [(0, 1.0 - entry)] + ([(entry_tier, entry)] if entry > 0 else [])
    for start, weight in starts:
        # states: (tier, handoffs so far capped, misrouted yet) -> probability
        states = {(start, 0, False): weight}
        while states:
            nxt: dict = {}
            for (j, h, pp), p in states.items():
                if p <= 0:
                    continue
                if j == tiers - 1:
                    hand[min(h, MAX_SHOWN)] += p
                    high[j] += p
                    ping += p if pp else 0.0
                    continue
                r, m = routing.resolve[j], routing.misroute[j]
                hand[min(h, MAX_SHOWN)] += p * r
                high[j] += p * r
                ping += p * r if pp else 0.0
                for key, q in (((j + 1, min(h + 1, MAX_SHOWN), pp), 1.0 - r - m),
                               ((j + 1, min(h + 3, MAX_SHOWN), True), m)):
                    if q > 0:
                        nxt[key] = nxt.get(key, 0.0) + p * q
            states = nxt
    return RouteShares(hand, high, ping)


def _unpack(x: np.ndarray, k: int) -> Routing:
    r = 1.0 / (1.0 + np.exp(-x[:k]))
    m = (1.0 - r) / (1.0 + np.exp(-x[k:]))
    return Routing(tuple(r.tolist()), tuple(m.tolist()))


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return float(np.log(p / (1 - p)))


def fit(target: RouteShares, start: Routing, tiers: int, entry: float = 0.0,
        entry_tier: int = 0) -> Routing:
    """The routing whose shares are nearest ``target`` (sum of squared differences)."""
    k = tiers - 1
    if k == 0:
        return Routing((), ())
    goal = target.vector()
    x0 = np.array([_logit(r) for r in start.resolve]
                  + [_logit(m / max(1e-9, 1 - r)) for r, m in zip(start.resolve, start.misroute,
                                                                   strict=True)])

    def loss(x):
        got = distribution(_unpack(x, k), tiers, entry, entry_tier).vector()
        return float(((got - goal) ** 2).sum())

    res = minimize(loss, x0, method="L-BFGS-B", bounds=[(-9.0, 9.0)] * (2 * k))
    return _unpack(res.x, k)


def observed(handoffs: np.ndarray, highest: np.ndarray, ping: np.ndarray,
             tiers: int) -> RouteShares:
    n = max(len(handoffs), 1)
    hand = np.array([(handoffs == 0).sum(), (handoffs == 1).sum(), (handoffs == 2).sum(),
                     (handoffs >= 3).sum()], dtype=float) / n
    high = np.array([(highest == j).sum() for j in range(tiers)], dtype=float) / n
    return RouteShares(hand, high, float(ping.sum()) / n)


def bootstrap(handoffs, highest, ping, start: Routing, tiers: int, entry: float,
              entry_tier: int, rounds: int = 40, seed: int = 1) -> np.ndarray:
    """Model shares (rows: rounds) refitted on resamples of the cases."""
    rng = np.random.default_rng(seed)
    n = len(handoffs)
    out = []
    for _ in range(rounds):
        pick = rng.integers(0, n, n)
        target = observed(handoffs[pick], highest[pick], ping[pick], tiers)
        r = fit(target, start, tiers, entry, entry_tier)
        out.append(distribution(r, tiers, entry, entry_tier).vector())
    return np.array(out)
