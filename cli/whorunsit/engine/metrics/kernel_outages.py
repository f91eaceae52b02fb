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
    # the distinct positive impacts that occur, worst first (insertion: a handful)
    levels = np.empty(len(impact))
    n_levels = 0
    for i in range(m):
        w = weight[i]
        known = False
        for j in range(n_levels):
            known = known or levels[j] == w
        if w > 0 and not known:
            j = n_levels
            while j > 0 and levels[j - 1] < w:
                levels[j] = levels[j - 1]
                j -= 1
            levels[j] = w
            n_levels += 1
    out = np.zeros(n_apps)
    bad = np.empty(m, np.int64)
    for k in range(n_levels):
        step = levels[k] - (levels[k + 1] if k + 1 < n_levels else 0.0)
        n_bad = 0
        for i in range(m):
            if weight[i] >= levels[k]:
                bad[n_bad] = i
                n_bad += 1
        length = union(apps, lo, hi, n_apps, bad[:n_bad])
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
    order = _stable_order(app, lo, rows)
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


@njit(cache=True)
def _stable_order(app, lo, rows):
    """``rows`` sorted by (application, start), ties in their given order: numpy's
    lexsort, as a bottom-up merge sort (stable)."""
    n = len(rows)
    order = rows.copy()
    spare = np.empty(n, np.int64)
    width = 1
    while width < n:
        for left in range(0, n, 2 * width):
            mid = min(left + width, n)
            right = min(left + 2 * width, n)
            i, j, k = left, mid, left
            while i < mid and j < right:
                a, b = order[i], order[j]
                # take from the right only when strictly before: stable
                if app[b] < app[a] or (app[b] == app[a] and lo[b] < lo[a]):
                    spare[k] = b
                    j += 1
                else:
                    spare[k] = a
                    i += 1
                k += 1
            while i < mid:
                spare[k] = order[i]
                i += 1
                k += 1
            while j < right:
                spare[k] = order[j]
                j += 1
                k += 1
        order, spare = spare, order
        width *= 2
    return order
