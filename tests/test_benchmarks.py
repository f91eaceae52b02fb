"""A smoke run of the benchmark harness (`make bench`) at tiny sizes: every part runs and
prints its figures and verdicts. Nothing here is timed; targets belong to the bench."""

from __future__ import annotations

import dataclasses
import importlib.util
import math
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
TINY = dict(tiers3_horizon=48.0, tiers3_warmup=6.0, fast_replications=4,
            general_replications=2, simpy_replications=1, at_scale_replications=2,
            at_scale_horizon=2 * 168.0, scaling=False, startup_repeats=1,
            sweep_points=2, sweep_replications=2, process_replications=1)


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_run", BENCH / "run.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_run"] = module
    spec.loader.exec_module(module)
    return module


def test_tiers3_part_measures_every_contender_and_judges_the_targets(bench):
    pytest.importorskip("simpy")
    lines: list[str] = []
    report = bench.bench_tiers3(bench.Sizes(**TINY), out=lines.append)
    assert len(report["rates"]) == 4  # fast path, default workers, general engine, SimPy
    assert all(rate > 0 for rate in report["rates"].values())
    assert set(report["erlang_c"]) == {"l1", "l2", "l3"}
    text = "\n".join(lines)
    assert "Erlang C" in text
    assert "target: >= 100x SimPy" in text
    assert ("PASS" in text) or ("MISS" in text)


def test_simpy_model_is_the_tiers3_network():
    pytest.importorskip("simpy")
    sys.path.insert(0, str(BENCH))
    try:
        import simpy_tiers3
    finally:
        sys.path.remove(str(BENCH))
    run = simpy_tiers3.run(horizon=200.0, warmup=10.0, seed=3)
    assert run.incidents_measured <= run.incidents
    assert 20 * 190 * 0.8 < run.incidents_measured < 20 * 190 * 1.2
    # everyone reaches L1, ~70% L2, ~28% L3
    assert run.tickets["l2"] / run.tickets["l1"] == pytest.approx(0.7, abs=0.05)
    assert run.tickets["l3"] / run.tickets["l1"] == pytest.approx(0.28, abs=0.04)
    assert all(w >= 0 for w in run.mean_wait.values())


def test_at_scale_part_reports_wall_time_and_memory(bench):
    lines: list[str] = []
    report = bench.bench_at_scale(bench.Sizes(**TINY), out=lines.append)
    base = report["base"]
    assert base["replications"] == 2
    assert base["wall_seconds"] > 0 and base["own_peak_bytes"] > 0
    assert base["incidents"] > 0
    assert "not judged" in "\n".join(lines)


def test_doubling_the_teams_doubles_delivery_teams_and_apps(bench, tmp_path):
    from whorunsit.scenario import load_scenario

    base = load_scenario(BENCH / "at-scale-30.yaml")
    doubled = load_scenario(bench._doubled_teams_file(tmp_path))
    assert len(base.applications) == 30 and len(doubled.applications) == 60
    delivery = [t for t in doubled.teams if t.name.startswith("delivery-")]
    assert len(delivery) == 60
    assert doubled.team("app-ops").responders == 2 * base.team("app-ops").responders


def test_startup_part_times_whole_processes_against_bare_python_and_simpy(bench):
    pytest.importorskip("simpy")
    lines: list[str] = []
    report = bench.bench_startup(bench.Sizes(**TINY), out=lines.append)
    for key in ("python", "help", "validate", "simulate10"):
        assert report[key] > 0 and math.isfinite(report[key]), key
    race = report["tiers3_process"]
    assert race["whorunsit_incidents"] > 0 and race["simpy_incidents"] > 0
    assert race["ratio"] > 0
    text = "\n".join(lines)
    for label in ("whorunsit --help", "whorunsit validate scenarios/", "--replications 10",
                  "tiers3 as whole processes", "target >= 100x"):
        assert label in text, label


def test_quick_sizes_are_smaller_than_the_full_run(bench):
    quick, full = bench.QUICK, bench.FULL
    for field in dataclasses.fields(bench.Sizes):
        q, f = getattr(quick, field.name), getattr(full, field.name)
        if isinstance(f, int | float) and not isinstance(f, bool) and q is not None:
            assert q <= f, field.name


def test_sweep_part_runs_every_point(bench):
    lines = []
    report = bench.bench_sweep(bench.Sizes(**TINY), out=lines.append)
    assert report["points"] == 2 and report["seconds"] > 0
    assert any("target: 20 s" in line for line in lines)


def test_dask_part_measures_the_overhead_ratio_at_tiny_sizes(bench):
    pytest.importorskip("distributed")
    lines: list[str] = []
    report = bench.bench_dask(bench.Sizes(**TINY), out=lines.append)
    assert report["dask"]["replications"] == report["local"]["replications"] == 2
    assert report["ratio"] > 0 and report["dask"]["cluster_start_seconds"] > 0
    assert "not judged (reduced sizes)" in "\n".join(lines)


def test_scenarios_part_times_every_shipped_scenario(bench):
    lines: list[str] = []
    sizes = bench.Sizes(**TINY, scenario_seconds=0.001, scenario_max_replications=3)
    report = bench.bench_scenarios(sizes, out=lines.append)
    shipped = sorted(p.name for p in (ROOT / "scenarios").glob("*.yaml"))
    assert sorted(report) == shipped
    for name, row in report.items():
        assert row["replications"] == 2, name  # the floor: the probe asked for fewer
        assert row["incidents"] > 0 and row["incidents_per_second"] > 0, name
        assert row["path"] in ("fast", "general"), name
    assert any("ms/rep" in line for line in lines)
    assert sum(name in "\n".join(lines) for name in shipped) == len(shipped)
