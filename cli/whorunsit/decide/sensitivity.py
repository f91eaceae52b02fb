"""``whorunsit sensitivity``: which inputs move a metric most.

Two views of the same question (docs/decisions.md):

- One at a time (the tornado): each input is set to its LOW and then its HIGH value
  with every other input as written; the bar is the change of the metric's mean against
  the scenario as written, with a 95% interval from the paired per-replication
  differences (all runs share common random numbers).
- Global, variance-based (Sobol): inputs vary together over their ranges (Saltelli /
  Sobol' sequence sampling from SALib); first-order indices say what share of the
  metric's variance each input explains alone, total indices what it explains with all
  its interactions. SALib's bootstrap gives their 95% intervals. The simulation's own
  noise adds variance no input explains, so indices are conservative; more
  replications per point shrink it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from whorunsit import api
from whorunsit.decide import evidence, variants
from whorunsit.decide.vary import Vary, current, spell, split_number
from whorunsit.errors import InputError, Location, Problem, WhorunsitError
from whorunsit.report.machine import metric_entry
from whorunsit.stats.intervals import mean_interval

SCHEMA_VERSION = 1
EXTRA_MESSAGE = ("whorunsit sensitivity needs SALib for the Sobol indices: "
                 "pip install 'whorunsit[decide]' (or --no-sobol for the tornado alone)")
DEFAULT_METRICS = ("cost.total", "incidents.time_to_restore.mean")

Progress = Callable[[int, int], None]


@dataclass
class SensitivityRequest:
    file: str
    varies: list[Vary]
    metrics: Sequence[str] = ()
    replications: int = 50
    samples: int = 16
    sobol_replications: int = 10
    sobol: bool = True
    seed: int | None = None
    workers: int | None = None
    #: where replications run (an ``engine.executors.Executor``: a Dask cluster); None:
    #: the local pool
    executor: object | None = None


@dataclass(frozen=True)
class Input:
    path: str
    low: float
    high: float
    base: float
    unit: str
    integer: bool

    def text(self, x: float) -> str:
        return spell(round(x) if self.integer else x, self.unit)


def _salib():
    try:
        from SALib.analyze import sobol as analyze
        from SALib.sample import sobol as sample
    except ImportError:
        raise WhorunsitError(EXTRA_MESSAGE) from None
    return sample, analyze


def inputs(tree, varies: Sequence[Vary]) -> list[Input]:
    problems, out = [], []
    for v in varies:
        if v.numbers is None or len(v.numbers) < 2:
            problems.append(Problem(Location(f"--vary {v.path}"), "sensitivity needs a numeric "
                                    "range", "LOW..HIGH, e.g. 2..8 or 10%..50%"))
            continue
        low, high = min(v.numbers), max(v.numbers)
        node = current(tree, v.path)
        written = node.value if node is not None else None
        base = (low + high) / 2
        integer = all(float(x).is_integer() for x in v.numbers) and v.unit == ""
        if node is not None and node.is_scalar:
            split = split_number(str(node.text or node.value))
            if split is not None and split[1].strip() == v.unit.strip():
                base = split[0]
            integer = integer and isinstance(written, int)
        out.append(Input(v.path, low, high, base, v.unit, integer))
    if problems:
        raise InputError(problems)
    return out


def _tornado(req, ins, names, run_point) -> tuple[list[dict], dict]:
    base_values = {i.path: i.text(i.base) for i in ins}
    base = run_point(base_values, req.replications)
    bars = []
    for i in ins:
        ends = {}
        for side, x in (("low", i.low), ("high", i.high)):
            r = run_point({**base_values, i.path: i.text(x)}, req.replications)
            ends[side] = {"value": i.text(x), "effects": {n: _paired(r, base, n) for n in names}}
        bars.append({"path": i.path, "base": i.text(i.base), **ends})
    return bars, {n: metric_entry(base.estimate(n)) for n in names}


def _paired(r, base, name: str) -> dict:
    d = r.samples[name] - base.samples[name]
    value, low, high = mean_interval(d)
    finite = [x if math.isfinite(x) else None for x in (value, low, high)]
    return {"value": finite[0], "ci95": finite[1:], "unit": base.unit(name)}


def run(req: SensitivityRequest, progress: Progress | None = None) -> dict:
    tree = variants.load_base(req.file)
    variants.check_paths(tree, req.varies)
    ins = inputs(tree, req.varies)
    sample = analyze = None
    if req.sobol:
        sample, analyze = _salib()
    problem = {"num_vars": len(ins), "names": [i.path for i in ins],
               "bounds": [[i.low, i.high] for i in ins]}
    first = variants.build(tree, req.file, {i.path: i.text(i.base) for i in ins})
    seed = first.seed if req.seed is None else req.seed
    names = list(req.metrics) or [m for m in DEFAULT_METRICS]
    # every point is built (and so checked) before anything runs
    oat_points = [{i.path: i.text(i.base) for i in ins}]
    for i in ins:
        for x in (i.low, i.high):
            oat_points.append({**oat_points[0], i.path: i.text(x)})
    X = sample.sample(problem, req.samples, calc_second_order=False, seed=seed) if req.sobol \
        else np.empty((0, len(ins)))
    sobol_points = [{i.path: i.text(x) for i, x in zip(ins, row, strict=True)} for row in X]
    built = {}
    problems = []
    for values in oat_points + sobol_points:
        key = tuple(values.items())
        if key in built:
            continue
        try:
            built[key] = variants.build(tree, req.file, values)
        except InputError as exc:
            problems.extend(p for p in exc.problems if p not in problems)
    if problems:
        raise InputError(problems[:variants.MAX_POINT_PROBLEMS])
    evidence.check_metrics(names, list(built.values()))
    total = len(oat_points) * req.replications + len(sobol_points) * req.sobol_replications
    done = [0]
    cache: dict[tuple, object] = {}

    def run_point(values: dict[str, str], n: int):
        key = (tuple(values.items()), n)
        if key in cache:
            done[0] += n
            return cache[key]
        base = done[0]

        def report(k: int, _t: int) -> None:
            if progress is not None:
                progress(base + k, total)

        r = api.simulate(built[tuple(values.items())], replications=n, seed=seed,
                         workers=req.workers, progress=report, executor=req.executor)
        done[0] += n
        cache[key] = r
        return r

    bars, base_metrics = _tornado(req, ins, names, run_point)
    sobol = None
    if req.sobol:
        outputs = {n: [] for n in names}
        for values in sobol_points:
            r = run_point(values, req.sobol_replications)
            for n in names:
                outputs[n].append(float(np.nanmean(r.samples[n])))
        sobol = {}
        for n in names:
            y = np.asarray(outputs[n])
            if not np.isfinite(y).all() or np.ptp(y) == 0:
                sobol[n] = None
                continue
            si = analyze.analyze(problem, y, calc_second_order=False, conf_level=0.95, seed=seed)
            sobol[n] = {i.path: {"first_order": _index(si["S1"][k], si["S1_conf"][k]),
                                 "total": _index(si["ST"][k], si["ST_conf"][k])}
                        for k, i in enumerate(ins)}
    return {
        "schema_version": SCHEMA_VERSION,
        "command": "sensitivity",
        "scenario": {"name": first.name, "file": req.file, "currency": first.currency},
        "seed": seed,
        "metrics": names,
        "inputs": [{"path": i.path, "low": i.text(i.low), "high": i.text(i.high),
                    "base": i.text(i.base)} for i in ins],
        "base": base_metrics,
        "tornado": {"replications": req.replications, "bars": bars},
        "sobol": None if sobol is None else {
            "samples": req.samples, "points": len(sobol_points),
            "replications_per_point": req.sobol_replications, "indices": sobol},
    }


def _index(value: float, conf: float) -> dict:
    """An index with its 95% interval, kept inside [0, 1] where indices live (the
    estimator itself can stray outside with few samples)."""
    if not math.isfinite(value):
        return {"value": None, "ci95": [None, None]}
    conf = conf if math.isfinite(conf) else math.inf
    clip = lambda x: min(1.0, max(0.0, x))  # noqa: E731
    return {"value": clip(value), "ci95": [clip(value - conf), clip(value + conf)]}
