"""The fast path's replications turned into metrics, as ``tally.finish`` turns the engine's.

This mirrors ``tally.finish`` line for line for what an eligible scenario can produce
(no deployments, callouts, TOIL or policies), with the per-incident work done for a
whole batch of replications at once: totals are added left to right along each
replication's row in the engine's order (``numpy.cumsum`` adds sequentially, as the
engine's running totals do; ``numpy.sum`` would add pairwise and may differ in the last
bit), means and percentiles see the same values in the same order. The result is the
engine's, bit for bit; ``tests/test_fastpath.py`` compares every metric of both paths,
so a metric added to ``tally.finish`` and not here fails there first.
"""

from __future__ import annotations

import math

import numpy as np

from whorunsit.engine import tally
from whorunsit.engine.plan import Plan
from whorunsit.stats.results import HISTOGRAM_EDGES


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 else math.nan


def seq_sum(values: np.ndarray) -> np.ndarray:
    """Each row added left to right (the engine's ``total += x``)."""
    if values.shape[1] == 0:
        return np.zeros(values.shape[0])
    return np.cumsum(values, axis=1)[:, -1]


def percentile_rows(ascending: np.ndarray, counts: np.ndarray, q: float) -> np.ndarray:
    """``numpy.percentile(row[:n], q)`` for every row of an ascending-sorted matrix.

    numpy's default ("linear") method, step for step: virtual index (n - 1) * q, its
    floor and the next index (both the last element when past it), then numpy's
    two-sided lerp. NaN where a row is empty.
    """
    n = counts.astype(np.int64)
    frac = np.true_divide(q, 100)
    virtual = (n - 1) * frac
    below = np.floor(virtual)
    above = below + 1
    past = virtual >= n - 1
    prev_idx = np.where(past, n - 1, below).astype(np.intp)
    next_idx = np.where(past, n - 1, above).astype(np.intp)
    gamma = virtual - np.where(past, -1, below)
    rows = np.arange(ascending.shape[0])
    safe = np.maximum(n - 1, 0)
    a = ascending[rows, np.minimum(prev_idx, safe)]
    b = ascending[rows, np.minimum(next_idx, safe)]
    with np.errstate(invalid="ignore"):  # empty rows: inf - inf, replaced by NaN below
        diff = b - a
        lerp = np.where(gamma >= 0.5, b - diff * (1 - gamma), a + diff * gamma)
    return np.where(n > 0, lerp, math.nan)


def _queue_sweep(join: np.ndarray, begin: np.ndarray, H: float, W: float):
    """The engine's queue bookkeeping (``tally.queue_change``) for one team, per row.

    A ticket that has to wait adds one to the queue when it joins and takes one off when
    a responder takes it; the time-weighted area after the warm-up is added change by
    change in time order. Both kinds of change come in time order already (FIFO), so
    each row is a merge of two sorted runs. Returns the area, the queue length and the
    time of the last change before the horizon, and the longest queue.
    """
    B, rows = join.shape
    waited = begin > join
    taken = waited & (begin < H)
    n_up, n_down = waited.sum(axis=1), taken.sum(axis=1)
    width = int((n_up + n_down).max()) if B else 0
    times = np.full((B, width), math.inf)
    deltas = np.zeros((B, width), dtype=np.int64)
    for b in range(B):
        up, down = join[b][waited[b]], begin[b][taken[b]]
        # position in the merged run: own rank plus the changes of the other kind before
        at_up = np.arange(len(up)) + np.searchsorted(down, up, side="left")
        at_down = np.arange(len(down)) + np.searchsorted(up, down, side="right")
        times[b, at_up], deltas[b, at_up] = up, 1
        times[b, at_down], deltas[b, at_down] = down, -1
    if width == 0:
        nothing = np.zeros(B)
        return nothing, np.zeros(B, np.int64), nothing, np.zeros(B, np.int64)
    after = np.cumsum(deltas, axis=1)
    finite = np.isfinite(times)
    at = np.where(finite, times, 0.0)
    last = np.concatenate([np.zeros((B, 1)), at[:, :-1]], axis=1)
    counting = finite & (at > W) & (at > last)
    since = np.where(last > W, last, W)
    area = seq_sum(np.where(counting, (after - deltas) * (at - since), 0.0))
    return area, after[:, -1], at.max(axis=1), after.max(axis=1)


class _Constants:
    """What does not change between replications of a plan."""

    def __init__(self, plan: Plan):
        self.nT = len(plan.teams)
        standby_team = [0.0] * self.nT
        standby = [0.0, 0.0]
        for r in plan.rotas:
            if not r.paid:
                continue
            pay = r.standby_per_week * r.on_call * tally.YEAR_WEEKS
            standby[r.capex] += pay
            for t in r.teams:
                standby_team[t] += pay / len(r.teams)
        self.standby_team, self.standby = standby_team, standby
        # one priority only (an eligibility rule), so one impact for every incident
        mix = [a.cum_mix for a in plan.apps if a.incident_rate > 0]
        prio = 0
        if mix:
            cum = mix[0]
            prio = next((k for k, c in enumerate(cum) if c > 0.0), len(cum))
        self.prio = prio
        self.impact = plan.impact[prio]


def batch_metrics(plan: Plan, apps: list, teams: dict) -> tuple[list, dict[str, np.ndarray]]:
    """Per replication of the batch its metrics (None where the queues came near the
    engine's hard cap: the engine must play it), and the pooled histograms of the rest."""
    H, W = plan.horizon, plan.warmup
    c = _Constants(plan)
    B = len(apps[0].counts) if apps else 0
    tm = _team_figures(plan, teams, B, H, W)
    inc = _incident_figures(plan, apps, c, H, W)
    played = tm["longest"] <= tally.QUEUE_CAP // 2
    out = []
    for b in range(B):
        out.append(_finish(plan, c, b, tm, inc, apps, H, W) if played[b] else None)
    ttr = inc["ttr_sorted"][played]
    values = ttr[np.isfinite(ttr)]
    hists = {
        "incidents.time_to_restore": np.histogram(values, HISTOGRAM_EDGES)[0],
        "deployments.lead_time": np.histogram(np.empty(0), HISTOGRAM_EDGES)[0],
    }
    return out, hists


def _team_figures(plan: Plan, teams: dict, B: int, H: float, W: float) -> dict:
    """Per team and replication, what ``tally.engaged`` and ``queue_change`` count."""
    nT = len(plan.teams)
    f = {k: [None] * nT for k in ("busy", "work_sum", "tickets", "area", "q_now", "q_last",
                                  "waits", "measured", "p95")}
    longest = np.zeros(B, dtype=np.int64)
    for t, s in teams.items():
        engaged = s.begin < H
        measured = engaged & (s.incident_start >= W)
        lo = np.where(s.begin > W, s.begin, W)
        hi = np.where(s.end < H, s.end, H)
        f["busy"][t] = seq_sum(np.where(engaged & (hi > lo), hi - lo, 0.0))
        f["tickets"][t] = measured.sum(axis=1)
        f["work_sum"][t] = seq_sum(np.where(measured, s.work, 0.0))
        waits = s.begin - s.join
        f["waits"][t], f["measured"][t] = waits, measured
        ranked = np.sort(np.where(measured, waits, math.inf), axis=1)
        f["p95"][t] = percentile_rows(ranked, f["tickets"][t], 95)
        area, q_now, q_last, most = _queue_sweep(s.join, s.begin, H, W)
        f["area"][t], f["q_now"][t], f["q_last"][t] = area, q_now, q_last
        longest += most  # at least the engine's count of waiting tickets at any time
    f["longest"] = longest
    return f


def _incident_figures(plan: Plan, apps: list, c: _Constants, H: float, W: float) -> dict:
    """What ``tally.resolved`` adds up, across applications in resolution order."""
    nT = len(plan.teams)
    stacks: dict[str, list] = {k: [] for k in ("res", "ttr", "qwait", "hdelay", "worked",
                                               "app")}
    resolved_by = [0] * nT
    handoffs = created = late = open_all = at_mark = 0
    for d in apps:
        shape = d.start.shape
        qwait, worked, hdelay = np.zeros(shape), np.zeros(shape), np.zeros(shape)
        res = np.full(shape, math.inf)
        nt = len(d.app.tiers)
        for j in range(nt):
            if d.join[j] is None:
                continue
            at = d.valid & (d.exit >= j) & (d.entry <= j)
            started = at & (d.begin[j] < H)
            # the engine adds each visit's wait and work as it starts, tier by tier
            qwait = np.where(started, qwait + (d.begin[j] - d.join[j]), qwait)
            worked = np.where(started, worked + d.work[j], worked)
            if j < nt - 1 and d.handoff[j] is not None:
                hdelay = np.where(at & (d.exit > j), hdelay + d.handoff[j], hdelay)
            res = np.where(at & (d.exit == j), d.end[j], res)
        arrived = d.valid & (d.detect < H)
        res = np.where(arrived & (res < H), res, math.inf)
        measured = d.valid & (d.start >= W)
        done = np.isfinite(res) & measured
        for j, tier in enumerate(d.app.tiers):
            here = done & (d.exit == j)
            for channel in (0, 1):
                if channel and d.app.alert_share <= 0.0:
                    continue
                mine = here & (d.alert if channel else ~d.alert)
                resolved_by[tier.teams[channel][0]] = resolved_by[tier.teams[channel][0]] + \
                    mine.sum(axis=1)
        handoffs = handoffs + np.where(done, d.exit - d.entry, 0).sum(axis=1)
        created = created + (arrived & measured).sum(axis=1)
        late = late + (measured & (d.detect >= H)).sum(axis=1)
        open_all = open_all + (arrived & ~np.isfinite(res)).sum(axis=1)
        at_mark = at_mark + ((d.detect < W) & arrived & ~(res < W)).sum(axis=1)
        d.res = res  # the open tickets are read back per replication
        stacks["res"].append(np.where(done, res, math.inf))
        stacks["ttr"].append(res - d.start)
        stacks["qwait"].append(qwait)
        stacks["hdelay"].append(hdelay)
        stacks["worked"].append(worked)
        stacks["app"].append(np.full(shape, d.app.index, dtype=np.int32))
    res = np.concatenate(stacks["res"], axis=1)
    order = np.argsort(res, axis=1, kind="stable")
    n_done = np.isfinite(res).sum(axis=1)
    keep = np.arange(res.shape[1])[None, :] < n_done[:, None]

    def in_order(name: str) -> np.ndarray:
        whole = np.concatenate(stacks[name], axis=1)
        return np.where(keep, np.take_along_axis(whole, order, axis=1), 0)

    ttr = np.where(keep, in_order("ttr"), math.inf)
    worked = in_order("worked")
    flowing = keep & (ttr > 0.0)
    with np.errstate(divide="ignore"):
        flow = np.where(flowing, worked / np.where(flowing, ttr, 1.0), 0.0)
    down = np.where(keep, ttr * c.impact, 0.0)
    if len(apps) == 1:
        downtime = [seq_sum(down)]
    else:
        app = in_order("app")
        downtime = [seq_sum(np.where(keep & (app == a), down, 0.0)) for a in range(len(apps))]
    ranked = np.sort(ttr, axis=1)
    return {
        "n_done": n_done, "ttr": ttr, "ttr_sorted": ranked,
        "p50": percentile_rows(ranked, n_done, 50), "p95": percentile_rows(ranked, n_done, 95),
        "p99": percentile_rows(ranked, n_done, 99),
        "qwait": seq_sum(in_order("qwait")), "hdelay": seq_sum(in_order("hdelay")),
        "flow": seq_sum(flow), "flow_n": flowing.sum(axis=1), "handoffs": handoffs,
        "resolved_by": resolved_by, "downtime": downtime, "created": created,
        "late": late, "open": open_all, "at_mark": at_mark,
    }


def _restore(m: dict[str, float], prefix: str, inc: dict, b: int, ttr: np.ndarray,
             n: int) -> None:
    """``tally._restore`` for a group holding all n resolved incidents, or none."""
    m[prefix + "time_to_restore.mean"] = float(ttr.mean()) if n else math.nan
    m[prefix + "time_to_restore.p50"] = float(inc["p50"][b]) if n else math.nan
    m[prefix + "time_to_restore.p95"] = float(inc["p95"][b]) if n else math.nan


def _finish(plan: Plan, c: _Constants, b: int, tm: dict, inc: dict, apps: list,
            H: float, W: float) -> dict[str, float]:
    """Replication b's metrics: ``tally.finish`` with the engine's counters for it."""
    WEEK, YEAR_WEEKS = tally.WEEK, tally.YEAR_WEEKS
    end = H
    hours = end - W
    weeks = hours / WEEK
    annual = YEAR_WEEKS / weeks if weeks > 0 else math.nan
    nT = c.nT
    q_area = [0.0] * nT
    for t in range(nT):
        if tm["area"][t] is None:
            continue
        q_area[t] = float(tm["area"][t][b])
        last = float(tm["q_last"][t][b])
        if end > last and end > W:
            q_area[t] += int(tm["q_now"][t][b]) * (end - max(last, W))

    downtime = [float(x[b]) for x in inc["downtime"]]
    count = int(inc["created"][b])
    unresolved = 0
    if inc["open"][b]:
        # open tickets in the order they arrived (the engine's dict of open tickets)
        still = []
        for a, d in enumerate(apps):
            for i in np.flatnonzero(d.valid[b] & (d.detect[b] < H) & ~np.isfinite(d.res[b])):
                still.append((float(d.detect[b, i]), a, float(d.start[b, i])))
        for _detect, a, start in sorted(still):
            if start >= W:
                unresolved += 1
                downtime[a] += (end - start) * c.impact
    if inc["late"][b]:
        for a, d in enumerate(apps):
            s = d.start[b]
            late = d.valid[b] & (s >= W) & (d.detect[b] >= end)
            if late.any():
                n = int(late.sum())
                count += n
                unresolved += n
                impact = np.full(n, c.impact)
                downtime[a] += float(((end - s[late]) * impact).sum())

    m: dict[str, float] = {}
    nres = int(inc["n_done"][b])
    ttr = inc["ttr"][b, :nres]
    m["incidents.count"] = float(count)
    m["incidents.per_week"] = _ratio(count, weeks)
    m["incidents.unresolved"] = float(unresolved)
    m["incidents.time_to_restore.mean"] = float(ttr.mean()) if nres else math.nan
    for q in (50, 95, 99):
        m[f"incidents.time_to_restore.p{q}"] = float(inc[f"p{q}"][b])
    # every incident has one priority (an eligibility rule): that priority's figures are
    # all incidents' figures, the others' have no incidents
    for p in range(4):
        _restore(m, f"incidents.P{p + 1}.", inc, b, ttr, nres if p == c.prio else 0)
    _restore(m, "incidents.urgent.", inc, b, ttr, nres if plan.callout[c.prio] else 0)
    m["incidents.handoffs.mean"] = _ratio(int(inc["handoffs"][b]), nres)
    m["incidents.reassignments.mean"] = _ratio(0, nres)
    m["incidents.queue_wait.mean"] = _ratio(float(inc["qwait"][b]), nres)
    m["incidents.handoff_delay.mean"] = _ratio(float(inc["hdelay"][b]), nres)
    m["incidents.flow_efficiency"] = _ratio(float(inc["flow"][b]), int(inc["flow_n"][b]))

    working = hours
    labour_cost = [0.0, 0.0]
    toil_cost = [0.0, 0.0]
    for team in plan.teams:
        t = team.index
        p = f"teams.{team.name}."
        avail = team.responders * working - 0.0
        served = tm["busy"][t] is not None
        busy = float(tm["busy"][t][b]) if served else 0.0
        tickets = int(tm["tickets"][t][b]) if served else 0
        m[p + "utilisation"] = _ratio(busy, avail)
        if tickets:
            waits = tm["waits"][t][b][tm["measured"][t][b]]
            m[p + "queue_wait.mean"] = float(waits.mean())
            m[p + "queue_wait.p95"] = float(tm["p95"][t][b])
        else:
            m[p + "queue_wait.mean"] = m[p + "queue_wait.p95"] = math.nan
        m[p + "queue_length.mean"] = _ratio(q_area[t], hours)
        m[p + "tickets_per_week"] = _ratio(tickets, weeks)
        m[p + "work_time.mean"] = _ratio(float(tm["work_sum"][t][b]) if served else 0.0,
                                         tickets)
        resolved = inc["resolved_by"][t]
        m[p + "resolved_share"] = _ratio(int(resolved[b]) if np.ndim(resolved) else 0, nres)
        m[p + "deployments_per_week"] = _ratio(0, weeks)
        labour_cost[team.capex] += busy * team.hourly_cost * annual
        toil_cost[team.capex] += 0.0 * team.hourly_cost * annual

    m["deployments.lead_time.mean"] = math.nan
    m["deployments.lead_time.p50"] = math.nan
    m["deployments.lead_time.p95"] = math.nan
    m["deployments.throughput_per_week"] = _ratio(0, weeks)
    m["deployments.demand_per_week"] = _ratio(0, weeks)
    m["deployments.backlog"] = 0.0
    m["delivery.discontinuous"] = 0.0
    open_growth = int(inc["open"][b]) - int(inc["at_mark"][b])
    swamped = count > 0 and open_growth > max(10.0, 2.0 * _ratio(count, weeks))
    m["queues.unstable"] = float(swamped)

    for team in plan.teams:
        t = team.index
        p = f"oncall.{team.name}."
        people = team.rota_people or float(team.headcount)
        m[p + "standby_cost"] = c.standby_team[t]
        m[p + "callout_cost"] = 0.0 * annual
        m[p + "callouts_per_person_week"] = _ratio(0, people * weeks) if people > 0 \
            else math.nan
        m[p + "unpaid_hours"] = 0.0 * annual
        m[p + "toil_hours"] = 0.0 * annual
    m["oncall.unpaid_hours"] = sum([0.0] * nT) * annual
    m["oncall.callouts_per_week"] = _ratio(0, weeks)

    callout = [0.0 * annual, 0.0 * annual]
    standby = c.standby
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
    return m
