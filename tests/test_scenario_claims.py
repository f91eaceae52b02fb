"""The articles' claims, shown by the shipped scenarios as statistically sound comparisons.

Every run uses a fixed seed, so the outcome is deterministic; every assertion is on a
95% confidence interval (paired across replications where the two scenarios share their
random streams), so a pass means the direction holds, not that one sample happened to.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import beta

from whorunsit import api
from whorunsit.stats.compare import paired_difference

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
REPLICATIONS = 20
SEED = 7


@cache
def run(name: str, extra: str = ""):
    """Simulate a shipped scenario, optionally with a YAML diff applied through extends."""
    path = SCENARIOS / name
    if extra:
        tmp = Path(__import__("tempfile").mkdtemp()) / "variant.yaml"
        tmp.write_text(f"extends: {path}\n{extra}")
        path = tmp
    return api.simulate(api.load(path), replications=REPLICATIONS, seed=SEED, workers=1)


def interval(results, metric):
    e = results.estimate(metric)
    return e.low, e.high


def share_interval(samples) -> tuple[float, float]:
    """Clopper-Pearson 95% interval of a 0/1 share across replications."""
    x = np.asarray(samples)
    n, k = len(x), int(x.sum())
    low = 0.0 if k == 0 else beta.ppf(0.025, k, n - k + 1)
    high = 1.0 if k == n else beta.ppf(0.975, k + 1, n - k)
    return low, high


@pytest.mark.parametrize(
    ("ops", "ybiyri"),
    [
        ("you-build-it-ops-run-it.yaml", "you-build-it-you-run-it.yaml"),
        ("you-build-it-ops-run-it-at-scale.yaml", "you-build-it-you-run-it-at-scale.yaml"),
    ],
)
def test_ops_run_restores_slower_with_more_handoffs(ops, ybiyri):
    a, b = run(ybiyri), run(ops)
    for metric in ("incidents.time_to_restore.mean", "incidents.handoffs.mean"):
        diff = paired_difference(a.samples[metric], b.samples[metric])
        assert diff.low > 0, f"{metric}: Ops-run minus YBIYRI CI {diff.low:.3g}..{diff.high:.3g}"


def test_ops_run_lead_times_are_days_self_service_minutes_to_hours():
    ops_low, _ = interval(run("you-build-it-ops-run-it.yaml"), "deployments.lead_time.p50")
    _, self_high = interval(run("you-build-it-you-run-it.yaml"), "deployments.lead_time.p50")
    assert ops_low > 24.0, "an App Ops deployment should take days"
    assert self_high < 4.0, "a self-service deployment should take minutes to hours"


@pytest.mark.parametrize(
    ("ops", "delivery_team"),
    [("you-build-it-ops-run-it.yaml", "delivery"),
     ("you-build-it-ops-run-it-at-scale.yaml", "delivery-3")],
)
def test_delivery_engineers_work_unpaid_only_under_ops_run(ops, delivery_team):
    low, _ = interval(run(ops), f"oncall.{delivery_team}.unpaid_hours")
    assert low > 0
    ybiyri = run(ops.replace("ops-run-it", "you-run-it"))
    assert np.all(ybiyri.samples["oncall.unpaid_hours"] == 0)


def test_weekly_demand_is_continuous_several_a_week_is_discontinuous():
    weekly = run("you-build-it-ops-run-it.yaml").samples["delivery.discontinuous"]
    several = run(
        "you-build-it-ops-run-it.yaml", "applications:\n  checkout: {deployments: 3/week}\n"
    ).samples["delivery.discontinuous"]
    assert share_interval(weekly)[1] < 0.5
    assert share_interval(several)[0] > 0.5


def test_app_ops_utilisation_at_scale_far_above_single_team():
    _, single_high = interval(run("you-build-it-ops-run-it.yaml"), "teams.app-ops.utilisation")
    scale_low, _ = interval(run("you-build-it-ops-run-it-at-scale.yaml"), "teams.app-ops.utilisation")
    assert scale_low > 3 * single_high


def standby(results) -> np.ndarray:
    names = [n for n in results.samples if n.startswith("oncall.") and n.endswith(".standby_cost")]
    return sum(results.samples[n] for n in names)


def test_ybiyri_at_scale_pays_more_standby_than_ops_run_at_scale():
    ops = standby(run("you-build-it-ops-run-it-at-scale.yaml"))
    ybiyri = standby(run("you-build-it-you-run-it-at-scale.yaml"))
    diff = paired_difference(ops, ybiyri)
    assert diff.low > 0


def test_swarming_restores_faster_than_tiers_without_handoffs():
    ops, swarm = run("you-build-it-ops-run-it.yaml"), run("swarming.yaml")
    diff = paired_difference(ops.samples["incidents.time_to_restore.mean"],
                             swarm.samples["incidents.time_to_restore.mean"])
    assert diff.high < 0
    assert np.all(swarm.samples["incidents.handoffs.mean"] == 0)


def test_at_scale_ybiyri_downtime_avoided_outweighs_standby_premium():
    ops, ybiyri = run("you-build-it-ops-run-it-at-scale.yaml"), run(
        "you-build-it-you-run-it-at-scale.yaml")
    diff = paired_difference(ops.samples["cost.total"], ybiyri.samples["cost.total"])
    assert diff.high < 0
