"""What the Python reference loop counts while it runs (``metrics/tally.finish`` turns it
into metrics): the Python meaning of ``engine/loop/kernel_tally``, statement for
statement."""

from __future__ import annotations

import math

from whorunsit.engine.metrics.tally import APP, MEASURED, PRIO, START, WEEK

# the rest of a ticket's fields (the first three and MEASURED are the ones
# ``tally.finish`` reads of the tickets still open)
(ALERT, SRC, ROW, TIER, HANDOFFS, REASS, QWAIT, HDELAY, WORKED, PHASE, PARTS, TEAMS, QSTART,
 PENDING, KF) = range(START + 1, MEASURED)
# part fields: one team's share of a visit
(P_TID, P_TEAM, P_POOL, P_QENTER, P_ATTACH, P_TOKEN, P_ASKED, P_K) = range(8)


def init(rep) -> None:
    nT = rep.nT
    nA = len(rep.plan.apps)
    rep.busy_work = [0.0] * nT  # busy responder-hours inside working hours
    rep.labour = [0.0] * nT  # paid busy hours
    rep.away = [0.0] * nT  # working responder-hours lost to TOIL
    rep.toil_balance = [0.0] * nT
    rep.t_tickets = [0] * nT
    rep.t_waits = [[] for _ in range(nT)]
    rep.t_work_sum = [0.0] * nT
    rep.t_work_n = [0] * nT
    rep.t_resolved = [0] * nT
    rep.t_deploys = [0] * nT
    rep.q_n = [0] * nT
    rep.q_mark = [0] * nT  # each team's queue at the end of the warm-up
    rep.q_last = [0.0] * nT
    rep.q_area = [0.0] * nT
    rep.callouts = [0] * nT
    rep.callout_cost = [0.0] * nT
    rep.callout_capex = 0.0
    rep.callout_opex = 0.0
    rep.unpaid = [0.0] * nT
    rep.toil_hours = [0.0] * nT
    rep.load_days = [{} if t.track_load else None for t in rep.plan.teams]
    rep.ttr = []
    rep.ttr_prio = []
    rep.i_handoffs = 0
    rep.i_reass = 0
    rep.i_qwait = 0.0
    rep.i_hdelay = 0.0
    rep.i_flow = 0.0
    rep.i_flow_n = 0
    rep.t_change_incidents = 0
    #: (application, priority, start, end) of every resolved ticket whose outage reaches
    #: into the measured window: an application's downtime is their union (``outage_hours``)
    rep.outages = ([], [], [], [])
    rep.budget_spent = [{} for _ in range(nA)]
    rep.lead = []
    rep.d_done = 0
    rep.d_demand = 0
    rep.d_preempted = 0
    rep.backlog_at_mark = 0


# -- while running -------------------------------------------------------------------------
def mark(rep) -> None:
    """End of the warm-up: remember the queues, to tell growth from noise later."""
    rep.backlog_at_mark = rep.backlog
    rep.q_mark = list(rep.q_n)


def queue_change(rep, team: int, delta: int) -> None:
    now = rep.now
    last = rep.q_last[team]
    if now > last:
        W = rep.W
        if now > W:
            rep.q_area[team] += rep.q_n[team] * (now - (last if last > W else W))
        rep.q_last[team] = now
    rep.q_n[team] += delta


def account(rep, team: int, a: float, b: float, paid: bool, pooled: bool,
            sign: float = 1.0) -> None:
    """A responder of ``team`` is busy from a to b (sign -1 takes pre-empted time back).
    ``pooled``: one of the team's working-hours responders, whose busy time inside
    working hours is the team's utilisation (on-call, best-endeavours and change-crew
    time is not)."""
    days = rep.load_days[team]
    if days is not None:
        d = int(a // 24.0)
        days[d] = days.get(d, 0.0) + sign * (b - a)
    lo = a if a > rep.W else rep.W
    hi = b if b < rep.H else rep.H
    if hi > lo:
        if paid:
            rep.labour[team] += sign * (hi - lo)
        if not pooled:
            return
        if rep.always:
            rep.busy_work[team] += sign * (hi - lo)
        elif lo >= rep.seg_start and hi <= rep.seg_end:
            # the usual case, inside the current calendar segment: no lookup needed
            if rep.seg == 0:
                rep.busy_work[team] += sign * (hi - lo)
        else:
            wh = rep.week.working_hours
            rep.busy_work[team] += sign * (wh(hi) - wh(lo))


def on_call_team(rep, rota) -> int:
    """Whose person holds a shared rota's phone: member teams take turns week by week."""
    teams = rota.teams
    return teams[int(rep.now // WEEK) % len(teams)] if len(teams) > 1 else teams[0]


def engaged(rep, tk: list, part: list, end: float, work: float) -> None:
    """One team's responder works a visit from its attach time to ``end``."""
    team = part[P_TEAM]
    pool = part[P_POOL]
    attach = part[P_ATTACH]
    if tk[MEASURED]:
        rep.t_tickets[team] += 1
        rep.t_waits[team].append(attach - part[P_QENTER])
        if work >= 0.0:
            rep.t_work_sum[team] += work
            rep.t_work_n[team] += 1
    if 0 <= pool < rep.nT:
        account(rep, team, attach, end, True, True)
    elif pool < 0:  # best endeavours: unpaid
        account(rep, team, attach, end, False, False)
        _callout(rep, team, None, end - attach, rep.plan.teams[team].best_endeavours[2])
    else:
        rota = rep.plan.rotas[pool - rep.nT]
        person = on_call_team(rep, rota)
        account(rep, person, attach, end, rota.paid, False)
        _callout(rep, person, rota, end - attach, rota.toil)


def _callout(rep, team: int, rota, hours: float, toil: float) -> None:
    rep.toil_balance[team] += toil
    if rep.now < rep.W:
        return
    rep.callouts[team] += 1
    rep.toil_hours[team] += toil
    if rota is not None and rota.paid:
        cost = rota.callout_fee + rota.callout_per_hour * hours
        rep.callout_cost[team] += cost
        if rota.capex:
            rep.callout_capex += cost
        else:
            rep.callout_opex += cost
    else:
        rep.unpaid[team] += hours


def resolved(rep, tk: list, team: int) -> None:
    now = rep.now
    a = tk[APP]
    app = rep.plan.apps[a]
    ttr = now - tk[START]
    if app.sre is not None:
        spent = rep.budget_spent[a]
        k = int(now // app.sre.period)
        spent[k] = spent.get(k, 0.0) + ttr * rep.plan.impact[tk[PRIO]]
    if now > rep.W:
        for column, value in zip(rep.outages, (a, tk[PRIO], tk[START], now), strict=True):
            column.append(value)
    if tk[MEASURED]:
        rep.ttr.append(ttr)
        rep.ttr_prio.append(tk[PRIO])
        rep.i_handoffs += tk[HANDOFFS]
        rep.i_reass += tk[REASS]
        rep.i_qwait += tk[QWAIT]
        rep.i_hdelay += tk[HDELAY]
        if ttr > 0.0:
            rep.i_flow += tk[WORKED] / ttr
            rep.i_flow_n += 1
        rep.t_resolved[team] += 1


def deployed(rep, requested: float, team: int) -> None:
    now = rep.now
    if now >= rep.W:
        rep.d_done += 1
        rep.t_deploys[team] += 1
    if requested >= rep.W:
        rep.lead.append(now - requested)


def working_capacity(rep, team, start: float, end: float) -> int:
    """Responders available in the working segment [start, end): people with a full
    day of TOIL in hand take it now (at least one person stays, and nobody still busy
    with last night's work goes)."""
    t = team.index
    cap = team.responders
    balance = rep.toil_balance[t]
    day = end - start
    if balance > 0.0 and day > 0.0 and not rep.always:
        away = min(int(balance // day), max(0, team.headcount - max(1, rep.busy[t])))
        if away > 0:
            rep.toil_balance[t] = balance - away * day
            cap = max(0, min(cap, team.headcount - away))
    lost = team.responders - cap
    if lost > 0:
        overlap = min(end, rep.H) - max(start, rep.W)
        if overlap > 0:
            rep.away[t] += lost * overlap
    return cap


def trailing_load(rep, team: int) -> float:
    """Busy share of a team over the last seven days (error-budget policy ops cap)."""
    days = rep.load_days[team]
    d = int(rep.now // 24.0)
    busy = sum(days.get(k, 0.0) for k in range(d - 6, d + 1))
    plan_team = rep.plan.teams[team]
    capacity = plan_team.responders * rep.week.working_per_week
    return busy / capacity if capacity > 0 else math.inf
