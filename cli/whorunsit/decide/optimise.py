"""``whorunsit optimise``: the best variant subject to targets, with its evidence.

Ranking and selection under common random numbers, in two parts (docs/decisions.md):

1. Screening. Every candidate (all grid points when there are at most
   ``EXHAUSTIVE`` of them; otherwise the candidates a neighbourhood search visits) plays
   ``n0`` replications with the same seed. A candidate is out when a target fails on its
   whole 95% interval (infeasible), or when a feasible candidate beats it on the
   objective in a paired t-test at family-wise level 5% (Bonferroni over the others):
   the screen-to-the-best subset step of Nelson, Swann, Goldsman & Song (2001), with
   the paired variance that common random numbers make small.
2. Sequential elimination. The survivors get more replications (doubling, the same
   replication indices for all, so they stay paired) and are screened again, until one
   feasible candidate is left or the replication budget is spent. Then the winner is
   the feasible survivor with the best mean, and the report says plainly which
   survivors the data could not separate from it.

Large grids: a seeded random sample of ``SEARCH_START`` points, then a neighbourhood
(pattern) search that screens every untried neighbour (one step along one --vary) of
the best candidate so far, until the best has no better neighbour or the budget is
spent. Decision variables are grid axes, so the search is the same for integers,
numbers and categories (a category's neighbours are the values listed next to it).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from whorunsit import api
from whorunsit.decide import evidence
from whorunsit.decide.variants import Variant, build_all
from whorunsit.decide.vary import Vary
from whorunsit.errors import InputError, Location, Problem
from whorunsit.gate import PASS
from whorunsit.gate.evaluate import FAIL
from whorunsit.model import GateSpec
from whorunsit.stats.results import Results

SCHEMA_VERSION = 1
#: grids up to this many points are screened exhaustively
EXHAUSTIVE = 64
#: random starting points of the neighbourhood search on larger grids
SEARCH_START = 16
DEFAULT_N0 = 20
ALPHA = 0.05
PROCEDURE = ("screen-to-the-best subset selection (Nelson, Swann, Goldsman & Song 2001) "
             "under common random numbers, repeated with doubling replications")

Progress = Callable[[int, int], None]


@dataclass
class OptimiseRequest:
    file: str
    varies: list[Vary]
    objective: str
    maximise: bool = False
    zipped: bool = False
    targets: Sequence[GateSpec] = ()
    replications: int | None = None
    budget: int | None = None
    seed: int | None = None
    workers: int | None = None
    #: where replications run (an ``engine.executors.Executor``: a Dask cluster); None:
    #: the local pool
    executor: object | None = None


@dataclass
class Candidate:
    index: int
    variant: Variant
    results: Results | None = None
    status: str = "contender"
    reason: str = ""
    feasibility: str = "undecided"
    extra: dict = field(default_factory=dict)

    @property
    def n(self) -> int:
        return self.results.replications if self.results is not None else 0


class _Spend:
    """Replications spent against the budget, and the progress bar."""

    def __init__(self, budget: int, progress: Progress | None, executor: object | None = None):
        self.budget = budget
        self.spent = 0
        self.progress = progress
        self.executor = executor

    def left(self) -> int:
        return self.budget - self.spent

    def run(self, c: Candidate, n: int, seed: int, workers: int | None) -> None:
        base = self.spent

        def report(done: int, _total: int) -> None:
            if self.progress is not None:
                self.progress(min(base + done, self.budget), self.budget)

        before = c.n
        if c.results is None:
            c.results = api.simulate(c.variant.scenario, replications=n, seed=seed,
                                     workers=workers, progress=report,
                                     executor=self.executor)
        else:
            c.results = api.extend(c.results, n, workers=workers, progress=report,
                                   executor=self.executor)
        self.spent += c.n - before


def _objective(req: OptimiseRequest, c: Candidate) -> np.ndarray:
    x = c.results.samples[req.objective]
    return -x if req.maximise else x


def _feasibility(c: Candidate, assertions) -> None:
    meets, details = evidence.judge_targets(c.results, assertions)
    c.extra["targets"] = details
    c.extra["p_meets_targets"] = evidence.probability_all_hold(c.results, assertions)
    if not assertions or meets is True:
        c.feasibility = "feasible"
    elif meets is False:
        c.feasibility = "infeasible"
        failed = [d["target"] for d in details if d["status"] == FAIL]
        c.status, c.reason = "out", "fails " + "; ".join(failed)
    else:
        c.feasibility = "undecided"
    if assertions and meets is None:
        c.extra["undecided"] = [d["target"] for d in details if d["status"] != PASS]


def _t(df: int, alpha: float) -> float:
    from scipy.special import stdtrit

    return float(stdtrit(df, 1 - alpha))


def screen(req: OptimiseRequest, cands: list[Candidate]) -> None:
    """Drop every contender that a feasible contender beats in a paired t-test."""
    live = [c for c in cands if c.status == "contender"]
    if len(live) < 2:
        return
    n = min(c.n for c in live)
    if n < 2:
        return
    alpha = ALPHA / (len(live) - 1)
    t = _t(n - 1, alpha)
    obj = {c.index: _objective(req, c)[:n] for c in live}
    beaten = {}
    for i in live:
        for j in live:
            if i is j or j.feasibility != "feasible":
                continue
            d = obj[i.index] - obj[j.index]
            d = d[np.isfinite(d)]
            if len(d) < 2:
                continue
            half = t * float(d.std(ddof=1)) / math.sqrt(len(d))
            if float(d.mean()) - half > 0:
                beaten[i.index] = j
                break
    for c in live:
        if c.index in beaten:
            c.status = "out"
            c.reason = f"worse than {beaten[c.index].variant.label()} (paired t-test)"


def _neighbours(index: tuple[int, ...], shape: tuple[int, ...]) -> list[tuple[int, ...]]:
    out = []
    for axis, size in enumerate(shape):
        for step in (-1, 1):
            k = index[axis] + step
            if 0 <= k < size:
                out.append(index[:axis] + (k,) + index[axis + 1:])
    return out


def _mean(req: OptimiseRequest, c: Candidate) -> float:
    x = _objective(req, c)
    return float(np.nanmean(x)) if np.isfinite(x).any() else math.inf


def run(req: OptimiseRequest, progress: Progress | None = None) -> dict:
    variants = build_all(req.file, req.varies, req.zipped, req.replications)
    scenarios = [v.scenario for v in variants]
    evidence.check_metrics([req.objective], scenarios)
    assertions = evidence.parse_targets(req.targets, scenarios)
    first = scenarios[0]
    seed = first.seed if req.seed is None else req.seed
    n0 = req.replications or DEFAULT_N0
    exhaustive = len(variants) <= EXHAUSTIVE
    screened_first = len(variants) if exhaustive else min(SEARCH_START, len(variants))
    budget = req.budget or 4 * n0 * (screened_first if exhaustive else 3 * screened_first)
    if budget < n0 * min(2, len(variants)):
        raise InputError(Problem(Location("--budget"), f"a budget of {budget} replications",
                                 f"at least {n0 * min(2, len(variants))} (two candidates at "
                                 f"{n0} replications)"))
    cands = [Candidate(i, v) for i, v in enumerate(variants)]
    spend = _Spend(budget, progress, req.executor)

    def visit(c: Candidate) -> bool:
        if c.results is not None:
            return True
        if spend.left() < n0:
            return False
        spend.run(c, n0, seed, req.workers)
        _feasibility(c, assertions)
        return True

    if exhaustive:
        order = cands
    else:
        rng = np.random.default_rng(seed)
        order = [cands[i] for i in rng.choice(len(cands), SEARCH_START, replace=False)]
    for c in order:
        visit(c)
    if not exhaustive:
        _search(req, cands, visit)
    screened = [c for c in cands if c.results is not None]
    screen(req, screened)
    # sequential stage: more replications for the survivors until one is left
    while True:
        live = [c for c in screened if c.status == "contender"]
        # candidates whose every replication gave the same objective are one candidate:
        # no number of replications separates them
        distinct = {_objective(req, c).tobytes() for c in live}
        settled = len(distinct) <= 1 and all(c.feasibility != "undecided" for c in live)
        n = max((c.n for c in live), default=0)
        target = 2 * n
        need = sum(target - c.n for c in live)
        if settled or not live or need > spend.left():
            break
        for c in live:
            spend.run(c, target, seed, req.workers)
            _feasibility(c, assertions)
        screen(req, screened)
    return _report(req, cands, screened, assertions, seed, n0, budget, spend.spent, exhaustive)


def _search(req: OptimiseRequest, cands: list[Candidate], visit) -> None:
    shape = tuple(len(v.values) for v in req.varies) if not req.zipped else (len(cands),)
    grid = {tuple(np.unravel_index(c.index, shape)): c for c in cands}

    def best() -> Candidate | None:
        ok = [c for c in cands if c.results is not None and c.feasibility != "infeasible"]
        return min(ok, key=lambda c: _mean(req, c)) if ok else None

    while True:
        b = best()
        if b is None:
            return
        at = tuple(int(k) for k in np.unravel_index(b.index, shape))
        fresh = [grid[k] for k in _neighbours(at, shape) if grid[k].results is None]
        if not fresh:
            return
        if not all(visit(c) for c in fresh):
            return
        if best() is b:
            return


def _entry(req: OptimiseRequest, c: Candidate, currency: str) -> dict:
    from whorunsit.report.machine import metric_entry

    objective = metric_entry(c.results.estimate(req.objective))
    return {"values": dict(c.variant.values), "objective": objective,
            "replications": c.n, "feasibility": c.feasibility, "status": c.status,
            "reason": c.reason, "p_meets_targets": c.extra.get("p_meets_targets"),
            "targets": c.extra.get("targets", [])}


def _report(req, cands, screened, assertions, seed, n0, budget, spent, exhaustive) -> dict:
    currency = cands[0].variant.scenario.currency
    live = [c for c in screened if c.status == "contender"]
    feasible_live = [c for c in live if c.feasibility == "feasible"]
    winner = min(feasible_live, key=lambda c: _mean(req, c)) if feasible_live else None
    if winner is not None:
        winner.status = "winner"
    ranked = sorted((c for c in screened if c is not winner and c.feasibility != "infeasible"),
                    key=lambda c: (c.status != "contender", _mean(req, c)))
    inseparable = [c for c in ranked if c.status == "contender"]
    for c in inseparable:
        if winner is not None and c.n == winner.n and \
                np.array_equal(_objective(req, c), _objective(req, winner), equal_nan=True):
            c.reason = "identical to the winner in every replication: the change makes no difference here"
    if winner is None:
        verdict = ("No candidate was shown to meet every target."
                   if assertions else "No candidate could be evaluated.")
        if inseparable:
            verdict += (f" {len(inseparable)} are still undecided after {budget} replications: "
                        "a larger --budget may settle them.")
    else:
        same = [c for c in inseparable if c.reason.startswith("identical")]
        tied = [c for c in inseparable if c.feasibility == "feasible" and c not in same]
        open_ = [c for c in inseparable if c.feasibility == "undecided" and c not in same]
        parts = []
        if same:
            parts.append(f"{len(same)} candidate(s) gave the winner's result in every "
                         "replication: what they change makes no difference in this model.")
        if tied:
            parts.append(f"The data cannot separate the winner from {len(tied)} other feasible "
                         f"candidate(s) within the budget of {budget} replications: as far as "
                         "these replications can tell, they are as good.")
        if open_:
            parts.append(f"{len(open_)} candidate(s) are still undecided on the targets after "
                         f"{budget} replications; a larger --budget may settle them.")
        if not tied and not open_:
            parts.insert(0, "The winner is separated from every other candidate (paired "
                         "t-tests, 5% family-wise).")
        verdict = " ".join(parts) or ("The winner is separated from every other candidate "
                                      "(paired t-tests, 5% family-wise).")
    return {
        "schema_version": SCHEMA_VERSION,
        "command": "optimise",
        "scenario": {"name": cands[0].variant.scenario.name, "file": req.file,
                     "currency": currency},
        "seed": seed,
        "objective": req.objective,
        "direction": "maximise" if req.maximise else "minimise",
        "vary": [v.path for v in req.varies],
        "targets": [a.expression for a in assertions],
        "procedure": PROCEDURE,
        "search": "exhaustive" if exhaustive else "neighbourhood search from a random start",
        "candidates": len(cands),
        "screened": len(screened),
        "screening_replications": n0,
        "budget": budget,
        "replications_spent": spent,
        "winner": _entry(req, winner, currency) if winner else None,
        "separated": winner is not None and not any(
            not c.reason.startswith("identical") for c in inseparable),
        "verdict": verdict,
        "runners_up": [_entry(req, c, currency) for c in ranked[:5]],
        "infeasible": sum(c.feasibility == "infeasible" for c in screened),
    }
