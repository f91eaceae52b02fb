"""One replication's random numbers as flat arrays, for the compiled event loop.

The same streams, the same draws in the same order and the same inverse transforms as
``draws`` (the per-application view the naive oracle in tests/ and the fast path read):
every value the loop reads is bit-for-bit the one ``draws`` gives. The uniforms come from ``kernel_random`` (numpy's PCG64 and Poisson, compiled,
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
    fail: np.ndarray         # the uniform that decides whether a deployment fails
    dep_prio: np.ndarray
    dep_alert: np.ndarray
    dep_detect: np.ndarray
    tier_draws: np.ndarray   # (incident rows + deployment rows, max tiers, TIER_COLUMNS)
    n_inc: int               # incident rows (deployment row r has tier row n_inc + r)


class AppIncidents(NamedTuple):
    """What ``tally.finish`` reads of an application's spontaneous incidents."""
    start_array: np.ndarray
    detect_array: np.ndarray
    prio: np.ndarray
    #: time each waits on the user or a vendor (``draws.hold_times``); None: none do
    hold_array: np.ndarray | None = None


class _Constants(NamedTuple):
    """What ``replication_uniforms`` and the transforms need of a plan, per application."""
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
    #: the plan's distinct distributions; the codes below number them (-1: none)
    dists: list
    tier_code: np.ndarray      # (applications, max tiers, TIER_COLUMNS)
    delay_code: np.ndarray     # (applications, 2): detection delay on alert, on customer
    work_code: np.ndarray      # (applications, 3): effort, pipeline, approval delay
    cum_mix: np.ndarray        # (applications, 3): cumulative priority shares
    holds: bool                # whether any application puts incidents on hold


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
    # one quantile call per distinct distribution, whichever tiers and columns use it
    dists: list = []
    seen: dict = {}

    def code(dist) -> int:
        k = (dist.kind, dist.params)
        if k not in seen:
            seen[k] = len(dists)
            dists.append(dist)
        return seen[k]
    n = len(plan.apps)
    mT = max([len(a.tiers) for a in plan.apps] + [1])
    tier_code = np.full((n, mT, TIER_COLUMNS), -1, np.int64)
    work_code = np.full((n, 3), -1, np.int64)
    for a, app in enumerate(plan.apps):
        for j, t in enumerate(app.tiers):
            for col, dist in ((PICKUP, t.pickup), (WORK, t.work), (HANDOFF, t.handoff),
                              (TRIAGE, t.triage), (REPICKUP, t.pickup)):
                tier_code[a, j, col] = code(dist)
        if app.policy >= 0:
            pol = plan.policies[app.policy]
            work_code[a] = [code(d) for d in (pol.effort, pol.pipeline, pol.approval_delay)]
    delay_code = np.array([[code(a.alert_delay), code(a.customer_delay)] for a in plan.apps],
                          np.int64).reshape(n, 2)
    return _Constants(
        keys, np.asarray([key(p, e) for p, e in keys], np.uint64).reshape(len(keys), 2),
        np.asarray(lam_inc, float), np.asarray(span, float), np.asarray(lam_dep, float),
        np.asarray([len(a.tiers) for a in plan.apps], np.int64),
        np.asarray([a.change_failure_rate for a in plan.apps], float),
        np.asarray(redeploy, bool), np.asarray([a.alert_share for a in plan.apps], float),
        list(profiles.values()), dists, tier_code, delay_code, work_code,
        np.asarray([a.cum_mix for a in plan.apps], float).reshape(n, 3),
        any(a.hold_share > 0 for a in plan.apps))


#: the per-row values besides the tier draws, as blocks of one buffer after the flat tier
#: draws: incidents' detection delays (one per incident row), then per deployment row its
#: effort, pipeline, approval delay and detection delay
INC_DELAY, EFFORT, PIPELINE, APPROVAL, DEP_DETECT = range(5)
# typed constants for arguments, so numba compiles ``_channels`` and ``_pass`` once each
# (a literal 0 or True is a type of its own): the uniform a priority is read from, for
# incidents (their attributes) and deployment attempts, and ``_pass``'s two passes
INC_PRIO_COLUMN, DEP_PRIO_COLUMN = np.int64(0), np.int64(4)
COUNT, WRITE = np.bool_(False), np.bool_(True)


@njit(cache=True)
def _gather(n_inc, dep_rows, attrs, dep_u, tier, alert_share, cfr, cum_mix, tier_code,
            delay_code, work_code, n_codes, every, entry, t_resolve, t_misroute, t_last):
    """Priorities and channels (comparisons: the same bits as numpy's), and every uniform
    a distribution turns into a duration, grouped by that distribution (``bounds[k]``:
    where code k's values start), each with where its duration goes (``dest``: an index
    into the flat tier draws followed by the ``INC_DELAY``... blocks). Tier draws: only
    those the compiled loop can read (``_climb``), or all of them (``every``: no compiled
    plan to tell). Two passes: the first counts per distribution, the second writes each
    value straight into its group, so the transforms read contiguous slices."""
    inc_prio, inc_alert = _channels(n_inc, attrs, INC_PRIO_COLUMN, cum_mix, alert_share)
    dep_prio, dep_alert = _channels(dep_rows, dep_u, DEP_PRIO_COLUMN, cum_mix, alert_share)
    fill = np.zeros(n_codes + 1, np.int64)
    none = np.empty(0)
    _pass(COUNT, fill, none, none.astype(np.int64), n_inc, dep_rows, attrs, dep_u, tier,
          inc_alert, dep_alert, cfr, tier_code, delay_code, work_code, every, entry,
          t_resolve, t_misroute, t_last)
    for k in range(n_codes):
        fill[k + 1] += fill[k]
    bounds = fill.copy()
    vals = np.empty(fill[n_codes])
    dest = np.empty(fill[n_codes], np.int64)
    _pass(WRITE, fill, vals, dest, n_inc, dep_rows, attrs, dep_u, tier, inc_alert,
          dep_alert, cfr, tier_code, delay_code, work_code, every, entry, t_resolve,
          t_misroute, t_last)
    return inc_prio, inc_alert, dep_prio, dep_alert, vals, dest, bounds


@njit(cache=True)
def _channels(counts, u, column, cum_mix, alert_share):
    """Each row's priority (from uniform ``column``) and whether an alert raised it
    (from the next one); rows come in blocks of ``counts[a]`` for application a."""
    prio = np.zeros(u.shape[0], np.int64)
    alert = np.zeros(u.shape[0], np.bool_)
    row = 0
    for a in range(len(counts)):
        for r in range(row, row + counts[a]):
            prio[r] = _priority(cum_mix, a, u[r, column])
            alert[r] = u[r, column + 1] < alert_share[a]
        row += counts[a]
    return prio, alert


@njit(cache=True)
def _pass(write, fill, vals, dest, n_inc, dep_rows, attrs, dep_u, tier, inc_alert,
          dep_alert, cfr, tier_code, delay_code, work_code, every, entry, t_resolve,
          t_misroute, t_last):
    """One of ``_gather``'s passes (a function of its own: numba keeps the arrays of a
    loop that only reads them out of its reference counting)."""
    N = attrs.shape[0]
    D = dep_u.shape[0]
    extra = tier.size
    row = 0
    for a in range(len(n_inc)):
        for r in range(row, row + n_inc[a]):
            alert = inc_alert[r]
            k = delay_code[a, 0] if alert else delay_code[a, 1]
            _put(write, fill, vals, dest, k, attrs[r, 2], extra + INC_DELAY * N + r)
            _climb(write, fill, vals, dest, tier, r, alert, a, every, entry, t_resolve,
                   t_misroute, t_last, tier_code)
        row += n_inc[a]
    extra += N - D  # the deployment blocks, each D long, follow the incidents' delays
    for a in range(len(dep_rows)):
        for r in range(row, row + dep_rows[a]):
            d = r - N
            for col in range(3):
                if work_code[a, col] >= 0:
                    _put(write, fill, vals, dest, work_code[a, col], dep_u[d, col],
                         extra + (EFFORT + col) * D + d)
            alert = dep_alert[d]
            k = delay_code[a, 0] if alert else delay_code[a, 1]
            _put(write, fill, vals, dest, k, dep_u[d, 6], extra + DEP_DETECT * D + d)
            if every or dep_u[d, 3] < cfr[a]:  # only a failed attempt raises an incident
                _climb(write, fill, vals, dest, tier, r, alert, a, every, entry,
                       t_resolve, t_misroute, t_last, tier_code)
        row += dep_rows[a]


@njit(cache=True, inline="always")
def _put(write, fill, vals, dest, k, value, where):
    """First pass: count one value of distribution ``k``; second: write it in its group."""
    if write:
        at = fill[k]
        vals[at] = value
        dest[at] = where
        fill[k] = at + 1
    else:
        fill[k + 1] += 1


@njit(cache=True, inline="always")
def _priority(cum_mix, a, u):
    """``searchsorted(cum_mix, u, side="right")``: how many cumulative shares are <= u."""
    p = 0
    for share in cum_mix[a]:
        if u >= share:
            p += 1
    return p


@njit(cache=True, inline="always")
def _climb(write, fill, vals, dest, tier, r, alert, a, every, entry, t_resolve,
           t_misroute, t_last, tier_code):
    """The tier draws of row ``r`` the loop can read. An incident enters at its channel's
    entry tier and goes up only while it is not resolved where it is, a misroute comes
    before going up (the routing uniform, drawn up front, decides each): pickup and work
    are read where it visits, the handoff delay where it goes up, triage and re-pickup
    where it is misrouted. Only these are transformed into durations: the rest, never
    read, stay uniforms (transforming every row was a third of the draws' time). With
    ``every``, all the application's tiers."""
    mT, width = tier.shape[1], tier.shape[2]
    j = 0 if every or not alert else entry[a]
    while j < mT and tier_code[a, j, PICKUP] >= 0:
        at = (r * mT + j) * width
        _put(write, fill, vals, dest, tier_code[a, j, PICKUP], tier[r, j, PICKUP],
             at + PICKUP)
        _put(write, fill, vals, dest, tier_code[a, j, WORK], tier[r, j, WORK], at + WORK)
        if not every:
            u = tier[r, j, ROUTE]
            if t_last[a, j] or u < t_resolve[a, j]:
                return
            if not u < t_resolve[a, j] + t_misroute[a, j]:
                _put(write, fill, vals, dest, tier_code[a, j, HANDOFF], tier[r, j, HANDOFF],
                     at + HANDOFF)
                j += 1
                continue
        for col in (HANDOFF, TRIAGE, REPICKUP):
            _put(write, fill, vals, dest, tier_code[a, j, col], tier[r, j, col], at + col)
        j += 1


@njit(cache=True)
def _scatter(vals, dest, tier, extra):
    """Each transformed value to its place (``_gather``'s ``dest``)."""
    flat = tier.reshape(-1)
    size = flat.size
    for i in range(len(vals)):
        if dest[i] < size:
            flat[dest[i]] = vals[i]
        else:
            extra[dest[i] - size] = vals[i]


def _transform(dists: list, vals: np.ndarray, bounds: np.ndarray) -> None:
    """Each group of values through its distribution's quantile function, in place: one
    numpy call per distribution (numpy's elementwise functions give the same bits for a
    value wherever it sits in an array; tests/test_kernel.py compares every draw with
    ``draws``)."""
    edges = bounds.tolist()
    for k, dist in enumerate(dists):
        lo, hi = edges[k], edges[k + 1]
        if hi > lo:
            vals[lo:hi] = quantiles(dist, vals[lo:hi])


_NO_PLAN = (np.zeros(1, np.int64), np.zeros((1, 1)), np.zeros((1, 1)),
            np.zeros((1, 1), np.bool_))


class _Drawn(NamedTuple):
    """One replication's draws before their durations are transformed (``_uniforms``)."""
    seed: int
    replication: int
    n_inc: np.ndarray
    inc_start: np.ndarray
    starts: list[np.ndarray]
    dep_n: np.ndarray
    times_all: np.ndarray
    du: np.ndarray
    dep_rows: np.ndarray
    tier_draws: np.ndarray
    gathered: tuple


def _uniforms(plan: Plan, c: _Constants, seed: int, replication: int, spare: int,
              kp) -> _Drawn:
    H = plan.horizon
    mT = c.tier_code.shape[1]
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
    entry, t_resolve, t_misroute, t_last = _NO_PLAN if kp is None else \
        (kp.app_alert_entry, kp.tier_resolve, kp.tier_misroute, kp.tier_last)
    gathered = _gather(n_inc, dep_rows, att, du, tier, c.alert_share, c.cfr, c.cum_mix,
                       c.tier_code, c.delay_code, c.work_code, len(c.dists), kp is None,
                       entry, t_resolve, t_misroute, t_last)
    return _Drawn(seed, replication, n_inc, inc_start, starts, dep_n, times_all, du,
                  dep_rows, tier, gathered)


def _finished(plan: Plan, c: _Constants, dr: _Drawn, vals: np.ndarray
              ) -> tuple[Draws, list[AppIncidents], list[np.ndarray]]:
    """``draw``'s answer from a replication's uniforms and its transformed values."""
    inc_prio, inc_alert, dep_prio, dep_alert, _vals, dest, _bounds = dr.gathered
    N, D = len(inc_prio), len(dep_prio)
    extra = np.zeros(N + 4 * D)  # no policy: no effort, pipeline or approval delay
    _scatter(vals, dest, dr.tier_draws, extra)
    inc_delay = extra[:N]
    effort, pipeline, approval, dep_detect = (extra[N + k * D:N + (k + 1) * D]
                                              for k in range(4))
    n_inc, dep_rows = dr.n_inc, dr.dep_rows
    inc_end = np.cumsum(n_inc)
    dep_end = np.cumsum(dep_rows)
    d = Draws(
        inc_end - n_inc, dr.inc_start, inc_prio, inc_alert, dep_end - dep_rows, dr.dep_n,
        dep_rows, effort, pipeline, approval, np.ascontiguousarray(dr.du[:, 3]), dep_prio,
        dep_alert, dep_detect, dr.tier_draws, N)
    detect = dr.inc_start + inc_delay  # elementwise: the bits of each application's sum
    no_hold = np.zeros(N)
    finish = []
    bounds = [0, *inc_end.tolist()]
    for app, lo, hi, start in zip(plan.apps, bounds, bounds[1:], dr.starts, strict=False):
        if c.holds and app.hold_share > 0:
            # the same numbers, in the same order, as draws.Incidents
            hold = hold_times(app, dr.seed, dr.replication, hi - lo)
            finish.append(AppIncidents(start, detect[lo:hi] + hold, inc_prio[lo:hi], hold))
        else:
            finish.append(AppIncidents(start, detect[lo:hi], inc_prio[lo:hi],
                                       no_hold[lo:hi]))
    return d, finish, _split(dr.times_all, np.cumsum(dr.dep_n))


def draw(plan: Plan, seed: int, replication: int, spare: int, kp=None
         ) -> tuple[Draws, list[AppIncidents], list[np.ndarray]]:
    """The draws, what ``finish`` needs of the incidents, and each application's
    deployment request times. ``spare``: rework rows beyond the surely needed ones.
    ``kp`` (the plan compiled by ``kernel_plan``): transform only the tier draws the
    loop can read (see ``_climb``); without it, all of them."""
    c = _constants(plan)
    dr = _uniforms(plan, c, seed, replication, spare, kp)
    vals, bounds = dr.gathered[4], dr.gathered[6]
    _transform(c.dists, vals, bounds)
    return _finished(plan, c, dr, vals)


def _split(values: np.ndarray, ends: np.ndarray) -> list[np.ndarray]:
    """``values`` cut into one view per application (``ends``: where each stops)."""
    bounds = [0, *ends.tolist()]
    return [values[lo:hi] for lo, hi in zip(bounds, bounds[1:], strict=False)]
