"""What a simulation run returns: per-replication samples, and estimates drawn from them."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from whorunsit.model import Scenario
from whorunsit.stats import catalogue
from whorunsit.stats.intervals import mean_interval, share_interval


@dataclass(frozen=True)
class Estimate:
    """A metric's value across replications with its 95% confidence interval."""

    name: str
    value: float
    low: float
    high: float
    unit: str
    n: int

    @property
    def ci95(self) -> tuple[float, float]:
        return (self.low, self.high)

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2

    @property
    def usable(self) -> bool:
        """Whether the interval says something (too few replications give none)."""
        return math.isfinite(self.low) and math.isfinite(self.high)


def interval(name: str, values) -> tuple[float, float, float]:
    """(value, low, high) of a metric over replications, with the interval its kind
    carries (stats/intervals.py): Wilson for shares of replications, else Student t cut
    to the metric's domain."""
    if catalogue.binary(name):
        return share_interval(values)
    return mean_interval(values, domain=catalogue.domain(name))


@dataclass
class Results:
    """Per-replication values of every metric (``samples[name][r]``) and pooled histograms.

    Replication r of two runs with the same seed used the same random numbers for the
    same purposes, so samples can be paired across scenarios (common random numbers).
    """

    scenario: Scenario
    seed: int
    samples: dict[str, np.ndarray]
    #: pooled counts over model.bins.HISTOGRAM_EDGES, e.g. "incidents.time_to_restore"
    histograms: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def replications(self) -> int:
        return len(next(iter(self.samples.values()))) if self.samples else 0

    @property
    def names(self) -> list[str]:
        return list(self.samples)

    def unit(self, name: str) -> str:
        return catalogue.unit(name, self.scenario.currency)

    def estimate(self, name: str) -> Estimate:
        values = self.samples[name]
        value, low, high = interval(name, values)
        return Estimate(name, value, low, high, self.unit(name), int(np.isfinite(values).sum()))

    def estimates(self) -> dict[str, Estimate]:
        return {name: self.estimate(name) for name in self.samples}
