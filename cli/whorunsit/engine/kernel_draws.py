"""One replication's random numbers as flat arrays, for the compiled event loop.

The same streams, the same draws in the same order and the same inverse transforms as
``draws`` (which keeps them as Python lists for the reference engine): every value here
is bit-for-bit the one the Python engine reads, so both engines play the same history.
Each expression applies ``quantiles`` to the same array view ``draws`` does, because a
vectorised ``exp`` or ``log`` may round a strided and a contiguous input differently.

Applications are laid end to end: incident rows first (tier draws of spontaneous
incidents), then per application its deployment rows: ``ATTEMPTS`` per request, then
``rework`` rows from the rework stream for redeployments beyond the third attempt (the
loop asks for more when it runs out, and the replication is replayed).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from whorunsit.engine.arrivals import incident_starts
from whorunsit.engine.draws import (
    _DEP_COLUMNS,
    ATTEMPTS,
    HANDOFF,
    PICKUP,
    REPICKUP,
    TIER_COLUMNS,
    TRIAGE,
    WORK,
)
from whorunsit.engine.plan import AppPlan, Plan
from whorunsit.engine.quantiles import quantiles
from whorunsit.engine.streams import stream


class Draws(NamedTuple):
    """Per replication, by global row (see the module docstring)."""
    inc_off: np.ndarray      # first incident row of each application
    inc_start: np.ndarray
    inc_prio: np.ndarray
    inc_alert: np.ndarray
    dep_off: np.ndarray      # first deployment row of each application
    dep_n: np.ndarray        # requests of each application
    dep_rows: np.ndarray     # rows of each application (requests x ATTEMPTS + rework)
    effort: np.ndarray
    pipeline: np.ndarray
    approval_delay: np.ndarray
    fail: np.ndarray
    dep_prio: np.ndarray
    dep_alert: np.ndarray
    dep_detect: np.ndarray
    tier: np.ndarray         # (incident rows + deployment rows, max tiers, TIER_COLUMNS)
    n_inc: int               # incident rows (deployment row r has tier row n_inc + r)


class AppIncidents(NamedTuple):
    """What ``tally.finish`` reads of an application's spontaneous incidents."""
    start_array: np.ndarray
    detect_array: np.ndarray
    prio: np.ndarray


def _tier_values(app: AppPlan, u: np.ndarray, out: np.ndarray) -> None:
    """``draws.tier_columns`` into ``out`` (rows, max tiers, columns)."""
    for j, tier in enumerate(app.tiers):
        cols = u[:, j, :]
        o = out[:, j, :]
        o[:] = cols
        o[:, PICKUP] = quantiles(tier.pickup, cols[:, PICKUP])
        o[:, WORK] = quantiles(tier.work, cols[:, WORK])
        o[:, HANDOFF] = quantiles(tier.handoff, cols[:, HANDOFF])
        o[:, TRIAGE] = quantiles(tier.triage, cols[:, TRIAGE])
        o[:, REPICKUP] = quantiles(tier.pickup, cols[:, REPICKUP])


def _attributes(app: AppPlan, u: np.ndarray):
    """``draws._attributes`` as arrays."""
    prio = np.searchsorted(np.asarray(app.cum_mix), u[:, 0], side="right")
    alert = u[:, 1] < app.alert_share
    delay = np.where(alert, quantiles(app.alert_delay, u[:, 2]),
                     quantiles(app.customer_delay, u[:, 2]))
    return prio, alert, delay


def draw(plan: Plan, seed: int, replication: int, rework: int
         ) -> tuple[Draws, list[AppIncidents], list[np.ndarray]]:
    """The draws, what ``finish`` needs of the incidents, and each application's
    deployment request times."""
    H = plan.horizon
    nT = max([len(a.tiers) for a in plan.apps] + [1])
    incs, inc_tier = [], []
    for app in plan.apps:
        rng = stream(seed, replication, "arrivals", app.name)
        start = incident_starts(rng, app.incident_rate, H, app.arrivals)
        attrs = rng.random((len(start), 3))
        u = stream(seed, replication, "support", app.name).random(
            (len(start), len(app.tiers), TIER_COLUMNS))
        prio, _alert, delay = _attributes(app, attrs)
        incs.append((start, prio, _alert, start + delay))
        t = np.zeros((len(start), nT, TIER_COLUMNS))
        _tier_values(app, u, t)
        inc_tier.append(t)
    deps, times = [], []
    for app in plan.apps:
        pol = plan.policies[app.policy] if app.policy >= 0 else None
        rng = stream(seed, replication, "deployments", app.name)
        n = int(rng.poisson(app.deployment_rate * H)) if app.deployment_rate > 0 else 0
        times.append(np.sort(rng.uniform(0.0, H, n)))
        u = rng.random((n * ATTEMPTS, _DEP_COLUMNS))
        tu = stream(seed, replication, "change-support", app.name).random(
            (n * ATTEMPTS, len(app.tiers), TIER_COLUMNS))
        # rework rows: one attempt's columns, then its tier columns, row after row
        width = _DEP_COLUMNS + len(app.tiers) * TIER_COLUMNS
        rw = stream(seed, replication, "rework", app.name).random((rework, width))
        u = np.concatenate([u, rw[:, :_DEP_COLUMNS]])
        tu = np.concatenate([tu, rw[:, _DEP_COLUMNS:].reshape(
            rework, len(app.tiers), TIER_COLUMNS)])
        rows = len(u)
        t = np.zeros((rows, nT, TIER_COLUMNS))
        first = n * ATTEMPTS
        # the pre-drawn rows in one block as ``draws`` does; the rework rows in a second
        # block (``draws`` takes them one at a time: numpy's exp and log1p give the same
        # bits for a row alone or in a block, which tests/test_kernel.py checks)
        cols = [np.zeros(rows) for _ in range(3)]
        prio = np.empty(rows, dtype=np.int64)
        alert = np.empty(rows, dtype=bool)
        detect = np.empty(rows)
        for a, b in ((0, first), (first, rows)):
            if b <= a:
                continue
            _tier_values(app, tu[a:b], t[a:b])
            if pol is not None:
                cols[0][a:b] = quantiles(pol.effort, u[a:b, 0])
                cols[1][a:b] = quantiles(pol.pipeline, u[a:b, 1])
                cols[2][a:b] = quantiles(pol.approval_delay, u[a:b, 2])
            prio[a:b], alert[a:b], detect[a:b] = _attributes(app, u[a:b, 4:7])
        deps.append((n, rows, cols, u[:, 3].copy(), prio, alert, detect, t))
    counts = [len(i[0]) for i in incs]
    inc_off = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64) if counts \
        else np.zeros(0, np.int64)
    rows = [d[1] for d in deps]
    dep_off = np.concatenate([[0], np.cumsum(rows)[:-1]]).astype(np.int64) if rows \
        else np.zeros(0, np.int64)

    def cat(parts, dtype):
        return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)

    tier = np.concatenate(inc_tier + [d[7] for d in deps]) if plan.apps else \
        np.zeros((0, 1, TIER_COLUMNS))
    d = Draws(
        inc_off, cat([i[0] for i in incs], float), cat([i[1] for i in incs], np.int64),
        cat([i[2] for i in incs], bool), dep_off,
        np.asarray([x[0] for x in deps], dtype=np.int64), np.asarray(rows, dtype=np.int64),
        cat([x[2][0] for x in deps], float), cat([x[2][1] for x in deps], float),
        cat([x[2][2] for x in deps], float), cat([x[3] for x in deps], float),
        cat([x[4] for x in deps], np.int64), cat([x[5] for x in deps], bool),
        cat([x[6] for x in deps], float), np.ascontiguousarray(tier), int(sum(counts)))
    finish = [AppIncidents(i[0], i[3], i[1]) for i in incs]
    return d, finish, times
