"""``kernel_outages``: the compiled downtime gives the bits of the numpy computation it
replaced (kept here as the oracle), on ties, NaN times, clipping and several impacts."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from whorunsit.engine.metrics.tally import outage_hours, union_length


def numpy_union(app, lo, hi, n_apps):
    out = np.zeros(n_apps)
    if not len(app):
        return out
    order = np.lexsort((lo, app))
    app, lo, hi = app[order], lo[order], hi[order]
    span = float(hi.max()) * 2.0 + 1.0
    shift = app * span
    reach = np.maximum.accumulate(hi + shift) - shift
    first = np.ones(len(app), bool)
    first[1:] = (app[1:] != app[:-1]) | (lo[1:] > reach[:-1])
    starts = np.flatnonzero(first)
    ends = np.append(starts[1:], len(app)) - 1
    np.add.at(out, app[starts], reach[ends] - lo[starts])
    return out


def numpy_outage_hours(app, prio, start, stop, impact, n_apps, W, end):
    app = np.asarray(app, dtype=np.int64)
    prio = np.asarray(prio, dtype=np.int64)
    with np.errstate(invalid="ignore"):
        lo = np.maximum(np.asarray(start, dtype=float), W) - W
        hi = np.minimum(np.asarray(stop, dtype=float), end) - W
        keep = hi > lo
    app, prio, lo, hi = app[keep], prio[keep], lo[keep], hi[keep]
    weight = np.asarray(impact, dtype=float)[prio]
    levels = sorted({float(w) for w in np.unique(weight) if w > 0}, reverse=True)
    out = np.zeros(n_apps)
    for k, level in enumerate(levels):
        step = level - (levels[k + 1] if k + 1 < len(levels) else 0.0)
        bad = weight >= level
        out += step * numpy_union(app[bad], lo[bad], hi[bad], n_apps)
    return out.tolist()


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 60), st.integers(1, 5),
       st.sampled_from([(1.0, 0.5, 0.0, 0.0), (1.0, 1.0, 0.25, 0.0), (0.7, 0.3, 0.3, 0.1)]))
def test_the_compiled_downtime_is_numpys_bit_for_bit(seed, n, n_apps, impact):
    rng = np.random.default_rng(seed)
    # times on a coarse grid, so starts and ends often tie
    start = np.round(rng.uniform(-20, 120, n), 0 if seed % 2 else 3)
    stop = start + np.round(rng.exponential(15, n), 0 if seed % 3 else 4)
    if n and seed % 5 == 0:
        start[rng.integers(0, n)] = np.nan
    app = rng.integers(0, n_apps, n)
    prio = rng.integers(0, 4, n)
    impact = np.asarray(impact)
    W, end = float(rng.uniform(0, 30)), float(rng.uniform(60, 130))
    assert outage_hours(app, prio, start, stop, impact, n_apps, W, end) == \
        numpy_outage_hours(app, prio, start, stop, impact, n_apps, W, end)
    keep = np.isfinite(start) & (stop > start) & (start >= 0)
    assert np.array_equal(union_length(app[keep], start[keep], stop[keep], n_apps),
                          numpy_union(app[keep], start[keep], stop[keep], n_apps))
