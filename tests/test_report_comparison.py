"""The compare report (report.comparison) on hand-built runs: table, JSON, markdown."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from whorunsit.model import Scenario
from whorunsit.report import comparison as render
from whorunsit.stats.compare import compare
from whorunsit.stats.results import Results


def run(name: str, samples: dict) -> Results:
    scenario = Scenario(name=name, teams=(), applications=(), support_paths=(), source=f"{name}.yaml")
    return Results(scenario, 3, {k: np.asarray(v, dtype=float) for k, v in samples.items()})


Z = np.random.default_rng(0).standard_normal(40)
Z -= Z.mean()  # so every mean is exactly the chosen figure


@pytest.fixture(scope="module")
def two():
    a = run("ops-run", {
        "incidents.time_to_restore.p95": 30 + Z, "incidents.time_to_restore.p50": 8 + Z,
        "teams.app-ops.utilisation": 0.9 + 0.01 * Z, "teams.app-ops.queue_wait.mean": 2 + 0.1 * Z,
        "cost.total": 1e6 + 1e4 * Z, "applications.shop.availability": 0.99 + 0.001 * Z,
        "deployments.demand_per_week": 5 + 0.1 * Z,
    })
    b = run("you-run", {
        "incidents.time_to_restore.p95": 12 + Z, "incidents.time_to_restore.p50": 8 + Z,
        "teams.delivery.utilisation": 0.3 + 0.01 * Z,
        "cost.total": 1.2e6 + 1e4 * Z, "applications.shop.availability": 0.999 + 0.0001 * Z,
        "deployments.demand_per_week": 6 + 0.1 * Z,
    })
    return compare([a, b])


def test_table_shows_values_changes_intervals_and_marks_without_colour(two):
    text = render.render_table_text(two, width=80)
    assert "\x1b[" not in text
    lines = text.splitlines()
    assert lines[0] == "whorunsit compare · B against A · seed 3 · 40 replications, paired"
    assert lines[1] == "  A  ops-run (ops-run.yaml)" and lines[2] == "  B  you-run (you-run.yaml)"
    assert all(len(line) <= 80 for line in lines)
    # metrics about one thing sit under one heading with short labels
    ttr = lines.index("incidents.time_to_restore")
    assert lines[ttr + 1].split()[:4] == ["p50", "8.00h", "8.00h", "0h"]
    p95 = next(line for line in lines if line.strip().startswith("p95"))
    assert "-18.0h (-60.0%)" in p95 and p95.rstrip().endswith("* better")
    cost = next(line for line in lines if line.startswith("cost.total"))
    # money carries its period everywhere, as in simulate and gate
    assert "£1,000,000/yr £1,200,000/yr" in cost and "+£200,000/yr" in cost
    assert cost.rstrip().endswith("* worse")
    demand = next(line for line in lines if line.startswith("deployments.demand_per_week"))
    assert demand.rstrip().endswith("* changed")
    # a team only one scenario has: dashes, no verdict
    util = lines[lines.index("teams.app-ops") + 1]
    assert util.split() == ["utilisation", "90.0%", "—", "—", "—"]
    avail = next(line for line in lines if line.startswith("applications.shop.availability"))
    assert "+0.900pp" in avail and "99.000%" in avail
    for section in ("Outcomes", "Availability", "Flow", "On-call & cost"):
        assert any(line.startswith(section + " ") for line in lines)
    assert "(else 'no material change'); pp = percentage points" in " ".join(text.split())


def test_names_stay_whole_at_80_columns(two):
    text = render.render_table_text(two, width=80)
    assert "incidents.time_to_restore" in text and "teams.app-ops" in text
    assert "queue_wait.mean" in text


def test_three_scenarios_get_a_row_each(two):
    a, b = two.results
    c = run("swarm", {"incidents.time_to_restore.p95": 20 + Z, "cost.total": 1e6 + 1e4 * Z})
    text = render.render_table_text(compare([a, b, c]), width=100)
    lines = text.splitlines()
    assert lines[0].startswith("whorunsit compare · B, C against A")
    i = next(i for i, line in enumerate(lines) if line.strip().startswith("p95"))
    assert lines[i].split()[2] == "B" and lines[i + 1].split()[0] == "C"
    assert "-10.0h (-33.3%)" in lines[i + 1]
    # C has no p50: its row says so
    j = next(i for i, line in enumerate(lines) if line.strip().startswith("p50"))
    assert lines[j + 1].split() == ["C", "—", "—", "—"]


def test_json(two):
    data = json.loads(render.render_json(two))
    assert data["schema_version"] == 1 and data["seed"] == 3 and data["replications"] == 40
    assert [s["name"] for s in data["scenarios"]] == ["ops-run", "you-run"]
    ttr = data["metrics"]["incidents.time_to_restore.p95"]
    assert ttr["unit"] == "h" and ttr["direction"] == "lower" and ttr["section"] == "Outcomes"
    (diff,) = ttr["differences"]
    assert diff["delta"] == pytest.approx(-18.0) and diff["verdict"] == "better" and diff["significant"]
    assert diff["ci95"][1] - diff["ci95"][0] < diff["ci95_unpaired"][1] - diff["ci95_unpaired"][0]
    assert diff["paired_replications"] == 40
    assert data["metrics"]["teams.app-ops.utilisation"]["values"][1] is None
    assert data["metrics"]["teams.app-ops.utilisation"]["differences"] == [None]
    p50 = data["metrics"]["incidents.time_to_restore.p50"]["differences"][0]
    assert (p50["delta"], p50["ci95"], p50["verdict"]) == (0.0, [0.0, 0.0], "same")


def test_markdown_folds_all_but_outcomes(two):
    text = render.render_markdown(two)
    assert text.startswith("## whorunsit compare")
    assert "### Outcomes" in text
    assert "<details><summary>Flow (3 metrics)</summary>" in text
    assert "<details><summary>Availability (1 metric)</summary>" in text
    assert "| metric | ops-run | you-run | change | 95% CI |  |" in text
    row = next(line for line in text.splitlines() if line.startswith("| `incidents.time_to_restore.p95`"))
    assert row.endswith("| \\* **better** |")
    assert "| `teams.app-ops.utilisation` | 90.0% | — | — | — |  |" in text


def test_signed_changes():
    assert render.signed(2.5, "h", "GBP") == "+2.50h"
    assert render.signed(-0.5, "h", "GBP") == "-30.0m"
    assert render.signed(0.012, "share", "GBP") == "+1.2pp"
    assert render.signed(1500.0, "money/year", "GBP") == "+£1,500/yr"
    assert render.signed(math.nan, "h", "GBP") == "—"
    assert render.relative(math.nan) == "—" and render.relative(-0.25) == "-25.0%"


def test_json_and_markdown_carry_the_headline(two):
    data = json.loads(render.render_json(two))
    assert data["headline"][0].startswith("Time to restore: no clear difference, median")
    diff = data["metrics"]["cost.total"]["differences"][0]
    assert diff["material"] and diff["practical_threshold"] == pytest.approx(50_000)
    text = render.render_markdown(two)
    assert "### Headline\n\n- Time to restore: no clear difference" in text
    assert text.index("### Headline") < text.index("### Outcomes")


def test_a_tiny_change_in_a_row_of_days_reads_as_below_the_smallest_step():
    row = (24.0, "d")
    assert render.signed(0.00015, "h", "GBP", row) == "+<0.001d"
    assert render.signed(-0.00015, "h", "GBP", row) == "-<0.001d"
    assert render.signed(2.4, "h", "GBP", row) == "+0.10d"
    assert render.signed(0.0, "h", "GBP", row) == "0d"
