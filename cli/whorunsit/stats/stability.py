"""Can the teams serve what arrives? Verdicts with a sound test behind them.

A queue is *unstable* when work arrives for a team faster than it can serve it: then
waits grow with the horizon and every figure that includes them is a lower bound.
Two things must agree before whorunsit says so (docs/model.md, "Stability"):

1. the team's **offered load** is at least 1: per replication, the work that arrived
   for its working-hours responders (the work they did, plus the work its queue grew
   by) over the responder-hours they had (engine/tally.offered_load); the estimate is
   its mean over replications, with a Student t interval;
2. its **queue grew** over the measured horizon: the queue at the horizon minus the
   queue at the end of the warm-up, one value per replication, is above zero by a
   one-sided t test at ``ALPHA`` (1%). Stable queues in their periodic steady state
   have no growth on average (the horizon and the warm-up end at the same hour of the
   week), so the test raises a false alarm at most 1% of the time, and only where the
   load estimate is already 1 or more.

A replication stopped because its queues passed the cap (``queues.unstable``) is
unstable by construction. Deliveries are judged the same way: *discontinuous* when the
deployment backlog grew by the same test and by more than two weeks of demand.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from whorunsit.stats.intervals import MIN_VALUES, mean_interval

#: significance of the one-sided growth test
ALPHA = 0.01
#: an offered load at which waits climb steeply (a caution, not a verdict)
NEAR_CAPACITY = 0.85
UNSTABLE, NEAR, STABLE = "unstable", "near capacity", "stable"


def growth_p_value(values) -> float:
    """One-sided p-value that the mean of ``values`` is above zero (Student t); NaN
    with fewer than ``MIN_VALUES`` values."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = len(x)
    if n < MIN_VALUES:
        return math.nan
    mean = float(x.mean())
    sd = float(x.std(ddof=1))
    if sd == 0.0:
        return 0.0 if mean > 0 else 1.0
    from scipy.special import stdtr

    return float(stdtr(n - 1, -mean / (sd / math.sqrt(n))))


@dataclass(frozen=True)
class TeamLoad:
    team: str
    #: offered load (1 = every available responder-hour needed) and its 95% CI
    load: float
    low: float
    high: float
    #: mean change of the team's queue over the measured horizon, in tickets
    growth: float
    #: one-sided p-value that the queue grew
    p_growth: float
    verdict: str


def team_loads(samples: dict[str, np.ndarray], teams: list[str]) -> list[TeamLoad]:
    """Every team's offered load and verdict, in the order given."""
    overflowed = _overflowed(samples)
    out = []
    for team in teams:
        loads = samples.get(f"teams.{team}.offered_load")
        growth = samples.get(f"teams.{team}.queue_growth")
        if loads is None or growth is None or not np.isfinite(loads).any():
            continue
        load, low, high = mean_interval(loads, domain=(0.0, math.inf))
        p = growth_p_value(growth)
        grew = p < ALPHA
        if load >= 1.0 and (grew or overflowed):
            verdict = UNSTABLE
        elif load >= NEAR_CAPACITY:
            verdict = NEAR
        else:
            verdict = STABLE
        g = growth[np.isfinite(growth)]
        out.append(TeamLoad(team, load, low, high, float(g.mean()) if len(g) else math.nan,
                            p, verdict))
    return out


def _overflowed(samples: dict[str, np.ndarray]) -> int:
    flags = samples.get("queues.unstable")
    return 0 if flags is None else int(np.nansum(flags))


@dataclass(frozen=True)
class Stability:
    teams: list[TeamLoad]
    #: replications stopped because their queues passed the cap
    overflowed: int
    replications: int

    @property
    def unstable(self) -> list[TeamLoad]:
        return [t for t in self.teams if t.verdict == UNSTABLE]

    @property
    def near_capacity(self) -> list[TeamLoad]:
        return [t for t in self.teams if t.verdict == NEAR]


def stability(samples: dict[str, np.ndarray], teams: list[str]) -> Stability:
    n = len(next(iter(samples.values()))) if samples else 0
    return Stability(team_loads(samples, teams), _overflowed(samples), n)


@dataclass(frozen=True)
class Delivery:
    """Deployment demand against what the change process delivered."""

    demand_per_week: float
    throughput_per_week: float
    #: mean growth of the deployment backlog over the measured horizon, in requests
    growth: float
    p_growth: float
    discontinuous: bool


def delivery(samples: dict[str, np.ndarray]) -> Delivery | None:
    """The delivery verdict; None when nothing asked for deployments."""
    demand = samples.get("deployments.demand_per_week")
    growth = samples.get("deployments.backlog_growth")
    if demand is None or growth is None or not np.nansum(demand) > 0:
        return None
    throughput = samples.get("deployments.throughput_per_week")
    d = float(np.nanmean(demand))
    g = float(np.nanmean(growth))
    p = growth_p_value(growth)
    # material as well as significant: a backlog more than two weeks of demand (and
    # more than four requests) deeper, as the per-replication flag counts it
    material = g > max(4.0, 2.0 * d)
    return Delivery(d, float(np.nanmean(throughput)) if throughput is not None else math.nan,
                    g, p, bool(p < ALPHA and material))
