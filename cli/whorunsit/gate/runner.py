"""Run a gate: simulate, judge, and add replications while error-level assertions are
inconclusive, up to a cap.

Both scenarios always run with the same seed and the same number of replications, so
the baseline's replication r is paired with the candidate's (common random numbers).
Replication r depends only on the seed and r, so a rerun with more replications repeats
the first ones exactly and adds new ones.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from whorunsit.errors import InputError, Location, Problem
from whorunsit.exitcodes import ExitCode
from whorunsit.gate.assertions import Assertion
from whorunsit.gate.evaluate import FAIL, INCONCLUSIVE, PASS, Outcome, evaluate
from whorunsit.model import Scenario
from whorunsit.stats.results import Results

if TYPE_CHECKING:
    from whorunsit.engine.executors import Executor

#: by default the gate may grow the replication count to this multiple of the start
DEFAULT_CAP_FACTOR = 4
#: one round grows replications at least this much, and at most to this multiple
MIN_GROWTH, MAX_GROWTH = 2, 8
#: aim a little past the estimated need, so the next round is usually the last
MARGIN = 1.2

Simulate = Callable[..., Results]


@dataclass(frozen=True)
class GateRun:
    outcomes: tuple[Outcome, ...]
    candidate: Scenario
    baseline: Scenario | None
    seed: int
    #: replication counts of each round; the last is what the outcomes are over
    rounds: tuple[int, ...]
    max_replications: int
    allow_inconclusive: bool

    @property
    def replications(self) -> int:
        return self.rounds[-1]

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.counts_as_failure(self.allow_inconclusive)]

    @property
    def passed(self) -> bool:
        return not self.failures

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode.OK if self.passed else ExitCode.GATE_FAILED

    def verdict(self, outcome: Outcome) -> str:
        """PASS, FAIL, WARN or INCONCLUSIVE as the outcome counts in this run."""
        if outcome.status == PASS:
            return "PASS"
        if outcome.assertion.level == "warn":
            return "WARN"
        if outcome.status == FAIL:
            return "FAIL"
        return "INCONCLUSIVE"

    def why(self, outcome: Outcome) -> str:
        """The outcome's reason, plus how an inconclusive one was counted."""
        if outcome.status != INCONCLUSIVE:
            return outcome.reason
        if outcome.assertion.level == "warn":
            return f"{outcome.reason}; warn level, reported only"
        capped = self.replications >= self.max_replications
        tried = f"still inconclusive at the cap of {self.max_replications} replications" if capped \
            else f"still inconclusive after {self.replications} replications"
        if self.allow_inconclusive:
            return f"{outcome.reason}; {tried}, accepted (--allow-inconclusive)"
        return f"{outcome.reason}; {tried}, counted as failed (--allow-inconclusive accepts it)"

    def summary(self) -> str:
        errors = [o for o in self.outcomes if o.assertion.level == "error"]
        warns = [o for o in self.outcomes if o.assertion.level == "warn" and o.status != PASS]
        failed = self.failures
        head = "gate passed" if self.passed else "gate FAILED"
        text = f"{head}: {len(errors) - len(failed)} of {len(errors)} error-level assertions pass"
        if failed:
            n_inc = sum(1 for o in failed if o.status == INCONCLUSIVE)
            text += f", {len(failed) - n_inc} fail" + (f", {n_inc} inconclusive" if n_inc else "")
        if warns:
            text += f"; {len(warns)} warning{'s' if len(warns) != 1 else ''}"
        return text + f" ({self.replications} replications, seed {self.seed})"


def next_replications(outcomes: Sequence[Outcome], n: int, cap: int) -> int:
    """How many replications the next round needs, from the undecided intervals.

    A CI half-width shrinks like 1/sqrt(n); to bring half-width h inside the distance d
    between the estimate and the threshold takes about n * (h/d)^2 replications.
    """
    need = MIN_GROWTH * n
    for o in outcomes:
        if o.status != INCONCLUSIVE or o.assertion.level != "error":
            continue
        half = (o.high - o.low) / 2
        distance = abs(o.value - o.assertion.threshold)
        if math.isfinite(half) and distance > 0:
            need = max(need, math.ceil(MARGIN * n * (half / distance) ** 2))
        else:
            need = MAX_GROWTH * n
    return min(cap, min(need, MAX_GROWTH * n))


def _undecided(outcomes: Sequence[Outcome]) -> bool:
    return any(o.status == INCONCLUSIVE and o.assertion.level == "error" for o in outcomes)


def run_gate(
    candidate: Scenario,
    assertions: Sequence[Assertion],
    *,
    baseline: Scenario | None = None,
    replications: int | None = None,
    max_replications: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    allow_inconclusive: bool = False,
    simulate: Simulate | None = None,
    progress: Callable[[int, int], None] | None = None,
    executor: Executor | None = None,
) -> GateRun:
    """Simulate ``candidate`` (and ``baseline``), judge every assertion, and rerun with
    more replications while an error-level assertion is inconclusive and the cap allows.

    ``replications`` and ``seed`` default to the candidate's; ``max_replications`` to
    four times the start. ``simulate`` defaults to ``whorunsit.api.simulate``;
    ``executor`` (a Dask cluster, say) is handed to it for every round.
    """
    if simulate is None:
        from whorunsit.api import simulate
    n = replications if replications is not None else candidate.replications
    seed = seed if seed is not None else candidate.seed
    cap = max_replications if max_replications is not None else DEFAULT_CAP_FACTOR * n
    problems = []
    if n < 2:
        problems.append(Problem(Location("--replications"), f"{n} is too few",
                                "at least 2 replications, so there is a confidence interval"))
    if cap < n:
        problems.append(Problem(Location("--max-replications"), f"{cap} is below the {n} replications the gate starts with",
                                f"a cap of at least {n}"))
    if baseline is not None and baseline.currency != candidate.currency:
        problems.append(Problem(Location(baseline.source),
                                f"the baseline's currency is {baseline.currency} but the gated "
                                f"scenario's is {candidate.currency}", "one currency for both"))
    if problems:
        raise InputError(problems)

    rounds = []
    while True:
        rounds.append(n)
        kwargs = {"replications": n, "seed": seed, "workers": workers, "progress": progress}
        if executor is not None:
            kwargs["executor"] = executor
        cand = simulate(candidate, **kwargs)
        base = simulate(baseline, **kwargs) if baseline is not None else None
        outcomes = evaluate(assertions, cand, base)
        if not _undecided(outcomes) or n >= cap:
            break
        n = next_replications(outcomes, n, cap)
    return GateRun(tuple(outcomes), candidate, baseline, seed, tuple(rounds), cap, allow_inconclusive)
