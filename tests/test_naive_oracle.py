"""The engine against the naive oracle (tests/naive/): same inputs, same results.

Two kinds of check:

- **Exact** (``assert_agrees``): the oracle and the engine play one replication from the
  same pre-drawn random numbers; every figure the oracle computes (counts, times to
  restore and their percentiles, handoffs, reassignments, queue and handoff waits,
  per-team tickets, resolutions, deployments and utilisation, callouts, their pay,
  TOIL and unpaid hours, lead times, backlog, on-hold time, early stops) must agree to
  1e-9 relative, and the histograms of times to restore and lead times count the same
  tickets in the same bins. The two add floats in different orders, so "exact" is
  agreement to rounding, not bit for bit.
- **Statistical** (``assert_same_means``): where ties between events make a per-ticket
  comparison depend on a tie-break the model does not fix, engine and oracle run
  different seeds and their means over replications must agree by Welch's t test at a
  per-metric level of 1e-4 (Bonferroni: at most 0.1% false failures per test over ten
  metrics), which is a tolerance of about 4 x the combined standard error, or twice the
  root sum of squares of the two 95% CI half-widths.

Per feature (docs/model.md): every shipped scenario, ITIL tiers with alert teams,
handoffs, misroutes with and without a wrong team, knowledge dilution, rotas shared and
weekend-only with TOIL absences, unpaid rotas, best endeavours, swarms in and out of
hours, error-budget policies handing the pager back, deployments with boards,
capacities, approval delays, windows across midnight, crews, pre-emption and rework,
self-service pipelines, on-hold waits and early stops at the queue cap are all checked
**exactly**. Fixed durations (whole-hour ties with calendar changes) are checked both
exactly and **statistically**.
"""

from __future__ import annotations

import dataclasses
import glob
import math
import os

import numpy as np
import pytest
from scipy import stats as sps

from naive import simulate
from test_engine_scenarios import (
    WEEK,
    D,
    best_endeavours,
    mmc,
    rota,
    scenario,
    team,
    tier,
)
from whorunsit.engine.loop import kernel
from whorunsit.engine.plan.plan import plan_for
from whorunsit.model import (
    Application,
    Approval,
    Calendar,
    DeploymentPolicy,
    Detection,
    ErrorBudgetPolicy,
    OnHold,
    RotaCover,
    SupportPath,
    Window,
)
from whorunsit.model.calendar import ALWAYS
from whorunsit.scenario import load_scenario

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCENARIOS = sorted(glob.glob(os.path.join(ROOT, "scenarios", "*.yaml")))
#: per-metric level of the statistical comparison (see the module docstring)
ALPHA = 1e-4


def _close(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def assert_agrees(scn, replications=range(3), seed: int = 11) -> dict[str, float]:
    """Engine and oracle agree on every figure the oracle computes, replication by
    replication. Returns the engine's metrics of the last replication."""
    plan = plan_for(scn)
    for r in replications:
        mine, my_hists = simulate(scn, r, seed).metrics()
        theirs, their_hists = kernel.run_replication(plan, r, seed)
        bad = {k: (v, theirs[k]) for k, v in mine.items() if not _close(v, theirs[k])}
        assert not bad, f"replication {r}: oracle, engine: {bad}"
        for k, counts in my_hists.items():
            assert np.array_equal(counts, their_hists[k]), f"replication {r}: {k}"
    return theirs


def assert_same_means(scn, metrics, replications: int = 40) -> None:
    """Welch's t test per metric: the engine (seed 1) and the oracle (seed 2)."""
    plan = plan_for(scn)
    engine = [kernel.run_replication(plan, r, 1)[0] for r in range(replications)]
    oracle = [simulate(scn, r, 2).metrics()[0] for r in range(replications)]
    for name in metrics:
        a = np.array([m[name] for m in engine])
        b = np.array([m[name] for m in oracle])
        a, b = a[~np.isnan(a)], b[~np.isnan(b)]
        assert len(a) > 10 and len(b) > 10, name
        if a.std() == 0 and b.std() == 0:
            assert a[0] == b[0], name
            continue
        p = sps.ttest_ind(a, b, equal_var=False).pvalue
        assert p > ALPHA, f"{name}: engine {a.mean():.4g}, oracle {b.mean():.4g}, p={p:.2g}"


# -- the shipped scenarios ------------------------------------------------------------------
@pytest.mark.parametrize("path", SCENARIOS, ids=os.path.basename)
def test_shipped_scenarios_over_their_whole_horizon(path):
    assert_agrees(load_scenario(path), range(3))


# -- hand-built scenarios, one feature each -------------------------------------------------
def itil():
    """A service desk with an Ops Bridge for alerts, App Ops with misroutes to no team
    and to a named wrong team, two applications (knowledge dilution), one whose alerts
    enter at tier 2 and one whose alerts go to the bridge, handoff delays, an
    out-of-hours rota for App Ops only."""
    teams = [team("desk", 2, 4, kind="service-desk"), team("bridge", 1, 2, kind="ops-bridge"),
             team("appops", 2, 5), team("wrong", 1, 3), team("dev", 2, 6)]
    tiers = (tier("L1", "desk", D.exponential(0.3), alert_team="bridge", resolve=0.3,
                  misroute=0.2, misroute_triage=D.exponential(0.5), handoff=D.exponential(0.2),
                  pickup=D.exponential(0.1), knowledge_factor=1.2),
             tier("L2", "appops", D.lognormal(0.8, 4.0), resolve=0.5, misroute=0.25,
                  misroute_team="wrong", misroute_triage=D.exponential(0.7),
                  handoff=D.exponential(1.0), knowledge_factor=1.5, knowledge_dilution=0.2),
             tier("L3", "owner", D.lognormal(1.5, 6.0), pickup=D.exponential(0.2)))
    paths = tuple(SupportPath(name, Detection(0.4, D.exponential(0.1), D.exponential(0.5),
                                              alert_entry_tier=entry), tiers)
                  for name, entry in (("itil", 1), ("bridge", 0)))
    apps = (Application("a", "dev", 0.25, (0.1, 0.3, 0.4, 0.2), support_path="itil"),
            Application("b", "dev", 0.15, (0.2, 0.2, 0.3, 0.3), support_path="bridge"))
    rotas = [rota("ops", ["appops"], standby_per_week=150.0, callout_fee=30.0,
                  callout_per_hour=40.0, toil_hours_per_callout=2.0)]
    return dataclasses.replace(
        scenario(teams, [], apps=apps, rotas=rotas, horizon=6 * WEEK, warmup=24.0),
        support_paths=paths)


def test_itil_tiers_handoffs_and_ping_pong():
    m = assert_agrees(itil(), range(4))
    assert m["incidents.reassignments.mean"] > 0 and m["teams.wrong.tickets_per_week"] > 0
    assert m["teams.bridge.tickets_per_week"] > 0


def rotas_and_toil(cover=RotaCover.OUT_OF_HOURS):
    """A rota shared by two teams (another team's person on call works slower), a
    weekends-only rota for a third, an unpaid rota, P3 calling out too, and enough TOIL
    that people take days off."""
    teams = [team("x", 2, 3), team("y", 1, 2), team("z", 1, 3), team("dev", 2, 4)]
    tiers = [tier("L1", "x", D.exponential(0.6), resolve=0.6, handoff=D.exponential(0.1)),
             tier("L2", "y", D.exponential(0.8), resolve=0.5, swarm=()),
             tier("L3", "z", D.lognormal(1.0, 3.0))]
    rotas = [rota("xy", ["x", "y"], cover=cover, knowledge_factor=1.7, callout_fee=25.0,
                  callout_per_hour=30.0, toil_hours_per_callout=8.0),
             rota("zw", ["z"], cover=RotaCover.WEEKENDS, toil_hours_per_callout=4.0,
                  paid=False)]
    return scenario(teams, tiers, rate=0.35, rotas=rotas, horizon=6 * WEEK, warmup=WEEK,
                    callout_priorities=(1, 2, 3), app={"owner": "dev"})


@pytest.mark.parametrize("cover", [RotaCover.OUT_OF_HOURS, RotaCover.ALWAYS],
                         ids=["out-of-hours", "24x7"])
def test_rotas_callouts_and_toil(cover):
    m = assert_agrees(rotas_and_toil(cover), range(3))
    assert m["oncall.x.toil_hours"] > 0 and m["oncall.z.unpaid_hours"] > 0


def best_endeavours_team(calendar=None):
    teams = [team("desk", 1, 3, **best_endeavours(0.5, 1.0, 3.0)),
             team("dev", 1, 2, **best_endeavours(0.7, 0.5))]
    tiers = [tier("L1", "desk", D.exponential(0.5), resolve=0.5, misroute=0.3,
                  misroute_team="dev", misroute_triage=D.exponential(0.4)),
             tier("L2", "owner", D.exponential(2.0))]
    return scenario(teams, tiers, rate=0.3, mix=(0.4, 0.4, 0.1, 0.1), horizon=4 * WEEK,
                    calendar=calendar, warmup=24.0, app={"owner": "dev"})


def test_best_endeavours():
    m = assert_agrees(best_endeavours_team(), range(4))
    assert m["oncall.desk.unpaid_hours"] > 0


def swarms(calendar):
    """Crossed swarms (x+y, y+z, z+x) with misroutes and bounces, a rota shared by two
    of the teams and best endeavours for the third."""
    teams = [team("x", 1, 3), team("y", 1, 3), team("z", 1, 2, **best_endeavours(0.6, 1.0, 2.0))]
    pairs = {"a": ("x", "y"), "b": ("y", "z"), "c": ("z", "x")}
    paths = tuple(SupportPath(f"p{n}", Detection(0.5, D.exponential(0.1), D.exponential(0.3)),
                              (tier("S", lead, D.exponential(0.5), swarm=(other,),
                                    resolve=0.6, misroute=0.2, misroute_team="y",
                                    pickup=D.exponential(0.1)),
                               tier("L2", "owner", D.lognormal(1.0, 4.0))))
                  for n, (lead, other) in pairs.items())
    apps = tuple(Application(n, lead, 0.15, (0.3, 0.3, 0.2, 0.2), support_path=f"p{n}")
                 for n, (lead, _o) in pairs.items())
    rotas = [rota("r", ["x", "y"], cover=RotaCover.OUT_OF_HOURS, toil_hours_per_callout=4.0)]
    return dataclasses.replace(scenario(teams, [], apps=apps, rotas=rotas, horizon=4 * WEEK,
                                        warmup=24.0, calendar=calendar),
                               support_paths=paths)


@pytest.mark.parametrize("calendar", [Calendar(), ALWAYS], ids=["office", "24x7"])
def test_swarm_tiers(calendar):
    assert_agrees(swarms(calendar), range(3))


def error_budget(ops_cap: float, calendar=ALWAYS):
    """Tight budgets (a week's 99.5% is 0.84 h) over two-day periods: the pager goes back
    to the delivery team and returns, many times."""
    teams = [team("sre", 2, 4, kind="sre"), team("dev", 2, 4, kind="delivery")]
    policy = ErrorBudgetPolicy("sre", ("app",), ops_cap=ops_cap, budget_period=48.0)
    tiers = [tier("L1", "sre", D.exponential(1.5), resolve=0.7, handoff=D.exponential(0.3)),
             tier("L2", "owner", D.lognormal(1.0, 4.0))]
    return scenario(teams, tiers, rate=0.4, policies=(policy,), calendar=calendar,
                    horizon=4 * WEEK, warmup=24.0,
                    rotas=[rota("dev", ["dev"]), rota("sre", ["sre"])],
                    app={"owner": "dev", "availability_target": 0.995})


@pytest.mark.parametrize("ops_cap", [0.05, 0.5])
@pytest.mark.parametrize("calendar", [Calendar(), ALWAYS], ids=["office", "24x7"])
def test_error_budget_policies(ops_cap, calendar):
    m = assert_agrees(error_budget(ops_cap, calendar), range(3))
    assert 0 < m["teams.sre.resolved_share"] < 1  # both held the pager at times


def busy_deployments(weeks: int = 6, approval=None, performer="ops", concurrency=2):
    """Boards with a capacity, two change windows (one across midnight Sunday), a crew,
    pre-emption, a misroute team, a shared rota with TOIL, 60% of changes failing."""
    teams = [team("ops", 2, 4), team("dev", 2, 5)]
    tiers = [tier("L1", "ops", D.exponential(0.5), resolve=0.5, misroute=0.2,
                  misroute_team="dev", handoff=D.exponential(0.2)),
             tier("L2", "owner", D.lognormal(1.0, 4.0))]
    rotas = [rota("r", ["ops", "dev"], cover=RotaCover.OUT_OF_HOURS, toil_hours_per_callout=8.0)]
    policy = DeploymentPolicy(
        "d", performer=performer, effort=D.exponential(3.0), pipeline=D.exponential(0.5),
        approval=approval or Approval("board", board_at=34.0, board_every=WEEK, capacity=6),
        change_windows=(Window(160.0, 10.0), Window(90.0, 94.0)), concurrency=concurrency)
    return scenario(teams, tiers, rate=0.3, rotas=rotas, deploy=[policy],
                    horizon=weeks * WEEK, warmup=24.0,
                    app={"owner": "dev", "deployment_policy": "d", "deployment_rate": 0.2,
                         "change_failure_rate": 0.6})


@pytest.mark.parametrize("approval, performer, concurrency", [
    (None, "ops", 2),
    (Approval("delay", delay=D.exponential(10.0)), "ops", 2),
    (Approval("delay", delay=D.exponential(10.0)), "ops", 0),
    (Approval(), "owner", 2),
], ids=["board-windows-crew", "approval-delay", "crew-of-all-responders", "self-service"])
def test_deployments(approval, performer, concurrency):
    m = assert_agrees(busy_deployments(approval=approval, performer=performer,
                                       concurrency=concurrency), range(3))
    assert m["deployments.throughput_per_week"] > 0


def test_deployments_preempted_in_working_hours():
    """No windows: deployments in the team's working hours, pre-empted by incidents."""
    scn = busy_deployments(weeks=4)
    policy = dataclasses.replace(scn.deployment_policies[0], change_windows=(), concurrency=0,
                                 approval=Approval())
    assert_agrees(dataclasses.replace(scn, deployment_policies=(policy,)), range(3))


def test_on_hold():
    scn = itil()
    paths = (dataclasses.replace(scn.support_paths[0], on_hold=OnHold(0.4, D.lognormal(8.0, 60.0))),
             scn.support_paths[1])
    m = assert_agrees(dataclasses.replace(scn, support_paths=paths), range(3))
    assert m["incidents.on_hold.mean"] > 0


def test_overloaded_queues_and_the_early_stop():
    assert_agrees(mmc(1.5, 1, 1.0, horizon=8 * WEEK, warmup=WEEK), range(2))
    m = assert_agrees(mmc(50.0, 1, 1.0, horizon=10 * WEEK, warmup=24.0), range(1))
    assert m["queues.unstable"] == 1.0


def fixed_times():
    """Whole-hour work, pickups and handoffs, a rota and a board sitting daily at 17:00,
    as working hours end: events tie with calendar changes and with each other."""
    teams = [team("desk", 2, 4), team("dev", 1, 3)]
    tiers = [tier("L1", "desk", 1.0, resolve=0.5, handoff=D.fixed(1.0), pickup=D.fixed(0.5)),
             tier("L2", "owner", 2.0)]
    policy = DeploymentPolicy("d", performer="desk", effort=D.fixed(1.0),
                              approval=Approval("board", board_at=17.0, board_every=24.0))
    return scenario(teams, tiers, rate=0.3, deploy=[policy], horizon=4 * WEEK, warmup=24.0,
                    rotas=[rota("r", ["desk"])],
                    app={"owner": "dev", "deployment_policy": "d", "deployment_rate": 0.1,
                         "change_failure_rate": 0.2})


def test_fixed_times_exactly():
    assert_agrees(fixed_times(), range(3))


def test_fixed_times_statistically():
    assert_same_means(fixed_times(), [
        "incidents.count", "incidents.time_to_restore.mean", "incidents.handoffs.mean",
        "incidents.queue_wait.mean", "deployments.lead_time.mean",
        "deployments.throughput_per_week", "teams.desk.utilisation",
        "teams.dev.tickets_per_week", "oncall.callouts_per_week", "oncall.desk.callout_cost"])
