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
from whorunsit.stats.catalogue import binary
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
        # a share of replications is 0 or 1 in each replication
        return Results(scenario, seed, {m: (z > 1.0).astype(float) if binary(m) else level * (10 + z)
                                        for m in known_metrics(scenario)})

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
    result = compare(CURRENT, PROPOSAL, "-n", "10", "--all")
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
    # +10 a year is clear but under the default money floor (100 a year)
    assert total["differences"][0]["verdict"] == "no material change"
    assert total["differences"][0]["practical_threshold"] == pytest.approx(100.0)
    assert not total["differences"][0]["material"] and total["differences"][0]["significant"]


def test_practical_thresholds_can_be_overridden(fake_api):
    result = compare(CURRENT, PROPOSAL, "-n", "10", "--metrics", "cost.total,incidents.count",
                     "--format", "json", "--practical", "money=0, count=150%")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)["metrics"]
    assert data["cost.total"]["differences"][0]["verdict"] == "worse"
    # doubling is +100%, under a 150% threshold
    assert data["incidents.count"]["differences"][0]["verdict"] == "no material change"
    every = json.loads(compare(CURRENT, PROPOSAL, "-n", "10", "--metrics", "incidents.count",
                               "--format", "json", "--practical", "all=0").stdout)
    assert every["metrics"]["incidents.count"]["differences"][0]["verdict"] == "worse"


def test_default_view_is_headline_key_table_and_hint(fake_api):
    text = compare(CURRENT, PROPOSAL, "-n", "10").stdout
    assert "Time to restore: B restores slower than A" in text
    assert "\nKey metrics " in text and "\nOutcomes " not in text
    assert "--all shows all" in " ".join(text.split())
    flow = compare(CURRENT, PROPOSAL, "-n", "10", "--section", "flow,cost").stdout
    assert "\nFlow " in flow and "\nOn-call & cost " in flow
    assert "\nOutcomes " not in flow and "\nKey metrics " not in flow


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
    assert "\x1b[" not in text and "Key metrics" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([CURRENT], "error: compare needs at least two scenario files\n"),
        ([CURRENT, PROPOSAL, "-n", "1"], "error: --replications must be at least 2, got 1\n"),
        ([CURRENT, PROPOSAL, "--seed", "x"], "error: --seed must be a whole number, got 'x'\n"),
        ([CURRENT, PROPOSAL, "--format", "csv"], "error: --format must be one of table, json, markdown, html; got 'csv'\n"),
        ([CURRENT, PROPOSAL, "--metrics", " , "], "error: --metrics needs at least one name or glob, e.g. 'cost.*'\n"),
        ([CURRENT, PROPOSAL, "--section", "flw"],
         "error: --section: unknown section 'flw'; expected one or more of outcomes, availability, "
         "flow, cost, oncall\n"),
        ([CURRENT, PROPOSAL, "--practical", "speed=5%"],
         "error: --practical: unknown kind 'speed'; expected one of duration, share, availability, "
         "count, rate, hours, money or all, as in 'duration=10m'\n"),
        ([CURRENT, PROPOSAL, "--practical", "duration=soon"],
         "error: --practical 'duration=soon': 'soon' is not a duration; a duration such as 90s, "
         "15m, 4h, 2d, 1w or 1h30m; e.g. 'duration=10m', 'money=2%', 'share=1pp' (GBP amounts "
         "as plain numbers)\n"),
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
    result = compare(str(ROOT / CURRENT), str(ROOT / PROPOSAL), "-n", "10", "--workers", "1", "--all")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "incidents.time_to_restore" in text and "deployments.lead_time" in text
    assert "teams.app-ops" in text and "oncall.delivery" in text


def test_help_states_the_practical_thresholds_in_force():
    from whorunsit.commands.compare import HELP
    from whorunsit.report.metrics import threshold_text

    text = " ".join(HELP.split())
    for kind in ("duration", "share", "availability", "hours"):
        assert f"{kind} {threshold_text(kind, 'GBP')}" in text, kind
