"""`make bench`: how fast whorunsit is, measured on this machine in one run (issue 6).

Three parts, each printed next to its target with PASS or MISS (targets are never
asserted in tests: timings belong to a machine, not to the code):

1. tiers3 (benchmarks/tiers3.yaml, the same network as benchmarks/simpy_tiers3.py):
   incidents simulated per second by whorunsit's fast path, by its general engine and
   by plain SimPy, all on one core; and each tier's mean wait from each of them with a
   95% confidence interval, next to the Erlang C value.
2. the flagship at-scale run (benchmarks/at-scale-30.yaml): wall time and peak memory
   of 1000 replications on both cores, and how time grows when the teams, the horizon
   and the replications double.
3. whole processes, as a user types them (issue 13): `whorunsit --help`, `validate`,
   `simulate ... --replications 10` with a warm compile cache, each best of N against
   `python -c pass`; and `whorunsit simulate benchmarks/tiers3.yaml` as a process
   against the SimPy model as a process over the same replications (the scenario's
   own 200), in incidents per second (start-up included on both sides), with each
   side's one-replication run and its rate beyond that.
4. sweep (issue 14): a 20-point `whorunsit sweep` of the at-scale model (App Ops staffing,
   headcount and responders zipped) at 200 replications a point, wall time on both cores.
5. fit: docs/fit.md's example, timed. 6. scenarios: every shipped scenario in-process,
   warm, on one worker, in incidents per second and ms per replication.

`--quick` shrinks every size for a smoke run (the figures then mean little).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))
if str(ROOT / "cli") not in sys.path:
    sys.path.insert(0, str(ROOT / "cli"))

TIERS3 = HERE / "tiers3.yaml"
AT_SCALE = HERE / "at-scale-30.yaml"
AT_SCALE_BASE = ROOT / "scenarios" / "you-build-it-ops-run-it-at-scale.yaml"

TARGET_SPEEDUP = 100.0
TARGET_AT_SCALE_SECONDS = 10.0
TARGET_AT_SCALE_BYTES = 1 << 30
TARGET_HELP_SECONDS = 0.3
TARGET_SWEEP_SECONDS = 20.0
TARGET_VALIDATE_SECONDS = 0.5
TARGET_SIMULATE10_SECONDS = 1.0
SHIPPED = ROOT / "scenarios" / "you-build-it-ops-run-it.yaml"


@dataclasses.dataclass(frozen=True)
class Sizes:
    """How much each part simulates. Replications of tiers3 are 4-week runs by default."""

    tiers3_horizon: float = 4 * 168.0
    tiers3_warmup: float = 24.0
    fast_replications: int = 400
    general_replications: int = 20
    simpy_replications: int = 10
    at_scale_replications: int | None = None  # None: the scenario's own (1000)
    at_scale_horizon: float | None = None  # None: the scenario's own (52 weeks)
    scaling: bool = True
    flagship: bool = True
    #: replications of the scaling runs' base (the doubled runs double it): a twentieth
    #: of the flagship keeps `make bench` within minutes while the general engine is slow
    scaling_replications: int = 50
    #: every scaling run is repeated this often, interleaved, and the least CPU time
    #: kept: other jobs on a shared machine only ever add time
    scaling_rounds: int = 3
    startup_repeats: int = 5
    sweep_points: int = 20
    sweep_replications: int = 200
    #: replications of both processes in the whole-process tiers3 race: the scenario's
    #: own, what a user who types `whorunsit simulate benchmarks/tiers3.yaml` runs
    process_replications: int = 200
    #: shipped scenarios: seconds of timed work each, and at most this many replications
    scenario_seconds: float = 2.0
    scenario_max_replications: int = 5000


FULL = Sizes()
QUICK = Sizes(
    tiers3_horizon=168.0,
    fast_replications=40,
    general_replications=4,
    simpy_replications=2,
    at_scale_replications=20,
    at_scale_horizon=8 * 168.0,
    scaling_replications=10,
    scaling_rounds=1,
    startup_repeats=3,
    sweep_points=4,
    sweep_replications=20,
    process_replications=2,
    scenario_seconds=0.2,
    scenario_max_replications=20,
)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


# -- 1. tiers3 ---------------------------------------------------------------------------
@dataclasses.dataclass
class Contender:
    name: str
    incidents: int
    seconds: float
    #: per tier: (mean, low, high) of the per-replication mean waits, hours
    waits: dict[str, tuple[float, float, float]]

    @property
    def rate(self) -> float:
        return self.incidents / self.seconds if self.seconds > 0 else math.nan


def _interval(values: list[float]) -> tuple[float, float, float]:
    from whorunsit.stats.intervals import mean_interval

    return mean_interval(values)


def _tiers3_scenario(sizes: Sizes):
    from whorunsit.scenario import load_scenario

    scenario = load_scenario(TIERS3)
    return dataclasses.replace(
        scenario, horizon=sizes.tiers3_horizon, warmup=sizes.tiers3_warmup
    )


def _from_results(name: str, results, seconds: float, teams: list[str]) -> Contender:
    samples = results.samples
    waits = {t: _interval(list(samples[f"teams.{t}.queue_wait.mean"])) for t in teams}
    incidents = int(samples["incidents.count"].sum())
    return Contender(name, incidents, seconds, waits)


def run_fast(scenario, replications: int) -> Contender:
    """The fast path in this process: one core, like SimPy."""
    from whorunsit.engine.fastpath import fastpath
    from whorunsit.stats.results import Results

    # compiled code is loaded (or compiled once) before timing, as SimPy's import is
    fastpath.simulate(scenario, replications=1, seed=scenario.seed)
    began = time.perf_counter()
    samples, hists = fastpath.simulate(scenario, replications=replications, seed=scenario.seed)
    seconds = time.perf_counter() - began
    results = Results(scenario, scenario.seed, samples, hists)
    return _from_results("whorunsit fast path", results, seconds, ["l1", "l2", "l3"])


def run_default(scenario, replications: int) -> Contender:
    """What a user gets: ``api.simulate`` with its default workers (both cores)."""
    from whorunsit import api

    began = time.perf_counter()
    results = api.simulate(scenario, replications=replications, seed=scenario.seed)
    seconds = time.perf_counter() - began
    workers = min(2, os.cpu_count() or 1)
    return _from_results(f"whorunsit, {workers} workers", results, seconds, ["l1", "l2", "l3"])


def run_general(scenario, replications: int) -> Contender:
    """The general event-driven engine on the same scenario, in this process."""
    from whorunsit.engine.chunks import merge
    from whorunsit.engine.runner import Runner
    from whorunsit.stats.results import Results

    with Runner(scenario, scenario.seed, workers=1, fast=False) as runner:
        runner.run(0, 1)  # load the compiled kernel before timing, as above
    began = time.perf_counter()
    with Runner(scenario, scenario.seed, workers=1, fast=False) as runner:
        samples, hists = merge(runner.run(0, replications))
    seconds = time.perf_counter() - began
    results = Results(scenario, scenario.seed, samples, hists)
    return _from_results("whorunsit general engine", results, seconds, ["l1", "l2", "l3"])


def run_simpy(sizes: Sizes, seed: int) -> Contender:
    import simpy_tiers3

    runs = [
        simpy_tiers3.run(sizes.tiers3_horizon, sizes.tiers3_warmup, seed=seed + r)
        for r in range(sizes.simpy_replications)
    ]
    names = [name for name, *_ in simpy_tiers3.TIERS]
    # counted like whorunsit's incidents.count: incidents that started after warm-up
    measured = sum(r.incidents_measured for r in runs)
    waits = {t: _interval([r.mean_wait[t] for r in runs]) for t in names}
    return Contender("SimPy", measured, sum(r.seconds for r in runs), waits)


def erlang_c_tiers3() -> dict[str, float]:
    import simpy_tiers3
    from whorunsit.engine.erlang import jackson_tandem

    theory = jackson_tandem(
        simpy_tiers3.ARRIVAL_RATE,
        [(n, c, m, p) for n, c, m, p in simpy_tiers3.TIERS],
    )
    return {t.name: t.mean_wait for t in theory}


def bench_tiers3(sizes: Sizes, out=print) -> dict:
    scenario = _tiers3_scenario(sizes)
    weeks = sizes.tiers3_horizon / 168.0
    out(f"== tiers3: 20/h -> L1 x4 -> L2 x10 -> L3 x7, {weeks:g}-week replications, one core")
    fast = run_fast(scenario, sizes.fast_replications)
    default = run_default(scenario, sizes.fast_replications)
    general = run_general(scenario, sizes.general_replications)
    simpy = run_simpy(sizes, scenario.seed)
    contenders = [fast, default, general, simpy]
    for c in contenders:
        out(
            f"  {c.name:<26} {c.incidents:>10,} incidents in {c.seconds:7.2f} s"
            f" = {c.rate:>12,.0f} incidents/s  ({c.rate / simpy.rate:7.1f}x SimPy)"
        )
    theory = erlang_c_tiers3()
    out("  mean wait per tier, hours: value [95% CI] over replications")
    shown = [fast, general, simpy]  # the default run has the fast path's values exactly
    out(f"  {'tier':<5}{'Erlang C':>10}   " + "".join(f"{c.name:<30}" for c in shown))
    inside = {}
    for tier, exact in theory.items():
        cells = []
        for c in shown:
            m, lo, hi = c.waits[tier]
            cells.append(f"{m:.4f} [{lo:.4f}, {hi:.4f}]".ljust(30))
        m, lo, hi = fast.waits[tier]
        inside[tier] = lo <= exact <= hi
        out(f"  {tier:<5}{exact:>10.4f}   " + "".join(cells))
    speedup = fast.rate / simpy.rate
    all_inside = all(inside.values())
    out(
        f"  target: >= {TARGET_SPEEDUP:.0f}x SimPy: fast path on one core {speedup:.0f}x"
        f" {verdict(speedup >= TARGET_SPEEDUP)}, as run by default ({default.name[11:]})"
        f" {default.rate / simpy.rate:.0f}x {verdict(default.rate / simpy.rate >= TARGET_SPEEDUP)};"
        f" every tier's Erlang C value inside the fast path's 95% CI: {verdict(all_inside)}"
        + ("" if all_inside else f" (outside: {', '.join(t for t, ok in inside.items() if not ok)})")
    )
    return {
        "rates": {c.name: c.rate for c in contenders},
        "speedup_fast": speedup,
        "speedup_default": default.rate / simpy.rate,
        "speedup_general": general.rate / simpy.rate,
        "waits": {c.name: c.waits for c in contenders},
        "erlang_c": theory,
        "inside": inside,
    }


# -- 2. the flagship at-scale run -------------------------------------------------------
def _doubled_teams_file(directory: Path) -> Path:
    """at-scale-30 twice over: 60 delivery teams and apps, and the Ops teams doubled.

    Doubling means the same organisation twice as big, not a heavier one: Service Desk,
    Ops Bridge and App Ops get twice the people (and rota members), App Ops twice the
    change crew, and its knowledge dilution per further app is halved so diagnosis per
    ticket takes what it takes at 30 apps. (Without that, the Ops teams saturate at 60
    apps, queues grow all year, and the run times an overloaded operation: see
    docs/performance.md.)
    """
    import yaml

    from whorunsit.scenario import load_scenario

    scenario = load_scenario(AT_SCALE)
    base = yaml.safe_load(AT_SCALE_BASE.read_text())
    teams: dict = {"delivery": {"count": 60}}
    for name in ("service-desk", "ops-bridge", "app-ops"):
        team = scenario.team(name)
        teams[name] = {"headcount": 2 * team.headcount, "responders": 2 * team.responders}
        rota = next((r for r in scenario.rotas if r.name == name), None)
        if rota is not None:
            teams[name]["rota"] = {"members": 2 * rota.members}
    override: dict = {
        "extends": str(AT_SCALE),
        "name": "at scale, 60 teams (benchmark scaling)",
        "teams": teams,
        "applications": {"checkout": {"count": 60}},
    }
    paths = {}
    for name, path in (base.get("support_paths") or {}).items():
        tiers = [dict(t) for t in path.get("tiers", [])]
        for t in tiers:
            if str(t.get("knowledge_dilution", "")).endswith("%"):
                t["knowledge_dilution"] = f"{float(t['knowledge_dilution'][:-1]) / 2:g}%"
        paths[name] = {"tiers": tiers}
    if paths:
        override["support_paths"] = paths
    deployments = {name: {"concurrency": 2 * int(policy["concurrency"])}
                   for name, policy in (base.get("deployments") or {}).items()
                   if isinstance(policy, dict) and policy.get("concurrency")}
    if deployments:
        override["deployments"] = deployments
    path = directory / "at-scale-60.yaml"
    path.write_text(yaml.safe_dump(override, sort_keys=False))
    return path


def _own_peak_bytes() -> int:
    """This process's peak resident memory since it started its program.

    ``ru_maxrss`` is not it: a process started by fork and exec keeps the high-water mark
    its parent had at the fork (the benchmark parent holds big tiers3 batches). The
    kernel's ``VmHWM`` belongs to the current program only.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _child_measure(path: str, horizon: float | None, replications: int | None,
                   executor: str | None = None) -> None:
    """Runs in a fresh process so its peak memory is this run's alone; prints JSON.
    With ``executor`` "dask" the run plays on a LocalCluster of two workers started here
    first (its start-up timed apart: a cluster is started once, runs many)."""
    import contextlib

    began = time.perf_counter()
    from whorunsit import api
    from whorunsit.distribute import open_executor

    cluster_began = time.perf_counter()
    stack = contextlib.ExitStack()
    ex = stack.enter_context(open_executor(executor or "local", workers=2 if executor else None))
    cluster_seconds = time.perf_counter() - cluster_began
    began += cluster_seconds

    scenario = api.load(path)
    if horizon is not None:
        scenario = dataclasses.replace(scenario, horizon=horizon)
    if replications is not None:
        scenario = dataclasses.replace(scenario, replications=replications)
    loaded = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_SELF)
    results = api.simulate(scenario, executor=ex)
    done = time.perf_counter()
    stack.close()
    own = _own_peak_bytes()
    mine = resource.getrusage(resource.RUSAGE_SELF)
    theirs = resource.getrusage(resource.RUSAGE_CHILDREN)
    # the simulation's own CPU time: this process after loading, and all its workers
    cpu = (mine.ru_utime + mine.ru_stime - before.ru_utime - before.ru_stime
           + theirs.ru_utime + theirs.ru_stime)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    print(
        json.dumps(
            {
                "load_seconds": loaded - began,
                "simulate_seconds": done - loaded,
                "cpu_seconds": cpu,
                "replications": results.replications,
                "horizon": scenario.horizon,
                "teams": len(scenario.teams),
                "incidents": float(results.samples["incidents.count"].sum()),
                "own_peak_bytes": own,
                "worker_peak_bytes": workers,
                "cluster_start_seconds": cluster_seconds,
            }
        )
    )


def _spin(seconds: float) -> float:
    """Busy-loop for ``seconds`` of this process's CPU time; return the wall time taken."""
    began, cpu = time.perf_counter(), time.process_time()
    while time.process_time() - cpu < seconds:
        sum(range(1000))
    return time.perf_counter() - began


def cores_available(seconds: float = 0.5) -> float:
    """How many cores two busy processes actually get right now (2.0 on a quiet two-core
    machine). On a shared VM a virtual core is sometimes not running at all: a wall-time
    figure taken then says more about the neighbours than about the code."""
    import multiprocessing
    ctx = multiprocessing.get_context("fork" if "fork" in
                                      multiprocessing.get_all_start_methods() else "spawn")
    began = time.perf_counter()
    with ctx.Pool(2) as pool:
        pool.map(_spin, [seconds, seconds])
    return 2 * seconds / (time.perf_counter() - began)


def reference_seconds(loops: int = 3_000_000) -> float:
    """CPU seconds of a fixed pure-Python loop: how fast one core is right now. On a
    shared VM it moved by 35-50% within an hour; compare runs with it, not by wall alone."""
    began = time.process_time()
    total = 0
    for i in range(loops):
        total += i
    return time.process_time() - began


def measure_at_scale(path: Path, horizon: float | None, replications: int | None,
                     executor: str | None = None) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(path)]
    if executor is not None:
        cmd += ["--executor", executor]
    if horizon is not None:
        cmd += ["--horizon", repr(horizon)]
    if replications is not None:
        cmd += ["--replications", str(replications)]
    began = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - began
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr.strip()}")
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    figures["wall_seconds"] = wall
    # a worker's peak and ours can coincide, and there are up to two workers: bound it
    workers = min(2, os.cpu_count() or 1)
    figures["peak_bound_bytes"] = figures["own_peak_bytes"] + workers * figures["worker_peak_bytes"]
    return figures


def bench_at_scale(sizes: Sizes, out=print) -> dict | None:
    if not AT_SCALE_BASE.exists():
        out(f"== at-scale-30: skipped, {AT_SCALE_BASE.relative_to(ROOT)} is not there yet")
        return None
    reps = sizes.at_scale_replications
    horizon = sizes.at_scale_horizon
    if not sizes.flagship:  # scaling only: a small run stands in for the flagship
        reps, horizon = sizes.scaling_replications, None
    before, speed_before = cores_available(), reference_seconds()
    base = measure_at_scale(AT_SCALE, horizon, reps)
    after, speed_after = cores_available(), reference_seconds()
    weeks = base["horizon"] / 168.0
    out(
        f"== at-scale-30: {base['teams']} teams, {weeks:g} weeks, {base['replications']}"
        f" replications, {min(2, os.cpu_count() or 1)} workers"
    )
    mib = 1 << 20
    out(
        f"  wall {base['wall_seconds']:.2f} s (load {base['load_seconds']:.2f} s, simulate"
        f" {base['simulate_seconds']:.2f} s, {base['cpu_seconds']:.1f} CPU s);"
        f" {base['incidents'] / base['replications']:,.0f} incidents per replication"
    )
    out(
        f"  cores in use while simulating: {base['cpu_seconds'] / base['simulate_seconds']:.2f};"
        f" two busy processes got {before:.2f} cores just before, {after:.2f} just after"
        " (2.00 = both cores ours)"
    )
    out(
        f"  host speed: a fixed loop took {speed_before:.3f} CPU s just before, {speed_after:.3f}"
        " just after (lower is faster; it moved by 35-50% on this VM: compare runs with it)"
    )
    base["cores_before"], base["cores_after"] = before, after
    base["reference_before"], base["reference_after"] = speed_before, speed_after
    out(
        f"  peak memory: main {base['own_peak_bytes'] / mib:.0f} MiB, largest worker"
        f" {base['worker_peak_bytes'] / mib:.0f} MiB, bound {base['peak_bound_bytes'] / mib:.0f} MiB"
    )
    full = reps is None and horizon is None
    wall_ok = base["wall_seconds"] <= TARGET_AT_SCALE_SECONDS
    memory_ok = base["peak_bound_bytes"] <= TARGET_AT_SCALE_BYTES
    if full:
        out(f"  target: <= {TARGET_AT_SCALE_SECONDS:.0f} s wall: {verdict(wall_ok)};"
            f" <= 1 GiB: {verdict(memory_ok)}")
    else:
        out("  target: not judged (reduced sizes, not the flagship run)")
    report = {"base": base}
    if sizes.scaling:
        reps = sizes.scaling_replications
        with tempfile.TemporaryDirectory() as tmp:
            runs = {
                "base": (AT_SCALE, horizon, reps),
                "teams x2": (_doubled_teams_file(Path(tmp)), horizon, reps),
                "horizon x2": (AT_SCALE, base["horizon"] * 2, reps),
                "replications x2": (AT_SCALE, horizon, reps * 2),
            }
            best: dict[str, dict] = {}
            for _ in range(sizes.scaling_rounds):
                for label, args in runs.items():
                    fig = measure_at_scale(*args)
                    if label not in best or fig["cpu_seconds"] < best[label]["cpu_seconds"]:
                        best[label] = fig
        start = best.pop("base")
        variants = best
        # CPU seconds (this process and its workers) shrug off other jobs on the machine
        # far better than wall time, so the ratios are taken on them
        out(f"  scaling from {reps} replications ({start['simulate_seconds']:.2f} s simulate,"
            f" {start['cpu_seconds']:.2f} CPU s; least of {sizes.scaling_rounds} runs each);"
            " linear growth means a ratio of ~2:")
        for label, fig in variants.items():
            ratio = fig["cpu_seconds"] / start["cpu_seconds"]
            inc = fig["incidents"] / start["incidents"]
            out(
                f"    {label:<16} {fig['simulate_seconds']:7.2f} s, {fig['cpu_seconds']:7.2f} CPU s"
                f"  ratio {ratio:4.2f}  (incidents x{inc:.2f},"
                f" peak bound {fig['peak_bound_bytes'] / mib:.0f} MiB)"
            )
        variants["base"] = start
        report["scaling"] = variants
    return report


# -- 2b. Dask -----------------------------------------------------------------------------
TARGET_DASK_RATIO = 1.3


def bench_dask(sizes: Sizes, local: dict | None = None, out=print) -> dict | None:
    """The flagship on a LocalCluster of two workers against the local pool: the ratio of
    their simulate times (the cluster's start-up is shown apart). ``local`` is the local
    run already measured by the at-scale part, so the flagship runs twice at most."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        out("== dask: skipped, the dask extra is not installed (pip install 'whorunsit[dask]')")
        return None
    if not AT_SCALE_BASE.exists():
        return None
    reps = sizes.at_scale_replications if sizes.flagship else sizes.scaling_replications
    horizon = sizes.at_scale_horizon if sizes.flagship else None
    if local is None:
        local = measure_at_scale(AT_SCALE, horizon, reps)
    speed_before = reference_seconds()
    remote = measure_at_scale(AT_SCALE, horizon, reps, executor="dask")
    speed_after = reference_seconds()
    ratio = remote["simulate_seconds"] / local["simulate_seconds"]
    out(f"== dask: at-scale-30, {remote['replications']} replications on a LocalCluster of 2"
        " workers against the local pool of 2")
    out(f"  local pool {local['simulate_seconds']:.2f} s; LocalCluster"
        f" {remote['simulate_seconds']:.2f} s ({remote['cpu_seconds']:.1f} CPU s here and in"
        f" the workers) after {remote['cluster_start_seconds']:.2f} s starting it")
    out(f"  host speed: a fixed loop took {speed_before:.3f} CPU s just before, {speed_after:.3f}"
        " just after")
    full = sizes.flagship and reps is None and horizon is None
    judged = verdict(ratio <= TARGET_DASK_RATIO) if full else "not judged (reduced sizes)"
    out(f"  overhead ratio {ratio:.2f}x; target <= {TARGET_DASK_RATIO}x: {judged}")
    return {"local": local, "dask": remote, "ratio": ratio}


# -- 3. start-up ---------------------------------------------------------------------------
def best_of(cmd: list[str], repeats: int) -> float:
    best = math.inf
    for _ in range(repeats):
        began = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True, cwd=ROOT)
        best = min(best, time.perf_counter() - began)
    return best


def _whorunsit() -> list[str]:
    exe = Path(sys.executable).parent / "whorunsit"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "whorunsit.app"]


def _timed(cmd: list[str]) -> tuple[float, str]:
    began = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
    return time.perf_counter() - began, done.stdout


def race_processes(sizes: Sizes, out=print) -> dict:
    """tiers3 as two processes started from the shell: whorunsit's CLI (default workers,
    warm compile cache, JSON out) and the SimPy model, on the same replications of the
    same horizon, so on the same number of incidents up to chance (both counts printed).

    The size is the scenario's own (``replications: 200`` of four weeks in
    benchmarks/tiers3.yaml): what `whorunsit simulate benchmarks/tiers3.yaml` runs as a
    user types it. The ratio depends on the size, because whorunsit pays a fixed
    start-up (interpreter, numpy, numba, scipy, loading the compiled code) that SimPy
    mostly does not, while SimPy's time grows linearly with the incidents; so each side
    is also run on one replication, and the start-up (time of that run) and the rate
    beyond it ((incidents - those of one replication) / (time - its time)) are printed
    beside the whole-process ratio, which is the one judged."""
    n = sizes.process_replications
    horizon, warmup = sizes.tiers3_horizon, sizes.tiers3_warmup
    with tempfile.TemporaryDirectory() as tmp:
        text = TIERS3.read_text()
        scenario = Path(tmp) / "tiers3.yaml"
        scenario.write_text(text.replace("horizon: 4w", f"horizon: {horizon:g}h")
                            .replace("warmup: 1d", f"warmup: {warmup:g}h"))

        def ours(reps: int) -> tuple[float, float]:
            cmd = [*_whorunsit(), "simulate", str(scenario), "-n", str(reps), "--format",
                   "json", "-q"]
            seconds, report = _timed(cmd)
            return seconds, json.loads(report)["metrics"]["incidents.count"]["value"] * reps

        ours(1)  # warm the compile cache
        one, one_incidents = ours(1)
        seconds, incidents = ours(n)

    def theirs(reps: int) -> tuple[float, int]:
        seconds, line = _timed([sys.executable, str(HERE / "simpy_tiers3.py"), "--replications",
                                str(reps), "--horizon", str(horizon), "--warmup", str(warmup)])
        return seconds, json.loads(line)["incidents_measured"]

    simpy_one, simpy_one_incidents = theirs(1)
    simpy_seconds, simpy_incidents = theirs(n)
    rate, simpy_rate = incidents / seconds, simpy_incidents / simpy_seconds

    def beyond(total: float, t: float, first: float, t1: float) -> float:
        return (total - first) / (t - t1) if t > t1 and total > first else math.nan

    steady = beyond(incidents, seconds, one_incidents, one)
    simpy_steady = beyond(simpy_incidents, simpy_seconds, simpy_one_incidents, simpy_one)
    own = " (the scenario's own)" if n == FULL.process_replications else ""
    out(f"== tiers3 as whole processes, start-up included: {n} replications of "
        f"{horizon:g} h each side{own}, incidents after a {warmup:g} h warm-up")
    out(f"  {'':20}{'incidents':>12}  {'seconds':>7}  {'incidents/s':>12}   "
        f"{'1-rep run':>9}  {'incidents/s beyond it':>21}")
    out(f"  {'whorunsit simulate':<20}{incidents:12,.0f}  {seconds:7.2f}  {rate:12,.0f}   "
        f"{one:8.2f}s  {steady:21,.0f}")
    out(f"  {'SimPy model':<20}{simpy_incidents:12,}  {simpy_seconds:7.2f}  "
        f"{simpy_rate:12,.0f}   {simpy_one:8.2f}s  {simpy_steady:21,.0f}")
    ratio = rate / simpy_rate
    out(f"  ratio {ratio:.1f}x as whole processes; target >= {TARGET_SPEEDUP:.0f}x: "
        f"{verdict(ratio >= TARGET_SPEEDUP)} (beyond the one-replication runs: "
        f"{steady / simpy_steady:.1f}x)")
    return {"replications": n, "horizon": horizon, "whorunsit_seconds": seconds,
            "whorunsit_incidents": incidents, "whorunsit_startup_seconds": one,
            "simpy_seconds": simpy_seconds, "simpy_incidents": simpy_incidents,
            "simpy_startup_seconds": simpy_one, "ratio": ratio,
            "ratio_beyond_startup": steady / simpy_steady}


def bench_startup(sizes: Sizes, out=print) -> dict:
    ours = _whorunsit()
    repeats = sizes.startup_repeats
    subprocess.run([*ours, "warmup"], capture_output=True, check=True, cwd=ROOT)
    bare = best_of([sys.executable, "-c", "pass"], repeats)
    figures = {"python": bare}
    out(f"== whole processes with a warm compile cache, best of {repeats}")
    out(f"  {'python -c pass':<75} {bare:6.3f} s")
    for key, args, target in [
        ("help", ["--help"], TARGET_HELP_SECONDS),
        ("validate", ["validate", str(SHIPPED)], TARGET_VALIDATE_SECONDS),
        ("simulate10", ["simulate", str(SHIPPED), "--replications", "10"],
         TARGET_SIMULATE10_SECONDS),
    ]:
        figures[key] = best_of([*ours, *args], repeats)
        label = "whorunsit " + " ".join(a.replace(str(ROOT) + "/", "") for a in args)
        out(f"  {label:<75} {figures[key]:6.3f} s  target <= {target} s: "
            f"{verdict(figures[key] <= target)}")
    figures["tiers3_process"] = race_processes(sizes, out)
    return figures


# -- 4. sweep -----------------------------------------------------------------------------
def bench_sweep(sizes: Sizes, out=print) -> dict:
    """One `whorunsit sweep` of the at-scale model, end to end through the library: every
    point built and checked, then played at the same seed (common random numbers)."""
    from whorunsit.decide import sweep
    from whorunsit.decide.vary import parse_all

    last = sizes.sweep_points - 1
    varies = parse_all([f"teams.app-ops.headcount=6..{6 + last}",
                        f"teams.app-ops.responders=3..{3 + last}"])
    req = sweep.SweepRequest(str(AT_SCALE_BASE), varies, zipped=True,
                             replications=sizes.sweep_replications)
    def cpu() -> float:
        own, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
        return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

    cpu_before, began = cpu(), time.perf_counter()
    result = sweep.run(req)
    seconds = time.perf_counter() - began
    cpu_seconds = cpu() - cpu_before
    total = sizes.sweep_points * sizes.sweep_replications
    out(f"== sweep: {AT_SCALE_BASE.name}, {sizes.sweep_points} points x "
        f"{sizes.sweep_replications} replications ({total} in all), workers: default")
    out(f"  wall time {seconds:.2f} s ({total / seconds:.0f} replications/s); CPU time "
        f"{cpu_seconds:.2f} s in this process and its workers (the wall time on two idle "
        f"cores cannot be less than half that: {cpu_seconds / 2:.2f} s)")
    out(f"  target: {TARGET_SWEEP_SECONDS:.0f} s for 20 x 200 on 2 cores: "
        f"{verdict(seconds <= TARGET_SWEEP_SECONDS)}")
    return {"seconds": seconds, "cpu_seconds": cpu_seconds, "points": len(result["points"])}


#: the ServiceNow log of docs/fit.md, beside the repository as in the issue
SERVICENOW = ROOT.parent / "shared" / "data" / "servicenow-incident-event-log.csv.zip"
TARGET_FIT_SECONDS = 120.0


def bench_fit(sizes: Sizes, out=print) -> dict | None:
    """docs/fit.md's example: the ServiceNow log fitted to the Ops-run scenario, timed,
    with the issue's targets judged on the fitted and the holdout weeks."""
    if not SERVICENOW.exists():
        out(f"== fit: skipped ({SERVICENOW} not found)")
        return None
    from whorunsit.calibrate.weeks import parse_range
    from whorunsit.fit import FitOptions, fit

    quick = sizes is QUICK
    options = FitOptions(weeks=parse_range("2016-W15..2016-W22"), holdout=0.3,
                         evaluations=12 if quick else 80, replications=8 if quick else 30)
    began = time.perf_counter()
    result = fit(SERVICENOW, ROOT / "scenarios" / "you-build-it-ops-run-it.yaml", options)
    seconds = time.perf_counter() - began
    out(f"== fit: ServiceNow log, {result.evaluations} candidates, "
        f"{result.results.replications} replications")
    out(f"  wall {seconds:.1f} s; target <= {TARGET_FIT_SECONDS:.0f} s on 2 cores: "
        f"{verdict(seconds <= TARGET_FIT_SECONDS)}")
    figures = {}
    for which in ("train", "test"):
        rows = result.rows(which)
        ttr = [r for r in rows if r.section == "Time to restore" and r.label in ("p50", "p90")]
        hand = [r for r in rows if r.section == "Handoffs per incident"]
        for r in ttr + hand:
            out(f"  {which:5} {r.section} {r.label}: log {r.log.value:.4g}, "
                f"model {r.model.value:.4g} ({r.gap})")
        ok = all(r.ok for r in ttr + hand)
        out(f"  {which}: p50/p90 within 15%, handoffs within 5 pt: {verdict(ok)}")
        figures[which] = {r.section + " " + r.label: (r.log.value, r.model.value)
                          for r in ttr + hand}
    return {"seconds": seconds, "figures": figures}


# -- 6. every shipped scenario ------------------------------------------------------------
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


def bench_scenarios(sizes: Sizes, out=print) -> dict:
    """Every shipped scenario in this process on one worker, compiled code loaded first:
    incidents per second (those the report counts, after the warm-up) and milliseconds
    per replication. Each is timed over enough replications to take about
    ``scenario_seconds`` (a ten-replication probe sets the number), so the table takes
    under half a minute."""
    from whorunsit import api
    from whorunsit.engine.fastpath import fastpath

    out(f"== shipped scenarios, in-process, warm, 1 worker (about {sizes.scenario_seconds:g} s "
        "each)")
    out(f"  {'scenario':<52} {'path':<7} {'reps':>5} {'incidents':>10} {'ms/rep':>8} "
        f"{'incidents/s':>12}")
    figures = {}
    for path in SCENARIOS:
        scenario = api.load(path)
        fast = fastpath.eligible(scenario)
        api.simulate(scenario, replications=1, workers=1)  # compile or load, untimed
        began = time.perf_counter()
        api.simulate(scenario, replications=10, workers=1)
        probe = (time.perf_counter() - began) / 10
        n = max(2, min(sizes.scenario_max_replications,
                       int(sizes.scenario_seconds / max(probe, 1e-5))))
        began = time.perf_counter()
        results = api.simulate(scenario, replications=n, workers=1)
        seconds = time.perf_counter() - began
        incidents = float(results.samples["incidents.count"].sum())
        ms, rate = 1000 * seconds / n, incidents / seconds
        out(f"  {path.name:<52} {'fast' if fast else 'general':<7} {n:>5} {incidents:>10,.0f} "
            f"{ms:>8.2f} {rate:>12,.0f}")
        figures[path.name] = {"path": "fast" if fast else "general", "replications": n,
                              "incidents": incidents, "seconds": seconds,
                              "ms_per_replication": ms, "incidents_per_second": rate}
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument("--only", choices=["tiers3", "at-scale", "dask", "startup", "sweep", "fit",
                                            "scenarios"],
                        action="append",
                        help="startup: whole processes (start-up, validate, simulate -n 10, "
                             "tiers3 against SimPy as processes); scenarios: every "
                             "shipped scenario in-process on one worker")
    parser.add_argument("--no-scaling", action="store_true", help="skip the doubled runs")
    parser.add_argument("--race-replications", type=int, metavar="N",
                        help="replications each side of the tiers3 process race (default: "
                             "the scenario's own 200; SimPy takes about 0.18 s each)")
    parser.add_argument("--no-flagship", action="store_true",
                        help="skip the 1000-replication at-scale run (scaling runs only)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--horizon", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--replications", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--executor", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child_measure(args.child, args.horizon, args.replications, args.executor)
        return 0
    sizes = QUICK if args.quick else FULL
    if args.no_scaling:
        sizes = dataclasses.replace(sizes, scaling=False)
    if args.no_flagship:
        sizes = dataclasses.replace(sizes, flagship=False)
    if args.race_replications:
        sizes = dataclasses.replace(sizes, process_replications=args.race_replications)
    parts = args.only or ["tiers3", "at-scale", "dask", "startup", "sweep", "fit", "scenarios"]
    print(f"whorunsit benchmarks on {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    if "tiers3" in parts:
        bench_tiers3(sizes)
    at_scale = bench_at_scale(sizes) if "at-scale" in parts else None
    if "dask" in parts:
        bench_dask(sizes, at_scale["base"] if at_scale else None)
    if "startup" in parts:
        bench_startup(sizes)
    if "sweep" in parts:
        bench_sweep(sizes)
    if "fit" in parts:
        bench_fit(sizes)
    if "scenarios" in parts:
        bench_scenarios(sizes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
