"""One replication's random numbers as flat arrays, for the compiled event loop.

The same streams, the same draws in the same order and the same inverse transforms as
``draws`` (which keeps them as Python lists for the reference engine): every value here
is bit-for-bit the one the Python engine reads, so both engines play the same history.

Applications are laid end to end: incident rows first (tier draws of spontaneous
incidents), then per application its deployment rows: ``ATTEMPTS`` per request, then
rows from the rework stream for redeployments beyond the third attempt (the loop asks
for more when it runs out, and the replication is replayed).
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


def _groups(blocks, key):
    """Rows that share a transform, as (key, rows): thirty applications with the same
    tiers cost one numpy call, not thirty. ``blocks`` are (application, first, stop);
    ``key(app)`` names its transform (None: no rows to transform). numpy's elementwise
    functions give the same bits for a value wherever it sits in an array
    (tests/test_kernel.py compares every draw with ``draws``)."""
    found: dict[object, list[int]] = {}
    partial = False
    for b, (app, lo, hi) in enumerate(blocks):
        k = key(app)
        if hi > lo:
            if k is None:
                partial = True
            else:
                found.setdefault(k, []).append(b)
    if len(found) == 1 and not partial:
        return [(next(iter(found)), slice(None))]
    sizes = [hi - lo for _app, lo, hi in blocks]
    owner = np.repeat(np.arange(len(blocks)), sizes)
    return [(k, np.nonzero(np.isin(owner, bs))[0]) for k, bs in found.items()]


def _tier_values(tier: np.ndarray, blocks) -> None:
    """``draws.tier_columns`` for all rows, in place."""
    for col, attr in ((PICKUP, "pickup"), (WORK, "work"), (HANDOFF, "handoff"),
                      (TRIAGE, "triage"), (REPICKUP, "pickup")):
        for j in range(tier.shape[1]):
            def dist(app, j=j, attr=attr):
                return getattr(app.tiers[j], attr) if j < len(app.tiers) else None
            for d, rows in _groups(blocks, dist):
                tier[rows, j, col] = quantiles(d, tier[rows, j, col])


def _attributes(blocks, u: np.ndarray):
    """``draws._attributes`` for all rows of ``u`` (priority, alert, detection delay)."""
    n = len(u)
    prio = np.zeros(n, dtype=np.int64)
    alert = np.zeros(n, dtype=bool)
    delay = np.zeros(n)
    for mix, rows in _groups(blocks, lambda app: app.cum_mix):
        prio[rows] = np.searchsorted(np.asarray(mix), u[rows, 0], side="right")
    for share, rows in _groups(blocks, lambda app: app.alert_share):
        alert[rows] = u[rows, 1] < share
    for (on_alert, on_customer), rows in _groups(
            blocks, lambda app: (app.alert_delay, app.customer_delay)):
        v = u[rows, 2]
        delay[rows] = np.where(alert[rows], quantiles(on_alert, v), quantiles(on_customer, v))
    return prio, alert, delay


def _rework_rows(app: AppPlan, policy, fail: np.ndarray, n: int, spare: int) -> int:
    """Rework rows to draw: one per request whose three pre-drawn attempts all fail
    (only those can reach a fourth), plus ``spare`` for reworks that fail again."""
    if policy is None or not policy.redeploy or n == 0:
        return 0
    chains = int((fail.reshape(n, ATTEMPTS) < app.change_failure_rate).all(axis=1).sum())
    return chains + spare if chains else 0


def draw(plan: Plan, seed: int, replication: int, spare: int
         ) -> tuple[Draws, list[AppIncidents], list[np.ndarray]]:
    """The draws, what ``finish`` needs of the incidents, and each application's
    deployment request times. ``spare``: rework rows beyond the surely needed ones."""
    H = plan.horizon
    mT = max([len(a.tiers) for a in plan.apps] + [1])
    starts, attrs, inc_u, inc_blocks = [], [], [], []
    row = 0
    for app in plan.apps:
        rng = stream(seed, replication, "arrivals", app.name)
        start = incident_starts(rng, app.incident_rate, H, app.arrivals)
        n = len(start)
        attrs.append(rng.random((n, 3)))
        inc_u.append(stream(seed, replication, "support", app.name).random(
            (n, len(app.tiers), TIER_COLUMNS)))
        starts.append(start)
        inc_blocks.append((app, row, row + n))
        row += n
    n_inc = row
    times, dep_u, dep_tu, dep_blocks, dep_n = [], [], [], [], []
    row = 0
    for app in plan.apps:
        pol = plan.policies[app.policy] if app.policy >= 0 else None
        rng = stream(seed, replication, "deployments", app.name)
        n = int(rng.poisson(app.deployment_rate * H)) if app.deployment_rate > 0 else 0
        times.append(np.sort(rng.uniform(0.0, H, n)))
        u = rng.random((n * ATTEMPTS, _DEP_COLUMNS))
        tu = stream(seed, replication, "change-support", app.name).random(
            (n * ATTEMPTS, len(app.tiers), TIER_COLUMNS))
        k = _rework_rows(app, pol, u[:, 3], n, spare)
        if k:
            # a rework row is one attempt's columns, then its tier columns
            width = _DEP_COLUMNS + len(app.tiers) * TIER_COLUMNS
            rw = stream(seed, replication, "rework", app.name).random((k, width))
            u = np.concatenate([u, rw[:, :_DEP_COLUMNS]])
            tu = np.concatenate([tu, rw[:, _DEP_COLUMNS:].reshape(
                k, len(app.tiers), TIER_COLUMNS)])
        dep_u.append(u)
        dep_tu.append(tu)
        dep_n.append(n)
        dep_blocks.append((app, row, row + len(u)))
        row += len(u)
    n_dep = row
    raw = np.zeros((n_inc + n_dep, mT, TIER_COLUMNS))
    for (app, lo, hi), u in zip(inc_blocks, inc_u, strict=True):
        raw[lo:hi, :len(app.tiers)] = u
    for (app, lo, hi), u in zip(dep_blocks, dep_tu, strict=True):
        raw[n_inc + lo:n_inc + hi, :len(app.tiers)] = u
    tier = raw
    _tier_values(tier, inc_blocks + [(a, n_inc + lo, n_inc + hi) for a, lo, hi in dep_blocks])
    att = np.concatenate(attrs) if attrs else np.zeros((0, 3))
    inc_prio, inc_alert, inc_delay = _attributes(inc_blocks, att)
    inc_start = np.concatenate(starts) if starts else np.zeros(0)
    du = np.concatenate(dep_u) if dep_u else np.zeros((0, _DEP_COLUMNS))
    dep_prio, dep_alert, dep_detect = _attributes(dep_blocks, du[:, 4:7])
    work = [np.zeros(n_dep) for _ in range(3)]
    for p, rows in _groups(dep_blocks, lambda app: app.policy if app.policy >= 0 else None):
        pol = plan.policies[p]
        for c, dist in enumerate((pol.effort, pol.pipeline, pol.approval_delay)):
            work[c][rows] = quantiles(dist, du[rows, c])
    i64 = np.int64
    d = Draws(
        np.asarray([b[1] for b in inc_blocks], dtype=i64), inc_start, inc_prio, inc_alert,
        np.asarray([b[1] for b in dep_blocks], dtype=i64), np.asarray(dep_n, dtype=i64),
        np.asarray([b[2] - b[1] for b in dep_blocks], dtype=i64),
        work[0], work[1], work[2], np.ascontiguousarray(du[:, 3]), dep_prio, dep_alert,
        dep_detect, tier, n_inc)
    finish = []
    for (_app, lo, hi), start in zip(inc_blocks, starts, strict=True):
        finish.append(AppIncidents(start, start + inc_delay[lo:hi], inc_prio[lo:hi]))
    return d, finish, times
