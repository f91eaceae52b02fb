"""Durations by inverse transform: a distribution's quantile function applied to uniforms.

The engine draws uniforms per purpose and turns them into durations here. Because the
uniforms do not depend on the distribution, a proposal that changes one tier's work
time from lognormal to exponential still gives every incident the same arrival, the same
priority and the same routing luck: the comparison isolates the change.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
from scipy.special import ndtri

from whorunsit.model.distributions import Distribution

_NORMAL = NormalDist()


def quantiles(dist: Distribution, u: np.ndarray) -> np.ndarray:
    """Values of ``dist`` at probabilities ``u`` (each in [0, 1)), as a float array."""
    p = dist.params
    k = dist.kind
    if k == "fixed":
        return np.full(u.shape, p[0])
    if k == "exponential":
        return -p[0] * np.log1p(-u)
    if k == "lognormal":
        return np.exp(p[0] + p[1] * ndtri(u))
    if k == "uniform":
        return p[0] + u * (p[1] - p[0])
    if k == "triangular":
        low, mode, high = p
        split = (mode - low) / (high - low)
        left = low + np.sqrt(u * (high - low) * (mode - low))
        right = high - np.sqrt((1.0 - u) * (high - low) * (high - mode))
        return np.where(u < split, left, right)
    if k == "empirical":
        values = np.asarray(p, dtype=float)
        idx = np.minimum((u * len(values)).astype(np.int64), len(values) - 1)
        return values[idx]
    raise ValueError(f"unknown distribution kind {k!r}")


def quantile(dist: Distribution, u: float) -> float:
    """One value; for the rare draws (best-endeavours answer delays) made during a run."""
    p = dist.params
    k = dist.kind
    if k == "fixed":
        return p[0]
    if k == "exponential":
        return -p[0] * math.log1p(-u)
    if k == "lognormal":
        if u <= 0.0:
            return 0.0
        return math.exp(p[0] + p[1] * _NORMAL.inv_cdf(u))
    return float(quantiles(dist, np.array([u]))[0])
