"""The fast path's replications turned into metrics, as ``tally.finish`` turns the engine's.

This mirrors ``tally.finish`` line for line for what an eligible scenario can produce
(no deployments, callouts, TOIL or policies). The per-ticket totals come from the
compiled kernel (``fastpath_kernel``), added up in the engine's order; means, percentiles
and histogram counts are numpy's own arithmetic on the same values in the same order. So
the result is the engine's, bit for bit; ``tests/test_fastpath.py`` compares every metric
of both paths, so a metric added to ``tally.finish`` and not here fails there first.
"""

from __future__ import annotations

import math

import numpy as np

from whorunsit.engine.fastpath.fastpath_kernel import (
    I_CREATED,
    I_DONE,
    I_FLOW,
    I_FLOW_N,
    I_HANDOFFS,
    I_HDELAY,
    I_LATE,
    I_OPEN,
    I_QWAIT,
    T_AREA,
    T_BUSY,
    T_FIRST,
    T_Q_LAST,
    T_Q_MARK,
    T_Q_NOW,
    T_RESOLVED,
    T_TICKETS,
    T_WAITED,
    T_WORK,
    outage_union,
)
from whorunsit.engine.metrics import tally
from whorunsit.engine.plan.plan import Plan
from whorunsit.model.bins import HISTOGRAM_EDGES


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 else math.nan


class Constants:
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
        # one priority only (an eligibility rule)
        mix = [a.cum_mix for a in plan.apps if a.incident_rate > 0]
        prio = 0
        if mix:
            cum = mix[0]
            prio = next((k for k, c in enumerate(cum) if c > 0.0), len(cum))
        self.prio = prio


def percentile_sorted(ranked: np.ndarray, q: float, zeros: int = 0) -> float:
    """``numpy.percentile(values, q)`` from the values sorted ascending (after ``zeros``
    zeros left out), step for step: numpy's default (linear) method, its virtual index
    (n - 1) * q / 100, its floor and the next index (both the last when past it), then
    its two-sided lerp. NaN when empty. Sorting once and reading off several
    percentiles beats numpy's partition."""
    n = zeros + len(ranked)
    if n == 0:
        return math.nan
    virtual = (n - 1) * (q / 100)
    if virtual >= n - 1:
        below, above, gamma = n - 1, n - 1, virtual - -1
    else:
        below = math.floor(virtual)
        above, gamma = below + 1, virtual - below
    a = float(ranked[below - zeros]) if below >= zeros else 0.0
    b = float(ranked[above - zeros]) if above >= zeros else 0.0
    diff = b - a
    return b - diff * (1 - gamma) if gamma >= 0.5 else a + diff * gamma


def histogram_sorted(ranked: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """``numpy.histogram(values, edges)[0]`` from the values sorted ascending: numpy's
    own way for uneven bins (counts below each edge, the last edge inclusive)."""
    below = np.concatenate((ranked.searchsorted(edges[:-1], "left"),
                            ranked.searchsorted(edges[-1:], "right")))
    return np.diff(below)


def _restore(m: dict[str, float], prefix: str, every: dict[str, float], n: int) -> None:
    """What ``tally.finish`` gives a priority group holding all n resolved incidents, or none."""
    for stat in ("mean", "p50", "p90", "p95"):
        m[prefix + "time_to_restore." + stat] = every[stat] if n else math.nan


def outage_hours(plan: Plan, prio: int, draws, fig, warmup: float, end: float) -> list[float]:
    """``tally.outage_hours`` for the fast path's incidents, who all have priority
    ``prio`` and are down from their start to their resolution (or the end): one impact
    level, so the downtime is that level times the union of the outages (the compiled
    ``outage_union``), added to zero as ``outage_hours`` adds it."""
    union = np.empty(len(plan.apps))
    outage_union(draws.first, draws.start, fig.resolved_at, warmup, end, union)
    level = float(np.asarray(plan.impact, dtype=float)[prio])
    out = np.zeros(len(plan.apps))
    if level > 0 and len(draws.start):
        out += (level - 0.0) * union
    return out.tolist()


def finish(plan: Plan, c: Constants, served: np.ndarray, draws,
           fig) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """One replication's metrics and histogram counts: ``tally.finish`` with the
    engine's counters for it, from its draws (``fastpath.Draws``) and the kernel's
    figures (``fastpath.Figures``)."""
    WEEK, YEAR_WEEKS = tally.WEEK, tally.YEAR_WEEKS
    horizon, warmup = plan.horizon, plan.warmup
    end = horizon
    hours = end - warmup
    weeks = hours / WEEK
    annual = YEAR_WEEKS / weeks if weeks > 0 else math.nan
    nT = c.nT
    team_f, team_n, inc_f, inc_n = fig.team_f, fig.team_n, fig.inc_f, fig.inc_n
    q_area = [0.0] * nT
    for t in range(nT):
        if not served[t]:
            continue
        q_area[t] = float(team_f[t, T_AREA])
        last = float(team_f[t, T_Q_LAST])
        if end > last and end > warmup:
            q_area[t] += int(team_n[t, T_Q_NOW]) * (end - max(last, warmup))

    count = int(inc_n[I_CREATED])
    unresolved = 0
    first = draws.first
    if inc_n[I_OPEN]:
        still = np.flatnonzero((draws.detect < horizon) & ~np.isfinite(fig.resolved_at))
        unresolved += int((draws.start[still] >= warmup).sum())
    if inc_n[I_LATE]:
        late = int(((draws.start >= warmup) & (draws.detect >= end)).sum())
        count += late
        unresolved += late
    downtime = outage_hours(plan, c.prio, draws, fig, warmup, end)

    m: dict[str, float] = {}
    nres = int(inc_n[I_DONE])
    ttr = fig.ttr[:nres]
    ranked = np.sort(ttr)
    m["incidents.count"] = float(count)
    m["incidents.per_week"] = _ratio(count, weeks)
    m["incidents.unresolved"] = float(unresolved)
    every = {"mean": float(ttr.mean()) if nres else math.nan}
    m["incidents.time_to_restore.mean"] = every["mean"]
    for q in (50, 90, 95, 99):
        every[f"p{q}"] = m[f"incidents.time_to_restore.p{q}"] = percentile_sorted(ranked, q)
    # every incident has one priority (an eligibility rule): that priority's figures are
    # all incidents' figures, the others' have no incidents
    for p in range(4):
        _restore(m, f"incidents.P{p + 1}.", every, nres if p == c.prio else 0)
    _restore(m, "incidents.urgent.", every, nres if plan.callout[c.prio] else 0)
    m["incidents.handoffs.mean"] = _ratio(int(inc_n[I_HANDOFFS]), nres)
    m["incidents.reassignments.mean"] = _ratio(0, nres)
    m["incidents.queue_wait.mean"] = _ratio(float(inc_f[I_QWAIT]), nres)
    m["incidents.handoff_delay.mean"] = _ratio(float(inc_f[I_HDELAY]), nres)
    m["incidents.flow_efficiency"] = _ratio(float(inc_f[I_FLOW]), int(inc_n[I_FLOW_N]))

    working = hours
    # every team's offered load in one call: element for element the same arithmetic
    growths = (team_n[:, T_Q_NOW] - team_n[:, T_Q_MARK]).astype(float)
    loads = tally.offered_load(team_f[:, T_BUSY].copy(), growths, team_f[:, T_WORK].copy(),
                               team_n[:, T_TICKETS].astype(float),
                               np.array([team.responders * working - 0.0 for team in plan.teams]))
    busy_cost = [0.0, 0.0]
    toil_cost = [0.0, 0.0]
    for team in plan.teams:
        t = team.index
        p = f"teams.{team.name}."
        avail = team.responders * working - 0.0
        busy = float(team_f[t, T_BUSY])  # zero for a team no ticket reaches
        tickets = int(team_n[t, T_TICKETS])
        m[p + "utilisation"] = _ratio(busy, avail)
        if tickets:
            first = int(team_n[t, T_FIRST])
            waits = fig.waits[first:first + tickets]
            m[p + "queue_wait.mean"] = float(waits.mean())
            # the waits in order are the zero waits, then those above zero sorted
            waited = int(team_n[t, T_WAITED])
            above = np.sort(fig.waited[first:first + waited])
            m[p + "queue_wait.p95"] = percentile_sorted(above, 95, zeros=tickets - waited)
        else:
            m[p + "queue_wait.mean"] = m[p + "queue_wait.p95"] = math.nan
        m[p + "queue_length.mean"] = _ratio(q_area[t], hours)
        m[p + "tickets_per_week"] = _ratio(tickets, weeks)
        m[p + "work_time.mean"] = _ratio(float(team_f[t, T_WORK]), tickets)
        m[p + "resolved_share"] = _ratio(int(team_n[t, T_RESOLVED]), nres)
        m[p + "deployments_per_week"] = _ratio(0, weeks)
        m[p + "offered_load"] = float(loads[t])
        m[p + "queue_growth"] = float(growths[t])
        busy_cost[team.capex] += busy * team.hourly_cost * annual
        toil_cost[team.capex] += 0.0 * team.hourly_cost * annual

    m["deployments.lead_time.mean"] = math.nan
    m["deployments.lead_time.p50"] = math.nan
    m["deployments.lead_time.p95"] = math.nan
    m["deployments.throughput_per_week"] = _ratio(0, weeks)
    m["deployments.demand_per_week"] = _ratio(0, weeks)
    m["deployments.backlog"] = 0.0
    m["deployments.backlog_growth"] = 0.0
    m["delivery.discontinuous"] = 0.0
    m["queues.unstable"] = 0.0  # the fast path has no queue cap to pass

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

    tally.costs_and_availability(m, plan, downtime, hours, annual,
                                 busy_cost, toil_cost, c.standby, [0.0, 0.0])
    counts = histogram_sorted(ranked, HISTOGRAM_EDGES)
    return m, {"incidents.time_to_restore": counts,
               "deployments.lead_time": np.zeros_like(counts)}
