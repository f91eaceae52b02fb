"""The library API: load a scenario, simulate it, get per-replication results.

    from whorunsit import api
    scenario = api.load("scenarios/you-build-it-ops-run-it.yaml")
    results = api.simulate(scenario, replications=200, seed=1)
    results.estimate("incidents.time_to_restore.p95")   # value, 95% CI, unit
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from whorunsit.errors import InputError, Location, Problem
from whorunsit.model import Scenario
from whorunsit.stats.results import Results

if TYPE_CHECKING:
    from whorunsit.engine.executors import Executor

#: most incidents plus deployment requests one replication may be expected to play
MAX_EXPECTED_ITEMS = 500_000


def load(path: str | Path) -> Scenario:
    """Read, check and resolve a scenario file (``extends`` included)."""
    from whorunsit.scenario import load_scenario

    return load_scenario(path)


def _check(scenario: Scenario, replications: int, workers: int, precision: float | None,
           max_replications: int) -> None:
    problems = []

    def bad(where: str, message: str, expected: str) -> None:
        problems.append(Problem(Location(where), message, expected))

    if replications < 1:
        bad("--replications", f"{replications} replications", "at least 1")
    if workers < 1:
        bad("--workers", f"{workers} workers", "at least 1")
    if precision is not None and not precision > 0:
        bad("--precision", f"precision {precision}", "a relative half-width above 0, e.g. 0.05")
    if max_replications < 1:
        bad("--max-replications", f"{max_replications} replications", "at least 1")
    if scenario.horizon <= scenario.warmup:
        bad(scenario.source, f"horizon {scenario.horizon:g} h is not after the warm-up "
            f"({scenario.warmup:g} h)", "a horizon longer than the warm-up")
    expected = scenario.horizon * sum(
        a.incident_rate + a.deployment_rate for a in scenario.applications)
    if expected > MAX_EXPECTED_ITEMS:
        bad(scenario.source, f"one replication would play about {expected:,.0f} incidents and "
            "deployments", f"at most {MAX_EXPECTED_ITEMS:,}: shorten the horizon or lower "
            "the rates")
    if problems:
        raise InputError(problems)


def check(scenario: Scenario, replications: int | None = None) -> None:
    """Raise InputError (located) if ``scenario`` cannot be simulated as asked, without
    playing anything: what ``simulate`` checks before it starts."""
    from whorunsit.engine.plan.plan import plan_for

    total = scenario.replications if replications is None else int(replications)
    _check(scenario, total, 1, None, max(total, 1))
    plan_for(scenario)


def extend(results: Results, replications: int, *, workers: int | None = None,
           progress: Callable[[int, int], None] | None = None, executor=None) -> Results:
    """``results`` grown to ``replications`` replications. Replication r depends only on
    the seed and r, so this equals a fresh run of that many, without replaying the first."""
    import numpy as np

    from whorunsit.engine.chunks import merge
    from whorunsit.engine.runner import Runner, default_workers

    done = results.replications
    if replications <= done:
        return results
    workers = default_workers() if workers is None else int(workers)
    with Runner(results.scenario, results.seed, workers, executor=executor) as runner:
        def report(n: int) -> None:
            if progress is not None:
                progress(n, replications - done)

        samples, histograms = merge(runner.run(done, replications, report))
    joined = {k: np.concatenate([results.samples[k], samples[k]]) for k in results.samples
              if k in samples}
    pooled = {k: results.histograms.get(k, 0) + v for k, v in histograms.items()}
    return Results(results.scenario, results.seed, joined, pooled)


def simulate(scenario: Scenario, *, replications: int | None = None, seed: int | None = None,
             workers: int | None = None, precision: float | None = None,
             precision_metric: str = "incidents.time_to_restore.mean",
             max_replications: int = 5000,
             progress: Callable[[int, int], None] | None = None,
             executor: Executor | None = None) -> Results:
    """Play replications of ``scenario`` and return every metric per replication.

    ``replications`` and ``seed`` default to the scenario's. ``workers`` None uses up to
    two processes, 1 runs in this process; results are identical either way. With
    ``precision`` (0.05 = 5%), replications are added in batches until the 95% CI
    half-width of ``precision_metric`` is within that share of its value, or
    ``max_replications`` is reached. ``progress(done, total)`` is called as
    replications finish (``total`` may grow in precision mode). ``executor`` plays the
    chunks elsewhere, e.g. on a Dask cluster (``whorunsit.distribute.open_executor``),
    with the same results; ``workers`` then does not apply.
    """
    from whorunsit.engine.chunks import merge
    from whorunsit.engine.plan.plan import plan_for
    from whorunsit.engine.runner import Runner, default_workers
    from whorunsit.stats import precision as prec

    seed = scenario.seed if seed is None else int(seed)
    workers = default_workers() if workers is None else int(workers)
    if precision is None:
        total = scenario.replications if replications is None else int(replications)
    else:
        first = prec.FIRST_BATCH if replications is None else int(replications)
        total = max(2, min(first, max_replications))
    _check(scenario, total, workers, precision, max_replications)
    plan_for(scenario)  # located input errors now, not inside a worker

    chunks = []
    expected = total if precision is None else max_replications
    with Runner(scenario, seed, workers, replications=expected, executor=executor) as runner:
        done = 0
        while True:
            def report(n: int, base: int = done, target: int = total) -> None:
                if progress is not None:
                    progress(base + n, target)

            chunks += runner.run(done, total, report)
            done = total
            if precision is None:
                break
            samples, _ = merge(chunks)
            if precision_metric not in samples:
                raise InputError(Problem(
                    Location("--precision-metric"), f"unknown metric {precision_metric!r}",
                    "a metric name such as incidents.time_to_restore.mean"))
            values = samples[precision_metric]
            if prec.meets(values, precision):
                break
            total = prec.next_total(values, precision, done, max_replications)
            if total <= done:
                break
    samples, histograms = merge(chunks)
    return Results(scenario, seed, samples, histograms)


def prepare(scenario: Scenario) -> str:
    """Load the compiled code a run of ``scenario`` uses, compiling it (and saying so on
    stderr) the first time; returns which engine that is ("fast path" or "compiled
    engine")."""
    from whorunsit.engine.runner import Runner

    runner = Runner(scenario, scenario.seed, 1)
    runner.warm()
    return "fast path" if runner.fast else "compiled engine"


def warmup() -> dict[str, float]:
    """Compile (or load) every piece of compiled code a simulation can use, so no later
    run pays the one-off compile; seconds each part took, by part."""
    import time

    from whorunsit.scenario import loads_scenario
    from whorunsit.warmup import SCENARIOS

    took = {}
    for part, text in SCENARIOS.items():
        start = time.perf_counter()
        prepare(loads_scenario(text, f"<warm-up: {part}>"))
        took[part] = time.perf_counter() - start
    return took


def cache_info() -> dict:
    """Where the compiled engine is kept and how big it is (never imports numba)."""
    from whorunsit.engine import cache_location as cl

    choice = cl.candidates()[0]
    size, files = cl.size(choice.directory)
    return {"directory": str(choice.directory), "chosen_by": choice.setting,
            "bytes": size, "files": files, "bytes_all_versions": cl.size(choice.base)[0],
            "problem": cl.problem(choice.directory),
            "compiled": sorted(p.name[len("compiled-"):].replace("-", " ")
                               for p in choice.directory.glob("compiled-*"))}


def clear_cache() -> int:
    """Remove the compiled engine (every version) from its cache; the bytes freed."""
    from whorunsit.engine import cache_location as cl

    return cl.clear(cl.candidates()[0])

