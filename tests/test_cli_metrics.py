"""`whorunsit metrics`: every metric name with its unit, direction and meaning."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from whorunsit.app import app
from whorunsit.gate.assertions import known_metrics
from whorunsit.scenario import load_scenario
from whorunsit.stats import catalogue

SCENARIO = "scenarios/you-build-it-ops-run-it.yaml"
runner = CliRunner()


def metrics(*args: str, width: int = 100):
    return runner.invoke(app, ["metrics", *args], env={"COLUMNS": str(width), "NO_COLOR": "1"})


def test_lists_every_catalogue_entry_with_unit_direction_and_meaning():
    result = metrics()
    assert result.exit_code == 0, result.output
    text = result.stdout
    for entry in catalogue.CATALOGUE:
        assert entry.pattern in text, entry.pattern
    line = next(ln for ln in text.splitlines() if ln.startswith("incidents.time_to_restore.p95 "))
    assert line.split()[1:4] == ["duration", "lower", "95th"]
    line = next(ln for ln in text.splitlines() if ln.startswith("applications.*.availability "))
    assert line.split()[1:3] == ["%", "higher"]
    assert "money 5% and £100/yr" in " ".join(text.split())


def test_for_a_scenario_the_concrete_names_in_its_currency():
    scenario = load_scenario(SCENARIO)
    data = json.loads(metrics(SCENARIO, "--format", "json").stdout)
    assert data["scenario"]["name"] == scenario.name
    names = [m["name"] for m in data["metrics"]]
    assert names == known_metrics(scenario)
    assert "teams.app-ops.utilisation" in names and not any("*" in n for n in names)
    by_name = {m["name"]: m for m in data["metrics"]}
    total = by_name["cost.total"]
    assert total["unit"] == f"{scenario.currency}/year" and total["lower_is_better"] is True
    assert by_name["teams.app-ops.tickets_per_week"]["lower_is_better"] is None
    assert total["practical_threshold"] == {"kind": "money", "relative": 0.05, "absolute": 100.0}


def test_fits_80_columns_and_bad_input_is_one_line():
    text = metrics(SCENARIO, width=80).stdout
    assert max(len(line) for line in text.splitlines()) <= 80
    bad = metrics("--format", "yaml")
    assert bad.exit_code == 2 and bad.stderr == "error: --format must be one of table, json; got 'yaml'\n"
    missing = metrics("nope.yaml")
    assert missing.exit_code == 2 and "nope.yaml" in missing.stderr
