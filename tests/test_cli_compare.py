"""`whorunsit compare` through the typer app.

The first tests stand in for the engine (whorunsit.api.simulate) to check what the
command passes and prints; the last ones run the real engine with common random numbers.
"""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import whorunsit
from whorunsit.app import app
from whorunsit.gate.assertions import known_metrics
from whorunsit.stats.results import Results

ROOT = Path(__file__).resolve().parents[1]
CURRENT = "scenarios/you-build-it-ops-run-it.yaml"
PROPOSAL = "scenarios/you-build-it-you-run-it.yaml"
runner = CliRunner()


def compare(*args: str):
    return runner.invoke(app, ["compare", *args])


@pytest.fixture
def fake_api(monkeypatch):
    calls = []

    def simulate(scenario, *, replications=None, seed=None, workers=None, progress=None, **kw):
        calls.append((scenario.name, replications, seed, workers))
        z = np.random.default_rng(seed).standard_normal(replications)
        level = 2.0 if scenario.name == "You Build It You Run It" else 1.0
        return Results(scenario, seed, {m: level * (10 + z) for m in known_metrics(scenario)})

    api = types.SimpleNamespace(simulate=simulate, calls=calls)
    monkeypatch.setitem(sys.modules, "whorunsit.api", api)
    monkeypatch.setattr(whorunsit, "api", api, raising=False)
    return api


def test_help_lists_every_flag_and_examples():
    result = compare("--help")
    assert result.exit_code == 0
    for flag in ("--replications", "--seed", "--workers", "--metrics", "--format", "--output"):
        assert flag in result.stdout
    assert "Examples:" in result.stdout


def test_every_scenario_runs_with_the_same_seed_and_replications(fake_api):
    result = compare(CURRENT, PROPOSAL, CURRENT, "--replications", "12", "--seed", "8", "--workers", "1")
    assert result.exit_code == 0, result.output
    assert [c[1:] for c in fake_api.calls] == [(12, 8, 1)] * 3
    defaults = compare(CURRENT, PROPOSAL)
    assert defaults.exit_code == 0
    assert fake_api.calls[-1][1:3] == (200, 20261121)  # the first scenario's


def test_table_side_by_side(fake_api):
    result = compare(CURRENT, PROPOSAL, "-n", "10")
    assert result.exit_code == 0
    text = result.stdout
    assert text.startswith("whorunsit compare · B against A · seed 20261121 · 10 replications, paired")
    for section in ("Outcomes", "Availability", "Flow", "On-call & cost"):
        assert f"\n{section} " in text
    assert "* worse" in text and "* better" in text  # doubled values: lower-is-better and higher-is-better
    # App Ops exists only in the current model
    block = text[text.index("teams.app-ops"):]
    assert block.splitlines()[1].split()[-3:] == ["—", "—", "—"]


def test_metrics_by_glob_json(fake_api):
    result = compare(CURRENT, PROPOSAL, "-n", "10", "--metrics", "cost.*, teams.*.utilisation", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["schema_version"] == 1
    names = list(data["metrics"])
    assert names[0] == "teams.app-ops.utilisation" and "cost.total" in names
    assert all(n.startswith("cost.") or n.endswith(".utilisation") for n in names)
    total = data["metrics"]["cost.total"]
    assert total["differences"][0]["relative"] == pytest.approx(1.0)
    assert total["differences"][0]["verdict"] == "worse"


def test_markdown_to_a_file(fake_api, tmp_path):
    out = tmp_path / "comment.md"
    result = compare(CURRENT, PROPOSAL, "-n", "10", "--format", "markdown", "--output", str(out))
    assert result.exit_code == 0 and result.stdout == ""
    assert out.read_text(encoding="utf-8").startswith("## whorunsit compare")
    assert f"wrote markdown report to {out}" in result.stderr


def test_table_to_a_file_has_no_colour(fake_api, tmp_path):
    out = tmp_path / "compare.txt"
    result = compare(CURRENT, PROPOSAL, "-n", "10", "--output", str(out))
    assert result.exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert "\x1b[" not in text and "Outcomes" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([CURRENT], "error: compare needs at least two scenario files\n"),
        ([CURRENT, PROPOSAL, "-n", "1"], "error: --replications must be at least 2, got 1\n"),
        ([CURRENT, PROPOSAL, "--seed", "x"], "error: --seed must be a whole number, got 'x'\n"),
        ([CURRENT, PROPOSAL, "--format", "csv"], "error: --format must be one of table, json, markdown, html; got 'csv'\n"),
        ([CURRENT, PROPOSAL, "--metrics", " , "], "error: --metrics needs at least one name or glob, e.g. 'cost.*'\n"),
        ([CURRENT, PROPOSAL, "--metrics", "cost.totl,tems.*"],
         "--metrics: 'cost.totl' matches no metric; did you mean 'cost.total'?; "
         "a metric name or glob such as 'cost.*' or 'teams.*.utilisation'\n"
         "--metrics: 'tems.*' matches no metric; did you mean 'teams.*'?; "
         "a metric name or glob such as 'cost.*' or 'teams.*.utilisation'\n"),
    ],
)
def test_bad_usage_exits_2_before_simulating(fake_api, args, message):
    result = compare(*args)
    assert result.exit_code == 2
    assert result.stderr == message
    assert fake_api.calls == []


def test_every_bad_file_is_reported(fake_api, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nteams: {a: {headcont: 3}}\n", encoding="utf-8")
    result = compare(str(tmp_path / "missing.yaml"), str(bad))
    assert result.exit_code == 2
    assert "missing.yaml: file" in result.stderr and "headcont" in result.stderr
    assert fake_api.calls == []


# -- the real engine ----------------------------------------------------------------------

def test_common_random_numbers_make_paired_intervals_narrower(tmp_path):
    """A proposal that only changes App Ops' staffing meets the same incidents, priorities
    and work times replication by replication, so the paired interval of the change in
    time to restore must be far narrower than an unpaired one, and a pure price change
    moves labour cost by the same factor in every replication."""
    proposal = tmp_path / "proposal.yaml"
    proposal.write_text(
        f"extends: {ROOT / CURRENT}\nname: more App Ops\n"
        "teams:\n  app-ops: {headcount: 6, responders: 4, hourly_cost: 54 GBP}\n",
        encoding="utf-8")
    result = compare(str(ROOT / CURRENT), str(proposal), "-n", "20", "--seed", "3", "--format", "json",
                     "--metrics", "incidents.*,cost.labour,teams.app-ops.*")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)["metrics"]
    count = data["incidents.count"]["differences"][0]
    assert (count["delta"], count["ci95"]) == (0.0, [0.0, 0.0])  # the same arrivals
    for name in ("incidents.time_to_restore.mean", "incidents.queue_wait.mean"):
        diff = data[name]["differences"][0]
        paired = diff["ci95"][1] - diff["ci95"][0]
        unpaired = diff["ci95_unpaired"][1] - diff["ci95_unpaired"][0]
        assert paired < 0.5 * unpaired, name
    assert data["teams.app-ops.utilisation"]["differences"][0]["verdict"] == "better"


def test_real_table_report(tmp_path):
    result = compare(str(ROOT / CURRENT), str(ROOT / PROPOSAL), "-n", "10", "--workers", "1")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "incidents.time_to_restore" in text and "deployments.lead_time" in text
    assert "teams.app-ops" in text and "oncall.delivery" in text
