"""The fast path's percentiles and histogram counts read off sorted values are numpy's,
to the last bit (the metrics themselves are checked against the general engine in
``test_fastpath``)."""

from __future__ import annotations

import math

import numpy as np

from whorunsit.engine.fastpath.fastpath_metrics import histogram_sorted, percentile_sorted
from whorunsit.model.bins import HISTOGRAM_EDGES


def test_percentiles_are_numpys():
    rng = np.random.default_rng(3)
    for n in (1, 2, 3, 7, 20, 101, 1000, 4097):
        for values in (rng.lognormal(0, 1, n), np.floor(rng.exponential(1, n))):
            ranked = np.sort(values)
            for q in (0, 1, 37.5, 50, 95, 99, 100):
                assert percentile_sorted(ranked, q) == np.percentile(values, q), (n, q)
    assert math.isnan(percentile_sorted(np.empty(0), 50))


def test_percentiles_with_the_zeros_left_out_are_numpys():
    rng = np.random.default_rng(5)
    for n, zeros in ((1, 0), (1, 1), (5, 3), (100, 0), (100, 40), (100, 100), (999, 950)):
        values = np.concatenate([np.zeros(zeros), rng.exponential(1, n - zeros)])
        rng.shuffle(values)
        above = np.sort(values[values > 0])
        for q in (0, 50, 94.9, 95, 100):
            assert percentile_sorted(above, q, zeros=zeros) == np.percentile(values, q), (n, q)


def test_histogram_counts_are_numpys():
    rng = np.random.default_rng(4)
    edges = np.array([0.0, 1.0, 2.0, 2.0, 5.0])
    for values in (rng.lognormal(0, 2, 5000), np.array([0.0, 1.0, 2.0, 5.0, 5.0, 7.0, -1.0]),
                   np.empty(0), rng.integers(0, 6, 300).astype(float)):
        ranked = np.sort(values)
        for e in (HISTOGRAM_EDGES, edges):
            np.testing.assert_array_equal(histogram_sorted(ranked, e), np.histogram(values, e)[0])
