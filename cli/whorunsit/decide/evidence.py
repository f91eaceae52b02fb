"""What each point's replications say: metric estimates, targets, and how sure we are.

Shared by sweep and optimise. Targets are gate assertions (``gate.parse_all``), judged
the way ``whorunsit gate`` judges them: pass when the whole 95% interval satisfies the
assertion, fail when none of it does, undecided otherwise. The probability that a point
meets every target is a bootstrap over its replications (resampling replications keeps
the correlation between metrics, which a product of per-target probabilities would not).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from whorunsit.errors import InputError, Location, Problem
from whorunsit.gate import PASS, Assertion, evaluate, known_metrics, parse_all
from whorunsit.gate.assertions import did_you_mean
from whorunsit.gate.evaluate import FAIL
from whorunsit.model import GateSpec, Scenario
from whorunsit.report.machine import metric_entry
from whorunsit.stats.results import Results

#: bootstrap resamples behind a probability of meeting the targets (its own sampling
#: error is below 1 percentage point, far under the replications' own uncertainty)
BOOTSTRAP = 2000
BOOTSTRAP_SEED = 20261204

TTR = "incidents.time_to_restore"
NO_DELTA = ("a target on each point's own figures, such as cost.total <= 1.2M GBP "
            "(points are compared with each other, not with a baseline)")


def target_specs(texts: Sequence[str]) -> list[GateSpec]:
    return [GateSpec(t, "error", Location(f"--target {t!r}")) for t in texts]


def parse_targets(specs: Sequence[GateSpec], scenarios: Sequence[Scenario]) -> tuple[Assertion, ...]:
    """Error-level assertions checked against what every point reports; warn-level
    gates are advice, not constraints, and are dropped."""
    specs = [s for s in specs if s.level == "error"]
    if not specs:
        return ()
    known = set.intersection(*(set(known_metrics(s)) for s in scenarios))
    try:
        parsed = parse_all(specs, scenarios[0], has_baseline=False)
    except InputError as exc:
        # gate's advice for delta() is --baseline, which these commands do not take
        raise InputError([Problem(p.location, p.message, NO_DELTA) if "baseline" in p.message
                          else p for p in exc.problems]) from None
    problems = [Problem(a.location, f"'{a.metric}' is not reported at every point",
                        "a metric every point of the sweep reports")
                for a in parsed if a.metric not in known]
    if problems:
        raise InputError(problems)
    return parsed


def check_metrics(names: Sequence[str], scenarios: Sequence[Scenario]) -> None:
    known = set().union(*(set(known_metrics(s)) for s in scenarios))
    problems = [Problem(Location(f"--metric {n}"), f"unknown metric '{n}'",
                        did_you_mean(n, known) or "a metric name such as cost.total")
                for n in names if n not in known]
    if problems:
        raise InputError(problems)


def default_metrics(first: Results) -> list[str]:
    """Time to restore p50 and p90 (p95 when the engine does not report p90), the
    busiest team's utilisation, total cost and deployment lead time."""
    names = first.samples
    tail = f"{TTR}.p90" if f"{TTR}.p90" in names else f"{TTR}.p95"
    out = [f"{TTR}.p50", tail]
    utilisations = {n: float(np.nanmean(v)) for n, v in names.items()
                    if n.startswith("teams.") and n.endswith(".utilisation")
                    and np.isfinite(v).any()}
    if utilisations:
        out.append(max(utilisations, key=utilisations.get))
    out += ["cost.total", "deployments.lead_time.p50"]
    return [n for n in out if n in names]


def metric_entries(results: Results, names: Sequence[str]) -> dict[str, dict]:
    out = {}
    for n in names:
        if n in results.samples:
            out[n] = metric_entry(results.estimate(n))
        else:
            out[n] = {"value": None, "ci95": [None, None], "unit": results.unit(n)}
    return out


def _holds(op: str) -> Callable[[np.ndarray, float], np.ndarray]:
    return {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal,
            "==": lambda x, t: np.isclose(x, t, rtol=1e-9, atol=1e-12)}[op]


def probabilities(results: Results, assertions: Sequence[Assertion]) -> tuple[list, float | None]:
    """(per target, all together): the share of bootstrap resamples of the replications
    in which each target holds, and in which every target holds at once."""
    if not assertions or results.replications < 2:
        return [None] * len(assertions), None
    n = results.replications
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    idx = rng.integers(0, n, size=(BOOTSTRAP, n))
    every = np.ones(BOOTSTRAP, dtype=bool)
    each = []
    for a in assertions:
        x = results.samples.get(a.metric)
        if x is None:
            return [None] * len(assertions), None
        with np.errstate(all="ignore"):
            means = np.nanmean(x[idx], axis=1)
        ok = _holds(a.op)(means, a.threshold) & np.isfinite(means)
        each.append(float(ok.mean()))
        every &= ok
    return each, float(every.mean())


def probability_all_hold(results: Results, assertions: Sequence[Assertion]) -> float | None:
    """Share of bootstrap resamples of the replications in which every target holds."""
    return probabilities(results, assertions)[1]


def judge_targets(results: Results, assertions: Sequence[Assertion]) -> tuple[bool | None, list[dict]]:
    """(meets every target: True / False / None when undecided or no targets, details)."""
    if not assertions:
        return None, []
    outcomes = evaluate(assertions, results)
    each, _ = probabilities(results, assertions)
    details = [{"target": o.assertion.expression, "status": o.status,
                "value": _finite(o.value), "ci95": [_finite(o.low), _finite(o.high)],
                "probability": p}
               for o, p in zip(outcomes, each, strict=True)]
    if any(o.status == FAIL for o in outcomes):
        return False, details
    if all(o.status == PASS for o in outcomes):
        return True, details
    return None, details


def _finite(x: float) -> float | None:
    return float(x) if x is not None and math.isfinite(x) else None
