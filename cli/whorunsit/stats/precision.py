"""Choosing the number of replications by a target relative precision.

Run a first batch, then keep adding replications until the 95% confidence interval of
one metric is narrow enough: its half-width within ``precision`` (0.05 = 5%) of the
metric's value. The next total is estimated from the half-width shrinking as 1/sqrt(n),
with some margin, and never more than quadruples the work in one step.
"""

from __future__ import annotations

import math

import numpy as np

from whorunsit.stats.intervals import mean_interval

#: replications of the first batch when the caller does not choose
FIRST_BATCH = 30


def relative_half_width(values) -> float:
    """Half-width of the 95% CI of the mean over |mean|; inf when it cannot be judged."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if len(x) < 2:
        return math.inf
    mean, low, high = mean_interval(x)
    half = (high - low) / 2
    if half == 0.0:
        return 0.0
    if mean == 0.0:
        return math.inf
    return half / abs(mean)


def meets(values, precision: float) -> bool:
    return relative_half_width(values) <= precision


def next_total(values, precision: float, done: int, cap: int) -> int:
    """How many replications in all to aim for next (``done`` when nothing more helps)."""
    if done >= cap:
        return done
    x = np.asarray(values, dtype=float)
    if len(x) and not np.isfinite(x).any():
        return done  # the metric has no value in any replication: more will not help
    rhw = relative_half_width(values)
    wanted = math.ceil(done * (rhw / precision) ** 2 * 1.1) if math.isfinite(rhw) else 2 * done
    step_min = max(2, done // 10)
    wanted = max(done + step_min, min(wanted, 4 * done))
    return min(wanted, cap)
