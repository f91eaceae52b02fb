"""One replication on the compiled event loop, from the plan to its metrics.

``run_replication(plan, r, seed)`` draws the replication's random numbers
(``kernel_draws``), merges the events known in advance into time order
(``kernel_events``), plays the loop compiled with numba (``kernel_loop``) in a state kept
from the plan's previous replication (``kernel_state.Arena``) and hands its counters to
``tally.finish``. tests/test_naive_oracle.py holds the metrics to the naive oracle's.

numba is imported on first use only (``whorunsit --help`` must stay fast); compiled
code is cached on disk (``cache=True``), so a process pays the compile once per
installation and later ones load it in well under a second. ``warm()`` loads it before
a fork, so worker processes inherit it.
"""

from __future__ import annotations

import numpy as np

from whorunsit.engine.loop import kernel_state as ks
from whorunsit.engine.memo import once_per
from whorunsit.engine.metrics import tally
from whorunsit.engine.metrics.tally import APP, MEASURED, PRIO, START
from whorunsit.engine.plan.events import EV_ARRIVE, EV_DEP_REQ, ORDER, shared_events
from whorunsit.engine.plan.kernel_plan import compile_plan, horizon_cells, ineligible, max_parts
from whorunsit.engine.plan.plan import Plan, plan_for
from whorunsit.engine.random.kernel_draws import draw

#: per plan: what its replications share (see ``_Prepared``)
_PREPARED: dict[int, tuple[Plan, _Prepared]] = {}


def eligible(scenario) -> bool:
    """Whether the general engine plays this scenario: it plays every one."""
    return ineligible(plan_for(scenario)) is None


class _Prepared:
    """What every replication of a plan shares: its compiled arrays, the capacities
    that have sufficed so far, the shared events in their tie order, and the state,
    reused from one replication to the next (``kernel_state.Arena``: replications of a
    plan run one after another). Also the compiled functions, imported here once: numba
    loads with them, and an import in a function costs each time it runs."""

    def __init__(self, plan: Plan):
        from whorunsit.engine.loop.kernel_loop import play
        from whorunsit.engine.metrics.kernel_summary import summarise
        from whorunsit.engine.plan.kernel_events import merged

        self.merged, self.play, self.summarise = merged, play, summarise
        self.kp = compile_plan(plan)
        self.caps = {"rework": 2, "queue": 256, "events": 1024, "waits": 1024}
        times, order, kind, a, b = shared_events(plan)
        first = np.lexsort((order, times))  # ties: the order of ORDER, then as listed
        self.shared = (np.ascontiguousarray(times[first]), kind[first].astype(np.int64),
                       a[first].astype(np.int64), b[first].astype(np.int64))
        self.shape = (len(plan.teams), len(plan.rotas), len(plan.apps), len(plan.policies),
                      max([team.responders for team in plan.teams] + [1]))
        self.cells = (*horizon_cells(plan), max_parts(plan))
        self.arena = None


def _prepared(plan: Plan) -> _Prepared:
    return once_per(_PREPARED, plan, _Prepared)


def _compiled(plan: Plan):
    """(the plan's compiled arrays, the capacities that have sufficed so far)."""
    prep = _prepared(plan)
    return prep.kp, prep.caps


def _events(plan: Plan, incs, dep_times):
    """Everything known in advance, sorted by (time, tie order) (equal ties keep the
    order of the list: shared events, then each application's arrivals and deployment
    requests), as arrays (times, kinds, subjects, arguments); and the number of arrivals
    among them."""
    prep = _prepared(plan)
    sh_t, sh_k, sh_a, sh_b = prep.shared
    det = [inc.detect_array for inc in incs]
    det_off = np.zeros(len(det) + 1, np.int64)
    det_off[1:] = np.cumsum([len(x) for x in det])
    dep_off = np.zeros(len(dep_times) + 1, np.int64)
    dep_off[1:] = np.cumsum([len(x) for x in dep_times])
    empty = np.zeros(0)
    t, k, a, b, arrivals = prep.merged(
        sh_t, sh_k, sh_a, sh_b, np.concatenate(det) if det else empty, det_off,
        np.concatenate(dep_times) if dep_times else empty, dep_off, float(plan.horizon))
    if arrivals < 0:  # a NaN time: numpy's sort puts it last
        ext = _external_lexsort(plan, incs, dep_times)
        return ext, int((ext[1] == EV_ARRIVE).sum())
    return (t, k, a, b), arrivals


def _external_lexsort(plan: Plan, incs, dep_times):
    """``_events``' arrays by concatenating and lexsorting (the specification of the
    compiled merge, used when a time is NaN)."""
    st_t, st_order, st_kind, st_a, st_b = shared_events(plan)
    t, b, sizes = [st_t], [st_b], []
    for inc, times in zip(incs, dep_times, strict=True):
        idx = np.flatnonzero(inc.detect_array < plan.horizon)
        t += [inc.detect_array[idx], times]
        b += [idx, np.arange(len(times))]
        sizes += [len(idx), len(times)]
    n_apps = len(dep_times)
    kinds = np.tile(np.array([EV_ARRIVE, EV_DEP_REQ], dtype=np.int64), n_apps)
    apps = np.repeat(np.arange(n_apps, dtype=np.int64), 2)
    times = np.concatenate(t)
    order = np.concatenate([st_order, np.full(len(times) - len(st_t), ORDER[EV_ARRIVE])])
    perm = np.lexsort((order, times))
    kind = np.concatenate([st_kind, np.repeat(kinds, sizes)])
    a = np.concatenate([st_a, np.repeat(apps, sizes)])
    return (np.ascontiguousarray(times[perm]), kind[perm].astype(np.int64), a[perm],
            np.concatenate(b).astype(np.int64)[perm])


def _state(plan: Plan, caps: dict[str, int], tickets: int, deps: int):
    """A zeroed state for a replication with this many tickets and deployments: the
    plan's kept one when it is large enough, else a new one with room to spare."""
    prep = _prepared(plan)
    tickets, deps = max(1, tickets), max(1, deps)
    needs = (tickets, deps, max(caps["events"], tickets + 2 * deps + 64), caps["queue"],
             max(caps["waits"], 4 * tickets))
    if prep.arena is None or not prep.arena.fits(*needs):
        # a quarter more than asked: the next replications, a little larger, fit too
        t, d, e, q, w = needs
        n_teams, n_rotas, n_apps, n_policies, responders = prep.shape
        prep.arena = ks.Arena(n_teams, n_rotas, n_apps, n_policies, t + t // 4,
                              d + d // 4, responders, e + e // 4, q, w + w // 4, *prep.cells)
    return prep.arena.clean()


class _Counters:
    """The attributes ``tally.finish`` reads of a replication, from the kernel's state
    (its arrays as they are: ``finish`` reads lists or arrays alike). ``arrivals``: how
    many incidents were detected before the horizon, if known."""

    def __init__(self, plan: Plan, st, incs, arrivals: int | None = None):
        self.summarise = _prepared(plan).summarise
        si, sf = st.int_slots.tolist(), st.float_slots.tolist()
        nT = len(plan.teams)
        self.plan, self.nT, self.week = plan, nT, plan.week
        self.W, self.H, self.end = plan.warmup, plan.horizon, sf[ks.RUN_END]
        self.always = plan.scenario.calendar.always
        self.incidents = incs
        self.undetected = None if arrivals is None else \
            sum(len(inc.detect_array) for inc in incs) - arrivals
        self.q_last, self.q_area, self.q_n = st.team_queue_since, st.team_queue_area, st.team_queue
        self.q_mark = st.team_queue_at_mark
        self.busy_work, self.away, self.labour = st.busy_work, st.away, st.labour
        self.t_tickets, self.t_resolved, self.t_deploys = st.team_tickets, st.team_resolved, \
            st.team_deploys
        self.t_work_sum, self.t_work_n = st.team_work_sum, st.team_work_count
        self.toil_hours, self.unpaid = st.toil_hours, st.unpaid
        self.callout_cost, self.callouts = st.callout_cost, st.callouts
        done = np.flatnonzero(~st.ticket_open[:si[ks.TICKETS]])
        done = done[st.ticket_resolved[done] > self.W]  # outages that reach into the window
        self.outages = (st.ticket_app[done], st.ticket_prio[done], st.ticket_opened[done],
                        st.ticket_resolved[done])
        self.measured = si[ks.MEASURED_TICKETS]
        self.open = {}
        tids = np.flatnonzero(st.ticket_open[:si[ks.TICKETS]])
        for tid, app, prio, start, measured in zip(
                tids.tolist(), st.ticket_app[tids].tolist(), st.ticket_prio[tids].tolist(),
                st.ticket_opened[tids].tolist(), st.ticket_measured[tids].tolist(), strict=True):
            tk = [None] * (MEASURED + 1)
            tk[APP], tk[PRIO], tk[START], tk[MEASURED] = app, prio, start, measured
            self.open[tid] = tk
        nttr, nwaits = si[ks.TTR_COUNT], si[ks.WAITS_COUNT]
        self.ttr, self.ttr_prio = st.ttr[:nttr], st.ttr_prio[:nttr]
        self.lead = st.lead[:si[ks.LEAD_COUNT]]
        self.waits, self.waits_team = st.waits[:nwaits], st.waits_team[:nwaits]
        self.i_handoffs, self.i_reass = si[ks.INCIDENT_HANDOFFS], si[ks.INCIDENT_REASSIGNMENTS]
        self.i_qwait, self.i_hdelay = sf[ks.INCIDENT_QUEUE_WAIT], sf[ks.INCIDENT_HANDOFF_DELAY]
        self.i_flow, self.i_flow_n = sf[ks.INCIDENT_FLOW], si[ks.INCIDENT_FLOW_COUNT]
        self.d_demand, self.d_done = si[ks.DEPLOYS_DEMANDED], si[ks.DEPLOYS_DONE]
        self.backlog, self.backlog_at_mark = si[ks.BACKLOG], si[ks.BACKLOG_AT_MARK]
        self.overflow = bool(si[ks.OVERFLOW])
        self.callout_opex, self.callout_capex = sf[ks.CALLOUT_OPEX], sf[ks.CALLOUT_CAPEX]


def run_replication(plan_or_scenario, replication: int, seed: int):
    """Replication ``replication`` of a plan (or scenario) with ``seed``:
    ``(metrics, histograms)``."""
    plan = plan_or_scenario if isinstance(plan_or_scenario, Plan) else \
        plan_for(plan_or_scenario)
    prep = _prepared(plan)
    caps = prep.caps
    grow = {ks.FULL_REWORK: "rework", ks.FULL_EVENTS: "events", ks.FULL_QUEUE: "queue",
            ks.FULL_WAITS: "waits"}
    while True:
        dr, incs, dep_times = draw(plan, seed, replication, caps["rework"], prep.kp)
        ext, n_arrive = _events(plan, incs, dep_times)
        deps = int(dr.dep_rows.sum())
        st = _state(plan, caps, n_arrive + deps, deps)
        prep.play(prep.kp, dr, st, *ext)
        status = int(st.int_slots[ks.STATUS])
        if status == 0:
            break
        # replayed from scratch with room to spare: the result does not change
        size = {"rework": caps["rework"], "events": len(st.event_time),
                "queue": st.queue_key.shape[1], "waits": len(st.waits)}
        caps[grow[status]] = 2 * size[grow[status]]
    return tally.finish(_Counters(plan, st, incs, n_arrive))


def warm(scenario) -> None:
    """Compile (or load from the disk cache) by playing replication 0 of ``scenario``,
    telling the user when it compiles (``numba_cache.compiling``)."""
    from whorunsit.engine.numba_cache import compiling

    with compiling("simulation engine"):
        run_replication(scenario, 0, 0)
