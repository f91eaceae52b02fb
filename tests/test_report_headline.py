"""The headline reports open with (report.headline), as snapshots at 80 and 120 columns.

The runs are hand-built, so every figure is fixed by construction; a change to the
wording or layout shows as a diff against tests/snapshots/. Regenerate deliberately with
WHORUNSIT_SNAPSHOTS=update and read the diff before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from whorunsit.model import Scenario
from whorunsit.model.scenario import Application
from whorunsit.report import comparison, headline, terminal
from whorunsit.stats.compare import compare
from whorunsit.stats.results import Results

SNAPSHOTS = Path(__file__).parent / "snapshots"
Z = np.random.default_rng(0).standard_normal(40)
Z -= Z.mean()  # every mean is exactly the figure chosen


def run(name: str, samples: dict, target: float = 0.999) -> Results:
    app = Application(name="shop", owner="shop-team", incident_rate=0.01, availability_target=target)
    scenario = Scenario(name=name, teams=(), applications=(app,), support_paths=(),
                        source=f"{name}.yaml", currency="EUR")
    return Results(scenario, 7, {k: np.asarray(v, dtype=float) for k, v in samples.items()})


def ops_run() -> Results:
    return run("Ops run it", {
        "incidents.time_to_restore.mean": 15 + Z, "incidents.time_to_restore.p50": 8 + Z,
        "incidents.time_to_restore.p95": 50 + Z, "deployments.lead_time.p50": 160 + Z,
        "deployments.throughput_per_week": 1.0 + 0.01 * Z, "deployments.demand_per_week": 1.2 + 0.01 * Z,
        "delivery.discontinuous": np.ones(40), "queues.unstable": np.zeros(40),
        "deployments.backlog_growth": 40 + Z,  # behind demand: the backlog grew
        "teams.app-ops.utilisation": 0.013 + 0.001 * Z,
        "cost.oncall": 36_000 + 100 * Z, "cost.downtime": 800_000 + 1000 * Z,
        "cost.total": 836_000 + 1000 * Z, "applications.shop.availability": 0.998 + 0.0001 * Z,
    })


def you_run() -> Results:
    return run("You run it", {
        # 56 seconds faster: clear (the same in every replication) but immaterial
        "incidents.time_to_restore.mean": 15 - 56 / 3600 + Z, "incidents.time_to_restore.p50": 3 + Z,
        "incidents.time_to_restore.p95": 30 + Z, "deployments.lead_time.p50": 0.4 + 0.01 * Z,
        "deployments.throughput_per_week": 1.2 + 0.01 * Z, "deployments.demand_per_week": 1.2 + 0.01 * Z,
        "delivery.discontinuous": np.zeros(40), "queues.unstable": np.zeros(40),
        "deployments.backlog_growth": Z,  # kept up: no lasting growth
        "teams.app-ops.utilisation": 0.016 + 0.001 * Z,
        "cost.oncall": 24_000 + 100 * Z, "cost.downtime": 280_000 + 1000 * Z,
        "cost.total": 304_000 + 1000 * Z, "applications.shop.availability": 0.9995 + 0.0001 * Z,
    })


def check(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("WHORUNSIT_SNAPSHOTS") == "update":
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"differs from {path}"


@pytest.mark.parametrize("width", [80, 120])
def test_compare_headline_and_key_table(width):
    text = comparison.render_table_text(compare([ops_run(), you_run()]), width=width, show="key")
    assert all(len(line) <= width for line in text.splitlines())
    check(f"compare-key-{width}.txt", text)


@pytest.mark.parametrize("width", [80, 120])
def test_simulate_headline(width):
    text = terminal.render_table_text(ops_run(), width=width, show=terminal.KEY)
    assert all(len(line) <= width for line in text.splitlines())
    check(f"simulate-headline-{width}.txt", text)


def test_compare_headline_says_what_changed_and_what_did_not():
    lines = headline.compare_lines(compare([ops_run(), you_run()]))
    assert lines[0].startswith("Time to restore: no material change, mean 15.0h vs 15.0h")
    assert lines[1].startswith("Total cost: B costs less than A, €304,000/yr vs €836,000/yr")
    assert "Delivery: A Discontinuous Delivery, B Continuous Delivery." in lines
    assert "shop availability target 99.9%: A missed (99.800%), B met (99.950%)." in lines


def test_compare_headline_without_flips_says_so():
    lines = headline.compare_lines(compare([ops_run(), ops_run()]))
    assert lines[-1].startswith("No verdict flips between A and B")
    assert lines[0].startswith("Time to restore: no clear difference")


def test_headline_skips_what_a_run_does_not_report():
    a = run("a", {"cost.total": 1000 + Z})
    b = run("b", {"cost.total": 2000 + Z})
    lines = headline.compare_lines(compare([a, b]))
    assert lines[0].startswith("Total cost: B costs more than A, €2,000/yr vs €1,000/yr")
    assert not any(line.startswith("Time to restore") for line in lines)


def test_key_table_takes_new_metrics_from_the_results():
    # a cost part the catalogue may add later (cost.headcount) joins the key table
    a, b = ops_run(), you_run()
    a.samples["cost.headcount"] = 500_000 + 1000 * Z
    b.samples["cost.headcount"] = 450_000 + 1000 * Z
    labels = [label for _, label, _ in comparison.key_rows(compare([a, b]))]
    assert "Cost: headcount" in labels and labels[-1] == "Total cost"
