"""``kernel_summary``: the compiled group summaries give ``tally.summarise``'s bits
(which tests/test_tally.py holds to numpy's mean and percentile)."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from whorunsit.engine.metrics import tally
from whorunsit.engine.metrics.kernel_summary import _pairwise, summarise

QS = (0.0, 1.0, 50.0, 95.0, 99.0, 100.0)


def same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


def check(values, groups, n_groups: int, qs=QS) -> None:
    means, pcts = summarise(values, groups, n_groups, qs)
    ref_means, ref_pcts = tally.summarise(values, groups, n_groups, qs)
    assert len(means) == len(ref_means) == n_groups
    for g in range(n_groups):
        assert same(means[g], ref_means[g]), (g, means[g], ref_means[g])
        assert all(same(a, b) for a, b in zip(pcts[g], ref_pcts[g], strict=True)), g


def test_pairwise_sum_is_numpys_on_many_sizes():
    rng = np.random.default_rng(1)
    sizes = list(range(0, 300)) + [511, 512, 513, 1000, 1024, 8191, 8192, 8193, 20000,
                                   100_003]
    for n in sizes:
        for x in (rng.exponential(3.0, n), rng.lognormal(0.0, 5.0, n),
                  rng.standard_normal(n)):
            assert 0.0 + _pairwise(x, 0, n) == np.add.reduce(x), n
        lo = int(rng.integers(0, 30))
        y = rng.exponential(3.0, n + lo + 7)
        assert 0.0 + _pairwise(y, lo, n) == np.add.reduce(y[lo:lo + n]), (n, lo)


def test_summaries_on_many_shapes():
    rng = np.random.default_rng(2)
    for n in (0, 1, 2, 7, 8, 9, 100, 129, 1000, 14_000):
        for n_groups in (1, 4, 33):
            groups = rng.integers(-1, n_groups, n)
            for values in (rng.exponential(2.0, n),
                           np.where(rng.random(n) < 0.6, 0.0, rng.exponential(2.0, n)),
                           np.round(rng.random(n) * 3)):
                check(values, groups, n_groups)
    # groups of very different sizes (one team takes most tickets), empty groups
    groups = np.concatenate([np.zeros(5000, np.int64), rng.integers(1, 30, 900),
                             np.full(3, 31)])
    rng.shuffle(groups)
    check(rng.exponential(1.0, len(groups)), groups, 33)


def test_nan_and_infinite_values():
    values = np.array([1.0, np.nan, 3.0, np.inf, 2.0, -np.inf, 0.5, np.nan])
    groups = np.array([0, 0, 1, 1, 2, 2, 3, 1])
    check(values, groups, 5)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.floats(allow_nan=True, width=64), st.integers(-1, 5)),
                max_size=200))
def test_summaries_on_any_floats(pairs):
    values = np.array([v for v, _ in pairs], dtype=float)
    groups = np.array([g for _, g in pairs], dtype=np.int64)
    with np.errstate(over="ignore", invalid="ignore"):  # sums of huge floats
        check(values, groups, 6)


def test_groups_out_of_range_are_refused():
    for bad in (np.array([0, 3]), np.array([-2, 0])):
        for f in (summarise, tally.summarise):
            try:
                f(np.ones(2), bad, 3, (50.0,))
            except ValueError:
                continue
            raise AssertionError(f"{f} took {bad}")
