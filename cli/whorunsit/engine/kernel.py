"""Replications on the compiled event loop: the same results as ``replication``, faster.

``run_replication(plan, r, seed)`` draws the replication's random numbers exactly as the
Python engine does (``kernel_draws``), sorts the events known in advance exactly as
``Replication._external`` does, plays the loop compiled with numba (``kernel_loop``) and
hands its counters to ``tally.finish``, so the metrics are computed by the same code as
the Python engine's. tests/test_kernel.py checks the two engines give identical metrics.

numba is imported on first use only (``whorunsit --help`` must stay fast); compiled
code is cached on disk (``cache=True``), so a process pays the compile once per
installation and later ones load it in well under a second. ``warm()`` loads it before
a fork, so worker processes inherit it.
"""

from __future__ import annotations

import numpy as np

from whorunsit.engine import tally
from whorunsit.engine.events import EV_ARRIVE, EV_DEP_REQ, ORDER, shared_events
from whorunsit.engine.kernel_draws import draw
from whorunsit.engine.kernel_plan import compile_plan, ineligible
from whorunsit.engine.plan import Plan
from whorunsit.engine.replication import APP, MEASURED, PRIO, START, plan_for

#: per compiled plan: its arrays and the capacities that have sufficed so far
_COMPILED: dict[int, tuple[Plan, object, dict[str, int]]] = {}


def eligible(scenario) -> bool:
    """Whether the kernel plays this scenario (else the Python engine does)."""
    return ineligible(plan_for(scenario)) is None


def _compiled(plan: Plan):
    hit = _COMPILED.get(id(plan))
    if hit is not None and hit[0] is plan:
        return hit[1], hit[2]
    if len(_COMPILED) > 16:
        _COMPILED.clear()
    kp = compile_plan(plan)
    caps = {"rework": 2, "queue": 256, "events": 1024, "waits": 1024}
    _COMPILED[id(plan)] = (plan, kp, caps)
    return kp, caps




def _external(plan: Plan, incs, dep_times):
    """``Replication._external``: everything known in advance, sorted by (time, order)
    (ties keep the order of the Python engine's list: shared events, then each
    application's arrivals and deployment requests)."""
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


class _Counters:
    """The attributes ``tally.finish`` reads of a replication, from the kernel's state."""

    def __init__(self, plan: Plan, st, incs):
        from whorunsit.engine.kernel_state import (
            BACKLOG,
            BACKLOG_MARK,
            C_CAPEX,
            C_OPEX,
            D_DEMAND,
            D_DONE,
            END,
            I_FLOW,
            I_FLOW_N,
            I_HANDOFFS,
            I_HDELAY,
            I_QWAIT,
            I_REASS,
            NLEAD,
            NMEASURED,
            NTK,
            NTTR,
            NWAITS,
            OPEN_MARK,
            OVERFLOW,
        )
        si, sf = st.si, st.sf
        nT = len(plan.teams)
        self.plan, self.nT, self.week = plan, nT, plan.week
        self.W, self.H, self.end = plan.warmup, plan.horizon, float(sf[END])
        self.always = plan.scenario.calendar.always
        self.incidents = incs
        for name in ("q_last", "q_area", "busy_work", "away", "t_tickets", "t_work_sum",
                     "t_work_n", "t_resolved", "t_deploys", "labour", "toil_hours",
                     "callout_cost", "callouts", "unpaid", "downtime"):
            setattr(self, name, getattr(st, name).tolist())
        self.q_n = st.qlen.tolist()
        self.measured = int(si[NMEASURED])
        ntk = int(si[NTK])
        self.open = {}
        for tid in np.nonzero(st.tk_open[:ntk])[0].tolist():
            tk = [None] * (MEASURED + 1)
            tk[APP] = int(st.tk_app[tid])
            tk[PRIO] = int(st.tk_prio[tid])
            tk[START] = float(st.tk_start[tid])
            tk[MEASURED] = bool(st.tk_measured[tid])
            self.open[tid] = tk
        self.ttr = st.ttr[:si[NTTR]]
        self.ttr_prio = st.ttr_prio[:si[NTTR]]
        self.lead = st.lead[:si[NLEAD]]
        waits, teams = st.waits[:si[NWAITS]], st.waits_team[:si[NWAITS]]
        # each team's waits in the order they were recorded (a stable sort by team)
        by_team = np.argsort(teams, kind="stable")
        self.t_waits = np.split(waits[by_team],
                                np.cumsum(np.bincount(teams, minlength=nT))[:-1])
        self.i_handoffs, self.i_reass = int(si[I_HANDOFFS]), int(si[I_REASS])
        self.i_qwait, self.i_hdelay = float(sf[I_QWAIT]), float(sf[I_HDELAY])
        self.i_flow, self.i_flow_n = float(sf[I_FLOW]), int(si[I_FLOW_N])
        self.d_demand, self.d_done = int(si[D_DEMAND]), int(si[D_DONE])
        self.backlog, self.backlog_at_mark = int(si[BACKLOG]), int(si[BACKLOG_MARK])
        self.open_at_mark = int(si[OPEN_MARK])
        self.overflow = bool(si[OVERFLOW])
        self.callout_opex, self.callout_capex = float(sf[C_OPEX]), float(sf[C_CAPEX])


def run_replication(plan_or_scenario, replication: int, seed: int):
    """``replication.run_replication`` on the kernel: ``(metrics, histograms)``."""
    from whorunsit.engine.kernel_loop import play
    from whorunsit.engine.kernel_state import (
        FULL_EVENTS,
        FULL_QUEUE,
        FULL_REWORK,
        FULL_WAITS,
        STATUS,
        new_state,
    )
    plan = plan_or_scenario if isinstance(plan_or_scenario, Plan) else \
        plan_for(plan_or_scenario)
    why = ineligible(plan)
    if why is not None:
        raise ValueError(f"the compiled engine does not play {why}")
    kp, caps = _compiled(plan)
    grow = {FULL_REWORK: "rework", FULL_EVENTS: "events", FULL_QUEUE: "queue",
            FULL_WAITS: "waits"}
    while True:
        dr, incs, dep_times = draw(plan, seed, replication, caps["rework"], kp)
        ext = _external(plan, incs, dep_times)
        n_arrive = int((ext[1] == EV_ARRIVE).sum())
        deps = int(dr.dep_rows.sum())
        tickets = n_arrive + deps
        st = new_state(len(plan.teams), len(plan.rotas), len(plan.apps), len(plan.policies),
                       max(1, tickets), max(1, deps), max([t.responders for t in plan.teams]
                                                          + [1]),
                       max(caps["events"], tickets + 2 * deps + 64), caps["queue"],
                       max(caps["waits"], 4 * tickets))
        play(kp, dr, st, *ext)
        status = int(st.si[STATUS])
        if status == 0:
            break
        # replayed from scratch with room to spare: the result does not change
        size = {"rework": caps["rework"], "events": len(st.ev_t),
                "queue": st.q_key.shape[1], "waits": len(st.waits)}
        caps[grow[status]] = 2 * size[grow[status]]
    return tally.finish(_Counters(plan, st, incs))


def warm(scenario) -> None:
    """Compile (or load from the disk cache) by playing replication 0 of ``scenario``."""
    run_replication(scenario, 0, 0)
