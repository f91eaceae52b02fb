"""Small scenarios built in code for the engine tests (and a check that they compile)."""

from __future__ import annotations

from reference.replication import Replication
from whorunsit.engine.plan.plan import Plan
from whorunsit.engine.random.draws import Deployments, Incidents
from whorunsit.model import (
    Application,
    BestEndeavours,
    Calendar,
    DeploymentPolicy,
    Detection,
    Distribution,
    Funding,
    OutOfHours,
    PayRules,
    Rota,
    Scenario,
    SupportPath,
    Team,
    TeamKind,
    Tier,
)
from whorunsit.model.calendar import ALWAYS

D = Distribution
HOUR = 1.0
DAY = 24.0
WEEK = 168.0


def team(name: str, responders: int = 1, headcount: int | None = None, **kw) -> Team:
    return Team(name, kw.pop("kind", TeamKind.APP_OPS), headcount or responders, responders,
                kw.pop("funding", Funding.OPEX), kw.pop("hourly_cost", 50.0), **kw)


def tier(name: str, team_name: str, work: float = 1.0, **kw) -> Tier:
    return Tier(name, team_name, work=D.fixed(work) if isinstance(work, float | int) else work,
                **kw)


def scenario(teams, tiers, *, rate: float = 0.0, mix=(0.25, 0.25, 0.25, 0.25),
             calendar: Calendar | None = None, horizon: float = WEEK, warmup: float = 0.0,
             rotas=(), deploy=(), apps=None, **kw) -> Scenario:
    app_kw = kw.pop("app", {})
    apps = apps or (Application("app", app_kw.pop("owner", teams[-1].name), rate, mix,
                                **app_kw),)
    return Scenario(
        name="test", teams=tuple(teams), applications=tuple(apps),
        support_paths=(SupportPath("default", kw.pop("detection", Detection(0.0)),
                                   tuple(tiers)),),
        horizon=horizon, warmup=warmup, calendar=calendar or Calendar(), rotas=tuple(rotas),
        deployment_policies=tuple(deploy) or (DeploymentPolicy("default"),), **kw)


def mmc(rate: float, servers: int, mean: float, horizon: float, warmup: float) -> Scenario:
    """An M/M/c queue: one 24x7 tier, exponential work, everything resolved there."""
    return scenario([team("q", servers)], [tier("L1", "q", D.exponential(mean))], rate=rate,
                    mix=(1, 0, 0, 0), calendar=ALWAYS, horizon=horizon, warmup=warmup)


def play(scn: Scenario, incidents=None, deployments=None, seed: int = 1, replication: int = 0):
    """Run one replication; ``incidents`` maps app index -> (starts, priorities[, kw]),
    ``deployments`` maps app index -> request times (or (times, failures))."""
    plan = Plan(scn)
    incs = deps = None
    if incidents is not None:
        incs = []
        for a, app in enumerate(plan.apps):
            spec = incidents.get(a, ([], []))
            extra = spec[2] if len(spec) > 2 else {}
            incs.append(Incidents.given(app, spec[0], spec[1], **extra))
    if deployments is not None:
        deps = []
        for a, app in enumerate(plan.apps):
            spec = deployments.get(a, [])
            times, fail = spec if isinstance(spec, tuple) else (spec, None)
            deps.append(Deployments(plan, app, seed, replication, times=times, failures=fail))
    rep = Replication(plan, replication, seed, incidents=incs, deployments=deps)
    metrics, hists = rep.run()
    return metrics, rep


def rota(name: str, teams, members: int = 4, **pay) -> Rota:
    cover = pay.pop("cover", None)
    extra = {"cover": cover} if cover else {}
    for key in ("on_call", "applications", "funding", "knowledge_factor"):
        if key in pay:
            extra[key] = pay.pop(key)
    return Rota(name, tuple(teams), members, pay=PayRules(**pay), **extra)


def best_endeavours(answer: float, delay: float, toil: float = 0.0) -> dict:
    return {"out_of_hours": OutOfHours.BEST_ENDEAVOURS,
            "best_endeavours": BestEndeavours(answer, D.fixed(delay), toil)}


def test_builders_compile():
    scn = scenario([team("a"), team("b", 2)], [tier("L1", "a"), tier("L2", "owner")])
    plan = Plan(scn)
    assert [t.name for t in plan.teams] == ["a", "b"]
    assert plan.apps[0].tiers[1].teams == ((1,), (1,))
    metrics, _ = play(mmc(1.0, 2, 0.5, 50.0, 0.0))
    assert metrics["incidents.count"] > 0
