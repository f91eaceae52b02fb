"""Compiling a scenario for the loop: indices, cover tables, knowledge, located errors."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from test_engine_scenarios import WEEK, D, rota, scenario, team, tier
from whorunsit.engine import run_replication
from whorunsit.engine.plan.plan import Plan
from whorunsit.engine.plan.week import NIGHT, WEEKEND
from whorunsit.errors import InputError
from whorunsit.model import Application, Detection, RotaCover
from whorunsit.model.bins import HISTOGRAM_EDGES


def test_knowledge_factor_thins_with_every_supported_app():
    teams = [team("ops", 2), team("d1", 1), team("d2", 1), team("d3", 1)]
    apps = tuple(Application(f"a{i}", f"d{i}", 0.1) for i in (1, 2, 3))
    l2 = tier("L2", "ops", knowledge_factor=1.5, knowledge_dilution=0.1)
    plan = Plan(scenario(teams, [l2, tier("L3", "owner")], apps=apps))
    assert plan.teams[0].apps_supported == 3
    assert plan.apps[0].tiers[0].knowledge == (pytest.approx(1.5 * 1.2),) * 2
    assert plan.apps[0].tiers[1].knowledge == (1.0, 1.0)  # the owner knows its app


def test_cover_tables_pick_the_first_matching_rota():
    teams = [team("a"), team("b")]
    rotas = [rota("weekend-a", ["a"], cover=RotaCover.WEEKENDS),
             rota("domain", ["a", "b"]),
             rota("web-only", ["b"], applications=("web",))]
    apps = (Application("web", "a", 0.1), Application("batch", "b", 0.1))
    plan = Plan(scenario(teams, [tier("L1", "a")], rotas=rotas, apps=apps))
    web, batch = plan.apps
    assert web.cover[0][NIGHT] == 1 and web.cover[0][WEEKEND] == 0
    assert web.cover[1][NIGHT] == 1  # the domain rota comes before web-only
    assert batch.cover[1][WEEKEND] == 1
    assert plan.teams[0].rota_people == pytest.approx(4 + 4 / 2)


def test_bad_references_are_located_input_errors():
    bad = scenario([team("a")], [tier("L1", "ghost"), tier("L2", "owner")],
                   detection=Detection(0.5, alert_entry_tier=5))
    bad = dataclasses.replace(bad, source="org.yaml")
    with pytest.raises(InputError) as err:
        Plan(bad)
    text = str(err.value)
    assert "org.yaml" in text
    assert "team 'ghost'" in text
    assert "tier 6" in text


def test_run_replication_returns_metrics_and_histogram_counts():
    scn = scenario([team("a", 2)], [tier("L1", "a", D.exponential(0.5))], rate=0.5,
                   horizon=2 * WEEK)
    metrics, hists = run_replication(scn, 0, 11)
    again, _ = run_replication(scn, 0, 11)
    np.testing.assert_equal(metrics, again)  # NaN-aware
    assert isinstance(metrics["incidents.count"], float)
    counts = hists["incidents.time_to_restore"]
    assert len(counts) == len(HISTOGRAM_EDGES) - 1
    assert counts.sum() == metrics["incidents.count"] - metrics["incidents.unresolved"]
    assert np.issubdtype(counts.dtype, np.integer)
