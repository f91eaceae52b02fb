"""Judge assertions on confidence intervals: pass, fail, or inconclusive.

An assertion passes when the whole 95% confidence interval satisfies it, fails when none
of it does, and is inconclusive when the interval straddles the threshold: more
replications would narrow it. ``==`` passes only when the interval is exactly the value
(every replication gave it), which is what ``oncall.unpaid_hours == 0`` means.

A ``delta()`` is judged on the paired per-replication difference against the baseline
(common random numbers); a relative delta on the ratio of means with a delta-method
interval (see ``stats.compare``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from whorunsit.errors import InputError, Problem
from whorunsit.gate.assertions import Assertion
from whorunsit.gate.quantities import digits_for, show
from whorunsit.stats.compare import paired_difference
from whorunsit.stats.results import Results, interval

PASS, FAIL, INCONCLUSIVE = "pass", "fail", "inconclusive"

#: for each operator: how a value that satisfies it is described, and one that does not
_WORDS = {
    "<": ("below", "at or above"),
    "<=": ("at or below", "above"),
    ">": ("above", "at or below"),
    ">=": ("at or above", "below"),
    "==": ("exactly", "away from"),
}


def _holds(op: str, x: float, t: float) -> bool:
    if op == "<":
        return x < t
    if op == "<=":
        return x <= t
    if op == ">":
        return x > t
    if op == ">=":
        return x >= t
    return math.isclose(x, t, rel_tol=1e-9, abs_tol=1e-12)


def judge(op: str, threshold: float, low: float, high: float) -> str:
    """pass / fail / inconclusive for a 95% interval [low, high] against ``op threshold``."""
    if math.isnan(low) or math.isnan(high):
        return INCONCLUSIVE
    if op == "==":
        if _holds(op, low, threshold) and _holds(op, high, threshold):
            return PASS
        below = high < threshold and not _holds(op, high, threshold)
        above = low > threshold and not _holds(op, low, threshold)
        return FAIL if below or above else INCONCLUSIVE
    if _holds(op, low, threshold) and _holds(op, high, threshold):
        return PASS
    if not _holds(op, low, threshold) and not _holds(op, high, threshold):
        return FAIL
    return INCONCLUSIVE


@dataclass(frozen=True)
class Outcome:
    assertion: Assertion
    status: str
    #: the judged value and its 95% interval, in ``assertion.unit``
    value: float
    low: float
    high: float
    #: replications the interval is over
    replications: int
    #: why, in words, with the interval and the threshold
    reason: str

    def counts_as_failure(self, allow_inconclusive: bool = False) -> bool:
        """Whether this outcome fails the gate (warn-level outcomes never do)."""
        if self.assertion.level != "error":
            return False
        return self.status == FAIL or (self.status == INCONCLUSIVE and not allow_inconclusive)


def _samples(results: Results, metric: str, assertion: Assertion, role: str):
    if metric not in results.samples:
        raise InputError(
            Problem(assertion.location,
                    f"the simulation of {role} {results.scenario.source} did not report '{metric}'",
                    "a metric the scenario reports")
        )
    return results.samples[metric]


def measure(
    assertion: Assertion, candidate: Results, baseline: Results | None = None
) -> tuple[float, float, float, int]:
    """(value, low, high, replications) of what the assertion is about."""
    import numpy as np

    x = _samples(candidate, assertion.metric, assertion, "the gated scenario")
    if not assertion.delta:
        value, low, high = interval(assertion.metric, x)
        return value, low, high, int(np.isfinite(x).sum())
    if baseline is None:
        raise InputError(
            Problem(assertion.location, f"'{assertion.expression}' compares against a baseline",
                    "--baseline BASE.yaml to gate a change against")
        )
    diff = paired_difference(_samples(baseline, assertion.metric, assertion, "the baseline"), x)
    if assertion.relative:
        return diff.relative, diff.rel_low, diff.rel_high, diff.n
    return diff.delta, diff.low, diff.high, diff.n


def figure_word(metric: str) -> str:
    """What the judged figure is called: "mean" only for a mean; a percentile by its
    name ("p95", each replication's p95 averaged over replications); else "estimate"."""
    last = metric.rsplit(".", 1)[-1]
    if last == "mean":
        return "mean"
    if last[:1] == "p" and last[1:].isdigit():
        return last
    return "estimate"


def explain(assertion: Assertion, status: str, value: float, low: float, high: float, n: int,
            currency: str = "GBP") -> str:
    """One sentence: the estimate, its interval, the threshold and the verdict."""
    unit = assertion.unit
    signed = assertion.delta
    digits = digits_for((value, low, high), assertion.threshold, unit, signed=signed)

    def q(x: float) -> str:
        return show(x, unit, currency, signed=signed, digits=digits)

    what = "change" if assertion.delta else figure_word(assertion.metric)
    if assertion.relative:
        what = "relative change"
    target = show(assertion.threshold, unit, currency, signed=signed, digits=digits, exact=True)
    if math.isnan(value) and assertion.relative and n > 0:
        return (f"the baseline's mean of {assertion.metric} is 0, so a relative change is "
                f"undefined; an absolute delta (e.g. delta({assertion.metric}) <= 0) can be judged")
    if math.isnan(value):
        return f"no replication produced a value for {assertion.subject}"
    measured = f"{what} {q(value)}, 95% CI [{q(low)}, {q(high)}] over {n} replications"
    yes, no = _WORDS[assertion.op]
    if status == PASS:
        if assertion.op == "==":
            return f"{measured}: every replication gave exactly {target}"
        return f"{measured}: the whole interval is {yes} {target}"
    if status == FAIL:
        return f"{measured}: the whole interval is {no} {target}"
    return f"{measured}: the interval straddles {target}, so more replications are needed"


def evaluate(
    assertions: Sequence[Assertion], candidate: Results, baseline: Results | None = None
) -> tuple[Outcome, ...]:
    currency = candidate.scenario.currency
    outcomes = []
    for a in assertions:
        value, low, high, n = measure(a, candidate, baseline)
        status = judge(a.op, a.threshold, low, high)
        outcomes.append(Outcome(a, status, value, low, high, n,
                                explain(a, status, value, low, high, n, currency)))
    return tuple(outcomes)
