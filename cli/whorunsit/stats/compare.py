"""Paired comparison of runs that used common random numbers.

Replication r of every scenario run with the same seed drew the same random numbers for
the same purposes (arrivals, priorities, work times of the same application and tier),
so the per-replication differences ``other[r] - base[r]`` cancel most of the noise both
runs share. The confidence interval of a difference is a Student-t interval on those
per-replication differences; it is never wider than the unpaired (Welch) interval when
the runs are positively correlated, and usually much narrower.

Relative changes are on the ratio of means, ``mean(other) / mean(base) - 1``. Its interval
uses the delta method for a ratio of paired means: with ``R`` the ratio, the residuals
``other[r] - R * base[r]`` have mean zero, and ``sd(residuals) / (sqrt(n) * |mean(base)|)``
is the standard error of ``R``. The same t quantile then gives the 95% interval.

A difference is *better* or *worse* only when it is statistically clear (its interval
excludes zero) and also larger than a practical threshold for the metric's kind
(``PRACTICAL``: a share of the first scenario's value and an absolute floor, the larger
of the two counts). A clear but smaller difference is "no material change": 56 seconds
off a 15-hour time to restore is real but changes nothing anyone would act on.
"""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from whorunsit.errors import InputError, Location, Problem
from whorunsit.stats import catalogue
from whorunsit.stats.intervals import mean_interval, t_quantile
from whorunsit.stats.results import Estimate, Results

BETTER, WORSE, CHANGED, SAME = "better", "worse", "changed", "same"
#: statistically clear but smaller than the practical threshold
SMALL = "no material change"


@dataclass(frozen=True)
class Practical:
    """The smallest difference worth acting on: ``relative`` of the first scenario's
    value or ``absolute`` (in the metric's unit), whichever is larger."""

    relative: float
    absolute: float

    def threshold(self, base: float) -> float:
        base = abs(base) if math.isfinite(base) else 0.0
        return max(self.relative * base, self.absolute)


#: metric kinds with their default practical thresholds (docs/reports.md lists them)
PRACTICAL: dict[str, Practical] = {
    "duration": Practical(0.05, 5 / 60),      # 5%, and at least 5 minutes
    "share": Practical(0.05, 0.01),           # 5%, and at least 1 percentage point
    "availability": Practical(0.0, 0.0001),   # 0.01 percentage points: 99.9% vs 99.91%
    "count": Practical(0.05, 0.01),           # 5%, and at least 0.01
    "rate": Practical(0.05, 0.01),            # 5%, and at least 0.01 per week
    "hours": Practical(0.05, 1.0),            # 5%, and at least 1 hour per year
    "money": Practical(0.05, 100.0),          # 5%, and at least 100 (currency) per year
}
#: what each kind covers, for --help, `whorunsit metrics` and the docs
KIND_UNITS = {"h": "duration", "share": "share", "count": "count", "/week": "rate",
              "h/year": "hours", "money/year": "money"}


def kind(name: str) -> str:
    """The practical-threshold kind of a metric: duration, share, availability, count,
    rate, hours or money."""
    if name.startswith("applications.") and name.endswith(".availability"):
        return "availability"
    entry = catalogue.info(name)
    return KIND_UNITS.get(entry.unit if entry else "", "count")

#: report sections, as in the simulate report; a metric goes to the first that matches
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Outcomes",
        (
            "incidents.time_to_restore.*",
            "incidents.urgent.time_to_restore.*",
            "deployments.*",
            "delivery.*",
            "queues.*",
        ),
    ),
    ("Availability", ("applications.*",)),
    ("Flow", ("incidents.*", "teams.*")),
    ("On-call & cost", ("oncall.*", "cost.*")),
)
OTHER_SECTION = "Other"
#: metric families named per team or application: teams.<team>.utilisation
ENTITY_FAMILIES = ("teams", "oncall", "applications")


@dataclass(frozen=True)
class PairedDifference:
    """``other - base`` over paired replications, with 95% intervals."""

    #: means of each side over the replications both have a value for
    base: float
    other: float
    #: mean of the per-replication differences, and its paired t interval
    delta: float
    low: float
    high: float
    #: ratio of means minus one, and its delta-method interval (NaN when base is 0)
    relative: float
    rel_low: float
    rel_high: float
    #: replications paired
    n: int
    #: the Welch interval independent runs would have given, for contrast
    unpaired_low: float
    unpaired_high: float

    @property
    def significant(self) -> bool:
        """The interval excludes zero: the runs differ at the 95% level."""
        return self.low > 0 or self.high < 0


@dataclass(frozen=True)
class MetricComparison:
    name: str
    unit: str
    direction: str
    section: str
    #: one estimate per scenario; None where that scenario has no such metric
    estimates: tuple[Estimate | None, ...]
    #: one per scenario after the first, against the first; None if either lacks it
    differences: tuple[PairedDifference | None, ...]
    #: the smallest difference worth acting on for this metric's kind
    practical: Practical = Practical(0.0, 0.0)

    def threshold(self, index: int) -> float:
        """The practical threshold, in the metric's unit, for scenario ``index`` (>= 1)."""
        diff = self.differences[index - 1]
        return self.practical.threshold(diff.base if diff is not None else math.nan)

    def verdict(self, index: int) -> str | None:
        """better/worse/changed/no material change/same for scenario ``index`` (>= 1)
        against the first."""
        diff = self.differences[index - 1]
        return None if diff is None else verdict(self.direction, diff, self.threshold(index))


@dataclass(frozen=True)
class Comparison:
    results: tuple[Results, ...]
    metrics: tuple[MetricComparison, ...]

    def sections(self) -> list[tuple[str, list[MetricComparison]]]:
        """Metrics grouped by report section, sections in report order, empty ones left out."""
        order = [name for name, _ in SECTIONS] + [OTHER_SECTION]
        groups: dict[str, list[MetricComparison]] = {name: [] for name in order}
        for metric in self.metrics:
            groups[metric.section].append(metric)
        return [(name, groups[name]) for name in order if groups[name]]


def _paired(base: np.ndarray, other: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = min(len(base), len(other))
    a = np.asarray(base[:n], dtype=float)
    b = np.asarray(other[:n], dtype=float)
    keep = np.isfinite(a) & np.isfinite(b)
    return a[keep], b[keep]


def ratio_interval(base, other, level: float = 0.95) -> tuple[float, float, float]:
    """``mean(other)/mean(base) - 1`` over paired values, with its delta-method interval."""
    a, b = _paired(np.asarray(base, dtype=float), np.asarray(other, dtype=float))
    n = len(a)
    if n == 0:
        return (math.nan, math.nan, math.nan)
    ma, mb = float(a.mean()), float(b.mean())
    if ma == 0.0:
        # no change from nothing is no change; any change from nothing has no ratio
        if mb == 0.0 and not b.any():
            return (0.0, 0.0, 0.0)
        return (math.nan, math.nan, math.nan)
    ratio = mb / ma
    if n == 1:
        return (ratio - 1, -math.inf, math.inf)
    sd = float((b - ratio * a).std(ddof=1))
    half = t_quantile(n - 1, level) * sd / (math.sqrt(n) * abs(ma))
    return (ratio - 1, ratio - 1 - half, ratio - 1 + half)


def welch_interval(base, other, level: float = 0.95) -> tuple[float, float, float]:
    """Difference of means of two independent samples with the Welch t interval."""
    a = np.asarray(base, dtype=float)
    b = np.asarray(other, dtype=float)
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    if len(a) == 0 or len(b) == 0:
        return (math.nan, math.nan, math.nan)
    delta = float(b.mean() - a.mean())
    if len(a) < 2 or len(b) < 2:
        return (delta, -math.inf, math.inf)
    va, vb = float(a.var(ddof=1)) / len(a), float(b.var(ddof=1)) / len(b)
    if va + vb == 0.0:
        return (delta, delta, delta)
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    half = t_quantile(max(1, int(df)), level) * math.sqrt(va + vb)
    return (delta, delta - half, delta + half)


def paired_difference(base, other, level: float = 0.95) -> PairedDifference:
    """Compare two runs replication by replication (replication r with replication r).

    Only replications where both runs have a finite value are paired; if one run has
    more replications than the other, the extra ones are left out.
    """
    a, b = _paired(np.asarray(base, dtype=float), np.asarray(other, dtype=float))
    delta, low, high = mean_interval(b - a, level)
    rel, rel_low, rel_high = ratio_interval(a, b, level)
    _, un_low, un_high = welch_interval(a, b, level)
    return PairedDifference(
        base=float(a.mean()) if len(a) else math.nan,
        other=float(b.mean()) if len(b) else math.nan,
        delta=delta,
        low=low,
        high=high,
        relative=rel,
        rel_low=rel_low,
        rel_high=rel_high,
        n=len(a),
        unpaired_low=un_low,
        unpaired_high=un_high,
    )


def verdict(direction: str, diff: PairedDifference, threshold: float = 0.0) -> str:
    """Whether ``other`` is better or worse than ``base`` on a metric with this direction.

    Only a significant difference larger than ``threshold`` is better or worse; a clear
    but smaller one is SMALL ("no material change"); a metric with no preferred
    direction (demand, tickets per team) is merely "changed".
    """
    if not diff.significant:
        return SAME
    if not abs(diff.delta) > threshold:
        return SMALL
    if direction == catalogue.NEUTRAL:
        return CHANGED
    up = diff.delta > 0
    return BETTER if up == (direction == catalogue.HIGHER) else WORSE


def section(name: str) -> str:
    for title, patterns in SECTIONS:
        if any(fnmatch.fnmatchcase(name, p) for p in patterns):
            return title
    return OTHER_SECTION


def _sort_key(name: str) -> tuple:
    titles = [title for title, _ in SECTIONS] + [OTHER_SECTION]
    position = len(catalogue.CATALOGUE)
    entry = catalogue.info(name)
    if entry is not None:
        position = catalogue.CATALOGUE.index(entry)
    # metrics of one team or application stay together, in catalogue order within it
    parts = name.split(".")
    entity = parts[1] if parts[0] in ENTITY_FAMILIES and len(parts) > 2 else ""
    return (titles.index(section(name)), entity != "", entity, position, name)


def select_metrics(names: Iterable[str], patterns: Sequence[str] | None) -> list[str]:
    """Names matching any of the globs (``cost.*``, ``teams.*.utilisation``) or exact names.

    A pattern that matches nothing is an input error with the closest names suggested.
    """
    names = list(names)
    if not patterns:
        return names
    problems = []
    for pattern in patterns:
        if not any(fnmatch.fnmatchcase(n, pattern) for n in names):
            problems.append(
                Problem(
                    Location("--metrics"),
                    f"'{pattern}' matches no metric{_did_you_mean(pattern, names)}",
                    "a metric name or glob such as 'cost.*' or 'teams.*.utilisation'",
                )
            )
    if problems:
        raise InputError(problems)
    return [n for n in names if any(fnmatch.fnmatchcase(n, p) for p in patterns)]


def _did_you_mean(pattern: str, names: Sequence[str]) -> str:
    import difflib

    # a glob is suggested against the metric families, a plain name against metric names
    candidates = sorted(set(names))
    if "*" in pattern or "?" in pattern:
        candidates = sorted({".".join(n.split(".")[:1]) + ".*" for n in names} | set(candidates))
    nearest = catalogue.nearest_percentile(pattern, names)
    close = [nearest] if nearest else difflib.get_close_matches(pattern, candidates, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def compare(
    results: Sequence[Results], metrics: Sequence[str] | None = None, level: float = 0.95,
    practical: dict[str, Practical] | None = None,
) -> Comparison:
    """Every metric of every run side by side, each run paired with the first.

    ``metrics`` are names or globs; None keeps all. A metric only some runs have (a team
    that exists in one scenario only) has None in the others' places. ``practical``
    overrides the default practical thresholds of some kinds (see ``PRACTICAL``).
    """
    thresholds = {**PRACTICAL, **(practical or {})}
    if len(results) < 2:
        raise InputError("compare needs at least two scenarios")
    base = results[0]
    problems = [
        Problem(
            Location(r.scenario.source),
            f"scenario currency is {r.scenario.currency} but the first scenario's is "
            f"{base.scenario.currency}",
            "the same currency in every compared scenario",
        )
        for r in results[1:]
        if r.scenario.currency != base.scenario.currency
    ]
    if problems:
        raise InputError(problems)
    seen: dict[str, None] = {}
    for r in results:
        seen.update(dict.fromkeys(r.samples))
    names = sorted(select_metrics(seen, metrics), key=_sort_key)
    rows = []
    for name in names:
        estimates = tuple(r.estimate(name) if name in r.samples else None for r in results)
        diffs = tuple(
            paired_difference(base.samples[name], r.samples[name], level)
            if name in base.samples and name in r.samples
            else None
            for r in results[1:]
        )
        rows.append(
            MetricComparison(
                name=name,
                unit=catalogue.unit(name, base.scenario.currency),
                direction=catalogue.direction(name),
                section=section(name),
                estimates=estimates,
                differences=diffs,
                practical=thresholds[kind(name)],
            )
        )
    return Comparison(tuple(results), tuple(rows))
