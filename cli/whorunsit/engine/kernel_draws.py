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
from whorunsit.engine.streams import reseed, states, stream


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


#: per plan: the transform keys of its applications, numbered (see ``_groups``)
_KEYS: dict[int, tuple[Plan, dict]] = {}


def _numbered(plan: Plan, name: str, key) -> tuple[list, list[int], bool]:
    """The distinct ``key(app)`` values of the plan's applications, each application's
    number among them (-1: None) and whether they all share one, once per plan."""
    hit = _KEYS.get(id(plan))
    if hit is None or hit[0] is not plan:
        if len(_KEYS) > 16:
            _KEYS.clear()
        hit = _KEYS[id(plan)] = (plan, {})
    cache = hit[1]
    if name not in cache:
        values: list = []
        ids: list[int] = []
        for app in plan.apps:
            k = key(app)
            if k is None:
                ids.append(-1)
                continue
            if k not in values:
                values.append(k)
            ids.append(values.index(k))
        cache[name] = (values, ids, len(values) == 1 and min(ids) == 0)
    return cache[name]


def _groups(plan: Plan, blocks, name: str, key):
    """Rows that share a transform, as (key, rows): thirty applications with the same
    tiers cost one numpy call, not thirty. ``blocks`` are (application, first, stop);
    ``key(app)`` names its transform (None: no rows to transform), ``name`` caches it.
    numpy's elementwise functions give the same bits for a value wherever it sits in an
    array (tests/test_kernel.py compares every draw with ``draws``)."""
    values, ids, same = _numbered(plan, name, key)
    if same and any(hi > lo for _app, lo, hi in blocks):
        return [(values[0], slice(None))]
    found: dict[int, list[int]] = {}
    partial = False
    for b, (app, lo, hi) in enumerate(blocks):
        if hi > lo:
            g = ids[app.index]
            if g < 0:
                partial = True
            else:
                found.setdefault(g, []).append(b)
    if len(found) == 1 and not partial:
        return [(values[next(iter(found))], slice(None))]
    sizes = [hi - lo for _app, lo, hi in blocks]
    owner = np.repeat(np.arange(len(blocks)), sizes)
    return [(values[g], np.nonzero(np.isin(owner, bs))[0]) for g, bs in found.items()]


def _tier_values(plan: Plan, tier: np.ndarray, blocks) -> None:
    """``draws.tier_columns`` for all rows, in place."""
    for col, attr in ((PICKUP, "pickup"), (WORK, "work"), (HANDOFF, "handoff"),
                      (TRIAGE, "triage"), (REPICKUP, "pickup")):
        for j in range(tier.shape[1]):
            def dist(app, j=j, attr=attr):
                return getattr(app.tiers[j], attr) if j < len(app.tiers) else None
            for d, rows in _groups(plan, blocks, f"{attr}{j}", dist):
                tier[rows, j, col] = quantiles(d, tier[rows, j, col])


def _attributes(plan: Plan, blocks, u: np.ndarray):
    """``draws._attributes`` for all rows of ``u`` (priority, alert, detection delay)."""
    n = len(u)
    prio = np.zeros(n, dtype=np.int64)
    alert = np.zeros(n, dtype=bool)
    delay = np.zeros(n)
    for mix, rows in _groups(plan, blocks, "mix", lambda app: app.cum_mix):
        prio[rows] = np.searchsorted(np.asarray(mix), u[rows, 0], side="right")
    for share, rows in _groups(plan, blocks, "alert", lambda app: app.alert_share):
        alert[rows] = u[rows, 1] < share
    for (on_alert, on_customer), rows in _groups(
            plan, blocks, "delay", lambda app: (app.alert_delay, app.customer_delay)):
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


def _stream_keys(plan: Plan) -> list[tuple[str, str]]:
    """The four streams of each application, in ``draw``'s order."""
    return [(purpose, app.name) for app in plan.apps
            for purpose in ("arrivals", "support", "deployments", "change-support")]


_GENERATOR: list[np.random.Generator] = []


def _generator() -> np.random.Generator:
    """One PCG64 generator, re-seeded for each stream in turn (each stream is used up
    before the next starts): the same numbers as a generator per stream."""
    if not _GENERATOR:
        _GENERATOR.append(np.random.Generator(np.random.PCG64()))
    return _GENERATOR[0]


def draw(plan: Plan, seed: int, replication: int, spare: int
         ) -> tuple[Draws, list[AppIncidents], list[np.ndarray]]:
    """The draws, what ``finish`` needs of the incidents, and each application's
    deployment request times. ``spare``: rework rows beyond the surely needed ones."""
    H = plan.horizon
    mT = max([len(a.tiers) for a in plan.apps] + [1])
    states_ = states(seed, replication, _stream_keys(plan))
    gen = _generator()
    # counts, times and attributes first: the tier uniforms then go straight into place
    starts, attrs, inc_blocks = [], [], []
    row = 0
    for i, app in enumerate(plan.apps):
        rng = reseed(gen, states_[4 * i])
        prof = app.arrivals
        if prof is None:
            start = incident_starts(rng, app.incident_rate, H, None)
        else:
            # ``incident_starts`` up to the time change, which is done below for all
            # applications sharing the profile at once (it is elementwise)
            span = prof.cumulative(H)
            n = int(rng.poisson(app.incident_rate * span)) if app.incident_rate > 0 else 0
            start = np.sort(rng.uniform(0.0, span, n))
        n = len(start)
        attrs.append(rng.random((n, 3)))
        starts.append(start)
        inc_blocks.append((app, row, row + n))
        row += n
    n_inc = row
    profiles: dict[int, list[int]] = {}
    for i, app in enumerate(plan.apps):
        if app.arrivals is not None:
            profiles.setdefault(id(app.arrivals), []).append(i)
    for members in profiles.values():
        clock = np.concatenate([starts[i] for i in members])
        at = plan.apps[members[0]].arrivals.times(clock, H)
        cut = np.cumsum([len(starts[i]) for i in members])[:-1]
        for i, part in zip(members, np.split(at, cut), strict=True):
            starts[i] = part
    times, dep_u, rework, dep_blocks, dep_n = [], [], [], [], []
    row = 0
    for i, app in enumerate(plan.apps):
        pol = plan.policies[app.policy] if app.policy >= 0 else None
        rng = reseed(gen, states_[4 * i + 2])
        n = int(rng.poisson(app.deployment_rate * H)) if app.deployment_rate > 0 else 0
        times.append(np.sort(rng.uniform(0.0, H, n)))
        u = rng.random((n * ATTEMPTS, _DEP_COLUMNS))
        k = _rework_rows(app, pol, u[:, 3], n, spare)
        rw = None
        if k:
            # a rework row is one attempt's columns, then its tier columns
            width = _DEP_COLUMNS + len(app.tiers) * TIER_COLUMNS
            rw = stream(seed, replication, "rework", app.name).random((k, width))
            u = np.concatenate([u, rw[:, :_DEP_COLUMNS]])
        dep_u.append(u)
        rework.append(rw)
        dep_n.append(n)
        dep_blocks.append((app, row, row + len(u)))
        row += len(u)
    n_dep = row
    full = all(len(app.tiers) == mT for app in plan.apps)
    tier = (np.empty if full else np.zeros)((n_inc + n_dep, mT, TIER_COLUMNS))
    for i, (app, lo, hi) in enumerate(inc_blocks):
        _fill(reseed(gen, states_[4 * i + 1]), tier[lo:hi], len(app.tiers))
    for i, (app, lo, hi) in enumerate(dep_blocks):
        nt = len(app.tiers)
        drawn = n_inc + lo + dep_n[i] * ATTEMPTS
        _fill(reseed(gen, states_[4 * i + 3]), tier[n_inc + lo:drawn], nt)
        if rework[i] is not None:
            tier[drawn:n_inc + hi, :nt] = rework[i][:, _DEP_COLUMNS:].reshape(
                hi - lo - dep_n[i] * ATTEMPTS, nt, TIER_COLUMNS)
    _tier_values(plan, tier,
                 inc_blocks + [(a, n_inc + lo, n_inc + hi) for a, lo, hi in dep_blocks])
    att = np.concatenate(attrs) if attrs else np.zeros((0, 3))
    inc_prio, inc_alert, inc_delay = _attributes(plan, inc_blocks, att)
    inc_start = np.concatenate(starts) if starts else np.zeros(0)
    du = np.concatenate(dep_u) if dep_u else np.zeros((0, _DEP_COLUMNS))
    dep_prio, dep_alert, dep_detect = _attributes(plan, dep_blocks, du[:, 4:7])
    work = [np.zeros(n_dep) for _ in range(3)]
    for p, rows in _groups(plan, dep_blocks, "policy",
                           lambda app: app.policy if app.policy >= 0 else None):
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


def _fill(rng: np.random.Generator, rows: np.ndarray, tiers: int) -> None:
    """``rng.random((len(rows), tiers, TIER_COLUMNS))`` into ``rows`` (drawn in place
    when the application has every tier column of the array)."""
    if tiers == rows.shape[1]:
        rng.random(out=rows)
    else:
        rows[:, :tiers] = rng.random((len(rows), tiers, TIER_COLUMNS))
