"""The fast path's downtime (compiled ``outage_union``) against ``tally.outage_hours``,
bit for bit, on incidents numbered by application in start order as the fast path
numbers them: overlapping, nested, equal starts, across the warm-up and the end,
unresolved ones, applications with none."""

from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from whorunsit.engine.fastpath.fastpath_metrics import outage_hours
from whorunsit.engine.metrics import tally


def both(counts, rng, W, end, impact, prio, coarse):
    starts, stops = [], []
    for n in counts:
        s = np.sort(rng.uniform(0, end * 1.1, n))
        if coarse:  # many equal starts
            s = np.floor(s)
        d = rng.exponential(end / 20, n)
        stop = s + d
        stop[rng.random(n) < 0.2] = np.inf  # unresolved: down until the end
        starts.append(s)
        stops.append(stop)
    start = np.concatenate(starts) if starts else np.empty(0)
    resolved_at = np.concatenate(stops) if stops else np.empty(0)
    first = np.cumsum([0, *counts]).astype(np.int64)
    plan = SimpleNamespace(apps=[None] * len(counts), impact=impact)
    ours = outage_hours(plan, prio, SimpleNamespace(first=first, start=start),
                        SimpleNamespace(resolved_at=resolved_at), W, end)
    apps = np.repeat(np.arange(len(counts)), counts)
    stop = np.where(np.isfinite(resolved_at), resolved_at, end)
    theirs = tally.outage_hours(apps, np.full(len(apps), prio), start, stop, impact,
                                len(counts), W, end)
    return ours, theirs


@settings(max_examples=60, deadline=None)
@given(counts=st.lists(st.integers(0, 40), min_size=1, max_size=5),
       seed=st.integers(0, 2**32 - 1), W=st.sampled_from([0.0, 24.0, 100.0]),
       prio=st.integers(0, 3), coarse=st.booleans())
def test_fast_path_downtime_is_the_tallys_to_the_bit(counts, seed, W, prio, coarse):
    impact = (1.0, 0.5, 0.1, 0.0)
    ours, theirs = both(counts, np.random.default_rng(seed), W, 500.0, impact, prio, coarse)
    assert ours == theirs  # lists of floats: equal bits (no NaN here)


@pytest.mark.parametrize("counts", [[0], [0, 0, 3], [5000, 1, 4000]])
def test_edge_counts(counts):
    ours, theirs = both(counts, np.random.default_rng(7), 24.0, 672.0, (1.0, 0.5, 0.1, 0.0),
                        0, False)
    assert ours == theirs
    assert all(0.0 <= d <= 672.0 - 24.0 for d in ours)
