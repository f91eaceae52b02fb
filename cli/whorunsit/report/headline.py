"""The few plain lines a report opens with: the answer before the figures.

For compare: which scenario restores faster and by how much (with the 95% CI of the
change), which costs more, and every verdict that flips between them (continuous or
discontinuous delivery, queues that grow without bound, availability targets met). For
simulate: time to restore, the delivery verdict, the total cost and how many
applications meet their availability target. Lines are built from the metrics present in
the results, so a metric added later never breaks them, and a missing one only drops its
line.
"""

from __future__ import annotations

import math

from whorunsit.report import content
from whorunsit.report import format as fmt
from whorunsit.report.cells import relative, scale, signed, value
from whorunsit.stats.compare import BETTER, SAME, SMALL, WORSE, Comparison, MetricComparison
from whorunsit.stats.results import Results

#: the time to restore a headline speaks of, first present wins
TTR = ("incidents.time_to_restore.mean", "incidents.time_to_restore.p50",
       "incidents.time_to_restore.p95")
#: the delivery line starts so; markdown, which prints the verdict in bold, leaves it out
DELIVERY = "Delivery: "
STAT_WORDS = {"mean": "mean", "p50": "median", "p90": "p90", "p95": "p95", "p99": "p99"}


def letter(i: int) -> str:
    return chr(ord("A") + i)


def _metric(comparison: Comparison, name: str) -> MetricComparison | None:
    return next((m for m in comparison.metrics if m.name == name), None)


def _interval(m: MetricComparison, i: int, currency: str) -> str:
    """", 95% CI -47.1% to -44.2%" on the relative change (the absolute one when the
    first scenario's value is 0)."""
    d = m.differences[i - 1]
    if math.isfinite(d.rel_low) and math.isfinite(d.rel_high):
        return f"95% CI {d.rel_low * 100:+.1f}% to {d.rel_high * 100:+.1f}%"
    unit = fmt.display_unit(m.name)
    return (f"95% CI {signed(d.low, unit, currency, scale(m))} to "
            f"{signed(d.high, unit, currency, scale(m))}")


def _change(m: MetricComparison, i: int, currency: str) -> str:
    """"-6.80h (-45.7%, 95% CI -47.1% to -44.2%)"."""
    d = m.differences[i - 1]
    unit = fmt.display_unit(m.name)
    rel = f"{relative(d.relative)}, " if math.isfinite(d.relative) else ""
    return f"{signed(d.delta, unit, currency, scale(m))} ({rel}{_interval(m, i, currency)})"


def _values(m: MetricComparison, i: int, currency: str) -> str:
    return f"{value(m, m.estimates[i].value, currency)} vs {value(m, m.estimates[0].value, currency)}"


def _restore(comparison: Comparison, i: int, currency: str) -> str | None:
    m = next((m for name in TTR if (m := _metric(comparison, name)) is not None
              and m.differences[i - 1] is not None), None)
    if m is None:
        return None
    what = STAT_WORDS.get(m.name.rsplit(".", 1)[-1], m.name)
    verdict = m.verdict(i)
    figures = f"{what} {_values(m, i, currency)}, {_change(m, i, currency)}"
    if verdict == BETTER:
        return f"Time to restore: {letter(i)} restores faster than A, {figures}."
    if verdict == WORSE:
        return f"Time to restore: {letter(i)} restores slower than A, {figures}."
    if verdict == SMALL:
        return f"Time to restore: no material change, {figures}."
    return f"Time to restore: no clear difference, {figures}."


def _cost(comparison: Comparison, i: int, currency: str) -> str | None:
    m = _metric(comparison, "cost.total")
    if m is None or m.differences[i - 1] is None:
        return None
    d = m.differences[i - 1]
    verdict = m.verdict(i)
    figures = f"{_values(m, i, currency)}, {_change(m, i, currency)}"
    if verdict in (BETTER, WORSE):
        more = "more" if d.delta > 0 else "less"
        return f"Total cost: {letter(i)} costs {more} than A, {figures}."
    if verdict == SMALL:
        return f"Total cost: no material change, {figures}."
    return f"Total cost: no clear difference, {figures}."


def _mean(results: Results, name: str) -> float:
    values = results.samples.get(name)
    if values is None:
        return math.nan
    import numpy as np

    finite = values[np.isfinite(values)]
    return float(finite.mean()) if len(finite) else math.nan


def verdicts(results: Results) -> dict[str, tuple[bool | None, str]]:
    """Each yes/no verdict of a run, keyed by what it is about: (holds?, how it reads)."""
    out: dict[str, tuple[bool | None, str]] = {}
    v = content.verdict(results)
    if v.continuous is not None:
        out["Delivery"] = (v.continuous, v.headline)
    unstable = _mean(results, "queues.unstable")
    if math.isfinite(unstable):
        out["Queues"] = (unstable == 0, "stable" if unstable == 0
                         else f"grew without bound in {fmt.percent(unstable)} of replications")
    for app in results.scenario.applications:
        a = _mean(results, f"applications.{app.name}.availability")
        if math.isfinite(a):
            met = a >= app.availability_target
            out[f"{app.name} availability target {fmt.target(app.availability_target)}"] = (
                met, f"{'met' if met else 'missed'} ({fmt.availability(a)})")
    return out


def _flips(comparison: Comparison, i: int) -> list[str]:
    first, other = verdicts(comparison.results[0]), verdicts(comparison.results[i])
    lines = []
    for key in first:
        if key in other and first[key][0] != other[key][0]:
            lines.append(f"{key}: A {first[key][1]}, {letter(i)} {other[key][1]}.")
    return lines


def compare_lines(comparison: Comparison) -> list[str]:
    """The headline of a comparison, one plain line per finding."""
    currency = comparison.results[0].scenario.currency
    lines = []
    for i in range(1, len(comparison.results)):
        found = [line for line in (_restore(comparison, i, currency), _cost(comparison, i, currency))
                 if line]
        flips = _flips(comparison, i)
        found += flips or [f"No verdict flips between A and {letter(i)}: delivery, queue "
                           "stability and availability targets read the same."]
        lines += found
    return lines


def materially(m: MetricComparison, i: int) -> bool:
    return m.verdict(i) not in (None, SAME, SMALL)


# -- simulate -------------------------------------------------------------------------------

def simulate_lines(results: Results) -> list[str]:
    """The headline of one run: time to restore, delivery, cost, availability targets."""
    currency = results.scenario.currency
    estimates = results.estimates()
    lines = []

    def shown(name: str) -> str | None:
        est = estimates.get(name)
        return fmt.estimate(est, currency) if est is not None and math.isfinite(est.value) else None

    names = ("incidents.time_to_restore.p50", "incidents.time_to_restore.p95")
    if all(n in estimates and math.isfinite(estimates[n].value) for n in names):
        row = fmt.row_scale([estimates[n].value for n in names])
        p50, p95 = (fmt.estimate(estimates[n], currency, scale=row) for n in names)
        lines.append(f"Time to restore: median {p50}, p95 {p95} (each the mean over "
                     "replications of that replication's percentile).")
    v = content.verdict(results)
    lines.append(f"{DELIVERY}{v.headline} — {v.detail}")
    total = shown("cost.total")
    if total:
        parts = [f"{label} {text}" for label, name in (("headcount", "cost.headcount"),
                                                       ("on-call", "cost.oncall"),
                                                       ("downtime", "cost.downtime"))
                 if (text := shown(name))]
        lines.append(f"Total cost: {total}" + (f" (of which {', '.join(parts)})" if parts else "")
                     + ".")
    apps = [a for a in results.scenario.applications
            if f"applications.{a.name}.availability" in estimates]
    if apps:
        missed = [a.name for a in apps
                  if estimates[f"applications.{a.name}.availability"].value < a.availability_target]
        lines.append(f"Availability: {len(apps) - len(missed)} of {len(apps)} applications meet "
                     "their target" + (f"; missed: {', '.join(missed)}." if missed else "."))
    return lines
