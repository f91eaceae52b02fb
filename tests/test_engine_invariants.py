"""Invariants that hold for any organisation, checked on random small scenarios."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from test_engine_scenarios import WEEK, D, best_endeavours, play, rota, scenario, team, tier
from whorunsit.model import (
    Approval,
    Calendar,
    DeploymentPolicy,
    Detection,
    RotaCover,
    Window,
)
from whorunsit.model.calendar import ALWAYS

durations = st.sampled_from([D.fixed(0.5), D.exponential(1.0), D.lognormal(0.5, 3.0),
                             D.triangular(0.1, 0.5, 2.0)])


@st.composite
def organisations(draw):
    n_teams = draw(st.integers(1, 4))
    names = [f"t{i}" for i in range(n_teams)]
    teams = []
    for name in names:
        responders = draw(st.integers(1, 3))
        extra = best_endeavours(draw(st.floats(0, 1)), 1.0, 2.0) if draw(st.booleans()) else {}
        teams.append(team(name, responders, responders + draw(st.integers(0, 3)), **extra))
    n_tiers = draw(st.integers(1, 3))
    tiers = []
    for j in range(n_tiers):
        swarm = (draw(st.sampled_from(names)),) if draw(st.integers(0, 4)) == 0 else ()
        resolve = draw(st.floats(0, 1))
        misroute = draw(st.floats(0, 1 - resolve))
        tiers.append(tier(f"L{j}", draw(st.sampled_from([*names, "owner"])), draw(durations),
                          pickup=draw(durations), resolve=resolve, misroute=misroute,
                          misroute_triage=draw(durations), handoff=draw(durations),
                          misroute_team=draw(st.sampled_from([None, *names])), swarm=swarm,
                          knowledge_factor=1.5, knowledge_dilution=0.1))
    rotas = [rota(f"r{i}", draw(st.lists(st.sampled_from(names), min_size=1, max_size=2,
                                         unique=True)),
                  cover=draw(st.sampled_from(list(RotaCover))), standby_per_week=100.0,
                  callout_fee=20.0, toil_hours_per_callout=draw(st.sampled_from([0.0, 8.0])),
                  paid=draw(st.booleans()))
             for i in range(draw(st.integers(0, 2)))]
    approval = draw(st.sampled_from([
        Approval(), Approval("board", board_at=34.0, board_every=WEEK, capacity=3),
        Approval("delay", delay=D.exponential(10.0))]))
    windows = draw(st.sampled_from([(), (Window(90.0, 94.0),), (Window(160.0, 10.0),)]))
    policy = DeploymentPolicy("d", performer=draw(st.sampled_from(["owner", *names])),
                              effort=draw(durations), approval=approval,
                              change_windows=windows, concurrency=draw(st.integers(0, 2)))
    calendar = draw(st.sampled_from([Calendar(), ALWAYS, Calendar((0, 1, 2, 3, 4, 5), 8, 20)]))
    return scenario(
        teams, tiers, rate=draw(st.floats(0.01, 0.5)), calendar=calendar, rotas=rotas,
        deploy=[policy], horizon=3 * WEEK, warmup=draw(st.sampled_from([0.0, 24.0])),
        detection=Detection(draw(st.floats(0, 1)), D.exponential(0.2), D.exponential(1.0),
                            draw(st.integers(0, n_tiers - 1))),
        app={"owner": draw(st.sampled_from(names)), "deployment_policy": "d",
             "deployment_rate": draw(st.floats(0, 0.3)),
             "change_failure_rate": draw(st.floats(0, 0.5))})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(organisations(), st.integers(0, 3))
def test_invariants(scn, replication):
    m, rep = play(scn, replication=replication)
    again, _ = play(scn, replication=replication)
    assert m.keys() == again.keys()
    for k, v in m.items():
        assert v == again[k] or (math.isnan(v) and math.isnan(again[k])), k  # reproducible
    n = m["incidents.count"]
    resolved = len(rep.ttr)
    assert resolved + m["incidents.unresolved"] == n
    assert all(t >= 0 for t in rep.ttr)
    if resolved:
        assert m["incidents.handoffs.mean"] >= 2 * m["incidents.reassignments.mean"] - 1e-9
        assert 0 <= m["incidents.flow_efficiency"] <= 1 + 1e-9
        assert m["incidents.queue_wait.mean"] <= m["incidents.time_to_restore.mean"] + 1e-9
        shares = sum(m[f"teams.{t.name}.resolved_share"] for t in scn.teams)
        assert math.isclose(shares, 1.0)
    for t in scn.teams:
        u = m[f"teams.{t.name}.utilisation"]
        assert math.isnan(u) or -1e-9 <= u <= 1 + 1e-6, (t.name, u)
        assert m[f"oncall.{t.name}.unpaid_hours"] >= 0
        assert m[f"teams.{t.name}.queue_length.mean"] >= 0
    for a in scn.applications:
        assert 0 <= m[f"applications.{a.name}.availability"] <= 1
    assert rep.waiting >= 0 and all(b >= 0 for b in rep.busy)
    if scn.warmup == 0:
        weeks = scn.horizon / WEEK
        done = m["deployments.throughput_per_week"] * weeks
        asked = m["deployments.demand_per_week"] * weeks
        assert math.isclose(asked - done, m["deployments.backlog"], abs_tol=1e-6)
    assert math.isclose(m["cost.total"], m["cost.opex"] + m["cost.capex"] + m["cost.downtime"],
                        rel_tol=1e-9)
    assert math.isclose(m["cost.opex"] + m["cost.capex"], m["cost.headcount"] + m["cost.oncall"],
                        rel_tol=1e-9)
    # busy time is spent inside the paid hours
    assert m["cost.labour"] <= m["cost.headcount"] * (1 + 1e-9)
