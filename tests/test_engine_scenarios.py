"""Small scenarios built in code for the engine tests (and a check that they compile)."""

from __future__ import annotations

import numpy as np

from whorunsit.engine.loop import kernel
from whorunsit.engine.loop import kernel_state as ks
from whorunsit.engine.metrics import tally
from whorunsit.engine.plan.plan import Plan
from whorunsit.engine.random.draws import ATTEMPTS, TIER_COLUMNS, Deployments, Incidents
from whorunsit.engine.random.kernel_draws import AppIncidents, Draws
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
    """Run one replication on the engine; ``incidents`` maps app index -> (starts,
    priorities[, kw]), ``deployments`` maps app index -> request times (or (times,
    failures)); the rest is drawn from the seed as usual. Returns (metrics, counters):
    what the engine counted (``ttr``, ``lead``, ``away``, ``overflow``, ``end``...) and
    ``waiting`` and ``busy`` at the end."""
    plan = Plan(scn)
    incs = [Incidents(plan, app, seed, replication) for app in plan.apps]
    deps = [Deployments(plan, app, seed, replication) for app in plan.apps]
    for a, app in enumerate(plan.apps):
        if incidents is not None:
            spec = incidents.get(a, ([], []))
            extra = spec[2] if len(spec) > 2 else {}
            incs[a] = Incidents.given(app, spec[0], spec[1], **extra)
        if deployments is not None:
            spec = deployments.get(a, [])
            times, fail = spec if isinstance(spec, tuple) else (spec, None)
            deps[a] = Deployments(plan, app, seed, replication, times=times, failures=fail)
    return play_given(plan, incs, deps)


#: redeployments beyond the pre-drawn attempts that ``play_given`` makes room for
REWORK_ROWS = 64


def play_given(plan: Plan, incs: list[Incidents], deps: list[Deployments]):
    """The compiled engine on these inputs (the draws of ``draws.Incidents`` and
    ``draws.Deployments``, laid out as ``kernel_draws.draw`` lays them out)."""
    for dep in deps:
        for k in range(REWORK_ROWS):
            dep.row(0, ATTEMPTS + k)  # the rework stream's rows, in the order of need
    n_inc = np.array([inc.n for inc in incs], np.int64)
    dep_rows = np.array([len(dep.fail) for dep in deps], np.int64)
    tiers = max([len(app.tiers) for app in plan.apps] + [1])
    tier = np.zeros((int(n_inc.sum() + dep_rows.sum()), tiers, TIER_COLUMNS))
    row = 0
    for source, n in [(inc.tiers, inc.n) for inc in incs] + \
            [(dep.tiers, len(dep.fail)) for dep in deps]:
        for j, columns in enumerate(source):
            for col, values in enumerate(columns):
                tier[row:row + n, j, col] = values[:n]
        row += n

    def flat(values, dtype=float):
        return np.ascontiguousarray(np.concatenate([np.asarray(v, dtype) for v in values])
                                    if values else np.zeros(0, dtype))

    dr = Draws(
        np.cumsum(n_inc) - n_inc, flat([inc.start_array for inc in incs]),
        flat([inc.prio for inc in incs], np.int64), flat([inc.alert for inc in incs], bool),
        np.cumsum(dep_rows) - dep_rows, np.array([dep.n for dep in deps], np.int64), dep_rows,
        flat([dep.effort for dep in deps]), flat([dep.pipeline for dep in deps]),
        flat([dep.approval for dep in deps]), flat([dep.fail for dep in deps]),
        flat([dep.prio for dep in deps], np.int64), flat([dep.alert for dep in deps], bool),
        flat([dep.detect for dep in deps]), tier, int(n_inc.sum()))
    finish = [AppIncidents(inc.start_array, inc.detect_array, np.asarray(inc.prio, np.int64),
                           inc.hold_array) for inc in incs]
    times = [dep.times_array for dep in deps]
    prep = kernel._prepared(plan)
    while True:
        ext, arrivals = kernel._events(plan, finish, times)
        st = kernel._state(plan, prep.caps, arrivals + int(dep_rows.sum()), int(dep_rows.sum()))
        prep.play(prep.kp, dr, st, *ext)
        status = int(st.int_slots[ks.STATUS])
        if status == 0:
            break
        assert status != ks.FULL_REWORK, "more redeployments than REWORK_ROWS"
        grow = {ks.FULL_EVENTS: ("events", len(st.event_time)), ks.FULL_QUEUE: ("queue", st.queue_key.shape[1]),
                ks.FULL_WAITS: ("waits", len(st.waits))}[status]
        prep.caps[grow[0]] = 2 * grow[1]
    counters = kernel._Counters(plan, st, finish, arrivals)
    metrics, _hists = tally.finish(counters)
    # copies: the engine's state is reused by the plan's next replication
    counters.ttr, counters.lead = counters.ttr.copy(), counters.lead.copy()
    counters.away = counters.away.copy()
    counters.waiting, counters.busy = int(st.int_slots[ks.PARTS_WAITING]), st.pool_busy.copy()
    return metrics, counters


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


def test_play_lays_the_inputs_out_as_the_engine_draws_them():
    """``play`` without given inputs is ``kernel.run_replication``, metric for metric:
    the hand-computed tests run the engine itself, on their own inputs."""
    import math

    from test_naive_oracle import busy_deployments

    for scn in (mmc(1.0, 2, 0.5, 100.0, 10.0), busy_deployments(weeks=4)):
        for r in range(2):
            mine, _ = play(scn, seed=3, replication=r)
            theirs, _ = kernel.run_replication(Plan(scn), r, 3)
            assert list(mine) == list(theirs)
            assert all(a == b or (math.isnan(a) and math.isnan(b))
                       for a, b in zip(mine.values(), theirs.values(), strict=True))
