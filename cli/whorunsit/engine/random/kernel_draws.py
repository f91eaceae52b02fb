"""One replication's random numbers as flat arrays, for the compiled event loop.

The same streams, the same draws in the same order and the same inverse transforms as
``draws`` (which keeps them as Python lists for the reference engine): every value the
loop reads is bit-for-bit the one the Python engine reads, so both engines play the same
history. The uniforms come from ``kernel_random`` (numpy's PCG64 and Poisson, compiled,
all applications in one call); the transforms are numpy's, as in ``draws``.

Applications are laid end to end: incident rows first (tier draws of spontaneous
incidents), then per application its deployment rows: ``ATTEMPTS`` per request, then
rows from the rework stream for redeployments beyond the third attempt (the loop asks
for more when it runs out, and the replication is replayed).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from whorunsit.engine import compiled  # noqa: F401  (first: numba's cache and WHORUNSIT_JIT)
from whorunsit.engine.memo import once_per
from whorunsit.engine.plan.plan import Plan
from whorunsit.engine.random.draws import (
    _DEP_COLUMNS,
    ATTEMPTS,
    HANDOFF,
    PICKUP,
    REPICKUP,
    ROUTE,
    TIER_COLUMNS,
    TRIAGE,
    WORK,
    hold_times,
)
from whorunsit.engine.random.kernel_random import replication_uniforms, seeded, state_rows
from whorunsit.engine.random.quantiles import quantiles
from whorunsit.engine.random.streams import entropy_words, key, states


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
    #: time each waits on the user or a vendor (``draws.hold_times``); None: none do
    hold_array: np.ndarray | None = None


#: per plan: the transform keys of its applications, numbered (see ``_groups``)
_KEYS: dict[int, tuple[Plan, dict]] = {}


def _numbered(plan: Plan, name: str, key) -> tuple[list, list[int], bool]:
    """The distinct ``key(app)`` values of the plan's applications, each application's
    number among them (-1: None) and whether they all share one, once per plan."""
    cache = once_per(_KEYS, plan, lambda _plan: {})
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


def _tier_values(plan: Plan, tier: np.ndarray, blocks, visited=None) -> None:
    """``draws.tier_columns`` for all rows (or the ones ``visited`` marks), in place."""
    for j in range(tier.shape[1]):
        marked: dict[int, np.ndarray] = {}  # rows marked, per kind of need
        for col, attr, need in ((PICKUP, "pickup", VISIT), (WORK, "work", VISIT),
                                (HANDOFF, "handoff", ESCALATE), (TRIAGE, "triage", MISROUTE),
                                (REPICKUP, "pickup", MISROUTE)):
            seen = None if visited is None else visited[:, j, need]
            def dist(app, j=j, attr=attr):
                return getattr(app.tiers[j], attr) if j < len(app.tiers) else None
            for d, rows in _groups(plan, blocks, f"{attr}{j}", dist):
                if seen is not None and isinstance(rows, slice):
                    if need not in marked:
                        marked[need] = np.flatnonzero(seen)
                    rows = marked[need]
                elif seen is not None:
                    rows = rows[seen[rows]]
                tier[rows, j, col] = quantiles(d, tier[rows, j, col])


def _attributes(plan: Plan, blocks, u: np.ndarray):
    """``draws._attributes`` for all rows of ``u`` (priority, alert, detection delay)."""
    n = len(u)
    prio = np.zeros(n, dtype=np.int64)
    alert = np.zeros(n, dtype=bool)
    delay = np.zeros(n)
    for mix, rows in _groups(plan, blocks, "mix", lambda app: app.cum_mix):
        # ``searchsorted(mix, u, side="right")``: how many cumulative shares are <= u
        col = u[rows, 0]
        prio[rows] = sum((col >= share).astype(np.int64) for share in mix)
    for share, rows in _groups(plan, blocks, "alert", lambda app: app.alert_share):
        alert[rows] = u[rows, 1] < share
    for (on_alert, on_customer), rows in _groups(
            plan, blocks, "delay", lambda app: (app.alert_delay, app.customer_delay)):
        v = u[rows, 2]
        delay[rows] = np.where(alert[rows], quantiles(on_alert, v), quantiles(on_customer, v))
    return prio, alert, delay


class _Constants(NamedTuple):
    """What ``replication_uniforms`` needs of a plan, per application."""
    keys: list[tuple[str, str]]
    key_words: np.ndarray  # (streams, 2): ``streams.key`` of each
    lam_inc: np.ndarray
    span: np.ndarray
    lam_dep: np.ndarray
    tiers: np.ndarray
    cfr: np.ndarray
    redeploy: np.ndarray
    alert_share: np.ndarray
    profiles: list[list[int]]  # applications sharing an arrival profile


_CONSTANTS: dict[int, tuple[Plan, _Constants]] = {}


def _constants(plan: Plan) -> _Constants:
    return once_per(_CONSTANTS, plan, _built_constants)


def _built_constants(plan: Plan) -> _Constants:
    H = plan.horizon
    span = [H if a.arrivals is None else a.arrivals.cumulative(H) for a in plan.apps]
    # the same float products as ``incident_starts`` and ``Deployments`` compute
    lam_inc = [a.incident_rate * s if a.incident_rate > 0 else 0.0
               for a, s in zip(plan.apps, span, strict=True)]
    lam_dep = [a.deployment_rate * H if a.deployment_rate > 0 else 0.0 for a in plan.apps]
    redeploy = [a.policy >= 0 and plan.policies[a.policy].redeploy for a in plan.apps]
    profiles: dict[int, list[int]] = {}
    for i, app in enumerate(plan.apps):
        if app.arrivals is not None:
            profiles.setdefault(id(app.arrivals), []).append(i)
    keys = [(purpose, app.name) for app in plan.apps
            for purpose in ("arrivals", "support", "deployments", "change-support", "rework")]
    return _Constants(
        keys, np.asarray([key(p, e) for p, e in keys], np.uint64).reshape(len(keys), 2),
        np.asarray(lam_inc, float), np.asarray(span, float), np.asarray(lam_dep, float),
        np.asarray([len(a.tiers) for a in plan.apps], np.int64),
        np.asarray([a.change_failure_rate for a in plan.apps], float),
        np.asarray(redeploy, bool), np.asarray([a.alert_share for a in plan.apps], float),
        list(profiles.values()))


#: what ``_visited`` marks per row and tier: the ticket visits the tier (pickup and work
#: are read), goes up from it (its handoff delay) or is misrouted there (triage, re-pickup)
VISIT, ESCALATE, MISROUTE = range(3)


@njit(cache=True)
def _visited(n_inc, dep_rows, attrs, dep_u, tier, alert_share, cfr, entry, t_resolve,
             t_misroute, t_last):
    """Which tier draws the compiled loop can read. An incident enters at its channel's
    entry tier and goes up only while it is not resolved where it is, a misroute comes
    before going up (the routing uniform, drawn up front, decides each); a deployment
    row raises an incident only if its attempt fails. Only these are transformed into
    durations: the rest, never read, stay uniforms (transforming every row was a third
    of the draws' time)."""
    N = attrs.shape[0]
    out = np.zeros((tier.shape[0], tier.shape[1], 3), np.bool_)
    row = 0
    for a in range(len(n_inc)):
        for r in range(row, row + n_inc[a]):
            _climb(out, tier, r, attrs[r, 1] < alert_share[a], a, entry, t_resolve,
                   t_misroute, t_last)
        row += n_inc[a]
    for a in range(len(dep_rows)):
        for r in range(row, row + dep_rows[a]):
            if dep_u[r - N, 3] < cfr[a]:
                _climb(out, tier, r, dep_u[r - N, 5] < alert_share[a], a, entry, t_resolve,
                       t_misroute, t_last)
        row += dep_rows[a]
    return out


@njit(cache=True, inline="always")
def _climb(out, tier, r, alert, a, entry, t_resolve, t_misroute, t_last):
    j = entry[a] if alert else 0
    while j < out.shape[1]:
        out[r, j, VISIT] = True
        u = tier[r, j, ROUTE]
        if t_last[a, j] or u < t_resolve[a, j]:
            return
        out[r, j, ESCALATE] = True
        out[r, j, MISROUTE] = u < t_resolve[a, j] + t_misroute[a, j]
        j += 1


def draw(plan: Plan, seed: int, replication: int, spare: int, kp=None
         ) -> tuple[Draws, list[AppIncidents], list[np.ndarray]]:
    """The draws, what ``finish`` needs of the incidents, and each application's
    deployment request times. ``spare``: rework rows beyond the surely needed ones.
    ``kp`` (the plan compiled by ``kernel_plan``): transform only the tier draws the
    loop can read (see ``_visited``); without it, all of them."""
    H = plan.horizon
    mT = max([len(a.tiers) for a in plan.apps] + [1])
    c = _constants(plan)
    if seed >= 0 and replication >= 0:
        st = seeded(np.asarray(entropy_words(seed, replication), np.uint64), c.key_words)
    else:  # numpy refuses these seeds: let it say so
        st = state_rows(states(seed, replication, c.keys))
    n_inc, inc_start, att, dep_n, times_all, du, dep_rows, tier = replication_uniforms(
        st, c.lam_inc, c.span, c.lam_dep, H, c.tiers, mT, c.cfr, c.redeploy, spare,
        ATTEMPTS, _DEP_COLUMNS, TIER_COLUMNS)
    inc_end = np.cumsum(n_inc)
    starts = _split(inc_start, inc_end)
    for members in c.profiles:
        # the time change is elementwise: all applications sharing a profile at once
        profile = plan.apps[members[0]].arrivals
        if members == list(range(members[0], members[-1] + 1)):  # side by side
            lo, hi = inc_end[members[0]] - n_inc[members[0]], inc_end[members[-1]]
            inc_start[lo:hi] = profile.times(inc_start[lo:hi], H)
            continue
        at = profile.times(np.concatenate([starts[i] for i in members]), H)
        cut = np.cumsum([len(starts[i]) for i in members])[:-1]
        for i, part in zip(members, np.split(at, cut), strict=True):
            starts[i][:] = part
    n_rows = int(inc_end[-1]) if len(inc_end) else 0
    inc_blocks = [(app, int(hi - n), int(hi))
                  for app, n, hi in zip(plan.apps, n_inc, inc_end, strict=True)]
    dep_end = np.cumsum(dep_rows)
    dep_blocks = [(app, int(hi - n), int(hi))
                  for app, n, hi in zip(plan.apps, dep_rows, dep_end, strict=True)]
    visited = None
    if kp is not None:
        visited = _visited(n_inc, dep_rows, att, du, tier, c.alert_share, c.cfr, kp.app_alert_entry,
                           kp.tier_resolve, kp.tier_misroute, kp.tier_last)
    _tier_values(plan, tier, inc_blocks + [(a, n_rows + lo, n_rows + hi)
                                           for a, lo, hi in dep_blocks], visited)
    inc_prio, inc_alert, inc_delay = _attributes(plan, inc_blocks, att)
    dep_prio, dep_alert, dep_detect = _attributes(plan, dep_blocks, du[:, 4:7])
    work = [np.zeros(len(du)) for _ in range(3)]
    for p, rows in _groups(plan, dep_blocks, "policy",
                           lambda app: app.policy if app.policy >= 0 else None):
        pol = plan.policies[p]
        for col, dist in enumerate((pol.effort, pol.pipeline, pol.approval_delay)):
            work[col][rows] = quantiles(dist, du[rows, col])
    d = Draws(
        inc_end - n_inc, inc_start, inc_prio, inc_alert, dep_end - dep_rows, dep_n, dep_rows,
        work[0], work[1], work[2], np.ascontiguousarray(du[:, 3]), dep_prio, dep_alert,
        dep_detect, tier, n_rows)
    finish = []
    for (app, lo, hi), start in zip(inc_blocks, starts, strict=True):
        detect = start + inc_delay[lo:hi]
        # the same numbers, in the same order, as the Python engine (draws.Incidents)
        hold = hold_times(app, seed, replication, hi - lo)
        if app.hold_share > 0:
            detect = detect + hold
        finish.append(AppIncidents(start, detect, inc_prio[lo:hi], hold))
    return d, finish, _split(times_all, np.cumsum(dep_n))


def _split(values: np.ndarray, ends: np.ndarray) -> list[np.ndarray]:
    """``values`` cut into one view per application (``ends``: where each stops)."""
    bounds = [0, *ends.tolist()]
    return [values[lo:hi] for lo, hi in zip(bounds, bounds[1:], strict=False)]
