"""``tally``: the percentile shortcut gives numpy's bits exactly."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from whorunsit.engine.tally import _pct

QS = (0, 1, 5, 25, 50, 75, 90, 95, 99, 99.9, 100)


def numpy_pct(values: np.ndarray, q: float) -> float:
    return float(np.percentile(values, q)) if len(values) else math.nan


def same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


def test_percentiles_equal_numpy_on_many_sizes_and_shapes():
    rng = np.random.default_rng(3)
    for n in list(range(0, 40)) + [99, 100, 101, 1000, 4321]:
        for values in (rng.random(n), rng.exponential(3.0, n) * 1e3,
                       np.round(rng.random(n) * 5), rng.lognormal(0, 4, n)):
            ordered = np.sort(values)
            for q in QS:
                assert same(_pct(ordered, q), numpy_pct(values, q)), (n, q)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(allow_nan=True, allow_infinity=False, width=64), max_size=60),
       st.sampled_from(QS))
def test_percentiles_equal_numpy_on_any_floats(xs, q):
    values = np.asarray(xs, dtype=float)
    assert same(_pct(np.sort(values), q), numpy_pct(values, q))
