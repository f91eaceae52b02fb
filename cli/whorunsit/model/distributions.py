"""Random durations written the way people think (sampled in engine/quantiles.py).

All values are in hours. A lognormal is declared by its median and 95th percentile
(what people can estimate) and converted exactly: mu = ln(median),
sigma = (ln(p95) - ln(median)) / z(0.95).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: standard normal quantile at 0.95, so that exp(mu + Z95*sigma) is the declared p95
Z95 = 1.6448536269514722


@dataclass(frozen=True)
class Distribution:
    """A non-negative random quantity. ``kind`` names the family; ``params`` its numbers.

    kinds and params:
      fixed(value) · exponential(mean) · lognormal(mu, sigma) · triangular(low, mode, high)
      uniform(low, high) · empirical(v1, v2, ...) (equally likely values)
    """

    kind: str
    params: tuple[float, ...]
    #: how the user wrote it, for reports and error messages
    text: str = ""

    # -- constructors -------------------------------------------------------------------
    @staticmethod
    def fixed(value: float) -> Distribution:
        return Distribution("fixed", (float(value),), f"fixed({value}h)")

    @staticmethod
    def exponential(mean: float) -> Distribution:
        return Distribution("exponential", (float(mean),), f"exponential(mean={mean}h)")

    @staticmethod
    def lognormal(median: float, p95: float) -> Distribution:
        if not (0 < median < p95):
            raise ValueError("lognormal needs 0 < median < p95")
        mu = math.log(median)
        sigma = (math.log(p95) - mu) / Z95
        return Distribution("lognormal", (mu, sigma), f"lognormal(median={median}h, p95={p95}h)")

    @staticmethod
    def triangular(low: float, mode: float, high: float) -> Distribution:
        if not (low <= mode <= high and low < high):
            raise ValueError("triangular needs low <= mode <= high and low < high")
        return Distribution("triangular", (low, mode, high), f"triangular({low}h, {mode}h, {high}h)")

    @staticmethod
    def uniform(low: float, high: float) -> Distribution:
        if not low < high:
            raise ValueError("uniform needs low < high")
        return Distribution("uniform", (low, high), f"uniform({low}h, {high}h)")

    @staticmethod
    def empirical(values: tuple[float, ...] | list[float]) -> Distribution:
        if not values:
            raise ValueError("empirical needs at least one value")
        vals = tuple(float(v) for v in values)
        return Distribution("empirical", vals, f"empirical({list(vals)})")

    @property
    def mean(self) -> float:
        p = self.params
        if self.kind in ("fixed", "exponential"):
            return p[0]
        if self.kind == "lognormal":
            return math.exp(p[0] + p[1] ** 2 / 2)
        if self.kind in ("triangular", "uniform", "empirical"):
            return sum(p) / len(p)
        raise ValueError(f"unknown distribution kind {self.kind!r}")

    def __str__(self) -> str:
        return self.text or f"{self.kind}{self.params}"


ZERO = Distribution.fixed(0.0)
