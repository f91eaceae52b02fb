"""sweep, optimise and sensitivity (cli/whorunsit/decide): --vary parsing, addressing the
scenario as written, validation before anything runs, common random numbers, targets and
the knee, ranking and selection, tornado and Sobol indices, every output format.

Figures are never hard-coded: expectations come from a plain run of the same scenario or
from relations the model guarantees (more incidents cost more). Replications are small.
"""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest
from typer.testing import CliRunner

from whorunsit import api
from whorunsit.app import app
from whorunsit.decide import optimise, render, sensitivity, sweep, vary
from whorunsit.decide.evidence import target_specs
from whorunsit.decide.variants import build_all, load_base
from whorunsit.errors import InputError, WhorunsitError

SMALL = "scenarios/you-build-it-ops-run-it.yaml"
AT_SCALE = "scenarios/you-build-it-ops-run-it-at-scale.yaml"
YBIYRI = "scenarios/you-build-it-you-run-it.yaml"
runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, [*args, "--quiet", "--workers", "1"])


# -- VALUES -------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "values"), [
    ("2,3,5", ("2", "3", "5")),
    ("2..5", ("2", "3", "4", "5")),
    ("10%..50%/5", ("10%", "20%", "30%", "40%", "50%")),
    ("30m..90m/3", ("30m", "60m", "90m")),
    ("300 GBP..600 GBP/4", ("300 GBP", "400 GBP", "500 GBP", "600 GBP")),
    ("12/week..20/week/3", ("12/week", "16/week", "20/week")),
    ("team-run,ops-run", ("team-run", "ops-run")),
])
def test_values_in_the_scenario_languages_units(text, values):
    v = vary.parse_vary(f"a.b={text}")
    assert v.values == values


@pytest.mark.parametrize(("spec", "words"), [
    ("a.b=1%..3h/3", "different units"),
    ("a.b=8..2", "runs downwards"),
    ("a.b=0.5..2", "no number of points"),
    ("a.b=2,,3", "empty value"),
    ("a.b", "not PATH=VALUES"),
    ("a..b=2", "empty part"),
    ("a.b=1..2/1", "at least 2 points"),
])
def test_bad_values_are_located_at_the_flag(spec, words):
    with pytest.raises(InputError) as exc:
        vary.parse_vary(spec)
    (problem,) = exc.value.problems
    assert problem.location.file.startswith("--vary")
    assert words in str(problem)


def test_grid_and_zip():
    a, b = vary.parse_vary("x=1..3"), vary.parse_vary("y=a,b,c")
    assert len(vary.points([a, b])) == 9
    assert vary.points([a, b], zipped=True)[1] == {"x": "2", "y": "b"}
    with pytest.raises(InputError, match="differ in length"):
        vary.points([a, vary.parse_vary("y=a,b")], zipped=True)


def test_the_same_path_twice_is_an_error():
    with pytest.raises(InputError, match="varied twice"):
        vary.parse_all(["x=1", "x=2"])


# -- addressing the scenario as written ----------------------------------------------------

def test_paths_follow_extends_keys_and_list_items_by_name():
    variants = build_all(AT_SCALE, vary.parse_all([
        "teams.app-ops.responders=2,4", "support_paths.ops-run.tiers.L2.resolve=40%"]))
    assert len(variants) == 2
    ops = [t for t in variants[1].scenario.teams if t.name == "app-ops"][0]
    assert ops.responders == 4
    (path,) = [p for p in variants[0].scenario.support_paths if p.name == "ops-run"]
    (l2,) = [t for t in path.tiers if t.name == "L2"]
    assert l2.resolve == pytest.approx(0.40)


def test_setting_values_leaves_the_base_tree_alone():
    tree = load_base(SMALL)
    before = vary.current(tree, "teams.app-ops.responders").value
    vary.with_values(tree, {"teams.app-ops.responders": "1"})
    assert vary.current(tree, "teams.app-ops.responders").value == before


def test_unknown_path_is_located_with_did_you_mean():
    r = invoke("sweep", AT_SCALE, "--vary", "teams.app-op.headcount=4..6")
    assert r.exit_code == 2
    line = r.output.strip().splitlines()[0]
    assert line.startswith(f"{AT_SCALE}:") and "did you mean 'app-ops'?" in line
    assert "Traceback" not in r.output


def test_unknown_last_key_gets_the_scenario_languages_did_you_mean():
    r = invoke("sweep", SMALL, "--vary", "teams.app-ops.headcont=4")
    assert r.exit_code == 2
    assert "did you mean 'headcount'?" in r.output


def test_unknown_list_item():
    r = invoke("sweep", SMALL, "--vary", "support_paths.ops-run.tiers.L9.resolve=50%")
    assert r.exit_code == 2
    assert "no item named 'L9'" in r.output and "L1, L2, L3" in r.output


def test_invalid_points_are_named_before_anything_runs(monkeypatch):
    def boom(*a, **k):
        raise AssertionError("nothing may run when a point is invalid")

    monkeypatch.setattr(api, "simulate", boom)
    r = invoke("sweep", SMALL, "--vary", "teams.app-ops.responders=2..7")
    assert r.exit_code == 2
    lines = r.output.strip().splitlines()
    # headcount 5: responders 6 and 7 are invalid, each named
    assert len(lines) == 2
    assert lines[0].startswith("--vary teams.app-ops.responders=6: ")
    assert lines[1].startswith("--vary teams.app-ops.responders=7: ")


def test_a_bad_value_names_itself():
    r = invoke("sweep", YBIYRI, "--vary", "teams.delivery.rota.standby=150")
    assert r.exit_code == 2
    assert r.output.startswith("--vary teams.delivery.rota.standby=150:")
    assert "per week" in r.output


@pytest.mark.parametrize("args", [
    ["--metric", "cost.totl"],
    ["--target", "cost.totl < 1M GBP"],
    ["--target", "delta(cost.total) < 0"],
    ["--replications", "1"],
    ["--format", "html"],
])
def test_bad_flags_exit_2_in_one_line(args):
    r = invoke("sweep", SMALL, "--vary", "teams.app-ops.responders=2,3", *args)
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output


# -- sweep ------------------------------------------------------------------------------

def utilisation_target() -> str:
    """A utilisation ceiling between what 1 and 2 App Ops responders give, derived from a
    run as written (3 responders): utilisation is busy time over responders' hours, so
    1 responder is about 3x and 2 about 1.5x the written value."""
    written = api.simulate(api.load(SMALL), replications=8, seed=7, workers=1)
    u3 = written.estimate("teams.app-ops.utilisation").value
    return f"teams.app-ops.utilisation < {2.2 * u3 * 100:.2f}%"


@pytest.fixture(scope="module")
def zipped():
    req = sweep.SweepRequest(SMALL, vary.parse_all(["teams.app-ops.headcount=3..6",
                                                    "teams.app-ops.responders=1..4"]),
                             zipped=True, targets=target_specs([utilisation_target()]),
                             replications=8, seed=7, workers=1)
    return sweep.run(req)


def test_points_share_common_random_numbers(zipped):
    """The point as written (5 people, 3 responders) equals a plain run with the seed."""
    point = {"teams.app-ops.headcount": "5", "teams.app-ops.responders": "3"}
    (p,) = [p for p in zipped["points"] if p["values"] == point]
    plain = api.simulate(api.load(SMALL), replications=8, seed=7, workers=1)
    for name, entry in p["metrics"].items():
        assert entry["value"] == pytest.approx(plain.estimate(name).value, rel=1e-12)


def test_json_shape(zipped):
    text = render.render_json(zipped)
    data = json.loads(text)
    assert data["schema_version"] == 1
    assert data["vary"] == ["teams.app-ops.headcount", "teams.app-ops.responders"]
    for p in data["points"]:
        assert set(p["values"]) == set(data["vary"])
        for entry in p["metrics"].values():
            assert set(entry) == {"value", "ci95", "unit"} and len(entry["ci95"]) == 2
        assert p["meets_targets"] in (True, False, None)
    assert "incidents.time_to_restore.p50" in data["metric_names"]
    tail = {"incidents.time_to_restore.p90", "incidents.time_to_restore.p95"}
    assert tail & set(data["metric_names"])


def test_knee_is_the_first_point_meeting_every_target(zipped):
    knee = zipped["knee"]
    assert knee is not None
    meets = [p["meets_targets"] for p in zipped["points"]]
    assert knee["index"] == meets.index(True)
    assert knee["probability"] > 0.5
    # one responder works three times as hard as three: it fails the ceiling outright
    assert meets[0] is False
    assert knee["values"]["teams.app-ops.responders"] == "2"


def test_grid_knee_is_the_cheapest_point_meeting_every_target():
    points = [{"values": {"a": str(i)}, "meets_targets": m, "cost_total": c,
               "p_meets_targets": 0.9} for i, (m, c) in
              enumerate([(True, 300.0), (False, 100.0), (True, 200.0), (None, 50.0)])]
    assert sweep.knee(points, grid=True)["index"] == 2
    line = sweep.knee(points, grid=False)
    assert line["index"] == 0 and line["fails_from"] == {"a": "1"}
    assert sweep.knee(points, grid=True)["fails_from"] is None
    assert sweep.knee([{**p, "meets_targets": False} for p in points], grid=True) is None


def test_table_with_charts_at_fixed_width(zipped):
    text = render.table_text(zipped, width=100)
    assert "Knee, the first value meeting every target" in text
    assert "<- knee" in text
    assert text.count("(95% interval band)") == len(zipped["metric_names"])
    assert render.MARK in text and render.BAND in text
    assert "\x1b[" not in text


def test_csv_and_markdown(zipped):
    rows = list(csv.reader(io.StringIO(render.render_csv(zipped))))
    assert rows[0][:2] == zipped["vary"]
    assert len(rows) == 1 + len(zipped["points"]) * len(zipped["metric_names"])
    md = render.render_markdown(zipped)
    assert md.count("\n|") >= len(zipped["points"]) + 2


def test_sweep_cli_writes_output_atomically(tmp_path):
    out = tmp_path / "sweep.json"
    r = invoke("sweep", SMALL, "--vary", "teams.app-ops.responders=2,3", "-n", "4",
               "--format", "json", "--output", str(out))
    assert r.exit_code == 0, r.output
    assert len(json.loads(out.read_text())["points"]) == 2


# -- optimise ---------------------------------------------------------------------------

def test_screening_drops_a_clearly_worse_candidate():
    req = optimise.OptimiseRequest(SMALL, vary.parse_all(["applications.checkout.incidents=1/week,8/week"]),
                                   "cost.total", replications=10, seed=3, workers=1)
    result = optimise.run(req)
    assert result["winner"]["values"] == {"applications.checkout.incidents": "1/week"}
    assert result["separated"] is True
    (loser,) = result["runners_up"]
    assert loser["status"] == "out" and "paired t-test" in loser["reason"]


def test_winner_meets_the_targets_and_runners_up_are_reported():
    target = target_specs([utilisation_target()])
    req = optimise.OptimiseRequest(SMALL, vary.parse_all(["teams.app-ops.responders=1..3"]),
                                   "teams.app-ops.utilisation", maximise=True, targets=target,
                                   replications=8, seed=7, workers=1, budget=400)
    result = optimise.run(req)
    w = result["winner"]
    assert w is not None and w["feasibility"] == "feasible"
    assert all(t["status"] == "pass" for t in w["targets"])
    # one responder breaks the ceiling; the busiest feasible App Ops has two
    assert result["infeasible"] >= 1
    assert w["values"] == {"teams.app-ops.responders": "2"}
    assert result["replications_spent"] <= result["budget"]


def test_optimise_cli_exit_codes():
    base = ["optimise", SMALL, "--vary", "teams.app-ops.responders=2,3", "-n", "4", "--no-gates"]
    assert invoke(*base).exit_code == 2  # no objective
    r = invoke(*base, "--minimise", "cost.total", "--target", "cost.total < 1 GBP")
    assert r.exit_code == 1 and "Winner: none" in r.output
    assert invoke(*base, "--minimise", "cost.total", "--budget", "3").exit_code == 2
    r = invoke(*base, "--minimise", "cost.total", "--format", "json")
    assert r.exit_code == 0 and json.loads(r.output)["winner"] is not None


def test_large_grids_are_searched_not_enumerated():
    req = optimise.OptimiseRequest(
        SMALL, vary.parse_all(["applications.checkout.incidents=1/week..9/week/9",
                               "teams.app-ops.responders=1..5", "teams.service-desk.responders=1..3"]),
        "cost.total", replications=4, seed=1, workers=1, budget=400)
    result = optimise.run(req)
    assert result["candidates"] == 135 and result["screened"] < 135
    assert result["search"].startswith("neighbourhood search")
    assert result["winner"]["values"]["applications.checkout.incidents"] in ("1/week", "2/week")


# -- sensitivity ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sens():
    req = sensitivity.SensitivityRequest(
        SMALL, vary.parse_all(["applications.checkout.incidents=2/week..6/week/3",
                               "teams.app-ops.responders=2..4"]),
        ["cost.total"], replications=8, samples=4, sobol_replications=3, seed=2, workers=1)
    return sensitivity.run(req)


def test_tornado_effects_have_the_right_sign(sens):
    bars = {b["path"]: b for b in sens["tornado"]["bars"]}
    inc = bars["applications.checkout.incidents"]
    assert inc["base"] == "4/week"
    assert inc["high"]["effects"]["cost.total"]["value"] > 0
    assert inc["low"]["effects"]["cost.total"]["value"] < 0
    lo, hi = inc["high"]["effects"]["cost.total"]["ci95"]
    assert lo <= inc["high"]["effects"]["cost.total"]["value"] <= hi


def test_sobol_indices_live_in_0_1_with_intervals(sens):
    s = sens["sobol"]
    assert s["points"] == 4 * (2 + 2)
    for per_input in s["indices"]["cost.total"].values():
        for kind in ("first_order", "total"):
            e = per_input[kind]
            assert 0 <= e["ci95"][0] <= e["value"] <= e["ci95"][1] <= 1


def test_sensitivity_rendering(sens):
    lines = render.sensitivity_lines(sens, 100)
    text = "\n".join(lines)
    assert "Sobol indices of cost.total" in text
    # the widest bar is listed first
    first_bar = next(line for line in lines if "│" in line or "█" in line)
    assert first_bar.strip().startswith("applications.checkout.incidents")


def test_missing_salib_names_the_extra(monkeypatch):
    import builtins

    real = builtins.__import__

    def fake(name, *a, **k):
        if name.startswith("SALib"):
            raise ImportError(name)
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", fake)
    with pytest.raises(WhorunsitError, match=r"whorunsit\[decide\]"):
        sensitivity._salib()
    r = invoke("sensitivity", SMALL, "--vary", "teams.app-ops.responders=2..3", "-n", "2")
    assert r.exit_code == 2
    assert r.output.count("\n") == 1 and "whorunsit[decide]" in r.output


def test_sensitivity_needs_numeric_ranges():
    r = invoke("sensitivity", YBIYRI, "--vary", "teams.delivery.rota.cover=24x7,weekends")
    assert r.exit_code == 2 and "numeric range" in r.output


def test_api_extend_equals_a_longer_run():
    s = api.load(SMALL)
    short = api.simulate(s, replications=3, seed=4, workers=1)
    longer = api.extend(short, 6, workers=1)
    fresh = api.simulate(s, replications=6, seed=4, workers=1)
    np.testing.assert_array_equal(longer.samples["cost.total"], fresh.samples["cost.total"])


def test_progress_counts_every_replication_of_every_point():
    seen = []
    req = sweep.SweepRequest(SMALL, vary.parse_all(["teams.app-ops.responders=2,3"]),
                             replications=3, seed=1, workers=1)
    sweep.run(req, lambda done, total: seen.append((done, total)))
    assert seen[-1] == (6, 6)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_help_of_each_command_names_its_examples():
    for command in ("sweep", "optimise", "sensitivity"):
        r = runner.invoke(app, [command, "--help"])
        assert r.exit_code == 0 and "Examples:" in r.output


@pytest.mark.parametrize(("command", "extra", "fmt"), [
    ("sweep", [], "markdown"),
    ("sweep", [], "table"),
    ("optimise", ["--minimise", "cost.total", "--no-gates"], "markdown"),
    ("optimise", ["--minimise", "cost.total", "--no-gates"], "table"),
    ("sensitivity", ["--no-sobol"], "json"),
    ("sensitivity", ["--samples", "2", "--sobol-replications", "2"], "markdown"),
])
def test_every_format_writes_its_file(command, extra, fmt, tmp_path):
    out = tmp_path / f"report.{fmt}"
    r = invoke(command, SMALL, "--vary", "teams.app-ops.responders=2..3", "-n", "3", *extra,
               "--format", fmt, "--output", str(out))
    assert r.exit_code == 0, r.output
    text = out.read_text()
    assert "teams.app-ops.responders" in text
    if fmt == "json":
        assert json.loads(text)["command"] == command


def test_a_failed_run_leaves_the_old_report(tmp_path):
    out = tmp_path / "keep.json"
    out.write_text("old")
    r = invoke("sweep", SMALL, "--vary", "teams.app-ops.responders=0", "--format", "json",
               "--output", str(out))
    assert r.exit_code == 2
    assert out.read_text() == "old"
