"""``whorunsit sweep``: one scenario at many values of a few of its settings.

Every point is built and checked before any runs. All points play the same seed, so
replication r of every point draws the same random numbers for the same purposes
(common random numbers): the differences between neighbouring points are paired, and a
chart of the metric against the varied value is smooth where the model is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from whorunsit import api
from whorunsit.decide import evidence
from whorunsit.decide.variants import Variant, build_all
from whorunsit.decide.vary import Vary
from whorunsit.model import GateSpec

SCHEMA_VERSION = 1

Progress = Callable[[int, int], None]


@dataclass
class SweepRequest:
    file: str
    varies: list[Vary]
    zipped: bool = False
    metrics: Sequence[str] = ()
    targets: Sequence[GateSpec] = ()
    replications: int | None = None
    seed: int | None = None
    workers: int | None = None
    #: where replications run (an ``engine.executors.Executor``: a Dask cluster); None:
    #: the local pool
    executor: object | None = None


def prepare(req: SweepRequest) -> tuple[list[Variant], tuple]:
    """Every point's scenario and the parsed targets: all input problems, before any run."""
    variants = build_all(req.file, req.varies, req.zipped, req.replications)
    scenarios = [v.scenario for v in variants]
    if req.metrics:
        evidence.check_metrics(req.metrics, scenarios)
    assertions = evidence.parse_targets(req.targets, scenarios)
    return variants, assertions


def run(req: SweepRequest, progress: Progress | None = None) -> dict:
    """The sweep as a plain, JSON-able dict (see ``docs/decisions.md`` for its shape)."""
    variants, assertions = prepare(req)
    first = variants[0].scenario
    seed = first.seed if req.seed is None else req.seed
    n = first.replications if req.replications is None else req.replications
    total = n * len(variants)
    results = []
    for i, v in enumerate(variants):
        def report(done: int, _target: int, base: int = i * n) -> None:
            if progress is not None:
                progress(base + done, total)

        results.append(api.simulate(v.scenario, replications=n, seed=seed, workers=req.workers,
                                    progress=report, executor=req.executor))
    names = list(req.metrics) or evidence.default_metrics(results[0])
    points = []
    for v, r in zip(variants, results, strict=True):
        meets, details = evidence.judge_targets(r, assertions)
        points.append({
            "values": dict(v.values),
            "metrics": evidence.metric_entries(r, names),
            "meets_targets": meets,
            "p_meets_targets": evidence.probability_all_hold(r, assertions),
            "targets": details,
            "cost_total": evidence.metric_entries(r, ["cost.total"])["cost.total"]["value"],
        })
    numeric = {v.path: list(v.numbers) if v.numbers is not None else None for v in req.varies}
    return {
        "schema_version": SCHEMA_VERSION,
        "command": "sweep",
        "scenario": {"name": first.name, "file": req.file, "currency": first.currency},
        "seed": seed,
        "replications": n,
        "zip": req.zipped,
        "vary": [v.path for v in req.varies],
        "numbers": numeric,
        "metric_names": names,
        "targets": [a.expression for a in assertions],
        "points": points,
        "knee": knee(points, len(req.varies) > 1 and not req.zipped) if assertions else None,
    }


def knee(points: list[dict], grid: bool) -> dict | None:
    """The first point in order meeting every target (a single --vary or --zip), or on a
    grid the cheapest (lowest mean cost.total) point meeting every target. Along one axis
    ``fails_from`` is the first later point shown to miss a target."""
    meeting = [i for i, p in enumerate(points) if p["meets_targets"] is True]
    if not meeting:
        return None
    if grid:
        priced = [i for i in meeting if points[i]["cost_total"] is not None]
        best = min(priced or meeting, key=lambda i: points[i]["cost_total"] or 0.0)
        rule = ("cheapest point meeting every target (by mean cost.total; "
                "`whorunsit optimise` tests whether it is really cheaper)")
    else:
        best = meeting[0]
        rule = "first value meeting every target"
    p = points[best]
    out = {"index": best, "values": dict(p["values"]), "rule": rule,
           "probability": p["p_meets_targets"], "fails_from": None}
    if not grid:
        # along one axis: where, past the knee, the targets stop holding (a tipping point)
        after = [i for i in range(best + 1, len(points)) if points[i]["meets_targets"] is False]
        if after:
            out["fails_from"] = dict(points[after[0]]["values"])
    return out
