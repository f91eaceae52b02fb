"""Each application's downtime from its outages, compiled: ``tally.outage_hours``.

A replication's outages were a dozen numpy calls per impact level (clip, filter, sort,
running maximum, add.at) on a few dozen intervals: the calls cost more than the
arithmetic. Here one compiled call does the same arithmetic in the same order (the
same clipping, the same stable order by application then start, the same shifted
running maximum and the same sums), so the bits are numpy's.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from whorunsit.engine import compiled  # noqa: F401  (first: numba's cache and WHORUNSIT_JIT)


@njit(cache=True)
def outage_hours(app, prio, start, stop, impact, n_apps, W, end):
    """``tally.outage_hours`` (its docstring says what), as an array."""
    n = len(app)
    lo = np.empty(n)
    hi = np.empty(n)
    kept = np.empty(n, np.int64)
    m = 0
    for i in range(n):
        # numpy's maximum and minimum: a NaN stays NaN (and is then dropped)
        s, t = start[i], stop[i]
        a = (s if s >= W or s != s else W) - W
        b = (t if t <= end or t != t else end) - W
        if b > a:
            lo[m], hi[m], kept[m] = a, b, i
            m += 1
    weight = np.empty(m)
    apps = np.empty(m, np.int64)
    for i in range(m):
        weight[i] = impact[prio[kept[i]]]
        apps[i] = app[kept[i]]
    levels = np.unique(weight[weight > 0])[::-1]  # worst first
    out = np.zeros(n_apps)
    for k in range(len(levels)):
        step = levels[k] - (levels[k + 1] if k + 1 < len(levels) else 0.0)
        bad = np.flatnonzero(weight >= levels[k])
        length = union(apps, lo, hi, n_apps, bad)
        for a in range(n_apps):
            out[a] += step * length[a]
    return out


@njit(cache=True)
def union(app, lo, hi, n_apps, rows):
    """``tally.union_length`` of the intervals ``rows``: per application, the length of
    the union of [lo, hi). Sorted by application then start (stable, as numpy's
    lexsort), each application's times shifted past the one before so one running
    maximum serves them all, as ``union_length`` computes it."""
    out = np.zeros(n_apps)
    n = len(rows)
    if n == 0:
        return out
    # stable: by application (counting), then by start within it (merge sort)
    count = np.zeros(n_apps + 1, np.int64)
    for r in rows:
        count[app[r] + 1] += 1
    for a in range(n_apps):
        count[a + 1] += count[a]
    by_app = np.empty(n, np.int64)
    fill = count[:-1].copy()
    for r in rows:
        by_app[fill[app[r]]] = r
        fill[app[r]] += 1
    order = np.empty(n, np.int64)
    for a in range(n_apps):
        part = by_app[count[a]:count[a + 1]]
        if len(part):
            order[count[a]:count[a + 1]] = part[np.argsort(lo[part], kind="mergesort")]
    top = hi[order[0]]
    for i in range(1, n):
        top = max(top, hi[order[i]])
    span = top * 2.0 + 1.0
    reach = np.empty(n)
    best = -np.inf
    for i in range(n):
        r = order[i]
        shift = app[r] * span
        v = hi[r] + shift
        best = v if v > best else best
        reach[i] = best - shift
    first = 0
    for i in range(1, n + 1):
        if i == n or app[order[i]] != app[order[i - 1]] or lo[order[i]] > reach[i - 1]:
            out[app[order[first]]] += reach[i - 1] - lo[order[first]]
            first = i
    return out
