"""``tally``: the shortcuts (percentiles of sorted values, means, histograms, group
summaries) give numpy's bits exactly."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from whorunsit.engine.metrics import tally
from whorunsit.engine.metrics.tally import _pct
from whorunsit.model.bins import HISTOGRAM_EDGES

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


# numpy's own interpolation overflows between the largest floats, and says so
@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(allow_nan=True, allow_infinity=False, width=64), max_size=60),
       st.sampled_from(QS))
def test_percentiles_equal_numpy_on_any_floats(xs, q):
    values = np.asarray(xs, dtype=float)
    assert same(_pct(np.sort(values), q), numpy_pct(values, q))


def test_mean_is_numpys():
    rng = np.random.default_rng(5)
    for n in list(range(1, 300)) + [1000, 8193, 20000]:
        values = rng.lognormal(0, 3, n)
        assert tally._mean(values) == float(values.mean())
    assert math.isnan(tally._mean(np.zeros(0)))


def test_summarise_is_numpys_mean_and_percentile_per_group():
    rng = np.random.default_rng(6)
    for n in (0, 1, 5, 100, 3000):
        for n_groups in (1, 3, 33):
            groups = rng.integers(-1, n_groups, n)
            values = rng.exponential(2.0, n)
            means, pcts = tally.summarise(values, groups, n_groups, (50.0, 95.0))
            for g in range(n_groups):
                mine = values[groups == g]  # the group's values in recorded order
                assert same(means[g], float(mine.mean()) if len(mine) else math.nan)
                assert same(pcts[g][0], numpy_pct(mine, 50))
                assert same(pcts[g][1], numpy_pct(mine, 95))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(allow_nan=True, width=64), max_size=200))
def test_histogram_of_sorted_values_is_numpys(xs):
    values = np.asarray(xs, dtype=float)
    assert np.array_equal(tally._histogram(np.sort(values)),
                          np.histogram(values, HISTOGRAM_EDGES)[0])


def test_histogram_edges_and_beyond():
    values = np.concatenate([HISTOGRAM_EDGES, [-1.0, 0.0, 1e6, np.inf, np.nan, 8760.0]])
    assert np.array_equal(tally._histogram(np.sort(values)),
                          np.histogram(values, HISTOGRAM_EDGES)[0])


def test_ratios_are_ratio_element_by_element():
    a = np.array([1.0, 2.0, 3.0, 0.0, 5.0, 7.0])
    b = np.array([3.0, 0.0, -1.0, 0.0, np.nan, 7.0])
    assert all(same(x, tally._ratio(p, q)) for x, p, q in
               zip(tally._ratios(a, b).tolist(), a.tolist(), b.tolist(), strict=True))
