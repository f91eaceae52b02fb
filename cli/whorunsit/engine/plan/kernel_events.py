"""The events a compiled replication knows in advance, merged into time order.

Known in advance: the shared events (calendar flips, the end of the warm-up, change
windows, board sittings), sorted by (time, tie order) once per plan, and each
application's detected incidents and deployment requests. A compiled bucket sort puts
them in time order in linear time (history in docs/performance.md), keeping ties in the
order ``numpy.lexsort`` of their concatenation gives: every tie order among the shared
events is below that of arrivals and requests, so a stable sort by time keeps exactly
that order (tests/test_kernel_events.py compares the two).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from whorunsit.engine import compiled  # noqa: F401  (first: numba's cache and WHORUNSIT_JIT)
from whorunsit.engine.plan.events import EV_ARRIVE, EV_DEP_REQ

#: buckets per event: most hold none or one, so little is left to sort inside them
SPREAD = 2
#: a bucket with more events than this (times bunched together) is merge sorted
CROWDED = 32


@njit(cache=True)
def merged(sh_t, sh_k, sh_a, sh_b, det, det_off, dep, dep_off, horizon):
    """(times, kinds, a, b) of the events in time order, and the number of arrivals.

    ``det``/``dep`` hold every application's detection and request times back to back
    (``*_off``: where each application's start). Detections at or after the horizon are
    left out; b is an event's index in its application's array. The arrivals are -1
    when a time is NaN (the caller then sorts another way)."""
    n_apps = len(det_off) - 1
    n = len(sh_t) + len(dep)
    for i in range(len(det)):
        if det[i] < horizon:
            n += 1
    t = np.empty(n, np.float64)
    k = np.empty(n, np.int64)
    a = np.empty(n, np.int64)
    b = np.empty(n, np.int64)
    m = len(sh_t)
    t[:m] = sh_t
    k[:m] = sh_k
    a[:m] = sh_a
    b[:m] = sh_b
    arrivals = 0
    for app in range(n_apps):
        lo = det_off[app]
        for i in range(lo, det_off[app + 1]):
            if det[i] < horizon:
                t[m] = det[i]
                k[m] = EV_ARRIVE
                a[m] = app
                b[m] = i - lo
                m += 1
                arrivals += 1
        lo = dep_off[app]
        for i in range(lo, dep_off[app + 1]):
            t[m] = dep[i]
            k[m] = EV_DEP_REQ
            a[m] = app
            b[m] = i - lo
            m += 1
    for i in range(n):
        if t[i] != t[i]:
            return t, k, a, b, -1
    t, order = stable_order(t, 0.0, horizon)
    return t, k[order], a[order], b[order], arrivals


@njit(cache=True)
def stable_order(t, lo, hi):
    """(t sorted, ``numpy.argsort(t, kind="stable")``) for t without NaN, mostly
    within [lo, hi] (times outside are sorted too, only more slowly).

    A bucket sort: [lo, hi] cut into SPREAD buckets per event, so a bucket holds one or
    two and the work is linear (a comparison sort of interleaved streams mispredicts a
    branch on every other comparison, and that was its whole cost). Events go into their
    buckets in order and each bucket is sorted stably, so ties keep their order."""
    n = len(t)
    nb = SPREAD * n
    span = hi - lo
    scale = nb / span if 0.0 < span < np.inf else 0.0
    bucket = np.empty(n, np.int64)
    ends = np.zeros(nb + 1, np.int64)
    for i in range(n):
        x = (t[i] - lo) * scale  # never decreasing in t: buckets keep the time order
        j = 0 if not x >= 0.0 else (int(x) if x < nb else nb - 1)
        bucket[i] = j
        ends[j + 1] += 1
    crowded = 0
    for j in range(nb):
        crowded = max(crowded, ends[j + 1])
        ends[j + 1] += ends[j]
    key = np.empty(n, np.float64)
    idx = np.empty(n, np.int64)
    for i in range(n):
        at = ends[bucket[i]]
        ends[bucket[i]] = at + 1
        key[at] = t[i]
        idx[at] = i
    if crowded > CROWDED:
        start = 0
        for j in range(nb):
            if ends[j] - start > CROWDED:
                _merge_sort(key[start:ends[j]], idx[start:ends[j]])
            start = ends[j]
    # what is left out of order is inside small buckets: insertion sort, stable
    for i in range(1, n):
        v = key[i]
        if v < key[i - 1]:
            w = idx[i]
            j = i - 1
            while j >= 0 and key[j] > v:
                key[j + 1] = key[j]
                idx[j + 1] = idx[j]
                j -= 1
            key[j + 1] = v
            idx[j + 1] = w
    return key, idx


@njit(cache=True)
def _merge_sort(key, idx):
    """Sort key (and idx alongside) stably in place: bottom-up merges of the ascending
    runs already there, the left element first on ties."""
    n = len(key)
    bounds = np.empty(n + 1, np.int64)
    runs = 1
    bounds[0] = 0
    for i in range(1, n):
        if key[i] < key[i - 1]:
            bounds[runs] = i
            runs += 1
    bounds[runs] = n
    src_k, src_i = key.copy(), idx.copy()
    dst_k, dst_i = np.empty(n, np.float64), np.empty(n, np.int64)
    while runs > 1:
        merged_runs = 0
        r = 0
        while r < runs:
            lo = bounds[r]
            if r + 1 == runs:  # an odd run out: carried over as it is
                hi = bounds[r + 1]
                dst_k[lo:hi] = src_k[lo:hi]
                dst_i[lo:hi] = src_i[lo:hi]
            else:
                mid = bounds[r + 1]
                hi = bounds[r + 2]
                i, j, o = lo, mid, lo
                while i < mid and j < hi:
                    if src_k[j] < src_k[i]:
                        dst_k[o] = src_k[j]
                        dst_i[o] = src_i[j]
                        j += 1
                    else:
                        dst_k[o] = src_k[i]
                        dst_i[o] = src_i[i]
                        i += 1
                    o += 1
                dst_k[o:o + mid - i] = src_k[i:mid]
                dst_i[o:o + mid - i] = src_i[i:mid]
                o += mid - i
                dst_k[o:o + hi - j] = src_k[j:hi]
                dst_i[o:o + hi - j] = src_i[j:hi]
            bounds[merged_runs] = lo
            merged_runs += 1
            r += 2
        bounds[merged_runs] = n
        runs = merged_runs
        src_k, dst_k = dst_k, src_k
        src_i, dst_i = dst_i, src_i
    key[:] = src_k
    idx[:] = src_i
