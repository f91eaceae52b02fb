"""`whorunsit gate` through the typer app: exit codes, every format, the inconclusive path,
input errors.

Most tests replace the engine (whorunsit.api.simulate) with a stand-in whose figures are
chosen per scenario, so each outcome is known in advance; the real shipped scenarios are
still loaded and their metric names checked. The last tests run the real engine.
"""

from __future__ import annotations

import json
import sys
import types
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import whorunsit
from whorunsit.app import app
from whorunsit.gate.assertions import known_metrics
from whorunsit.stats.catalogue import binary
from whorunsit.stats.results import Results

CURRENT = "scenarios/you-build-it-ops-run-it.yaml"
PROPOSAL = "scenarios/you-build-it-you-run-it.yaml"
runner = CliRunner()

#: chosen means per scenario name; every other metric is 1.0
MEANS = {
    "You Build It Ops Run It": {
        "incidents.time_to_restore.p95": 30.0, "deployments.lead_time.p50": 100.0,
        "cost.oncall": 50_000.0, "oncall.unpaid_hours": 120.0,
    },
    "You Build It You Run It": {
        "incidents.time_to_restore.p95": 10.0, "deployments.lead_time.p50": 0.5,
        "cost.oncall": 60_000.0, "oncall.unpaid_hours": 0.0,
    },
}


@pytest.fixture
def fake_api(monkeypatch):
    calls = []

    def simulate(scenario, *, replications=None, seed=None, workers=None, progress=None, **kw):
        calls.append((scenario.name, replications, seed, workers))
        # the same noise for every scenario: common random numbers, perfectly correlated;
        # centred, so every mean is exactly the chosen one and a threshold there is undecidable
        z = np.random.default_rng(seed).standard_normal(replications)
        z -= z.mean()
        means = MEANS[scenario.name]
        samples = {m: (z > 1.0).astype(float) if binary(m) and m not in means
                   else means.get(m, 1.0) * (1 + 0.05 * z) for m in known_metrics(scenario)}
        return Results(scenario, seed, samples)

    api = types.SimpleNamespace(simulate=simulate, calls=calls)
    monkeypatch.setitem(sys.modules, "whorunsit.api", api)
    monkeypatch.setattr(whorunsit, "api", api, raising=False)
    return api


def policy(tmp_path, *lines: str) -> str:
    path = tmp_path / "policy.yaml"
    path.write_text("gates:\n" + "".join(f"  - {line}\n" for line in lines), encoding="utf-8")
    return str(path)


def gate(*args: str):
    return runner.invoke(app, ["gate", *args])


def test_help_lists_every_flag_and_examples():
    result = gate("--help")
    assert result.exit_code == 0
    for flag in ("--baseline", "--policy", "--replications", "--max-replications", "--seed",
                 "--allow-inconclusive", "--format", "--output", "--report", "--workers"):
        assert flag in result.stdout
    assert "Examples:" in result.stdout and "delta(cost.oncall) <= 10%" in result.stdout


def test_passing_gate_exits_0(fake_api, tmp_path):
    pol = policy(tmp_path, "incidents.time_to_restore.p95 < 1d", "delta(deployments.lead_time.p50) < 0",
                 "delta(cost.oncall) <= 25%")
    result = gate(PROPOSAL, "--baseline", CURRENT, "--policy", pol, "--replications", "10", "--seed", "4")
    assert result.exit_code == 0, result.output
    # the scenario's own gates (inherited from the Ops-run file it extends) are judged too
    assert "incidents.time_to_restore.p95 <= 3d" in result.stdout
    assert "gate passed: 4 of 4 error-level assertions pass" in result.stdout
    assert "relative change +20.0%, 95% CI [+20.0%, +20.0%]" in result.stdout
    assert fake_api.calls == [("You Build It You Run It", 10, 4, None), ("You Build It Ops Run It", 10, 4, None)]


def test_failing_gate_exits_1_and_says_why(fake_api, tmp_path):
    pol = policy(tmp_path, "delta(cost.oncall) <= 10%")
    result = gate(PROPOSAL, "--baseline", CURRENT, "--policy", pol, "-n", "10")
    assert result.exit_code == 1
    assert "FAIL" in result.stdout
    text = " ".join(result.stdout.split())
    assert "delta(cost.oncall) <= 10% [error]" in text
    assert "the whole interval is above +10%" in text
    assert "gate FAILED: 1 of 2 error-level assertions pass, 1 fail" in text


def test_warn_level_failures_exit_0(fake_api, tmp_path):
    pol = policy(tmp_path, "{assert: delta(cost.oncall) <= 10%, level: warn}")
    result = gate(PROPOSAL, "--baseline", CURRENT, "--policy", pol, "-n", "10")
    assert result.exit_code == 0
    assert "WARN" in result.stdout and "1 warning" in result.stdout


def test_inconclusive_reruns_up_to_the_cap_then_fails_unless_allowed(fake_api, tmp_path):
    pol = policy(tmp_path, "incidents.time_to_restore.p95 < 10h")  # the mean is exactly 10h
    result = gate(PROPOSAL, "--policy", pol, "-n", "4", "--max-replications", "32")
    assert result.exit_code == 1
    reps = [n for _, n, _, _ in fake_api.calls]
    assert reps[0] == 4 and reps[-1] == 32 and reps == sorted(reps) and len(reps) > 1
    text = " ".join(result.stdout.split())
    assert "INCONCLUSIVE" in text
    assert "straddles 10h" in text and "still inconclusive at the cap of 32 replications" in text
    allowed = gate(PROPOSAL, "--policy", pol, "-n", "4", "--max-replications", "32", "--allow-inconclusive")
    assert allowed.exit_code == 0
    assert "accepted (--allow-inconclusive)" in " ".join(allowed.stdout.split())


def test_json_report(fake_api, tmp_path):
    pol = policy(tmp_path, "delta(cost.oncall) <= 25%")
    result = gate(PROPOSAL, "--baseline", CURRENT, "--policy", pol, "-n", "10", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["schema_version"] == 1 and data["passed"] is True and data["exit_code"] == 0
    assert data["baseline"]["file"] == CURRENT
    assert [a["expression"] for a in data["assertions"]] == [
        "incidents.time_to_restore.p95 <= 3d", "oncall.unpaid_hours == 0", "delta(cost.oncall) <= 25%"]
    assert data["assertions"][2]["value"] == pytest.approx(0.2)
    # where the scenario file writes its first gate (found, so edits above it don't matter)
    lines = Path(CURRENT).read_text().splitlines()
    line = next(i for i, text in enumerate(lines, 1) if "incidents.time_to_restore.p95 <= 3d" in text)
    assert data["assertions"][0]["location"] == {"file": CURRENT, "line": line, "col": 5}


def test_junit_report_has_one_testcase_per_assertion(fake_api, tmp_path):
    pol = policy(tmp_path, "delta(cost.oncall) <= 10%", "cost.oncall < 1M GBP")
    result = gate(PROPOSAL, "--baseline", CURRENT, "--policy", pol, "-n", "10", "--format", "junit")
    assert result.exit_code == 1
    root = ET.fromstring(result.stdout)
    cases = root.findall(".//testcase")
    assert len(cases) == 4
    failed = [c.get("name") for c in cases if c.find("failure") is not None]
    assert failed == ["delta(cost.oncall) <= 10%"]


def test_github_annotations_point_at_the_policy_file_line(fake_api, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "policy.yaml").write_text(
        "# organisation-wide limits\ngates:\n  - cost.oncall < 1M GBP\n  - delta(cost.oncall) <= 10%\n",
        encoding="utf-8")
    root = Path(__file__).resolve().parents[1]
    result = gate(str(root / PROPOSAL), "--baseline", str(root / CURRENT), "--policy", "policy.yaml",
                  "-n", "10", "--format", "github")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    errors = [line for line in lines if line.startswith("::error ")]
    assert len(errors) == 1
    assert errors[0].startswith("::error file=policy.yaml,line=4,col=5,title=whorunsit gate%3A FAIL (error)::"
                                "delta(cost.oncall) <= 10%25: relative change +20.0%25")
    assert any(line.startswith("PASS cost.oncall < 1M GBP") for line in lines)
    assert lines[-1].startswith("gate FAILED")


def test_markdown_output_file_and_extra_reports(fake_api, tmp_path):
    pol = policy(tmp_path, "delta(cost.oncall) <= 25%")
    out, xml, summary = tmp_path / "gate.md", tmp_path / "gate.xml", tmp_path / "summary.json"
    result = gate(PROPOSAL, "--baseline", CURRENT, "--policy", pol, "-n", "10", "--format", "markdown",
                  "--output", str(out), "--report", f"junit={xml}", "--report", f"json={summary}")
    assert result.exit_code == 0
    assert result.stdout == ""
    text = out.read_text(encoding="utf-8")
    assert text.startswith("## ✅ whorunsit gate passed") and "<details>" in text
    assert len(ET.parse(xml).getroot().findall(".//testcase")) == 3
    assert json.loads(summary.read_text(encoding="utf-8"))["passed"] is True
    assert f"wrote markdown report to {out}" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--replications", "1"], "error: --replications must be at least 2, got 1"),
        (["--replications", "lots"], "error: --replications must be a whole number, got 'lots'"),
        (["--max-replications", "0"], "error: --max-replications must be at least 2, got 0"),
        (["--format", "xml"], "error: --format must be one of table, json, junit, github, markdown, html; got 'xml'"),
        (["--report", "junit"], "error: --report must be FORMAT=PATH (e.g. junit=gate.xml), got 'junit'"),
        (["--report", "pdf=x.pdf"], "error: --report must be one of table, json, junit, github, markdown, html"),
        (["--seed", "-3"], "error: --seed must be at least 0, got -3"),
        (["-n", "20", "--max-replications", "10"], "--max-replications: 10 is below the 20 replications the gate starts with"),
    ],
)
def test_bad_flags_exit_2_with_one_line(fake_api, args, message):
    result = gate(CURRENT, *args)
    assert result.exit_code == 2
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1
    assert fake_api.calls == []


def test_unknown_metrics_are_input_errors_with_did_you_mean(fake_api, tmp_path):
    pol = policy(tmp_path, "incidents.time_to_restor.p95 < 4h", '"teams.app-opz.utilisation < 85%"')
    result = gate(CURRENT, "--policy", pol)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"{pol}:2:5: unknown metric 'incidents.time_to_restor.p95'; did you mean 'incidents.time_to_restore.p95'?",
        f"{pol}:3:6: unknown metric 'teams.app-opz.utilisation'; did you mean 'teams.app-ops.utilisation'?",
    ]
    assert fake_api.calls == []


def test_delta_without_a_baseline_is_an_input_error(fake_api, tmp_path):
    pol = policy(tmp_path, "delta(cost.oncall) <= 10%")
    result = gate(PROPOSAL, "--policy", pol)
    assert result.exit_code == 2
    assert result.stderr == (f"{pol}:2:5: 'delta(cost.oncall) <= 10%' compares against a baseline; "
                             "--baseline BASE.yaml to gate a change against\n")


def test_delta_on_a_team_the_baseline_lacks(fake_api, tmp_path):
    pol = policy(tmp_path, "delta(teams.app-ops.utilisation) < 0")
    result = gate(CURRENT, "--baseline", PROPOSAL, "--policy", pol)
    assert result.exit_code == 2
    assert f"the baseline {PROPOSAL} has no metric 'teams.app-ops.utilisation'" in result.stderr


def test_nothing_to_gate(fake_api, tmp_path):
    bare = tmp_path / "bare.yaml"
    bare.write_text(f"extends: {Path(CURRENT).resolve()}\ngates: []\n", encoding="utf-8")
    result = gate(str(bare))
    assert result.exit_code == 2
    assert "there is nothing to gate" in result.stderr


def test_every_bad_file_is_reported_at_once(fake_api, tmp_path):
    result = gate(str(tmp_path / "nope.yaml"), "--baseline", str(tmp_path / "gone.yaml"),
                  "--policy", str(tmp_path / "missing.yaml"))
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 3 and all("does not exist" in line for line in lines)


# -- the real engine ----------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]


def test_real_gate_against_a_baseline(tmp_path):
    pol = policy(tmp_path, "delta(deployments.lead_time.p50) < 0", "delta(oncall.unpaid_hours) < 0",
                 "teams.delivery.utilisation < 50%")
    result = gate(str(ROOT / PROPOSAL), "--baseline", str(ROOT / CURRENT), "--policy", pol, "-n", "20",
                  "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [a["status"] for a in data["assertions"]] == ["pass"] * 5
    lead = data["assertions"][2]
    assert lead["unit"] == "h" and lead["ci95"][1] < 0


def test_a_scenario_gated_against_itself_differs_by_exactly_nothing(tmp_path):
    """Same seed, same scenario: every replication is identical, so every paired
    difference is exactly zero and its interval the single point 0."""
    pol = policy(tmp_path, "delta(incidents.time_to_restore.p95) == 0", "delta(cost.total) == 0%")
    result = gate(str(ROOT / CURRENT), "--baseline", str(ROOT / CURRENT), "--policy", pol, "-n", "10",
                  "--format", "json")
    assert result.exit_code == 0, result.output
    deltas = json.loads(result.stdout)["assertions"][2:]
    assert [(a["value"], a["ci95"]) for a in deltas] == [(0.0, [0.0, 0.0])] * 2


def test_same_inputs_same_verdict_for_any_number_of_workers(tmp_path, monkeypatch):
    from whorunsit.engine import runner

    monkeypatch.setattr(runner, "SMALL_RUN_ITEMS", 0)  # real workers, however small the run
    pol = policy(tmp_path, "delta(cost.total) <= 1%", "incidents.time_to_restore.p95 < 2d")
    args = [str(ROOT / PROPOSAL), "--baseline", str(ROOT / CURRENT), "--policy", pol, "-n", "12",
            "--max-replications", "48", "--format", "json"]
    one, two = gate(*args, "--workers", "1"), gate(*args, "--workers", "2")
    assert one.exit_code == two.exit_code
    assert one.stdout == two.stdout
