"""The random numbers of one replication, drawn up front and indexed by entity number.

Incident i of an application always gets row i of that application's arrays, whatever
happens in the replication, so draws never depend on the order events are processed
(which differs between scenarios and would spoil common random numbers). Per
application there are four streams (see ``streams``):

- ``arrivals``: incident count and start times (even over the week, or by the
  application's arrival profile, see ``arrivals``), then per incident its priority, its
  channel (alert or customer) and its detection delay;
- ``support``: per incident and tier, uniforms for pickup, work, routing, handoff,
  misroute triage, re-assessment after a bounce and best-endeavours answer and delay;
- ``deployments``: request count and times, then per request and attempt the effort,
  pipeline, approval delay, failure and the attributes of the incident a failure raises;
- ``change-support``: tier uniforms for those change-failure incidents.

A redeployment beyond the pre-drawn attempts takes its numbers from a fifth stream,
``rework``, in the order it is needed. An application whose support path puts incidents
on hold draws, per incident, whether and how long it waits from a sixth, ``on-hold``
(the wait is added to its detection: it reaches its first tier that much later). The
others never open that stream, so their results are unchanged by its existence.
"""

from __future__ import annotations

import numpy as np

from whorunsit.engine.plan.plan import AppPlan, Plan
from whorunsit.engine.random.arrivals import incident_starts
from whorunsit.engine.random.quantiles import quantile, quantiles
from whorunsit.engine.random.streams import stream

#: columns of a tier's draws
PICKUP, WORK, ROUTE, HANDOFF, TRIAGE, REPICKUP, BE_U, BE_DELAY_U = range(8)
TIER_COLUMNS = 8
#: deployment attempts (first try and redeployments) pre-drawn per request
ATTEMPTS = 3
#: columns of a deployment attempt's draws
_DEP_COLUMNS = 7


def tier_columns(app: AppPlan, u: np.ndarray) -> list[list[list[float]]]:
    """Turn uniforms of shape (n, tiers, 8) into per-tier lists of per-column values."""
    out = []
    for j, tier in enumerate(app.tiers):
        cols = u[:, j, :]
        out.append([
            quantiles(tier.pickup, cols[:, PICKUP]).tolist(),
            quantiles(tier.work, cols[:, WORK]).tolist(),
            cols[:, ROUTE].tolist(),
            quantiles(tier.handoff, cols[:, HANDOFF]).tolist(),
            quantiles(tier.triage, cols[:, TRIAGE]).tolist(),
            quantiles(tier.pickup, cols[:, REPICKUP]).tolist(),
            cols[:, BE_U].tolist(),
            cols[:, BE_DELAY_U].tolist(),
        ])
    return out


def _attributes(app: AppPlan, u: np.ndarray) -> tuple[list[int], list[bool], list[float]]:
    """Priority (0..3), alert channel and detection delay from three uniform columns."""
    prio = np.searchsorted(np.asarray(app.cum_mix), u[:, 0], side="right")
    alert = u[:, 1] < app.alert_share
    delay = np.where(alert, quantiles(app.alert_delay, u[:, 2]),
                     quantiles(app.customer_delay, u[:, 2]))
    return prio.tolist(), alert.tolist(), delay.tolist()


def hold_times(app: AppPlan, seed: int, replication: int, n: int) -> np.ndarray:
    """Per incident, the time it waits on the user or a vendor (0 for most)."""
    if app.hold_share <= 0 or n == 0:
        return np.zeros(n)
    u = stream(seed, replication, "on-hold", app.name).random((n, 2))
    return np.where(u[:, 0] < app.hold_share, quantiles(app.hold_wait, u[:, 1]), 0.0)


class Incidents:
    """An application's spontaneous incidents: start, detection, attributes, tier draws."""

    def __init__(self, plan: Plan, app: AppPlan, seed: int, replication: int):
        horizon = plan.horizon
        rng = stream(seed, replication, "arrivals", app.name)
        start = incident_starts(rng, app.incident_rate, horizon, app.arrivals)
        attrs = rng.random((len(start), 3))
        support = stream(seed, replication, "support", app.name)
        self._fill(app, start, attrs, support.random((len(start), len(app.tiers), TIER_COLUMNS)))
        if app.hold_share > 0:
            self.hold_array = hold_times(app, seed, replication, len(start))
            self.detect_array = self.detect_array + self.hold_array

    def _fill(self, app: AppPlan, start: np.ndarray, attrs: np.ndarray,
              tier_u: np.ndarray, prio=None, alert=None) -> None:
        self.prio, self.alert, delay = _attributes(app, attrs)
        if prio is not None:
            self.prio, self.alert = list(prio), list(alert)
            delay = [quantile(app.alert_delay if a else app.customer_delay, 0.5)
                     for a in self.alert]
        self.start_array = start
        self.detect_array = start + np.asarray(delay, dtype=float)
        self.hold_array = np.zeros(len(start))
        self.start = start.tolist()
        self.tiers = tier_columns(app, tier_u)
        self.n = len(start)

    @classmethod
    def given(cls, app: AppPlan, starts, priorities, alerts=None,
              tier_uniforms: dict[int, float] | None = None) -> Incidents:
        """Incidents at given start times and priorities (1..4) instead of random ones:
        for hand-computable checks and replaying a known sequence. Tier draws use 0.5,
        or the given uniform per column (e.g. ``{ROUTE: 0.9}``); detection delays their
        distribution's median; none is put on hold."""
        n = len(starts)
        order = np.argsort(np.asarray(starts, dtype=float), kind="stable")
        start = np.asarray(starts, dtype=float)[order]
        prio = (np.asarray(priorities, dtype=int)[order] - 1).tolist()
        flags = [False] * n if alerts is None else np.asarray(alerts, dtype=bool)[order].tolist()
        tier_u = np.full((n, len(app.tiers), TIER_COLUMNS), 0.5)
        for col, u in (tier_uniforms or {}).items():
            tier_u[:, :, col] = u
        self = cls.__new__(cls)
        self._fill(app, start, np.full((n, 3), 0.5), tier_u, prio, flags)
        return self


class Deployments:
    """An application's deployment requests and, per attempt, what happens to them."""

    def __init__(self, plan: Plan, app: AppPlan, seed: int, replication: int,
                 times=None, failures: float | None = None):
        """Random requests, or (``times`` given) requests at those times whose every
        attempt draws 0.5, or ``failures`` for the failure draw (below the change failure
        rate means the attempt fails)."""
        self.app = app
        self.policy = plan.policies[app.policy] if app.policy >= 0 else None
        self.seed, self.replication = seed, replication
        horizon = plan.horizon
        rng = stream(seed, replication, "deployments", app.name)
        if times is None:
            n = int(rng.poisson(app.deployment_rate * horizon)) if app.deployment_rate > 0 else 0
            self.times_array = np.sort(rng.uniform(0.0, horizon, n))
        else:
            self.times_array = np.sort(np.asarray(times, dtype=float))
            n = len(self.times_array)
        self.n = n
        self.effort: list[float] = []
        self.pipeline: list[float] = []
        self.approval: list[float] = []
        self.fail: list[float] = []
        self.prio: list[int] = []
        self.alert: list[bool] = []
        self.detect: list[float] = []
        self.tiers: list[list[list[float]]] = [[[] for _ in range(TIER_COLUMNS)]
                                               for _ in app.tiers]
        self._rework: np.random.Generator | None = None
        if times is None:
            self._extend(rng.random((n * ATTEMPTS, _DEP_COLUMNS)),
                         stream(seed, replication, "change-support", app.name).random(
                             (n * ATTEMPTS, len(app.tiers), TIER_COLUMNS)))
        else:
            u = np.full((n * ATTEMPTS, _DEP_COLUMNS), 0.5)
            if failures is not None:
                u[:, 3] = failures
            self._extend(u, np.full((n * ATTEMPTS, len(app.tiers), TIER_COLUMNS), 0.5))

    def _extend(self, u: np.ndarray, tier_u: np.ndarray) -> None:
        pol = self.policy
        if pol is not None:
            self.effort += quantiles(pol.effort, u[:, 0]).tolist()
            self.pipeline += quantiles(pol.pipeline, u[:, 1]).tolist()
            self.approval += quantiles(pol.approval_delay, u[:, 2]).tolist()
        else:
            zeros = [0.0] * len(u)
            self.effort += zeros
            self.pipeline += zeros
            self.approval += zeros
        self.fail += u[:, 3].tolist()
        prio, alert, delay = _attributes(self.app, u[:, 4:7])
        self.prio += prio
        self.alert += alert
        self.detect += delay
        for mine, new in zip(self.tiers, tier_columns(self.app, tier_u), strict=True):
            for col, values in zip(mine, new, strict=True):
                col += values

    def row(self, index: int, attempt: int) -> int:
        """The row of draws for attempt ``attempt`` (0 = first try) of request ``index``."""
        if attempt < ATTEMPTS:
            return index * ATTEMPTS + attempt
        if self._rework is None:
            self._rework = stream(self.seed, self.replication, "rework", self.app.name)
        rng = self._rework
        self._extend(rng.random((1, _DEP_COLUMNS)),
                     rng.random((1, len(self.app.tiers), TIER_COLUMNS)))
        return len(self.fail) - 1
