"""What a replication counts while it runs, and the metrics it reports at the end.

Only incidents and deployment requests that start after the warm-up are counted; time
based figures (utilisation, queue length, callouts, pay) use the window from the end of
the warm-up to the horizon. Money is annualised with a 52-week year; rates are per week;
durations in hours.
"""

from __future__ import annotations

import math

import numpy as np

from whorunsit.model.calendar import WEEKS_PER_YEAR
from whorunsit.stats.results import HISTOGRAM_EDGES

#: waiting tickets plus deployment backlog at which a replication is declared unstable
#: and stopped early: bounded memory and time whatever the scenario asks
QUEUE_CAP = 20_000
WEEK = 168.0
YEAR_WEEKS = WEEKS_PER_YEAR
# part fields (see replication)
P_TEAM, P_POOL, P_QENTER, P_ATTACH = 1, 2, 3, 4
# ticket fields (see replication)
APP, PRIO, START, HANDOFFS, REASS, QWAIT, HDELAY, WORKED, MEASURED = 0, 1, 2, 7, 8, 9, 10, 11, 18


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
    rep.downtime = [0.0] * nA
    rep.budget_spent = [{} for _ in range(nA)]
    rep.lead = []
    rep.d_done = 0
    rep.d_demand = 0
    rep.d_preempted = 0
    rep.open_at_mark = 0
    rep.backlog_at_mark = 0


# -- while running -------------------------------------------------------------------------
def mark(rep) -> None:
    """End of the warm-up: remember the queues, to tell growth from noise later."""
    rep.open_at_mark = len(rep.open)
    rep.backlog_at_mark = rep.backlog


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
    down = ttr * rep.plan.impact[tk[PRIO]]
    if app.sre is not None:
        spent = rep.budget_spent[a]
        k = int(now // app.sre.period)
        spent[k] = spent.get(k, 0.0) + down
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
        rep.downtime[a] += down


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


# -- at the end ----------------------------------------------------------------------------
def _pct(ordered: np.ndarray, q: float) -> float:
    """``numpy.percentile(values, q)`` (linear) of values already sorted by ``np.sort``:
    numpy's own arithmetic step for step (index, neighbours, its two-sided lerp), so the
    same bits, without a partition per call (tests/test_tally.py compares them)."""
    n = len(ordered)
    if n == 0:
        return math.nan
    last = float(ordered[-1])
    if last != last:  # NaN sorts last: numpy then answers NaN
        return math.nan
    v = (n - 1) * (q / 100)
    i = -1 if v >= n - 1 else int(v)
    a = float(ordered[i])
    b = float(ordered[i + 1]) if i >= 0 else a
    t = v - i
    d = b - a
    return b - d * (1 - t) if t >= 0.5 else a + d * t


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 else math.nan


def _restore(m: dict[str, float], prefix: str, ttr: np.ndarray) -> None:
    """Time to restore of one group of incidents (a priority; the urgent ones, which call
    people out of hours): NaN in a replication that resolved none of them."""
    m[prefix + "time_to_restore.mean"] = float(ttr.mean()) if len(ttr) else math.nan
    ordered = np.sort(ttr)
    m[prefix + "time_to_restore.p50"] = _pct(ordered, 50)
    m[prefix + "time_to_restore.p95"] = _pct(ordered, 95)


def costs_and_availability(m: dict[str, float], plan, downtime, hours: float, annual: float,
                           labour_cost, toil_cost, standby, callout) -> None:
    """The cost.* and applications.* metrics; ``*_cost`` pairs are (opex, capex).

    Shared by the engines and the fast path so the money adds up the same way in each.
    """
    downtime_cost = sum(downtime[a.index] * a.cost_per_hour for a in plan.apps) * annual
    opex = labour_cost[0] + toil_cost[0] + standby[0] + callout[0]
    capex = labour_cost[1] + toil_cost[1] + standby[1] + callout[1]
    m["cost.oncall"] = sum(standby) + sum(callout)
    m["cost.labour"] = sum(labour_cost)
    m["cost.toil"] = sum(toil_cost)
    m["cost.downtime"] = downtime_cost
    m["cost.opex"] = opex
    m["cost.capex"] = capex
    m["cost.total"] = opex + capex + downtime_cost

    for app in plan.apps:
        p = f"applications.{app.name}."
        down = downtime[app.index]
        avail = min(1.0, max(0.0, 1.0 - down / hours)) if hours > 0 else math.nan
        m[p + "availability"] = avail
        m[p + "downtime_hours"] = down * annual
        m[p + "p_meets_target"] = float(avail >= app.target - 1e-12) if hours > 0 else math.nan


def finish(rep) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    plan = rep.plan
    W = rep.W
    end = rep.end
    hours = end - W
    weeks = hours / WEEK
    annual = YEAR_WEEKS / weeks if weeks > 0 else math.nan
    impact = plan.impact
    for t in range(rep.nT):
        last = rep.q_last[t]
        if end > last and end > W:
            rep.q_area[t] += rep.q_n[t] * (end - max(last, W))

    # incidents still open: created ones, and ones started but not yet detected
    count = getattr(rep, "measured", None)  # the compiled engine counts them as it goes
    if count is None:
        count = sum(1 for tk in rep.tickets if tk[MEASURED])
    unresolved = 0
    for tk in rep.open.values():
        if tk[MEASURED]:
            unresolved += 1
            rep.downtime[tk[APP]] += (end - tk[START]) * impact[tk[PRIO]]
    for a, inc in enumerate(rep.incidents):
        late = (inc.start_array >= W) & (inc.start_array < end) & (inc.detect_array >= end)
        if late.any():
            n = int(late.sum())
            count += n
            unresolved += n
            prio = np.asarray(inc.prio)[late]
            rep.downtime[a] += float(((end - inc.start_array[late]) *
                                      np.asarray(impact)[prio]).sum())

    m: dict[str, float] = {}
    ttr = np.asarray(rep.ttr, dtype=float)
    nres = len(ttr)
    m["incidents.count"] = float(count)
    m["incidents.per_week"] = _ratio(count, weeks)
    m["incidents.unresolved"] = float(unresolved)
    m["incidents.time_to_restore.mean"] = float(ttr.mean()) if nres else math.nan
    ordered = np.sort(ttr)
    m["incidents.time_to_restore.p50"] = _pct(ordered, 50)
    m["incidents.time_to_restore.p95"] = _pct(ordered, 95)
    m["incidents.time_to_restore.p99"] = _pct(ordered, 99)
    prio = np.asarray(rep.ttr_prio, dtype=np.int64)
    for p in range(4):
        _restore(m, f"incidents.P{p + 1}.", ttr[prio == p])
    _restore(m, "incidents.urgent.", ttr[np.asarray(plan.callout, dtype=bool)[prio]])
    m["incidents.handoffs.mean"] = _ratio(rep.i_handoffs, nres)
    m["incidents.reassignments.mean"] = _ratio(rep.i_reass, nres)
    m["incidents.queue_wait.mean"] = _ratio(rep.i_qwait, nres)
    m["incidents.handoff_delay.mean"] = _ratio(rep.i_hdelay, nres)
    m["incidents.flow_efficiency"] = _ratio(rep.i_flow, rep.i_flow_n)

    working = rep.week.working_hours(end) - rep.week.working_hours(W) if not rep.always \
        else hours
    labour_cost = [0.0, 0.0]  # opex, capex
    toil_cost = [0.0, 0.0]
    for team in plan.teams:
        t = team.index
        p = f"teams.{team.name}."
        avail = team.responders * working - rep.away[t]
        waits = np.asarray(rep.t_waits[t], dtype=float)
        m[p + "utilisation"] = _ratio(rep.busy_work[t], avail)
        m[p + "queue_wait.mean"] = float(waits.mean()) if len(waits) else math.nan
        m[p + "queue_wait.p95"] = _pct(np.sort(waits), 95)
        m[p + "queue_length.mean"] = _ratio(rep.q_area[t], hours)
        m[p + "tickets_per_week"] = _ratio(rep.t_tickets[t], weeks)
        m[p + "work_time.mean"] = _ratio(rep.t_work_sum[t], rep.t_work_n[t])
        m[p + "resolved_share"] = _ratio(rep.t_resolved[t], nres)
        m[p + "deployments_per_week"] = _ratio(rep.t_deploys[t], weeks)
        labour_cost[team.capex] += rep.labour[t] * team.hourly_cost * annual
        toil_cost[team.capex] += rep.toil_hours[t] * team.hourly_cost * annual

    lead = np.asarray(rep.lead, dtype=float)
    demand_pw = _ratio(rep.d_demand, weeks)
    m["deployments.lead_time.mean"] = float(lead.mean()) if len(lead) else math.nan
    ordered = np.sort(lead)
    m["deployments.lead_time.p50"] = _pct(ordered, 50)
    m["deployments.lead_time.p95"] = _pct(ordered, 95)
    m["deployments.throughput_per_week"] = _ratio(rep.d_done, weeks)
    m["deployments.demand_per_week"] = demand_pw
    m["deployments.backlog"] = float(rep.backlog)
    growth = rep.backlog - rep.backlog_at_mark
    behind = rep.d_demand > 0 and growth > max(4.0, 2.0 * demand_pw)
    m["delivery.discontinuous"] = float(rep.overflow or behind)
    open_growth = len(rep.open) - rep.open_at_mark
    swamped = count > 0 and open_growth > max(10.0, 2.0 * _ratio(count, weeks))
    m["queues.unstable"] = float(rep.overflow or behind or swamped)

    standby_team = [0.0] * rep.nT
    standby = [0.0, 0.0]
    for r in plan.rotas:
        if not r.paid:
            continue
        pay = r.standby_per_week * r.on_call * YEAR_WEEKS
        standby[r.capex] += pay
        for t in r.teams:
            standby_team[t] += pay / len(r.teams)
    for team in plan.teams:
        t = team.index
        p = f"oncall.{team.name}."
        people = team.rota_people or float(team.headcount)
        m[p + "standby_cost"] = standby_team[t]
        m[p + "callout_cost"] = rep.callout_cost[t] * annual
        m[p + "callouts_per_person_week"] = _ratio(rep.callouts[t], people * weeks) \
            if people > 0 else math.nan
        m[p + "unpaid_hours"] = rep.unpaid[t] * annual
        m[p + "toil_hours"] = rep.toil_hours[t] * annual
    m["oncall.unpaid_hours"] = sum(rep.unpaid) * annual
    m["oncall.callouts_per_week"] = _ratio(sum(rep.callouts), weeks)

    callout = [rep.callout_opex * annual, rep.callout_capex * annual]
    costs_and_availability(m, plan, rep.downtime, hours, annual,
                           labour_cost, toil_cost, standby, callout)

    hists = {
        "incidents.time_to_restore": np.histogram(ttr, HISTOGRAM_EDGES)[0],
        "deployments.lead_time": np.histogram(lead, HISTOGRAM_EDGES)[0],
    }
    return m, hists
