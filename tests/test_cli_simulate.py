"""`whorunsit simulate` through the typer app: flags, formats, --output, exit codes.

The first group replaces the library (whorunsit.api) with a recorder that returns
hand-built Results, so the command's own behaviour is tested exactly; the last group
runs the real engine on the shipped scenario.
"""

import csv
import io
import json
import re
import sys
import types

import pytest
from typer.testing import CliRunner

import report_samples
import whorunsit
from whorunsit.app import app
from whorunsit.errors import InputError, Location, Problem

SCENARIO = "scenarios/you-build-it-ops-run-it.yaml"
runner = CliRunner()


def run(*args, env=None):
    return runner.invoke(app, ["simulate", *args], env=env)


@pytest.fixture
def fake_api(monkeypatch):
    calls = {}

    def load(path):
        calls["path"] = str(path)
        return report_samples.scenario()

    def simulate(scenario, **kw):
        calls.update(kw)
        return report_samples.results(replications=kw.get("replications") or 30)

    api = types.SimpleNamespace(load=load, simulate=simulate, calls=calls)
    monkeypatch.setitem(sys.modules, "whorunsit.api", api)
    monkeypatch.setattr(whorunsit, "api", api, raising=False)
    return api


def test_help_lists_every_flag_and_examples():
    result = run("--help")
    assert result.exit_code == 0
    for flag in ("--replications", "--seed", "--precision", "--workers", "--format",
                 "--output", "--quiet"):
        assert flag in result.stdout
    assert "Examples:" in result.stdout
    assert "whorunsit simulate scenarios/you-build-it-ops-run-it.yaml" in result.stdout


@pytest.mark.parametrize("args, message", [
    (["--replications", "0"], "--replications must be at least 1"),
    (["--replications", "many"], "--replications must be a whole number"),
    (["--seed", "-1"], "--seed must be at least 0"),
    (["--workers", "0"], "--workers must be at least 1"),
    (["--precision", "0"], "--precision must be"),
    (["--precision", "150%"], "--precision must be"),
    (["--format", "xml"], "--format must be one of table, json, markdown, csv, html"),
])
def test_invalid_flags_give_one_line_and_exit_2(fake_api, args, message):
    result = run(SCENARIO, *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]
    assert "path" not in fake_api.calls  # nothing was loaded or run


def test_flags_reach_the_library(fake_api):
    result = run(SCENARIO, "--replications", "12", "--seed", "99", "--workers", "1",
                 "--precision", "5%", "--format", "json", "--quiet")
    assert result.exit_code == 0, result.stderr
    c = fake_api.calls
    assert c["path"] == SCENARIO
    assert (c["replications"], c["seed"], c["workers"], c["precision"]) == (12, 99, 1, 0.05)
    assert c["progress"] is None  # not a terminal: no progress bar


def test_defaults_are_left_to_the_scenario(fake_api):
    assert run(SCENARIO, "--format", "csv").exit_code == 0
    c = fake_api.calls
    assert (c["replications"], c["seed"], c["workers"], c["precision"]) == (None,) * 4


def test_table_is_the_default_format(fake_api):
    result = run(SCENARIO, env={"NO_COLOR": "1", "COLUMNS": "80"})
    assert result.exit_code == 0, result.stderr
    assert "Headline outcomes" in result.stdout and "Warnings" in result.stdout
    assert "\x1b[" not in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 80


@pytest.mark.parametrize("fmt, check", [
    ("json", lambda out: json.loads(out)["schema_version"] == 1),
    ("csv", lambda out: next(csv.reader(io.StringIO(out)))[0] == "metric"),
    ("markdown", lambda out: out.startswith("## whorunsit: ")),
])
def test_machine_formats_on_stdout(fake_api, fmt, check):
    result = run(SCENARIO, "--format", fmt)
    assert result.exit_code == 0, result.stderr
    assert check(result.stdout)


def test_output_writes_the_file_and_says_so(fake_api, tmp_path):
    out = tmp_path / "r.json"
    result = run(SCENARIO, "--format", "json", "--output", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert json.loads(out.read_text())["replications"] == 30
    assert f"wrote json report to {out}" in result.stderr
    quiet = run(SCENARIO, "--format", "json", "--output", str(out), "--quiet")
    assert quiet.exit_code == 0 and quiet.stderr == ""


def test_table_to_a_file_is_plain_text(fake_api, tmp_path):
    out = tmp_path / "report.txt"
    assert run(SCENARIO, "--output", str(out), "--quiet").exit_code == 0
    text = out.read_text()
    assert "Headline outcomes" in text and "\x1b[" not in text


def test_failed_render_leaves_the_previous_file(fake_api, tmp_path, monkeypatch):
    out = tmp_path / "r.json"
    out.write_text("previous run\n")

    def broken(results):
        raise RuntimeError("renderer bug")

    monkeypatch.setattr("whorunsit.report.render_json", broken)
    result = run(SCENARIO, "--format", "json", "--output", str(out))
    assert result.exit_code == 2
    assert "internal error: RuntimeError: renderer bug" in result.stderr
    assert out.read_text() == "previous run\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]


def test_failed_simulation_leaves_the_previous_file(fake_api, tmp_path):
    out = tmp_path / "r.csv"
    out.write_text("previous run\n")

    def broken(scenario, **kw):
        raise InputError(Problem(Location("s.yaml", 3, 5), "no such team 'ops'", "a team name"))

    fake_api.simulate = broken
    result = run(SCENARIO, "--format", "csv", "--output", str(out))
    assert result.exit_code == 2
    assert result.stderr == "s.yaml:3:5: no such team 'ops'; a team name\n"
    assert out.read_text() == "previous run\n"


def test_output_into_a_missing_directory_is_one_line(fake_api, tmp_path):
    result = run(SCENARIO, "--format", "json", "--output", str(tmp_path / "no" / "r.json"))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "r.json" in result.stderr


# -- the real engine on the shipped scenario ------------------------------------------------

def real(*args, env=None):
    return run(SCENARIO, "--replications", "5", "--seed", "11", "--quiet", *args, env=env)


@pytest.fixture(scope="module")
def real_json():
    result = real("--format", "json")
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_real_run_json_has_every_documented_metric(real_json):
    doc = json.loads(real_json)
    assert doc["schema_version"] == 1
    assert doc["replications"] == 5 and doc["seed"] == 11
    assert doc["scenario"]["name"] == "You Build It Ops Run It"
    assert doc["scenario"]["horizon_h"] == 13 * 168 and doc["scenario"]["warmup_h"] == 168
    metrics = doc["metrics"]
    for name in ("incidents.time_to_restore.p95", "incidents.handoffs.mean",
                 "teams.app-ops.utilisation", "deployments.lead_time.p50",
                 "delivery.discontinuous", "oncall.delivery.unpaid_hours", "cost.opex",
                 "cost.capex", "cost.total", "applications.checkout.availability",
                 "applications.checkout.p_meets_target"):
        assert name in metrics, name
    ttr = metrics["incidents.time_to_restore.p95"]
    assert ttr["unit"] == "h" and ttr["ci95"][0] <= ttr["value"] <= ttr["ci95"][1]
    assert metrics["cost.total"]["unit"] == "GBP/year"


def test_real_run_is_reproducible(real_json):
    assert real("--format", "json").stdout == real_json


def test_real_run_opens_with_the_headline_and_hides_the_rest_behind_all():
    out = real(env={"NO_COLOR": "1", "COLUMNS": "80"}).stdout
    lines = out.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("Time to restore: median"))
    assert first < lines.index(next(line for line in lines if line.startswith("Headline outcomes")))
    assert "Incident flow by team" not in out and "Warnings" in out
    assert "--all shows every table" in " ".join(out.split())
    some = real("--section", "flow,cost", env={"NO_COLOR": "1", "COLUMNS": "120"}).stdout
    assert "Incident flow by team" in some and "Cost per year" in some
    assert "Availability by application" not in some and "all incidents pooled" not in some
    bad = real("--section", "flows")
    assert bad.exit_code == 2 and bad.stderr.startswith("error: --section: unknown section 'flows'")


def test_real_run_table_at_80_columns_without_colour():
    result = real("--all", env={"NO_COLOR": "1", "COLUMNS": "80"})
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "whorunsit · You Build It Ops Run It" in out
    for section in ("Headline outcomes", "Incident flow by team", "On-call and cost by team",
                    "Cost per year", "Availability by application",
                    "Time to restore, all incidents pooled", "Warnings"):
        assert section in out, section
    assert "Continuous Delivery" in out or "Discontinuous Delivery" in out
    assert "\x1b[" not in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_real_run_csv_and_markdown():
    rows = list(csv.DictReader(io.StringIO(real("--format", "csv").stdout)))
    assert {"incidents.time_to_restore.p50", "cost.downtime"} <= {r["metric"] for r in rows}
    md = real("--format", "markdown").stdout
    assert md.startswith("## whorunsit: You Build It Ops Run It")


def test_missing_scenario_file_is_one_line_exit_2(tmp_path):
    result = run(str(tmp_path / "nope.yaml"), "--replications", "2")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and "nope.yaml" in result.stderr


def test_invalid_scenario_is_located_and_exit_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nteams: 3\n")
    out = tmp_path / "r.json"
    out.write_text("previous\n")
    result = run(str(bad), "--format", "json", "--output", str(out))
    assert result.exit_code == 2
    assert re.search(r"bad\.yaml:\d+:\d+: ", result.stderr)
    assert "Traceback" not in result.stderr
    assert out.read_text() == "previous\n"
