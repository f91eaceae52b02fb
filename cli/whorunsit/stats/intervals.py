"""Confidence intervals across independent replications."""

from __future__ import annotations

import math

import numpy as np


def t_quantile(df: int, level: float = 0.95) -> float:
    from scipy.stats import t  # scipy is slow to import; only pay for it when needed

    return float(t.ppf(0.5 + level / 2, df))


def mean_interval(values, level: float = 0.95) -> tuple[float, float, float]:
    """Mean of the finite values and its Student-t confidence interval.

    Each replication contributes one value (its own mean, p95, cost...), and replications
    are independent, so the t interval is valid for any of them given enough replications.
    """
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = len(x)
    if n == 0:
        return (math.nan, math.nan, math.nan)
    m = float(x.mean())
    if n == 1:
        return (m, -math.inf, math.inf)
    sd = float(x.std(ddof=1))
    if sd == 0.0:
        return (m, m, m)
    h = t_quantile(n - 1, level) * sd / math.sqrt(n)
    return (m, m - h, m + h)
