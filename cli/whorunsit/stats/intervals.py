"""Confidence intervals across independent replications, kept inside each metric's domain.

Which interval a metric carries (docs/model.md, "Intervals"):

- a share of replications (each replication says yes or no: ``queues.unstable``,
  ``delivery.discontinuous``, ``applications.*.p_meets_target``): the Wilson score
  interval. It stays inside 0..1 and never claims certainty: 0 of 200 gives [0, 1.9%],
  not [0, 0].
- any other metric (a replication's mean, percentile, rate, cost): Student t over the
  replications' values, cut to the metric's domain (times, counts and money are never
  negative; shares and availabilities never leave 0..1).
- with fewer than ``MIN_VALUES`` values no interval is given (the ends are infinite and
  print as "too few replications"): a t interval from two or three values is too wide
  to use, and a cut one would look precise when it is not.
"""

from __future__ import annotations

import math

import numpy as np

#: the 97.5% point of the standard normal distribution
Z_95_TWO_SIDED = 1.959963984540054
#: fewer values than this give no usable interval
MIN_VALUES = 4
#: every value allowed
ANYWHERE = (-math.inf, math.inf)


def t_quantile(df: int, level: float = 0.95) -> float:
    """The two-sided ``level`` point of Student's t with ``df`` degrees of freedom
    (scipy.special: scipy.stats would cost a second of start-up for one quantile)."""
    from scipy.special import stdtrit

    return float(stdtrit(df, 0.5 + level / 2))


def _finite(values) -> np.ndarray:
    x = np.asarray(values, dtype=float)
    return x[np.isfinite(x)]


def mean_interval(values, level: float = 0.95,
                  domain: tuple[float, float] = ANYWHERE) -> tuple[float, float, float]:
    """Mean of the finite values and its Student-t confidence interval cut to ``domain``.

    Each replication contributes one value (its own mean, p95, cost...), and replications
    are independent, so the t interval is valid for any of them given enough replications.
    With fewer than ``MIN_VALUES`` values the interval is (-inf, inf): unknown.
    """
    x = _finite(values)
    n = len(x)
    if n == 0:
        return (math.nan, math.nan, math.nan)
    m = float(x.mean())
    if n < MIN_VALUES:
        return (m, -math.inf, math.inf)
    sd = float(x.std(ddof=1))
    if sd == 0.0:
        return (m, m, m)
    h = t_quantile(n - 1, level) * sd / math.sqrt(n)
    lo, hi = domain
    return (m, max(lo, m - h), min(hi, m + h))


def wilson(hits: float, n: int, z: float = Z_95_TWO_SIDED) -> tuple[float, float, float]:
    """hits / n and its Wilson score interval (inside 0..1; 0 of n gives [0, ~3.8/n])."""
    if n <= 0:
        return (math.nan, math.nan, math.nan)
    p = hits / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(max(0.0, p * (1 - p)) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    # the exact ends: 0 of n starts at 0, n of n ends at 1 (not 1e-17 away by rounding)
    low = 0.0 if hits <= 0 else max(0.0, centre - half)
    high = 1.0 if hits >= n else min(1.0, centre + half)
    return (p, min(low, p), max(high, p))


def share_interval(values) -> tuple[float, float, float]:
    """A share of replications (values 0 or 1): the share and its Wilson interval."""
    x = _finite(values)
    if len(x) == 0:
        return (math.nan, math.nan, math.nan)
    if not np.isin(x, (0.0, 1.0)).all():
        raise ValueError("a share of replications takes values 0 and 1 only")
    return wilson(float(x.sum()), len(x))
