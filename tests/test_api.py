"""The library API: load, simulate, results, workers, precision, progress, bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from test_engine_scenarios import D, scenario, team, tier
from whorunsit import api
from whorunsit.errors import InputError
from whorunsit.model.bins import HISTOGRAM_EDGES

ROOT = Path(__file__).resolve().parent.parent


def small(**kw):
    teams = [team("desk", 2), team("dev", 2, kind="delivery")]
    tiers = [tier("L1", "desk", D.exponential(0.3), resolve=0.5), tier("L2", "owner", 1.0)]
    return scenario(teams, tiers, rate=0.2, horizon=3 * 168.0, warmup=24.0, replications=8,
                    seed=3, **kw)


def test_simulate_returns_every_metric_per_replication():
    res = api.simulate(small(), workers=1)
    assert res.replications == 8
    assert res.seed == 3
    for name in ("incidents.count", "incidents.time_to_restore.p95", "teams.desk.utilisation",
                 "teams.dev.queue_wait.p95", "oncall.dev.unpaid_hours", "cost.total",
                 "applications.app.availability", "delivery.discontinuous",
                 "deployments.lead_time.p50"):
        assert name in res.samples
        assert res.samples[name].shape == (8,)
    assert np.isnan(res.samples["deployments.lead_time.p50"]).all()  # no deployments
    est = res.estimate("incidents.time_to_restore.mean")
    assert est.low < est.value < est.high
    assert est.unit == "h"
    ttr = res.histograms["incidents.time_to_restore"]
    assert len(ttr) == len(HISTOGRAM_EDGES) - 1
    assert ttr.sum() > 0
    assert res.histograms["deployments.lead_time"].sum() == 0


def test_every_metric_is_in_the_catalogue():
    from whorunsit.stats import catalogue

    res = api.simulate(small(), replications=2, workers=1)
    assert [n for n in res.names if catalogue.info(n) is None] == []


def test_defaults_and_overrides():
    res = api.simulate(small(), replications=3, seed=9, workers=1)
    assert res.replications == 3
    assert res.seed == 9


def test_progress_is_reported_to_the_total():
    calls = []
    api.simulate(small(), replications=5, workers=1, progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (5, 5)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_precision_adds_replications_until_the_interval_is_narrow():
    res = api.simulate(small(), replications=4, workers=1, precision=0.10,
                       precision_metric="incidents.time_to_restore.mean", max_replications=400)
    from whorunsit.stats.precision import relative_half_width

    values = res.samples["incidents.time_to_restore.mean"]
    assert res.replications > 4
    assert relative_half_width(values) <= 0.10 or res.replications == 400


def test_precision_respects_the_cap():
    res = api.simulate(small(), replications=3, workers=1, precision=0.0001,
                       max_replications=12)
    assert res.replications == 12


def test_unknown_precision_metric_is_an_input_error():
    with pytest.raises(InputError, match="unknown metric"):
        api.simulate(small(), replications=2, workers=1, precision=0.1,
                     precision_metric="incidents.nope")


def test_bad_arguments_are_input_errors():
    with pytest.raises(InputError, match="at least 1"):
        api.simulate(small(), replications=0)
    with pytest.raises(InputError, match="team 'ghost'"):
        api.simulate(scenario([team("a")], [tier("L1", "ghost")], rate=0.1))


def test_load_runs_the_scenario_loader():
    scn = api.load(ROOT / "scenarios" / "you-build-it-ops-run-it.yaml")
    res = api.simulate(scn, replications=2, workers=1)
    assert res.samples["incidents.count"].min() > 0
    assert "oncall.delivery.unpaid_hours" in res.samples


def test_a_replication_too_large_to_play_is_refused():
    with pytest.raises(InputError, match="shorten the horizon"):
        api.simulate(scenario([team("a")], [tier("L1", "a")], rate=1000.0, horizon=1000.0),
                     replications=1)
