"""95% confidence intervals for figures measured from one log (not from replications).

- Percentiles: distribution-free order-statistic intervals. The number of values below
  the true p-quantile is Binomial(n, p), so ranks l and u with P(l <= B < u) >= 95%
  bracket it whatever the distribution; nothing is assumed about the long tail of times
  to restore. An end with too few values beyond it is open (None).
- Shares: Wilson score intervals, which stay inside 0..1 and behave for rare shares
  such as 1% of P1 incidents.
- Means: Student t over the values (the central limit theorem holds for the thousands of
  incidents of a real log; for a dozen weekly counts it is the usual approximation), cut
  at zero: every mean measured here (times, counts, rates) is never negative. With fewer
  than four values there is no interval: one from two or three weeks is too wide to use.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from whorunsit.stats.intervals import mean_interval, wilson


@dataclass(frozen=True)
class Figure:
    """A measured value, its 95% CI (None = open end, or no CI at all) and its unit."""

    value: float
    low: float | None
    high: float | None
    unit: str
    #: values it was measured from
    n: int

    def as_dict(self) -> dict:
        return {"value": _finite(self.value), "ci95": [_finite(self.low), _finite(self.high)],
                "unit": self.unit, "n": self.n}


def _finite(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def quantile(values: np.ndarray, q: float, unit: str) -> Figure:
    """The q-quantile (numpy's linear interpolation) with an order-statistic 95% CI."""
    from scipy.stats import binom  # slow to import; only calibrate needs it

    x = np.sort(np.asarray(values, dtype=float))
    n = len(x)
    if n == 0:
        return Figure(math.nan, None, None, unit, 0)
    value = float(np.quantile(x, q))
    lo_rank = int(binom.ppf(0.025, n, q))       # 1-based rank of the lower end
    hi_rank = int(binom.ppf(0.975, n, q)) + 1   # 1-based rank of the upper end
    low = float(x[lo_rank - 1]) if lo_rank >= 1 else None
    high = float(x[hi_rank - 1]) if hi_rank <= n else None
    return Figure(value, low, high, unit, n)


def share(hits: int, n: int) -> Figure:
    """hits / n with its Wilson score 95% CI."""
    if n == 0:
        return Figure(math.nan, None, None, "share", 0)
    p, low, high = wilson(hits, n)
    return Figure(p, low, high, "share", n)


def mean(values: np.ndarray, unit: str) -> Figure:
    """The mean with its Student t 95% CI, never below zero (None: too few values)."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if len(x) == 0:
        return Figure(math.nan, None, None, unit, 0)
    m, low, high = mean_interval(x, domain=(0.0, math.inf))
    return Figure(m, _finite(low), _finite(high), unit, len(x))


def exact(value: float, unit: str, n: int) -> Figure:
    """A count or a setting: no sampling error to speak of."""
    return Figure(float(value), None, None, unit, n)
