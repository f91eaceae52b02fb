"""The metrics a replication reports at the end, from what it counted while it ran
(the compiled loop counts in ``loop/kernel_tally``; ``loop/kernel._Counters`` hands the
counts over).

Only incidents and deployment requests that start after the warm-up are counted; time
based figures (utilisation, queue length, callouts, pay) use the window from the end of
the warm-up to the horizon. Money is annualised with a 52-week year; rates are per week;
durations in hours.
"""

from __future__ import annotations

import math

import numpy as np

from whorunsit.engine.memo import once_per
from whorunsit.model.bins import HISTOGRAM_EDGES
from whorunsit.model.calendar import WEEKS_PER_YEAR, paid_hours_per_week

#: waiting tickets plus deployment backlog at which a replication is declared unstable
#: and stopped early: bounded memory and time whatever the scenario asks
QUEUE_CAP = 20_000
WEEK = 168.0
YEAR_WEEKS = WEEKS_PER_YEAR
#: the fields ``finish`` reads of a ticket still open (the engines hand their open
#: tickets over in this layout)
APP, PRIO, START, MEASURED = 0, 1, 2, 18
#: the groups ``_summaries`` hands ``summarise`` at once: times to restore by priority
#: (0 to 3), of the urgent incidents, then each team's queue waits
URGENT, TEAMS = 4, 5


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


_SUM = np.add.reduce


def _mean(values: np.ndarray) -> float:
    """``float(values.mean())`` (numpy's pairwise sum, then one division) without the
    bookkeeping of ``mean``; NaN when empty."""
    n = len(values)
    return float(_SUM(values)) / n if n else math.nan


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 else math.nan


def _ratios(a: np.ndarray, b) -> np.ndarray:
    """``_ratio`` element by element (the same division, NaN where b is not > 0)."""
    out = np.full(len(a), math.nan)
    return np.divide(a, b, out=out, where=np.asarray(b) > 0)


def offered_load(busy: np.ndarray, growth: np.ndarray, work_sum: np.ndarray,
                 work_n: np.ndarray, available: np.ndarray) -> np.ndarray:
    """Per team, the work that arrived for its working-hours responders over the hours
    they had: the work they did, plus the work its queue grew by (tickets x the team's
    mean work per ticket), over the available responder-hours. Work is conserved, so in
    a replication this is the offered load, and above 1 where the utilisation, capped at
    1, cannot say how far demand outruns the team (stats/stability.py)."""
    mean_work = _ratios(work_sum, work_n)
    # a team with no mean work time (none done) adds nothing for its queue
    queued = np.multiply(growth, mean_work, out=np.zeros(len(mean_work)),
                         where=np.isfinite(mean_work))
    return _ratios(np.maximum(busy + queued, 0.0), available)


def _histogram(ordered: np.ndarray) -> np.ndarray:
    """``numpy.histogram(values, HISTOGRAM_EDGES)[0]`` of values already sorted: what
    numpy does for explicit edges (count below each edge, the last one inclusive), without
    sorting them again (compiled: ``kernel_summary.histogram``; tests/test_tally.py
    compares them)."""
    from whorunsit.engine.metrics.kernel_summary import histogram

    return histogram(np.ascontiguousarray(ordered, dtype=float), _EDGES)


_EDGES = np.asarray(HISTOGRAM_EDGES, dtype=float)


class _Constants:
    """What ``finish`` needs of a plan that no replication changes: metric names, the
    teams' figures as arrays, standby pay. Made once per plan (``_constants``)."""

    def __init__(self, plan):
        teams = plan.teams
        self.team_names = [f"teams.{t.name}.{k}" for t in teams for k in (
            "utilisation", "queue_wait.mean", "queue_wait.p95", "queue_length.mean",
            "tickets_per_week", "work_time.mean", "resolved_share", "deployments_per_week",
            "offered_load", "queue_growth")]
        self.oncall_names = [f"oncall.{t.name}.{k}" for t in teams for k in (
            "standby_cost", "callout_cost", "callouts_per_person_week", "unpaid_hours",
            "toil_hours")]
        self.app_names = [[f"applications.{a.name}.{k}" for k in (
            "availability", "downtime_hours", "p_meets_target")] for a in plan.apps]
        self.responders = np.array([t.responders for t in teams], dtype=float)
        self.hourly = np.array([t.hourly_cost for t in teams], dtype=float)
        self.capex = [int(t.capex) for t in teams]
        self.capex_row = np.asarray(self.capex, dtype=np.int64)
        people = [t.rota_people or float(t.headcount) for t in teams]
        self.people = np.array(people, dtype=float)
        self.impact = np.asarray(plan.impact, dtype=float)
        self.urgent = np.asarray(plan.callout, dtype=bool)
        self.urgent_group = np.where(self.urgent, URGENT, -1)  # by priority; -1: left out
        self.prio_prefix = [f"incidents.P{p + 1}." for p in range(4)]
        standby_team = [0.0] * len(teams)
        standby = [0.0, 0.0]
        for r in plan.rotas:
            if not r.paid:
                continue
            pay = r.standby_per_week * r.on_call * YEAR_WEEKS
            standby[r.capex] += pay
            for t in r.teams:
                standby_team[t] += pay / len(r.teams)
        self.standby = standby
        self.standby_team = np.array(standby_team, dtype=float)
        calendar = plan.scenario.calendar
        headcount = [0.0, 0.0]  # opex, capex
        for t in teams:
            headcount[int(t.capex)] += paid_hours_per_week(
                calendar, t.headcount, t.responders) * YEAR_WEEKS * t.hourly_cost
        self.headcount_cost = headcount
        #: working hours in a window (warm-up end, end), as ``finish`` asks
        self.working: dict[tuple[float, float], float] = {}


_CONSTANTS: dict[int, tuple[object, _Constants]] = {}


def _constants(plan) -> _Constants:
    return once_per(_CONSTANTS, plan, _Constants)


def costs_and_availability(m: dict[str, float], plan, downtime, hours: float, annual: float,
                           busy_cost, toil_cost, standby, callout) -> None:
    """The cost.* and applications.* metrics; ``*_cost`` pairs are (opex, capex).

    The bill (docs/model.md, "Costs"): headcount (every team's people paid for their
    contracted hours), on-call pay (standby, and callout pay, which pays for the
    out-of-hours hours worked: they are outside contracted hours, so counted there and
    only there) and downtime. Busy time and time off in lieu happen inside the paid
    hours: ``cost.labour`` and ``cost.toil`` say how much of the headcount they take, and
    are not added again. Shared by the engines and the fast path.
    """
    c = _constants(plan)
    downtime_cost = sum(downtime[a.index] * a.cost_per_hour for a in plan.apps) * annual
    headcount = c.headcount_cost
    oncall = sum(standby) + sum(callout)
    m["cost.headcount"] = sum(headcount)
    m["cost.oncall"] = oncall
    m["cost.labour"] = sum(busy_cost)
    m["cost.toil"] = sum(toil_cost)
    m["cost.downtime"] = downtime_cost
    m["cost.opex"] = headcount[0] + standby[0] + callout[0]
    m["cost.capex"] = headcount[1] + standby[1] + callout[1]
    m["cost.total"] = m["cost.headcount"] + oncall + downtime_cost

    names = _constants(plan).app_names
    for app in plan.apps:
        p_avail, p_down, p_meets = names[app.index]
        down = downtime[app.index]
        avail = min(1.0, max(0.0, 1.0 - down / hours)) if hours > 0 else math.nan
        m[p_avail] = avail
        m[p_down] = down * annual
        m[p_meets] = float(avail >= app.target - 1e-12) if hours > 0 else math.nan


def _late(rep, W: float, end: float) -> tuple[int, list[np.ndarray]]:
    """Incidents started in the window but not detected by its end: they count, unresolved,
    and are down until the end. How many, and their (application, priority, start)."""
    incidents = rep.incidents
    none: list[np.ndarray] = []
    if not incidents or (rep.undetected == 0 and end >= rep.H):
        return 0, none  # (the loop knows when every incident is detected in time)
    start = np.concatenate([inc.start_array for inc in incidents])
    detect = np.concatenate([inc.detect_array for inc in incidents])
    late = (start >= W) & (start < end) & (detect >= end)
    if not late.any():
        return 0, none
    apps, prios, starts = [], [], []
    for a, inc in enumerate(incidents):
        late = (inc.start_array >= W) & (inc.start_array < end) & (inc.detect_array >= end)
        if late.any():
            apps.append(np.full(int(late.sum()), a))
            prios.append(np.asarray(inc.prio)[late])
            starts.append(inc.start_array[late])
    apps_, prios_, starts_ = (np.concatenate(x) for x in (apps, prios, starts))
    return len(apps_), [apps_, prios_, starts_]


def union_length(app: np.ndarray, lo: np.ndarray, hi: np.ndarray, n_apps: int) -> np.ndarray:
    """Per application, the length of the union of the intervals [lo, hi) (lo < hi, every
    time >= 0): overlapping incidents on one application are one outage, not two."""
    from whorunsit.engine.metrics.kernel_outages import union

    app = np.ascontiguousarray(app, dtype=np.int64)
    return union(app, np.ascontiguousarray(lo, dtype=float),
                 np.ascontiguousarray(hi, dtype=float), n_apps, np.arange(len(app)))


def outage_hours(app, prio, start, stop, impact: np.ndarray, n_apps: int,
                 W: float, end: float) -> list[float]:
    """Each application's downtime in [W, end): the time it is impaired, each instant
    weighted by the worst impact open then (a P1 and a P2 overlapping are one full
    outage). Never more than the window's hours (docs/model.md, "Outages").

    The worst impact open at an instant is the sum, over the impact levels L at or below
    it, of L minus the next level down: so the union of the outages at least that bad,
    level by level, times the step to the next level (compiled: ``kernel_outages``)."""
    from whorunsit.engine.metrics.kernel_outages import outage_hours as compiled_hours

    f = np.ascontiguousarray
    return compiled_hours(f(app, dtype=np.int64), f(prio, dtype=np.int64),
                          f(start, dtype=float), f(stop, dtype=float),
                          f(impact, dtype=float), n_apps, float(W), float(end)).tolist()


def summarise(values, groups, n_groups: int,
              qs: tuple[float, ...]) -> tuple[list[float], list[list[float]]]:
    """Per group g in range(n_groups): the mean of the values whose group is g, in the
    order they were recorded (NaN for none), and their percentiles qs (``_pct``).
    Values in group -1 are left out.

    ``finish`` calls the compiled ``kernel_summary.summarise`` (``rep.summarise``); this
    is its specification, which tests/test_kernel_summary.py holds it to bit for bit."""
    values = np.asarray(values, dtype=float)
    groups = np.asarray(groups, dtype=np.int64)
    if len(groups) and groups.min() < 0:
        if groups.min() < -1:
            raise ValueError("a group below -1")
        values, groups = values[groups >= 0], groups[groups >= 0]
    grouped = values[np.argsort(groups, kind="stable")]
    ends = np.cumsum(np.bincount(groups, minlength=n_groups)).tolist()
    if len(ends) > n_groups:
        raise ValueError(f"a group outside 0..{n_groups - 1}")
    means, pcts = [], []
    lo = 0
    for hi in ends:
        part = grouped[lo:hi]
        means.append(_mean(part))
        ordered = np.sort(part)
        pcts.append([_pct(ordered, q) for q in qs])
        lo = hi
    return means, pcts


_QS = (50.0, 90.0, 95.0)


def _summaries(m: dict[str, float], c: _Constants, ttr: np.ndarray, prio: np.ndarray,
               waits: np.ndarray, waits_team: np.ndarray, nT: int,
               summarise_) -> tuple[list[float], list[float]]:
    """Time to restore per priority and of the urgent incidents (those that call people
    out of hours) into ``m``; each team's mean and 95th percentile queue wait returned.
    One ``summarise`` call for them all: a group's figures depend only on its own values,
    in the order they were recorded."""
    everyone = c.urgent.all()  # the same incidents in the same order: the same figures
    parts = [ttr, waits]
    groups = [prio, np.asarray(waits_team, dtype=np.int64) + TEAMS]
    if not everyone:
        parts.insert(1, ttr)
        groups.insert(1, c.urgent_group[prio])
    means, pcts = summarise_(np.concatenate(parts), np.concatenate(groups), TEAMS + nT, _QS)
    for p in range(4):
        prefix = c.prio_prefix[p]
        m[prefix + "time_to_restore.mean"] = means[p]
        (m[prefix + "time_to_restore.p50"], m[prefix + "time_to_restore.p90"],
         m[prefix + "time_to_restore.p95"]) = pcts[p]
    stats = ("mean", "p50", "p90", "p95")
    if everyone:
        urgent = [m["incidents.time_to_restore." + k] for k in stats]
    else:
        urgent = [means[URGENT], *pcts[URGENT]]
    for k, value in zip(stats, urgent, strict=True):
        m["incidents.urgent.time_to_restore." + k] = value
    return means[TEAMS:], [p[2] for p in pcts[TEAMS:]]


def _on_hold(rep, W: float, end: float) -> float:
    """Mean time on hold per incident started in the window (those never held count 0)."""
    held = [inc.hold_array[(inc.start_array >= W) & (inc.start_array < end)]
            for inc in rep.incidents if inc.hold_array is not None]
    values = np.concatenate(held) if held else np.zeros(0)
    return _mean(values)


def finish(rep) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """The replication's metrics and histogram counts, from ``rep``'s counters (which it
    does not change)."""
    plan = rep.plan
    c = _constants(plan)
    nT = rep.nT
    W = rep.W
    end = rep.end
    hours = end - W
    weeks = hours / WEEK
    annual = YEAR_WEEKS / weeks if weeks > 0 else math.nan

    # incidents still open: created ones, and ones started but not yet detected
    count = rep.measured
    unresolved = sum(1 for tk in rep.open.values() if tk[MEASURED])
    late, undetected = _late(rep, W, end)
    count += late
    unresolved += late
    # every outage: resolved tickets' to their resolution, open and undetected ones to
    # the end (columns: application, priority, start)
    still = [(tk[APP], tk[PRIO], tk[START]) for tk in rep.open.values()]
    columns = rep.outages[:3]
    stop = rep.outages[3]
    if still or undetected:
        columns = [np.concatenate([np.asarray(done, dtype=float),
                                   np.asarray([row[k] for row in still], dtype=float),
                                   undetected[k] if undetected else np.zeros(0)])
                   for k, done in enumerate(columns)]
        resolved_at = np.asarray(stop, dtype=float)
        stop = np.concatenate([resolved_at, np.full(len(columns[0]) - len(resolved_at), end)])
    downtime = outage_hours(columns[0], columns[1], columns[2], stop, c.impact,
                            len(plan.apps), W, end)

    m: dict[str, float] = {}
    ttr = np.asarray(rep.ttr, dtype=float)
    nres = len(ttr)
    m["incidents.count"] = float(count)
    m["incidents.per_week"] = _ratio(count, weeks)
    m["incidents.unresolved"] = float(unresolved)
    m["incidents.time_to_restore.mean"] = _mean(ttr)
    ttr_ordered = np.sort(ttr)
    m["incidents.time_to_restore.p50"] = _pct(ttr_ordered, 50)
    m["incidents.time_to_restore.p90"] = _pct(ttr_ordered, 90)
    m["incidents.time_to_restore.p95"] = _pct(ttr_ordered, 95)
    m["incidents.time_to_restore.p99"] = _pct(ttr_ordered, 99)
    wait_mean, wait_p95 = _summaries(m, c, ttr, np.asarray(rep.ttr_prio, dtype=np.int64),
                                     rep.waits, rep.waits_team, nT, rep.summarise)
    m["incidents.handoffs.mean"] = _ratio(rep.i_handoffs, nres)
    m["incidents.reassignments.mean"] = _ratio(rep.i_reass, nres)
    m["incidents.queue_wait.mean"] = _ratio(rep.i_qwait, nres)
    m["incidents.handoff_delay.mean"] = _ratio(rep.i_hdelay, nres)
    m["incidents.flow_efficiency"] = _ratio(rep.i_flow, rep.i_flow_n)
    if any(app.hold_share > 0 for app in plan.apps):
        m["incidents.on_hold.mean"] = _on_hold(rep, W, end)

    working = hours if rep.always else c.working.get((W, end))
    if working is None:
        working = rep.week.working_hours(end) - rep.week.working_hours(W)
        if end == rep.H:  # the window of every replication that is not stopped early
            c.working[W, end] = working
    # per team, as columns in the order of c.team_names and c.oncall_names (team by team)
    from whorunsit.engine.metrics.kernel_teams import team_columns

    f = np.asarray
    team, oncall, busy_cost, toil_cost, unpaid, callouts = team_columns(
        *[f(x, dtype=float) for x in (
            rep.busy_work, rep.away, rep.q_last, rep.q_area, rep.q_n, rep.q_mark,
            rep.t_tickets, rep.t_work_sum, rep.t_work_n, rep.t_resolved, rep.t_deploys,
            rep.toil_hours, rep.unpaid, rep.callouts, rep.callout_cost, wait_mean,
            wait_p95)],
        c.responders, c.hourly, c.capex_row, c.people, c.standby_team, float(W),
        float(end), float(working), nres, float(annual))
    m.update(zip(c.team_names, team.ravel().tolist(), strict=True))
    busy_cost, toil_cost = busy_cost.tolist(), toil_cost.tolist()

    lead = np.asarray(rep.lead, dtype=float)
    demand_pw = _ratio(rep.d_demand, weeks)
    m["deployments.lead_time.mean"] = _mean(lead)
    lead_ordered = np.sort(lead)
    m["deployments.lead_time.p50"] = _pct(lead_ordered, 50)
    m["deployments.lead_time.p95"] = _pct(lead_ordered, 95)
    m["deployments.throughput_per_week"] = _ratio(rep.d_done, weeks)
    m["deployments.demand_per_week"] = demand_pw
    m["deployments.backlog"] = float(rep.backlog)
    backlog_growth = rep.backlog - rep.backlog_at_mark
    m["deployments.backlog_growth"] = float(backlog_growth)
    behind = rep.d_demand > 0 and backlog_growth > max(4.0, 2.0 * demand_pw)
    m["delivery.discontinuous"] = float(rep.overflow or behind)
    m["queues.unstable"] = float(rep.overflow)

    m.update(zip(c.oncall_names, oncall.ravel().tolist(), strict=True))
    m["oncall.unpaid_hours"] = unpaid * annual
    m["oncall.callouts_per_week"] = _ratio(callouts, weeks)

    callout = [rep.callout_opex * annual, rep.callout_capex * annual]
    costs_and_availability(m, plan, downtime, hours, annual,
                           busy_cost, toil_cost, c.standby, callout)

    hists = {
        "incidents.time_to_restore": _histogram(ttr_ordered),
        "deployments.lead_time": _histogram(lead_ordered),
    }
    return m, hists
