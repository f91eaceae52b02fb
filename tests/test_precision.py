"""Choosing the number of replications by relative precision."""

from __future__ import annotations

import numpy as np

from whorunsit.stats import precision


def test_relative_half_width():
    rng = np.random.default_rng(1)
    x = rng.normal(10.0, 1.0, 400)
    rhw = precision.relative_half_width(x)
    assert 0.008 < rhw < 0.012  # 1.97 * 1 / sqrt(400) / 10
    assert precision.relative_half_width([5.0, 5.0, 5.0, 5.0]) == 0.0
    assert precision.relative_half_width([5.0, 5.0, 5.0]) == float("inf")  # too few
    assert precision.relative_half_width([1.0]) == float("inf")
    assert precision.relative_half_width([np.nan, np.nan]) == float("inf")


def test_meets_and_next_total():
    rng = np.random.default_rng(2)
    x = rng.normal(10.0, 5.0, 20)  # rhw about 0.23
    assert not precision.meets(x, 0.05)
    total = precision.next_total(x, 0.05, 20, 5000)
    assert 22 <= total <= 80  # grows, but never more than fourfold at once
    assert precision.next_total(x, 0.05, 20, 30) == 30  # capped
    assert precision.next_total(x, 0.05, 30, 30) == 30
    assert precision.next_total([np.nan] * 5, 0.05, 5, 100) == 5  # hopeless: stop
