"""A compiled ``Plan`` as flat numpy arrays, for the compiled event loop (``kernel``).

Teams, rotas, applications, tiers and deployment policies become arrays indexed as in
the plan; the week becomes its segments and cumulative working hours; best-endeavours
answer delays become a distribution code and its parameters. Built once per scenario.

``ineligible`` is the general engine's answer to ``dispatch``: it plays every plan.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from whorunsit.engine.plan.plan import Plan
from whorunsit.engine.plan.week import WORK
from whorunsit.model.calendar import HOURS_PER_WEEK

#: distribution codes for the one duration drawn during the loop (best-endeavours delay)
DIST_CODES = {"fixed": 0, "exponential": 1, "lognormal": 2, "uniform": 3, "triangular": 4,
              "empirical": 5}


class KPlan(NamedTuple):
    """The plan as arrays. Teams, rotas, applications, tiers and policies are numbered
    as in ``plan.Plan``; a *pool* is a team's working-hours responders (pool = team) or
    an on-call rota (pool = teams + rota); *channel* 0 is a reported incident, 1 an
    alert; segment kinds are ``week.WORK`` and the two out-of-hours kinds."""

    warmup: float                  # hours before measurement starts
    horizon: float                 # hours the replication runs
    always_working: bool           # the calendar is 24x7: no out-of-hours segments
    prio_calls_out: np.ndarray     # (4,) bool: priorities that call people out of hours
    prio_impact: np.ndarray        # (4,) share of an outage by priority
    # teams
    responders: np.ndarray         # people answering tickets in working hours
    headcount: np.ndarray          # people on the team
    best_endeavours: np.ndarray    # bool: asked out of hours without a rota
    be_answer_chance: np.ndarray   # chance that best endeavours answer at all
    be_toil: np.ndarray            # TOIL hours owed per best-endeavours callout
    be_delay_kind: np.ndarray      # how long they take to answer: DIST_CODES
    be_delay_params: np.ndarray    # (teams, 3) its parameters
    be_delay_values: np.ndarray    # (teams, values) for an empirical delay
    be_delay_count: np.ndarray     # values in use per team
    team_policies: np.ndarray      # (teams, policies) deployment policies it performs
    team_policy_count: np.ndarray
    # rotas
    rota_teams: np.ndarray         # (rotas, member teams), taking the pager week by week
    rota_team_count: np.ndarray
    rota_on_call: np.ndarray       # people on call at once
    rota_covers: np.ndarray        # (rotas, 3) bool: segment kinds it covers
    rota_paid: np.ndarray          # bool: callouts are paid
    rota_callout_fee: np.ndarray   # paid per callout
    rota_callout_hourly: np.ndarray  # paid per hour of callout work
    rota_toil: np.ndarray          # TOIL hours owed per callout
    rota_capex: np.ndarray         # bool: its pay is capital expenditure
    rota_knowledge: np.ndarray     # factor on work done by a member of another team
    # applications and their tiers
    app_owner: np.ndarray          # the delivery team that builds it
    app_alert_entry: np.ndarray    # the tier alerts enter at
    app_policy: np.ndarray         # its deployment policy, -1 none
    app_failure_rate: np.ndarray   # share of deployments that raise an incident
    app_cover: np.ndarray          # (apps, teams, 3) rota answering for team by segment, -1 none
    tier_last: np.ndarray          # (apps, max tiers) bool: the tier resolves everything
    tier_resolve: np.ndarray       # (apps, max tiers) share it resolves
    tier_misroute: np.ndarray      # share it sends to a wrong team (ping-pong)
    tier_team: np.ndarray          # (apps, max tiers, channel) the tier's own (lead) team
    tier_swarm: np.ndarray         # (apps, max tiers, channel, parts) teams called, in order
    tier_swarm_size: np.ndarray    # (apps, max tiers, channel) how many: 1 unless a swarm
    tier_knowledge: np.ndarray     # (apps, max tiers, channel) factor on the tier's work
    tier_misroute_team: np.ndarray  # the wrong team a misroute reaches; -1: bounced after triage
    # deployment policies
    policy_performer: np.ndarray   # team that deploys, -1 a pipeline (nobody's time)
    policy_approval: np.ndarray    # plan.APPROVE_*: none, a delay, or a board
    board_capacity: np.ndarray     # changes a board sitting approves, 0 all
    policy_has_windows: np.ndarray  # bool: deployments wait for a change window
    policy_concurrency: np.ndarray  # deployments at once, 0 no limit
    policy_crew: np.ndarray        # people who staff a window outside working hours
    policy_redeploys: np.ndarray   # bool: a failed deployment is deployed again
    # the calendar
    flip_time: np.ndarray          # when the segment kind changes, over the horizon
    flip_kind: np.ndarray          # and to which kind
    segment_start: np.ndarray      # segments of one week: start hour
    segment_kind: np.ndarray
    segment_hours_before: np.ndarray  # working hours in the week before each segment
    working_per_week: float
    # error-budget policies (You Build It SRE Run It), by application; -1: none
    sre_team: np.ndarray           # the SRE team holding the pager while the budget lasts
    sre_ops_cap: np.ndarray        # busy share over seven days above which it hands back
    sre_period: np.ndarray         # hours per budget period
    sre_budget: np.ndarray         # outage hours (weighted by impact) per period
    track_load: np.ndarray         # (teams,) bool: busy hours kept day by day (ops cap)
    max_parts: int                 # most teams a visit engages at once (a swarm's)


def ineligible(plan: Plan) -> str | None:
    """Why the kernel cannot play this plan, or None: it plays every feature."""
    return None


def max_parts(plan: Plan) -> int:
    """Most teams one visit engages at once: a swarm's, else 1."""
    return max([len(g) for a in plan.apps for t in a.tiers for g in t.teams] + [1])


def _arr(values, dtype) -> np.ndarray:
    return np.asarray(values, dtype=dtype)


def compile_plan(plan: Plan) -> KPlan:
    teams, rotas, apps, pols = plan.teams, plan.rotas, plan.apps, plan.policies
    n_teams, n_apps = len(teams), len(apps)
    be_kind, be_par, be_emp = [], np.zeros((n_teams, 3)), []
    for t in teams:
        if t.best_endeavours is None:
            be_kind.append(0)
            be_emp.append(())
            continue
        d = t.best_endeavours[1]
        be_kind.append(DIST_CODES[d.kind])
        if d.kind == "empirical":
            be_emp.append(tuple(float(x) for x in d.params))
        else:
            be_emp.append(())
            be_par[t.index, :len(d.params)] = d.params
    emp = np.zeros((n_teams, max([len(e) for e in be_emp] + [1])))
    for i, e in enumerate(be_emp):
        emp[i, :len(e)] = e
    team_pols = np.full((n_teams, max(1, len(pols))), -1, dtype=np.int64)
    for t in teams:
        team_pols[t.index, :len(t.policies)] = t.policies
    r_teams = np.full((len(rotas), max([len(r.teams) for r in rotas] + [1])), -1, np.int64)
    for r in rotas:
        r_teams[r.index, :len(r.teams)] = r.teams
    max_tiers = max([len(a.tiers) for a in apps] + [1])
    t_last = np.ones((n_apps, max_tiers), dtype=bool)
    t_resolve, t_misroute = np.zeros((n_apps, max_tiers)), np.zeros((n_apps, max_tiers))
    t_team = np.zeros((n_apps, max_tiers, 2), dtype=np.int64)
    t_kf = np.ones((n_apps, max_tiers, 2))
    t_mteam = np.full((n_apps, max_tiers), -1, dtype=np.int64)
    parts = max_parts(plan)
    t_swarm = np.full((n_apps, max_tiers, 2, parts), -1, dtype=np.int64)
    t_nswarm = np.ones((n_apps, max_tiers, 2), dtype=np.int64)
    cover = np.full((n_apps, n_teams, 3), -1, dtype=np.int64)
    for a in apps:
        for tier in a.tiers:
            j = tier.index
            t_last[a.index, j] = tier.last
            t_resolve[a.index, j] = tier.resolve
            t_misroute[a.index, j] = tier.misroute
            t_team[a.index, j] = (tier.teams[0][0], tier.teams[1][0])
            t_kf[a.index, j] = tier.knowledge
            t_mteam[a.index, j] = tier.misroute_team
            for channel, group in enumerate(tier.teams):
                # a swarm calls its teams in one fixed order (by team)
                t_swarm[a.index, j, channel, :len(group)] = sorted(group)
                t_nswarm[a.index, j, channel] = len(group)
        for t, found in a.cover.items():
            cover[a.index, t] = found
    flips = plan.week.flips(plan.horizon)
    segs = plan.week.segments
    return KPlan(
        warmup=plan.warmup, horizon=plan.horizon,
        always_working=bool(plan.scenario.calendar.always),
        prio_calls_out=_arr(plan.callout, bool), prio_impact=_arr(plan.impact, float),
        responders=_arr([t.responders for t in teams], np.int64),
        headcount=_arr([t.headcount for t in teams], np.int64),
        best_endeavours=_arr([t.best_endeavours is not None for t in teams], bool),
        be_answer_chance=_arr([t.best_endeavours[0] if t.best_endeavours else 0.0
                               for t in teams], float),
        be_toil=_arr([t.best_endeavours[2] if t.best_endeavours else 0.0 for t in teams],
                     float),
        be_delay_kind=_arr(be_kind, np.int64), be_delay_params=be_par, be_delay_values=emp,
        be_delay_count=_arr([len(e) for e in be_emp], np.int64),
        team_policies=team_pols,
        team_policy_count=_arr([len(t.policies) for t in teams], np.int64),
        rota_teams=r_teams, rota_team_count=_arr([len(r.teams) for r in rotas], np.int64),
        rota_on_call=_arr([r.on_call for r in rotas], np.int64),
        rota_covers=_arr([r.covers for r in rotas], bool).reshape(len(rotas), 3),
        rota_paid=_arr([r.paid for r in rotas], bool),
        rota_callout_fee=_arr([r.callout_fee for r in rotas], float),
        rota_callout_hourly=_arr([r.callout_per_hour for r in rotas], float),
        rota_toil=_arr([r.toil for r in rotas], float),
        rota_capex=_arr([r.capex for r in rotas], bool),
        rota_knowledge=_arr([r.knowledge_factor for r in rotas], float),
        app_owner=_arr([a.owner for a in apps], np.int64),
        app_alert_entry=_arr([a.alert_entry for a in apps], np.int64),
        app_policy=_arr([a.policy for a in apps], np.int64),
        app_failure_rate=_arr([a.change_failure_rate for a in apps], float),
        app_cover=cover, tier_last=t_last, tier_resolve=t_resolve, tier_misroute=t_misroute,
        tier_team=t_team, tier_swarm=t_swarm, tier_swarm_size=t_nswarm, tier_knowledge=t_kf,
        tier_misroute_team=t_mteam,
        policy_performer=_arr([p.performer for p in pols], np.int64),
        policy_approval=_arr([p.approval for p in pols], np.int64),
        board_capacity=_arr([p.board_capacity for p in pols], np.int64),
        policy_has_windows=_arr([p.windows is not None for p in pols], bool),
        policy_concurrency=_arr([p.concurrency for p in pols], np.int64),
        policy_crew=_arr([p.crew for p in pols], np.int64),
        policy_redeploys=_arr([p.redeploy for p in pols], bool),
        flip_time=_arr([f[0] for f in flips], float),
        flip_kind=_arr([f[1] for f in flips], np.int64),
        segment_start=_arr([seg[0] for seg in segs], float),
        segment_kind=_arr([seg[2] for seg in segs], np.int64),
        segment_hours_before=_arr(plan.week._cum, float),
        working_per_week=float(plan.week.working_per_week),
        sre_team=_arr([a.sre.team if a.sre else -1 for a in apps], np.int64),
        sre_ops_cap=_arr([a.sre.ops_cap if a.sre else 0.0 for a in apps], float),
        sre_period=_arr([a.sre.period if a.sre else 1.0 for a in apps], float),
        sre_budget=_arr([a.sre.budget if a.sre else 0.0 for a in apps], float),
        track_load=_arr([t.track_load for t in teams], bool), max_parts=parts)

def horizon_cells(plan: Plan) -> tuple[int, int]:
    """Room the error-budget policy needs: days of busy hours kept per team, and budget
    periods per application (one each when no application has the policy)."""
    periods = [a.sre.period for a in plan.apps if a.sre is not None]
    if not periods:
        return 1, 1
    return int(plan.horizon // 24.0) + 2, int(plan.horizon // min(periods)) + 2


assert WORK == 0 and HOURS_PER_WEEK == 168.0  # the loop hard-codes both
